/* units.h -- "1gb"-style memory amounts, as redis.conf writes them (base
 * layer; header-only so that manifest.c, which the standalone manifest tool
 * also compiles, needs no other core object).
 *
 * Digits then an optional unit: b, k (1000), kb (1024), m, mb, g, gb, in
 * any case.  No sign, no spaces; an overflow is refused. */
#ifndef FR_UNITS_H
#define FR_UNITS_H

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

/* 1 and *out set when `s` is a valid amount, else 0. */
static inline int fr_parse_memory(const char *s, long long *out)
{
    static const struct { const char *unit; long long mul; } units[] = {
        {"", 1}, {"b", 1}, {"k", 1000}, {"kb", 1024}, {"m", 1000 * 1000},
        {"mb", 1024 * 1024}, {"g", 1000LL * 1000 * 1000},
        {"gb", 1024LL * 1024 * 1024}};
    const char *u = s;
    while (isdigit((unsigned char)*u)) u++;
    if (u == s) return 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(u, units[i].unit)) continue;
        errno = 0;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno || end != u || v > LLONG_MAX / units[i].mul) return 0;
        *out = v * units[i].mul;
        return 1;
    }
    return 0;
}

#endif /* FR_UNITS_H */

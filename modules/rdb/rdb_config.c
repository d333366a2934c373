/* rdb_config.c -- the checks of the rdb module's text directives, run by
 * the core for the config file, the command line and CONFIG SET.
 *
 * save: words in pairs "<seconds> <changes>", seconds >= 1 and changes >= 0,
 * each word read as strtoll reads it and changes kept as an int, stored in
 * the form CONFIG GET shows ("%lld %d" pairs joined by one space).  In the
 * config (file and command line) a second "save" line adds its points to
 * the first's, while the first replaces the default; "" clears them.
 * dbfilename: a bare file name, never a path (it is opened in `dir`). */
#include "rdb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char invalid_save[] = "Invalid save parameters";

/* One word of a save value, as Redis reads it: the whole word must parse. */
static int save_word(const char *w, size_t len, int is_seconds, long long *v)
{
    char buf[64], *end;
    if (len >= sizeof(buf)) return 0;
    memcpy(buf, w, len);
    buf[len] = '\0';
    *v = strtoll(buf, &end, 10);
    if (*end) return 0;
    return is_seconds ? *v >= 1 : *v >= 0;
}

/* Normalises value (words split at single spaces) into out; 0 if invalid. */
static int save_normalise(const char *value, char *out, size_t outlen)
{
    size_t off = 0;
    int nwords = 0;
    long long seconds = 0;
    const char *p = value;
    out[0] = '\0';
    if (!*value) return 1;
    for (;;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        long long v;
        if (!save_word(p, len, nwords % 2 == 0, &v)) return 0;
        if (nwords++ % 2 == 0) seconds = v;
        else {
            int n = snprintf(out + off, outlen - off, "%s%lld %d", off ? " " : "", seconds, (int)v);
            if (n < 0 || (size_t)n >= outlen - off) return 0;
            off += (size_t)n;
        }
        if (!sp) break;
        p = sp + 1;
    }
    return nwords % 2 == 0;
}

const char *rdb_conf_save_check(const fr_conf_update *u, char *out, size_t outlen)
{
    char points[4096];
    if (!save_normalise(u->value, points, sizeof(points))) return invalid_save;
    if (u->again_in_config && points[0] && u->current[0]) {
        if ((size_t)snprintf(out, outlen, "%s %s", u->current, points) >= outlen) return invalid_save;
    } else {
        snprintf(out, outlen, "%s", points);
    }
    return NULL;
}

const char *rdb_conf_dbfilename_check(const fr_conf_update *u, char *out, size_t outlen)
{
    if (strchr(u->value, '/') || strchr(u->value, '\\')) return "dbfilename can't be a path, just a filename";
    snprintf(out, outlen, "%s", u->value);
    return NULL;
}

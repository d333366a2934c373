/* util.c -- Redis's number/string conversions, glob matching and clocks.
 *
 * Invariants: every parser here is strict in exactly the way Redis 7.0's is
 * (what it rejects is part of the observable protocol: error replies such as
 * "value is not an integer or out of range" depend on it); every printer
 * NUL-terminates and returns the length, or 0 when the buffer is too small.
 * Inputs are (pointer, length) and need not be NUL-terminated: functions
 * that lean on libc's strto* copy into a terminated buffer first. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ------------------------------------------------------------ integers */

uint32_t fr_digits10(uint64_t v)
{
    uint32_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

uint32_t fr_sdigits10(int64_t v)
{
    if (v >= 0) return fr_digits10((uint64_t)v);
    /* Negating LLONG_MIN overflows; go through unsigned arithmetic. */
    return fr_digits10(0 - (uint64_t)v) + 1;
}

int fr_ull2string(char *dst, size_t dstlen, unsigned long long v)
{
    uint32_t n = fr_digits10(v);
    if (n >= dstlen) return 0;
    dst[n] = '\0';
    for (uint32_t i = n; i > 0; i--) {
        dst[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
    return (int)n;
}

int fr_ll2string(char *dst, size_t dstlen, long long v)
{
    if (v >= 0) return fr_ull2string(dst, dstlen, (unsigned long long)v);
    if (dstlen < 2) return 0;
    dst[0] = '-';
    int n = fr_ull2string(dst + 1, dstlen - 1, 0 - (unsigned long long)v);
    return n ? n + 1 : 0;
}

/* Strict: optional '-', then "0" alone or a non-zero digit followed by
 * digits, nothing else.  "-0", "+1", "01", " 1" and "" are all refused, so a
 * parsed value prints back to the very same bytes. */
int fr_string2ll(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    int neg = 0;
    unsigned long long v;

    if (len == 0 || len >= FR_LONG_STR_SIZE) return 0;
    if (len == 1 && s[0] == '0') {
        if (out) *out = 0;
        return 1;
    }
    if (s[0] == '-') {
        neg = 1;
        if (++i == len) return 0;
    }
    if (s[i] < '1' || s[i] > '9') return 0;
    v = (unsigned long long)(s[i++] - '0');
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        if (out) *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        if (out) *out = (long long)v;
    }
    return 1;
}

int fr_string2l(const char *s, size_t len, long *out)
{
    long long v;
    if (!fr_string2ll(s, len, &v)) return 0;
    if (v < LONG_MIN || v > LONG_MAX) return 0;
    if (out) *out = (long)v;
    return 1;
}

/* A NUL-terminated copy of s for libc's strto* family: on the stack when
 * small, else on the heap (*heap is set and must be fr_free'd). */
static char *terminated_copy(const char *s, size_t len, char *stackbuf,
                             size_t stacklen, char **heap)
{
    char *b = stackbuf;
    *heap = NULL;
    if (len >= stacklen) b = *heap = fr_malloc(len + 1);
    memcpy(b, s, len);
    b[len] = '\0';
    return b;
}

int fr_string2ull(const char *s, size_t len, unsigned long long *out)
{
    long long ll;
    len = strnlen(s, len); /* Redis gets a C string: a NUL ends it */
    if (fr_string2ll(s, len, &ll)) {
        if (ll < 0) return 0;
        if (out) *out = (unsigned long long)ll;
        return 1;
    }
    char stackbuf[64], *heap, *end;
    char *b = terminated_copy(s, len, stackbuf, sizeof(stackbuf), &heap);
    errno = 0;
    unsigned long long v = strtoull(b, &end, 10);
    int ok = !(errno == EINVAL || errno == ERANGE || b[0] == '\0' || *end != '\0');
    fr_free(heap);
    if (ok && out) *out = v;
    return ok;
}

/* ------------------------------------------------------------ floats */

int fr_string2ld(const char *s, size_t len, long double *out)
{
    char buf[FR_MAX_LONG_DOUBLE_CHARS], *end;

    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    long double v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || *end != '\0' || (size_t)(end - buf) != len)
        return 0;
    /* Overflow is an error; underflow only when it collapsed to zero. */
    if (errno == ERANGE && (isinf(v) || fpclassify(v) == FP_ZERO)) return 0;
    if (errno == EINVAL || isnan(v)) return 0;
    if (out) *out = v;
    return 1;
}

int fr_string2d(const char *s, size_t len, double *out)
{
    char stackbuf[128], *heap, *end;

    if (len == 0) return 0;
    char *b = terminated_copy(s, len, stackbuf, sizeof(stackbuf), &heap);
    errno = 0;
    double v = strtod(b, &end);
    int ok = !(isspace((unsigned char)b[0]) || (size_t)(end - b) != len ||
               (errno == ERANGE && (isinf(v) || fpclassify(v) == FP_ZERO)) ||
               isnan(v));
    fr_free(heap);
    if (ok && out) *out = v;
    return ok;
}

/* Cut the zeros "%.17Lf" leaves after the point (and the point itself when
 * nothing remains), then fold "-0" into "0". */
static size_t human_trim(char *buf, size_t l)
{
    if (strchr(buf, '.') != NULL) {
        while (buf[l - 1] == '0') l--;
        if (buf[l - 1] == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    return l;
}

int fr_ld2string(char *dst, size_t dstlen, long double v, int mode)
{
    int n;
    size_t l;

    if (isinf(v)) {
        if (dstlen < 5) return 0;
        l = v > 0 ? 3 : 4;
        memcpy(dst, v > 0 ? "inf" : "-inf", l);
        dst[l] = '\0';
        return (int)l;
    }
    switch (mode) {
    case FR_LD_AUTO: n = snprintf(dst, dstlen, "%.17Lg", v); break;
    case FR_LD_HUMAN: n = snprintf(dst, dstlen, "%.17Lf", v); break;
    case FR_LD_HEX: n = snprintf(dst, dstlen, "%La", v); break;
    default: return 0;
    }
    if (n < 0 || (size_t)n + 1 > dstlen) return 0;
    l = (size_t)n;
    if (mode == FR_LD_HUMAN) l = human_trim(dst, l);
    dst[l] = '\0';
    return (int)l;
}

int fr_d2string(char *dst, size_t dstlen, double v)
{
    int n;
    if (isinf(v))
        n = snprintf(dst, dstlen, "%s", v > 0 ? "inf" : "-inf");
    else
        n = snprintf(dst, dstlen, "%.17g", v);
    if (n < 0 || (size_t)n >= dstlen) return 0;
    return n;
}

/* Redis's double2ll: true when v is integral and well inside long long. */
static int double_is_small_integer(double v, long long *out)
{
    if (v < (double)(-LLONG_MAX / 2) || v > (double)(LLONG_MAX / 2)) return 0;
    long long ll = (long long)v;
    if ((double)ll != v) return 0;
    *out = ll;
    return 1;
}

int fr_d2string_compact(char *dst, size_t dstlen, double v)
{
    long long ll;
    int n;

    if (isnan(v))
        n = snprintf(dst, dstlen, "nan");
    else if (isinf(v))
        n = snprintf(dst, dstlen, "%s", v < 0 ? "-inf" : "inf");
    else if (v == 0)
        n = snprintf(dst, dstlen, "%s", signbit(v) ? "-0" : "0");
    else if (double_is_small_integer(v, &ll))
        return fr_ll2string(dst, dstlen, ll);
    else
        n = snprintf(dst, dstlen, "%.17g", v);
    if (n < 0 || (size_t)n >= dstlen) return 0;
    return n;
}

/* ------------------------------------------------------------ glob */

int fr_glob_tolower(int c)
{
    /* glibc's table answers for -128..255: negative chars other than EOF
     * are looked up as their unsigned byte, and only A-Z change. */
    if (c < 0 && c != -1) c += 256;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    return c;
}

typedef struct glob_state {
    int nocase;
    int give_up;   /* a '*' already failed at every suffix: stop trying */
} glob_state;

/* Patterns come from the network: recursion depth (one level per '*') is
 * capped like the patched Redis (CVE fix), which answers "no match". */
#define GLOB_MAX_NESTING 1000

/* Byte i of the pattern, or NUL past its end (Redis reads the terminator). */
static int pat_at(const char *p, size_t plen, size_t i)
{
    return i < plen ? (signed char)p[i] : 0;
}

static int same_char(const glob_state *g, int a, int b)
{
    if (g->nocase) return fr_glob_tolower(a) == fr_glob_tolower(b);
    return a == b;
}

/* One bracket expression; *pp and *plenp are on the byte after '[' and end on
 * its ']' (or on the last byte when it is unterminated).  c is the string
 * byte as a signed char, as Redis compares it. */
static int glob_bracket(const glob_state *g, const char **pp, size_t *plenp, int c)
{
    const char *p = *pp;
    size_t plen = *plenp;
    int neg = pat_at(p, plen, 0) == '^', match = 0;

    if (neg) p++, plen--;
    for (;;) {
        int pc = pat_at(p, plen, 0);
        if (pc == '\\' && plen >= 2) {
            p++, plen--;
            if ((signed char)p[0] == c) match = 1; /* escapes ignore nocase */
        } else if (pc == ']') {
            break;
        } else if (plen == 0) {
            p--, plen++;
            break;
        } else if (plen >= 3 && p[1] == '-') {
            int lo = pc, hi = (signed char)p[2], x = c;
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            if (g->nocase) {
                lo = fr_glob_tolower(lo);
                hi = fr_glob_tolower(hi);
                x = fr_glob_tolower(x);
            }
            p += 2, plen -= 2;
            if (x >= lo && x <= hi) match = 1;
        } else if (same_char(g, pc, c)) {
            match = 1;
        }
        p++, plen--;
    }
    *pp = p;
    *plenp = plen;
    return neg ? !match : match;
}

static int glob_match(glob_state *g, const char *p, size_t plen, const char *s,
                      size_t slen, int nesting)
{
    if (nesting > GLOB_MAX_NESTING) return 0;
    while (plen && slen) {
        switch (p[0]) {
        case '*':
            while (plen && pat_at(p, plen, 1) == '*') p++, plen--;
            if (plen == 1) return 1;
            for (; slen; s++, slen--) {
                if (glob_match(g, p + 1, plen - 1, s, slen, nesting + 1)) return 1;
                if (g->give_up) return 0;
            }
            /* No suffix matched the rest: a longer match for an earlier '*'
             * would only need the rest to match later, which it cannot. */
            g->give_up = 1;
            return 0;
        case '?':
            s++, slen--;
            break;
        case '[':
            p++, plen--;
            if (!glob_bracket(g, &p, &plen, (signed char)s[0])) return 0;
            s++, slen--;
            break;
        case '\\':
            if (plen >= 2) p++, plen--;
            /* fall through */
        default:
            if (!same_char(g, (signed char)p[0], (signed char)s[0])) return 0;
            s++, slen--;
            break;
        }
        p++, plen--;
        if (slen == 0) {
            while (plen && p[0] == '*') p++, plen--;
            break;
        }
    }
    return plen == 0 && slen == 0;
}

int fr_stringmatch(const char *pat, size_t patlen, const char *s, size_t slen,
                   int nocase)
{
    glob_state g = {nocase, 0};
    return glob_match(&g, pat, patlen, s, slen, 0);
}

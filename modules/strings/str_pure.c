/* str_pure.c -- SDK-free logic of the strings module (see str_pure.h).
 *
 * Owns the byte/number rules that decide replies and encodings, and the
 * layout of the compact embstr block, kept apart from the command handlers
 * so they can be unit-tested without a core.
 * Invariants: no allocation, no global state, no fr_* calls. */
#include "str_pure.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

/* ---- Compact embstr block ------------------------------------------------ */

sv_emb *sv_emb_init(void *block, const char *p, size_t len) {
    sv_emb *e = block;
    e->len = (unsigned char)len;
    if (len) memcpy(e->buf, p, len);
    e->buf[len] = '\0';
    return e;
}

/* ---- Numbers ------------------------------------------------------------ */

int sr_str2ll(const char *s, size_t len, long long *out) {
    /* A long long needs at most 20 bytes ("-9223372036854775808"). */
    if (len == 0 || len > 20) return 0;
    if (len == 1 && s[0] == '0') {
        if (out) *out = 0;
        return 1;
    }
    size_t i = 0;
    int neg = (s[0] == '-');
    if (neg) i++;
    /* After the sign there must be a non-zero leading digit. */
    if (i == len || s[i] < '1' || s[i] > '9') return 0;
    unsigned long long acc = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return 0;
        if (acc > (ULLONG_MAX - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1
                                   : (unsigned long long)LLONG_MAX;
    if (acc > limit) return 0;
    if (out) *out = neg ? (long long)(0ULL - acc) : (long long)acc;
    return 1;
}

int sr_ll2str(char *buf, long long v) {
    char tmp[SR_LL_CHARS];
    /* Work on the magnitude as unsigned so LLONG_MIN needs no special case. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

int sr_ll_len(long long v) {
    char buf[SR_LL_CHARS];
    return sr_ll2str(buf, v);
}

enum sr_enc sr_classify(const char *s, size_t len, long long *ival) {
    if (len <= 20 && sr_str2ll(s, len, ival)) return SR_ENC_INT;
    return sr_plain_enc(len);
}

/* ---- Sizes and ranges --------------------------------------------------- */

int sr_size_ok(long long size, long long append, long long max) {
    if (size < 0 || append < 0) return 0;
    if ((unsigned long long)size + (unsigned long long)append
        > (unsigned long long)max)
        return 0;
    return 1;
}

int sr_range(long long start, long long end, size_t len, size_t *from,
             size_t *count) {
    /* Both counted from the end and crossed: empty, whatever the length. */
    if (start < 0 && end < 0 && start > end) return 0;
    long long l = (long long)len;
    if (start < 0) start += l;
    if (end < 0) end += l;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (len == 0) return 0;
    if ((unsigned long long)end >= len) end = l - 1;
    if (start > end) return 0;
    *from = (size_t)start;
    *count = (size_t)(end - start + 1);
    return 1;
}

/* ---- SET / GETEX option grammar ----------------------------------------- */

/* Options that exclude one another as Redis's parser has them: an option is
 * accepted only if none of the listed flags was seen before it. */
static int opt_allowed(int flags, int excluded) {
    return (flags & excluded) == 0;
}

/* Each expiry option, its flag and the flags that forbid it.  Repeating the
 * same option is allowed (the last value wins), as in Redis. */
static const struct expire_opt {
    const char *name;
    int flag;
    int excluded;
} expire_opts[] = {
    {"ex", SR_OPT_EX,
     SR_OPT_KEEPTTL | SR_OPT_PERSIST | SR_OPT_EXAT | SR_OPT_PX | SR_OPT_PXAT},
    {"px", SR_OPT_PX,
     SR_OPT_KEEPTTL | SR_OPT_PERSIST | SR_OPT_EX | SR_OPT_EXAT | SR_OPT_PXAT},
    {"exat", SR_OPT_EXAT,
     SR_OPT_KEEPTTL | SR_OPT_PERSIST | SR_OPT_EX | SR_OPT_PX | SR_OPT_PXAT},
    {"pxat", SR_OPT_PXAT,
     SR_OPT_KEEPTTL | SR_OPT_PERSIST | SR_OPT_EX | SR_OPT_EXAT | SR_OPT_PX},
};

/* One non-expiry option; returns its flag or 0 if the word is not valid
 * here. */
static int plain_opt(const char *w, int flags, int getex) {
    if (!getex) {
        if (!strcasecmp(w, "nx") && opt_allowed(flags, SR_OPT_XX))
            return SR_OPT_NX;
        if (!strcasecmp(w, "xx") && opt_allowed(flags, SR_OPT_NX))
            return SR_OPT_XX;
        if (!strcasecmp(w, "get")) return SR_OPT_GET;
        if (!strcasecmp(w, "keepttl") &&
            opt_allowed(flags, SR_OPT_PERSIST | SR_OPT_ANY_EXPIRE))
            return SR_OPT_KEEPTTL;
    } else if (!strcasecmp(w, "persist") &&
               opt_allowed(flags, SR_OPT_KEEPTTL | SR_OPT_ANY_EXPIRE)) {
        return SR_OPT_PERSIST;
    }
    return 0;
}

int sr_parse_str_opts(const char *const *argv, int argc, int first, int getex,
                      sr_str_opts *o) {
    o->flags = 0;
    o->expire_arg = -1;
    for (int j = first; j < argc; j++) {
        const char *w = argv[j];
        int f = plain_opt(w, o->flags, getex);
        if (f) {
            o->flags |= f;
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof(expire_opts) / sizeof(expire_opts[0]); k++) {
            const struct expire_opt *e = &expire_opts[k];
            if (!strcasecmp(w, e->name) && opt_allowed(o->flags, e->excluded)
                && j + 1 < argc)
                break;
        }
        if (k == sizeof(expire_opts) / sizeof(expire_opts[0])) return -1;
        o->flags |= expire_opts[k].flag;
        o->expire_arg = ++j;
    }
    return 0;
}

int sr_expire_abs_ms(long long v, int seconds, int relative, long long now_ms,
                     long long *out) {
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) return -1;
    if (seconds) v *= 1000;
    if (relative) {
        /* Redis lets the sum wrap and then rejects the non-positive result;
         * rejecting before the addition gives the same answer without UB. */
        if (now_ms > 0 && v > LLONG_MAX - now_ms) return -1;
        v += now_ms;
    }
    if (v <= 0) return -1;
    *out = v;
    return 0;
}

/* ---- LCS ------------------------------------------------------------------ */

enum sr_lcs_check sr_lcs_check(size_t alen, size_t blen,
                               unsigned long long max_bytes,
                               unsigned long long *bytes) {
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1)
        return SR_LCS_TOO_LONG;
    unsigned long long cells =
        (unsigned long long)(alen + 1) * (unsigned long long)(blen + 1);
    if (cells > ULLONG_MAX / sizeof(uint32_t) ||
        cells * sizeof(uint32_t) >= SIZE_MAX)
        return SR_LCS_OVERFLOW;
    *bytes = cells * sizeof(uint32_t);
    if (*bytes > max_bytes) return SR_LCS_EXCEEDS;
    return SR_LCS_OK;
}

uint32_t sr_lcs_len(const char *a, uint32_t alen, const char *b, uint32_t blen,
                    uint32_t *row) {
    /* row[j] holds the previous row's value until overwritten; `diag` keeps
     * the one cell (i-1, j-1) that the overwrite would lose. */
    memset(row, 0, ((size_t)blen + 1) * sizeof(*row));
    for (uint32_t i = 1; i <= alen; i++) {
        uint32_t diag = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            uint32_t up = row[j];
            if (a[i - 1] == b[j - 1])
                row[j] = diag + 1;
            else if (row[j - 1] > up)
                row[j] = row[j - 1];
            diag = up;
        }
    }
    return row[blen];
}

uint32_t sr_lcs_fill(const char *a, uint32_t alen, const char *b,
                     uint32_t blen, uint32_t *tab) {
    size_t w = (size_t)blen + 1;
    memset(tab, 0, w * sizeof(*tab));
    for (uint32_t i = 1; i <= alen; i++) {
        uint32_t *cur = tab + (size_t)i * w;
        const uint32_t *prev = cur - w;
        cur[0] = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1])
                cur[j] = prev[j - 1] + 1;
            else
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
    }
    return tab[(size_t)alen * w + blen];
}

/* A run being grown backwards during the walk. */
typedef struct lcs_run {
    int open;
    uint32_t a0, a1, b0, b1;
} lcs_run;

static void run_close(lcs_run *r, long long minmatch, sr_lcs_emit_fn emit,
                      void *priv) {
    uint32_t len = r->a1 - r->a0 + 1;
    if (emit && (minmatch == 0 || (long long)len >= minmatch))
        emit(priv, r->a0, r->a1, r->b0, r->b1, len);
    r->open = 0;
}

void sr_lcs_walk(const char *a, uint32_t alen, const char *b, uint32_t blen,
                 const uint32_t *tab, char *out, long long minmatch,
                 sr_lcs_emit_fn emit, void *priv) {
    size_t w = (size_t)blen + 1;
    uint32_t i = alen, j = blen, k = tab[(size_t)alen * w + blen];
    lcs_run r = {0, 0, 0, 0, 0};

    while (i > 0 && j > 0) {
        if (a[i - 1] == b[j - 1]) {
            if (out) out[k - 1] = a[i - 1];
            k--;
            if (!r.open) {
                r.open = 1;
                r.a1 = i - 1;
                r.b1 = j - 1;
            }
            /* Runs only grow backwards here: a mismatch step always closes
             * the open run, so consecutive matches are contiguous. */
            r.a0 = i - 1;
            r.b0 = j - 1;
            i--;
            j--;
            /* Reaching the start of either string ends the walk: flush. */
            if (r.a0 == 0 || r.b0 == 0) run_close(&r, minmatch, emit, priv);
        } else {
            /* Move towards the larger neighbour; ties go left (j--), which
             * decides which of several equal-length LCS is reported. */
            if (tab[(size_t)(i - 1) * w + j] > tab[(size_t)i * w + j - 1])
                i--;
            else
                j--;
            if (r.open) run_close(&r, minmatch, emit, priv);
        }
    }
}

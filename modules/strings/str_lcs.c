/* str_lcs.c -- the LCS command (LEN, IDX, MINMATCHLEN, WITHMATCHLEN).
 *
 * Owns argument handling, Redis's error precedence (type of either key, then
 * options, then LEN+IDX, then length and memory limits) and the reply shapes;
 * the algorithm itself is in str_pure.c.  LEN alone needs only one row of the
 * table, but the memory checks still judge the full table, as Redis does, so
 * the same inputs fail the same way.  Invariant: the table is freed on every
 * path. */
#include "strings_internal.h"

#include <string.h>

typedef struct lcs_args {
    int len, idx, withlen;
    long long minmatch;
} lcs_args;

/* Bytes of a key's value for LCS; a missing key reads as "". */
static const char *lcs_input(const fr_value *v, char *tmp, size_t *len) {
    if (!v) {
        *len = 0;
        return "";
    }
    return sv_bytes(fr_value_payload(v), tmp, len);
}

static int parse_lcs_args(fr_ctx *ctx, lcs_args *a) {
    int argc = fr_argc(ctx);
    *a = (lcs_args){0, 0, 0, 0};
    for (int j = 3; j < argc; j++) {
        if (str_opt_is(ctx, j, "idx")) {
            a->idx = 1;
        } else if (str_opt_is(ctx, j, "len")) {
            a->len = 1;
        } else if (str_opt_is(ctx, j, "withmatchlen")) {
            a->withlen = 1;
        } else if (str_opt_is(ctx, j, "minmatchlen") && j + 1 < argc) {
            if (fr_arg_ll_or_reply(ctx, ++j, &a->minmatch) != FR_OK)
                return FR_ERR;
            if (a->minmatch < 0) a->minmatch = 0;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    if (a->len && a->idx) {
        fr_reply_error(ctx, "If you want both the length and indexes, "
                            "please just use IDX.");
        return FR_ERR;
    }
    return FR_OK;
}

/* Redis's size checks, then the hardened cap; FR_ERR after replying. */
static int check_sizes(fr_ctx *ctx, size_t alen, size_t blen) {
    unsigned long long bytes = 0;
    switch (sr_lcs_check(alen, blen, SR_PROTO_MAX_BULK, &bytes)) {
    case SR_LCS_OK:
        break;
    case SR_LCS_TOO_LONG:
        fr_reply_error(ctx, "String too long for LCS");
        return FR_ERR;
    case SR_LCS_EXCEEDS:
        fr_reply_error(ctx, "Insufficient memory, transient memory for "
                            "LCS exceeds proto-max-bulk-len");
        return FR_ERR;
    case SR_LCS_OVERFLOW:
        fr_reply_error(ctx, "Insufficient memory, failed allocating "
                            "transient memory for LCS");
        return FR_ERR;
    }
    if (fr_ctx_hardened(ctx) && bytes > STR_HARD_LCS_BYTES) {
        fr_ctx_divergence(ctx, "lcs-memory-cap");
        fr_reply_error(ctx, "LCS would need more than 64MB of working "
                            "memory (hardened mode)");
        return FR_ERR;
    }
    return FR_OK;
}

typedef struct idx_emit {
    fr_ctx *ctx;
    int withlen;
    long count;
} idx_emit;

static void emit_range(void *priv, uint32_t a0, uint32_t a1, uint32_t b0,
                       uint32_t b1, uint32_t len) {
    idx_emit *e = priv;
    fr_reply_array(e->ctx, 2 + e->withlen);
    fr_reply_array(e->ctx, 2);
    fr_reply_long_long(e->ctx, a0);
    fr_reply_long_long(e->ctx, a1);
    fr_reply_array(e->ctx, 2);
    fr_reply_long_long(e->ctx, b0);
    fr_reply_long_long(e->ctx, b1);
    if (e->withlen) fr_reply_long_long(e->ctx, len);
    e->count++;
}

static void reply_idx(fr_ctx *ctx, const lcs_args *a, const char *x,
                      uint32_t xl, const char *y, uint32_t yl,
                      const uint32_t *tab) {
    uint32_t total = tab[(size_t)xl * ((size_t)yl + 1) + yl];
    idx_emit e = {ctx, a->withlen, 0};
    fr_reply_map(ctx, 2);
    fr_reply_bulk_cstr(ctx, "matches");
    void *node = fr_reply_deferred_len(ctx);
    sr_lcs_walk(x, xl, y, yl, tab, NULL, a->minmatch, emit_range, &e);
    fr_reply_set_deferred_array(ctx, node, e.count);
    fr_reply_bulk_cstr(ctx, "len");
    fr_reply_long_long(ctx, total);
}

static void reply_string(fr_ctx *ctx, const char *x, uint32_t xl,
                         const char *y, uint32_t yl, const uint32_t *tab) {
    uint32_t total = tab[(size_t)xl * ((size_t)yl + 1) + yl];
    char *out = fr_malloc(total ? total : 1);
    sr_lcs_walk(x, xl, y, yl, tab, out, 0, NULL, NULL);
    fr_reply_bulk(ctx, out, total);
    fr_free(out);
}

static void run_lcs(fr_ctx *ctx, const lcs_args *a, const char *x, size_t xl,
                    const char *y, size_t yl, unsigned long long cells) {
    uint32_t *tab = fr_malloc((a->len ? yl + 1 : cells) * sizeof(uint32_t));
    if (!tab) {
        fr_reply_error(ctx, "Insufficient memory, failed allocating "
                            "transient memory for LCS");
        return;
    }
    if (a->len) {
        fr_reply_long_long(ctx, sr_lcs_len(x, (uint32_t)xl, y, (uint32_t)yl,
                                           tab));
    } else {
        sr_lcs_fill(x, (uint32_t)xl, y, (uint32_t)yl, tab);
        if (a->idx)
            reply_idx(ctx, a, x, (uint32_t)xl, y, (uint32_t)yl, tab);
        else
            reply_string(ctx, x, (uint32_t)xl, y, (uint32_t)yl, tab);
    }
    fr_free(tab);
}

void cmd_lcs(fr_ctx *ctx) {
    fr_value *va = str_lookup_read(ctx, fr_arg(ctx, 1));
    fr_value *vb = str_lookup_read(ctx, fr_arg(ctx, 2));
    /* Same key twice: both lookups still count, as in Redis, but only the
     * later result is certain to be alive (the second may have expired it). */
    const fr_str *k1 = fr_arg(ctx, 1), *k2 = fr_arg(ctx, 2);
    if (k1->len == k2->len && memcmp(k1->buf, k2->buf, k1->len) == 0)
        va = vb;
    if ((va && !str_is_string(va)) || (vb && !str_is_string(vb))) {
        fr_reply_error(ctx,
                       "The specified keys must contain string values");
        return;
    }
    lcs_args a;
    if (parse_lcs_args(ctx, &a) != FR_OK) return;
    char ta[SR_LL_CHARS], tb[SR_LL_CHARS];
    size_t al, bl;
    const char *x = lcs_input(va, ta, &al), *y = lcs_input(vb, tb, &bl);
    if (check_sizes(ctx, al, bl) != FR_OK) return;
    run_lcs(ctx, &a, x, al, y, bl,
            (unsigned long long)(al + 1) * (unsigned long long)(bl + 1));
}

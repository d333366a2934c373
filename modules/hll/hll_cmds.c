/* hll_cmds.c -- PFADD PFCOUNT PFMERGE.
 *
 * Owns Redis's observable side effects of these commands: PFADD and
 * PFMERGE create a missing key as an empty sparse HyperLogLog and send a
 * "pfadd" event; PFCOUNT of one key refreshes the cached cardinality in the
 * value's header, which counts as a change (propagated, WATCH touched) but
 * sends no event; every command that looks at an existing value for
 * writing turns it raw.  PFCOUNT of several keys and PFMERGE compute the
 * union in one-byte registers, refusing the whole command on the first
 * invalid input. */
#include "hll_internal.h"

#include <string.h>

static void notify_pfadd(fr_ctx *ctx, const fr_str *key) {
    fr_notify_keyspace_event(FR_NOTIFY_STRING, "pfadd", key, fr_db_id(fr_ctx_db(ctx)));
}

void cmd_pfadd(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_value *v = hll_lookup_write(ctx, key);
    fr_str *s;
    long long updated = 0;
    if (!v) {
        s = hll_new();
        updated = 1;
    } else {
        if (hll_check_or_reply(ctx, v) != FR_OK) return;
        s = hll_take(v);
    }
    long long sparse_max = hll_sparse_max();
    int invalid = 0;
    for (int j = 2; j < fr_argc(ctx) && !invalid; j++) {
        const fr_str *e = fr_arg(ctx, j);
        int r = hll_add(&s, e->buf, e->len, sparse_max);
        if (r == 1) updated++;
        invalid = r < 0;
    }
    /* Registers raised before an invalid run was met stay raised, as in
     * Redis (which then neither signals nor propagates). */
    if (v)
        hll_put(v, s);
    else
        fr_key_set(ctx, fr_ctx_db(ctx), key, g_hll_string, g_hll_string_def->adopt_bytes(s), 0);
    if (invalid) {
        fr_reply_error(ctx, HLL_ERR_INVALID);
        return;
    }
    if (updated) {
        hll_cache_invalidate(s->buf);
        hll_touched(ctx, key, updated);
        notify_pfadd(ctx, key);
    }
    fr_reply_long_long(ctx, updated ? 1 : 0);
}

/* Max-merge every existing key of args first..argc-1 into regs; *dense
 * set when one of them is dense.  FR_ERR after replying. */
static int union_of(fr_ctx *ctx, int first, uint8_t *regs, int *dense) {
    for (int j = first; j < fr_argc(ctx); j++) {
        fr_value *v = hll_lookup_read(ctx, fr_arg(ctx, j));
        if (!v) continue;
        if (hll_check_or_reply(ctx, v) != FR_OK) return FR_ERR;
        char scratch[FR_INT_TEXT_MAX];
        size_t len;
        const char *b = hll_view(v, &len, scratch);
        if (dense && HLL_ENCODING(b) == HLL_DENSE) *dense = 1;
        if (hll_merge(regs, b, len) != FR_OK) {
            fr_reply_error(ctx, HLL_ERR_INVALID);
            return FR_ERR;
        }
    }
    return FR_OK;
}

void cmd_pfcount(fr_ctx *ctx) {
    if (fr_argc(ctx) > 2) {
        uint8_t *regs = fr_calloc(HLL_REGISTERS);
        if (union_of(ctx, 1, regs, NULL) == FR_OK) fr_reply_long_long(ctx, (long long)hll_count_raw(regs));
        fr_free(regs);
        return;
    }
    const fr_str *key = fr_arg(ctx, 1);
    fr_value *v = hll_lookup_read(ctx, key);
    if (!v) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (hll_check_or_reply(ctx, v) != FR_OK) return;
    fr_str *s = hll_take(v);
    hll_put(v, s);
    uint64_t card;
    if (hll_cache_valid(s->buf)) {
        card = hll_cache_get(s->buf);
    } else {
        int invalid = 0;
        card = hll_count(s->buf, s->len, &invalid);
        if (invalid) {
            fr_reply_error(ctx, HLL_ERR_INVALID);
            return;
        }
        hll_cache_set(s->buf, card);
        hll_touched(ctx, key, 1);
    }
    fr_reply_long_long(ctx, (long long)card);
}

/* Write the union into the destination's registers, in register order as
 * Redis does (a sparse destination may turn dense on the way). */
static void store_union(fr_str **s, const uint8_t *regs, long long sparse_max) {
    for (long j = 0; j < HLL_REGISTERS; j++) {
        if (!regs[j]) continue;
        if (HLL_ENCODING((*s)->buf) == HLL_DENSE) {
            uint8_t *d = (uint8_t *)(*s)->buf + HLL_HDR_SIZE;
            if (regs[j] > hll_dense_get(d, j)) hll_dense_set(d, j, regs[j]);
        } else {
            hll_sparse_set(s, j, regs[j], sparse_max);
        }
    }
}

void cmd_pfmerge(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    uint8_t *regs = fr_calloc(HLL_REGISTERS);
    int dense = 0;
    if (union_of(ctx, 1, regs, &dense) != FR_OK) goto done;
    fr_value *v = hll_lookup_write(ctx, key);
    fr_str *s = v ? hll_take(v) : hll_new();
    int ok = !dense || hll_to_dense(&s) == FR_OK;
    if (ok) store_union(&s, regs, hll_sparse_max());
    if (v)
        hll_put(v, s);
    else
        fr_key_set(ctx, fr_ctx_db(ctx), key, g_hll_string, g_hll_string_def->adopt_bytes(s), 0);
    if (!ok) {
        fr_reply_error(ctx, HLL_ERR_INVALID);
        goto done;
    }
    hll_cache_invalidate(s->buf);
    hll_touched(ctx, key, 1);
    notify_pfadd(ctx, key);
    fr_reply_ok(ctx);
done:
    fr_free(regs);
}

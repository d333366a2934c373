/* zset_rangecmd.c -- ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and its
 * older forms ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
 * ZREVRANGEBYLEX, and ZRANGESTORE.
 *
 * One parser and one walker serve them all, as in Redis 7.0.15: options
 * are parsed (a syntax error names no option), then the conflicts (LIMIT
 * with a rank range, WITHSCORES with BYLEX), then the range, then the key.
 * A reverse score or lex range is given max first.  Results go to an
 * output that either replies (WITHSCORES flat in RESP2, [member, score]
 * pairs in RESP3) or builds the ZRANGESTORE destination, which takes the
 * encoding adding those members one by one would give it.  A negative
 * LIMIT count means all; a negative offset selects nothing. */
#include "zset_internal.h"

#define ZR_AUTO 0
#define ZR_RANK 1
#define ZR_SCORE 2
#define ZR_LEX 3

typedef struct zr_out {
    fr_ctx *ctx;
    int store;
    int withscores;
    int pairs;        /* RESP3 WITHSCORES: each element a 2-array */
    void *deferred;
    zset_obj *dst;
} zr_out;

static void out_begin(zr_out *o, long length) {
    if (o->store) {
        o->dst = (unsigned long long)length > zv_max_entries() && length > 0 ? zv_new_skiplist(0)
                                                                            : zv_new_listpack();
        return;
    }
    if (length > 0) {
        fr_reply_array(o->ctx, o->withscores && !o->pairs ? length * 2 : length);
        o->deferred = NULL;
    } else {
        o->deferred = fr_reply_deferred_len(o->ctx);
    }
}

static void out_emit(zr_out *o, const zs_elem *e) {
    if (o->store) {
        int flags;
        zv_add(o->dst, e->score, e->m, e->mlen, 0, &flags, NULL);
        return;
    }
    if (o->pairs) fr_reply_array(o->ctx, 2);
    fr_reply_bulk(o->ctx, e->m, e->mlen);
    if (o->withscores) zset_reply_score(o->ctx, e->score);
}

static void out_end(zr_out *o, const fr_str *dst, long count) {
    if (o->store) {
        zset_store_result(o->ctx, dst, o->dst, "zrangestore");
        return;
    }
    if (o->deferred)
        fr_reply_set_deferred_array(o->ctx, o->deferred, o->withscores && !o->pairs ? count * 2 : count);
}

static void range_by_rank(zr_out *o, const fr_str *dst, zset_obj *z, long long start, long long end,
                          int reverse) {
    long long llen = (long long)zv_len(z);
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        out_begin(o, 0);
        out_end(o, dst, 0);
        return;
    }
    if (end >= llen) end = llen - 1;
    long rangelen = (long)(end - start + 1);
    out_begin(o, rangelen);
    zs_iter it;
    zi_seek(&it, z, (unsigned long)(reverse ? llen - 1 - start : start));
    for (long i = 0; i < rangelen && zi_valid(&it); i++) {
        zs_elem e;
        zi_get(&it, &e);
        out_emit(o, &e);
        if (reverse) zi_prev(&it);
        else zi_next(&it);
    }
    out_end(o, dst, rangelen);
}

/* BYSCORE and BYLEX: from the range's first (or last) element, skip
 * `offset`, then up to `limit` while still in range. */
static void range_by_bounds(zr_out *o, const fr_str *dst, zset_obj *z, const zrange_q *q,
                            long long offset, long long limit, int reverse) {
    out_begin(o, -1);
    long count = 0;
    if (!q->lex && offset > 0 && (unsigned long long)offset >= zv_len(z)) {
        out_end(o, dst, 0);
        return;
    }
    zs_iter it;
    if ((reverse ? zr_last(z, q, &it) : zr_first(z, q, &it)) >= 0 && offset >= 0) {
        while (zi_valid(&it) && offset--) {
            if (reverse) zi_prev(&it);
            else zi_next(&it);
        }
        while (zi_valid(&it) && limit--) {
            zs_elem e;
            zi_get(&it, &e);
            if (reverse ? !zr_gte_min(q, e.score, e.m, e.mlen) : !zr_lte_max(q, e.score, e.m, e.mlen))
                break;
            out_emit(o, &e);
            count++;
            if (reverse) zi_prev(&it);
            else zi_next(&it);
        }
    }
    out_end(o, dst, count);
}

static void zrange_generic(fr_ctx *ctx, int first, int store, int type, int reverse) {
    int argc = fr_argc(ctx), minidx = first + 1, maxidx = first + 2;
    int withscores = 0, rev_given = reverse;
    long long offset = 0, limit = -1;
    for (int j = first + 3; j < argc; j++) {
        int left = argc - j - 1;
        if (!store && fr_arg_is(ctx, j, "withscores")) {
            withscores = 1;
        } else if (fr_arg_is(ctx, j, "limit") && left >= 2) {
            if (fr_arg_ll_or_reply(ctx, j + 1, &offset) != FR_OK ||
                fr_arg_ll_or_reply(ctx, j + 2, &limit) != FR_OK)
                return;
            j += 2;
        } else if (rev_given == -1 && fr_arg_is(ctx, j, "rev")) {
            rev_given = 1;
        } else if (type == ZR_AUTO && fr_arg_is(ctx, j, "bylex")) {
            type = ZR_LEX;
        } else if (type == ZR_AUTO && fr_arg_is(ctx, j, "byscore")) {
            type = ZR_SCORE;
        } else {
            fr_reply_syntax_error(ctx);
            return;
        }
    }
    reverse = rev_given == 1;
    if (type == ZR_AUTO) type = ZR_RANK;
    if (limit != -1 && type == ZR_RANK) {
        fr_reply_error(ctx, "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return;
    }
    if (withscores && type == ZR_LEX) {
        fr_reply_error(ctx, "syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    if (reverse && type != ZR_RANK) {
        int t = minidx;
        minidx = maxidx;
        maxidx = t;
    }
    long long start = 0, end = 0;
    zrange_q q;
    if (type == ZR_RANK) {
        if (fr_arg_ll_or_reply(ctx, minidx, &start) != FR_OK || fr_arg_ll_or_reply(ctx, maxidx, &end) != FR_OK)
            return;
    } else if (type == ZR_SCORE) {
        if (!zr_parse_score(fr_arg(ctx, minidx), fr_arg(ctx, maxidx), &q)) {
            fr_reply_error(ctx, "min or max is not a float");
            return;
        }
    } else if (!zr_parse_lex(fr_arg(ctx, minidx), fr_arg(ctx, maxidx), &q)) {
        fr_reply_error(ctx, "min or max not valid string range item");
        return;
    }
    zr_out o = {ctx, store, withscores || store, (withscores || store) && fr_ctx_resp(ctx) == 3, NULL, NULL};
    const fr_str *dst = store ? fr_arg(ctx, 1) : NULL;
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, first), &z)) return;
    if (!z) {
        if (store) {
            out_begin(&o, -1);
            out_end(&o, dst, 0);
        } else {
            fr_reply_array(ctx, 0);
        }
        return;
    }
    if (type == ZR_RANK) range_by_rank(&o, dst, z, start, end, reverse);
    else range_by_bounds(&o, dst, z, &q, offset, limit, reverse);
}

/* rev_given -1: REV may still come as an option (ZRANGE, ZRANGESTORE). */
void cmd_zrange(fr_ctx *ctx) { zrange_generic(ctx, 1, 0, ZR_AUTO, -1); }
void cmd_zrangestore(fr_ctx *ctx) { zrange_generic(ctx, 2, 1, ZR_AUTO, -1); }
void cmd_zrevrange(fr_ctx *ctx) { zrange_generic(ctx, 1, 0, ZR_RANK, 1); }
void cmd_zrangebyscore(fr_ctx *ctx) { zrange_generic(ctx, 1, 0, ZR_SCORE, 0); }
void cmd_zrevrangebyscore(fr_ctx *ctx) { zrange_generic(ctx, 1, 0, ZR_SCORE, 1); }
void cmd_zrangebylex(fr_ctx *ctx) { zrange_generic(ctx, 1, 0, ZR_LEX, 0); }
void cmd_zrevrangebylex(fr_ctx *ctx) { zrange_generic(ctx, 1, 0, ZR_LEX, 1); }

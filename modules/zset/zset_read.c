/* zset_read.c -- the commands that read one fact of a sorted set: ZCARD
 * ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT.
 *
 * As Redis 7.0.15: an absent key reads as an empty set (0, or null), a
 * range is parsed before the key is looked up, scores are replied as
 * doubles (a bulk in RESP2). */
#include "zset_internal.h"

void cmd_zcard(fr_ctx *ctx) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    fr_reply_long_long(ctx, z ? (long long)zv_len(z) : 0);
}

void cmd_zscore(fr_ctx *ctx) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    const fr_str *m = fr_arg(ctx, 2);
    double score;
    if (z && zv_score(z, m->buf, m->len, &score)) zset_reply_score(ctx, score);
    else fr_reply_null(ctx);
}

void cmd_zmscore(fr_ctx *ctx) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    int argc = fr_argc(ctx);
    fr_reply_array(ctx, argc - 2);
    for (int j = 2; j < argc; j++) {
        const fr_str *m = fr_arg(ctx, j);
        double score;
        if (z && zv_score(z, m->buf, m->len, &score)) zset_reply_score(ctx, score);
        else fr_reply_null(ctx);
    }
}

static void zrank_generic(fr_ctx *ctx, int reverse) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    const fr_str *m = fr_arg(ctx, 2);
    long rank = z ? zv_rank(z, m->buf, m->len, reverse) : -1;
    if (rank >= 0) fr_reply_long_long(ctx, rank);
    else fr_reply_null(ctx);
}

void cmd_zrank(fr_ctx *ctx) { zrank_generic(ctx, 0); }
void cmd_zrevrank(fr_ctx *ctx) { zrank_generic(ctx, 1); }

void cmd_zcount(fr_ctx *ctx) {
    zrange_q q;
    if (!zr_parse_score(fr_arg(ctx, 2), fr_arg(ctx, 3), &q)) {
        fr_reply_error(ctx, "min or max is not a float");
        return;
    }
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    fr_reply_long_long(ctx, z ? (long long)zr_count(z, &q) : 0);
}

void cmd_zlexcount(fr_ctx *ctx) {
    zrange_q q;
    if (!zr_parse_lex(fr_arg(ctx, 2), fr_arg(ctx, 3), &q)) {
        fr_reply_error(ctx, "min or max not valid string range item");
        return;
    }
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    fr_reply_long_long(ctx, z ? (long long)zr_count(z, &q) : 0);
}

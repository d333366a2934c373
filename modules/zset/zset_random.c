/* zset_random.c -- ZRANDMEMBER.
 *
 * Owns Redis 7.0's count semantics: no count, one member (null for an
 * absent key); a negative count, that many independent draws (repeats
 * allowed); a positive count, that many distinct members, the whole set
 * when it has no more.  The count is checked against -LONG_MAX..LONG_MAX,
 * and against half of that with WITHSCORES, before the key.  WITHSCORES
 * pairs are flat in RESP2 and two-element arrays in RESP3.  Each draw is
 * uniform over the members; a distinct sample is uniform over the subsets
 * of its size (selection sampling, returned in the set's order, as Redis
 * returns a listpack's); the whole set comes greatest first, as Redis's
 * iterator gives it.  Hardened mode refuses a negative count past
 * RAND_HARDENED_MAX_DRAWS, which in Redis keeps the server writing a reply for
 * minutes while its memory grows. */
#include "zset_internal.h"
#include "rand_count.h"

#include <limits.h>


typedef struct rand_reply {
    fr_ctx *ctx;
    int withscores;
    int resp3;
} rand_reply;

static void reply_one(const rand_reply *r, const zs_elem *e) {
    if (r->withscores && r->resp3) fr_reply_array(r->ctx, 2);
    fr_reply_bulk(r->ctx, e->m, e->mlen);
    if (r->withscores) zset_reply_score(r->ctx, e->score);
}

static void draw(zset_obj *z, zs_elem *e) {
    zs_iter it;
    zi_seek(&it, z, zv_rand() % zv_len(z));
    zi_get(&it, e);
}

/* `count` independent draws.  A listpack's member positions are listed
 * once, so each draw is O(1) rather than a walk from the start. */
static void draws(zset_obj *z, const rand_reply *r, unsigned long long count) {
    if (z->enc != ZSET_ENC_LISTPACK || count < 8) {
        while (count--) {
            zs_elem e;
            draw(z, &e);
            reply_one(r, &e);
        }
        return;
    }
    unsigned long size = zv_len(z), i = 0;
    unsigned char **pos = fr_malloc(sizeof(*pos) * size);
    zs_iter it;
    for (zi_seek(&it, z, 0); zi_valid(&it); zi_next(&it)) pos[i++] = it.ep;
    while (count--) {
        zs_elem e;
        it.ep = pos[zv_rand() % size];
        zi_get(&it, &e);
        reply_one(r, &e);
    }
    fr_free(pos);
}

static void with_count(fr_ctx *ctx, long long l, int withscores) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    if (!z || l == 0) {
        fr_reply_array(ctx, 0);
        return;
    }
    rand_reply r = {ctx, withscores, fr_ctx_resp(ctx) == 3};
    unsigned long long count = l < 0 ? (unsigned long long)(-l) : (unsigned long long)l;
    unsigned long size = zv_len(z);
    int flat_pairs = withscores && !r.resp3;
    if (l < 0 || count == 1) {
        fr_reply_array(ctx, (long)(flat_pairs ? count * 2 : count));
        draws(z, &r, count);
        return;
    }
    unsigned long take = count < size ? (unsigned long)count : size;
    fr_reply_array(ctx, (long)(flat_pairs ? take * 2 : take));
    zs_iter it;
    if (take == size) {
        /* The whole set, from the greatest down, as Redis walks it. */
        for (zi_seek(&it, z, size - 1); zi_valid(&it); zi_prev(&it)) {
            zs_elem e;
            zi_get(&it, &e);
            reply_one(&r, &e);
        }
        return;
    }
    unsigned long remaining = size;
    for (zi_seek(&it, z, 0); zi_valid(&it) && take; zi_next(&it), remaining--) {
        if (zv_rand() % remaining >= take) continue;
        zs_elem e;
        zi_get(&it, &e);
        reply_one(&r, &e);
        take--;
    }
}

void cmd_zrandmember(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    if (argc >= 3) {
        long long l;
        int with;
        if (rand_count_args(ctx, "withscores", "zrandmember-huge-count", &l, &with) != FR_OK) return;
        with_count(ctx, l, with);
        return;
    }
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    if (!z) {
        fr_reply_null(ctx);
        return;
    }
    zs_elem e;
    draw(z, &e);
    fr_reply_bulk(ctx, e.m, e.mlen);
}

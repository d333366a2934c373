/* zset_pop.c -- ZPOPMIN ZPOPMAX ZMPOP and the blocking BZPOPMIN BZPOPMAX
 * BZMPOP.
 *
 * One pop routine, as Redis 7.0.15's genericZpopCommand: the first key
 * holding a zset (a key of another type answers WRONGTYPE), the reply
 * shape per command and protocol (flat member/score pairs; [member,
 * score] pairs in RESP3 when a count was given; the key first for the
 * blocking and multi-key forms), one change counted per member popped,
 * the "zpopmin"/"zpopmax" event, "del" when the set empties.  ZMPOP and
 * the blocking forms propagate as ZPOPMIN/ZPOPMAX key [count], with the
 * count actually popped.  The blocking forms check their arguments and
 * timeout, serve at once when a key holds a zset, and otherwise wait
 * through the core (fr_block_on_keys), which runs the command again when
 * a key is written; inside EXEC they answer as a timeout. */
#include "zset_internal.h"

#include <limits.h>
#include <stdio.h>

#define ZSET_MIN 0
#define ZSET_MAX 1

#define POP_EMITKEY (1 << 0)   /* the key precedes the elements */
#define POP_NESTED (1 << 1)    /* [member, score] pairs */
#define POP_NIL (1 << 2)       /* null array, not [], when nothing to pop */

static void propagate_pop(fr_ctx *ctx, int where, const fr_str *key, long long count) {
    char num[32];
    int nl = count > 0 ? snprintf(num, sizeof(num), "%lld", count) : 0;
    const char *argv[3] = {where == ZSET_MAX ? "ZPOPMAX" : "ZPOPMIN", key->buf, num};
    size_t lens[3] = {7, key->len, (size_t)nl};
    fr_propagate_cstr(ctx, count > 0 ? 3 : 2, argv, lens);
}

/* Pop up to `count` (-1: one, plain) from the first zset among the keys
 * at args first..first+n-1.  Returns the number popped, 0 when none was
 * found (replied), -1 after WRONGTYPE; *which gets the key's index. */
static long long zpop(fr_ctx *ctx, int first, int n, int where, long long count, int how, int *which) {
    zset_obj *z = NULL;
    const fr_str *key = NULL;
    for (int j = first; j < first + n && !z; j++) {
        key = fr_arg(ctx, j);
        if (!zset_lookup_write(ctx, key, &z)) return -1;
        if (z) *which = j;
    }
    if (!z) {
        if (how & POP_NIL) fr_reply_null_array(ctx);
        else fr_reply_array(ctx, 0);
        return 0;
    }
    if (count == 0) {
        fr_reply_array(ctx, 0);
        return 0;
    }
    if (count == -1) count = 1;
    long long llen = (long long)zv_len(z);
    long long rangelen = count > llen ? llen : count;
    int nested = how & POP_NESTED, emitkey = how & POP_EMITKEY;
    if (!nested && !emitkey) {
        fr_reply_array(ctx, (long)(rangelen * 2));
    } else if (nested && !emitkey) {
        fr_reply_array(ctx, (long)rangelen);
    } else if (!nested) {
        fr_reply_array(ctx, (long)(rangelen * 2 + 1));
        fr_reply_bulk_str(ctx, key);
    } else {
        fr_reply_array(ctx, 2);
        fr_reply_bulk_str(ctx, key);
        fr_reply_array(ctx, (long)rangelen);
    }
    /* As Redis: each member is taken out before it is replied, and the
     * event goes out right after the first is taken (a RESP3 subscriber on
     * this connection sees it inside the reply). */
    const char *event = where == ZSET_MAX ? "zpopmax" : "zpopmin";
    int dbid = fr_db_id(fr_ctx_db(ctx));
    for (long long i = 0; i < rangelen; i++) {
        unsigned long rank = where == ZSET_MAX ? zv_len(z) - 1 : 0;
        zs_iter it;
        zs_elem e;
        zi_seek(&it, z, rank);
        zi_get(&it, &e);
        fr_str *m = fr_str_new(e.m, e.mlen);
        double score = e.score;
        zv_delete_ranks(z, rank, rank);
        if (i == 0) fr_notify_keyspace_event(FR_NOTIFY_ZSET, event, key, dbid);
        if (nested) fr_reply_array(ctx, 2);
        fr_reply_bulk_str(ctx, m);
        zset_reply_score(ctx, score);
        fr_str_free(m);
    }
    fr_dirty(ctx, rangelen);
    if (zv_len(z) == 0) {
        fr_key_delete(ctx, fr_ctx_db(ctx), key);
        fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, dbid);
    } else {
        fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    }
    return rangelen;
}

static void zpop_minmax(fr_ctx *ctx, int where) {
    if (fr_argc(ctx) > 3) {
        fr_reply_syntax_error(ctx);
        return;
    }
    long long count = -1;
    if (fr_argc(ctx) == 3 &&
        fr_arg_range_or_reply(ctx, 2, 0, LONG_MAX, "value is out of range, must be positive", &count) != FR_OK)
        return;
    int how = fr_ctx_resp(ctx) == 3 && count != -1 ? POP_NESTED : 0;
    int which;
    zpop(ctx, 1, 1, where, count, how, &which);
}

void cmd_zpopmin(fr_ctx *ctx) { zpop_minmax(ctx, ZSET_MIN); }
void cmd_zpopmax(fr_ctx *ctx) { zpop_minmax(ctx, ZSET_MAX); }

/* Keys fr_arg(first) .. fr_arg(first+n-1): wait for a zset there. */
static int block_on_args(fr_ctx *ctx, int first, int n, long long deadline) {
    const fr_str *stack[16];
    const fr_str **keys = n <= 16 ? stack : fr_malloc(sizeof(*keys) * (size_t)n);
    for (int i = 0; i < n; i++) keys[i] = fr_arg(ctx, first + i);
    int rc = fr_block_on_keys(ctx, g_zset_type, n, keys, deadline);
    if (keys != stack) fr_free(keys);
    return rc;
}

/* BZPOPMIN/BZPOPMAX (count -1, flat) and BZMPOP (nested). */
static void blocking_zpop(fr_ctx *ctx, int first, int n, int where, int timeout_idx, long long count,
                          int how) {
    long long deadline;
    if (fr_arg_timeout_or_reply(ctx, timeout_idx, FR_TIMEOUT_SECONDS, &deadline) != FR_OK) return;
    for (int j = first; j < first + n; j++) {
        zset_obj *z;
        if (!zset_lookup_write(ctx, fr_arg(ctx, j), &z)) return;
        if (!z) continue;
        int which;
        long long popped = zpop(ctx, j, 1, where, count, how | POP_EMITKEY, &which);
        if (popped > 0) propagate_pop(ctx, where, fr_arg(ctx, j), count == -1 ? 0 : popped);
        return;
    }
    if (block_on_args(ctx, first, n, deadline) != FR_OK) fr_reply_null_array(ctx);
}

void cmd_bzpopmin(fr_ctx *ctx) { blocking_zpop(ctx, 1, fr_argc(ctx) - 2, ZSET_MIN, fr_argc(ctx) - 1, -1, 0); }
void cmd_bzpopmax(fr_ctx *ctx) { blocking_zpop(ctx, 1, fr_argc(ctx) - 2, ZSET_MAX, fr_argc(ctx) - 1, -1, 0); }

/* ZMPOP / BZMPOP: numkeys key... MIN|MAX [COUNT count]. */
static void zmpop_generic(fr_ctx *ctx, int numkeys_idx, int blocking) {
    long long numkeys, count = -1;
    int argc = fr_argc(ctx), where;
    if (fr_arg_range_or_reply(ctx, numkeys_idx, 1, LONG_MAX, "numkeys should be greater than 0", &numkeys) != FR_OK)
        return;
    if (numkeys >= argc - numkeys_idx - 1) {
        fr_reply_syntax_error(ctx);
        return;
    }
    int where_idx = numkeys_idx + (int)numkeys + 1;
    if (fr_arg_is(ctx, where_idx, "min")) {
        where = ZSET_MIN;
    } else if (fr_arg_is(ctx, where_idx, "max")) {
        where = ZSET_MAX;
    } else {
        fr_reply_syntax_error(ctx);
        return;
    }
    for (int j = where_idx + 1; j < argc; j++) {
        if (count == -1 && fr_arg_is(ctx, j, "count") && j + 1 < argc) {
            j++;
            if (fr_arg_range_or_reply(ctx, j, 1, LONG_MAX, "count should be greater than 0", &count) != FR_OK)
                return;
        } else {
            fr_reply_syntax_error(ctx);
            return;
        }
    }
    if (count == -1) count = 1;
    if (blocking) {
        blocking_zpop(ctx, numkeys_idx + 1, (int)numkeys, where, 1, count, POP_NESTED | POP_NIL);
        return;
    }
    int which;
    long long popped = zpop(ctx, numkeys_idx + 1, (int)numkeys, where, count,
                            POP_EMITKEY | POP_NESTED | POP_NIL, &which);
    if (popped > 0) propagate_pop(ctx, where, fr_arg(ctx, which), popped);
}

void cmd_zmpop(fr_ctx *ctx) { zmpop_generic(ctx, 1, 0); }
void cmd_bzmpop(fr_ctx *ctx) { zmpop_generic(ctx, 2, 1); }

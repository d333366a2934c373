/* zset_write.c -- the commands that add to or remove from one sorted set:
 * ZADD ZINCRBY ZREM ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX, and
 * the lookups and write bookkeeping every command file shares.
 *
 * Owns Redis's order of checks (options, then every score parsed before
 * the key is looked at, then the key's type), the change accounting
 * (dirty counts as Redis's: one per member added or updated or removed,
 * WATCH via fr_key_touched_write), the keyspace events ("zadd", "zincr",
 * "zrem", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", and
 * "del" when the last member goes).  A new set is built aside and stored
 * only when the command changed something.  Invariant: a command that
 * empties a zset deletes its key. */
#include "zset_internal.h"

/* ---- lookups and shared bookkeeping --------------------------------------- */

/* The zset at key (NULL when absent), 1; or 0 after WRONGTYPE. */
static int lookup(fr_ctx *ctx, const fr_str *key, int flags, zset_obj **z) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, flags);
    *z = NULL;
    if (!v) return 1;
    if (fr_value_type(v) != g_zset_type) {
        fr_reply_wrongtype(ctx);
        return 0;
    }
    *z = fr_value_payload(v);
    return 1;
}

int zset_lookup_read(fr_ctx *ctx, const fr_str *key, zset_obj **z) {
    return lookup(ctx, key, FR_LOOKUP_NONE, z);
}

int zset_lookup_write(fr_ctx *ctx, const fr_str *key, zset_obj **z) {
    return lookup(ctx, key, FR_LOOKUP_WRITE, z);
}

int zset_after_removal(fr_ctx *ctx, const fr_str *key, zset_obj *z, long long dirty, const char *event) {
    fr_db *db = fr_ctx_db(ctx);
    int dbid = fr_db_id(db);
    int gone = zv_len(z) == 0;
    if (gone) fr_key_delete(ctx, db, key);
    else fr_key_touched_write(ctx, db, key);
    fr_dirty(ctx, dirty);
    fr_notify_keyspace_event(FR_NOTIFY_ZSET, event, key, dbid);
    if (gone) fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, dbid);
    return gone;
}

void zset_store_result(fr_ctx *ctx, const fr_str *dst, zset_obj *z, const char *event) {
    fr_db *db = fr_ctx_db(ctx);
    unsigned long n = zv_len(z);
    if (n) {
        fr_key_set(ctx, db, dst, g_zset_type, z, 0);
        fr_reply_long_long(ctx, (long long)n);
        fr_notify_keyspace_event(FR_NOTIFY_ZSET, event, dst, fr_db_id(db));
        fr_dirty(ctx, 1);
        return;
    }
    zv_free(z);
    fr_reply_long_long(ctx, 0);
    if (fr_key_delete(ctx, db, dst)) {
        fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", dst, fr_db_id(db));
        fr_dirty(ctx, 1);
    }
}

void zset_reply_score(fr_ctx *ctx, double score) {
    fr_reply_double(ctx, score);
}

int zset_arg_double_or_reply(fr_ctx *ctx, int i, double *out, const char *msg) {
    const fr_str *a = fr_arg(ctx, i);
    if (!fr_string2d(a->buf, a->len, out)) {
        fr_reply_error(ctx, msg ? msg : "value is not a valid float");
        return FR_ERR;
    }
    return FR_OK;
}

/* ---- ZADD / ZINCRBY ---------------------------------------------------------- */

/* The options before the first score; returns the score's index. */
static int parse_zadd_flags(fr_ctx *ctx, int *flags, int *ch) {
    int i = 2, argc = fr_argc(ctx);
    for (; i < argc; i++) {
        if (fr_arg_is(ctx, i, "nx")) *flags |= ZADD_IN_NX;
        else if (fr_arg_is(ctx, i, "xx")) *flags |= ZADD_IN_XX;
        else if (fr_arg_is(ctx, i, "ch")) *ch = 1;
        else if (fr_arg_is(ctx, i, "incr")) *flags |= ZADD_IN_INCR;
        else if (fr_arg_is(ctx, i, "gt")) *flags |= ZADD_IN_GT;
        else if (fr_arg_is(ctx, i, "lt")) *flags |= ZADD_IN_LT;
        else break;
    }
    return i;
}

static int check_zadd_flags(fr_ctx *ctx, int flags, int elements) {
    int nx = flags & ZADD_IN_NX, xx = flags & ZADD_IN_XX;
    int gt = flags & ZADD_IN_GT, lt = flags & ZADD_IN_LT;
    if (nx && xx) {
        fr_reply_error(ctx, "XX and NX options at the same time are not compatible");
        return 0;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        fr_reply_error(ctx, "GT, LT, and/or NX options at the same time are not compatible");
        return 0;
    }
    if ((flags & ZADD_IN_INCR) && elements > 1) {
        fr_reply_error(ctx, "INCR option supports a single increment-element pair");
        return 0;
    }
    return 1;
}

long long zset_add_pairs(fr_ctx *ctx, const fr_str *key, int flags, int ch, int n, const double *scores,
                         const fr_str *const *members) {
    zset_obj *z;
    if (!zset_lookup_write(ctx, key, &z)) return 0;
    int incr = flags & ZADD_IN_INCR, created = 0;
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (!z) {
        if (flags & ZADD_IN_XX) goto reply;
        z = zv_new_for(members[0]->len);
        created = 1;
    }
    for (int j = 0; j < n; j++) {
        int out;
        double newscore = 0;
        if (!zv_add(z, scores[j], members[j]->buf, members[j]->len, flags, &out, &newscore)) {
            fr_reply_error(ctx, "resulting score is not a number (NaN)");
            goto changed;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
        score = newscore;
    }
    fr_dirty(ctx, added + updated);
reply:
    if (incr) {
        if (processed) zset_reply_score(ctx, score);
        else fr_reply_null(ctx);
    } else {
        fr_reply_long_long(ctx, ch ? added + updated : added);
    }
changed:
    if (created && zv_len(z)) fr_key_set(ctx, fr_ctx_db(ctx), key, g_zset_type, z, 0);
    else if (created) zv_free(z);
    else if (added || updated) fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    if (added || updated)
        fr_notify_keyspace_event(FR_NOTIFY_ZSET, incr ? "zincr" : "zadd", key, fr_db_id(fr_ctx_db(ctx)));
    return added + updated;
}

static void zadd_generic(fr_ctx *ctx, int flags) {
    int ch = 0;
    int scoreidx = parse_zadd_flags(ctx, &flags, &ch);
    int elements = fr_argc(ctx) - scoreidx;
    if (elements % 2 || !elements) {
        fr_reply_syntax_error(ctx);
        return;
    }
    elements /= 2;
    if (!check_zadd_flags(ctx, flags, elements)) return;
    double sstack[16];
    const fr_str *mstack[16];
    int small = elements <= 16;
    double *scores = small ? sstack : fr_malloc(sizeof(double) * (size_t)elements);
    const fr_str **members = small ? mstack : fr_malloc(sizeof(*members) * (size_t)elements);
    for (int j = 0; j < elements; j++) {
        if (zset_arg_double_or_reply(ctx, scoreidx + j * 2, &scores[j], NULL) != FR_OK) goto done;
        members[j] = fr_arg(ctx, scoreidx + 1 + j * 2);
    }
    zset_add_pairs(ctx, fr_arg(ctx, 1), flags, ch, elements, scores, members);
done:
    if (!small) {
        fr_free(members);
        fr_free(scores);
    }
}

void cmd_zadd(fr_ctx *ctx) { zadd_generic(ctx, 0); }
void cmd_zincrby(fr_ctx *ctx) { zadd_generic(ctx, ZADD_IN_INCR); }

/* ---- ZREM ----------------------------------------------------------------------- */

void cmd_zrem(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    zset_obj *z;
    if (!zset_lookup_write(ctx, key, &z)) return;
    if (!z) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    long long deleted = 0;
    for (int j = 2; j < fr_argc(ctx); j++) {
        const fr_str *m = fr_arg(ctx, j);
        deleted += zv_delete(z, m->buf, m->len);
        if (zv_len(z) == 0) break;
    }
    if (deleted) zset_after_removal(ctx, key, z, deleted, "zrem");
    fr_reply_long_long(ctx, deleted);
}

/* ---- ZREMRANGEBYRANK / BYSCORE / BYLEX ------------------------------------------- */

#define ZREM_RANK 0
#define ZREM_SCORE 1
#define ZREM_LEX 2

static void zremrange_generic(fr_ctx *ctx, int type) {
    static const char *const events[] = {"zremrangebyrank", "zremrangebyscore", "zremrangebylex"};
    long long start = 0, end = 0;
    zrange_q q;
    if (type == ZREM_RANK) {
        if (fr_arg_ll_or_reply(ctx, 2, &start) != FR_OK || fr_arg_ll_or_reply(ctx, 3, &end) != FR_OK)
            return;
    } else if (type == ZREM_SCORE) {
        if (!zr_parse_score(fr_arg(ctx, 2), fr_arg(ctx, 3), &q)) {
            fr_reply_error(ctx, "min or max is not a float");
            return;
        }
    } else if (!zr_parse_lex(fr_arg(ctx, 2), fr_arg(ctx, 3), &q)) {
        fr_reply_error(ctx, "min or max not valid string range item");
        return;
    }
    const fr_str *key = fr_arg(ctx, 1);
    zset_obj *z;
    if (!zset_lookup_write(ctx, key, &z)) return;
    if (!z) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    long long llen = (long long)zv_len(z);
    if (type == ZREM_RANK) {
        if (start < 0) start += llen;
        if (end < 0) end += llen;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            fr_reply_long_long(ctx, 0);
            return;
        }
        if (end >= llen) end = llen - 1;
    } else {
        zs_iter it;
        start = zr_first(z, &q, &it);
        end = start < 0 ? -1 : zr_last(z, &q, &it);
        if (start < 0 || end < start) {
            fr_reply_long_long(ctx, 0);
            return;
        }
    }
    unsigned long deleted = zv_delete_ranks(z, (unsigned long)start, (unsigned long)end);
    if (deleted) zset_after_removal(ctx, key, z, (long long)deleted, events[type]);
    fr_reply_long_long(ctx, (long long)deleted);
}

void cmd_zremrangebyrank(fr_ctx *ctx) { zremrange_generic(ctx, ZREM_RANK); }
void cmd_zremrangebyscore(fr_ctx *ctx) { zremrange_generic(ctx, ZREM_SCORE); }
void cmd_zremrangebylex(fr_ctx *ctx) { zremrange_generic(ctx, ZREM_LEX); }

/* list_pop.c -- LPOP RPOP LMPOP LMOVE RPOPLPUSH: commands that take
 * elements off a list's ends.
 *
 * As Redis 7.0.15: a pop sends "lpop"/"rpop" then, when the list empties,
 * deletes the key with "del"; a move sends the destination's push event
 * before the source's pop event; LMPOP propagates as LPOP/RPOP with the
 * count actually popped. */
#include "list_internal.h"

#include <limits.h>
#include <stdio.h>

long long list_pop_range_reply(fr_ctx *ctx, ql *q, int where, long long count) {
    long long llen = (long long)q->len;
    long long n = count > llen ? llen : count;
    if (where == LIST_HEAD) {
        list_reply_range(ctx, q, 0, n - 1, 0);
        ql_delete_range(q, 0, (unsigned long long)n);
    } else {
        list_reply_range(ctx, q, -n, -1, 1);
        ql_delete_range(q, (unsigned long long)(llen - n), (unsigned long long)n);
    }
    return n;
}

static void pop_generic(fr_ctx *ctx, int where) {
    int argc = fr_argc(ctx);
    long long count = 0;
    if (argc > 3) {
        fr_reply_errorf(ctx, "wrong number of arguments for '%s' command",
                        fr_ctx_command_name(ctx));
        return;
    }
    int hascount = argc == 3;
    if (hascount && fr_arg_range_or_reply(ctx, 2, 0, LONG_MAX, "value is out of range, must be positive", &count) != FR_OK)
        return;
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    ql *q = list_lookup_write(ctx, key, &wrong);
    if (!q) {
        if (!wrong) hascount ? fr_reply_null_array(ctx) : fr_reply_null(ctx);
        return;
    }
    if (hascount && !count) {
        fr_reply_array(ctx, 0);
        return;
    }
    if (!hascount) {
        fr_str *e = ql_pop(q, where == LIST_HEAD);
        fr_reply_bulk_str(ctx, e);
        fr_str_free(e);
        list_elements_removed(ctx, key, q, where, 1);
        return;
    }
    long long n = list_pop_range_reply(ctx, q, where, count);
    list_elements_removed(ctx, key, q, where, n);
}

void cmd_lpop(fr_ctx *ctx) { pop_generic(ctx, LIST_HEAD); }
void cmd_rpop(fr_ctx *ctx) { pop_generic(ctx, LIST_TAIL); }

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
void cmd_lmpop(fr_ctx *ctx) {
    long long numkeys, count;
    int where;
    if (list_mpop_args_or_reply(ctx, 1, &numkeys, &where, &count) != FR_OK) return;
    long long where_idx = 1 + numkeys + 1;
    for (int j = 2; j < where_idx; j++) {
        const fr_str *key = fr_arg(ctx, j);
        int wrong;
        ql *q = list_lookup_write(ctx, key, &wrong);
        if (wrong) return;
        if (!q || !q->len) continue;
        fr_reply_array(ctx, 2);
        fr_reply_bulk_str(ctx, key);
        long long n = list_pop_range_reply(ctx, q, where, count);
        /* Propagated as the pop it amounts to, before the key may go. */
        char num[32];
        int nl = snprintf(num, sizeof(num), "%lld", n);
        const char *argv[3] = {where == LIST_HEAD ? "LPOP" : "RPOP", key->buf, num};
        size_t lens[3] = {4, key->len, (size_t)nl};
        fr_propagate_cstr(ctx, 3, argv, lens);
        list_elements_removed(ctx, key, q, where, n);
        return;
    }
    fr_reply_null_array(ctx);
}

/* Pop from src's `from` end and push on dst's `to` end; reply the element;
 * count the move as `changes` changes (0 for a served BLMOVE, as Redis).
 * FR_ERR when nothing moved (already replied). */
int list_move(fr_ctx *ctx, int from, int to, int changes) {
    const fr_str *src = fr_arg(ctx, 1), *dst = fr_arg(ctx, 2);
    int wrong;
    ql *sq = list_lookup_write(ctx, src, &wrong);
    if (!sq) {
        if (!wrong) fr_reply_null(ctx);
        return FR_ERR;
    }
    ql *dq = list_lookup_write(ctx, dst, &wrong);
    if (wrong) return FR_ERR;
    fr_str *e = ql_pop(sq, from == LIST_HEAD);
    int created = 0;
    if (!dq) {
        dq = lt_new();
        created = 1;
    }
    ql_push(dq, e->buf, e->len, to == LIST_HEAD);
    if (created) list_store_new(ctx, dst, dq);
    else fr_key_touched_write(ctx, fr_ctx_db(ctx), dst);
    list_notify(ctx, FR_NOTIFY_LIST, to == LIST_HEAD ? "lpush" : "rpush", dst);
    fr_reply_bulk_str(ctx, e);
    fr_str_free(e);
    list_notify(ctx, FR_NOTIFY_LIST, from == LIST_HEAD ? "lpop" : "rpop", src);
    if (sq->len == 0) {
        fr_key_delete(ctx, fr_ctx_db(ctx), src);
        list_notify(ctx, FR_NOTIFY_GENERIC, "del", src);
    } else {
        fr_key_touched_write(ctx, fr_ctx_db(ctx), src);
    }
    fr_dirty(ctx, changes);
    return FR_OK;
}

void cmd_rpoplpush(fr_ctx *ctx) { list_move(ctx, LIST_TAIL, LIST_HEAD, 1); }

void cmd_lmove(fr_ctx *ctx) {
    int from, to;
    if (list_where_or_reply(ctx, 3, &from) != FR_OK) return;
    if (list_where_or_reply(ctx, 4, &to) != FR_OK) return;
    list_move(ctx, from, to, 1);
}

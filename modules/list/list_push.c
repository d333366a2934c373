/* list_push.c -- LPUSH RPUSH LPUSHX RPUSHX LINSERT LSET: commands that add
 * or overwrite elements.
 *
 * As Redis 7.0.15: a new list takes the list-max-listpack-size and
 * list-compress-depth in force; each pushed element counts as one change;
 * the reply is the length after the command; events "lpush", "rpush",
 * "linsert", "lset". */
#include "list_internal.h"

static void push_generic(fr_ctx *ctx, int where, int only_existing) {
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    ql *q = list_lookup_write(ctx, key, &wrong);
    if (wrong) return;
    int created = 0;
    if (!q) {
        if (only_existing) {
            fr_reply_long_long(ctx, 0);
            return;
        }
        q = lt_new();
        created = 1;
    }
    int argc = fr_argc(ctx);
    for (int j = 2; j < argc; j++) {
        const fr_str *e = fr_arg(ctx, j);
        ql_push(q, e->buf, e->len, where == LIST_HEAD);
    }
    if (created) list_store_new(ctx, key, q);
    else fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, argc - 2);
    fr_reply_long_long(ctx, (long long)q->len);
    list_notify(ctx, FR_NOTIFY_LIST, where == LIST_HEAD ? "lpush" : "rpush", key);
}

void cmd_lpush(fr_ctx *ctx) { push_generic(ctx, LIST_HEAD, 0); }
void cmd_rpush(fr_ctx *ctx) { push_generic(ctx, LIST_TAIL, 0); }
void cmd_lpushx(fr_ctx *ctx) { push_generic(ctx, LIST_HEAD, 1); }
void cmd_rpushx(fr_ctx *ctx) { push_generic(ctx, LIST_TAIL, 1); }

void cmd_linsert(fr_ctx *ctx) {
    int after;
    if (list_opt_is(ctx, 2, "after")) after = 1;
    else if (list_opt_is(ctx, 2, "before")) after = 0;
    else {
        fr_reply_syntax_error(ctx);
        return;
    }
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    ql *q = list_lookup_write(ctx, key, &wrong);
    if (!q) {
        if (!wrong) fr_reply_long_long(ctx, 0);
        return;
    }
    const fr_str *pivot = fr_arg(ctx, 3), *e = fr_arg(ctx, 4);
    ql_pos p;
    int found = 0;
    if (ql_seek(q, 0, &p)) {
        do {
            if (ql_equals(&p, pivot->buf, pivot->len)) { found = 1; break; }
        } while (ql_next(&p));
    }
    if (!found) {
        fr_reply_long_long(ctx, -1);
        return;
    }
    ql_insert(q, &p, e->buf, e->len, after);
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    list_notify(ctx, FR_NOTIFY_LIST, "linsert", key);
    fr_dirty(ctx, 1);
    fr_reply_long_long(ctx, (long long)q->len);
}

void cmd_lset(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    ql *q = list_lookup_write(ctx, key, &wrong);
    if (!q) {
        if (!wrong) fr_reply_error(ctx, "no such key");
        return;
    }
    long long index;
    if (fr_arg_ll_or_reply(ctx, 2, &index) != FR_OK) return;
    ql_pos p;
    if (!ql_seek(q, index, &p)) {
        fr_reply_error(ctx, "index out of range");
        return;
    }
    const fr_str *e = fr_arg(ctx, 3);
    ql_replace(q, &p, e->buf, e->len);
    fr_reply_ok(ctx);
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    list_notify(ctx, FR_NOTIFY_LIST, "lset", key);
    fr_dirty(ctx, 1);
}

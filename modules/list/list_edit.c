/* list_edit.c -- LREM LTRIM: commands that remove elements by value or
 * by range.
 *
 * As Redis 7.0.15: each removed element counts as one change; LREM sends
 * "lrem" only when it removed something, LTRIM always sends "ltrim"; both
 * delete the key with "del" when the list empties. */
#include "list_internal.h"

void cmd_lrem(fr_ctx *ctx) {
    long long toremove, removed = 0;
    if (fr_arg_ll_or_reply(ctx, 2, &toremove) != FR_OK) return;
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    ql *q = list_lookup_write(ctx, key, &wrong);
    if (!q) {
        if (!wrong) fr_reply_long_long(ctx, 0);
        return;
    }
    int forward = toremove >= 0;
    unsigned long long limit = forward ? (unsigned long long)toremove
                                       : 0ULL - (unsigned long long)toremove;
    const fr_str *ele = fr_arg(ctx, 3);
    ql_pos p;
    int more = ql_seek(q, forward ? 0 : -1, &p);
    while (more) {
        if (ql_equals(&p, ele->buf, ele->len)) {
            more = ql_delete_at(q, &p, forward);
            removed++;
            if (limit && (unsigned long long)removed == limit) break;
        } else {
            more = forward ? ql_next(&p) : ql_prev(&p);
        }
    }
    if (removed) {
        fr_dirty(ctx, removed);
        if (q->len) fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
        list_notify(ctx, FR_NOTIFY_LIST, "lrem", key);
    }
    list_delete_if_empty(ctx, key, q);
    fr_reply_long_long(ctx, removed);
}

void cmd_ltrim(fr_ctx *ctx) {
    long long start, end;
    if (fr_arg_ll_or_reply(ctx, 2, &start) != FR_OK) return;
    if (fr_arg_ll_or_reply(ctx, 3, &end) != FR_OK) return;
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    ql *q = list_lookup_write(ctx, key, &wrong);
    if (!q) {
        if (!wrong) fr_reply_ok(ctx);
        return;
    }
    long long llen = (long long)q->len, ltrim, rtrim;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    ql_delete_range(q, 0, (unsigned long long)ltrim);
    ql_delete_range(q, q->len - (unsigned long long)rtrim, (unsigned long long)rtrim);
    list_notify(ctx, FR_NOTIFY_LIST, "ltrim", key);
    int empty = q->len == 0;
    list_delete_if_empty(ctx, key, q);
    if (!empty) fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, ltrim + rtrim);
    fr_reply_ok(ctx);
}

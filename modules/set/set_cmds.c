/* set_cmds.c -- SADD SREM SCARD SISMEMBER SMISMEMBER SMOVE: the commands
 * that touch members one by one.
 *
 * Replies, events ("sadd", "srem", "del" when the last member goes) and
 * dirty counts as Redis 7.0.15's t_set.c; all propagate as received. */
#include "set_internal.h"

void cmd_sadd(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    setval *s;
    if (set_lookup_write(ctx, key, &s) != FR_OK) return;
    int created = s == NULL;
    if (created) s = st_new_for(fr_arg(ctx, 2)->buf, fr_arg(ctx, 2)->len);
    long long added = 0;
    for (int j = 2; j < fr_argc(ctx); j++)
        added += st_add(s, fr_arg(ctx, j)->buf, fr_arg(ctx, j)->len);
    if (created) fr_key_set(ctx, fr_ctx_db(ctx), key, g_set_type, s, 0);
    if (added) {
        if (!created) fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
        set_notify(ctx, FR_NOTIFY_SET, "sadd", key);
        fr_dirty(ctx, added);
    }
    fr_reply_long_long(ctx, added);
}

void cmd_srem(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    setval *s;
    if (set_lookup_write(ctx, key, &s) != FR_OK) return;
    long long deleted = 0;
    int emptied = 0;
    for (int j = 2; s && j < fr_argc(ctx); j++) {
        if (!st_remove(s, fr_arg(ctx, j)->buf, fr_arg(ctx, j)->len)) continue;
        deleted++;
        if (st_size(s) == 0) {
            emptied = 1;
            break;
        }
    }
    if (deleted) {
        if (emptied) fr_key_delete(ctx, fr_ctx_db(ctx), key);
        else fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
        set_notify(ctx, FR_NOTIFY_SET, "srem", key);
        if (emptied) set_notify(ctx, FR_NOTIFY_GENERIC, "del", key);
        fr_dirty(ctx, deleted);
    }
    fr_reply_long_long(ctx, deleted);
}

void cmd_scard(fr_ctx *ctx) {
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    fr_reply_long_long(ctx, s ? (long long)st_size(s) : 0);
}

void cmd_sismember(fr_ctx *ctx) {
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    const fr_str *m = fr_arg(ctx, 2);
    fr_reply_long_long(ctx, s && st_contains(s, m->buf, m->len));
}

void cmd_smismember(fr_ctx *ctx) {
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    fr_reply_array(ctx, fr_argc(ctx) - 2);
    for (int j = 2; j < fr_argc(ctx); j++) {
        const fr_str *m = fr_arg(ctx, j);
        fr_reply_long_long(ctx, s && st_contains(s, m->buf, m->len));
    }
}

/* Redis looks both keys up before checking either type, and answers 0 for
 * an absent source before looking at the destination's type. */
void cmd_smove(fr_ctx *ctx) {
    fr_db *db = fr_ctx_db(ctx);
    const fr_str *src = fr_arg(ctx, 1), *dst = fr_arg(ctx, 2), *m = fr_arg(ctx, 3);
    int flags = FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS;
    fr_value *sv = fr_key_lookup(ctx, db, src, flags);
    fr_value *dv = fr_key_lookup(ctx, db, dst, flags);
    if (!sv) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (fr_value_type(sv) != g_set_type || (dv && fr_value_type(dv) != g_set_type)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    setval *s = fr_value_payload(sv);
    if (sv == dv) {
        fr_reply_long_long(ctx, st_contains(s, m->buf, m->len));
        return;
    }
    if (!st_remove(s, m->buf, m->len)) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    set_notify(ctx, FR_NOTIFY_SET, "srem", src);
    if (st_size(s) == 0) set_delete_emptied(ctx, src);
    else fr_key_touched_write(ctx, db, src);
    fr_dirty(ctx, 1);
    setval *d = dv ? fr_value_payload(dv) : NULL;
    if (!d) {
        d = st_new_for(m->buf, m->len);
        st_add(d, m->buf, m->len);
        fr_key_set(ctx, db, dst, g_set_type, d, 0);
    } else if (st_add(d, m->buf, m->len)) {
        fr_key_touched_write(ctx, db, dst);
    } else {
        fr_reply_long_long(ctx, 1);
        return;
    }
    fr_dirty(ctx, 1);
    set_notify(ctx, FR_NOTIFY_SET, "sadd", dst);
    fr_reply_long_long(ctx, 1);
}

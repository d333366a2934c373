/* key_basic.c -- generic key commands: DEL UNLINK EXISTS TYPE TOUCH RANDOMKEY
 * RENAME RENAMENX MOVE COPY.
 *
 * Owns Redis's lookup flavour per command (EXISTS/TYPE do not touch the
 * access time; TOUCH, COPY's source read count hits and misses; the rest are
 * write lookups), the error precedence of RENAME/MOVE/COPY, and moving values
 * with their TTL (fr_key_detach/attach).  Values of any type pass through
 * here untouched; only COPY needs the type's cooperation (its dup callback,
 * reached through fr_type_def).
 * Invariant: every key actually changed counts one change (fr_dirty) and
 * sends Redis's keyspace notification (del, rename_from/rename_to,
 * move_from/move_to, copy_to). */
#include "keys_internal.h"

#include <string.h>

static int same_bytes(const fr_str *a, const fr_str *b) {
    return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

/* lazy: 1 for UNLINK (a large value is freed by the core's background
 * thread), FR_LAZY_USER_DEL for DEL, as Redis's delGenericCommand. */
static void del_generic(fr_ctx *ctx, int lazy) {
    fr_db *db = fr_ctx_db(ctx);
    long long deleted = 0;
    for (int j = 1; j < fr_argc(ctx); j++) {
        const fr_str *key = fr_arg(ctx, j);
        /* Redis expires the key first: a logically expired key is removed
         * as an expiry, not counted as deleted. */
        if (fr_key_is_expired(db, key)) {
            key_lookup_write(ctx, key);
            continue;
        }
        if (!fr_key_delete_lazy(ctx, db, key, lazy)) continue;
        fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, fr_db_id(db));
        deleted++;
    }
    if (deleted) fr_dirty(ctx, deleted);
    fr_reply_long_long(ctx, deleted);
}

void cmd_del(fr_ctx *ctx) {
    del_generic(ctx, FR_LAZY_USER_DEL);
}

void cmd_unlink(fr_ctx *ctx) {
    del_generic(ctx, 1);
}

void cmd_exists(fr_ctx *ctx) {
    fr_db *db = fr_ctx_db(ctx);
    long long n = 0;
    for (int j = 1; j < fr_argc(ctx); j++)
        if (fr_key_lookup(ctx, db, fr_arg(ctx, j), FR_LOOKUP_NOTOUCH)) n++;
    fr_reply_long_long(ctx, n);
}

void cmd_type(fr_ctx *ctx) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, 1),
                                FR_LOOKUP_NOTOUCH);
    fr_reply_status(ctx, v ? fr_type_name(fr_value_type(v)) : "none");
}

void cmd_touch(fr_ctx *ctx) {
    long long n = 0;
    for (int j = 1; j < fr_argc(ctx); j++)
        if (key_lookup_read(ctx, fr_arg(ctx, j))) n++;
    fr_reply_long_long(ctx, n);
}

void cmd_randomkey(fr_ctx *ctx) {
    fr_str *key = fr_db_random_key(ctx, fr_ctx_db(ctx));
    if (!key) {
        fr_reply_null(ctx);
        return;
    }
    fr_reply_bulk_str(ctx, key);
    fr_str_free(key);
}

/* ---- RENAME / RENAMENX -------------------------------------------------------- */

static void reply_rename(fr_ctx *ctx, int nx, int done) {
    if (nx) fr_reply_long_long(ctx, done);
    else fr_reply_ok(ctx);
}

static void rename_generic(fr_ctx *ctx, int nx) {
    fr_db *db = fr_ctx_db(ctx);
    const fr_str *src = fr_arg(ctx, 1), *dst = fr_arg(ctx, 2);
    if (!key_lookup_write(ctx, src)) {
        fr_reply_error(ctx, "no such key");
        return;
    }
    /* Renaming a key onto itself succeeds without doing anything, but only
     * once we know the key exists. */
    if (same_bytes(src, dst)) {
        reply_rename(ctx, nx, 0);
        return;
    }
    int dst_exists = key_lookup_write(ctx, dst) != NULL;
    if (dst_exists && nx) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    /* src's change is seen before dst's (client-side caches are told in
     * that order, as Redis signals them) */
    fr_detached *value = fr_key_detach(ctx, db, src);
    if (dst_exists) fr_key_delete(ctx, db, dst);
    fr_key_attach(ctx, db, dst, value);
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "rename_from", src, fr_db_id(db));
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "rename_to", dst, fr_db_id(db));
    fr_dirty(ctx, 1);
    reply_rename(ctx, nx, 1);
}

void cmd_rename(fr_ctx *ctx) {
    rename_generic(ctx, 0);
}

void cmd_renamenx(fr_ctx *ctx) {
    rename_generic(ctx, 1);
}

/* ---- MOVE ------------------------------------------------------------------------ */

void cmd_move(fr_ctx *ctx) {
    fr_db *src = fr_ctx_db(ctx);
    const fr_str *key = fr_arg(ctx, 1);
    fr_db *dst = key_db_arg(ctx, 2);
    if (!dst) return;
    if (dst == src) {
        fr_reply_error(ctx, "source and destination objects are the same");
        return;
    }
    if (!key_lookup_write(ctx, key) ||
        fr_key_lookup(ctx, dst, key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS)) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    fr_key_attach(ctx, dst, key, fr_key_detach(ctx, src, key));
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "move_from", key, fr_db_id(src));
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "move_to", key, fr_db_id(dst));
    fr_dirty(ctx, 1);
    fr_reply_long_long(ctx, 1);
}

/* ---- COPY ------------------------------------------------------------------------- */

typedef struct copy_args {
    fr_db *dst;
    int replace;
} copy_args;

static int parse_copy_args(fr_ctx *ctx, copy_args *a) {
    a->dst = fr_ctx_db(ctx);
    a->replace = 0;
    for (int j = 3; j < fr_argc(ctx); j++) {
        if (key_opt_is(ctx, j, "replace")) {
            a->replace = 1;
        } else if (key_opt_is(ctx, j, "db") && j + 1 < fr_argc(ctx)) {
            if (!(a->dst = key_db_arg(ctx, ++j))) return FR_ERR;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

/* A copy of v's payload, or NULL after replying why there is none. */
static void *copy_payload(fr_ctx *ctx, const fr_value *v) {
    int supported = 0;
    void *p = key_type_dup(v, &supported);
    if (!supported)
        fr_reply_error(ctx, "not supported for this module key");
    else if (!p)
        fr_reply_error(ctx, "module key failed to copy");
    return p;
}

void cmd_copy(fr_ctx *ctx) {
    fr_db *src = fr_ctx_db(ctx);
    const fr_str *key = fr_arg(ctx, 1), *newkey = fr_arg(ctx, 2);
    copy_args a;
    if (parse_copy_args(ctx, &a) != FR_OK) return;
    if (src == a.dst && same_bytes(key, newkey)) {
        fr_reply_error(ctx, "source and destination objects are the same");
        return;
    }
    fr_value *v = key_lookup_read(ctx, key);
    if (!v) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    long long expire = fr_key_get_expire(ctx, src, key);
    int exists = fr_key_lookup(ctx, a.dst, newkey,
                               FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS) != NULL;
    if (exists && !a.replace) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    void *p = copy_payload(ctx, v);
    if (!p) return;
    if (exists) fr_key_delete(ctx, a.dst, newkey);
    fr_key_set(ctx, a.dst, newkey, fr_value_type(v), p, 0);
    if (expire != -1) fr_key_set_expire(ctx, a.dst, newkey, expire);
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "copy_to", newkey, fr_db_id(a.dst));
    fr_dirty(ctx, 1);
    fr_reply_long_long(ctx, 1);
}

/* set_common.c -- helpers shared by the set command handlers.
 *
 * Owns the module's conventions for talking to the core: which lookup
 * flags mirror Redis's lookupKeyRead/lookupKeyWrite, how an in-place change
 * is signalled (fr_key_touched_write plus fr_dirty), how members are
 * replied, and how a *STORE command leaves its destination.  Invariant:
 * every helper that fails has already replied. */
#include "set_internal.h"

static int lookup(fr_ctx *ctx, const fr_str *key, int flags, setval **out) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, flags);
    *out = NULL;
    if (!v) return FR_OK;
    if (fr_value_type(v) != g_set_type) {
        fr_reply_wrongtype(ctx);
        return FR_ERR;
    }
    *out = fr_value_payload(v);
    return FR_OK;
}

int set_lookup_read(fr_ctx *ctx, const fr_str *key, setval **out) {
    return lookup(ctx, key, FR_LOOKUP_NONE, out);
}

int set_lookup_write(fr_ctx *ctx, const fr_str *key, setval **out) {
    /* Redis's write lookups leave keyspace_hits/misses alone. */
    return lookup(ctx, key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS, out);
}

void set_reply_member(fr_ctx *ctx, const st_member *m) {
    if (m->is_int) fr_reply_bulk_ll(ctx, m->v);
    else fr_reply_bulk(ctx, m->p, m->len);
}

void set_reply_members(fr_ctx *ctx, const setval *s) {
    st_iter it;
    st_member m;
    fr_reply_set(ctx, (long)st_size(s));
    st_iter_init(&it, s);
    while (st_next(&it, &m)) set_reply_member(ctx, &m);
}

void set_reply_empty_set(fr_ctx *ctx) { fr_reply_set(ctx, 0); }

void set_notify(fr_ctx *ctx, int type, const char *event, const fr_str *key) {
    fr_notify_keyspace_event(type, event, key, fr_db_id(fr_ctx_db(ctx)));
}

void set_touched(fr_ctx *ctx, const fr_str *key, long long n) {
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, n);
}

void set_delete_emptied(fr_ctx *ctx, const fr_str *key) {
    fr_key_delete(ctx, fr_ctx_db(ctx), key);
    set_notify(ctx, FR_NOTIFY_GENERIC, "del", key);
}

void set_store_result(fr_ctx *ctx, const fr_str *dst, setval *result, const char *event) {
    fr_db *db = fr_ctx_db(ctx);
    if (result && st_size(result) > 0) {
        long long n = (long long)st_size(result);
        fr_key_set(ctx, db, dst, g_set_type, result, 0);
        fr_reply_long_long(ctx, n);
        set_notify(ctx, FR_NOTIFY_SET, event, dst);
        fr_dirty(ctx, 1);
        return;
    }
    st_free(result);
    fr_reply_long_long(ctx, 0);
    if (fr_key_delete(ctx, db, dst)) {
        fr_dirty(ctx, 1);
        set_notify(ctx, FR_NOTIFY_GENERIC, "del", dst);
    }
}

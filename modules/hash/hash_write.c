/* hash_write.c -- the hash commands that change a hash: HSET HMSET HSETNX
 * HDEL HINCRBY HINCRBYFLOAT, and the lookups every command file uses.
 *
 * Owns Redis's order of checks (arity by hand, argument parsing, then the
 * key's type), the change accounting (dirty counts as Redis's, WATCH via
 * fr_key_touched_write), the keyspace events ("hset", "hdel", "hincrby",
 * "hincrbyfloat", and "del" when the last field goes) and HINCRBYFLOAT's
 * propagation as HSET with the final text.  A hash that does not exist yet
 * is built aside and stored only at the end, once the command cannot fail
 * any more, so an error never leaves an empty hash behind.  Invariant: a
 * command that empties a hash deletes its key. */
#include "hash_internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- lookups ------------------------------------------------------------ */

int hash_lookup_read(fr_ctx *ctx, const fr_str *key, hash_obj **h) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE);
    *h = NULL;
    if (!v) return 1;
    if (fr_value_type(v) != g_hash_type) {
        fr_reply_wrongtype(ctx);
        return 0;
    }
    *h = fr_value_payload(v);
    return 1;
}

void hash_reply_text(fr_ctx *ctx, const hash_text *t) {
    fr_reply_bulk(ctx, t->p, t->len);
}

/* A hash being written: the stored one, or a new one not yet in the DB. */
typedef struct hash_write {
    hash_obj *h;
    int created;
} hash_write;

/* Redis's hashTypeLookupWriteOrCreate: 0 after replying WRONGTYPE. */
static int lookup_write(fr_ctx *ctx, const fr_str *key, hash_write *w) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
    w->created = 0;
    if (v) {
        if (fr_value_type(v) != g_hash_type) {
            fr_reply_wrongtype(ctx);
            return 0;
        }
        w->h = fr_value_payload(v);
        return 1;
    }
    w->h = hv_new();
    w->created = 1;
    return 1;
}

/* Store a new hash, or tell the core the stored one changed; count the
 * change and send the event. */
static void finish_write(fr_ctx *ctx, const fr_str *key, hash_write *w, long long dirty,
                         const char *event) {
    fr_db *db = fr_ctx_db(ctx);
    if (w->created) fr_key_set(ctx, db, key, g_hash_type, w->h, 0);
    else fr_key_touched_write(ctx, db, key);
    fr_dirty(ctx, dirty);
    fr_notify_keyspace_event(FR_NOTIFY_HASH, event, key, fr_db_id(db));
}

/* A write that turned out to change nothing: a hash built aside goes. */
static void abandon_write(hash_write *w) {
    if (w->created) hv_free(w->h);
}

static void reply_arity(fr_ctx *ctx) {
    fr_reply_errorf(ctx, "wrong number of arguments for '%s' command", fr_ctx_command_name(ctx));
}

/* ---- HSET / HMSET / HSETNX ---------------------------------------------- */

static void try_conversion_args(fr_ctx *ctx, hash_obj *h, int first, int last) {
    size_t lens[64] = {0}; /* initialised only to quiet a false gcc warning */
    int n = last - first + 1;
    size_t *l = n <= 64 ? lens : fr_malloc(sizeof(*l) * (size_t)n);
    for (int i = 0; i < n; i++) l[i] = fr_arg(ctx, first + i)->len;
    hv_try_conversion(h, l, n);
    if (l != lens) fr_free(l);
}

/* HSET and HMSET: the number of new fields, or -1 after an error. */
static long long set_pairs(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    if (argc % 2 == 1) {
        reply_arity(ctx);
        return -1;
    }
    const fr_str *key = fr_arg(ctx, 1);
    hash_write w;
    if (!lookup_write(ctx, key, &w)) return -1;
    try_conversion_args(ctx, w.h, 2, argc - 1);
    long long created = 0;
    for (int i = 2; i < argc; i += 2) {
        const fr_str *f = fr_arg(ctx, i), *v = fr_arg(ctx, i + 1);
        created += hv_set(w.h, f->buf, f->len, v->buf, v->len);
    }
    finish_write(ctx, key, &w, (argc - 2) / 2, "hset");
    return created;
}

void cmd_hset(fr_ctx *ctx) {
    long long created = set_pairs(ctx);
    if (created >= 0) fr_reply_long_long(ctx, created);
}

void cmd_hmset(fr_ctx *ctx) {
    if (set_pairs(ctx) >= 0) fr_reply_ok(ctx);
}

void cmd_hsetnx(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *f = fr_arg(ctx, 2), *v = fr_arg(ctx, 3);
    hash_write w;
    if (!lookup_write(ctx, key, &w)) return;
    if (hv_get(w.h, f->buf, f->len, NULL)) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    try_conversion_args(ctx, w.h, 2, 3);
    hv_set(w.h, f->buf, f->len, v->buf, v->len);
    fr_reply_long_long(ctx, 1);
    finish_write(ctx, key, &w, 1, "hset");
}

/* ---- HDEL --------------------------------------------------------------- */

void cmd_hdel(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_db *db = fr_ctx_db(ctx);
    fr_value *v = fr_key_lookup(ctx, db, key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
    if (!v) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (fr_value_type(v) != g_hash_type) {
        fr_reply_wrongtype(ctx);
        return;
    }
    hash_obj *h = fr_value_payload(v);
    long long deleted = 0;
    int removed = 0;
    for (int i = 2; i < fr_argc(ctx); i++) {
        const fr_str *f = fr_arg(ctx, i);
        if (!hv_delete(h, f->buf, f->len)) continue;
        deleted++;
        if (hv_len(h) == 0) {
            fr_key_delete(ctx, db, key);
            removed = 1;
            break;
        }
    }
    if (deleted) {
        fr_key_touched_write(ctx, db, key);
        fr_notify_keyspace_event(FR_NOTIFY_HASH, "hdel", key, fr_db_id(db));
        if (removed) fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, fr_db_id(db));
        fr_dirty(ctx, deleted);
    }
    fr_reply_long_long(ctx, deleted);
}

/* ---- HINCRBY / HINCRBYFLOAT --------------------------------------------- */

void cmd_hincrby(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *f = fr_arg(ctx, 2);
    long long incr, value = 0;
    if (fr_arg_ll_or_reply(ctx, 3, &incr) != FR_OK) return;
    hash_write w;
    if (!lookup_write(ctx, key, &w)) return;
    hash_text cur;
    if (hv_get(w.h, f->buf, f->len, &cur) && !fr_string2ll(cur.p, cur.len, &value)) {
        abandon_write(&w);
        fr_reply_error(ctx, "hash value is not an integer");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        abandon_write(&w);
        fr_reply_error(ctx, "increment or decrement would overflow");
        return;
    }
    value += incr;
    char buf[LP_INT_BUF];
    int n = fr_ll2string(buf, sizeof(buf), value);
    hv_set(w.h, f->buf, f->len, buf, (size_t)n);
    fr_reply_long_long(ctx, value);
    finish_write(ctx, key, &w, 1, "hincrby");
}

/* Room for a long double in "human" form, as Redis's MAX_LONG_DOUBLE_CHARS. */
#define LD_CHARS (5 * 1024)

void cmd_hincrbyfloat(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *f = fr_arg(ctx, 2);
    long double incr, value = 0;
    if (fr_arg_ld_or_reply(ctx, 3, &incr) != FR_OK) return;
    if (isnan(incr) || isinf(incr)) {
        fr_reply_error(ctx, "value is NaN or Infinity");
        return;
    }
    hash_write w;
    if (!lookup_write(ctx, key, &w)) return;
    hash_text cur;
    if (hv_get(w.h, f->buf, f->len, &cur) && !fr_string2ld(cur.p, cur.len, &value)) {
        abandon_write(&w);
        fr_reply_error(ctx, "hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        abandon_write(&w);
        fr_reply_error(ctx, "increment would produce NaN or Infinity");
        return;
    }
    char buf[LD_CHARS];
    int n = fr_ld2string(buf, sizeof(buf), value, 1);
    hv_set(w.h, f->buf, f->len, buf, (size_t)n);
    fr_reply_bulk(ctx, buf, (size_t)n);
    finish_write(ctx, key, &w, 1, "hincrbyfloat");
    /* Replicas and the AOF get the result, not the float arithmetic. */
    const char *argv[4] = {"HSET", key->buf, f->buf, buf};
    size_t lens[4] = {4, key->len, f->len, (size_t)n};
    fr_propagate_cstr(ctx, 4, argv, lens);
}

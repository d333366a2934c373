/* key_object.c -- OBJECT HELP/ENCODING/REFCOUNT/IDLETIME/FREQ, and the
 * type callbacks the key commands need (OBJECT ENCODING/REFCOUNT, COPY).
 *
 * Owns the introspection replies.  IDLETIME and FREQ follow how the core
 * records access (fr_keyspace_access: LFU under an LFU maxmemory-policy of
 * the evict module, LRU otherwise): each is refused, with Redis's text,
 * while the other is tracked.  REFCOUNT is whatever the value's type says
 * (the string type's shared integers report 2147483647).
 *
 * Every type is reached through fr_type_def_of(): the key commands know no
 * type's payload, so a new type needs nothing from this module.  Invariant:
 * nothing here modifies the keyspace or a value's access time. */
#include "keys_internal.h"

static const fr_type_def *def_of(const fr_value *v) {
    return fr_type_def_of(fr_value_type(v));
}

const char *key_type_encoding(const fr_value *v) {
    const fr_type_def *d = def_of(v);
    if (!d || !d->encoding) return NULL;
    return d->encoding(fr_value_payload(v));
}

int key_type_refcount(const fr_value *v) {
    const fr_type_def *d = def_of(v);
    /* Only a type that shares payloads knows better than the core. */
    if (!d || !d->refcount) return fr_value_refcount(v);
    return d->refcount(fr_value_payload(v));
}

void *key_type_dup(const fr_value *v, int *supported) {
    const fr_type_def *d = def_of(v);
    *supported = d && d->dup;
    return *supported ? d->dup(fr_value_payload(v)) : NULL;
}

/* ---- OBJECT ------------------------------------------------------------------- */

/* OBJECT's lookups neither refresh the access time nor, as in Redis, fire
 * the keymiss event. */
static fr_value *object_lookup(fr_ctx *ctx) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, 2),
                                FR_LOOKUP_NOTOUCH | FR_LOOKUP_NONOTIFY);
    if (!v) fr_reply_null(ctx);
    return v;
}

static const char *const object_help[] = {
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store "
    "the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer "
    "is",
    "    proportional to the logarithm of the recent access frequency of the "
    "key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number "
    "of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the "
    "specified",
    "    <key>.",
    NULL,
};

void cmd_object_help(fr_ctx *ctx) {
    fr_reply_help(ctx, object_help);
}

void cmd_object_encoding(fr_ctx *ctx) {
    fr_value *v = object_lookup(ctx);
    if (!v) return;
    const char *enc = key_type_encoding(v);
    fr_reply_bulk_cstr(ctx, enc ? enc : "unknown");
}

void cmd_object_refcount(fr_ctx *ctx) {
    fr_value *v = object_lookup(ctx);
    if (!v) return;
    fr_reply_long_long(ctx, key_type_refcount(v));
}

void cmd_object_idletime(fr_ctx *ctx) {
    fr_value *v = object_lookup(ctx);
    if (!v) return;
    if (fr_keyspace_access() & FR_ACCESS_LFU) {
        fr_reply_error(ctx,
                       "An LFU maxmemory policy is selected, idle time not "
                       "tracked. Please note that when switching between "
                       "policies at runtime LRU and LFU data will take some "
                       "time to adjust.");
        return;
    }
    fr_reply_long_long(ctx, (long long)(fr_value_idle_ms(v) / 1000));
}

void cmd_object_freq(fr_ctx *ctx) {
    fr_value *v = object_lookup(ctx);
    if (!v) return;
    if (!(fr_keyspace_access() & FR_ACCESS_LFU)) {
        fr_reply_error(ctx,
                       "An LFU maxmemory policy is not selected, access "
                       "frequency not tracked. Please note that when switching "
                       "between policies at runtime LRU and LFU data will take "
                       "some time to adjust.");
        return;
    }
    fr_reply_long_long(ctx, fr_value_lfu(v));
}

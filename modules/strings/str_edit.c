/* str_edit.c -- commands that read or edit part of a string value: APPEND
 * SETRANGE GETRANGE SUBSTR STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT.
 *
 * Owns the encoding transitions Redis shows for them: APPEND to a missing key
 * stores like SET (int/embstr/raw), an edit of an existing value makes it raw
 * (even an empty APPEND), INCR-family results are ints, INCRBYFLOAT results
 * are plain strings (embstr when short) propagated as SET ... KEEPTTL.
 * Invariants: edits of existing keys keep the TTL and go through
 * str_store_edited/str_replace_payload (which signal the write and count
 * it); new keys go through fr_key_set plus fr_dirty. */
#include "strings_internal.h"

#include <limits.h>
#include <math.h>
#include <string.h>

static void reply_too_big(fr_ctx *ctx) {
    fr_reply_error(ctx,
                   "string exceeds maximum allowed size (proto-max-bulk-len)");
}

/* Store a new raw string under a key that does not exist. */
static void add_raw(fr_ctx *ctx, const fr_str *key, fr_str *s) {
    fr_key_set(ctx, fr_ctx_db(ctx), key, g_string_type, sv_from_raw_str(s), 0);
    fr_dirty(ctx, 1);
}

void cmd_append(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *add = fr_arg(ctx, 2);
    fr_value *v = str_lookup_write(ctx, key);
    if (!v) {
        if (str_size_allowed_or_reply(ctx, add->len) != FR_OK) return;
        size_t len = add->len; /* the argument may be taken below */
        fr_key_set(ctx, fr_ctx_db(ctx), key, g_string_type,
                   sv_from_arg(ctx, 2), 0);
        fr_dirty(ctx, 1);
        str_notify(ctx, FR_NOTIFY_STRING, "append", key);
        fr_reply_long_long(ctx, (long long)len);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    void *p = fr_value_payload(v);
    if (!sr_size_ok((long long)sv_len(p), (long long)add->len,
                    str_proto_max_bulk())) {
        reply_too_big(ctx);
        return;
    }
    if (str_size_allowed_or_reply(ctx, sv_len(p) + add->len) != FR_OK) return;
    fr_str *s = fr_str_cat(sv_take_raw(p), add->buf, add->len);
    str_store_edited(ctx, key, v, s);
    str_notify(ctx, FR_NOTIFY_STRING, "append", key);
    fr_reply_long_long(ctx, (long long)s->len);
}

/* Hardened mode: refuse a write that would zero-fill a large gap, i.e. make
 * the server allocate far more than the request carried. */
static int setrange_amplifies(fr_ctx *ctx, long long offset, size_t curlen) {
    if (!fr_ctx_hardened(ctx)) return 0;
    if (offset <= (long long)curlen ||
        offset - (long long)curlen <= STR_HARD_ZERO_FILL_MAX)
        return 0;
    fr_ctx_divergence(ctx, "setrange-zero-fill");
    fr_reply_error(ctx, "SETRANGE would zero-fill more than 8MB past the "
                        "end of the value (hardened mode)");
    return 1;
}

/* Checks shared by both SETRANGE paths; FR_ERR after replying. */
static int setrange_check(fr_ctx *ctx, long long offset, size_t curlen,
                          size_t vlen) {
    if (!sr_size_ok(offset, (long long)vlen, str_proto_max_bulk())) {
        reply_too_big(ctx);
        return FR_ERR;
    }
    if (setrange_amplifies(ctx, offset, curlen)) return FR_ERR;
    size_t end = (size_t)offset + vlen;
    return end > curlen ? str_size_allowed_or_reply(ctx, end) : FR_OK;
}

static fr_str *write_at(fr_str *s, long long offset, const fr_str *val) {
    size_t end = (size_t)offset + val->len;
    if (end > s->len) s = fr_str_set_len(s, end);
    memcpy(s->buf + offset, val->buf, val->len);
    return s;
}

void cmd_setrange(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *val = fr_arg(ctx, 3);
    long long offset;
    if (fr_arg_ll_or_reply(ctx, 2, &offset) != FR_OK) return;
    if (offset < 0) {
        fr_reply_error(ctx, "offset is out of range");
        return;
    }
    fr_value *v = str_lookup_write(ctx, key);
    if (!v) {
        if (val->len == 0) {
            fr_reply_long_long(ctx, 0);
            return;
        }
        if (setrange_check(ctx, offset, 0, val->len) != FR_OK) return;
        fr_str *s = write_at(fr_str_new_empty((size_t)offset + val->len),
                             offset, val);
        add_raw(ctx, key, s);
        str_notify(ctx, FR_NOTIFY_STRING, "setrange", key);
        fr_reply_long_long(ctx, (long long)s->len);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    void *p = fr_value_payload(v);
    size_t curlen = sv_len(p);
    if (val->len == 0) {
        fr_reply_long_long(ctx, (long long)curlen);
        return;
    }
    if (setrange_check(ctx, offset, curlen, val->len) != FR_OK) return;
    fr_str *s = write_at(sv_take_raw(p), offset, val);
    str_store_edited(ctx, key, v, s);
    str_notify(ctx, FR_NOTIFY_STRING, "setrange", key);
    fr_reply_long_long(ctx, (long long)s->len);
}

void cmd_getrange(fr_ctx *ctx) {
    long long start, end;
    if (fr_arg_ll_or_reply(ctx, 2, &start) != FR_OK ||
        fr_arg_ll_or_reply(ctx, 3, &end) != FR_OK)
        return;
    fr_value *v = str_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_bulk(ctx, "", 0);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    char tmp[SR_LL_CHARS];
    size_t len, from, count;
    const char *p = sv_bytes(fr_value_payload(v), tmp, &len);
    if (sr_range(start, end, len, &from, &count))
        fr_reply_bulk(ctx, p + from, count);
    else
        fr_reply_bulk(ctx, "", 0);
}

/* SUBSTR is GETRANGE under its old name (Redis keeps both). */
void cmd_substr(fr_ctx *ctx)
{
    cmd_getrange(ctx);
}

void cmd_strlen(fr_ctx *ctx) {
    fr_value *v = str_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    fr_reply_long_long(ctx, (long long)sv_len(fr_value_payload(v)));
}

/* ---- integer counters ------------------------------------------------------ */

static int add_overflows(long long cur, long long incr) {
    return (incr < 0 && cur < 0 && incr < LLONG_MIN - cur) ||
           (incr > 0 && cur > 0 && incr > LLONG_MAX - cur);
}

static void incr_by(fr_ctx *ctx, long long incr) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_value *v = str_lookup_write(ctx, key);
    long long cur = 0;
    if (v && !str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    if (v && !sv_get_ll(fr_value_payload(v), &cur)) {
        fr_reply_error(ctx, "value is not an integer or out of range");
        return;
    }
    if (add_overflows(cur, incr)) {
        fr_reply_error(ctx, "increment or decrement would overflow");
        return;
    }
    cur += incr;
    if (v) {
        str_replace_payload(ctx, key, v, sv_from_ll(cur));
    } else {
        fr_key_set(ctx, fr_ctx_db(ctx), key, g_string_type, sv_from_ll(cur),
                   0);
        fr_dirty(ctx, 1);
    }
    str_notify(ctx, FR_NOTIFY_STRING, "incrby", key);
    fr_reply_long_long(ctx, cur);
}

void cmd_incr(fr_ctx *ctx) {
    incr_by(ctx, 1);
}

void cmd_decr(fr_ctx *ctx) {
    incr_by(ctx, -1);
}

void cmd_incrby(fr_ctx *ctx) {
    long long incr;
    if (fr_arg_ll_or_reply(ctx, 2, &incr) != FR_OK) return;
    incr_by(ctx, incr);
}

void cmd_decrby(fr_ctx *ctx) {
    long long decr;
    if (fr_arg_ll_or_reply(ctx, 2, &decr) != FR_OK) return;
    if (decr == LLONG_MIN) {
        fr_reply_error(ctx, "decrement would overflow");
        return;
    }
    incr_by(ctx, -decr);
}

void cmd_incrbyfloat(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_value *v = str_lookup_write(ctx, key);
    long double cur = 0, incr;
    if (v && !str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    if (v && !sv_get_ld(fr_value_payload(v), &cur)) {
        fr_reply_error(ctx, "value is not a valid float");
        return;
    }
    if (fr_arg_ld_or_reply(ctx, 2, &incr) != FR_OK) return;
    cur += incr;
    if (isnan(cur) || isinf(cur)) {
        fr_reply_error(ctx, "increment would produce NaN or Infinity");
        return;
    }
    char buf[SR_LD_CHARS];
    size_t n = (size_t)fr_ld2string(buf, sizeof(buf), cur, 1);
    if (v) {
        str_replace_payload(ctx, key, v, sv_from_plain(buf, n));
    } else {
        fr_key_set(ctx, fr_ctx_db(ctx), key, g_string_type,
                   sv_from_plain(buf, n), 0);
        fr_dirty(ctx, 1);
    }
    str_notify(ctx, FR_NOTIFY_STRING, "incrbyfloat", key);
    fr_reply_bulk(ctx, buf, n);
    /* Replicas and the AOF get the exact text, never a float to re-add. */
    const char *argv[4] = {"SET", key->buf, buf, "KEEPTTL"};
    size_t lens[4] = {3, key->len, n, 7};
    str_propagate(ctx, 4, argv, lens);
}

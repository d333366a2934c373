/* rdb_dump.c -- DUMP and RESTORE.
 *
 * Owns the payload format (type byte, value as in an RDB file, 2-byte RDB
 * version, CRC64 of all that, little endian; rdb_dump_payload, which
 * MIGRATE sends too) and RESTORE's order of checks,
 * replies and propagation (a relative TTL is propagated as an absolute one
 * with ABSTTL; a restore that lands already expired propagates the DEL of
 * the key it replaced, or nothing).
 *
 * Hardened mode: the value must use up the payload exactly (Redis ignores
 * bytes between the value and the footer), and an LZF string claiming 0
 * bytes is refused (Redis makes it an empty string); each such refusal is
 * counted as a divergence.  IDLETIME and FREQ set the restored value's
 * access record when the access mode tracks that kind (LRU / LFU), and are
 * otherwise ignored, as Redis ignores the one its policy does not use. */
#include "rdb_internal.h"

#include <string.h>

int rdb_dump_payload(rdb_stream *s, const fr_value *v, const char **why) {
    *why = NULL;
    rdb_writer_mem(s, (rdb_conf_rdbcompression() != 0));
    if (rdb_dump_value(s, v, why) == FR_OK) return FR_OK;
    if (!*why) *why = "value cannot be serialized";
    return FR_ERR;
}

void cmd_dump(fr_ctx *ctx) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, 1), FR_LOOKUP_NONE);
    if (!v) {
        fr_reply_null(ctx);
        return;
    }
    rdb_stream s;
    const char *why;
    if (rdb_dump_payload(&s, v, &why) == FR_OK) fr_reply_bulk(ctx, s.buf, s.len);
    else fr_reply_errorf(ctx, "%s", why);
    rdb_stream_release(&s);
}

/* ---- RESTORE --------------------------------------------------------------- */

typedef struct restore_args {
    int replace, absttl;
    long long idle, freq; /* -1: not given */
    long long ttl;
} restore_args;

static int parse_options(fr_ctx *ctx, restore_args *a) {
    int argc = fr_argc(ctx);
    for (int j = 4; j < argc; j++) {
        int more = argc - j - 1;
        if (fr_arg_is(ctx, j, "replace")) {
            a->replace = 1;
        } else if (fr_arg_is(ctx, j, "absttl")) {
            a->absttl = 1;
        } else if (fr_arg_is(ctx, j, "idletime") && more >= 1 && a->freq == -1) {
            if (fr_arg_ll_or_reply(ctx, ++j, &a->idle) != FR_OK) return FR_ERR;
            if (a->idle < 0) {
                fr_reply_error(ctx, "Invalid IDLETIME value, must be >= 0");
                return FR_ERR;
            }
        } else if (fr_arg_is(ctx, j, "freq") && more >= 1 && a->idle == -1) {
            if (fr_arg_ll_or_reply(ctx, ++j, &a->freq) != FR_OK) return FR_ERR;
            if (a->freq < 0 || a->freq > 255) {
                fr_reply_error(ctx, "Invalid FREQ value, must be >= 0 and <= 255");
                return FR_ERR;
            }
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

/* Decode the value of a verified payload; NULL on "Bad data format". */
static void *decode_payload(fr_ctx *ctx, const fr_str *key, const fr_str *pl,
                            const fr_type **t) {
    int hard = fr_ctx_hardened(ctx);
    size_t body = pl->len - RDB_DUMP_FOOTER;
    rdb_stream s;
    /* Like Redis, strict reads may run into the footer; hardened ones not. */
    rdb_reader_mem(&s, pl->buf, hard ? body : pl->len, hard);
    rdb_stream_set_key(&s, fr_db_id(fr_ctx_db(ctx)), key->buf, key->len);
    int type;
    void *payload = NULL;
    if (rdb_get_byte(&s, &type) == FR_OK) payload = rdb_load_value(&s, type, t);
    if (payload && hard && s.pos != body) {
        fr_ctx_divergence(ctx, "restore-trailing-bytes");
        fr_type_def_of(*t)->free(payload);
        payload = NULL;
    }
    if (!payload && s.divergence) fr_ctx_divergence(ctx, s.divergence);
    if (!payload) {
        char msg[800];
        rdb_stream_message(&s, msg, sizeof(msg));
        fr_log(FR_LOG_VERBOSE, "RESTORE: bad payload: %s", msg);
    }
    rdb_stream_release(&s);
    return payload;
}

static void propagate_abs_ttl(fr_ctx *ctx, long long when) {
    int argc = fr_argc(ctx);
    const fr_str *argv[argc + 1];
    fr_str *ttl = fr_str_from_ll(when), *abs = fr_str_new("ABSTTL", 6);
    for (int i = 0; i < argc; i++) argv[i] = fr_arg(ctx, i);
    argv[2] = ttl;
    argv[argc] = abs;
    fr_propagate_replace(ctx, argc + 1, argv);
    fr_str_free(ttl);
    fr_str_free(abs);
}

static void propagate_del(fr_ctx *ctx, const fr_str *key) {
    fr_str *del = fr_str_new("DEL", 3);
    const fr_str *argv[2] = {del, key};
    fr_propagate_replace(ctx, 2, argv);
    fr_str_free(del);
}

static void store(fr_ctx *ctx, const restore_args *a, const fr_type *t, void *payload) {
    fr_db *db = fr_ctx_db(ctx);
    const fr_str *key = fr_arg(ctx, 1);
    int deleted = a->replace ? fr_key_delete(ctx, db, key) : 0;
    long long when = a->ttl;
    /* A relative TTL past the clock's range wraps, as in Redis: expired. */
    if (when && !a->absttl) when = (long long)((unsigned long long)when + fr_mstime());
    if (when && when > (long long)fr_mstime() && fr_expire_allowed_or_reply(ctx, when) != FR_OK) {
        fr_type_def_of(t)->free(payload);
        return;
    }
    if (when && when <= (long long)fr_mstime()) {
        fr_type_def_of(t)->free(payload);
        if (deleted) {
            propagate_del(ctx, key);
            fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, fr_db_id(db));
            fr_dirty(ctx, 1);
        }
        fr_reply_ok(ctx);
        return;
    }
    fr_key_set(ctx, db, key, t, payload, 0);
    if (when) {
        fr_key_set_expire(ctx, db, key, when);
        if (!a->absttl) propagate_abs_ttl(ctx, when);
    }
    rdb_apply_access(db, key, a->idle, a->freq);
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "restore", key, fr_db_id(db));
    fr_reply_ok(ctx);
    fr_dirty(ctx, 1);
}

void cmd_restore(fr_ctx *ctx) {
    restore_args a = {.idle = -1, .freq = -1};
    if (parse_options(ctx, &a) != FR_OK) return;
    const fr_str *key = fr_arg(ctx, 1);
    if (!a.replace && fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE)) {
        fr_reply_error(ctx, "-BUSYKEY Target key name already exists.");
        return;
    }
    if (fr_arg_ll_or_reply(ctx, 2, &a.ttl) != FR_OK) return;
    if (a.ttl < 0) {
        fr_reply_error(ctx, "Invalid TTL value, must be >= 0");
        return;
    }
    if (a.ttl && !fr_expire_available()) {
        fr_reply_error(ctx, "expire options need the ttl module, which is not loaded");
        return;
    }
    const fr_str *pl = fr_arg(ctx, 3);
    if (!rdb_g.skip_checksum && !rdb_dump_verify((const unsigned char *)pl->buf, pl->len)) {
        fr_reply_error(ctx, "DUMP payload version or checksum are wrong");
        return;
    }
    const fr_type *t = NULL;
    void *payload = decode_payload(ctx, key, pl, &t);
    if (!payload) {
        fr_reply_error(ctx, "Bad data format");
        return;
    }
    store(ctx, &a, t, payload);
}

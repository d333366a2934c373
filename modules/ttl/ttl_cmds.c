/* ttl_cmds.c -- EXPIRE PEXPIRE EXPIREAT PEXPIREAT, TTL PTTL EXPIRETIME
 * PEXPIRETIME and PERSIST, with Redis 7.0's replies, errors and propagation.
 *
 * Owns the order of checks of the EXPIRE family (options, integer, overflow,
 * hardened window, key lookup, NX/XX/GT/LT, past time) and what each outcome
 * hands to AOF and replicas: a stored TTL as PEXPIREAT with an absolute ms
 * time (the options kept), a time already passed as DEL or UNLINK (per
 * lazyfree-lazy-expire).  Invariants: every change of a key's TTL signals the
 * write (fr_key_touched_write, for WATCH) and counts one change (fr_dirty);
 * a handler that refuses has replied and changed nothing. */
#include "ttl_internal.h"

#include <string.h>

/* ---- EXPIRE family ----------------------------------------------------- */

/* Options from argument 3 on; replies and returns FR_ERR when invalid. */
static int parse_flags(fr_ctx *ctx, int *flags) {
    *flags = 0;
    for (int j = 3; j < fr_argc(ctx); j++) {
        const char *word = fr_arg(ctx, j)->buf;
        int f = ttlp_flag_word(word);
        if (!f) {
            fr_reply_errorf(ctx, "Unsupported option %s", word);
            return FR_ERR;
        }
        *flags |= f;
    }
    int code = ttlp_flags_check(*flags);
    if (code != TTLP_FLAGS_OK) {
        fr_reply_error(ctx, ttlp_flags_error(code));
        return FR_ERR;
    }
    return FR_OK;
}

static void reply_bad_expire(fr_ctx *ctx) {
    fr_reply_errorf(ctx, "invalid expire time in '%s' command",
                    fr_ctx_command_name(ctx));
}

/* The expiry policy (fr_expire_policy_register): in hardened mode a time
 * before the epoch or past the horizon is refused, for every command that
 * stores a TTL, not only this module's.  The reason follows Redis's own
 * "invalid expire time" error, so clients that match on it still
 * recognise it. */
const char *ttl_expire_policy(long long when, long long now, const char **rule) {
    if (!fr_module_hardened(ttl_module)) return NULL;
    int why = ttlp_hardened_check(when, now);
    if (why == TTLP_HARD_OK) return NULL;
    int early = why == TTLP_HARD_BEFORE_EPOCH;
    *rule = early ? "expire-before-epoch" : "expire-horizon";
    return early ? "before the epoch" : "more than 100 years ahead";
}

/* A time already passed: delete the key now, as DEL/UNLINK downstream. */
static void delete_now(fr_ctx *ctx, fr_db *db, const fr_str *key) {
    int lazy = fr_config_server_ll("lazyfree-lazy-expire", 0) != 0;
    const char *argv[2] = {lazy ? "UNLINK" : "DEL", key->buf};
    size_t lens[2] = {strlen(argv[0]), key->len};
    fr_key_delete_lazy(ctx, db, key, lazy);
    fr_dirty(ctx, 1);
    fr_propagate_cstr(ctx, 2, argv, lens);
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, fr_db_id(db));
    fr_reply_long_long(ctx, 1);
}

/* The command as received, with its name made PEXPIREAT and its time the
 * absolute ms one; options stay where they were. */
static void propagate_as_pexpireat(fr_ctx *ctx, long long when) {
    int argc = fr_argc(ctx);
    const fr_str **argv = fr_malloc(sizeof(*argv) * (size_t)argc);
    fr_str *name = fr_str_new("PEXPIREAT", 9);
    fr_str *time = fr_str_from_ll(when);
    for (int i = 0; i < argc; i++) argv[i] = fr_arg(ctx, i);
    argv[0] = name;
    argv[2] = time;
    fr_propagate_replace(ctx, argc, argv);
    fr_str_free(name);
    fr_str_free(time);
    fr_free(argv);
}

static void set_expire(fr_ctx *ctx, fr_db *db, const fr_str *key,
                       long long when, int as_received) {
    fr_key_set_expire(ctx, db, key, when);
    fr_key_touched_write(ctx, db, key);
    fr_dirty(ctx, 1);
    if (!as_received) propagate_as_pexpireat(ctx, when);
    /* Redis replies first, then notifies (a RESP3 self-subscriber sees
     * the reply before the event); for "del" and "persist" it is the
     * other way round. */
    fr_reply_long_long(ctx, 1);
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "expire", key, fr_db_id(db));
}

/* `seconds`: argument 2 is in seconds; `relative`: it counts from now.
 * PEXPIREAT (ms, absolute) is the one propagated as received. */
static void expire_generic(fr_ctx *ctx, int seconds, int relative) {
    int flags;
    long long v, when;
    if (parse_flags(ctx, &flags) != FR_OK) return;
    if (fr_arg_ll_or_reply(ctx, 2, &v) != FR_OK) return;
    long long now = fr_now_ms();
    if (ttlp_expire_when(v, seconds, relative ? now : 0, &when) != 0) {
        reply_bad_expire(ctx);
        return;
    }
    if (fr_expire_allowed_or_reply(ctx, when) != FR_OK) return;

    fr_db *db = fr_ctx_db(ctx);
    const fr_str *key = fr_arg(ctx, 1);
    if (!fr_key_lookup(ctx, db, key, FR_LOOKUP_WRITE)) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (flags &&
        !ttlp_condition_allows(flags, fr_key_get_expire(ctx, db, key), when)) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (when <= now)
        delete_now(ctx, db, key);
    else
        set_expire(ctx, db, key, when, !seconds && !relative);
}

void cmd_expire(fr_ctx *ctx) { expire_generic(ctx, 1, 1); }
void cmd_pexpire(fr_ctx *ctx) { expire_generic(ctx, 0, 1); }
void cmd_expireat(fr_ctx *ctx) { expire_generic(ctx, 1, 0); }
void cmd_pexpireat(fr_ctx *ctx) { expire_generic(ctx, 0, 0); }

/* ---- TTL family ----------------------------------------------------------- */

static void ttl_generic(fr_ctx *ctx, int output_ms, int output_abs) {
    fr_db *db = fr_ctx_db(ctx);
    const fr_str *key = fr_arg(ctx, 1);
    if (!fr_key_lookup(ctx, db, key, FR_LOOKUP_NOTOUCH)) {
        fr_reply_long_long(ctx, -2);
        return;
    }
    long long expire = fr_key_get_expire(ctx, db, key);
    fr_reply_long_long(ctx, ttlp_ttl_reply(expire, fr_now_ms(), output_ms,
                                           output_abs));
}

void cmd_ttl(fr_ctx *ctx) { ttl_generic(ctx, 0, 0); }
void cmd_pttl(fr_ctx *ctx) { ttl_generic(ctx, 1, 0); }
void cmd_expiretime(fr_ctx *ctx) { ttl_generic(ctx, 0, 1); }
void cmd_pexpiretime(fr_ctx *ctx) { ttl_generic(ctx, 1, 1); }

/* ---- PERSIST -------------------------------------------------------------- */

void cmd_persist(fr_ctx *ctx) {
    fr_db *db = fr_ctx_db(ctx);
    const fr_str *key = fr_arg(ctx, 1);
    if (!fr_key_lookup(ctx, db, key, FR_LOOKUP_WRITE) ||
        !fr_key_persist(ctx, db, key)) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    fr_key_touched_write(ctx, db, key);
    fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "persist", key, fr_db_id(db));
    fr_dirty(ctx, 1);
    fr_reply_long_long(ctx, 1);
}

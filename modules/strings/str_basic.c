/* str_basic.c -- GET/SET and their variants: SETNX SETEX PSETEX GETSET GETDEL
 * GETEX MGET MSET MSETNX.
 *
 * Owns Redis's order of checks for these commands (option syntax, expire
 * validation, the "ttl module missing" refusal, the old-value read of GET,
 * NX/XX) and their propagation forms: SET with an expiry goes out as
 * "SET key value PXAT <ms>", SET ... GET without one loses its GET words,
 * GETSET becomes SET, GETDEL and an already-expired GETEX become DEL, GETEX
 * with an expiry becomes PEXPIREAT, GETEX PERSIST becomes PERSIST.
 * Invariant: the value argument is only taken (zero-copy) after everything
 * that still needs to read it, propagation included, has run. */
#include "strings_internal.h"

#include <string.h>

/* ---- argument vectors as C strings ----------------------------------------- */

#define STACK_ARGS 16

/* Argument pointers for the pure option parser; `stack` is used when it is
 * big enough, otherwise the caller frees the result. */
static const char **arg_cstrs(fr_ctx *ctx, const char **stack) {
    int argc = fr_argc(ctx);
    const char **v = argc <= STACK_ARGS
                         ? stack
                         : fr_malloc(sizeof(*v) * (size_t)argc);
    for (int i = 0; i < argc; i++) v[i] = fr_arg(ctx, i)->buf;
    return v;
}

static int parse_opts(fr_ctx *ctx, int first, int getex, sr_str_opts *o) {
    if (fr_argc(ctx) <= first) { /* no options: the common SET key value */
        o->flags = 0;
        o->expire_arg = -1;
        return FR_OK;
    }
    const char *stack[STACK_ARGS];
    const char **v = arg_cstrs(ctx, stack);
    int rc = sr_parse_str_opts(v, fr_argc(ctx), first, getex, o);
    if (v != stack) fr_free((void *)v);
    if (rc != 0) fr_reply_syntax_error(ctx);
    return rc == 0 ? FR_OK : FR_ERR;
}

/* ---- propagation forms ------------------------------------------------------ */

static void propagate_key_only(fr_ctx *ctx, const char *cmd) {
    const fr_str *key = fr_arg(ctx, 1);
    const char *argv[2] = {cmd, key->buf};
    size_t lens[2] = {strlen(cmd), key->len};
    str_propagate(ctx, 2, argv, lens);
}

static void propagate_set_pxat(fr_ctx *ctx, int val_arg, long long when) {
    const fr_str *key = fr_arg(ctx, 1), *val = fr_arg(ctx, val_arg);
    char ms[SR_LL_CHARS];
    int n = sr_ll2str(ms, when);
    const char *argv[5] = {"SET", key->buf, val->buf, "PXAT", ms};
    size_t lens[5] = {3, key->len, val->len, 4, (size_t)n};
    str_propagate(ctx, 5, argv, lens);
}

/* SET ... GET without an expiry: the same command minus its GET words. */
static void propagate_set_without_get(fr_ctx *ctx) {
    int argc = fr_argc(ctx), n = 0;
    const char **argv = fr_malloc(sizeof(*argv) * (size_t)argc);
    size_t *lens = fr_malloc(sizeof(*lens) * (size_t)argc);
    for (int j = 0; j < argc; j++) {
        if (j >= 3 && str_opt_is(ctx, j, "get")) continue;
        argv[n] = fr_arg(ctx, j)->buf;
        lens[n++] = fr_arg(ctx, j)->len;
    }
    str_propagate(ctx, n, argv, lens);
    fr_free(lens);
    fr_free((void *)argv);
}

/* ---- the SET engine ---------------------------------------------------------- */

typedef struct set_req {
    int flags;          /* SR_OPT_* */
    int val_arg;        /* argv index of the value */
    int has_expire;
    long long when_ms;  /* absolute, when has_expire */
    int int_reply;      /* SETNX: :1 / :0 instead of +OK / null */
} set_req;

/* The GET half of SET ... GET and of GETSET: reply the old value or null.
 * FR_ERR (after WRONGTYPE) stops the command. */
static int reply_old_value(fr_ctx *ctx) {
    fr_value *v = str_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_null(ctx);
        return FR_OK;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return FR_ERR;
    }
    str_reply_value(ctx, fr_value_payload(v));
    return FR_OK;
}

/* `old`: the key's entry from set_generic's lookup, NULL if absent. */
static void store_value(fr_ctx *ctx, const set_req *r, fr_value *old) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_db *db = fr_ctx_db(ctx);
    int keep = (r->flags & SR_OPT_KEEPTTL) ? FR_SET_KEEPTTL : 0;

    if (r->has_expire)
        propagate_set_pxat(ctx, r->val_arg, r->when_ms);
    else if (r->flags & SR_OPT_GET)
        propagate_set_without_get(ctx);
    void *payload = sv_from_arg(ctx, r->val_arg);
    if (old) fr_key_replace(ctx, db, key, old, g_string_type, payload, keep);
    else fr_key_set(ctx, db, key, g_string_type, payload, keep);
    fr_dirty(ctx, 1);
    str_notify(ctx, FR_NOTIFY_STRING, "set", key);
    if (!r->has_expire) return;
    fr_key_set_expire(ctx, db, key, r->when_ms);
    str_notify(ctx, FR_NOTIFY_GENERIC, "expire", key);
}

static void set_generic(fr_ctx *ctx, const set_req *r) {
    int nx = r->flags & SR_OPT_NX, xx = r->flags & SR_OPT_XX;
    if (r->has_expire && fr_expire_allowed_or_reply(ctx, r->when_ms) != FR_OK) return;
    if (str_size_allowed_or_reply(ctx, fr_arg(ctx, r->val_arg)->len) != FR_OK) return;
    int get = r->flags & SR_OPT_GET;

    if (get && reply_old_value(ctx) != FR_OK) return;
    /* Always looked up, as Redis does: besides NX/XX, the lookup expires a
     * stale key first, so KEEPTTL cannot inherit a TTL that already fired. */
    fr_value *old = str_lookup_write(ctx, fr_arg(ctx, 1));
    if ((nx && old) || (xx && !old)) {
        if (get) return;
        if (r->int_reply) fr_reply_long_long(ctx, 0);
        else fr_reply_null(ctx);
        return;
    }
    store_value(ctx, r, old);
    if (get) return;
    if (r->int_reply) fr_reply_long_long(ctx, 1);
    else fr_reply_ok(ctx);
}

/* Validate an expiry given at argv[argi] for option `opt`. */
static int prepare_expire(fr_ctx *ctx, set_req *r, int argi, int opt) {
    if (str_expire_arg(ctx, argi, opt, &r->when_ms) != FR_OK) return FR_ERR;
    if (str_require_expire(ctx) != FR_OK) return FR_ERR;
    r->has_expire = 1;
    return FR_OK;
}

/* ---- handlers ------------------------------------------------------------------ */

void cmd_get(fr_ctx *ctx) {
    fr_value *v = str_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_null(ctx);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    str_reply_value(ctx, fr_value_payload(v));
}

void cmd_set(fr_ctx *ctx) {
    sr_str_opts o;
    if (parse_opts(ctx, 3, 0, &o) != FR_OK) return;
    set_req r = {o.flags, 2, 0, 0, 0};
    if (o.expire_arg >= 0 &&
        prepare_expire(ctx, &r, o.expire_arg, o.flags & SR_OPT_ANY_EXPIRE)
            != FR_OK)
        return;
    set_generic(ctx, &r);
}

void cmd_setnx(fr_ctx *ctx) {
    set_req r = {SR_OPT_NX, 2, 0, 0, 1};
    set_generic(ctx, &r);
}

void cmd_setex(fr_ctx *ctx) {
    set_req r = {0, 3, 0, 0, 0};
    if (prepare_expire(ctx, &r, 2, SR_OPT_EX) != FR_OK) return;
    set_generic(ctx, &r);
}

void cmd_psetex(fr_ctx *ctx) {
    set_req r = {0, 3, 0, 0, 0};
    if (prepare_expire(ctx, &r, 2, SR_OPT_PX) != FR_OK) return;
    set_generic(ctx, &r);
}

void cmd_getset(fr_ctx *ctx) {
    if (str_size_allowed_or_reply(ctx, fr_arg(ctx, 2)->len) != FR_OK) return;
    if (reply_old_value(ctx) != FR_OK) return;
    const fr_str *key = fr_arg(ctx, 1), *val = fr_arg(ctx, 2);
    const char *argv[3] = {"SET", key->buf, val->buf};
    size_t lens[3] = {3, key->len, val->len};
    str_propagate(ctx, 3, argv, lens);
    /* Redis's setKey looks the key up once more: a second access, which
     * an LFU counter shows. */
    fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE | FR_LOOKUP_NONOTIFY);
    fr_key_set(ctx, fr_ctx_db(ctx), key, g_string_type, sv_from_arg(ctx, 2),
               0);
    str_notify(ctx, FR_NOTIFY_STRING, "set", key);
    fr_dirty(ctx, 1);
}

void cmd_getdel(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_value *v = str_lookup_read(ctx, key);
    if (!v) {
        fr_reply_null(ctx);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    str_reply_value(ctx, fr_value_payload(v));
    if (fr_key_delete(ctx, fr_ctx_db(ctx), key)) {
        propagate_key_only(ctx, str_lazy_delete("lazyfree-lazy-user-del"));
        str_notify(ctx, FR_NOTIFY_GENERIC, "del", key);
        fr_dirty(ctx, 1);
    }
}

/* What GETEX does to the key after replying its value. */
static void getex_apply(fr_ctx *ctx, const sr_str_opts *o, long long when) {
    const fr_str *key = fr_arg(ctx, 1);
    fr_db *db = fr_ctx_db(ctx);
    int absolute = (o->flags & (SR_OPT_EXAT | SR_OPT_PXAT)) != 0;

    if (absolute && when <= (long long)fr_mstime()) {
        /* A timestamp already in the past deletes the key right away. */
        if (fr_key_delete(ctx, db, key)) {
            propagate_key_only(ctx, str_lazy_delete("lazyfree-lazy-expire"));
            str_notify(ctx, FR_NOTIFY_GENERIC, "del", key);
            fr_dirty(ctx, 1);
        }
    } else if (o->expire_arg >= 0) {
        fr_key_set_expire(ctx, db, key, when);
        char ms[SR_LL_CHARS];
        int n = sr_ll2str(ms, when);
        const char *argv[3] = {"PEXPIREAT", key->buf, ms};
        size_t lens[3] = {9, key->len, (size_t)n};
        str_propagate(ctx, 3, argv, lens);
        fr_key_touched_write(ctx, db, key);
        str_notify(ctx, FR_NOTIFY_GENERIC, "expire", key);
        fr_dirty(ctx, 1);
    } else if ((o->flags & SR_OPT_PERSIST) && fr_key_persist(ctx, db, key)) {
        propagate_key_only(ctx, "PERSIST");
        fr_key_touched_write(ctx, db, key);
        str_notify(ctx, FR_NOTIFY_GENERIC, "persist", key);
        fr_dirty(ctx, 1);
    }
}

void cmd_getex(fr_ctx *ctx) {
    sr_str_opts o;
    if (parse_opts(ctx, 2, 1, &o) != FR_OK) return;
    fr_value *v = str_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_null(ctx);
        return;
    }
    if (!str_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    long long when = 0;
    if (o.expire_arg >= 0) {
        if (str_expire_arg(ctx, o.expire_arg, o.flags & SR_OPT_ANY_EXPIRE,
                           &when) != FR_OK ||
            str_require_expire(ctx) != FR_OK || fr_expire_allowed_or_reply(ctx, when) != FR_OK)
            return;
    }
    str_reply_value(ctx, fr_value_payload(v));
    getex_apply(ctx, &o, when);
}

void cmd_mget(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    fr_reply_array(ctx, argc - 1);
    for (int j = 1; j < argc; j++) {
        fr_value *v = str_lookup_read(ctx, fr_arg(ctx, j));
        if (!v || !str_is_string(v))
            fr_reply_null(ctx);
        else
            str_reply_value(ctx, fr_value_payload(v));
    }
}

static void mset_generic(fr_ctx *ctx, int nx) {
    int argc = fr_argc(ctx);
    fr_db *db = fr_ctx_db(ctx);
    if (argc % 2 == 0) {
        fr_reply_errorf(ctx, "wrong number of arguments for '%s' command",
                        fr_ctx_command_name(ctx));
        return;
    }
    for (int j = 2; j < argc; j += 2)
        if (str_size_allowed_or_reply(ctx, fr_arg(ctx, j)->len) != FR_OK) return;
    if (nx) {
        for (int j = 1; j < argc; j += 2) {
            if (str_lookup_write(ctx, fr_arg(ctx, j))) {
                fr_reply_long_long(ctx, 0);
                return;
            }
        }
    }
    for (int j = 1; j < argc; j += 2) {
        /* Redis's setKey looks each key up (expiring a stale one) first. */
        if (!nx) str_lookup_write(ctx, fr_arg(ctx, j));
        fr_key_set(ctx, db, fr_arg(ctx, j), g_string_type,
                   sv_from_arg(ctx, j + 1), 0);
        str_notify(ctx, FR_NOTIFY_STRING, "set", fr_arg(ctx, j));
    }
    fr_dirty(ctx, (argc - 1) / 2);
    if (nx) fr_reply_long_long(ctx, 1);
    else fr_reply_ok(ctx);
}

void cmd_mset(fr_ctx *ctx) {
    mset_generic(ctx, 0);
}

void cmd_msetnx(fr_ctx *ctx) {
    mset_generic(ctx, 1);
}

/* str_common.c -- helpers shared by the strings command handlers.
 *
 * Owns the module's conventions for talking to the core: which lookup flags
 * mirror Redis's lookupKeyRead/lookupKeyWrite, how an in-place edit is
 * signalled (fr_key_touched_write for WATCH & co, plus fr_dirty: the core's
 * touched_write does not count the change itself), and the shared
 * expire-value parser.  Invariant: every helper that fails has already
 * replied. */
#include "strings_internal.h"

#include <strings.h>

fr_value *str_lookup_read(fr_ctx *ctx, const fr_str *key) {
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE);
}

fr_value *str_lookup_write(fr_ctx *ctx, const fr_str *key) {
    /* Redis's write lookups leave keyspace_hits/misses alone. */
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key,
                         FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
}

int str_is_string(const fr_value *v) {
    return fr_value_type(v) == g_string_type;
}

int str_opt_is(const fr_ctx *ctx, int i, const char *kw) {
    /* Redis compares option words with strcasecmp, so bytes after an
     * embedded NUL are ignored: keep that. */
    return strcasecmp(fr_arg(ctx, i)->buf, kw) == 0;
}

void str_reply_value(fr_ctx *ctx, const void *payload) {
    if (sv_is_inline(payload)) {
        fr_reply_bulk_ll(ctx, sv_inline_value(payload));
        return;
    }
    char tmp[SR_LL_CHARS];
    size_t len;
    const char *p = sv_bytes(payload, tmp, &len);
    fr_reply_bulk(ctx, p, len);
}

void str_replace_payload(fr_ctx *ctx, const fr_str *key, fr_value *v,
                         void *newp) {
    void *old = fr_value_payload(v);
    fr_value_set_payload(v, newp);
    if (old != newp) sv_free(old);
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, 1);
}

void str_store_edited(fr_ctx *ctx, const fr_str *key, fr_value *v,
                      fr_str *s) {
    /* The old payload's storage is s itself (possibly moved), or it was an
     * inline integer or an embstr whose block sv_take_raw already freed:
     * nothing to free. */
    fr_value_set_payload(v, sv_from_raw_str(s));
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, 1);
}

void str_notify(fr_ctx *ctx, int type, const char *event, const fr_str *key) {
    fr_notify_keyspace_event(type, event, key, fr_db_id(fr_ctx_db(ctx)));
}

void str_propagate(fr_ctx *ctx, int argc, const char *const *argv,
                   const size_t *lens) {
    fr_propagate_cstr(ctx, argc, argv, lens);
}

void str_reply_bad_expire(fr_ctx *ctx) {
    fr_reply_errorf(ctx, "invalid expire time in '%s' command",
                    fr_ctx_command_name(ctx));
}

int str_expire_arg(fr_ctx *ctx, int argi, int opt, long long *when_ms) {
    long long v;
    if (fr_arg_ll_or_reply(ctx, argi, &v) != FR_OK) return FR_ERR;
    int seconds = (opt & (SR_OPT_EX | SR_OPT_EXAT)) != 0;
    int relative = (opt & (SR_OPT_EX | SR_OPT_PX)) != 0;
    if (sr_expire_abs_ms(v, seconds, relative, (long long)fr_mstime(),
                         when_ms) != 0) {
        str_reply_bad_expire(ctx);
        return FR_ERR;
    }
    return FR_OK;
}

int str_require_expire(fr_ctx *ctx) {
    if (fr_expire_available()) return FR_OK;
    /* Storing a TTL nobody enforces would silently keep the key forever. */
    fr_reply_error(ctx,
                   "expire options need the ttl module, which is not "
                   "loaded");
    return FR_ERR;
}

/* ---- server directives -------------------------------------------------- */

/* Read at each use: CONFIG SET proto-max-bulk-len takes effect at once. */
long long str_proto_max_bulk(void) {
    return fr_config_server_ll("proto-max-bulk-len", SR_PROTO_MAX_BULK);
}

/* Deletions propagate as UNLINK when the matching lazyfree directive is on,
 * as Redis 7.0 does for GETDEL (lazyfree-lazy-user-del) and GETEX with a past
 * time (lazyfree-lazy-expire). */
const char *str_lazy_delete(const char *directive) {
    return fr_config_server_ll(directive, 0) ? "UNLINK" : "DEL";
}

/* module.c -- the hll module: HyperLogLog commands on string values.
 *
 * Owns the module's link to the string type (found at init through the
 * SDK, RDB type id 0; `depends: [strings]` loads it first) and the helpers
 * the handlers share.  Commands: hll_cmds.c (PFADD PFCOUNT PFMERGE),
 * hll_debug.c (PFDEBUG PFSELFTEST); the representation: hll_repr.c,
 * hll_count.c, hll_hash.c.  Invariant: g_hll_string and g_hll_string_def
 * are set from a successful init until deinit. */
#include "hll_internal.h"

const fr_type *g_hll_string;
const fr_type_def *g_hll_string_def;

int hll_init(fr_module *m) {
    (void)m;
    const fr_type *t = fr_type_by_rdb(0);
    const fr_type_def *d = fr_type_def_of(t);
    if (!d || !d->bytes || !d->take_bytes || !d->adopt_bytes) {
        fr_log(FR_LOG_WARNING, "module hll: no string type with byte access (SDK 4.3) is loaded");
        return FR_ERR;
    }
    g_hll_string = t;
    g_hll_string_def = d;
    return FR_OK;
}

void hll_deinit(fr_module *m) {
    (void)m;
    g_hll_string = NULL;
    g_hll_string_def = NULL;
}

fr_value *hll_lookup_read(fr_ctx *ctx, const fr_str *key) {
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE);
}

fr_value *hll_lookup_write(fr_ctx *ctx, const fr_str *key) {
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
}

const char *hll_view(const fr_value *v, size_t *len, char scratch[FR_INT_TEXT_MAX]) {
    return g_hll_string_def->bytes(fr_value_payload(v), len, scratch);
}

int hll_check_or_reply(fr_ctx *ctx, const fr_value *v) {
    if (fr_value_type(v) != g_hll_string) {
        fr_reply_wrongtype(ctx);
        return FR_ERR;
    }
    char scratch[FR_INT_TEXT_MAX];
    size_t len;
    const char *b = hll_view(v, &len, scratch);
    /* An int-encoded value never starts with the magic: refused here too,
     * as Redis refuses any value that is not a plain string. */
    if (!hll_is_valid_header(b, len)) {
        fr_reply_error(ctx, HLL_ERR_WRONGTYPE);
        return FR_ERR;
    }
    return FR_OK;
}

fr_str *hll_take(fr_value *v) {
    return g_hll_string_def->take_bytes(fr_value_payload(v));
}

void hll_put(fr_value *v, fr_str *s) {
    fr_value_set_payload(v, g_hll_string_def->adopt_bytes(s));
}

long long hll_sparse_max(void) {
    return hll_conf_hll_sparse_max_bytes();
}

void hll_touched(fr_ctx *ctx, const fr_str *key, long long dirty) {
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, dirty);
}

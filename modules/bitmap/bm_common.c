/* bm_common.c -- the bitmap module's access to string values and the
 * argument parsing its commands share.
 *
 * Owns the one bound on a bitmap's size (bm_offset_arg) and the
 * open/close protocol of a written value (bitmap_internal.h).  Every
 * helper that fails has already replied. */
#include "bitmap_internal.h"

#include <strings.h>

fr_value *bm_lookup_read(fr_ctx *ctx, const fr_str *key) {
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE);
}

fr_value *bm_lookup_write(fr_ctx *ctx, const fr_str *key) {
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
}

int bm_is_string(const fr_value *v) {
    return fr_value_type(v) == g_bm_string;
}

const unsigned char *bm_bytes(const fr_value *v, size_t *len, char scratch[FR_INT_TEXT_MAX]) {
    return (const unsigned char *)g_bm_string_def->bytes(fr_value_payload(v), len, scratch);
}

int bm_opt_is(const fr_ctx *ctx, int i, const char *kw) {
    return strcasecmp(fr_arg(ctx, i)->buf, kw) == 0;
}

int bm_offset_arg(fr_ctx *ctx, int i, int bits, uint64_t *offset) {
    static const char err[] = "bit offset is not an integer or out of range";
    const fr_str *a = fr_arg(ctx, i);
    int hash = bits > 0 && a->len > 0 && a->buf[0] == '#';
    long long off;
    if (!fr_string2ll(a->buf + hash, a->len - (size_t)hash, &off)) {
        fr_reply_error(ctx, err);
        return FR_ERR;
    }
    /* "#N" counts fields; the product wraps as Redis's does, and a wrapped
     * (negative) result is refused below. */
    if (hash) off = (long long)((unsigned long long)off * (unsigned long long)bits);
    long long max_bytes = fr_config_server_ll("proto-max-bulk-len", 512LL * 1024 * 1024);
    if (off < 0 || (off >> 3) >= max_bytes) {
        fr_reply_error(ctx, err);
        return FR_ERR;
    }
    *offset = (uint64_t)off;
    return FR_OK;
}

/* Hardened mode: refuse a write whose few request bytes would make the
 * server zero-fill a large gap (up to 512 MB) past the value's end. */
static int zero_fill_refused(fr_ctx *ctx, size_t curlen, size_t need) {
    if (!fr_ctx_hardened(ctx) || need <= curlen || need - curlen <= BM_HARD_ZERO_FILL_MAX) return 0;
    fr_ctx_divergence(ctx, "bitmap-zero-fill");
    fr_reply_error(ctx, "bit offset would zero-fill more than 8MB past the end of the value (hardened mode)");
    return 1;
}

int bm_target_open(fr_ctx *ctx, const fr_str *key, uint64_t maxbit, bm_target *t) {
    size_t need = (size_t)(maxbit >> 3) + 1;
    t->v = bm_lookup_write(ctx, key);
    if (t->v && !bm_is_string(t->v)) {
        fr_reply_wrongtype(ctx);
        return FR_ERR;
    }
    size_t curlen = 0;
    if (t->v) {
        char scratch[FR_INT_TEXT_MAX];
        bm_bytes(t->v, &curlen, scratch);
    }
    if (zero_fill_refused(ctx, curlen, need)) return FR_ERR;
    /* the string type's own cap on a value's size (hardened strings) */
    if (need > curlen && g_bm_string_def->size_allowed_or_reply &&
        g_bm_string_def->size_allowed_or_reply(ctx, need) != FR_OK)
        return FR_ERR;
    if (!t->v) {
        t->s = fr_str_set_len(fr_str_new_empty(need), need);
        t->dirty = 1;
        fr_key_set(ctx, fr_ctx_db(ctx), key, g_bm_string, g_bm_string_def->adopt_bytes(t->s), 0);
        return FR_OK;
    }
    t->s = g_bm_string_def->take_bytes(fr_value_payload(t->v));
    t->dirty = 0;
    if (t->s->len < need) {
        t->s = fr_str_set_len(t->s, need);
        t->dirty = 1;
    }
    /* The payload was consumed: the value holds the (raw) bytes again
     * before anything else can look at it. */
    fr_value_set_payload(t->v, g_bm_string_def->adopt_bytes(t->s));
    return FR_OK;
}

void bm_signal(fr_ctx *ctx, const fr_str *key, long long changes, int type, const char *event) {
    fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_notify_keyspace_event(type, event, key, fr_db_id(fr_ctx_db(ctx)));
    fr_dirty(ctx, changes);
}

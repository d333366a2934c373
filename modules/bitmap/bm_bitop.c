/* bm_bitop.c -- BITOP AND|OR|XOR|NOT destkey srckey...
 *
 * Owns the combination of source strings: a missing source is an empty
 * string, shorter sources are padded with zero bytes to the longest, and
 * the result is as long as the longest source.  An empty result deletes
 * the destination ("del" event) instead of storing "", as Redis does; a
 * stored result replaces the destination (its TTL cleared) with a "set"
 * event. */
#include "bitmap_internal.h"

#include <string.h>

enum { OP_AND, OP_OR, OP_XOR, OP_NOT };

static int parse_op(fr_ctx *ctx) {
    static const char *const names[] = {"and", "or", "xor", "not"};
    for (int op = OP_AND; op <= OP_NOT; op++)
        if (bm_opt_is(ctx, 1, names[op])) return op;
    return -1;
}

/* One source: its bytes, read in place (an int-encoded value renders
 * into scratch).  The views stay valid until the destination is written,
 * which happens after the result is computed, so a source that is also
 * the destination needs no copy. */
typedef struct src_view {
    const unsigned char *p;
    size_t len;
    char scratch[FR_INT_TEXT_MAX];
} src_view;

/* res (maxlen bytes, zeroed) = op over the n sources, each zero-padded to
 * maxlen.  One pass per source over its own bytes: simple loops the
 * compiler vectorises, where Redis hand-unrolls words. */
static void combine(int op, unsigned char *res, size_t maxlen, const src_view *src, int n) {
    if (src[0].len) memcpy(res, src[0].p, src[0].len);
    if (op == OP_NOT) {
        for (size_t j = 0; j < maxlen; j++) res[j] = (unsigned char)~res[j];
        return;
    }
    for (int i = 1; i < n; i++) {
        const unsigned char *b = src[i].p;
        size_t blen = src[i].len;
        if (op == OP_AND) {
            for (size_t j = 0; j < blen; j++) res[j] &= b[j];
            memset(res + blen, 0, maxlen - blen); /* AND with the padding */
        } else if (op == OP_OR) {
            for (size_t j = 0; j < blen; j++) res[j] |= b[j];
        } else {
            for (size_t j = 0; j < blen; j++) res[j] ^= b[j];
        }
    }
}

void cmd_bitop(fr_ctx *ctx) {
    int op = parse_op(ctx);
    if (op < 0) {
        fr_reply_syntax_error(ctx);
        return;
    }
    int argc = fr_argc(ctx);
    if (op == OP_NOT && argc != 4) {
        fr_reply_error(ctx, "BITOP NOT must be called with a single source key.");
        return;
    }
    int n = argc - 3;
    src_view *src = fr_calloc(sizeof(*src) * (size_t)n);
    size_t maxlen = 0;
    for (int i = 0; i < n; i++) {
        fr_value *v = bm_lookup_read(ctx, fr_arg(ctx, 3 + i));
        if (v && !bm_is_string(v)) {
            fr_free(src);
            fr_reply_wrongtype(ctx);
            return;
        }
        if (v) src[i].p = bm_bytes(v, &src[i].len, src[i].scratch);
        if (src[i].len > maxlen) maxlen = src[i].len;
    }
    const fr_str *dest = fr_arg(ctx, 2);
    fr_db *db = fr_ctx_db(ctx);
    if (maxlen) {
        fr_str *res = fr_str_set_len(fr_str_new_empty(maxlen), maxlen);
        combine(op, (unsigned char *)res->buf, maxlen, src, n);
        fr_key_set(ctx, db, dest, g_bm_string, g_bm_string_def->adopt_bytes(res), 0);
        fr_notify_keyspace_event(FR_NOTIFY_STRING, "set", dest, fr_db_id(db));
        fr_dirty(ctx, 1);
    } else if (fr_key_delete(ctx, db, dest)) {
        fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", dest, fr_db_id(db));
        fr_dirty(ctx, 1);
    }
    fr_free(src);
    fr_reply_long_long(ctx, (long long)maxlen);
}

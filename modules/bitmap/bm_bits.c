/* bm_bits.c -- SETBIT GETBIT BITCOUNT BITPOS.
 *
 * Owns Redis's argument order for these commands, which decides which
 * error a client sees first: SETBIT and GETBIT check the offset before the
 * key; BITCOUNT looks the key up before parsing its range (a missing key
 * answers 0 whatever follows); BITPOS checks the bit, then the key, then
 * the range.  Ranges are clamped as Redis clamps them, then counted or
 * searched bit by bit over [first, last]. */
#include "bitmap_internal.h"

void cmd_setbit(fr_ctx *ctx) {
    static const char err[] = "bit is not an integer or out of range";
    const fr_str *key = fr_arg(ctx, 1);
    uint64_t offset;
    if (bm_offset_arg(ctx, 2, 0, &offset) != FR_OK) return;
    const fr_str *a = fr_arg(ctx, 3);
    long long on;
    if (!fr_string2ll(a->buf, a->len, &on) || (on & ~1LL)) {
        fr_reply_error(ctx, err);
        return;
    }
    bm_target t;
    if (bm_target_open(ctx, key, offset, &t) != FR_OK) return;
    unsigned char *byte = (unsigned char *)t.s->buf + (offset >> 3);
    unsigned char mask = (unsigned char)(1u << (7 - (offset & 7)));
    int old = (*byte & mask) != 0;
    if (t.dirty || old != on) {
        *byte = on ? (unsigned char)(*byte | mask) : (unsigned char)(*byte & ~mask);
        bm_signal(ctx, key, 1, FR_NOTIFY_STRING, "setbit");
    }
    fr_reply_long_long(ctx, old);
}

void cmd_getbit(fr_ctx *ctx) {
    uint64_t offset;
    if (bm_offset_arg(ctx, 2, 0, &offset) != FR_OK) return;
    fr_value *v = bm_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    if (!bm_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return;
    }
    char scratch[FR_INT_TEXT_MAX];
    size_t len;
    const unsigned char *p = bm_bytes(v, &len, scratch);
    int bit = 0;
    if ((offset >> 3) < len) bit = (p[offset >> 3] >> (7 - (offset & 7))) & 1;
    fr_reply_long_long(ctx, bit);
}

/* BIT or BYTE at argument i: 1 for BIT, 0 for BYTE, -1 after a syntax error. */
static int unit_arg(fr_ctx *ctx, int i) {
    if (bm_opt_is(ctx, i, "bit")) return 1;
    if (bm_opt_is(ctx, i, "byte")) return 0;
    fr_reply_syntax_error(ctx);
    return -1;
}

/* Redis's clamping of a [start, end] range over `total` units (bytes or
 * bits): negative indexes count from the end, then both are held inside
 * 0..total-1.  The result may be empty (start > end). */
static void clamp_range(long long total, long long *start, long long *end) {
    if (*start < 0) *start += total;
    if (*end < 0) *end += total;
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    if (*end >= total) *end = total - 1;
}

/* A string value for a read-only bit command: NULL after replying (a
 * missing key answers `missing`, a non-string WRONGTYPE). */
static const unsigned char *read_string(fr_ctx *ctx, long long missing, size_t *len,
                                        char scratch[FR_INT_TEXT_MAX]) {
    fr_value *v = bm_lookup_read(ctx, fr_arg(ctx, 1));
    if (!v) {
        fr_reply_long_long(ctx, missing);
        return NULL;
    }
    if (!bm_is_string(v)) {
        fr_reply_wrongtype(ctx);
        return NULL;
    }
    return bm_bytes(v, len, scratch);
}

void cmd_bitcount(fr_ctx *ctx) {
    char scratch[FR_INT_TEXT_MAX];
    size_t len;
    const unsigned char *p = read_string(ctx, 0, &len, scratch);
    if (!p) return;
    int argc = fr_argc(ctx), isbit = 0;
    long long start = 0, end = (long long)len - 1;
    if (argc == 4 || argc == 5) {
        if (fr_arg_ll_or_reply(ctx, 2, &start) != FR_OK) return;
        if (fr_arg_ll_or_reply(ctx, 3, &end) != FR_OK) return;
        if (start < 0 && end < 0 && start > end) {
            fr_reply_long_long(ctx, 0);
            return;
        }
        if (argc == 5 && (isbit = unit_arg(ctx, 4)) < 0) return;
        clamp_range(isbit ? (long long)len * 8 : (long long)len, &start, &end);
    } else if (argc != 2) {
        fr_reply_syntax_error(ctx);
        return;
    }
    if (start > end) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    uint64_t first = isbit ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t last = isbit ? (uint64_t)end : (uint64_t)end * 8 + 7;
    fr_reply_long_long(ctx, bm_popcount_range(p, first, last));
}

void cmd_bitpos(fr_ctx *ctx) {
    long long bit;
    if (fr_arg_ll_or_reply(ctx, 2, &bit) != FR_OK) return;
    if (bit != 0 && bit != 1) {
        fr_reply_error(ctx, "The bit argument must be 1 or 0.");
        return;
    }
    /* A missing key is an endless run of zeros. */
    char scratch[FR_INT_TEXT_MAX];
    size_t len;
    const unsigned char *p = read_string(ctx, bit ? -1 : 0, &len, scratch);
    if (!p) return;
    int argc = fr_argc(ctx), isbit = 0, end_given = 0;
    long long start = 0, end = (long long)len - 1;
    if (argc >= 4 && argc <= 6) {
        if (fr_arg_ll_or_reply(ctx, 3, &start) != FR_OK) return;
        if (argc == 6 && (isbit = unit_arg(ctx, 5)) < 0) return;
        if (argc >= 5) {
            if (fr_arg_ll_or_reply(ctx, 4, &end) != FR_OK) return;
            end_given = 1;
        }
        clamp_range(isbit ? (long long)len * 8 : (long long)len, &start, &end);
    } else if (argc != 3) {
        fr_reply_syntax_error(ctx);
        return;
    }
    if (start > end) {
        fr_reply_long_long(ctx, -1);
        return;
    }
    uint64_t first = isbit ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t last = isbit ? (uint64_t)end : (uint64_t)end * 8 + 7;
    long long pos = bm_bitpos_range(p, first, last, (int)bit);
    /* No 0 in range: past an open range the string goes on with zeros,
     * but an explicit end bounds the search. */
    if (pos < 0 && bit == 0 && !end_given) pos = (long long)last + 1;
    fr_reply_long_long(ctx, pos);
}

/* bm_bitfield.c -- BITFIELD and BITFIELD_RO.
 *
 * Owns the two phases Redis runs them in: every subcommand is parsed
 * first (an error anywhere answers that error and nothing runs), then the
 * key is opened -- for writing, grown to the highest bit any SET or INCRBY
 * touches, only when there is one -- and the operations run in order, each
 * with the OVERFLOW policy in force where it appeared.  GET reads a zero-
 * padded copy of up to 9 bytes so that fields may run past the value's end.
 * A change (or a write to a created or grown value) counts once per
 * operation, with one "setbit" event for the command. */
#include "bitmap_internal.h"

#include <string.h>

enum { BF_GET, BF_SET, BF_INCRBY };

typedef struct bf_op {
    uint64_t offset;
    int64_t arg;        /* SET value or INCRBY increment */
    int opcode;
    int policy;         /* BM_OVERFLOW_* */
    int bits;
    int sign;
} bf_op;

/* "i1".."i64" or "u1".."u63". */
static int type_arg(fr_ctx *ctx, int i, int *sign, int *bits) {
    const fr_str *a = fr_arg(ctx, i);
    long long n;
    int ok = a->len > 0 && (a->buf[0] == 'i' || a->buf[0] == 'u');
    if (ok) {
        *sign = a->buf[0] == 'i';
        /* Redis reads the width as a C string: bytes after a NUL do not count. */
        ok = fr_string2ll(a->buf + 1, strlen(a->buf + 1), &n) && n >= 1 && n <= (*sign ? 64 : 63);
    }
    if (!ok) {
        fr_reply_error(ctx, "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
        return FR_ERR;
    }
    *bits = (int)n;
    return FR_OK;
}

/* Parse every subcommand into ops (*n of them); FR_ERR after replying. */
static int parse_ops(fr_ctx *ctx, bf_op *ops, int *n, int *readonly, uint64_t *highest) {
    int argc = fr_argc(ctx), policy = BM_OVERFLOW_WRAP;
    *n = 0;
    *readonly = 1;
    *highest = 0;
    for (int j = 2; j < argc; j++) {
        int rem = argc - j - 1;
        bf_op op = {0};
        if (bm_opt_is(ctx, j, "get") && rem >= 2) {
            op.opcode = BF_GET;
        } else if (bm_opt_is(ctx, j, "set") && rem >= 3) {
            op.opcode = BF_SET;
        } else if (bm_opt_is(ctx, j, "incrby") && rem >= 3) {
            op.opcode = BF_INCRBY;
        } else if (bm_opt_is(ctx, j, "overflow") && rem >= 1) {
            j++;
            if (bm_opt_is(ctx, j, "wrap")) policy = BM_OVERFLOW_WRAP;
            else if (bm_opt_is(ctx, j, "sat")) policy = BM_OVERFLOW_SAT;
            else if (bm_opt_is(ctx, j, "fail")) policy = BM_OVERFLOW_FAIL;
            else {
                fr_reply_error(ctx, "Invalid OVERFLOW type specified");
                return FR_ERR;
            }
            continue;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
        if (type_arg(ctx, j + 1, &op.sign, &op.bits) != FR_OK) return FR_ERR;
        if (bm_offset_arg(ctx, j + 2, op.bits, &op.offset) != FR_OK) return FR_ERR;
        if (op.opcode != BF_GET) {
            *readonly = 0;
            if (*highest < op.offset + (uint64_t)op.bits - 1) *highest = op.offset + (uint64_t)op.bits - 1;
            long long v;
            if (fr_arg_ll_or_reply(ctx, j + 3, &v) != FR_OK) return FR_ERR;
            op.arg = v;
        }
        op.policy = policy;
        ops[(*n)++] = op;
        j += op.opcode == BF_GET ? 2 : 3;
    }
    return FR_OK;
}

/* GET over bytes that may end before the field does. */
static void run_get(fr_ctx *ctx, const bf_op *op, const unsigned char *p, size_t len) {
    unsigned char buf[9] = {0};
    uint64_t byte = op->offset >> 3;
    for (uint64_t i = 0; i < 9 && p && byte + i < len; i++) buf[i] = p[byte + i];
    uint64_t off = op->offset - byte * 8;
    if (op->sign)
        fr_reply_long_long(ctx, bm_get_signed(buf, off, op->bits));
    else
        fr_reply_long_long(ctx, (long long)bm_get_unsigned(buf, off, op->bits));
}

/* SET or INCRBY on the opened value; returns 1 when it counts as a change. */
static int run_write(fr_ctx *ctx, const bf_op *op, unsigned char *p, int dirty) {
    int overflow;
    uint64_t oldbits, newbits;
    long long reply;
    if (op->sign) {
        int64_t old = bm_get_signed(p, op->offset, op->bits), nv, lim = 0;
        if (op->opcode == BF_INCRBY) {
            overflow = bm_overflow_signed(old, op->arg, op->bits, op->policy, &lim);
            nv = overflow ? lim : (int64_t)((uint64_t)old + (uint64_t)op->arg);
            reply = nv;
        } else {
            overflow = bm_overflow_signed(op->arg, 0, op->bits, op->policy, &lim);
            nv = overflow ? lim : op->arg;
            reply = old;
        }
        oldbits = (uint64_t)old;
        newbits = (uint64_t)nv;
    } else {
        uint64_t old = bm_get_unsigned(p, op->offset, op->bits), nv, lim = 0;
        if (op->opcode == BF_INCRBY) {
            overflow = bm_overflow_unsigned(old, op->arg, op->bits, op->policy, &lim);
            nv = overflow ? lim : old + (uint64_t)op->arg;
            reply = (long long)nv;
        } else {
            overflow = bm_overflow_unsigned((uint64_t)op->arg, 0, op->bits, op->policy, &lim);
            nv = overflow ? lim : (uint64_t)op->arg;
            reply = (long long)old;
        }
        oldbits = old;
        newbits = nv;
    }
    if (overflow && op->policy == BM_OVERFLOW_FAIL) {
        fr_reply_null(ctx);
        return 0;
    }
    fr_reply_long_long(ctx, reply);
    bm_set_field(p, op->offset, op->bits, newbits);
    return dirty || oldbits != newbits;
}

static void bitfield(fr_ctx *ctx, int ro_command) {
    const fr_str *key = fr_arg(ctx, 1);
    /* At most one op per two arguments. */
    bf_op *ops = fr_malloc(sizeof(*ops) * (size_t)(fr_argc(ctx) / 2 + 1));
    int n, readonly;
    uint64_t highest;
    if (parse_ops(ctx, ops, &n, &readonly, &highest) != FR_OK) goto done;
    if (readonly) {
        fr_value *v = bm_lookup_read(ctx, key);
        if (v && !bm_is_string(v)) {
            fr_reply_wrongtype(ctx);
            goto done;
        }
        char scratch[FR_INT_TEXT_MAX];
        size_t len = 0;
        const unsigned char *p = v ? bm_bytes(v, &len, scratch) : NULL;
        fr_reply_array(ctx, n);
        for (int i = 0; i < n; i++) run_get(ctx, &ops[i], p, len);
        goto done;
    }
    if (ro_command) {
        fr_reply_error(ctx, "BITFIELD_RO only supports the GET subcommand");
        goto done;
    }
    bm_target t;
    if (bm_target_open(ctx, key, highest, &t) != FR_OK) goto done;
    long long changes = 0;
    fr_reply_array(ctx, n);
    for (int i = 0; i < n; i++) {
        unsigned char *p = (unsigned char *)t.s->buf;
        if (ops[i].opcode == BF_GET)
            run_get(ctx, &ops[i], p, t.s->len);
        else
            changes += run_write(ctx, &ops[i], p, t.dirty);
    }
    if (changes) bm_signal(ctx, key, changes, FR_NOTIFY_STRING, "setbit");
done:
    fr_free(ops);
}

void cmd_bitfield(fr_ctx *ctx) {
    bitfield(ctx, 0);
}

void cmd_bitfield_ro(fr_ctx *ctx) {
    bitfield(ctx, 1);
}

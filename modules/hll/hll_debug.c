/* hll_debug.c -- PFDEBUG GETREG|DECODE|ENCODING|TODENSE and PFSELFTEST.
 *
 * PFDEBUG looks the key up for writing and turns it raw before reading the
 * subcommand, as Redis does, so an unknown subcommand on an existing
 * HyperLogLog still answers only after those checks.  GETREG and TODENSE
 * turn a sparse value dense and count that as a change.  PFSELFTEST checks
 * the 6-bit register packing against a byte array, then that dense and
 * sparse values fed the same elements agree and stay within six standard
 * errors of the true count up to 10 million elements. */
#include "hll_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void reply_registers(fr_ctx *ctx, const fr_str *s) {
    const uint8_t *regs = (const uint8_t *)s->buf + HLL_HDR_SIZE;
    fr_reply_array(ctx, HLL_REGISTERS);
    for (long j = 0; j < HLL_REGISTERS; j++) fr_reply_long_long(ctx, hll_dense_get(regs, j));
}

void cmd_pfdebug(fr_ctx *ctx) {
    const char *sub = fr_arg(ctx, 1)->buf;
    const fr_str *key = fr_arg(ctx, 2);
    fr_value *v = hll_lookup_write(ctx, key);
    if (!v) {
        fr_reply_error(ctx, "The specified key does not exist");
        return;
    }
    if (hll_check_or_reply(ctx, v) != FR_OK) return;
    fr_str *s = hll_take(v);
    int known = !strcasecmp(sub, "getreg") || !strcasecmp(sub, "decode") || !strcasecmp(sub, "encoding") ||
                !strcasecmp(sub, "todense");
    if (!known) {
        hll_put(v, s);
        fr_reply_errorf(ctx, "Unknown PFDEBUG subcommand '%s'", sub);
        return;
    }
    if (fr_argc(ctx) != 3) {
        hll_put(v, s);
        fr_reply_errorf(ctx, "Wrong number of arguments for the '%s' subcommand", sub);
        return;
    }
    int sparse = HLL_ENCODING(s->buf) == HLL_SPARSE;
    if (!strcasecmp(sub, "getreg") || !strcasecmp(sub, "todense")) {
        int ok = hll_to_dense(&s) == FR_OK;
        hll_put(v, s);
        if (!ok) {
            fr_reply_error(ctx, HLL_ERR_INVALID);
            return;
        }
        if (sparse) fr_dirty(ctx, 1);
        if (!strcasecmp(sub, "getreg"))
            reply_registers(ctx, s);
        else
            fr_reply_long_long(ctx, sparse);
        return;
    }
    hll_put(v, s);
    if (!strcasecmp(sub, "encoding")) {
        fr_reply_status(ctx, sparse ? "sparse" : "dense");
    } else if (!sparse) {
        fr_reply_error(ctx, "HLL encoding is not sparse");
    } else {
        fr_str *text = hll_sparse_decode(s->buf, s->len);
        fr_reply_bulk_str(ctx, text);
        fr_str_free(text);
    }
}

/* Test 1: every register keeps what was written, and only that. */
static int selftest_registers(fr_ctx *ctx) {
    uint8_t *regs = fr_calloc(HLL_DENSE_SIZE - HLL_HDR_SIZE + 1);
    uint8_t *ref = fr_malloc(HLL_REGISTERS);
    int ok = 1;
    for (int cycle = 0; cycle < 1000 && ok; cycle++) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            ref[i] = (uint8_t)(rand() & HLL_REGISTER_MAX);
            hll_dense_set(regs, i, ref[i]);
        }
        for (long i = 0; i < HLL_REGISTERS && ok; i++) {
            unsigned got = hll_dense_get(regs, i);
            if (got != ref[i]) {
                fr_reply_errorf(ctx, "TESTFAILED Register %ld should be %d but is %u", i, ref[i], got);
                ok = 0;
            }
        }
    }
    fr_free(ref);
    fr_free(regs);
    return ok;
}

/* Test 2: dense and sparse agree, and the error stays small. */
static int selftest_estimate(fr_ctx *ctx) {
    fr_str *dense = hll_new(), *sparse = hll_new();
    hll_to_dense(&dense);
    double relerr = 1.04 / sqrt(HLL_REGISTERS);
    long long sparse_max = hll_sparse_max();
    uint64_t seed = (uint64_t)rand() | (uint64_t)rand() << 32;
    int64_t checkpoint = 1;
    int ok = 1;
    for (uint64_t j = 1; j <= 10000000 && ok; j++) {
        uint64_t ele = j ^ seed;
        hll_add(&dense, &ele, sizeof(ele), sparse_max);
        hll_add(&sparse, &ele, sizeof(ele), sparse_max);
        if ((int64_t)j != checkpoint) continue;
        if ((long long)j < sparse_max / 2 && HLL_ENCODING(sparse->buf) != HLL_SPARSE) {
            fr_reply_error(ctx, "TESTFAILED sparse encoding not used");
            ok = 0;
            break;
        }
        uint64_t cd = hll_count(dense->buf, dense->len, NULL);
        if (cd != hll_count(sparse->buf, sparse->len, NULL)) {
            fr_reply_error(ctx, "TESTFAILED dense/sparse disagree");
            ok = 0;
            break;
        }
        int64_t abserr = llabs(checkpoint - (int64_t)cd);
        uint64_t maxerr = (uint64_t)ceil(relerr * 6 * (double)checkpoint);
        /* Collisions make larger errors likely at this tiny count. */
        if (j == 10) maxerr = 1;
        if (abserr > (int64_t)maxerr) {
            fr_reply_errorf(ctx, "TESTFAILED Too big error. card:%llu abserr:%llu", (unsigned long long)checkpoint,
                            (unsigned long long)abserr);
            ok = 0;
        }
        checkpoint *= 10;
    }
    fr_str_free(dense);
    fr_str_free(sparse);
    return ok;
}

void cmd_pfselftest(fr_ctx *ctx) {
    if (selftest_registers(ctx) && selftest_estimate(ctx)) fr_reply_ok(ctx);
}

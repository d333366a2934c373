/* hll_repr.c -- creating, validating, editing and merging HyperLogLog
 * values in Redis's representation (layout in hll_repr.h).
 *
 * Sparse edits follow Redis's algorithm step for step because its output
 * is observable (DUMP, GETRANGE, PFDEBUG DECODE): the run holding the
 * register is split into at most three opcodes, then equal VAL runs around
 * it are merged over a window of five opcodes, and the value turns dense
 * when a register needs more than 32 or the bytes would pass
 * hll-sparse-max-bytes.  An fr_str is NUL-terminated past its length, as
 * an sds is; a truncated XZERO at the very end reads that NUL as Redis
 * reads its terminator, and 3 bytes of room are reserved before a split so
 * the same writes stay inside the allocation. */
#include "hll_repr.h"

#include <stdio.h>
#include <string.h>

#define OP_IS_ZERO(b) (((b) & 0xc0) == 0x00)
#define OP_IS_XZERO(b) (((b) & 0xc0) == 0x40)
#define OP_IS_VAL(b) (((b) & 0x80) != 0)
#define ZERO_LEN(p) (((p)[0] & 0x3f) + 1)
#define XZERO_LEN(p) (((((p)[0] & 0x3f) << 8) | (p)[1]) + 1)
#define VAL_VALUE(p) ((((p)[0] >> 2) & 0x1f) + 1)
#define VAL_LEN(p) (((p)[0] & 0x3) + 1)
#define ZERO_MAX_LEN 64
#define XZERO_MAX_LEN 16384
#define VAL_MAX_LEN 4

static void put_zero(uint8_t *p, long len) {
    p[0] = (uint8_t)(len - 1);
}

static void put_xzero(uint8_t *p, long len) {
    p[0] = (uint8_t)(((len - 1) >> 8) | 0x40);
    p[1] = (uint8_t)((len - 1) & 0xff);
}

static void put_val(uint8_t *p, int value, long len) {
    p[0] = (uint8_t)(((value - 1) << 2) | (len - 1) | 0x80);
}

int hll_is_valid_header(const char *buf, size_t len) {
    if (len < HLL_HDR_SIZE || memcmp(buf, "HYLL", 4) != 0) return 0;
    if (HLL_ENCODING(buf) > HLL_MAX_ENCODING) return 0;
    return HLL_ENCODING(buf) != HLL_DENSE || len == HLL_DENSE_SIZE;
}

fr_str *hll_new(void) {
    long regs = HLL_REGISTERS;
    size_t len = HLL_HDR_SIZE + (size_t)((HLL_REGISTERS + XZERO_MAX_LEN - 1) / XZERO_MAX_LEN) * 2;
    fr_str *s = fr_str_set_len(fr_str_new_empty(len), len);
    memcpy(s->buf, "HYLL", 4);
    s->buf[4] = HLL_SPARSE;
    for (uint8_t *p = (uint8_t *)s->buf + HLL_HDR_SIZE; regs; p += 2) {
        long run = regs > XZERO_MAX_LEN ? XZERO_MAX_LEN : regs;
        put_xzero(p, run);
        regs -= run;
    }
    return s;
}

unsigned hll_dense_get(const uint8_t *regs, long i) {
    unsigned long bit = (unsigned long)i * HLL_BITS;
    unsigned long b0 = bit >> 3, fb = bit & 7;
    unsigned v = regs[b0] >> fb;
    if (fb > 8 - HLL_BITS) v |= (unsigned)regs[b0 + 1] << (8 - fb);
    return v & HLL_REGISTER_MAX;
}

void hll_dense_set(uint8_t *regs, long i, unsigned v) {
    unsigned long bit = (unsigned long)i * HLL_BITS;
    unsigned long b0 = bit >> 3, fb = bit & 7;
    regs[b0] = (uint8_t)((regs[b0] & ~(HLL_REGISTER_MAX << fb)) | (v << fb));
    if (fb > 8 - HLL_BITS)
        regs[b0 + 1] = (uint8_t)((regs[b0 + 1] & ~(HLL_REGISTER_MAX >> (8 - fb))) | (v >> (8 - fb)));
}

static int dense_raise(uint8_t *regs, long index, uint8_t count) {
    if (count <= hll_dense_get(regs, index)) return 0;
    hll_dense_set(regs, index, count);
    return 1;
}

/* Read the sparse runs p..end: written into dense registers when `dense`
 * is given, max-merged into one-byte registers when `max` is.
 * 1 when the runs cover exactly HLL_REGISTERS registers, 0 otherwise
 * (stopping at the first run that would pass the end). */
static int walk_sparse(const uint8_t *p, const uint8_t *end, uint8_t *dense, uint8_t *max) {
    long idx = 0;
    while (p < end) {
        long run;
        int value = 0;
        if (OP_IS_ZERO(*p)) {
            run = ZERO_LEN(p);
            p++;
        } else if (OP_IS_XZERO(*p)) {
            run = XZERO_LEN(p);
            p += 2;
        } else {
            run = VAL_LEN(p);
            value = VAL_VALUE(p);
            p++;
        }
        if (run + idx > HLL_REGISTERS) return 0;
        for (long i = 0; value && i < run; i++) {
            if (dense) hll_dense_set(dense, idx + i, (unsigned)value);
            if (max && value > max[idx + i]) max[idx + i] = (uint8_t)value;
        }
        idx += run;
    }
    return idx == HLL_REGISTERS;
}

int hll_to_dense(fr_str **ps) {
    fr_str *s = *ps;
    if (HLL_ENCODING(s->buf) == HLL_DENSE) return FR_OK;
    fr_str *d = fr_str_set_len(fr_str_new_empty(HLL_DENSE_SIZE), HLL_DENSE_SIZE);
    memcpy(d->buf, s->buf, HLL_HDR_SIZE); /* magic, unused bytes, cached cardinality */
    d->buf[4] = HLL_DENSE;
    const uint8_t *p = (const uint8_t *)s->buf + HLL_HDR_SIZE;
    if (!walk_sparse(p, (const uint8_t *)s->buf + s->len, (uint8_t *)d->buf + HLL_HDR_SIZE, NULL)) {
        fr_str_free(d);
        return FR_ERR;
    }
    fr_str_free(s);
    *ps = d;
    return FR_OK;
}

int hll_merge(uint8_t *max, const char *buf, size_t len) {
    const uint8_t *regs = (const uint8_t *)buf + HLL_HDR_SIZE;
    if (HLL_ENCODING(buf) == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            unsigned v = hll_dense_get(regs, i);
            if (v > max[i]) max[i] = (uint8_t)v;
        }
        return FR_OK;
    }
    return walk_sparse(regs, (const uint8_t *)buf + len, NULL, max) ? FR_OK : FR_ERR;
}

/* The opcodes replacing the run [first, last] (kind zero or VAL of
 * `curval`) once register `index` holds `count`; returns their length. */
static int split_run(uint8_t *seq, int is_val, int curval, long first, long last, long index, uint8_t count) {
    uint8_t *n = seq;
    if (index != first) {
        long len = index - first;
        if (is_val) put_val(n++, curval, len);
        else if (len > ZERO_MAX_LEN) put_xzero(n, len), n += 2;
        else put_zero(n++, len);
    }
    put_val(n++, count, 1);
    if (index != last) {
        long len = last - index;
        if (is_val) put_val(n++, curval, len);
        else if (len > ZERO_MAX_LEN) put_xzero(n, len), n += 2;
        else put_zero(n++, len);
    }
    return (int)(n - seq);
}

/* Merge adjacent VAL opcodes of one value, scanning five opcodes from p. */
static void merge_vals(fr_str *s, uint8_t *p) {
    uint8_t *end = (uint8_t *)s->buf + s->len;
    int scan = 5;
    while (p < end && scan--) {
        if (OP_IS_XZERO(*p)) {
            p += 2;
            continue;
        }
        if (OP_IS_ZERO(*p)) {
            p++;
            continue;
        }
        if (p + 1 < end && OP_IS_VAL(p[1]) && VAL_VALUE(p) == VAL_VALUE(p + 1)) {
            long len = VAL_LEN(p) + VAL_LEN(p + 1);
            if (len <= VAL_MAX_LEN) {
                put_val(p + 1, VAL_VALUE(p), len);
                memmove(p, p + 1, (size_t)(end - p));
                s->len--;
                end--;
                s->buf[s->len] = '\0';
                continue; /* the merged run may merge again on its right */
            }
        }
        p++;
    }
}

int hll_sparse_set(fr_str **ps, long index, uint8_t count, long long sparse_max) {
    if (count > HLL_SPARSE_VAL_MAX) goto promote;
    *ps = fr_str_reserve(*ps, 3);
    fr_str *s = *ps;
    uint8_t *sparse = (uint8_t *)s->buf + HLL_HDR_SIZE, *end = (uint8_t *)s->buf + s->len;
    uint8_t *p = sparse, *prev = NULL;
    long first = 0, span = 0;
    /* Find the opcode covering `index`. */
    while (p < end) {
        int oplen = 1;
        if (OP_IS_ZERO(*p)) {
            span = ZERO_LEN(p);
        } else if (OP_IS_VAL(*p)) {
            span = VAL_LEN(p);
        } else {
            span = XZERO_LEN(p);
            oplen = 2;
        }
        if (index <= first + span - 1) break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end) return -1;
    int is_xzero = OP_IS_XZERO(*p), is_val = OP_IS_VAL(*p);
    uint8_t *next = is_xzero ? p + 2 : p + 1;
    if (next >= end) next = NULL;
    if (is_val) {
        if (VAL_VALUE(p) >= count) return 0;
        if (span == 1) {
            put_val(p, count, 1);
            goto updated;
        }
    } else if (!is_xzero && span == 1) {
        put_val(p, count, 1);
        goto updated;
    }
    uint8_t seq[5];
    int seqlen = split_run(seq, is_val, is_val ? VAL_VALUE(p) : 0, first, first + span - 1, index, count);
    int delta = seqlen - (is_xzero ? 2 : 1);
    if (delta > 0 && (long long)s->len + delta > sparse_max) goto promote;
    if (delta && next) memmove(next + delta, next, (size_t)(end - next));
    s->len = (size_t)((long long)s->len + delta);
    s->buf[s->len] = '\0';
    /* After the terminator, as Redis orders it: only a truncated XZERO at
     * the very end (corrupt input) makes the copy reach that byte. */
    memcpy(p, seq, (size_t)seqlen);
updated:
    merge_vals(s, prev ? prev : sparse);
    hll_cache_invalidate(s->buf);
    return 1;
promote:
    /* Past the checks above the register is below `count`: this raises it. */
    if (hll_to_dense(ps) != FR_OK) return -1;
    return dense_raise((uint8_t *)(*ps)->buf + HLL_HDR_SIZE, index, count);
}

int hll_add(fr_str **ps, const void *ele, size_t len, long long sparse_max) {
    long index;
    int count = hll_pattern(ele, len, &index);
    switch (HLL_ENCODING((*ps)->buf)) {
    case HLL_DENSE: return dense_raise((uint8_t *)(*ps)->buf + HLL_HDR_SIZE, index, (uint8_t)count);
    case HLL_SPARSE: return hll_sparse_set(ps, index, (uint8_t)count, sparse_max);
    default: return -1;
    }
}

fr_str *hll_sparse_decode(const char *buf, size_t len) {
    const uint8_t *p = (const uint8_t *)buf + HLL_HDR_SIZE, *end = (const uint8_t *)buf + len;
    fr_str *out = fr_str_new_empty(64);
    char item[32];
    while (p < end) {
        int n;
        if (OP_IS_ZERO(*p)) {
            n = snprintf(item, sizeof(item), "z:%d ", ZERO_LEN(p));
            p++;
        } else if (OP_IS_XZERO(*p)) {
            n = snprintf(item, sizeof(item), "Z:%d ", XZERO_LEN(p));
            p += 2;
        } else {
            n = snprintf(item, sizeof(item), "v:%d,%d ", VAL_VALUE(p), VAL_LEN(p));
            p++;
        }
        out = fr_str_cat(out, item, (size_t)n);
    }
    if (out->len) out = fr_str_set_len(out, out->len - 1); /* the last space */
    return out;
}

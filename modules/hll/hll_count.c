/* hll_count.c -- the cardinality estimate and the cached cardinality.
 *
 * The estimate is Redis's: a histogram of register values fed to Otmar
 * Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", arXiv:1702.01284).  The floating-point steps are
 * done in the same order and precision as Redis does them, so the integer
 * answered is the same, not merely close. */
#include "hll_repr.h"

#include <math.h>
#include <string.h>

#define HLL_ALPHA_INF 0.721347520444481703680 /* 0.5 / ln(2) */

/* The sparse opcodes (hll_repr.h). */
#define OP_IS_ZERO(b) (((b) & 0xc0) == 0x00)
#define OP_IS_XZERO(b) (((b) & 0xc0) == 0x40)
#define ZERO_LEN(p) (((p)[0] & 0x3f) + 1)
#define XZERO_LEN(p) (((((p)[0] & 0x3f) << 8) | (p)[1]) + 1)
#define VAL_VALUE(p) ((((p)[0] >> 2) & 0x1f) + 1)
#define VAL_LEN(p) (((p)[0] & 0x3) + 1)

static double sigma(double x) {
    if (x == 1.) return INFINITY;
    double y = 1, z = x, prev;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (prev != z);
    return z;
}

static double tau(double x) {
    if (x == 0. || x == 1.) return 0.;
    double y = 1.0, z = 1 - x, prev;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (prev != z);
    return z / 3;
}

static uint64_t estimate(const int *hist) {
    double m = HLL_REGISTERS;
    double z = m * tau((m - hist[HLL_Q + 1]) / (double)m);
    for (int j = HLL_Q; j >= 1; --j) {
        z += hist[j];
        z *= 0.5;
    }
    z += m * sigma(hist[0] / (double)m);
    double e = (double)llroundl(HLL_ALPHA_INF * m * m / z);
    return (uint64_t)e;
}

/* Histogram of a sparse value's registers; 0 when its runs are invalid. */
static int sparse_hist(const uint8_t *p, const uint8_t *end, int *hist) {
    long idx = 0;
    while (p < end) {
        long run;
        if (OP_IS_ZERO(*p)) {
            run = ZERO_LEN(p);
            if (run + idx > HLL_REGISTERS) return 0;
            hist[0] += (int)run;
            p++;
        } else if (OP_IS_XZERO(*p)) {
            run = XZERO_LEN(p);
            if (run + idx > HLL_REGISTERS) return 0;
            hist[0] += (int)run;
            p += 2;
        } else {
            run = VAL_LEN(p);
            if (run + idx > HLL_REGISTERS) return 0;
            hist[VAL_VALUE(p)] += (int)run;
            p++;
        }
        idx += run;
    }
    return idx == HLL_REGISTERS;
}

uint64_t hll_count(const char *buf, size_t len, int *invalid) {
    int hist[64] = {0};
    const uint8_t *regs = (const uint8_t *)buf + HLL_HDR_SIZE;
    if (HLL_ENCODING(buf) == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++) hist[hll_dense_get(regs, i)]++;
    } else if (!sparse_hist(regs, (const uint8_t *)buf + len, hist) && invalid) {
        *invalid = 1;
    }
    return estimate(hist);
}

uint64_t hll_count_raw(const uint8_t *regs) {
    int hist[64] = {0};
    for (long i = 0; i < HLL_REGISTERS; i++) hist[regs[i] & 63]++;
    return estimate(hist);
}

int hll_cache_valid(const char *buf) {
    return ((uint8_t)buf[15] & 0x80) == 0;
}

uint64_t hll_cache_get(const char *buf) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | (uint8_t)buf[8 + i];
    return v;
}

void hll_cache_set(char *buf, uint64_t card) {
    for (int i = 0; i < 8; i++) buf[8 + i] = (char)(card >> (8 * i));
}

void hll_cache_invalidate(char *buf) {
    buf[15] = (char)((uint8_t)buf[15] | 0x80);
}

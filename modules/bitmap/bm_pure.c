/* bm_pure.c -- bit counting, bit search and BITFIELD's integer arithmetic.
 *
 * Pure functions over byte arrays (see bm_pure.h).  The overflow checks
 * reproduce Redis's results bit for bit, including its corner cases (a SET
 * value outside the field's range counts as an overflow of the side its
 * unsigned difference lands on); all arithmetic that may wrap is done on
 * uint64_t so that it is defined. */
#include "bm_pure.h"

#include <string.h>

long long bm_popcount(const unsigned char *p, size_t len) {
    long long n = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        n += __builtin_popcountll(w);
    }
    for (; i < len; i++) n += __builtin_popcount(p[i]);
    return n;
}

long long bm_bitpos(const unsigned char *p, size_t len, int bit) {
    const unsigned char skip = bit ? 0x00 : 0xff;
    size_t i = 0;
    while (i < len && p[i] == skip) i++;
    if (i == len) return bit ? -1 : (long long)len * 8;
    unsigned char b = bit ? p[i] : (unsigned char)~p[i];
    /* b != 0: its highest set bit is the first wanted bit of byte i. */
    return (long long)i * 8 + (__builtin_clz((unsigned)b) - 24);
}

uint64_t bm_get_unsigned(const unsigned char *p, uint64_t offset, int bits) {
    uint64_t v = 0;
    for (int i = 0; i < bits; i++, offset++) {
        unsigned bitval = (p[offset >> 3] >> (7 - (offset & 7))) & 1;
        v = (v << 1) | bitval;
    }
    return v;
}

int64_t bm_get_signed(const unsigned char *p, uint64_t offset, int bits) {
    uint64_t v = bm_get_unsigned(p, offset, bits);
    if (bits < 64 && (v & ((uint64_t)1 << (bits - 1)))) v |= UINT64_MAX << bits;
    return (int64_t)v;
}

void bm_set_field(unsigned char *p, uint64_t offset, int bits, uint64_t value) {
    for (int i = 0; i < bits; i++, offset++) {
        unsigned char mask = (unsigned char)(1u << (7 - (offset & 7)));
        if (value & ((uint64_t)1 << (bits - 1 - i)))
            p[offset >> 3] |= mask;
        else
            p[offset >> 3] &= (unsigned char)~mask;
    }
}

int bm_overflow_unsigned(uint64_t value, int64_t incr, int bits, int policy, uint64_t *limit) {
    uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    int64_t maxincr = (int64_t)(max - value);
    int64_t minincr = (int64_t)(0 - value);
    int dir;
    if (value > max || (incr > 0 && incr > maxincr))
        dir = 1;
    else if (incr < 0 && incr < minincr)
        dir = -1;
    else
        return 0;
    if (policy == BM_OVERFLOW_WRAP) {
        uint64_t r = value + (uint64_t)incr;
        *limit = bits == 64 ? r : r & (((uint64_t)1 << bits) - 1);
    } else if (policy == BM_OVERFLOW_SAT) {
        *limit = dir > 0 ? max : 0;
    }
    return dir;
}

int bm_overflow_signed(int64_t value, int64_t incr, int bits, int policy, int64_t *limit) {
    int64_t max = bits == 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (bits - 1)) - 1);
    int64_t min = -max - 1;
    /* Wrapping differences, as Redis computes them; they are only trusted
     * once `value` is known to be in range. */
    int64_t maxincr = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t minincr = (int64_t)((uint64_t)min - (uint64_t)value);
    int dir;
    if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
        dir = 1;
    else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr))
        dir = -1;
    else
        return 0;
    if (policy == BM_OVERFLOW_WRAP) {
        uint64_t c = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) {
            uint64_t high = UINT64_MAX << bits;
            c = (c & ((uint64_t)1 << (bits - 1))) ? c | high : c & ~high;
        }
        *limit = (int64_t)c;
    } else if (policy == BM_OVERFLOW_SAT) {
        *limit = dir > 0 ? max : min;
    }
    return dir;
}

/* The bit of p at `pos`. */
static int bit_at(const unsigned char *p, uint64_t pos) {
    return (p[pos >> 3] >> (7 - (pos & 7))) & 1;
}

long long bm_bitpos_range(const unsigned char *p, uint64_t first, uint64_t last, int bit) {
    uint64_t i = first;
    for (; i <= last && (i & 7); i++)
        if (bit_at(p, i) == bit) return (long long)i;
    uint64_t whole = i <= last ? (last + 1 - i) >> 3 : 0;
    if (whole) {
        long long r = bm_bitpos(p + (i >> 3), (size_t)whole, bit);
        if (r >= 0 && (uint64_t)r < whole * 8) return (long long)(i + (uint64_t)r);
        i += whole * 8;
    }
    for (; i <= last; i++)
        if (bit_at(p, i) == bit) return (long long)i;
    return -1;
}

long long bm_popcount_range(const unsigned char *p, uint64_t first, uint64_t last) {
    uint64_t fb = first >> 3, lb = last >> 3;
    long long n = bm_popcount(p + fb, (size_t)(lb - fb + 1));
    /* Take back the bits of the edge bytes outside the range. */
    unsigned char head = (unsigned char)(0xff00u >> (first & 7));
    unsigned char tail = (unsigned char)((1u << (7 - (last & 7))) - 1);
    n -= __builtin_popcount(p[fb] & head);
    n -= __builtin_popcount(p[lb] & tail);
    return n;
}

/* bm_pure.h -- the bitmap module's pure functions: bit counting, bit
 * search and BITFIELD's integer arithmetic over byte arrays.
 *
 * Nothing here touches the keyspace or replies; everything is a function of
 * its arguments, so the unit tests call it directly.  Bits are numbered as
 * Redis numbers them: bit 0 is the most significant bit of byte 0. */
#ifndef FR_BM_PURE_H
#define FR_BM_PURE_H

#include <stddef.h>
#include <stdint.h>

/* Set bits in p[0..len). */
long long bm_popcount(const unsigned char *p, size_t len);
/* Position of the first bit equal to `bit` in p[0..len); when looking for
 * a 0 and every bit is 1, len*8 (the string continues with zeros); when
 * looking for a 1 and there is none, -1. */
long long bm_bitpos(const unsigned char *p, size_t len, int bit);

/* The same over the bits first..last (inclusive, first <= last), which
 * must lie in p: the position of the first bit equal to `bit`, or -1. */
long long bm_bitpos_range(const unsigned char *p, uint64_t first, uint64_t last, int bit);
/* Set bits among first..last (inclusive, first <= last). */
long long bm_popcount_range(const unsigned char *p, uint64_t first, uint64_t last);

/* BITFIELD's overflow policies. */
#define BM_OVERFLOW_WRAP 0
#define BM_OVERFLOW_SAT 1
#define BM_OVERFLOW_FAIL 2

/* The `bits`-wide field at bit `offset` of p, which must hold every byte
 * the field touches. */
uint64_t bm_get_unsigned(const unsigned char *p, uint64_t offset, int bits);
int64_t bm_get_signed(const unsigned char *p, uint64_t offset, int bits);
void bm_set_field(unsigned char *p, uint64_t offset, int bits, uint64_t value);

/* value + incr for a field of `bits` bits: 0 when it fits; 1 (too big) or
 * -1 (too small) otherwise, with *limit set to the wrapped or saturated
 * result under WRAP or SAT (left alone under FAIL). */
int bm_overflow_unsigned(uint64_t value, int64_t incr, int bits, int policy, uint64_t *limit);
int bm_overflow_signed(int64_t value, int64_t incr, int bits, int policy, int64_t *limit);

#endif /* FR_BM_PURE_H */

/* hll_repr.h -- Redis's HyperLogLog representation, byte for byte.
 *
 * A HyperLogLog is a string: a 16-byte header ("HYLL", the encoding byte,
 * 3 unused bytes, the cached cardinality as 8 little-endian bytes whose
 * top bit set means "stale"), then the registers of one of two encodings:
 *   dense:  16384 registers of 6 bits, register i at bits 6i..6i+5 counted
 *           from the least significant bit of each byte (12288 bytes);
 *   sparse: runs of opcodes -- ZERO 00llllll (1..64 zero registers),
 *           XZERO 01llllll llllllll (1..16384 zero registers), VAL
 *           1vvvvvll (1..4 registers of value 1..32).
 * Values move between servers as these bytes, so every function here
 * produces exactly the bytes Redis 7.0.15 produces for the same
 * operations (splits, merges of equal VAL runs, promotion to dense), and
 * reads corrupt input as it does: a sparse run that would pass register
 * 16384, or runs that do not cover exactly 16384 registers, make the value
 * invalid (Redis 7.0's fix of CVE-2025-32023).  Nothing here touches the
 * keyspace or replies. */
#ifndef FR_HLL_REPR_H
#define FR_HLL_REPR_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"

#define HLL_P 14
#define HLL_Q (64 - HLL_P)
#define HLL_REGISTERS (1 << HLL_P)
#define HLL_BITS 6
#define HLL_REGISTER_MAX ((1 << HLL_BITS) - 1)
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS + 7) / 8)
#define HLL_DENSE 0
#define HLL_SPARSE 1
#define HLL_MAX_ENCODING 1
#define HLL_SPARSE_VAL_MAX 32

/* The encoding byte of a value that passed hll_is_valid_header. */
#define HLL_ENCODING(buf) ((uint8_t)(buf)[4])

/* Redis's isHLLObjectOrReply checks: long enough, magic, a known
 * encoding, a dense value of the exact size. */
int hll_is_valid_header(const char *buf, size_t len);
/* A new empty HyperLogLog (sparse: one XZERO run of 16384). */
fr_str *hll_new(void);

/* The element's register and the run length of its hash (MurmurHash64A,
 * seed 0xadc83b19, as Redis hashes). */
int hll_pattern(const void *ele, size_t len, long *index);
uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed);

unsigned hll_dense_get(const uint8_t *regs, long i);
void hll_dense_set(uint8_t *regs, long i, unsigned v);

/* Add an element: 1 when a register grew, 0 if not, -1 for an invalid
 * sparse value.  A sparse value may be reallocated, or turned dense when a
 * register needs more than 32 or its length would pass `sparse_max`. */
int hll_add(fr_str **s, const void *ele, size_t len, long long sparse_max);
/* Raise register `index` of a sparse value to `count` (Redis's
 * hllSparseSet): 1 updated, 0 already there, -1 invalid. */
int hll_sparse_set(fr_str **s, long index, uint8_t count, long long sparse_max);
/* Turn a sparse value dense in place (no-op for dense); FR_ERR, value
 * unchanged, when the sparse runs are invalid. */
int hll_to_dense(fr_str **s);

/* registers[i] = max(registers[i], value's register i); FR_ERR for an
 * invalid sparse value (registers then partly merged, as in Redis). */
int hll_merge(uint8_t *max, const char *buf, size_t len);
/* The estimate of a dense or sparse value (*invalid set to 1 for an
 * invalid sparse value), or of 16384 one-byte registers. */
uint64_t hll_count(const char *buf, size_t len, int *invalid);
uint64_t hll_count_raw(const uint8_t *regs);

/* The cached cardinality. */
int hll_cache_valid(const char *buf);
uint64_t hll_cache_get(const char *buf);
void hll_cache_set(char *buf, uint64_t card);
void hll_cache_invalidate(char *buf);

/* PFDEBUG DECODE's text of a sparse value ("z:N Z:N v:V,N" ...). */
fr_str *hll_sparse_decode(const char *buf, size_t len);

#endif /* FR_HLL_REPR_H */

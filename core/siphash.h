/* siphash.h -- keyed 64-bit hashing for hash tables (SipHash-1-2).
 *
 * Redis hashes keys with SipHash-1-2 under a random per-process key, so that
 * clients cannot craft colliding keys; we do the same.  The process-wide key
 * ("seed") lives here: set it once at start-up, before any table is filled,
 * since changing it afterwards makes every stored hash stale.
 *
 * The _nocase variants hash the ASCII-lower-cased bytes (only A-Z change),
 * so two inputs that differ only in ASCII letter case hash alike. */
#ifndef FR_SIPHASH_H
#define FR_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define FR_SIPHASH_KEY_LEN 16

/* SipHash-1-2 of p[0..len) under the 16-byte key k. */
uint64_t fr_siphash(const void *p, size_t len,
                    const uint8_t k[FR_SIPHASH_KEY_LEN]);
uint64_t fr_siphash_nocase(const void *p, size_t len,
                           const uint8_t k[FR_SIPHASH_KEY_LEN]);
/* The standard SipHash-2-4, kept so the shared core can be checked against
 * the published reference vectors. */
uint64_t fr_siphash24(const void *p, size_t len,
                      const uint8_t k[FR_SIPHASH_KEY_LEN]);

/* Process-wide key used by fr_dict_hash_bytes().  All zeros until set. */
void fr_siphash_seed_set(const uint8_t seed[FR_SIPHASH_KEY_LEN]);
const uint8_t *fr_siphash_seed_get(void);

#endif /* FR_SIPHASH_H */

/* hll_hash.c -- the hash HyperLogLog registers are chosen by.
 *
 * MurmurHash64A (Austin Appleby's public-domain 64-bit hash), reading its
 * 8-byte blocks little-endian on any host, with Redis's seed: the same
 * element must land in the same register with the same run length as on
 * redis-server, or PFCOUNT of a moved value would drift after new adds. */
#include "hll_repr.h"

#include <string.h>

#define MURMUR_M 0xc6a4a7935bd1e995ULL
#define MURMUR_R 47
#define HLL_SEED 0xadc83b19ULL

static uint64_t load_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed) {
    const unsigned char *p = key;
    uint64_t h = seed ^ ((uint64_t)len * MURMUR_M);
    size_t blocks = len / 8;
    for (size_t i = 0; i < blocks; i++, p += 8) {
        uint64_t k = load_le64(p);
        k *= MURMUR_M;
        k ^= k >> MURMUR_R;
        k *= MURMUR_M;
        h ^= k;
        h *= MURMUR_M;
    }
    size_t tail = len & 7;
    if (tail) {
        for (size_t i = tail; i-- > 0;) h ^= (uint64_t)p[i] << (8 * i);
        h *= MURMUR_M;
    }
    h ^= h >> MURMUR_R;
    h *= MURMUR_M;
    h ^= h >> MURMUR_R;
    return h;
}

/* The low HLL_P bits pick the register; the rest, with a sentinel bit at
 * HLL_Q so the count stops at HLL_Q+1, give the run of zeros plus one. */
int hll_pattern(const void *ele, size_t len, long *index) {
    uint64_t h = hll_murmur64a(ele, len, HLL_SEED);
    *index = (long)(h & (HLL_REGISTERS - 1));
    h >>= HLL_P;
    h |= (uint64_t)1 << HLL_Q;
    return __builtin_ctzll(h) + 1;
}

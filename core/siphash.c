/* siphash.c -- SipHash (Aumasson & Bernstein) with c compression rounds and
 * d finalisation rounds, plus the process-wide hashing key.
 *
 * One generic core serves every variant: it is always_inline with constant
 * round counts and case flag, so each public function compiles to a
 * specialised loop.  Input is read as little-endian 64-bit words whatever
 * the host byte order, so hashes are identical on every platform (they never
 * leave the process, but tests compare them with fixed vectors). */
#include "siphash.h"

#include <string.h>

static uint8_t g_seed[FR_SIPHASH_KEY_LEN];

void fr_siphash_seed_set(const uint8_t seed[FR_SIPHASH_KEY_LEN])
{
    memcpy(g_seed, seed, sizeof(g_seed));
}

const uint8_t *fr_siphash_seed_get(void)
{
    return g_seed;
}

static inline uint64_t rotl64(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w)); /* unaligned-safe; one load on x86/arm64 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Lower-case the ASCII capitals of eight packed bytes at once.  Each lane is
 * tested on its low seven bits, with additions that cannot carry into the
 * next lane; bytes >= 0x80 are excluded explicitly. */
static inline uint64_t ascii_lower8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t low7 = w & ~high;
    uint64_t above_z = low7 + ones * (0x7f - 'Z');  /* high bit: lane > 'Z' */
    uint64_t from_a = low7 + ones * (0x80 - 'A');   /* high bit: lane >= 'A' */
    uint64_t upper = (from_a ^ above_z) & ~w & high;
    return w | (upper >> 2); /* 0x80 >> 2 == 0x20, the case bit */
}

static inline uint8_t ascii_lower1(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

#define SIP_ROUND(v0, v1, v2, v3)                                             \
    do {                                                                      \
        v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);        \
        v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                              \
        v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                              \
        v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);        \
    } while (0)

static inline __attribute__((always_inline)) uint64_t
sip_core(const uint8_t *in, size_t len, const uint8_t *key, int crounds,
         int drounds, int nocase)
{
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    /* The initialisation constants spell "somepseudorandomlygeneratedbytes". */
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;
    size_t whole = len & ~(size_t)7;

    for (size_t off = 0; off < whole; off += 8) {
        uint64_t m = load_le64(in + off);
        if (nocase)
            m = ascii_lower8(m);
        v3 ^= m;
        for (int r = 0; r < crounds; r++)
            SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }

    /* Last block: the remaining 0..7 bytes, with len mod 256 on top. */
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = len - whole; i > 0; i--) {
        uint8_t c = in[whole + i - 1];
        b |= (uint64_t)(nocase ? ascii_lower1(c) : c) << (8 * (i - 1));
    }
    v3 ^= b;
    for (int r = 0; r < crounds; r++)
        SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;

    v2 ^= 0xff;
    for (int r = 0; r < drounds; r++)
        SIP_ROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t fr_siphash(const void *p, size_t len,
                    const uint8_t k[FR_SIPHASH_KEY_LEN])
{
    return sip_core(p, len, k, 1, 2, 0);
}

uint64_t fr_siphash_nocase(const void *p, size_t len,
                           const uint8_t k[FR_SIPHASH_KEY_LEN])
{
    return sip_core(p, len, k, 1, 2, 1);
}

uint64_t fr_siphash24(const void *p, size_t len,
                      const uint8_t k[FR_SIPHASH_KEY_LEN])
{
    return sip_core(p, len, k, 2, 4, 0);
}

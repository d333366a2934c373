/* sha256.h -- SHA-256 (FIPS 180-4), used to fingerprint module manifests.
 *
 * A context is a plain value: init, update any number of times, final once.
 * No allocation; safe to use from build tools and the server alike. */
#ifndef FR_SHA256_H
#define FR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FR_SHA256_DIGEST_LEN 32
#define FR_SHA256_HEX_LEN 64

typedef struct fr_sha256 {
    uint32_t state[8];
    uint64_t total;         /* bytes hashed so far */
    uint8_t block[64];
    size_t used;            /* bytes pending in block */
} fr_sha256;

void fr_sha256_init(fr_sha256 *s);
void fr_sha256_update(fr_sha256 *s, const void *data, size_t len);
void fr_sha256_final(fr_sha256 *s, uint8_t out[FR_SHA256_DIGEST_LEN]);

/* One-shot digest as 64 lower-case hex digits plus NUL. */
void fr_sha256_hex(const void *data, size_t len,
                   char out[FR_SHA256_HEX_LEN + 1]);
/* Digest of a whole file as hex; 0 on success, -1 (errno set) on I/O error. */
int fr_sha256_file_hex(const char *path, char out[FR_SHA256_HEX_LEN + 1]);

#endif /* FR_SHA256_H */

/* sha1.h -- SHA-1 (FIPS 180-1), for DEBUG DIGEST and DEBUG DIGEST-VALUE,
 * whose output Redis defines as SHA-1 based (tests compare digests taken
 * from two servers, so the hash must be the same one).
 *
 * Not used for anything security related.  A context is a plain value:
 * init, update any number of times, final once. */
#ifndef FR_SHA1_H
#define FR_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define FR_SHA1_DIGEST_LEN 20

typedef struct fr_sha1 {
    uint32_t state[5];
    uint64_t total;         /* bytes hashed so far */
    uint8_t block[64];
    size_t used;            /* bytes pending in block */
} fr_sha1;

void fr_sha1_init(fr_sha1 *s);
void fr_sha1_update(fr_sha1 *s, const void *data, size_t len);
void fr_sha1_final(fr_sha1 *s, uint8_t out[FR_SHA1_DIGEST_LEN]);

#endif /* FR_SHA1_H */

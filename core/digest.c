/* digest.c -- DEBUG DIGEST and DIGEST-VALUE, computed as Redis 7.0.15
 * computes them so that digests taken on two servers compare equal.
 *
 * A key's digest: mix(key), then its type's digest callback (which mixes
 * the object type number and the value), then xor "!!expire!!" when it has
 * a TTL.  The dataset's: for each non-empty DB, mix(db id, big-endian)
 * into the result, then xor every key's digest (key order is irrelevant).
 * Logically expired keys count: like Redis, no lookup happens. */
#include <arpa/inet.h>
#include <string.h>

#include "keyspace.h"
#include "kv.h"
#include "sha1.h"

FR_API void fr_digest_xor(unsigned char digest[20], const void *p, size_t len)
{
    fr_sha1 s;
    unsigned char h[FR_SHA1_DIGEST_LEN];
    fr_sha1_init(&s);
    fr_sha1_update(&s, p, len);
    fr_sha1_final(&s, h);
    for (int i = 0; i < 20; i++) digest[i] ^= h[i];
}

FR_API void fr_digest_mix(unsigned char digest[20], const void *p, size_t len)
{
    fr_sha1 s;
    fr_digest_xor(digest, p, len);
    fr_sha1_init(&s);
    fr_sha1_update(&s, digest, 20);
    fr_sha1_final(&s, digest);
}

/* The value's part (Redis's xorObjectDigest): a type without a callback
 * contributes its name, so that two such values still differ by type. */
static void value_part(const fr_value *v, unsigned char digest[20])
{
    const fr_type *t = fr_value_type(v);
    fr_type_digest_fn fn = fr_type_digest_of(t);
    if (fn) {
        fn(digest, v->payload);
    } else {
        const char *name = fr_type_name(t);
        fr_digest_mix(digest, name, strlen(name));
    }
    if (v->expire != -1) fr_digest_xor(digest, "!!expire!!", 10);
}

void fr_digest_value(fr_db *db, const fr_value *v, unsigned char out[20])
{
    (void)db;
    memset(out, 0, 20);
    if (v) value_part(v, out);
}

void fr_digest_dataset(unsigned char out[20])
{
    memset(out, 0, 20);
    for (int j = 0; j < fr_cfg.databases; j++) {
        fr_db *db = fr_db_at(j);
        if (fr_dict_size(db->keys) == 0) continue;
        uint32_t aux = htonl((uint32_t)j);
        fr_digest_mix(out, &aux, sizeof(aux));
        fr_dict_iter it;
        fr_dict_iter_init_safe(&it, db->keys);
        fr_dict_entry *e;
        while ((e = fr_dict_iter_next(&it)) != NULL) {
            const fr_value *v = fr_kv_of(e);
            unsigned char d[20] = {0};
            size_t klen;
            const char *k = fr_kv_key(v, &klen);
            fr_digest_mix(d, k, klen);
            value_part(v, d);
            fr_digest_xor(out, d, 20);
        }
        fr_dict_iter_release(&it);
    }
}

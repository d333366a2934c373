/* hash_legacy.c -- the zipmap hash encoding of RDB files before Redis 2.6
 * (RDB type 9), read into a listpack (the ziplist form, type 13, is read
 * by the shared ../lib/ziplist_pairs.c).
 *
 * Owns the format's parsing and its deep validation: every length and
 * offset is checked against the buffer before use, so arbitrary bytes give
 * NULL, never a read out of bounds.  The result is rebuilt entry by entry
 * with lp_append, then checked as field/value pairs without duplicates.
 * Nothing of the input is kept. */
#include "hash_legacy.h"

#include "listpack.h"

#include <frankenredis.h>
#include <string.h>

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- zipmap ------------------------------------------------------------ */

#define ZM_BIGLEN 254
#define ZM_END 255

/* A zipmap length at zm[*off] (1 byte, or 254 and 4 bytes LE); 0 past the
 * buffer, at the end marker, or for a length under 254 written in the 5-byte
 * form: no writer produces that, and Redis refuses it since CVE-2026-25243
 * (a short length in the long form let a field's bytes be read as lengths). */
static int zm_len(const unsigned char *zm, size_t size, size_t *off, uint32_t *len) {
    if (*off >= size) return 0;
    unsigned char b = zm[*off];
    if (b == ZM_END) return 0;
    if (b < ZM_BIGLEN) {
        *len = b;
        *off += 1;
        return 1;
    }
    if (*off + 5 > size) return 0;
    *len = le32(zm + *off + 1);
    if (*len < ZM_BIGLEN) return 0;
    *off += 5;
    return 1;
}

unsigned char *hash_lp_from_zipmap(const unsigned char *zm, size_t size, size_t limit,
                                   size_t *maxlen) {
    if (size < 2 || zm[size - 1] != ZM_END) return NULL;
    size_t off = 1, end = size - 1;
    unsigned long count = 0;
    unsigned char *lp = lp_new();
    *maxlen = 0;
    while (off < end) {
        uint32_t flen, vlen;
        if (!zm_len(zm, end, &off, &flen) || flen > end - off) goto bad;
        const unsigned char *f = zm + off;
        off += flen;
        if (!zm_len(zm, end, &off, &vlen) || off >= end) goto bad;
        unsigned free_bytes = zm[off++];
        if (vlen > end - off || free_bytes > end - off - vlen) goto bad;
        const unsigned char *v = zm + off;
        off += vlen + free_bytes;
        if (lp_bytes(lp) + flen + vlen > limit) goto bad;
        lp = lp_append(lp, f, flen);
        lp = lp_append(lp, v, vlen);
        if (flen > *maxlen) *maxlen = flen;
        if (vlen > *maxlen) *maxlen = vlen;
        count++;
    }
    if (off != end) goto bad;
    if (zm[0] < ZM_BIGLEN && zm[0] != count) goto bad;
    if (!lp_validate(lp, lp_bytes(lp), 1)) goto bad;
    return lp;
bad:
    lp_free(lp);
    return NULL;
}

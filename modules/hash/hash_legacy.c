/* hash_legacy.c -- the hash encodings of older RDB files: ziplist (RDB type
 * 13, Redis 2.6 to 6.2) and zipmap (RDB type 9, before 2.6), read into a
 * listpack.
 *
 * Owns both formats' parsing and their deep validation: every length and
 * offset is checked against the buffer before use, so arbitrary bytes give
 * NULL, never a read out of bounds.  The result is rebuilt entry by entry
 * with lp_append (integers re-encoded as the listpack does), then checked
 * as field/value pairs without duplicates.  Nothing of the input is kept. */
#include "hash_legacy.h"

#include "hash_lp.h"

#include <frankenredis.h>
#include <string.h>

#define ZL_HEADER 10
#define ZL_END 0xFF

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le_n(const unsigned char *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static long long sign_extend(uint64_t u, unsigned bits) {
    if (bits == 64) return (long long)u;
    uint64_t sign = (uint64_t)1 << (bits - 1);
    return (u & sign) ? (long long)(u - (sign << 1)) : (long long)u;
}

/* One ziplist entry, decoded and bounds-checked. */
typedef struct zl_entry {
    uint32_t prevlen;
    size_t rawlen;            /* prevlen field + encoding + data */
    const unsigned char *s;   /* string data, or NULL for an integer */
    size_t len;
    long long v;
} zl_entry;

/* Decode the entry at zl[off]; `end` is the terminator's offset.  0 when
 * it is malformed or reaches past the terminator. */
static int zl_decode(const unsigned char *zl, size_t off, size_t end, zl_entry *e) {
    size_t p = off;
    if (zl[p] < 254) {
        e->prevlen = zl[p];
        p += 1;
    } else if (zl[p] == 254) {
        if (p + 5 > end) return 0;
        e->prevlen = le32(zl + p + 1);
        p += 5;
    } else {
        return 0;
    }
    if (p >= end) return 0;
    unsigned char b = zl[p];
    size_t hdr, datalen = 0;
    e->s = NULL;
    e->v = 0;
    if (b < 0xC0) {
        unsigned kind = b & 0xC0;
        if (kind == 0x00) {
            hdr = 1;
            datalen = b & 0x3f;
        } else if (kind == 0x40) {
            if (p + 2 > end) return 0;
            hdr = 2;
            datalen = ((size_t)(b & 0x3f) << 8) | zl[p + 1];
        } else {
            if (p + 5 > end) return 0;
            hdr = 5;
            datalen = (size_t)zl[p + 1] << 24 | (size_t)zl[p + 2] << 16 | (size_t)zl[p + 3] << 8 |
                      zl[p + 4];
        }
        if (datalen > end - p - hdr) return 0;
        e->s = zl + p + hdr;
        e->len = datalen;
    } else {
        unsigned n;
        hdr = 1;
        switch (b) {
        case 0xC0: n = 2; break;
        case 0xD0: n = 4; break;
        case 0xE0: n = 8; break;
        case 0xF0: n = 3; break;
        case 0xFE: n = 1; break;
        default:
            if (b >= 0xF1 && b <= 0xFD) {
                n = 0;
                e->v = (b & 0x0f) - 1;
                break;
            }
            return 0;
        }
        if (n > end - p - hdr) return 0;
        if (n) e->v = sign_extend(le_n(zl + p + 1, n), 8 * n);
        datalen = n;
    }
    e->rawlen = p + hdr + datalen - off;
    return 1;
}

static unsigned char *append_zl_entry(unsigned char *lp, const zl_entry *e) {
    if (e->s) return lp_append(lp, e->s, e->len);
    char buf[LP_INT_BUF];
    int n = fr_ll2string(buf, sizeof(buf), e->v);
    return lp_append(lp, buf, (size_t)n);
}

/* The header (total bytes, tail offset, count), each entry's prevlen against
 * the entry before it, the tail offset against the last entry, the count
 * (unless 65535) and the terminator, as Redis's deep check does. */
unsigned char *hash_lp_from_ziplist(const unsigned char *zl, size_t size) {
    if (size < ZL_HEADER + 1 || le32(zl) != size || zl[size - 1] != ZL_END) return NULL;
    size_t end = size - 1, tail = le32(zl + 4);
    unsigned zllen = (unsigned)zl[8] | (unsigned)zl[9] << 8;
    if (tail > end) return NULL;
    unsigned char *lp = lp_new();
    size_t off = ZL_HEADER, prev_off = 0, prev_raw = 0;
    unsigned long count = 0;
    while (off < end) {
        zl_entry e;
        if (!zl_decode(zl, off, end, &e) || e.prevlen != prev_raw) goto bad;
        lp = append_zl_entry(lp, &e);
        prev_off = off;
        prev_raw = e.rawlen;
        off += e.rawlen;
        count++;
    }
    if (off != end) goto bad;
    if (count ? prev_off != tail : tail != ZL_HEADER) goto bad;
    if (zllen != 65535 && zllen != count) goto bad;
    if (!lp_validate(lp, lp_bytes(lp), 1)) goto bad;
    return lp;
bad:
    lp_free(lp);
    return NULL;
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

/* ziplist.c -- validating reader of Redis's ziplist format (ziplist.h).
 *
 * Layout: 4-byte total size, 4-byte offset of the last entry, 2-byte count
 * (65535: unknown), entries, 0xFF.  An entry is the previous entry's size
 * (1 byte, or 0xFE and 4 bytes), an encoding (strings: 6-, 14- or 32-bit
 * length; integers: 8, 16, 24, 32, 64 bits or an immediate 0..12) and its
 * data.  Multi-byte integers are little-endian, string lengths big-endian.
 * Invariant: no byte outside [zl, zl+size) is ever read. */
#include "ziplist.h"
#include "frankenredis.h"

#include <stdint.h>

#define ZL_HDR 10
#define ZL_END 0xFF

static uint64_t le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

typedef struct zl_entry {
    size_t prevlen, header, datalen;
    int is_int;
    long long v;
} zl_entry;

/* Integer data size for an integer encoding byte; -1 for no such encoding. */
static int int_size(unsigned char enc) {
    switch (enc) {
    case 0xFE: return 1;
    case 0xC0: return 2;
    case 0xF0: return 3;
    case 0xD0: return 4;
    case 0xE0: return 8;
    default: return enc >= 0xF1 && enc <= 0xFD ? 0 : -1;
    }
}

static long long int_value(unsigned char enc, const unsigned char *d) {
    switch (enc) {
    case 0xFE: return (int8_t)d[0];
    case 0xC0: return (int16_t)le(d, 2);
    case 0xF0: return ((int32_t)((uint32_t)le(d, 3) << 8)) >> 8;
    case 0xD0: return (int32_t)le(d, 4);
    case 0xE0: return (long long)le(d, 8);
    default: return (long long)(enc & 0x0F) - 1;
    }
}

/* Parse the entry at p with `avail` bytes before the end marker. */
static int parse_entry(const unsigned char *p, size_t avail, zl_entry *e) {
    size_t i;
    if (avail < 2) return 0;
    if (p[0] < 0xFE) { e->prevlen = p[0]; i = 1; }
    else if (p[0] == 0xFE) {
        if (avail < 5) return 0;
        e->prevlen = (size_t)le(p + 1, 4);
        i = 5;
    } else return 0;
    if (i >= avail) return 0;
    unsigned char enc = p[i];
    e->is_int = 0;
    if (enc < 0xC0) {
        unsigned char kind = enc & 0xC0;
        if (kind == 0x00) { e->datalen = enc & 0x3F; e->header = i + 1; }
        else if (kind == 0x40) {
            if (i + 2 > avail) return 0;
            e->datalen = ((size_t)(enc & 0x3F) << 8) | p[i + 1];
            e->header = i + 2;
        } else {
            if (i + 5 > avail) return 0;
            e->datalen = (size_t)p[i + 1] << 24 | (size_t)p[i + 2] << 16 |
                         (size_t)p[i + 3] << 8 | p[i + 4];
            e->header = i + 5;
        }
    } else {
        int n = int_size(enc);
        if (n < 0) return 0;
        e->is_int = 1;
        e->datalen = (size_t)n;
        e->header = i + 1;
    }
    if (e->header + e->datalen > avail || e->header + e->datalen < e->header) return 0;
    if (e->is_int) e->v = int_value(enc, p + e->header);
    return 1;
}

int zl_walk(const unsigned char *zl, size_t size, zl_elem_fn fn, void *priv) {
    if (size < ZL_HDR + 1 || le(zl, 4) != size || zl[size - 1] != ZL_END) return 0;
    size_t tail = (size_t)le(zl + 4, 4);
    unsigned hdr_count = (unsigned)le(zl + 8, 2);
    size_t off = ZL_HDR, prev_size = 0, last = ZL_HDR;
    unsigned long count = 0;
    while (off < size - 1) {
        zl_entry e;
        if (!parse_entry(zl + off, size - 1 - off, &e)) return 0;
        if (e.prevlen != prev_size) return 0;
        if (e.is_int) {
            char buf[24];
            int n = fr_ll2string(buf, sizeof(buf), e.v);
            fn(priv, buf, (size_t)n);
        } else {
            fn(priv, (const char *)zl + off + e.header, e.datalen);
        }
        last = off;
        prev_size = e.header + e.datalen;
        off += prev_size;
        count++;
    }
    if (tail != last) return 0;
    if (hdr_count != 65535 && hdr_count != count) return 0;
    return 1;
}

/* listpack.c -- Redis 7.0's listpack byte format (see listpack.h).
 *
 * Owns encoding, walking, editing and validating listpacks.  Invariants:
 * the header's total size always equals the allocation's used length; the
 * header count is exact below 65535 (65535 = unknown, as Redis writes it);
 * every edit returns a listpack whose entries are all well formed.  Entry
 * parsing here trusts its input except in qlp_validate, which must be run
 * on any bytes that did not come from this file. */
#include "listpack.h"
#include "frankenredis.h"

#include <string.h>

#define LP_COUNT_UNKNOWN 65535

/* ---- header ------------------------------------------------------------- */

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

size_t qlp_bytes(const qlp_t *lp) { return rd32(lp); }
static unsigned hdr_count(const qlp_t *lp) { return (unsigned)lp[4] | (unsigned)lp[5] << 8; }
static void set_hdr_count(qlp_t *lp, uint32_t n) {
    if (n >= LP_COUNT_UNKNOWN) n = LP_COUNT_UNKNOWN;
    lp[4] = (unsigned char)n; lp[5] = (unsigned char)(n >> 8);
}

qlp_t *qlp_new(void) {
    qlp_t *lp = fr_malloc(LP_HDR + 1);
    wr32(lp, LP_HDR + 1);
    set_hdr_count(lp, 0);
    lp[LP_HDR] = LP_EOF;
    return lp;
}

void qlp_free(qlp_t *lp) { fr_free(lp); }

/* ---- entry layout --------------------------------------------------------- */

/* Size of encoding+data of the entry starting at p (trusted bytes). */
static size_t enc_data_size(const unsigned char *p) {
    unsigned char b = p[0];
    if ((b & 0x80) == 0) return 1;
    if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
    if ((b & 0xE0) == 0xC0) return 2;
    if ((b & 0xF0) == 0xE0) return 2 + (((size_t)(b & 0xF) << 8) | p[1]);
    switch (b) {
    case 0xF1: return 3;
    case 0xF2: return 4;
    case 0xF3: return 5;
    case 0xF4: return 9;
    case 0xF0: return 5 + rd32(p + 1);
    default: return 0;   /* 0xF5..0xFE unused, 0xFF terminator */
    }
}

static size_t backlen_size(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

/* Written most significant group first; every byte but the first carries
 * the continuation bit, so it reads right to left. */
static void write_backlen(unsigned char *buf, uint64_t l) {
    size_t n = backlen_size(l);
    for (size_t i = 0; i < n; i++) {
        unsigned char g = (unsigned char)((l >> (7 * (n - 1 - i))) & 127);
        buf[i] = i == 0 ? g : (unsigned char)(g | 128);
    }
}

/* The backlen ending just before `end` (exclusive); 0 on a malformed one. */
static uint64_t read_backlen(const unsigned char *start, const unsigned char *end,
                             size_t *nbytes) {
    uint64_t v = 0;
    unsigned shift = 0;
    const unsigned char *p = end - 1;
    for (size_t n = 1;; n++, p--) {
        if (p < start) return 0;
        v |= (uint64_t)(*p & 127) << shift;
        if (!(*p & 128)) { *nbytes = n; return v; }
        shift += 7;
        if (shift > 28) return 0;
    }
}

static size_t entry_total(const unsigned char *p) {
    size_t ed = enc_data_size(p);
    return ed + backlen_size(ed);
}

size_t qlp_first(const qlp_t *lp) { return lp[LP_HDR] == LP_EOF ? 0 : LP_HDR; }

size_t qlp_next(const qlp_t *lp, size_t off) {
    size_t n = off + entry_total(lp + off);
    return lp[n] == LP_EOF ? 0 : n;
}

size_t qlp_prev(const qlp_t *lp, size_t off) {
    if (off <= LP_HDR) return 0;
    size_t nb = 0;
    uint64_t ed = read_backlen(lp, lp + off, &nb);
    return off - nb - (size_t)ed;
}

size_t qlp_last(const qlp_t *lp) {
    size_t end = qlp_bytes(lp) - 1;
    return end == LP_HDR ? 0 : qlp_prev(lp, end);
}

uint32_t qlp_count(const qlp_t *lp) {
    unsigned c = hdr_count(lp);
    if (c != LP_COUNT_UNKNOWN) return c;
    uint32_t n = 0;
    for (size_t o = qlp_first(lp); o; o = qlp_next(lp, o)) n++;
    return n;
}

size_t qlp_seek(const qlp_t *lp, long i) {
    size_t o;
    if (i >= 0) {
        for (o = qlp_first(lp); o && i > 0; i--) o = qlp_next(lp, o);
    } else {
        for (o = qlp_last(lp); o && i < -1; i++) o = qlp_prev(lp, o);
    }
    return o;
}

/* ---- element values ------------------------------------------------------- */

/* A two's-complement field of `bits` bits read as a signed value. */
static long long sign_extend(uint64_t u, unsigned bits) {
    if (bits < 64 && (u & (1ULL << (bits - 1)))) u |= ~0ULL << bits;
    return (long long)u;
}

static uint64_t rd_le(const unsigned char *p, unsigned nbytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

const char *qlp_get(const qlp_t *lp, size_t off, char *buf, size_t *len,
                   int *is_int, long long *ival) {
    const unsigned char *p = lp + off;
    unsigned char b = p[0];
    long long v;
    if (is_int) *is_int = 0;
    if ((b & 0xC0) == 0x80) { *len = b & 0x3F; return (const char *)p + 1; }
    if ((b & 0xF0) == 0xE0) { *len = ((size_t)(b & 0xF) << 8) | p[1]; return (const char *)p + 2; }
    if (b == 0xF0) { *len = rd32(p + 1); return (const char *)p + 5; }
    if ((b & 0x80) == 0) v = b;
    else if ((b & 0xE0) == 0xC0) v = sign_extend(((uint64_t)(b & 0x1F) << 8) | p[1], 13);
    else if (b == 0xF1) v = sign_extend(rd_le(p + 1, 2), 16);
    else if (b == 0xF2) v = sign_extend(rd_le(p + 1, 3), 24);
    else if (b == 0xF3) v = sign_extend(rd_le(p + 1, 4), 32);
    else v = (long long)rd_le(p + 1, 8);
    if (is_int) *is_int = 1;
    if (ival) *ival = v;
    *len = (size_t)fr_ll2string(buf, LP_INTBUF, v);
    return buf;
}

/* ---- encoding ------------------------------------------------------------- */

/* Encoding+data bytes of an element into out (NULL: size only). */
static size_t encode(unsigned char *out, const char *s, size_t len) {
    long long v;
    if (len <= 20 && fr_string2ll(s, len, &v)) {
        uint64_t u = (uint64_t)v;
        if (v >= 0 && v <= 127) {
            if (out) out[0] = (unsigned char)v;
            return 1;
        }
        unsigned nb;
        unsigned char tag;
        if (v >= -4096 && v <= 4095) {
            if (out) { out[0] = (unsigned char)(0xC0 | ((u >> 8) & 0x1F)); out[1] = (unsigned char)u; }
            return 2;
        }
        if (v >= -32768 && v <= 32767) { nb = 2; tag = 0xF1; }
        else if (v >= -8388608 && v <= 8388607) { nb = 3; tag = 0xF2; }
        else if (v >= -2147483648LL && v <= 2147483647LL) { nb = 4; tag = 0xF3; }
        else { nb = 8; tag = 0xF4; }
        if (out) {
            out[0] = tag;
            for (unsigned i = 0; i < nb; i++) out[1 + i] = (unsigned char)(u >> (8 * i));
        }
        return 1 + nb;
    }
    size_t h;
    if (len < 64) h = 1;
    else if (len < 4096) h = 2;
    else h = 5;
    if (out) {
        if (h == 1) out[0] = (unsigned char)(0x80 | len);
        else if (h == 2) { out[0] = (unsigned char)(0xE0 | (len >> 8)); out[1] = (unsigned char)len; }
        else { out[0] = 0xF0; wr32(out + 1, (uint32_t)len); }
        memcpy(out + h, s, len);
    }
    return h + len;
}

size_t qlp_entry_size(const char *s, size_t len) {
    size_t ed = encode(NULL, s, len);
    return ed + backlen_size(ed);
}

/* ---- edits ---------------------------------------------------------------- */

/* Replace bytes [off, off+oldlen) by newlen bytes from `with` (the caller
 * fixes the count).  Returns the reallocated listpack. */
static qlp_t *splice(qlp_t *lp, size_t off, size_t oldlen, const unsigned char *with,
                    size_t newlen) {
    size_t total = qlp_bytes(lp);
    size_t nt = total - oldlen + newlen;
    if (newlen > oldlen) lp = fr_realloc(lp, nt);
    memmove(lp + off + newlen, lp + off + oldlen, total - off - oldlen);
    if (newlen) memcpy(lp + off, with, newlen);
    if (newlen < oldlen) lp = fr_realloc(lp, nt);
    wr32(lp, (uint32_t)nt);
    return lp;
}

/* A whole entry (encoding, data, backlen) in a fresh buffer. */
static unsigned char *build_entry(const char *s, size_t len, size_t *size) {
    size_t ed = encode(NULL, s, len);
    size_t bl = backlen_size(ed);
    unsigned char *e = fr_malloc(ed + bl);
    encode(e, s, len);
    write_backlen(e + ed, ed);
    *size = ed + bl;
    return e;
}

static void count_add(qlp_t *lp, long d) {
    unsigned c = hdr_count(lp);
    if (c != LP_COUNT_UNKNOWN) set_hdr_count(lp, (uint32_t)((long)c + d));
    else if (d < 0) set_hdr_count(lp, qlp_count(lp));
}

qlp_t *qlp_insert(qlp_t *lp, size_t off, const char *s, size_t len, size_t *newoff) {
    size_t size;
    unsigned char *e = build_entry(s, len, &size);
    lp = splice(lp, off, 0, e, size);
    fr_free(e);
    count_add(lp, 1);
    if (newoff) *newoff = off;
    return lp;
}

qlp_t *qlp_append(qlp_t *lp, const char *s, size_t len) {
    return qlp_insert(lp, qlp_bytes(lp) - 1, s, len, NULL);
}

qlp_t *qlp_prepend(qlp_t *lp, const char *s, size_t len) {
    return qlp_insert(lp, LP_HDR, s, len, NULL);
}

qlp_t *qlp_replace(qlp_t *lp, size_t off, const char *s, size_t len) {
    size_t size;
    unsigned char *e = build_entry(s, len, &size);
    lp = splice(lp, off, entry_total(lp + off), e, size);
    fr_free(e);
    return lp;
}

qlp_t *qlp_delete(qlp_t *lp, size_t off, uint32_t n) {
    size_t end = off;
    uint32_t k = 0;
    while (k < n && lp[end] != LP_EOF) { end += entry_total(lp + end); k++; }
    lp = splice(lp, off, end - off, NULL, 0);
    count_add(lp, -(long)k);
    return lp;
}

qlp_t *qlp_keep_range(qlp_t *lp, uint32_t start, uint32_t n) {
    uint32_t total = qlp_count(lp);
    if (start + n < total) {
        size_t o = qlp_seek(lp, (long)(start + n));
        lp = qlp_delete(lp, o, total - start - n);
    }
    if (start) lp = qlp_delete(lp, LP_HDR, start);
    return lp;
}

qlp_t *qlp_merge(qlp_t *a, qlp_t *b) {
    size_t ab = qlp_bytes(a), bb = qlp_bytes(b);
    uint32_t n = qlp_count(a) + qlp_count(b);
    a = fr_realloc(a, ab + bb - LP_HDR - 1);
    memcpy(a + ab - 1, b + LP_HDR, bb - LP_HDR);
    wr32(a, (uint32_t)(ab + bb - LP_HDR - 1));
    set_hdr_count(a, n);
    qlp_free(b);
    return a;
}

/* ---- validation of untrusted bytes -------------------------------------- */

/* Size of encoding+data of the entry at p, with `avail` bytes available
 * before the terminator's end; 0 when the entry does not fit or is not an
 * encoding. */
static size_t checked_enc_data(const unsigned char *p, size_t avail) {
    if (avail < 1) return 0;
    unsigned char b = p[0];
    if ((b & 0xF0) == 0xE0 && avail < 2) return 0;
    if ((b & 0xE0) == 0xC0 && avail < 2) return 0;
    if (b == 0xF0 && avail < 5) return 0;
    if (b >= 0xF5) return 0;
    size_t ed = enc_data_size(p);
    return ed <= avail ? ed : 0;
}

int qlp_validate(const unsigned char *p, size_t size, uint32_t *count) {
    if (size < LP_HDR + 1 || rd32(p) != size || p[size - 1] != LP_EOF) return 0;
    size_t off = LP_HDR;
    uint32_t n = 0;
    while (off < size - 1) {
        size_t avail = size - 1 - off;
        size_t ed = checked_enc_data(p + off, avail);
        if (!ed) return 0;
        size_t bl = backlen_size(ed);
        if (ed + bl > avail) return 0;
        size_t nb;
        if (read_backlen(p + off + ed, p + off + ed + bl, &nb) != ed || nb != bl) return 0;
        off += ed + bl;
        n++;
    }
    if (hdr_count(p) != LP_COUNT_UNKNOWN && hdr_count(p) != n) return 0;
    *count = n;
    return 1;
}

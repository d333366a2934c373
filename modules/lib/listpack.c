/* listpack.c -- Redis's listpack byte format (see listpack.h for the layout).
 *
 * Owns encoding and decoding of entries, in-place edits that keep the
 * header (total bytes, count) and the terminator right, and the deep
 * validation of untrusted bytes (RESTORE, RDB files).  Invariants: every
 * listpack returned here is a complete, valid listpack in one fr_malloc
 * block of exactly lp_bytes() bytes; an edit never leaves a count that
 * disagrees with the entries unless the header says "unknown" (65535),
 * which, as in Redis, then stays until the listpack is rebuilt. */
#include "listpack.h"

#include <frankenredis.h>
#include <stdlib.h>
#include <string.h>

/* ---- header ------------------------------------------------------------ */

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned hdr_count(const unsigned char *lp) {
    return (unsigned)lp[4] | (unsigned)lp[5] << 8;
}

static void set_hdr_count(unsigned char *lp, unsigned long n) {
    if (n > LP_COUNT_UNKNOWN) n = LP_COUNT_UNKNOWN;
    lp[4] = (unsigned char)(n & 0xff);
    lp[5] = (unsigned char)(n >> 8);
}

size_t lp_bytes(const unsigned char *lp) {
    return rd32(lp);
}

unsigned char *lp_new(void) {
    unsigned char *lp = fr_malloc(LP_HEADER_SIZE + 1);
    wr32(lp, LP_HEADER_SIZE + 1);
    set_hdr_count(lp, 0);
    lp[LP_HEADER_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp) {
    fr_free(lp);
}

unsigned char *lp_from_bytes(const void *buf, size_t size) {
    unsigned char *lp = fr_malloc(size);
    memcpy(lp, buf, size);
    return lp;
}

/* ---- entry sizes ------------------------------------------------------- */

/* Bytes of the encoding header needed to know an entry's size: 0 for a
 * byte no entry starts with. */
static unsigned header_bytes(unsigned char b) {
    if ((b & 0x80) == 0 || (b & 0xC0) == 0x80 || (b & 0xE0) == 0xC0) return 1;
    if ((b & 0xF0) == 0xE0) return 2;
    switch (b) {
    case 0xF0: return 5;
    case 0xF1: case 0xF2: case 0xF3: case 0xF4: return 1;
    default: return 0;
    }
}

/* Encoding header plus data (the back-length excluded). */
static uint64_t entry_body_size(const unsigned char *p) {
    unsigned char b = p[0];
    if ((b & 0x80) == 0) return 1;
    if ((b & 0xC0) == 0x80) return 1 + (uint64_t)(b & 0x3f);
    if ((b & 0xE0) == 0xC0) return 2;
    if ((b & 0xF0) == 0xE0) return 2 + (((uint64_t)(b & 0x0f) << 8) | p[1]);
    switch (b) {
    case 0xF0: return 5 + (uint64_t)rd32(p + 1);
    case 0xF1: return 3;
    case 0xF2: return 4;
    case 0xF3: return 5;
    case 0xF4: return 9;
    default: return 0;
    }
}

/* The back-length is the body size in 7-bit groups, most significant group
 * first, every byte but the first of the entry's tail flagged 0x80 so it
 * can be read backwards from the byte before the next entry. */
static unsigned backlen_size(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

static void backlen_write(unsigned char *dst, uint64_t l) {
    unsigned n = backlen_size(l);
    for (unsigned i = 0; i < n; i++) {
        unsigned shift = 7 * (n - 1 - i);
        dst[i] = (unsigned char)((l >> shift) & 127);
        if (i > 0) dst[i] |= 128;
    }
}

/* Read a back-length whose last byte is at `end`, not reading before
 * `floor`; UINT64_MAX when malformed. */
static uint64_t backlen_read(const unsigned char *end, const unsigned char *floor) {
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        if (end < floor) return UINT64_MAX;
        v |= (uint64_t)(end[0] & 127) << shift;
        if (!(end[0] & 128)) return v;
        shift += 7;
        end--;
        if (shift > 28) return UINT64_MAX;
    }
}

static uint64_t entry_size(const unsigned char *p) {
    uint64_t body = entry_body_size(p);
    return body + backlen_size(body);
}

/* ---- walking and decoding ---------------------------------------------- */

unsigned char *lp_first(unsigned char *lp) {
    unsigned char *p = lp + LP_HEADER_SIZE;
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_next(unsigned char *lp, unsigned char *p) {
    (void)lp;
    p += entry_size(p);
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_seek(unsigned char *lp, unsigned long index) {
    unsigned char *p = lp_first(lp);
    while (p && index--) p = lp_next(lp, p);
    return p;
}

unsigned char *lp_last(unsigned char *lp) {
    unsigned char *end = lp + lp_bytes(lp) - 1;
    return end == lp + LP_HEADER_SIZE ? NULL : lp_prev(lp, end);
}

/* The back-length before p says how far back the previous entry starts. */
unsigned char *lp_prev(unsigned char *lp, unsigned char *p) {
    if (p == lp + LP_HEADER_SIZE) return NULL;
    uint64_t body = backlen_read(p - 1, lp + LP_HEADER_SIZE);
    return p - body - backlen_size(body);
}

unsigned long lp_count(const unsigned char *lp) {
    unsigned n = hdr_count(lp);
    if (n != LP_COUNT_UNKNOWN) return n;
    unsigned long count = 0;
    for (unsigned char *p = lp_first((unsigned char *)lp); p; p = lp_next((unsigned char *)lp, p))
        count++;
    return count;
}

/* Sign-extend the low `bits` bits of u. */
static long long sext(uint64_t u, unsigned bits) {
    uint64_t sign = (uint64_t)1 << (bits - 1);
    if (bits == 64) return (long long)u;
    u &= (sign << 1) - 1;
    return (u & sign) ? (long long)(u - (sign << 1)) : (long long)u;
}

static uint64_t rd_le(const unsigned char *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void lp_get(const unsigned char *p, lp_entry *e) {
    unsigned char b = p[0];
    e->s = NULL;
    e->len = 0;
    e->v = 0;
    if ((b & 0x80) == 0) {
        e->v = b & 0x7f;
    } else if ((b & 0xC0) == 0x80) {
        e->s = p + 1;
        e->len = b & 0x3f;
    } else if ((b & 0xE0) == 0xC0) {
        e->v = sext(((uint64_t)(b & 0x1f) << 8) | p[1], 13);
    } else if ((b & 0xF0) == 0xE0) {
        e->s = p + 2;
        e->len = ((uint32_t)(b & 0x0f) << 8) | p[1];
    } else if (b == 0xF0) {
        e->s = p + 5;
        e->len = rd32(p + 1);
    } else {
        unsigned n = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
        e->v = sext(rd_le(p + 1, n), 8 * n);
    }
}

const char *lp_entry_text(const lp_entry *e, char buf[LP_INT_BUF], size_t *len) {
    if (e->s) {
        *len = e->len;
        return (const char *)e->s;
    }
    *len = (size_t)fr_ll2string(buf, LP_INT_BUF, e->v);
    return buf;
}

int lp_entry_eq(const lp_entry *e, const void *s, size_t len) {
    char buf[LP_INT_BUF];
    size_t elen;
    const char *t = lp_entry_text(e, buf, &elen);
    return elen == len && memcmp(t, s, len) == 0;
}

/* ---- encoding ---------------------------------------------------------- */

/* Text that Redis stores as an integer: canonical, fits in int64. */
static int as_integer(const void *s, size_t len, long long *v) {
    return len > 0 && len < LP_INT_BUF && fr_string2ll(s, len, v);
}

/* Write the integer's smallest encoding to out (<= 9 bytes); its size. */
static unsigned encode_int(long long v, unsigned char *out) {
    uint64_t u = (uint64_t)v;
    if (v >= 0 && v <= 127) {
        out[0] = (unsigned char)v;
        return 1;
    }
    if (v >= -4096 && v <= 4095) {
        uint64_t t = u & 0x1fff;
        out[0] = (unsigned char)(0xC0 | (t >> 8));
        out[1] = (unsigned char)(t & 0xff);
        return 2;
    }
    unsigned n;
    if (v >= -32768 && v <= 32767) { out[0] = 0xF1; n = 2; }
    else if (v >= -8388608 && v <= 8388607) { out[0] = 0xF2; n = 3; }
    else if (v >= INT32_MIN && v <= INT32_MAX) { out[0] = 0xF3; n = 4; }
    else { out[0] = 0xF4; n = 8; }
    for (unsigned i = 0; i < n; i++) out[1 + i] = (unsigned char)(u >> (8 * i));
    return 1 + n;
}

/* The encoding header of a string of `len` bytes (<= 5 bytes); its size. */
static unsigned encode_str_header(size_t len, unsigned char *out) {
    if (len < 64) {
        out[0] = (unsigned char)(0x80 | len);
        return 1;
    }
    if (len < 4096) {
        out[0] = (unsigned char)(0xE0 | (len >> 8));
        out[1] = (unsigned char)(len & 0xff);
        return 2;
    }
    out[0] = 0xF0;
    wr32(out + 1, (uint32_t)len);
    return 5;
}

/* An entry's encoding prepared for writing: header (or whole integer),
 * then `data` bytes for a string. */
typedef struct enc_entry {
    unsigned char head[9];
    unsigned headlen;
    const void *data;
    size_t datalen;
    uint64_t body;   /* headlen + datalen */
    uint64_t total;  /* body + back-length */
} enc_entry;

static void encode_entry(const void *s, size_t len, enc_entry *e) {
    long long v;
    if (as_integer(s, len, &v)) {
        e->headlen = encode_int(v, e->head);
        e->data = NULL;
        e->datalen = 0;
    } else {
        e->headlen = encode_str_header(len, e->head);
        e->data = s;
        e->datalen = len;
    }
    e->body = e->headlen + e->datalen;
    e->total = e->body + backlen_size(e->body);
}

static void write_entry(unsigned char *dst, const enc_entry *e) {
    memcpy(dst, e->head, e->headlen);
    if (e->datalen) memcpy(dst + e->headlen, e->data, e->datalen);
    backlen_write(dst + e->body, e->body);
}

/* Replace `oldlen` bytes at offset `off` with the entry `e` (NULL: just
 * remove), adjusting the count by `delta`.  The bytes of `e` must not
 * point into lp (the realloc may move it). */
static unsigned char *splice(unsigned char *lp, size_t off, size_t oldlen, const enc_entry *e,
                             long delta) {
    size_t bytes = lp_bytes(lp), add = e ? (size_t)e->total : 0;
    size_t nbytes = bytes - oldlen + add;
    if (add > oldlen) lp = fr_realloc(lp, nbytes);
    memmove(lp + off + add, lp + off + oldlen, bytes - off - oldlen);
    if (add < oldlen) lp = fr_realloc(lp, nbytes);
    if (e) write_entry(lp + off, e);
    wr32(lp, (uint32_t)nbytes);
    unsigned n = hdr_count(lp);
    if (n != LP_COUNT_UNKNOWN && delta) set_hdr_count(lp, (unsigned long)((long)n + delta));
    return lp;
}

unsigned char *lp_append(unsigned char *lp, const void *s, size_t len) {
    enc_entry e;
    encode_entry(s, len, &e);
    return splice(lp, lp_bytes(lp) - 1, 0, &e, 1);
}

unsigned char *lp_insert(unsigned char *lp, unsigned char **p, const void *s, size_t len) {
    enc_entry e;
    encode_entry(s, len, &e);
    size_t off = *p ? (size_t)(*p - lp) : lp_bytes(lp) - 1;
    lp = splice(lp, off, 0, &e, 1);
    *p = lp + off;
    return lp;
}

unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const void *s, size_t len) {
    enc_entry e;
    encode_entry(s, len, &e);
    size_t off = (size_t)(*p - lp);
    lp = splice(lp, off, (size_t)entry_size(*p), &e, 0);
    *p = lp + off;
    return lp;
}

unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned long n) {
    size_t off = (size_t)(p - lp), len = 0;
    unsigned char *q = p;
    for (unsigned long i = 0; i < n; i++) {
        uint64_t sz = entry_size(q);
        len += (size_t)sz;
        q += sz;
    }
    return splice(lp, off, len, NULL, -(long)n);
}

unsigned char *lp_find_field(unsigned char *lp, const void *field, size_t len) {
    long long want;
    int want_int = as_integer(field, len, &want);
    for (unsigned char *p = lp_first(lp); p;) {
        lp_entry e;
        lp_get(p, &e);
        /* Integer text is always stored as an integer: compare in kind. */
        if (e.s ? (!want_int && e.len == len && memcmp(e.s, field, len) == 0)
                : (want_int && e.v == want))
            return p;
        p = lp_next(lp, p);
        if (p) p = lp_next(lp, p);
    }
    return NULL;
}

/* ---- validation of untrusted bytes ------------------------------------- */

typedef struct field_ref {
    const unsigned char *s;
    size_t len;
    char buf[LP_INT_BUF];
} field_ref;

static int cmp_field(const void *a, const void *b) {
    const field_ref *x = a, *y = b;
    /* An integer field's text is in its own buf: never keep a pointer to
     * it, qsort moves the refs. */
    const void *xs = x->s ? (const void *)x->s : x->buf, *ys = y->s ? (const void *)y->s : y->buf;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(xs, ys, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* 1 when no two of the n refs are equal (sorts them). */
static int refs_unique(field_ref *refs, size_t n) {
    if (n < 2) return 1;
    qsort(refs, n, sizeof(*refs), cmp_field);
    for (size_t i = 1; i < n; i++)
        if (cmp_field(&refs[i - 1], &refs[i]) == 0) return 0;
    return 1;
}

/* Check the entry at buf[off..]; its total size, or 0 when unsound. */
static uint64_t check_entry(const unsigned char *buf, size_t size, size_t off) {
    size_t last = size - 1; /* the terminator's offset */
    unsigned hb = header_bytes(buf[off]);
    if (hb == 0 || off + hb > last) return 0;
    uint64_t body = entry_body_size(buf + off);
    uint64_t total = body + backlen_size(body);
    if (total > last - off) return 0;
    /* As Redis's lpValidateNext: the back-length is decoded until a byte
     * without the continuation flag, even one of the entry's own bytes
     * (a flag on the back-length's first byte reads into the data); only
     * the value must match.  Never before the buffer's start. */
    if (backlen_read(buf + off + total - 1, buf) != body) return 0;
    return total;
}

int lp_validate(const unsigned char *buf, size_t size, int pairs) {
    if (size < LP_HEADER_SIZE + 1 || rd32(buf) != size || buf[size - 1] != LP_EOF) return 0;
    unsigned long count = 0;
    size_t off = LP_HEADER_SIZE, nrefs = 0, cap = 0;
    field_ref *refs = NULL;
    int ok = 1;
    while (off < size - 1) {
        uint64_t total = check_entry(buf, size, off);
        if (!total) { ok = 0; break; }
        if (pairs && count % 2 == 0) {
            if (nrefs == cap) {
                cap = cap ? cap * 2 : 16;
                refs = fr_realloc(refs, cap * sizeof(*refs));
            }
            lp_entry e;
            lp_get(buf + off, &e);
            field_ref *r = &refs[nrefs++];
            r->s = e.s;
            if (e.s) r->len = e.len;
            else r->len = (size_t)fr_ll2string(r->buf, LP_INT_BUF, e.v);
        }
        count++;
        off += (size_t)total;
    }
    if (ok && off != size - 1) ok = 0;
    if (ok && hdr_count(buf) != LP_COUNT_UNKNOWN && hdr_count(buf) != count) ok = 0;
    if (ok && pairs && (count % 2 != 0 || !refs_unique(refs, nrefs))) ok = 0;
    fr_free(refs);
    return ok;
}

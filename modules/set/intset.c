/* intset.c -- the intset encoding of the set type (see intset.h).
 *
 * The set is kept as the very blob RDB writes: reads and writes of the
 * header and elements go through little-endian helpers, so the layout is
 * the same on any host.  Ownership: every function that may move the set
 * returns the new pointer and the old one must not be used again. */
#include "intset.h"

#include <string.h>

#include "frankenredis.h"

struct intset {
    unsigned char b[1]; /* header then elements; sized by the allocation */
};

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* An element of width `enc` at p, sign-extended. */
static int64_t rd_elem(const unsigned char *p, uint32_t enc) {
    uint64_t u = 0;
    for (uint32_t i = 0; i < enc; i++) u |= (uint64_t)p[i] << (8 * i);
    if (enc < 8 && (u >> (8 * enc - 1)) & 1) u |= ~0ULL << (8 * enc);
    return (int64_t)u;
}

static void wr_elem(unsigned char *p, uint32_t enc, int64_t v) {
    uint64_t u = (uint64_t)v;
    for (uint32_t i = 0; i < enc; i++) p[i] = (unsigned char)(u >> (8 * i));
}

/* The narrowest width that holds v. */
static uint32_t width_of(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) return 4;
    return 2;
}

uint32_t iset_encoding(const intset *is) { return rd32(is->b); }
uint32_t iset_len(const intset *is) { return rd32(is->b + 4); }

size_t iset_blob_len(const intset *is) {
    return ISET_HEADER + (size_t)iset_len(is) * iset_encoding(is);
}

const void *iset_blob(const intset *is) { return is->b; }

int64_t iset_get(const intset *is, uint32_t pos) {
    uint32_t enc = iset_encoding(is);
    return rd_elem(is->b + ISET_HEADER + (size_t)pos * enc, enc);
}

intset *iset_new(void) {
    intset *is = fr_malloc(ISET_HEADER);
    wr32(is->b, 2);
    wr32(is->b + 4, 0);
    return is;
}

void iset_free(intset *is) { fr_free(is); }

intset *iset_dup(const intset *is) {
    size_t n = iset_blob_len(is);
    intset *c = fr_malloc(n);
    memcpy(c->b, is->b, n);
    return c;
}

/* Binary search: 1 and *pos = index when found, else 0 and *pos = the
 * index where v would be inserted. */
static int search(const intset *is, int64_t v, uint32_t *pos) {
    uint32_t lo = 0, hi = iset_len(is);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = iset_get(is, mid);
        if (cur == v) {
            *pos = mid;
            return 1;
        }
        if (cur < v) lo = mid + 1;
        else hi = mid;
    }
    *pos = lo;
    return 0;
}

int iset_find(const intset *is, int64_t v) {
    uint32_t pos;
    return width_of(v) <= iset_encoding(is) && search(is, v, &pos);
}

/* Rewrite every element at width `enc`, from the end so nothing is
 * overwritten before it is read; the set must already have room. */
static void widen(intset *is, uint32_t enc) {
    uint32_t old = iset_encoding(is), n = iset_len(is);
    unsigned char *base = is->b + ISET_HEADER;
    for (uint32_t i = n; i-- > 0;)
        wr_elem(base + (size_t)i * enc, enc, rd_elem(base + (size_t)i * old, old));
    wr32(is->b, enc);
}

intset *iset_add(intset *is, int64_t v, int *added) {
    uint32_t pos, n = iset_len(is), enc = iset_encoding(is);
    *added = 0;
    if (width_of(v) <= enc && search(is, v, &pos)) return is;
    if (width_of(v) > enc) {
        /* A value wider than every element sorts first or last. */
        uint32_t w = width_of(v);
        is = fr_realloc(is, ISET_HEADER + (size_t)(n + 1) * w);
        widen(is, w);
        enc = w;
        pos = v < 0 ? 0 : n;
    } else {
        is = fr_realloc(is, ISET_HEADER + (size_t)(n + 1) * enc);
    }
    unsigned char *at = is->b + ISET_HEADER + (size_t)pos * enc;
    memmove(at + enc, at, (size_t)(n - pos) * enc);
    wr_elem(at, enc, v);
    wr32(is->b + 4, n + 1);
    *added = 1;
    return is;
}

intset *iset_remove(intset *is, int64_t v, int *removed) {
    uint32_t pos, n = iset_len(is), enc = iset_encoding(is);
    *removed = 0;
    if (width_of(v) > enc || !search(is, v, &pos)) return is;
    unsigned char *at = is->b + ISET_HEADER + (size_t)pos * enc;
    memmove(at, at + enc, (size_t)(n - pos - 1) * enc);
    wr32(is->b + 4, n - 1);
    *removed = 1;
    return fr_realloc(is, ISET_HEADER + (size_t)(n - 1) * enc);
}

int iset_validate(const void *buf, size_t len) {
    const unsigned char *p = buf;
    if (len < ISET_HEADER) return 0;
    uint32_t enc = rd32(p), n = rd32(p + 4);
    if (enc != 2 && enc != 4 && enc != 8) return 0;
    if (n == 0 || ISET_HEADER + (uint64_t)n * enc != len) return 0;
    int64_t prev = rd_elem(p + ISET_HEADER, enc);
    for (uint32_t i = 1; i < n; i++) {
        int64_t cur = rd_elem(p + ISET_HEADER + (size_t)i * enc, enc);
        if (cur <= prev) return 0;
        prev = cur;
    }
    return 1;
}

intset *iset_from_blob(const void *buf, size_t len) {
    intset *is = fr_malloc(len);
    memcpy(is->b, buf, len);
    return is;
}

/* hash_table.c -- the "hashtable" encoding of a hash (see hash_table.h).
 *
 * Owns the table: a seeded 64-bit hash of the field, chains of nodes that
 * hold their field and value inline (one allocation per pair: half the
 * memory of a node pointing at two strings), growth when the fill reaches 1 and shrinking
 * below 1/8, both done at once (no incremental rehash: the module runs on
 * one thread, and the reverse-binary scan cursor stays valid across a
 * resize).  Keeping the fill above 1/8 bounds the tries of ht_random's
 * rejection sampling.  Invariants: size is a power of two >= 4; used is
 * the number of nodes; no two nodes hold equal fields. */
#include "hash_table.h"

#include <string.h>

#define HT_MIN_SIZE 4
/* Chain positions ht_random draws from; a node deeper than this in its
 * chain is never drawn, which with a fill <= 1 practically never happens. */
#define HT_RANDOM_DEPTH 8

static uint64_t g_seed = 0x9e3779b97f4a7c15ull;

void ht_seed(uint64_t seed) {
    g_seed = seed | 1;
}

/* A 64-bit multiply-xorshift hash of the bytes, keyed by the seed. */
static uint64_t hash_bytes(const void *p, size_t len) {
    const unsigned char *s = p;
    uint64_t h = g_seed ^ (len * 0xff51afd7ed558ccdull);
    while (len >= 8) {
        uint64_t k;
        memcpy(&k, s, 8);
        h ^= k * 0xc4ceb9fe1a85ec53ull;
        h = (h << 31 | h >> 33) * 0x9e3779b97f4a7c15ull;
        s += 8;
        len -= 8;
    }
    uint64_t k = 0;
    for (size_t i = 0; i < len; i++) k |= (uint64_t)s[i] << (8 * i);
    h ^= k * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static unsigned long size_for(unsigned long n) {
    unsigned long s = HT_MIN_SIZE;
    while (s < n && s < (1ul << 62)) s <<= 1;
    return s;
}

ht_table *ht_new(unsigned long expected) {
    ht_table *t = fr_malloc(sizeof(*t));
    t->size = size_for(expected);
    t->used = 0;
    t->buckets = fr_calloc(t->size * sizeof(*t->buckets));
    return t;
}

void ht_free(ht_table *t) {
    if (!t) return;
    for (unsigned long i = 0; i < t->size; i++) {
        ht_node *n = t->buckets[i];
        while (n) {
            ht_node *next = n->next;
            fr_free(n);
            n = next;
        }
    }
    fr_free(t->buckets);
    fr_free(t);
}

unsigned long ht_len(const ht_table *t) {
    return t->used;
}

static void resize(ht_table *t, unsigned long size) {
    ht_node **nb = fr_calloc(size * sizeof(*nb));
    for (unsigned long i = 0; i < t->size; i++) {
        ht_node *n = t->buckets[i];
        while (n) {
            ht_node *next = n->next;
            unsigned long b = hash_bytes(ht_field(n), ht_flen(n)) & (size - 1);
            n->next = nb[b];
            nb[b] = n;
            n = next;
        }
    }
    fr_free(t->buckets);
    t->buckets = nb;
    t->size = size;
}

static int same_field(const ht_node *n, const void *field, size_t len) {
    return ht_flen(n) == len && memcmp(ht_field(n), field, len) == 0;
}

/* The link that points at the node holding `field`, or at the chain's end. */
static ht_node **link_of(const ht_table *t, const void *field, size_t len) {
    ht_node **pp = &t->buckets[hash_bytes(field, len) & (t->size - 1)];
    while (*pp && !same_field(*pp, field, len)) pp = &(*pp)->next;
    return pp;
}

ht_node *ht_find(const ht_table *t, const void *field, size_t len) {
    return *link_of(t, field, len);
}

static ht_node *node_new(const void *field, size_t flen, const void *value, size_t vlen) {
    int big = flen >= HT_BIG || vlen >= HT_BIG;
    size_t head = big ? 2 * sizeof(size_t) : 0;
    ht_node *n = fr_malloc(sizeof(*n) + head + flen + vlen);
    n->flen = big ? HT_BIG : (uint32_t)flen;
    n->vlen = big ? HT_BIG : (uint32_t)vlen;
    if (big) memcpy(n->data, (size_t[2]){flen, vlen}, head);
    memcpy(n->data + head, field, flen);
    memcpy(n->data + head + flen, value, vlen);
    return n;
}

int ht_set(ht_table *t, const void *field, size_t flen, const void *value, size_t vlen) {
    ht_node **pp = link_of(t, field, flen);
    if (*pp) { /* a new value: the node is rebuilt in place of the old one */
        ht_node *old = *pp, *n = node_new(field, flen, value, vlen);
        n->next = old->next;
        *pp = n;
        fr_free(old);
        return 0;
    }
    if (t->used >= t->size) resize(t, t->size * 2);
    unsigned long b = hash_bytes(field, flen) & (t->size - 1);
    ht_node *n = node_new(field, flen, value, vlen);
    n->next = t->buckets[b];
    t->buckets[b] = n;
    t->used++;
    return 1;
}

int ht_delete(ht_table *t, const void *field, size_t len) {
    ht_node **pp = link_of(t, field, len), *n = *pp;
    if (!n) return 0;
    *pp = n->next;
    fr_free(n);
    t->used--;
    if (t->size > HT_MIN_SIZE && t->used < t->size / 8) resize(t, size_for(t->used * 2));
    return 1;
}

void ht_foreach(const ht_table *t, ht_visit_fn fn, void *priv) {
    for (unsigned long i = 0; i < t->size; i++)
        for (const ht_node *n = t->buckets[i]; n; n = n->next) fn(priv, n);
}

static unsigned long rev_bits(unsigned long v) {
    unsigned long r = 0;
    for (unsigned i = 0; i < sizeof(v) * 8; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

unsigned long ht_scan(const ht_table *t, unsigned long cursor, ht_visit_fn fn, void *priv) {
    unsigned long mask = t->size - 1;
    for (const ht_node *n = t->buckets[cursor & mask]; n; n = n->next) fn(priv, n);
    /* Increment the reversed cursor over the bits above the mask set. */
    cursor |= ~mask;
    cursor = rev_bits(cursor);
    cursor++;
    return rev_bits(cursor);
}

const ht_node *ht_random(const ht_table *t, ht_rand_fn rnd) {
    for (;;) {
        uint64_t r = rnd();
        unsigned long b = (unsigned long)(r & (t->size - 1));
        unsigned depth = (unsigned)((r >> 40) % HT_RANDOM_DEPTH);
        const ht_node *n = t->buckets[b];
        while (n && depth--) n = n->next;
        if (n) return n;
    }
}

size_t ht_mem_usage(const ht_table *t) {
    size_t bytes = sizeof(*t) + t->size * sizeof(*t->buckets);
    for (unsigned long i = 0; i < t->size; i++)
        for (const ht_node *n = t->buckets[i]; n; n = n->next)
            bytes += fr_malloc_size((void *)n);
    return bytes;
}

/* sethash.c -- the chained hash table behind hashtable-encoded sets (see
 * sethash.h).
 *
 * Hashing: a seeded 64-bit multiply-xorshift over the bytes, the seed drawn
 * once per process (clock and pid).  It is fast, not a keyed PRF like
 * Redis's SipHash: someone who learned the seed could choose colliding
 * members (docs/modules/set.md lists it).
 * Invariants: `mask` + 1 is the bucket count, a power of two >= 4; every
 * member sits in bucket hash & mask; members are distinct; no chain is
 * longer than `maxchain` (an upper bound: removals do not lower it, a
 * rehash recomputes it). */
#include "sethash.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#define SH_MIN_BUCKETS 4

/* A member's length fits the entry's 32 bits, or the entry is marked
 * SH_BIG and a size_t before the bytes holds it (proto-max-bulk-len raised
 * past 4 GiB).  12 bytes of header: a 4-byte member takes 16 bytes in all,
 * an 8-byte one 32, against 48 for an entry pointing at an fr_str. */
#define SH_BIG UINT32_MAX
struct sh_entry {
    struct sh_entry *next;
    uint32_t len;
    char data[];
};

const char *sh_member(const sh_entry *e, size_t *len) {
    if (e->len != SH_BIG) {
        *len = e->len;
        return e->data;
    }
    memcpy(len, e->data, sizeof(*len));
    return e->data + sizeof(size_t);
}

static sh_entry *entry_new(const void *p, size_t len) {
    int big = len >= SH_BIG;
    size_t head = big ? sizeof(size_t) : 0;
    sh_entry *e = fr_malloc(sizeof(*e) + head + len);
    e->len = big ? SH_BIG : (uint32_t)len;
    if (big) memcpy(e->data, &len, sizeof(len));
    memcpy(e->data + head, p, len);
    return e;
}

struct sethash {
    sh_entry **b;
    size_t mask;
    size_t count;
    size_t maxchain; /* >= the longest chain: sh_random's rejection bound */
};

static uint64_t g_seed;

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t hash_bytes(const void *p, size_t len) {
    if (!g_seed) g_seed = mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)) | 1;
    const unsigned char *s = p;
    uint64_t h = g_seed ^ (len * 0x9e3779b97f4a7c15ULL);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = mix64(h ^ w) * 0x9e3779b97f4a7c15ULL;
    }
    uint64_t tail = 0;
    for (size_t k = 0; i < len; i++, k++) tail |= (uint64_t)s[i] << (8 * k);
    return mix64(h ^ tail);
}

static size_t buckets_for(size_t n) {
    size_t size = SH_MIN_BUCKETS;
    while (size < n && size < ((size_t)1 << 62)) size <<= 1;
    return size;
}

sethash *sh_new(size_t expected) {
    sethash *h = fr_malloc(sizeof(*h));
    size_t size = buckets_for(expected);
    h->b = fr_calloc(size * sizeof(*h->b));
    h->mask = size - 1;
    h->count = 0;
    h->maxchain = 1;
    return h;
}

void sh_free(sethash *h) {
    if (!h) return;
    for (size_t i = 0; i <= h->mask; i++) {
        sh_entry *e = h->b[i];
        while (e) {
            sh_entry *next = e->next;
            fr_free(e);
            e = next;
        }
    }
    fr_free(h->b);
    fr_free_sized(h, sizeof(*h));
}

size_t sh_count(const sethash *h) { return h->count; }

/* The length of the chain at *head, once an entry was pushed there. */
static void note_chain(sethash *h, const sh_entry *head) {
    size_t len = 0;
    for (; head; head = head->next) len++;
    if (len > h->maxchain) h->maxchain = len;
}

static void rehash(sethash *h, size_t size) {
    sh_entry **nb = fr_calloc(size * sizeof(*nb));
    h->maxchain = 1;
    for (size_t i = 0; i <= h->mask; i++) {
        sh_entry *e = h->b[i];
        while (e) {
            sh_entry *next = e->next;
            size_t len;
            const char *m = sh_member(e, &len);
            size_t j = hash_bytes(m, len) & (size - 1);
            e->next = nb[j];
            nb[j] = e;
            note_chain(h, e);
            e = next;
        }
    }
    fr_free(h->b);
    h->b = nb;
    h->mask = size - 1;
}

static int same_member(const sh_entry *e, const void *p, size_t len) {
    size_t elen;
    const char *m = sh_member(e, &elen);
    return elen == len && memcmp(m, p, len) == 0;
}

static sh_entry **find_slot(const sethash *h, const void *p, size_t len) {
    sh_entry **at = &h->b[hash_bytes(p, len) & h->mask];
    while (*at && !same_member(*at, p, len)) at = &(*at)->next;
    return at;
}

int sh_add(sethash *h, const void *p, size_t len) {
    if (*find_slot(h, p, len)) return 0;
    if (h->count >= h->mask + 1) rehash(h, (h->mask + 1) * 2);
    sh_entry **head = &h->b[hash_bytes(p, len) & h->mask];
    sh_entry *e = entry_new(p, len);
    e->next = *head;
    *head = e;
    h->count++;
    note_chain(h, e);
    return 1;
}

int sh_contains(const sethash *h, const void *p, size_t len) {
    return *find_slot(h, p, len) != NULL;
}

int sh_remove(sethash *h, const void *p, size_t len) {
    sh_entry **at = find_slot(h, p, len);
    sh_entry *e = *at;
    if (!e) return 0;
    *at = e->next;
    fr_free(e);
    h->count--;
    size_t size = h->mask + 1;
    if (size > SH_MIN_BUCKETS && h->count * 100 / size < 10) rehash(h, buckets_for(h->count));
    return 1;
}

/* Uniform: a random (bucket, depth) pair with depth below maxchain, drawn
 * again until it names an entry; every entry has the same chance. */
const sh_entry *sh_random(const sethash *h, uint64_t (*rnd)(void)) {
    for (;;) {
        const sh_entry *e = h->b[rnd() & h->mask];
        for (size_t k = rnd() % h->maxchain; e && k; k--) e = e->next;
        if (e) return e;
    }
}

const sh_entry *sh_next(const sethash *h, sh_iter *it) {
    const sh_entry *e = it->entry;
    if (e) e = e->next;
    while (!e && it->bucket <= h->mask) e = h->b[it->bucket++];
    it->entry = e;
    return e;
}

static uint64_t rev64(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++, v >>= 1) r = (r << 1) | (v & 1);
    return r;
}

uint64_t sh_scan(const sethash *h, uint64_t cursor, sh_scan_fn fn, void *priv) {
    uint64_t mask = h->mask;
    for (const sh_entry *e = h->b[cursor & mask]; e; e = e->next) fn(priv, e);
    /* Increment the reversed cursor over the bits the mask keeps. */
    cursor |= ~mask;
    cursor = rev64(cursor);
    cursor++;
    return rev64(cursor);
}

size_t sh_mem_usage(const sethash *h) {
    size_t n = sizeof(*h) + (h->mask + 1) * sizeof(*h->b);
    for (size_t i = 0; i <= h->mask; i++)
        for (const sh_entry *e = h->b[i]; e; e = e->next)
            n += fr_malloc_size((void *)e);
    return n;
}

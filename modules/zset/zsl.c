/* zsl.c -- the skiplist encoding (see zsl.h): Redis's skiplist algorithm
 * (levels drawn with p = 1/4 up to 32, spans counting the nodes a link
 * jumps over) and the member index beside it.
 *
 * The index is a chained table sized to a power of two, doubled when it
 * holds more members than buckets and halved when it holds under a tenth
 * (at most once per call, never below 4 buckets).  Nodes are allocated
 * with their exact size (fr_free_sized).  Invariants: header has
 * ZSL_MAXLEVEL levels and no member; `level` is the highest level in use;
 * tail is the last node or NULL. */
#include "zsl.h"

#include <frankenredis.h>
#include <string.h>

static uint64_t g_zsl_rng = 0x9E3779B97F4A7C15ull;

static uint64_t rng_next(void) {
    uint64_t z = (g_zsl_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int random_level(void) {
    int level = 1;
    uint64_t r = rng_next();
    /* Two bits per level: each has a 1/4 chance to carry on. */
    while (level < ZSL_MAXLEVEL && (r & 3) == 0) {
        level++;
        r >>= 2;
        if (level % 31 == 0) r = rng_next();
    }
    return level;
}

static size_t node_size(int nlevel, size_t mlen) {
    return sizeof(zsl_node) + (size_t)nlevel * sizeof(struct zsl_level) + mlen + 1;
}

static zsl_node *node_new(int nlevel, double score, const void *m, size_t len) {
    zsl_node *n = fr_malloc(node_size(nlevel, len));
    n->score = score;
    n->backward = NULL;
    n->hnext = NULL;
    n->mlen = (uint32_t)len;
    n->nlevel = (uint32_t)nlevel;
    char *dst = (char *)&n->level[nlevel];
    if (len) memcpy(dst, m, len);
    dst[len] = '\0';
    return n;
}

static void node_free(zsl_node *n) {
    fr_free_sized(n, node_size((int)n->nlevel, n->mlen));
}

int zsl_memcmp(const char *a, size_t la, const char *b, size_t lb) {
    size_t n = la < lb ? la : lb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

int zsl_cmp(double s1, const char *m1, size_t l1, double s2, const char *m2, size_t l2) {
    if (s1 < s2) return -1;
    if (s1 > s2) return 1;
    return zsl_memcmp(m1, l1, m2, l2);
}

/* ---- the member index ---------------------------------------------------- */

static uint64_t hash_bytes(const void *p, size_t len) {
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static void index_resize(zsl *z, unsigned long nb) {
    zsl_node **b = fr_calloc(nb * sizeof(*b));
    for (unsigned long i = 0; i < z->nbuckets; i++) {
        zsl_node *n = z->buckets[i];
        while (n) {
            zsl_node *next = n->hnext;
            unsigned long j = hash_bytes(zsl_member(n), n->mlen) & (nb - 1);
            n->hnext = b[j];
            b[j] = n;
            n = next;
        }
    }
    fr_free(z->buckets);
    z->buckets = b;
    z->nbuckets = nb;
}

static void index_add(zsl *z, zsl_node *n) {
    if (z->length >= z->nbuckets) index_resize(z, z->nbuckets * 2);
    unsigned long j = hash_bytes(zsl_member(n), n->mlen) & (z->nbuckets - 1);
    n->hnext = z->buckets[j];
    z->buckets[j] = n;
}

static void index_remove(zsl *z, zsl_node *n) {
    unsigned long j = hash_bytes(zsl_member(n), n->mlen) & (z->nbuckets - 1);
    zsl_node **pp = &z->buckets[j];
    while (*pp != n) pp = &(*pp)->hnext;
    *pp = n->hnext;
}

static void index_maybe_shrink(zsl *z) {
    unsigned long nb = z->nbuckets;
    while (nb > 4 && z->length * 10 < nb) nb /= 2;
    if (nb != z->nbuckets) index_resize(z, nb);
}

zsl_node *zsl_find(const zsl *z, const void *m, size_t len) {
    unsigned long j = hash_bytes(m, len) & (z->nbuckets - 1);
    for (zsl_node *n = z->buckets[j]; n; n = n->hnext)
        if (n->mlen == len && memcmp(zsl_member(n), m, len) == 0) return n;
    return NULL;
}

/* ---- the skiplist --------------------------------------------------------- */

zsl *zsl_new(unsigned long expected) {
    zsl *z = fr_malloc(sizeof(*z));
    z->header = node_new(ZSL_MAXLEVEL, 0, "", 0);
    for (int i = 0; i < ZSL_MAXLEVEL; i++) {
        z->header->level[i].forward = NULL;
        z->header->level[i].span = 0;
    }
    z->tail = NULL;
    z->length = 0;
    z->level = 1;
    unsigned long nb = 4;
    while (nb < expected && nb < (1ul << 30)) nb *= 2;
    z->nbuckets = nb;
    z->buckets = fr_calloc(nb * sizeof(*z->buckets));
    return z;
}

void zsl_free(zsl *z) {
    zsl_node *n = z->header->level[0].forward;
    while (n) {
        zsl_node *next = n->level[0].forward;
        node_free(n);
        n = next;
    }
    node_free(z->header);
    fr_free(z->buckets);
    fr_free(z);
}

/* Link a new node into the list only (the index is the caller's). */
static zsl_node *list_insert(zsl *z, double score, const void *m, size_t len) {
    zsl_node *update[ZSL_MAXLEVEL], *x = z->header;
    unsigned long rank[ZSL_MAXLEVEL];
    for (int i = z->level - 1; i >= 0; i--) {
        rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward &&
               zsl_cmp(x->level[i].forward->score, zsl_member(x->level[i].forward),
                       x->level[i].forward->mlen, score, m, len) < 0) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    int level = random_level();
    if (level > z->level) {
        for (int i = z->level; i < level; i++) {
            rank[i] = 0;
            update[i] = z->header;
            update[i]->level[i].span = z->length;
        }
        z->level = level;
    }
    x = node_new(level, score, m, len);
    for (int i = 0; i < level; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = level; i < z->level; i++) update[i]->level[i].span++;
    x->backward = update[0] == z->header ? NULL : update[0];
    if (x->level[0].forward) x->level[0].forward->backward = x;
    else z->tail = x;
    z->length++;
    return x;
}

zsl_node *zsl_insert(zsl *z, double score, const void *m, size_t len) {
    zsl_node *n = list_insert(z, score, m, len);
    index_add(z, n);
    return n;
}

static void unlink_node(zsl *z, zsl_node *x, zsl_node **update) {
    for (int i = 0; i < z->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward;
    else z->tail = x->backward;
    while (z->level > 1 && z->header->level[z->level - 1].forward == NULL) z->level--;
    z->length--;
}

/* The nodes before n at each level. */
static void find_update(const zsl *z, const zsl_node *n, zsl_node **update) {
    zsl_node *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               zsl_cmp(x->level[i].forward->score, zsl_member(x->level[i].forward),
                       x->level[i].forward->mlen, n->score, zsl_member(n), n->mlen) < 0)
            x = x->level[i].forward;
        update[i] = x;
    }
}

void zsl_delete_node(zsl *z, zsl_node *n) {
    zsl_node *update[ZSL_MAXLEVEL];
    find_update(z, n, update);
    unlink_node(z, n, update);
    index_remove(z, n);
    node_free(n);
    index_maybe_shrink(z);
}

zsl_node *zsl_update_score(zsl *z, zsl_node *n, double score) {
    /* Still in place between its neighbours: just change the score. */
    if ((n->backward == NULL || n->backward->score < score) &&
        (n->level[0].forward == NULL || n->level[0].forward->score > score)) {
        n->score = score;
        return n;
    }
    zsl_node *update[ZSL_MAXLEVEL];
    find_update(z, n, update);
    unlink_node(z, n, update);
    index_remove(z, n);
    zsl_node *fresh = list_insert(z, score, zsl_member(n), n->mlen);
    index_add(z, fresh);
    node_free(n);
    return fresh;
}

unsigned long zsl_delete_rank_range(zsl *z, unsigned long start, unsigned long end) {
    zsl_node *update[ZSL_MAXLEVEL], *x = z->header;
    unsigned long traversed = 0, removed = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span < start) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    traversed++;
    x = x->level[0].forward;
    while (x && traversed <= end) {
        zsl_node *next = x->level[0].forward;
        unlink_node(z, x, update);
        index_remove(z, x);
        node_free(x);
        removed++;
        traversed++;
        x = next;
    }
    index_maybe_shrink(z);
    return removed;
}

zsl_node *zsl_by_rank(const zsl *z, unsigned long rank) {
    if (rank == 0 || rank > z->length) return NULL;
    zsl_node *x = z->header;
    unsigned long traversed = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

unsigned long zsl_rank(const zsl *z, const zsl_node *n) {
    zsl_node *x = z->header;
    unsigned long rank = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               zsl_cmp(x->level[i].forward->score, zsl_member(x->level[i].forward),
                       x->level[i].forward->mlen, n->score, zsl_member(n), n->mlen) <= 0) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x == n) return rank;
    }
    return 0;
}

zsl_node *zsl_first_true(const zsl *z, zsl_pred pred, const void *q, unsigned long *rank) {
    zsl_node *x = z->header;
    unsigned long r = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               !pred(q, x->level[i].forward->score, zsl_member(x->level[i].forward),
                     x->level[i].forward->mlen)) {
            r += x->level[i].span;
            x = x->level[i].forward;
        }
    }
    x = x->level[0].forward;
    *rank = x ? r + 1 : 0;
    return x;
}

zsl_node *zsl_last_true(const zsl *z, zsl_pred pred, const void *q, unsigned long *rank) {
    zsl_node *x = z->header;
    unsigned long r = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               pred(q, x->level[i].forward->score, zsl_member(x->level[i].forward),
                    x->level[i].forward->mlen)) {
            r += x->level[i].span;
            x = x->level[i].forward;
        }
    }
    if (x == z->header) {
        *rank = 0;
        return NULL;
    }
    *rank = r;
    return x;
}

static unsigned long rev_bits(unsigned long v) {
    unsigned long r = 0;
    for (unsigned i = 0; i < sizeof(v) * 8; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

unsigned long zsl_scan(const zsl *z, unsigned long cursor, void (*fn)(void *priv, const zsl_node *n),
                       void *priv) {
    unsigned long mask = z->nbuckets - 1;
    for (const zsl_node *n = z->buckets[cursor & mask]; n; n = n->hnext) fn(priv, n);
    /* Increment the reversed cursor over the unmasked bits. */
    cursor |= ~mask;
    cursor = rev_bits(cursor);
    cursor++;
    return rev_bits(cursor);
}

size_t zsl_mem_usage(const zsl *z) {
    size_t total = sizeof(*z) + fr_malloc_size(z->buckets) + fr_malloc_size(z->header);
    for (const zsl_node *n = zsl_first(z); n; n = n->level[0].forward)
        total += node_size((int)n->nlevel, n->mlen);
    return total;
}

void zsl_seed(uint64_t seed) {
    g_zsl_rng ^= seed;
}

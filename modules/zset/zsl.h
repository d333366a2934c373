/* zsl.h -- the skiplist encoding of a sorted set: Redis's skiplist (nodes
 * ordered by score, then by member bytes, with spans for O(log n) ranks)
 * plus a hash index from member to node.
 *
 * Each node holds its member's bytes inline and is both a skiplist node
 * and an entry of the index (chained through `hnext`), so one allocation
 * per member serves both structures.  Ranks are 1-based here, as in
 * Redis's zsl* functions.  Invariant: every node is in both structures;
 * no member appears twice. */
#ifndef FR_ZSET_ZSL_H
#define FR_ZSET_ZSL_H

#include <stddef.h>
#include <stdint.h>

#define ZSL_MAXLEVEL 32

typedef struct zsl_node zsl_node;
struct zsl_node {
    double score;
    zsl_node *backward;
    zsl_node *hnext;      /* next node in the same index bucket */
    uint32_t mlen;
    uint32_t nlevel;
    struct zsl_level {
        zsl_node *forward;
        unsigned long span;
    } level[];
    /* then the member's mlen bytes and a NUL */
};

typedef struct zsl {
    zsl_node *header, *tail;
    unsigned long length;
    int level;
    zsl_node **buckets;   /* the index: power-of-two table of chains */
    unsigned long nbuckets;
} zsl;

static inline const char *zsl_member(const zsl_node *n) {
    return (const char *)&n->level[n->nlevel];
}

zsl *zsl_new(unsigned long expected);
void zsl_free(zsl *z);
/* The node of a member, NULL if absent. */
zsl_node *zsl_find(const zsl *z, const void *m, size_t len);
/* Insert a member known to be absent; returns its node. */
zsl_node *zsl_insert(zsl *z, double score, const void *m, size_t len);
/* Change an existing node's score; the node may be replaced (returned). */
zsl_node *zsl_update_score(zsl *z, zsl_node *n, double score);
void zsl_delete_node(zsl *z, zsl_node *n);
/* Delete ranks start..end (1-based, inclusive, within the length). */
unsigned long zsl_delete_rank_range(zsl *z, unsigned long start, unsigned long end);
/* The node at a 1-based rank, NULL outside 1..length. */
zsl_node *zsl_by_rank(const zsl *z, unsigned long rank);
/* The 1-based rank of a node in the list. */
unsigned long zsl_rank(const zsl *z, const zsl_node *n);
static inline zsl_node *zsl_first(const zsl *z) { return z->header->level[0].forward; }

/* A predicate on (score, member) monotonic along the list: first_true
 * finds the first node where it holds (all later ones hold too), with its
 * rank; last_true the last node where `pred` holds when it holds on a
 * prefix.  NULL (rank 0) when none. */
typedef int (*zsl_pred)(const void *q, double score, const char *m, size_t len);
zsl_node *zsl_first_true(const zsl *z, zsl_pred pred, const void *q, unsigned long *rank);
zsl_node *zsl_last_true(const zsl *z, zsl_pred pred, const void *q, unsigned long *rank);

/* ZSCAN over the index: visits the bucket at `cursor` (reverse-binary
 * order, so a walk across resizes sees every member present throughout),
 * returns the next cursor, 0 when done. */
unsigned long zsl_scan(const zsl *z, unsigned long cursor, void (*fn)(void *priv, const zsl_node *n),
                       void *priv);
size_t zsl_mem_usage(const zsl *z);
void zsl_seed(uint64_t seed);
/* The order of two elements: score, then member bytes (memcmp, shorter first). */
int zsl_cmp(double s1, const char *m1, size_t l1, double s2, const char *m2, size_t l2);
int zsl_memcmp(const char *a, size_t la, const char *b, size_t lb);

#endif

/* hash_table.h -- the "hashtable" encoding of a hash: a chained table of
 * 2^n buckets whose nodes hold field and value inline, one allocation per
 * pair (field bytes, then value bytes). */
#ifndef HASH_TABLE_H
#define HASH_TABLE_H

#include <frankenredis.h>
#include <stdint.h>

/* Lengths that fit 32 bits are kept in the node; a pair with a longer
 * field or value (proto-max-bulk-len raised past 4 GiB) marks both HT_BIG
 * and stores the two lengths as size_t before the bytes. */
#define HT_BIG UINT32_MAX
typedef struct ht_node {
    struct ht_node *next;
    uint32_t flen, vlen;
    char data[];            /* [size_t flen, vlen when HT_BIG] field, value */
} ht_node;

static inline size_t ht_flen(const ht_node *n) {
    return n->flen != HT_BIG ? n->flen : ((const size_t *)(const void *)n->data)[0];
}
static inline size_t ht_vlen(const ht_node *n) {
    return n->vlen != HT_BIG ? n->vlen : ((const size_t *)(const void *)n->data)[1];
}
static inline const char *ht_field(const ht_node *n) {
    return n->flen != HT_BIG ? n->data : n->data + 2 * sizeof(size_t);
}
static inline const char *ht_value(const ht_node *n) { return ht_field(n) + ht_flen(n); }

typedef struct ht_table {
    ht_node **buckets;
    unsigned long size;   /* a power of two */
    unsigned long used;
} ht_table;

typedef void (*ht_visit_fn)(void *priv, const ht_node *n);
typedef uint64_t (*ht_rand_fn)(void);

void ht_seed(uint64_t seed);
ht_table *ht_new(unsigned long expected);
void ht_free(ht_table *t);
unsigned long ht_len(const ht_table *t);
ht_node *ht_find(const ht_table *t, const void *field, size_t len);
/* Insert or update (both copied).  1 when the field is new. */
int ht_set(ht_table *t, const void *field, size_t flen, const void *value, size_t vlen);
int ht_delete(ht_table *t, const void *field, size_t len); /* 1 deleted */
/* Every node in table order (no changes to t meanwhile). */
void ht_foreach(const ht_table *t, ht_visit_fn fn, void *priv);
/* Visit one bucket; the next cursor (0: the walk is over).  Redis's
 * reverse-binary cursor: a node present for the whole walk is visited at
 * least once even if the table resizes between calls. */
unsigned long ht_scan(const ht_table *t, unsigned long cursor, ht_visit_fn fn, void *priv);
/* A node chosen with (nearly) equal chance for each; t must not be empty. */
const ht_node *ht_random(const ht_table *t, ht_rand_fn rnd);
/* Bytes held by the table and its strings. */
size_t ht_mem_usage(const ht_table *t);

#endif

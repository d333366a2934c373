/* hash_table.h -- the "hashtable" encoding of a hash: fields and values as
 * fr_str in a chained table of 2^n buckets. */
#ifndef HASH_TABLE_H
#define HASH_TABLE_H

#include <frankenredis.h>
#include <stdint.h>

typedef struct ht_node {
    struct ht_node *next;
    fr_str *field;
    fr_str *value;
} ht_node;

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
/* Insert or update; takes both strings.  1 when the field is new (an
 * update frees the given field and the old value). */
int ht_set(ht_table *t, fr_str *field, fr_str *value);
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

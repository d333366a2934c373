/* sethash.h -- the hashtable encoding of the set type: a chained hash
 * table of distinct byte strings, sized in powers of two; each entry holds
 * its member's bytes inline (one allocation per member).
 *
 * Resizes happen at once (no incremental rehash): the table doubles when
 * it holds more members than buckets and halves below 10% fill, as
 * Redis's dict policy for sets.  SSCAN's reverse-binary cursor keeps its
 * guarantee (a member present for the whole scan is returned at least
 * once) across those resizes because sizes stay powers of two.
 *
 * Ownership: the table copies what sh_add is given; a member's bytes
 * (sh_member) stay valid until it is removed or the table freed. */
#ifndef FR_SET_SETHASH_H
#define FR_SET_SETHASH_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"

typedef struct sethash sethash;
typedef struct sh_entry sh_entry;

sethash *sh_new(size_t expected);
void sh_free(sethash *h);
size_t sh_count(const sethash *h);
/* 1 if added (copied), 0 if already a member. */
int sh_add(sethash *h, const void *p, size_t len);
/* The bytes of an entry sh_next or sh_random returned. */
const char *sh_member(const sh_entry *e, size_t *len);
int sh_contains(const sethash *h, const void *p, size_t len);
int sh_remove(sethash *h, const void *p, size_t len); /* 1 if removed */
/* A uniformly drawn member (h not empty). */
const sh_entry *sh_random(const sethash *h, uint64_t (*rnd)(void));
/* In-order walk: *pos starts at 0; NULL at the end.  The table must not
 * change during the walk. */
typedef struct sh_iter {
    size_t bucket;
    const void *entry;
} sh_iter;
const sh_entry *sh_next(const sethash *h, sh_iter *it);
/* One SSCAN step: visits the bucket `cursor` designates, calls fn for each
 * member in it, returns the next cursor (0 when the walk is complete). */
typedef void (*sh_scan_fn)(void *priv, const sh_entry *e);
uint64_t sh_scan(const sethash *h, uint64_t cursor, sh_scan_fn fn, void *priv);
/* Bytes held, for MEMORY USAGE. */
size_t sh_mem_usage(const sethash *h);

#endif /* FR_SET_SETHASH_H */

/* intset.h -- a sorted array of distinct integers, stored in Redis's intset
 * byte layout so that RDB and DUMP can write it as one blob.
 *
 * Layout (all little-endian): uint32 encoding (bytes per element: 2, 4 or
 * 8), uint32 length, then `length` elements of `encoding` bytes, strictly
 * increasing.  The encoding only grows (an add of a wider value upgrades
 * every element; a remove never narrows it), as Redis does, so a blob read
 * from a payload is written back byte for byte.
 *
 * Needs nothing from the core but the allocator (fr_malloc & co), so the
 * unit tests link it alone (tests/unit/test_set_intset.c).  Invariant: an
 * intset handed out by these functions always satisfies iset_validate. */
#ifndef FR_SET_INTSET_H
#define FR_SET_INTSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct intset intset; /* opaque: the blob itself */

#define ISET_HEADER 8u

intset *iset_new(void);
void iset_free(intset *is);
/* Add v; *added = 1 if it was absent.  May move the set: use the result. */
intset *iset_add(intset *is, int64_t v, int *added);
/* Remove v; *removed = 1 if it was present.  May move the set. */
intset *iset_remove(intset *is, int64_t v, int *removed);
int iset_find(const intset *is, int64_t v);
uint32_t iset_len(const intset *is);
int64_t iset_get(const intset *is, uint32_t pos);   /* pos < iset_len */
uint32_t iset_encoding(const intset *is);            /* 2, 4 or 8 */
/* The blob: ISET_HEADER + len * encoding bytes starting at the set. */
size_t iset_blob_len(const intset *is);
const void *iset_blob(const intset *is);
/* A copy of the set. */
intset *iset_dup(const intset *is);
/* 1 if buf[0..len) is an intset Redis would accept with deep sanitization:
 * known encoding, length matching the size exactly, not empty, strictly
 * increasing elements.  0 otherwise (never reads outside buf). */
int iset_validate(const void *buf, size_t len);
/* A new intset holding a copy of a blob that passed iset_validate. */
intset *iset_from_blob(const void *buf, size_t len);

#endif /* FR_SET_INTSET_H */

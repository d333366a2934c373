/* ziplist.h -- reading the ziplist format of Redis before 7.0 (RDB types
 * 10 and 14 hold lists as ziplists); nothing here writes one.
 *
 * zl_walk checks untrusted bytes as thoroughly as Redis's deep integrity
 * check (header sizes, tail offset, each entry's prevlen, encoding and
 * bounds, the count) and hands each element to `fn`, as text. */
#ifndef FR_LIST_ZIPLIST_H
#define FR_LIST_ZIPLIST_H

#include <stddef.h>

typedef void (*zl_elem_fn)(void *priv, const char *s, size_t len);
/* 1 when the ziplist is sound (fn ran for every element in order), 0
 * otherwise (fn may have run for a prefix). */
int zl_walk(const unsigned char *zl, size_t size, zl_elem_fn fn, void *priv);

#endif /* FR_LIST_ZIPLIST_H */

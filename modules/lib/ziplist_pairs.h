/* ziplist_pairs.h -- reading a pre-7.0 ziplist of pairs into a listpack. */
#ifndef FR_LIB_ZIPLIST_PAIRS_H
#define FR_LIB_ZIPLIST_PAIRS_H

#include <stddef.h>

/* A ziplist of pairs (a hash's field/value, RDB type 13; a zset's
 * member/score, type 12) as a new listpack, or NULL when the bytes fail
 * the deep check or a first element of a pair repeats. */
unsigned char *lp_from_ziplist_pairs(const unsigned char *zl, size_t size);

#endif

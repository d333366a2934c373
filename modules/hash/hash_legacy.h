/* hash_legacy.h -- reading the pre-7.0 hash encodings into a listpack. */
#ifndef HASH_LEGACY_H
#define HASH_LEGACY_H

#include <stddef.h>

/* A field/value ziplist (RDB_TYPE_HASH_ZIPLIST, 13) as a new listpack, or
 * NULL when the bytes fail the deep check or a field repeats. */
unsigned char *hash_lp_from_ziplist(const unsigned char *zl, size_t size);
/* A zipmap (RDB_TYPE_HASH_ZIPMAP, 9) as a new listpack, or NULL; *maxlen
 * gets the longest field or value (Redis converts on it).  NULL too when a
 * pair would take the listpack past `limit` bytes (the caller passes
 * HASH_LP_SAFETY_SIZE: Redis refuses such a zipmap since CVE-2026-25243). */
unsigned char *hash_lp_from_zipmap(const unsigned char *zm, size_t size, size_t limit,
                                   size_t *maxlen);

#endif

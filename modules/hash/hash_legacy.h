/* hash_legacy.h -- reading the zipmap hash encoding into a listpack. */
#ifndef HASH_LEGACY_H
#define HASH_LEGACY_H

#include <stddef.h>

/* A zipmap (RDB_TYPE_HASH_ZIPMAP, 9) as a new listpack, or NULL; *maxlen
 * gets the longest field or value (Redis converts on it).  NULL too when a
 * pair would take the listpack past `limit` bytes (the caller passes
 * HASH_LP_SAFETY_SIZE: Redis refuses such a zipmap since CVE-2026-25243). */
unsigned char *hash_lp_from_zipmap(const unsigned char *zm, size_t size, size_t limit,
                                   size_t *maxlen);

#endif

/* listpack.h -- the listpack byte format of Redis 7.0 (one quicklist node).
 *
 * Functions are named qlp_ because modules/lib has the hash and zset
 * modules' listpack code (listpack.c, lp_*) with another interface; both are linked into the unit
 * test program.  They should become one shared piece (the closing note of
 * the session that merged them says so).
 *
 * A listpack is one allocation: a 4-byte total size and a 2-byte element
 * count (little-endian; 65535 means "count by walking"), the entries, and
 * a 0xFF terminator.  Each entry is an encoding byte (with, for some
 * encodings, more length bytes), its data, and a "backlen" (1-5 bytes)
 * giving the size of encoding+data so the list can be walked backwards.
 * Elements that are canonical integers are stored in the smallest integer
 * encoding, every other element as a string: the bytes are exactly those
 * Redis writes, so a DUMP made from them is Redis's.
 *
 * This file knows nothing of the server: no SDK calls but the allocator,
 * so that the Check unit tests link it alone.  Positions are byte offsets
 * into the listpack (stable across the reallocation an edit does). */
#ifndef FR_LIST_LISTPACK_H
#define FR_LIST_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

#define LP_HDR 6
#define LP_EOF 0xFF
/* Room for the text of any integer element. */
#define LP_INTBUF 24

typedef unsigned char qlp_t;

qlp_t *qlp_new(void);
void qlp_free(qlp_t *lp);
size_t qlp_bytes(const qlp_t *lp);
/* Number of elements (walks the list when the header says 65535). */
uint32_t qlp_count(const qlp_t *lp);

/* Offsets of entries; 0 means "none" (an entry never starts at 0). */
size_t qlp_first(const qlp_t *lp);
size_t qlp_last(const qlp_t *lp);
size_t qlp_next(const qlp_t *lp, size_t off);
size_t qlp_prev(const qlp_t *lp, size_t off);
/* The entry at index i (negative: from the end), 0 when out of range. */
size_t qlp_seek(const qlp_t *lp, long i);

/* The element at `off` as bytes: a pointer into the listpack for a string,
 * or into buf (LP_INTBUF bytes) holding an integer's decimal text.  When
 * `ival` is non-NULL and the element is an integer, *is_int is set to 1 and
 * *ival to its value. */
const char *qlp_get(const qlp_t *lp, size_t off, char *buf, size_t *len,
                   int *is_int, long long *ival);

/* Insert an element before the entry at `off` (off = qlp_bytes-1, the
 * terminator, appends).  Returns the new listpack (the old one is gone);
 * *newoff (if non-NULL) is the new element's offset. */
qlp_t *qlp_insert(qlp_t *lp, size_t off, const char *s, size_t len, size_t *newoff);
qlp_t *qlp_append(qlp_t *lp, const char *s, size_t len);
qlp_t *qlp_prepend(qlp_t *lp, const char *s, size_t len);
/* Replace the element at `off` with a new value. */
qlp_t *qlp_replace(qlp_t *lp, size_t off, const char *s, size_t len);
/* Delete `n` entries starting at `off` (fewer if the list ends first). */
qlp_t *qlp_delete(qlp_t *lp, size_t off, uint32_t n);
/* Keep only the entries [start, start+n). */
qlp_t *qlp_keep_range(qlp_t *lp, uint32_t start, uint32_t n);
/* A listpack with b's entries appended to a's (both are consumed). */
qlp_t *qlp_merge(qlp_t *a, qlp_t *b);

/* Bytes one element takes in a listpack (encoding, data and backlen). */
size_t qlp_entry_size(const char *s, size_t len);

/* Full structural check of untrusted bytes (RDB, RESTORE): header size and
 * terminator, every entry's encoding, lengths and backlen within bounds,
 * the header count when not 65535.  Returns 1 when sound and sets *count. */
int qlp_validate(const unsigned char *p, size_t size, uint32_t *count);

#endif /* FR_LIST_LISTPACK_H */

/* listpack.h -- Redis's listpack byte format, shared by the modules whose
 * values are listpacks (hash, zset).  modules/lib is code compiled into
 * each module that lists it in its module.am; it includes nothing but the
 * SDK and its own headers.
 *
 * A listpack is one allocation: a 6-byte header (total bytes, 32-bit LE;
 * element count, 16-bit LE, 65535 meaning "count by walking"), the
 * entries, and a 0xFF terminator.  Each entry is an encoding byte (and
 * maybe length bytes), the data, and a "back-length" giving the size of
 * what precedes it, so the format can be walked both ways.  Text that is
 * a canonical 64-bit integer is always stored in the smallest integer
 * encoding, so two listpacks holding the same strings in the same order
 * are byte-identical: this is what makes DUMP payloads match Redis's.
 *
 * Entry pointers (unsigned char *) point at an entry's encoding byte and
 * are invalidated by every call that returns a new listpack.  The
 * functions that take untrusted bytes are lp_validate() and the callers
 * that ran it first; the others assume a listpack built by this file. */
#ifndef FR_LIB_LISTPACK_H
#define FR_LIB_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

#define LP_HEADER_SIZE 6
#define LP_EOF 0xFF
#define LP_COUNT_UNKNOWN 65535u
/* Room for the decimal text of any int64 (sign, 19 digits, NUL). */
#define LP_INT_BUF 21

/* One decoded entry: a string (s != NULL) or an integer (s == NULL). */
typedef struct lp_entry {
    const unsigned char *s;
    uint32_t len;
    long long v;
} lp_entry;

unsigned char *lp_new(void);
void lp_free(unsigned char *lp);
size_t lp_bytes(const unsigned char *lp);
/* The number of entries (walks the listpack when the header says 65535). */
unsigned long lp_count(const unsigned char *lp);

unsigned char *lp_first(unsigned char *lp);                    /* NULL: empty */
unsigned char *lp_next(unsigned char *lp, unsigned char *p);   /* NULL: end */
unsigned char *lp_seek(unsigned char *lp, unsigned long index); /* NULL: past end */
unsigned char *lp_last(unsigned char *lp);                     /* NULL: empty */
unsigned char *lp_prev(unsigned char *lp, unsigned char *p);   /* NULL: p is first */
void lp_get(const unsigned char *p, lp_entry *e);
/* The entry's bytes as text: its own bytes, or the integer written to buf. */
const char *lp_entry_text(const lp_entry *e, char buf[LP_INT_BUF], size_t *len);
int lp_entry_eq(const lp_entry *e, const void *s, size_t len);

unsigned char *lp_append(unsigned char *lp, const void *s, size_t len);
/* Insert before the entry at p (NULL: append); *p then points at the new
 * entry.  s must not point into lp. */
unsigned char *lp_insert(unsigned char *lp, unsigned char **p, const void *s, size_t len);
/* Replace the entry at *p; *p then points at the new entry. */
unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const void *s, size_t len);
/* Delete `n` consecutive entries starting at p (all must exist). */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned long n);
/* A field of a field/value listpack: the field entry, or NULL. */
unsigned char *lp_find_field(unsigned char *lp, const void *field, size_t len);

/* Deep check of untrusted bytes: header total, entry encodings and their
 * bounds, every back-length, the terminator, the header count (when
 * known); with `pairs`, an even count and no field twice.  1 if sound. */
int lp_validate(const unsigned char *buf, size_t size, int pairs);
/* A copy of a validated listpack's bytes in a listpack allocation. */
unsigned char *lp_from_bytes(const void *buf, size_t size);

#endif

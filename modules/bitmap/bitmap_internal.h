/* bitmap_internal.h -- shared declarations of the bitmap module.
 *
 * The module edits values of the strings module's "string" type, which it
 * reaches only through the SDK's byte-string callbacks (fr_type_def.bytes,
 * take_bytes, adopt_bytes).  A write opens the key as a bm_target: the
 * value's bytes are taken as an fr_str, grown with zero bytes to the
 * highest bit addressed and stored back at once as a raw string (as Redis
 * keeps a string it edits bit by bit); the command then edits those bytes
 * in place through the target, never reallocating them. */
#ifndef FR_BITMAP_INTERNAL_H
#define FR_BITMAP_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "bm_pure.h"

/* The string type and its callbacks, set from init to deinit. */
extern const fr_type *g_bm_string;
extern const fr_type_def *g_bm_string_def;

/* Lookups with Redis's flags (lookupKeyRead / lookupKeyWrite). */
fr_value *bm_lookup_read(fr_ctx *ctx, const fr_str *key);
fr_value *bm_lookup_write(fr_ctx *ctx, const fr_str *key);
int bm_is_string(const fr_value *v);
/* A read view of a string value's bytes (scratch for int-encoded ones). */
const unsigned char *bm_bytes(const fr_value *v, size_t *len, char scratch[FR_INT_TEXT_MAX]);
/* Redis's C-string comparison of an option word (bytes after a NUL are
 * ignored, as strcasecmp ignores them). */
int bm_opt_is(const fr_ctx *ctx, int i, const char *kw);

/* Parse argument i as a bit offset; with `bits` > 0 a "#N" form means
 * N*bits (BITFIELD).  This is where the value's size is bounded: an offset
 * whose byte reaches proto-max-bulk-len (512 MB by default) is refused
 * with "bit offset is not an integer or out of range", so no write ever
 * grows a string beyond it.  Replies and returns FR_ERR on failure. */
int bm_offset_arg(fr_ctx *ctx, int i, int bits, uint64_t *offset);

/* Hardened mode: the most zero bytes one write may add past a value's end
 * (the strings module's SETRANGE limit). */
#define BM_HARD_ZERO_FILL_MAX ((size_t)8 << 20)

typedef struct bm_target {
    fr_value *v;      /* the existing value, NULL for a new key */
    fr_str *s;        /* the value's bytes, edited in place */
    int dirty;        /* created, or grown: a change whatever the edit */
} bm_target;
/* Redis's lookupStringForBitCommand: open `key` for writing with room for
 * bit `maxbit`, adding it (zero bytes) when absent, turning an existing
 * value raw otherwise; t->s stays the value's storage until the command
 * ends (nothing here reallocates it afterwards).  FR_ERR (after replying)
 * for a value of another type, or in hardened mode for a write that would
 * add more than BM_HARD_ZERO_FILL_MAX zero bytes. */
int bm_target_open(fr_ctx *ctx, const fr_str *key, uint64_t maxbit, bm_target *t);
/* A change Redis counts: WATCH & co, `changes` to the dirty counter and
 * the keyspace event. */
void bm_signal(fr_ctx *ctx, const fr_str *key, long long changes, int type, const char *event);

#endif /* FR_BITMAP_INTERNAL_H */

/* keys_internal.h -- shared declarations of the keys module.
 *
 * The keys module owns the generic key commands (DEL UNLINK EXISTS TYPE TOUCH
 * RANDOMKEY RENAME RENAMENX MOVE COPY KEYS SCAN OBJECT) for values of every
 * type.  It registers no type and knows no payload layout: whatever a command
 * needs from a value (a copy, an encoding name, a reference count) it asks of
 * the value's type through fr_type_def_of(), so a module adding a type gets
 * these commands without depending on, or being known by, this one.
 *
 * Invariants: no handler reads a payload itself; every helper that fails has
 * already replied. */
#ifndef FR_KEYS_INTERNAL_H
#define FR_KEYS_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "key_pure.h"

/* ---- Helpers shared by the handlers (key_common.c) ------------------------ */
/* Lookups with Redis's flags: reads count hits/misses, writes do not. */
fr_value *key_lookup_read(fr_ctx *ctx, const fr_str *key);
fr_value *key_lookup_write(fr_ctx *ctx, const fr_str *key);
/* Option keyword test with C-string semantics, as Redis compares options. */
int key_opt_is(const fr_ctx *ctx, int i, const char *kw);
/* Parse a DB index as SELECT does; replies and returns NULL on error. */
fr_db *key_db_arg(fr_ctx *ctx, int argi);

/* ---- Any type's callbacks (key_object.c) ---------------------------------- */
/* Through fr_type_def_of() only: NULL / not supported when the value's type
 * has no such callback; the refcount falls back to fr_value_refcount(). */
const char *key_type_encoding(const fr_value *v);
int key_type_refcount(const fr_value *v);
void *key_type_dup(const fr_value *v, int *supported);

/* ---- Hardened-mode limits -------------------------------------------------- */
#define KEY_HARD_PATTERN_MAX 1024             /* KEYS / SCAN MATCH bytes */
#define KEY_HARD_SCAN_COUNT_MAX 100000L       /* SCAN COUNT is clamped */

/* ---- Command handlers ----------------------------------------------------
 * Prototypes, the command table and the descriptor are generated from
 * keys.yaml (glue.h, glue.c); the module needs no init of its own:
 * key_basic.c (DEL UNLINK EXISTS TYPE TOUCH RANDOMKEY RENAME RENAMENX MOVE
 * COPY), key_scan.c (KEYS SCAN), key_object.c (OBJECT subcommands). */

#endif /* FR_KEYS_INTERNAL_H */

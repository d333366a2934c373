/* strings_internal.h -- shared declarations of the strings module.
 *
 * Payload layout of the "string" type (one word, at most one allocation):
 *
 *   ...vvvvvvvv P 1   inline integer: bits 2..63 hold a signed value in
 *                     [SV_INLINE_MIN, SV_INLINE_MAX] (62 bits on LP64); bit 1
 *                     (P) marks a "private" integer, one that OBJECT REFCOUNT
 *                     reports as 1 even in 0..9999 (COPY's result, as Redis's
 *                     dupStringObject makes).  OBJECT ENCODING: "int".  No
 *                     allocation at all.
 *   ...pppppppp K 0   8-byte aligned pointer plus a 2-bit kind that says
 *                     which encoding Redis would report and what the pointer
 *                     points to:
 *                     K=00 raw: an fr_str, which is the argument itself when
 *                          a big value was taken from the network
 *                          (fr_arg_take), so it is never copied;
 *                     K=01 embstr (<= 44 bytes): an sv_emb (str_pure.h), a
 *                          length byte, the bytes and a NUL, allocated at
 *                          len+2 bytes (at least 8) with fr_malloc;
 *                     K=10 int-as-text: an fr_str holding an integer that
 *                          Redis int-encodes but that is too wide to inline;
 *                          its text is canonical decimal;
 *                     K=11 unused.
 *
 * An in-place edit (APPEND, SETRANGE) needs a growable fr_str: a raw value
 * is edited where it lies, an embstr's bytes move to a new fr_str first
 * (sv_take_raw), and the result is stored as raw.  A payload word is never 0,
 * so no stored value looks like NULL to the core.
 *
 * Invariants: sv_* functions never leave two payloads sharing a block;
 * g_string_type is set for the whole time the module is loaded. */
#ifndef FR_STRINGS_INTERNAL_H
#define FR_STRINGS_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "str_pure.h"

extern const fr_type *g_string_type;

/* ---- Payloads (str_value.c) ---------------------------------------------- */
/* A value holding these bytes, encoded as SET would store them. */
void *sv_from_bytes(const char *p, size_t len);
/* The same for argument i; a big raw value is taken, not copied, so the
 * caller must not read argument i afterwards. */
void *sv_from_arg(fr_ctx *ctx, int i);
/* A value holding an integer the way INCR stores it (shared if 0..9999). */
void *sv_from_ll(long long v);
/* A value holding these bytes verbatim: embstr if short, raw otherwise. */
void *sv_from_plain(const char *p, size_t len);
/* Adopt an fr_str (ownership passes) as a raw value. */
void *sv_from_raw_str(fr_str *s);

/* The value's bytes: a pointer into the payload, or into tmp (SR_LL_CHARS
 * bytes) for inline integers.  Valid until the payload changes. */
const char *sv_bytes(const void *p, char *tmp, size_t *len);
size_t sv_len(const void *p);
/* Parse as INCR does (1 ok, 0 not an integer). */
int sv_get_ll(const void *p, long long *out);
/* Parse as INCRBYFLOAT does (1 ok, 0 not a float). */
int sv_get_ld(const void *p, long double *out);
/* An fr_str with the value's bytes that the caller may grow (APPEND,
 * SETRANGE): the payload's own fr_str (raw, int-as-text), or a fresh one for
 * an inline integer or an embstr, whose block is freed here.  Either way the
 * payload is consumed: replace it with the result (see str_store_edited),
 * never free it nor read it again. */
fr_str *sv_take_raw(void *p);
int sv_refcount(const void *p);
/* The SDK's byte-string callbacks (fr_type_def.bytes, take_bytes,
 * adopt_bytes): sv_bytes, sv_take_raw and sv_from_raw_str for modules. */
const char *sv_view(const void *p, size_t *len, char scratch[FR_INT_TEXT_MAX]);
fr_str *sv_take_bytes(void *p);
void *sv_adopt_bytes(fr_str *s);

/* Type callbacks. */
void sv_free(void *p);
void *sv_dup(const void *p);
const char *sv_encoding(const void *p);
size_t sv_mem_usage(const void *p);
/* RDB callbacks (str_rdb.c). */
int sv_rdb_save(fr_rdb_io *io, const void *p);
void *sv_rdb_load(fr_rdb_io *io, int rdb_type);

/* ---- Helpers shared by the handlers (str_common.c) ------------------------ */
/* Lookups with Redis's flags: reads count hits/misses, writes do not. */
fr_value *str_lookup_read(fr_ctx *ctx, const fr_str *key);
fr_value *str_lookup_write(fr_ctx *ctx, const fr_str *key);
int str_is_string(const fr_value *v);
/* Option keyword test with C-string semantics, as Redis compares options. */
int str_opt_is(const fr_ctx *ctx, int i, const char *kw);
/* Reply a stored string value as a bulk string. */
void str_reply_value(fr_ctx *ctx, const void *payload);
/* Swap a live value's payload for a new one (TTL kept), free the old one,
 * signal the write and count one change (fr_dirty). */
void str_replace_payload(fr_ctx *ctx, const fr_str *key, fr_value *v,
                         void *newp);
/* Store the result of sv_take_raw (grown) back as a raw value in place;
 * signals the write and counts one change, like str_replace_payload. */
void str_store_edited(fr_ctx *ctx, const fr_str *key, fr_value *v, fr_str *s);
/* A keyspace notification about `key` in the caller's DB, where Redis
 * sends it: after the change, before the reply. */
void str_notify(fr_ctx *ctx, int type, const char *event, const fr_str *key);
/* Propagate an argv given as C strings with explicit lengths. */
void str_propagate(fr_ctx *ctx, int argc, const char *const *argv,
                   const size_t *lens);
/* Reply Redis's "invalid expire time in '<cmd>' command". */
void str_reply_bad_expire(fr_ctx *ctx);
/* Validate an expire argument and convert it to absolute ms; replies the
 * error and returns FR_ERR on failure.  `opt` is SR_OPT_EX/PX/EXAT/PXAT. */
int str_expire_arg(fr_ctx *ctx, int argi, int opt, long long *when_ms);
/* FR_ERR (after replying) when TTLs cannot be stored: no ttl module. */
int str_require_expire(fr_ctx *ctx);

/* ---- Hardened-mode limits -------------------------------------------------- */
#define STR_HARD_ZERO_FILL_MAX (8LL << 20)    /* SETRANGE gap filled with 0 */
#define STR_HARD_LCS_BYTES (64ULL << 20)      /* LCS working memory */

/* The size cap on one string value (str_size_cap.c): FR_OK, or FR_ERR
 * after replying.  Also the type's size_allowed_or_reply callback. */
extern fr_module *g_strings_module;
int str_size_allowed_or_reply(fr_ctx *ctx, size_t new_len);

/* ---- Command handlers ----------------------------------------------------
 * Prototypes are generated from the manifest (glue.h): str_basic.c (GET SET
 * SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX), str_edit.c
 * (APPEND SETRANGE GETRANGE SUBSTR STRLEN INCR DECR INCRBY DECRBY
 * INCRBYFLOAT), str_lcs.c (LCS). */

/* ---- Server directives that shape replies and propagation (str_common.c) -- */
long long str_proto_max_bulk(void);             /* proto-max-bulk-len */
const char *str_lazy_delete(const char *directive); /* "UNLINK" if yes, else "DEL" */

#endif /* FR_STRINGS_INTERNAL_H */

/* set_internal.h -- shared declarations of the set module.
 *
 * The payload is a setval (setval.h); the command handlers (cmd_*) are
 * declared by the generated glue.h from set.yaml.  Conventions: every
 * helper that fails has already replied; a set stored in the keyspace is
 * never empty. */
#ifndef FR_SET_INTERNAL_H
#define FR_SET_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "setval.h"

extern const fr_type *g_set_type;

/* Lookups as Redis's lookupKeyRead / lookupKeyWrite; *out = NULL when the
 * key is absent.  FR_ERR (WRONGTYPE sent) for a value of another type. */
int set_lookup_read(fr_ctx *ctx, const fr_str *key, setval **out);
int set_lookup_write(fr_ctx *ctx, const fr_str *key, setval **out);
/* A member or a whole set as a reply. */
void set_reply_member(fr_ctx *ctx, const st_member *m);
void set_reply_members(fr_ctx *ctx, const setval *s);
/* The reply to a set-typed read of an absent key: an empty set (RESP3 ~0). */
void set_reply_empty_set(fr_ctx *ctx);
/* An in-place change of `key`: WATCH & co see it; `n` changes counted. */
void set_touched(fr_ctx *ctx, const fr_str *key, long long n);
/* Delete `key` (emptied by the command) and raise "del". */
void set_delete_emptied(fr_ctx *ctx, const fr_str *key);
void set_notify(fr_ctx *ctx, int type, const char *event, const fr_str *key);
/* Store the result of a *STORE command, or delete dst when it is empty,
 * with Redis's reply, events and dirty count; takes `result`. */
void set_store_result(fr_ctx *ctx, const fr_str *dst, setval *result, const char *event);

/* RDB callbacks (set_rdb.c). */
int set_rdb_save(fr_rdb_io *io, const void *payload);
void *set_rdb_load(fr_rdb_io *io, int rdb_type);
int set_rdb_type_of(const void *payload);
void set_digest(unsigned char digest[20], const void *payload);
void set_foreach_member(const void *payload, void (*fn)(void *priv, const char *member, size_t len),
                        void *priv);

/* Hardened mode: the most draws SRANDMEMBER with a negative count makes
 * (each draw is at least 4 bytes of reply). */
#define SET_HARD_SRANDMEMBER_REPEATS (1LL << 24)

#define SET_RDB_TYPE_SET 2
#define SET_RDB_TYPE_SET_INTSET 11

#endif /* FR_SET_INTERNAL_H */

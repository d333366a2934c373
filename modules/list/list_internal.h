/* list_internal.h -- shared declarations of the list module.
 *
 * A "list" payload is a ql (quicklist.h).  The handlers never keep an
 * empty list in the keyspace: a command that removes the last element
 * deletes the key (and sends "del"), as Redis does.  g_list_type is set
 * for the whole time the module is loaded. */
#ifndef FR_LIST_INTERNAL_H
#define FR_LIST_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "quicklist.h"

extern const fr_type *g_list_type;

#define LIST_HEAD 1
#define LIST_TAIL 0

/* ---- type callbacks (list_type.c) ---------------------------------------- */
void lt_free(void *p);
size_t lt_free_effort(const void *p);
void *lt_dup(const void *p);
const char *lt_encoding(const void *p);
size_t lt_mem_usage(const void *p);
void lt_digest(unsigned char digest[20], const void *p);
/* Other modules' view (fr_type_def.foreach_member, .from_members). */
void lt_foreach_member(const void *p, void (*fn)(void *priv, const char *member, size_t len),
                       void *priv);
size_t lt_foreach_member_range(const void *p, size_t first, size_t count,
                               void (*fn)(void *priv, const char *member, size_t len), void *priv);
void *lt_from_members(size_t n, const char *const *members, const size_t *lens);
/* A new empty list with the directives in force. */
ql *lt_new(void);

/* ---- RDB callbacks (list_rdb.c) ------------------------------------------- */
int lt_rdb_save(fr_rdb_io *io, const void *p);
void *lt_rdb_load(fr_rdb_io *io, int rdb_type);

/* ---- helpers shared by the handlers (list_common.c) ----------------------- */
/* The list at `key` for reading/writing: NULL when absent (*wrongtype 0)
 * or of another type (*wrongtype 1, WRONGTYPE already replied). */
ql *list_lookup_read(fr_ctx *ctx, const fr_str *key, int *wrongtype);
ql *list_lookup_write(fr_ctx *ctx, const fr_str *key, int *wrongtype);
void list_notify(fr_ctx *ctx, int type, const char *event, const fr_str *key);
/* After elements left a list: Redis's listElementsRemoved (pop event,
 * "del" and key deletion when empty, write signal, `count` changes). */
void list_elements_removed(fr_ctx *ctx, const fr_str *key, ql *q, int where,
                           long long count);
/* Delete the key of a list that became empty, with its "del" event. */
void list_delete_if_empty(fr_ctx *ctx, const fr_str *key, ql *q);
/* Store a freshly created list (adopting q) under key. */
void list_store_new(fr_ctx *ctx, const fr_str *key, ql *q);
/* Reply elements [start, end] (Redis's clamping; reverse walks tail first). */
void list_reply_range(fr_ctx *ctx, const ql *q, long long start, long long end,
                      int reverse);
/* Parse LEFT/RIGHT (syntax error otherwise). */
int list_where_or_reply(fr_ctx *ctx, int i, int *where);
/* Reply and remove up to `count` elements from one end (as an array);
 * the number removed.  list_pop.c. */
long long list_pop_range_reply(fr_ctx *ctx, ql *q, int where, long long count);
/* LMOVE's work on arguments 1 (source) and 2 (destination), counted as
 * `changes` changes: FR_ERR when nothing moved (already replied).
 * list_pop.c. */
int list_move(fr_ctx *ctx, int from, int to, int changes);
/* Option keyword test with C-string semantics, as Redis compares options. */
int list_opt_is(const fr_ctx *ctx, int i, const char *kw);
/* LMPOP's and BLMPOP's "numkeys key [key ...] LEFT|RIGHT [COUNT count]"
 * from argument `first` (numkeys): Redis's checks and errors, in order.
 * FR_OK with the key count, the side and the count (1 without COUNT). */
int list_mpop_args_or_reply(fr_ctx *ctx, int first, long long *numkeys, int *where, long long *count);

/* Command handlers: prototypes generated from list.yaml (glue.h);
 * list_push.c (LPUSH RPUSH LPUSHX RPUSHX LINSERT LSET), list_pop.c (LPOP
 * RPOP LMPOP LMOVE RPOPLPUSH), list_read.c (LLEN LINDEX LRANGE LPOS),
 * list_edit.c (LREM LTRIM), list_block.c (BLPOP BRPOP BRPOPLPUSH BLMOVE
 * BLMPOP). */

#endif /* FR_LIST_INTERNAL_H */

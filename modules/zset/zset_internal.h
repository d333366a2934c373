/* zset_internal.h -- what the zset module's files share.
 *
 * A sorted set payload (zset_obj) is one of Redis's two encodings: a
 * listpack of member, score, member, score ... ordered by score then
 * member bytes (scores as Redis's d2string text, so the bytes match
 * Redis's), or a skiplist with its member index (zsl.h).  A listpack
 * becomes a skiplist when it would hold more than zset-max-listpack-entries
 * members or a member longer than zset-max-listpack-value bytes; commands
 * that build a new set (ZUNIONSTORE & co, RDB loading) pick the encoding
 * from the final size, as Redis does.  Invariant: a zset in the keyspace is
 * never empty -- the command that removes its last member deletes the key.
 *
 * Files: ../lib/listpack.c (listpack bytes, shared), zsl.c (skiplist),
 * zset_value.c (the payload over both encodings, iteration, type
 * callbacks), zset_range.c (score and lex ranges), zset_write.c,
 * zset_read.c, zset_rangecmd.c, zset_pop.c, zset_algebra.c,
 * zset_random.c, zset_scan.c (commands), zset_rdb.c (RDB), module.c;
 * the GEO commands: geo_internal.h and the geo*.c files. */
#ifndef FR_ZSET_INTERNAL_H
#define FR_ZSET_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "listpack.h"
#include "zsl.h"

#include <stddef.h>
#include <stdint.h>

#define ZSET_ENC_LISTPACK 0
#define ZSET_ENC_SKIPLIST 1

/* Redis's RDB type ids of the sorted set encodings. */
#define RDB_TYPE_ZSET 3
#define RDB_TYPE_ZSET_2 5
#define RDB_TYPE_ZSET_ZIPLIST 12
#define RDB_TYPE_ZSET_LISTPACK 17

/* Redis refuses to grow a listpack past 1 GB and converts instead. */
#define ZSET_LP_SAFETY_SIZE (1ul << 30)
/* Room for any score's text (%.17g of a double, sign, exponent). */
#define ZSET_SCORE_BUF 48

typedef struct zset_obj {
    int enc;
    union {
        unsigned char *lp;  /* ZSET_ENC_LISTPACK */
        zsl *sl;            /* ZSET_ENC_SKIPLIST */
    };
} zset_obj;

/* One element as iteration yields it; `buf` holds a listpack integer's
 * text.  The pointers die with the next change to the set. */
typedef struct zs_elem {
    const char *m;
    size_t mlen;
    double score;
    char buf[LP_INT_BUF];
} zs_elem;

/* A position in either encoding (ep: the member entry; node). */
typedef struct zs_iter {
    zset_obj *z;
    unsigned char *ep;
    zsl_node *node;
} zs_iter;

extern const fr_type *g_zset_type;

/* ZADD's flags in and results out (Redis's ZADD_IN_* / ZADD_OUT_*). */
#define ZADD_IN_INCR (1 << 0)
#define ZADD_IN_NX (1 << 1)
#define ZADD_IN_XX (1 << 2)
#define ZADD_IN_GT (1 << 3)
#define ZADD_IN_LT (1 << 4)
#define ZADD_OUT_NOP (1 << 0)
#define ZADD_OUT_NAN (1 << 1)
#define ZADD_OUT_ADDED (1 << 2)
#define ZADD_OUT_UPDATED (1 << 3)

/* zset_value.c: the payload. */
zset_obj *zv_new_listpack(void);
zset_obj *zv_new_skiplist(unsigned long expected);
/* The encoding ZADD gives a new set whose first member is mlen bytes. */
zset_obj *zv_new_for(size_t mlen);
unsigned long zv_len(const zset_obj *z);
int zv_score(const zset_obj *z, const void *m, size_t len, double *score); /* 1 found */
/* Redis's zsetAdd: 0 when the result would be NaN (nothing changed). */
int zv_add(zset_obj *z, double score, const void *m, size_t len, int in, int *out, double *newscore);
int zv_delete(zset_obj *z, const void *m, size_t len);                   /* 1 deleted */
long zv_rank(const zset_obj *z, const void *m, size_t len, int reverse); /* -1 absent */
/* Delete 0-based ranks start..end (within the length); how many. */
unsigned long zv_delete_ranks(zset_obj *z, unsigned long start, unsigned long end);
void zv_convert(zset_obj *z, int enc);
/* Back to a listpack when the final size allows (Redis's
 * zsetConvertToListpackIfNeeded). */
void zv_shrink_if_small(zset_obj *z, size_t maxelelen, size_t totelelen);
size_t zv_max_value(void);
unsigned long long zv_max_entries(void);
uint64_t zv_rand(void);
void zv_seed(uint64_t seed);
/* A score as a listpack stores it (Redis's zzlInsertAt): integral values
 * as integers (-0 as 0), inf, -inf, else %.17g. */
int zv_score_text(char *buf, size_t len, double score);

/* Iteration by rank (0-based), both ways. */
int zi_seek(zs_iter *it, zset_obj *z, unsigned long rank);   /* 0: past the end */
int zi_valid(const zs_iter *it);
void zi_get(const zs_iter *it, zs_elem *e);
void zi_next(zs_iter *it);
void zi_prev(zs_iter *it);
typedef void (*zs_elem_fn)(void *priv, const zs_elem *e);
void zv_foreach(zset_obj *z, zs_elem_fn fn, void *priv);

void zv_free(void *p);
size_t zv_free_effort(const void *p);
void *zv_dup(const void *p);
const char *zv_encoding(const void *p);
size_t zv_mem_usage(const void *p);
void zv_digest(unsigned char digest[20], const void *p);
int zv_rdb_type_of(const void *p);
void zv_expand(void *p);
size_t zv_foreach_member_range(const void *p, size_t first, size_t count,
                               void (*fn)(void *priv, const char *member, size_t len), void *priv);
void zv_foreach_member(const void *p, void (*fn)(void *priv, const char *member, size_t len),
                       void *priv);

/* zset_range.c: BYSCORE and BYLEX ranges. */
typedef struct zlex_bound {
    int kind;          /* ZLEX_MINUS ("-"), ZLEX_PLUS ("+"), ZLEX_VALUE */
    int ex;            /* exclusive ("(") */
    const char *p;
    size_t len;
} zlex_bound;
#define ZLEX_VALUE 0
#define ZLEX_MINUS 1
#define ZLEX_PLUS 2

typedef struct zrange_q {
    int lex;
    double min, max;
    int minex, maxex;
    zlex_bound lmin, lmax;
} zrange_q;

/* Redis's zslParseRange / zslParseLexRange: 0 when unparsable (the caller
 * replies its error).  A lex range points into the arguments. */
int zr_parse_score(const fr_str *min, const fr_str *max, zrange_q *q);
int zr_parse_lex(const fr_str *min, const fr_str *max, zrange_q *q);
int zr_gte_min(const void *q, double score, const char *m, size_t len);
int zr_lte_max(const void *q, double score, const char *m, size_t len);
/* The first / last element in range: its 0-based rank and position, or -1. */
long zr_first(zset_obj *z, const zrange_q *q, zs_iter *it);
long zr_last(zset_obj *z, const zrange_q *q, zs_iter *it);
/* The number of elements in range. */
unsigned long zr_count(zset_obj *z, const zrange_q *q);

/* zset_write.c: lookups and the helpers the command files share. */
/* The key's zset for reading: 1 with *z set (NULL when absent), 0 after
 * replying WRONGTYPE. */
int zset_lookup_read(fr_ctx *ctx, const fr_str *key, zset_obj **z);
/* The same for writing (no hit/miss counted, no keymiss event). */
int zset_lookup_write(fr_ctx *ctx, const fr_str *key, zset_obj **z);
/* After removing members from a stored zset: touch, dirty, the event, and
 * the key deleted ("del") when the set is empty.  1 if the key went. */
int zset_after_removal(fr_ctx *ctx, const fr_str *key, zset_obj *z, long long dirty, const char *event);
/* Store a built result at dst (ZUNIONSTORE, ZRANGESTORE): replies the
 * count; an empty result deletes dst instead. */
void zset_store_result(fr_ctx *ctx, const fr_str *dst, zset_obj *z, const char *event);
void zset_reply_score(fr_ctx *ctx, double score);
/* ZADD from the key lookup on (ZADD, ZINCRBY, GEOADD): adds the n pairs
 * under the ZADD_IN_* flags, replies, counts dirty, raises the event.
 * Returns how many members were added or updated. */
long long zset_add_pairs(fr_ctx *ctx, const fr_str *key, int flags, int ch, int n, const double *scores,
                         const fr_str *const *members);
/* Parse a score argument ("value is not a valid float" / custom msg). */
int zset_arg_double_or_reply(fr_ctx *ctx, int i, double *out, const char *msg);

/* zset_rdb.c */
int zv_rdb_save(fr_rdb_io *io, const void *p);
void *zv_rdb_load(fr_rdb_io *io, int rdb_type);
/* A zset listpack's deep check: pairs, valid scores, no member twice. */
int zset_lp_validate(const unsigned char *buf, size_t size);

#endif

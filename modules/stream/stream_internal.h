/* stream_internal.h -- the stream module's shared declarations.
 *
 * A stream is what Redis 7.0 keeps: entries in listpack "nodes", each node
 * keyed by its master ID (the ID of the first entry added to it) and
 * holding a master entry (valid count, deleted count, master fields) then
 * the entries delta-encoded against the master ID, exactly in Redis's
 * byte layout so that DUMP and RDB payloads are Redis's.  Nodes live in an
 * array sorted by master ID (Redis's rax keyed by the big-endian 128-bit
 * ID orders them the same way).
 *
 * Consumer groups, their pending entries (NACKs) and consumers are kept in
 * arrays sorted as Redis's rax iterates them (names byte-wise, a prefix
 * first; IDs numerically), which is the order RDB and XINFO show.
 *
 * Invariants: s->length is the number of entries not flagged deleted;
 * every node holds at least one entry (valid or deleted); a NACK is in its
 * group's PEL and in exactly one consumer's PEL (the consumer it names). */
#ifndef FR_STREAM_INTERNAL_H
#define FR_STREAM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"
#include "glue.h"
#include "listpack.h"

#define SF_NONE 0
#define SF_DELETED 1
#define SF_SAMEFIELDS 2

#define STREAM_LP_MAX_SIZE (1u << 30)
#define SCG_INVALID_ENTRIES_READ (-1LL)

typedef struct sid {
    uint64_t ms, seq;
} sid;

typedef struct snode {
    sid master;
    unsigned char *lp;
} snode;

struct sconsumer;
typedef struct snack {
    sid id;
    long long delivery_time;
    unsigned long long delivery_count;
    struct sconsumer *consumer;
} snack;

/* A sorted array of pointers. */
typedef struct sarr {
    void **v;
    size_t n, cap;
} sarr;

typedef struct sconsumer {
    fr_str *name;
    long long seen_time;
    sarr pel; /* snack*, by ID */
} sconsumer;

typedef struct sgroup {
    fr_str *name;
    sid last_id;
    long long entries_read;
    sarr pel;       /* snack*, by ID */
    sarr consumers; /* sconsumer*, by name */
} sgroup;

typedef struct stream {
    snode *nodes;
    size_t nnodes, capnodes;
    uint64_t length;
    uint64_t entries_added;
    sid last_id, first_id, max_deleted;
    sarr groups; /* sgroup*, by name */
} stream;

extern const fr_type *g_stream_type;

/* ---- IDs (stream_id.c) */
int sid_cmp(const sid *a, const sid *b);
int sid_incr(sid *id); /* FR_ERR on wrap */
int sid_decr(sid *id);
int sid_is_zero(const sid *id);
int sid_fmt(char *buf, const sid *id); /* buf >= 44 bytes; returns len */
void sid_reply(fr_ctx *ctx, const sid *id);
void sid_encode(unsigned char out[16], const sid *id);
void sid_decode(const unsigned char in[16], sid *id);
/* Redis's streamGenericParseIDOrReply: strict refuses "-" and "+";
 * seq_given non-NULL accepts "<ms>-*" (then *seq_given = 0). */
int sid_parse(const char *p, size_t len, sid *id, uint64_t missing_seq, int strict, int *seq_given);
int sid_arg_or_reply(fr_ctx *ctx, int i, sid *id, uint64_t missing_seq, int strict, int *seq_given);
/* A range bound, "(" for exclusive. */
int sid_interval_or_reply(fr_ctx *ctx, int i, sid *id, int *exclude, uint64_t missing_seq);

/* ---- sorted arrays (stream_arr.c) */
void sarr_insert(sarr *a, size_t at, void *p);
void sarr_remove(sarr *a, size_t at);
void sarr_free(sarr *a);
/* Name order of Redis's rax: byte-wise, a prefix before longer names. */
int name_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Binary searches: index of the match (found 1) or of the insertion point. */
size_t pel_find(const sarr *pel, const sid *id, int *found);
size_t cons_find(const sarr *cons, const char *name, size_t len, int *found);
size_t group_find(const sarr *groups, const char *name, size_t len, int *found);

/* ---- the value (stream_type.c) */
stream *stream_new(void);
void stream_free(void *p);
size_t stream_free_effort(const void *p);
void *stream_dup(const void *p);
const char *stream_encoding(const void *p);
size_t stream_mem_usage(const void *p);
void stream_digest(unsigned char digest[20], const void *p);
long long lp_int(const unsigned char *p);
unsigned char *lp_append_int(unsigned char *lp, long long v);
unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v);

/* Appending (Redis's streamAppendItem).  use_id NULL: auto ID.  Returns
 * FR_OK, or FR_ERR with *why 1 (ID too small) or 2 (too large). */
int stream_append(stream *s, const fr_str *const *fv, long long nfields, sid *added, const sid *use_id,
                  int seq_given, int *why);

/* The iterator (Redis's streamIterator): entries within [start, end]. */
typedef struct sit {
    stream *s;
    unsigned char start_key[16], end_key[16];
    int rev, skip_tombstones;
    long node;           /* current node; -1 before the first */
    int in_node;         /* lp_ele valid */
    unsigned char *lp;
    unsigned char *ele;
    sid master;
    long long master_nfields;
    unsigned char *master_fields;
    unsigned char *flags_p;
    long long flags;
    unsigned char *mf_ptr;
} sit;
void sit_start(sit *it, stream *s, const sid *start, const sid *end, int rev);
int sit_next(sit *it, sid *id, long long *nfields);
/* Field and value of the current entry, in order, after sit_next. */
void sit_field(sit *it, lp_entry *f, lp_entry *v);
/* Delete the current entry (flag it) and re-seek after it. */
void sit_remove(sit *it, const sid *current);

int stream_delete_id(stream *s, const sid *id);
int stream_entry_exists(stream *s, const sid *id);
void stream_edge_id(stream *s, int first, int skip_tombstones, sid *out);
void stream_last_valid_id(stream *s, sid *out);

/* Trimming (Redis's streamTrim). */
#define TRIM_NONE 0
#define TRIM_MAXLEN 1
#define TRIM_MINID 2
typedef struct trim_args {
    sid id;
    int id_given, seq_given, no_mkstream;
    int strategy, strategy_idx, approx;
    long long limit, maxlen;
    sid minid;
} trim_args;
long long stream_trim(stream *s, const trim_args *a);

/* Groups (stream_type.c) */
sgroup *group_lookup(stream *s, const char *name, size_t len);
sgroup *group_create(stream *s, const char *name, size_t len, const sid *id, long long entries_read);
void group_free(sgroup *g);
sconsumer *consumer_lookup(sgroup *g, const char *name, size_t len);
sconsumer *consumer_create(sgroup *g, const char *name, size_t len, long long now);
void consumer_delete(sgroup *g, sconsumer *c);
void nack_free(snack *n);
int stream_range_has_tombstones(stream *s, const sid *start, const sid *end);
long long stream_estimate_distance(stream *s, const sid *id);

/* ---- group reads and propagation (stream_read.c) */
snack *stream_deliver(sgroup *g, sconsumer *c, const sid *id);
void stream_propagate_xclaim(fr_ctx *ctx, const fr_str *key, const fr_str *gname, sgroup *g, const char *id,
                             size_t idl, const snack *n);
void stream_propagate_group_id(fr_ctx *ctx, const fr_str *key, sgroup *g, const fr_str *gname);
void stream_propagate_consumer_creation(fr_ctx *ctx, const fr_str *key, const fr_str *gname,
                                        const fr_str *cname);
/* A new consumer, with Redis's dirty count and "xgroup-createconsumer". */
sconsumer *stream_consumer_new(fr_ctx *ctx, sgroup *g, const fr_str *key, const char *name, size_t len);

/* ---- RDB (stream_rdb.c) */
int stream_rdb_save(fr_rdb_io *io, const void *p);
void *stream_rdb_load(fr_rdb_io *io, int rdb_type);

/* ---- replies (stream_reply.c) */
/* Entry as [id, [f, v, ...]] at the iterator's position. */
void reply_entry(fr_ctx *ctx, sit *it, const sid *id, long long nfields);
stream *stream_lookup_read(fr_ctx *ctx, const fr_str *key, int *wrong);
stream *stream_lookup_write(fr_ctx *ctx, const fr_str *key, fr_value **v, int *wrong);

#endif

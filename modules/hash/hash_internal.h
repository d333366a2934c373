/* hash_internal.h -- what the hash module's files share.
 *
 * A hash payload (hash_obj) is one of Redis's two encodings: a listpack of
 * field, value, field, value ... in insertion order, or a hashtable.  A
 * listpack becomes a hashtable (never back, as in Redis) when it would hold
 * more than hash-max-listpack-entries fields or a field or value longer than
 * hash-max-listpack-value bytes.  Invariant: a hash in the keyspace is never
 * empty -- the command that removes its last field deletes the key.
 *
 * Files: ../lib/listpack.c (listpack bytes, shared), hash_legacy.c (ziplist, zipmap),
 * hash_table.c (hashtable), hash_value.c (the payload over both encodings,
 * type callbacks), hash_rdb.c (RDB), hash_write.c / hash_read.c /
 * hash_random.c / hash_scan.c (commands), module.c (registration). */
#ifndef HASH_INTERNAL_H
#define HASH_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "listpack.h"
#include "hash_table.h"

#include <stddef.h>
#include <stdint.h>

#define HASH_ENC_LISTPACK 0
#define HASH_ENC_HT 1

/* Redis's RDB type ids of the hash encodings. */
#define RDB_TYPE_HASH 4
#define RDB_TYPE_HASH_ZIPMAP 9
#define RDB_TYPE_HASH_ZIPLIST 13
#define RDB_TYPE_HASH_LISTPACK 16

/* Redis refuses to grow a listpack past 1 GB and converts instead. */
#define HASH_LP_SAFETY_SIZE (1ul << 30)

/* 16 bytes (one allocation class below a struct with both pointers):
 * with 10-field hashes the header is a tenth of the memory per field. */
typedef struct hash_obj {
    int enc;
    union {
        unsigned char *lp;  /* HASH_ENC_LISTPACK */
        ht_table *ht;       /* HASH_ENC_HT */
    };
} hash_obj;

/* A field's or value's bytes; `buf` holds a listpack integer's text. */
typedef struct hash_text {
    const char *p;
    size_t len;
    char buf[LP_INT_BUF];
} hash_text;

typedef void (*hash_pair_fn)(void *priv, const hash_text *field, const hash_text *value);

extern const fr_type *g_hash_type;

/* hash_value.c: the payload. */
hash_obj *hv_new(void);
hash_obj *hv_from_lp(unsigned char *lp);       /* adopts lp */
hash_obj *hv_new_ht(unsigned long expected);
unsigned long hv_len(const hash_obj *h);
int hv_get(const hash_obj *h, const void *f, size_t flen, hash_text *out); /* 1 found */
/* fr_type_def.field_value: another module's read of one field. */
const char *hv_field_value(const void *p, const char *f, size_t flen, size_t *len,
                           char scratch[FR_INT_TEXT_MAX]);
/* Set a field (1: it is new); converts as Redis's hashTypeSet does. */
int hv_set(hash_obj *h, const void *f, size_t flen, const void *v, size_t vlen);
int hv_delete(hash_obj *h, const void *f, size_t flen);                  /* 1 deleted */
void hv_convert_to_ht(hash_obj *h);
/* Converts when one of the lengths passes hash-max-listpack-value or their
 * sum could not be added to the listpack (Redis's hashTypeTryConversion). */
void hv_try_conversion(hash_obj *h, const size_t *lens, int n);
void hv_convert_if_too_long(hash_obj *h); /* on hash-max-listpack-entries */
void hv_foreach(const hash_obj *h, hash_pair_fn fn, void *priv);
uint64_t hv_rand(void);
void hv_seed(uint64_t seed);
size_t hv_max_value(void);
unsigned long long hv_max_entries(void);

void hv_free(void *p);
size_t hv_free_effort(const void *p);
void *hv_dup(const void *p);
const char *hv_encoding(const void *p);
size_t hv_mem_usage(const void *p);
void hv_digest(unsigned char digest[20], const void *p);
int hv_rdb_type_of(const void *p);

/* hash_rdb.c */
int hv_rdb_save(fr_rdb_io *io, const void *p);
void *hv_rdb_load(fr_rdb_io *io, int rdb_type);

/* hash_write.c helpers used by the other command files. */
/* The key's hash for reading: 1 with *h set (NULL when absent), 0 after
 * replying WRONGTYPE. */
int hash_lookup_read(fr_ctx *ctx, const fr_str *key, hash_obj **h);
void hash_reply_text(fr_ctx *ctx, const hash_text *t);

#endif

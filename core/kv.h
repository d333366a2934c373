/* kv.h -- the key entry: one allocation holding a key, its value header and
 * its expire time (struct fr_value, opaque to modules).
 *
 * Layout (32-byte header, then the key bytes, no terminator):
 *   next     keys-table chain; first member, as dict.h requires of embedded
 *            entries (the dict reads and writes only this field)
 *   payload  the type's payload word
 *   lru:24   access record, as Redis's object lru field: the LRU clock in
 *            seconds (OBJECT IDLETIME), or under FR_ACCESS_LFU the minute
 *            of the last decay (16 bits) and a log counter (8 bits);
 *            type:8, the type id (types.c)
 *   keylen   key length; FR_KV_LONGKEY means the real length (>= 2^32-1)
 *            is the first 8 bytes of key[]
 *   expire   absolute unix ms, -1 for none
 * A 16-byte key fits jemalloc's 48-byte class, against 32 (dict entry) + 48
 * (fr_str key) + 32 (value header) before, which is what keeps bytes per key
 * below Redis's (docs/performance.md).
 *
 * Invariants: an fr_value never moves or changes its key once created, so a
 * module may hold one across calls within a command; `expire` is != -1
 * exactly when the entry is in its DB's expires set. */
#ifndef FR_KV_H
#define FR_KV_H

#include "dict.h"

#define FR_KV_LONGKEY UINT32_MAX

struct fr_value {
    fr_dict_entry *next;
    void *payload;
    uint32_t lru : 24;
    uint32_t type_id : 8;
    uint32_t keylen;
    int64_t expire;
    char key[];
};

/* A new entry for key, owning payload (nothing is copied but the key). */
fr_value *fr_kv_new(const fr_str *key, const fr_type *t, void *payload);
/* Free the entry and, through its type, its payload. */
void fr_kv_free(fr_value *v);
/* Free the entry only: its payload went elsewhere (RENAME, MOVE). */
void fr_kv_free_shell(fr_value *v);
void fr_kv_set_value(fr_value *v, const fr_type *t, void *payload);

const char *fr_kv_key(const fr_value *v, size_t *len);
fr_str *fr_kv_key_dup(const fr_value *v);             /* caller frees */
/* The key as an fr_str in *scratch (grown as needed; the caller frees it
 * once done with all keys); valid until the next call with that scratch. */
const fr_str *fr_kv_key_view(const fr_value *v, fr_str **scratch);
size_t fr_kv_alloc_size(const fr_value *v);

/* Access recording: the record a new value starts with, and the update a
 * lookup (without FR_LOOKUP_NOTOUCH) or an overwrite makes. */
unsigned fr_kv_access_fresh(void);
void fr_kv_touch(fr_value *v);
void fr_kv_overwritten(fr_value *v);

/* Dict callbacks for the keys table (embedded entries, fr_str lookups) and
 * for the expires set (entry pointers). */
extern const fr_dict_type fr_kv_keys_dict_type;
extern const fr_dict_type fr_kv_expires_dict_type;

/* Between the dict's view of an entry and ours (same address). */
static inline fr_value *fr_kv_of(fr_dict_entry *e)
{
    return (fr_value *)(void *)e;
}

static inline fr_dict_entry *fr_kv_entry(fr_value *v)
{
    return (fr_dict_entry *)(void *)v;
}

#endif /* FR_KV_H */

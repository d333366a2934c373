/* dict.h -- the core's chained hash table with incremental rehashing.
 *
 * Used for the keyspace, the expires table, the command table and smaller
 * core maps.  Behaviour follows Redis 7.0's dict (growth points, rehash
 * pacing, sampling, SCAN cursor) so that DEBUG HTSTATS, SCAN and eviction
 * behave the same; the code is our own.
 *
 * Invariants:
 *  - table sizes are powers of two, at least FR_DICT_MIN_SIZE once allocated;
 *  - while rehashing (rehash_idx >= 0), buckets [0, rehash_idx) of table 0
 *    are empty, new entries go to table 1, and lookups search both tables;
 *  - nothing moves between tables while pause_rehash > 0 (safe iterators and
 *    fr_dict_scan() raise it), so positions stay valid for their walk;
 *  - an entry's key, once stored, is never changed by the dict.
 *
 * Ownership: the dict owns its entries.  A key or value handed to add/replace
 * belongs to the dict when the type has the matching free callback (or dup,
 * in which case the dict owns its copy and the caller keeps the original).
 * Single-threaded: callers serialise all access. */
#ifndef FR_DICT_H
#define FR_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"

#define FR_DICT_MIN_EXP 2
#define FR_DICT_MIN_SIZE (1UL << FR_DICT_MIN_EXP)
/* With resizing avoided, a table still grows past this many entries per
 * bucket, and a pending rehash still proceeds when the sizes differ by at
 * least this factor. */
#define FR_DICT_FORCE_RESIZE_RATIO 5
/* fr_dict_try_shrink() acts below this fill percentage. */
#define FR_DICT_MIN_FILL_PCT 10
/* fr_dict_empty() calls its callback once per this many buckets. */
#define FR_DICT_EMPTY_CB_BUCKETS 65536UL

/* `next` comes first: it is the only member the dict touches in every kind
 * of entry (see "embedded entries" below), and a no-value dict allocates
 * only up to `v`. */
typedef struct fr_dict_entry {
    struct fr_dict_entry *next;
    void *key;
    union {
        void *val;
        uint64_t u64;
        int64_t s64;
        double d;
    } v;
} fr_dict_entry;

/* hash is required; the other callbacks are optional.  key_compare(a, b)
 * gets the key being looked up as a and a stored key as b, and returns
 * non-zero when equal; NULL means pointer equality.  key_dup/val_dup, when
 * set, make the dict store a copy of what it is given.
 *
 * no_value: entries are {next, key} only (16 bytes instead of 24, i.e. one
 * jemalloc class smaller); v must never be touched.
 *
 * Embedded entries (entry_hash set): the caller allocates each entry as its
 * own object whose first member is a `struct fr_dict_entry *next`, and the
 * entry itself is its key -- key_compare receives the entry as b, and
 * entry_hash(e) must equal hash() of every key that compares equal to it.
 * Such entries are inserted with fr_dict_find_or_slot()/fr_dict_link_slot()
 * and freed with entry_free; key_*, val_* and the add/replace functions do
 * not apply.  The keyspace uses this to keep key, value header and expire in
 * one allocation. */
typedef struct fr_dict_type {
    uint64_t (*hash)(const void *key);
    int (*key_compare)(const void *a, const void *b);
    void *(*key_dup)(const void *key);
    void *(*val_dup)(const void *val);
    void (*key_free)(void *key);
    void (*val_free)(void *val);
    int no_value;
    uint64_t (*entry_hash)(const fr_dict_entry *e);
    void (*entry_free)(fr_dict_entry *e);
} fr_dict_type;

typedef struct fr_dict {
    const fr_dict_type *type;
    fr_dict_entry **table[2];
    unsigned long used[2];
    signed char exp[2];  /* log2 of table size; -1 while unallocated */
    long rehash_idx;     /* next table-0 bucket to move; -1: not rehashing */
    int pause_rehash;    /* > 0: no entry may change table */
} fr_dict;

/* Iterators.  Unsafe: nothing but fr_dict_iter_next() may touch the dict
 * until release, which aborts the process if the table layout changed (the
 * fingerprint differs).  Safe: rehashing pauses from the first next() until
 * release, and meanwhile the caller may look up, add (new entries may or may
 * not be returned) and delete the entry just returned -- not other entries,
 * since the iterator already holds the next one.  Each entry present
 * throughout is returned exactly once.  Iterators live on the stack
 * (init/release) or the heap (new/free). */
typedef struct fr_dict_iter {
    fr_dict *d;
    long index;
    int table;
    int safe;
    int started;
    fr_dict_entry *entry;
    fr_dict_entry *next_entry;
    uint64_t fingerprint;
} fr_dict_iter;

/* Global resize policy (process-wide, like Redis's dict_can_resize). */
typedef enum fr_dict_resize_mode {
    FR_DICT_RESIZE_FORBID = -1, /* in a fork child: never grow or rehash */
    FR_DICT_RESIZE_AVOID = 0,   /* a fork child exists: only when overfull */
    FR_DICT_RESIZE_ENABLE = 1
} fr_dict_resize_mode;
void fr_dict_resize_enable(int mode); /* an fr_dict_resize_mode value */
int fr_dict_resize_mode_get(void);

/* Seed of the generator behind the random-key functions (set at start-up;
 * a fixed default otherwise, which tests rely on for repeatability). */
void fr_dict_random_seed(uint64_t seed);

/* --- lifetime --- */
fr_dict *fr_dict_create(const fr_dict_type *type);
void fr_dict_release(fr_dict *d); /* frees entries, keys and values; NULL ok */
/* Remove everything and free the tables; the dict stays usable (not to be
 * called while an iterator or scan is active).  cb, if not NULL, runs at
 * every FR_DICT_EMPTY_CB_BUCKETS-th bucket, starting with the first (event-
 * loop upkeep during a huge FLUSHALL). */
void fr_dict_empty(fr_dict *d, void (*cb)(fr_dict *d));

/* --- insertion --- */
/* FR_OK, or FR_ERR (nothing stored, nothing freed) if the key exists. */
int fr_dict_add(fr_dict *d, void *key, void *val);
/* Insert key with an unset value and return its entry, for the caller to
 * fill; if the key exists return NULL and set *existing (when not NULL). */
fr_dict_entry *fr_dict_add_raw(fr_dict *d, void *key, fr_dict_entry **existing);
/* The entry for key, inserted with an unset value if absent. */
fr_dict_entry *fr_dict_add_or_find(fr_dict *d, void *key);
/* Add, or overwrite the value (the new one is stored before the old one is
 * freed, so both may be the same refcounted object).  Returns 1 if added, 0
 * if overwritten; in the latter case `key` was not stored and stays with the
 * caller. */
int fr_dict_replace(fr_dict *d, void *key, void *val);

/* Embedded entries: the entry for key, or NULL after setting *slot to where
 * a new entry for key goes (the table grows first if it has to).  Pass the
 * slot to fr_dict_link_slot() before any other call on the dict. */
fr_dict_entry *fr_dict_find_or_slot(fr_dict *d, const void *key,
                                    fr_dict_entry ***slot);
void fr_dict_link_slot(fr_dict *d, fr_dict_entry **slot, fr_dict_entry *e);

/* --- lookup --- */
fr_dict_entry *fr_dict_find(fr_dict *d, const void *key);
void *fr_dict_fetch_value(fr_dict *d, const void *key); /* NULL if absent */

/* --- removal --- */
int fr_dict_delete(fr_dict *d, const void *key); /* FR_OK or FR_ERR absent */
/* Take the entry out without freeing anything; pass it to
 * fr_dict_free_unlinked() when done (NULL is fine there). */
fr_dict_entry *fr_dict_unlink(fr_dict *d, const void *key);
void fr_dict_free_unlinked(fr_dict *d, fr_dict_entry *e);

/* --- entry access --- */
static inline void *fr_dict_key(const fr_dict_entry *e) { return e->key; }
static inline void *fr_dict_val(const fr_dict_entry *e) { return e->v.val; }
/* Store a value in an entry (through val_dup if the type has one); the old
 * value is not freed. */
void fr_dict_set_val(fr_dict *d, fr_dict_entry *e, void *val);
void fr_dict_free_val(fr_dict *d, fr_dict_entry *e); /* val_free, if any */

/* --- size and memory --- */
static inline unsigned long fr_dict_size(const fr_dict *d)
{
    return d->used[0] + d->used[1];
}
static inline int fr_dict_is_rehashing(const fr_dict *d)
{
    return d->rehash_idx != -1;
}
unsigned long fr_dict_slots(const fr_dict *d);  /* buckets of both tables */
/* Bytes of table and entries (not keys/values), as MEMORY STATS counts. */
size_t fr_dict_mem_overhead(const fr_dict *d);
/* Redis's DEBUG HTSTATS text for the dict (without the "[... HT]" title);
 * always NUL-terminated when bufsize > 0; returns strlen(buf). */
size_t fr_dict_get_stats(const fr_dict *d, char *buf, size_t bufsize);

/* --- resizing --- */
/* Grow or shrink to the power of two >= n (and >= size).  FR_OK if a new
 * table was set up; FR_ERR if skipped: rehashing, n < size, same size, or n
 * too big to allocate. */
int fr_dict_expand(fr_dict *d, unsigned long n);
/* Cron: shrink when fill < FR_DICT_MIN_FILL_PCT%, resizing is enabled and no
 * rehash is running.  FR_OK if a shrink was started. */
int fr_dict_try_shrink(fr_dict *d);
/* Up to n rehash steps (each moves one non-empty bucket, giving up after 10n
 * empty ones).  Does nothing while paused or forbidden by the policy.
 * Returns 1 if the dict is still rehashing afterwards, else 0. */
int fr_dict_rehash(fr_dict *d, int n);
/* Cron: rehash in batches of 100 steps until about ms milliseconds passed.
 * Returns the number of buckets moved. */
long fr_dict_rehash_ms(fr_dict *d, int ms);

/* --- sampling --- */
/* A random entry (random non-empty bucket, then random chain element), or
 * NULL if empty.  Chains make it slightly unfair; see the fair variant. */
fr_dict_entry *fr_dict_get_random_key(fr_dict *d);
/* Random pick among a sample of up to 15 entries: evens out chain bias. */
fr_dict_entry *fr_dict_get_fair_random_key(fr_dict *d);
/* Sample up to count entries from consecutive buckets starting at a random
 * point.  The entries stored are live and pairwise distinct; fewer than count
 * may be returned (never more than the dict holds).  Returns how many. */
unsigned int fr_dict_get_some_keys(fr_dict *d, fr_dict_entry **entries,
                                   unsigned int count);

/* --- iteration --- */
void fr_dict_iter_init(fr_dict_iter *it, fr_dict *d);
void fr_dict_iter_init_safe(fr_dict_iter *it, fr_dict *d);
fr_dict_entry *fr_dict_iter_next(fr_dict_iter *it); /* NULL at the end */
void fr_dict_iter_release(fr_dict_iter *it);
fr_dict_iter *fr_dict_iter_new(fr_dict *d, int safe);
void fr_dict_iter_free(fr_dict_iter *it); /* releases, then frees */
/* Digest of the table layout an unsafe iterator checks. */
uint64_t fr_dict_fingerprint(const fr_dict *d);

/* Stateless cursor walk (SCAN).  Start with cursor 0; each call visits one
 * bucket of the smaller table and its expansions in the larger one, calls fn
 * for each entry there and returns the next cursor, 0 when done.  Every entry
 * present from the first call to the last is visited at least once, even if
 * the dict grows, shrinks or rehashes in between; some may be visited more
 * than once.  Rehashing is paused during the call.  fn may look entries up
 * and may delete or unlink the entry it was given (only that one); it must
 * not add entries or delete others. */
typedef void (*fr_dict_scan_fn)(void *privdata, fr_dict_entry *e);
unsigned long fr_dict_scan(fr_dict *d, unsigned long cursor,
                           fr_dict_scan_fn fn, void *privdata);

/* --- hashing helpers --- */
/* SipHash-1-2 under the process seed (siphash.h). */
uint64_t fr_dict_hash_bytes(const void *p, size_t len);
uint64_t fr_dict_hash_bytes_nocase(const void *p, size_t len);
/* ASCII-case-insensitive equality that agrees with the nocase hash. */
int fr_dict_bytes_equal_nocase(const char *a, const char *b, size_t len);
/* Callbacks for fr_str keys, binary-exact or ASCII-case-insensitive. */
uint64_t fr_dict_str_hash(const void *key);
int fr_dict_str_equal(const void *a, const void *b);
uint64_t fr_dict_str_hash_nocase(const void *key);
int fr_dict_str_equal_nocase(const void *a, const void *b);
/* NUL-terminated C strings, case-insensitive (e.g. fixed name tables). */
uint64_t fr_dict_cstr_hash_nocase(const void *key);
int fr_dict_cstr_equal_nocase(const void *a, const void *b);

/* Ready-made types.  None frees values. */
extern const fr_dict_type fr_dict_type_str_keys;        /* frees fr_str keys */
extern const fr_dict_type fr_dict_type_str_keys_nocase; /* frees fr_str keys */
/* fr_str keys owned elsewhere (the expires table shares the keyspace's). */
extern const fr_dict_type fr_dict_type_str_keys_shared;
/* Opaque pointers compared and hashed by address; nothing freed. */
uint64_t fr_dict_ptr_hash(const void *key);
extern const fr_dict_type fr_dict_type_ptr;

#endif /* FR_DICT_H */

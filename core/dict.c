/* dict.c -- chained hash table with two tables and incremental rehashing.
 *
 * Growth and shrinking allocate a second table and move one bucket of the
 * old one per operation (or in cron-driven batches), so no single command
 * pays for a full rehash.  See dict.h for the invariants; the ones this file
 * leans on most:
 *  - table t has 1 << exp[t] buckets, or none when exp[t] == -1;
 *  - while rehashing, table-0 buckets below rehash_idx are empty and inserts
 *    go to table 1, so "which table is an entry in" never needs asking;
 *  - pause_rehash > 0 freezes entries in place: only rehash_steps() moves
 *    them and it is never entered then.
 * Allocation goes through fr_malloc/fr_calloc/fr_free (accounted memory). */
#include "base.h"
#include "dict.h"
#include "siphash.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int g_resize_mode = FR_DICT_RESIZE_ENABLE;
static uint64_t g_rng_state = 0x2545f4914f6cdd1dULL;

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

static void dict_panic(const char *msg)
{
    fprintf(stderr, "fr_dict: %s\n", msg);
    abort();
}

/* splitmix64: tiny, fast and good enough for sampling; not for secrets. */
static uint64_t rng_next(void)
{
    uint64_t z = (g_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A bijective 64-bit mixer (MurmurHash3's finaliser constants). */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static inline unsigned long ht_size(const fr_dict *d, int t)
{
    return d->exp[t] < 0 ? 0 : 1UL << d->exp[t];
}

static inline unsigned long ht_mask(const fr_dict *d, int t)
{
    return d->exp[t] < 0 ? 0 : (1UL << d->exp[t]) - 1;
}

static inline uint64_t hash_key(const fr_dict *d, const void *key)
{
    return d->type->hash(key);
}

static inline int keys_equal(const fr_dict *d, const void *a, const void *b)
{
    if (a == b)
        return 1;
    return d->type->key_compare ? d->type->key_compare(a, b) : 0;
}

/* What key_compare sees as the stored key: an embedded entry is its key. */
static inline const void *stored_key(const fr_dict *d, const fr_dict_entry *e)
{
    return d->type->entry_hash ? (const void *)e : e->key;
}

static inline int entry_matches(const fr_dict *d, const void *key,
                                const fr_dict_entry *e)
{
    return keys_equal(d, key, stored_key(d, e));
}

static inline uint64_t hash_entry(const fr_dict *d, const fr_dict_entry *e)
{
    return d->type->entry_hash ? d->type->entry_hash(e) : hash_key(d, e->key);
}

static inline size_t entry_bytes(const fr_dict *d)
{
    if (d->type->entry_hash)
        return 0; /* the caller's object, counted by the caller */
    return d->type->no_value ? offsetof(fr_dict_entry, v) : sizeof(fr_dict_entry);
}

static void reset_table(fr_dict *d, int t)
{
    d->table[t] = NULL;
    d->used[t] = 0;
    d->exp[t] = -1;
}

static uint64_t now_us(void)
{
    return fr_clock_mono_us();
}

/* ------------------------------------------------------------------------ */
/* Global settings                                                           */
/* ------------------------------------------------------------------------ */

void fr_dict_resize_enable(int mode)
{
    if (mode > 0)
        g_resize_mode = FR_DICT_RESIZE_ENABLE;
    else if (mode == 0)
        g_resize_mode = FR_DICT_RESIZE_AVOID;
    else
        g_resize_mode = FR_DICT_RESIZE_FORBID;
}

int fr_dict_resize_mode_get(void)
{
    return g_resize_mode;
}

void fr_dict_random_seed(uint64_t seed)
{
    g_rng_state = seed;
}

/* ------------------------------------------------------------------------ */
/* Lifetime                                                                  */
/* ------------------------------------------------------------------------ */

fr_dict *fr_dict_create(const fr_dict_type *type)
{
    fr_dict *d = fr_malloc(sizeof(*d));
    d->type = type;
    reset_table(d, 0);
    reset_table(d, 1);
    d->rehash_idx = -1;
    d->pause_rehash = 0;
    return d;
}

void fr_dict_free_unlinked(fr_dict *d, fr_dict_entry *e)
{
    if (e == NULL)
        return;
    if (d->type->entry_hash) {
        if (d->type->entry_free)
            d->type->entry_free(e);
        return;
    }
    if (d->type->key_free)
        d->type->key_free(e->key);
    if (d->type->val_free && !d->type->no_value)
        d->type->val_free(e->v.val);
    fr_free(e);
}

static void clear_table(fr_dict *d, int t, void (*cb)(fr_dict *d))
{
    unsigned long size = ht_size(d, t);
    for (unsigned long i = 0; i < size && d->used[t] > 0; i++) {
        if (cb && i % FR_DICT_EMPTY_CB_BUCKETS == 0)
            cb(d);
        fr_dict_entry *e = d->table[t][i];
        while (e) {
            fr_dict_entry *next = e->next;
            fr_dict_free_unlinked(d, e);
            d->used[t]--;
            e = next;
        }
    }
    if (d->table[t])
        fr_free(d->table[t]);
    reset_table(d, t);
}

void fr_dict_empty(fr_dict *d, void (*cb)(fr_dict *d))
{
    clear_table(d, 0, cb);
    clear_table(d, 1, cb);
    d->rehash_idx = -1;
    d->pause_rehash = 0;
}

void fr_dict_release(fr_dict *d)
{
    if (d == NULL)
        return;
    clear_table(d, 0, NULL);
    clear_table(d, 1, NULL);
    fr_free(d);
}

/* ------------------------------------------------------------------------ */
/* Resizing and rehashing                                                    */
/* ------------------------------------------------------------------------ */

/* log2 of the smallest allowed table holding n buckets, -1 if none fits. */
static int exp_for(unsigned long n)
{
    if (n <= FR_DICT_MIN_SIZE)
        return FR_DICT_MIN_EXP;
    int bits = (int)(sizeof(unsigned long) * CHAR_BIT);
    int e = bits - __builtin_clzl(n - 1);
    return e >= bits ? -1 : e;
}

int fr_dict_expand(fr_dict *d, unsigned long n)
{
    if (fr_dict_is_rehashing(d) || d->used[0] > n)
        return FR_ERR;
    int e = exp_for(n);
    if (e < 0 || e == d->exp[0])
        return FR_ERR;
    unsigned long buckets = 1UL << e;
    if (buckets > SIZE_MAX / sizeof(fr_dict_entry *))
        return FR_ERR;
    fr_dict_entry **tbl = fr_calloc(buckets * sizeof(fr_dict_entry *));
    if (tbl == NULL)
        return FR_ERR;

    /* A first table needs no migration. */
    int t = d->table[0] == NULL ? 0 : 1;
    d->table[t] = tbl;
    d->exp[t] = (signed char)e;
    d->used[t] = 0;
    if (t == 1)
        d->rehash_idx = 0;
    return FR_OK;
}

static void expand_if_needed(fr_dict *d)
{
    if (fr_dict_is_rehashing(d))
        return;
    unsigned long size = ht_size(d, 0);
    if (size == 0) {
        fr_dict_expand(d, FR_DICT_MIN_SIZE);
        return;
    }
    unsigned long used = d->used[0];
    int full = g_resize_mode == FR_DICT_RESIZE_ENABLE && used >= size;
    int overfull = g_resize_mode != FR_DICT_RESIZE_FORBID &&
                   used / size > FR_DICT_FORCE_RESIZE_RATIO;
    if (full || overfull)
        fr_dict_expand(d, used + 1);
}

int fr_dict_try_shrink(fr_dict *d)
{
    if (g_resize_mode != FR_DICT_RESIZE_ENABLE || fr_dict_is_rehashing(d))
        return FR_ERR;
    unsigned long size = ht_size(d, 0), used = d->used[0], scaled;
    if (size <= FR_DICT_MIN_SIZE)
        return FR_ERR;
    /* fill% < MIN_FILL  <=>  used*100 < MIN_FILL*size, without dividing. */
    if (__builtin_mul_overflow(used, 100UL, &scaled) ||
        scaled >= FR_DICT_MIN_FILL_PCT * size)
        return FR_ERR;
    return fr_dict_expand(d, used < FR_DICT_MIN_SIZE ? FR_DICT_MIN_SIZE : used);
}

/* With resizing avoided (a fork child shares our pages), a rehash already
 * under way only proceeds when the tables differ a lot in size. */
static int rehash_allowed(const fr_dict *d)
{
    if (g_resize_mode == FR_DICT_RESIZE_FORBID)
        return 0;
    if (g_resize_mode == FR_DICT_RESIZE_AVOID) {
        unsigned long s0 = ht_size(d, 0), s1 = ht_size(d, 1);
        unsigned long big = s0 > s1 ? s0 : s1, small = s0 > s1 ? s1 : s0;
        return big / small >= FR_DICT_FORCE_RESIZE_RATIO;
    }
    return 1;
}

static void finish_rehash(fr_dict *d)
{
    fr_free(d->table[0]);
    d->table[0] = d->table[1];
    d->used[0] = d->used[1];
    d->exp[0] = d->exp[1];
    reset_table(d, 1);
    d->rehash_idx = -1;
}

/* Move the chain of table-0 bucket rehash_idx into table 1. */
static void move_bucket(fr_dict *d)
{
    unsigned long mask1 = ht_mask(d, 1);
    fr_dict_entry *e = d->table[0][d->rehash_idx];
    while (e) {
        fr_dict_entry *next = e->next;
        unsigned long idx = hash_entry(d, e) & mask1;
        e->next = d->table[1][idx];
        d->table[1][idx] = e;
        d->used[0]--;
        d->used[1]++;
        e = next;
    }
    d->table[0][d->rehash_idx] = NULL;
    d->rehash_idx++;
}

/* Up to n bucket moves, skipping at most 10n empty buckets so that a step
 * costs bounded time even in a sparse table.  *moved (if given) counts the
 * buckets moved.  Returns 1 while there is more to do. */
static int rehash_steps(fr_dict *d, int n, long *moved)
{
    if (!fr_dict_is_rehashing(d))
        return 0;
    if (!rehash_allowed(d))
        return 1;
    long empty_budget = (long)n * 10;
    while (n-- > 0 && d->used[0] != 0) {
        /* used[0] != 0 guarantees a non-empty bucket at or after rehash_idx. */
        while (d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_budget <= 0)
                return 1;
        }
        move_bucket(d);
        if (moved)
            (*moved)++;
    }
    if (d->used[0] == 0) {
        finish_rehash(d);
        return 0;
    }
    return 1;
}

/* The share of rehashing work that every lookup or update contributes. */
static void rehash_step(fr_dict *d)
{
    if (d->pause_rehash == 0)
        rehash_steps(d, 1, NULL);
}

int fr_dict_rehash(fr_dict *d, int n)
{
    if (d->pause_rehash > 0)
        return fr_dict_is_rehashing(d);
    return rehash_steps(d, n, NULL);
}

long fr_dict_rehash_ms(fr_dict *d, int ms)
{
    if (d->pause_rehash > 0 || !fr_dict_is_rehashing(d) || !rehash_allowed(d))
        return 0;
    uint64_t start = now_us(), limit = (uint64_t)(ms > 0 ? ms : 0) * 1000u;
    long moved = 0;
    while (rehash_steps(d, 100, &moved)) {
        if (now_us() - start > limit)
            break;
    }
    return moved;
}

/* ------------------------------------------------------------------------ */
/* Insertion, lookup, removal                                                */
/* ------------------------------------------------------------------------ */

/* Bucket index for a new key in the table inserts go to, or -1 if the key
 * is present (then *existing is set when given) or no table could be made. */
static long insert_index(fr_dict *d, const void *key, uint64_t h,
                         fr_dict_entry **existing)
{
    if (existing)
        *existing = NULL;
    expand_if_needed(d);
    if (d->table[0] == NULL)
        return -1;
    unsigned long idx = 0;
    for (int t = 0; t <= 1; t++) {
        idx = h & ht_mask(d, t);
        for (fr_dict_entry *e = d->table[t][idx]; e; e = e->next) {
            if (entry_matches(d, key, e)) {
                if (existing)
                    *existing = e;
                return -1;
            }
        }
        if (!fr_dict_is_rehashing(d))
            break;
    }
    return (long)idx;
}

fr_dict_entry *fr_dict_add_raw(fr_dict *d, void *key, fr_dict_entry **existing)
{
    if (d->type->entry_hash)
        dict_panic("add on a dict of embedded entries");
    if (fr_dict_is_rehashing(d))
        rehash_step(d);
    long idx = insert_index(d, key, hash_key(d, key), existing);
    if (idx < 0)
        return NULL;

    /* At the chain head: recently added keys tend to be accessed soon. */
    int t = fr_dict_is_rehashing(d) ? 1 : 0;
    fr_dict_entry *e = fr_malloc(entry_bytes(d));
    e->key = d->type->key_dup ? d->type->key_dup(key) : key;
    if (!d->type->no_value)
        e->v.u64 = 0;
    e->next = d->table[t][idx];
    d->table[t][idx] = e;
    d->used[t]++;
    return e;
}

fr_dict_entry *fr_dict_find_or_slot(fr_dict *d, const void *key,
                                    fr_dict_entry ***slot)
{
    if (fr_dict_is_rehashing(d))
        rehash_step(d);
    fr_dict_entry *existing;
    long idx = insert_index(d, key, hash_key(d, key), &existing);
    if (idx < 0) {
        *slot = NULL;
        if (existing == NULL)
            dict_panic("no table for an insert");
        return existing;
    }
    *slot = &d->table[fr_dict_is_rehashing(d) ? 1 : 0][idx];
    return NULL;
}

/* At the chain head, as fr_dict_add_raw() does. */
void fr_dict_link_slot(fr_dict *d, fr_dict_entry **slot, fr_dict_entry *e)
{
    e->next = *slot;
    *slot = e;
    d->used[fr_dict_is_rehashing(d) ? 1 : 0]++;
}

void fr_dict_set_val(fr_dict *d, fr_dict_entry *e, void *val)
{
    e->v.val = d->type->val_dup ? d->type->val_dup(val) : val;
}

void fr_dict_free_val(fr_dict *d, fr_dict_entry *e)
{
    if (d->type->val_free)
        d->type->val_free(e->v.val);
}

int fr_dict_add(fr_dict *d, void *key, void *val)
{
    fr_dict_entry *e = fr_dict_add_raw(d, key, NULL);
    if (e == NULL)
        return FR_ERR;
    if (!d->type->no_value) fr_dict_set_val(d, e, val); /* no room for it otherwise */
    return FR_OK;
}

fr_dict_entry *fr_dict_add_or_find(fr_dict *d, void *key)
{
    fr_dict_entry *existing;
    fr_dict_entry *e = fr_dict_add_raw(d, key, &existing);
    return e ? e : existing;
}

int fr_dict_replace(fr_dict *d, void *key, void *val)
{
    fr_dict_entry *existing;
    fr_dict_entry *e = fr_dict_add_raw(d, key, &existing);
    if (e) {
        fr_dict_set_val(d, e, val);
        return 1;
    }
    if (existing == NULL)
        return 0;
    /* New value first: old and new may be one refcounted object. */
    fr_dict_entry old = *existing;
    fr_dict_set_val(d, existing, val);
    fr_dict_free_val(d, &old);
    return 0;
}

fr_dict_entry *fr_dict_find(fr_dict *d, const void *key)
{
    if (fr_dict_size(d) == 0)
        return NULL;
    if (fr_dict_is_rehashing(d))
        rehash_step(d);
    uint64_t h = hash_key(d, key);
    for (int t = 0; t <= 1; t++) {
        for (fr_dict_entry *e = d->table[t][h & ht_mask(d, t)]; e; e = e->next)
            if (entry_matches(d, key, e))
                return e;
        if (!fr_dict_is_rehashing(d))
            break;
    }
    return NULL;
}

void *fr_dict_fetch_value(fr_dict *d, const void *key)
{
    fr_dict_entry *e = fr_dict_find(d, key);
    return e ? e->v.val : NULL;
}

fr_dict_entry *fr_dict_unlink(fr_dict *d, const void *key)
{
    if (fr_dict_size(d) == 0)
        return NULL;
    if (fr_dict_is_rehashing(d))
        rehash_step(d);
    uint64_t h = hash_key(d, key);
    for (int t = 0; t <= 1; t++) {
        fr_dict_entry **link = &d->table[t][h & ht_mask(d, t)];
        for (fr_dict_entry *e = *link; e; link = &e->next, e = *link) {
            if (entry_matches(d, key, e)) {
                *link = e->next;
                e->next = NULL;
                d->used[t]--;
                return e;
            }
        }
        if (!fr_dict_is_rehashing(d))
            break;
    }
    return NULL;
}

int fr_dict_delete(fr_dict *d, const void *key)
{
    fr_dict_entry *e = fr_dict_unlink(d, key);
    if (e == NULL)
        return FR_ERR;
    fr_dict_free_unlinked(d, e);
    return FR_OK;
}

/* ------------------------------------------------------------------------ */
/* Size, memory, stats                                                       */
/* ------------------------------------------------------------------------ */

unsigned long fr_dict_slots(const fr_dict *d)
{
    return ht_size(d, 0) + ht_size(d, 1);
}

size_t fr_dict_mem_overhead(const fr_dict *d)
{
    return fr_dict_slots(d) * sizeof(fr_dict_entry *) +
           fr_dict_size(d) * entry_bytes(d);
}

#define STATS_CHAIN_SLOTS 50 /* longer chains are counted in the last slot */

static size_t stats_table(const fr_dict *d, int t, char *buf, size_t bufsize)
{
    const char *role = t == 0 ? "main hash table" : "rehashing target";
    if (d->used[t] == 0)
        return (size_t)snprintf(buf, bufsize,
                                "Hash table %d stats (%s):\n"
                                "No stats available for empty dictionaries\n",
                                t, role);

    unsigned long chains[STATS_CHAIN_SLOTS] = {0};
    unsigned long size = ht_size(d, t), nonempty = 0, longest = 0, total = 0;
    for (unsigned long i = 0; i < size; i++) {
        unsigned long len = 0;
        for (const fr_dict_entry *e = d->table[t][i]; e; e = e->next)
            len++;
        chains[len < STATS_CHAIN_SLOTS ? len : STATS_CHAIN_SLOTS - 1]++;
        if (len == 0)
            continue;
        nonempty++;
        total += len;
        if (len > longest)
            longest = len;
    }

    /* Redis computes the averages and shares in single precision. */
    size_t l = (size_t)snprintf(buf, bufsize,
        "Hash table %d stats (%s):\n"
        " table size: %lu\n"
        " number of elements: %lu\n"
        " different slots: %lu\n"
        " max chain length: %lu\n"
        " avg chain length (counted): %.02f\n"
        " avg chain length (computed): %.02f\n"
        " Chain length distribution:\n",
        t, role, size, d->used[t], nonempty, longest,
        (double)((float)total / nonempty),
        (double)((float)d->used[t] / nonempty));
    /* The overflow slot is not listed, as in Redis. */
    for (unsigned long i = 0; i < STATS_CHAIN_SLOTS - 1 && l < bufsize; i++) {
        if (chains[i] == 0)
            continue;
        l += (size_t)snprintf(buf + l, bufsize - l, "   %lu: %lu (%.02f%%)\n", i,
                              chains[i],
                              (double)((float)chains[i] / size * 100));
    }
    return l;
}

size_t fr_dict_get_stats(const fr_dict *d, char *buf, size_t bufsize)
{
    if (bufsize == 0)
        return 0;
    buf[0] = '\0';
    size_t l = stats_table(d, 0, buf, bufsize);
    if (fr_dict_is_rehashing(d) && l < bufsize)
        stats_table(d, 1, buf + l, bufsize - l);
    buf[bufsize - 1] = '\0';
    return strlen(buf);
}

/* ------------------------------------------------------------------------ */
/* Random sampling                                                           */
/* ------------------------------------------------------------------------ */

fr_dict_entry *fr_dict_get_random_key(fr_dict *d)
{
    if (fr_dict_size(d) == 0)
        return NULL;
    if (fr_dict_is_rehashing(d))
        rehash_step(d);

    fr_dict_entry *head;
    if (fr_dict_is_rehashing(d)) {
        /* Pick among table-0 buckets not yet moved and all of table 1, seen
         * as one range [rehash_idx, size0 + size1). */
        unsigned long s0 = ht_size(d, 0), first = (unsigned long)d->rehash_idx;
        unsigned long span = s0 + ht_size(d, 1) - first;
        do {
            unsigned long h = first + (unsigned long)(rng_next() % span);
            head = h >= s0 ? d->table[1][h - s0] : d->table[0][h];
        } while (head == NULL);
    } else {
        unsigned long mask = ht_mask(d, 0);
        do {
            head = d->table[0][rng_next() & mask];
        } while (head == NULL);
    }

    unsigned long len = 0;
    for (fr_dict_entry *e = head; e; e = e->next)
        len++;
    unsigned long pick = (unsigned long)(rng_next() % len);
    while (pick--)
        head = head->next;
    return head;
}

/* Store e among count sample slots; past the first count entries, reservoir
 * sampling keeps a uniform choice among all entries offered so far. */
static void sample_offer(fr_dict_entry **out, unsigned long *seen,
                         unsigned long count, fr_dict_entry *e)
{
    if (*seen < count) {
        out[*seen] = e;
    } else {
        unsigned long r = (unsigned long)(rng_next() % (*seen + 1));
        if (r < count)
            out[r] = e;
    }
    (*seen)++;
}

unsigned int fr_dict_get_some_keys(fr_dict *d, fr_dict_entry **entries,
                                   unsigned int count)
{
    if (fr_dict_size(d) < count)
        count = (unsigned int)fr_dict_size(d);
    if (count == 0)
        return 0;
    /* Rehashing work in proportion to what we ask for. */
    for (unsigned int j = 0; j < count && fr_dict_is_rehashing(d); j++)
        rehash_step(d);

    int tables = fr_dict_is_rehashing(d) ? 2 : 1;
    unsigned long mask = ht_mask(d, 0);
    if (tables == 2 && ht_mask(d, 1) > mask)
        mask = ht_mask(d, 1);
    unsigned long s1 = ht_size(d, 1), moved_to = (unsigned long)d->rehash_idx;

    /* Entries are distinct because no index is visited twice: one lap over
     * the indices meets every entry and count <= size, so the walk ends
     * before wrapping onto itself; `covered` makes that a hard bound.  Unlike
     * Redis we never jump to a random spot after an empty run, since a jump
     * could land on buckets already taken. */
    unsigned long budget = (unsigned long)count * 10, covered = 0, stored = 0;
    unsigned long i = (unsigned long)rng_next() & mask;
    while (stored < count && budget > 0 && covered <= mask) {
        if (tables == 2 && i >= s1 && i < moved_to) {
            /* Shrinking: nothing left here in either table; jump ahead free
             * of charge (moved_to <= mask, no wrap). */
            covered += moved_to - i;
            i = moved_to;
            continue;
        }
        for (int t = 0; t < tables; t++) {
            if ((tables == 2 && t == 0 && i < moved_to) || i >= ht_size(d, t))
                continue;
            for (fr_dict_entry *e = d->table[t][i]; e; e = e->next)
                sample_offer(entries, &stored, count, e);
        }
        covered++;
        budget--;
        i = (i + 1) & mask;
    }
    return (unsigned int)(stored > count ? count : stored);
}

#define FAIR_SAMPLE 15

fr_dict_entry *fr_dict_get_fair_random_key(fr_dict *d)
{
    fr_dict_entry *sample[FAIR_SAMPLE];
    unsigned int n = fr_dict_get_some_keys(d, sample, FAIR_SAMPLE);
    /* An unlucky sample of a sparse table can come back empty. */
    if (n == 0)
        return fr_dict_get_random_key(d);
    return sample[rng_next() % n];
}

/* ------------------------------------------------------------------------ */
/* Iterators                                                                 */
/* ------------------------------------------------------------------------ */

uint64_t fr_dict_fingerprint(const fr_dict *d)
{
    uint64_t parts[6] = {
        (uint64_t)(uintptr_t)d->table[0], (uint64_t)d->exp[0], d->used[0],
        (uint64_t)(uintptr_t)d->table[1], (uint64_t)d->exp[1], d->used[1],
    };
    /* Chained so that the same values in other fields give another digest. */
    uint64_t h = 0;
    for (int i = 0; i < 6; i++)
        h = mix64(h + parts[i]);
    return h;
}

static void iter_setup(fr_dict_iter *it, fr_dict *d, int safe)
{
    memset(it, 0, sizeof(*it));
    it->d = d;
    it->index = -1;
    it->safe = safe;
}

void fr_dict_iter_init(fr_dict_iter *it, fr_dict *d)
{
    iter_setup(it, d, 0);
}

void fr_dict_iter_init_safe(fr_dict_iter *it, fr_dict *d)
{
    iter_setup(it, d, 1);
}

fr_dict_entry *fr_dict_iter_next(fr_dict_iter *it)
{
    fr_dict *d = it->d;
    if (!it->started) {
        /* Taken at the first step, so an unused iterator costs nothing. */
        it->started = 1;
        if (it->safe)
            d->pause_rehash++;
        else
            it->fingerprint = fr_dict_fingerprint(d);
    }
    for (;;) {
        if (it->entry == NULL) {
            it->index++;
            if (it->index >= (long)ht_size(d, it->table)) {
                if (it->table == 1 || !fr_dict_is_rehashing(d)) {
                    it->index = (long)ht_size(d, it->table); /* stay at end */
                    return NULL;
                }
                it->table = 1;
                it->index = 0;
            }
            it->entry = d->table[it->table][it->index];
        } else {
            it->entry = it->next_entry;
        }
        if (it->entry) {
            /* Saved now: the caller may free the entry we return. */
            it->next_entry = it->entry->next;
            return it->entry;
        }
    }
}

void fr_dict_iter_release(fr_dict_iter *it)
{
    if (!it->started)
        return;
    it->started = 0;
    if (it->safe)
        it->d->pause_rehash--;
    else if (it->fingerprint != fr_dict_fingerprint(it->d))
        dict_panic("dict changed during unsafe iteration");
}

fr_dict_iter *fr_dict_iter_new(fr_dict *d, int safe)
{
    fr_dict_iter *it = fr_malloc(sizeof(*it));
    iter_setup(it, d, safe);
    return it;
}

void fr_dict_iter_free(fr_dict_iter *it)
{
    if (it == NULL)
        return;
    fr_dict_iter_release(it);
    fr_free(it);
}

/* ------------------------------------------------------------------------ */
/* SCAN                                                                      */
/* ------------------------------------------------------------------------ */

static unsigned long bit_reverse(unsigned long v)
{
#if ULONG_MAX > 0xffffffffUL
    v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
    v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fUL) | ((v & 0x0f0f0f0f0f0f0f0fUL) << 4);
    return __builtin_bswap64(v);
#else
    v = ((v >> 1) & 0x55555555UL) | ((v & 0x55555555UL) << 1);
    v = ((v >> 2) & 0x33333333UL) | ((v & 0x33333333UL) << 2);
    v = ((v >> 4) & 0x0f0f0f0fUL) | ((v & 0x0f0f0f0fUL) << 4);
    return __builtin_bswap32(v);
#endif
}

/* Add one to the cursor's masked bits counting from the top bit down.  A
 * table of twice the size splits bucket b into b and b|size, which sit next
 * to each other in this order, so no resize can make the walk skip ahead. */
static unsigned long cursor_next(unsigned long v, unsigned long mask)
{
    v |= ~mask; /* the carry runs through the unmasked bits and out */
    return bit_reverse(bit_reverse(v) + 1);
}

static void scan_bucket(fr_dict_entry *e, fr_dict_scan_fn fn, void *privdata)
{
    while (e) {
        fr_dict_entry *next = e->next; /* fn may delete e */
        fn(privdata, e);
        e = next;
    }
}

unsigned long fr_dict_scan(fr_dict *d, unsigned long cursor, fr_dict_scan_fn fn,
                           void *privdata)
{
    if (fr_dict_size(d) == 0)
        return 0;
    /* fn may call fr_dict_find(), which must not move entries under us. */
    d->pause_rehash++;
    if (!fr_dict_is_rehashing(d)) {
        unsigned long m = ht_mask(d, 0);
        scan_bucket(d->table[0][cursor & m], fn, privdata);
        cursor = cursor_next(cursor, m);
    } else {
        int small = ht_size(d, 0) <= ht_size(d, 1) ? 0 : 1, big = !small;
        unsigned long ms = ht_mask(d, small), mb = ht_mask(d, big);
        scan_bucket(d->table[small][cursor & ms], fn, privdata);
        /* Then every bucket of the big table that the small bucket expands
         * to: the cursor runs through the bits the small mask lacks. */
        do {
            scan_bucket(d->table[big][cursor & mb], fn, privdata);
            cursor = cursor_next(cursor, mb);
        } while (cursor & (ms ^ mb));
    }
    d->pause_rehash--;
    return cursor;
}

/* ------------------------------------------------------------------------ */
/* Hash functions and ready-made types                                       */
/* ------------------------------------------------------------------------ */

uint64_t fr_dict_hash_bytes(const void *p, size_t len)
{
    return fr_siphash(p, len, fr_siphash_seed_get());
}

uint64_t fr_dict_hash_bytes_nocase(const void *p, size_t len)
{
    return fr_siphash_nocase(p, len, fr_siphash_seed_get());
}

static inline unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

/* Must agree with fr_siphash_nocase(): equal here implies equal hashes. */
int fr_dict_bytes_equal_nocase(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

uint64_t fr_dict_str_hash(const void *key)
{
    const fr_str *s = key;
    return fr_dict_hash_bytes(s->buf, s->len);
}

int fr_dict_str_equal(const void *a, const void *b)
{
    const fr_str *x = a, *y = b;
    return x->len == y->len && memcmp(x->buf, y->buf, x->len) == 0;
}

uint64_t fr_dict_str_hash_nocase(const void *key)
{
    const fr_str *s = key;
    return fr_dict_hash_bytes_nocase(s->buf, s->len);
}

int fr_dict_str_equal_nocase(const void *a, const void *b)
{
    const fr_str *x = a, *y = b;
    return x->len == y->len && fr_dict_bytes_equal_nocase(x->buf, y->buf, x->len);
}

uint64_t fr_dict_cstr_hash_nocase(const void *key)
{
    return fr_dict_hash_bytes_nocase(key, strlen(key));
}

int fr_dict_cstr_equal_nocase(const void *a, const void *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && fr_dict_bytes_equal_nocase(a, b, la);
}

uint64_t fr_dict_ptr_hash(const void *key)
{
    return mix64((uint64_t)(uintptr_t)key);
}

static void str_key_free(void *key)
{
    fr_str_free(key);
}

const fr_dict_type fr_dict_type_str_keys = {
    .hash = fr_dict_str_hash,
    .key_compare = fr_dict_str_equal,
    .key_free = str_key_free,
};

const fr_dict_type fr_dict_type_str_keys_nocase = {
    .hash = fr_dict_str_hash_nocase,
    .key_compare = fr_dict_str_equal_nocase,
    .key_free = str_key_free,
};

const fr_dict_type fr_dict_type_str_keys_shared = {
    .hash = fr_dict_str_hash,
    .key_compare = fr_dict_str_equal,
};

const fr_dict_type fr_dict_type_ptr = {
    .hash = fr_dict_ptr_hash,
};

/* evict_pool.c -- choosing the key to evict: the pool of best candidates
 * for the sampling policies (LRU, LFU, TTL) and the random pick.
 *
 * Redis approximates "least recently used" by sampling maxmemory-samples
 * keys per DB and keeping the 16 best seen so far; the pool persists
 * between evictions, so each pass improves on the last.  A candidate's
 * score grows with its claim to go: idle milliseconds (LRU), 255 minus the
 * access counter (LFU), how soon it expires (TTL).
 *
 * Invariants: pool[0..npool) is sorted by ascending score, holds at most
 * one entry per (DB, key), and owns its key strings; an entry may name a
 * key deleted since it was sampled (the caller then finds it absent). */
#include <limits.h>
#include <string.h>

#include "evict_internal.h"

#define POOL_SIZE 16

typedef struct candidate {
    unsigned long long score;
    fr_str *key;
    int dbid;
} candidate;

static candidate pool[POOL_SIZE];
static int npool;

static int pool_has(int dbid, const fr_str *key)
{
    for (int i = 0; i < npool; i++)
        if (pool[i].dbid == dbid && pool[i].key->len == key->len && !memcmp(pool[i].key->buf, key->buf, key->len))
            return 1;
    return 0;
}

/* Keeps the entry if the pool has room or it beats the worst one there. */
static void pool_offer(unsigned long long score, int dbid, const fr_str *key)
{
    if (npool == POOL_SIZE && score <= pool[0].score) return;
    if (pool_has(dbid, key)) return;
    if (npool == POOL_SIZE) {
        fr_str_free(pool[0].key);
        memmove(&pool[0], &pool[1], sizeof(candidate) * (POOL_SIZE - 1));
        npool--;
    }
    int at = npool;
    while (at > 0 && pool[at - 1].score > score) at--;
    memmove(&pool[at + 1], &pool[at], sizeof(candidate) * (size_t)(npool - at));
    pool[at] = (candidate){.score = score, .key = fr_str_dup(key), .dbid = dbid};
    npool++;
}

typedef struct sampling {
    int policy, dbid;
} sampling;

static unsigned long long score_of(int policy, const fr_value *v, long long expire_ms)
{
    switch (policy) {
    case EVICT_VOLATILE_TTL: return ULLONG_MAX - (unsigned long long)expire_ms;
    case EVICT_VOLATILE_LFU:
    case EVICT_ALLKEYS_LFU: return 255 - (unsigned long long)fr_value_lfu(v);
    default: return fr_value_idle_ms(v);
    }
}

static void sampled(void *priv, const fr_str *key, const fr_value *v, long long expire_ms)
{
    const sampling *s = priv;
    pool_offer(score_of(s->policy, v, expire_ms), s->dbid, key);
}

/* One sample of every DB into the pool.  Returns how many keys the DBs
 * hold in the policy's class (not how many were sampled: a sample of a
 * sparse table may come back empty while keys remain). */
static unsigned long long pool_populate(int policy)
{
    int samples = (int)evict_conf_maxmemory_samples();
    int vol = evict_policy_volatile(policy);
    unsigned long long keys = 0;
    for (int id = 0; id < fr_db_count(); id++) {
        fr_db *db = fr_db_by_id(NULL, id);
        unsigned long long n = vol ? (unsigned long long)fr_db_expires_count(db) : fr_db_size(db);
        if (n == 0) continue;
        keys += n;
        sampling s = {.policy = policy, .dbid = id};
        fr_db_sample(db, vol, samples, sampled, &s);
    }
    return keys;
}

/* Redis samples again before each pick, so fresh samples compete with the
 * pool's survivors; with no key in any DB there is nothing to pick.  The
 * retries are bounded although a sample of a non-empty DB finds a key
 * after a few tries at most. */
fr_str *evict_pool_best(int policy, int *dbid)
{
    for (int tries = 0; npool == 0 || tries == 0; tries++) {
        if (!pool_populate(policy) || tries == 1000) return NULL;
    }
    candidate best = pool[--npool];
    *dbid = best.dbid;
    return best.key;
}

static void keep_copy(void *priv, const fr_str *key, const fr_value *v, long long expire_ms)
{
    (void)v, (void)expire_ms;
    fr_str **out = priv;
    *out = fr_str_dup(key);
}

/* The DBs take turns, as in Redis, so one DB is not emptied first. */
fr_str *evict_random_key(int policy, int *dbid)
{
    static int next_db;
    int n = fr_db_count();
    for (int i = 0; i < n; i++) {
        int id = (++next_db) % n;
        fr_str *picked = NULL;
        fr_db_sample(fr_db_by_id(NULL, id), evict_policy_volatile(policy), 1, keep_copy, &picked);
        if (!picked) continue;
        *dbid = id;
        return picked;
    }
    return NULL;
}

void evict_pool_release(void)
{
    for (int i = 0; i < npool; i++) fr_str_free(pool[i].key);
    npool = 0;
}

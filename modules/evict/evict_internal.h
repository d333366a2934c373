/* evict_internal.h -- shared declarations of the evict module.
 *
 * The module stores nothing per key: each value's access record (LRU clock
 * or LFU counter) lives in the core's key entry and is read through the SDK
 * (fr_value_idle_ms, fr_value_lfu).  It owns the eviction pool
 * (evict_pool.c) and the eviction pass with its memory guard
 * (evict_cycle.c); module.c wires them. */
#ifndef FR_EVICT_INTERNAL_H
#define FR_EVICT_INTERNAL_H

#include "frankenredis.h"
#include "glue.h" /* hook callbacks, config accessors */

/* maxmemory-policy, by its position in the manifest's `values`. */
enum {
    EVICT_VOLATILE_LRU,
    EVICT_VOLATILE_LFU,
    EVICT_VOLATILE_RANDOM,
    EVICT_VOLATILE_TTL,
    EVICT_ALLKEYS_LRU,
    EVICT_ALLKEYS_LFU,
    EVICT_ALLKEYS_RANDOM,
    EVICT_NOEVICTION
};

int evict_policy(void);
int evict_policy_is_lfu(int policy);
int evict_policy_volatile(int policy);

/* ---- the pool of candidates (evict_pool.c) ---- */
/* The key to evict next under a sampling policy (LRU, LFU, TTL): samples
 * every DB into the pool and pops the best candidate still present.  A new
 * string (caller frees) with *dbid set, or NULL when no key qualifies. */
fr_str *evict_pool_best(int policy, int *dbid);
/* A random candidate for the *-random policies, rotating over the DBs. */
fr_str *evict_random_key(int policy, int *dbid);
void evict_pool_release(void);

/* ---- the eviction pass (evict_cycle.c) ---- */
#define EVICT_OK 0      /* under the limit (or eviction is not allowed now) */
#define EVICT_RUNNING 1 /* time budget spent: the event loop goes on later */
#define EVICT_FAIL 2    /* over the limit and nothing left that may go */
int evict_perform(void);
/* The memory guard the core runs before each command. */
int evict_guard(void);
/* Follows maxmemory-policy and lfu-* into the core's access recording. */
void evict_sync_access(void);

#endif /* FR_EVICT_INTERNAL_H */

/* evict_cycle.c -- the eviction pass and the memory guard: when used
 * memory is over maxmemory, evict keys as maxmemory-policy says until it is
 * under again, within a time budget (maxmemory-eviction-tenacity), and tell
 * the core whether write commands must be refused (-OOM).
 *
 * As Redis: nothing is evicted while clients are paused (the dataset must
 * stay still), under noeviction, with maxmemory 0, or on a replica under
 * replica-ignore-maxmemory yes; an evicted key is
 * deleted, counted, propagated as DEL (fr_key_evict) and announced with
 * the "evicted" keyspace event; a pass that runs out of time leaves the
 * rest to the event loop (before-sleep and cron) and does not refuse the
 * command, because memory is being freed.
 *
 * Invariants: `pending` is 1 exactly while a pass is unfinished or a new
 * limit was set and has not been enforced yet; the access mode pushed to
 * the core always matches the policy once evict_sync_access() ran. */
#include "evict_internal.h"

static int pending;
static long long last_limit = -1;

int evict_policy(void)
{
    return (int)evict_conf_maxmemory_policy();
}

int evict_policy_is_lfu(int policy)
{
    return policy == EVICT_VOLATILE_LFU || policy == EVICT_ALLKEYS_LFU;
}

int evict_policy_volatile(int policy)
{
    return policy <= EVICT_VOLATILE_TTL;
}

static int sampling_policy(int policy)
{
    return policy != EVICT_ALLKEYS_RANDOM && policy != EVICT_VOLATILE_RANDOM;
}

/* Redis's budget: 50 us per tenacity step up to 10, then 15% more per
 * step, and no limit at 100. */
static unsigned long long time_budget_us(void)
{
    long long tenacity = evict_conf_maxmemory_eviction_tenacity();
    if (tenacity <= 10) return 50ULL * (unsigned long long)tenacity;
    if (tenacity >= 100) return ~0ULL;
    double us = 500;
    for (long long i = 10; i < tenacity; i++) us *= 1.15;
    return (unsigned long long)us;
}

/* A new limit below what is used: Redis warns, then evicts at once. */
static void note_limit(long long limit)
{
    if (limit == last_limit) return;
    if (last_limit != -1 && limit && (size_t)limit < fr_memory_used())
        fr_log(FR_LOG_WARNING,
               "WARNING: the new maxmemory value set via CONFIG SET (%lld) is smaller than the current memory "
               "usage (%zu). This will result in key eviction and/or the inability to accept new write commands "
               "depending on the maxmemory-policy.",
               limit, fr_memory_used());
    last_limit = limit;
    if (limit) pending = 1;
}

void evict_sync_access(void)
{
    static int mode = -1, factor = -1, decay = -1;
    int policy = evict_policy();
    int m = evict_policy_is_lfu(policy) ? FR_ACCESS_LFU : FR_ACCESS_LRU;
    /* Redis's MAXMEMORY_FLAG_NO_SHARED_INTEGERS: per-key records only
     * matter when something reads them to evict. */
    int lru = policy == EVICT_VOLATILE_LRU || policy == EVICT_ALLKEYS_LRU;
    if (evict_conf_maxmemory() && (lru || evict_policy_is_lfu(policy))) m |= FR_ACCESS_UNSHARED;
    int f = (int)evict_conf_lfu_log_factor(), d = (int)evict_conf_lfu_decay_time();
    if (m != mode || f != factor || d != decay) {
        fr_keyspace_set_access(m, f, d);
        mode = m, factor = f, decay = d;
    }
    note_limit(evict_conf_maxmemory());
}

/* Evict one candidate; 0 when it went away since it was picked (or lost
 * its TTL under a volatile policy), and the caller picks another. */
static int evict_candidate(int policy, int dbid, const fr_str *key, int lazy, size_t *freed)
{
    fr_db *db = fr_db_by_id(NULL, dbid);
    if (!db) return 0;
    if (evict_policy_volatile(policy) && fr_key_get_expire(NULL, db, key) == -1) return 0;
    size_t before = fr_memory_used();
    uint64_t start = fr_ustime();
    if (!fr_key_evict(db, key, lazy)) return 0;
    fr_latency_sample("eviction-del", (long long)((fr_ustime() - start) / 1000));
    size_t after = fr_memory_used();
    if (before > after) *freed += before - after;
    fr_notify_keyspace_event(FR_NOTIFY_EVICTED, "evicted", key, dbid);
    return 1;
}

static fr_str *pick(int policy, int *dbid)
{
    return sampling_policy(policy) ? evict_pool_best(policy, dbid) : evict_random_key(policy, dbid);
}

/* A replica is its master's exact copy: under replica-ignore-maxmemory yes
 * (the default) it neither evicts nor refuses for memory, and the keys go
 * when its master's DELs say so (Redis's isSafeToPerformEvictions). */
static int replica_ignores_limit(void)
{
    return fr_keyspace_is_replica() && evict_conf_replica_ignore_maxmemory();
}

/* Redis's performEvictions. */
int evict_perform(void)
{
    long long limit = evict_conf_maxmemory();
    if (limit <= 0 || fr_writes_paused()) return EVICT_OK;
    size_t used = fr_memory_used();
    if (used <= (size_t)limit || replica_ignores_limit()) return EVICT_OK;
    int policy = evict_policy();
    if (policy == EVICT_NOEVICTION) return EVICT_FAIL;
    size_t to_free = used - (size_t)limit, freed = 0;
    int lazy = fr_config_server_ll("lazyfree-lazy-eviction", 0) != 0;
    unsigned long long budget = time_budget_us();
    uint64_t start = fr_ustime();
    long long evicted = 0;
    int result = EVICT_OK;
    while (freed < to_free) {
        int dbid = 0;
        fr_str *key = pick(policy, &dbid);
        if (!key) {
            result = EVICT_FAIL;
            break;
        }
        int gone = evict_candidate(policy, dbid, key, lazy, &freed);
        fr_str_free(key);
        if (!gone || ++evicted % 16) continue;
        /* A value freed by the lazy-free thread is not counted in `freed`
         * (its memory goes later): look at the real figure instead, or
         * this pass would evict far more than it must. */
        if (lazy && fr_memory_used() <= (size_t)limit) break;
        if (fr_ustime() - start > budget) {
            result = EVICT_RUNNING;
            break;
        }
    }
    fr_latency_sample("eviction-cycle", (long long)((fr_ustime() - start) / 1000));
    return result;
}

int evict_guard(void)
{
    evict_sync_access();
    if (evict_conf_maxmemory() == 0) return 0;
    int result = evict_perform();
    pending = result == EVICT_RUNNING;
    return result == EVICT_FAIL;
}

/* The rest of an unfinished pass, or a new limit's first one, runs from
 * the event loop as Redis's eviction timer does. */
static void continue_pending(void)
{
    evict_sync_access();
    if (!pending) return;
    pending = evict_perform() == EVICT_RUNNING;
}

int evict_on_before_sleep(const fr_hook_event *ev, void *priv)
{
    (void)ev, (void)priv;
    continue_pending();
    return FR_OK;
}

int evict_on_cron(const fr_hook_event *ev, void *priv)
{
    (void)ev, (void)priv;
    continue_pending();
    return FR_OK;
}

/* Before a persistence module loads the dataset (ordered first), so that
 * the IDLE / FREQ a snapshot carries meet the configured access mode. */
int evict_on_startup_load(const fr_hook_event *ev, void *priv)
{
    (void)ev, (void)priv;
    evict_sync_access();
    return FR_OK;
}

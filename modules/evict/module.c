/* module.c -- the evict module's set-up and tear-down.
 *
 * The directives (maxmemory, maxmemory-policy, maxmemory-samples,
 * maxmemory-eviction-tenacity, lfu-log-factor, lfu-decay-time) and the
 * hooks are generated from modules/evict/evict.yaml (glue.c); this file
 * registers the memory guard, which makes the core run an eviction pass
 * before each command, and puts the core's access recording back to LRU
 * when the module goes.  Invariant: the guard is registered from a
 * successful init until deinit. */
#include "evict_internal.h"

int evict_init(fr_module *m)
{
    if (fr_memory_guard_register(m, evict_guard) != FR_OK) {
        fr_log(FR_LOG_WARNING, "evict: another module already guards memory");
        return FR_ERR;
    }
    evict_sync_access();
    return FR_OK;
}

void evict_deinit(fr_module *m)
{
    fr_memory_guard_register(m, NULL);
    fr_keyspace_set_access(FR_ACCESS_LRU, 10, 1);
    evict_pool_release();
}

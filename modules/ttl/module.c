/* module.c -- the ttl module's set-up and tear-down.
 *
 * The command table, the hook wiring (the slow expire cycle on cron, the
 * fast one on before-sleep) and the descriptor are generated from
 * modules/ttl/ttl.yaml (glue.c); this file only creates the cycle state
 * before the hooks can run and releases it.  The manifest's
 * `provides: [expire]` is what lets the core (and SET EX & co) store TTLs.
 * Invariant: the cycle state exists from a successful init until deinit. */
#include "ttl_internal.h"

int ttl_init(fr_module *m) {
    if (fr_expire_policy_register(m, ttl_expire_policy) != FR_OK) return FR_ERR;
    return ttl_cycle_init(m);
}

void ttl_deinit(fr_module *m) {
    (void)m;
    ttl_cycle_release();
}

/* module.c -- the rdb module's state, set-up and tear-down.
 *
 * Owns rdb_g (see rdb_internal.h).  The command table (SAVE BGSAVE LASTSAVE
 * DUMP RESTORE MIGRATE), the hook wiring (start-up load, shutdown, cron,
 * flushed, sync-load), the config accessors and the descriptor are
 * generated from modules/rdb/rdb.yaml (glue.c).  Invariant: rdb_g.m is set
 * from init until deinit. */
#include "rdb_internal.h"

#include <string.h>

rdb_state rdb_g;

static void state_reset(fr_module *m) {
    memset(&rdb_g, 0, sizeof(rdb_g));
    rdb_g.m = m;
    rdb_g.lastsave = time(NULL); /* Redis counts the start as a save */
    rdb_g.last_bgsave_ok = 1;
    rdb_g.child_info_fd = -1;
    rdb_g.last_bgsave_secs = -1;
}

int rdb_init(fr_module *m) {
    state_reset(m);
    rdb_status_publish();
    if (rdb_provider_register(m) != FR_OK) return FR_ERR;
    return fr_serialized_len_register(m, rdb_serialized_len);
}

void rdb_deinit(fr_module *m) {
    (void)m;
    rdb_bgsave_kill();
    migrate_sock_close_all();
    if (rdb_g.misconf_set) fr_deny_writes(NULL);
    rdb_g.m = NULL;
}

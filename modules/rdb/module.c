/* module.c -- the rdb module's descriptor, state, config and registration.
 *
 * Owns rdb_g (see rdb_internal.h) and the module's wiring: the commands of
 * modules/rdb/rdb.yaml, the start-up load, shutdown, cron and
 * flushed (FLUSHALL) hooks, and
 * reads of its config directives (rdbcompression, rdbchecksum,
 * stop-writes-on-bgsave-error), which are read at use so CONFIG SET
 * applies at once.  Invariant: rdb_g.m is set from init until deinit. */
#include "rdb_internal.h"

#include <string.h>

rdb_state rdb_g;

int rdb_opt_compress(void) {
    return fr_config_get_ll(rdb_g.m, "rdbcompression") != 0;
}

int rdb_opt_checksum(void) {
    return fr_config_get_ll(rdb_g.m, "rdbchecksum") != 0;
}

int rdb_opt_stop_writes(void) {
    return fr_config_get_ll(rdb_g.m, "stop-writes-on-bgsave-error") != 0;
}

static const struct {
    const char *name;
    fr_command_fn fn;
} commands[] = {
    {"save", cmd_save},         {"bgsave", cmd_bgsave}, {"lastsave", cmd_lastsave},
    {"dump", cmd_dump},         {"restore", cmd_restore},
};

static void state_reset(fr_module *m) {
    memset(&rdb_g, 0, sizeof(rdb_g));
    rdb_g.m = m;
    rdb_g.hardened = fr_module_hardened(m);
    rdb_g.lastsave = time(NULL); /* Redis counts the start as a save */
    rdb_g.last_bgsave_ok = 1;
    rdb_g.child_info_fd = -1;
    rdb_g.last_bgsave_secs = -1;
}

static int rdb_init(fr_module *m) {
    state_reset(m);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (fr_command_register(m, commands[i].name, commands[i].fn) != FR_OK) return FR_ERR;
    if (fr_hook_register(m, FR_HOOK_STARTUP_LOAD, FR_HOOK_MIDDLE, rdb_on_startup, NULL) != FR_OK ||
        fr_hook_register(m, FR_HOOK_SHUTDOWN, FR_HOOK_MIDDLE, rdb_on_shutdown, NULL) != FR_OK ||
        fr_hook_register(m, FR_HOOK_CRON, FR_HOOK_MIDDLE, rdb_cron, NULL) != FR_OK ||
        fr_hook_register(m, FR_HOOK_FLUSHED, FR_HOOK_MIDDLE, rdb_on_flushed, NULL) != FR_OK)
        return FR_ERR;
    rdb_status_publish();
    return FR_OK;
}

static void rdb_deinit(fr_module *m) {
    (void)m;
    rdb_bgsave_kill();
    if (rdb_g.misconf_set) fr_deny_writes(NULL);
    rdb_g.m = NULL;
}

FR_MODULE("rdb", rdb_init, rdb_deinit);

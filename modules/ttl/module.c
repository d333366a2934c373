/* module.c -- the ttl module's descriptor, command table and hooks.
 *
 * Owns registration: one handler per command of modules/ttl/ttl.yaml, the
 * slow expire cycle on the cron hook and the fast one on before-sleep.  The
 * manifest's `provides: [expire]` is what lets the core (and SET EX & co)
 * store TTLs; nothing here needs to announce it.  Invariant: the cycle state
 * exists from a successful init until deinit; a failed init releases what it
 * made before the core rolls back the rest. */
#include "ttl_internal.h"

static const struct command_entry {
    const char *name;
    fr_command_fn fn;
} commands[] = {
    {"expire", cmd_expire},
    {"pexpire", cmd_pexpire},
    {"expireat", cmd_expireat},
    {"pexpireat", cmd_pexpireat},
    {"ttl", cmd_ttl},
    {"pttl", cmd_pttl},
    {"expiretime", cmd_expiretime},
    {"pexpiretime", cmd_pexpiretime},
    {"persist", cmd_persist},
};

static int register_commands(fr_module *m) {
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (fr_command_register(m, commands[i].name, commands[i].fn) != FR_OK) {
            fr_log(FR_LOG_WARNING, "ttl: cannot register command '%s'",
                   commands[i].name);
            return FR_ERR;
        }
    }
    return FR_OK;
}

static int register_hooks(fr_module *m) {
    if (fr_hook_register(m, FR_HOOK_CRON, FR_HOOK_MIDDLE, ttl_on_cron, NULL) !=
            FR_OK ||
        fr_hook_register(m, FR_HOOK_BEFORE_SLEEP, FR_HOOK_MIDDLE,
                         ttl_on_before_sleep, NULL) != FR_OK) {
        fr_log(FR_LOG_WARNING, "ttl: cannot register the expire cycle hooks");
        return FR_ERR;
    }
    return FR_OK;
}

static int ttl_init(fr_module *m) {
    if (register_commands(m) != FR_OK) return FR_ERR;
    if (ttl_cycle_init(m) != FR_OK) return FR_ERR;
    if (register_hooks(m) != FR_OK) {
        ttl_cycle_release();
        return FR_ERR;
    }
    return FR_OK;
}

static void ttl_deinit(fr_module *m) {
    (void)m;
    ttl_cycle_release();
}

FR_MODULE("ttl", ttl_init, ttl_deinit);

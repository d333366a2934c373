/* runtime.c -- the runtime layer's state (fr_runtime) and its wiring to the
 * layers below.
 *
 * The protocol and keyspace layers never include runtime.h; what they need
 * from above is handed to them here, once, by fr_runtime_init: the command
 * dispatcher, the blocking and MULTI/WATCH clean-up of a closing client, the client
 * description for log lines, the key events (WATCH invalidation, key
 * hooks), the propagation of a lazily expired key, and module names.  The
 * order of work inside each callback is the one the layers had when they
 * called up directly, so behaviour does not depend on the indirection. */
#include <stdio.h>

#include "runtime.h"

fr_runtime_state fr_runtime;

/* Key read/written/deleted: a write or a deletion invalidates WATCHes
 * and client-side caches first, then the hooks run (only if anyone subscribed: the common case
 * costs one counter read). */
static void key_event(fr_hook_id id, fr_ctx *ctx, fr_db *db, const fr_str *key, int why)
{
    if (id != FR_HOOK_KEY_READ) {
        fr_multi_touch_key(db, key);
        /* an expired or evicted key was changed by nobody: NOLOOP does
         * not hide it */
        int nobody = id == FR_HOOK_KEY_DELETED && (why == FR_DELETE_EXPIRED || why == FR_DELETE_EVICTED);
        fr_tracking_key_changed(nobody ? NULL : ctx, key);
    }
    if (id == FR_HOOK_KEY_WRITTEN) fr_blocked_key_written(db, key);
    if (id == FR_HOOK_KEY_DELETED) fr_blocked_key_deleted(db, key);
    if (!fr_hooks_count(id)) return;
    fr_hook_event ev = {.id = id, .ctx = ctx, .db = db, .key = key, .why = why};
    fr_hooks_fire(&ev);
}

/* Tells the keyspace which key events to send up: the ones a hook is
 * registered for, and writes/deletions while any key is WATCHed,
 * remembered for client-side caching or waited for by a blocked client.
 * Called whenever any of these changes. */
void fr_runtime_key_interest_changed(void)
{
    unsigned want = 0;
    int watching = fr_multi_watched_keys() > 0 || fr_tracking_wants_key_events() ||
                   fr_blocked_on_keys_count() > 0;
    if (fr_hooks_count(FR_HOOK_KEY_READ)) want |= 1u << FR_HOOK_KEY_READ;
    if (watching || fr_hooks_count(FR_HOOK_KEY_WRITTEN)) want |= 1u << FR_HOOK_KEY_WRITTEN;
    if (watching || fr_hooks_count(FR_HOOK_KEY_DELETED)) want |= 1u << FR_HOOK_KEY_DELETED;
    fr_keyspace.key_events_wanted = want;
}

/* A client about to be freed: its blocking and MULTI/WATCH state, its
 * MONITOR entry and tracking, then what modules keep for it (subscriptions). */
static void client_gone(fr_client *c)
{
    fr_blocked_client_gone(c);
    fr_multi_client_gone(c);
    fr_monitor_client_gone(c);
    fr_tracking_disable(c);
    fr_client_reset_modules(c, FR_CLIENT_RESET_FREED);
}

/* The core's hardened protocol refusals go to the ledger as the core's. */
static void hardened_refusal(fr_client *c, const char *rule, const char *detail)
{
    char client[128];
    fr_client_id_addr(c, client, sizeof(client));
    fr_runtime.stats.divergences++;
    fr_module *core = fr_module_find("core");
    if (core) fr_module_count_divergence(core);
    fr_ledger_record("core", rule, NULL, client, detail);
}

/* describe_client: the CLIENT LIST line, which the commands layer formats
 * (cmd_client.c), so main passes it in; NULL gives a short line. */
void fr_runtime_init(fr_str *(*describe_client)(fr_client *c))
{
    fr_proto_upcalls pu = {fr_command_process, client_gone, describe_client, hardened_refusal};
    fr_proto_set_upcalls(&pu);
    fr_keyspace_upcalls ku = {key_event, fr_propagate_now, fr_module_name, fr_module_sdk_minor,
                              fr_notify_keyspace_event};
    fr_keyspace_set_upcalls(&ku);
}

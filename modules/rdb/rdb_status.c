/* rdb_status.c -- what the rest of the server sees of the module's state:
 * the INFO persistence fields it owns (and INFO stats' count of MIGRATE's
 * cached connections) and the MISCONF write refusal.
 *
 * Owns the mapping from rdb_g to the INFO group declared in rdb.yaml and the rule
 * of writeCommandsDeniedByDiskError: writes are refused while
 * stop-writes-on-bgsave-error is on, save points are set and the last
 * background save failed.  Invariant: fr_deny_writes() is called only when
 * that condition changes; rdb_g.misconf_set mirrors what is in force. */
#include "rdb_internal.h"

#include <stdio.h>

static const char misconf[] =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently "
    "unable to persist to disk. Commands that may modify the data set are "
    "disabled, because this instance is configured to report errors during "
    "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). "
    "Please check the Redis logs for details about the RDB error.";

static void publish_misconf(void) {
    rdb_savepoint sp[1];
    int want = rdb_conf_stop_writes_on_bgsave_error() && rdb_savepoints(sp, 1) > 0 && !rdb_g.last_bgsave_ok;
    if (want == rdb_g.misconf_set) return;
    fr_deny_writes(want ? misconf : NULL);
    rdb_g.misconf_set = (char)want;
}

/* The persistence fields the manifest declares, from rdb_g, when INFO
 * asks; rdb_changes_since_last_save is the core's dirty counter, which a
 * successful save lowers. */
int rdb_info_persistence(rdb_info_persistence_fields *out) {
    int running = rdb_g.child_pid != 0;
    out->rdb_changes_since_last_save = fr_dirty_count();
    out->rdb_bgsave_in_progress = running;
    out->rdb_last_save_time = (long long)rdb_g.lastsave;
    out->rdb_last_bgsave_status = rdb_g.last_bgsave_ok ? "ok" : "err";
    out->rdb_last_bgsave_time_sec = rdb_g.last_bgsave_secs;
    out->rdb_current_bgsave_time_sec = running ? (long long)(time(NULL) - rdb_g.child_start) : -1;
    out->rdb_saves = rdb_g.saves;
    out->rdb_last_cow_size = (long long)rdb_g.cow_bytes;
    out->rdb_last_load_keys_expired = rdb_g.keys_expired;
    out->rdb_last_load_keys_loaded = rdb_g.keys_loaded;
    return 1;
}

/* INFO stats: MIGRATE's cached connections (rdb_migrate_sock.c). */
int rdb_info_stats(rdb_info_stats_fields *out) {
    out->migrate_cached_sockets = migrate_sock_count();
    return 1;
}

void rdb_status_publish(void) {
    publish_misconf();
}

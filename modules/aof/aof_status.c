/* aof_status.c -- the INFO persistence fields of the aof module, as Redis
 * 7.0 prints them: the first group always, the second (sizes and fsync
 * state) only while appendonly is on. */
#include "aof_internal.h"

int aof_info_persistence(aof_info_persistence_fields *out) {
    int running = aof_g.child_pid != 0;
    out->aof_enabled = aof_g.state != AOF_OFF;
    out->aof_rewrite_in_progress = running;
    out->aof_rewrite_scheduled = aof_g.scheduled;
    out->aof_last_rewrite_time_sec = aof_g.last_rewrite_secs;
    out->aof_current_rewrite_time_sec = running ? (long long)(time(NULL) - aof_g.child_start) : -1;
    out->aof_last_bgrewrite_status = aof_g.last_rewrite_ok ? "ok" : "err";
    out->aof_rewrites = aof_g.rewrites;
    out->aof_rewrites_consecutive_failures = aof_g.consecutive_failures;
    out->aof_last_write_status = aof_g.last_write_ok ? "ok" : "err";
    out->aof_last_cow_size = 0;
    return 1;
}

int aof_info_aof_on(aof_info_aof_on_fields *out) {
    if (aof_g.state == AOF_OFF) return 0;
    out->aof_current_size = aof_g.current_size;
    out->aof_base_size = aof_g.base_size;
    out->aof_pending_rewrite = aof_g.scheduled;
    out->aof_buffer_length = (long long)aof_g.buf->len;
    out->aof_pending_bio_fsync = aof_fsync_pending();
    out->aof_delayed_fsync = aof_g.delayed_fsync;
    return 1;
}

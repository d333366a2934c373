/* module.c -- the aof module's state, hooks and BGREWRITEAOF.
 *
 * Owns aof_g (see aof_internal.h).  The command table, hook wiring,
 * config accessors and INFO groups are generated from aof.yaml (glue.c).
 * Hooks: start-up load (before the rdb module, which then stands aside),
 * every propagated command, before-sleep (the buffer's flush: before any
 * reply is sent), cron (child, scheduled and automatic rewrites,
 * appendonly changes), shutdown (last flush and fsync) and sync-load (a
 * replica's full sync stops the AOF, then rewrites it). */
#include "aof_internal.h"

#include <stdlib.h>
#include <string.h>

aof_state aof_g;

int aof_init(fr_module *m) {
    memset(&aof_g, 0, sizeof(aof_g));
    aof_g.m = m;
    aof_g.fd = -1;
    aof_g.child_report_fd = -1;
    aof_g.selected_db = -1;
    aof_g.last_write_ok = 1;
    aof_g.last_rewrite_ok = 1;
    aof_g.last_rewrite_secs = -1;
    aof_g.buf = fr_str_new_empty(1024);
    aof_g.manifest = aof_manifest_new();
    return aof_fsync_start();
}

void aof_deinit(fr_module *m) {
    (void)m;
    aof_rewrite_kill();
    aof_close_fd();
    aof_fsync_stop();
    if (aof_g.write_refused) fr_deny_writes(NULL);
    fr_str_free(aof_g.buf);
    aof_manifest_free(aof_g.manifest);
    memset(&aof_g, 0, sizeof(aof_g));
    aof_g.fd = -1;
}

int aof_on_startup_load(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    return aof_load_at_startup();
}

int aof_on_command_propagated(const fr_hook_event *ev, void *priv) {
    (void)priv;
    if (ev->repl_only) return FR_OK;   /* PUBLISH: replicas only */
    return aof_on_propagated(ev->dbid, ev->argc, ev->argv);
}

int aof_on_before_sleep(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    aof_follow_config();
    aof_flush(0);
    return FR_OK;
}

int aof_on_cron(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    aof_rewrite_cron();
    return FR_OK;
}

int aof_on_sync_load(const fr_hook_event *ev, void *priv) {
    (void)priv;
    aof_sync_load(ev->why);
    return FR_OK;
}

int aof_on_shutdown(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    if (aof_g.child_pid) {
        fr_log(FR_LOG_WARNING, "There is a child rewriting the AOF. Killing it!");
        aof_rewrite_kill();
    }
    if (aof_g.fd >= 0) {
        fr_log(FR_LOG_NOTICE, "Calling fsync() on the AOF file.");
        aof_close_fd();
    }
    return FR_OK;
}

void cmd_bgrewriteaof(fr_ctx *ctx) {
    if (aof_g.child_pid) {
        fr_reply_error(ctx, "Background append only file rewriting already in progress");
    } else if (fr_fork_active() || fr_ctx_in_exec(ctx)) {
        aof_g.scheduled = 1;
        fr_reply_status(ctx, "Background append only file rewriting scheduled");
    } else if (aof_rewrite_start() == FR_OK) {
        fr_reply_status(ctx, "Background append only file rewriting started");
    } else {
        fr_reply_error(ctx, "Can't execute an AOF background rewriting. Please check the server logs for more "
                       "information.");
    }
}

/* DEBUG LOADAOF: as Redis, a data set that does not load from the files
 * ends the server (the files are what a restart would load too). */
void aof_debug_loadaof(fr_ctx *ctx) {
    if (fr_argc(ctx) != 2) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    if (aof_reload() != FR_OK) {
        fr_log(FR_LOG_WARNING, "DEBUG LOADAOF: the append only file does not load: exiting");
        exit(1);
    }
    fr_dirty_forget(fr_dirty_count()); /* not a change to propagate or save */
    fr_log(FR_LOG_WARNING, "Append Only File loaded by DEBUG LOADAOF");
    fr_reply_ok(ctx);
}

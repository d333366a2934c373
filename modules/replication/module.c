/* module.c -- the replication module's entry points: init (replication
 * IDs, the INFO writer) and the hooks that feed it: propagated commands
 * become the stream, cron drives snapshots and the once-a-second work (and
 * reports the backlog's memory), before-sleep asks for ACKs and resumes a
 * paused diskless transfer,
 * a freed client stops being a replica, shutdown stops our child. */
#include <stdio.h>

#include "repl_internal.h"

int replication_init(fr_module *m)
{
    repl_stream_init();
    if (repl_aux_register(m) != FR_OK) return FR_ERR;
    if (repl_gate_register(m) != FR_OK) return FR_ERR;
    if (fr_shutdown_wait_register(m, repl_shutdown_wait) != FR_OK) return FR_ERR;
    /* The group the manifest declares is written here rather than by the
     * generated filler (replication_info_replication returns 0). */
    return fr_info_register(m, "replication", NULL, repl_info_write, NULL);
}

void replication_deinit(fr_module *m)
{
    fr_shutdown_wait_register(m, NULL);
    repl_sync_kill();
    repl_backlog_free();
    fr_repl_report_backlog(0);
}

int replication_on_command_propagated(const fr_hook_event *ev, void *priv)
{
    (void)priv;
    repl_feed_command(ev->dbid, ev->argc, ev->argv);
    repl_g.data_offset = repl_g.master_repl_offset;
    return FR_OK;
}

/* `replicaof` from the config: read at the first cron, when the config
 * file and the command line have both been applied. */
static void follow_config_once(void)
{
    static int done;
    if (done) return;
    done = 1;
    repl_aux_started(); /* the start-up load is over */
    char host[256];
    int port;
    if (sscanf(replication_conf_replicaof(), "%255s %d", host, &port) == 2) repl_set_master(host, port, 1);
}

int replication_on_cron(const fr_hook_event *ev, void *priv)
{
    (void)ev;
    (void)priv;
    static long long last_second;
    follow_config_once();
    long long now = fr_mstime() / 1000;
    repl_sync_poll();
    repl_backlog *b = repl_g.backlog; /* INFO's mem_replication_backlog */
    fr_repl_report_backlog(b ? (long long)(sizeof(*b) + (size_t)b->size) : 0);
    if (now != last_second) {
        last_second = now;
        repl_cron_second();
        repl_replica_cron();
    }
    return FR_OK;
}

int replication_on_client_reset(const fr_hook_event *ev, void *priv)
{
    (void)priv;
    if (ev->why != FR_CLIENT_RESET_FREED) return FR_OK;
    repl_replica_forget(ev->client);
    repl_waiters_forget(ev->client);
    return FR_OK;
}

int replication_on_shutdown(const fr_hook_event *ev, void *priv)
{
    (void)ev;
    (void)priv;
    repl_sync_kill();
    repl_replica_shutdown();
    return FR_OK;
}

int replication_on_before_sleep(const fr_hook_event *ev, void *priv)
{
    (void)ev;
    (void)priv;
    repl_before_sleep();
    repl_diskless_resume();
    return FR_OK;
}

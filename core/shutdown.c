/* shutdown.c -- an orderly exit: waiting for replicas to catch up, then
 * shutdown hooks (a persistence module saves here), listeners closed,
 * pidfile removed.
 *
 * Reached from SHUTDOWN and from SIGTERM/SIGINT (noted by the loop's
 * signal watcher, run after the loop breaks, never inside a signal
 * handler, with the flags shutdown-on-sigterm / -sigint give).  Without
 * NOW, and while a module's wait function (the replication module's:
 * replicas that have not acknowledged the whole stream) says so, the exit
 * waits up to shutdown-timeout seconds
 * with writes paused, as Redis 7.0 does so that a failover loses nothing;
 * the cron finishes it (fr_shutdown_cron), SHUTDOWN ABORT cancels it.  A
 * shutdown hook may refuse (a required save failed); then the server
 * keeps running unless FORCE was given.
 *
 * Invariants: at most one shutdown waits (deadline_ms != 0 exactly then),
 * and only then is the shutdown pause in force; the SHUTDOWN clients
 * blocked on it are woken whenever it ends without exiting. */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

static fr_shutdown_wait_fn wait_fn;
static fr_module *wait_owner;
static int waiting_flags;
static long long deadline_ms;
static uint64_t *blocked_ids; /* SHUTDOWN clients waiting with it (fr_malloc) */
static int nblocked;
static int signalled;   /* SIGTERM/SIGINT asked for a shutdown not over yet */
static int last_signal; /* which one */

FR_API int fr_shutdown_wait_register(fr_module *m, fr_shutdown_wait_fn fn)
{
    if (wait_owner && wait_owner != m) return FR_ERR;
    wait_fn = fn;
    wait_owner = fn ? m : NULL;
    return FR_OK;
}

void fr_shutdown_wait_remove_module(fr_module *m)
{
    if (wait_owner == m) wait_fn = NULL, wait_owner = NULL;
}

void fr_shutdown_hold_client(fr_client *c)
{
    blocked_ids = fr_realloc(blocked_ids, sizeof(*blocked_ids) * (size_t)(nblocked + 1));
    blocked_ids[nblocked++] = c->id;
}

/* The waiting shutdown ends without an exit: writes resume, and each
 * SHUTDOWN client runs again to answer the error. */
static void cancel(void)
{
    deadline_ms = 0;
    waiting_flags = 0;
    fr_pause_end(FR_PAUSE_DURING_SHUTDOWN);
    for (int i = 0; i < nblocked; i++) fr_client_wake(fr_client_by_id(blocked_ids[i]));
    fr_free(blocked_ids);
    blocked_ids = NULL;
    nblocked = 0;
    signalled = last_signal = 0;
}

static int finish(int flags)
{
    if (wait_fn) wait_fn(FR_SHUTDOWN_WAIT_FINAL);
    fr_hook_event ev = {.id = FR_HOOK_SHUTDOWN, .why = flags};
    if (fr_hooks_fire(&ev) != FR_OK && !(flags & FR_SHUTDOWN_FORCE)) {
        fr_log(FR_LOG_WARNING, "Errors trying to shut down the server. Check the logs for more information.");
        if (deadline_ms) cancel();
        return FR_ERR;
    }
    if (fr_runtime.child_pid > 0) kill(fr_runtime.child_pid, SIGKILL);
    fr_net_close_listeners();
    fr_net_close_unix();
    if (fr_cfg.pidfile) unlink(fr_cfg.pidfile);
    fr_log(FR_LOG_WARNING, "FrankenRedis is now ready to exit, bye bye...");
    exit(0);
}

int fr_server_shutdown(int flags)
{
    if (deadline_ms) return FR_SHUTDOWN_WAITING; /* one is already waiting */
    fr_log(FR_LOG_WARNING, "User requested shutdown...");
    fr_supervise_notify("STOPPING=1\n");
    long long timeout = fr_config_server_ll("shutdown-timeout", 10);
    if (!(flags & FR_SHUTDOWN_NOW) && timeout > 0 && wait_fn && wait_fn(FR_SHUTDOWN_WAIT_ASK)) {
        waiting_flags = flags;
        deadline_ms = (long long)fr_mstime() + timeout * 1000;
        fr_pause_start(FR_PAUSE_DURING_SHUTDOWN, LLONG_MAX, FR_PAUSE_WRITE);
        fr_log(FR_LOG_NOTICE, "Waiting for replicas before shutting down.");
        return FR_SHUTDOWN_WAITING;
    }
    return finish(flags);
}

void fr_shutdown_cron(void)
{
    if (!deadline_ms) return;
    if ((long long)fr_mstime() < deadline_ms && wait_fn && wait_fn(FR_SHUTDOWN_WAIT_POLL)) return;
    finish(waiting_flags);
}

/* The SHUTDOWN flags shutdown-on-sigint / shutdown-on-sigterm give the
 * signal: their words ("nosave now", ...), or none for "default". */
static int signal_flags(int signum)
{
    static const struct { const char *word; int flag; } words[] = {
        {"save", FR_SHUTDOWN_SAVE}, {"nosave", FR_SHUTDOWN_NOSAVE},
        {"now", FR_SHUTDOWN_NOW}, {"force", FR_SHUTDOWN_FORCE}};
    char text[64];
    fr_config_server_str(signum == SIGINT ? "shutdown-on-sigint" : "shutdown-on-sigterm", text, sizeof(text));
    int flags = 0;
    for (char *w = strtok(text, " "); w; w = strtok(NULL, " "))
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (!strcmp(w, words[i].word)) flags |= words[i].flag;
    return flags;
}

/* A second SIGINT while one is under way (waiting for replicas, say)
 * means "now, without saving", as in Redis. */
void fr_shutdown_signal(int signum)
{
    if (signalled && signum == SIGINT) {
        fr_log(FR_LOG_WARNING, "You insist... exiting now.");
        exit(1);
    }
    fr_log(FR_LOG_WARNING, "Received %s scheduling shutdown...", signum == SIGINT ? "SIGINT" : "SIGTERM");
    signalled = 1;
    last_signal = signum;
}

void fr_shutdown_run_signalled(void)
{
    if (signalled && fr_server_shutdown(FR_SHUTDOWN_SIGNAL | signal_flags(last_signal)) == FR_ERR)
        signalled = last_signal = 0;
}

long long fr_shutdown_remaining_ms(void)
{
    if (!deadline_ms) return -1;
    long long left = deadline_ms - (long long)fr_mstime();
    return left > 0 ? left : 0;
}

int fr_shutdown_abort(void)
{
    if (!deadline_ms) return FR_ERR;
    cancel();
    fr_log(FR_LOG_NOTICE, "Shutdown manually aborted.");
    return FR_OK;
}

/* rdb_bgsave.c -- when snapshots are taken: BGSAVE children, save points,
 * synchronous saves, the shutdown save and the start-up load.
 *
 * Owns the life of the background save child: fork (fr_fork), the child's
 * work (write the snapshot, measure its copy-on-write, report it through a
 * pipe, _exit), reaping from the cron hook (waitpid WNOHANG), and the
 * bookkeeping Redis keeps around it (dirty counter at fork, last status,
 * timings, retry delay after a failure).
 *
 * Outcomes follow Redis's backgroundSaveDoneHandlerDisk: exit 0 is a
 * success, another exit status an error, a signal an error too (except
 * SIGUSR1, our own "stop") and its temp file is removed by the parent,
 * since the dead child could not.
 *
 * Invariants: rdb_g.child_pid != 0 exactly while a child has not been
 * reaped, and fr_fork_done() is called once per reaped child; the child
 * never returns into the server (it leaves through _exit); a child killed
 * by SIGUSR1 (shutdown) is not counted as a failure, as in Redis; no
 * temp-<childpid>.rdb survives the reaping of its child. */
#include "rdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RDB_REPORT_MAGIC 0x52444243u /* "RDBC" */

/* What the child tells the parent before it exits, or (from a signal
 * handler) the signal it is dying of.  The pipe, not waitpid, is the
 * reliable channel: the event loop (libev's default loop) reaps every
 * child on SIGCHLD, so the exit status may be gone by the time cron asks
 * for it. */
typedef struct child_report {
    uint32_t magic;
    int32_t ok;
    int32_t signo;      /* the child is dying of this signal, 0 none */
    uint64_t cow_bytes;
    long long keys;
} child_report;

int rdb_savepoints(rdb_savepoint *out, int max) {
    /* rdb_conf_save_check stored the text in its normal form. */
    int n = rdb_parse_savepoints(rdb_conf_save(), out, max);
    return n < 0 ? 0 : n;
}

/* ---- The child ------------------------------------------------------------- */

/* Private_Dirty of the whole process: the pages this child copied. */
static uint64_t private_dirty_bytes(void) {
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f) f = fopen("/proc/self/smaps", "r");
    if (!f) return 0;
    char line[256];
    uint64_t total = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long long kb;
        if (sscanf(line, "Private_Dirty: %llu kB", &kb) == 1) total += kb * 1024;
    }
    fclose(f);
    return total;
}

/* Signals whose default action ends the process.  The event loop may reap
 * the child before cron looks, taking the wait status with it, so the child
 * itself tells the parent which of these is killing it.  SIGKILL cannot be
 * caught: a child that dies without any report died of it.  The real-time
 * signals (default action: terminate) are covered by a range below. */
static const int fatal_signals[] = {
    SIGHUP,  SIGINT,  SIGQUIT, SIGILL,  SIGTRAP,   SIGABRT, SIGBUS,  SIGFPE,  SIGUSR1,
    SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,   SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
    SIGSYS,  SIGIO,
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
};

static int signal_report_fd = -1;

/* Async-signal-safe: one atomic pipe write (smaller than PIPE_BUF), then
 * the signal again, now with its default action (SA_RESETHAND). */
static void report_signal(int sig) {
    child_report rep = {.magic = RDB_REPORT_MAGIC, .signo = sig};
    if (write(signal_report_fd, &rep, sizeof(rep)) < 0) {
        /* nothing to do: the parent then assumes SIGKILL */
    }
    raise(sig);
}

/* Report `sig` before dying of it, unless the server ignores it (SIGPIPE,
 * SIGHUP): an ignored signal stays ignored, as in Redis's child. */
static void hook_fatal(int sig, sigset_t *unblock) {
    struct sigaction old, sa = {.sa_handler = report_signal,
                                .sa_flags = SA_RESETHAND | SA_NODEFER};
    sigemptyset(&sa.sa_mask);
    sigaddset(unblock, sig);
    if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
        sigaction(sig, &sa, NULL);
}

static void child_signals(int report_fd) {
    /* The server's own handlers for these make no sense in the child. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    signal_report_fd = report_fd;
    if (report_fd >= 0) {
        for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
            hook_fatal(fatal_signals[i], &unblock);
        for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) hook_fatal(sig, &unblock);
    } else {
        sigaddset(&unblock, SIGTERM);
        sigaddset(&unblock, SIGINT);
        sigaddset(&unblock, SIGUSR1);
    }
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

static void child_main(int report_fd) {
    child_signals(report_fd);
    fr_proctitle_set("redis-rdb-bgsave");
    char name[1024];
    child_report rep = {.magic = RDB_REPORT_MAGIC};
    rep.ok = rdb_save_file(rdb_filename(name, sizeof(name)), &rep.keys) == FR_OK;
    if (rep.ok) {
        rep.cow_bytes = private_dirty_bytes();
        if (rep.cow_bytes)
            fr_log(FR_LOG_NOTICE, "Fork CoW for RDB: current %llu MB, peak %llu MB, "
                   "average %llu MB", (unsigned long long)(rep.cow_bytes >> 20),
                   (unsigned long long)(rep.cow_bytes >> 20),
                   (unsigned long long)(rep.cow_bytes >> 20));
    }
    if (report_fd >= 0 && write(report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
        rep.cow_bytes = 0; /* the exit status still tells the outcome */
    _exit(rep.ok ? 0 : 1);
}

/* ---- The parent -------------------------------------------------------------- */

int rdb_bgsave_start(void) {
    if (rdb_g.child_pid || fr_fork_active()) return FR_ERR;
    rdb_g.saves++;
    rdb_g.dirty_at_fork = fr_dirty_count();
    rdb_g.last_bgsave_try = time(NULL);
    int report_fd;
    int pid = fr_fork_reporting(&report_fd);
    if (pid == 0) child_main(report_fd);
    if (pid < 0) {
        rdb_g.last_bgsave_ok = 0;
        fr_log(FR_LOG_WARNING, "Can't save in background: fork: %s", strerror(errno));
        rdb_status_publish();
        return FR_ERR;
    }
    rdb_g.child_pid = pid;
    rdb_g.child_info_fd = report_fd;
    rdb_g.child_start = time(NULL);
    fr_log(FR_LOG_NOTICE, "Background saving started by pid %ld", (long)pid);
    rdb_status_publish();
    return FR_OK;
}

/* Read the child's report: 1 got it, 0 the child is still running, -1 it
 * exited (pipe closed) without reporting. */
static int read_report(child_report *rep) {
    if (rdb_g.child_info_fd < 0) return -1;
    ssize_t n = read(rdb_g.child_info_fd, rep, sizeof(*rep));
    if (n == (ssize_t)sizeof(*rep) && rep->magic == RDB_REPORT_MAGIC) return 1;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    return -1;
}

static void child_gone(void) {
    if (rdb_g.child_info_fd >= 0) close(rdb_g.child_info_fd);
    rdb_g.child_info_fd = -1;
    rdb_g.child_pid = 0;
    rdb_g.child_killed = 0;
    fr_fork_done();
}

static void remove_temp(int pid) {
    char tmp[64];
    rdb_temp_name(tmp, sizeof(tmp), pid);
    unlink(tmp);
}

/* Redis's three outcomes.  Only the parent can remove the temp file of a
 * child that was killed; after an error exit the child has removed it
 * already (rdb_save_file), so unlinking again only covers a child that
 * failed even at that. */
static void bgsave_done(rdb_child_end end, const child_report *rep) {
    if (!end.bysignal && end.exitcode == 0) {
        fr_log(FR_LOG_NOTICE, "Background saving terminated with success");
        fr_dirty_forget(rdb_g.dirty_at_fork);
        rdb_g.lastsave = time(NULL);
        rdb_g.last_bgsave_ok = 1;
        if (rep) rdb_g.cow_bytes = (long long)rep->cow_bytes;
    } else if (!end.bysignal) {
        fr_log(FR_LOG_WARNING, "Background saving error");
        remove_temp(rdb_g.child_pid);
        rdb_g.last_bgsave_ok = 0;
    } else {
        fr_log(FR_LOG_WARNING, "Background saving terminated by signal %d", end.bysignal);
        uint64_t start = fr_ustime();
        remove_temp(rdb_g.child_pid);
        fr_latency_sample("rdb-unlink-temp-file", (long long)(fr_ustime() - start) / 1000); /* as Redis */
        /* SIGUSR1 is how we stop a child on purpose: not a failure. */
        if (end.bysignal != SIGUSR1) rdb_g.last_bgsave_ok = 0;
    }
    rdb_g.last_bgsave_secs = (long long)(time(NULL) - rdb_g.child_start);
    child_gone();
    rdb_status_publish();
}

static rdb_child_end end_from_status(int status) {
    rdb_child_end end = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0};
    if (WIFSIGNALED(status)) end.bysignal = WTERMSIG(status);
    return end;
}

/* The event loop reaped the child: its report is all that is left. */
static rdb_child_end end_from_report(int got, const child_report *rep) {
    rdb_child_end end = rdb_child_end_from_report(got == 1, got == 1 && rep->ok,
                                              got == 1 ? rep->signo : 0, rdb_g.child_killed);
    if (got != 1)
        fr_log(FR_LOG_VERBOSE, "The background saving child %d was reaped by the event "
               "loop without a report: signal %d assumed", rdb_g.child_pid, end.bysignal);
    return end;
}

void rdb_bgsave_poll(void) {
    if (!rdb_g.child_pid) return;
    child_report rep;
    int status = 0;
    pid_t r = waitpid(rdb_g.child_pid, &status, WNOHANG);
    if (r == 0) return;
    int got = read_report(&rep);
    if (r < 0 && got == 0) return; /* reaped, but its pipe is still open */
    rdb_child_end end = r > 0 ? end_from_status(status) : end_from_report(got, &rep);
    bgsave_done(end, got == 1 && !rep.signo ? &rep : NULL);
}

/* Stops the child and waits for it: after this, no rename of its file can
 * land on the RDB file. */
static void kill_and_reap(void) {
    int pid = rdb_g.child_pid, status;
    kill(pid, SIGUSR1);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    remove_temp(pid);
    child_gone();
    rdb_status_publish();
}

void rdb_bgsave_kill(void) {
    if (!rdb_g.child_pid) return;
    fr_log(FR_LOG_WARNING, "There is a child saving an .rdb. Killing it!");
    kill_and_reap();
}

/* A replica about to load its master's snapshot (Redis kills the RDB
 * child there): a save of the old dataset finishing later would replace
 * the RDB file -- the one a disk transfer just became -- with stale data. */
int rdb_on_sync_load(const fr_hook_event *ev, void *priv) {
    (void)priv;
    if (ev->why != FR_SYNC_LOAD_START || !rdb_g.child_pid) return FR_OK;
    fr_log(FR_LOG_NOTICE, "Replica is about to load the RDB file received from the master, but there is a "
           "pending RDB child running. Killing process %ld and removing its temp file to avoid any race",
           (long)rdb_g.child_pid);
    kill_and_reap();
    return FR_OK;
}

void rdb_bgsave_abort(void) {
    if (!rdb_g.child_pid || rdb_g.child_killed) return;
    kill(rdb_g.child_pid, SIGUSR1);
    rdb_g.child_killed = 1;
}

int rdb_save_now(void) {
    char name[1024];
    long long keys, dirty = fr_dirty_count();
    if (rdb_save_file(rdb_filename(name, sizeof(name)), &keys) != FR_OK) return FR_ERR;
    fr_dirty_forget(dirty);
    rdb_g.lastsave = time(NULL);
    rdb_g.last_bgsave_ok = 1;
    rdb_status_publish();
    return FR_OK;
}

/* ---- Hooks ------------------------------------------------------------------- */

static int retry_allowed(time_t now) {
    return now - rdb_g.last_bgsave_try > RDB_BGSAVE_RETRY_DELAY || rdb_g.last_bgsave_ok;
}

static void check_savepoints(time_t now) {
    rdb_savepoint sp[RDB_SAVEPOINTS_MAX];
    int n = rdb_savepoints(sp, RDB_SAVEPOINTS_MAX);
    if (n > RDB_SAVEPOINTS_MAX) n = RDB_SAVEPOINTS_MAX;
    long long dirty = fr_dirty_count();
    for (int j = 0; j < n; j++) {
        if (!rdb_savepoint_due(&sp[j], dirty, now, rdb_g.lastsave, rdb_g.last_bgsave_try,
                               rdb_g.last_bgsave_ok, RDB_BGSAVE_RETRY_DELAY))
            continue;
        fr_log(FR_LOG_NOTICE, "%lld changes in %lld seconds. Saving...", sp[j].changes,
               sp[j].seconds);
        rdb_bgsave_start();
        return;
    }
}

int rdb_on_cron(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    time_t now = time(NULL);
    if (rdb_g.child_pid) rdb_bgsave_poll();
    else if (!fr_fork_active()) check_savepoints(now);
    if (!rdb_g.child_pid && rdb_g.bgsave_scheduled && retry_allowed(now) &&
        rdb_bgsave_start() == FR_OK)
        rdb_g.bgsave_scheduled = 0;
    rdb_status_publish();
    rdb_migrate_cron();
    return FR_OK;
}

int rdb_on_shutdown(const fr_hook_event *ev, void *priv) {
    (void)priv;
    rdb_bgsave_kill();
    rdb_savepoint sp[1];
    int points = rdb_savepoints(sp, 1) > 0;
    if (!((points && !(ev->why & FR_SHUTDOWN_NOSAVE)) || (ev->why & FR_SHUTDOWN_SAVE)))
        return FR_OK;
    fr_log(FR_LOG_NOTICE, "Saving the final RDB snapshot before exiting.");
    fr_supervise_notify("STATUS=Saving the final RDB snapshot\n");
    if (rdb_save_now() == FR_OK) return FR_OK;
    if (ev->why & FR_SHUTDOWN_FORCE) {
        fr_log(FR_LOG_WARNING, "Error trying to save the DB. Exit anyway.");
        return FR_OK;
    }
    fr_log(FR_LOG_WARNING, "Error trying to save the DB, can't exit.");
    fr_supervise_notify("STATUS=Error trying to save the DB, can't exit.\n");
    return FR_ERR;
}

/* FLUSHALL as flushAllDataAndResetRDB ends it (the hook fires only for a
 * flush that happened; FLUSHDB leaves the RDB alone). */
int rdb_on_flushed(const fr_hook_event *ev, void *priv) {
    (void)priv;
    if (ev->dbid != -1) return FR_OK;
    rdb_bgsave_abort();
    rdb_savepoint sp[1];
    if (rdb_savepoints(sp, 1) > 0) rdb_save_now();
    return FR_OK;
}

int rdb_on_startup_load(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    char name[1024];
    if (fr_config_server_ll("appendonly", 0)) return FR_OK; /* the AOF is loaded instead */
    uint64_t start = fr_ustime();
    int found;
    rdb_load_stats st;
    rdb_g.deliver_aux = 1;
    int rc = rdb_load_file(rdb_filename(name, sizeof(name)), &found, &st);
    rdb_g.deliver_aux = 0;
    if (rc != FR_OK) return FR_ERR;
    if (found) {
        fr_log(FR_LOG_NOTICE, "Done loading RDB, keys loaded: %lld, keys expired: %lld.",
               st.loaded, st.expired);
        fr_log(FR_LOG_NOTICE, "DB loaded from disk: %.3f seconds",
               (double)(fr_ustime() - start) / 1e6);
        if (st.with_ttl && !fr_expire_available())
            fr_log(FR_LOG_WARNING, "%lld loaded keys have a TTL but no module provides "
                   "expiry (ttl): they expire only when accessed", st.with_ttl);
        rdb_g.keys_loaded = st.loaded;
        rdb_g.keys_expired = st.expired;
    }
    rdb_status_publish();
    return FR_OK;
}

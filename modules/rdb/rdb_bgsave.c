/* rdb_bgsave.c -- when snapshots are taken: BGSAVE children, save points,
 * synchronous saves, the shutdown save and the start-up load.
 *
 * Owns the life of the background save child: fork (fr_fork), the child's
 * work (write the snapshot, measure its copy-on-write, report it through a
 * pipe, _exit), reaping from the cron hook (waitpid WNOHANG), and the
 * bookkeeping Redis keeps around it (dirty counter at fork, last status,
 * timings, retry delay after a failure).
 *
 * Invariants: rdb_g.child_pid != 0 exactly while a child has not been
 * reaped, and fr_fork_done() is called once per reaped child; the child
 * never returns into the server (it leaves through _exit); a child killed
 * by SIGUSR1 (shutdown) is not counted as a failure, as in Redis. */
#include "rdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RDB_REPORT_MAGIC 0x52444243u /* "RDBC" */

/* What the child tells the parent before it exits.  The pipe, not waitpid,
 * is the reliable channel: the event loop (libev's default loop) reaps
 * every child on SIGCHLD, so the exit status may be gone by the time cron
 * asks for it. */
typedef struct child_report {
    uint32_t magic;
    int32_t ok;
    uint64_t cow_bytes;
    long long keys;
} child_report;

int rdb_savepoints(rdb_savepoint *out, int max) {
    /* The core keeps "save" as text of at most 1023 bytes: <= 256 points. */
    char buf[1024];
    fr_config_server_str("save", buf, sizeof(buf));
    int n = rdb_parse_savepoints(buf, out, max);
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

static void child_signals(void) {
    sigset_t all;
    sigemptyset(&all);
    sigaddset(&all, SIGTERM);
    sigaddset(&all, SIGINT);
    sigaddset(&all, SIGUSR1);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
}

static void child_main(int report_fd) {
    child_signals();
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
    if (rdb_g.child_pid) return FR_ERR;
    int fds[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) != 0) fds[0] = fds[1] = -1;
    rdb_g.saves++;
    rdb_g.dirty_at_fork = fr_dirty_count();
    rdb_g.last_bgsave_try = time(NULL);
    int pid = fr_fork();
    if (pid == 0) {
        if (fds[0] >= 0) close(fds[0]);
        child_main(fds[1]);
    }
    if (fds[1] >= 0) close(fds[1]);
    if (pid < 0) {
        int saved = errno;
        if (fds[0] >= 0) close(fds[0]);
        rdb_g.last_bgsave_ok = 0;
        fr_log(FR_LOG_WARNING, "Can't save in background: fork: %s", strerror(saved));
        rdb_status_publish();
        return FR_ERR;
    }
    if (fds[0] >= 0) fcntl(fds[0], F_SETFL, O_NONBLOCK);
    rdb_g.child_pid = pid;
    rdb_g.child_info_fd = fds[0];
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

static void bgsave_done(int status, const child_report *rep) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        fr_log(FR_LOG_NOTICE, "Background saving terminated with success");
        fr_dirty_forget(rdb_g.dirty_at_fork);
        rdb_g.lastsave = time(NULL);
        rdb_g.last_bgsave_ok = 1;
        if (rep) rdb_g.cow_bytes = (long long)rep->cow_bytes;
    } else if (WIFEXITED(status)) {
        fr_log(FR_LOG_WARNING, "Background saving error");
        rdb_g.last_bgsave_ok = 0;
    } else {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        fr_log(FR_LOG_WARNING, "Background saving terminated by signal %d", sig);
        remove_temp(rdb_g.child_pid);
        if (sig != SIGUSR1) rdb_g.last_bgsave_ok = 0;
    }
    rdb_g.last_bgsave_secs = (long long)(time(NULL) - rdb_g.child_start);
    child_gone();
    rdb_status_publish();
}

void rdb_bgsave_poll(void) {
    if (!rdb_g.child_pid) return;
    child_report rep;
    int status = 0;
    pid_t r = waitpid(rdb_g.child_pid, &status, WNOHANG);
    if (r == 0) return;
    int got = read_report(&rep);
    if (r < 0) {
        /* Reaped by the event loop: the report is the outcome. */
        if (got == 0) return;
        if (got < 0 && rdb_g.child_killed) status = SIGUSR1; /* as a wait status */
        else status = (got == 1 && rep.ok ? 0 : 1) << 8;
        if (got < 0 && !rdb_g.child_killed)
            fr_log(FR_LOG_WARNING, "The background saving child %d exited without "
                   "reporting its result", rdb_g.child_pid);
    }
    bgsave_done(status, got == 1 ? &rep : NULL);
}

void rdb_bgsave_kill(void) {
    if (!rdb_g.child_pid) return;
    fr_log(FR_LOG_WARNING, "There is a child saving an .rdb. Killing it!");
    int pid = rdb_g.child_pid, status;
    kill(pid, SIGUSR1);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    remove_temp(pid);
    child_gone();
    rdb_status_publish();
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

int rdb_cron(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    time_t now = time(NULL);
    if (rdb_g.child_pid) rdb_bgsave_poll();
    else check_savepoints(now);
    if (!rdb_g.child_pid && rdb_g.bgsave_scheduled && retry_allowed(now) &&
        rdb_bgsave_start() == FR_OK)
        rdb_g.bgsave_scheduled = 0;
    rdb_status_publish();
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
    if (rdb_save_now() == FR_OK) return FR_OK;
    if (ev->why & FR_SHUTDOWN_FORCE) {
        fr_log(FR_LOG_WARNING, "Error trying to save the DB. Exit anyway.");
        return FR_OK;
    }
    fr_log(FR_LOG_WARNING, "Error trying to save the DB, can't exit.");
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

int rdb_on_startup(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    char name[1024];
    uint64_t start = fr_ustime();
    int found;
    rdb_load_stats st;
    if (rdb_load_file(rdb_filename(name, sizeof(name)), &found, &st) != FR_OK) return FR_ERR;
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

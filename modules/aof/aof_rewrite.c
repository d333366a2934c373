/* aof_rewrite.c -- BGREWRITEAOF and turning appendonly on and off.
 *
 * A rewrite, as Redis 7.0 does it: the parent first switches appending to
 * a new incremental file (recorded in the manifest before the fork), then
 * a forked child writes the dataset as the new base; when the child
 * succeeds the base is renamed into the directory and one new manifest
 * makes it current and turns the older files into history, which is then
 * deleted.  Turning appendonly on at run time is a rewrite whose commands
 * go meanwhile to a temp incremental file, renamed when the base is done.
 *
 * The base is written by the snapshot provider (the rdb module), so it is
 * always an RDB (.base.rdb), as with Redis's default aof-use-rdb-preamble
 * yes.  Invariants: aof_g.child_pid != 0 exactly while our child is not
 * reaped (and then fr_fork_done is called once); a failed rewrite leaves
 * the manifest, and every file it names, as they were. */
#include "aof_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define AOF_REPORT_MAGIC 0x414f4652u /* "AOFR" */

typedef struct child_report {
    uint32_t magic;
    int32_t ok;
} child_report;

static void temp_base_path(char *buf, size_t len, long pid, int bg) {
    char name[64];
    snprintf(name, sizeof(name), bg ? "temp-rewriteaof-bg-%ld.aof" : "temp-rewriteaof-%ld.aof", pid);
    aof_path(buf, len, name);
}

/* The dataset into `path`, fsynced.  FR_OK, or FR_ERR logged. */
static int write_snapshot(const char *path) {
    const fr_snapshot_ops *ops = fr_snapshot_provider();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fr_log(FR_LOG_WARNING, "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s",
               strerror(errno));
        return FR_ERR;
    }
    char why[800] = "no module provides the RDB format (rdb)";
    int rc = ops ? ops->save_fd(fd, FR_SNAPSHOT_AOF_BASE, why, sizeof(why)) : FR_ERR;
    if (rc == FR_OK && fsync(fd) != 0) snprintf(why, sizeof(why), "fsync: %s", strerror(errno)), rc = FR_ERR;
    if (close(fd) != 0 && rc == FR_OK) snprintf(why, sizeof(why), "close: %s", strerror(errno)), rc = FR_ERR;
    if (rc != FR_OK) {
        fr_log(FR_LOG_WARNING, "Write error writing append only file on disk: %s", why);
        unlink(path);
    }
    return rc;
}

int aof_write_base_now(const char *name) {
    char tmp[1100], path[1100];
    temp_base_path(tmp, sizeof(tmp), (long)getpid(), 0);
    aof_path(path, sizeof(path), name);
    if (write_snapshot(tmp) != FR_OK) return FR_ERR;
    if (rename(tmp, path) == -1) {
        fr_log(FR_LOG_WARNING, "Error moving temp append only file on the final destination: %s",
               strerror(errno));
        unlink(tmp);
        return FR_ERR;
    }
    return FR_OK;
}

/* ---- The child ----------------------------------------------------------- */

static void child_main(int report_fd) {
    fr_proctitle_set("redis-aof-rewrite");
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    char tmp[1100];
    temp_base_path(tmp, sizeof(tmp), (long)getpid(), 1);
    child_report rep = {AOF_REPORT_MAGIC, write_snapshot(tmp) == FR_OK};
    if (report_fd >= 0 && write(report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep)) {
        /* the exit status still tells */
    }
    _exit(rep.ok ? 0 : 1);
}

/* ---- Switching the incremental file ------------------------------------- */

/* Appending moves to a new incremental file before the fork, so that what
 * the child's snapshot lacks is exactly that file's content. */
static int open_new_incr(void) {
    char name[600], path[1100];
    aof_manifest *next = NULL;
    if (aof_g.state == AOF_OFF) return FR_OK;
    if (aof_g.state == AOF_WAIT_REWRITE) {
        aof_temp_incr_name(name, sizeof(name));
    } else {
        next = aof_manifest_dup(aof_g.manifest);
        snprintf(name, sizeof(name), "%s", aof_manifest_new_incr(next));
    }
    aof_path(path, sizeof(path), name);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fr_log(FR_LOG_WARNING, "Can't open the append-only file %s: %s", name, strerror(errno));
    if (fd < 0 || (next && aof_manifest_persist(next) != FR_OK)) {
        if (fd >= 0) close(fd);
        aof_manifest_free(next);
        return FR_ERR;
    }
    fr_log(FR_LOG_NOTICE, "Creating AOF incr file %s on background rewrite", name);
    aof_switch_fd(fd, 0);
    if (next) {
        aof_manifest_free(aof_g.manifest);
        aof_g.manifest = next;
    }
    return FR_OK;
}

int aof_rewrite_start(void) {
    if (aof_g.child_pid || fr_fork_active()) return FR_ERR;
    if (mkdir(aof_conf_appenddirname(), 0755) != 0 && errno != EEXIST) {
        fr_log(FR_LOG_WARNING, "Can't open or create append-only dir %s: %s", aof_conf_appenddirname(),
               strerror(errno));
        aof_g.last_rewrite_ok = 0;
        return FR_ERR;
    }
    aof_flush(1);
    if (open_new_incr() != FR_OK) {
        aof_g.last_rewrite_ok = 0;
        return FR_ERR;
    }
    int report_fd;
    int pid = fr_fork_reporting(&report_fd);
    if (pid == 0) child_main(report_fd);
    if (pid < 0) {
        aof_g.last_rewrite_ok = 0;
        fr_log(FR_LOG_WARNING, "Can't rewrite append only file in background: fork: %s", strerror(errno));
        return FR_ERR;
    }
    aof_g.child_pid = pid;
    aof_g.child_report_fd = report_fd;
    aof_g.child_start = time(NULL);
    aof_g.scheduled = 0;
    aof_g.rewrites++;
    fr_log(FR_LOG_NOTICE, "Background append only file rewriting started by pid %ld", (long)pid);
    return FR_OK;
}

/* ---- The end of a rewrite ------------------------------------------------ */

static void child_gone(void) {
    if (aof_g.child_report_fd >= 0) close(aof_g.child_report_fd);
    aof_g.child_report_fd = -1;
    aof_g.child_pid = 0;
    fr_fork_done();
}

void aof_delete_history(void) {
    aof_manifest *am = aof_g.manifest;
    if (aof_conf_aof_disable_auto_gc() || !am->nhist) return;
    aof_manifest *next = aof_manifest_dup(am);
    for (int i = 0; i < next->nhist; i++) {
        char path[1100];
        aof_path(path, sizeof(path), next->hist[i].name);
        fr_log(FR_LOG_NOTICE, "Removing the history file %s in the background", next->hist[i].name);
        unlink(path);
        fr_free(next->hist[i].name);
    }
    fr_free(next->hist);
    next->hist = NULL;
    next->nhist = 0;
    if (aof_manifest_persist(next) == FR_OK) {
        aof_manifest_free(aof_g.manifest);
        aof_g.manifest = next;
    } else {
        aof_manifest_free(next);
    }
}

/* The new base and (when turning on) the temp incremental file take their
 * names, and one persisted manifest makes them current. */
static int install(long pid) {
    char tmp[1100], path[1100];
    aof_manifest *next = aof_manifest_dup(aof_g.manifest);
    const char *base = aof_manifest_new_base(next, 1);
    temp_base_path(tmp, sizeof(tmp), pid, 1);
    aof_path(path, sizeof(path), base);
    if (rename(tmp, path) == -1) {
        fr_log(FR_LOG_WARNING, "Error trying to rename the temporary AOF file %s into %s: %s", tmp, base,
               strerror(errno));
        aof_manifest_free(next);
        return FR_ERR;
    }
    if (aof_g.state == AOF_WAIT_REWRITE) {
        char tname[600], tpath[1100], ipath[1100];
        aof_temp_incr_name(tname, sizeof(tname));
        aof_path(tpath, sizeof(tpath), tname);
        aof_path(ipath, sizeof(ipath), aof_manifest_new_incr(next));
        if (rename(tpath, ipath) == -1) {
            fr_log(FR_LOG_WARNING, "Error trying to rename the temporary AOF incr file %s into %s: %s", tname,
                   ipath, strerror(errno));
            unlink(path);
            aof_manifest_free(next);
            return FR_ERR;
        }
    }
    aof_manifest_incr_to_history(next, aof_g.fd >= 0);
    if (aof_manifest_persist(next) != FR_OK) {
        unlink(path);
        aof_manifest_free(next);
        return FR_ERR;
    }
    aof_manifest_free(aof_g.manifest);
    aof_g.manifest = next;
    aof_g.base_size = aof_file_size(base);
    aof_g.current_size = aof_g.base_size + aof_g.incr_size;
    aof_g.rewrite_base_size = aof_g.current_size;
    if (aof_g.state == AOF_WAIT_REWRITE) aof_g.state = AOF_ON;
    return FR_OK;
}

static void rewrite_done(int ok, int bysignal) {
    long pid = aof_g.child_pid;
    if (ok) {
        fr_log(FR_LOG_NOTICE, "Background AOF rewrite terminated with success");
        ok = install(pid) == FR_OK;
    } else if (bysignal) {
        fr_log(FR_LOG_WARNING, "Background AOF rewrite terminated by signal %d", bysignal);
    } else {
        fr_log(FR_LOG_WARNING, "Background AOF rewrite terminated with error");
    }
    if (ok) {
        aof_delete_history();
        fr_log(FR_LOG_NOTICE, "Background AOF rewrite finished successfully");
        aof_g.consecutive_failures = 0;
    } else {
        char tmp[1100];
        temp_base_path(tmp, sizeof(tmp), pid, 1);
        unlink(tmp);
        if (bysignal != SIGUSR1) aof_g.consecutive_failures++;
        /* turning on must not give up after one failed attempt */
        if (aof_g.state == AOF_WAIT_REWRITE) aof_g.scheduled = 1;
    }
    if (bysignal != SIGUSR1) aof_g.last_rewrite_ok = ok;
    aof_g.last_rewrite_secs = (long long)(time(NULL) - aof_g.child_start);
    child_gone();
}

void aof_rewrite_poll(void) {
    if (!aof_g.child_pid) return;
    int status = 0;
    pid_t r = waitpid(aof_g.child_pid, &status, WNOHANG);
    if (r == 0) return;
    child_report rep = {0};
    ssize_t n = aof_g.child_report_fd >= 0 ? read(aof_g.child_report_fd, &rep, sizeof(rep)) : -1;
    int got = n == (ssize_t)sizeof(rep) && rep.magic == AOF_REPORT_MAGIC;
    if (r < 0 && !got && n < 0 && errno == EAGAIN) return; /* reaped, pipe still open */
    if (r > 0) rewrite_done(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                            WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    else rewrite_done(got && rep.ok, got ? 0 : SIGKILL); /* the event loop reaped it */
}

void aof_rewrite_kill(void) {
    if (!aof_g.child_pid) return;
    fr_log(FR_LOG_NOTICE, "Killing running AOF rewrite child: %ld", (long)aof_g.child_pid);
    int status;
    long pid = aof_g.child_pid;
    kill(aof_g.child_pid, SIGUSR1);
    while (waitpid(aof_g.child_pid, &status, 0) < 0 && errno == EINTR) {
    }
    char tmp[1100];
    temp_base_path(tmp, sizeof(tmp), pid, 1);
    unlink(tmp);
    child_gone();
}

/* ---- appendonly at run time ---------------------------------------------- */

static void start_appending(void) {
    aof_g.state = AOF_WAIT_REWRITE;
    if (fr_fork_active() && !aof_g.child_pid) {
        aof_g.scheduled = 1;
        fr_log(FR_LOG_WARNING, "AOF was enabled but there is already another background operation. An AOF "
               "background was scheduled to start when possible.");
        return;
    }
    if (aof_g.child_pid) {
        fr_log(FR_LOG_WARNING, "AOF was enabled but there is already an AOF rewriting in background. Stopping "
               "background AOF and starting a rewrite now.");
        aof_rewrite_kill();
    }
    if (aof_rewrite_start() != FR_OK) {
        aof_g.state = AOF_OFF;
        fr_log(FR_LOG_WARNING, "Redis needs to enable the AOF but can't trigger a background AOF rewrite "
               "operation. Check the above logs for more info about the error.");
    }
}

static void stop_appending(void) {
    aof_close_fd();
    aof_g.state = AOF_OFF;
    aof_g.scheduled = 0;
    aof_rewrite_kill();
}

void aof_follow_config(void) {
    int want = aof_conf_appendonly() != 0;
    if (want && aof_g.state == AOF_OFF && !aof_g.sync_stopped) start_appending();
    else if (!want && aof_g.state != AOF_OFF) stop_appending();
}

/* Redis's stopAppendOnly before a replica loads its master's snapshot,
 * and restartAOFAfterSYNC after: the files would otherwise keep the old
 * dataset, and a restart would load it with the new stream on top.  A
 * failed load leaves the AOF stopped (the old files stay as they were)
 * until a sync succeeds or the replica is promoted (both say DONE). */
void aof_sync_load(int phase) {
    if (phase == FR_SYNC_LOAD_START) {
        if (aof_g.state == AOF_OFF) return;
        stop_appending();
        aof_g.sync_stopped = 1;
    } else if (phase == FR_SYNC_LOAD_DONE && aof_g.sync_stopped) {
        aof_g.sync_stopped = 0;
        if (aof_conf_appendonly() && aof_g.state == AOF_OFF) start_appending();
    }
}

/* ---- Cron ----------------------------------------------------------------- */

/* After three failures in a row, automatic rewrites wait 1, 2, 4 ... 60
 * minutes, as Redis's aofRewriteLimited. */
static int rewrite_limited(void) {
    static int delay_min;
    static time_t next_at;
    if (aof_g.consecutive_failures < 3) {
        delay_min = 0;
        next_at = 0;
        return 0;
    }
    time_t now = time(NULL);
    if (next_at) {
        if (now < next_at) return 1;
        next_at = 0;
        return 0;
    }
    delay_min = delay_min ? (delay_min * 2 > 60 ? 60 : delay_min * 2) : 1;
    next_at = now + delay_min * 60;
    fr_log(FR_LOG_WARNING, "Background AOF rewrite has repeatedly failed and triggered the limit, will retry "
           "in %d minutes", delay_min);
    return 1;
}

static int growth_due(void) {
    long long perc = aof_conf_auto_aof_rewrite_percentage();
    if (aof_g.state != AOF_ON || !perc || aof_g.current_size <= aof_conf_auto_aof_rewrite_min_size()) return 0;
    long long base = aof_g.rewrite_base_size ? aof_g.rewrite_base_size : 1;
    long long growth = aof_g.current_size * 100 / base - 100;
    if (growth < perc || rewrite_limited()) return 0;
    fr_log(FR_LOG_NOTICE, "Starting automatic rewriting of AOF on %lld%% growth", growth);
    return 1;
}

void aof_rewrite_cron(void) {
    aof_rewrite_poll();
    aof_follow_config();
    if (aof_g.child_pid || fr_fork_active()) return;
    if ((aof_g.scheduled && !rewrite_limited()) || growth_due()) aof_rewrite_start();
}

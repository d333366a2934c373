/* repl_sync.c -- full resynchronization, disk-style as Redis's
 * repl-diskless-sync no: a forked child writes the snapshot to a file in
 * the working directory (dir), the parent then sends each waiting replica
 * "$<len>\r\n" and the file, followed by the stream it held meanwhile.
 *
 * A replica asking while our child runs shares its snapshot when another
 * replica already waits for it (it copies that one's held stream and
 * offset); otherwise it waits for the next snapshot, started once no fork
 * runs (ours, BGSAVE's, a rewrite's).  Invariants: at most one child; a
 * replica is in WAIT_BGSAVE_END only while the child runs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "repl_internal.h"

#define REPL_REPORT_MAGIC 0x5245504cu /* "REPL" */

typedef struct child_report {
    uint32_t magic;
    int32_t ok;
} child_report;

static void snapshot_path(char *buf, size_t len, long pid)
{
    snprintf(buf, len, "temp-repl-%ld.rdb", pid);
}

static void child_main(int report_fd)
{
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    char path[64], why[800] = "no module provides the RDB format (rdb)";
    snapshot_path(path, sizeof(path), (long)getpid());
    const fr_snapshot_ops *ops = fr_snapshot_provider();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd >= 0 && ops ? ops->save_fd(fd, 0, why, sizeof(why)) : FR_ERR;
    if (fd < 0) snprintf(why, sizeof(why), "open %s: %s", path, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == FR_OK) rc = FR_ERR;
    if (rc != FR_OK) {
        fr_log(FR_LOG_WARNING, "Write error saving DB for replication: %s", why);
        unlink(path);
    }
    child_report rep = {REPL_REPORT_MAGIC, rc == FR_OK};
    if (report_fd >= 0 && write(report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep)) {
        /* the exit status still tells */
    }
    _exit(rc == FR_OK ? 0 : 1);
}

/* Redis's replicationSetupSlaveForFullResync: the replica's snapshot stands
 * for `offset`; the next command re-selects its DB. */
static void setup_full_resync(repl_replica *r, long long offset)
{
    r->initial_offset = offset;
    r->state = REPL_WAIT_BGSAVE_END;
    repl_g.seldb = -1;
    if (r->pre_psync) return;
    char line[128];
    int n = snprintf(line, sizeof(line), "+FULLRESYNC %s %lld\r\n", repl_g.replid, offset);
    fr_client_write_raw(r->c, line, (size_t)n);
}

static void start_snapshot(void)
{
    int report_fd;
    int pid = fr_fork_reporting(&report_fd);
    if (pid == 0) child_main(report_fd);
    if (pid < 0) {
        fr_log(FR_LOG_WARNING, "Can't save in background: fork: %s", strerror(errno));
        for (repl_replica *r = repl_g.replicas; r; r = r->next)
            if (r->state == REPL_WAIT_BGSAVE_START) fr_client_close(r->c);
        return;
    }
    repl_g.child_pid = pid;
    repl_g.child_report_fd = report_fd;
    fr_log(FR_LOG_NOTICE, "Starting BGSAVE for SYNC with target: disk");
    fr_log(FR_LOG_NOTICE, "Background saving started by pid %ld", (long)pid);
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (r->state == REPL_WAIT_BGSAVE_START) setup_full_resync(r, repl_g.master_repl_offset);
}

void repl_full_sync_request(repl_replica *r)
{
    if (repl_g.child_pid) {
        for (repl_replica *o = repl_g.replicas; o; o = o->next) {
            if (o == r || o->state != REPL_WAIT_BGSAVE_END) continue;
            if (o->held) r->held = fr_str_dup(o->held);
            setup_full_resync(r, o->initial_offset);
            fr_log(FR_LOG_NOTICE, "Waiting for end of BGSAVE for SYNC");
            return;
        }
        fr_log(FR_LOG_NOTICE, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
        return;
    }
    if (fr_fork_active()) {
        fr_log(FR_LOG_NOTICE, "No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
        return;
    }
    start_snapshot();
}

/* The whole file, or NULL. */
static fr_str *read_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    fr_str *s = NULL;
    if (fstat(fd, &st) == 0) {
        s = fr_str_set_len(fr_str_new_empty((size_t)st.st_size), (size_t)st.st_size);
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t n = read(fd, s->buf + got, (size_t)st.st_size - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got != (size_t)st.st_size) {
            fr_str_free(s);
            s = NULL;
        }
    }
    close(fd);
    return s;
}

static void send_snapshot(const fr_str *rdb)
{
    char hdr[32];
    int n = snprintf(hdr, sizeof(hdr), "$%zu\r\n", rdb->len);
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_WAIT_BGSAVE_END) continue;
        fr_client_write_raw(r->c, hdr, (size_t)n);
        fr_client_write_raw(r->c, rdb->buf, rdb->len);
        repl_replica_online(r);
    }
}

static void snapshot_done(int ok, long pid)
{
    char path[64];
    snapshot_path(path, sizeof(path), pid);
    fr_str *rdb = ok ? read_file(path) : NULL;
    unlink(path);
    if (repl_g.child_report_fd >= 0) close(repl_g.child_report_fd);
    repl_g.child_report_fd = -1;
    repl_g.child_pid = 0;
    fr_fork_done();
    if (rdb) {
        fr_log(FR_LOG_NOTICE, "Background saving terminated with success");
        send_snapshot(rdb);
        fr_str_free(rdb);
    } else {
        fr_log(FR_LOG_WARNING, "Background saving error");
        for (repl_replica *r = repl_g.replicas; r; r = r->next) {
            if (r->state != REPL_WAIT_BGSAVE_END) continue;
            fr_log(FR_LOG_WARNING, "SYNC failed. BGSAVE child returned an error");
            fr_client_close(r->c);
        }
    }
}

/* From cron: reap our child; start a snapshot for replicas still waiting
 * for one once no fork runs. */
void repl_sync_poll(void)
{
    if (repl_g.child_pid) {
        int status = 0;
        pid_t r = waitpid(repl_g.child_pid, &status, WNOHANG);
        if (r == 0) return;
        child_report rep = {0, 0};
        ssize_t n = repl_g.child_report_fd >= 0 ? read(repl_g.child_report_fd, &rep, sizeof(rep)) : -1;
        int got = n == (ssize_t)sizeof(rep) && rep.magic == REPL_REPORT_MAGIC;
        if (r < 0 && !got && n < 0 && errno == EAGAIN) return; /* reaped, pipe still open */
        int ok = r > 0 ? WIFEXITED(status) && WEXITSTATUS(status) == 0 : got && rep.ok;
        snapshot_done(ok, (long)repl_g.child_pid);
    }
    if (repl_g.child_pid || fr_fork_active()) return;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state == REPL_WAIT_BGSAVE_START) {
            start_snapshot();
            return;
        }
    }
}

void repl_sync_kill(void)
{
    if (!repl_g.child_pid) return;
    long pid = repl_g.child_pid;
    kill(repl_g.child_pid, SIGUSR1);
    int status;
    while (waitpid(repl_g.child_pid, &status, 0) < 0 && errno == EINTR) {
    }
    char path[64];
    snapshot_path(path, sizeof(path), pid);
    unlink(path);
    if (repl_g.child_report_fd >= 0) close(repl_g.child_report_fd);
    repl_g.child_report_fd = -1;
    repl_g.child_pid = 0;
    fr_fork_done();
}

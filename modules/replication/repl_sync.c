/* repl_sync.c -- full resynchronization: when a snapshot starts, which
 * replicas share it, and the forked child that makes it.
 *
 * As Redis's startBgsaveForReplication: the snapshot streams to the
 * replicas' sockets (repl_diskless.c, "$EOF:<mark>" framing) when
 * repl-diskless-sync is on, or a replica asked for a filtered snapshot,
 * and every replica it serves announced `capa eof`; otherwise the child
 * writes a file in the working directory (dir), and the parent sends each
 * waiting replica "$<len>\r\n" and the file, followed by the stream it
 * held meanwhile.  A diskless snapshot waits repl-diskless-sync-delay
 * seconds from the replica's request (or until
 * repl-diskless-sync-max-replicas wait) so that more replicas share it;
 * it serves the waiting replicas with the first one's filter.
 *
 * A replica asking while a disk snapshot is made shares it when another
 * replica already waits for it (same filter, at least its capabilities:
 * it copies that one's held stream and offset); a streamed snapshot
 * cannot be joined.  Otherwise it waits for the next snapshot, started
 * once no fork runs (ours, BGSAVE's, a rewrite's).  Invariants: at most
 * one child; a replica is in WAIT_BGSAVE_END only while the child runs
 * (or its pipe is still relayed). */
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

static int child_diskless; /* the running child streams to sockets */
static int child_over_read, child_ok; /* its report or exit, once seen */

static void snapshot_path(char *buf, size_t len, long pid)
{
    snprintf(buf, len, "temp-repl-%ld.rdb", pid);
}

/* The child: the snapshot into a file named for its pid, or streamed
 * into stream_fd; then its report. */
static void child_main(int report_fd, int stream_fd, int req)
{
    fr_proctitle_set(stream_fd >= 0 ? "redis-rdb-to-slaves" : "redis-rdb-bgsave");
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    char path[64], why[800] = "no module provides the RDB format (rdb)";
    int rc;
    if (stream_fd >= 0) {
        rc = repl_diskless_write(stream_fd, req, why, sizeof(why));
    } else {
        snapshot_path(path, sizeof(path), (long)getpid());
        const fr_snapshot_ops *ops = fr_snapshot_provider();
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        rc = fd >= 0 && ops ? ops->save_fd(fd, 0, why, sizeof(why)) : FR_ERR;
        if (fd < 0) snprintf(why, sizeof(why), "open %s: %s", path, strerror(errno));
        if (fd >= 0 && close(fd) != 0 && rc == FR_OK) rc = FR_ERR;
        if (rc != FR_OK) unlink(path);
    }
    if (rc != FR_OK) fr_log(FR_LOG_WARNING, "Write error saving DB for replication: %s", why);
    /* the report goes first: a streamed snapshot is whole once it is read */
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

/* A snapshot for the replicas waiting with filter `req` (all announced
 * EOF when mincapa has it). */
static void start_snapshot(int mincapa, int req)
{
    int socket = (replication_conf_repl_diskless_sync() || req) && (mincapa & REPL_CAPA_EOF);
    fr_log(FR_LOG_NOTICE, "Starting BGSAVE for SYNC with target: %s", socket ? "replicas sockets" : "disk");
    int report_fd, stream_fd = -1;
    int pid = socket ? repl_diskless_fork(&report_fd, &stream_fd) : fr_fork_reporting(&report_fd);
    if (pid == 0) child_main(report_fd, stream_fd, req);
    if (pid < 0) {
        fr_log(FR_LOG_WARNING, "Can't save in background: fork: %s", strerror(errno));
        fr_log(FR_LOG_WARNING, "BGSAVE for replication failed");
        for (repl_replica *r = repl_g.replicas; r; r = r->next)
            if (r->state == REPL_WAIT_BGSAVE_START) fr_client_close(r->c);
        return;
    }
    repl_g.child_pid = pid;
    repl_g.child_report_fd = report_fd;
    child_diskless = socket;
    fr_log(FR_LOG_NOTICE, socket ? "Background RDB transfer started by pid %ld" : "Background saving started by pid %ld",
           (long)pid);
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_WAIT_BGSAVE_START || r->req != req) continue;
        r->diskless = socket;
        setup_full_resync(r, repl_g.master_repl_offset);
    }
}

/* A replica that may share the disk snapshot being made for o. */
static int can_share(const repl_replica *r, const repl_replica *o)
{
    return o != r && o->state == REPL_WAIT_BGSAVE_END && (!o->rdb_only || r->rdb_only) &&
           (r->capa & o->capa) == o->capa && r->req == o->req;
}

void repl_full_sync_request(repl_replica *r)
{
    r->asked = time(NULL);
    if (repl_g.child_pid && child_diskless) {
        fr_log(FR_LOG_NOTICE, "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
        return;
    }
    if (repl_g.child_pid) {
        for (repl_replica *o = repl_g.replicas; o; o = o->next) {
            if (!can_share(r, o)) continue;
            if (o->held && !r->rdb_only) r->held = fr_str_dup(o->held);
            repl_report_held();
            setup_full_resync(r, o->initial_offset);
            fr_log(FR_LOG_NOTICE, "Waiting for end of BGSAVE for SYNC");
            return;
        }
        fr_log(FR_LOG_NOTICE, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
        return;
    }
    if (replication_conf_repl_diskless_sync() && (r->capa & REPL_CAPA_EOF) &&
        replication_conf_repl_diskless_sync_delay()) {
        fr_log(FR_LOG_NOTICE, "Delay next BGSAVE for diskless SYNC");
        return; /* repl_sync_poll starts it */
    }
    if (fr_fork_active()) {
        fr_log(FR_LOG_NOTICE, "No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
        return;
    }
    start_snapshot(r->capa, r->req);
}

/* Redis's shouldStartChildReplication: the replicas waiting with the first
 * one's filter, once the diskless delay (or count) says so. */
static void start_pending(void)
{
    int waiting = 0, mincapa = 0, req = 0;
    time_t max_idle = 0, now = time(NULL);
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_WAIT_BGSAVE_START) continue;
        if (!waiting) req = r->req, mincapa = r->capa;
        else if (r->req != req) continue;
        mincapa &= r->capa;
        if (now - r->asked > max_idle) max_idle = now - r->asked;
        waiting++;
    }
    long long max_replicas = replication_conf_repl_diskless_sync_max_replicas();
    if (waiting && (!replication_conf_repl_diskless_sync() || (max_replicas > 0 && waiting >= max_replicas) ||
                    max_idle >= replication_conf_repl_diskless_sync_delay()))
        start_snapshot(mincapa, req);
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

void repl_snapshot_sent(repl_replica *r)
{
    if (!r->rdb_only) {
        repl_replica_online(r);
        return;
    }
    fr_log(FR_LOG_NOTICE, "RDB transfer completed, rdb only replica (%s) should be disconnected asap",
           fr_client_addr(r->c));
    r->state = REPL_RDB_SENT;
    fr_client_close_after_output(r->c);
}

static void send_file(const fr_str *rdb)
{
    char hdr[32];
    int n = snprintf(hdr, sizeof(hdr), "$%zu\r\n", rdb->len);
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_WAIT_BGSAVE_END) continue;
        fr_client_write_raw(r->c, hdr, (size_t)n);
        fr_client_write_raw(r->c, rdb->buf, rdb->len);
        repl_snapshot_sent(r);
    }
}

/* After a streamed snapshot: the replicas have it all; they go online
 * when they acknowledge it (Redis's repl_start_cmd_stream_on_ack). */
static void streamed(void)
{
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_WAIT_BGSAVE_END || !r->diskless) continue; /* or dropped meanwhile */
        fr_log(FR_LOG_NOTICE, "Streamed RDB transfer with replica %s succeeded (socket). Waiting for REPLCONF ACK "
               "from slave to enable streaming", fr_client_addr(r->c));
        if (r->rdb_only) repl_snapshot_sent(r);
        else repl_replica_online_on_ack(r);
    }
}

static void child_gone(void)
{
    if (repl_g.child_report_fd >= 0) close(repl_g.child_report_fd);
    repl_g.child_report_fd = -1;
    repl_g.child_pid = 0;
    if (child_diskless) repl_diskless_close();
    child_diskless = child_over_read = 0;
    fr_fork_done();
}

static void snapshot_done(int ok, long pid)
{
    char path[64];
    snapshot_path(path, sizeof(path), pid);
    fr_str *rdb = ok && !child_diskless ? read_file(path) : NULL;
    int diskless = child_diskless;
    if (!diskless) unlink(path);
    child_gone();
    if (ok && (diskless || rdb)) {
        fr_log(FR_LOG_NOTICE, "Background %s terminated with success", diskless ? "RDB transfer" : "saving");
        if (diskless) streamed();
        else send_file(rdb);
        if (rdb) fr_str_free(rdb);
        return;
    }
    fr_log(FR_LOG_WARNING, "Background %s error", diskless ? "transfer" : "saving");
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_WAIT_BGSAVE_END) continue;
        fr_log(FR_LOG_WARNING, "SYNC failed. BGSAVE child returned an error");
        fr_client_close(r->c);
    }
}

/* 1 once the child is over, *ok when its snapshot is whole: its report
 * (written last, so a streamed snapshot is all in the pipe by then), or
 * its exit status when it died without one. */
static int child_over(int *ok)
{
    child_report rep = {0, 0};
    ssize_t n = repl_g.child_report_fd >= 0 ? read(repl_g.child_report_fd, &rep, sizeof(rep)) : -1;
    int again = repl_g.child_report_fd >= 0 && n < 0 && errno == EAGAIN;
    int status = 0;
    pid_t r = waitpid(repl_g.child_pid, &status, WNOHANG); /* else libev reaps it */
    if (n == (ssize_t)sizeof(rep) && rep.magic == REPL_REPORT_MAGIC) {
        *ok = rep.ok;
        return 1;
    }
    if (r == 0 || (r < 0 && again)) return 0; /* running, or reaped with the pipe still open */
    *ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return 1;
}

/* From cron and when the pipe ends: the child's end (a streamed snapshot
 * also waits for the pipe to be relayed to its end); a snapshot for
 * replicas still waiting for one, once no fork runs. */
void repl_sync_poll(void)
{
    if (repl_g.child_pid) {
        if (child_diskless) repl_diskless_cron();
        if (!child_over_read) child_over_read = child_over(&child_ok);
        if (!child_over_read || (child_ok && child_diskless && !repl_diskless_drained())) return;
        snapshot_done(child_ok, (long)repl_g.child_pid);
    }
    if (repl_g.child_pid || fr_fork_active()) return;
    start_pending();
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
    child_gone();
}

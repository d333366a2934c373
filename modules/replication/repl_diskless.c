/* repl_diskless.c -- the diskless transfer (Redis's rdbSaveToSlavesSockets
 * with repl-diskless-sync yes): the forked child writes "$EOF:<40 random
 * hex digits>\r\n", the snapshot and the same 40 digits into a pipe; the
 * parent reads the pipe and queues each part on every replica the snapshot
 * serves (marked diskless, in WAIT_BGSAVE_END), so each receives what the
 * child wrote, byte for byte, right after its +FULLRESYNC.
 *
 * A replica with more than RELAY_QUEUE_MAX bytes queued stops the reading
 * (the child then blocks on the full pipe) until its queue is shorter
 * again, checked before the loop sleeps: a slow replica does not make us
 * hold the whole snapshot, as Redis stops reading its pipe while a replica
 * cannot take more.  The limit is above what a socket absorbs at once, so
 * a write event, not the cron, brings the next check.  A replica that
 * keeps it paused for repl-timeout seconds is dropped; with no replica
 * left the child is killed.
 *
 * Invariants: one pipe at a time, open from the fork until
 * repl_diskless_close (repl_sync.c calls it when the child is over);
 * `watch` is set exactly while the pipe is open, not at its end and not
 * paused. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repl_internal.h"

#define EOF_MARK_LEN 40
#define RELAY_QUEUE_MAX (8 * 1024 * 1024)
#define PIPE_SIZE (1024 * 1024)

static int pipe_fd = -1;
static fr_fd_watch *watch;
static int drained; /* the child's end of the pipe is closed and all was read */
static time_t paused_since; /* a replica had no room: when, 0 if reading */

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return FR_ERR;
        p += w;
        n -= (size_t)w;
    }
    return FR_OK;
}

int repl_diskless_write(int fd, int flags, char *why, size_t whylen)
{
    char mark[EOF_MARK_LEN + 1], head[5 + EOF_MARK_LEN + 2 + 1];
    repl_random_hex(mark, EOF_MARK_LEN);
    snprintf(head, sizeof(head), "$EOF:%s\r\n", mark);
    const fr_snapshot_ops *ops = fr_snapshot_provider();
    snprintf(why, whylen, "%s", ops ? strerror(EPIPE) : "no module provides the RDB format (rdb)");
    if (!ops || write_all(fd, head, strlen(head)) != FR_OK) return FR_ERR;
    if (ops->save_fd(fd, flags, why, whylen) != FR_OK) return FR_ERR;
    return write_all(fd, mark, EOF_MARK_LEN);
}

static int is_target(const repl_replica *r)
{
    return r->diskless && r->state == REPL_WAIT_BGSAVE_END;
}

/* 1 when every replica served has room for more. */
static int replicas_have_room(void)
{
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (is_target(r) && fr_client_output_pending(r->c) > RELAY_QUEUE_MAX) return 0;
    return 1;
}

static int targets(void)
{
    int n = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) n += is_target(r);
    return n;
}

/* Queues p on every replica served; how many there are. */
static int relay(const char *p, size_t n)
{
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (is_target(r)) fr_client_write_raw(r->c, p, n);
    return targets();
}

static void stop_watch(void)
{
    fr_fd_watch_free(watch);
    watch = NULL;
}

static void drop_targets(void)
{
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (is_target(r)) fr_client_close(r->c);
}

static void on_pipe(int fd, int events, void *priv)
{
    (void)events;
    (void)priv;
    char buf[64 * 1024];
    while (replicas_have_room()) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) {
            fr_log(FR_LOG_WARNING, "Diskless rdb transfer, read error sending DB to replicas: %s", strerror(errno));
            drop_targets();
            repl_sync_kill();
            return;
        }
        if (n == 0) {
            drained = 1;
            stop_watch();
            fr_log(FR_LOG_WARNING, "Diskless rdb transfer, done reading from pipe, %d replicas still up.", targets());
            repl_sync_poll(); /* the child has reported by now: the replicas go on */
            return;
        }
        if (!relay(buf, (size_t)n)) {
            fr_log(FR_LOG_WARNING, "Diskless rdb transfer, last replica dropped, killing fork child.");
            repl_sync_kill();
            return;
        }
    }
    stop_watch(); /* paused until repl_diskless_resume sees room */
    paused_since = time(NULL);
}

int repl_diskless_fork(int *report_fd, int *stream_fd)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int pid = fr_fork_reporting(report_fd);
    if (pid == 0) {
        close(fds[0]);
        *stream_fd = fds[1];
        return 0;
    }
    int saved = errno;
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        errno = saved;
        return -1;
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    (void)fcntl(fds[0], F_SETPIPE_SZ, PIPE_SIZE); /* fewer wake-ups; the default works too */
    pipe_fd = fds[0];
    drained = 0;
    watch = fr_fd_watch_new(pipe_fd, FR_FD_READ, on_pipe, NULL);
    return pid;
}

int repl_diskless_drained(void)
{
    return drained || pipe_fd < 0;
}

void repl_diskless_resume(void)
{
    if (pipe_fd < 0 || drained || watch || !replicas_have_room()) return;
    paused_since = 0;
    watch = fr_fd_watch_new(pipe_fd, FR_FD_READ, on_pipe, NULL);
}

/* Redis's "timedout replica (full sync)": one that has kept the transfer
 * paused for repl-timeout seconds is dropped, the others go on. */
void repl_diskless_cron(void)
{
    if (!paused_since || time(NULL) - paused_since <= fr_config_server_ll("repl-timeout", 60)) return;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (!is_target(r) || fr_client_output_pending(r->c) <= RELAY_QUEUE_MAX) continue;
        fr_log(FR_LOG_WARNING, "Disconnecting timedout replica (full sync): %s", fr_client_addr(r->c));
        r->diskless = 0; /* no longer served while its client goes */
        fr_client_close(r->c);
    }
    paused_since = 0;
    repl_diskless_resume();
}

void repl_diskless_close(void)
{
    stop_watch();
    paused_since = 0;
    if (pipe_fd >= 0) close(pipe_fd);
    pipe_fd = -1;
    drained = 0;
}

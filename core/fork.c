/* fork.c -- forking for background jobs (BGSAVE and later AOF rewrites).
 *
 * The child must not touch the parent's sockets and should not rehash its
 * tables (every moved bucket is a copied page); the parent avoids resizing
 * while a child lives, for the same reason, and lookups do not update
 * access records (LRU/LFU) then, as in Redis.  The module that forked reaps
 * its child and calls fr_fork_done(). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "runtime.h"

int fr_fork(void)
{
    fr_client_flush_pending(); /* replies made so far go out once, from us */
    uint64_t start = fr_clock_wall_us();
    pid_t pid = fork();
    if (pid == 0) {
        fr_net_close_listeners_in_child();
        fr_dict_resize_enable(FR_DICT_RESIZE_FORBID);
        fr_oom_score_apply(1); /* the kernel's first pick under memory pressure */
        fr_hook_event ev = {.id = FR_HOOK_FORK_CHILD};
        fr_hooks_fire(&ev);
    } else if (pid > 0) {
        fr_dict_resize_enable(FR_DICT_RESIZE_AVOID);
        fr_keyspace.access_frozen = 1;
        fr_runtime.child_pid = pid;
        long long us = (long long)(fr_clock_wall_us() - start);
        fr_runtime.fork.latest_fork_usec = us;
        fr_runtime.fork.total_forks++;
        /* GB of the parent's memory "copied" per second, LATENCY DOCTOR's
         * measure of how good fork() is on this machine */
        fr_runtime.fork.rate_gb_per_s =
            (double)fr_used_memory() * 1000000 / (double)(us ? us : 1) / (1024.0 * 1024 * 1024);
        fr_latency_sample("fork", us / 1000); /* as Redis */
    }
    return (int)pid;
}

void fr_fork_done(void)
{
    fr_runtime.child_pid = 0;
    fr_keyspace.access_frozen = 0;
    fr_dict_resize_enable(FR_DICT_RESIZE_ENABLE);
}

FR_API int fr_fork_active(void)
{
    return (int)fr_runtime.child_pid;
}

FR_API int fr_fork_reporting(int *report_fd)
{
    int fds[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) != 0) fds[0] = fds[1] = -1;
    int pid = fr_fork();
    if (pid == 0) {
        if (fds[0] >= 0) close(fds[0]);
        *report_fd = fds[1];
        return 0;
    }
    int saved = errno;
    if (fds[1] >= 0) close(fds[1]);
    if (pid < 0) {
        if (fds[0] >= 0) close(fds[0]);
        *report_fd = -1;
        errno = saved;
        return pid;
    }
    if (fds[0] >= 0) fcntl(fds[0], F_SETFL, O_NONBLOCK);
    *report_fd = fds[0];
    return pid;
}

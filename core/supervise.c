/* supervise.c -- telling a service manager how start-up and shutdown go,
 * as Redis's `supervised` directive does: systemd's notify protocol and
 * upstart's stop-to-signal-readiness.
 *
 * Debian's redis-server.service is Type=notify and starts the server with
 * --supervised systemd: without READY=1 systemd would wait out its start
 * timeout and kill the server, so a drop-in must speak it.  The protocol
 * is one datagram per message to the AF_UNIX socket $NOTIFY_SOCKET names
 * ("@" at its start meaning the abstract namespace), which is all
 * libsystemd's sd_notify does; we send it ourselves rather than link
 * libsystemd for it.
 *
 * Invariants: the mode is decided once, at start-up, before the server
 * could daemonize (a supervised server never forks into the background);
 * messages are sent only in systemd mode, and a failed send is logged,
 * never fatal, as in Redis. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime.h"

enum { SUP_NO = 0, SUP_UPSTART = 1, SUP_SYSTEMD = 2, SUP_AUTO = 3 }; /* the vocabulary's words */

static int mode;       /* what the config asked for, auto resolved */
static int supervised; /* start-up reached the manager */

/* 1 sent, 0 no socket named, -errno when sending failed (sd_notify's). */
static int notify_send(const char *msg)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !path[0]) return 0;
    struct sockaddr_un sa;
    size_t n = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) return -EINVAL;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@') sa.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    ssize_t w = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
    int e = errno;
    close(fd);
    return w < 0 ? -e : 1;
}

static int notify(const char *msg)
{
    int ret = notify_send(msg);
    if (ret == 0) fr_log(FR_LOG_WARNING, "systemd supervision error: NOTIFY_SOCKET not found!");
    else if (ret < 0) fr_log(FR_LOG_WARNING, "systemd supervision error: sd_notify: %d", ret);
    return ret;
}

static int start_upstart(void)
{
    if (!getenv("UPSTART_JOB")) {
        fr_log(FR_LOG_WARNING, "upstart supervision requested, but UPSTART_JOB not found!");
        return 0;
    }
    fr_log(FR_LOG_NOTICE, "supervised by upstart, will stop to signal readiness.");
    raise(SIGSTOP);
    unsetenv("UPSTART_JOB");
    return 1;
}

static int start_systemd(void)
{
    if (notify("STATUS=Redis is loading...\n") <= 0) return 0;
    fr_log(FR_LOG_NOTICE, "Supervised by systemd. Please make sure you set appropriate values for "
                          "TimeoutStartSec and TimeoutStopSec in your service unit.");
    return 1;
}

int fr_supervise_start(void)
{
    mode = fr_cfg.supervised;
    if (mode == SUP_AUTO) {
        if (getenv("UPSTART_JOB")) {
            fr_log(FR_LOG_VERBOSE, "Upstart supervision detected.");
            mode = SUP_UPSTART;
        } else if (getenv("NOTIFY_SOCKET")) {
            fr_log(FR_LOG_VERBOSE, "Systemd supervision detected.");
            mode = SUP_SYSTEMD;
        } else {
            mode = SUP_NO;
        }
    }
    if (mode == SUP_UPSTART) supervised = start_upstart();
    else if (mode == SUP_SYSTEMD) supervised = start_systemd();
    return supervised;
}

FR_API void fr_supervise_notify(const char *msg)
{
    if (mode == SUP_SYSTEMD) notify(msg);
}

const char *fr_supervise_info(void)
{
    if (!supervised) return "no";
    return mode == SUP_UPSTART ? "upstart" : "systemd";
}

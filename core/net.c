/* net.c -- listening sockets and accepting connections.
 *
 * Bind addresses follow redis.conf: "*" is every IPv4 address, "::*" every
 * IPv6 one, and a leading "-" marks an address whose absence is not an error.
 * Accepted sockets are non-blocking with TCP_NODELAY and keepalive; at most
 * `maxclients` are kept, the others get Redis's error and are closed.
 *
 * The Unix socket (`unixsocket`, `unixsocketperm`) is a listener of its
 * own: opened once at start-up (a stale file at the path is removed
 * first, as Redis does), untouched when CONFIG SET rebuilds the TCP ones,
 * its file removed at shutdown but not by a forked child.  Its clients
 * are local (protected mode lets them in) and show the socket's path as
 * both addresses ("path:0"), as redis-server 7.0.15 does.
 *
 * Modules' own sockets (fr_fd_watch) are watched here too. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol.h"

#define MAX_ACCEPTS_PER_CALL 1000
/* Descriptors kept for everything but clients (listeners, log, the event
 * loop, persistence files and pipes), as Redis reserves them. */
#define RESERVED_FDS 32
/* How long accepting pauses when the process or system has no descriptor
 * left: the pending connection stays queued and would wake us at once. */
#define ACCEPT_PAUSE_SECONDS 0.1

static ev_timer accept_pause;

/* The listening sockets: net.c's alone (closed in a forked child). */
static ev_io listeners[FR_MAX_BINDADDR * 2];
static int listen_fds[FR_MAX_BINDADDR * 2];
static int nlisteners;
static ev_io unix_listener;
static int unix_fd = -1;

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void set_keepalive(int fd, int interval)
{
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes));
    if (interval <= 0) return;
    int idle = interval, intvl = interval / 3 ? interval / 3 : 1, cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void addr_to_string(const struct sockaddr_storage *ss, char *buf, size_t len, int *is_local)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    *is_local = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        port = ntohs(s->sin_port);
        *is_local = (ntohl(s->sin_addr.s_addr) >> 24) == 127;
        snprintf(buf, len, "%s:%d", ip, port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        port = ntohs(s->sin6_port);
        *is_local = !strcmp(ip, "::1");
        snprintf(buf, len, "%s:%d", ip, port);
    } else {
        *is_local = 1; /* only the Unix socket: Redis 7.0.15 names it by its path */
        snprintf(buf, len, "%s:0", fr_cfg.unixsocket ? fr_cfg.unixsocket : "/unixsocket");
    }
}

/* Redis's text, word for word: clients and operators match on it. */
static const char protected_mode_msg[] =
    "-DENIED Redis is running in protected mode because protected "
    "mode is enabled and no password is set for the default user. "
    "In this mode connections are only accepted from the loopback interface. "
    "If you want to connect from external computers to Redis you "
    "may adopt one of the following solutions: "
    "1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface "
    "by connecting to Redis from the same host the server is "
    "running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this "
    "change permanent. "
    "2) Alternatively you can just disable the protected mode by "
    "editing the Redis configuration file, and setting the protected "
    "mode option to 'no', and then restarting the server. "
    "3) If you started the server manually just for testing, restart "
    "it with the '--protected-mode no' option. "
    "4) Setup a an authentication password for the default user. "
    "NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.\r\n";

static void reject(int fd, const char *msg)
{
    if (write(fd, msg, strlen(msg)) < 0) { /* nothing to do */ }
    fr_proto.stats.rejected_conn++;
    close(fd);
}

static void resume_accepting(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)t;
    (void)revents;
    for (int i = 0; i < nlisteners; i++) ev_io_start(loop, &listeners[i]);
    if (unix_fd != -1) ev_io_start(loop, &unix_listener);
}

/* Out of descriptors: the listener stays readable, so accepting again at
 * once would spin.  Stop listening for a moment; the connections wait in
 * the kernel's backlog meanwhile. */
static void pause_accepting(int err)
{
    fr_log(FR_LOG_WARNING, "Accepting client connection: %s (pausing accepts for %.0f ms)", strerror(err),
           ACCEPT_PAUSE_SECONDS * 1000);
    for (int i = 0; i < nlisteners; i++) ev_io_stop(fr_proto.loop, &listeners[i]);
    if (unix_fd != -1) ev_io_stop(fr_proto.loop, &unix_listener);
    if (ev_is_active(&accept_pause)) return;
    ev_timer_init(&accept_pause, resume_accepting, ACCEPT_PAUSE_SECONDS, 0.);
    ev_timer_start(fr_proto.loop, &accept_pause);
}

/* An accept4() error that belongs to the one connection being accepted
 * (it died or its network did before we took it), not to the listener:
 * the next pending connection may be fine, so the loop goes on.  Stopping
 * at such an error let a peer that provokes them in a stream starve every
 * other client of accepts (Redis's CVE-2025-48367; accept(2)'s Linux
 * notes list these as pending network errors to retry on). */
static int accept_error_is_transient(int err)
{
    switch (err) {
    case ECONNABORTED: case EPROTO: case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN:
    case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
        return 1;
    default:
        return 0;
    }
}

/* Returns 0 when there is nothing more to accept right now. */
static int accept_one(int lfd)
{
    struct sockaddr_storage ss, ls;
    socklen_t sl = sizeof(ss), ll = sizeof(ls);
    int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) pause_accepting(errno);
        return accept_error_is_transient(errno);
    }
    char addr[64], laddr[64];
    int is_local, ignored, is_unix = lfd == unix_fd;
    addr_to_string(&ss, addr, sizeof(addr), &is_local);
    if (is_unix) snprintf(laddr, sizeof(laddr), "%s:0", fr_cfg.unixsocket);
    else if (getsockname(fd, (struct sockaddr *)&ls, &ll) == 0) addr_to_string(&ls, laddr, sizeof(laddr), &ignored);
    else snprintf(laddr, sizeof(laddr), "?:0");
    if ((long long)fr_proto.numclients >= fr_cfg.maxclients) {
        reject(fd, "-ERR max number of clients reached\r\n");
        return 1;
    }
    if (fr_cfg.protected_mode && fr_proto.default_user_nopass && !is_local) {
        reject(fd, protected_mode_msg);
        return 1;
    }
    if (is_unix) {
        fr_log(FR_LOG_VERBOSE, "Accepted connection to %s", fr_cfg.unixsocket);
    } else {
        int yes = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
        set_keepalive(fd, (int)fr_cfg.tcp_keepalive);
        fr_log(FR_LOG_VERBOSE, "Accepted %s", addr);
    }
    fr_proto.stats.numconnections++;
    fr_client *c = fr_client_create(fd, addr, laddr, is_local);
    if (is_unix && c) c->flags |= FR_CLIENT_UNIX_SOCKET;
    return 1;
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++)
        if (!accept_one(w->fd)) break;
}

static int listen_one(const char *host, int optional, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL, *p;
    char port[16];
    snprintf(port, sizeof(port), "%lld", fr_cfg.port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    const char *node = host;
    if (!strcmp(host, "*")) {
        hints.ai_family = AF_INET;
        node = NULL;
    } else if (!strcmp(host, "::*")) {
        hints.ai_family = AF_INET6;
        node = NULL;
    } else {
        hints.ai_family = strchr(host, ':') ? AF_INET6 : AF_INET;
    }
    int rv = getaddrinfo(node, port, &hints, &res);
    if (rv != 0) {
        if (optional) return 0;
        snprintf(err, errlen, "Failed listening on %s:%s: %s", host, port, gai_strerror(rv));
        return -1;
    }
    int fd = -1;
    for (p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0) continue;
        int yes = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        if (p->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
        if (bind(fd, p->ai_addr, p->ai_addrlen) == 0 &&
            listen(fd, (int)fr_cfg.tcp_backlog) == 0)
            break;
        int e = errno;
        close(fd);
        fd = -1;
        errno = e;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        int e = errno;
        if (optional && (e == EADDRNOTAVAIL || e == EAFNOSUPPORT || e == EPROTONOSUPPORT ||
                         e == ESOCKTNOSUPPORT || e == EPFNOSUPPORT))
            return 0;
        snprintf(err, errlen, "Failed listening on %s:%s (tcp): %s", host, port, strerror(e));
        return -1;
    }
    set_nonblock(fd);
    int i = nlisteners++;
    listen_fds[i] = fd;
    ev_io_init(&listeners[i], accept_cb, fd, EV_READ);
    ev_io_start(fr_proto.loop, &listeners[i]);
    return 0;
}

int fr_net_listen(char *err, size_t errlen)
{
    if (fr_cfg.port == 0) return 0; /* no TCP, as redis-server with port 0 */
    for (int i = 0; i < fr_cfg.bind_count; i++) {
        const char *h = fr_cfg.bind[i];
        int optional = h[0] == '-';
        if (listen_one(optional ? h + 1 : h, optional, err, errlen)) return -1;
    }
    if (nlisteners == 0 && fr_cfg.bind_count) {
        snprintf(err, errlen, "Failed listening on port %lld (tcp): no usable bind address", fr_cfg.port);
        return -1;
    }
    return 0;
}

/* Redis's anetUnixServer, with its error texts ("Failed opening Unix
 * socket: ..." is the caller's prefix). */
int fr_net_listen_unix(char *err, size_t errlen)
{
    const char *path = fr_cfg.unixsocket;
    if (!path) return 0;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    if (strlen(path) > sizeof(sa.sun_path) - 1) {
        snprintf(err, errlen, "Failed opening Unix socket: unix socket path too long (%zu), must be under %zu",
                 strlen(path), sizeof(sa.sun_path));
        return -1;
    }
    unlink(path); /* a stale socket from a previous run */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "Failed opening Unix socket: creating socket: %s", strerror(errno));
        return -1;
    }
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path));
    const char *step = "bind";
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        if (fr_cfg.unixsocketperm) chmod(path, (mode_t)fr_cfg.unixsocketperm);
        step = "listen";
        if (listen(fd, (int)fr_cfg.tcp_backlog) == 0) {
            set_nonblock(fd);
            unix_fd = fd;
            ev_io_init(&unix_listener, accept_cb, fd, EV_READ);
            ev_io_start(fr_proto.loop, &unix_listener);
            return 0;
        }
    }
    snprintf(err, errlen, "Failed opening Unix socket: %s: %s", step, strerror(errno));
    close(fd);
    return -1;
}

int fr_net_listening(void)
{
    return nlisteners > 0 || unix_fd != -1;
}

/* At shutdown: the socket's file goes with it, as Redis removes it. */
void fr_net_close_unix(void)
{
    if (unix_fd == -1) return;
    ev_io_stop(fr_proto.loop, &unix_listener);
    close(unix_fd);
    unix_fd = -1;
    fr_log(FR_LOG_NOTICE, "Removing the unix socket file.");
    if (unlink(fr_cfg.unixsocket) != 0)
        fr_log(FR_LOG_WARNING, "Error removing the unix socket file: %s", strerror(errno));
}

void fr_net_close_listeners(void)
{
    for (int i = 0; i < nlisteners; i++) {
        ev_io_stop(fr_proto.loop, &listeners[i]);
        close(listen_fds[i]);
    }
    nlisteners = 0;
}

/* In a forked child: drop the listening sockets (so a restarted server can
 * bind while the child still runs) without touching the event loop the
 * child does not run. */
void fr_net_close_listeners_in_child(void)
{
    for (int i = 0; i < nlisteners; i++) close(listen_fds[i]);
    if (unix_fd != -1) close(unix_fd);
}

/* ------------------------------------------------- descriptor budget */

/* The highest open-files limit the process may set: the hard limit, or with
 * the privilege to raise it, the kernel's ceiling. */
static rlim_t settable_files_limit(const struct rlimit *cur)
{
    rlim_t most = cur->rlim_max;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    unsigned long long nr_open = 0;
    if (f) {
        if (fscanf(f, "%llu", &nr_open) != 1) nr_open = 0;
        fclose(f);
    }
    if (nr_open > most) {
        struct rlimit probe = {cur->rlim_cur, (rlim_t)nr_open};
        if (setrlimit(RLIMIT_NOFILE, &probe) == 0) most = (rlim_t)nr_open;
    }
    return most;
}

/* Raises the open-files limit toward what `want` clients need.  Returns the
 * limit obtained.  When the full need cannot be had, Redis steps down from
 * it 16 descriptors at a time until a limit is accepted; we land on the
 * same value arithmetically instead of with millions of calls. */
static rlim_t raise_files_limit(rlim_t need, rlim_t *old, int *why)
{
    struct rlimit lim;
    *why = 0;
    if (getrlimit(RLIMIT_NOFILE, &lim) == -1) return 0;
    *old = lim.rlim_cur;
    if (lim.rlim_cur >= need) return lim.rlim_cur;
    struct rlimit want = {need, need > lim.rlim_max ? need : lim.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) return need;
    *why = errno;
    rlim_t most = settable_files_limit(&lim);
    if (most >= need) most = need - 1;
    rlim_t best = need - 16 * ((need - most + 15) / 16);
    if (best <= lim.rlim_cur) return lim.rlim_cur;
    struct rlimit got = {best, best > lim.rlim_max ? best : lim.rlim_max};
    return setrlimit(RLIMIT_NOFILE, &got) == 0 ? best : lim.rlim_cur;
}

/* Fits `want` clients into the descriptors the process can have; returns
 * how many fit (== want when all do), logging as Redis does. */
static long long fit_clients(long long want)
{
    rlim_t need = (rlim_t)want + RESERVED_FDS, old = 0;
    int why;
    rlim_t got = raise_files_limit(need, &old, &why);
    if (got == 0) {
        fr_log(FR_LOG_WARNING, "Unable to obtain the current NOFILE limit (%s), assuming 1024 and setting the max "
               "clients configuration accordingly.", strerror(errno));
        return 1024 - RESERVED_FDS;
    }
    if (got >= need) {
        if (old < need)
            fr_log(FR_LOG_NOTICE, "Increased maximum number of open files to %llu (it was originally set to %llu).",
                   (unsigned long long)need, (unsigned long long)old);
        return want;
    }
    long long fit = got > RESERVED_FDS ? (long long)(got - RESERVED_FDS) : 0;
    fr_log(FR_LOG_WARNING, "You requested maxclients of %lld requiring at least %llu max file descriptors.", want,
           (unsigned long long)need);
    fr_log(FR_LOG_WARNING, "Server can't set maximum open files to %llu because of OS error: %s.",
           (unsigned long long)need, strerror(why));
    fr_log(FR_LOG_WARNING, "Current maximum open files is %llu. maxclients has been reduced to %lld to compensate "
           "for low ulimit. If you need higher maxclients increase 'ulimit -n'.", (unsigned long long)got, fit);
    return fit;
}

/* At start-up: lower maxclients to what the descriptor limit allows, or
 * refuse to start when not even the reserved descriptors are there. */
void fr_net_fit_maxclients(void)
{
    long long fit = fit_clients(fr_cfg.maxclients);
    if (fit < 1) {
        struct rlimit lim = {0, 0};
        getrlimit(RLIMIT_NOFILE, &lim);
        fr_log(FR_LOG_WARNING, "Your current 'ulimit -n' of %llu is not enough for the server to start. Please "
               "increase your open file limit to at least %llu. Exiting.", (unsigned long long)lim.rlim_cur,
               (unsigned long long)(fr_cfg.maxclients + RESERVED_FDS));
        exit(1);
    }
    fr_cfg.maxclients = fit;
}

/* CONFIG SET maxclients: how many of `want` clients the process can serve
 * (raising its descriptor limit as a side effect, as Redis does). */
long long fr_net_maxclients_possible(long long want)
{
    long long fit = fit_clients(want);
    if (fit < want)
        fr_log(FR_LOG_WARNING, "Failed applying new configuration. Possibly related to new maxclients setting. "
               "Restoring previous settings.");
    return fit;
}

/* ---------------------------------------------------- modules' sockets */

struct fr_fd_watch {
    ev_io io;               /* first: the callback gets &io */
    fr_fd_fn fn;
    void *priv;
};

static void fd_watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    fr_fd_watch *fw = (fr_fd_watch *)(void *)w;
    int ev = (revents & EV_READ ? FR_FD_READ : 0) | (revents & EV_WRITE ? FR_FD_WRITE : 0);
    fw->fn(w->fd, ev, fw->priv);
}

FR_API fr_fd_watch *fr_fd_watch_new(int fd, int events, fr_fd_fn fn, void *priv)
{
    fr_fd_watch *fw = fr_calloc(sizeof(*fw));
    fw->fn = fn;
    fw->priv = priv;
    ev_io_init(&fw->io, fd_watch_cb, fd, (events & FR_FD_READ ? EV_READ : 0) | (events & FR_FD_WRITE ? EV_WRITE : 0));
    ev_io_start(fr_proto.loop, &fw->io);
    return fw;
}

FR_API void fr_fd_watch_free(fr_fd_watch *fw)
{
    if (!fw) return;
    ev_io_stop(fr_proto.loop, &fw->io);
    fr_free(fw);
}

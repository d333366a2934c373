/* rdb_migrate_sock.c -- MIGRATE's connections to target instances.
 *
 * Owns the cache of connections, keyed by "host:port" exactly as MIGRATE's
 * arguments spell them (Redis's migrate_cached_sockets): at most
 * MIGRATE_CACHE_MAX, a random one closed to make room, and any idle for
 * more than MIGRATE_CACHE_TTL seconds closed from cron.  And the blocking
 * I/O MIGRATE does on them, on the event-loop thread as Redis does it
 * (syncio.c), with poll():
 *   - connect: non-blocking connect to the first address that takes it,
 *     then up to `timeout` ms for it to become writable; as in Redis, a
 *     connection still pending after that is used anyway, so that its
 *     failure shows in the first write (strict mode);
 *   - write: all of a chunk within `timeout` ms;
 *   - read a line: each byte within `timeout` ms of the previous one, at
 *     most MIGRATE_LINE_MAX - 1 bytes; a longer line is cut there and its
 *     rest read as the next line, as Redis's syncReadLine does; a bare
 *     "\n" is a failure, as there.
 * Bytes read past a line stay in the connection's buffer for the next
 * read, so buffering changes nothing Redis's byte-at-a-time reads show.
 *
 * Hardened mode bounds what a hostile target can make the server do while
 * it blocks (see docs/modules/rdb.md): a line must arrive whole within
 * `timeout` ms and fit the buffer, a connection that has not completed in
 * `timeout` ms fails at once, and a cached connection holding bytes nobody
 * asked for is replaced before use.  Each such departure is reported to the
 * caller as a rule id (*rule) for the ledger.
 *
 * Invariants: every cached entry has an open descriptor (close-on-exec);
 * an entry is freed only through sock_free, which closes it; rpos <= rlen
 * <= sizeof(rbuf). */
#include "rdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static migrate_sock *cache[MIGRATE_CACHE_MAX];
static int ncache;

static long long now_ms(void) {
    return (long long)fr_mstime();
}

/* poll() one descriptor for `events` up to `ms` milliseconds (at least
 * 10, Redis's SYNCIO__RESOLUTION); the revents, 0 on timeout. */
static int wait_fd(int fd, short events, long long ms) {
    if (ms < 10) ms = 10;
    struct pollfd p = {.fd = fd, .events = events};
    int rc = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
    return rc > 0 ? p.revents : 0;
}

static fr_str *cache_name(const fr_str *host, const fr_str *port) {
    fr_str *n = fr_str_new(host->buf, host->len);
    n = fr_str_cat(n, ":", 1);
    return fr_str_cat(n, port->buf, port->len);
}

static int find(const fr_str *name) {
    for (int i = 0; i < ncache; i++)
        if (cache[i]->name->len == name->len && !memcmp(cache[i]->name->buf, name->buf, name->len))
            return i;
    return -1;
}

static void sock_free(migrate_sock *cs) {
    close(cs->fd);
    fr_str_free(cs->name);
    fr_free(cs);
}

static void drop_at(int i) {
    sock_free(cache[i]);
    cache[i] = cache[--ncache];
}

/* Redis's anetTcpNonBlockConnect: the port is atoi() of the text, every
 * address getaddrinfo gives is tried until one connects or is in
 * progress.  -1 when none. */
static int start_connect(const char *host, const char *port_text) {
    char port[24];
    snprintf(port, sizeof(port), "%d", atoi(port_text));
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *p;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    int fd = -1;
    for (p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
        if (fd == -1) continue;
        int yes = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0 || errno == EINPROGRESS) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* A cached connection with input nobody asked for (bytes, or the peer's
 * close) is out of step with the replies it will be asked for. */
static int has_pending_input(migrate_sock *cs, int *bytes) {
    char c;
    *bytes = cs->rpos < cs->rlen;
    if (*bytes) return 1;
    ssize_t n = recv(cs->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) *bytes = 1;
    return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

migrate_sock *migrate_sock_get(const fr_str *host, const fr_str *port, long timeout, int hardened,
                               const char **rule) {
    fr_str *name = cache_name(host, port);
    int i = find(name);
    if (i >= 0 && hardened) {
        int bytes;
        if (has_pending_input(cache[i], &bytes)) {
            if (bytes) *rule = "migrate-stale-reply";
            drop_at(i);
            i = -1;
        }
    }
    if (i >= 0) {
        fr_str_free(name);
        cache[i]->last_use = time(NULL);
        return cache[i];
    }
    if (ncache == MIGRATE_CACHE_MAX) drop_at(rand() % ncache);
    int fd = start_connect(host->buf, port->buf);
    if (fd != -1 && !(wait_fd(fd, POLLOUT, timeout) & (POLLOUT | POLLERR | POLLHUP)) && hardened) {
        *rule = "migrate-connect-timeout";
        close(fd);
        fd = -1;
    }
    if (fd == -1) {
        fr_str_free(name);
        return NULL;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    migrate_sock *cs = fr_calloc(sizeof(*cs));
    cs->name = name;
    cs->fd = fd;
    cs->last_dbid = -1;
    cs->last_use = time(NULL);
    cache[ncache++] = cs;
    return cs;
}

void migrate_sock_close(const fr_str *host, const fr_str *port) {
    fr_str *name = cache_name(host, port);
    int i = find(name);
    if (i >= 0) drop_at(i);
    fr_str_free(name);
}

void migrate_sock_close_idle(time_t now) {
    for (int i = 0; i < ncache;) {
        if (now - cache[i]->last_use > MIGRATE_CACHE_TTL) drop_at(i);
        else i++;
    }
}

void migrate_sock_close_all(void) {
    while (ncache) drop_at(ncache - 1);
}

int migrate_sock_count(void) {
    return ncache;
}

int migrate_sock_write(migrate_sock *cs, const char *p, size_t len, long timeout, int *timed_out) {
    long long start = now_ms();
    for (;;) {
        ssize_t n = send(cs->fd, p, len, MSG_NOSIGNAL); /* a closed peer: EPIPE, no signal */
        if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) return FR_ERR;
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        }
        if (!len) return FR_OK;
        long long elapsed = now_ms() - start;
        wait_fd(cs->fd, POLLOUT, timeout - elapsed);
        if (now_ms() - start >= timeout) {
            *timed_out = 1;
            return FR_ERR;
        }
    }
}

/* Refill the buffer: FR_OK with at least one new byte, FR_ERR on EOF, an
 * error, or no byte within `timeout` ms (then *timed_out). */
static int fill(migrate_sock *cs, long timeout, int *timed_out) {
    long long start = now_ms();
    cs->rpos = cs->rlen = 0;
    for (;;) {
        ssize_t n = read(cs->fd, cs->rbuf, sizeof(cs->rbuf));
        if (n == 0) return FR_ERR;
        if (n > 0) {
            cs->rlen = (size_t)n;
            return FR_OK;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) return FR_ERR;
        long long elapsed = now_ms() - start;
        wait_fd(cs->fd, POLLIN, timeout - elapsed);
        if (now_ms() - start >= timeout) {
            *timed_out = 1;
            return FR_ERR;
        }
    }
}

long migrate_sock_readline(migrate_sock *cs, char *buf, size_t size, long timeout, int hardened,
                           int *timed_out, const char **rule) {
    size_t n = 0;
    long long start = now_ms();
    buf[0] = '\0';
    while (n < size - 1) {
        if (cs->rpos == cs->rlen) {
            long wait = timeout;
            if (hardened) {
                long long left = timeout - (now_ms() - start);
                if (left <= 0) {
                    /* Bytes keep coming, too slowly for one line: Redis
                     * waits `timeout` per byte, hardened mode per line. */
                    *rule = "migrate-reply-slow";
                    *timed_out = 1;
                    return -1;
                }
                wait = (long)left;
            }
            if (fill(cs, wait, timed_out) != FR_OK) {
                /* The line's deadline, not a byte's, ran out. */
                if (*timed_out && wait < timeout) *rule = "migrate-reply-slow";
                return -1;
            }
        }
        char c = (char)cs->rbuf[cs->rpos++];
        if (c == '\n') {
            /* Redis's count keeps the '\r' it blanks: "\r\n" is a line
             * (an empty reply), a bare "\n" a failure. */
            if (n && buf[n - 1] == '\r') buf[n - 1] = '\0';
            return (long)n;
        }
        buf[n++] = c;
        buf[n] = '\0';
    }
    if (hardened) {
        /* Redis takes the first size-1 bytes as the reply and reads the
         * rest as the next one: the replies no longer match the commands. */
        *rule = "migrate-reply-too-long";
        return -1;
    }
    return (long)n;
}

/* soak.c -- fr-soak: many clients, big and small values, slow readers and
 * clients killed mid-reply, against one server for a long time; every reply
 * that reaches a surviving client is verified byte for byte (docs/soak.md).
 *
 * Owns: the soak workload and its accounting (sent, verified, lost,
 * corrupted, killed by design, bytes, the server's peak RSS).
 *
 * Invariants:
 *  - a client owns its keys, "soak:<slot>:<gen>:<k>", so the reply to a GET
 *    is known: the value of the last SET this connection issued for that
 *    key before the GET (a connection's commands run in order).  A new
 *    connection (after a kill or a drop) takes the next generation of key
 *    names and first DELs the previous generation's keys;
 *  - values are never stored here: a value is a function of (slot, gen,
 *    key, version) -- a 16-byte header "<version><seed>" in hex, then a
 *    splitmix64 stream -- generated again to send it and to check it;
 *  - bounded memory, here and in the server: a client has at most
 *    --pipeline commands and --window bytes (requests + expected replies) in
 *    flight, except a single command bigger than the window, which then goes
 *    alone; at most --big-keys keys hold a 1-10 MB value at any time;
 *  - counting: "lost" is a command that was sent on a connection which ended
 *    not by our choice (server closed or reset it, or we closed it after a
 *    corrupted reply), or that was still unanswered after --drain; replies
 *    owed to a client we killed on purpose are "abandoned", not lost;
 *  - 127.0.0.1 only; one thread, epoll (level-triggered), non-blocking
 *    sockets; every loop is bounded and the run ends by itself: --duration
 *    of load, then at most --drain seconds for outstanding replies.
 *
 * Exit status: 0 when nothing was lost or corrupted and the server stayed
 * up, 1 otherwise, 2 on bad usage. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define KB 1024u
#define MB (1024u * 1024u)
#define MAX_PIPE 64      /* ring size: --pipeline is at most this */
#define MAX_KEYS 16
#define IO_BUF (256 * KB)
#define MAX_EXAMPLES 5   /* problems printed in full */

/* ------------------------------------------------------------ options */

typedef struct {
    int port;
    int clients;
    double duration, drain, report;
    pid_t server_pid;
    uint64_t seed;
    int keys;
    int pipeline;
    uint64_t window;
    int slow_pct;       /* share of clients that read slowly */
    int kill_permille;  /* of GET replies >= 32 KB: close the client mid-reply */
    int big_permille;   /* of SETs: a 1-10 MB value (while --big-keys allows) */
    int big_keys;
} options;

static options opt = {
    .clients = 1000, .duration = 600, .drain = 60, .report = 10, .seed = 1, .keys = 4,
    .pipeline = 16, .window = 2 * MB, .slow_pct = 10, .kill_permille = 10,
    .big_permille = 5, .big_keys = 64,
};

/* ------------------------------------------------------------ counters */

static struct {
    uint64_t sent, verified, lost, lost_closed, lost_corrupt, lost_end, corrupted, errors;
    uint64_t killed, abandoned, drops, connects, connect_fail, bytes_out, bytes_in;
    uint64_t sets, gets, big_sets, examples;
    long max_rss_kb, last_rss_kb;
    int server_died;
} st;

static int big_keys_now;  /* keys currently holding a 1-10 MB value */

/* The first few problems are printed with details; all are counted. */
static void example(const char *fmt, ...)
{
    if (st.examples++ >= MAX_EXAMPLES) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("fr-soak: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t mix64(uint64_t z)  /* splitmix64's finalizer */
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_state;
static uint64_t rng(void) { return mix64(rng_state++); }
static uint64_t rng_range(uint64_t lo, uint64_t hi) { return lo + rng() % (hi - lo + 1); }

/* ------------------------------------------------------------- clients */

enum { OP_SET, OP_GET, OP_PING, OP_DEL };
static const char *op_name[] = {"SET", "GET", "PING", "DEL"};

typedef struct {
    uint8_t type, key;
    uint32_t version, size;   /* SET, GET: the value */
    uint32_t req_len, rep_len; /* rep_len 0: DEL, parsed */
} op_t;

enum { C_WAIT, C_CONNECTING, C_UP, C_DONE };

typedef struct {
    int fd, slot, state, slow;
    uint32_t gen, events;     /* events: the epoll mask now */
    int in_epoll;             /* fd registered (its mask may be 0) */
    op_t ops[MAX_PIPE];
    int head, count;          /* ring of commands in flight, oldest first */
    int nsent;                /* of them, fully sent */
    uint32_t send_off;        /* bytes sent of ops[head + nsent] */
    uint32_t rep_off;         /* bytes received of ops[head]'s reply */
    char del_acc[32];         /* DEL's ":n\r\n" so far */
    int del_len;
    uint64_t window;          /* bytes of requests + replies in flight */
    int64_t kill_at;          /* close when rep_off reaches this (-1: no) */
    double resume_at;         /* C_WAIT: connect; C_UP slow: read again */
    int paused;               /* slow reader between two reads */
    int need_del;             /* first command: DEL the previous generation */
    op_t pending;             /* picked but did not fit the window */
    int has_pending;
    uint32_t version[MAX_KEYS], size[MAX_KEYS];
    uint8_t is_set[MAX_KEYS];
} client_t;

static client_t *clients;
static int epfd;
static int draining;
static char *scratch, *expect_buf;  /* IO_BUF each, shared by all clients */

static op_t *op_at(client_t *c, int i) { return &c->ops[(c->head + i) % MAX_PIPE]; }

static int key_name(const client_t *c, uint32_t gen, int k, char *out, size_t cap)
{
    return snprintf(out, cap, "soak:%d:%u:%d", c->slot, gen, k);
}

static int is_big(uint32_t size) { return size >= MB; }

/* ------------------------------------------------------------- values */

static uint64_t value_seed(const client_t *c, int k, uint32_t version)
{
    return mix64(((uint64_t)c->slot << 40) ^ ((uint64_t)c->gen << 8) ^ (uint64_t)k) ^ mix64(version);
}

/* Bytes [off, off+n) of the value of key k at `version`. */
static void value_fill(const client_t *c, int k, uint32_t version, size_t off, char *out, size_t n)
{
    uint64_t seed = value_seed(c, k, version);
    char hdr[24];
    snprintf(hdr, sizeof(hdr), "%08x%08x", version, (uint32_t)seed);
    while (n > 0 && off < 16) *out++ = hdr[off++], n--;
    while (n > 0) {
        uint64_t w = mix64(seed + (off >> 3));
        size_t s = off & 7, m = 8 - s < n ? 8 - s : n;
        memcpy(out, (char *)&w + s, m);
        out += m, off += m, n -= m;
    }
}

/* ---------------------------------------------------- request and reply */

/* The part of a request or reply before the value (all of it when there is
 * no value).  Returns its length. */
static size_t prefix(const client_t *c, const op_t *op, int req, char *out, size_t cap)
{
    char key[48];
    int kl = key_name(c, c->gen, op->key, key, sizeof(key));
    if (!req) {
        if (op->type == OP_SET) return (size_t)snprintf(out, cap, "+OK\r\n");
        if (op->type == OP_PING) return (size_t)snprintf(out, cap, "+PONG\r\n");
        return (size_t)snprintf(out, cap, "$%u\r\n", op->size);
    }
    switch (op->type) {
    case OP_SET:
        return (size_t)snprintf(out, cap, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%u\r\n", kl, key, op->size);
    case OP_GET:
        return (size_t)snprintf(out, cap, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", kl, key);
    case OP_PING:
        return (size_t)snprintf(out, cap, "*1\r\n$4\r\nPING\r\n");
    default: {  /* DEL of the previous generation's keys */
        size_t n = (size_t)snprintf(out, cap, "*%d\r\n$3\r\nDEL\r\n", opt.keys + 1);
        for (int k = 0; k < opt.keys; k++) {
            kl = key_name(c, c->gen - 1, k, key, sizeof(key));
            n += (size_t)snprintf(out + n, cap - n, "$%d\r\n%s\r\n", kl, key);
        }
        return n;
    }
    }
}

static int has_value(const op_t *op, int req) { return op->type == (req ? OP_SET : OP_GET); }

/* Bytes [off, off+n) of op's request (req) or expected reply (!req). */
static void op_fill(const client_t *c, const op_t *op, int req, size_t off, char *out, size_t n)
{
    char pre[1024];
    size_t pl = prefix(c, op, req, pre, sizeof(pre));
    size_t vl = has_value(op, req) ? op->size : 0;
    while (n > 0) {
        size_t m;
        if (off < pl) {
            m = pl - off < n ? pl - off : n;
            memcpy(out, pre + off, m);
        } else if (off < pl + vl) {
            m = pl + vl - off < n ? pl + vl - off : n;
            value_fill(c, op->key, op->version, off - pl, out, m);
        } else {
            m = pl + vl + 2 - off < n ? pl + vl + 2 - off : n;
            memcpy(out, "\r\n" + (off - pl - vl), m);
        }
        out += m, off += m, n -= m;
    }
}

static void op_lengths(const client_t *c, op_t *op)
{
    char pre[1024];
    op->req_len = (uint32_t)(prefix(c, op, 1, pre, sizeof(pre)) + (has_value(op, 1) ? op->size + 2 : 0));
    op->rep_len = op->type == OP_DEL ? 0
                : (uint32_t)(prefix(c, op, 0, pre, sizeof(pre)) + (has_value(op, 0) ? op->size + 2 : 0));
}

/* ------------------------------------------------------ choosing commands */

/* Value sizes: mostly small, now and then up to 10 MB (within --big-keys:
 * a big size counts from the moment it is picked). */
static uint32_t pick_size(void)
{
    uint64_t r = rng() % 1000;
    if (r >= 1000 - (uint64_t)opt.big_permille && big_keys_now < opt.big_keys) {
        big_keys_now++;
        return (uint32_t)rng_range(MB, 10 * MB);
    }
    if (r < 850) return (uint32_t)rng_range(KB, 16 * KB);
    if (r < 970) return (uint32_t)rng_range(16 * KB, 256 * KB);
    return (uint32_t)rng_range(256 * KB, MB - 1);
}

/* The next command for c: unset keys first, then 45% SET, 50% GET, 5% PING. */
static op_t pick_op(client_t *c)
{
    op_t op = {0};
    int unset = -1;
    for (int k = 0; k < opt.keys && unset < 0; k++)
        if (!c->is_set[k]) unset = k;
    uint64_t r = rng() % 100;
    if (c->need_del) op.type = OP_DEL;
    else if (unset >= 0 || r < 45) op.type = OP_SET;
    else op.type = r < 95 ? OP_GET : OP_PING;
    op.key = (uint8_t)(unset >= 0 ? unset : (int)(rng() % (uint64_t)opt.keys));
    if (op.type == OP_SET) op.size = pick_size();
    op_lengths(c, &op);
    return op;
}

/* What issuing op means for the key it names, in the order the server
 * will run it: a SET makes the next version current, DEL is done once. */
static void commit_op(client_t *c, op_t *op)
{
    if (op->type == OP_DEL) {
        c->need_del = 0;
    } else if (op->type == OP_SET) {
        int k = op->key;
        big_keys_now -= c->is_set[k] && is_big(c->size[k]);  /* the new one counts already */
        op->version = ++c->version[k];
        c->size[k] = op->size;
        c->is_set[k] = 1;
        st.sets++;
        st.big_sets += is_big(op->size);
    } else if (op->type == OP_GET) {
        st.gets++;
    }
}

/* The next command: a picked one that did not fit last time, else a new
 * one (a GET owes the key's current value, so its size is known now). */
static op_t next_op(client_t *c)
{
    if (c->has_pending) return c->pending;
    op_t op = pick_op(c);
    if (op.type == OP_GET) {
        op.version = c->version[op.key];
        op.size = c->size[op.key];
        op_lengths(c, &op);
    }
    return op;
}

/* Fill the pipeline up to --pipeline commands and --window bytes. */
static void issue_ops(client_t *c)
{
    while (!draining && c->state == C_UP && c->count < opt.pipeline) {
        op_t op = next_op(c);
        uint64_t cost = (uint64_t)op.req_len + op.rep_len;
        if (c->count > 0 && c->window + cost > opt.window) {
            c->pending = op;  /* keeps the order: nothing is issued before it */
            c->has_pending = 1;
            return;
        }
        c->has_pending = 0;
        commit_op(c, &op);
        *op_at(c, c->count++) = op;
        c->window += cost;
    }
}

/* ------------------------------------------------------------ connections */

static void set_events(client_t *c)
{
    uint32_t ev = 0;
    if (c->state == C_CONNECTING) ev = EPOLLOUT;
    if (c->state == C_UP) {
        if (!c->paused) ev |= EPOLLIN;
        if (c->nsent < c->count) ev |= EPOLLOUT;
    }
    if (c->in_epoll && ev == c->events) return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(epfd, c->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &e);
    c->in_epoll = 1;
    c->events = ev;
}

/* Close the socket (which also drops it from the epoll set). */
static void close_fd(client_t *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->events = 0;
    c->in_epoll = 0;
}

/* Close c's connection; the next one comes after `delay` seconds with a new
 * generation of keys (unless the run is draining). */
static void disconnect(client_t *c, double delay)
{
    close_fd(c);
    if (c->has_pending && c->pending.type == OP_SET && is_big(c->pending.size)) big_keys_now--;
    for (int k = 0; k < opt.keys; k++) {
        if (c->is_set[k] && is_big(c->size[k])) big_keys_now--;  /* the DEL to come */
        c->is_set[k] = 0;
        c->version[k] = 0;
    }
    c->head = c->count = c->nsent = 0;
    c->send_off = c->rep_off = 0;
    c->del_len = 0;
    c->window = 0;
    c->kill_at = -1;
    c->paused = 0;
    c->has_pending = 0;
    c->gen++;
    c->need_del = 1;
    c->state = draining ? C_DONE : C_WAIT;
    c->resume_at = now_s() + delay;
}

/* Commands sent in full and not answered (a command sent in part cannot
 * have been run, so it owes nothing). */
static int unanswered(const client_t *c)
{
    return c->nsent;
}

static void drop(client_t *c, const char *why, uint64_t *cause)
{
    int n = unanswered(c);
    if (n) example("client %d: %s; %d replies lost", c->slot, why, n);
    st.lost += (uint64_t)n;
    *cause += (uint64_t)n;
    st.drops++;
    disconnect(c, 0.1);
}

static void start_connect(client_t *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) {
        c->resume_at = now_s() + 1;
        st.connect_fail++;
        return;
    }
    if (c->slow) {  /* a small window: the server sees the slowness at once */
        int rcv = 16 * KB;
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
        close_fd(c);
        st.connect_fail++;
        c->resume_at = now_s() + 0.5;
        return;
    }
    c->state = C_CONNECTING;
    set_events(c);
}

static void connected(client_t *c)
{
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        close_fd(c);
        c->state = C_WAIT;
        c->resume_at = now_s() + 0.5;
        st.connect_fail++;
        return;
    }
    st.connects++;
    c->state = C_UP;
    issue_ops(c);
}

/* --------------------------------------------------------------- sending */

static void send_some(client_t *c)
{
    while (c->nsent < c->count) {
        size_t len = 0;
        uint32_t off = c->send_off;
        for (int i = c->nsent; i < c->count && len < IO_BUF; i++, off = 0) {
            const op_t *op = op_at(c, i);
            size_t n = op->req_len - off < IO_BUF - len ? op->req_len - off : IO_BUF - len;
            op_fill(c, op, 1, off, scratch + len, n);
            len += n;
        }
        ssize_t w = send(c->fd, scratch, len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            drop(c, strerror(errno), &st.lost_closed);
            return;
        }
        st.bytes_out += (uint64_t)w;
        for (size_t left = (size_t)w; left > 0;) {
            const op_t *op = op_at(c, c->nsent);
            size_t rest = op->req_len - c->send_off;
            size_t m = left < rest ? left : rest;
            c->send_off += (uint32_t)m;
            left -= m;
            if (c->send_off == op->req_len) c->nsent++, c->send_off = 0, st.sent++;
        }
        if ((size_t)w < len) return;
    }
}

/* ------------------------------------------------------------- receiving */

static void reply_done(client_t *c)
{
    const op_t *op = op_at(c, 0);
    c->window -= (uint64_t)op->req_len + op->rep_len;
    c->head = (c->head + 1) % MAX_PIPE;
    c->count--;
    c->nsent--;
    c->rep_off = 0;
    c->del_len = 0;
    c->kill_at = -1;
    st.verified++;
}

/* A reply that is not what was owed: counted, described, and the
 * connection dropped (its stream can no longer be trusted). */
static void corrupted(client_t *c, const op_t *op, size_t at, const char *got, size_t n)
{
    char want[40], have[40];
    size_t m = n - at < 32 ? n - at : 32;
    if (op->type == OP_DEL) snprintf(want, sizeof(want), ":0..%d", opt.keys);
    else op_fill(c, op, 0, c->rep_off + at, want, m);
    for (size_t i = 0; i < m; i++) {
        if (op->type != OP_DEL) want[i] = want[i] >= 32 && want[i] < 127 ? want[i] : '.';
        have[i] = got[at + i] >= 32 && got[at + i] < 127 ? got[at + i] : '.';
    }
    if (op->type != OP_DEL) want[m] = 0;
    have[m] = 0;
    int err = c->rep_off + at == 0 && got[at] == '-';
    if (err) st.errors++;
    else st.corrupted++;
    example("client %d gen %u: %s %s reply differs at byte %zu of %u: want \"%s\" got \"%s\"",
            c->slot, c->gen, err ? "error reply to" : "corrupted", op_name[op->type],
            (size_t)c->rep_off + at, op->rep_len, want, have);
    c->count--, c->nsent--;  /* this one is counted already */
    drop(c, "closed after a bad reply", &st.lost_corrupt);
}

/* DEL's reply: ":n\r\n" with 0 <= n <= --keys.  Returns bytes used, or -1
 * after dropping c. */
static long feed_del(client_t *c, const char *p, size_t n)
{
    size_t used = 0;
    while (used < n && c->del_len < (int)sizeof(c->del_acc) - 1) {
        c->del_acc[c->del_len++] = p[used++];
        if (c->del_len >= 2 && c->del_acc[c->del_len - 2] == '\r' && c->del_acc[c->del_len - 1] == '\n') {
            c->del_acc[c->del_len] = 0;
            long v = -1;
            if (c->del_acc[0] != ':' || sscanf(c->del_acc + 1, "%ld", &v) != 1 || v < 0 || v > opt.keys) break;
            reply_done(c);
            return (long)used;
        }
    }
    if (used == n && c->del_len < (int)sizeof(c->del_acc) - 1) return (long)used;
    corrupted(c, op_at(c, 0), 0, c->del_acc, (size_t)c->del_len);
    return -1;
}

/* Arm a kill in the middle of a reply that is about to start. */
static void maybe_arm_kill(client_t *c, const op_t *op)
{
    if (c->rep_off || c->kill_at >= 0 || op->type != OP_GET || op->rep_len < 32 * KB) return;
    if (rng() % 1000 < (uint64_t)opt.kill_permille) c->kill_at = (int64_t)rng_range(1, op->rep_len - 1);
}

/* Compare received bytes with the expected stream; returns 0 if c was
 * closed (bad reply or a planned kill). */
static int feed(client_t *c, const char *p, size_t n)
{
    while (n > 0) {
        if (c->nsent == 0) {
            example("client %d: %zu bytes nobody asked for", c->slot, n);
            st.corrupted++;
            drop(c, "closed after unrequested bytes", &st.lost_corrupt);
            return 0;
        }
        const op_t *op = op_at(c, 0);
        if (op->type == OP_DEL) {
            long used = feed_del(c, p, n);
            if (used < 0) return 0;
            p += used, n -= (size_t)used;
            continue;
        }
        maybe_arm_kill(c, op);
        size_t k = op->rep_len - c->rep_off < n ? op->rep_len - c->rep_off : n;
        if (c->kill_at >= 0 && c->rep_off + k > (uint64_t)c->kill_at) k = (size_t)c->kill_at - c->rep_off;
        op_fill(c, op, 0, c->rep_off, expect_buf, k);
        if (memcmp(expect_buf, p, k)) {
            size_t at = 0;
            while (expect_buf[at] == p[at]) at++;
            corrupted(c, op, at, p, k);
            return 0;
        }
        c->rep_off += (uint32_t)k;
        p += k, n -= k;
        if (c->kill_at >= 0 && c->rep_off == (uint64_t)c->kill_at) {
            st.killed++;
            st.abandoned += (uint64_t)unanswered(c);
            disconnect(c, 0.05);
            return 0;
        }
        if (c->rep_off == op->rep_len) reply_done(c);
    }
    return 1;
}

static void recv_some(client_t *c)
{
    size_t max = c->slow ? (size_t)rng_range(512, 8 * KB) : IO_BUF;
    ssize_t r = recv(c->fd, scratch, max, 0);
    if (r == 0 || (r < 0 && errno == ECONNRESET)) {
        drop(c, r == 0 ? "connection closed by the server" : "connection reset by the server",
             &st.lost_closed);
        return;
    }
    if (r < 0) {
        if (errno != EAGAIN && errno != EINTR) drop(c, strerror(errno), &st.lost_closed);
        return;
    }
    st.bytes_in += (uint64_t)r;
    if (!feed(c, scratch, (size_t)r)) return;
    if (c->slow) {  /* pause before the next read */
        c->paused = 1;
        c->resume_at = now_s() + (double)rng_range(1, 20) / 1000;
    }
    issue_ops(c);
}

/* ------------------------------------------------------------- the loop */

static void on_event(client_t *c, uint32_t ev)
{
    if (c->state == C_CONNECTING) {
        connected(c);
    } else if (c->state == C_UP) {
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) recv_some(c);
        if (c->state == C_UP && (ev & EPOLLOUT)) send_some(c);
    }
    if (c->state == C_UP && draining && c->count == 0) {
        close_fd(c);
        c->state = C_DONE;
    }
    if (c->fd >= 0) set_events(c);
}

/* Timers: connects, slow readers' pauses.  Returns clients not done. */
static int tick(double now)
{
    int live = 0;
    for (int i = 0; i < opt.clients; i++) {
        client_t *c = &clients[i];
        if (c->state == C_WAIT && draining) c->state = C_DONE;
        if (c->state == C_WAIT && now >= c->resume_at) start_connect(c);
        if (c->state == C_UP && c->paused && now >= c->resume_at) {
            c->paused = 0;
            set_events(c);
        }
        if (c->state == C_UP && draining && c->count == 0) on_event(c, 0);
        live += c->state != C_DONE;
    }
    return live;
}

static long rss_kb(void)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)opt.server_pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    fclose(f);
    return kb;
}

static void sample(void)
{
    if (opt.server_pid <= 0) return;
    long kb = rss_kb();
    if (kb < 0 || kill(opt.server_pid, 0) < 0) {
        if (!st.server_died) printf("fr-soak: the server (pid %d) is gone\n", (int)opt.server_pid);
        st.server_died = 1;
        return;
    }
    st.last_rss_kb = kb;
    if (kb > st.max_rss_kb) st.max_rss_kb = kb;
}

static void progress(double t)
{
    printf("fr-soak: %5.0f s  sent %" PRIu64 "  verified %" PRIu64 "  lost %" PRIu64
           "  corrupted %" PRIu64 "  killed %" PRIu64 "  in %.0f MB  out %.0f MB  RSS %.0f MB (max %.0f)"
           "  big keys %d\n",
           t, st.sent, st.verified, st.lost, st.corrupted + st.errors, st.killed, st.bytes_in / 1e6,
           st.bytes_out / 1e6, st.last_rss_kb / 1024.0, st.max_rss_kb / 1024.0, big_keys_now);
}

/* Runs until --duration, then drains for at most --drain seconds. */
static void run(void)
{
    struct epoll_event evs[256];
    double t0 = now_s(), next_sample = t0, next_report = t0 + opt.report;
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, 2);
        for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events);
        double now = now_s();
        if (!draining && now - t0 >= opt.duration) {
            draining = 1;
            printf("fr-soak: %.0f s of load done; draining (at most %.0f s)\n", now - t0, opt.drain);
        }
        int live = tick(now);
        if (now >= next_sample) sample(), next_sample += 1;
        if (now >= next_report) progress(now - t0), next_report += opt.report;
        if (live == 0 || st.server_died || (draining && now - t0 >= opt.duration + opt.drain)) break;
    }
}

/* Whatever is still owed when the run ends is lost. */
static void finish(void)
{
    for (int i = 0; i < opt.clients; i++) {
        client_t *c = &clients[i];
        int n = c->state == C_UP ? unanswered(c) : 0;
        if (n) example("client %d: %d replies unanswered at the end", c->slot, n);
        st.lost += (uint64_t)n;
        st.lost_end += (uint64_t)n;
        close_fd(c);
    }
}

static int summary(double secs)
{
    int ok = !st.lost && !st.corrupted && !st.errors && !st.server_died;
    printf("\nfr-soak summary (127.0.0.1:%d, %d clients, %d%% slow, %.0f s)\n", opt.port, opt.clients,
           opt.slow_pct, secs);
    printf("  commands sent            %" PRIu64 " (%" PRIu64 " SET, %" PRIu64 " of them 1-10 MB; %" PRIu64 " GET)\n",
           st.sent, st.sets, st.big_sets, st.gets);
    printf("  replies verified         %" PRIu64 "\n", st.verified);
    printf("  lost                     %" PRIu64 " (connection closed/reset by the server: %" PRIu64
           ", after a bad reply: %" PRIu64 ", unanswered at the end: %" PRIu64 ")\n",
           st.lost, st.lost_closed, st.lost_corrupt, st.lost_end);
    printf("  corrupted                %" PRIu64 " (+ %" PRIu64 " error replies)\n", st.corrupted, st.errors);
    printf("  unexpected disconnects   %" PRIu64 "\n", st.drops);
    printf("  clients killed by design %" PRIu64 " (%" PRIu64 " replies abandoned with them)\n",
           st.killed, st.abandoned);
    printf("  connections              %" PRIu64 " (%" PRIu64 " failed attempts)\n", st.connects, st.connect_fail);
    printf("  bytes moved              %.1f MB sent, %.1f MB received\n", st.bytes_out / 1e6, st.bytes_in / 1e6);
    if (opt.server_pid > 0)
        printf("  server max RSS           %.1f MB%s\n", st.max_rss_kb / 1024.0, st.server_died ? " (server died)" : "");
    printf("soak: sent=%" PRIu64 " verified=%" PRIu64 " lost=%" PRIu64 " corrupted=%" PRIu64 " errors=%" PRIu64
           " killed=%" PRIu64 " bytes=%" PRIu64 " max_rss_kb=%ld result=%s\n",
           st.sent, st.verified, st.lost, st.corrupted, st.errors, st.killed, st.bytes_in + st.bytes_out,
           st.max_rss_kb, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

/* ----------------------------------------------------------------- setup */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fr-soak --port N [options]   (docs/soak.md)\n"
            "  --clients N        connections (1000)\n"
            "  --duration S       seconds of load (600), then --drain S (60) at most\n"
            "  --server-pid PID   sample its VmRSS every second; stop if it dies\n"
            "  --keys N           keys per client, <= 16 (4)\n"
            "  --pipeline N       commands in flight per client, <= 64 (16)\n"
            "  --window BYTES     request + reply bytes in flight per client (2097152)\n"
            "  --slow-pct N       %% of clients reading 0.5-8 KB every 1-20 ms (10)\n"
            "  --kill-permille N  of GET replies >= 32 KB, close the client mid-reply (10)\n"
            "  --big-permille N   of SETs, a 1-10 MB value (5) ...\n"
            "  --big-keys N       ... while fewer than N keys hold one (64)\n"
            "  --seed N           (1)   --report S  progress every S seconds (10)\n");
}

static double num(const char *s, const char *name)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || v < 0) {
        fprintf(stderr, "fr-soak: bad %s '%s'\n", name, s);
        exit(2);
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage(stdout), exit(0);
        if (i + 1 >= argc) usage(stderr), exit(2);
        double v = num(argv[++i], a);
        if (!strcmp(a, "--port")) opt.port = (int)v;
        else if (!strcmp(a, "--clients")) opt.clients = (int)v;
        else if (!strcmp(a, "--duration")) opt.duration = v;
        else if (!strcmp(a, "--drain")) opt.drain = v;
        else if (!strcmp(a, "--report")) opt.report = v;
        else if (!strcmp(a, "--server-pid")) opt.server_pid = (pid_t)v;
        else if (!strcmp(a, "--seed")) opt.seed = (uint64_t)v;
        else if (!strcmp(a, "--keys")) opt.keys = (int)v;
        else if (!strcmp(a, "--pipeline")) opt.pipeline = (int)v;
        else if (!strcmp(a, "--window")) opt.window = (uint64_t)v;
        else if (!strcmp(a, "--slow-pct")) opt.slow_pct = (int)v;
        else if (!strcmp(a, "--kill-permille")) opt.kill_permille = (int)v;
        else if (!strcmp(a, "--big-permille")) opt.big_permille = (int)v;
        else if (!strcmp(a, "--big-keys")) opt.big_keys = (int)v;
        else usage(stderr), exit(2);
    }
    if (opt.port <= 0 || opt.port == 6379 || opt.clients < 1 || opt.keys < 1 || opt.keys > MAX_KEYS ||
        opt.pipeline < 1 || opt.pipeline > MAX_PIPE || opt.report <= 0) {
        usage(stderr);
        exit(2);
    }
}

/* One fd per client plus a few: raise the soft limit as far as needed. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)opt.clients + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < want)
            fprintf(stderr, "fr-soak: only %lu fds for %d clients\n", (unsigned long)rl.rlim_cur, opt.clients);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    raise_fd_limit();
    rng_state = opt.seed * 0x100000001ULL;
    epfd = epoll_create1(0);
    clients = calloc((size_t)opt.clients, sizeof(client_t));
    scratch = malloc(IO_BUF);
    expect_buf = malloc(IO_BUF);
    if (epfd < 0 || !clients || !scratch || !expect_buf) return fprintf(stderr, "fr-soak: out of memory\n"), 1;
    double t0 = now_s();
    for (int i = 0; i < opt.clients; i++) {
        client_t *c = &clients[i];
        c->slot = i;
        c->fd = -1;
        c->kill_at = -1;
        c->gen = 1;  /* gen 0 never exists: the first DEL is harmless */
        c->need_del = 1;
        c->slow = (int)(rng() % 100) < opt.slow_pct;
        c->resume_at = t0 + i * 0.0005;  /* connects spread over 0.5 s per 1000 */
    }
    printf("fr-soak: %d clients (%d%% slow) on 127.0.0.1:%d for %.0f s\n", opt.clients, opt.slow_pct, opt.port,
           opt.duration);
    sample();
    run();
    finish();
    int rc = summary(now_s() - t0);
    free(clients);
    free(scratch);
    free(expect_buf);
    close(epfd);
    return rc;
}

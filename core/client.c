/* client.c -- one connection's life: reading requests, flushing replies,
 * closing.
 *
 * Input: bytes are read into `qbuf` and handed to the RESP parser; a large
 * bulk argument is read by the parser's direct target straight into its
 * final buffer, so hundreds of MB cost one copy, not a quadratic series.
 * Output: replies gather in `buf` then in a block list (reply.c); the client
 * is queued on fr_proto.pending_writes and flushed with writev right before
 * the loop sleeps, so a pipeline of N commands costs one write.  A slow
 * reader only grows its own buffers; the write watcher resumes it.
 *
 * A client is never freed while one of its commands runs: closing is
 * deferred with FR_CLIENT_CLOSE_ASAP and done in the flush pass.
 *
 * Owns the protocol layer's state (fr_proto) and its upcalls: a complete
 * request is handed to upcalls.run_command, a client about to be freed to
 * upcalls.client_gone (both set by the runtime at start-up). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "obuf_limit.h"
#include "protocol.h"

#define FR_MAX_WRITE_IOV 64

fr_protocol fr_proto = {.next_client_id = 1, .default_user_nopass = 1, .default_user_open = 1};

static void read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void write_cb(struct ev_loop *loop, ev_io *w, int revents);

/* ------------------------------------------------------------ upcalls */

static void no_run_command(fr_client *c)
{
    (void)c;
}

static void no_client_gone(fr_client *c)
{
    (void)c;
}

static fr_proto_upcalls up = {no_run_command, no_client_gone, NULL, NULL};

void fr_proto_set_upcalls(const fr_proto_upcalls *u)
{
    up = *u;
}

/* libev's time of the last wakeup: the base clock's seconds. */
static double loop_now(void)
{
    return ev_now(fr_proto.loop);
}

void fr_proto_init(struct ev_loop *loop)
{
    fr_proto.loop = loop;
    fr_clock_set_loop_source(loop_now);
}

/* The CLIENT LIST line the runtime formats, or a short one without it. */
fr_str *fr_client_describe(fr_client *c)
{
    if (up.describe) return up.describe(c);
    char b[128];
    fr_client_id_addr(c, b, sizeof(b));
    return fr_str_cat(fr_str_new_empty(96), b, strlen(b));
}

const char *fr_client_id_addr(const fr_client *c, char *buf, size_t len)
{
    snprintf(buf, len, "id=%llu addr=%s", (unsigned long long)c->id, c->addr);
    return buf;
}

/* Clients by id: CLIENT KILL ID, UNBLOCK, and tracking's invalidations,
 * which look up every reader of a changed key. */
static const fr_dict_type by_id_type = {.hash = fr_dict_ptr_hash};
static fr_dict *by_id;

fr_client *fr_client_create(int fd, const char *addr, const char *laddr, int is_local)
{
    fr_client *c = fr_calloc(sizeof(*c));
    c->id = fr_proto.next_client_id++;
    c->fd = fd;
    c->resp = 2;
    /* As Redis: while the default user is nopass and on, a connection is
     * authenticated at once, and stays so when a password is set later. */
    c->authenticated = fr_proto.default_user_open;
    c->is_local = is_local;
    snprintf(c->addr, sizeof(c->addr), "%s", addr);
    snprintf(c->laddr, sizeof(c->laddr), "%s", laddr);
    c->ctime = c->last_interaction = fr_clock_unix();
    fr_reqparser_init(&c->parser);
    c->rio.data = c;
    c->wio.data = c;
    ev_io_init(&c->rio, read_cb, fd, EV_READ);
    ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
    ev_io_start(fr_proto.loop, &c->rio);
    c->next = fr_proto.clients;
    if (fr_proto.clients) fr_proto.clients->prev = c;
    fr_proto.clients = c;
    fr_proto.numclients++;
    if (!by_id) by_id = fr_dict_create(&by_id_type);
    fr_dict_add(by_id, (void *)(uintptr_t)c->id, c);
    return c;
}

static void unlink_pending(fr_client *c)
{
    fr_client **pp = &fr_proto.pending_writes;
    while (*pp) {
        if (*pp == c) {
            *pp = c->pending_next;
            break;
        }
        pp = &(*pp)->pending_next;
    }
    c->flags &= ~FR_CLIENT_PENDING_WRITE;
}

static void unlink_unblocked(fr_client *c)
{
    fr_client **pp = &fr_proto.unblocked;
    while (*pp && *pp != c) pp = &(*pp)->unblocked_next;
    if (*pp) *pp = c->unblocked_next;
    c->flags &= ~FR_CLIENT_UNBLOCKED;
}

static void unlink_read(fr_client *c)
{
    fr_client **pp = &fr_proto.read_batch;
    while (*pp && *pp != c) pp = &(*pp)->read_next;
    if (*pp) *pp = c->read_next;
    c->flags &= ~FR_CLIENT_READ_QUEUED;
}

void fr_client_free(fr_client *c)
{
    up.client_gone(c);
    if (c->flags & FR_CLIENT_PENDING_WRITE) unlink_pending(c);
    if (c->flags & FR_CLIENT_UNBLOCKED) unlink_unblocked(c);
    if (c->flags & FR_CLIENT_READ_QUEUED) unlink_read(c);
    ev_io_stop(fr_proto.loop, &c->rio);
    ev_io_stop(fr_proto.loop, &c->wio);
    close(c->fd);
    if (c->prev) c->prev->next = c->next;
    else fr_proto.clients = c->next;
    if (c->next) c->next->prev = c->prev;
    fr_proto.numclients--;
    fr_dict_delete(by_id, (void *)(uintptr_t)c->id);
    fr_reqparser_free(&c->parser);
    fr_free(c->qbuf);
    fr_str_free(c->name);
    fr_client_free_replies(c);
    if (fr_proto.current_client == c) fr_proto.current_client = NULL;
    fr_free(c);
}

static void queue_pending(fr_client *c)
{
    if (c->flags & (FR_CLIENT_PENDING_WRITE | FR_CLIENT_CAPTURE)) return;
    c->flags |= FR_CLIENT_PENDING_WRITE;
    c->pending_next = fr_proto.pending_writes;
    fr_proto.pending_writes = c;
}

void fr_client_close_async(fr_client *c)
{
    c->flags |= FR_CLIENT_CLOSE_ASAP;
    queue_pending(c);
}

void fr_client_mark_pending(fr_client *c)
{
    queue_pending(c);
}

/* Bytes queued and not yet written. */
size_t fr_client_output_bytes(const fr_client *c)
{
    return (c->bufpos - c->sentlen) + (c->reply_bytes - c->reply_head_sent);
}

/* ----------------------------------------------------------------- input */

/* A password is set and this connection has not given it (Redis's
 * authRequired): only NO_AUTH commands run, requests and replies are
 * capped. */
int fr_client_auth_required(const fr_client *c)
{
    return !fr_proto.default_user_open && !c->authenticated;
}

static fr_reqlimits limits_for(const fr_client *c)
{
    fr_reqlimits lim;
    fr_reqlimits_default(&lim);
    lim.proto_max_bulk_len = fr_cfg.proto_max_bulk_len;
    lim.auth_required = fr_client_auth_required(c);
    /* read for every chunk fed to the parser: a CONFIG SET core.mode applies
     * to the next header parsed, even in a request begun before it */
    if (fr_cfg.core_hardened) {
        lim.hardened_max_mbulk = fr_cfg.hardened_proto_max_multibulk_len;
        lim.hardened_max_bulk = fr_cfg.hardened_proto_max_bulk_len;
    }
    return lim;
}

static void hardened_refusal(fr_client *c, const char *rule, const char *detail)
{
    if (up.hardened_refusal) up.hardened_refusal(c, rule, detail);
}

static void protocol_error(fr_client *c)
{
    fr_log(FR_LOG_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s",
           c->parser.error, (unsigned long long)c->id, c->addr);
    char msg[256];
    int n = snprintf(msg, sizeof(msg), "-ERR %s\r\n", c->parser.error);
    fr_proto.stats.total_error_replies++;
    fr_error_count("ERR", 3);
    fr_client_add_reply(c, msg, (size_t)n);
    c->flags |= FR_CLIENT_CLOSE_AFTER_REPLY;
    const char *why = c->parser.error_reason;
    if (why && !strncmp(why, "hardened ", 9))
        hardened_refusal(c, !strcmp(why, "hardened bulk length") ? "proto-bulk-length" : "proto-mbulk-count",
                         c->parser.error);
}

/* Run every complete command the buffered bytes hold, until one blocks. */
static void process_input(fr_client *c)
{
    while (!(c->flags & (FR_CLIENT_CLOSE_AFTER_REPLY | FR_CLIENT_CLOSE_ASAP | FR_CLIENT_BLOCKED))) {
        int ready = 0;
        fr_reqlimits lim = limits_for(c);
        size_t used = fr_reqparser_feed(&c->parser, c->qbuf + c->qpos, c->qlen - c->qpos, &lim, &ready);
        c->qpos += used;
        if (c->parser.error) {
            protocol_error(c);
            break;
        }
        if (!ready) break;
        up.run_command(c);
        if (c->flags & FR_CLIENT_BLOCKED) break; /* the command stays parsed */
        fr_reqparser_reset_command(&c->parser);
    }
    if (c->qpos == c->qlen) c->qpos = c->qlen = 0;
    /* when the request now being received began: the hardened mode's
     * partial-request timeout (slow senders) counts from it */
    int partial = c->qlen > c->qpos || fr_reqparser_pending(&c->parser) > 0;
    if (!partial) c->partial_since = 0;
    else if (!c->partial_since) c->partial_since = fr_clock_unix();
}

static int query_buffer_too_big(fr_client *c)
{
    size_t held = c->qlen - c->qpos + fr_reqparser_pending(&c->parser);
    if ((long long)held <= fr_cfg.client_query_buffer_limit) return 0;
    fr_log(FR_LOG_WARNING, "Closing client that reached max query buffer length: id=%llu addr=%s (qbuf initial bytes: ...)",
           (unsigned long long)c->id, c->addr);
    fr_proto.stats.client_qbuf_limit_disconnections++;
    return 1;
}

static ssize_t read_into_qbuf(fr_client *c)
{
    if (c->qpos > 0 && c->qpos == c->qlen) c->qpos = c->qlen = 0;
    if (c->qpos > 0 && c->qcap - c->qlen < FR_IOBUF_LEN) {
        memmove(c->qbuf, c->qbuf + c->qpos, c->qlen - c->qpos);
        c->qlen -= c->qpos;
        c->qpos = 0;
    }
    if (c->qcap - c->qlen < FR_IOBUF_LEN) {
        /* Below 16 KB (new, or trimmed by the cron) the buffer grows to
         * just what one read needs, as Redis's does, so a trimmed buffer
         * comes back at 16 KB and is not trimmed again; above it doubles
         * (pipelines). */
        size_t need = c->qlen + FR_IOBUF_LEN;
        size_t ncap = c->qcap < FR_IOBUF_LEN ? need : c->qcap * 2;
        if (ncap < need) ncap = need;
        c->qbuf = fr_realloc(c->qbuf, ncap);
        c->qcap = ncap;
    }
    ssize_t n = read(c->fd, c->qbuf + c->qlen, c->qcap - c->qlen);
    if (n > 0) c->qlen += (size_t)n;
    return n;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    fr_client *c = w->data;
    if (c->flags & (FR_CLIENT_CLOSE_ASAP | FR_CLIENT_CLOSE_AFTER_REPLY)) return;
    char *dst;
    size_t room;
    ssize_t n;
    if (fr_reqparser_direct_target(&c->parser, &dst, &room)) {
        n = read(c->fd, dst, room);
        if (n > 0) fr_reqparser_direct_commit(&c->parser, (size_t)n);
    } else {
        n = read_into_qbuf(c);
    }
    if (n == 0) {
        fr_log(FR_LOG_VERBOSE, "Client closed connection id=%llu addr=%s", (unsigned long long)c->id, c->addr);
        fr_client_free(c);
        return;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        fr_log(FR_LOG_VERBOSE, "Reading from client: %s", strerror(errno));
        fr_client_free(c);
        return;
    }
    fr_proto.stats.net_input_bytes += n;
    fr_proto.stats.total_reads_processed++;
    size_t held = c->qlen + fr_reqparser_pending(&c->parser);
    if (held > c->qbuf_peak) c->qbuf_peak = held;
    c->last_interaction = fr_clock_unix();
    if (query_buffer_too_big(c)) {
        fr_client_free(c);
        return;
    }
    /* libev calls back the sockets one wake-up found readable in the
     * reverse of the kernel's order; stacking them here restores it. */
    if (!(c->flags & FR_CLIENT_READ_QUEUED)) {
        c->flags |= FR_CLIENT_READ_QUEUED;
        c->read_next = fr_proto.read_batch;
        fr_proto.read_batch = c;
    }
}

void fr_clients_process_reads(void)
{
    fr_client *c;
    while ((c = fr_proto.read_batch) != NULL) {
        fr_proto.read_batch = c->read_next;
        c->flags &= ~FR_CLIENT_READ_QUEUED;
        fr_proto.current_client = c;
        process_input(c);
        fr_proto.current_client = NULL;
        if (c->flags & (FR_CLIENT_CLOSE_AFTER_REPLY | FR_CLIENT_CLOSE_ASAP)) queue_pending(c);
    }
}

void fr_client_hold_input(fr_client *c)
{
    c->flags |= FR_CLIENT_BLOCKED;
}

void fr_client_release_input(fr_client *c, int rerun)
{
    c->flags &= ~FR_CLIENT_BLOCKED;
    c->flags = rerun ? c->flags | FR_CLIENT_RERUN : c->flags & ~FR_CLIENT_RERUN;
    if (c->flags & FR_CLIENT_UNBLOCKED) return;
    c->flags |= FR_CLIENT_UNBLOCKED;
    c->unblocked_next = NULL;
    fr_client **pp = &fr_proto.unblocked;   /* FIFO: released first, runs first */
    while (*pp) pp = &(*pp)->unblocked_next;
    *pp = c;
}

/* Resume released clients in order: the held command first (run again or
 * dropped), then whatever arrived meanwhile.  Each is taken off the live
 * queue before it runs, so a client freed by another one's command (CLIENT
 * KILL) simply leaves the queue. */
void fr_clients_resume_unblocked(void)
{
    fr_client *c;
    while ((c = fr_proto.unblocked) != NULL) {
        fr_proto.unblocked = c->unblocked_next;
        c->flags &= ~FR_CLIENT_UNBLOCKED;
        if (c->flags & (FR_CLIENT_BLOCKED | FR_CLIENT_CLOSE_ASAP | FR_CLIENT_CLOSE_AFTER_REPLY)) continue;
        fr_proto.current_client = c;
        if (c->flags & FR_CLIENT_RERUN) up.run_command(c);
        c->flags &= ~FR_CLIENT_RERUN;
        if (!(c->flags & FR_CLIENT_BLOCKED)) {
            fr_reqparser_reset_command(&c->parser);
            process_input(c);
        }
        fr_proto.current_client = NULL;
        queue_pending(c);
    }
}

/* ---------------------------------------------------------------- output */

/* Fills `iov` with the pending output in order: the unsent part of `buf`,
 * then the blocks up to the first deferred one (its header is not known
 * yet).  Returns the number of entries used. */
static int gather_output(fr_client *c, struct iovec *iov, int max)
{
    int n = 0;
    if (c->bufpos > c->sentlen) {
        iov[n].iov_base = c->buf + c->sentlen;
        iov[n++].iov_len = c->bufpos - c->sentlen;
    }
    size_t skip = c->reply_head_sent;
    for (fr_reply_block *b = c->reply_head; b && n < max; b = b->next) {
        if (b->deferred) break;
        if (b->used > skip) {
            iov[n].iov_base = b->data + skip;
            iov[n++].iov_len = b->used - skip;
        }
        skip = 0;
    }
    return n;
}

/* Write as much as the socket takes.  Returns -1 if the client is gone. */
static int write_some(fr_client *c)
{
    while (fr_client_output_bytes(c) > 0) {
        struct iovec iov[FR_MAX_WRITE_IOV];
        int n = gather_output(c, iov, FR_MAX_WRITE_IOV);
        if (n == 0) return 0;
        ssize_t w = n == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len) : writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
            fr_log(FR_LOG_VERBOSE, "Error writing to client: %s", strerror(errno));
            return -1;
        }
        if (c->flags & FR_CLIENT_REPLICA) fr_proto.stats.net_repl_output_bytes += w;
        else fr_proto.stats.net_output_bytes += w;
        c->last_interaction = fr_clock_unix();
        fr_proto.stats.total_writes_processed++;
        fr_reply_consume(c, (size_t)w);
        if ((size_t)w < fr_iov_total(iov, n)) return 0;
    }
    return 0;
}

/* Flush one client; returns -1 if it was freed. */
static int flush_client(fr_client *c)
{
    if (c->flags & FR_CLIENT_CLOSE_ASAP) {
        fr_client_free(c);
        return -1;
    }
    if (write_some(c) < 0) {
        fr_client_free(c);
        return -1;
    }
    if (fr_client_output_bytes(c) == 0) {
        if (ev_is_active(&c->wio)) ev_io_stop(fr_proto.loop, &c->wio);
        if (c->flags & FR_CLIENT_CLOSE_AFTER_REPLY) {
            fr_client_free(c);
            return -1;
        }
    } else if (!ev_is_active(&c->wio)) {
        ev_io_start(fr_proto.loop, &c->wio);
    }
    return 0;
}

void fr_client_flush_pending(void)
{
    while (fr_proto.pending_writes) {
        fr_client *c = fr_proto.pending_writes;
        fr_proto.pending_writes = c->pending_next;
        c->flags &= ~FR_CLIENT_PENDING_WRITE;
        flush_client(c);
    }
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    fr_client *c = w->data;
    if (c->flags & FR_CLIENT_PENDING_WRITE) unlink_pending(c);
    flush_client(c);
}

/* ------------------------------------------------------------------ cron */

/* Idle timeouts (never for a subscribed client, which waits for messages,
 * nor for a replica, as in Redis), and output limits for readers that stopped reading (no
 * new reply would check them). */
/* Query buffer memory is given back by Redis's two rules (clientsCron),
 * counting the query buffer and the parser's spare big-argument buffer,
 * and only when over 4 KB of them is unused:
 *  - a connection idle for more than 2 s keeps only its pending bytes
 *    (thousands of idle connections should not hold 16 KB each);
 *  - a busy one whose buffers pass 32 KB and are more than twice the most
 *    it held since the last pass (qbuf_peak) keeps the larger of the two.
 * Blocked clients keep theirs: their next command waits in the buffer. */
static void resize_qbuf(fr_client *c, size_t want)
{
    size_t pending = c->qlen - c->qpos;
    if (want < pending) want = pending;
    if (want >= c->qcap) return;
    memmove(c->qbuf, c->qbuf + c->qpos, pending);
    c->qlen = pending;
    c->qpos = 0;
    if (want == 0) {
        fr_free(c->qbuf);
        c->qbuf = NULL;
    } else {
        c->qbuf = fr_realloc(c->qbuf, want);
    }
    c->qcap = want;
}

static void trim_query_buffers(fr_client *c, time_t now)
{
    size_t pending = c->qlen - c->qpos, peak = c->qbuf_peak;
    size_t size = c->qcap + fr_reqparser_spare_size(&c->parser);
    c->qbuf_peak = pending + fr_reqparser_pending(&c->parser);
    if ((c->flags & FR_CLIENT_BLOCKED) || size - pending <= 4096) return;
    if (now - c->last_interaction > 2) {
        fr_reqparser_drop_spare(&c->parser);
        resize_qbuf(c, 0);
    } else if (size > FR_QBUF_RESIZE_THRESHOLD && size / 2 > peak) {
        fr_reqparser_drop_spare(&c->parser);
        resize_qbuf(c, peak);
    }
}

void fr_clients_cron(void)
{
    time_t now = fr_clock_unix();
    fr_client *c = fr_proto.clients;
    while (c) {
        fr_client *next = c->next;
        if (fr_cfg.timeout > 0 && now - c->last_interaction > fr_cfg.timeout && !fr_client_subscribed(c) &&
            !(c->flags & FR_CLIENT_REPLICA)) {
            fr_log(FR_LOG_VERBOSE, "Closing idle client");
            fr_client_free(c);
        } else if (fr_cfg.core_hardened && fr_cfg.hardened_partial_request_timeout > 0 && c->partial_since &&
                   now - c->partial_since > fr_cfg.hardened_partial_request_timeout &&
                   !(c->flags & FR_CLIENT_BLOCKED)) {
            fr_log(FR_LOG_WARNING, "Closing client that sent part of a request %lld seconds ago (hardened mode): "
                   "id=%llu addr=%s", (long long)(now - c->partial_since), (unsigned long long)c->id, c->addr);
            hardened_refusal(c, "proto-partial-timeout", "a request left half sent");
            fr_client_free(c);
        } else {
            trim_query_buffers(c, now);
            fr_obuf_enforce(c, 0);
        }
        c = next;
    }
}

fr_client *fr_client_by_id(uint64_t id)
{
    return by_id ? fr_dict_fetch_value(by_id, (void *)(uintptr_t)id) : NULL;
}

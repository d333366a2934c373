/* repl_master.c -- the replicas of this server and what each receives.
 *
 * A replica is registered when it sends SYNC or PSYNC and forgotten when
 * its client is freed (client-reset hook).  An online replica gets the
 * stream as it is fed; one whose snapshot is being made holds it (held)
 * and gets it right after the snapshot (after a diskless transfer: once it
 * acknowledges, since the EOF mark must end what it has read); one
 * waiting for a snapshot to start gets nothing, it will be sent a snapshot
 * taken later; one that asked for the snapshot alone (rdb-only) never
 * gets the stream.
 *
 * Once a second (Redis's replicationCron): PING through the stream every
 * repl-ping-replica-period seconds, a newline to replicas waiting for
 * their snapshot (keeps their link alive, not part of the stream; never
 * inside a streamed snapshot), replicas
 * silent for repl-timeout seconds dropped, and the backlog freed after
 * repl-backlog-ttl seconds without replicas. */
#include <stdio.h>
#include <string.h>

#include "repl_internal.h"

repl_replica *repl_replica_of(const fr_client *c)
{
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (r->c == c) return r;
    return NULL;
}

int repl_replica_count(void)
{
    int n = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) n++;
    return n;
}

/* Redis's disconnectSlaves: our history changed under them (a new ID, or
 * a new dataset from our own master); they reconnect and PSYNC again.
 * Closed clients get nothing more; the client-reset hook forgets them. */
void repl_replicas_disconnect(void)
{
    for (repl_replica *r = repl_g.replicas; r; r = r->next) fr_client_close(r->c);
}

/* What REPLCONF said before SYNC/PSYNC, kept per connection. */
static repl_replica *handshakes;

repl_replica *repl_handshake_of(fr_client *c)
{
    repl_replica *r = repl_replica_of(c);
    if (r) return r;
    for (r = handshakes; r; r = r->next)
        if (r->c == c) return r;
    r = fr_calloc(sizeof(*r));
    r->c = c;
    r->next = handshakes;
    handshakes = r;
    return r;
}

static repl_replica *take_handshake(fr_client *c)
{
    for (repl_replica **p = &handshakes; *p; p = &(*p)->next) {
        if ((*p)->c != c) continue;
        repl_replica *r = *p;
        *p = r->next;
        r->next = NULL;
        return r;
    }
    return NULL;
}

repl_replica *repl_replica_add(fr_client *c)
{
    repl_replica *r = take_handshake(c);
    if (!r) r = fr_calloc(sizeof(*r));
    r->c = c;
    r->state = REPL_WAIT_BGSAVE_START;
    r->ack_time = time(NULL);
    repl_replica **tail = &repl_g.replicas;
    while (*tail) tail = &(*tail)->next;
    *tail = r;
    fr_client_set_replica(c);
    return r;
}

void repl_replica_forget(fr_client *c)
{
    fr_free(take_handshake(c));
    for (repl_replica **p = &repl_g.replicas; *p; p = &(*p)->next) {
        if ((*p)->c != c) continue;
        repl_replica *r = *p;
        *p = r->next;
        fr_log(FR_LOG_NOTICE, "Connection with replica %s lost.", fr_client_addr(c));
        fr_str_free(r->held);
        fr_free(r);
        repl_report_held();
        if (!repl_g.replicas) repl_g.no_replicas_since = time(NULL);
        return;
    }
}

/* The stream held for replicas is theirs, not the dataset's: the core
 * leaves it out of maxmemory's count, as it does their output buffers. */
void repl_report_held(void)
{
    size_t held = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (r->held) held += r->held->cap;
    fr_repl_report_replica_held((long long)held);
}

/* A replica that wanted only the snapshot (rdb-only) gets no stream. */
void repl_send_to_replicas(const void *p, size_t len)
{
    int holding = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->rdb_only) continue;
        if (r->state == REPL_ONLINE && !r->stream_on_ack) {
            fr_client_write_raw(r->c, p, len);
        } else if (r->state == REPL_WAIT_BGSAVE_END || r->stream_on_ack) {
            r->held = fr_str_cat(r->held ? r->held : fr_str_new_empty(0), p, len);
            holding = 1;
        }
    }
    if (holding) repl_report_held();
}

static void send_held(repl_replica *r)
{
    if (!r->held) return;
    fr_client_write_raw(r->c, r->held->buf, r->held->len);
    fr_str_free(r->held);
    r->held = NULL;
    repl_report_held();
}

static void go_online(repl_replica *r)
{
    r->state = REPL_ONLINE;
    r->ack_time = time(NULL);
    fr_log(FR_LOG_NOTICE, "Synchronization with replica %s succeeded", fr_client_addr(r->c));
}

/* After its snapshot: what was held, then the live stream. */
void repl_replica_online(repl_replica *r)
{
    send_held(r);
    go_online(r);
}

void repl_replica_online_on_ack(repl_replica *r)
{
    r->stream_on_ack = 1;
    go_online(r);
}

void repl_replica_ack_start(repl_replica *r)
{
    if (!r->stream_on_ack || r->state != REPL_ONLINE) return;
    r->stream_on_ack = 0;
    send_held(r);
}

const char *repl_state_name(int state)
{
    switch (state) {
    case REPL_WAIT_BGSAVE_START:
    case REPL_WAIT_BGSAVE_END: return "wait_bgsave";
    case REPL_ONLINE: return "online";
    default: return "";
    }
}

const char *repl_replica_ip(const repl_replica *r, char *buf, size_t len)
{
    if (r->announced_ip[0]) return r->announced_ip;
    const char *addr = fr_client_addr(r->c);
    const char *colon = strrchr(addr, ':');
    if (!colon || addr[0] == '/') return NULL;
    snprintf(buf, len, "%.*s", (int)(colon - addr), addr);
    return buf;
}

/* Shutdown waits while a replica has not acknowledged the whole stream
 * (shutdown-timeout), as Redis's isReadyToShutdown: asked first, it has
 * them acknowledge at once (REPLCONF GETACK); last, it logs who is
 * behind, in Redis's words. */
int repl_shutdown_wait(int phase)
{
    int n = 0, lagging = 0;
    time_t now = time(NULL);
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        n++;
        if (r->ack_off == repl_g.master_repl_offset) continue;
        lagging++;
        if (phase != FR_SHUTDOWN_WAIT_FINAL) continue;
        char ip[64];
        const char *host = repl_replica_ip(r, ip, sizeof(ip));
        fr_log(FR_LOG_WARNING, "Lagging replica %s:%d reported offset %lld behind master, lag=%ld, state=%s.",
               host ? host : "?", r->listening_port, repl_g.master_repl_offset - r->ack_off,
               r->state == REPL_ONLINE ? (long)(now - r->ack_time) : 0L, repl_state_name(r->state));
    }
    if (phase == FR_SHUTDOWN_WAIT_FINAL && n)
        fr_log(FR_LOG_NOTICE, "%d of %d replicas are in sync when shutting down.", n - lagging, n);
    if (phase == FR_SHUTDOWN_WAIT_ASK && lagging) repl_request_acks();
    return lagging > 0;
}

static void drop_timed_out(time_t now)
{
    long long timeout = fr_config_server_ll("repl-timeout", 60);
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        if (r->state != REPL_ONLINE || r->pre_psync) continue;
        if (now - r->ack_time > timeout) {
            fr_log(FR_LOG_WARNING, "Disconnecting timedout replica (streaming sync): %s", fr_client_addr(r->c));
            fr_client_close(r->c);
        }
    }
}

/* Only a master frees its backlog: a replica keeps its master's history
 * for the replicas it may have after a failover (Redis's replicationCron). */
static void backlog_ttl(time_t now)
{
    long long ttl = replication_conf_repl_backlog_ttl();
    if (repl_g.replicas || !repl_g.backlog || !ttl || repl_is_replica()) return;
    if (now - repl_g.no_replicas_since <= ttl) return;
    /* a new ID: writes made while no backlog counts them must not look
     * like part of this history to a server that later follows us */
    repl_change_replid();
    repl_clear_replid2();
    repl_backlog_free();
    fr_log(FR_LOG_NOTICE, "Replication backlog freed after %lld seconds without connected replicas.", ttl);
}

void repl_cron_second(void)
{
    time_t now = time(NULL);
    /* never in the first pass: Redis's runs at start-up, before any
     * replica can be there, so a replica attached before our first pass
     * must not get a PING Redis would not send */
    if (repl_g.replicas && repl_g.cron_loops > 0 && !repl_failover_holds_pings() &&
        repl_g.cron_loops % replication_conf_repl_ping_replica_period() == 0) {
        /* lower case as Redis sends it: the bytes count in every
         * replica's offset and land in its backlog */
        static const fr_str *ping;
        if (!ping) ping = fr_str_new("ping", 4);
        repl_feed_command(-1, 1, &ping);
    }
    for (repl_replica *r = repl_g.replicas; r; r = r->next) /* not inside a streamed snapshot */
        if (r->state != REPL_ONLINE && !r->diskless) fr_client_write_raw(r->c, "\n", 1);
    drop_timed_out(now);
    backlog_ttl(now);
    repl_backlog_follow_config();
    repl_backlog_warn_if_small();
    repl_g.cron_loops++;
}

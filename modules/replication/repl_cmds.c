/* repl_cmds.c -- the commands replicas and clients send about replication
 * (SYNC, PSYNC, REPLCONF, ROLE, WAIT), DEBUG CHANGE-REPL-ID and the INFO
 * replication section, with Redis 7.0's replies and checks.
 *
 * REPLCONF may come before SYNC/PSYNC (listening-port, ip-address, capa):
 * what it says is kept in a handshake record that becomes the replica's
 * when it asks for synchronization (repl_master.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

/* ---- SYNC / PSYNC --------------------------------------------------------- */

/* Redis's masterTryPartialResynchronization: the replica's history must be
 * ours (current ID, or the previous one up to where it ended) and the
 * offset it wants next must still be in the backlog. */
static int try_partial(fr_ctx *ctx, const char *want_id, long long offset)
{
    fr_client *c = fr_ctx_client(ctx);
    if (strcasecmp(want_id, repl_g.replid) &&
        (strcasecmp(want_id, repl_g.replid2) || offset > repl_g.second_replid_offset)) {
        if (want_id[0] != '?')
            fr_log(FR_LOG_NOTICE, "Partial resynchronization not accepted: Replication ID mismatch (Replica "
                   "asked for '%s', my replication IDs are '%s' and '%s')", want_id, repl_g.replid, repl_g.replid2);
        else fr_log(FR_LOG_NOTICE, "Full resync requested by replica %s", fr_client_addr(c));
        return FR_ERR;
    }
    repl_backlog *b = repl_g.backlog;
    if (!b || offset < b->offset || offset > b->offset + b->histlen) {
        fr_log(FR_LOG_NOTICE, "Unable to partial resync with replica %s for lack of backlog (Replica request "
               "was: %lld).", fr_client_addr(c), offset);
        return FR_ERR;
    }
    repl_replica *r = repl_replica_add(c);
    r->state = REPL_ONLINE;
    r->ack_time = time(NULL);
    char line[128];
    int n = r->capa & REPL_CAPA_PSYNC2 ? snprintf(line, sizeof(line), "+CONTINUE %s\r\n", repl_g.replid)
                                       : snprintf(line, sizeof(line), "+CONTINUE\r\n");
    fr_client_write_raw(c, line, (size_t)n);
    long long sent = repl_backlog_send_from(c, offset);
    fr_log(FR_LOG_NOTICE, "Partial resynchronization request from %s accepted. Sending %lld bytes of backlog "
           "starting from offset %lld.", fr_client_addr(c), sent, offset);
    return FR_OK;
}

static void sync_common(fr_ctx *ctx, int psync)
{
    fr_client *c = fr_ctx_client(ctx);
    if (!c || repl_replica_of(c)) return; /* already a replica: ignored */
    if (psync && fr_argc(ctx) > 3 && fr_arg_is(ctx, 3, "failover") && repl_failover_psync(ctx) != FR_OK) return;
    if (repl_failover_active()) {
        fr_reply_error(ctx, "-NOMASTERLINK Can't SYNC while failing over");
        return;
    }
    /* a replica serves the stream it receives, so only while it streams */
    if (repl_is_replica() && !repl_link_up()) {
        fr_reply_error(ctx, "-NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    /* a filtered snapshot is never a file (it would pass for the dataset):
     * it streams, so the replica must read $EOF: transfers */
    const repl_replica *h = repl_handshake_of(c);
    if (h->req && !(h->capa & REPL_CAPA_EOF)) {
        fr_reply_error(ctx, "Filtered replica requires EOF capability");
        return;
    }
    fr_log(FR_LOG_NOTICE, "Replica %s asks for synchronization", fr_client_addr(c));
    if (psync) {
        long long offset;
        if (fr_arg_ll_or_reply(ctx, 2, &offset) != FR_OK) return;
        const char *want = fr_arg(ctx, 1)->buf;
        if (try_partial(ctx, want, offset) == FR_OK) {
            repl_g.sync_partial_ok++;
            return;
        }
        if (want[0] != '?') repl_g.sync_partial_err++;
    }
    repl_g.sync_full++;
    repl_replica *r = repl_replica_add(c);
    r->pre_psync = !psync;
    if (!repl_g.backlog && repl_replica_count() == 1) {
        /* a backlog made from nothing starts a new history */
        repl_change_replid();
        repl_clear_replid2();
        repl_backlog_create();
        fr_log(FR_LOG_NOTICE, "Replication backlog created, my new replication IDs are '%s' and '%s'",
               repl_g.replid, repl_g.replid2);
    }
    repl_full_sync_request(r);
}

void cmd_sync(fr_ctx *ctx)
{
    sync_common(ctx, 0);
}

void cmd_psync(fr_ctx *ctx)
{
    sync_common(ctx, 1);
}

/* ---- REPLCONF ------------------------------------------------------------- */

/* REPLCONF ACK <offset>: only from a replica, never answered. */
static void replconf_ack(fr_ctx *ctx, int i)
{
    repl_replica *r = repl_replica_of(fr_ctx_client(ctx));
    long long off;
    const fr_str *a = fr_arg(ctx, i + 1);
    if (!r || !fr_string2ll(a->buf, a->len, &off)) return;
    if (off > r->ack_off) r->ack_off = off;
    r->ack_time = time(NULL);
    repl_replica_ack_start(r);
    repl_waiters_wake();
}

/* rdb-filter-only: what the snapshot keeps, as Redis's "include" filters
 * (only "functions" exists): none keeps only the AUX fields.  Filters
 * accumulate over several REPLCONFs, as in Redis. */
static int rdb_filter_only(fr_ctx *ctx, repl_replica *h, const fr_str *v)
{
    int n;
    fr_str **filters = fr_splitargs(v->buf, v->len, &n);
    if (!filters) {
        fr_reply_error(ctx, "Missing rdb-filter-only values");
        return 1;
    }
    h->req |= FR_SNAPSHOT_NO_DATA | FR_SNAPSHOT_NO_FUNCTIONS;
    int bad = -1;
    for (int i = 0; i < n && bad < 0; i++) {
        if (!strcasecmp(filters[i]->buf, "functions")) h->req &= ~FR_SNAPSHOT_NO_FUNCTIONS;
        else bad = i;
    }
    if (bad >= 0) fr_reply_errorf(ctx, "Unsupported rdb-filter-only option: %s", filters[bad]->buf);
    fr_splitargs_free(filters, n);
    return bad >= 0;
}

/* One option/value pair; 1 when the command is over (replied or silent). */
static int replconf_option(fr_ctx *ctx, repl_replica *h, int i)
{
    const fr_str *v = fr_arg(ctx, i + 1);
    if (fr_arg_is(ctx, i, "listening-port")) {
        long long port;
        if (fr_arg_ll_or_reply(ctx, i + 1, &port) != FR_OK) return 1;
        h->listening_port = (int)port;
    } else if (fr_arg_is(ctx, i, "ip-address")) {
        if (v->len >= sizeof(h->announced_ip)) {
            fr_reply_errorf(ctx, "REPLCONF ip-address provided by replica instance is too long: %zd bytes",
                            (ssize_t)v->len);
            return 1;
        }
        memcpy(h->announced_ip, v->buf, v->len + 1);
    } else if (fr_arg_is(ctx, i, "capa")) {
        if (!strcasecmp(v->buf, "eof")) h->capa |= REPL_CAPA_EOF;
        else if (!strcasecmp(v->buf, "psync2")) h->capa |= REPL_CAPA_PSYNC2;
    } else if (fr_arg_is(ctx, i, "ack")) {
        replconf_ack(ctx, i);
        return 1;
    } else if (fr_arg_is(ctx, i, "getack")) {
        return 1; /* only a replica answers it, with an ACK to its master */
    } else if (fr_arg_is(ctx, i, "rdb-only")) {
        long long on;
        if (fr_arg_range_or_reply(ctx, i + 1, 0, 1, NULL, &on) != FR_OK) return 1;
        h->rdb_only = (int)on;
    } else if (fr_arg_is(ctx, i, "rdb-filter-only")) {
        return rdb_filter_only(ctx, h, v);
    } else {
        fr_reply_errorf(ctx, "Unrecognized REPLCONF option: %s", fr_arg(ctx, i)->buf);
        return 1;
    }
    return 0;
}

void cmd_replconf(fr_ctx *ctx)
{
    if (fr_argc(ctx) % 2 == 0) {
        fr_reply_syntax_error(ctx);
        return;
    }
    repl_replica *h = repl_handshake_of(fr_ctx_client(ctx));
    for (int i = 1; i < fr_argc(ctx); i += 2)
        if (replconf_option(ctx, h, i)) return;
    fr_reply_ok(ctx);
}

/* ---- ROLE ----------------------------------------------------------------- */

void cmd_role(fr_ctx *ctx)
{
    if (repl_is_replica()) {
        repl_replica_role(ctx);
        return;
    }
    fr_reply_array(ctx, 3);
    fr_reply_bulk_cstr(ctx, "master");
    fr_reply_long_long(ctx, repl_g.master_repl_offset);
    void *len = fr_reply_deferred_len(ctx);
    long n = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        char buf[64];
        const char *ip = repl_replica_ip(r, buf, sizeof(buf));
        if (!ip || r->state != REPL_ONLINE) continue;
        fr_reply_array(ctx, 3);
        fr_reply_bulk_cstr(ctx, ip);
        fr_reply_bulk_ll(ctx, r->listening_port);
        fr_reply_bulk_ll(ctx, r->ack_off);
        n++;
    }
    fr_reply_set_deferred_array(ctx, len, n);
}

/* ---- WAIT ----------------------------------------------------------------- */

static int acked_replicas(long long offset)
{
    int n = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (r->state == REPL_ONLINE && r->ack_off >= offset) n++;
    return n;
}

/* Clients blocked in WAIT, with the offset they wait for: woken on every
 * ACK, they count again.  Redis asks replicas for an ACK at once (REPLCONF
 * GETACK * through the stream) before the loop sleeps. */
typedef struct waiter {
    fr_client *c;
    long long offset, numreplicas;
    struct waiter *next;
} waiter;
static waiter *waiters;
static int want_acks;

static waiter **waiter_of(const fr_client *c)
{
    waiter **p = &waiters;
    while (*p && (*p)->c != c) p = &(*p)->next;
    return p;
}

void repl_waiters_forget(const fr_client *c)
{
    waiter **p = waiter_of(c);
    if (!*p) return;
    waiter *w = *p;
    *p = w->next;
    fr_free(w);
}

void repl_waiters_wake(void)
{
    for (waiter *w = waiters; w; w = w->next) fr_client_wake(w->c);
}

void repl_request_acks(void)
{
    want_acks = 1;
}

void repl_before_sleep(void)
{
    repl_failover_update();
    if (!want_acks) return;
    want_acks = 0;
    static const fr_str *getack[3];
    if (!getack[0]) {
        getack[0] = fr_str_new("REPLCONF", 8);
        getack[1] = fr_str_new("GETACK", 6);
        getack[2] = fr_str_new("*", 1);
    }
    repl_feed_command(-1, 3, getack);
}

void cmd_wait(fr_ctx *ctx)
{
    fr_client *c = fr_ctx_client(ctx);
    waiter **p = waiter_of(c);
    if (*p) { /* a run after a wake-up or at the deadline */
        int n = acked_replicas((*p)->offset);
        if (n < (*p)->numreplicas && !fr_ctx_block_timed_out(ctx) && fr_block_until(ctx, 0) == FR_OK) return;
        repl_waiters_forget(c);
        fr_reply_long_long(ctx, n);
        return;
    }
    if (repl_is_replica()) {
        fr_reply_error(ctx, "WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
                       "replica is configured to be writable (which is not the default) writes to replicas are just "
                       "local and are not propagated.");
        return;
    }
    long long numreplicas, deadline;
    if (fr_arg_ll_or_reply(ctx, 1, &numreplicas) != FR_OK) return;
    if (fr_arg_timeout_or_reply(ctx, 2, FR_TIMEOUT_MS, &deadline) != FR_OK) return;
    /* Redis waits for the caller's last write; the last write of anyone
     * is at or after it, so never reports a replica that lacks it */
    long long offset = repl_g.data_offset;
    int n = acked_replicas(offset);
    if (n >= numreplicas || fr_ctx_in_exec(ctx) || fr_block_until(ctx, deadline) != FR_OK) {
        fr_reply_long_long(ctx, n);
        return;
    }
    waiter *w = fr_calloc(sizeof(*w));
    w->c = c;
    w->offset = offset;
    w->numreplicas = numreplicas;
    w->next = waiters;
    waiters = w;
    want_acks = 1;
}

/* ---- REPLICAOF / SLAVEOF ------------------------------------------------------- */

static void replicaof(fr_ctx *ctx)
{
    if (repl_failover_active()) {
        fr_reply_error(ctx, "REPLICAOF not allowed while failing over.");
        return;
    }
    if (fr_arg_is(ctx, 1, "no") && fr_arg_is(ctx, 2, "one")) {
        if (repl_is_replica()) {
            repl_unset_master();
            fr_log(FR_LOG_NOTICE, "MASTER MODE enabled (user request from 'id=%llu')",
                   fr_client_id(fr_ctx_client(ctx)));
        }
        fr_reply_ok(ctx);
        return;
    }
    long long port;
    if (fr_arg_ll_or_reply(ctx, 2, &port) != FR_OK) return;
    const char *host = fr_arg(ctx, 1)->buf;
    if (repl_same_master(host, (int)port)) {
        fr_log(FR_LOG_NOTICE, "REPLICAOF would result into synchronization with the master we are already "
               "connected with. No operation performed.");
        fr_reply_status(ctx, "OK Already connected to specified master");
        return;
    }
    repl_set_master(host, (int)port, 0);
    fr_log(FR_LOG_NOTICE, "REPLICAOF %s:%lld enabled (user request from 'id=%llu')", host, port,
           fr_client_id(fr_ctx_client(ctx)));
    fr_reply_ok(ctx);
}

void cmd_replicaof(fr_ctx *ctx)
{
    replicaof(ctx);
}

void cmd_slaveof(fr_ctx *ctx)
{
    replicaof(ctx);
}

/* ---- DEBUG CHANGE-REPL-ID --------------------------------------------------- */

void replication_debug_change_repl_id(fr_ctx *ctx)
{
    if (fr_argc(ctx) != 2) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    fr_log(FR_LOG_WARNING, "Changing replication IDs after receiving DEBUG change-repl-id");
    repl_change_replid();
    repl_clear_replid2();
    fr_reply_ok(ctx);
}

/* ---- INFO ------------------------------------------------------------------- */

/* Written by repl_info_write (module.c registers it for this group): the
 * replica lines vary in number, which a fixed struct cannot say. */
int replication_info_replication(replication_info_replication_fields *out)
{
    (void)out;
    return 0;
}

void repl_info_write(fr_info_out *o, void *priv)
{
    (void)priv;
    fr_info_add_text(o, "role", repl_is_replica() ? "slave" : "master");
    if (repl_is_replica()) repl_replica_info(o);
    fr_info_add_ll(o, "connected_slaves", repl_replica_count());
    repl_gate_info(o);
    int id = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        char buf[64], field[32], line[256];
        const char *ip = repl_replica_ip(r, buf, sizeof(buf));
        if (!ip) continue;
        long lag = r->state == REPL_ONLINE ? (long)(time(NULL) - r->ack_time) : 0;
        snprintf(field, sizeof(field), "slave%d", id++);
        snprintf(line, sizeof(line), "ip=%s,port=%d,state=%s,offset=%lld,lag=%ld", ip, r->listening_port,
                 repl_state_name(r->state), r->ack_off, lag);
        fr_info_add_text(o, field, line);
    }
    repl_backlog *b = repl_g.backlog;
    fr_info_add_text(o, "master_failover_state", repl_failover_state_name());
    fr_info_add_text(o, "master_replid", repl_g.replid);
    fr_info_add_text(o, "master_replid2", repl_g.replid2);
    fr_info_add_ll(o, "master_repl_offset", repl_g.master_repl_offset);
    fr_info_add_ll(o, "second_repl_offset", repl_g.second_replid_offset);
    fr_info_add_ll(o, "repl_backlog_active", b != NULL);
    fr_info_add_ll(o, "repl_backlog_size", b ? b->size : replication_conf_repl_backlog_size());
    fr_info_add_ll(o, "repl_backlog_first_byte_offset", b ? b->offset : 0);
    fr_info_add_ll(o, "repl_backlog_histlen", b ? b->histlen : 0);
}

int replication_info_stats(replication_info_stats_fields *out)
{
    out->sync_full = repl_g.sync_full;
    out->sync_partial_ok = repl_g.sync_partial_ok;
    out->sync_partial_err = repl_g.sync_partial_err;
    return 1;
}

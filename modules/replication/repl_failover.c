/* repl_failover.c -- FAILOVER: a master hands over to one of its replicas
 * without losing a write (Redis 6.2+'s coordinated failover).
 *
 * none -> waiting-for-sync: writes are paused (fr_failover_pause) and,
 * before every sleep, the target (TO host port) or any online replica is
 * looked for whose last ACK reached our offset; TIMEOUT ms without one
 * aborts, or with FORCE fails over anyway.  -> failover-in-progress: we
 * become a replica of the target (repl_set_master, our own history
 * cached) and our PSYNC carries FAILOVER, which makes the target a master
 * that continues our history.  -> none when it answers +CONTINUE (or
 * +FULLRESYNC); a refusal aborts: we are a master again.  FAILOVER ABORT
 * aborts from either state.
 *
 * The replica side, PSYNC <replid> <offset> FAILOVER from our master, is
 * repl_failover_psync: with our master's replid we become a master, then
 * the PSYNC is served as any other.
 *
 * Invariants: writes are paused exactly while state != FAILOVER_NONE;
 * target.host[0] is set once the target is known (TO, or the replica
 * found caught up); REPLICAOF and SYNC/PSYNC from others are refused
 * while state != FAILOVER_NONE. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

enum { FAILOVER_NONE = 0, FAILOVER_WAIT_FOR_SYNC, FAILOVER_IN_PROGRESS };

static struct {
    int state;
    long long end_ms;            /* 0: no TIMEOUT */
    int force;
    char host[256];              /* the target, "" until known */
    int port;
    const char *abort_why;       /* set by the link (a refused PSYNC): abort
                                  * before the next sleep, outside its read */
} fo;

const char *repl_failover_state_name(void)
{
    switch (fo.state) {
    case FAILOVER_WAIT_FOR_SYNC: return "waiting-for-sync";
    case FAILOVER_IN_PROGRESS: return "failover-in-progress";
    default: return "no-failover";
    }
}

int repl_failover_active(void)
{
    return fo.state != FAILOVER_NONE;
}

int repl_failover_in_progress(void)
{
    return fo.state == FAILOVER_IN_PROGRESS;
}

/* A master waiting with a TIMEOUT sends no PING: it would move the offset
 * the replicas must reach (Redis's manual_failover_in_progress). */
int repl_failover_holds_pings(void)
{
    return fo.state != FAILOVER_NONE && fo.end_ms && fr_writes_paused();
}

/* The replica listed at host:port (its announced or peer address and its
 * listening port), as Redis's findReplica. */
static repl_replica *find_replica(const char *host, int port)
{
    char ip[64];
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        const char *addr = repl_replica_ip(r, ip, sizeof(ip));
        if (addr && !strcasecmp(host, addr) && r->listening_port == port) return r;
    }
    return NULL;
}

static void clear(void)
{
    memset(&fo, 0, sizeof(fo));
    fr_failover_pause(0);
}

static void abort_failover(const char *why)
{
    if (fo.state == FAILOVER_NONE) return;
    if (fo.host[0]) fr_log(FR_LOG_NOTICE, "FAILOVER to %s:%d aborted: %s", fo.host, fo.port, why);
    else fr_log(FR_LOG_NOTICE, "FAILOVER to any replica aborted: %s", why);
    if (fo.state == FAILOVER_IN_PROGRESS) repl_unset_master();
    clear();
}

/* ---- FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | FAILOVER ABORT -------- */

typedef struct failover_args {
    long long timeout_ms;
    int force;
    const fr_str *host;
    long long port;
} failover_args;

/* Redis's parse: each option once, in any order; FR_ERR has replied. */
static int parse(fr_ctx *ctx, failover_args *a)
{
    memset(a, 0, sizeof(*a));
    int argc = fr_argc(ctx);
    for (int j = 1; j < argc; j++) {
        if (fr_arg_is(ctx, j, "timeout") && j + 1 < argc && !a->timeout_ms) {
            if (fr_arg_ll_or_reply(ctx, j + 1, &a->timeout_ms) != FR_OK) return FR_ERR;
            if (a->timeout_ms <= 0) {
                fr_reply_error(ctx, "FAILOVER timeout must be greater than 0");
                return FR_ERR;
            }
            j++;
        } else if (fr_arg_is(ctx, j, "to") && j + 2 < argc && !a->host) {
            if (fr_arg_ll_or_reply(ctx, j + 2, &a->port) != FR_OK) return FR_ERR;
            a->host = fr_arg(ctx, j + 1);
            j += 2;
        } else if (fr_arg_is(ctx, j, "force") && !a->force) {
            a->force = 1;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

/* What refuses the request, in Redis's order; NULL when it may start. */
static const char *refusal(const failover_args *a)
{
    if (fo.state != FAILOVER_NONE) return "FAILOVER already in progress.";
    if (repl_is_replica()) return "FAILOVER is not valid when server is a replica.";
    if (!repl_g.replicas) return "FAILOVER requires connected replicas.";
    if (a->force && (!a->timeout_ms || !a->host))
        return "FAILOVER with force option requires both a timeout and target HOST and IP.";
    if (a->host) {
        repl_replica *r = find_replica(a->host->buf, (int)a->port);
        if (!r) return "FAILOVER target HOST and PORT is not a replica.";
        if (r->state != REPL_ONLINE) return "FAILOVER target replica is not online.";
    }
    return NULL;
}

void cmd_failover(fr_ctx *ctx)
{
    if (fr_argc(ctx) == 2 && fr_arg_is(ctx, 1, "abort")) {
        if (fo.state == FAILOVER_NONE) {
            fr_reply_error(ctx, "No failover in progress.");
            return;
        }
        abort_failover("Failover manually aborted");
        fr_reply_ok(ctx);
        return;
    }
    failover_args a;
    if (parse(ctx, &a) != FR_OK) return;
    const char *no = refusal(&a);
    if (no) {
        fr_reply_error(ctx, no);
        return;
    }
    if (a.host) {
        snprintf(fo.host, sizeof(fo.host), "%s", a.host->buf);
        fo.port = (int)a.port;
        fr_log(FR_LOG_NOTICE, "FAILOVER requested to %s:%lld.", a.host->buf, a.port);
    } else {
        fr_log(FR_LOG_NOTICE, "FAILOVER requested to any replica.");
    }
    fo.end_ms = a.timeout_ms ? fr_now_ms() + a.timeout_ms : 0;
    fo.force = a.force;
    fo.state = FAILOVER_WAIT_FOR_SYNC;
    fr_failover_pause(1);
    fr_reply_ok(ctx);
}

/* ---- progress (before every sleep) ---------------------------------------- */

static void hand_over(void)
{
    fo.state = FAILOVER_IN_PROGRESS;
    repl_set_master(fo.host, fo.port, 0);
}

/* Whether the target -- or, with none named, the first replica (the
 * target from then on) -- has acknowledged our whole stream. */
static int caught_up(void)
{
    char ip[64];
    for (repl_replica *r = repl_g.replicas; r; r = r->next) {
        const char *addr = repl_replica_ip(r, ip, sizeof(ip));
        if (!addr || r->ack_off != repl_g.master_repl_offset) continue;
        if (fo.host[0] && (strcasecmp(fo.host, addr) || r->listening_port != fo.port)) continue;
        if (!fo.host[0]) {
            snprintf(fo.host, sizeof(fo.host), "%s", addr);
            fo.port = r->listening_port;
        }
        return 1;
    }
    return 0;
}

void repl_failover_update(void)
{
    if (fo.abort_why) {
        const char *why = fo.abort_why;
        fo.abort_why = NULL;
        abort_failover(why);
        return;
    }
    if (fo.state != FAILOVER_WAIT_FOR_SYNC) return;
    if (fo.end_ms && fo.end_ms <= fr_now_ms()) {
        if (!fo.force) {
            abort_failover("Replica never caught up before timeout");
            return;
        }
        fr_log(FR_LOG_NOTICE, "FAILOVER to %s:%d time out exceeded, failing over.", fo.host, fo.port);
        hand_over();
        return;
    }
    if (!caught_up()) return;
    fr_log(FR_LOG_NOTICE, "Failover target %s:%d is synced, failing over.", fo.host, fo.port);
    hand_over();
}

/* Our PSYNC to the target was answered (repl_replica.c): accepted, the
 * failover is over; refused, it is aborted before the next sleep. */
void repl_failover_psync_answered(int accepted)
{
    if (fo.state != FAILOVER_IN_PROGRESS) return;
    if (accepted) clear();
    else fo.abort_why = "Failover target rejected psync request";
}

/* ---- the replica side ------------------------------------------------------- */

/* PSYNC <replid> <offset> FAILOVER: our master hands over to us.  FR_ERR
 * has replied; FR_OK goes on to serve the PSYNC. */
int repl_failover_psync(fr_ctx *ctx)
{
    const fr_str *replid = fr_arg(ctx, 1);
    fr_log(FR_LOG_WARNING, "Failover request received for replid %s.", replid->buf);
    if (!repl_is_replica()) {
        fr_reply_error(ctx, "PSYNC FAILOVER can't be sent to a master.");
        return FR_ERR;
    }
    if (strcasecmp(replid->buf, repl_g.replid)) {
        fr_reply_error(ctx, "PSYNC FAILOVER replid must match my replid.");
        return FR_ERR;
    }
    repl_unset_master();
    fr_log(FR_LOG_NOTICE, "MASTER MODE enabled (failover request from 'id=%llu')",
           fr_client_id(fr_ctx_client(ctx)));
    return FR_OK;
}

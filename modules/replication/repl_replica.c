/* repl_replica.c -- the replica side: REPLICAOF/SLAVEOF and `replicaof`,
 * the link to the master and what comes through it.
 *
 * The link goes CONNECT (retried once a second) -> CONNECTING (a
 * non-blocking connect) -> HANDSHAKE (PING, AUTH when masterauth is set,
 * REPLCONF listening-port, REPLCONF capa eof capa psync2, PSYNC: one
 * command, one reply at a time) -> TRANSFER (the snapshot, received by
 * repl_transfer.c, loaded here into an emptied keyspace) -> CONNECTED
 * (the stream: each command applied by the SDK's replayer -- which
 * propagates it to our AOF --, then fed as received to our backlog and our
 * own replicas, which advances the offset by its exact byte count;
 * REPLCONF GETACK answered with an ACK, and an ACK every second).
 *
 * Our replicas (chained replication, Redis's): they stay connected while
 * the link is down or another master is set, and are disconnected, to
 * resync with us, when our history changes under them: a full resync
 * (they cannot continue: our backlog starts again), a +CONTINUE with a new
 * ID, REPLICAOF NO ONE (they continue partially with our new ID).
 *
 * Invariants: repl_link.host[0] is non-zero exactly while we are a replica;
 * fd >= 0 from CONNECTING on, with exactly one watch; while CONNECTED, a
 * backlog exists, repl_g.master_repl_offset is the offset of the last byte
 * applied outside a transaction (a MULTI's bytes count, and are fed, at
 * its EXEC, as Redis's reploff) and repl_g.replid the master's ID, so a
 * reconnection asks PSYNC for the next byte -- the whole transaction again
 * if the link broke inside one -- and the stream goes on in the DB it had
 * selected (stream_db); the bytes of an open MULTI stay at the front of
 * `in` (parsed), so they are fed whole at its EXEC. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "repl_internal.h"

enum { LINK_CONNECT = 1, LINK_CONNECTING, LINK_HANDSHAKE, LINK_TRANSFER, LINK_CONNECTED };
enum { STEP_PING = 0, STEP_AUTH, STEP_PORT, STEP_IP, STEP_CAPA, STEP_PSYNC };

typedef struct repl_link {
    char host[256];
    int port;
    int state, step, fd;
    fr_fd_watch *watch;
    fr_str *in;                  /* bytes read, not consumed yet */
    size_t parsed;               /* of them, an open MULTI's, already applied */
    char new_replid[41];
    long long new_offset;
    int cached;                  /* a history to ask PSYNC to continue */
    int resumed;                 /* that history came from the RDB file */
    int stream_db;               /* the stream's DB while no replayer runs */
    long long multi_bytes;       /* bytes of a MULTI not yet EXECed */
    int load_failed;             /* a sync load failed: the persistence
                                  * modules wait for FR_SYNC_LOAD_DONE */
    time_t last_io, down_since;
    fr_replay *replay;
} repl_link;

static repl_link link_g = {.fd = -1};

int repl_is_replica(void)
{
    return link_g.host[0] != 0;
}

/* Streaming from the master (Redis's REPL_STATE_CONNECTED). */
int repl_link_up(void)
{
    return link_g.state == LINK_CONNECTED;
}

static void link_write(const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(link_g.fd, s, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* the read side will see the broken link */
        s += n;
        len -= (size_t)n;
    }
}

static void link_send_words(int argc, const char *const *argv)
{
    fr_str *s = fr_str_new_empty(64);
    char hdr[32];
    int n = snprintf(hdr, sizeof(hdr), "*%d\r\n", argc);
    s = fr_str_cat(s, hdr, (size_t)n);
    for (int i = 0; i < argc; i++) {
        n = snprintf(hdr, sizeof(hdr), "$%zu\r\n", strlen(argv[i]));
        s = fr_str_cat(s, hdr, (size_t)n);
        s = fr_str_cat(s, argv[i], strlen(argv[i]));
        s = fr_str_cat(s, "\r\n", 2);
    }
    link_write(s->buf, s->len);
    fr_str_free(s);
}

static void send_ack(void)
{
    char off[32];
    snprintf(off, sizeof(off), "%lld", repl_g.master_repl_offset);
    const char *argv[] = {"REPLCONF", "ACK", off};
    link_send_words(3, argv);
}

static void link_close(void)
{
    fr_fd_watch_free(link_g.watch);
    link_g.watch = NULL;
    if (link_g.fd >= 0) close(link_g.fd);
    link_g.fd = -1;
    fr_str_free(link_g.in);
    link_g.in = NULL;
    link_g.parsed = 0;
    if (link_g.replay) link_g.stream_db = fr_replay_dbid(link_g.replay);
    fr_replay_free(link_g.replay); /* drops a MULTI: it comes again */
    link_g.replay = NULL;
    link_g.multi_bytes = 0;
    repl_transfer_abort();
}

/* The link broke: keep the history for PSYNC, retry from cron. */
static void link_lost(const char *why)
{
    if (link_g.state == LINK_CONNECTED) {
        fr_log(FR_LOG_NOTICE, "Connection with master lost.");
        link_g.cached = 1;
    } else {
        fr_log(FR_LOG_WARNING, "Master link failed: %s", why);
    }
    link_close();
    link_g.state = LINK_CONNECT;
    link_g.down_since = time(NULL);
}

/* ---- handshake -------------------------------------------------------- */

static void send_step(void)
{
    char port[16], off[32], ip[256];
    const char *user = fr_config_server_str("masteruser", (char[256]){0}, 256);
    char auth[512];
    fr_config_server_str("masterauth", auth, sizeof(auth));
    switch (link_g.step) {
    case STEP_PING: link_send_words(1, (const char *[]){"PING"}); break;
    case STEP_AUTH:
        if (!auth[0]) {
            link_g.step = STEP_PORT;
            send_step();
            return;
        }
        if (user[0]) link_send_words(3, (const char *[]){"AUTH", user, auth});
        else link_send_words(2, (const char *[]){"AUTH", auth});
        break;
    case STEP_PORT: { /* what the master lists us as: the announced port, else ours */
        long long announced = fr_config_server_ll("replica-announce-port", 0);
        snprintf(port, sizeof(port), "%lld", announced ? announced : fr_config_server_ll("port", 6379));
        link_send_words(3, (const char *[]){"REPLCONF", "listening-port", port});
        break;
    }
    case STEP_IP: /* only when an address is announced (NAT, containers) */
        if (!fr_config_server_str("replica-announce-ip", ip, sizeof(ip))[0]) {
            link_g.step = STEP_CAPA;
            send_step();
            return;
        }
        link_send_words(3, (const char *[]){"REPLCONF", "ip-address", ip});
        break;
    case STEP_CAPA: link_send_words(5, (const char *[]){"REPLCONF", "capa", "eof", "capa", "psync2"}); break;
    case STEP_PSYNC:
        snprintf(off, sizeof(off), "%lld", link_g.cached ? repl_g.master_repl_offset + 1 : -1LL);
        /* FAILOVER: the master we were hands over to this replica */
        link_send_words(repl_failover_in_progress() ? 4 : 3,
                        (const char *[]){"PSYNC", link_g.cached ? repl_g.replid : "?", off, "FAILOVER"});
        break;
    }
}

/* The stream goes on in stream_db: after a partial resync the DB it had
 * selected, after a full one the snapshot's repl-stream-db (a top master
 * selects a DB before its first command anyway; a master that is itself a
 * replica passes its own master's stream on as it is).  The backlog is
 * made here when missing (a restart's resume, a full resync). */
static void start_stream(void)
{
    link_g.state = LINK_CONNECTED;
    link_g.replay = fr_replay_new();
    fr_replay_propagate(link_g.replay, 1); /* our AOF logs the master's writes */
    if (!repl_g.backlog) repl_backlog_create();
    if (link_g.stream_db > 0) {
        char db[16], why[128];
        snprintf(db, sizeof(db), "%d", link_g.stream_db);
        fr_str **argv = fr_malloc(sizeof(*argv) * 2);
        argv[0] = fr_str_new("SELECT", 6);
        argv[1] = fr_str_new(db, strlen(db));
        if (fr_replay_call(link_g.replay, 2, argv, why, sizeof(why)) != FR_OK)
            fr_log(FR_LOG_WARNING, "Cannot select the replication stream's DB %s: %s", db, why);
    }
    link_g.cached = 1;
    fr_log(FR_LOG_NOTICE, "MASTER <-> REPLICA sync: Finished with success");
    fr_supervise_notify("STATUS=MASTER <-> REPLICA sync: Finished with success. Ready to accept connections in "
                        "read-write mode.\n");
}

/* +CONTINUE [<new replid>]: the master changed ID (a failover) when it
 * names another; our old one becomes ID2, and our replicas reconnect to
 * learn the new one (they continue partially with it). */
static void partial_accepted(const char *line)
{
    const char *id = line + 9;
    while (*id == ' ') id++;
    fr_log(FR_LOG_NOTICE, "Successful partial resynchronization with master.");
    if (strlen(id) == 40 && strcmp(id, repl_g.replid)) {
        fr_log(FR_LOG_WARNING, "Master replication ID changed to %s", id);
        memcpy(repl_g.replid2, repl_g.replid, 41);
        repl_g.second_replid_offset = repl_g.master_repl_offset + 1;
        memcpy(repl_g.replid, id, 41);
        repl_replicas_disconnect();
    }
    fr_supervise_notify("STATUS=MASTER <-> REPLICA sync: Partial Resynchronization accepted. Ready to accept "
                        "connections in read-write mode.\n");
    start_stream();
}

static int psync_reply(const char *line)
{
    repl_failover_psync_answered(!strncmp(line, "+FULLRESYNC ", 12) || !strncmp(line, "+CONTINUE", 9));
    if (!strncmp(line, "+FULLRESYNC ", 12)) {
        if (sscanf(line + 12, "%40s %lld", link_g.new_replid, &link_g.new_offset) != 2) return FR_ERR;
        fr_log(FR_LOG_NOTICE, "Full resync from master: %s:%lld", link_g.new_replid, link_g.new_offset);
        link_g.state = LINK_TRANSFER;
        return repl_transfer_begin();
    }
    if (!strncmp(line, "+CONTINUE", 9)) {
        partial_accepted(line);
        return FR_OK;
    }
    return FR_ERR;
}

/* One reply line of the handshake; FR_ERR drops the link. */
static int handshake_line(const char *line)
{
    if (!line[0]) return FR_OK; /* newlines keep the link alive */
    switch (link_g.step) {
    case STEP_PING:
        if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) && strncmp(line, "-NOPERM", 7) &&
            strncmp(line, "-ERR operation not permitted", 28))
            return FR_ERR;
        fr_log(FR_LOG_NOTICE, "Master replied to PING, replication can continue...");
        break;
    case STEP_AUTH:
        if (line[0] == '-') return FR_ERR;
        break;
    case STEP_PORT:
    case STEP_IP:
    case STEP_CAPA:
        if (line[0] == '-') fr_log(FR_LOG_NOTICE, "(Non critical) Master does not understand REPLCONF: %s", line);
        break;
    case STEP_PSYNC: return psync_reply(line);
    }
    link_g.step++;
    send_step();
    return FR_OK;
}

/* ---- loading the snapshot ----------------------------------------------- */

/* A new dataset: our replicas cannot continue from our old history, so
 * they are disconnected and the backlog goes (Redis's
 * replicationAttachToNewMaster); the persistence modules stop writing the
 * old dataset out (FR_SYNC_LOAD_START), the keyspace is emptied and
 * `load` (repl_transfer.c's: from the RDB file or from memory) fills it;
 * a new backlog starts at the master's offset.  FR_ERR drops the link. */
int repl_replica_load(repl_loader load, const void *payload, size_t len, int eof)
{
    char why[1024] = "";
    fr_sync_load_event(FR_SYNC_LOAD_START);
    repl_replicas_disconnect();
    repl_backlog_free();
    link_g.cached = 0; /* the old history is gone with the old data */
    fr_log(FR_LOG_NOTICE, "MASTER <-> REPLICA sync: Flushing old data");
    if (fr_config_server_ll("replica-lazy-flush", 0)) fr_keyspace_empty_async();
    else fr_keyspace_empty();
    fr_log(FR_LOG_NOTICE, "MASTER <-> REPLICA sync: Loading DB in memory");
    fr_keyspace_loading(1);
    repl_aux_capture(1);
    long long took = load(payload, len, why, sizeof(why));
    repl_aux_capture(0);
    fr_keyspace_loading(0);
    if (took < 0) {
        fr_log(FR_LOG_WARNING, "%s", why);
        fr_keyspace_empty();
        link_g.load_failed = 1;
        fr_sync_load_event(FR_SYNC_LOAD_FAILED);
        return FR_ERR;
    }
    memcpy(repl_g.replid, link_g.new_replid, 41);
    repl_g.master_repl_offset = link_g.new_offset;
    repl_clear_replid2();
    link_g.stream_db = repl_aux_captured_db() < 0 ? 0 : repl_aux_captured_db();
    start_stream();
    link_g.load_failed = 0;
    fr_sync_load_event(FR_SYNC_LOAD_DONE);
    if (eof) send_ack(); /* at once, as Redis: a diskless master starts the stream on it */
    return FR_OK;
}

/* ---- stream --------------------------------------------------------------- */

/* One RESP array of bulk strings from p[0..len): its byte count, 0 when
 * incomplete, -1 when malformed.  argv is filled only when complete. */
static long long parse_command(const char *p, size_t len, int *argc, fr_str ***argv)
{
    size_t pos = 0;
    const char *nl = memchr(p, '\n', len);
    if (!nl) return 0;
    if (p[0] != '*') return -1;
    long long n = strtoll(p + 1, NULL, 10);
    if (n <= 0 || n > 1024 * 1024) return -1;
    pos = (size_t)(nl - p) + 1;
    fr_str **v = fr_calloc(sizeof(*v) * (size_t)n);
    for (long long i = 0; i < n; i++) {
        const char *q = p + pos;
        const char *e = pos < len ? memchr(q, '\n', len - pos) : NULL;
        long long bl = e && q[0] == '$' ? strtoll(q + 1, NULL, 10) : -1;
        if (!e || bl < 0 || (size_t)(e - p) + 1 + (size_t)bl + 2 > len) {
            for (long long j = 0; j < i; j++) fr_str_free(v[j]);
            fr_free(v);
            return e && bl < 0 ? -1 : 0;
        }
        pos = (size_t)(e - p) + 1;
        v[i] = fr_str_new(p + pos, (size_t)bl);
        pos += (size_t)bl + 2;
    }
    *argc = (int)n;
    *argv = v;
    return (long long)pos;
}

/* One command of the stream applied (REPLCONF GETACK answered); its byte
 * count, 0 when incomplete, -1 when malformed. */
static long long apply_command(const char *p, size_t len)
{
    int argc;
    fr_str **argv;
    long long n = parse_command(p, len, &argc, &argv);
    if (n <= 0) return n;
    if (argc >= 2 && !strcasecmp(argv[0]->buf, "replconf") && !strcasecmp(argv[1]->buf, "getack")) {
        for (int i = 0; i < argc; i++) fr_str_free(argv[i]);
        fr_free(argv);
        send_ack(); /* the offset before this command, as Redis's */
    } else {
        char why[256];
        if (fr_replay_call(link_g.replay, argc, argv, why, sizeof(why)) != FR_OK)
            fr_log(FR_LOG_WARNING, "Command from master not applied: %s", why);
    }
    return n;
}

/* Applied bytes count and go on to our backlog and replicas as they came
 * (a newline too, as Redis's master client counts it); a transaction's
 * only at its EXEC, when they are kept whole just before p. */
static long long stream_bytes(const char *p, size_t len)
{
    long long n = len && (p[0] == '\n' || p[0] == '\r') ? 1 : apply_command(p, len);
    if (n <= 0) return n;
    if (fr_replay_in_multi(link_g.replay)) {
        link_g.multi_bytes += n;
    } else {
        repl_feed(p - link_g.multi_bytes, (size_t)(link_g.multi_bytes + n));
        link_g.multi_bytes = 0;
    }
    return n;
}

/* ---- the socket ----------------------------------------------------------- */

static int consume(void)
{
    size_t pos = link_g.parsed;
    while (pos < link_g.in->len && link_g.fd >= 0) {
        const char *p = link_g.in->buf + pos;
        size_t len = link_g.in->len - pos;
        long long n;
        int counted = link_g.state != LINK_HANDSHAKE; /* INFO: snapshot and stream, as Redis */
        if (link_g.state == LINK_HANDSHAKE) {
            const char *nl = memchr(p, '\n', len);
            if (!nl) break;
            size_t ll = (size_t)(nl - p);
            char line[512];
            snprintf(line, sizeof(line), "%.*s", (int)(ll && p[ll - 1] == '\r' ? ll - 1 : ll), p);
            n = (long long)ll + 1;
            if (handshake_line(line) != FR_OK) {
                link_lost(line);
                return FR_ERR;
            }
        } else if (link_g.state == LINK_TRANSFER) {
            n = repl_transfer_feed(p, len);
        } else {
            n = stream_bytes(p, len);
        }
        if (n < 0) {
            link_lost("protocol error");
            return FR_ERR;
        }
        if (n == 0) break;
        if (counted) fr_repl_count_input((size_t)n);
        pos += (size_t)n;
    }
    /* an open MULTI's bytes stay until its EXEC feeds them */
    size_t keep = link_g.state == LINK_CONNECTED ? (size_t)link_g.multi_bytes : 0;
    size_t drop = pos - keep;
    link_g.parsed = keep;
    if (link_g.in && drop) {
        memmove(link_g.in->buf, link_g.in->buf + drop, link_g.in->len - drop);
        link_g.in = fr_str_set_len(link_g.in, link_g.in->len - drop);
    }
    return FR_OK;
}

static void on_readable(int fd, int events, void *priv)
{
    (void)events;
    (void)priv;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        link_lost(n == 0 ? "connection closed" : strerror(errno));
        return;
    }
    link_g.last_io = time(NULL);
    link_g.in = fr_str_cat(link_g.in ? link_g.in : fr_str_new_empty(0), buf, (size_t)n);
    consume();
}

static void on_connected(int fd, int events, void *priv)
{
    (void)events;
    (void)priv;
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        link_lost(strerror(err ? err : errno));
        return;
    }
    fr_fd_watch_free(link_g.watch);
    link_g.watch = fr_fd_watch_new(fd, FR_FD_READ, on_readable, NULL);
    fr_log(FR_LOG_NOTICE, "Non blocking connect for SYNC fired the event.");
    link_g.state = LINK_HANDSHAKE;
    link_g.step = STEP_PING;
    link_g.last_io = time(NULL);
    send_step();
}

/* bind-source-addr: the address our side of the link leaves from (a
 * host with several, a firewall that expects one).  Best effort, as
 * Redis's anetTcpNonBlockBestEffortBindConnect: an address that cannot be
 * bound leaves the choice to the kernel. */
static void bind_source(int fd, int family)
{
    char src[256];
    if (!fr_config_server_str("bind-source-addr", src, sizeof(src))[0]) return;
    struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res = NULL;
    if (getaddrinfo(src, NULL, &hints, &res) != 0 || !res) return;
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0)
        fr_log(FR_LOG_VERBOSE, "bind-source-addr %s not bound (%s): connecting from any address", src, strerror(errno));
    freeaddrinfo(res);
}

static void link_connect(void)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", link_g.port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(link_g.host, port, &hints, &res) != 0 || !res) {
        fr_log(FR_LOG_WARNING, "Unable to connect to MASTER: can't resolve %s", link_g.host);
        return;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) bind_source(fd, res->ai_family);
    if (fd < 0 || (connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS)) {
        fr_log(FR_LOG_WARNING, "Unable to connect to MASTER: %s", strerror(errno));
        if (fd >= 0) close(fd);
        freeaddrinfo(res);
        return;
    }
    freeaddrinfo(res);
    fr_log(FR_LOG_NOTICE, "MASTER <-> REPLICA sync started");
    link_g.fd = fd;
    link_g.state = LINK_CONNECTING;
    link_g.watch = fr_fd_watch_new(fd, FR_FD_WRITE, on_connected, NULL);
}

/* Set whenever the role changes: the core refuses writes with the error
 * while replica-read-only is yes; a replica leaves expiry to its master. */
static void follow_role(void)
{
    fr_replica_read_only(repl_is_replica() ? "-READONLY You can't write against a read only replica." : NULL);
    fr_keyspace_replica_mode(repl_is_replica());
}

void repl_replica_cron(void)
{
    follow_role();
    if (!repl_is_replica()) return;
    time_t now = time(NULL);
    long long timeout = fr_config_server_ll("repl-timeout", 60);
    if (link_g.state == LINK_CONNECT) {
        fr_log(FR_LOG_NOTICE, "Connecting to MASTER %s:%d", link_g.host, link_g.port);
        link_connect();
    } else if (link_g.state != LINK_CONNECTED && now - link_g.last_io > timeout) link_lost("timeout");
    else if (link_g.state == LINK_CONNECTED) {
        if (now - link_g.last_io > timeout) link_lost("MASTER timeout: no data nor PING received...");
        else send_ack();
    }
}

/* ---- becoming a replica, or a master again ---------------------------------- */

void repl_set_master(const char *host, int port, int from_config)
{
    link_close();
    snprintf(link_g.host, sizeof(link_g.host), "%s", host);
    link_g.port = port;
    link_g.state = LINK_CONNECT;
    link_g.cached = !from_config || link_g.resumed;
    link_g.down_since = 0;
    link_g.last_io = time(NULL);
    /* what clients wait for may never come on a replica (Redis's
     * disconnectAllBlockedClients) */
    fr_blocked_disconnect_all("-UNBLOCKED force unblock from blocking operation, instance state changed "
                              "(master -> replica?)");
    /* our replicas stay: they continue if we do (Redis's replicationSetMaster) */
    follow_role();
    /* REPLICAOF connects at once, as Redis's replicationSetMaster does; the
     * cron's once-a-second retry is for failures and for `replicaof` in the
     * config, read before the event loop runs. */
    if (from_config) return;
    fr_log(FR_LOG_NOTICE, "Connecting to MASTER %s:%d", host, port);
    link_connect();
}

void repl_unset_master(void)
{
    link_close();
    link_g.host[0] = 0;
    link_g.state = 0;
    follow_role();
    if (link_g.load_failed) { /* Redis restarts the AOF a failed sync stopped */
        link_g.load_failed = 0;
        fr_sync_load_event(FR_SYNC_LOAD_DONE);
    }
    /* our history continues under a new ID; the old one stays valid up to here */
    memcpy(repl_g.replid2, repl_g.replid, 41);
    repl_g.second_replid_offset = repl_g.master_repl_offset + 1;
    repl_change_replid();
    if (!repl_g.backlog) repl_backlog_create();
    /* they learn the new ID by reconnecting, and continue partially */
    repl_replicas_disconnect();
    repl_g.seldb = -1; /* our first command selects its DB */
    repl_g.no_replicas_since = time(NULL);
    fr_log(FR_LOG_NOTICE, "Setting secondary replication ID to %s, valid up to offset: %lld. New replication ID is %s",
           repl_g.replid2, repl_g.second_replid_offset, repl_g.replid);
}

/* The RDB file loaded at start-up held our master's ID and offset (set by
 * repl_aux.c before `replicaof` is followed). */
void repl_replica_resume(int db)
{
    link_g.stream_db = db;
    link_g.resumed = 1;
}

/* The DB the master's stream is in, for the snapshot's repl-stream-db:
 * FR_ERR when there is no master link, up or cached, to resume. */
int repl_replica_stream_db(int *db)
{
    if (link_g.state == LINK_CONNECTED && link_g.replay) *db = fr_replay_dbid(link_g.replay);
    else if (link_g.cached) *db = link_g.stream_db;
    else return FR_ERR;
    return FR_OK;
}

int repl_same_master(const char *host, int port)
{
    return repl_is_replica() && !strcasecmp(link_g.host, host) && link_g.port == port;
}

static const char *link_state_name(void)
{
    switch (link_g.state) {
    case LINK_CONNECT: return "connect";
    case LINK_CONNECTING: return "connecting";
    case LINK_HANDSHAKE: return "handshake";
    case LINK_TRANSFER: return "sync";
    case LINK_CONNECTED: return "connected";
    default: return "none";
    }
}

void repl_replica_role(fr_ctx *ctx)
{
    fr_reply_array(ctx, 5);
    fr_reply_bulk_cstr(ctx, "slave");
    fr_reply_bulk_cstr(ctx, link_g.host);
    fr_reply_long_long(ctx, link_g.port);
    fr_reply_bulk_cstr(ctx, link_state_name());
    fr_reply_long_long(ctx, link_g.state == LINK_CONNECTED ? repl_g.master_repl_offset : -1);
}

void repl_replica_info(fr_info_out *o)
{
    time_t now = time(NULL);
    int up = link_g.state == LINK_CONNECTED;
    long long off = up || link_g.cached ? repl_g.master_repl_offset : 1;
    fr_info_add_text(o, "master_host", link_g.host);
    fr_info_add_ll(o, "master_port", link_g.port);
    fr_info_add_text(o, "master_link_status", up ? "up" : "down");
    fr_info_add_ll(o, "master_last_io_seconds_ago", up ? (long long)(now - link_g.last_io) : -1);
    fr_info_add_ll(o, "master_sync_in_progress", link_g.state == LINK_TRANSFER);
    fr_info_add_ll(o, "slave_read_repl_offset", off);
    fr_info_add_ll(o, "slave_repl_offset", off);
    if (link_g.state == LINK_TRANSFER) repl_transfer_info(o);
    if (!up)
        fr_info_add_ll(o, "master_link_down_since_seconds", link_g.down_since ? (long long)(now - link_g.down_since) : -1);
    fr_info_add_ll(o, "slave_priority", fr_config_server_ll("replica-priority", 100));
    fr_info_add_ll(o, "slave_read_only", fr_config_server_ll("replica-read-only", 1));
    fr_info_add_ll(o, "replica_announced", fr_config_server_ll("replica-announced", 1));
}

void repl_replica_shutdown(void)
{
    link_close();
}

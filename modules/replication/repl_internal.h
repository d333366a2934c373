/* repl_internal.h -- shared declarations of the replication module.
 *
 * Layers, bottom up:
 *   repl_stream.c  the replication IDs, master_repl_offset, the backlog
 *                  (a ring of the last repl-backlog-size bytes of the
 *                  stream) and feeding the stream: SELECT when the DB
 *                  changes, each propagated command in RESP, PING;
 *   repl_master.c  the replicas: their states, what each is sent (the
 *                  stream, held while its snapshot is made), acks, the
 *                  once-a-second work (PING, newlines, timeouts, backlog
 *                  TTL);
 *   repl_sync.c    full resynchronization: when a snapshot starts, who
 *                  shares it, the forked child writing it to a file and
 *                  handing it to the replicas waiting for it;
 *   repl_diskless.c  the diskless transfer: the child streaming the
 *                  snapshot into a pipe the parent relays to the replicas;
 *   repl_replica.c the replica side: the link to the master, the stream;
 *   repl_transfer.c  a replica receiving its snapshot (temp file or memory);
 *   repl_failover.c  FAILOVER, and a replica asked by PSYNC ... FAILOVER;
 *   repl_cmds.c    SYNC, PSYNC, REPLCONF, ROLE, WAIT, DEBUG
 *                  CHANGE-REPL-ID, INFO;  module.c  hooks;
 *   repl_aux.c     the replication fields kept in snapshots (restarts
 *                  resume with a partial resync).
 *
 * Chained replication (Redis 7.0's): a replica feeds its backlog and its
 * own replicas with the bytes its master sent, exactly as they came, once
 * applied (repl_replica.c calls repl_feed per command, per transaction at
 * its EXEC); it never feeds commands of its own (repl_feed_command does
 * nothing on a replica).  So along a chain every server has the top
 * master's replid and offsets, and a replica of a replica resyncs
 * partially against the IDs its master inherited.
 *
 * Invariants: master_repl_offset counts every byte ever fed to the
 * backlog, so it only moves while a backlog exists (as Redis's); a replica
 * whose link is streaming always has a backlog (made when the stream
 * starts), so its offset follows its master's; a replica is in
 * repl_g.replicas exactly while its client carries the replica mark, from
 * SYNC/PSYNC until the client-reset hook reports it freed. */
#ifndef FR_REPL_INTERNAL_H
#define FR_REPL_INTERNAL_H

#include <time.h>

#include "frankenredis.h"
#include "glue.h"

/* Redis's SLAVE_STATE_* names for a replica's progress. */
enum repl_state {
    REPL_WAIT_BGSAVE_START = 0, /* waiting for a snapshot to start */
    REPL_WAIT_BGSAVE_END,       /* its snapshot is being made; stream held */
    REPL_ONLINE,                /* streaming */
    REPL_RDB_SENT               /* rdb-only: has its snapshot, closing */
};

#define REPL_CAPA_EOF (1 << 0)
#define REPL_CAPA_PSYNC2 (1 << 1)

typedef struct repl_replica {
    fr_client *c;
    int state;
    int pre_psync;               /* came with SYNC: no +FULLRESYNC, no acks */
    int capa;                    /* REPLCONF capa */
    int listening_port;          /* REPLCONF listening-port, 0 if none */
    char announced_ip[64];       /* REPLCONF ip-address, "" if none */
    long long initial_offset;    /* the offset its snapshot stands for */
    long long ack_off;           /* REPLCONF ACK */
    time_t ack_time;
    fr_str *held;                /* stream while WAIT_BGSAVE_END, and while
                                  * stream_on_ack (owned) */
    int rdb_only;                /* REPLCONF rdb-only 1: the snapshot, no stream */
    int req;                     /* REPLCONF rdb-filter-only: FR_SNAPSHOT_NO_* */
    int diskless;                /* its snapshot streams from the child's pipe */
    int stream_on_ack;           /* online after a diskless transfer: the
                                  * stream waits for its first ACK, so that
                                  * nothing follows the EOF mark at once */
    time_t asked;                /* when it asked for its full resync */
    struct repl_replica *next;
} repl_replica;

typedef struct repl_backlog {
    char *buf;                   /* ring of `size` bytes */
    long long size;
    long long idx;               /* where the next byte goes */
    long long histlen;           /* valid bytes, at most size */
    long long offset;            /* stream offset of the oldest byte */
} repl_backlog;

typedef struct repl_globals {
    char replid[41], replid2[41];
    long long master_repl_offset;
    long long data_offset;       /* master_repl_offset after the last
                                  * propagated command (not PING/GETACK):
                                  * what WAIT waits for */
    long long second_replid_offset;
    repl_backlog *backlog;       /* NULL until the first replica */
    int seldb;                   /* DB the stream last selected, -1: none */
    repl_replica *replicas;      /* in order of arrival */
    time_t no_replicas_since;
    long long sync_full, sync_partial_ok, sync_partial_err;
    /* the snapshot child (repl_sync.c) */
    int child_pid;
    int child_report_fd;
    long long cron_loops;
} repl_globals;

extern repl_globals repl_g;

/* ---- repl_stream.c ------------------------------------------------------- */
void repl_stream_init(void);
void repl_change_replid(void);
void repl_random_hex(char *out, size_t n); /* n hex digits and a NUL */
void repl_clear_replid2(void);
void repl_backlog_create(void);
void repl_backlog_free(void);
void repl_backlog_warn_if_small(void);
void repl_backlog_follow_config(void);
void repl_feed(const void *p, size_t len);
void repl_feed_command(int dbid, int argc, const fr_str *const *argv);
/* Bytes of the stream from `offset` on (offset inside the backlog) sent
 * to c raw; returns how many. */
long long repl_backlog_send_from(fr_client *c, long long offset);

/* ---- repl_master.c ------------------------------------------------------- */
repl_replica *repl_replica_of(const fr_client *c);
/* The record REPLCONF fills for c: its replica's, else a handshake's. */
repl_replica *repl_handshake_of(fr_client *c);
/* c becomes a replica (taking its handshake record), WAIT_BGSAVE_START. */
repl_replica *repl_replica_add(fr_client *c);
/* After a diskless transfer: online, the stream held until its first ACK
 * (repl_replica_ack_start sends it). */
void repl_replica_online_on_ack(repl_replica *r);
void repl_replica_ack_start(repl_replica *r);
void repl_replica_forget(fr_client *c);
int repl_replica_count(void);
void repl_send_to_replicas(const void *p, size_t len);
void repl_report_held(void); /* fr_repl_report_replica_held, after held changes */
int repl_shutdown_wait(int phase); /* the shutdown wait function (fr_shutdown_wait_register) */
void repl_request_acks(void);      /* REPLCONF GETACK * to replicas before the loop sleeps */
void repl_replicas_disconnect(void);
void repl_replica_online(repl_replica *r);
void repl_cron_second(void);
const char *repl_state_name(int state);
/* The replica's IP as INFO and ROLE show it: REPLCONF ip-address, else
 * the peer's.  NULL when there is neither (a Unix socket). */
const char *repl_replica_ip(const repl_replica *r, char *buf, size_t len);

/* ---- repl_cmds.c --------------------------------------------------------- */
void repl_info_write(fr_info_out *o, void *priv);
void repl_waiters_forget(const fr_client *c);
void repl_waiters_wake(void);
void repl_before_sleep(void);

/* ---- repl_replica.c ------------------------------------------------------ */
int repl_is_replica(void);
int repl_link_up(void);
int repl_same_master(const char *host, int port);
void repl_set_master(const char *host, int port, int from_config);
void repl_unset_master(void);
void repl_replica_cron(void);
void repl_replica_role(fr_ctx *ctx);
void repl_replica_info(fr_info_out *o);
void repl_replica_shutdown(void);
void repl_replica_resume(int db);
int repl_replica_stream_db(int *db);
/* Fills the emptied keyspace with the master's snapshot -- load(payload,
 * len, ...) returns seconds, or -1 with why set; a loader reading the RDB
 * file gets NULL -- then streams; eof: the transfer ended with a mark (ACK
 * at once). */
typedef long long (*repl_loader)(const void *payload, size_t len, char *why, size_t whylen);
int repl_replica_load(repl_loader load, const void *payload, size_t len, int eof);

/* ---- repl_failover.c ----------------------------------------------------- */
const char *repl_failover_state_name(void); /* INFO master_failover_state */
int repl_failover_active(void);         /* REPLICAOF, SYNC, PSYNC refused */
int repl_failover_in_progress(void);    /* our PSYNC says FAILOVER */
int repl_failover_holds_pings(void);    /* the cron's PING waits */
void repl_failover_update(void);        /* before each sleep */
void repl_failover_psync_answered(int accepted);
/* PSYNC ... FAILOVER to a replica: FR_OK once it is a master. */
int repl_failover_psync(fr_ctx *ctx);

/* ---- repl_transfer.c ----------------------------------------------------- */
/* +FULLRESYNC: get ready for the payload (to disk: the temp file). */
int repl_transfer_begin(void);
/* Link input during the transfer: bytes consumed, 0 to wait, -1 to drop
 * the link.  Calls repl_replica_load once the payload is whole. */
long long repl_transfer_feed(const char *p, size_t len);
void repl_transfer_abort(void);          /* closes and unlinks a temp file */
void repl_transfer_info(fr_info_out *o); /* INFO master_sync_* */

/* ---- repl_aux.c ---------------------------------------------------------- */
int repl_aux_register(fr_module *m);
/* While a replica loads its master's snapshot (on = 1, then 0): the
 * fields are only noted, not applied as a restart's history. */
void repl_aux_capture(int on);
/* The repl-stream-db of the snapshot loaded while capturing, -1: none. */
int repl_aux_captured_db(void);
/* After start-up, fields of other loads are ignored. */
void repl_aux_started(void);

/* repl_gate.c: min-replicas-to-write, replica-serve-stale-data */
int repl_gate_register(fr_module *m);
int repl_good_replica_count(void);
void repl_gate_info(fr_info_out *o);

/* ---- repl_sync.c --------------------------------------------------------- */
/* A replica now waiting for a full resync: attach it to the snapshot in
 * progress when it can, else start one when no fork runs (a diskless one
 * after repl-diskless-sync-delay, from repl_sync_poll). */
void repl_full_sync_request(repl_replica *r);
void repl_sync_poll(void);
void repl_sync_kill(void);
/* The replica's snapshot is whole (disk-style or streamed): online, or
 * closed once written when it wanted only the snapshot. */
void repl_snapshot_sent(repl_replica *r);

/* ---- repl_diskless.c ----------------------------------------------------- */
/* fr_fork_reporting with a pipe from the child, which the parent relays to
 * the replicas marked diskless; in the child *stream_fd is its end. */
int repl_diskless_fork(int *report_fd, int *stream_fd);
/* In the child: "$EOF:<mark>\r\n", the snapshot (save_fd flags), the mark. */
int repl_diskless_write(int fd, int flags, char *why, size_t whylen);
int repl_diskless_drained(void);    /* the pipe is read to its end, or gone */
void repl_diskless_resume(void);    /* before-sleep: read on once replicas have room */
void repl_diskless_cron(void);      /* drops a replica that stalls the transfer */
void repl_diskless_close(void);     /* stop relaying (the child is over) */

#endif /* FR_REPL_INTERNAL_H */

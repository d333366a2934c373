/* protocol.h -- layer 2 of the core, "protocol": RESP parsing and encoding
 * (resp.h), clients and their input/output buffers (client.c, reply.c),
 * output-buffer limits (obuf_limit.h) and the listening sockets (net.c).
 *
 * Owns the event loop handle, the client list, the pending-write queue and
 * the network statistics (fr_proto).  Knows bytes and clients, never
 * commands or keys: when a request is complete, or a client goes away, it
 * calls up through the fr_proto_upcalls the runtime registers at start-up
 * (fr_proto_set_upcalls).  Includes base.h only. */
#ifndef FR_PROTOCOL_H
#define FR_PROTOCOL_H

#include <ev.h>

#include "base.h"
#include "obuf_limit.h"
#include "resp.h"

#define FR_IOBUF_LEN (16 * 1024)
/* Query buffers below this are never trimmed while the client is busy. */
#define FR_QBUF_RESIZE_THRESHOLD (32 * 1024)
#define FR_REPLY_CHUNK (16 * 1024)
#define FR_MAX_CLIENT_NAME 256

/* ---- one client output block (the list used when `buf` is full) ---- */
typedef struct fr_reply_block {
    struct fr_reply_block *next;
    size_t size, used;
    int deferred;                 /* reserved for a length not known yet */
    char data[];
} fr_reply_block;

#define FR_CLIENT_CLOSE_AFTER_REPLY (1 << 0)
#define FR_CLIENT_CLOSE_ASAP (1 << 1)
#define FR_CLIENT_PENDING_WRITE (1 << 2)
#define FR_CLIENT_PROTECTED (1 << 3)   /* running a command: do not free */
/* CLIENT REPLY: OFF silences every reply; SKIP_NEXT (set by CLIENT REPLY
 * SKIP) becomes SKIP after that command, which silences the next one. */
#define FR_CLIENT_REPLY_OFF (1 << 4)
#define FR_CLIENT_REPLY_SKIP_NEXT (1 << 5)
#define FR_CLIENT_REPLY_SKIP (1 << 6)
#define FR_CLIENT_NO_EVICT (1 << 7)    /* CLIENT NO-EVICT ON */
/* Input held (blocked.c in the runtime decides when): bytes keep arriving
 * into the query buffer but no command runs; the parser keeps the command
 * that blocked.  UNBLOCKED: queued to resume in fr_clients_resume_unblocked;
 * RERUN: the held command runs again then (a postponed command), else it
 * is dropped (it was answered while blocked). */
#define FR_CLIENT_BLOCKED (1 << 8)
#define FR_CLIENT_UNBLOCKED (1 << 9)
#define FR_CLIENT_RERUN (1 << 10)
#define FR_CLIENT_UNIX_SOCKET (1 << 11) /* came through the Unix socket */
/* Writing a push (pub/sub message): CLIENT REPLY OFF/SKIP do not silence
 * it, as Redis's CLIENT_PUSHING. */
#define FR_CLIENT_PUSHING (1 << 12)
/* Bytes read this wake-up, commands not run yet (fr_clients_process_reads). */
#define FR_CLIENT_READ_QUEUED (1 << 13)
#define FR_CLIENT_MONITOR (1 << 16)    /* MONITOR: gets every command (monitor.c) */
/* A replica (Redis's CLIENT_SLAVE, set by a module through the SDK): its
 * output is the replication stream, which the module writes raw while
 * RAW_WRITE is set; replies to its own commands are dropped. */
#define FR_CLIENT_REPLICA (1 << 17)
#define FR_CLIENT_RAW_WRITE (1 << 18)
/* A script's client (script_call.c): its replies are read back by the
 * module that runs the script, never written to a socket, so it is never
 * queued for writing and output limits do not apply. */
#define FR_CLIENT_CAPTURE (1 << 19)
/* Replies are dropped, not queued, while any of these is set. */
#define FR_CLIENT_SILENT (FR_CLIENT_CLOSE_AFTER_REPLY | FR_CLIENT_CLOSE_ASAP | FR_CLIENT_REPLY_OFF | FR_CLIENT_REPLY_SKIP | FR_CLIENT_REPLICA)

/* MULTI state: the queued commands (multi.c, in the runtime, owns the
 * layout; the client only carries it). */
typedef struct fr_multi_state {
    void *cmds;
    int n, cap;
    unsigned long long cmd_flags;          /* the queued commands' flags, OR-ed */
    unsigned long long cmd_inv_flags;      /* their flags inverted, OR-ed: what one lacks */
} fr_multi_state;

struct fr_cmd_meta;   /* the runtime's command metadata (manifest.h) */

/* A connection.  The session fields below "session" and "transactions"
 * are set by higher layers (runtime, commands); the protocol layer only
 * stores them, so they are plain values or opaque pointers here. */
typedef struct fr_client {
    uint64_t id;
    int fd;
    int flags;
    ev_io rio, wio;
    struct fr_client *prev, *next;         /* all clients */
    struct fr_client *pending_next;        /* clients with output to flush */
    /* input */
    char *qbuf;                            /* owned; fr_malloc */
    size_t qlen, qpos, qcap;
    size_t qbuf_peak;                      /* most input held since the last cron pass */
    fr_reqparser parser;
    /* session */
    int resp;                              /* 2 or 3 */
    int authenticated;
    void *acl_user;                        /* the runtime's ACL user (acl.c); NULL: "default" */
    int dbid;
    fr_str *name;                          /* owned, NULL if none */
    char addr[64], laddr[64];
    int is_local;                          /* loopback or unix */
    time_t ctime, last_interaction;
    const struct fr_cmd_meta *lastcmd;
    unsigned long long commands_processed;
    /* pub/sub: subscription counts the pub/sub module reports */
    long sub_channels, sub_patterns, sub_shard;
    /* transactions (multi.c) */
    fr_multi_state *multi;                 /* non-NULL between MULTI and EXEC */
    int multi_dirty_exec;                  /* a command was refused: EXECABORT */
    int multi_dirty_cas;                   /* a watched key changed */
    void *watches;                         /* watched keys, multi.c's layout */
    int nwatch, watch_cap;
    /* output: `buf` first, then the block list (reply.c).  `sentlen`
     * counts the written bytes of `buf`, `reply_head_sent` those of the
     * head block; the head is written only once `buf` is empty, so at most
     * one of the two is non-zero. */
    char buf[FR_IOBUF_LEN];
    size_t bufpos, sentlen;
    fr_reply_block *reply_head, *reply_tail;
    size_t reply_head_sent;
    size_t reply_bytes;                    /* data bytes held in blocks */
    size_t reply_mem;                      /* their allocations: omem */
    size_t reply_nblocks;                  /* oll */
    time_t obuf_soft_since;                /* soft limit first seen, or 0 */
    time_t partial_since;                  /* a request began arriving, 0 none */
    /* blocking (blocked.c owns `block`; client.c the resume queue) */
    void *block;                           /* runtime's record, NULL if none */
    struct fr_client *unblocked_next;      /* resume queue, while UNBLOCKED */
    struct fr_client *read_next;           /* read batch, while READ_QUEUED */
    struct fr_tracking *tracking;          /* CLIENT TRACKING state (tracking.c), NULL: off */
    /* every error reply counted for this client, text without CRLF: the
     * replayer's client (replay.c) reports errors nobody reads */
    void (*error_sink)(struct fr_client *c, const char *err, size_t len);
    void *error_sink_priv;                 /* the sink's (replay.c: its replayer) */
} fr_client;

/* Whether replies to `c` are dropped now (closing, CLIENT REPLY OFF/SKIP
 * unless a push is being written). */
static inline int fr_client_silent(const fr_client *c)
{
    int silent = c->flags & FR_CLIENT_SILENT;
    if (c->flags & FR_CLIENT_PUSHING) silent &= ~(FR_CLIENT_REPLY_OFF | FR_CLIENT_REPLY_SKIP);
    if (c->flags & FR_CLIENT_RAW_WRITE) silent &= ~(FR_CLIENT_REPLICA | FR_CLIENT_REPLY_OFF | FR_CLIENT_REPLY_SKIP);
    return silent != 0;
}

/* Redis's CLIENT_PUBSUB: subscribed to any channel, pattern or shard
 * channel. */
static inline int fr_client_subscribed(const fr_client *c)
{
    return c->sub_channels + c->sub_patterns + c->sub_shard > 0;
}

/* ---- network statistics (INFO stats; reset by CONFIG RESETSTAT) ---- */
typedef struct fr_proto_stats {
    long long numconnections, rejected_conn;
    long long net_input_bytes, net_output_bytes;
    /* Redis's stat_net_repl_*: written to replicas; read from a master
     * (counted by the replication module, fr_repl_count_input) */
    long long net_repl_input_bytes, net_repl_output_bytes;
    long long unexpected_error_replies, total_error_replies;
    long long total_reads_processed, total_writes_processed;
    long long client_qbuf_limit_disconnections, client_outbuf_limit_disconnections;
} fr_proto_stats;

/* ---- calls from the protocol layer up to the runtime ----
 * Registered once at start-up by the runtime (fr_runtime_init); until then
 * each is a no-op, which is what the unit tests rely on. */
typedef struct fr_proto_upcalls {
    /* A complete request sits in c->parser: run it (command.c). */
    void (*run_command)(fr_client *c);
    /* `c` is about to be freed: drop its MULTI/WATCH state (multi.c). */
    void (*client_gone)(fr_client *c);
    /* One CLIENT LIST line for `c`, for log lines (cmd_client.c); the
     * caller frees it.  NULL: the line shows id and address only. */
    fr_str *(*describe)(fr_client *c);
    /* The core's hardened mode refused something of `c` (a request over
     * its caps, a request left half sent): count it and record it in the
     * ledger (ctx.c).  NULL: nothing is recorded. */
    void (*hardened_refusal)(fr_client *c, const char *rule, const char *detail);
} fr_proto_upcalls;

void fr_proto_set_upcalls(const fr_proto_upcalls *u);

/* ---- the protocol layer's state (client.c) ---- */
typedef struct fr_protocol {
    struct ev_loop *loop;
    fr_client *clients;       /* doubly linked, newest first */
    unsigned long numclients;
    fr_client *pending_writes;
    uint64_t next_client_id;
    fr_client *current_client;
    fr_client *unblocked;     /* input to resume before the loop sleeps */
    fr_client *read_batch;    /* read this wake-up, in the kernel's order */
    fr_proto_stats stats;
    /* Reply-block memory of replica clients (reply.c keeps it with each
     * block): left out of what maxmemory counts (memory_guard.c). */
    size_t replica_reply_mem;
    /* The ACL "default" user's state, kept here by acl.c (runtime) because
     * the protocol layer decides who must authenticate: nopass, and nopass
     * while enabled (then a new connection is authenticated at once). */
    int default_user_nopass, default_user_open;
} fr_protocol;

extern fr_protocol fr_proto;

/* ---- net.c ---- */
int fr_net_listen(char *err, size_t errlen);
void fr_net_close_listeners(void);       /* TCP ones (CONFIG SET port/bind) */
int fr_net_listen_unix(char *err, size_t errlen);
int fr_net_listening(void);              /* any listener open */
void fr_net_close_unix(void);            /* and remove its file */
void fr_net_close_listeners_in_child(void);
void fr_net_fit_maxclients(void);
long long fr_net_maxclients_possible(long long want);

/* ---- client.c ---- */
void fr_proto_init(struct ev_loop *loop);
fr_client *fr_client_create(int fd, const char *addr, const char *laddr, int is_local);
void fr_client_free(fr_client *c);
int fr_client_auth_required(const fr_client *c);
void fr_client_close_async(fr_client *c);
void fr_client_flush_pending(void);
void fr_clients_cron(void);
fr_client *fr_client_by_id(uint64_t id);
size_t fr_client_output_bytes(const fr_client *c);
fr_str *fr_client_describe(fr_client *c);
/* "id=<id> addr=<ip:port>" into buf: how logs and the hardened ledger name
 * a client. */
const char *fr_client_id_addr(const fr_client *c, char *buf, size_t len);
/* Hold a client's input after the command in its parser (which stays
 * there), and release it: `rerun` runs that command again, else it is
 * dropped.  The release takes effect in fr_clients_resume_unblocked, which
 * the loop calls before it sleeps, so a command never runs inside
 * another client's command. */
void fr_client_hold_input(fr_client *c);
void fr_client_release_input(fr_client *c, int rerun);
void fr_clients_resume_unblocked(void);
/* Run the commands of the clients read from since the loop woke, in the
 * order the kernel reported their sockets readable (the order requests
 * arrived in), as Redis does; the loop calls it before it sleeps. */
void fr_clients_process_reads(void);

/* ---- reply.c: bytes into a client's output ---- */
struct iovec;
void fr_client_mark_pending(fr_client *c);
void fr_reply_array_client(fr_client *c, long len);
void fr_reply_consume(fr_client *c, size_t n);
void fr_client_free_replies(fr_client *c);
/* All the output queued for `c`, as one new string, and the output emptied
 * (a script client's reply, read back by the script). */
fr_str *fr_client_take_output(fr_client *c);
size_t fr_iov_total(const struct iovec *iov, int n);
void fr_error_count(const char *code, size_t len);
void fr_error_stats_foreach(void (*fn)(const char *code, long long count, void *priv), void *priv);
void fr_error_stats_reset(void);
void fr_client_add_reply(fr_client *c, const char *p, size_t len);
void fr_client_add_hdr(fr_client *c, char prefix, long long n);
void fr_client_add_bulk(fr_client *c, const void *p, size_t len);
void fr_client_add_error(fr_client *c, const char *err, size_t len);
void fr_client_count_error(const char *err, size_t len);
void fr_client_add_error_uncounted(fr_client *c, const char *err, size_t len);
void fr_client_add_errorv(fr_client *c, const char *fmt, va_list ap);
void fr_client_add_errorf(fr_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A header whose length is not known yet: reserve it, fill it later.
 * NULL (and set_deferred ignores it) when the client is being closed. */
void *fr_client_add_deferred(fr_client *c);
void fr_client_set_deferred(fr_client *c, void *node, char prefix, long len);

#endif /* FR_PROTOCOL_H */

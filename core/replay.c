/* replay.c -- running commands that come from a file rather than a
 * connection: the append-only file's replay at start-up, as Redis's fake
 * AOF client.
 *
 * The replayer owns a client that is in no list (CLIENT LIST, KILL, the
 * event loop and the pending-write queue never see it) and whose replies
 * are dropped (REPLY_OFF).  Handlers run directly, as Redis's loader calls
 * cmd->proc: no statistics, slowlog or MONITOR feed, and no propagation
 * unless asked (fr_replay_propagate: a replica's stream, which its AOF
 * logs; an AOF replayed at start-up never propagates).  MULTI
 * is kept here, not in multi.c: the commands after it are queued (with
 * their argv) and run at EXEC, so a transaction that the input cuts short
 * never touches the keyspace.
 *
 * An error a replayed command replies is what Redis calls an unexpected
 * error reply (the master's stream or the AOF should never produce one):
 * counted in INFO unexpected_error_replies, logged as "== CRITICAL ==",
 * and under propagation-error-behavior panic (or panic-on-replicas, for
 * a read-only replica's stream) the server stops.  A write from the
 * master while writes are denied for a disk error stops a replica unless
 * replica-ignore-disk-write-errors (Redis 7.0's default: stop). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime.h"

typedef struct replay_cmd {
    const fr_cmd_meta *cmd;
    int argc;
    fr_str **argv;                /* owned */
} replay_cmd;

struct fr_replay {
    fr_client *c;
    int in_multi;
    int propagate;                /* the master's stream: its writes go to
                                   * the AOF hook (else an AOF replayed) */
    const fr_cmd_meta *running;   /* the command a handler runs now */
    replay_cmd *queue;            /* commands queued since MULTI */
    int nqueued, cap;
};

/* Redis's fake client id (CLIENT_ID_AOF): no connection has it. */
#define REPLAY_CLIENT_ID UINT64_MAX

static void argv_free(int argc, fr_str **argv)
{
    for (int i = 0; i < argc; i++) fr_str_free(argv[i]);
    fr_free(argv);
}

/* Redis's afterErrorReply for its master and AOF clients. */
static void error_replied(fr_client *c, const char *err, size_t len)
{
    fr_replay *r = c->error_sink_priv;
    const char *from = r->propagate ? "replica" : "server", *to = r->propagate ? "master" : "AOF-loading-client";
    const char *cmd = r->running ? r->running->fullname : "<unknown>";
    fr_log(FR_LOG_WARNING, "== CRITICAL == This %s is sending an error to its %s: '%.*s' after processing the "
           "command '%s'", from, to, (int)(len > 4096 ? 4096 : len), err, cmd);
    fr_proto.stats.unexpected_error_replies++;
    char how[32];
    fr_config_server_str("propagation-error-behavior", how, sizeof(how));
    int panic = !strcmp(how, "panic"), on_replicas = panic || !strcmp(how, "panic-on-replicas");
    if ((r->propagate && fr_cfg.replica_read_only && on_replicas) || (!r->propagate && panic))
        fr_panic("This %s panicked sending an error to its %s after processing the command '%s'", from, to, cmd);
}

/* processCommand's check for a command from the master while a disk error
 * denies writes: stop (the default), or apply it and say so every 10 s. */
static void check_disk_error(const fr_replay *r, const fr_cmd_meta *cmd)
{
    if (!r->propagate || !fr_runtime.deny_writes_error || !(cmd->flags & FR_CMD_WRITE)) return;
    if (!fr_config_server_ll("replica-ignore-disk-write-errors", 0))
        fr_panic("Replica was unable to write command to disk.");
    static time_t last_log;
    if (time(NULL) - last_log < 10) return;
    last_log = time(NULL);
    fr_log(FR_LOG_WARNING, "Replica is applying a command even though it is unable to write to disk.");
}

FR_API fr_replay *fr_replay_new(void)
{
    fr_replay *r = fr_calloc(sizeof(*r));
    fr_client *c = fr_calloc(sizeof(*c));
    c->error_sink = error_replied;
    c->error_sink_priv = r;
    c->id = REPLAY_CLIENT_ID;
    c->fd = -1;
    c->resp = 2;
    c->authenticated = 1;
    c->flags = FR_CLIENT_REPLY_OFF;
    fr_reqparser_init(&c->parser);
    r->c = c;
    return r;
}

static void drop_queue(fr_replay *r)
{
    for (int i = 0; i < r->nqueued; i++) argv_free(r->queue[i].argc, r->queue[i].argv);
    r->nqueued = 0;
    r->in_multi = 0;
}

FR_API void fr_replay_free(fr_replay *r)
{
    if (!r) return;
    drop_queue(r);
    fr_free(r->queue);
    fr_reqparser_free(&r->c->parser);
    fr_client_free_replies(r->c);
    fr_free(r->c);
    fr_free(r);
}

FR_API int fr_replay_in_multi(const fr_replay *r)
{
    return r->in_multi;
}

/* One handler call; argv stays the caller's (a handler may take strings
 * out of it, leaving NULL). */
static void run(fr_replay *r, const fr_cmd_meta *cmd, int argc, fr_str **argv)
{
    fr_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.client = r->c;
    ctx.cmd = cmd;
    ctx.module = cmd->owner;
    ctx.argc = argc;
    ctx.argv = argv;
    check_disk_error(r, cmd);
    /* effects (a DEL of a key found expired) join the command, as in
     * fr_command_call; inside EXEC they gather for fr_propagate_exec_end */
    fr_ctx *outer = fr_runtime.cmd_capture;
    if (r->propagate && !fr_runtime.in_exec) fr_runtime.cmd_capture = &ctx;
    fr_keyspace.replaying = 1;
    r->running = cmd;
    ((fr_command_fn)cmd->handler)(&ctx);
    r->running = NULL;
    fr_keyspace.replaying = 0;
    fr_runtime.cmd_capture = outer;
    if (ctx.dirty > 0) fr_runtime.dirty += ctx.dirty;
    if (r->propagate) fr_propagate_finish(&ctx);
    fr_ctx_release(&ctx);
}

static void run_queue(fr_replay *r)
{
    fr_runtime.in_exec = 1;
    for (int i = 0; i < r->nqueued; i++) run(r, r->queue[i].cmd, r->queue[i].argc, r->queue[i].argv);
    fr_runtime.in_exec = 0;
    fr_propagate_exec_end();
    drop_queue(r);
}

static void enqueue(fr_replay *r, const fr_cmd_meta *cmd, int argc, fr_str **argv)
{
    if (r->nqueued == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->queue = fr_realloc(r->queue, sizeof(*r->queue) * (size_t)r->cap);
    }
    r->queue[r->nqueued++] = (replay_cmd){cmd, argc, argv};
}

/* MULTI and EXEC are the replayer's own; anything else runs or queues. */
static int dispatch(fr_replay *r, const fr_cmd_meta *cmd, int argc, fr_str **argv, char *why,
                    size_t whylen)
{
    if (!strcmp(cmd->fullname, "multi")) {
        if (r->in_multi) {
            snprintf(why, whylen, "MULTI calls can not be nested");
            argv_free(argc, argv);
            return FR_ERR;
        }
        r->in_multi = 1;
        argv_free(argc, argv);
    } else if (!strcmp(cmd->fullname, "exec")) {
        argv_free(argc, argv);
        if (!r->in_multi) {
            snprintf(why, whylen, "EXEC without MULTI");
            return FR_ERR;
        }
        run_queue(r);
    } else if (r->in_multi) {
        enqueue(r, cmd, argc, argv);
    } else {
        run(r, cmd, argc, argv);
        argv_free(argc, argv);
    }
    return FR_OK;
}

FR_API void fr_replay_propagate(fr_replay *r, int on)
{
    r->propagate = on != 0;
}

FR_API int fr_replay_dbid(const fr_replay *r)
{
    return r->c->dbid;
}

FR_API int fr_replay_call(fr_replay *r, int argc, fr_str **argv, char *why, size_t whylen)
{
    const fr_cmd_meta *cmd = argc > 0 ? fr_cmdtable_lookup_argv(argc, (const fr_str *const *)argv) : NULL;
    if (!cmd) {
        snprintf(why, whylen, "Unknown command '%.*s'", argc > 0 ? (int)(argv[0]->len > 128 ? 128 : argv[0]->len) : 0,
                 argc > 0 ? argv[0]->buf : "");
    } else if (!fr_cmd_arity_ok(cmd, argc)) {
        snprintf(why, whylen, "wrong number of arguments for '%s' command", cmd->fullname);
        cmd = NULL;
    }
    if (!cmd) {
        argv_free(argc, argv);
        /* the master's stream: Redis's rejection is an error reply too
         * (an AOF's refusal ends its load, which the aof module reports) */
        if (r->propagate) fr_client_add_errorf(r->c, "%s", why);
        return FR_ERR;
    }
    return dispatch(r, cmd, argc, argv, why, whylen);
}

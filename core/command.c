/* command.c -- from a parsed request to a handler call, as processCommand
 * and call() do in Redis.
 *
 * Checks, in Redis's order: cross-protocol attack guard ("POST", "Host:"),
 * existence (unknown command / unknown subcommand), arity from the manifest,
 * authentication, NO_MULTI inside MULTI, ACL (acl.c), the memory guard (maxmemory), MISCONF, the RESP2
 * subscribed mode.  A rejected command counts in
 * rejected_calls and never reaches its module.  After the handler: per-command statistics, the dirty
 * counter, propagation and the command-executed hook. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "runtime.h"

/* A refused EXEC aborts the transaction, whether or not one is open, and
 * says why (Redis's execCommandAbort). */
static void reject(fr_client *c, fr_cmd_meta *cmd, const char *msg)
{
    fr_multi_flag_error(c);
    if (cmd) cmd->stats.rejected_calls++;
    if (cmd && !strcmp(cmd->fullname, "exec")) {
        fr_multi_client_gone(c);
        c->multi_dirty_cas = 0;
        fr_client_add_errorf(c, "-EXECABORT Transaction discarded because of: %s", msg[0] == '-' ? msg + 1 : msg);
        return;
    }
    fr_client_add_error(c, msg, strlen(msg));
}

static int is_container(const fr_str *name)
{
    const fr_cmd_meta *base = fr_cmdtable_lookup(name->buf, name->len);
    return base && base->nsubcmds > 0;
}

static void reply_unknown(fr_client *c, int argc, fr_str **argv)
{
    char err[1024];
    if (is_container(argv[0])) {
        char up[129];
        size_t i;
        for (i = 0; i < 128 && argv[0]->buf[i]; i++) up[i] = (char)toupper((unsigned char)argv[0]->buf[i]);
        up[i] = '\0';
        snprintf(err, sizeof(err), "unknown subcommand '%.128s'. Try %s HELP.", argv[1]->buf, up);
    } else {
        char args[512];
        size_t len = 0;
        args[0] = '\0';
        for (int i = 1; i < argc && len < 128; i++) {
            int n = snprintf(args + len, sizeof(args) - len, "'%.*s' ", 128 - (int)len, argv[i]->buf);
            len += (size_t)n;
        }
        snprintf(err, sizeof(err), "unknown command '%.128s', with args beginning with: %s", argv[0]->buf, args);
    }
    fr_client_add_error(c, err, strlen(err));
}

static void security_warning(fr_client *c)
{
    static time_t logged;
    time_t now = fr_clock_unix();
    if (now - logged > 60 || logged - now > 60) {
        fr_log(FR_LOG_WARNING, "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: "
                               "commands to Redis. This is likely due to an attacker attempting to use Cross "
                               "Protocol Scripting to compromise your Redis instance. Connection aborted.");
        logged = now;
    }
    fr_client_close_async(c);
}

/* "POST" or "Host:" in any case: an HTTP request aimed at us. */
static int is_http_verb(const fr_str *name)
{
    if (name->len == 4) return fr_dict_bytes_equal_nocase(name->buf, "post", 4);
    return name->len == 5 && fr_dict_bytes_equal_nocase(name->buf, "host:", 5);
}

/* Redis's RESP2 subscribed mode: while a RESP2 client has a subscription,
 * only these run (the pub/sub module's and the core's). */
static int allowed_when_subscribed(const fr_cmd_meta *cmd)
{
    static const char *const allowed[] = {"ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
                                          "psubscribe", "punsubscribe", "quit", "reset", NULL};
    for (int i = 0; allowed[i]; i++)
        if (!strcmp(cmd->fullname, allowed[i])) return 1;
    return 0;
}

static void process_one(fr_client *c);

/* The ACL check of processCommand: a denial is logged and refused. */
static int acl_refused(fr_client *c, fr_cmd_meta *cmd, int argc, fr_str **argv)
{
    int pos = 0;
    int why = fr_acl_check(c, cmd, argc, argv, &pos);
    if (why == FR_ACL_OK) return 0;
    fr_acl_log_denied(c, why, c->multi ? FR_ACL_CTX_MULTI : FR_ACL_CTX_TOPLEVEL, cmd, argv, pos);
    char err[512];
    snprintf(err, sizeof(err), fr_acl_denial_text(why), cmd->fullname);
    reject(c, cmd, err);
    return 1;
}

/* After every command, whatever its outcome: CLIENT REPLY SKIP silences
 * exactly the command that follows it (Redis's resetClient), and held
 * invalidations follow the reply.  A command
 * that blocked has not finished: it keeps the flags until it runs again. */
void fr_command_process(fr_client *c)
{
    if (fr_tracking_is_on(c)) fr_tracking_limit();
    process_one(c);
    if (!(c->flags & FR_CLIENT_BLOCKED)) {
        fr_tracking_after_command(c);
        c->flags &= ~FR_CLIENT_REPLY_SKIP;
        if (c->flags & FR_CLIENT_REPLY_SKIP_NEXT) c->flags = (c->flags & ~FR_CLIENT_REPLY_SKIP_NEXT) | FR_CLIENT_REPLY_SKIP;
    }
    /* Clients waiting for keys this command wrote are served right after
     * it, before any other command, as Redis's handleClientsBlockedOnKeys. */
    fr_blocked_serve_ready();
}

static void process_one(fr_client *c)
{
    int argc = c->parser.argc;
    fr_str **argv = c->parser.argv;
    if (is_http_verb(argv[0])) {
        security_warning(c);
        return;
    }
    fr_cmd_meta *cmd = (fr_cmd_meta *)fr_cmdtable_lookup_argv(argc, (const fr_str *const *)argv);
    if (!cmd) {
        fr_multi_flag_error(c);
        reply_unknown(c, argc, argv);
        return;
    }
    c->lastcmd = cmd;
    if (!fr_cmd_arity_ok(cmd, argc)) {
        char err[256];
        snprintf(err, sizeof(err), "wrong number of arguments for '%s' command", cmd->fullname);
        reject(c, cmd, err);
        return;
    }
    const char *protected_refusal = fr_debug_refusal(cmd, c);
    if (protected_refusal) {
        reject(c, cmd, protected_refusal);
        return;
    }
    if (fr_client_auth_required(c) && !(cmd->flags & FR_CMD_NO_AUTH)) {
        reject(c, cmd, "-NOAUTH Authentication required.");
        return;
    }
    if (c->multi && (cmd->flags & FR_CMD_NO_MULTI)) {
        reject(c, cmd, "Command not allowed inside a transaction");
        return;
    }
    if (acl_refused(c, cmd, argc, argv)) return;
    /* The checks below see the call's flags (a script's shebang may drop
     * WRITE), the rest of the dispatcher the command itself. */
    fr_cmd_meta eff_meta;
    const fr_cmd_meta *eff = cmd;
    if (cmd->flags_fn) {
        eff_meta = *cmd;
        eff_meta.flags = ((fr_command_flags_fn)cmd->flags_fn)(argc, (const fr_str *const *)argv, cmd->flags);
        eff = &eff_meta;
    } else if (c->multi && !strcmp(cmd->fullname, "exec")) {
        /* EXEC writes, needs memory, ... when what it runs does; it may
         * run on a stale replica only when all of it may. */
        eff_meta = *cmd;
        eff_meta.flags |= c->multi->cmd_flags;
        if (c->multi->cmd_inv_flags & FR_CMD_STALE) eff_meta.flags &= ~FR_CMD_STALE;
        eff = &eff_meta;
    }
    const char *busy_refusal = fr_busy_refusal(c, cmd);
    if (busy_refusal) {
        reject(c, cmd, busy_refusal);
        return;
    }
    const char *oom_refusal = fr_memory_guard_refusal(c, eff);
    if (oom_refusal) {
        reject(c, cmd, oom_refusal);
        return;
    }
    if (fr_runtime.deny_writes_error && ((eff->flags & FR_CMD_WRITE) || !strcmp(cmd->fullname, "ping"))) {
        reject(c, cmd, fr_runtime.deny_writes_error);
        return;
    }
    if (fr_runtime.replica_ro_error && fr_cfg.replica_read_only && (eff->flags & FR_CMD_WRITE)) {
        reject(c, cmd, fr_runtime.replica_ro_error);
        return;
    }
    const char *gate_refusal = fr_replication_gate_refusal(eff->flags);
    if (gate_refusal) {
        reject(c, cmd, gate_refusal);
        return;
    }
    if (fr_client_subscribed(c) && c->resp == 2 && !allowed_when_subscribed(cmd)) {
        char err[256];
        snprintf(err, sizeof(err),
                 "Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context", cmd->fullname);
        reject(c, cmd, err);
        return;
    }
    const char *monitor_refusal = fr_monitor_refusal(cmd, c);
    if (monitor_refusal) {
        reject(c, cmd, monitor_refusal);
        return;
    }
    /* Before queuing, as Redis: under a pause a write waits even to be
     * queued, and EXEC waits when its queue writes. */
    if (fr_pause_holds(eff)) {
        fr_block_postpone(c);
        return;
    }
    if (c->multi && !fr_multi_runs_now(cmd)) {
        if (cmd->flags & FR_CMD_NO_MULTI) reject(c, cmd, "Command not allowed inside a transaction");
        else fr_multi_queue(c, cmd, eff->flags);
        return;
    }
    fr_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.client = c;
    ctx.cmd = cmd;
    ctx.module = cmd->owner;
    ctx.argc = argc;
    ctx.argv = argv;
    fr_command_call(&ctx);
    fr_ctx_release(&ctx);
}

/* Errors some call already answered for (Redis's prev_err_count): a
 * command failed when it replied an error of its own, not when a command
 * its script ran did, nor a script's refused call. */
static long long errors_claimed;

void fr_command_claim_error(void)
{
    errors_claimed++;
}

void fr_command_call(fr_ctx *ctx)
{
    fr_cmd_meta *cmd = (fr_cmd_meta *)ctx->cmd;
    long long errors_before = fr_proto.stats.total_error_replies, claimed_before = errors_claimed;
    uint64_t start = fr_clock_wall_us();
    /* A script's commands see the script's clock, as Redis's snapshot. */
    int nested = fr_runtime.script_depth > 0;
    if (!nested) fr_clock_cmd_start_at((long long)(start / 1000)); /* one clock read */
    /* A blocked command run again was counted as a call when it arrived,
     * as Redis counts it (its time and errors still add up). */
    int again = fr_blocked_rerunning(ctx->client);
    fr_ctx *outer = fr_runtime.cmd_capture;
    if (!outer && !fr_runtime.in_exec && !fr_runtime.script_capture) fr_runtime.cmd_capture = ctx;
    ((fr_command_fn)cmd->handler)(ctx);
    fr_runtime.cmd_capture = outer;
    if (!nested) fr_clock_cmd_stop();
    uint64_t dur = fr_clock_wall_us() - start;
    if (!again) cmd->stats.calls++;
    cmd->stats.usec += (long long)dur;
    long long errors = fr_proto.stats.total_error_replies - errors_before;
    if (errors > errors_claimed - claimed_before) cmd->stats.failed_calls++;
    errors_claimed = claimed_before + errors;
    if (!again) fr_runtime.stats.numcommands++;
    if (ctx->client) ctx->client->commands_processed++;
    fr_latency_command_done(cmd, (long long)dur);
    fr_slowlog_push(ctx, (long long)dur);
    fr_monitor_feed(ctx);
    fr_tracking_command_done(ctx);
    if (ctx->dirty > 0) fr_runtime.dirty += ctx->dirty;
    fr_propagate_finish(ctx);
    if (fr_hooks_count(FR_HOOK_COMMAND_EXECUTED)) {
        fr_hook_event ev = {.id = FR_HOOK_COMMAND_EXECUTED, .ctx = ctx};
        fr_hooks_fire(&ev);
    }
}

void fr_replica_read_only(const char *error)
{
    fr_free(fr_runtime.replica_ro_error);
    fr_runtime.replica_ro_error = error ? fr_strdup(error) : NULL;
}

static fr_replication_gate_fn repl_gate;
static fr_module *repl_gate_owner;

int fr_replication_gate_register(fr_module *m, fr_replication_gate_fn fn)
{
    if (repl_gate_owner && repl_gate_owner != m) return FR_ERR;
    repl_gate = fn;
    repl_gate_owner = fn ? m : NULL;
    return FR_OK;
}

void fr_replication_gate_remove_module(fr_module *m)
{
    if (repl_gate_owner == m) repl_gate = NULL, repl_gate_owner = NULL;
}

/* Redis's shared -NOREPLICAS / -MASTERDOWN replies, or NULL. */
const char *fr_replication_gate_refusal(unsigned long long flags)
{
    switch (repl_gate ? repl_gate(flags) : FR_GATE_OPEN) {
    case FR_GATE_NOREPLICAS: return "-NOREPLICAS Not enough good replicas to write.";
    case FR_GATE_MASTERDOWN:
        return "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    default: return NULL;
    }
}

int fr_replica_stale_refuses(unsigned long long flags)
{
    return repl_gate && repl_gate(flags) == FR_GATE_MASTERDOWN;
}

void fr_deny_writes(const char *error)
{
    fr_free(fr_runtime.deny_writes_error);
    fr_runtime.deny_writes_error = error ? fr_strdup(error) : NULL;
}

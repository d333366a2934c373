/* script_call.c -- commands run by a script (redis.call in EVAL and FCALL),
 * as Redis's script client runs them.
 *
 * A script owns one fr_script_client: a client in no list (CLIENT LIST,
 * KILL and the event loop never see it) whose replies are captured
 * (FR_CLIENT_CAPTURE) and handed back as RESP bytes, which the scripting
 * module turns into Lua values.  The command goes through fr_command_call,
 * so statistics, the slow log, MONITOR ("[db lua]") and keyspace effects
 * are those of any command; three things differ, as in Redis:
 *  - what it propagates is collected into the script's own call
 *    (fr_runtime.script_capture), so the script's writes reach AOF and
 *    replicas together, wrapped in MULTI/EXEC when there are several;
 *  - the command clock stays the one of the script's start;
 *  - keys it reads are remembered for the caller's CLIENT TRACKING.
 * The module checks what Redis's scriptCall checks (arity, NOSCRIPT,
 * read-only scripts, OOM) before calling; this file only runs. */
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "sha1.h"

struct fr_script_client {
    fr_client *c;
    fr_ctx *caller;          /* the EVAL/FCALL call, during a run */
};

/* Redis's lua client shows as "lua" in MONITOR and the slow log. */
FR_API fr_script_client *fr_script_client_new(void)
{
    fr_script_client *sc = fr_calloc(sizeof(*sc));
    fr_client *c = fr_calloc(sizeof(*c));
    c->id = UINT64_MAX - 1;
    c->fd = -1;
    c->resp = 2;
    c->authenticated = 1;
    c->flags = FR_CLIENT_CAPTURE;
    snprintf(c->addr, sizeof(c->addr), "lua");
    fr_reqparser_init(&c->parser);
    sc->c = c;
    return sc;
}

FR_API void fr_script_client_free(fr_script_client *sc)
{
    if (!sc) return;
    fr_reqparser_free(&sc->c->parser);
    fr_client_free_replies(sc->c);
    fr_free(sc->c);
    fr_free(sc);
}

static void *current_run;

FR_API void *fr_script_current(void)
{
    return current_run;
}

FR_API int fr_script_deny_disabled(void)
{
    return fr_runtime.script_deny_disabled;
}

FR_API void fr_script_rejected(int argc, fr_str **argv, const char *err)
{
    fr_client_count_error(err, strlen(err));
    fr_command_claim_error();
    fr_cmd_meta *cmd = argc > 0 ? (fr_cmd_meta *)fr_cmdtable_lookup_argv(argc, (const fr_str *const *)argv) : NULL;
    if (cmd) cmd->stats.rejected_calls++;
}

FR_API void fr_script_begin(fr_script_client *sc, fr_ctx *caller, void *run)
{
    sc->caller = caller;
    current_run = run;
    sc->c->dbid = caller && caller->client ? caller->client->dbid : 0;
    sc->c->resp = 2;
    fr_runtime.script_depth++;
}

FR_API void fr_script_end(fr_script_client *sc)
{
    sc->caller = NULL;
    current_run = NULL;
    fr_client_free_replies(sc->c);
    if (fr_runtime.script_depth > 0) fr_runtime.script_depth--;
}

FR_API void fr_script_set_resp(fr_script_client *sc, int resp)
{
    sc->c->resp = resp;
}

FR_API int fr_command_flags(int argc, const fr_str *const *argv, unsigned long long *flags)
{
    const fr_cmd_meta *cmd = argc > 0 ? fr_cmdtable_lookup_argv(argc, argv) : NULL;
    if (!cmd) return 0;
    *flags = cmd->flags;
    return fr_cmd_arity_ok(cmd, argc) ? 1 : -1;
}

FR_API int fr_ctx_oom(const fr_ctx *ctx)
{
    (void)ctx;
    return fr_runtime.oom_before_command;
}

FR_API const char *fr_write_refusal(void)
{
    if (fr_runtime.deny_writes_error) return fr_runtime.deny_writes_error;
    const char *gate = fr_replication_gate_refusal(FR_CMD_WRITE | FR_CMD_STALE);
    return gate ? gate : fr_cfg.replica_read_only ? fr_runtime.replica_ro_error : NULL;
}

FR_API fr_str *fr_script_call(fr_script_client *sc, int argc, fr_str **argv)
{
    const fr_cmd_meta *cmd = argc > 0 ? fr_cmdtable_lookup_argv(argc, (const fr_str *const *)argv) : NULL;
    if (!cmd || !sc->caller) return fr_str_new("-ERR Unknown Redis command called from script\r\n", 47);
    fr_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.client = sc->c;
    ctx.cmd = cmd;
    ctx.module = cmd->owner;
    ctx.argc = argc;
    ctx.argv = argv;
    ctx.script_caller = sc->caller;
    fr_ctx *saved = fr_runtime.script_capture;
    fr_runtime.script_capture = sc->caller;
    fr_command_call(&ctx);
    fr_runtime.script_capture = saved;
    fr_ctx_release(&ctx);
    return fr_client_take_output(sc->c);
}

/* Redis's scriptVerifyACL: the script's commands run with its caller's
 * user, so a command that user may not run is refused inside the script
 * too and logged in ACL LOG with context "lua".  Connections only: the
 * fake clients (AOF replay, a master's stream) have no user and may run
 * anything, as Redis's. */
static int script_acl_check(fr_script_client *sc, int argc, fr_str **argv, const fr_cmd_meta **cmd, int *pos)
{
    fr_client *c = sc->caller ? sc->caller->client : NULL;
    *cmd = argc > 0 ? fr_cmdtable_lookup_argv(argc, (const fr_str *const *)argv) : NULL;
    if (!c || c->fd < 0 || !*cmd) return FR_ACL_OK;
    return fr_acl_check(c, *cmd, argc, argv, pos);
}

FR_API int fr_script_acl_allows(fr_script_client *sc, int argc, fr_str **argv)
{
    const fr_cmd_meta *cmd;
    int pos = 0;
    return script_acl_check(sc, argc, argv, &cmd, &pos) == FR_ACL_OK;
}

FR_API const char *fr_script_acl_refusal(fr_script_client *sc, int argc, fr_str **argv)
{
    const fr_cmd_meta *cmd;
    int pos = 0;
    int why = script_acl_check(sc, argc, argv, &cmd, &pos);
    if (why == FR_ACL_OK) return NULL;
    fr_acl_log_denied(sc->caller->client, why, FR_ACL_CTX_LUA, cmd, argv, pos);
    switch (why) {
    case FR_ACL_DENIED_CMD: return "The user executing the script can't run this command or subcommand";
    case FR_ACL_DENIED_KEY:
        return "The user executing the script can't access at least one of the keys mentioned in the command "
               "arguments";
    case FR_ACL_DENIED_CHANNEL:
        return "The user executing the script can't publish to the channel mentioned in the command";
    default: return "The user executing the script lacking the permissions for the command";
    }
}

FR_API void fr_sha1_hex(char out[41], const void *p, size_t len)
{
    fr_sha1 s;
    uint8_t d[FR_SHA1_DIGEST_LEN];
    fr_sha1_init(&s);
    fr_sha1_update(&s, p, len);
    fr_sha1_final(&s, d);
    for (int i = 0; i < FR_SHA1_DIGEST_LEN; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static fr_scripts_stats script_stats;

FR_API void fr_scripts_report(int kind, long long vm_bytes, long long overhead, long long n, long long nlibs)
{
    if (kind != FR_SCRIPTS_EVAL && kind != FR_SCRIPTS_FUNCTIONS) return;
    script_stats.vm[kind] = vm_bytes;
    script_stats.overhead[kind] = overhead;
    script_stats.n[kind] = n;
    if (kind == FR_SCRIPTS_FUNCTIONS) script_stats.nlibs = nlibs;
}

const fr_scripts_stats *fr_scripts_stats_get(void)
{
    return &script_stats;
}

/* ctx.c -- the SDK's view of one command call (fr_ctx): arguments, client
 * protocol, the running module's mode and divergence accounting.
 *
 * An fr_ctx lives on the dispatcher's stack for the duration of one handler
 * call; its argv belongs to the client's parser (or, under EXEC, to the
 * transaction queue).  Small arguments sit in the parser's arena, so
 * fr_arg_take() hands out a copy of those; a big one it moves out, and the
 * parser then skips its NULL slot when freeing. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "runtime.h"

int fr_argc(const fr_ctx *ctx)
{
    return ctx->argc;
}

const fr_str *fr_arg(const fr_ctx *ctx, int i)
{
    return (i >= 0 && i < ctx->argc) ? ctx->argv[i] : NULL;
}

/* Zero-copy for a heap argument when nobody will read the request after
 * the handler.  A copy when propagation subscribers exist (they need the
 * original bytes: the value could be overwritten in the same call, e.g.
 * MSET k a k b), and for an arena argument, which dies with the command. */
fr_str *fr_arg_take(fr_ctx *ctx, int i)
{
    if (i < 0 || i >= ctx->argc || !ctx->argv[i]) return NULL;
    fr_str *s = ctx->argv[i];
    int in_arena = ctx->client && fr_reqparser_in_arena(&ctx->client->parser, s);
    if (in_arena || fr_hooks_count(FR_HOOK_COMMAND_PROPAGATED)) return fr_str_dup(s);
    ctx->argv[i] = NULL;
    return s;
}

int fr_arg_is(const fr_ctx *ctx, int i, const char *keyword)
{
    const fr_str *a = fr_arg(ctx, i);
    return a && !strcasecmp(a->buf, keyword) && strlen(keyword) == a->len;
}

int fr_arg_ll_or_reply(fr_ctx *ctx, int i, long long *out)
{
    const fr_str *a = fr_arg(ctx, i);
    if (a && fr_string2ll(a->buf, a->len, out)) return FR_OK;
    fr_reply_error(ctx, "value is not an integer or out of range");
    return FR_ERR;
}

int fr_arg_range_or_reply(fr_ctx *ctx, int i, long long min, long long max, const char *msg, long long *out)
{
    const fr_str *a = fr_arg(ctx, i);
    if (!a || !fr_string2ll(a->buf, a->len, out)) {
        fr_reply_error(ctx, msg ? msg : "value is not an integer or out of range");
        return FR_ERR;
    }
    if (*out >= min && *out <= max) return FR_OK;
    if (msg) fr_reply_error(ctx, msg);
    else fr_reply_errorf(ctx, "value is out of range, value must between %lld and %lld", min, max);
    return FR_ERR;
}

/* Redis's getTimeoutFromObjectOrReply.  A seconds value too large for
 * milliseconds reads as negative, as the conversion does on Redis's
 * platforms; the end time wraps like Redis's addition instead of
 * overflowing. */
int fr_arg_timeout_or_reply(fr_ctx *ctx, int i, int unit, long long *abs_ms)
{
    const fr_str *a = fr_arg(ctx, i);
    long long t;
    if (unit == FR_TIMEOUT_SECONDS) {
        long double secs;
        if (!a || !fr_string2ld(a->buf, a->len, &secs)) {
            fr_reply_error(ctx, "timeout is not a float or out of range");
            return FR_ERR;
        }
        long double ms = ceill(secs * 1000.0L);
        t = (ms >= -9.2233720368547758e18L && ms < 9.2233720368547758e18L) ? (long long)ms : LLONG_MIN;
    } else if (!a || !fr_string2ll(a->buf, a->len, &t)) {
        fr_reply_error(ctx, "timeout is not an integer or out of range");
        return FR_ERR;
    }
    if (t < 0) {
        fr_reply_error(ctx, "timeout is negative");
        return FR_ERR;
    }
    *abs_ms = t > 0 ? (long long)((unsigned long long)t + fr_clock_wall_ms()) : 0;
    return FR_OK;
}

int fr_arg_ld_or_reply(fr_ctx *ctx, int i, long double *out)
{
    const fr_str *a = fr_arg(ctx, i);
    if (a && fr_string2ld(a->buf, a->len, out)) return FR_OK;
    fr_reply_error(ctx, "value is not a valid float");
    return FR_ERR;
}

int fr_ctx_resp(const fr_ctx *ctx)
{
    return ctx->client ? ctx->client->resp : 2;
}

int fr_ctx_hardened(const fr_ctx *ctx)
{
    return ctx->module ? fr_module_is_hardened(ctx->module) : 0;
}

/* A divergence of module m (the running command's, or another module whose
 * rule the command met) during the command in ctx. */
FR_API void fr_ctx_divergence_of(fr_ctx *ctx, fr_module *m, const char *what)
{
    fr_runtime.stats.divergences++;
    if (m) fr_module_count_divergence(m);
    const char *module = m ? fr_module_name(m) : "core";
    const char *cmd = ctx->cmd ? ctx->cmd->fullname : "";
    fr_log(FR_LOG_VERBOSE, "hardened: %s rejected by %s (%s)", cmd[0] ? cmd : "?", module, what);
    char client[128] = "";
    if (ctx->client) fr_client_id_addr(ctx->client, client, sizeof(client));
    fr_ledger_record(module, what, cmd, client, NULL);
}

void fr_ctx_divergence(fr_ctx *ctx, const char *what)
{
    fr_ctx_divergence_of(ctx, ctx->module, what);
}

void fr_module_divergence(fr_module *m, const char *rule, const char *detail)
{
    fr_runtime.stats.divergences++;
    if (m) fr_module_count_divergence(m);
    const char *module = m ? fr_module_name(m) : "core";
    fr_log(FR_LOG_WARNING, "hardened: %s: %s: %s", module, rule, detail ? detail : "");
    fr_ledger_record(module, rule, NULL, NULL, detail);
}

int fr_ctx_in_exec(const fr_ctx *ctx)
{
    (void)ctx;
    return fr_runtime.in_exec;
}

const char *fr_ctx_command_name(const fr_ctx *ctx)
{
    return ctx->cmd ? ctx->cmd->fullname : "";
}

/* The keyspace knows DBs by number; which one a call works on is the
 * client's session, so the mapping lives here, above both. */
fr_db *fr_ctx_db(fr_ctx *ctx)
{
    return fr_db_at(ctx && ctx->client ? ctx->client->dbid : 0);
}

/* One bit per argument; the last bit stands for itself and every argument
 * after it, so that a password past the 63rd argument is hidden too (with
 * its neighbours: hiding too much is the safe side). */
void fr_ctx_redact(fr_ctx *ctx, int i)
{
    if (i >= 0) ctx->redacted |= 1ULL << (i < 63 ? i : 63);
}

int fr_ctx_is_redacted(const fr_ctx *ctx, int i)
{
    return i >= 0 && (ctx->redacted & (1ULL << (i < 63 ? i : 63))) != 0;
}

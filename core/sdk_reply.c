/* sdk_reply.c -- the SDK's fr_reply_* functions: a handler's reply, over its
 * call context (runtime layer).
 *
 * Each maps the context to its client and appends through reply.c's
 * fr_client_add_* (protocol layer), choosing the RESP2 or RESP3 form from
 * the client's protocol version.  An error reply also marks the context
 * (replied_error), which command.c reads for the failed-calls statistics.
 * Kept out of reply.c so that the protocol layer never sees fr_ctx. */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "runtime.h"

static void add(fr_ctx *ctx, const char *p, size_t len)
{
    fr_client_add_reply(ctx->client, p, len);
}

static void add_hdr(fr_ctx *ctx, char prefix, long long n)
{
    fr_client_add_hdr(ctx->client, prefix, n);
}

void fr_reply_ok(fr_ctx *ctx)
{
    add(ctx, "+OK\r\n", 5);
}

void fr_reply_status(fr_ctx *ctx, const char *s)
{
    size_t len = strlen(s);
    char small[256];
    char *b = FR_RESP_STATUS_MAX(len) <= sizeof(small) ? small : fr_malloc(FR_RESP_STATUS_MAX(len));
    add(ctx, b, fr_resp_status(b, s, len, FR_RESP_CRLF_MAP));
    if (b != small) fr_free(b);
}

void fr_reply_error(fr_ctx *ctx, const char *err)
{
    ctx->replied_error = 1;
    fr_client_add_error(ctx->client, err, strlen(err));
}

/* Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE: the error was counted where it
 * arose, the call still failed. */
void fr_reply_error_uncounted(fr_ctx *ctx, const char *err)
{
    ctx->replied_error = 1;
    fr_client_add_error_uncounted(ctx->client, err, strlen(err));
    if (ctx->cmd) ((fr_cmd_meta *)ctx->cmd)->stats.failed_calls++;
}

void fr_reply_errorf(fr_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->replied_error = 1;
    fr_client_add_errorv(ctx->client, fmt, ap);
    va_end(ap);
}

void fr_reply_wrongtype(fr_ctx *ctx)
{
    fr_reply_error(ctx, "-WRONGTYPE Operation against a key holding the wrong kind of value");
}

void fr_reply_syntax_error(fr_ctx *ctx)
{
    fr_reply_error(ctx, "syntax error");
}

void fr_reply_long_long(fr_ctx *ctx, long long v)
{
    add_hdr(ctx, ':', v);
}

void fr_reply_bulk(fr_ctx *ctx, const void *p, size_t len)
{
    fr_client_add_bulk(ctx->client, p, len);
}

void fr_reply_bulk_str(fr_ctx *ctx, const fr_str *s)
{
    fr_reply_bulk(ctx, s->buf, s->len);
}

void fr_reply_bulk_cstr(fr_ctx *ctx, const char *s)
{
    if (!s) fr_reply_null(ctx);
    else fr_reply_bulk(ctx, s, strlen(s));
}

void fr_reply_bulk_ll(fr_ctx *ctx, long long v)
{
    char b[32];
    int n = fr_ll2string(b, sizeof(b), v);
    fr_reply_bulk(ctx, b, (size_t)n);
}

void fr_reply_null(fr_ctx *ctx)
{
    if (ctx->client->resp >= 3) add(ctx, "_\r\n", 3);
    else add(ctx, "$-1\r\n", 5);
}

void fr_reply_null_array(fr_ctx *ctx)
{
    if (ctx->client->resp >= 3) add(ctx, "_\r\n", 3);
    else add(ctx, "*-1\r\n", 5);
}

void fr_reply_array(fr_ctx *ctx, long len)
{
    add_hdr(ctx, '*', len);
}

void fr_reply_map(fr_ctx *ctx, long pairs)
{
    if (ctx->client->resp >= 3) add_hdr(ctx, '%', pairs);
    else add_hdr(ctx, '*', pairs * 2);
}

void fr_reply_set(fr_ctx *ctx, long len)
{
    add_hdr(ctx, ctx->client->resp >= 3 ? '~' : '*', len);
}

void fr_reply_double(fr_ctx *ctx, double v)
{
    char b[64];
    add(ctx, b, (size_t)fr_resp_double(b, sizeof(b), v, ctx->client->resp));
}

void fr_reply_human_long_double(fr_ctx *ctx, long double v)
{
    char b[FR_MAX_LONG_DOUBLE_CHARS];
    int n = fr_ld2string(b, sizeof(b), v, 1);
    if (ctx->client->resp < 3) {
        fr_reply_bulk(ctx, b, (size_t)n);
        return;
    }
    add(ctx, ",", 1);
    add(ctx, b, (size_t)n);
    add(ctx, "\r\n", 2);
}

void fr_reply_bool(fr_ctx *ctx, int v)
{
    if (ctx->client->resp >= 3) add(ctx, v ? "#t\r\n" : "#f\r\n", 4);
    else add(ctx, v ? ":1\r\n" : ":0\r\n", 4);
}

void fr_reply_verbatim(fr_ctx *ctx, const char *p, size_t len, const char *ext)
{
    if (ctx->client->resp < 3) {
        fr_reply_bulk(ctx, p, len);
        return;
    }
    add_hdr(ctx, '=', (long long)len + 4);
    char e[4] = {'t', 'x', 't', ':'};
    for (int i = 0; i < 3 && ext && ext[i]; i++) e[i] = ext[i];
    add(ctx, e, 4);
    add(ctx, p, len);
    add(ctx, "\r\n", 2);
}

void fr_reply_big_number(fr_ctx *ctx, const char *p, size_t len)
{
    if (ctx->client->resp < 3) {
        fr_reply_bulk(ctx, p, len);
        return;
    }
    add(ctx, "(", 1);
    add(ctx, p, len);
    add(ctx, "\r\n", 2);
}

/* The header names the command as the client typed it, upper-cased, up to
 * a NUL (Redis copies it as a C string). */
/* Redis's addReplySubcommandSyntaxError: the subcommand as sent, the
 * command upper-cased. */
void fr_reply_subcommand_syntax_error(fr_ctx *ctx)
{
    char up[64];
    const fr_str *cmd = fr_arg(ctx, 0);
    size_t n = cmd->len < sizeof(up) - 1 ? cmd->len : sizeof(up) - 1;
    for (size_t i = 0; i < n; i++) up[i] = (char)toupper((unsigned char)cmd->buf[i]);
    up[n] = '\0';
    fr_reply_errorf(ctx, "unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.",
                    fr_arg(ctx, 1)->buf, up);
}

void fr_reply_help(fr_ctx *ctx, const char *const *lines)
{
    static const char tail[] = " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
    const fr_str *cmd = fr_arg(ctx, 0);
    size_t n = strlen(cmd->buf);
    char *head = fr_malloc(n + sizeof(tail));
    for (size_t i = 0; i < n; i++) head[i] = (char)toupper((unsigned char)cmd->buf[i]);
    memcpy(head + n, tail, sizeof(tail));
    long count = 0;
    while (lines[count]) count++;
    fr_reply_array(ctx, count + 3);
    fr_reply_status(ctx, head);
    for (long i = 0; i < count; i++) fr_reply_status(ctx, lines[i]);
    fr_reply_status(ctx, "HELP");
    fr_reply_status(ctx, "    Prints this help.");
    fr_free(head);
}

void *fr_reply_deferred_len(fr_ctx *ctx)
{
    return fr_client_add_deferred(ctx->client);
}

static void set_deferred(fr_ctx *ctx, void *node, char prefix, long len)
{
    fr_client_set_deferred(ctx->client, node, prefix, len);
}

void fr_reply_set_deferred_array(fr_ctx *ctx, void *node, long len)
{
    set_deferred(ctx, node, '*', len);
}

void fr_reply_set_deferred_map(fr_ctx *ctx, void *node, long pairs)
{
    if (ctx->client->resp >= 3) set_deferred(ctx, node, '%', pairs);
    else set_deferred(ctx, node, '*', pairs * 2);
}

/* monitor.c -- MONITOR: clients that receive a line for every command the
 * server runs, as Redis 7.0.15's replicationFeedMonitors writes it:
 *
 *   +<unix>.<usec> [<db> <ip:port>] "arg" "arg" ...\r\n
 *
 * (`[<db> unix:<path>]` for a Unix socket client, `[<db> lua]` for a
 * script), each argument quoted as Redis's sdscatrepr quotes it, redacted
 * arguments (AUTH's password) shown as "(redacted)".  Fed from
 * fr_command_call after the handler, as Redis feeds from call(), so the db
 * is the one after the command (SELECT shows its new db); ADMIN and
 * SKIP_MONITOR commands are never shown; nothing is fed while loading.
 *
 * Invariant: a client is in `monitors` exactly when FR_CLIENT_MONITOR is
 * set; it leaves when it goes away (fr_monitor_client_gone). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "runtime.h"

static fr_client **monitors;
static int nmonitors, cap;

void fr_monitor_add(fr_client *c)
{
    if (c->flags & FR_CLIENT_MONITOR) return;
    if (nmonitors == cap) {
        cap = cap ? cap * 2 : 4;
        monitors = fr_realloc(monitors, sizeof(*monitors) * (size_t)cap);
    }
    monitors[nmonitors++] = c;
    c->flags |= FR_CLIENT_MONITOR;
}

void fr_monitor_client_gone(fr_client *c)
{
    if (!(c->flags & FR_CLIENT_MONITOR)) return;
    for (int i = 0; i < nmonitors; i++)
        if (monitors[i] == c) {
            monitors[i] = monitors[--nmonitors];
            break;
        }
    c->flags &= ~FR_CLIENT_MONITOR;
}

/* Redis's sdscatrepr: "..." with \\ \" \n \r \t \a \b, other
 * non-printable bytes as \xNN. */
static fr_str *cat_repr(fr_str *s, const char *p, size_t len)
{
    s = fr_str_cat(s, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        char esc[8];
        const char *named = NULL;
        switch (ch) {
        case '\\': named = "\\\\"; break;
        case '"': named = "\\\""; break;
        case '\n': named = "\\n"; break;
        case '\r': named = "\\r"; break;
        case '\t': named = "\\t"; break;
        case '\a': named = "\\a"; break;
        case '\b': named = "\\b"; break;
        }
        if (named) s = fr_str_cat(s, named, 2);
        else if (ch >= 32 && ch < 127) s = fr_str_cat(s, p + i, 1);
        else s = fr_str_cat(s, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", ch));
    }
    return fr_str_cat(s, "\"", 1);
}

static fr_str *catf(fr_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static fr_str *catf(fr_str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s = fr_str_catvprintf(s, fmt, ap);
    va_end(ap);
    return s;
}

static fr_str *monitor_line(const fr_ctx *ctx)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    const fr_client *c = ctx->client;
    fr_str *s = fr_str_new_empty(128);
    if (c->addr[0] == '/') /* a Unix socket client's address is "path:0" */
        s = catf(s, "+%ld.%06ld [%d unix:%.*s] ", (long)tv.tv_sec, (long)tv.tv_usec, c->dbid,
                             (int)(strrchr(c->addr, ':') - c->addr), c->addr);
    else
        s = catf(s, "+%ld.%06ld [%d %s] ", (long)tv.tv_sec, (long)tv.tv_usec, c->dbid, c->addr);
    for (int j = 0; j < ctx->argc; j++) {
        if (j) s = fr_str_cat(s, " ", 1);
        if (fr_ctx_is_redacted(ctx, j)) s = cat_repr(s, "(redacted)", 10);
        else s = cat_repr(s, ctx->argv[j]->buf, ctx->argv[j]->len);
    }
    return fr_str_cat(s, "\r\n", 2);
}

void fr_monitor_feed(const fr_ctx *ctx)
{
    if (!nmonitors || !ctx->client || fr_keyspace.loading) return;
    if (ctx->cmd->flags & (FR_CMD_SKIP_MONITOR | FR_CMD_ADMIN)) return;
    fr_str *line = monitor_line(ctx);
    for (int i = 0; i < nmonitors; i++) fr_client_add_reply(monitors[i], line->buf, line->len);
    fr_str_free(line);
}

/* A command flagged SKIP_MONITOR that shows itself before what it runs
 * (EVAL, FCALL: Redis feeds them from their handler). */
FR_API void fr_monitor_feed_self(fr_ctx *ctx)
{
    if (!nmonitors || !ctx->client || fr_keyspace.loading) return;
    fr_str *line = monitor_line(ctx);
    for (int i = 0; i < nmonitors; i++) fr_client_add_reply(monitors[i], line->buf, line->len);
    fr_str_free(line);
}

/* A monitor is a replica for Redis: it may not touch the keyspace. */
const char *fr_monitor_refusal(const fr_cmd_meta *cmd, const fr_client *c)
{
    if (!(c->flags & FR_CLIENT_MONITOR)) return NULL;
    if (!(cmd->flags & (FR_CMD_WRITE | FR_CMD_READONLY | FR_CMD_MAY_REPLICATE))) return NULL;
    return "Replica can't interact with the keyspace";
}

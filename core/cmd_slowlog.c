/* cmd_slowlog.c -- SLOWLOG GET/LEN/RESET/HELP: Redis 7.0.15's replies over
 * the runtime's slow log (slowlog.c owns the entries and the rules of what
 * is logged). */
#include <limits.h>

#include "commands.h"

/* One entry: id, unix time, microseconds, arguments, peer, client name. */
static void reply_entry(fr_ctx *ctx, const fr_slowlog_entry *e)
{
    fr_reply_array(ctx, 6);
    fr_reply_long_long(ctx, e->id);
    fr_reply_long_long(ctx, e->time);
    fr_reply_long_long(ctx, e->duration);
    fr_reply_array(ctx, e->argc);
    for (int j = 0; j < e->argc; j++) fr_reply_bulk_str(ctx, e->argv[j]);
    fr_reply_bulk_str(ctx, e->peer);
    fr_reply_bulk_str(ctx, e->cname);
}

/* The [count] of SLOWLOG GET (and HARDENED LOG, which reads its log the
 * same way): 10 by default, -1 for all `len` entries; the number of
 * entries to reply, or -1 after replying the error. */
long long fr_cmd_log_count(fr_ctx *ctx, long long len)
{
    long long count = 10;
    if (fr_argc(ctx) > 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return -1;
    }
    if (fr_argc(ctx) == 3) {
        const fr_str *a = fr_arg(ctx, 2);
        if (!fr_string2ll(a->buf, a->len, &count) || count < -1 || count > LONG_MAX) {
            fr_reply_error(ctx, "count should be greater than or equal to -1");
            return -1;
        }
        if (count == -1) count = len;
    }
    return count < len ? count : len;
}

/* SLOWLOG GET [count]: newest first. */
void fr_cmd_slowlog_get(fr_ctx *ctx)
{
    long long n = fr_cmd_log_count(ctx, fr_slowlog_len());
    if (n < 0) return;
    fr_reply_array(ctx, n);
    const fr_slowlog_entry *e = fr_slowlog_newest();
    for (long long i = 0; i < n; i++, e = e->older) reply_entry(ctx, e);
}

void fr_cmd_slowlog_len(fr_ctx *ctx)
{
    fr_reply_long_long(ctx, fr_slowlog_len());
}

void fr_cmd_slowlog_reset(fr_ctx *ctx)
{
    fr_slowlog_reset();
    fr_reply_ok(ctx);
}

static const char *const slowlog_help[] = {
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    NULL,
};

void fr_cmd_slowlog_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, slowlog_help);
}

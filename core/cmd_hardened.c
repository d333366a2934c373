/* cmd_hardened.c -- HARDENED LOG/LEN/RESET/HELP (FrankenRedis's own): the
 * evidence ledger of hardened mode read as SLOWLOG reads the slow log
 * (ledger.c owns the entries). */
#include "commands.h"

/* One entry: id, unix time, module, rule, command, client, detail. */
static void reply_entry(fr_ctx *ctx, const fr_ledger_entry *e)
{
    fr_reply_array(ctx, 7);
    fr_reply_long_long(ctx, e->id);
    fr_reply_long_long(ctx, e->time);
    fr_reply_bulk_str(ctx, e->module);
    fr_reply_bulk_str(ctx, e->rule);
    fr_reply_bulk_str(ctx, e->command);
    fr_reply_bulk_str(ctx, e->client);
    fr_reply_bulk_str(ctx, e->detail);
}

/* HARDENED LOG [count]: newest first, 10 by default, -1 for all. */
void fr_cmd_hardened_log(fr_ctx *ctx)
{
    long long n = fr_cmd_log_count(ctx, fr_ledger_len());
    if (n < 0) return;
    fr_reply_array(ctx, n);
    const fr_ledger_entry *e = fr_ledger_newest();
    for (long long i = 0; i < n; i++, e = e->older) reply_entry(ctx, e);
}

void fr_cmd_hardened_len(fr_ctx *ctx)
{
    fr_reply_long_long(ctx, fr_ledger_len());
}

void fr_cmd_hardened_reset(fr_ctx *ctx)
{
    fr_ledger_reset();
    fr_reply_ok(ctx);
}

static const char *const hardened_help[] = {
    "LOG [<count>]",
    "    Return the newest <count> entries of the ledger (default: 10, -1 means all).",
    "    Entries are made of:",
    "    id, timestamp, module, rule, command, client, detail",
    "LEN",
    "    Return the length of the ledger.",
    "RESET",
    "    Empty the ledger (INFO hardened's per-rule counters stay).",
    NULL,
};

void fr_cmd_hardened_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, hardened_help);
}

/* cmd_monitor.c -- MONITOR: turns the client into a monitor (monitor.c
 * writes the lines).  As in Redis 7.0.15: refused where a reply per
 * command is expected (inside EXEC), ignored when already monitoring. */
#include "commands.h"

void fr_cmd_monitor(fr_ctx *ctx)
{
    fr_client *c = ctx->client;
    if (fr_runtime.in_exec) {
        fr_reply_error(ctx, "MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (c->flags & FR_CLIENT_MONITOR) return;
    fr_monitor_add(c);
    fr_reply_ok(ctx);
}

/* busy.c -- a command that runs long (a script past busy-reply-threshold)
 * lets the event loop serve the other clients, as Redis's
 * processEventsWhileBlocked does from its Lua hook.
 *
 * While busy, every command of another client is refused with the busy
 * error the module gave (-BUSY ...), unless its manifest flags it
 * ALLOW_BUSY (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, ...).  The
 * busy client itself is protected: its socket is not read (its next
 * command must not run inside this one) and CLIENT KILL closes it only
 * after the command ends.  Timers do not fire inside (no cron, so no
 * active expiry under a running script); the loop runs without waiting. */
#include <string.h>

#include "runtime.h"

static char *busy_error;          /* NULL: not busy */
static fr_client *busy_client;
static int busy_client_flags_added;

const char *fr_busy_refusal(const fr_client *c, const fr_cmd_meta *cmd)
{
    if (!busy_error || c == busy_client) return NULL;
    if (cmd->flags & FR_CMD_ALLOW_BUSY) return NULL;
    return busy_error;
}

static void enter(fr_ctx *ctx, const char *error)
{
    busy_error = fr_strdup(error);
    busy_client = ctx ? ctx->client : NULL;
    if (busy_client && busy_client->fd >= 0) {
        ev_io_stop(fr_proto.loop, &busy_client->rio);
        busy_client_flags_added = !(busy_client->flags & FR_CLIENT_PROTECTED);
        busy_client->flags |= FR_CLIENT_PROTECTED;
    }
}

FR_API void fr_busy_process_events(fr_ctx *ctx, const char *error)
{
    if (!busy_error) enter(ctx, error);
    fr_client *current = fr_proto.current_client;
    int pause = fr_runtime.pause_cron;
    fr_runtime.pause_cron = 1;
    ev_run(fr_proto.loop, EVRUN_NOWAIT);
    fr_runtime.pause_cron = pause;
    fr_proto.current_client = current;
}

FR_API int fr_busy_active(void)
{
    return busy_error != NULL;
}

FR_API void fr_busy_end(void)
{
    if (!busy_error) return;
    fr_free(busy_error);
    busy_error = NULL;
    fr_client *c = busy_client;
    busy_client = NULL;
    if (c && c->fd >= 0) {
        if (busy_client_flags_added) c->flags &= ~FR_CLIENT_PROTECTED;
        ev_io_start(fr_proto.loop, &c->rio);
    }
}

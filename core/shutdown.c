/* shutdown.c -- an orderly exit: shutdown hooks (a persistence module saves
 * here), listeners closed, pidfile removed.
 *
 * Reached from SHUTDOWN and from SIGTERM/SIGINT (through the cron, never
 * from inside a signal handler). */
#include <stdlib.h>
#include <unistd.h>

#include "server.h"

void fr_server_shutdown(int flags)
{
    fr_log(FR_LOG_WARNING, "User requested shutdown...");
    fr_hook_event ev = {.id = FR_HOOK_SHUTDOWN, .why = flags};
    fr_hooks_fire(&ev);
    fr_net_close_listeners();
    if (server.cfg.pidfile) unlink(server.cfg.pidfile);
    fr_log(FR_LOG_WARNING, "FrankenRedis is now ready to exit, bye bye...");
    exit(0);
}

/* shutdown.c -- an orderly exit: shutdown hooks (a persistence module saves
 * here), listeners closed, pidfile removed.
 *
 * Reached from SHUTDOWN and from SIGTERM/SIGINT (after the loop breaks,
 * never inside a signal handler).  A shutdown hook may refuse (a required
 * save failed); then the server keeps running unless FORCE was given. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime.h"

int fr_server_shutdown(int flags)
{
    fr_log(FR_LOG_WARNING, "User requested shutdown...");
    fr_supervise_notify("STOPPING=1\n");
    fr_hook_event ev = {.id = FR_HOOK_SHUTDOWN, .why = flags};
    if (fr_hooks_fire(&ev) != FR_OK && !(flags & FR_SHUTDOWN_FORCE)) {
        fr_log(FR_LOG_WARNING, "Errors trying to shut down the server. Check the logs for more information.");
        return FR_ERR;
    }
    if (fr_runtime.child_pid > 0) kill(fr_runtime.child_pid, SIGKILL);
    fr_net_close_listeners();
    fr_net_close_unix();
    if (fr_cfg.pidfile) unlink(fr_cfg.pidfile);
    fr_log(FR_LOG_WARNING, "FrankenRedis is now ready to exit, bye bye...");
    exit(0);
}

/* rdb_cmds.c -- SAVE, BGSAVE [SCHEDULE] and LASTSAVE.
 *
 * Owns the replies of the snapshot commands, with Redis's texts.  The work
 * itself is rdb_bgsave.c's.  Another module's child (an AOF rewrite) or
 * EXEC makes BGSAVE wait, as in Redis: scheduled when asked (SCHEDULE) or
 * inside EXEC, refused otherwise. */
#include "rdb_internal.h"

void cmd_save(fr_ctx *ctx) {
    if (rdb_g.child_pid) {
        fr_reply_error(ctx, "Background save already in progress");
        return;
    }
    rdb_g.saves++;
    if (rdb_save_now() == FR_OK) fr_reply_ok(ctx);
    else fr_reply_error(ctx, "-ERR");
}

void cmd_bgsave(fr_ctx *ctx) {
    if (fr_argc(ctx) > 1 && !(fr_argc(ctx) == 2 && fr_arg_is(ctx, 1, "schedule"))) {
        fr_reply_syntax_error(ctx);
        return;
    }
    if (rdb_g.child_pid) {
        fr_reply_error(ctx, "Background save already in progress");
        return;
    }
    if (fr_fork_active() || fr_ctx_in_exec(ctx)) {
        if (fr_argc(ctx) == 2 || fr_ctx_in_exec(ctx)) {
            rdb_g.bgsave_scheduled = 1;
            fr_reply_status(ctx, "Background saving scheduled");
        } else {
            fr_reply_error(ctx, "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
                           "SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
        return;
    }
    if (rdb_bgsave_start() == FR_OK) fr_reply_status(ctx, "Background saving started");
    else fr_reply_error(ctx, "-ERR");
}

void cmd_lastsave(fr_ctx *ctx) {
    fr_reply_long_long(ctx, (long long)rdb_g.lastsave);
}

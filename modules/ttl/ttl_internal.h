/* ttl_internal.h -- shared declarations of the ttl module.
 *
 * The module stores nothing of its own per key: expire times live in the
 * core's expires table (fr_key_get_expire / fr_key_set_expire).  It owns the
 * expire commands (ttl_cmds.c) and the active expire cycle's state
 * (ttl_cycle.c), which exists from a successful ttl_cycle_init until
 * ttl_cycle_release. */
#ifndef FR_TTL_INTERNAL_H
#define FR_TTL_INTERNAL_H

#include "frankenredis.h"
#include "ttl_pure.h"

/* ---- Commands (ttl_cmds.c) ----------------------------------------------- */
void cmd_expire(fr_ctx *ctx);
void cmd_pexpire(fr_ctx *ctx);
void cmd_expireat(fr_ctx *ctx);
void cmd_pexpireat(fr_ctx *ctx);
void cmd_ttl(fr_ctx *ctx);
void cmd_pttl(fr_ctx *ctx);
void cmd_expiretime(fr_ctx *ctx);
void cmd_pexpiretime(fr_ctx *ctx);
void cmd_persist(fr_ctx *ctx);

/* ---- Active expiry (ttl_cycle.c) ------------------------------------------ */
/* Allocates the per-DB cursors (fr_malloc aborts rather than fail) and
 * remembers the module for its config; FR_ERR on a server without DBs. */
int ttl_cycle_init(fr_module *m);
void ttl_cycle_release(void);
/* Hook callbacks: the slow cycle at hz (cron), the fast one before sleep. */
int ttl_on_cron(const fr_hook_event *ev, void *priv);
int ttl_on_before_sleep(const fr_hook_event *ev, void *priv);

#endif /* FR_TTL_INTERNAL_H */

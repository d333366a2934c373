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
#include "glue.h" /* command handlers, hook callbacks, config accessors */
#include "ttl_pure.h"

/* ---- Active expiry (ttl_cycle.c) ------------------------------------------ */
/* Allocates the per-DB cursors (fr_malloc aborts rather than fail) and
 * reads active-expire-effort; FR_ERR on a server without DBs. */
int ttl_cycle_init(fr_module *m);
void ttl_cycle_release(void);
/* The hooks (glue.h): the slow cycle at hz (ttl_on_cron), the fast one
 * before sleep (ttl_on_before_sleep). */

/* ttl_cmds.c: the expiry policy the module lends the core (hardened mode's
 * window for every stored TTL). */
const char *ttl_expire_policy(long long when, long long now, const char **rule);

#endif /* FR_TTL_INTERNAL_H */

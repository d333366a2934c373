/* snapshot.c -- the snapshot provider: one module (rdb) lends its whole-
 * dataset format to the others (an AOF rewrite's base file, later a
 * replica's full sync), so they need not know it.
 *
 * Invariant: `owner` is the module that registered `ops`, and both are
 * cleared when it unloads; callers re-ask fr_snapshot_provider() each
 * time rather than keep the pointer. */
#include "runtime.h"

static const fr_snapshot_ops *ops;
static fr_module *owner;

FR_API int fr_snapshot_register(fr_module *m, const fr_snapshot_ops *o)
{
    if (owner && owner != m) return FR_ERR;
    ops = o;
    owner = o ? m : NULL;
    return FR_OK;
}

FR_API const fr_snapshot_ops *fr_snapshot_provider(void)
{
    return ops;
}

void fr_snapshot_remove_module(fr_module *m)
{
    if (owner == m) ops = NULL, owner = NULL;
}

/* snapshot.c -- the snapshot provider: one module (rdb) lends its whole-
 * dataset format to the others (an AOF rewrite's base file, later a
 * replica's full sync), so they need not know it.
 *
 * The function libraries' provider lives here too, and so does
 * fr_keyspace_empty, which empties both.
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

/* The library provider (the functions module's), the same way. */
static const fr_library_ops *lib_ops;
static fr_module *lib_owner;

FR_API int fr_library_provider_register(fr_module *m, const fr_library_ops *o)
{
    if (lib_owner && lib_owner != m) return FR_ERR;
    lib_ops = o;
    lib_owner = o ? m : NULL;
    return FR_OK;
}

FR_API const fr_library_ops *fr_library_provider(void)
{
    return lib_ops;
}

/* Redis's emptyData(-1): the keyspace and the function libraries (here,
 * above the keyspace, because the libraries belong to a module). */
FR_API void fr_keyspace_empty(void)
{
    fr_db_flush_all();
    if (lib_ops) lib_ops->flush();
}

void fr_snapshot_remove_module(fr_module *m)
{
    if (owner == m) ops = NULL, owner = NULL;
    if (lib_owner == m) lib_ops = NULL, lib_owner = NULL;
}

/* snapshot.c -- the snapshot provider: one module (rdb) lends its whole-
 * dataset format to the others (an AOF rewrite's base file, a replica's
 * full sync), so they need not know it; and the other way round, modules
 * that keep a few fields in every snapshot's header (replication's
 * repl-id and offset) hand them to the provider through the aux registry.
 *
 * The function libraries' provider lives here too, and so does
 * fr_keyspace_empty, which empties both, and fr_sync_load_event, which
 * tells the persistence modules that a replica's dataset is replaced.
 *
 * Invariants: `owner` is the module that registered `ops`, and both are
 * cleared when it unloads; callers re-ask fr_snapshot_provider() each
 * time rather than keep the pointer.  aux[0..naux) are the registered aux
 * users, in order of registration, removed when their module unloads. */
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

static struct {
    fr_module *m;
    const fr_snapshot_aux_ops *ops;
} aux[FR_SNAPSHOT_AUX_MAX];
static int naux;

FR_API int fr_snapshot_aux_register(fr_module *m, const fr_snapshot_aux_ops *o)
{
    if (!o || naux == FR_SNAPSHOT_AUX_MAX) return FR_ERR;
    aux[naux].m = m;
    aux[naux++].ops = o;
    return FR_OK;
}

FR_API void fr_snapshot_aux_save(int flags, fr_snapshot_aux_put put, void *w)
{
    for (int i = 0; i < naux; i++)
        if (aux[i].ops->save) aux[i].ops->save(flags, put, w);
}

FR_API void fr_snapshot_aux_load(const char *name, const char *value, size_t len)
{
    for (int i = 0; i < naux; i++)
        if (aux[i].ops->load) aux[i].ops->load(name, value, len);
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
static void keyspace_empty(int async)
{
    fr_db_flush_all(async);
    if (lib_ops) lib_ops->flush();
}

FR_API void fr_keyspace_empty(void)
{
    keyspace_empty(0);
}

FR_API void fr_keyspace_empty_async(void)
{
    keyspace_empty(1);
}

FR_API void fr_sync_load_event(int phase)
{
    fr_hook_event ev = {.id = FR_HOOK_SYNC_LOAD, .why = phase, .dbid = -1};
    fr_hooks_fire(&ev);
}

void fr_snapshot_remove_module(fr_module *m)
{
    if (owner == m) ops = NULL, owner = NULL;
    int j = 0;
    for (int i = 0; i < naux; i++)
        if (aux[i].m != m) aux[j++] = aux[i];
    naux = j;
    if (lib_owner == m) lib_ops = NULL, lib_owner = NULL;
}

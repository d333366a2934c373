/* module.c -- the hash module's value type.
 *
 * Owns the "hash" type's registration: its callbacks (hash_value.c,
 * hash_rdb.c), the RDB ids it saves under (16 for a listpack, 4 for a
 * hashtable, chosen per value by rdb_type_of) and the older ids it loads
 * (13, 9), its digest, and the seeding of the module's random source.  The
 * command table and the descriptor are generated from hash.yaml (glue.c).
 * Other modules read one field's value through field_value only (SORT).
 * Invariant: g_hash_type is non-NULL from a successful init until deinit. */
#include "hash_internal.h"

#include <unistd.h>

const fr_type *g_hash_type;

static const int hash_rdb_load_types[] = {RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST,
                                          RDB_TYPE_HASH_ZIPMAP, -1};

static const fr_type_def hash_def = {
    .name = "hash",
    .rdb_type = RDB_TYPE_HASH,
    .free = hv_free,
    .free_effort = hv_free_effort,
    .dup = hv_dup,
    .encoding = hv_encoding,
    .mem_usage = hv_mem_usage,
    .rdb_save = hv_rdb_save,
    .rdb_load = hv_rdb_load,
    .rdb_load_types = hash_rdb_load_types,
    .rdb_type_of = hv_rdb_type_of,
    .field_value = hv_field_value,
};

int hash_init(fr_module *m) {
    hv_seed(fr_ustime() ^ ((uint64_t)getpid() << 32));
    fr_type *t = fr_type_register(m, &hash_def);
    g_hash_type = t;
    return t && fr_type_set_digest(t, hv_digest) == FR_OK ? FR_OK : FR_ERR;
}

void hash_deinit(fr_module *m) {
    (void)m;
    g_hash_type = NULL;
}

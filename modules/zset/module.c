/* module.c -- the zset module's value type.
 *
 * Owns the "zset" type's registration: its callbacks (zset_value.c,
 * zset_rdb.c), the RDB ids it saves under (17 for a listpack, 5 for a
 * skiplist, chosen per value by rdb_type_of) and the older ids it loads
 * (12 ziplist, 3 text scores), its digest, and the seeding of the module's
 * random sources.  The command table and the descriptor are generated from
 * zset.yaml (glue.c).  Other modules read a sorted set's members, in
 * rank order, through foreach_member only (SORT, which first calls expand
 * to convert it to a skiplist as Redis does).  Invariant: g_zset_type is non-NULL from a
 * successful init until deinit. */
#include "zset_internal.h"

#include <unistd.h>

const fr_type *g_zset_type;

static const int zset_rdb_load_types[] = {RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_ZSET,
                                          -1};

static const fr_type_def zset_def = {
    .name = "zset",
    .rdb_type = RDB_TYPE_ZSET_2,
    .free = zv_free,
    .free_effort = zv_free_effort,
    .dup = zv_dup,
    .encoding = zv_encoding,
    .mem_usage = zv_mem_usage,
    .rdb_save = zv_rdb_save,
    .rdb_load = zv_rdb_load,
    .rdb_load_types = zset_rdb_load_types,
    .rdb_type_of = zv_rdb_type_of,
    .foreach_member = zv_foreach_member,
    .expand = zv_expand,
    .foreach_member_range = zv_foreach_member_range,
};

int zset_init(fr_module *m) {
    zv_seed(fr_ustime() ^ ((uint64_t)getpid() << 32));
    fr_type *t = fr_type_register(m, &zset_def);
    g_zset_type = t;
    return t && fr_type_set_digest(t, zv_digest) == FR_OK ? FR_OK : FR_ERR;
}

void zset_deinit(fr_module *m) {
    (void)m;
    g_zset_type = NULL;
}

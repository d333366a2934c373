/* module.c -- the list module's registration.
 *
 * Owns the "list" type's registration with its RDB ids: 18 (quicklist of
 * listpacks, what Redis 7.0 writes) and the older encodings it can still
 * read, 14 (quicklist of ziplists), 10 (ziplist) and 1 (linked list).
 * Other modules read a list's elements through foreach_member and build
 * one through from_members (SORT ... STORE), never through quicklist.h.
 * The command table and the descriptor are generated from list.yaml. */
#include "list_internal.h"

const fr_type *g_list_type;

static const int list_rdb_load_types[] = {1, 10, 14, -1};

static const fr_type_def list_def = {
    .name = "list",
    .rdb_type = 18,
    .free = lt_free,
    .free_effort = lt_free_effort,
    .dup = lt_dup,
    .encoding = lt_encoding,
    .mem_usage = lt_mem_usage,
    .rdb_save = lt_rdb_save,
    .rdb_load = lt_rdb_load,
    .rdb_load_types = list_rdb_load_types,
    .foreach_member = lt_foreach_member,
    .from_members = lt_from_members,
    .foreach_member_range = lt_foreach_member_range,
};

int list_init(fr_module *m) {
    fr_type *t = fr_type_register(m, &list_def);
    g_list_type = t;
    return t && fr_type_set_digest(t, lt_digest) == FR_OK ? FR_OK : FR_ERR;
}

void list_deinit(fr_module *m) {
    (void)m;
    g_list_type = NULL;
}

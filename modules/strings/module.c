/* module.c -- the strings module's value type.
 *
 * Owns the "string" type's registration (payload layout in
 * strings_internal.h).  The command table and the descriptor are generated
 * from modules/strings/strings.yaml (glue.c).  The generic key commands
 * (DEL, COPY, OBJECT, ...) belong to the keys module, which reaches this
 * type only through the callbacks registered here.  Invariant: g_string_type is
 * non-NULL from a successful init until deinit; a failed init leaves the
 * core to roll everything back. */
#include "strings_internal.h"

const fr_type *g_string_type;

/* RDB type id 0 (RDB_TYPE_STRING); the callbacks are in str_rdb.c. */
static const int string_rdb_load_types[] = {-1};

static const fr_type_def string_def = {
    .name = "string",
    .rdb_type = 0,
    .free = sv_free,
    .dup = sv_dup,
    .encoding = sv_encoding,
    .mem_usage = sv_mem_usage,
    .rdb_save = sv_rdb_save,
    .rdb_load = sv_rdb_load,
    .rdb_load_types = string_rdb_load_types,
    .refcount = sv_refcount,
};

int strings_init(fr_module *m) {
    g_string_type = fr_type_register(m, &string_def);
    return g_string_type ? FR_OK : FR_ERR;
}

void strings_deinit(fr_module *m) {
    (void)m;
    g_string_type = NULL;
}

/* module.c -- the strings/keys module's descriptor, type and command table.
 *
 * Owns registration: the "string" type (payload layout in
 * strings_internal.h) and one handler per command the manifest declares
 * (modules/strings/strings.yaml).  Invariant: g_string_type is non-NULL from
 * a successful init until deinit; a failed init leaves the core to roll
 * everything back. */
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
};

static const struct command_entry {
    const char *name;
    fr_command_fn fn;
} commands[] = {
    /* strings */
    {"append", cmd_append},
    {"decr", cmd_decr},
    {"decrby", cmd_decrby},
    {"get", cmd_get},
    {"getdel", cmd_getdel},
    {"getex", cmd_getex},
    {"getrange", cmd_getrange},
    {"getset", cmd_getset},
    {"incr", cmd_incr},
    {"incrby", cmd_incrby},
    {"incrbyfloat", cmd_incrbyfloat},
    {"lcs", cmd_lcs},
    {"mget", cmd_mget},
    {"mset", cmd_mset},
    {"msetnx", cmd_msetnx},
    {"psetex", cmd_psetex},
    {"set", cmd_set},
    {"setex", cmd_setex},
    {"setnx", cmd_setnx},
    {"setrange", cmd_setrange},
    {"strlen", cmd_strlen},
    {"substr", cmd_getrange},
    /* keys */
    {"copy", cmd_copy},
    {"del", cmd_del},
    {"exists", cmd_exists},
    {"keys", cmd_keys},
    {"move", cmd_move},
    {"randomkey", cmd_randomkey},
    {"rename", cmd_rename},
    {"renamenx", cmd_renamenx},
    {"scan", cmd_scan},
    {"touch", cmd_touch},
    {"type", cmd_type},
    {"unlink", cmd_unlink},
    {"object|encoding", cmd_object_encoding},
    {"object|freq", cmd_object_freq},
    {"object|help", cmd_object_help},
    {"object|idletime", cmd_object_idletime},
    {"object|refcount", cmd_object_refcount},
};

static int strings_init(fr_module *m) {
    g_string_type = fr_type_register(m, &string_def);
    if (!g_string_type) return FR_ERR;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (fr_command_register(m, commands[i].name, commands[i].fn) != FR_OK) {
            fr_log(FR_LOG_WARNING, "strings: cannot register command '%s'",
                   commands[i].name);
            return FR_ERR;
        }
    }
    return FR_OK;
}

static void strings_deinit(fr_module *m) {
    (void)m;
    g_string_type = NULL;
}

FR_MODULE("strings", strings_init, strings_deinit);

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
fr_module *g_strings_module;

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
    .bytes = sv_view,
    .take_bytes = sv_take_bytes,
    .adopt_bytes = sv_adopt_bytes,
    .size_allowed_or_reply = str_size_allowed_or_reply,
};

/* DEBUG DIGEST: Redis's object type 0, then the value's text (an
 * int-encoded value digests as its decimal form, as Redis decodes it). */
static void sv_digest(unsigned char digest[20], const void *p) {
    static const unsigned char type_string[4] = {0, 0, 0, 0};
    char tmp[SR_LL_CHARS];
    size_t len;
    const char *b = sv_bytes(p, tmp, &len);
    fr_digest_mix(digest, type_string, sizeof(type_string));
    fr_digest_mix(digest, b, len);
}

int strings_init(fr_module *m) {
    fr_type *t = fr_type_register(m, &string_def);
    g_string_type = t;
    g_strings_module = m;
    return t && fr_type_set_digest(t, sv_digest) == FR_OK ? FR_OK : FR_ERR;
}

void strings_deinit(fr_module *m) {
    (void)m;
    g_string_type = NULL;
    g_strings_module = NULL;
}

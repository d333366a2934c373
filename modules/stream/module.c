/* module.c -- the stream module's registration.
 *
 * Owns the "stream" type's registration: its callbacks (stream_type.c,
 * stream_rdb.c), the RDB id it saves under (19, RDB_TYPE_STREAM_LISTPACKS_2
 * of Redis 7.0) and the older one it loads (15), and its digest.  The
 * command table, the config accessors (stream-node-max-bytes,
 * stream-node-max-entries), the client-reset hook and the descriptor are
 * generated from stream.yaml (glue.c).  Invariant: g_stream_type is
 * non-NULL from a successful init until deinit. */
#include "stream_internal.h"

const fr_type *g_stream_type;

void stream_waits_free_all(void);

static const int stream_rdb_load_types[] = {15, -1};

static const fr_type_def stream_def = {
    .name = "stream",
    .rdb_type = 19,
    .free = stream_free,
    .free_effort = stream_free_effort,
    .dup = stream_dup,
    .encoding = stream_encoding,
    .mem_usage = stream_mem_usage,
    .rdb_save = stream_rdb_save,
    .rdb_load = stream_rdb_load,
    .rdb_load_types = stream_rdb_load_types,
};

int stream_init(fr_module *m) {
    fr_type *t = fr_type_register(m, &stream_def);
    g_stream_type = t;
    return t && fr_type_set_digest(t, stream_digest) == FR_OK ? FR_OK : FR_ERR;
}

void stream_deinit(fr_module *m) {
    (void)m;
    stream_waits_free_all();
    g_stream_type = NULL;
}

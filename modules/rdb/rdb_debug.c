/* rdb_debug.c -- the DEBUG subcommands the rdb module serves (declared in
 * rdb.yaml's `debug:` list): RELOAD and SET-SKIP-CHECKSUM-VALIDATION, and
 * DEBUG OBJECT's serializedlength, as Redis 7.0.15 answers them.
 *
 * RELOAD saves (unless NOSAVE) exactly as SAVE does, empties the keyspace
 * (unless NOFLUSH) and loads the file back with expiry suspended, as
 * Redis's rdbLoad does; with MERGE a loaded key replaces an existing one
 * (without it a duplicate fails the load: Redis exits there, we answer
 * the load error).  rdb_g.skip_checksum, set by
 * SET-SKIP-CHECKSUM-VALIDATION, turns off the CRC64 check of loaded files
 * and the version/CRC check of RESTORE payloads. */
#include "rdb_internal.h"

#include <stdlib.h>
#include <strings.h>

static int reload_options(fr_ctx *ctx, int *save, int *flush, int *merge) {
    *save = *flush = 1;
    *merge = 0;
    for (int j = 2; j < fr_argc(ctx); j++) {
        if (fr_arg_is(ctx, j, "MERGE")) *merge = 1;
        else if (fr_arg_is(ctx, j, "NOFLUSH")) *flush = 0;
        else if (fr_arg_is(ctx, j, "NOSAVE")) *save = 0;
        else {
            fr_reply_error(ctx, "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return FR_ERR;
        }
    }
    return FR_OK;
}

void rdb_debug_reload(fr_ctx *ctx) {
    int save, flush, merge, found;
    char name[1024];
    rdb_load_stats st;
    if (reload_options(ctx, &save, &flush, &merge) != FR_OK) return;
    if (save && rdb_save_now() != FR_OK) {
        fr_reply_error(ctx, "-ERR");
        return;
    }
    if (flush) fr_keyspace_empty();
    fr_keyspace_loading(1);
    rdb_g.load_merge = merge;
    int rc = rdb_load_file(rdb_filename(name, sizeof(name)), &found, &st);
    rdb_g.load_merge = 0;
    fr_keyspace_loading(0);
    if (rc != FR_OK || !found) {
        fr_reply_error(ctx, "Error trying to load the RDB dump");
        return;
    }
    fr_log(FR_LOG_WARNING, "DB reloaded by DEBUG RELOAD");
    fr_reply_ok(ctx);
}

void rdb_debug_set_skip_checksum_validation(fr_ctx *ctx) {
    if (fr_argc(ctx) != 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    rdb_g.skip_checksum = atoi(fr_arg(ctx, 2)->buf);
    fr_reply_ok(ctx);
}

/* The bytes of the value's RDB encoding (no type byte, no key), as
 * Redis's rdbSavedObjectLen. */
size_t rdb_serialized_len(const fr_value *v) {
    const fr_type_def *d = fr_type_def_of(fr_value_type(v));
    if (!d || !d->rdb_save) return 0;
    rdb_stream s;
    rdb_writer_mem(&s, rdb_conf_rdbcompression() != 0);
    size_t n = d->rdb_save(&s.io, fr_value_payload(v)) == FR_OK ? s.len : 0;
    rdb_stream_release(&s);
    return n;
}

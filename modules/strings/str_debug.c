/* str_debug.c -- DEBUG POPULATE, served by the strings module (declared in
 * strings.yaml's `debug:` list) because it creates string values.
 *
 * As Redis 7.0.15: <count> keys "<prefix>:<n>" (prefix "key"), each set to
 * "value:<n>" -- or, with <size>, that text cut or zero-padded to <size>
 * bytes -- skipping keys that exist; nothing is propagated or counted as
 * a change, but WATCHes see the writes. */
#include "strings_internal.h"

#include <stdio.h>
#include <string.h>

/* Redis's getPositiveLongFromObjectOrReply. */
static int positive_arg(fr_ctx *ctx, int i, long long *out) {
    const fr_str *a = fr_arg(ctx, i);
    if (!fr_string2ll(a->buf, a->len, out) || *out < 0) {
        fr_reply_error(ctx, "value is out of range, must be positive");
        return FR_ERR;
    }
    return FR_OK;
}

static void *populate_value(long long j, long long size) {
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "value:%lld", j);
    if (!size) return sv_from_plain(buf, (size_t)n);
    char *v = fr_calloc((size_t)size);
    memcpy(v, buf, size <= n ? (size_t)size : (size_t)n);
    void *p = sv_from_plain(v, (size_t)size);
    fr_free(v);
    return p;
}

void strings_debug_populate(fr_ctx *ctx) {
    long long keys, size = 0;
    int argc = fr_argc(ctx);
    if (argc < 3 || argc > 5) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    if (positive_arg(ctx, 2, &keys) != FR_OK) return;
    if (argc == 5 && positive_arg(ctx, 4, &size) != FR_OK) return;
    const char *prefix = argc == 3 ? "key" : fr_arg(ctx, 3)->buf;
    fr_db *db = fr_ctx_db(ctx);
    for (long long j = 0; j < keys; j++) {
        char name[128];
        int n = snprintf(name, sizeof(name), "%s:%lld", prefix, j);
        if (n >= (int)sizeof(name)) n = (int)sizeof(name) - 1;
        fr_str *key = fr_str_new(name, (size_t)n);
        if (!fr_key_lookup(ctx, db, key, FR_LOOKUP_WRITE))
            fr_key_set(ctx, db, key, g_string_type, populate_value(j, size), 0);
        fr_str_free(key);
    }
    fr_reply_ok(ctx);
}

/* key_common.c -- helpers shared by the keys module's handlers.
 *
 * Owns the module's conventions for talking to the core: which lookup flags
 * mirror Redis's lookupKeyRead/lookupKeyWrite, how option words are compared
 * and how a DB index argument is parsed (MOVE, COPY ... DB).  Invariant:
 * every helper that fails has already replied. */
#include "keys_internal.h"

#include <limits.h>
#include <strings.h>

fr_value *key_lookup_read(fr_ctx *ctx, const fr_str *key) {
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE);
}

fr_value *key_lookup_write(fr_ctx *ctx, const fr_str *key) {
    /* Redis's write lookups leave keyspace_hits/misses alone. */
    return fr_key_lookup(ctx, fr_ctx_db(ctx), key,
                         FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
}

int key_opt_is(const fr_ctx *ctx, int i, const char *kw) {
    /* Redis compares option words with strcasecmp, so bytes after an
     * embedded NUL are ignored: keep that. */
    return strcasecmp(fr_arg(ctx, i)->buf, kw) == 0;
}

fr_db *key_db_arg(fr_ctx *ctx, int argi) {
    long long id;
    /* SELECT-style ids are C ints first, DB indexes second. */
    if (fr_arg_range_or_reply(ctx, argi, INT_MIN, INT_MAX, NULL, &id) != FR_OK) return NULL;
    fr_db *db = id < 0 ? NULL : fr_db_by_id(ctx, (long)id);
    if (!db) fr_reply_error(ctx, "DB index is out of range");
    return db;
}

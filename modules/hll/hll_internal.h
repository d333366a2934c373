/* hll_internal.h -- shared declarations of the hll module.
 *
 * HyperLogLogs are values of the strings module's "string" type, reached
 * only through the SDK's byte-string callbacks.  A command that edits one
 * takes its bytes (hll_take: the value turns raw, as Redis unshares it),
 * edits the fr_str, which may move, and puts it back (hll_put) before
 * replying, so the keyspace never holds a consumed payload when control
 * leaves the handler. */
#ifndef FR_HLL_INTERNAL_H
#define FR_HLL_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"
#include "hll_repr.h"

extern const fr_type *g_hll_string;
extern const fr_type_def *g_hll_string_def;

#define HLL_ERR_INVALID "-INVALIDOBJ Corrupted HLL object detected"
#define HLL_ERR_WRONGTYPE "-WRONGTYPE Key is not a valid HyperLogLog string value."

fr_value *hll_lookup_read(fr_ctx *ctx, const fr_str *key);
fr_value *hll_lookup_write(fr_ctx *ctx, const fr_str *key);
/* Redis's isHLLObjectOrReply: WRONGTYPE for another type, the HyperLogLog
 * WRONGTYPE text for a string that is not one.  FR_ERR after replying. */
int hll_check_or_reply(fr_ctx *ctx, const fr_value *v);
/* A read view of a string value's bytes. */
const char *hll_view(const fr_value *v, size_t *len, char scratch[FR_INT_TEXT_MAX]);
fr_str *hll_take(fr_value *v);
void hll_put(fr_value *v, fr_str *s);
/* hll-sparse-max-bytes. */
long long hll_sparse_max(void);
/* A change Redis signals: WATCH & co and `dirty` changes. */
void hll_touched(fr_ctx *ctx, const fr_str *key, long long dirty);

#endif /* FR_HLL_INTERNAL_H */

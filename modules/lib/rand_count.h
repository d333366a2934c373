/* rand_count.h -- the count form of HRANDFIELD and ZRANDMEMBER (key count
 * [WITHVALUES|WITHSCORES]), shared by the hash and zset modules.
 *
 * Redis 7.0.15's rules: the count is a long in [-LONG_MAX, LONG_MAX];
 * with the flag it must stay within half of that (each pick is two
 * replies); another word is a syntax error.  Hardened mode also refuses a
 * negative count (picks may repeat) past RAND_HARDENED_MAX_DRAWS, which in
 * Redis keeps the server writing a reply for a long time (CVE-2023-22458). */
#ifndef FR_LIB_RAND_COUNT_H
#define FR_LIB_RAND_COUNT_H

#include "frankenredis.h"

#define RAND_HARDENED_MAX_DRAWS 10000000LL

/* FR_OK with *count and *with (the flag word `word` given) set, or FR_ERR
 * after the reply; `rule` names a hardened refusal in the ledger. */
int rand_count_args(fr_ctx *ctx, const char *word, const char *rule, long long *count, int *with);

#endif

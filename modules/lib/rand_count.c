/* rand_count.c -- the count form of HRANDFIELD and ZRANDMEMBER; see
 * rand_count.h for the rules. */
#include "rand_count.h"

#include <limits.h>

int rand_count_args(fr_ctx *ctx, const char *word, const char *rule, long long *count, int *with) {
    int argc = fr_argc(ctx);
    long long l;
    if (fr_arg_ll_or_reply(ctx, 2, &l) != FR_OK) return FR_ERR;
    if (l < -LONG_MAX) {
        fr_reply_errorf(ctx, "value is out of range, value must between %ld and %ld", -LONG_MAX, LONG_MAX);
        return FR_ERR;
    }
    if (argc > 4 || (argc == 4 && !fr_arg_is(ctx, 3, word))) {
        fr_reply_syntax_error(ctx);
        return FR_ERR;
    }
    if (argc == 4 && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
        fr_reply_error(ctx, "value is out of range");
        return FR_ERR;
    }
    if (l < -RAND_HARDENED_MAX_DRAWS && fr_ctx_hardened(ctx)) {
        fr_ctx_divergence(ctx, rule);
        fr_reply_errorf(ctx, "value is out of range, value must between %lld and %ld", -RAND_HARDENED_MAX_DRAWS,
                        LONG_MAX);
        return FR_ERR;
    }
    *count = l;
    *with = argc == 4;
    return FR_OK;
}

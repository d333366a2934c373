/* sort_args.c -- SORT's and SORT_RO's options, parsed as Redis parses them.
 *
 * Options are compared as C strings, case-insensitively; one with too few
 * words after it (LIMIT needs two, BY, GET and STORE one) and any unknown
 * word is a syntax error, as is STORE for SORT_RO.  The first bad LIMIT
 * integer replies Redis's integer error.  The GET list borrows the
 * arguments: it lives as long as the call. */
#include "sort_internal.h"

#include <string.h>
#include <strings.h>

static int word_is(const fr_ctx *ctx, int i, const char *kw) {
    return !strcasecmp(fr_arg(ctx, i)->buf, kw);
}

int sort_parse_or_reply(fr_ctx *ctx, int readonly, sort_opts *o) {
    int argc = fr_argc(ctx);
    memset(o, 0, sizeof(*o));
    o->limit_count = -1;
    o->get = fr_malloc(sizeof(*o->get) * (size_t)argc);
    for (int j = 2; j < argc; j++) {
        int left = argc - j - 1;
        if (word_is(ctx, j, "asc")) {
            o->desc = 0;
        } else if (word_is(ctx, j, "desc")) {
            o->desc = 1;
        } else if (word_is(ctx, j, "alpha")) {
            o->alpha = 1;
        } else if (word_is(ctx, j, "limit") && left >= 2) {
            if (fr_arg_ll_or_reply(ctx, j + 1, &o->limit_start) != FR_OK ||
                fr_arg_ll_or_reply(ctx, j + 2, &o->limit_count) != FR_OK)
                return FR_ERR;
            j += 2;
        } else if (!readonly && word_is(ctx, j, "store") && left >= 1) {
            o->store = fr_arg(ctx, ++j);
        } else if (word_is(ctx, j, "by") && left >= 1) {
            o->by = fr_arg(ctx, ++j);
            /* A pattern without '*' names the same key for every element:
             * nothing to sort by. */
            if (!strchr(o->by->buf, '*')) o->dontsort = 1;
        } else if (word_is(ctx, j, "get") && left >= 1) {
            o->get[o->nget++] = fr_arg(ctx, ++j);
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

void sort_opts_free(sort_opts *o) {
    fr_free(o->get);
    o->get = NULL;
}

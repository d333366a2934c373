/* scan_args.c -- the arguments and reply head of HSCAN, SSCAN and ZSCAN;
 * see scan_args.h for the rules (Redis's scanGenericCommand). */
#include "scan_args.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int scan_parse_cursor(fr_ctx *ctx, int i, unsigned long long *cursor) {
    const fr_str *a = fr_arg(ctx, i);
    char *end;
    errno = 0;
    unsigned long v = strtoul(a->buf, &end, 10);
    if (isspace((unsigned char)a->buf[0]) || *end != '\0' || errno == ERANGE) {
        fr_reply_error(ctx, "invalid cursor");
        return FR_ERR;
    }
    *cursor = v;
    return FR_OK;
}

int scan_parse_options(fr_ctx *ctx, int first, scan_opts *o) {
    o->count = 10;
    o->pattern = NULL;
    int argc = fr_argc(ctx);
    for (int i = first; i < argc; i += 2) {
        int has_value = argc - i >= 2;
        if (has_value && fr_arg_is(ctx, i, "count")) {
            if (fr_arg_ll_or_reply(ctx, i + 1, &o->count) != FR_OK) return FR_ERR;
            if (o->count < 1) {
                fr_reply_syntax_error(ctx);
                return FR_ERR;
            }
        } else if (has_value && fr_arg_is(ctx, i, "match")) {
            const fr_str *p = fr_arg(ctx, i + 1);
            o->pattern = p->len == 1 && p->buf[0] == '*' ? NULL : p;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

int scan_matches(const scan_opts *o, const char *p, size_t len) {
    return !o->pattern || fr_stringmatch(o->pattern->buf, o->pattern->len, p, len, 0);
}

void scan_reply_cursor(fr_ctx *ctx, unsigned long long cursor) {
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%llu", cursor);
    fr_reply_array(ctx, 2);
    fr_reply_bulk(ctx, buf, (size_t)n);
}

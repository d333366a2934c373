/* scan_args.h -- the arguments and reply head of HSCAN, SSCAN and ZSCAN,
 * shared by the modules that serve them (compiled into each).
 *
 * As Redis 7.0.15's scanGenericCommand reads them: the cursor with
 * strtoul's syntax and no leading space ("invalid cursor"), then COUNT (at
 * least 1) and MATCH pairs in any order, anything else a syntax error; a
 * MATCH of "*" filters nothing.  Every parse answers its own error. */
#ifndef FR_LIB_SCAN_ARGS_H
#define FR_LIB_SCAN_ARGS_H

#include "frankenredis.h"

typedef struct scan_opts {
    long long count;            /* 10 unless COUNT says */
    const fr_str *pattern;      /* NULL: no filter; else an argument of the call */
} scan_opts;

/* Argument i as a cursor: FR_OK, or FR_ERR after "-ERR invalid cursor". */
int scan_parse_cursor(fr_ctx *ctx, int i, unsigned long long *cursor);
/* The options from argument `first` on: FR_OK, or FR_ERR after the error. */
int scan_parse_options(fr_ctx *ctx, int first, scan_opts *o);
/* Whether an element passes MATCH. */
int scan_matches(const scan_opts *o, const char *p, size_t len);
/* The reply's head: a 2-element array and the next cursor; the caller
 * then writes the elements' array. */
void scan_reply_cursor(fr_ctx *ctx, unsigned long long cursor);

#endif

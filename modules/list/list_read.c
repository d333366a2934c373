/* list_read.c -- LLEN LINDEX LRANGE LPOS: commands that only read a list.
 *
 * As Redis 7.0.15, including its argument order: LINDEX answers null for
 * a missing key before parsing the index, LRANGE parses its indexes
 * first, LPOS parses every option before looking the key up. */
#include "list_internal.h"

#include <limits.h>

void cmd_llen(fr_ctx *ctx) {
    int wrong;
    ql *q = list_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (!wrong) fr_reply_long_long(ctx, q ? (long long)q->len : 0);
}

void cmd_lindex(fr_ctx *ctx) {
    int wrong;
    ql *q = list_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (!q) {
        if (!wrong) fr_reply_null(ctx);
        return;
    }
    long long index;
    if (fr_arg_ll_or_reply(ctx, 2, &index) != FR_OK) return;
    ql_pos p;
    if (!ql_seek(q, index, &p)) {
        fr_reply_null(ctx);
        return;
    }
    char buf[LP_INTBUF];
    size_t len;
    const char *e = ql_get(&p, buf, &len);
    fr_reply_bulk(ctx, e, len);
}

void cmd_lrange(fr_ctx *ctx) {
    long long start, end;
    if (fr_arg_ll_or_reply(ctx, 2, &start) != FR_OK) return;
    if (fr_arg_ll_or_reply(ctx, 3, &end) != FR_OK) return;
    int wrong;
    ql *q = list_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (!q) {
        if (!wrong) fr_reply_array(ctx, 0);
        return;
    }
    list_reply_range(ctx, q, start, end, 0);
}

typedef struct lpos_opts {
    long long rank, count, maxlen;   /* count -1: not given */
} lpos_opts;

static int lpos_parse(fr_ctx *ctx, lpos_opts *o) {
    int argc = fr_argc(ctx);
    o->rank = 1; o->count = -1; o->maxlen = 0;
    for (int j = 3; j < argc; j++) {
        int more = argc - 1 - j;
        if (list_opt_is(ctx, j, "rank") && more) {
            if (fr_arg_ll_or_reply(ctx, ++j, &o->rank) != FR_OK) return FR_ERR;
            if (o->rank == 0) {
                fr_reply_error(ctx, "RANK can't be zero: use 1 to start from the first match, "
                                    "2 from the second ... or use negative to start from the "
                                    "end of the list");
                return FR_ERR;
            }
        } else if (list_opt_is(ctx, j, "count") && more) {
            if (fr_arg_range_or_reply(ctx, ++j, 0, LONG_MAX, "COUNT can't be negative", &o->count) != FR_OK)
                return FR_ERR;
        } else if (list_opt_is(ctx, j, "maxlen") && more) {
            if (fr_arg_range_or_reply(ctx, ++j, 0, LONG_MAX, "MAXLEN can't be negative", &o->maxlen) != FR_OK)
                return FR_ERR;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

void cmd_lpos(fr_ctx *ctx) {
    lpos_opts o;
    if (lpos_parse(ctx, &o) != FR_OK) return;
    int from_tail = o.rank < 0;
    /* Redis negates with wrap-around: LLONG_MIN stays negative, and then
     * every match already satisfies the rank. */
    if (from_tail) o.rank = (long long)(0ULL - (unsigned long long)o.rank);
    int wrong;
    ql *q = list_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (!q) {
        if (wrong) return;
        if (o.count != -1) fr_reply_array(ctx, 0);
        else fr_reply_null(ctx);
        return;
    }
    const fr_str *ele = fr_arg(ctx, 2);
    void *deferred = o.count != -1 ? fr_reply_deferred_len(ctx) : NULL;
    long long llen = (long long)q->len, index = 0, matches = 0, found = -1, n = 0;
    ql_pos p;
    int more = ql_seek(q, from_tail ? -1 : 0, &p);
    while (more && (o.maxlen == 0 || index < o.maxlen)) {
        if (ql_equals(&p, ele->buf, ele->len)) {
            matches++;
            found = from_tail ? llen - index - 1 : index;
            if (matches >= o.rank) {
                if (!deferred) break;
                n++;
                fr_reply_long_long(ctx, found);
                if (o.count && matches - o.rank + 1 >= o.count) break;
            }
        }
        index++;
        found = -1;
        more = from_tail ? ql_prev(&p) : ql_next(&p);
    }
    if (deferred) fr_reply_set_deferred_array(ctx, deferred, n);
    else if (found != -1) fr_reply_long_long(ctx, found);
    else fr_reply_null(ctx);
}

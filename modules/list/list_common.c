/* list_common.c -- helpers shared by the list command handlers.
 *
 * Owns the module's conventions with the core: lookups with Redis's flags
 * (writes do not count keyspace hits/misses), the events and the key
 * deletion that follow a removal, and the range reply every reading
 * command shares.  Invariant: a helper that fails has already replied. */
#include "list_internal.h"

#include <limits.h>
#include <strings.h>

static ql *as_list(fr_ctx *ctx, fr_value *v, int *wrongtype) {
    *wrongtype = 0;
    if (!v) return NULL;
    if (fr_value_type(v) != g_list_type) {
        *wrongtype = 1;
        fr_reply_wrongtype(ctx);
        return NULL;
    }
    return fr_value_payload(v);
}

ql *list_lookup_read(fr_ctx *ctx, const fr_str *key, int *wrongtype) {
    return as_list(ctx, fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE), wrongtype);
}

ql *list_lookup_write(fr_ctx *ctx, const fr_str *key, int *wrongtype) {
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
    return as_list(ctx, v, wrongtype);
}

void list_notify(fr_ctx *ctx, int type, const char *event, const fr_str *key) {
    fr_notify_keyspace_event(type, event, key, fr_db_id(fr_ctx_db(ctx)));
}

void list_delete_if_empty(fr_ctx *ctx, const fr_str *key, ql *q) {
    if (q->len) return;
    fr_key_delete(ctx, fr_ctx_db(ctx), key);
    list_notify(ctx, FR_NOTIFY_GENERIC, "del", key);
}

void list_elements_removed(fr_ctx *ctx, const fr_str *key, ql *q, int where,
                           long long count) {
    list_notify(ctx, FR_NOTIFY_LIST, where == LIST_HEAD ? "lpop" : "rpop", key);
    int empty = q->len == 0;
    list_delete_if_empty(ctx, key, q);
    if (!empty) fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, count);
}

void list_store_new(fr_ctx *ctx, const fr_str *key, ql *q) {
    fr_key_set(ctx, fr_ctx_db(ctx), key, g_list_type, q, 0);
}

void list_reply_range(fr_ctx *ctx, const ql *q, long long start, long long end,
                      int reverse) {
    long long llen = (long long)q->len;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        fr_reply_array(ctx, 0);
        return;
    }
    if (end >= llen) end = llen - 1;
    long long n = end - start + 1;
    fr_reply_array(ctx, n);
    ql_pos p;
    ql_seek(q, reverse ? end : start, &p);
    while (n--) {
        char buf[LP_INTBUF];
        size_t len;
        const char *e = ql_get(&p, buf, &len);
        fr_reply_bulk(ctx, e, len);
        if (n) reverse ? ql_prev(&p) : ql_next(&p);
    }
}

int list_opt_is(const fr_ctx *ctx, int i, const char *kw) {
    return strcasecmp(fr_arg(ctx, i)->buf, kw) == 0;
}

int list_where_or_reply(fr_ctx *ctx, int i, int *where) {
    if (list_opt_is(ctx, i, "right")) *where = LIST_TAIL;
    else if (list_opt_is(ctx, i, "left")) *where = LIST_HEAD;
    else {
        fr_reply_syntax_error(ctx);
        return FR_ERR;
    }
    return FR_OK;
}

int list_mpop_args_or_reply(fr_ctx *ctx, int first, long long *numkeys, int *where, long long *count) {
    int argc = fr_argc(ctx);
    if (fr_arg_range_or_reply(ctx, first, 1, LONG_MAX, "numkeys should be greater than 0", numkeys) != FR_OK)
        return FR_ERR;
    long long where_idx = *numkeys < argc ? first + *numkeys + 1 : argc;
    if (where_idx >= argc) {
        fr_reply_syntax_error(ctx);
        return FR_ERR;
    }
    if (list_where_or_reply(ctx, (int)where_idx, where) != FR_OK) return FR_ERR;
    *count = -1;
    for (int j = (int)where_idx + 1; j < argc; j++) {
        if (*count == -1 && list_opt_is(ctx, j, "count") && j + 1 < argc) {
            j++;
            if (fr_arg_range_or_reply(ctx, j, 1, LONG_MAX, "count should be greater than 0", count) != FR_OK)
                return FR_ERR;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    if (*count == -1) *count = 1;
    return FR_OK;
}

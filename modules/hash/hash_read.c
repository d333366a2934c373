/* hash_read.c -- the hash commands that only read: HGET HMGET HEXISTS HLEN
 * HSTRLEN HGETALL HKEYS HVALS.
 *
 * Owns their replies for an absent key (null, zeros, an empty map or
 * array) and the RESP3 shape of HGETALL (a map).  Reply order is the
 * hash's own order: insertion order for a listpack, as in Redis. */
#include "hash_internal.h"

void cmd_hget(fr_ctx *ctx) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    const fr_str *f = fr_arg(ctx, 2);
    hash_text v;
    if (h && hv_get(h, f->buf, f->len, &v)) hash_reply_text(ctx, &v);
    else fr_reply_null(ctx);
}

void cmd_hmget(fr_ctx *ctx) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    fr_reply_array(ctx, fr_argc(ctx) - 2);
    for (int i = 2; i < fr_argc(ctx); i++) {
        const fr_str *f = fr_arg(ctx, i);
        hash_text v;
        if (h && hv_get(h, f->buf, f->len, &v)) hash_reply_text(ctx, &v);
        else fr_reply_null(ctx);
    }
}

void cmd_hexists(fr_ctx *ctx) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    const fr_str *f = fr_arg(ctx, 2);
    fr_reply_long_long(ctx, h && hv_get(h, f->buf, f->len, NULL));
}

void cmd_hlen(fr_ctx *ctx) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    fr_reply_long_long(ctx, h ? (long long)hv_len(h) : 0);
}

void cmd_hstrlen(fr_ctx *ctx) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    const fr_str *f = fr_arg(ctx, 2);
    hash_text v;
    fr_reply_long_long(ctx, h && hv_get(h, f->buf, f->len, &v) ? (long long)v.len : 0);
}

#define WANT_FIELDS 1
#define WANT_VALUES 2

typedef struct getall_ctx {
    fr_ctx *ctx;
    int want;
} getall_ctx;

static void reply_pair(void *priv, const hash_text *f, const hash_text *v) {
    getall_ctx *g = priv;
    if (g->want & WANT_FIELDS) hash_reply_text(g->ctx, f);
    if (g->want & WANT_VALUES) hash_reply_text(g->ctx, v);
}

static void getall(fr_ctx *ctx, int want) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    long len = h ? (long)hv_len(h) : 0;
    if (want == (WANT_FIELDS | WANT_VALUES)) fr_reply_map(ctx, len);
    else fr_reply_array(ctx, len);
    if (!h) return;
    getall_ctx g = {ctx, want};
    hv_foreach(h, reply_pair, &g);
}

void cmd_hgetall(fr_ctx *ctx) {
    getall(ctx, WANT_FIELDS | WANT_VALUES);
}

void cmd_hkeys(fr_ctx *ctx) {
    getall(ctx, WANT_FIELDS);
}

void cmd_hvals(fr_ctx *ctx) {
    getall(ctx, WANT_VALUES);
}

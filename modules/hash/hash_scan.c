/* hash_scan.c -- HSCAN.
 *
 * Owns Redis 7.0's scan rules for a hash: the cursor parsed as strtoul
 * does ("invalid cursor"), checked before the key, the options (COUNT >= 1,
 * MATCH on fields) only once the key is known to be a hash, a listpack
 * returned whole with cursor 0, a hashtable walked bucket by bucket until
 * COUNT items -- fields and values both count, as in Redis -- or ten times
 * COUNT buckets.  Collected nodes are only pointed at: nothing changes the
 * hash while the command runs. */
#include "hash_internal.h"
#include "scan_args.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct lp_scan {
    fr_ctx *ctx;
    const scan_opts *o;
    long items;
} lp_scan;

static void reply_matching(void *priv, const hash_text *f, const hash_text *v) {
    lp_scan *s = priv;
    if (!scan_matches(s->o, f->p, f->len)) return;
    hash_reply_text(s->ctx, f);
    hash_reply_text(s->ctx, v);
    s->items += 2;
}

static void scan_listpack(fr_ctx *ctx, const hash_obj *h, const scan_opts *o) {
    scan_reply_cursor(ctx, 0);
    void *len = fr_reply_deferred_len(ctx);
    lp_scan s = {ctx, o, 0};
    hv_foreach(h, reply_matching, &s);
    fr_reply_set_deferred_array(ctx, len, s.items);
}

typedef struct ht_collect {
    const ht_node **nodes;
    unsigned long n, cap;
} ht_collect;

static void collect_node(void *priv, const ht_node *node) {
    ht_collect *c = priv;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->nodes = fr_realloc(c->nodes, c->cap * sizeof(*c->nodes));
    }
    c->nodes[c->n++] = node;
}

static void scan_table(fr_ctx *ctx, const hash_obj *h, unsigned long cursor, const scan_opts *o) {
    ht_collect c = {NULL, 0, 0};
    long long budget = o->count > LLONG_MAX / 10 ? LLONG_MAX : o->count * 10;
    do {
        cursor = ht_scan(h->ht, cursor, collect_node, &c);
    } while (cursor && budget-- && (long long)(c.n * 2) < o->count);
    scan_reply_cursor(ctx, cursor);
    void *len = fr_reply_deferred_len(ctx);
    long items = 0;
    for (unsigned long i = 0; i < c.n; i++) {
        const ht_node *n = c.nodes[i];
        if (!scan_matches(o, ht_field(n), ht_flen(n))) continue;
        fr_reply_bulk(ctx, ht_field(n), ht_flen(n));
        fr_reply_bulk(ctx, ht_value(n), ht_vlen(n));
        items += 2;
    }
    fr_reply_set_deferred_array(ctx, len, items);
    fr_free(c.nodes);
}

void cmd_hscan(fr_ctx *ctx) {
    unsigned long long cursor;
    if (scan_parse_cursor(ctx, 2, &cursor) != FR_OK) return;
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    if (!h) {
        scan_reply_cursor(ctx, 0);
        fr_reply_array(ctx, 0);
        return;
    }
    scan_opts o;
    if (scan_parse_options(ctx, 3, &o) != FR_OK) return;
    if (h->enc == HASH_ENC_LISTPACK) scan_listpack(ctx, h, &o);
    else scan_table(ctx, h, cursor, &o);
}

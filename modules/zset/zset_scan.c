/* zset_scan.c -- ZSCAN.
 *
 * Owns Redis 7.0's scan rules for a sorted set: the cursor parsed as
 * strtoul does ("invalid cursor"), checked before the key, the options
 * (COUNT >= 1, MATCH on members) only once the key is known to be a zset,
 * a listpack returned whole with cursor 0, a skiplist walked through its
 * member index bucket by bucket until COUNT items -- members and scores
 * both count, as in Redis -- or ten times COUNT buckets.  Scores are
 * bulks formatted as Redis's scan formats them. */
#include "zset_internal.h"
#include "scan_args.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* A skiplist's score as Redis's scan formats a double it holds (%.17Lg). */
static void reply_pair(fr_ctx *ctx, const char *m, size_t len, double score) {
    char buf[ZSET_SCORE_BUF + 32];
    int n = fr_ld2string(buf, sizeof(buf), (long double)score, 0);
    fr_reply_bulk(ctx, m, len);
    fr_reply_bulk(ctx, buf, (size_t)n);
}

/* A listpack whole, scores as their stored text (what Redis replies,
 * even for a restored payload whose text is not the canonical one). */
static void scan_listpack(fr_ctx *ctx, const zset_obj *z, const scan_opts *o) {
    scan_reply_cursor(ctx, 0);
    void *len = fr_reply_deferred_len(ctx);
    long items = 0;
    for (unsigned char *p = lp_first(z->lp); p; p = lp_next(z->lp, lp_next(z->lp, p))) {
        lp_entry m, sc;
        char mbuf[LP_INT_BUF], sbuf[LP_INT_BUF];
        size_t mlen, slen;
        lp_get(p, &m);
        lp_get(lp_next(z->lp, p), &sc);
        const char *mt = lp_entry_text(&m, mbuf, &mlen);
        if (!scan_matches(o, mt, mlen)) continue;
        const char *st = lp_entry_text(&sc, sbuf, &slen);
        fr_reply_bulk(ctx, mt, mlen);
        fr_reply_bulk(ctx, st, slen);
        items += 2;
    }
    fr_reply_set_deferred_array(ctx, len, items);
}

typedef struct node_collect {
    const zsl_node **nodes;
    unsigned long n, cap;
} node_collect;

static void collect_node(void *priv, const zsl_node *node) {
    node_collect *c = priv;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->nodes = fr_realloc(c->nodes, c->cap * sizeof(*c->nodes));
    }
    c->nodes[c->n++] = node;
}

static void scan_skiplist(fr_ctx *ctx, const zset_obj *z, unsigned long cursor, const scan_opts *o) {
    node_collect c = {NULL, 0, 0};
    long long budget = o->count > LLONG_MAX / 10 ? LLONG_MAX : o->count * 10;
    do {
        cursor = zsl_scan(z->sl, cursor, collect_node, &c);
    } while (cursor && budget-- && (long long)(c.n * 2) < o->count);
    scan_reply_cursor(ctx, cursor);
    void *len = fr_reply_deferred_len(ctx);
    long items = 0;
    for (unsigned long i = 0; i < c.n; i++) {
        const zsl_node *n = c.nodes[i];
        if (!scan_matches(o, zsl_member(n), n->mlen)) continue;
        reply_pair(ctx, zsl_member(n), n->mlen, n->score);
        items += 2;
    }
    fr_reply_set_deferred_array(ctx, len, items);
    fr_free(c.nodes);
}

void cmd_zscan(fr_ctx *ctx) {
    unsigned long long cursor;
    if (scan_parse_cursor(ctx, 2, &cursor) != FR_OK) return;
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    if (!z) {
        scan_reply_cursor(ctx, 0);
        fr_reply_array(ctx, 0);
        return;
    }
    scan_opts o;
    if (scan_parse_options(ctx, 3, &o) != FR_OK) return;
    if (z->enc == ZSET_ENC_LISTPACK) scan_listpack(ctx, z, &o);
    else scan_skiplist(ctx, z, cursor, &o);
}

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

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct scan_opts {
    long long count;
    const fr_str *pattern;   /* NULL: every field */
} scan_opts;

static int parse_cursor(fr_ctx *ctx, unsigned long *cursor) {
    const fr_str *a = fr_arg(ctx, 2);
    char *end;
    errno = 0;
    *cursor = strtoul(a->buf, &end, 10);
    if (isspace((unsigned char)a->buf[0]) || *end != '\0' || errno == ERANGE) {
        fr_reply_error(ctx, "invalid cursor");
        return 0;
    }
    return 1;
}

static int parse_opts(fr_ctx *ctx, scan_opts *o) {
    o->count = 10;
    o->pattern = NULL;
    int argc = fr_argc(ctx);
    for (int i = 3; i < argc; i += 2) {
        int has_value = argc - i >= 2;
        if (has_value && fr_arg_is(ctx, i, "count")) {
            if (fr_arg_ll_or_reply(ctx, i + 1, &o->count) != FR_OK) return 0;
            if (o->count < 1) {
                fr_reply_syntax_error(ctx);
                return 0;
            }
        } else if (has_value && fr_arg_is(ctx, i, "match")) {
            const fr_str *p = fr_arg(ctx, i + 1);
            o->pattern = (p->len == 1 && p->buf[0] == '*') ? NULL : p;
        } else {
            fr_reply_syntax_error(ctx);
            return 0;
        }
    }
    return 1;
}

static int field_matches(const scan_opts *o, const char *f, size_t len) {
    return !o->pattern || fr_stringmatch(o->pattern->buf, o->pattern->len, f, len, 0);
}

static void reply_cursor(fr_ctx *ctx, unsigned long cursor) {
    char buf[LP_INT_BUF];
    int n = snprintf(buf, sizeof(buf), "%lu", cursor);
    fr_reply_array(ctx, 2);
    fr_reply_bulk(ctx, buf, (size_t)n);
}

typedef struct lp_scan {
    fr_ctx *ctx;
    const scan_opts *o;
    long items;
} lp_scan;

static void reply_matching(void *priv, const hash_text *f, const hash_text *v) {
    lp_scan *s = priv;
    if (!field_matches(s->o, f->p, f->len)) return;
    hash_reply_text(s->ctx, f);
    hash_reply_text(s->ctx, v);
    s->items += 2;
}

static void scan_listpack(fr_ctx *ctx, const hash_obj *h, const scan_opts *o) {
    reply_cursor(ctx, 0);
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
    reply_cursor(ctx, cursor);
    void *len = fr_reply_deferred_len(ctx);
    long items = 0;
    for (unsigned long i = 0; i < c.n; i++) {
        const ht_node *n = c.nodes[i];
        if (!field_matches(o, ht_field(n), ht_flen(n))) continue;
        fr_reply_bulk(ctx, ht_field(n), ht_flen(n));
        fr_reply_bulk(ctx, ht_value(n), ht_vlen(n));
        items += 2;
    }
    fr_reply_set_deferred_array(ctx, len, items);
    fr_free(c.nodes);
}

void cmd_hscan(fr_ctx *ctx) {
    unsigned long cursor;
    if (!parse_cursor(ctx, &cursor)) return;
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    if (!h) {
        reply_cursor(ctx, 0);
        fr_reply_array(ctx, 0);
        return;
    }
    scan_opts o;
    if (!parse_opts(ctx, &o)) return;
    if (h->enc == HASH_ENC_LISTPACK) scan_listpack(ctx, h, &o);
    else scan_table(ctx, h, cursor, &o);
}

/* set_scan.c -- SSCAN.
 *
 * As Redis 7.0.15's scanGenericCommand for a set: the cursor is checked
 * before the key, options after it (so an absent key answers an empty scan
 * whatever the options say); an intset is returned whole with cursor 0; a
 * hashtable is walked bucket by bucket with the reverse-binary cursor
 * until COUNT members were gathered or 10*COUNT buckets were visited;
 * MATCH filters afterwards, so a step may return fewer members than COUNT,
 * even none. */
#include "set_internal.h"
#include "scan_args.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* The members one step gathers, before MATCH filters them. */
typedef struct gathered {
    struct { const char *p; size_t len; } *v;
    size_t n, cap;
} gathered;

static void gather(void *priv, const sh_entry *e) {
    gathered *g = priv;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->v = fr_realloc(g->v, g->cap * sizeof(*g->v));
    }
    g->v[g->n].p = sh_member(e, &g->v[g->n].len);
    g->n++;
}

static void scan_intset(fr_ctx *ctx, const setval *s, const scan_opts *o) {
    long n = 0;
    for (uint32_t i = 0; i < iset_len(s->u.is); i++) {
        st_member m = {.is_int = 1, .v = iset_get(s->u.is, i)};
        st_member_text(&m);
        n += scan_matches(o, m.p, m.len);
    }
    scan_reply_cursor(ctx, 0);
    fr_reply_array(ctx, n);
    for (uint32_t i = 0; i < iset_len(s->u.is); i++) {
        st_member m = {.is_int = 1, .v = iset_get(s->u.is, i)};
        st_member_text(&m);
        if (scan_matches(o, m.p, m.len)) fr_reply_bulk(ctx, m.p, m.len);
    }
}

static void scan_hashtable(fr_ctx *ctx, const setval *s, uint64_t cursor, const scan_opts *o) {
    gathered g = {NULL, 0, 0};
    /* 10 buckets per wanted member, saturated for a huge COUNT. */
    long long budget = o->count > LLONG_MAX / 10 ? LLONG_MAX : o->count * 10;
    do cursor = sh_scan(s->u.h, cursor, gather, &g);
    while (cursor && budget-- && (long long)g.n < o->count);
    long n = 0;
    for (size_t i = 0; i < g.n; i++) n += scan_matches(o, g.v[i].p, g.v[i].len);
    scan_reply_cursor(ctx, cursor);
    fr_reply_array(ctx, n);
    for (size_t i = 0; i < g.n; i++)
        if (scan_matches(o, g.v[i].p, g.v[i].len)) fr_reply_bulk(ctx, g.v[i].p, g.v[i].len);
    fr_free(g.v);
}

void cmd_sscan(fr_ctx *ctx) {
    unsigned long long cursor;
    if (scan_parse_cursor(ctx, 2, &cursor) != FR_OK) return;
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    if (!s) {
        scan_reply_cursor(ctx, 0);
        fr_reply_array(ctx, 0);
        return;
    }
    scan_opts o;
    if (scan_parse_options(ctx, 3, &o) != FR_OK) return;
    if (s->enc == ST_INTSET) scan_intset(ctx, s, &o);
    else scan_hashtable(ctx, s, cursor, &o);
}

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

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* Redis's parseScanCursorOrReply: strtoul's syntax, no leading space. */
static int parse_cursor(fr_ctx *ctx, const fr_str *a, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(a->buf, &end, 10);
    if (isspace((unsigned char)a->buf[0]) || *end != '\0' || errno == ERANGE) {
        fr_reply_error(ctx, "invalid cursor");
        return FR_ERR;
    }
    *out = v;
    return FR_OK;
}

typedef struct scan_opts {
    long long count;
    const fr_str *pattern; /* NULL: no filter ("*" counts as none) */
} scan_opts;

static int parse_options(fr_ctx *ctx, scan_opts *o) {
    o->count = 10;
    o->pattern = NULL;
    for (int i = 3; i < fr_argc(ctx); i += 2) {
        int left = fr_argc(ctx) - i;
        const char *opt = fr_arg(ctx, i)->buf;
        if (!strcasecmp(opt, "count") && left >= 2) {
            if (fr_arg_ll_or_reply(ctx, i + 1, &o->count) != FR_OK) return FR_ERR;
            if (o->count < 1) {
                fr_reply_syntax_error(ctx);
                return FR_ERR;
            }
        } else if (!strcasecmp(opt, "match") && left >= 2) {
            const fr_str *p = fr_arg(ctx, i + 1);
            o->pattern = p->len == 1 && p->buf[0] == '*' ? NULL : p;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

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

static int matches(const scan_opts *o, const char *p, size_t len) {
    return !o->pattern || fr_stringmatch(o->pattern->buf, o->pattern->len, p, len, 0);
}

static void reply_cursor(fr_ctx *ctx, uint64_t cursor) {
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cursor);
    fr_reply_array(ctx, 2);
    fr_reply_bulk(ctx, buf, (size_t)n);
}

static void scan_intset(fr_ctx *ctx, const setval *s, const scan_opts *o) {
    long n = 0;
    for (uint32_t i = 0; i < iset_len(s->u.is); i++) {
        st_member m = {.is_int = 1, .v = iset_get(s->u.is, i)};
        st_member_text(&m);
        n += matches(o, m.p, m.len);
    }
    reply_cursor(ctx, 0);
    fr_reply_array(ctx, n);
    for (uint32_t i = 0; i < iset_len(s->u.is); i++) {
        st_member m = {.is_int = 1, .v = iset_get(s->u.is, i)};
        st_member_text(&m);
        if (matches(o, m.p, m.len)) fr_reply_bulk(ctx, m.p, m.len);
    }
}

static void scan_hashtable(fr_ctx *ctx, const setval *s, uint64_t cursor, const scan_opts *o) {
    gathered g = {NULL, 0, 0};
    /* 10 buckets per wanted member, saturated for a huge COUNT. */
    long long budget = o->count > LLONG_MAX / 10 ? LLONG_MAX : o->count * 10;
    do cursor = sh_scan(s->u.h, cursor, gather, &g);
    while (cursor && budget-- && (long long)g.n < o->count);
    long n = 0;
    for (size_t i = 0; i < g.n; i++) n += matches(o, g.v[i].p, g.v[i].len);
    reply_cursor(ctx, cursor);
    fr_reply_array(ctx, n);
    for (size_t i = 0; i < g.n; i++)
        if (matches(o, g.v[i].p, g.v[i].len)) fr_reply_bulk(ctx, g.v[i].p, g.v[i].len);
    fr_free(g.v);
}

void cmd_sscan(fr_ctx *ctx) {
    uint64_t cursor;
    if (parse_cursor(ctx, fr_arg(ctx, 2), &cursor) != FR_OK) return;
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    if (!s) {
        reply_cursor(ctx, 0);
        fr_reply_array(ctx, 0);
        return;
    }
    scan_opts o;
    if (parse_options(ctx, &o) != FR_OK) return;
    if (s->enc == ST_INTSET) scan_intset(ctx, s, &o);
    else scan_hashtable(ctx, s, cursor, &o);
}

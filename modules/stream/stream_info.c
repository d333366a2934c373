/* stream_info.c -- XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO
 * CONSUMERS, XINFO HELP, as Redis 7.0.15 answers them, the group lag
 * included (Redis's streamReplyWithCGLag).
 *
 * "radix-tree-nodes" is the number of nodes Redis's radix tree would use
 * for the node keys: keys are 16 bytes, so the tree is the compressed trie
 * of those keys (a chain shared by several keys is one node, each place
 * they part one node, each key ends in an empty leaf); an empty tree is
 * its root alone. */
#include "stream_internal.h"

#include <string.h>

/* Nodes of the trie of keys[lo..hi) (sorted, distinct, 16 bytes each)
 * below a node that consumed `depth` bytes. */
static long long trie_nodes(unsigned char (*keys)[16], size_t lo, size_t hi, int depth) {
    if (depth == 16) return 1;
    if (hi - lo == 1) return 2;
    /* The bytes all these keys share from depth on. */
    int p = depth;
    while (p < 16 && keys[lo][p] == keys[hi - 1][p]) p++;
    long long n = p > depth ? 1 : 0;
    n++; /* the node where they part */
    size_t i = lo;
    while (i < hi) {
        size_t j = i + 1;
        while (j < hi && keys[j][p] == keys[i][p]) j++;
        n += trie_nodes(keys, i, j, p + 1);
        i = j;
    }
    return n;
}

static long long radix_nodes(const stream *s) {
    if (!s->nnodes) return 1;
    unsigned char (*keys)[16] = fr_malloc(16 * s->nnodes);
    for (size_t i = 0; i < s->nnodes; i++) sid_encode(keys[i], &s->nodes[i].master);
    long long n = trie_nodes(keys, 0, s->nnodes, 0);
    fr_free(keys);
    return n;
}

static void reply_lag(fr_ctx *ctx, stream *s, sgroup *g) {
    long long lag = 0;
    int valid = 0;
    if (!s->entries_added) {
        valid = 1;
    } else if (g->entries_read != SCG_INVALID_ENTRIES_READ && !stream_range_has_tombstones(s, &g->last_id, NULL)) {
        lag = (long long)s->entries_added - g->entries_read;
        valid = 1;
    } else {
        long long er = stream_estimate_distance(s, &g->last_id);
        if (er != SCG_INVALID_ENTRIES_READ) {
            lag = (long long)s->entries_added - er;
            valid = 1;
        }
    }
    if (valid) fr_reply_long_long(ctx, lag);
    else fr_reply_null(ctx);
}

static void reply_entries_read(fr_ctx *ctx, const sgroup *g) {
    if (g->entries_read != SCG_INVALID_ENTRIES_READ) fr_reply_long_long(ctx, g->entries_read);
    else fr_reply_null(ctx);
}

/* One entry (first or last) or a null. */
static void reply_edge_entry(fr_ctx *ctx, stream *s, int rev) {
    sit it;
    sid id;
    long long nf;
    sit_start(&it, s, NULL, NULL, rev);
    if (sit_next(&it, &id, &nf)) reply_entry(ctx, &it, &id, nf);
    else fr_reply_null(ctx);
}

static void reply_group_full(fr_ctx *ctx, stream *s, sgroup *g, long long count) {
    fr_reply_map(ctx, 7);
    fr_reply_bulk_cstr(ctx, "name");
    fr_reply_bulk_str(ctx, g->name);
    fr_reply_bulk_cstr(ctx, "last-delivered-id");
    sid_reply(ctx, &g->last_id);
    fr_reply_bulk_cstr(ctx, "entries-read");
    reply_entries_read(ctx, g);
    fr_reply_bulk_cstr(ctx, "lag");
    reply_lag(ctx, s, g);
    fr_reply_bulk_cstr(ctx, "pel-count");
    fr_reply_long_long(ctx, (long long)g->pel.n);
    fr_reply_bulk_cstr(ctx, "pending");
    size_t np = g->pel.n;
    if (count && (size_t)count < np) np = (size_t)count;
    fr_reply_array(ctx, (long)np);
    for (size_t i = 0; i < np; i++) {
        snack *n = g->pel.v[i];
        fr_reply_array(ctx, 4);
        sid_reply(ctx, &n->id);
        fr_reply_bulk_str(ctx, n->consumer->name);
        fr_reply_long_long(ctx, n->delivery_time);
        fr_reply_long_long(ctx, (long long)n->delivery_count);
    }
    fr_reply_bulk_cstr(ctx, "consumers");
    fr_reply_array(ctx, (long)g->consumers.n);
    for (size_t i = 0; i < g->consumers.n; i++) {
        sconsumer *c = g->consumers.v[i];
        fr_reply_map(ctx, 4);
        fr_reply_bulk_cstr(ctx, "name");
        fr_reply_bulk_str(ctx, c->name);
        fr_reply_bulk_cstr(ctx, "seen-time");
        fr_reply_long_long(ctx, c->seen_time);
        fr_reply_bulk_cstr(ctx, "pel-count");
        fr_reply_long_long(ctx, (long long)c->pel.n);
        fr_reply_bulk_cstr(ctx, "pending");
        size_t cp = c->pel.n;
        if (count && (size_t)count < cp) cp = (size_t)count;
        fr_reply_array(ctx, (long)cp);
        for (size_t k = 0; k < cp; k++) {
            snack *n = c->pel.v[k];
            fr_reply_array(ctx, 3);
            sid_reply(ctx, &n->id);
            fr_reply_long_long(ctx, n->delivery_time);
            fr_reply_long_long(ctx, (long long)n->delivery_count);
        }
    }
}

static void xinfo_stream(fr_ctx *ctx, stream *s) {
    int argc = fr_argc(ctx), optc = argc - 3, full = 1;
    long long count = 10;
    if (optc == 0) {
        full = 0;
    } else {
        if ((optc != 1 && optc != 3) || !fr_arg_is(ctx, 3, "full")) {
            fr_reply_subcommand_syntax_error(ctx);
            return;
        }
        if (optc == 3) {
            if (!fr_arg_is(ctx, 4, "count")) {
                fr_reply_subcommand_syntax_error(ctx);
                return;
            }
            if (fr_arg_ll_or_reply(ctx, 5, &count) != FR_OK) return;
            if (count < 0) count = 10;
        }
    }
    fr_reply_map(ctx, full ? 9 : 10);
    fr_reply_bulk_cstr(ctx, "length");
    fr_reply_long_long(ctx, (long long)s->length);
    fr_reply_bulk_cstr(ctx, "radix-tree-keys");
    fr_reply_long_long(ctx, (long long)s->nnodes);
    fr_reply_bulk_cstr(ctx, "radix-tree-nodes");
    fr_reply_long_long(ctx, radix_nodes(s));
    fr_reply_bulk_cstr(ctx, "last-generated-id");
    sid_reply(ctx, &s->last_id);
    fr_reply_bulk_cstr(ctx, "max-deleted-entry-id");
    sid_reply(ctx, &s->max_deleted);
    fr_reply_bulk_cstr(ctx, "entries-added");
    fr_reply_long_long(ctx, (long long)s->entries_added);
    fr_reply_bulk_cstr(ctx, "recorded-first-entry-id");
    sid_reply(ctx, &s->first_id);
    if (!full) {
        fr_reply_bulk_cstr(ctx, "groups");
        fr_reply_long_long(ctx, (long long)s->groups.n);
        fr_reply_bulk_cstr(ctx, "first-entry");
        reply_edge_entry(ctx, s, 0);
        fr_reply_bulk_cstr(ctx, "last-entry");
        reply_edge_entry(ctx, s, 1);
        return;
    }
    fr_reply_bulk_cstr(ctx, "entries");
    void *dl = fr_reply_deferred_len(ctx);
    long n = 0;
    sit it;
    sid id;
    long long nf;
    sit_start(&it, s, NULL, NULL, 0);
    while ((!count || n < count) && sit_next(&it, &id, &nf)) {
        reply_entry(ctx, &it, &id, nf);
        n++;
    }
    fr_reply_set_deferred_array(ctx, dl, n);
    fr_reply_bulk_cstr(ctx, "groups");
    fr_reply_array(ctx, (long)s->groups.n);
    for (size_t i = 0; i < s->groups.n; i++) reply_group_full(ctx, s, s->groups.v[i], count);
}

static const char *const xinfo_help[] = {"CONSUMERS <key> <groupname>",
                                         "    Show consumers of <groupname>.",
                                         "GROUPS <key>",
                                         "    Show the stream consumer groups.",
                                         "STREAM <key> [FULL [COUNT <count>]",
                                         "    Show information about the stream.",
                                         NULL};

static void xinfo(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    if (fr_arg_is(ctx, 1, "HELP")) {
        if (argc != 2) fr_reply_subcommand_syntax_error(ctx);
        else fr_reply_help(ctx, xinfo_help);
        return;
    }
    if (argc < 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    const fr_str *key = fr_arg(ctx, 2);
    int wrong;
    stream *s = stream_lookup_read(ctx, key, &wrong);
    if (wrong) return;
    if (!s) {
        fr_reply_error(ctx, "no such key");
        return;
    }
    if (fr_arg_is(ctx, 1, "CONSUMERS") && argc == 4) {
        const fr_str *gname = fr_arg(ctx, 3);
        sgroup *g = group_lookup(s, gname->buf, gname->len);
        if (!g) {
            fr_reply_errorf(ctx, "-NOGROUP No such consumer group '%s' for key name '%s'", gname->buf, key->buf);
            return;
        }
        fr_reply_array(ctx, (long)g->consumers.n);
        long long now = (long long)fr_mstime();
        for (size_t i = 0; i < g->consumers.n; i++) {
            sconsumer *c = g->consumers.v[i];
            long long idle = now - c->seen_time;
            fr_reply_map(ctx, 3);
            fr_reply_bulk_cstr(ctx, "name");
            fr_reply_bulk_str(ctx, c->name);
            fr_reply_bulk_cstr(ctx, "pending");
            fr_reply_long_long(ctx, (long long)c->pel.n);
            fr_reply_bulk_cstr(ctx, "idle");
            fr_reply_long_long(ctx, idle < 0 ? 0 : idle);
        }
    } else if (fr_arg_is(ctx, 1, "GROUPS") && argc == 3) {
        fr_reply_array(ctx, (long)s->groups.n);
        for (size_t i = 0; i < s->groups.n; i++) {
            sgroup *g = s->groups.v[i];
            fr_reply_map(ctx, 6);
            fr_reply_bulk_cstr(ctx, "name");
            fr_reply_bulk_str(ctx, g->name);
            fr_reply_bulk_cstr(ctx, "consumers");
            fr_reply_long_long(ctx, (long long)g->consumers.n);
            fr_reply_bulk_cstr(ctx, "pending");
            fr_reply_long_long(ctx, (long long)g->pel.n);
            fr_reply_bulk_cstr(ctx, "last-delivered-id");
            sid_reply(ctx, &g->last_id);
            fr_reply_bulk_cstr(ctx, "entries-read");
            reply_entries_read(ctx, g);
            fr_reply_bulk_cstr(ctx, "lag");
            reply_lag(ctx, s, g);
        }
    } else if (fr_arg_is(ctx, 1, "STREAM")) {
        xinfo_stream(ctx, s);
    } else {
        fr_reply_subcommand_syntax_error(ctx);
    }
}

void cmd_xinfo_stream(fr_ctx *ctx) { xinfo(ctx); }
void cmd_xinfo_groups(fr_ctx *ctx) { xinfo(ctx); }
void cmd_xinfo_consumers(fr_ctx *ctx) { xinfo(ctx); }
void cmd_xinfo_help(fr_ctx *ctx) { xinfo(ctx); }

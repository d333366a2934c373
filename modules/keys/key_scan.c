/* key_scan.c -- KEYS and SCAN (MATCH, COUNT, TYPE).
 *
 * Owns SCAN's options and filters.  fr_db_scan runs Redis's collection loop
 * (until COUNT keys were collected, the cursor wraps to 0, or COUNT*10
 * buckets were visited); then keys are filtered by pattern, by type (a
 * NOTOUCH lookup, which counts hits/misses as in Redis) and by expiry.  Keys
 * are copied out of the scan callback because the filters may touch the
 * keyspace.  Invariant: the callbacks given to the core never modify the
 * keyspace. */
#include "keys_internal.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

/* Hardened mode: refuse patterns long enough to make matching every key a
 * denial of service. */
static int pattern_too_long(fr_ctx *ctx, size_t len) {
    if (!fr_ctx_hardened(ctx) || len <= KEY_HARD_PATTERN_MAX) return 0;
    fr_ctx_divergence(ctx, "pattern-too-long");
    fr_reply_error(ctx, "pattern longer than 1024 bytes (hardened mode)");
    return 1;
}

/* ---- KEYS ---------------------------------------------------------------------- */

typedef struct keys_walk {
    fr_ctx *ctx;
    const fr_str *pat;
    int all;
    long n;
} keys_walk;

static void keys_cb(void *priv, const fr_str *key, const fr_value *v) {
    keys_walk *w = priv;
    (void)v;
    if (!w->all && !fr_stringmatch(w->pat->buf, w->pat->len, key->buf,
                                   key->len, 0))
        return;
    fr_reply_bulk_str(w->ctx, key);
    w->n++;
}

void cmd_keys(fr_ctx *ctx) {
    const fr_str *pat = fr_arg(ctx, 1);
    if (pattern_too_long(ctx, pat->len)) return;
    keys_walk w = {ctx, pat, pat->len == 1 && pat->buf[0] == '*', 0};
    void *node = fr_reply_deferred_len(ctx);
    fr_db_foreach(fr_ctx_db(ctx), keys_cb, &w);
    fr_reply_set_deferred_array(ctx, node, w.n);
}

/* ---- SCAN ------------------------------------------------------------------------ */

typedef struct scan_args {
    long count;
    const fr_str *pat;     /* NULL: no filtering by name */
    const char *type;      /* NULL: any type */
} scan_args;

typedef struct key_list {
    fr_str **keys;
    size_t n, cap;
} key_list;

static void scan_cb(void *priv, const fr_str *key, const fr_value *v) {
    key_list *l = priv;
    (void)v;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->keys = fr_realloc(l->keys, l->cap * sizeof(*l->keys));
    }
    l->keys[l->n++] = fr_str_dup(key);
}

static int parse_count(fr_ctx *ctx, int argi, long *count) {
    long long c;
    if (fr_arg_ll_or_reply(ctx, argi, &c) != FR_OK) return FR_ERR;
    if (c < 1) {
        fr_reply_syntax_error(ctx);
        return FR_ERR;
    }
    if (fr_ctx_hardened(ctx) && c > KEY_HARD_SCAN_COUNT_MAX) {
        /* A huge COUNT turns one SCAN call into a blocking KEYS. */
        fr_ctx_divergence(ctx, "scan-count-clamped");
        c = KEY_HARD_SCAN_COUNT_MAX;
    }
    *count = (long)c;
    return FR_OK;
}

static int parse_scan_args(fr_ctx *ctx, scan_args *a) {
    int argc = fr_argc(ctx);
    *a = (scan_args){10, NULL, NULL};
    for (int i = 2; i < argc; i += 2) {
        int more = i + 1 < argc;
        if (more && key_opt_is(ctx, i, "count")) {
            if (parse_count(ctx, i + 1, &a->count) != FR_OK) return FR_ERR;
        } else if (more && key_opt_is(ctx, i, "match")) {
            const fr_str *p = fr_arg(ctx, i + 1);
            /* "*" matches everything: same as no pattern. */
            a->pat = (p->len == 1 && p->buf[0] == '*') ? NULL : p;
        } else if (more && key_opt_is(ctx, i, "type")) {
            a->type = fr_arg(ctx, i + 1)->buf;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    if (a->pat && pattern_too_long(ctx, a->pat->len)) return FR_ERR;
    return FR_OK;
}

static unsigned long long scan_collect(fr_db *db, unsigned long long cursor,
                                       long count, key_list *l) {
    /* The core runs Redis's loop (until COUNT keys, or COUNT*10 buckets);
     * keep COUNT*10 representable, which no real keyspace can tell apart. */
    if (count > LONG_MAX / 10) count = LONG_MAX / 10;
    return fr_db_scan(db, cursor, count, scan_cb, l);
}

/* Whether a collected key survives MATCH and TYPE. */
static int scan_keep(fr_ctx *ctx, const scan_args *a, const fr_str *key) {
    if (a->pat &&
        !fr_stringmatch(a->pat->buf, a->pat->len, key->buf, key->len, 0))
        return 0;
    if (a->type) {
        fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key,
                                    FR_LOOKUP_NOTOUCH);
        const char *name = v ? fr_type_name(fr_value_type(v)) : "none";
        if (strcasecmp(a->type, name)) return 0;
    }
    /* Only now, as in Redis, is an expired key deleted and dropped. */
    return !fr_key_expire_if_due(ctx, fr_ctx_db(ctx), key);
}

void cmd_scan(fr_ctx *ctx) {
    unsigned long long cursor;
    if (kp_parse_cursor(fr_arg(ctx, 1)->buf, &cursor) != 0) {
        fr_reply_error(ctx, "invalid cursor");
        return;
    }
    scan_args a;
    if (parse_scan_args(ctx, &a) != FR_OK) return;

    key_list l = {NULL, 0, 0};
    cursor = scan_collect(fr_ctx_db(ctx), cursor, a.count, &l);
    size_t kept = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (scan_keep(ctx, &a, l.keys[i])) l.keys[kept++] = l.keys[i];
        else fr_str_free(l.keys[i]);
    }
    fr_reply_array(ctx, 2);
    /* Redis prints the cursor as a signed long long. */
    fr_reply_bulk_ll(ctx, (long long)cursor);
    fr_reply_array(ctx, (long)kept);
    for (size_t i = 0; i < kept; i++) {
        fr_reply_bulk_str(ctx, l.keys[i]);
        fr_str_free(l.keys[i]);
    }
    fr_free(l.keys);
}

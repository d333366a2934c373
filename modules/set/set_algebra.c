/* set_algebra.c -- SMEMBERS, SINTER, SINTERCARD, SINTERSTORE, SUNION,
 * SUNIONSTORE, SDIFF, SDIFFSTORE.
 *
 * As Redis 7.0.15: an absent key is an empty set; every source is
 * type-checked before any work; the intersection walks the smallest set
 * (a stable sort by size keeps Redis's order among equals) and replies
 * in its order; union and difference build their result as a new set
 * that starts as an intset, so an all-integer result small enough comes
 * out sorted; the difference picks between Redis's two algorithms by the
 * same cost estimate.  The *STORE forms replace the destination (any
 * type, TTL dropped) or delete it when the result is empty. */
#include "set_internal.h"

#include <strings.h>

#define OP_UNION 0
#define OP_DIFF 1

/* Look up keys[0..n) for reading; NULL entries for absent keys.  FR_ERR
 * (WRONGTYPE sent) at the first value of another type. */
static int load_sets(fr_ctx *ctx, int first, int n, const setval **sets) {
    for (int j = 0; j < n; j++) {
        setval *s;
        if (set_lookup_read(ctx, fr_arg(ctx, first + j), &s) != FR_OK) return FR_ERR;
        sets[j] = s;
    }
    return FR_OK;
}

static void sort_by_size(const setval **sets, int n, int descending) {
    for (int i = 1; i < n; i++) {
        const setval *x = sets[i];
        size_t sx = x ? st_size(x) : 0;
        int j = i - 1;
        while (j >= 0) {
            size_t sj = sets[j] ? st_size(sets[j]) : 0;
            if (descending ? sj >= sx : sj <= sx) break;
            sets[j + 1] = sets[j];
            j--;
        }
        sets[j + 1] = x;
    }
}

static int in_all_others(const setval **sets, int n, const st_member *m) {
    for (int j = 1; j < n; j++) {
        if (sets[j] == sets[0]) continue;
        if (!st_contains_member(sets[j], m)) return 0;
    }
    return 1;
}

/* The intersection: a reply (dst NULL, !card_only), a count (card_only,
 * stopping at limit when non-zero) or a stored set (dst). */
static void inter_generic(fr_ctx *ctx, int first, int n, const fr_str *dst, int card_only,
                          unsigned long long limit) {
    const setval *stack[16];
    const setval **sets = n <= 16 ? stack : fr_malloc(sizeof(*sets) * (size_t)n);
    int empty = 0;
    if (load_sets(ctx, first, n, sets) != FR_OK) goto done;
    for (int j = 0; j < n; j++) empty |= sets[j] == NULL;
    if (empty) {
        if (dst) set_store_result(ctx, dst, NULL, "sinterstore");
        else if (card_only) fr_reply_long_long(ctx, 0);
        else set_reply_empty_set(ctx);
        goto done;
    }
    sort_by_size(sets, n, 0);
    setval *result = dst ? st_new_intset() : NULL;
    unsigned long long card = 0;
    st_iter it;
    st_member m;
    st_iter_init(&it, sets[0]);
    while (st_next(&it, &m)) {
        if (!in_all_others(sets, n, &m)) continue;
        card++;
        if (card_only && limit && card >= limit) break;
        if (result) st_add_member(result, &m);
    }
    if (card_only) {
        fr_reply_long_long(ctx, (long long)card);
    } else if (dst) {
        set_store_result(ctx, dst, result, "sinterstore");
    } else {
        /* Redis replies in sets[0]'s order with a length patched in at
         * the end; a RESP3 set header cannot be deferred here, so count
         * first, then walk again. */
        fr_reply_set(ctx, (long)card);
        st_iter_init(&it, sets[0]);
        while (st_next(&it, &m))
            if (in_all_others(sets, n, &m)) set_reply_member(ctx, &m);
    }
done:
    if (sets != stack) fr_free(sets);
}

void cmd_smembers(fr_ctx *ctx) { inter_generic(ctx, 1, 1, NULL, 0, 0); }
void cmd_sinter(fr_ctx *ctx) { inter_generic(ctx, 1, fr_argc(ctx) - 1, NULL, 0, 0); }
void cmd_sinterstore(fr_ctx *ctx) {
    inter_generic(ctx, 2, fr_argc(ctx) - 2, fr_arg(ctx, 1), 0, 0);
}

void cmd_sintercard(fr_ctx *ctx) {
    long long numkeys, limit = 0;
    const char *nk_err = "numkeys should be greater than 0";
    const fr_str *a = fr_arg(ctx, 1);
    if (!fr_string2ll(a->buf, a->len, &numkeys) || numkeys < 1) {
        fr_reply_error(ctx, nk_err);
        return;
    }
    if (numkeys > fr_argc(ctx) - 2) {
        fr_reply_error(ctx, "Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < fr_argc(ctx); j++) {
        int moreargs = fr_argc(ctx) - 1 - j;
        if (strcasecmp(fr_arg(ctx, j)->buf, "limit") || !moreargs) {
            fr_reply_syntax_error(ctx);
            return;
        }
        a = fr_arg(ctx, ++j);
        if (!fr_string2ll(a->buf, a->len, &limit) || limit < 0) {
            fr_reply_error(ctx, "LIMIT can't be negative");
            return;
        }
    }
    inter_generic(ctx, 2, (int)numkeys, NULL, 1, (unsigned long long)limit);
}

/* Redis's cost estimate: algorithm 1 (test each member of the first set
 * against the others) unless adding everything up and subtracting is
 * cheaper than half of it. */
static int diff_algorithm(const setval **sets, int n) {
    long long one = 0, two = 0;
    for (int j = 0; j < n; j++) {
        if (!sets[j]) continue;
        one += (long long)st_size(sets[0]);
        two += (long long)st_size(sets[j]);
    }
    return one / 2 <= two ? 1 : 2;
}

static void diff_one(setval *result, const setval **sets, int n) {
    st_iter it;
    st_member m;
    st_iter_init(&it, sets[0]);
    while (st_next(&it, &m)) {
        int j;
        for (j = 1; j < n; j++) {
            if (!sets[j]) continue;
            if (sets[j] == sets[0] || st_contains_member(sets[j], &m)) break;
        }
        if (j == n) st_add_member(result, &m);
    }
}

static void add_all(setval *result, const setval *s, int remove) {
    st_iter it;
    st_member m;
    st_iter_init(&it, s);
    while (st_next(&it, &m)) {
        if (remove) st_remove_member(result, &m);
        else st_add_member(result, &m);
    }
}

static setval *union_diff(const setval **sets, int n, int op) {
    setval *result = st_new_intset();
    int sameset = 0;
    for (int j = 1; j < n; j++) sameset |= sets[j] && sets[j] == sets[0];
    if (op == OP_UNION) {
        for (int j = 0; j < n; j++)
            if (sets[j]) add_all(result, sets[j], 0);
        return result;
    }
    if (!sets[0] || sameset) return result;
    if (diff_algorithm(sets, n) == 1) {
        if (n > 1) sort_by_size(sets + 1, n - 1, 1);
        diff_one(result, sets, n);
        return result;
    }
    for (int j = 0; j < n && (j == 0 || st_size(result) > 0); j++)
        if (sets[j]) add_all(result, sets[j], j > 0);
    return result;
}

static void union_diff_generic(fr_ctx *ctx, int first, int n, const fr_str *dst, int op) {
    const setval *stack[16];
    const setval **sets = n <= 16 ? stack : fr_malloc(sizeof(*sets) * (size_t)n);
    if (load_sets(ctx, first, n, sets) == FR_OK) {
        setval *result = union_diff(sets, n, op);
        if (dst) {
            set_store_result(ctx, dst, result, op == OP_UNION ? "sunionstore" : "sdiffstore");
        } else {
            set_reply_members(ctx, result);
            st_free(result);
        }
    }
    if (sets != stack) fr_free(sets);
}

void cmd_sunion(fr_ctx *ctx) { union_diff_generic(ctx, 1, fr_argc(ctx) - 1, NULL, OP_UNION); }
void cmd_sdiff(fr_ctx *ctx) { union_diff_generic(ctx, 1, fr_argc(ctx) - 1, NULL, OP_DIFF); }
void cmd_sunionstore(fr_ctx *ctx) {
    union_diff_generic(ctx, 2, fr_argc(ctx) - 2, fr_arg(ctx, 1), OP_UNION);
}
void cmd_sdiffstore(fr_ctx *ctx) {
    union_diff_generic(ctx, 2, fr_argc(ctx) - 2, fr_arg(ctx, 1), OP_DIFF);
}

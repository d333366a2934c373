/* zset_algebra.c -- ZUNION ZINTER ZDIFF, their STORE forms, ZINTERCARD.
 *
 * As Redis 7.0.15's zunionInterDiffGenericCommand: numkeys, then every
 * input looked up (a missing key is an empty input; a set is read as
 * members of score 1, through the set type's foreach_member, since the
 * set module's payload is not ours; any other type is WRONGTYPE), then
 * WEIGHTS / AGGREGATE / WITHSCORES / LIMIT as each command allows.  A
 * weighted score that is NaN (inf * 0) counts as 0, as does a NaN sum.
 * ZINTER walks the smallest input and looks members up in the others; the
 * results are built as a skiplist, then a stored result takes a listpack
 * when its final size allows.  An empty stored result deletes the
 * destination. */
#include "zset_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OP_UNION 0
#define OP_INTER 1
#define OP_DIFF 2

#define AGGR_SUM 0
#define AGGR_MIN 1
#define AGGR_MAX 2

typedef struct zsrc {
    zset_obj *z;        /* NULL: missing key */
    int temp;           /* z was built here from a set */
    double weight;
    const void *ident;  /* the stored payload, to spot a key given twice */
} zsrc;

typedef struct zresult {
    zset_obj *dst;
    size_t maxelelen, totelelen;
} zresult;

static void add_set_member(void *priv, const char *m, size_t len) {
    zset_obj *z = priv;
    if (!zsl_find(z->sl, m, len)) zsl_insert(z->sl, 1.0, m, len);
}

/* The sources at args first..first+n-1; 0 after replying WRONGTYPE. */
static int lookup_sources(fr_ctx *ctx, int first, long n, zsrc *src) {
    for (long i = 0; i < n; i++) {
        fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, first + (int)i), FR_LOOKUP_NONE);
        src[i].weight = 1.0;
        src[i].z = NULL;
        src[i].temp = 0;
        src[i].ident = NULL;
        if (!v) continue;
        const fr_type *t = fr_value_type(v);
        src[i].ident = fr_value_payload(v);
        if (t == g_zset_type) {
            src[i].z = fr_value_payload(v);
            continue;
        }
        const fr_type_def *def = fr_type_def_of(t);
        if (strcmp(fr_type_name(t), "set") != 0 || !def || !def->foreach_member) {
            fr_reply_wrongtype(ctx);
            return 0;
        }
        src[i].z = zv_new_skiplist(0);
        src[i].temp = 1;
        def->foreach_member(fr_value_payload(v), add_set_member, src[i].z);
    }
    return 1;
}

static void free_sources(zsrc *src, long n) {
    for (long i = 0; i < n; i++)
        if (src[i].temp) zv_free(src[i].z);
    fr_free(src);
}

static unsigned long src_len(const zsrc *s) {
    return s->z ? zv_len(s->z) : 0;
}

static int by_cardinality(const void *a, const void *b) {
    unsigned long x = src_len(a), y = src_len(b);
    return x < y ? -1 : x > y;
}

static void aggregate(double *target, double val, int aggr) {
    if (aggr == AGGR_SUM) {
        *target = *target + val;
        if (isnan(*target)) *target = 0.0;
    } else if (aggr == AGGR_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

static void result_insert(zresult *r, double score, const char *m, size_t len) {
    zsl_insert(r->dst->sl, score, m, len);
    r->totelelen += len;
    if (len > r->maxelelen) r->maxelelen = len;
}

/* ---- the three operations ---------------------------------------------------- */

static unsigned long do_inter(zsrc *src, long n, int aggr, zresult *r, int card_only, long long limit) {
    unsigned long card = 0;
    if (!src_len(&src[0])) return 0;
    zs_iter it;
    for (zi_seek(&it, src[0].z, 0); zi_valid(&it); zi_next(&it)) {
        zs_elem e;
        zi_get(&it, &e);
        double score = src[0].weight * e.score, value;
        if (isnan(score)) score = 0;
        long j;
        for (j = 1; j < n; j++) {
            if (src[j].ident == src[0].ident) {
                value = e.score * src[j].weight;
            } else if (src[j].z && zv_score(src[j].z, e.m, e.mlen, &value)) {
                value *= src[j].weight;
            } else {
                break;
            }
            aggregate(&score, value, aggr);
        }
        if (j < n) continue;
        if (card_only) {
            card++;
            if (limit && card >= (unsigned long long)limit) break;
        } else {
            result_insert(r, score, e.m, e.mlen);
        }
    }
    return card;
}

static void do_union(zsrc *src, long n, int aggr, zresult *r) {
    for (long i = 0; i < n; i++) {
        if (!src_len(&src[i])) continue;
        zs_iter it;
        for (zi_seek(&it, src[i].z, 0); zi_valid(&it); zi_next(&it)) {
            zs_elem e;
            zi_get(&it, &e);
            double score = src[i].weight * e.score;
            if (isnan(score)) score = 0;
            zsl_node *node = zsl_find(r->dst->sl, e.m, e.mlen);
            if (!node) {
                result_insert(r, score, e.m, e.mlen);
                continue;
            }
            double agg = node->score;
            aggregate(&agg, score, aggr);
            /* An equal score may still be the other zero (-0 + 0 is 0):
             * set in place, the order does not change. */
            if (agg != node->score) zsl_update_score(r->dst->sl, node, agg);
            else node->score = agg;
        }
    }
}

static void do_diff(zsrc *src, long n, zresult *r) {
    if (!src_len(&src[0])) return;
    zs_iter it;
    for (zi_seek(&it, src[0].z, 0); zi_valid(&it); zi_next(&it)) {
        zs_elem e;
        zi_get(&it, &e);
        long j;
        for (j = 1; j < n; j++)
            if (src[j].z && (src[j].ident == src[0].ident || zv_score(src[j].z, e.m, e.mlen, NULL))) break;
        if (j == n) result_insert(r, e.score, e.m, e.mlen);
    }
}

/* ---- options and the command --------------------------------------------------- */

typedef struct setop_opts {
    int aggr, withscores;
    long long limit;
} setop_opts;

static int parse_options(fr_ctx *ctx, int j, zsrc *src, long n, int op, int store, int card_only,
                         setop_opts *o) {
    int argc = fr_argc(ctx);
    while (j < argc) {
        int remaining = argc - j;
        if (op != OP_DIFF && !card_only && remaining >= n + 1 && fr_arg_is(ctx, j, "weights")) {
            j++;
            for (long i = 0; i < n; i++, j++)
                if (zset_arg_double_or_reply(ctx, j, &src[i].weight, "weight value is not a float") != FR_OK)
                    return 0;
        } else if (op != OP_DIFF && !card_only && remaining >= 2 && fr_arg_is(ctx, j, "aggregate")) {
            j++;
            if (fr_arg_is(ctx, j, "sum")) o->aggr = AGGR_SUM;
            else if (fr_arg_is(ctx, j, "min")) o->aggr = AGGR_MIN;
            else if (fr_arg_is(ctx, j, "max")) o->aggr = AGGR_MAX;
            else {
                fr_reply_syntax_error(ctx);
                return 0;
            }
            j++;
        } else if (!store && !card_only && fr_arg_is(ctx, j, "withscores")) {
            j++;
            o->withscores = 1;
        } else if (card_only && remaining >= 2 && fr_arg_is(ctx, j, "limit")) {
            j++;
            if (fr_arg_range_or_reply(ctx, j, 0, LONG_MAX, "LIMIT can't be negative", &o->limit) != FR_OK)
                return 0;
            j++;
        } else {
            fr_reply_syntax_error(ctx);
            return 0;
        }
    }
    return 1;
}

static void reply_result(fr_ctx *ctx, zset_obj *z, int withscores) {
    int resp3 = fr_ctx_resp(ctx) == 3;
    unsigned long len = zv_len(z);
    fr_reply_array(ctx, (long)(withscores && !resp3 ? len * 2 : len));
    for (zsl_node *n = zsl_first(z->sl); n; n = n->level[0].forward) {
        if (withscores && resp3) fr_reply_array(ctx, 2);
        fr_reply_bulk(ctx, zsl_member(n), n->mlen);
        if (withscores) zset_reply_score(ctx, n->score);
    }
}

static void setop_generic(fr_ctx *ctx, int numkeys_idx, int op, int store, int card_only) {
    static const char *const events[] = {"zunionstore", "zinterstore", "zdiffstore"};
    long long setnum;
    if (fr_arg_ll_or_reply(ctx, numkeys_idx, &setnum) != FR_OK) return;
    if (setnum < 1) {
        fr_reply_errorf(ctx, "at least 1 input key is needed for '%s' command", fr_ctx_command_name(ctx));
        return;
    }
    if (setnum > fr_argc(ctx) - (numkeys_idx + 1)) {
        fr_reply_syntax_error(ctx);
        return;
    }
    zsrc *src = fr_calloc(sizeof(*src) * (size_t)setnum);
    if (!lookup_sources(ctx, numkeys_idx + 1, setnum, src)) goto done;
    setop_opts o = {AGGR_SUM, 0, 0};
    if (!parse_options(ctx, numkeys_idx + 1 + (int)setnum, src, setnum, op, store, card_only, &o)) goto done;
    if (op != OP_DIFF) qsort(src, (size_t)setnum, sizeof(*src), by_cardinality);
    zresult r = {zv_new_skiplist(0), 0, 0};
    unsigned long card = 0;
    if (op == OP_INTER) card = do_inter(src, setnum, o.aggr, &r, card_only, o.limit);
    else if (op == OP_UNION) do_union(src, setnum, o.aggr, &r);
    else do_diff(src, setnum, &r);
    if (store) {
        zv_shrink_if_small(r.dst, r.maxelelen, r.totelelen);
        zset_store_result(ctx, fr_arg(ctx, 1), r.dst, events[op]);
        goto done;
    }
    if (card_only) fr_reply_long_long(ctx, (long long)card);
    else reply_result(ctx, r.dst, o.withscores);
    zv_free(r.dst);
done:
    free_sources(src, setnum);
}

void cmd_zunionstore(fr_ctx *ctx) { setop_generic(ctx, 2, OP_UNION, 1, 0); }
void cmd_zinterstore(fr_ctx *ctx) { setop_generic(ctx, 2, OP_INTER, 1, 0); }
void cmd_zdiffstore(fr_ctx *ctx) { setop_generic(ctx, 2, OP_DIFF, 1, 0); }
void cmd_zunion(fr_ctx *ctx) { setop_generic(ctx, 1, OP_UNION, 0, 0); }
void cmd_zinter(fr_ctx *ctx) { setop_generic(ctx, 1, OP_INTER, 0, 0); }
void cmd_zintercard(fr_ctx *ctx) { setop_generic(ctx, 1, OP_INTER, 0, 1); }
void cmd_zdiff(fr_ctx *ctx) { setop_generic(ctx, 1, OP_DIFF, 0, 0); }

/* zset_range.c -- score ranges (BYSCORE: "(" for exclusive, strtod's
 * syntax, NaN refused) and lex ranges (BYLEX: "[" / "(" and a value, or
 * "-" / "+" alone), and finding where a range starts and ends.
 *
 * Both kinds are one pair of predicates, "at or above the minimum" and
 * "at or below the maximum", each monotonic along the set's order, so a
 * range's first element is the first that is above the minimum (if it is
 * also below the maximum) and its last the last below the maximum (if it
 * is above the minimum): an empty or inverted range needs no special case.
 * Lex comparisons are Redis's: bytes with memcmp, a shorter prefix first,
 * "-" below and "+" above everything. */
#include "zset_internal.h"

#include <math.h>
#include <stdlib.h>

/* ---- parsing ------------------------------------------------------------ */

static int parse_score_bound(const fr_str *a, double *v, int *ex) {
    const char *s = a->buf;
    char *end;
    *ex = 0;
    if (s[0] == '(') {
        *ex = 1;
        s++;
    }
    *v = strtod(s, &end);
    return end[0] == '\0' && !isnan(*v);
}

int zr_parse_score(const fr_str *min, const fr_str *max, zrange_q *q) {
    q->lex = 0;
    return parse_score_bound(min, &q->min, &q->minex) && parse_score_bound(max, &q->max, &q->maxex);
}

static int parse_lex_bound(const fr_str *a, zlex_bound *b) {
    b->p = NULL;
    b->len = 0;
    b->ex = 0;
    switch (a->len ? a->buf[0] : '\0') {
    case '+':
        if (a->len != 1) return 0;
        b->kind = ZLEX_PLUS;
        b->ex = 1;
        return 1;
    case '-':
        if (a->len != 1) return 0;
        b->kind = ZLEX_MINUS;
        b->ex = 1;
        return 1;
    case '(':
    case '[':
        b->kind = ZLEX_VALUE;
        b->ex = a->buf[0] == '(';
        b->p = a->buf + 1;
        b->len = a->len - 1;
        return 1;
    default:
        return 0;
    }
}

int zr_parse_lex(const fr_str *min, const fr_str *max, zrange_q *q) {
    q->lex = 1;
    return parse_lex_bound(min, &q->lmin) && parse_lex_bound(max, &q->lmax);
}

/* ---- predicates ------------------------------------------------------------ */

/* A member against a bound: <0, 0, >0. */
static int lex_cmp(const char *m, size_t len, const zlex_bound *b) {
    if (b->kind == ZLEX_MINUS) return 1;
    if (b->kind == ZLEX_PLUS) return -1;
    return zsl_memcmp(m, len, b->p, b->len);
}

int zr_gte_min(const void *qv, double score, const char *m, size_t len) {
    const zrange_q *q = qv;
    if (q->lex) {
        int c = lex_cmp(m, len, &q->lmin);
        return q->lmin.ex ? c > 0 : c >= 0;
    }
    return q->minex ? score > q->min : score >= q->min;
}

int zr_lte_max(const void *qv, double score, const char *m, size_t len) {
    const zrange_q *q = qv;
    if (q->lex) {
        int c = lex_cmp(m, len, &q->lmax);
        return q->lmax.ex ? c < 0 : c <= 0;
    }
    return q->maxex ? score < q->max : score <= q->max;
}

/* ---- locating a range ---------------------------------------------------------- */

long zr_first(zset_obj *z, const zrange_q *q, zs_iter *it) {
    it->z = z;
    it->ep = NULL;
    it->node = NULL;
    if (z->enc == ZSET_ENC_SKIPLIST) {
        unsigned long rank;
        zsl_node *n = zsl_first_true(z->sl, zr_gte_min, q, &rank);
        if (!n || !zr_lte_max(q, n->score, zsl_member(n), n->mlen)) return -1;
        it->node = n;
        return (long)rank - 1;
    }
    long rank = 0;
    for (zi_seek(it, z, 0); zi_valid(it); zi_next(it), rank++) {
        zs_elem e;
        zi_get(it, &e);
        if (!zr_gte_min(q, e.score, e.m, e.mlen)) continue;
        if (zr_lte_max(q, e.score, e.m, e.mlen)) return rank;
        break;
    }
    it->ep = NULL;
    return -1;
}

long zr_last(zset_obj *z, const zrange_q *q, zs_iter *it) {
    it->z = z;
    it->ep = NULL;
    it->node = NULL;
    if (z->enc == ZSET_ENC_SKIPLIST) {
        unsigned long rank;
        zsl_node *n = zsl_last_true(z->sl, zr_lte_max, q, &rank);
        if (!n || !zr_gte_min(q, n->score, zsl_member(n), n->mlen)) return -1;
        it->node = n;
        return (long)rank - 1;
    }
    /* Walk from the end: the last element below the maximum. */
    long rank = (long)zv_len(z) - 1;
    unsigned char *sp = lp_last(z->lp);
    it->ep = sp ? lp_prev(z->lp, sp) : NULL;
    for (; zi_valid(it); zi_prev(it), rank--) {
        zs_elem e;
        zi_get(it, &e);
        if (!zr_lte_max(q, e.score, e.m, e.mlen)) continue;
        if (zr_gte_min(q, e.score, e.m, e.mlen)) return rank;
        break;
    }
    it->ep = NULL;
    return -1;
}

unsigned long zr_count(zset_obj *z, const zrange_q *q) {
    zs_iter it;
    long first = zr_first(z, q, &it);
    if (first < 0) return 0;
    long last = zr_last(z, q, &it);
    return last < first ? 0 : (unsigned long)(last - first + 1);
}

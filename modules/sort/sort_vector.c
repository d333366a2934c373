/* sort_vector.c -- the elements SORT orders, their weights, the ordering.
 *
 * Every element is copied out of the value first (the value's own order:
 * a list head to tail, a sorted set by rank, a set as its type iterates),
 * because pattern lookups may touch the keyspace while the vector lives.
 *
 * Ordering follows Redis's comparison: numerically by weight, equal
 * weights by the elements' bytes; with ALPHA by the elements, or by the
 * BY values (an element whose BY found nothing first) -- compared with
 * strcoll under the locale's LC_COLLATE, or bytewise when the result is
 * stored, so that a STORE replicates the same list everywhere.  DESC
 * negates the comparison.  The sort is glibc's qsort_r, the same (stable)
 * algorithm Redis's qsort gets, so ties keep the value's order. */
#include "sort_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void push_member(void *priv, const char *m, size_t len) {
    sort_vec *v = priv;
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = fr_realloc(v->items, v->cap * sizeof(*v->items));
    }
    sort_item *it = &v->items[v->len++];
    it->ele = fr_str_new(m, len);
    it->score = 0;
    it->cmp = NULL;
}

void sort_vec_load(sort_vec *v, const fr_type *t, const void *payload) {
    memset(v, 0, sizeof(*v));
    const fr_type_def *d = t ? fr_type_def_of(t) : NULL;
    if (d && d->foreach_member) d->foreach_member(payload, push_member, v);
}

void sort_vec_reverse(sort_vec *v) {
    for (size_t i = 0, j = v->len; i + 1 < j; i++, j--) {
        sort_item tmp = v->items[i];
        v->items[i] = v->items[j - 1];
        v->items[j - 1] = tmp;
    }
}

/* strtod over the bytes up to the first NUL, as Redis reads a weight:
 * the whole text must be taken, no overflow or underflow, no NaN. */
static int parse_weight(const char *p, size_t len, double *out) {
    char small[128];
    char *buf = len < sizeof(small) ? small : fr_malloc(len + 1);
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    int ok = *end == '\0' && errno != ERANGE && !isnan(d);
    if (buf != small) fr_free(buf);
    *out = d;
    return ok;
}

int sort_vec_weigh(fr_ctx *ctx, sort_vec *v, const sort_opts *o) {
    int ok = 1;
    fr_str *key = NULL;
    for (size_t j = 0; j < v->len; j++) {
        sort_item *it = &v->items[j];
        sort_found f;
        if (o->by) {
            if (!sort_pattern_get(ctx, o->by, it->ele, &key, &f)) continue;
        } else {
            f.p = it->ele->buf;
            f.len = it->ele->len;
        }
        if (o->alpha) {
            if (o->by) it->cmp = fr_str_new(f.p, f.len);
        } else if (!parse_weight(f.p, f.len, &it->score)) {
            ok = 0;
        }
    }
    fr_str_free(key);
    return ok;
}

typedef struct cmp_opts {
    int alpha, by, store, desc;
} cmp_opts;

static int cmp_bytes(const fr_str *a, const fr_str *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->buf, b->buf, n);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_text(const fr_str *a, const fr_str *b, int store) {
    return store ? cmp_bytes(a, b) : strcoll(a->buf, b->buf);
}

static int cmp_items(const void *pa, const void *pb, void *priv) {
    const sort_item *a = pa, *b = pb;
    const cmp_opts *o = priv;
    int c;
    if (!o->alpha) {
        if (a->score != b->score)
            c = a->score > b->score ? 1 : -1;
        else
            c = cmp_bytes(a->ele, b->ele);
    } else if (o->by) {
        if (!a->cmp || !b->cmp)
            c = (a->cmp == b->cmp) ? 0 : (a->cmp ? 1 : -1);
        else
            c = cmp_text(a->cmp, b->cmp, o->store);
    } else {
        c = cmp_text(a->ele, b->ele, o->store);
    }
    return o->desc ? -c : c;
}

void sort_vec_order(sort_vec *v, const sort_opts *o, int store) {
    cmp_opts c = {o->alpha, o->by != NULL, store, o->desc};
    if (v->len > 1) qsort_r(v->items, v->len, sizeof(*v->items), cmp_items, &c);
}

void sort_vec_free(sort_vec *v) {
    for (size_t j = 0; j < v->len; j++) {
        fr_str_free(v->items[j].ele);
        fr_str_free(v->items[j].cmp);
    }
    fr_free(v->items);
    memset(v, 0, sizeof(*v));
}

/* sort_vector.c -- the elements SORT orders, their weights, the ordering.
 *
 * The elements are copied out of the value first (the value's own order:
 * a list head to tail, a sorted set by rank, a set as its type iterates),
 * because pattern lookups may touch the keyspace while the vector lives.
 * Copies go into large blocks owned by the vector, each NUL-terminated,
 * rather than one allocation per element.  When only a window of a list
 * or sorted set can be output (BY nosort with LIMIT), only the window is
 * copied, as Redis loads only that range.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SORT_BLOCK 65536

sort_text sort_vec_copy(sort_vec *v, const char *p, size_t len) {
    if (len + 1 > v->left) {
        size_t room = len + 1 > SORT_BLOCK ? len + 1 : SORT_BLOCK;
        char *b = fr_malloc(sizeof(char *) + room);
        memcpy(b, &v->block, sizeof(char *)); /* link the previous block */
        v->block = b;
        v->cur = b + sizeof(char *);
        v->left = room;
    }
    char *dst = v->cur;
    memcpy(dst, p, len);
    dst[len] = '\0';
    v->cur += len + 1;
    v->left -= len + 1;
    return (sort_text){dst, len};
}

static void count_member(void *priv, const char *m, size_t len) {
    (void)m, (void)len;
    (*(size_t *)priv)++;
}

size_t sort_count(const fr_type *t, const void *payload) {
    size_t n = 0;
    const fr_type_def *d = t ? fr_type_def_of(t) : NULL;
    if (d && d->foreach_member_range) return d->foreach_member_range(payload, 0, 0, NULL, NULL);
    if (d && d->foreach_member) d->foreach_member(payload, count_member, &n);
    return n;
}

static void push_member(void *priv, const char *m, size_t len) {
    sort_vec *v = priv;
    size_t i = v->seen++;
    if (i < v->lo || i >= v->hi) return;
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = fr_realloc(v->items, v->cap * sizeof(*v->items));
    }
    sort_item *it = &v->items[v->len++];
    it->ele = sort_vec_copy(v, m, len);
    it->score = 0;
    it->cmp = (sort_text){NULL, 0};
}

void sort_vec_load(sort_vec *v, const fr_type *t, const void *payload, size_t lo, size_t hi) {
    memset(v, 0, sizeof(*v));
    v->lo = lo;
    v->hi = hi;
    const fr_type_def *d = t ? fr_type_def_of(t) : NULL;
    if (!d || lo >= hi) return;
    if (d->foreach_member_range && hi != SIZE_MAX) {
        /* only the window is walked: indexes are counted from lo */
        v->seen = lo;
        d->foreach_member_range(payload, lo, hi - lo, push_member, v);
    } else if (d->foreach_member) {
        d->foreach_member(payload, push_member, v);
    }
}

void sort_vec_reverse(sort_vec *v) {
    for (size_t i = 0, j = v->len; i + 1 < j; i++, j--) {
        sort_item tmp = v->items[i];
        v->items[i] = v->items[j - 1];
        v->items[j - 1] = tmp;
    }
}

/* strtod over the bytes up to the first NUL, as Redis reads a weight:
 * the whole text must be taken, no overflow or underflow, no NaN.  A
 * canonical integer converts directly (Redis's integer-encoded values),
 * to the same double strtod would give. */
static int parse_weight(const char *p, size_t len, double *out) {
    long long ll;
    if (fr_string2ll(p, len, &ll)) {
        *out = (double)ll;
        return 1;
    }
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
            if (!sort_pattern_get(ctx, o->by, it->ele.p, it->ele.len, &key, &f)) continue;
        } else {
            f.p = it->ele.p;
            f.len = it->ele.len;
        }
        if (o->alpha) {
            if (o->by) it->cmp = sort_vec_copy(v, f.p, f.len);
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

static int cmp_bytes(const sort_text *a, const sort_text *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->p, b->p, n);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_text(const sort_text *a, const sort_text *b, int store) {
    return store ? cmp_bytes(a, b) : strcoll(a->p, b->p);
}

static int cmp_items(const void *pa, const void *pb, void *priv) {
    const sort_item *a = pa, *b = pb;
    const cmp_opts *o = priv;
    int c;
    if (!o->alpha) {
        if (a->score != b->score)
            c = a->score > b->score ? 1 : -1;
        else
            c = cmp_bytes(&a->ele, &b->ele);
    } else if (o->by) {
        if (!a->cmp.p || !b->cmp.p)
            c = (!a->cmp.p && !b->cmp.p) ? 0 : (a->cmp.p ? 1 : -1);
        else
            c = cmp_text(&a->cmp, &b->cmp, o->store);
    } else {
        c = cmp_text(&a->ele, &b->ele, o->store);
    }
    return o->desc ? -c : c;
}

void sort_vec_order(sort_vec *v, const sort_opts *o, int store) {
    cmp_opts c = {o->alpha, o->by != NULL, store, o->desc};
    if (v->len > 1) qsort_r(v->items, v->len, sizeof(*v->items), cmp_items, &c);
}

void sort_vec_free(sort_vec *v) {
    while (v->block) {
        char *prev;
        memcpy(&prev, v->block, sizeof(char *));
        fr_free(v->block);
        v->block = prev;
    }
    fr_free(v->items);
    memset(v, 0, sizeof(*v));
}

/* quicklist.c -- list values as linked listpack nodes (see quicklist.h).
 *
 * Owns the node bookkeeping and Redis 7.0's placement rules: a node takes
 * one more element while its estimated size stays within the fill's byte
 * class (negative fill) or its count below the fill (positive fill, never
 * past 8 KB); an insert into a full node goes to a neighbour with room or
 * splits the node, then neighbours that fit together are merged; deletions
 * never merge.  Invariants: no node is empty; q->len is the sum of the
 * node counts; q->nodes the number of nodes. */
#include "quicklist.h"
#include "frankenredis.h"

#include <string.h>

/* Redis's byte classes for fill -1..-5, its 8 KB ceiling for count-based
 * fills, and the overhead it adds to an element's length when estimating. */
static const size_t fill_bytes[] = {4096, 8192, 16384, 32768, 65536};
#define QL_SAFETY_LIMIT 8192
#define QL_ESTIMATE_OVERHEAD 8

static int size_within_fill(size_t sz, int fill) {
    if (fill >= 0) return 0;
    size_t i = (size_t)(-(long)fill) - 1;
    return i < sizeof(fill_bytes) / sizeof(*fill_bytes) && sz <= fill_bytes[i];
}

static int fits(size_t sz, long count, int fill) {
    if (size_within_fill(sz, fill)) return 1;
    if (sz > QL_SAFETY_LIMIT) return 0;
    return count < fill;
}

static int allow_insert(const ql_node *n, int fill, size_t len) {
    if (!n) return 0;
    return fits(qlp_bytes(n->lp) + len + QL_ESTIMATE_OVERHEAD, n->count, fill);
}

static int allow_merge(const ql_node *a, const ql_node *b, int fill) {
    if (!a || !b) return 0;
    size_t sz = qlp_bytes(a->lp) + qlp_bytes(b->lp) - 11;
    /* Redis's test is count_a + count_b <= fill: fits() asks count < fill. */
    return fits(sz, (long)a->count + (long)b->count - 1, fill);
}

ql *ql_new(int fill, int depth) {
    ql *q = fr_calloc(sizeof(*q));
    q->fill = fill;
    q->depth = depth;
    return q;
}

static ql_node *node_new(qlp_t *lp, uint32_t count) {
    ql_node *n = fr_calloc(sizeof(*n));
    n->lp = lp;
    n->count = count;
    return n;
}

/* Link n next to `at` (after it when after = 1); at NULL: the only node. */
static void link_node(ql *q, ql_node *at, ql_node *n, int after) {
    if (!at) {
        q->head = q->tail = n;
    } else if (after) {
        n->prev = at;
        n->next = at->next;
        if (at->next) at->next->prev = n; else q->tail = n;
        at->next = n;
    } else {
        n->next = at;
        n->prev = at->prev;
        if (at->prev) at->prev->next = n; else q->head = n;
        at->prev = n;
    }
    q->nodes++;
}

static void unlink_node(ql *q, ql_node *n) {
    if (n->prev) n->prev->next = n->next; else q->head = n->next;
    if (n->next) n->next->prev = n->prev; else q->tail = n->prev;
    q->nodes--;
    q->len -= n->count;
    qlp_free(n->lp);
    fr_free(n);
}

void ql_free(ql *q) {
    ql_node *n = q->head;
    while (n) {
        ql_node *next = n->next;
        qlp_free(n->lp);
        fr_free(n);
        n = next;
    }
    fr_free(q);
}

ql *ql_dup(const ql *q) {
    ql *c = ql_new(q->fill, q->depth);
    for (const ql_node *n = q->head; n; n = n->next) {
        size_t b = qlp_bytes(n->lp);
        qlp_t *lp = fr_malloc(b);
        memcpy(lp, n->lp, b);
        ql_append_node(c, lp, n->count);
    }
    return c;
}

size_t ql_mem(const ql *q) {
    size_t m = fr_malloc_size((void *)q);
    for (const ql_node *n = q->head; n; n = n->next)
        m += fr_malloc_size((void *)n) + fr_malloc_size(n->lp);
    return m;
}

void ql_append_node(ql *q, qlp_t *lp, uint32_t count) {
    link_node(q, q->tail, node_new(lp, count), 1);
    q->len += count;
}

void ql_push(ql *q, const char *s, size_t len, int head) {
    ql_node *n = head ? q->head : q->tail;
    if (allow_insert(n, q->fill, len)) {
        n->lp = head ? qlp_prepend(n->lp, s, len) : qlp_append(n->lp, s, len);
        n->count++;
    } else {
        ql_node *nn = node_new(qlp_prepend(qlp_new(), s, len), 1);
        link_node(q, n, nn, !head);
    }
    q->len++;
}

fr_str *ql_pop(ql *q, int head) {
    ql_node *n = head ? q->head : q->tail;
    size_t off = head ? qlp_first(n->lp) : qlp_last(n->lp);
    char buf[LP_INTBUF];
    size_t len;
    const char *p = qlp_get(n->lp, off, buf, &len, NULL, NULL);
    fr_str *s = fr_str_new(p, len);
    if (n->count == 1) {
        unlink_node(q, n);
    } else {
        n->lp = qlp_delete(n->lp, off, 1);
        n->count--;
        q->len--;
    }
    return s;
}

int ql_seek(const ql *q, long long i, ql_pos *p) {
    long long len = (long long)q->len;
    if (i < 0) i += len;
    if (i < 0 || i >= len) return 0;
    ql_node *n;
    if (i < len / 2) {
        for (n = q->head; i >= n->count; n = n->next) i -= n->count;
    } else {
        long long from_end = len - 1 - i;
        for (n = q->tail; from_end >= n->count; n = n->prev) from_end -= n->count;
        i = n->count - 1 - from_end;
    }
    p->node = n;
    p->idx = (uint32_t)i;
    p->off = qlp_seek(n->lp, (long)i);
    return 1;
}

int ql_next(ql_pos *p) {
    if (p->idx + 1 < p->node->count) {
        p->off = qlp_next(p->node->lp, p->off);
        p->idx++;
        return 1;
    }
    if (!p->node->next) return 0;
    p->node = p->node->next;
    p->off = qlp_first(p->node->lp);
    p->idx = 0;
    return 1;
}

int ql_prev(ql_pos *p) {
    if (p->idx > 0) {
        p->off = qlp_prev(p->node->lp, p->off);
        p->idx--;
        return 1;
    }
    if (!p->node->prev) return 0;
    p->node = p->node->prev;
    p->off = qlp_last(p->node->lp);
    p->idx = p->node->count - 1;
    return 1;
}

const char *ql_get(const ql_pos *p, char *buf, size_t *len) {
    return qlp_get(p->node->lp, p->off, buf, len, NULL, NULL);
}

/* Integers are stored only in canonical form, so comparing the decimal
 * text is Redis's comparison of an integer entry with a string. */
int ql_equals(const ql_pos *p, const char *s, size_t len) {
    char buf[LP_INTBUF];
    size_t l;
    const char *e = ql_get(p, buf, &l);
    return l == len && memcmp(e, s, len) == 0;
}

void ql_replace(ql *q, const ql_pos *p, const char *s, size_t len) {
    (void)q;
    p->node->lp = qlp_replace(p->node->lp, p->off, s, len);
}

/* Redis's split: the part on the insertion side moves to a new node, the
 * element at idx stays with the node being inserted next to. */
static ql_node *split_node(ql_node *n, uint32_t idx, int after) {
    size_t b = qlp_bytes(n->lp);
    qlp_t *copy = fr_malloc(b);
    memcpy(copy, n->lp, b);
    uint32_t cnt = n->count;
    ql_node *nn;
    if (after) {
        n->lp = qlp_keep_range(n->lp, 0, idx + 1);
        nn = node_new(qlp_keep_range(copy, idx + 1, cnt - idx - 1), cnt - idx - 1);
        n->count = idx + 1;
    } else {
        n->lp = qlp_keep_range(n->lp, idx, cnt - idx);
        nn = node_new(qlp_keep_range(copy, 0, idx), idx);
        n->count = cnt - idx;
    }
    return nn;
}

/* b's elements join a (its neighbour on the left); b goes. */
static ql_node *merge_into(ql *q, ql_node *a, ql_node *b) {
    a->lp = qlp_merge(a->lp, b->lp);
    b->lp = qlp_new();
    a->count += b->count;
    q->len += b->count;   /* unlink_node subtracts b's count */
    unlink_node(q, b);
    return a;
}

static void merge_around(ql *q, ql_node *center) {
    ql_node *prev = center->prev, *next = center->next;
    ql_node *pp = prev ? prev->prev : NULL, *nx = next ? next->next : NULL;
    if (allow_merge(prev, pp, q->fill)) merge_into(q, pp, prev);
    if (allow_merge(next, nx, q->fill)) merge_into(q, next, nx);
    ql_node *target = center;
    if (allow_merge(center, center->prev, q->fill)) target = merge_into(q, center->prev, center);
    if (allow_merge(target, target->next, q->fill)) merge_into(q, target, target->next);
}

void ql_insert(ql *q, const ql_pos *p, const char *s, size_t len, int after) {
    ql_node *n = p->node;
    int full = !allow_insert(n, q->fill, len);
    int at_tail = after && p->idx == n->count - 1;
    int at_head = !after && p->idx == 0;
    int avail_next = at_tail && allow_insert(n->next, q->fill, len);
    int avail_prev = at_head && allow_insert(n->prev, q->fill, len);
    q->len++;
    if (!full) {
        size_t off = p->off;
        if (after) {
            size_t nx = qlp_next(n->lp, p->off);
            off = nx ? nx : qlp_bytes(n->lp) - 1;
        }
        n->lp = qlp_insert(n->lp, off, s, len, NULL);
        n->count++;
    } else if (at_tail && avail_next) {
        n->next->lp = qlp_prepend(n->next->lp, s, len);
        n->next->count++;
    } else if (at_head && avail_prev) {
        n->prev->lp = qlp_append(n->prev->lp, s, len);
        n->prev->count++;
    } else if (at_tail || at_head) {
        link_node(q, n, node_new(qlp_prepend(qlp_new(), s, len), 1), after);
    } else {
        ql_node *nn = split_node(n, p->idx, after);
        nn->lp = after ? qlp_prepend(nn->lp, s, len) : qlp_append(nn->lp, s, len);
        nn->count++;
        link_node(q, n, nn, after);
        merge_around(q, n);
    }
}

int ql_delete_at(ql *q, ql_pos *p, int forward) {
    ql_node *n = p->node;
    if (n->count == 1) {
        ql_node *to = forward ? n->next : n->prev;
        unlink_node(q, n);
        if (!to) return 0;
        p->node = to;
        p->idx = forward ? 0 : to->count - 1;
        p->off = forward ? qlp_first(to->lp) : qlp_last(to->lp);
        return 1;
    }
    size_t prev = qlp_prev(n->lp, p->off);
    n->lp = qlp_delete(n->lp, p->off, 1);
    n->count--;
    q->len--;
    if (forward) {
        if (p->idx < n->count) return 1;   /* p->off now names the follower */
        if (!n->next) return 0;
        p->node = n->next;
        p->idx = 0;
        p->off = qlp_first(p->node->lp);
        return 1;
    }
    if (p->idx > 0) {
        p->idx--;
        p->off = prev;
        return 1;
    }
    if (!n->prev) return 0;
    p->node = n->prev;
    p->idx = p->node->count - 1;
    p->off = qlp_last(p->node->lp);
    return 1;
}

void ql_delete_range(ql *q, unsigned long long start, unsigned long long n) {
    if (start >= q->len || n == 0) return;
    if (n > q->len - start) n = q->len - start;
    ql_pos p;
    ql_seek(q, (long long)start, &p);
    ql_node *node = p.node;
    uint32_t off = p.idx;
    while (n) {
        ql_node *next = node->next;
        uint32_t del = node->count - off;
        if (del > n) del = (uint32_t)n;
        if (off == 0 && del == node->count) {
            unlink_node(q, node);
        } else {
            node->lp = qlp_delete(node->lp, qlp_seek(node->lp, off), del);
            node->count -= del;
            q->len -= del;
        }
        n -= del;
        node = next;
        off = 0;
    }
}

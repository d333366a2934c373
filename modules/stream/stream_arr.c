/* stream_arr.c -- the sorted pointer arrays that stand for Redis's radix
 * trees of groups, consumers and pending entries, and their searches in
 * rax order (names byte-wise with a prefix first, IDs numerically). */
#include "stream_internal.h"

#include <stddef.h>
#include <string.h>

void sarr_insert(sarr *a, size_t at, void *p) {
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->v = fr_realloc(a->v, sizeof(void *) * a->cap);
    }
    memmove(a->v + at + 1, a->v + at, sizeof(void *) * (a->n - at));
    a->v[at] = p;
    a->n++;
}

void sarr_remove(sarr *a, size_t at) {
    memmove(a->v + at, a->v + at + 1, sizeof(void *) * (a->n - at - 1));
    a->n--;
}

void sarr_free(sarr *a) {
    fr_free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

int name_cmp(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

/* One binary search for the three arrays: the index of the element cmp
 * calls equal to key (*found 1), else where it would go (*found 0). */
static size_t sarr_search(const sarr *a, int (*cmp)(const void *elem, const void *key), const void *key,
                          int *found) {
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp(a->v[mid], key);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = 0;
    return lo;
}

static int pel_cmp(const void *elem, const void *key) {
    return sid_cmp(&((const snack *)elem)->id, key);
}

typedef struct { const char *buf; size_t len; } name_key;

/* Consumers and groups both hold their name as their first member, so
 * one comparison reads it for both. */
_Static_assert(offsetof(sconsumer, name) == 0 && offsetof(sgroup, name) == 0, "name first");
static int named_cmp(const void *elem, const void *key) {
    const fr_str *n = *(const fr_str *const *)elem;
    const name_key *k = key;
    return name_cmp(n->buf, n->len, k->buf, k->len);
}

size_t pel_find(const sarr *pel, const sid *id, int *found) {
    return sarr_search(pel, pel_cmp, id, found);
}

size_t cons_find(const sarr *cons, const char *name, size_t len, int *found) {
    name_key k = {name, len};
    return sarr_search(cons, named_cmp, &k, found);
}

size_t group_find(const sarr *groups, const char *name, size_t len, int *found) {
    name_key k = {name, len};
    return sarr_search(groups, named_cmp, &k, found);
}

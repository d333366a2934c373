/* stream_arr.c -- the sorted pointer arrays that stand for Redis's radix
 * trees of groups, consumers and pending entries, and their searches in
 * rax order (names byte-wise with a prefix first, IDs numerically). */
#include "stream_internal.h"

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

size_t pel_find(const sarr *pel, const sid *id, int *found) {
    size_t lo = 0, hi = pel->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = sid_cmp(&((snack *)pel->v[mid])->id, id);
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

size_t cons_find(const sarr *cons, const char *name, size_t len, int *found) {
    size_t lo = 0, hi = cons->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const fr_str *n = ((sconsumer *)cons->v[mid])->name;
        int c = name_cmp(n->buf, n->len, name, len);
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

size_t group_find(const sarr *groups, const char *name, size_t len, int *found) {
    size_t lo = 0, hi = groups->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const fr_str *n = ((sgroup *)groups->v[mid])->name;
        int c = name_cmp(n->buf, n->len, name, len);
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

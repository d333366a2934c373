/* geo_sort.c -- the order of a search's results by distance, as Redis
 * 7.0.15 produces it, ties included.
 *
 * A result kept whole is sorted with a stable merge sort: Redis uses
 * glibc's qsort there, which is a merge sort, so points at equal distances
 * keep the order the walk found them in.  A result cut by COUNT has only
 * its first COUNT places ordered, with the partial quicksort Redis uses
 * (below); it is not stable, and which tied points it keeps is part of
 * what the client sees, so the algorithm is followed exactly. */
#include "geo_internal.h"

#include <string.h>

/* The order of two points by distance: <0, 0, >0 (descending reverses). */
static int cmp_points(const geo_point *a, const geo_point *b, int sort) {
    int c = a->dist > b->dist ? 1 : a->dist == b->dist ? 0 : -1;
    return sort == GEO_SORT_DESC ? -c : c;
}

/* Stable merge sort of a[0..n) by distance, through tmp[0..n): Redis
 * sorts a full result with glibc's qsort, a merge sort. */
static void sort_points(geo_point *a, geo_point *tmp, size_t n, int sort) {
    if (n < 2) return;
    size_t h = n / 2;
    sort_points(a, tmp, h, sort);
    sort_points(a + h, tmp, n - h, sort);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp_points(&a[i], &a[j], sort) > 0 ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof(geo_point) * n);
}

/* ---- partial sort ------------------------------------------------------------
 * When COUNT keeps fewer points than were found, Redis orders only the
 * first COUNT places with a partial quicksort: Bentley and McIlroy's
 * three-way partitioning quicksort that skips the parts lying wholly
 * outside the wanted places.  It is not stable, so which of several points
 * at the same distance are kept, and in what order, is that algorithm's
 * outcome; this is the same algorithm, so the outcome is the same. */

typedef struct psort {
    geo_point *base;
    int sort;
    size_t want_hi; /* the places wanted: [0, want_hi] */
} psort;

static void swap_points(geo_point *a, geo_point *b) {
    geo_point t = *a;
    *a = *b;
    *b = t;
}

/* Exchange a[0..n) with b[0..n), pairwise. */
static void swap_runs(geo_point *a, geo_point *b, size_t n) {
    for (size_t i = 0; i < n; i++) swap_points(&a[i], &b[i]);
}

static size_t median_of_3(const psort *ps, const geo_point *a, size_t i, size_t j, size_t k) {
    if (cmp_points(&a[i], &a[j], ps->sort) < 0) {
        if (cmp_points(&a[j], &a[k], ps->sort) < 0) return j;
        return cmp_points(&a[i], &a[k], ps->sort) < 0 ? k : i;
    }
    if (cmp_points(&a[j], &a[k], ps->sort) > 0) return j;
    return cmp_points(&a[i], &a[k], ps->sort) < 0 ? i : k;
}

/* Whether a part starting at a holds any wanted place (the wanted places
 * start at 0, so only its start matters). */
static int wanted(const psort *ps, const geo_point *a) { return ps->want_hi >= (size_t)(a - ps->base); }

static void insertion_sort(const psort *ps, geo_point *a, size_t n) {
    for (size_t m = 1; m < n; m++)
        for (size_t l = m; l > 0 && cmp_points(&a[l - 1], &a[l], ps->sort) > 0; l--) swap_points(&a[l], &a[l - 1]);
}

/* The pivot: the middle element, the median of first, middle and last
 * above 7 elements, a median of three such medians above 40. */
static size_t pick_pivot(const psort *ps, const geo_point *a, size_t n) {
    size_t m = n / 2;
    if (n == 7) return m;
    size_t l = 0, r = n - 1;
    if (n > 40) {
        size_t d = n / 8;
        l = median_of_3(ps, a, 0, d, 2 * d);
        m = median_of_3(ps, a, m - d, m, m + d);
        r = median_of_3(ps, a, r - 2 * d, r - d, r);
    }
    return median_of_3(ps, a, l, m, r);
}

static void partial_sort(const psort *ps, geo_point *a, size_t n) {
    for (;;) {
        if (n < 7) {
            insertion_sort(ps, a, n);
            return;
        }
        swap_points(&a[0], &a[pick_pivot(ps, a, n)]);
        /* a[1..eq_lo): equal to the pivot, [eq_lo..lo): less, (hi..eq_hi]:
         * greater, (eq_hi..n): equal; lo and hi move towards each other. */
        size_t eq_lo = 1, lo = 1, hi = n - 1, eq_hi = n - 1;
        for (;;) {
            int c;
            while (lo <= hi && (c = cmp_points(&a[lo], &a[0], ps->sort)) <= 0) {
                if (c == 0) swap_points(&a[eq_lo++], &a[lo]);
                lo++;
            }
            while (lo <= hi && (c = cmp_points(&a[hi], &a[0], ps->sort)) >= 0) {
                if (c == 0) swap_points(&a[hi], &a[eq_hi--]);
                hi--;
            }
            if (lo > hi) break;
            swap_points(&a[lo++], &a[hi--]);
        }
        /* The equal runs move to the middle. */
        size_t r = eq_lo < lo - eq_lo ? eq_lo : lo - eq_lo;
        swap_runs(a, a + lo - r, r);
        r = eq_hi - hi < n - eq_hi - 1 ? eq_hi - hi : n - eq_hi - 1;
        swap_runs(a + lo, a + n - r, r);
        size_t less = lo - eq_lo, greater = eq_hi - hi;
        if (less > 1 && wanted(ps, a)) partial_sort(ps, a, less);
        if (greater <= 1) return;
        a += n - greater;
        n = greater;
        if (!wanted(ps, a)) return;
    }
}

void geo_sort_points(geo_point *a, size_t n, size_t keep, int sort) {
    if (keep >= n) {
        geo_point *tmp = fr_malloc(sizeof(geo_point) * (n ? n : 1));
        sort_points(a, tmp, n, sort);
        fr_free(tmp);
    } else if (keep > 0) {
        psort ps = {a, sort, keep - 1};
        partial_sort(&ps, a, n);
    }
}

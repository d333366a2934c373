/* test_zset_pure.c -- unit tests of the zset module's skiplist encoding
 * (modules/zset/zsl.c) and of the shared listpack's in-place edits the
 * zset module relies on (modules/lib/listpack.c: lp_insert, lp_prev,
 * lp_last).  The skiplist is checked against a sorted model after random
 * inserts, score updates and deletions: order, backward links, ranks both
 * ways (spans), the member index, range searches, and the ZSCAN cursor's
 * guarantee across index resizes.  Needs only the core's allocator. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/lib/listpack.h"
#include "../../modules/zset/zsl.h"

/* ---- a model: member i has score model[i] (NAN: absent) ------------------------ */

#define N 600

static double model[N];
static int present[N];

static int name(int i, char *buf) {
    return snprintf(buf, 16, "m%04d", i);
}

typedef struct ref {
    double score;
    char m[16];
    int len;
} ref;

static int ref_cmp(const void *a, const void *b) {
    const ref *x = a, *y = b;
    return zsl_cmp(x->score, x->m, (size_t)x->len, y->score, y->m, (size_t)y->len);
}

/* The model sorted as the skiplist must be; returns the count. */
static int sorted_model(ref *out) {
    int n = 0;
    for (int i = 0; i < N; i++) {
        if (!present[i]) continue;
        out[n].score = model[i];
        out[n].len = name(i, out[n].m);
        n++;
    }
    qsort(out, (size_t)n, sizeof(*out), ref_cmp);
    return n;
}

static void check_against_model(const zsl *z) {
    static ref want[N];
    int n = sorted_model(want);
    ck_assert_uint_eq(z->length, (unsigned long)n);
    const zsl_node *prev = NULL, *x = zsl_first(z);
    for (int r = 0; r < n; r++, x = x->level[0].forward) {
        ck_assert_ptr_nonnull(x);
        ck_assert(x->score == want[r].score);
        ck_assert_uint_eq(x->mlen, (unsigned)want[r].len);
        ck_assert_int_eq(memcmp(zsl_member(x), want[r].m, (size_t)want[r].len), 0);
        ck_assert_ptr_eq(x->backward, prev);
        ck_assert_ptr_eq(zsl_by_rank(z, (unsigned long)r + 1), x);
        ck_assert_uint_eq(zsl_rank(z, x), (unsigned long)r + 1);
        ck_assert_ptr_eq(zsl_find(z, want[r].m, (size_t)want[r].len), x);
        prev = x;
    }
    ck_assert_ptr_null(x);
    ck_assert_ptr_eq(z->tail, prev);
    ck_assert_ptr_null(zsl_by_rank(z, (unsigned long)n + 1));
}

static zsl *random_zsl(unsigned seed, int count) {
    srand(seed);
    memset(present, 0, sizeof(present));
    zsl *z = zsl_new(0);
    for (int k = 0; k < count; k++) {
        int i = rand() % N;
        if (present[i]) continue;
        char m[16];
        int len = name(i, m);
        model[i] = (double)(rand() % 50) / 2.0; /* many equal scores */
        present[i] = 1;
        zsl_insert(z, model[i], m, (size_t)len);
    }
    return z;
}

START_TEST(test_zsl_insert_order_ranks) {
    zsl *z = random_zsl(1, 400);
    check_against_model(z);
    zsl_free(z);
}
END_TEST

START_TEST(test_zsl_update_and_delete) {
    zsl *z = random_zsl(2, 500);
    for (int k = 0; k < 300; k++) {
        int i = rand() % N;
        if (!present[i]) continue;
        char m[16];
        int len = name(i, m);
        zsl_node *n = zsl_find(z, m, (size_t)len);
        ck_assert_ptr_nonnull(n);
        if (k % 3 == 0) {
            zsl_delete_node(z, n);
            present[i] = 0;
        } else {
            /* small moves stay in place, big ones relink the node */
            model[i] = k % 2 ? model[i] + 0.25 : (double)(rand() % 50);
            zsl_update_score(z, n, model[i]);
        }
    }
    check_against_model(z);
    zsl_free(z);
}
END_TEST

START_TEST(test_zsl_delete_rank_range) {
    zsl *z = random_zsl(3, 400);
    static ref want[N];
    int n = sorted_model(want);
    unsigned long removed = zsl_delete_rank_range(z, 5, 24);
    ck_assert_uint_eq(removed, 20);
    for (int r = 4; r < 24; r++) present[atoi(want[r].m + 1)] = 0;
    check_against_model(z);
    removed = zsl_delete_rank_range(z, 1, z->length);
    ck_assert_uint_eq(removed, (unsigned long)n - 20);
    ck_assert_uint_eq(z->length, 0);
    ck_assert_ptr_null(z->tail);
    ck_assert_ptr_null(zsl_first(z));
    zsl_free(z);
}
END_TEST

static int score_at_least(const void *q, double score, const char *m, size_t len) {
    (void)m;
    (void)len;
    return score >= *(const double *)q;
}

static int score_at_most(const void *q, double score, const char *m, size_t len) {
    (void)m;
    (void)len;
    return score <= *(const double *)q;
}

START_TEST(test_zsl_range_search) {
    zsl *z = random_zsl(4, 400);
    for (double bound = -1; bound <= 26; bound += 0.5) {
        unsigned long rank, want_first = 0, want_last = 0;
        unsigned long r = 1;
        for (zsl_node *x = zsl_first(z); x; x = x->level[0].forward, r++) {
            if (!want_first && x->score >= bound) want_first = r;
            if (x->score <= bound) want_last = r;
        }
        zsl_node *f = zsl_first_true(z, score_at_least, &bound, &rank);
        ck_assert_uint_eq(rank, want_first);
        ck_assert_ptr_eq(f, want_first ? zsl_by_rank(z, want_first) : NULL);
        zsl_node *l = zsl_last_true(z, score_at_most, &bound, &rank);
        ck_assert_uint_eq(rank, want_last);
        ck_assert_ptr_eq(l, want_last ? zsl_by_rank(z, want_last) : NULL);
    }
    zsl_free(z);
}
END_TEST

static void mark_seen(void *priv, const zsl_node *n) {
    int *seen = priv;
    seen[atoi(zsl_member(n) + 1)]++;
}

START_TEST(test_zsl_scan_across_resizes) {
    zsl *z = random_zsl(5, 100);
    int before[N], seen[N] = {0};
    memcpy(before, present, sizeof(before));
    unsigned long cursor = 0;
    int steps = 0;
    do {
        cursor = zsl_scan(z, cursor, mark_seen, seen);
        /* grow the index between steps: members present from the start
         * must still all be returned */
        if (steps++ % 4 == 0) {
            for (int k = 0; k < 40; k++) {
                int i = rand() % N;
                if (present[i]) continue;
                char m[16];
                int len = name(i, m);
                present[i] = 1;
                model[i] = 1;
                zsl_insert(z, 1, m, (size_t)len);
            }
        }
    } while (cursor != 0 && steps < 100000);
    ck_assert_uint_eq(cursor, 0);
    for (int i = 0; i < N; i++)
        if (before[i]) ck_assert_int_ge(seen[i], 1);
    zsl_free(z);
}
END_TEST

/* ---- listpack edits the zset module uses ----------------------------------------- */

START_TEST(test_lp_insert_prev_last) {
    unsigned char *lp = lp_new();
    ck_assert_ptr_null(lp_last(lp));
    unsigned char *p = NULL;
    lp = lp_insert(lp, &p, "b", 1);           /* append to empty: [b] */
    p = lp_first(lp);
    lp = lp_insert(lp, &p, "a", 1);           /* before b: [a b] */
    p = NULL;
    lp = lp_insert(lp, &p, "12345", 5);       /* append an integer: [a b 12345] */
    p = lp_seek(lp, 2);
    char big[300];
    memset(big, 'x', sizeof(big));
    lp = lp_insert(lp, &p, big, sizeof(big)); /* a 2-byte back-length entry */
    ck_assert_uint_eq(lp_count(lp), 4);
    ck_assert(lp_validate(lp, lp_bytes(lp), 0));
    /* walking back from the end gives the same entries reversed */
    const char *want[] = {"a", "b", NULL, "12345"};
    int i = 3;
    for (unsigned char *q = lp_last(lp); q; q = lp_prev(lp, q), i--) {
        lp_entry e;
        lp_get(q, &e);
        if (want[i]) ck_assert(lp_entry_eq(&e, want[i], strlen(want[i])));
        else ck_assert(lp_entry_eq(&e, big, sizeof(big)));
    }
    ck_assert_int_eq(i, -1);
    lp_free(lp);
}
END_TEST

Suite *zset_pure_suite(void) {
    Suite *s = suite_create("zset_pure");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_zsl_insert_order_ranks);
    tcase_add_test(tc, test_zsl_update_and_delete);
    tcase_add_test(tc, test_zsl_delete_rank_range);
    tcase_add_test(tc, test_zsl_range_search);
    tcase_add_test(tc, test_zsl_scan_across_resizes);
    tcase_add_test(tc, test_lp_insert_prev_last);
    suite_add_tcase(s, tc);
    return s;
}

/* test_set_intset.c -- unit tests of the set module's encodings that need
 * only the allocator and fr_str: the intset (modules/set/intset.c: Redis's
 * blob layout, widening, validation of untrusted blobs) and the hash table
 * (modules/set/sethash.c: membership, resizing, the SSCAN cursor's
 * guarantee across resizes, uniform draws).  Expected intset bytes are
 * those redis-server 7.0.15 DUMPs. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "../../modules/set/intset.h"
#include "../../modules/set/sethash.h"

/* ---- intset ------------------------------------------------------------------ */

static intset *from_values(const int64_t *v, int n) {
    intset *is = iset_new();
    for (int i = 0; i < n; i++) {
        int added;
        is = iset_add(is, v[i], &added);
    }
    return is;
}

START_TEST(test_intset_layout) {
    /* SADD s 3 1 2 4: Redis's DUMP carries 02000000 04000000 0100 0200 0300 0400 */
    static const unsigned char want[] = {2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0};
    const int64_t v[] = {3, 1, 2, 4};
    intset *is = from_values(v, 4);
    ck_assert_uint_eq(iset_blob_len(is), sizeof(want));
    ck_assert_int_eq(memcmp(iset_blob(is), want, sizeof(want)), 0);
    iset_free(is);
}
END_TEST

START_TEST(test_intset_add_sorted_unique) {
    const int64_t v[] = {5, -3, 100, 0, 7, -3, 5};
    intset *is = from_values(v, 7);
    ck_assert_uint_eq(iset_len(is), 5);
    const int64_t want[] = {-3, 0, 5, 7, 100};
    for (uint32_t i = 0; i < 5; i++) ck_assert(iset_get(is, i) == want[i]);
    int added;
    is = iset_add(is, 7, &added);
    ck_assert_int_eq(added, 0);
    ck_assert(iset_validate(iset_blob(is), iset_blob_len(is)));
    iset_free(is);
}
END_TEST

START_TEST(test_intset_widening) {
    const int64_t v[] = {1, 2, 3};
    intset *is = from_values(v, 3);
    ck_assert_uint_eq(iset_encoding(is), 2);
    int added, removed;
    is = iset_add(is, 70000, &added); /* needs 4 bytes: appended */
    ck_assert_uint_eq(iset_encoding(is), 4);
    is = iset_add(is, -5000000000LL, &added); /* needs 8 bytes: prepended */
    ck_assert_uint_eq(iset_encoding(is), 8);
    ck_assert(iset_get(is, 0) == -5000000000LL);
    ck_assert(iset_get(is, 4) == 70000);
    ck_assert(iset_find(is, 2));
    /* Removing the wide values keeps the width, as Redis does. */
    is = iset_remove(is, -5000000000LL, &removed);
    ck_assert_int_eq(removed, 1);
    is = iset_remove(is, 70000, &removed);
    ck_assert_uint_eq(iset_encoding(is), 8);
    ck_assert_uint_eq(iset_blob_len(is), ISET_HEADER + 3 * 8);
    iset_free(is);
}
END_TEST

START_TEST(test_intset_edges) {
    const int64_t v[] = {INT64_MAX, INT64_MIN, 0, -1, INT16_MIN, INT16_MAX, INT32_MIN, INT32_MAX,
                         (int64_t)INT16_MAX + 1, (int64_t)INT32_MIN - 1};
    intset *is = from_values(v, 10);
    ck_assert_uint_eq(iset_len(is), 10);
    ck_assert(iset_get(is, 0) == INT64_MIN);
    ck_assert(iset_get(is, 9) == INT64_MAX);
    for (int i = 0; i < 10; i++) ck_assert(iset_find(is, v[i]));
    ck_assert(!iset_find(is, 12345));
    int removed;
    is = iset_remove(is, 999, &removed);
    ck_assert_int_eq(removed, 0);
    iset_free(is);
}
END_TEST

START_TEST(test_intset_find_wider_than_encoding) {
    const int64_t v[] = {1, 2};
    intset *is = from_values(v, 2);
    /* 65537 truncated to 16 bits is 1: must not be found. */
    ck_assert(!iset_find(is, 65537));
    int removed;
    is = iset_remove(is, 65537, &removed);
    ck_assert_int_eq(removed, 0);
    ck_assert_uint_eq(iset_len(is), 2);
    iset_free(is);
}
END_TEST

START_TEST(test_intset_validate) {
    unsigned char ok[] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0};
    ck_assert(iset_validate(ok, sizeof(ok)));
    ck_assert(!iset_validate(ok, 7));                   /* short header */
    ck_assert(!iset_validate(ok, sizeof(ok) - 1));      /* size != length */
    unsigned char bad[sizeof(ok)];
    memcpy(bad, ok, sizeof(ok));
    bad[0] = 3;                                          /* unknown encoding */
    ck_assert(!iset_validate(bad, sizeof(bad)));
    memcpy(bad, ok, sizeof(ok));
    bad[8] = 2;                                          /* duplicate */
    ck_assert(!iset_validate(bad, sizeof(bad)));
    memcpy(bad, ok, sizeof(ok));
    bad[8] = 3;                                          /* out of order */
    ck_assert(!iset_validate(bad, sizeof(bad)));
    unsigned char empty[] = {2, 0, 0, 0, 0, 0, 0, 0};
    ck_assert(!iset_validate(empty, sizeof(empty)));
    /* A length whose byte count overflows 32 bits must not pass. */
    unsigned char huge[] = {8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0};
    ck_assert(!iset_validate(huge, sizeof(huge)));
    /* A valid blob wider than needed is accepted and kept as it is. */
    unsigned char wide[] = {8, 0, 0, 0, 1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ck_assert(iset_validate(wide, sizeof(wide)));
    intset *is = iset_from_blob(wide, sizeof(wide));
    ck_assert(iset_get(is, 0) == -2);
    ck_assert_int_eq(memcmp(iset_blob(is), wide, sizeof(wide)), 0);
    iset_free(is);
}
END_TEST

START_TEST(test_intset_random_ops) {
    /* Against a plain bitmap of 0..999 (scaled to spread widths). */
    unsigned char present[1000] = {0};
    intset *is = iset_new();
    uint64_t x = 88172645463325252ULL;
    for (int step = 0; step < 20000; step++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int k = (int)(x % 1000);
        int64_t v = (int64_t)(k - 500) * 40000000000LL / 500;
        int changed;
        if (x >> 63) {
            is = iset_add(is, v, &changed);
            ck_assert_int_eq(changed, !present[k]);
            present[k] = 1;
        } else {
            is = iset_remove(is, v, &changed);
            ck_assert_int_eq(changed, present[k]);
            present[k] = 0;
        }
    }
    uint32_t n = 0;
    for (int k = 0; k < 1000; k++) n += present[k];
    ck_assert_uint_eq(iset_len(is), n);
    if (n) ck_assert(iset_validate(iset_blob(is), iset_blob_len(is)));
    intset *dup = iset_dup(is);
    ck_assert_int_eq(memcmp(iset_blob(dup), iset_blob(is), iset_blob_len(is)), 0);
    iset_free(dup);
    iset_free(is);
}
END_TEST

/* ---- hash table ---------------------------------------------------------------- */

static fr_str *num_str(int i) { return fr_str_from_ll(i); }

/* sh_add of a number's text. */
static int add_num(sethash *h, int i) {
    fr_str *s = num_str(i);
    int added = sh_add(h, s->buf, s->len);
    fr_str_free(s);
    return added;
}

START_TEST(test_sethash_membership_and_resize) {
    sethash *h = sh_new(0);
    for (int i = 0; i < 1000; i++) ck_assert_int_eq(add_num(h, i), 1);
    ck_assert_int_eq(add_num(h, 7), 0);
    ck_assert_uint_eq(sh_count(h), 1000);
    ck_assert(sh_contains(h, "999", 3));
    ck_assert(!sh_contains(h, "1000", 4));
    for (int i = 0; i < 990; i++) {
        fr_str *s = num_str(i);
        ck_assert_int_eq(sh_remove(h, s->buf, s->len), 1);
        fr_str_free(s);
    }
    ck_assert_uint_eq(sh_count(h), 10);
    ck_assert(sh_contains(h, "995", 3));
    sh_iter it = {0, NULL};
    int seen = 0;
    while (sh_next(h, &it)) seen++;
    ck_assert_int_eq(seen, 10);
    sh_free(h);
}
END_TEST

typedef struct {
    unsigned char seen[4000];
} scan_seen;

static void mark(void *priv, const sh_entry *e) {
    long long v;
    size_t len;
    const char *m = sh_member(e, &len);
    ck_assert(fr_string2ll(m, len, &v));
    ((scan_seen *)priv)->seen[v] = 1;
}

START_TEST(test_sethash_scan_survives_resizes) {
    /* Members 0..999 stay for the whole scan while 1000..3999 come and go,
     * growing and shrinking the table between steps: every stayer must be
     * returned. */
    sethash *h = sh_new(0);
    for (int i = 0; i < 1000; i++) add_num(h, i);
    static scan_seen s;
    memset(&s, 0, sizeof(s));
    uint64_t cursor = 0;
    int steps = 0, grown = 0;
    do {
        cursor = sh_scan(h, cursor, mark, &s);
        if (steps % 7 == 3 && !grown) {
            for (int i = 1000; i < 4000; i++) add_num(h, i);
            grown = 1;
        } else if (steps % 7 == 5 && grown) {
            for (int i = 1000; i < 4000; i++) {
                fr_str *x = num_str(i);
                sh_remove(h, x->buf, x->len);
                fr_str_free(x);
            }
            grown = 0;
        }
        steps++;
    } while (cursor && steps < 100000);
    ck_assert_uint_eq(cursor, 0);
    for (int i = 0; i < 1000; i++) ck_assert_msg(s.seen[i], "member %d never returned", i);
    sh_free(h);
}
END_TEST

static uint64_t g_state = 0x12345678ULL;
static uint64_t test_rand(void) {
    uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

START_TEST(test_sethash_random_uniform) {
    /* 10 members, 100000 draws: each near 10000 (chi-square df 9 < 40). */
    sethash *h = sh_new(0);
    for (int i = 0; i < 10; i++) add_num(h, i);
    long counts[10] = {0};
    for (int d = 0; d < 100000; d++) {
        long long v;
        size_t len;
        const char *m = sh_member(sh_random(h, test_rand), &len);
        ck_assert(fr_string2ll(m, len, &v));
        counts[v]++;
    }
    double chi = 0;
    for (int i = 0; i < 10; i++) chi += (counts[i] - 10000.0) * (counts[i] - 10000.0) / 10000.0;
    ck_assert_msg(chi < 40, "chi-square %f", chi);
    sh_free(h);
}
END_TEST

Suite *set_intset_suite(void) {
    Suite *s = suite_create("set_encodings");
    TCase *is = tcase_create("intset");
    tcase_add_test(is, test_intset_layout);
    tcase_add_test(is, test_intset_add_sorted_unique);
    tcase_add_test(is, test_intset_widening);
    tcase_add_test(is, test_intset_edges);
    tcase_add_test(is, test_intset_find_wider_than_encoding);
    tcase_add_test(is, test_intset_validate);
    tcase_add_test(is, test_intset_random_ops);
    suite_add_tcase(s, is);
    TCase *ht = tcase_create("hashtable");
    tcase_add_test(ht, test_sethash_membership_and_resize);
    tcase_add_test(ht, test_sethash_scan_survives_resizes);
    tcase_add_test(ht, test_sethash_random_uniform);
    suite_add_tcase(s, ht);
    return s;
}

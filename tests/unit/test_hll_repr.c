/* test_hll_repr.c -- the hll module's representation: the hash picks the
 * register and run Redis picks (values from PFDEBUG DECODE on redis-server
 * 7.0.15), sparse splits and merges give Redis's opcodes, promotion to
 * dense keeps every register, corrupt runs are refused, and the estimate
 * of known sets equals Redis's answer. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "frankenredis.h"
#include "hll_repr.h"

static void check_decode(const fr_str *s, const char *want) {
    fr_str *d = hll_sparse_decode(s->buf, s->len);
    ck_assert_str_eq(d->buf, want);
    fr_str_free(d);
}

START_TEST(test_pattern_as_redis) {
    static const struct {
        const char *ele;
        long index;
        int count;
    } cases[] = {{"a", 12711, 2}, {"hello", 9216, 1}, {"", 5938, 2}, {"foobar123", 638, 1},
                 {"0123456789abcdef", 5949, 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long index;
        int count = hll_pattern(cases[i].ele, strlen(cases[i].ele), &index);
        ck_assert_int_eq(index, cases[i].index);
        ck_assert_int_eq(count, cases[i].count);
    }
}
END_TEST

START_TEST(test_new_and_split) {
    fr_str *s = hll_new();
    ck_assert_uint_eq(s->len, 18);
    ck_assert_int_eq(memcmp(s->buf, "HYLL\x01", 5), 0);
    check_decode(s, "Z:16384");
    ck_assert_int_eq(hll_sparse_set(&s, 100, 3, 3000), 1);
    check_decode(s, "Z:100 v:3,1 Z:16283");
    ck_assert_int_eq(hll_sparse_set(&s, 100, 2, 3000), 0);
    ck_assert_int_eq(hll_sparse_set(&s, 101, 3, 3000), 1);   /* merged with its left neighbour */
    check_decode(s, "Z:100 v:3,2 Z:16282");
    ck_assert_int_eq(hll_sparse_set(&s, 110, 1, 3000), 1);
    check_decode(s, "Z:100 v:3,2 z:8 v:1,1 Z:16273");
    ck_assert_int_eq(hll_sparse_set(&s, 0, 40, 3000), 1);    /* over 32: dense */
    ck_assert_uint_eq(s->len, HLL_DENSE_SIZE);
    const uint8_t *regs = (const uint8_t *)s->buf + HLL_HDR_SIZE;
    ck_assert_uint_eq(hll_dense_get(regs, 0), 40);
    ck_assert_uint_eq(hll_dense_get(regs, 100), 3);
    ck_assert_uint_eq(hll_dense_get(regs, 101), 3);
    ck_assert_uint_eq(hll_dense_get(regs, 110), 1);
    ck_assert_uint_eq(hll_dense_get(regs, 16383), 0);
    fr_str_free(s);
}
END_TEST

START_TEST(test_sparse_max_promotes) {
    fr_str *s = hll_new();
    ck_assert_int_eq(hll_sparse_set(&s, 5000, 1, 18), 1);   /* 18 + 3 bytes > 18 */
    ck_assert_int_eq(s->buf[4], HLL_DENSE);
    fr_str_free(s);
}
END_TEST

START_TEST(test_corrupt_runs_refused) {
    /* Two full XZERO runs: 32768 registers. */
    fr_str *s = hll_new();
    s = fr_str_cat(s, "\x7f\xff", 2);
    int invalid = 0;
    hll_count(s->buf, s->len, &invalid);
    ck_assert_int_eq(invalid, 1);
    ck_assert_int_eq(hll_to_dense(&s), FR_ERR);
    uint8_t max[HLL_REGISTERS] = {0};
    ck_assert_int_eq(hll_merge(max, s->buf, s->len), FR_ERR);
    /* A VAL run past the last register. */
    s = fr_str_set_len(s, 16);
    s = fr_str_cat(s, "\x7f\xfe\xfb\xfb", 4);   /* 16383 zeros, then 4 + 4 registers */
    invalid = 0;
    hll_count(s->buf, s->len, &invalid);
    ck_assert_int_eq(invalid, 1);
    ck_assert_int_eq(hll_add(&s, "a", 1, 3000), 1);   /* register 12711 lies in the valid prefix */
    fr_str_free(s);
}
END_TEST

START_TEST(test_estimate_as_redis) {
    fr_str *s = hll_new();
    char ele[16];
    for (int i = 1; i <= 1000; i++) {
        int n = snprintf(ele, sizeof(ele), "%d", i);
        hll_add(&s, ele, (size_t)n, 3000);
        if (i == 100) ck_assert_uint_eq(hll_count(s->buf, s->len, NULL), 100);
        if (i == 100) ck_assert_uint_eq(s->len, 287);
    }
    ck_assert_int_eq(s->buf[4], HLL_SPARSE);
    ck_assert_uint_eq(hll_count(s->buf, s->len, NULL), 1001);
    ck_assert_int_eq(hll_to_dense(&s), FR_OK);
    ck_assert_uint_eq(hll_count(s->buf, s->len, NULL), 1001);
    uint8_t max[HLL_REGISTERS] = {0};
    ck_assert_int_eq(hll_merge(max, s->buf, s->len), FR_OK);
    ck_assert_uint_eq(hll_count_raw(max), 1001);
    hll_cache_set(s->buf, 1001);
    ck_assert(hll_cache_valid(s->buf));
    ck_assert_uint_eq(hll_cache_get(s->buf), 1001);
    hll_cache_invalidate(s->buf);
    ck_assert(!hll_cache_valid(s->buf));
    fr_str_free(s);
}
END_TEST

Suite *hll_repr_suite(void) {
    Suite *s = suite_create("hll_repr");
    TCase *tc = tcase_create("repr");
    tcase_add_test(tc, test_pattern_as_redis);
    tcase_add_test(tc, test_new_and_split);
    tcase_add_test(tc, test_sparse_max_promotes);
    tcase_add_test(tc, test_corrupt_runs_refused);
    tcase_add_test(tc, test_estimate_as_redis);
    suite_add_tcase(s, tc);
    return s;
}

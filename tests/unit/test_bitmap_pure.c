/* test_bitmap_pure.c -- the bitmap module's pure functions: bit counting
 * and search over ranges, BITFIELD's field access, and its overflow rules
 * including the corner cases Redis's arithmetic produces (results checked
 * against redis-server 7.0.15). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "bm_pure.h"

START_TEST(test_popcount_ranges) {
    const unsigned char p[] = "foobar";
    ck_assert_int_eq(bm_popcount(p, 6), 26);
    ck_assert_int_eq(bm_popcount_range(p, 8, 15), 6);      /* BITCOUNT k 1 1 */
    ck_assert_int_eq(bm_popcount_range(p, 5, 30), 17);     /* BITCOUNT k 5 30 BIT */
    ck_assert_int_eq(bm_popcount_range(p, 47, 47), 0);
    unsigned char ones[20];
    memset(ones, 0xff, sizeof(ones));
    ck_assert_int_eq(bm_popcount(ones, 20), 160);
    ck_assert_int_eq(bm_popcount_range(ones, 3, 150), 148);
}
END_TEST

START_TEST(test_bitpos) {
    const unsigned char p[] = {0xff, 0xf0, 0x00};
    ck_assert_int_eq(bm_bitpos(p, 3, 0), 12);
    ck_assert_int_eq(bm_bitpos(p, 3, 1), 0);
    const unsigned char full[] = {0xff, 0xff};
    ck_assert_int_eq(bm_bitpos(full, 2, 0), 16);   /* zeros go on past the end */
    ck_assert_int_eq(bm_bitpos(full + 2, 0, 1), -1);
    ck_assert_int_eq(bm_bitpos_range(p, 3, 14, 1), 3);
    ck_assert_int_eq(bm_bitpos_range(p, 12, 15, 1), -1);
    ck_assert_int_eq(bm_bitpos_range(p, 7, 9, 0), -1);
    ck_assert_int_eq(bm_bitpos_range(p, 9, 23, 0), 12);
    unsigned char big[40] = {0};
    big[33] = 0x01;
    ck_assert_int_eq(bm_bitpos_range(big, 5, 319, 1), 271);
    ck_assert_int_eq(bm_bitpos_range(big, 272, 319, 1), -1);
}
END_TEST

START_TEST(test_fields) {
    unsigned char p[9] = {0};
    bm_set_field(p, 3, 5, 0x1b);
    ck_assert_uint_eq(p[0], 0x1b);
    ck_assert_uint_eq(bm_get_unsigned(p, 3, 5), 0x1b);
    ck_assert_int_eq(bm_get_signed(p, 3, 5), -5);
    bm_set_field(p, 7, 64, UINT64_MAX);
    ck_assert_int_eq(bm_get_signed(p, 7, 64), -1);
    ck_assert_uint_eq(bm_get_unsigned(p, 7, 63), INT64_MAX);
    ck_assert_uint_eq(p[0], 0x1b);   /* bits before the field untouched */
    ck_assert_uint_eq(p[8], 0xfe);   /* bits 64..70: the top seven of byte 8 */
}
END_TEST

START_TEST(test_overflow_rules) {
    uint64_t u = 0;
    int64_t s = 0;
    ck_assert_int_eq(bm_overflow_unsigned(250, 10, 8, BM_OVERFLOW_WRAP, &u), 1);
    ck_assert_uint_eq(u, 4);
    ck_assert_int_eq(bm_overflow_unsigned(250, 10, 8, BM_OVERFLOW_SAT, &u), 1);
    ck_assert_uint_eq(u, 255);
    ck_assert_int_eq(bm_overflow_unsigned(5, -10, 8, BM_OVERFLOW_SAT, &u), -1);
    ck_assert_uint_eq(u, 0);
    ck_assert_int_eq(bm_overflow_unsigned(5, -5, 8, BM_OVERFLOW_SAT, &u), 0);
    /* SET u8 -1: the value itself is out of range. */
    ck_assert_int_eq(bm_overflow_unsigned((uint64_t)-1, 0, 8, BM_OVERFLOW_WRAP, &u), 1);
    ck_assert_uint_eq(u, 255);
    ck_assert_int_eq(bm_overflow_signed(100, 100, 8, BM_OVERFLOW_WRAP, &s), 1);
    ck_assert_int_eq(s, -56);
    ck_assert_int_eq(bm_overflow_signed(-100, -200, 8, BM_OVERFLOW_SAT, &s), -1);
    ck_assert_int_eq(s, -128);
    ck_assert_int_eq(bm_overflow_signed(INT64_MAX, 1, 64, BM_OVERFLOW_WRAP, &s), 1);
    ck_assert_int_eq(s, INT64_MIN);
    ck_assert_int_eq(bm_overflow_signed(INT64_MIN, -1, 64, BM_OVERFLOW_SAT, &s), -1);
    ck_assert_int_eq(s, INT64_MIN);
    /* Redis's quirk: SET i4 with INT64_MIN saturates to the maximum, since
     * the unsigned difference to the maximum wraps negative. */
    ck_assert_int_eq(bm_overflow_signed(INT64_MIN, 0, 4, BM_OVERFLOW_SAT, &s), 1);
    ck_assert_int_eq(s, 7);
    s = 42;
    ck_assert_int_eq(bm_overflow_signed(7, 1, 4, BM_OVERFLOW_FAIL, &s), 1);
    ck_assert_int_eq(s, 42);   /* FAIL leaves the limit alone */
}
END_TEST

Suite *bitmap_pure_suite(void) {
    Suite *s = suite_create("bitmap_pure");
    TCase *tc = tcase_create("bits");
    tcase_add_test(tc, test_popcount_ranges);
    tcase_add_test(tc, test_bitpos);
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_overflow_rules);
    suite_add_tcase(s, tc);
    return s;
}

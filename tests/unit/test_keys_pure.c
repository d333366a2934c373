/* test_keys_pure.c -- unit tests of the keys module's SDK-free helpers
 * (modules/keys/key_pure.c): SCAN's cursor syntax.  Expected values were
 * checked against redis-server 7.0.15.  Needs only key_pure.c linked in. */
#include <check.h>
#include <limits.h>

#include "../../modules/keys/key_pure.h"

/* ---- SCAN cursors ---------------------------------------------------------- */

START_TEST(test_cursor) {
    unsigned long long c;
    ck_assert_int_eq(kp_parse_cursor("0", &c), 0);
    ck_assert(c == 0);
    ck_assert_int_eq(kp_parse_cursor("", &c), 0);
    ck_assert(c == 0);
    ck_assert_int_eq(kp_parse_cursor("+7", &c), 0);
    ck_assert(c == 7);
    ck_assert_int_eq(kp_parse_cursor("-1", &c), 0);
    ck_assert(c == ULLONG_MAX);
    ck_assert_int_eq(kp_parse_cursor("18446744073709551615", &c), 0);
    ck_assert_int_eq(kp_parse_cursor("18446744073709551616", &c), -1);
    ck_assert_int_eq(kp_parse_cursor(" 1", &c), -1);
    ck_assert_int_eq(kp_parse_cursor("1 ", &c), -1);
    ck_assert_int_eq(kp_parse_cursor("abc", &c), -1);
    ck_assert_int_eq(kp_parse_cursor("0x1", &c), -1);
    ck_assert_int_eq(kp_parse_cursor("-", &c), -1);
}
END_TEST

Suite *keys_pure_suite(void) {
    Suite *s = suite_create("keys_pure");
    TCase *args = tcase_create("arguments");
    tcase_add_test(args, test_cursor);
    suite_add_tcase(s, args);
    return s;
}

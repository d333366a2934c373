/* test_sdk_version.c -- the loader's SDK compatibility rule: same major,
 * module minor not newer than the core's.  The start-up tests load real
 * modules with wrong versions; this covers the combinations a single build
 * cannot produce (an older minor needs a core with a minor above 0). */
#include <check.h>

#include "runtime.h"

START_TEST(test_same_version_loads)
{
    ck_assert(fr_sdk_compatible(3, 0, 3, 0));
    ck_assert(fr_sdk_compatible(FR_SDK_MAJOR, FR_SDK_MINOR, FR_SDK_MAJOR, FR_SDK_MINOR));
}
END_TEST

START_TEST(test_older_minor_loads)
{
    ck_assert(fr_sdk_compatible(3, 0, 3, 1));
    ck_assert(fr_sdk_compatible(3, 2, 3, 7));
}
END_TEST

START_TEST(test_newer_minor_refused)
{
    ck_assert(!fr_sdk_compatible(3, 1, 3, 0));
    ck_assert(!fr_sdk_compatible(3, 8, 3, 7));
}
END_TEST

START_TEST(test_other_major_refused)
{
    ck_assert(!fr_sdk_compatible(4, 0, 3, 0));
    ck_assert(!fr_sdk_compatible(2, 0, 3, 0));
    ck_assert(!fr_sdk_compatible(2, 9, 3, 0));
    ck_assert(!fr_sdk_compatible(4, 0, 3, 9));
}
END_TEST

Suite *sdk_version_suite(void)
{
    Suite *s = suite_create("sdk_version");
    TCase *tc = tcase_create("compatible");
    tcase_add_test(tc, test_same_version_loads);
    tcase_add_test(tc, test_older_minor_loads);
    tcase_add_test(tc, test_newer_minor_refused);
    tcase_add_test(tc, test_other_major_refused);
    suite_add_tcase(s, tc);
    return s;
}

/* test_util.c -- core/util.c against Redis 7.0.15's observable rules.
 *
 * Expected strings marked "server" were read from a real redis-server
 * 7.0.15 (INCRBYFLOAT, ZADD/ZSCORE replies); the others follow from util.c's
 * documented contracts. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "util.h"

static int s2ll(const char *s, long long *v)
{
    return fr_string2ll(s, strlen(s), v);
}

START_TEST(test_string2ll_accepts)
{
    long long v = 0;
    ck_assert_int_eq(s2ll("0", &v), 1);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(s2ll("1", &v), 1);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(s2ll("-1", &v), 1);
    ck_assert_int_eq(v, -1);
    ck_assert_int_eq(s2ll("9223372036854775807", &v), 1);
    ck_assert(v == LLONG_MAX);
    ck_assert_int_eq(s2ll("-9223372036854775808", &v), 1);
    ck_assert(v == LLONG_MIN);
    ck_assert_int_eq(s2ll("1234567890", &v), 1);
    ck_assert(v == 1234567890LL);
    ck_assert_int_eq(fr_string2ll("123", 2, &v), 1); /* length bounds the parse */
    ck_assert_int_eq(v, 12);
    ck_assert_int_eq(s2ll("42", NULL), 1);
}
END_TEST

START_TEST(test_string2ll_rejects)
{
    static const char *const bad[] = {
        "", "-", "+1", "-0", "01", "00", " 1", "1 ", "1a", "a1", "0x10", "1.0",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999", "000000000000000000001", "--1", "1e3", "\t1",
    };
    long long v = 77;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        ck_assert_msg(s2ll(bad[i], &v) == 0, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(v, 77);
    }
    ck_assert_int_eq(fr_string2ll("1\0", 2, &v), 0);
    ck_assert_int_eq(fr_string2ll("12", 0, &v), 0);
}
END_TEST

START_TEST(test_string2l_and_ull)
{
    long l;
    unsigned long long u;
    ck_assert_int_eq(fr_string2l("-42", 3, &l), 1);
    ck_assert_int_eq(l, -42);
    ck_assert_int_eq(fr_string2l("+42", 3, &l), 0);
    ck_assert_int_eq(fr_string2ull("18446744073709551615", 20, &u), 1);
    ck_assert(u == ULLONG_MAX);
    ck_assert_int_eq(fr_string2ull("18446744073709551616", 20, &u), 0);
    ck_assert_int_eq(fr_string2ull("-1", 2, &u), 0);
    ck_assert_int_eq(fr_string2ull("7", 1, &u), 1);
    ck_assert(u == 7);
    /* Redis falls back to strtoull, which takes a sign and leading blanks. */
    ck_assert_int_eq(fr_string2ull("+5", 2, &u), 1);
    ck_assert(u == 5);
    ck_assert_int_eq(fr_string2ull(" 5", 2, &u), 1);
    ck_assert(u == 5);
    ck_assert_int_eq(fr_string2ull("5 ", 2, &u), 0);
    ck_assert_int_eq(fr_string2ull("", 0, &u), 0);
    ck_assert_int_eq(fr_string2ull("x", 1, &u), 0);
    ck_assert_int_eq(fr_string2ull("-5\0x", 4, &u), 0);   /* C string: "-5" */
    ck_assert_int_eq(fr_string2ull("9\0x", 3, &u), 1);
    ck_assert(u == 9);
}
END_TEST

START_TEST(test_ll2string)
{
    char b[32];
    ck_assert_int_eq(fr_ll2string(b, sizeof(b), 0), 1);
    ck_assert_str_eq(b, "0");
    ck_assert_int_eq(fr_ll2string(b, sizeof(b), -7), 2);
    ck_assert_str_eq(b, "-7");
    ck_assert_int_eq(fr_ll2string(b, sizeof(b), LLONG_MAX), 19);
    ck_assert_str_eq(b, "9223372036854775807");
    ck_assert_int_eq(fr_ll2string(b, sizeof(b), LLONG_MIN), 20);
    ck_assert_str_eq(b, "-9223372036854775808");
    ck_assert_int_eq(fr_ll2string(b, 4, 100), 3);
    ck_assert_str_eq(b, "100");
    ck_assert_int_eq(fr_ll2string(b, 3, 100), 0);   /* no room for the NUL */
    ck_assert_int_eq(fr_ll2string(b, 4, -100), 0);
    ck_assert_int_eq(fr_ll2string(b, 1, -1), 0);
    ck_assert_int_eq(fr_ull2string(b, sizeof(b), ULLONG_MAX), 20);
    ck_assert_str_eq(b, "18446744073709551615");
}
END_TEST

START_TEST(test_digits10)
{
    ck_assert_uint_eq(fr_digits10(0), 1);
    ck_assert_uint_eq(fr_digits10(9), 1);
    ck_assert_uint_eq(fr_digits10(10), 2);
    ck_assert_uint_eq(fr_digits10(999999999999ULL), 12);
    ck_assert_uint_eq(fr_digits10(1000000000000ULL), 13);
    ck_assert_uint_eq(fr_digits10(UINT64_MAX), 20);
    ck_assert_uint_eq(fr_sdigits10(-1), 2);
    ck_assert_uint_eq(fr_sdigits10(INT64_MIN), 20);
    ck_assert_uint_eq(fr_sdigits10(INT64_MAX), 19);
}
END_TEST

/* INCRBYFLOAT: parse both with string2ld, add, print human-friendly. */
static const char *incrbyfloat(const char *cur, const char *incr, char *out, size_t cap)
{
    long double a, b;
    if (!fr_string2ld(cur, strlen(cur), &a) || !fr_string2ld(incr, strlen(incr), &b))
        return "not a valid float";
    a += b;
    if (isnan(a) || isinf(a)) return "NaN or Infinity";
    ck_assert_int_gt(fr_ld2string(out, cap, a, FR_LD_HUMAN), 0);
    return out;
}

START_TEST(test_incrbyfloat_outputs)
{
    /* server: SET k <a>; INCRBYFLOAT k <b> */
    static const char *const cases[][3] = {
        {"10.5", "0.1", "10.6"},
        {"0", "3.0e3", "3000"},
        {"0", "5.0e3", "5000"},
        {"0", "1.5e-7", "0.00000015"},
        {"0", "-0.0", "0"},
        {"0", "-1e-20", "0"},
        {"0", "1e20", "100000000000000000000"},
        {"0", "0.1", "0.1"},
        {"1", "-1", "0"},
        {"0", "123456789.123456789", "123456789.12345678899873747"},
        {"0", "3.14159265358979323846", "3.14159265358979324"},
        {"0", "1.23e-5", "0.0000123"},
        {"5", "-5.5", "-0.5"},
        {"0", "0x10", "16"},
        {"0", ".5", "0.5"},
        {"0", "5.", "5"},
        {"0", "+5", "5"},
        {"0", "1e-4940", "0"},
        {"0", "-1e-4940", "0"},
        {"1.1", "2.2", "3.3"},
        {"0", "7.0000000000000001", "7.0000000000000001"},
        {"0", "0.000001", "0.000001"},
        {"0", "inf", "NaN or Infinity"},
        {"0", " 1", "not a valid float"},
        {"0", "1 ", "not a valid float"},
        {"0", "nan", "not a valid float"},
        {"0", "1e4933", "not a valid float"},
        {"0", "1e-5000", "not a valid float"},
        {"0", "", "not a valid float"},
    };
    char out[FR_MAX_LONG_DOUBLE_CHARS];
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        ck_assert_str_eq(incrbyfloat(cases[i][0], cases[i][1], out, sizeof(out)),
                         cases[i][2]);
}
END_TEST

START_TEST(test_incrbyfloat_1e308)
{
    /* server: INCRBYFLOAT k 1e308 prints every integer digit. */
    char out[FR_MAX_LONG_DOUBLE_CHARS];
    const char *r = incrbyfloat("0", "1e308", out, sizeof(out));
    ck_assert_uint_eq(strlen(r), 308);
    ck_assert(strncmp(r, "99999999999999999996685879655845645660560099847415567207797", 59) == 0);
    ck_assert(strcmp(r + 300, "28578048") == 0);
}
END_TEST

START_TEST(test_ld2string_modes)
{
    char b[FR_MAX_LONG_DOUBLE_CHARS];
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 1.0L / 0.0L, FR_LD_HUMAN), 3);
    ck_assert_str_eq(b, "inf");
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), -1.0L / 0.0L, FR_LD_AUTO), 4);
    ck_assert_str_eq(b, "-inf");
    ck_assert_int_eq(fr_ld2string(b, 4, 1.0L / 0.0L, FR_LD_HUMAN), 0);
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 0.1L, FR_LD_AUTO), 3); /* %g trims zeros */
    ck_assert_str_eq(b, "0.1");
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 1.0L / 3, FR_LD_AUTO), 19);
    ck_assert_str_eq(b, "0.33333333333333333");
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 3.5L, FR_LD_AUTO), 3);
    ck_assert_str_eq(b, "3.5");
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 2.0L, FR_LD_HEX), 6);
    ck_assert_str_eq(b, "0x8p-2");
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 2.5L, FR_LD_HUMAN), 3);
    ck_assert_str_eq(b, "2.5");
    ck_assert_int_eq(fr_ld2string(b, 4, 2.5L, FR_LD_HUMAN), 0); /* "%.17Lf" needs 20 */
    ck_assert_int_eq(fr_ld2string(b, sizeof(b), 1.0L, 9), 0);
}
END_TEST

START_TEST(test_string2ld_edges)
{
    long double v;
    ck_assert_int_eq(fr_string2ld("1.5", 3, &v), 1);
    ck_assert(v == 1.5L);
    ck_assert_int_eq(fr_string2ld("-inf", 4, &v), 1);
    ck_assert(isinf(v) && v < 0);
    ck_assert_int_eq(fr_string2ld("1.5\0", 4, &v), 0);
    ck_assert_int_eq(fr_string2ld("", 0, &v), 0);
    ck_assert_int_eq(fr_string2ld("-nan", 4, &v), 0);
    /* Input of MAX_LONG_DOUBLE_CHARS or more is refused outright. */
    static char longnum[FR_MAX_LONG_DOUBLE_CHARS + 1];
    memset(longnum, '1', sizeof(longnum));
    longnum[0] = '0';
    longnum[1] = '.';
    ck_assert_int_eq(fr_string2ld(longnum, FR_MAX_LONG_DOUBLE_CHARS - 1, &v), 1);
    ck_assert_int_eq(fr_string2ld(longnum, FR_MAX_LONG_DOUBLE_CHARS, &v), 0);
}
END_TEST

START_TEST(test_string2d)
{
    /* server: ZADD z <v> m answers "value is not a valid float" or not. */
    static const struct {
        const char *s;
        int ok;
        double v;
    } cases[] = {
        {"1.5", 1, 1.5},  {"inf", 1, INFINITY}, {"infinity", 1, INFINITY},
        {"-inf", 1, -INFINITY}, {"0x1p3", 1, 8.0}, {"+5", 1, 5.0},
        {".5", 1, 0.5},   {"5.", 1, 5.0},       {"1e5", 1, 100000.0},
        {"4e-320", 1, 4e-320}, {"-0", 1, 0.0},
        {" 1.5", 0, 0},   {"1.5 ", 0, 0},       {"nan", 0, 0},
        {"", 0, 0},       {"1e400", 0, 0},      {"1e-400", 0, 0},
        {"abc", 0, 0},    {"\t1", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        double v = 12345;
        int ok = fr_string2d(cases[i].s, strlen(cases[i].s), &v);
        ck_assert_msg(ok == cases[i].ok, "\"%s\"", cases[i].s);
        if (ok) ck_assert_msg(v == cases[i].v, "\"%s\"", cases[i].s);
    }
    double v;
    ck_assert_int_eq(fr_string2d("1.5x", 3, &v), 1); /* only len bytes count */
    ck_assert(v == 1.5);
    ck_assert_int_eq(fr_string2d("1\0", 2, &v), 0);
    static char big[300];
    memset(big, '1', sizeof(big) - 1);
    ck_assert_int_eq(fr_string2d(big, 299, &v), 1); /* heap copy path */
    ck_assert(v > 1e298 && v < 1.2e298);
}
END_TEST

START_TEST(test_d2string_reply_form)
{
    /* server: ZSCORE replies (RESP2 bulk payloads). */
    static const struct {
        double v;
        const char *s;
    } cases[] = {
        {0.1, "0.10000000000000001"},
        {3, "3"},
        {1e300, "1.0000000000000001e+300"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
        {1.5, "1.5"},
        {1e-300, "1e-300"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {0.30000000000000004, "0.30000000000000004"},
        {5e-324, "4.9406564584124654e-324"},
        {4e-320, "3.999955468730732e-320"},
        {0.0, "0"},
        {-0.0, "-0"},
    };
    char b[FR_MAX_D2STRING_CHARS];
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        int n = fr_d2string(b, sizeof(b), cases[i].v);
        ck_assert_str_eq(b, cases[i].s);
        ck_assert_int_eq(n, (int)strlen(cases[i].s));
    }
    ck_assert_int_eq(fr_d2string(b, 3, 1.5), 0);
    ck_assert_int_eq(fr_d2string(b, 4, 1.5), 3);
}
END_TEST

START_TEST(test_d2string_compact)
{
    static const struct {
        double v;
        const char *s;
    } cases[] = {
        {3.0, "3"},
        {-0.0, "-0"},
        {0.0, "0"},
        {1e17, "100000000000000000"},
        {1.5, "1.5"},
        {NAN, "nan"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
        {-12.0, "-12"},
        {4611686018427387904.0, "4611686018427387904"},
        {1e19, "1e+19"},
        {0.1, "0.10000000000000001"},
    };
    char b[FR_MAX_D2STRING_CHARS];
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        int n = fr_d2string_compact(b, sizeof(b), cases[i].v);
        ck_assert_str_eq(b, cases[i].s);
        ck_assert_int_eq(n, (int)strlen(cases[i].s));
    }
}
END_TEST

static int m(const char *p, const char *s, int nocase)
{
    return fr_stringmatch(p, strlen(p), s, strlen(s), nocase);
}

START_TEST(test_stringmatch_basics)
{
    /* An empty subject never enters the loop: even "*" fails (KEYS and SCAN
     * special-case a lone "*" before matching). */
    ck_assert_int_eq(m("*", "", 0), 0);
    ck_assert_int_eq(m("", "", 0), 1);
    ck_assert_int_eq(m("", "a", 0), 0);
    ck_assert_int_eq(m("a", "", 0), 0);
    ck_assert_int_eq(m("*", "anything", 0), 1);
    ck_assert_int_eq(m("h?llo", "hello", 0), 1);
    ck_assert_int_eq(m("h?llo", "hllo", 0), 0);
    ck_assert_int_eq(m("h*llo", "hllo", 0), 1);
    ck_assert_int_eq(m("h*llo", "heeeello", 0), 1);
    ck_assert_int_eq(m("h[ae]llo", "hallo", 0), 1);
    ck_assert_int_eq(m("h[ae]llo", "hillo", 0), 0);
    ck_assert_int_eq(m("h[^e]llo", "hallo", 0), 1);
    ck_assert_int_eq(m("h[^e]llo", "hello", 0), 0);
    ck_assert_int_eq(m("h[a-b]llo", "hbllo", 0), 1);
    ck_assert_int_eq(m("h[b-a]llo", "hallo", 0), 1);   /* reversed range */
    ck_assert_int_eq(m("h[a-b]llo", "hcllo", 0), 0);
    ck_assert_int_eq(m("a*b", "a", 0), 0);
    ck_assert_int_eq(m("a**", "a", 0), 1);
    ck_assert_int_eq(m("a*", "a", 0), 1);
    ck_assert_int_eq(m("*a", "a", 0), 1);
    ck_assert_int_eq(m("?", "", 0), 0);
    ck_assert_int_eq(m("user:*:name", "user:42:name", 0), 1);
    ck_assert_int_eq(m("user:*:name", "user:42:nam", 0), 0);
}
END_TEST

START_TEST(test_stringmatch_escapes_and_case)
{
    ck_assert_int_eq(m("h\\*llo", "h*llo", 0), 1);
    ck_assert_int_eq(m("h\\*llo", "hello", 0), 0);
    ck_assert_int_eq(m("\\?", "?", 0), 1);
    ck_assert_int_eq(m("\\?", "a", 0), 0);
    ck_assert_int_eq(m("a\\", "a\\", 0), 1);         /* trailing '\' is literal */
    ck_assert_int_eq(m("[\\]]", "]", 0), 1);
    ck_assert_int_eq(m("[\\-]", "-", 0), 1);
    ck_assert_int_eq(m("[a-]", "-", 0), 0);          /* range a..']', then ']' is eaten */
    ck_assert_int_eq(m("[a-]", "]", 0), 1);
    ck_assert_int_eq(m("[a-]", "a", 0), 1);
    ck_assert_int_eq(m("[abc", "c", 0), 1);          /* unterminated: set to the end */
    ck_assert_int_eq(m("[abc", "d", 0), 0);
    ck_assert_int_eq(m("[]", "a", 0), 0);
    ck_assert_int_eq(m("[^]", "a", 0), 1);
    ck_assert_int_eq(m("HELLO", "hello", 0), 0);
    ck_assert_int_eq(m("HELLO", "hello", 1), 1);
    ck_assert_int_eq(m("h[A-C]llo", "hbllo", 1), 1);
    ck_assert_int_eq(m("h[A-C]llo", "hbllo", 0), 0);
    ck_assert_int_eq(m("[\\A]", "a", 1), 0);         /* escaped class member is exact */
    ck_assert_int_eq(m("[Q]", "q", 1), 1);
    /* Bytes above 0x7f compare as signed chars in ranges. */
    ck_assert_int_eq(m("[a-\xff]", "\xb0", 0), 0);
    ck_assert_int_eq(m("[\x80-\xff]", "\xb0", 0), 1);
    ck_assert_int_eq(m("[\x80-\xff]", "a", 0), 0);
    ck_assert_int_eq(m("[a-\xc0]", "\xb0", 1), 0);
    ck_assert_int_eq(m("[a-\xc0]", "\xc0", 0), 1);  /* signed: -64..97 */
    ck_assert_int_eq(m("[a-\xc0]", "\xc0", 1), 0);  /* lowered: 192..97, empty */
    /* NUL bytes are ordinary bytes of both pattern and subject. */
    ck_assert_int_eq(fr_stringmatch("a\0*", 3, "a\0bc", 4, 0), 1);
    ck_assert_int_eq(fr_stringmatch("a\0?", 3, "a\1b", 3, 0), 0);
}
END_TEST

START_TEST(test_stringmatch_hostile)
{
    /* keyspace.tcl: long nested loops must end fast. */
    ck_assert_int_eq(m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0), 0);
    static char key[50001], pat[100001];
    memset(key, 'a', 50000);
    for (int i = 0; i < 50000; i++) {
        pat[2 * i] = '*';
        pat[2 * i + 1] = '?';
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Would match, but the nesting cap answers "no" (as patched Redis). */
    ck_assert_int_eq(fr_stringmatch(pat, 100000, key, 50000, 0), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(secs < 2.0, "took %.2fs", secs);
    /* 1000 stars still nest fine; the 1001st level gives up. */
    memset(pat, 0, sizeof(pat));
    for (int i = 0; i < 1000; i++) {
        pat[2 * i] = '*';
        pat[2 * i + 1] = 'a';
    }
    ck_assert_int_eq(fr_stringmatch(pat, 2000, key, 1000, 0), 1);
    pat[2000] = '*';
    pat[2001] = 'a';
    ck_assert_int_eq(fr_stringmatch(pat, 2002, key, 1001, 0), 0);
}
END_TEST

START_TEST(test_glob_tolower)
{
    ck_assert_int_eq(fr_glob_tolower('A'), 'a');
    ck_assert_int_eq(fr_glob_tolower('z'), 'z');
    ck_assert_int_eq(fr_glob_tolower(-1), -1);
    ck_assert_int_eq(fr_glob_tolower(-91), 165);
    ck_assert_int_eq(fr_glob_tolower(200), 200);
}
END_TEST

START_TEST(test_clocks)
{
    uint64_t us = fr_ustime(), ms = fr_mstime();
    ck_assert(us > 1600000000ULL * 1000000ULL);
    ck_assert(ms >= us / 1000);
    ck_assert(ms - us / 1000 < 1000);
}
END_TEST

Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_string2ll_accepts);
    tcase_add_test(tc, test_string2ll_rejects);
    tcase_add_test(tc, test_string2l_and_ull);
    tcase_add_test(tc, test_ll2string);
    tcase_add_test(tc, test_digits10);
    tcase_add_test(tc, test_incrbyfloat_outputs);
    tcase_add_test(tc, test_incrbyfloat_1e308);
    tcase_add_test(tc, test_ld2string_modes);
    tcase_add_test(tc, test_string2ld_edges);
    tcase_add_test(tc, test_string2d);
    tcase_add_test(tc, test_d2string_reply_form);
    tcase_add_test(tc, test_d2string_compact);
    tcase_add_test(tc, test_stringmatch_basics);
    tcase_add_test(tc, test_stringmatch_escapes_and_case);
    tcase_add_test(tc, test_stringmatch_hostile);
    tcase_add_test(tc, test_glob_tolower);
    tcase_add_test(tc, test_clocks);
    suite_add_tcase(s, tc);
    return s;
}

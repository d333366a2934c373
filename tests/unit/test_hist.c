/* test_hist.c -- core/hist.c and core/sha1.c against their references.
 *
 * The expected figures were produced by HdrHistogram (the C library Redis
 * 7.0.15 vendors, initialised as Redis does: 1 .. 1e9, 2 significant
 * digits) fed the same values, outside this repository; the SHA-1 vectors
 * are FIPS 180-1's. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "sha1.h"

static const int64_t values[] = {1, 255, 256, 1000, 1000, 2047, 5000, 123456, 999999, 1000000000};

static fr_hist *filled(void)
{
    fr_hist *h = fr_hist_new();
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) fr_hist_record(h, values[i]);
    return h;
}

START_TEST(test_hist_percentiles)
{
    fr_hist *h = filled();
    ck_assert_int_eq(fr_hist_total(h), 10);
    ck_assert_int_eq(fr_hist_percentile(h, 0), 1);
    ck_assert_int_eq(fr_hist_percentile(h, 10), 1);
    ck_assert_int_eq(fr_hist_percentile(h, 50), 1003);
    ck_assert_int_eq(fr_hist_percentile(h, 90), 1003519);
    ck_assert_int_eq(fr_hist_percentile(h, 99), 1002438655);
    ck_assert_int_eq(fr_hist_percentile(h, 100), 1002438655);
    fr_hist_free(h);
}
END_TEST

typedef struct pts {
    int64_t v[32][2];
    int n;
    int64_t prev;
} pts;

static void collect(int64_t highest, int64_t cumulative, void *priv)
{
    pts *p = priv;
    if (cumulative > p->prev && p->n < 32) {
        p->v[p->n][0] = highest;
        p->v[p->n][1] = cumulative;
        p->n++;
    }
    p->prev = cumulative;
}

START_TEST(test_hist_log_cdf)
{
    static const int64_t want[][2] = {{1031, 5}, {2063, 6}, {8255, 7}, {132095, 8}, {1056767, 9}, {1073741823, 10}};
    fr_hist *h = filled();
    pts p = {.n = 0};
    fr_hist_log_cdf(h, 1024, collect, &p);
    ck_assert_int_eq(p.n, 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(p.v[i][0], want[i][0]);
        ck_assert_int_eq(p.v[i][1], want[i][1]);
    }
    fr_hist_free(h);
}
END_TEST

START_TEST(test_hist_clamps)
{
    fr_hist *h = fr_hist_new();
    fr_hist_record(h, 0);
    fr_hist_record(h, -5);
    fr_hist_record(h, 5000000000LL);
    ck_assert_int_eq(fr_hist_percentile(h, 0), 1);
    ck_assert_int_eq(fr_hist_percentile(h, 100), 1002438655);
    fr_hist_free(h);
}
END_TEST

static void sha1_hex(const char *s, size_t repeat, char out[41])
{
    fr_sha1 c;
    uint8_t d[FR_SHA1_DIGEST_LEN];
    fr_sha1_init(&c);
    for (size_t i = 0; i < repeat; i++) fr_sha1_update(&c, s, strlen(s));
    fr_sha1_final(&c, d);
    for (int i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

START_TEST(test_sha1_vectors)
{
    char hex[41];
    sha1_hex("abc", 1, hex);
    ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sha1_hex("", 1, hex);
    ck_assert_str_eq(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1, hex);
    ck_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    sha1_hex("a", 1000000, hex);
    ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

Suite *hist_suite(void)
{
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hist_percentiles);
    tcase_add_test(tc, test_hist_log_cdf);
    tcase_add_test(tc, test_hist_clamps);
    tcase_add_test(tc, test_sha1_vectors);
    suite_add_tcase(s, tc);
    return s;
}

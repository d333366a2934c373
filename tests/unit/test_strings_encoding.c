/* test_strings_encoding.c -- unit tests of the strings module's SDK-free
 * helpers (modules/strings/str_pure.c): integer syntax, encoding choice,
 * payload tagging, the compact embstr block, size and range rules, SET/GETEX option grammar, expire
 * arithmetic and LCS.  Expected values were checked against
 * redis-server 7.0.15.  Needs only str_pure.c linked in. */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/strings/str_pure.h"

/* ---- integers ------------------------------------------------------------- */

START_TEST(test_str2ll_accepts) {
    static const struct { const char *s; long long v; } ok[] = {
        {"0", 0}, {"1", 1}, {"-1", -1}, {"10", 10}, {"9999", 9999},
        {"9223372036854775807", LLONG_MAX},
        {"-9223372036854775808", LLONG_MIN},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        long long v = 42;
        ck_assert_int_eq(sr_str2ll(ok[i].s, strlen(ok[i].s), &v), 1);
        ck_assert(v == ok[i].v);
    }
}
END_TEST

START_TEST(test_str2ll_rejects) {
    static const char *bad[] = {
        "", "-", "-0", "00", "01", "+1", " 1", "1 ", "1.0", "1e3", "abc",
        "9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "123456789012345678901", "0x10",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!sr_str2ll(bad[i], strlen(bad[i]), NULL), "%s", bad[i]);
    /* Bytes after an embedded NUL count: not an integer. */
    ck_assert(!sr_str2ll("12\0" "3", 4, NULL));
}
END_TEST

START_TEST(test_ll2str) {
    static const long long vals[] = {0, 7, -7, 10, 9999, 10000, LLONG_MAX,
                                     LLONG_MIN, -1000000};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char buf[SR_LL_CHARS], ref[SR_LL_CHARS];
        int n = sr_ll2str(buf, vals[i]);
        snprintf(ref, sizeof(ref), "%lld", vals[i]);
        ck_assert_str_eq(buf, ref);
        ck_assert_int_eq(n, (int)strlen(ref));
        ck_assert_int_eq(sr_ll_len(vals[i]), n);
    }
}
END_TEST

/* ---- encoding choice ------------------------------------------------------- */

START_TEST(test_classify) {
    static const struct { const char *s; enum sr_enc e; } cases[] = {
        {"0", SR_ENC_INT}, {"-5", SR_ENC_INT}, {"9223372036854775807", SR_ENC_INT},
        {"-9223372036854775808", SR_ENC_INT},
        {"9223372036854775808", SR_ENC_EMBSTR}, {"007", SR_ENC_EMBSTR},
        {"", SR_ENC_EMBSTR}, {"1.5", SR_ENC_EMBSTR}, {"+5", SR_ENC_EMBSTR},
        {"12345678901234567890", SR_ENC_EMBSTR},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", SR_ENC_EMBSTR}, /* 44 */
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", SR_ENC_RAW},   /* 45 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long v;
        ck_assert_msg(sr_classify(cases[i].s, strlen(cases[i].s), &v)
                          == cases[i].e, "%s", cases[i].s);
    }
    ck_assert(sr_plain_enc(44) == SR_ENC_EMBSTR);
    ck_assert(sr_plain_enc(45) == SR_ENC_RAW);
    ck_assert(sr_plain_enc(1) == SR_ENC_EMBSTR); /* INCRBYFLOAT's "3" */
}
END_TEST

/* ---- payload tagging ------------------------------------------------------- */

START_TEST(test_inline_roundtrip) {
    static const long long vals[] = {0, 1, -1, 9999, 10000, SV_INLINE_MAX,
                                     SV_INLINE_MIN, 123456789, -987654321};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        for (int priv = 0; priv <= 1; priv++) {
            void *p = sv_inline_make(vals[i], priv);
            ck_assert_ptr_ne(p, NULL);
            ck_assert(sv_is_inline(p));
            ck_assert(sv_inline_value(p) == vals[i]);
            ck_assert_int_eq(sv_inline_private(p), priv);
        }
    }
    ck_assert(sv_fits_inline(SV_INLINE_MAX));
    ck_assert(!sv_fits_inline((long long)SV_INLINE_MAX + 1));
    ck_assert(sv_fits_inline(SV_INLINE_MIN));
    ck_assert(!sv_fits_inline((long long)SV_INLINE_MIN - 1));
    ck_assert(!sv_fits_inline(LLONG_MAX));
}
END_TEST

START_TEST(test_pointer_tags) {
    long long storage[2]; /* 8-byte aligned like any fr_str */
    void *s = storage;
    static const unsigned kinds[] = {SV_KIND_RAW, SV_KIND_EMBSTR,
                                     SV_KIND_INTTEXT};
    for (size_t i = 0; i < 3; i++) {
        void *p = sv_tag(s, kinds[i]);
        ck_assert(!sv_is_inline(p));
        ck_assert_uint_eq(sv_kind(p), kinds[i]);
        ck_assert_ptr_eq(sv_untag(p), s);
    }
}
END_TEST

START_TEST(test_emb_block) {
    /* 8-byte aligned and larger than any block, as fr_malloc's would be. */
    long long storage[8];
    /* Past the tag offset even when empty (leak checkers), free in jemalloc. */
    ck_assert_uint_eq(sv_emb_size(0), SV_EMB_MIN_ALLOC);
    ck_assert(sv_emb_size(0) > SV_KIND_EMBSTR);
    ck_assert_uint_eq(sv_emb_size(5), 8);
    ck_assert_uint_eq(sv_emb_size(6), 8);
    ck_assert_uint_eq(sv_emb_size(7), 9);
    ck_assert_uint_eq(sv_emb_size(32), 34);       /* jemalloc's 48 class */
    ck_assert_uint_eq(sv_emb_size(SR_EMBSTR_LIMIT), 46);
    ck_assert(sv_emb_size(SR_EMBSTR_LIMIT) <= sizeof(storage));
    static const char *vals[] = {
        "", "a", "x\0y", "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv",
        "\xff\xfe" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", /* 44 */
    };
    static const size_t lens[] = {0, 1, 3, 32, 44};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        memset(storage, 0x5a, sizeof(storage));
        sv_emb *e = sv_emb_init(storage, vals[i], lens[i]);
        ck_assert_ptr_eq(e, (void *)storage);
        ck_assert_uint_eq(e->len, lens[i]);
        ck_assert(memcmp(e->buf, vals[i], lens[i]) == 0);
        ck_assert_int_eq(e->buf[lens[i]], '\0');
        /* Nothing written past the length byte, the bytes and the NUL. */
        ck_assert_int_eq(((unsigned char *)storage)[lens[i] + 2], 0x5a);
        void *p = sv_tag(e, SV_KIND_EMBSTR);
        ck_assert(!sv_is_inline(p));
        ck_assert_uint_eq(sv_kind(p), SV_KIND_EMBSTR);
        ck_assert_ptr_eq(sv_untag(p), e);
    }
}
END_TEST

/* ---- sizes and ranges ------------------------------------------------------ */

START_TEST(test_size_ok) {
    ck_assert(sr_size_ok(0, SR_PROTO_MAX_BULK, SR_PROTO_MAX_BULK));
    ck_assert(!sr_size_ok(1, SR_PROTO_MAX_BULK, SR_PROTO_MAX_BULK));
    ck_assert(sr_size_ok(SR_PROTO_MAX_BULK - 1, 1, SR_PROTO_MAX_BULK));
    ck_assert(!sr_size_ok(LLONG_MAX, 1, SR_PROTO_MAX_BULK));
    ck_assert(!sr_size_ok(LLONG_MAX, LLONG_MAX, SR_PROTO_MAX_BULK));
    ck_assert(!sr_size_ok(-1, 1, SR_PROTO_MAX_BULK));
}
END_TEST

/* GETRANGE "Hello World" (11 bytes) as redis-server answers it. */
START_TEST(test_range) {
    static const struct { long long s, e; int ok; size_t from, n; } c[] = {
        {0, -1, 1, 0, 11}, {0, 0, 1, 0, 1}, {-1, -1, 1, 10, 1},
        {-100, 100, 1, 0, 11}, {5, 2, 0, 0, 0}, {-1, -5, 0, 0, 0},
        {-5, -1, 1, 6, 5}, {100, 200, 0, 0, 0}, {3, -100, 0, 0, 0},
        {LLONG_MIN, LLONG_MAX, 1, 0, 11}, {LLONG_MAX, LLONG_MIN, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        size_t from = 99, n = 99;
        int ok = sr_range(c[i].s, c[i].e, 11, &from, &n);
        ck_assert_int_eq(ok, c[i].ok);
        if (ok) {
            ck_assert_uint_eq(from, c[i].from);
            ck_assert_uint_eq(n, c[i].n);
        }
    }
    size_t from, n;
    ck_assert(!sr_range(0, -1, 0, &from, &n)); /* empty string */
}
END_TEST

/* ---- option grammar -------------------------------------------------------- */

static int parse(int getex, int *expire_arg, int n, ...) {
    const char *argv[16] = {"set", "k", "v"};
    int first = getex ? 2 : 3, argc = first;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) argv[argc++] = va_arg(ap, const char *);
    va_end(ap);
    sr_str_opts o;
    if (sr_parse_str_opts(argv, argc, first, getex, &o) != 0) return -1;
    if (expire_arg) *expire_arg = o.expire_arg;
    return o.flags;
}

START_TEST(test_set_opts) {
    int ea;
    ck_assert_int_eq(parse(0, &ea, 0), 0);
    ck_assert_int_eq(ea, -1);
    ck_assert_int_eq(parse(0, NULL, 1, "nx"), SR_OPT_NX);
    ck_assert_int_eq(parse(0, NULL, 2, "NX", "NX"), SR_OPT_NX);
    ck_assert_int_eq(parse(0, NULL, 2, "NX", "XX"), -1);
    ck_assert_int_eq(parse(0, NULL, 2, "xx", "get"), SR_OPT_XX | SR_OPT_GET);
    ck_assert_int_eq(parse(0, &ea, 2, "EX", "10"), SR_OPT_EX);
    ck_assert_int_eq(ea, 4);
    ck_assert_int_eq(parse(0, &ea, 4, "EX", "10", "EX", "20"), SR_OPT_EX);
    ck_assert_int_eq(ea, 6);
    ck_assert_int_eq(parse(0, NULL, 4, "EX", "10", "PX", "1"), -1);
    ck_assert_int_eq(parse(0, NULL, 1, "EX"), -1);
    ck_assert_int_eq(parse(0, NULL, 3, "KEEPTTL", "EX", "10"), -1);
    ck_assert_int_eq(parse(0, NULL, 3, "EX", "10", "KEEPTTL"), -1);
    ck_assert_int_eq(parse(0, NULL, 1, "PERSIST"), -1);
    ck_assert_int_eq(parse(0, NULL, 2, "pxat", "1"), SR_OPT_PXAT);
    ck_assert_int_eq(parse(0, NULL, 4, "PX", "10", "EXAT", "10"), -1);
    ck_assert_int_eq(parse(0, NULL, 1, "FOO"), -1);
    /* Option words compare as C strings, like Redis's parser. */
    ck_assert_int_eq(parse(0, NULL, 1, "ge"), -1);
}
END_TEST

START_TEST(test_getex_opts) {
    int ea;
    ck_assert_int_eq(parse(1, NULL, 1, "PERSIST"), SR_OPT_PERSIST);
    ck_assert_int_eq(parse(1, NULL, 2, "persist", "persist"), SR_OPT_PERSIST);
    ck_assert_int_eq(parse(1, &ea, 2, "EXAT", "9"), SR_OPT_EXAT);
    ck_assert_int_eq(ea, 3);
    ck_assert_int_eq(parse(1, NULL, 3, "PERSIST", "EX", "10"), -1);
    ck_assert_int_eq(parse(1, NULL, 3, "EX", "10", "PERSIST"), -1);
    ck_assert_int_eq(parse(1, NULL, 1, "NX"), -1);
    ck_assert_int_eq(parse(1, NULL, 1, "GET"), -1);
    ck_assert_int_eq(parse(1, NULL, 1, "KEEPTTL"), -1);
}
END_TEST

START_TEST(test_expire_ms) {
    long long out;
    ck_assert_int_eq(sr_expire_abs_ms(10, 1, 1, 1000, &out), 0);
    ck_assert(out == 11000);
    ck_assert_int_eq(sr_expire_abs_ms(10, 0, 1, 1000, &out), 0);
    ck_assert(out == 1010);
    ck_assert_int_eq(sr_expire_abs_ms(10, 1, 0, 1000, &out), 0);
    ck_assert(out == 10000);
    ck_assert_int_eq(sr_expire_abs_ms(0, 1, 1, 1000, &out), -1);
    ck_assert_int_eq(sr_expire_abs_ms(-1, 0, 0, 1000, &out), -1);
    ck_assert_int_eq(sr_expire_abs_ms(LLONG_MAX / 1000, 1, 0, 0, &out), 0);
    ck_assert_int_eq(sr_expire_abs_ms(LLONG_MAX / 1000 + 1, 1, 0, 0, &out),
                     -1);
    ck_assert_int_eq(sr_expire_abs_ms(LLONG_MAX, 0, 1, 1000, &out), -1);
    ck_assert_int_eq(sr_expire_abs_ms(LLONG_MAX, 0, 0, 1000, &out), 0);
    ck_assert_int_eq(sr_expire_abs_ms(LLONG_MAX / 1000, 1, 1, 1700000000000LL,
                                      &out), -1);
}
END_TEST

/* ---- LCS ------------------------------------------------------------------- */

typedef struct ranges {
    uint32_t r[16][5];
    int n;
} ranges;

static void collect(void *priv, uint32_t a0, uint32_t a1, uint32_t b0,
                    uint32_t b1, uint32_t len) {
    ranges *r = priv;
    uint32_t *x = r->r[r->n++];
    x[0] = a0, x[1] = a1, x[2] = b0, x[3] = b1, x[4] = len;
}

static uint32_t *table_for(const char *a, const char *b) {
    size_t al = strlen(a), bl = strlen(b);
    uint32_t *t = malloc((al + 1) * (bl + 1) * sizeof(uint32_t));
    sr_lcs_fill(a, (uint32_t)al, b, (uint32_t)bl, t);
    return t;
}

/* LCS ohmytext mynewtext IDX WITHMATCHLEN, as redis-server replies. */
START_TEST(test_lcs_redis_example) {
    const char *a = "ohmytext", *b = "mynewtext";
    uint32_t *t = table_for(a, b);
    char out[16] = {0};
    ranges r = {.n = 0};
    sr_lcs_walk(a, 8, b, 9, t, out, 0, collect, &r);
    ck_assert_str_eq(out, "mytext");
    ck_assert_int_eq(r.n, 2);
    uint32_t want[2][5] = {{4, 7, 5, 8, 4}, {2, 3, 0, 1, 2}};
    ck_assert(memcmp(r.r, want, sizeof(want)) == 0);
    r.n = 0;
    sr_lcs_walk(a, 8, b, 9, t, NULL, 4, collect, &r);
    ck_assert_int_eq(r.n, 1);
    free(t);
}
END_TEST

/* LCS x y IDX with x=12345 y=2345: one run that reaches index 0 of y. */
START_TEST(test_lcs_run_at_start) {
    uint32_t *t = table_for("12345", "2345");
    ranges r = {.n = 0};
    sr_lcs_walk("12345", 5, "2345", 4, t, NULL, 0, collect, &r);
    ck_assert_int_eq(r.n, 1);
    uint32_t want[5] = {1, 4, 0, 3, 4};
    ck_assert(memcmp(r.r[0], want, sizeof(want)) == 0);
    free(t);
}
END_TEST

START_TEST(test_lcs_len_matches_table) {
    srand(12345);
    for (int iter = 0; iter < 200; iter++) {
        char a[40], b[40];
        size_t al = (size_t)(rand() % 39), bl = (size_t)(rand() % 39);
        for (size_t i = 0; i < al; i++) a[i] = (char)('a' + rand() % 3);
        for (size_t i = 0; i < bl; i++) b[i] = (char)('a' + rand() % 3);
        a[al] = b[bl] = 0;
        uint32_t *t = table_for(a, b), row[40];
        uint32_t full = t[al * (bl + 1) + bl];
        ck_assert_uint_eq(sr_lcs_len(a, (uint32_t)al, b, (uint32_t)bl, row),
                          full);
        char out[40];
        sr_lcs_walk(a, (uint32_t)al, b, (uint32_t)bl, t, out, 0, NULL, NULL);
        /* The walk's string is a subsequence of both inputs. */
        size_t i = 0, j = 0, k;
        for (k = 0; k < full; k++) {
            while (i < al && a[i] != out[k]) i++;
            while (j < bl && b[j] != out[k]) j++;
            ck_assert(i < al && j < bl);
            i++, j++;
        }
        free(t);
    }
}
END_TEST

START_TEST(test_lcs_check) {
    unsigned long long bytes;
    ck_assert_int_eq(sr_lcs_check(0, 0, SR_PROTO_MAX_BULK, &bytes), SR_LCS_OK);
    ck_assert(bytes == 4);
    ck_assert_int_eq(sr_lcs_check(100, 200, SR_PROTO_MAX_BULK, &bytes),
                     SR_LCS_OK);
    ck_assert(bytes == 101ULL * 201 * 4);
    ck_assert_int_eq(sr_lcs_check(20000, 20000, SR_PROTO_MAX_BULK, &bytes),
                     SR_LCS_EXCEEDS);
    ck_assert_int_eq(sr_lcs_check(UINT32_MAX - 1, 1, SR_PROTO_MAX_BULK, &bytes),
                     SR_LCS_TOO_LONG);
}
END_TEST

Suite *strings_encoding_suite(void) {
    Suite *s = suite_create("strings_encoding");
    TCase *num = tcase_create("numbers");
    tcase_add_test(num, test_str2ll_accepts);
    tcase_add_test(num, test_str2ll_rejects);
    tcase_add_test(num, test_ll2str);
    suite_add_tcase(s, num);

    TCase *enc = tcase_create("encoding");
    tcase_add_test(enc, test_classify);
    tcase_add_test(enc, test_inline_roundtrip);
    tcase_add_test(enc, test_pointer_tags);
    tcase_add_test(enc, test_emb_block);
    suite_add_tcase(s, enc);

    TCase *args = tcase_create("arguments");
    tcase_add_test(args, test_size_ok);
    tcase_add_test(args, test_range);
    tcase_add_test(args, test_set_opts);
    tcase_add_test(args, test_getex_opts);
    tcase_add_test(args, test_expire_ms);
    suite_add_tcase(s, args);

    TCase *lcs = tcase_create("lcs");
    tcase_add_test(lcs, test_lcs_redis_example);
    tcase_add_test(lcs, test_lcs_run_at_start);
    tcase_add_test(lcs, test_lcs_len_matches_table);
    tcase_add_test(lcs, test_lcs_check);
    suite_add_tcase(s, lcs);
    return s;
}

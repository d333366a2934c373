/* test_hash_lp.c -- unit tests of the hash module's byte formats
 * (modules/lib/listpack.c, modules/hash/hash_legacy.c): listpack encodings byte for byte
 * as Redis 7.0.15 writes them (the expected bytes were read from its DUMP
 * payloads), edits that keep the header right, the deep validation of
 * untrusted bytes, and the ziplist and zipmap conversions.  Needs only
 * those two files and the core's allocator and number conversions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/hash/hash_legacy.h"
#include "../../modules/lib/ziplist_pairs.h"
#include "../../modules/lib/listpack.h"

static unsigned char *lp_of(const char *const *items, int n) {
    unsigned char *lp = lp_new();
    for (int i = 0; i < n; i++) lp = lp_append(lp, items[i], strlen(items[i]));
    return lp;
}

static void assert_entry_text(unsigned char *p, const char *want) {
    lp_entry e;
    char buf[LP_INT_BUF];
    size_t len;
    lp_get(p, &e);
    const char *t = lp_entry_text(&e, buf, &len);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert(memcmp(t, want, len) == 0);
}

/* ---- encodings ----------------------------------------------------------- */

START_TEST(test_redis_bytes) {
    /* HSET h a 2.5 b 12 c hello on redis-server 7.0.15, from DUMP h. */
    static const unsigned char want[] = {0x1e, 0x00, 0x00, 0x00, 0x06, 0x00, 0x81, 'a',  0x02, 0x83,
                                         '2',  '.',  '5',  0x04, 0x81, 'b',  0x02, 0x0c, 0x01, 0x81,
                                         'c',  0x02, 0x85, 'h',  'e',  'l',  'l',  'o',  0x06, 0xff};
    const char *items[] = {"a", "2.5", "b", "12", "c", "hello"};
    unsigned char *lp = lp_of(items, 6);
    ck_assert_uint_eq(lp_bytes(lp), sizeof(want));
    ck_assert(memcmp(lp, want, sizeof(want)) == 0);
    ck_assert_uint_eq(lp_count(lp), 6);
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    lp_free(lp);
}
END_TEST

/* Entry size (encoding + data + back-length) of one appended item. */
static size_t entry_size_of(const char *s, size_t len) {
    unsigned char *lp = lp_append(lp_new(), s, len);
    size_t n = lp_bytes(lp) - LP_HEADER_SIZE - 1;
    lp_free(lp);
    return n;
}

START_TEST(test_integer_sizes) {
    struct { const char *text; size_t size; unsigned char first; } cases[] = {
        {"0", 2, 0x00},           {"127", 2, 0x7f},         {"128", 3, 0xc0},
        {"-1", 3, 0xdf},          {"-4096", 3, 0xd0},       {"4095", 3, 0xcf},
        {"4096", 4, 0xf1},        {"-32768", 4, 0xf1},      {"32768", 5, 0xf2},
        {"8388607", 5, 0xf2},     {"8388608", 6, 0xf3},     {"-2147483648", 6, 0xf3},
        {"2147483648", 10, 0xf4}, {"-9223372036854775808", 10, 0xf4},
        {"9223372036854775807", 10, 0xf4},
        /* not canonical integers: strings */
        {"-0", 4, 0x82},          {"01", 4, 0x82},          {"9223372036854775808", 21, 0x93},
        {" 1", 4, 0x82},          {"", 2, 0x80},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *t = cases[i].text;
        ck_assert_msg(entry_size_of(t, strlen(t)) == cases[i].size, "size of '%s'", t);
        unsigned char *lp = lp_append(lp_new(), t, strlen(t));
        ck_assert_msg(lp[LP_HEADER_SIZE] == cases[i].first, "first byte of '%s'", t);
        assert_entry_text(lp_first(lp), t);
        lp_free(lp);
    }
}
END_TEST

START_TEST(test_string_headers_and_backlen) {
    char *big = malloc(5000);
    memset(big, 'x', 5000);
    /* 63 bytes: 1-byte header, body 64, 1-byte back-length. */
    ck_assert_uint_eq(entry_size_of(big, 63), 1 + 63 + 1);
    /* 64: 12-bit header; body 66 fits one back-length byte. */
    ck_assert_uint_eq(entry_size_of(big, 64), 2 + 64 + 1);
    /* body 128 needs two back-length bytes. */
    ck_assert_uint_eq(entry_size_of(big, 126), 2 + 126 + 2);
    ck_assert_uint_eq(entry_size_of(big, 4095), 2 + 4095 + 2);
    ck_assert_uint_eq(entry_size_of(big, 4096), 5 + 4096 + 2);
    unsigned char *lp = lp_new();
    lp = lp_append(lp, big, 126);
    lp = lp_append(lp, big, 4096);
    lp = lp_append(lp, "7", 1);
    ck_assert(lp_validate(lp, lp_bytes(lp), 0));
    ck_assert_uint_eq(lp_count(lp), 3);
    assert_entry_text(lp_seek(lp, 2), "7");
    lp_free(lp);
    free(big);
}
END_TEST

/* ---- edits ---------------------------------------------------------------- */

START_TEST(test_replace_delete_find) {
    const char *items[] = {"f1", "v1", "2", "300", "f3", "v3"};
    unsigned char *lp = lp_of(items, 6);
    unsigned char *p = lp_find_field(lp, "2", 1);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(lp_find_field(lp, "v1", 2)); /* values are not fields */
    ck_assert_ptr_null(lp_find_field(lp, "02", 2));
    unsigned char *vp = lp_next(lp, p);
    lp = lp_replace(lp, &vp, "a much longer value than before", 31);
    assert_entry_text(vp, "a much longer value than before");
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    lp = lp_delete(lp, lp_find_field(lp, "f1", 2), 2);
    ck_assert_uint_eq(lp_count(lp), 4);
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    assert_entry_text(lp_first(lp), "2");
    /* The same result as building it directly: byte-identical. */
    const char *direct[] = {"2", "a much longer value than before", "f3", "v3"};
    unsigned char *d = lp_of(direct, 4);
    ck_assert_uint_eq(lp_bytes(lp), lp_bytes(d));
    ck_assert(memcmp(lp, d, lp_bytes(d)) == 0);
    lp_free(d);
    lp_free(lp);
}
END_TEST

/* ---- validation ------------------------------------------------------------ */

static int valid_copy(const unsigned char *lp, size_t size, int pairs) {
    unsigned char *c = malloc(size ? size : 1);
    memcpy(c, lp, size);
    int ok = lp_validate(c, size, pairs);
    free(c);
    return ok;
}

START_TEST(test_validate_rejects) {
    const char *items[] = {"a", "2.5", "b", "12"};
    unsigned char *lp = lp_of(items, 4);
    size_t n = lp_bytes(lp);
    unsigned char *c = malloc(n);
    ck_assert(valid_copy(lp, n, 1));
    ck_assert(!valid_copy(lp, n - 1, 1));          /* truncated */
    ck_assert(!valid_copy(lp, 5, 0));              /* shorter than a header */
    memcpy(c, lp, n); c[0]++;                       /* total bytes */
    ck_assert(!lp_validate(c, n, 1));
    memcpy(c, lp, n); c[n - 1] = 0;                 /* terminator */
    ck_assert(!lp_validate(c, n, 1));
    memcpy(c, lp, n); c[4] = 3;                     /* header count */
    ck_assert(!lp_validate(c, n, 0));
    memcpy(c, lp, n); c[4] = 0xff; c[5] = 0xff;     /* unknown count is fine */
    ck_assert(lp_validate(c, n, 1));
    memcpy(c, lp, n); c[8]++;                       /* back-length of "a" */
    ck_assert(!lp_validate(c, n, 1));
    memcpy(c, lp, n); c[6] = 0xf5;                  /* no such encoding */
    ck_assert(!lp_validate(c, n, 1));
    memcpy(c, lp, n); c[9] = 0xbf;                  /* string running past the end */
    ck_assert(!lp_validate(c, n, 1));
    free(c);
    lp_free(lp);

    const char *odd[] = {"a", "1", "b"};
    lp = lp_of(odd, 3);
    ck_assert(lp_validate(lp, lp_bytes(lp), 0));
    ck_assert(!lp_validate(lp, lp_bytes(lp), 1));
    lp_free(lp);
    const char *dup[] = {"7", "x", "y", "z", "7", "w"};   /* integer fields */
    lp = lp_of(dup, 6);
    ck_assert(!lp_validate(lp, lp_bytes(lp), 1));
    lp_free(lp);
    const char *dup2[] = {"same", "1", "other", "same", "same", "2"};
    lp = lp_of(dup2, 6);
    ck_assert(!lp_validate(lp, lp_bytes(lp), 1));
    lp_free(lp);
}
END_TEST

/* Random byte mutations: validation never reads out of bounds (run under
 * ASan in sanitizer builds), and whatever it accepts can be walked. */
START_TEST(test_validate_fuzz) {
    const char *items[] = {"field", "value", "n", "-123456", "big", "9999999999", "s", ""};
    unsigned char *lp = lp_of(items, 8);
    size_t n = lp_bytes(lp);
    unsigned seed = 12345;
    int accepted = 0;
    for (int round = 0; round < 20000; round++) {
        size_t size = n;
        unsigned char *c = malloc(n + 8);
        memcpy(c, lp, n);
        int edits = 1 + (int)(rand_r(&seed) % 3);
        for (int e = 0; e < edits; e++) {
            switch (rand_r(&seed) % 3) {
            case 0: c[rand_r(&seed) % size] = (unsigned char)rand_r(&seed); break;
            case 1: c[rand_r(&seed) % size] ^= (unsigned char)(1u << (rand_r(&seed) % 8)); break;
            default: if (size > 1) size -= 1 + rand_r(&seed) % (size < 4 ? 1 : 4); break;
            }
        }
        unsigned char *exact = malloc(size ? size : 1);
        memcpy(exact, c, size);
        if (lp_validate(exact, size, 1)) {
            accepted++;
            unsigned long count = 0;
            for (unsigned char *p = lp_first(exact); p; p = lp_next(exact, p)) count++;
            ck_assert_uint_eq(count, lp_count(exact));
            ck_assert_uint_eq(count % 2, 0);
        }
        free(exact);
        free(c);
    }
    ck_assert_int_lt(accepted, 20000);
    lp_free(lp);
}
END_TEST

/* ---- ziplist and zipmap ---------------------------------------------------- */

/* "a", 5 (immediate), "bb", 300 (int16): as Redis 6.2 lays them out. */
static const unsigned char zl_ok[] = {
    24, 0, 0, 0, 19, 0, 0, 0, 4, 0,       /* zlbytes, zltail, zllen */
    0x00, 0x01, 'a',                      /* prevlen 0, 6-bit string */
    0x03, 0xf6,                           /* prevlen 3, immediate 5 */
    0x02, 0x02, 'b', 'b',                 /* prevlen 2, string */
    0x04, 0xc0, 0x2c, 0x01,               /* prevlen 4, int16 300 */
    0xff};

START_TEST(test_ziplist) {
    unsigned char *lp = lp_from_ziplist_pairs(zl_ok, sizeof(zl_ok));
    ck_assert_ptr_nonnull(lp);
    const char *want[] = {"a", "5", "bb", "300"};
    unsigned char *d = lp_of(want, 4);
    ck_assert_uint_eq(lp_bytes(lp), lp_bytes(d));
    ck_assert(memcmp(lp, d, lp_bytes(d)) == 0);
    lp_free(d);
    lp_free(lp);

    unsigned char bad[sizeof(zl_ok)];
    memcpy(bad, zl_ok, sizeof(bad)); bad[13] = 2;   /* prevlen */
    ck_assert_ptr_null(lp_from_ziplist_pairs(bad, sizeof(bad)));
    memcpy(bad, zl_ok, sizeof(bad)); bad[4] = 15;   /* tail offset */
    ck_assert_ptr_null(lp_from_ziplist_pairs(bad, sizeof(bad)));
    memcpy(bad, zl_ok, sizeof(bad)); bad[8] = 3;    /* count */
    ck_assert_ptr_null(lp_from_ziplist_pairs(bad, sizeof(bad)));
    memcpy(bad, zl_ok, sizeof(bad)); bad[20] = 0xc1; /* no such encoding */
    ck_assert_ptr_null(lp_from_ziplist_pairs(bad, sizeof(bad)));
    memcpy(bad, zl_ok, sizeof(bad)); bad[11] = 0x3f; /* string past the end */
    ck_assert_ptr_null(lp_from_ziplist_pairs(bad, sizeof(bad)));
    ck_assert_ptr_null(lp_from_ziplist_pairs(zl_ok, sizeof(zl_ok) - 1));
}
END_TEST

START_TEST(test_ziplist_fuzz) {
    unsigned seed = 99;
    for (int round = 0; round < 20000; round++) {
        unsigned char c[sizeof(zl_ok)];
        memcpy(c, zl_ok, sizeof(c));
        c[rand_r(&seed) % sizeof(c)] = (unsigned char)rand_r(&seed);
        size_t size = sizeof(c) - (rand_r(&seed) % 4 == 0 ? rand_r(&seed) % 5 : 0);
        unsigned char *exact = malloc(size);
        memcpy(exact, c, size);
        unsigned char *lp = lp_from_ziplist_pairs(exact, size);
        if (lp) {
            ck_assert(lp_validate(lp, lp_bytes(lp), 1));
            lp_free(lp);
        }
        free(exact);
    }
}
END_TEST

/* The listpack size limit the server passes (HASH_LP_SAFETY_SIZE). */
#define LIMIT ((size_t)1 << 30)

START_TEST(test_zipmap) {
    /* {"f": "vv", "long": "1"} with one free byte after "vv". */
    static const unsigned char zm[] = {2, 1, 'f', 2, 1, 'v', 'v', 0, 4, 'l', 'o', 'n', 'g', 1, 0, '1', 0xff};
    size_t maxlen;
    unsigned char *lp = hash_lp_from_zipmap(zm, sizeof(zm), LIMIT, &maxlen);
    ck_assert_ptr_nonnull(lp);
    ck_assert_uint_eq(maxlen, 4);
    const char *want[] = {"f", "vv", "long", "1"};
    unsigned char *d = lp_of(want, 4);
    ck_assert(lp_bytes(lp) == lp_bytes(d) && memcmp(lp, d, lp_bytes(d)) == 0);
    lp_free(d);
    lp_free(lp);
    unsigned char bad[sizeof(zm)];
    memcpy(bad, zm, sizeof(bad)); bad[0] = 3;        /* count */
    ck_assert_ptr_null(hash_lp_from_zipmap(bad, sizeof(bad), LIMIT, &maxlen));
    memcpy(bad, zm, sizeof(bad)); bad[4] = 200;      /* free bytes past the end */
    ck_assert_ptr_null(hash_lp_from_zipmap(bad, sizeof(bad), LIMIT, &maxlen));
    memcpy(bad, zm, sizeof(bad)); bad[1] = 253;      /* field past the end */
    ck_assert_ptr_null(hash_lp_from_zipmap(bad, sizeof(bad), LIMIT, &maxlen));
    static const unsigned char dup[] = {2, 1, 'f', 1, 0, 'a', 1, 'f', 1, 0, 'b', 0xff};
    ck_assert_ptr_null(hash_lp_from_zipmap(dup, sizeof(dup), LIMIT, &maxlen));
    /* CVE-2026-25243: a length under 254 in the 5-byte form is corrupt,
     * for a field and for a value; 254 itself in that form is fine. */
    static const unsigned char long_field[] = {1, 0xfe, 1, 0, 0, 0, 'f', 1, 0, 'v', 0xff};
    ck_assert_ptr_null(hash_lp_from_zipmap(long_field, sizeof(long_field), LIMIT, &maxlen));
    static const unsigned char long_value[] = {1, 1, 'f', 0xfe, 1, 0, 0, 0, 0, 'v', 0xff};
    ck_assert_ptr_null(hash_lp_from_zipmap(long_value, sizeof(long_value), LIMIT, &maxlen));
    unsigned char big[1 + 1 + 1 + 5 + 1 + 254 + 1];
    size_t o = 0;
    big[o++] = 1;
    big[o++] = 1;
    big[o++] = 'f';
    big[o++] = 0xfe;
    big[o++] = 254;
    big[o++] = 0;
    big[o++] = 0;
    big[o++] = 0;
    big[o++] = 0; /* free bytes */
    memset(big + o, 'v', 254);
    o += 254;
    big[o++] = 0xff;
    lp = hash_lp_from_zipmap(big, o, LIMIT, &maxlen);
    ck_assert_ptr_nonnull(lp);
    ck_assert_uint_eq(maxlen, 254);
    /* A pair that would take the listpack past the limit refuses the whole
     * zipmap; the limit is the listpack so far plus the pair's bytes. */
    lp_free(lp);
    size_t fits = LP_HEADER_SIZE + 1 /* EOF */ + 1 + 254;
    lp = hash_lp_from_zipmap(big, o, fits, &maxlen);
    ck_assert_ptr_nonnull(lp);
    lp_free(lp);
    ck_assert_ptr_null(hash_lp_from_zipmap(big, o, fits - 1, &maxlen));
}
END_TEST

Suite *hash_lp_suite(void) {
    Suite *s = suite_create("hash_lp");
    TCase *enc = tcase_create("encoding");
    tcase_add_test(enc, test_redis_bytes);
    tcase_add_test(enc, test_integer_sizes);
    tcase_add_test(enc, test_string_headers_and_backlen);
    tcase_add_test(enc, test_replace_delete_find);
    suite_add_tcase(s, enc);
    TCase *val = tcase_create("validation");
    tcase_add_test(val, test_validate_rejects);
    tcase_add_test(val, test_validate_fuzz);
    suite_add_tcase(s, val);
    TCase *legacy = tcase_create("legacy");
    tcase_add_test(legacy, test_ziplist);
    tcase_add_test(legacy, test_ziplist_fuzz);
    tcase_add_test(legacy, test_zipmap);
    suite_add_tcase(s, legacy);
    return s;
}

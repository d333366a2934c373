/* test_list_pure.c -- the list module's byte formats and node rules:
 * listpack encoding (exact bytes, as Redis 7.0 writes them), walking both
 * ways, edits, validation of mutated bytes, the ziplist reader, and the
 * quicklist's node boundaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frankenredis.h"
#include "listpack.h"
#include "quicklist.h"
#include "ziplist.h"

static qlp_t *qlp_of(const char *const *els, int n) {
    qlp_t *lp = qlp_new();
    for (int i = 0; i < n; i++) lp = qlp_append(lp, els[i], strlen(els[i]));
    return lp;
}

/* The entries (without the 6-byte header and the terminator) match `want`. */
static void check_body(const qlp_t *lp, const unsigned char *want, size_t n) {
    ck_assert_uint_eq(qlp_bytes(lp), n + LP_HDR + 1);
    ck_assert_int_eq(memcmp(lp + LP_HDR, want, n), 0);
    ck_assert_uint_eq(lp[qlp_bytes(lp) - 1], 0xFF);
}

START_TEST(test_lp_encodings) {
    /* Bytes of a Redis 7.0.15 DUMP of RPUSH l a 1 300 -5 99999999999. */
    const char *els[] = {"a", "1", "300", "-5", "99999999999"};
    static const unsigned char want[] = {0x81, 'a', 2, 0x01, 1, 0xc1, 0x2c, 2, 0xdf, 0xfb, 2,
                                         0xf4, 0xff, 0xe7, 0x76, 0x48, 0x17, 0, 0, 0, 9};
    qlp_t *lp = qlp_of(els, 5);
    check_body(lp, want, sizeof(want));
    ck_assert_uint_eq(qlp_count(lp), 5);
    ck_assert_uint_eq(lp[4], 5);
    qlp_free(lp);
}
END_TEST

START_TEST(test_lp_int_roundtrip) {
    const char *vals[] = {"0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767",
                          "32768", "-8388608", "8388607", "8388608", "-2147483648",
                          "2147483647", "2147483648", "9223372036854775807",
                          "-9223372036854775808", "01", "-0", "+1", " 1",
                          "9223372036854775808"};
    int n = (int)(sizeof(vals) / sizeof(*vals));
    qlp_t *lp = qlp_of(vals, n);
    size_t off = qlp_first(lp);
    for (int i = 0; i < n; i++, off = qlp_next(lp, off)) {
        char buf[LP_INTBUF];
        size_t len;
        int is_int;
        long long v;
        const char *s = qlp_get(lp, off, buf, &len, &is_int, &v);
        ck_assert_uint_eq(len, strlen(vals[i]));
        ck_assert_int_eq(memcmp(s, vals[i], len), 0);
        /* Only canonical integers are stored as integers. */
        ck_assert_int_eq(is_int, i < 18);
    }
    ck_assert_uint_eq(off, 0);
    qlp_free(lp);
}
END_TEST

START_TEST(test_lp_walk_big_entries) {
    /* 63/64 and 4095/4096 bytes cross the string header sizes; 200 and
     * 20000 bytes need 2- and 3-byte backlens. */
    size_t sizes[] = {0, 63, 64, 200, 4095, 4096, 20000};
    int n = (int)(sizeof(sizes) / sizeof(*sizes));
    char *big = malloc(20000);
    memset(big, 'x', 20000);
    qlp_t *lp = qlp_new();
    for (int i = 0; i < n; i++) lp = qlp_append(lp, big, sizes[i]);
    uint32_t count;
    ck_assert(qlp_validate(lp, qlp_bytes(lp), &count));
    ck_assert_uint_eq(count, (uint32_t)n);
    size_t off = qlp_last(lp);
    for (int i = n - 1; i >= 0; i--, off = qlp_prev(lp, off)) {
        char buf[LP_INTBUF];
        size_t len;
        qlp_get(lp, off, buf, &len, NULL, NULL);
        ck_assert_uint_eq(len, sizes[i]);
        ck_assert_uint_eq(qlp_seek(lp, i), off);
        ck_assert_uint_eq(qlp_seek(lp, i - n), off);
    }
    ck_assert_uint_eq(off, 0);
    free(big);
    qlp_free(lp);
}
END_TEST

START_TEST(test_lp_edits) {
    const char *els[] = {"a", "b", "c", "d"};
    qlp_t *lp = qlp_of(els, 4);
    lp = qlp_replace(lp, qlp_seek(lp, 1), "12345", 5);
    lp = qlp_insert(lp, qlp_seek(lp, 0), "z", 1, NULL);
    lp = qlp_delete(lp, qlp_seek(lp, 3), 1);       /* drops "c" */
    const char *want[] = {"z", "a", "12345", "d"};
    size_t off = qlp_first(lp);
    for (int i = 0; i < 4; i++, off = qlp_next(lp, off)) {
        char buf[LP_INTBUF];
        size_t len;
        const char *s = qlp_get(lp, off, buf, &len, NULL, NULL);
        ck_assert_uint_eq(len, strlen(want[i]));
        ck_assert_int_eq(memcmp(s, want[i], len), 0);
    }
    lp = qlp_keep_range(lp, 1, 2);
    ck_assert_uint_eq(qlp_count(lp), 2);
    qlp_t *b = qlp_of(els, 2);
    lp = qlp_merge(lp, b);
    uint32_t count;
    ck_assert(qlp_validate(lp, qlp_bytes(lp), &count));
    ck_assert_uint_eq(count, 4);
    qlp_free(lp);
}
END_TEST

/* Every one-byte change and every truncation of a valid listpack is
 * either accepted as a sound listpack or refused: never a read outside. */
START_TEST(test_lp_validate_mutations) {
    const char *els[] = {"hello", "-7", "300", "70000", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
    qlp_t *lp = qlp_of(els, 5);
    size_t n = qlp_bytes(lp);
    unsigned char *m = malloc(n);
    uint32_t count;
    for (size_t i = 0; i < n; i++) {
        for (int v = 0; v < 256; v += 7) {
            memcpy(m, lp, n);
            m[i] ^= (unsigned char)(v | 1);
            if (qlp_validate(m, n, &count)) {
                /* Sound: walking it must reach the end in count steps. */
                size_t off = qlp_first(m);
                uint32_t k = 0;
                while (off) { k++; off = qlp_next(m, off); }
                ck_assert_uint_eq(k, count);
            }
        }
    }
    for (size_t len = 0; len < n; len++) ck_assert(!qlp_validate(lp, len, &count));
    free(m);
    qlp_free(lp);
}
END_TEST

static void collect(void *priv, const char *s, size_t len) {
    fr_str **acc = priv;
    *acc = fr_str_cat(*acc, s, len);
    *acc = fr_str_cat(*acc, ",", 1);
}

START_TEST(test_ziplist_reader) {
    /* A ziplist of "ab", 5, -2 (int8), 1000 (int16), as Redis 6 wrote it. */
    static const unsigned char zl[] = {
        24, 0, 0, 0, 19, 0, 0, 0, 4, 0,
        0x00, 0x02, 'a', 'b',          /* prevlen 0, 6-bit string */
        0x04, 0xF6,                    /* immediate 5 */
        0x02, 0xFE, 0xFE,              /* int8 -2 */
        0x03, 0xC0, 0xE8, 0x03,        /* int16 1000 */
        0xFF};
    fr_str *acc = fr_str_new("", 0);
    ck_assert(zl_walk(zl, sizeof(zl), collect, &acc));
    ck_assert_str_eq(acc->buf, "ab,5,-2,1000,");
    unsigned char bad[sizeof(zl)];
    for (size_t i = 0; i < sizeof(zl); i++) {
        for (int v = 1; v < 256; v += 3) {
            memcpy(bad, zl, sizeof(zl));
            bad[i] ^= (unsigned char)v;
            acc = fr_str_set_len(acc, 0);
            (void)zl_walk(bad, sizeof(zl), collect, &acc);
        }
    }
    memcpy(bad, zl, sizeof(zl));
    bad[14] = 0x05;                    /* wrong prevlen */
    ck_assert(!zl_walk(bad, sizeof(zl), collect, &acc));
    fr_str_free(acc);
}
END_TEST

static uint32_t node_counts(const ql *q, uint32_t *out, int max) {
    int i = 0;
    for (const ql_node *n = q->head; n && i < max; n = n->next) out[i++] = n->count;
    return (uint32_t)i;
}

START_TEST(test_quicklist_fill) {
    ql *q = ql_new(3, 0);
    char s[8];
    for (int i = 1; i <= 7; i++) ql_push(q, s, (size_t)snprintf(s, sizeof(s), "%d", i), 0);
    uint32_t c[8];
    ck_assert_uint_eq(node_counts(q, c, 8), 3);
    ck_assert_uint_eq(c[0], 3);
    ck_assert_uint_eq(c[2], 1);
    /* Inserting in the middle of a full node splits it. */
    ql_pos p;
    ck_assert(ql_seek(q, 4, &p));
    ql_insert(q, &p, "x", 1, 0);
    ck_assert_uint_eq(q->len, 8);
    ck_assert(ql_seek(q, 4, &p));
    ck_assert(ql_equals(&p, "x", 1));
    ql_delete_range(q, 1, 6);
    ck_assert_uint_eq(q->len, 2);
    fr_str *a = ql_pop(q, 1), *b = ql_pop(q, 0);
    ck_assert_str_eq(a->buf, "1");
    ck_assert_str_eq(b->buf, "7");
    ck_assert_uint_eq(q->nodes, 0);
    fr_str_free(a);
    fr_str_free(b);
    ql_free(q);
}
END_TEST

START_TEST(test_quicklist_size_fill) {
    /* -2: 8 KB per node, estimated as Redis does (size + len + 8). */
    ql *q = ql_new(-2, 0);
    char v[100];
    memset(v, 'v', sizeof(v));
    for (int i = 0; i < 200; i++) ql_push(q, v, sizeof(v), 0);
    for (const ql_node *n = q->head; n; n = n->next) ck_assert_uint_le(qlp_bytes(n->lp), 8192);
    ck_assert_uint_gt(q->nodes, 1);
    ql_pos p;
    ck_assert(ql_seek(q, 150, &p));
    int k = 0;
    while (ql_delete_at(q, &p, 1)) k++;
    ck_assert_uint_eq(q->len, 150);
    ql_free(q);
}
END_TEST

Suite *list_pure_suite(void) {
    Suite *s = suite_create("list_pure");
    TCase *lp = tcase_create("listpack");
    tcase_add_test(lp, test_lp_encodings);
    tcase_add_test(lp, test_lp_int_roundtrip);
    tcase_add_test(lp, test_lp_walk_big_entries);
    tcase_add_test(lp, test_lp_edits);
    tcase_add_test(lp, test_lp_validate_mutations);
    suite_add_tcase(s, lp);
    TCase *zl = tcase_create("ziplist");
    tcase_add_test(zl, test_ziplist_reader);
    suite_add_tcase(s, zl);
    TCase *ql = tcase_create("quicklist");
    tcase_add_test(ql, test_quicklist_fill);
    tcase_add_test(ql, test_quicklist_size_fill);
    suite_add_tcase(s, ql);
    return s;
}

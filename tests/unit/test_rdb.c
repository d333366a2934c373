/* test_rdb.c -- unit tests of the RDB module's SDK-free format pieces
 * (modules/rdb/rdb_pure.c): length prefixes, integer string encodings,
 * CRC-64/Jones, DUMP footers, type and module names, key rendering, LZF
 * length claims, save child outcomes and save points.  Expected bytes were
 * taken from redis-server 7.0.15 (DUMP replies and dump.rdb files).  Needs
 * only rdb_pure.c linked in. */
#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "../../modules/rdb/rdb_pure.h"

/* ---- lengths ----------------------------------------------------------------- */

START_TEST(test_len_encode_boundaries) {
    static const struct {
        uint64_t len;
        size_t n;
        unsigned char b[9];
    } v[] = {
        {0, 1, {0x00}},
        {63, 1, {0x3f}},
        {64, 2, {0x40, 0x40}},
        {16383, 2, {0x7f, 0xff}},
        {16384, 5, {0x80, 0x00, 0x00, 0x40, 0x00}},
        {UINT32_MAX, 5, {0x80, 0xff, 0xff, 0xff, 0xff}},
        {(uint64_t)UINT32_MAX + 1, 9, {0x81, 0, 0, 0, 1, 0, 0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        unsigned char out[RDB_LEN_MAX_BYTES];
        size_t n = rdb_len_encode(v[i].len, out);
        ck_assert_uint_eq(n, v[i].n);
        ck_assert_mem_eq(out, v[i].b, n);
        uint64_t back;
        int isenc;
        size_t used;
        ck_assert_int_eq(rdb_len_decode(out, n, &back, &isenc, &used), RDB_DEC_OK);
        ck_assert(back == v[i].len);
        ck_assert_int_eq(isenc, 0);
        ck_assert_uint_eq(used, n);
    }
}
END_TEST

START_TEST(test_len_decode_short_bad_encoded) {
    uint64_t len;
    int isenc;
    size_t used;
    const unsigned char two[] = {0x40}, four[] = {0x80, 0, 0}, bad[] = {0x82};
    ck_assert_int_eq(rdb_len_decode(two, 0, &len, &isenc, &used), RDB_DEC_SHORT);
    ck_assert_int_eq(rdb_len_decode(two, 1, &len, &isenc, &used), RDB_DEC_SHORT);
    ck_assert_int_eq(rdb_len_decode(four, 3, &len, &isenc, &used), RDB_DEC_SHORT);
    ck_assert_int_eq(rdb_len_decode(bad, 1, &len, &isenc, &used), RDB_DEC_BAD);
    const unsigned char lzf[] = {0xc3};
    ck_assert_int_eq(rdb_len_decode(lzf, 1, &len, &isenc, &used), RDB_DEC_OK);
    ck_assert_int_eq(isenc, 1);
    ck_assert(len == RDB_ENC_LZF);
}
END_TEST

/* ---- integers ----------------------------------------------------------------- */

START_TEST(test_int_encode_ranges) {
    static const struct {
        long long v;
        size_t n;
        unsigned char b[5];
    } v[] = {
        {0, 2, {0xc0, 0x00}},
        {1, 2, {0xc0, 0x01}},
        {-1, 2, {0xc0, 0xff}},
        {127, 2, {0xc0, 0x7f}},
        {-128, 2, {0xc0, 0x80}},
        {128, 3, {0xc1, 0x80, 0x00}},
        {300, 3, {0xc1, 0x2c, 0x01}},
        {-32768, 3, {0xc1, 0x00, 0x80}},
        {32768, 5, {0xc2, 0x00, 0x80, 0x00, 0x00}},
        {INT32_MAX, 5, {0xc2, 0xff, 0xff, 0xff, 0x7f}},
        {INT32_MIN, 5, {0xc2, 0x00, 0x00, 0x00, 0x80}},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        unsigned char out[5];
        ck_assert_uint_eq(rdb_int_encode(v[i].v, out), v[i].n);
        ck_assert_mem_eq(out, v[i].b, v[i].n);
    }
    unsigned char out[5];
    ck_assert_uint_eq(rdb_int_encode((long long)INT32_MAX + 1, out), 0);
    ck_assert_uint_eq(rdb_int_encode((long long)INT32_MIN - 1, out), 0);
    ck_assert_uint_eq(rdb_int_encode(LLONG_MAX, out), 0);
}
END_TEST

START_TEST(test_try_int_string) {
    unsigned char out[5];
    ck_assert_uint_eq(rdb_try_int_string("1", 1, out), 2);
    ck_assert_uint_eq(rdb_try_int_string("-2147483648", 11, out), 5);
    /* Integer text, but wider than 32 bits or than 11 bytes: kept as text. */
    ck_assert_uint_eq(rdb_try_int_string("12345678901", 11, out), 0);
    ck_assert_uint_eq(rdb_try_int_string("000000000001", 12, out), 0);
    static const char *no[] = {"", "-", "-0", "01", "+1", " 1", "1 ", "1.5", "0x1"};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        ck_assert_msg(rdb_try_int_string(no[i], strlen(no[i]), out) == 0, "%s", no[i]);
    ck_assert_uint_eq(rdb_try_int_string("1\0", 2, out), 0);
}
END_TEST

START_TEST(test_str2ll_and_back) {
    static const long long v[] = {0, 1, -1, 9999, -10000, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char buf[24];
        size_t n = rdb_ll2str(buf, v[i]);
        long long back = 42;
        ck_assert_int_eq(rdb_str2ll(buf, n, &back), 1);
        ck_assert(back == v[i]);
    }
    ck_assert_int_eq(rdb_str2ll("9223372036854775808", 19, NULL), 0);
    ck_assert_int_eq(rdb_str2ll("-9223372036854775809", 20, NULL), 0);
}
END_TEST

/* ---- CRC64 and DUMP footers ------------------------------------------------------ */

START_TEST(test_crc64_vectors) {
    ck_assert(rdb_crc64(0, "123456789", 9) == UINT64_C(0xe9c6d914c4b8d9ca));
    ck_assert(rdb_crc64(0, "", 0) == 0);
    /* Incremental sums equal one-shot sums, at every split (slicing by 8). */
    const char *text = "The quick brown fox jumps over the lazy dog, twice over.";
    size_t n = strlen(text);
    uint64_t whole = rdb_crc64(0, text, n);
    for (size_t cut = 0; cut <= n; cut++)
        ck_assert(rdb_crc64(rdb_crc64(0, text, cut), text + cut, n - cut) == whole);
}
END_TEST

/* DUMP replies of redis-server 7.0.15: SET a 1, and 30 times "x". */
static const unsigned char dump_int[] = {0x00, 0xc0, 0x01, 0x0a, 0x00, 0x26, 0x78,
                                         0xe7, 0xb6, 0xd1, 0x01, 0x11, 0xfc};
static const unsigned char dump_lzf[] = {0x00, 0xc3, 0x09, 0x1e, 0x01, 0x78, 0x78, 0xe0,
                                         0x11, 0x00, 0x01, 0x78, 0x78, 0x0a, 0x00, 0xf0,
                                         0x67, 0x3f, 0xdf, 0x20, 0x01, 0xeb, 0x95};

START_TEST(test_dump_footer_matches_redis) {
    unsigned char f[RDB_DUMP_FOOTER];
    rdb_dump_footer(dump_int, 3, f);
    ck_assert_mem_eq(f, dump_int + 3, RDB_DUMP_FOOTER);
    rdb_dump_footer(dump_lzf, sizeof(dump_lzf) - RDB_DUMP_FOOTER, f);
    ck_assert_mem_eq(f, dump_lzf + sizeof(dump_lzf) - RDB_DUMP_FOOTER, RDB_DUMP_FOOTER);
    ck_assert_int_eq(rdb_dump_verify(dump_int, sizeof(dump_int)), 1);
    ck_assert_int_eq(rdb_dump_verify(dump_lzf, sizeof(dump_lzf)), 1);
}
END_TEST

START_TEST(test_dump_verify_rejects) {
    unsigned char p[sizeof(dump_int)];
    memcpy(p, dump_int, sizeof(p));
    p[2] ^= 1; /* the value */
    ck_assert_int_eq(rdb_dump_verify(p, sizeof(p)), 0);
    memcpy(p, dump_int, sizeof(p));
    p[sizeof(p) - 1] ^= 0x80; /* the CRC */
    ck_assert_int_eq(rdb_dump_verify(p, sizeof(p)), 0);
    ck_assert_int_eq(rdb_dump_verify(dump_int, 9), 0); /* no room for a footer */
    /* A newer RDB version is refused even with a matching CRC. */
    unsigned char newer[3 + RDB_DUMP_FOOTER] = {0x00, 0xc0, 0x01};
    rdb_dump_footer(newer, 3, newer + 3);
    newer[3] = RDB_VERSION + 1;
    rdb_put_le64(newer + 5, rdb_crc64(0, newer, 5));
    ck_assert_int_eq(rdb_dump_verify(newer, sizeof(newer)), 0);
    /* An older one is fine. */
    newer[3] = 9;
    rdb_put_le64(newer + 5, rdb_crc64(0, newer, 5));
    ck_assert_int_eq(rdb_dump_verify(newer, sizeof(newer)), 1);
}
END_TEST

/* ---- names --------------------------------------------------------------------- */

START_TEST(test_type_names) {
    ck_assert_str_eq(rdb_type_desc(0), "string");
    ck_assert_str_eq(rdb_type_desc(18), "quicklist v2");
    ck_assert_str_eq(rdb_type_kind(18), "list");
    ck_assert_str_eq(rdb_type_kind(16), "hash");
    ck_assert_str_eq(rdb_type_kind(17), "zset");
    ck_assert_str_eq(rdb_type_kind(11), "set");
    ck_assert_str_eq(rdb_type_kind(19), "stream");
    ck_assert_str_eq(rdb_type_kind(7), "module");
    ck_assert_ptr_null(rdb_type_desc(8));
    ck_assert_ptr_null(rdb_type_desc(20));
    ck_assert_ptr_null(rdb_type_desc(-1));
}
END_TEST

START_TEST(test_module_type_name) {
    static const char cset[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *want = "ReJSON-RL";
    uint64_t id = 0;
    for (int i = 0; i < 9; i++) id = (id << 6) | (uint64_t)(strchr(cset, want[i]) - cset);
    id = (id << 10) | 3;
    char name[10];
    int ver;
    rdb_module_type_name(id, name, &ver);
    ck_assert_str_eq(name, want);
    ck_assert_int_eq(ver, 3);
}
END_TEST

START_TEST(test_repr) {
    char out[32];
    rdb_repr(out, sizeof(out), "key", 3);
    ck_assert_str_eq(out, "key");
    rdb_repr(out, sizeof(out), "a\nb'\\\0", 6);
    ck_assert_str_eq(out, "a\\x0ab\\x27\\x5c\\x00");
    char longkey[100];
    memset(longkey, 'k', sizeof(longkey));
    rdb_repr(out, 12, longkey, sizeof(longkey));
    ck_assert_str_eq(out, "kkkkkkkk...");
}
END_TEST

/* ---- save points --------------------------------------------------------------- */

START_TEST(test_savepoints_parse) {
    rdb_savepoint sp[8];
    ck_assert_int_eq(rdb_parse_savepoints("3600 1 300 100 60 10000", sp, 8), 3);
    ck_assert(sp[1].seconds == 300 && sp[1].changes == 100);
    ck_assert_int_eq(rdb_parse_savepoints("", sp, 8), 0);
    ck_assert_int_eq(rdb_parse_savepoints("900", sp, 8), -1);
    ck_assert_int_eq(rdb_parse_savepoints("a b", sp, 8), -1);
    /* Counted in full, stored up to max. */
    sp[1].seconds = -5;
    ck_assert_int_eq(rdb_parse_savepoints("1 2 3 4", sp, 1), 2);
    ck_assert(sp[0].seconds == 1 && sp[0].changes == 2 && sp[1].seconds == -5);
}
END_TEST

START_TEST(test_savepoint_due) {
    rdb_savepoint sp = {.seconds = 60, .changes = 10};
    /* Enough changes, strictly more than `seconds` since the last save. */
    ck_assert(rdb_savepoint_due(&sp, 10, 1061, 1000, 0, 1, 5));
    ck_assert(!rdb_savepoint_due(&sp, 10, 1060, 1000, 0, 1, 5));
    ck_assert(!rdb_savepoint_due(&sp, 9, 2000, 1000, 0, 1, 5));
    /* After a failure, wait for the retry delay since the last try. */
    ck_assert(!rdb_savepoint_due(&sp, 10, 2000, 1000, 1997, 0, 5));
    ck_assert(rdb_savepoint_due(&sp, 10, 2000, 1000, 1994, 0, 5));
}
END_TEST

/* ---- LZF records and save child outcomes -------------------------------------- */

START_TEST(test_lzf_claim) {
    /* Redis 7.0.15 RESTOREs these as "" (checked against redis-server):
     * 0 bytes claimed from 0, 1 or 2 compressed bytes, garbage or not. */
    ck_assert_int_eq(rdb_lzf_claim(0, 0), RDB_LZF_EMPTY);
    ck_assert_int_eq(rdb_lzf_claim(2, 0), RDB_LZF_EMPTY);
    ck_assert_int_eq(rdb_lzf_claim(UINT64_MAX, 0), RDB_LZF_EMPTY);
    /* Bytes claimed from nothing: "Bad data format" in Redis too. */
    ck_assert_int_eq(rdb_lzf_claim(0, 1), RDB_LZF_IMPOSSIBLE);
    /* 3-byte back-references expand 88 times at most. */
    ck_assert_int_eq(rdb_lzf_claim(10, 888), RDB_LZF_DECOMPRESS);
    ck_assert_int_eq(rdb_lzf_claim(10, 889), RDB_LZF_IMPOSSIBLE);
    ck_assert_int_eq(rdb_lzf_claim((uint64_t)UINT_MAX + 1, 30), RDB_LZF_IMPOSSIBLE);
    ck_assert_int_eq(rdb_lzf_claim(21, 25), RDB_LZF_DECOMPRESS);
}
END_TEST

START_TEST(test_child_end_from_report) {
    rdb_child_end e = rdb_child_end_from_report(1, 1, 0, 0);
    ck_assert(e.exitcode == 0 && e.bysignal == 0);
    e = rdb_child_end_from_report(1, 0, 0, 0);
    ck_assert(e.exitcode == 1 && e.bysignal == 0);
    /* A signal the child caught and reported before dying of it. */
    e = rdb_child_end_from_report(1, 0, SIGXFSZ, 0);
    ck_assert(e.exitcode == -1 && e.bysignal == SIGXFSZ);
    /* No report: the one signal it cannot catch, or our own stop. */
    e = rdb_child_end_from_report(0, 0, 0, 0);
    ck_assert(e.exitcode == -1 && e.bysignal == SIGKILL);
    e = rdb_child_end_from_report(0, 0, 0, 1);
    ck_assert(e.exitcode == -1 && e.bysignal == SIGUSR1);
}
END_TEST

Suite *rdb_suite(void) {
    Suite *s = suite_create("rdb");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_len_encode_boundaries);
    tcase_add_test(tc, test_len_decode_short_bad_encoded);
    tcase_add_test(tc, test_int_encode_ranges);
    tcase_add_test(tc, test_try_int_string);
    tcase_add_test(tc, test_str2ll_and_back);
    tcase_add_test(tc, test_crc64_vectors);
    tcase_add_test(tc, test_dump_footer_matches_redis);
    tcase_add_test(tc, test_dump_verify_rejects);
    tcase_add_test(tc, test_type_names);
    tcase_add_test(tc, test_module_type_name);
    tcase_add_test(tc, test_repr);
    tcase_add_test(tc, test_savepoints_parse);
    tcase_add_test(tc, test_savepoint_due);
    tcase_add_test(tc, test_lzf_claim);
    tcase_add_test(tc, test_child_end_from_report);
    suite_add_tcase(s, tc);
    return s;
}

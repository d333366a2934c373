/* test_splitargs.c -- core/splitargs.c: Redis's sdssplitargs rules.
 *
 * Each case gives the line and the expected tokens joined with '|' (or NULL
 * for "unbalanced quotes").  Outputs of the inline-command cases were checked
 * against redis-server 7.0.15 with ECHO. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "splitargs.h"

/* Tokens joined with '|'; NULL when splitting failed.  Caller frees. */
static char *joined(const char *line, size_t len, int *argc_out)
{
    int argc = -1;
    fr_str **v = fr_splitargs(line, len, &argc);
    *argc_out = argc;
    if (!v) return NULL;
    size_t total = 1;
    for (int i = 0; i < argc; i++) total += v[i]->len + 1;
    char *out = calloc(1, total), *w = out;
    for (int i = 0; i < argc; i++) {
        if (i) *w++ = '|';
        memcpy(w, v[i]->buf, v[i]->len);
        w += v[i]->len;
    }
    fr_splitargs_free(v, argc);
    return out;
}

static void expect(const char *line, const char *want, int want_argc)
{
    int argc;
    char *got = joined(line, strlen(line), &argc);
    if (!want) {
        ck_assert_msg(got == NULL, "[%s] should fail, got [%s]", line, got ? got : "");
        ck_assert_int_eq(argc, 0);
        return;
    }
    ck_assert_msg(got != NULL, "[%s] failed", line);
    ck_assert_msg(strcmp(got, want) == 0, "[%s] -> [%s], want [%s]", line, got, want);
    ck_assert_int_eq(argc, want_argc);
    free(got);
}

START_TEST(test_plain_tokens)
{
    expect("", "", 0);
    expect("   \t\r\n ", "", 0);
    expect("set foo bar", "set|foo|bar", 3);
    expect("  set   foo\tbar  ", "set|foo|bar", 3);
    expect("a\rb\nc", "a|b|c", 3);
    expect("a\vb", "a\vb", 1);          /* \v ends no token ... */
    expect("\v\fa", "a", 1);            /* ... but is skipped between tokens */
    expect("a\fb c", "a\fb|c", 2);
}
END_TEST

START_TEST(test_double_quotes)
{
    expect("\"hello world\"", "hello world", 1);
    expect("\"\"", "", 1);
    expect("\"a\\nb\\rc\\td\\be\\af\"", "a\nb\rc\td\be\af", 1);
    expect("\"\\\\ \\\" \\q\"", "\\ \" q", 1);
    expect("\"\\x41\\x4a\\x4A\"", "AJJ", 1);
    expect("\"\\xZZ\"", "xZZ", 1);             /* not hex: plain escape of 'x' */
    expect("\"\\x4\"", "x4", 1);
    expect("ab\"c d\"", "abc d", 1);           /* quote opens mid-token */
    expect("\"a\" \"b\"", "a|b", 2);
    expect("\"a\"\tb", "a|b", 2);
    expect("\"a\"\vb", "a|b", 2);              /* isspace() after the quote */
    expect("\"abc", NULL, 0);
    expect("\"a\"b", NULL, 0);
    expect("\"a\"\"b\"", NULL, 0);
    expect("\"abc\\", NULL, 0);                /* backslash at the very end */
    expect("x \"unterminated", NULL, 0);
}
END_TEST

START_TEST(test_single_quotes)
{
    expect("'hello world'", "hello world", 1);
    expect("'it\\'s'", "it's", 1);
    expect("'a\\nb'", "a\\nb", 1);             /* no other escapes */
    expect("'a\\\\b'", "a\\\\b", 1);
    expect("'\"'", "\"", 1);
    expect("'a'b", NULL, 0);
    expect("'abc", NULL, 0);
    expect("'abc\\'", NULL, 0);
}
END_TEST

START_TEST(test_binary_and_bounds)
{
    int argc;
    /* \x00 produces a NUL inside a token. */
    fr_str **v = fr_splitargs("\"a\\x00b\" c", 10, &argc);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(argc, 2);
    ck_assert_uint_eq(v[0]->len, 3);
    ck_assert(memcmp(v[0]->buf, "a\0b", 3) == 0);
    ck_assert_str_eq(v[1]->buf, "c");
    fr_splitargs_free(v, argc);

    /* A raw NUL ends the line, as it ends Redis's C string. */
    v = fr_splitargs("a b\0c d", 7, &argc);
    ck_assert_int_eq(argc, 2);
    ck_assert_str_eq(v[1]->buf, "b");
    fr_splitargs_free(v, argc);

    /* Nothing past len is read: an open quote there stays open. */
    v = fr_splitargs("ab\"cd\"", 4, &argc);
    ck_assert_ptr_null(v);
    v = fr_splitargs("abcdef", 3, &argc);
    ck_assert_int_eq(argc, 1);
    ck_assert_str_eq(v[0]->buf, "abc");
    fr_splitargs_free(v, argc);

    /* High bytes are ordinary. */
    v = fr_splitargs("\xff\x80 \"\xfe\"", 7, &argc);
    ck_assert_int_eq(argc, 2);
    ck_assert_str_eq(v[0]->buf, "\xff\x80");
    ck_assert_str_eq(v[1]->buf, "\xfe");
    fr_splitargs_free(v, argc);

    fr_splitargs_free(NULL, 0);
}
END_TEST

START_TEST(test_many_tokens)
{
    enum { N = 5000 };
    static char line[N * 2];
    for (int i = 0; i < N; i++) {
        line[2 * i] = (char)('a' + i % 26);
        line[2 * i + 1] = ' ';
    }
    int argc;
    fr_str **v = fr_splitargs(line, sizeof(line), &argc);
    ck_assert_int_eq(argc, N);
    ck_assert_str_eq(v[0]->buf, "a");
    ck_assert_str_eq(v[N - 1]->buf, "h"); /* 'a' + 4999 % 26 */
    fr_splitargs_free(v, argc);
}
END_TEST

Suite *splitargs_suite(void)
{
    Suite *s = suite_create("splitargs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_plain_tokens);
    tcase_add_test(tc, test_double_quotes);
    tcase_add_test(tc, test_single_quotes);
    tcase_add_test(tc, test_binary_and_bounds);
    tcase_add_test(tc, test_many_tokens);
    suite_add_tcase(s, tc);
    return s;
}

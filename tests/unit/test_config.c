/* test_config.c -- config loading: each refusal names file:line, values are
 * typed as Redis types them, and CONFIG SET of several directives is atomic. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "runtime.h"

static char path[64];

static void write_conf(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/fr-test-conf-%d.conf", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    fr_config_init_defaults();
    fr_cfg.loglevel = FR_LOG_WARNING + 1; /* keep the test output quiet */
}

static int load(const char *text, char *err, size_t errlen)
{
    write_conf(text);
    err[0] = '\0';
    int rc = fr_config_load(path, 0, NULL, err, errlen);
    unlink(path);
    return rc;
}

static void expect_refusal(const char *text, int line, const char *what)
{
    char err[1024], want[256];
    ck_assert_int_eq(load(text, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:%d: ", path, line);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', want prefix '%s'", err, want);
    ck_assert_msg(strstr(err, what) != NULL, "got '%s', want '%s' in it", err, what);
}

START_TEST(values_are_typed)
{
    char err[1024];
    ck_assert_int_eq(load("port 7001\nhz 25\nproto-max-bulk-len 2mb\nprotected-mode no\nloglevel warning\n", err,
                          sizeof(err)), 0);
    ck_assert_int_eq(fr_cfg.port, 7001);
    ck_assert_int_eq(fr_cfg.hz, 25);
    ck_assert_int_eq(fr_cfg.proto_max_bulk_len, 2 * 1024 * 1024);
    ck_assert_int_eq(fr_cfg.protected_mode, 0);
    ck_assert_int_eq(fr_cfg.loglevel, FR_LOG_WARNING);
}
END_TEST

START_TEST(refuses_bad_port)
{
    expect_refusal("# comment\n\nport 70000\n", 3, "argument must be between 0 and 65535 inclusive");
}
END_TEST

START_TEST(refuses_bad_bool)
{
    expect_refusal("protected-mode maybe\n", 1, "argument must be 'yes' or 'no'");
}
END_TEST

START_TEST(refuses_bad_memory)
{
    expect_refusal("port 7000\nproto-max-bulk-len 12parsecs\n", 2, "argument must be a memory value");
}
END_TEST

START_TEST(refuses_bad_enum)
{
    expect_refusal("loglevel chatty\n", 1, "argument(s) must be one of the following: debug, verbose, notice, warning");
}
END_TEST

START_TEST(refuses_unbalanced_quotes)
{
    expect_refusal("logfile \"/tmp/x\n", 1, "Unbalanced quotes");
}
END_TEST

START_TEST(refuses_bad_module_mode)
{
    expect_refusal("module strings paranoid\n", 1, "module mode must be 'strict' or 'hardened'");
}
END_TEST

START_TEST(refuses_module_twice)
{
    expect_refusal("module abc\nport 7000\nmodule abc hardened\n", 3, "listed twice");
}
END_TEST

START_TEST(unknown_directive_refused_after_modules)
{
    char err[1024];
    ck_assert_int_eq(load("no-such-directive 1\n", err, sizeof(err)), 0); /* pass one keeps it */
    ck_assert_int_eq(fr_config_apply_pending(err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, ":1: >>> 'no-such-directive 1' Bad directive or wrong number of arguments") != NULL,
                  "got '%s'", err);
    fr_config_free_all();
}
END_TEST

START_TEST(config_set_is_atomic)
{
    const char *names[] = {"hz", "port"};
    const char *good[] = {"42", "7100"};
    const char *bad[] = {"43", "notaport"};
    const char *bad_name, *why;
    ck_assert_int_eq(fr_config_set_many(2, names, good, &bad_name, &why), 0);
    ck_assert_int_eq(fr_cfg.hz, 42);
    ck_assert_int_eq(fr_config_set_many(2, names, bad, &bad_name, &why), -1);
    ck_assert_str_eq(bad_name, "port");
    ck_assert_str_eq(why, "argument couldn't be parsed into an integer");
    ck_assert_int_eq(fr_cfg.hz, 42); /* rolled back */
    ck_assert_int_eq(fr_cfg.port, 7100);
    const char *imm[] = {"databases"};
    const char *v[] = {"4"};
    ck_assert_int_eq(fr_config_set_many(1, imm, v, &bad_name, &why), -1);
    ck_assert_str_eq(why, "can't set immutable config");
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, values_are_typed);
    tcase_add_test(tc, refuses_bad_port);
    tcase_add_test(tc, refuses_bad_bool);
    tcase_add_test(tc, refuses_bad_memory);
    tcase_add_test(tc, refuses_bad_enum);
    tcase_add_test(tc, refuses_unbalanced_quotes);
    tcase_add_test(tc, refuses_bad_module_mode);
    tcase_add_test(tc, refuses_module_twice);
    tcase_add_test(tc, unknown_directive_refused_after_modules);
    tcase_add_test(tc, config_set_is_atomic);
    suite_add_tcase(s, tc);
    return s;
}

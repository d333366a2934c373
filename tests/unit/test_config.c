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
    /* the built-in module too: which of two modes held would depend on order */
    expect_refusal("module core hardened\nmodule core strict\n", 2, "module 'core' listed twice (first at ");
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

/* ---- the vocabulary: Redis parameters nobody implements ---- */

static const char *get(const char *name, char *buf, size_t len)
{
    return fr_config_server_str(name, buf, len);
}

/* CONFIG SET of one parameter: NULL when accepted, else the error text. */
static const char *set1(const char *name, const char *value)
{
    const char *bad = NULL, *why = NULL;
    const char *names[] = {name};
    const char *values[] = {value};
    return fr_config_set_many(1, names, values, &bad, &why) ? (why ? why : "?") : NULL;
}

START_TEST(vocab_numbers_as_redis)
{
    char buf[256];
    ck_assert_ptr_null(set1("hash-max-ziplist-value", "1kb"));
    ck_assert_str_eq(get("hash-max-listpack-value", buf, sizeof(buf)), "1024");
    ck_assert_ptr_null(set1("hash-max-ziplist-value", "")); /* Redis reads "" as 0 */
    ck_assert_str_eq(get("hash-max-ziplist-value", buf, sizeof(buf)), "0");
    ck_assert_str_eq(set1("set-max-intset-entries", "-1"),
                     "argument must be between 0 and 9223372036854775807 inclusive"); /* unsigned */
    ck_assert_str_eq(set1("maxmemory-samples", "01"), "argument couldn't be parsed into an integer");
    ck_assert_str_eq(set1("maxmemory-clients", "101%"), "percentage argument must be less or equal to 100");
    ck_assert_str_eq(set1("maxmemory-clients", "x"), "argument must be a memory or percent value");
    ck_assert_ptr_null(set1("repl-backlog-size", "1"));
    ck_assert_str_eq(get("repl-backlog-size", buf, sizeof(buf)), "16384"); /* Redis's minimum */
    ck_assert_ptr_null(set1("list-max-ziplist-size", "-5"));
    ck_assert_str_eq(get("list-max-listpack-size", buf, sizeof(buf)), "-5");
}
END_TEST

START_TEST(vocab_specials_as_redis)
{
    char buf[256];
    ck_assert_ptr_null(set1("notify-keyspace-events", "EKgs$lhzxetd"));
    ck_assert_str_eq(get("notify-keyspace-events", buf, sizeof(buf)), "AKE");
    ck_assert_str_eq(set1("notify-keyspace-events", "Q"), "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    /* the core's filter reads the classes as FR_NOTIFY_* bits */
    ck_assert_ptr_null(set1("notify-keyspace-events", "Kx$n"));
    ck_assert_int_eq(fr_cfg.notify_keyspace_events,
                     FR_NOTIFY_KEYSPACE | FR_NOTIFY_EXPIRED | FR_NOTIFY_STRING | FR_NOTIFY_NEW);
    ck_assert_str_eq(get("notify-keyspace-events", buf, sizeof(buf)), "$xnK");
    ck_assert_ptr_null(set1("notify-keyspace-events", ""));
    ck_assert_int_eq(fr_cfg.notify_keyspace_events, 0);
    ck_assert_ptr_null(set1("shutdown-on-sigterm", "now save"));
    ck_assert_str_eq(get("shutdown-on-sigterm", buf, sizeof(buf)), "save now");
    ck_assert_str_eq(set1("shutdown-on-sigterm", "save nosave"),
                     "shutdown options SAVE and NOSAVE can't be used simultaneously");
    ck_assert_ptr_null(set1("latency-tracking-info-percentiles", "50.0 99.90"));
    ck_assert_str_eq(get("latency-tracking-info-percentiles", buf, sizeof(buf)), "50 99.9");
    ck_assert_str_eq(set1("oom-score-adj-values", "1 2"), "wrong number of arguments");
    ck_assert_ptr_null(set1("oom-score-adj", "relative"));
    ck_assert_str_eq(get("oom-score-adj", buf, sizeof(buf)), "yes"); /* one value, Redis shows the first */
    ck_assert_str_eq(set1("slaveof", "no one"), "can't set immutable config");
    ck_assert_str_eq(set1("proc-title-template", "{title}"), "template format is invalid or contains unknown variables");
}
END_TEST

START_TEST(vocab_refuses_lies)
{
    char buf[256];
    ck_assert_str_eq(set1("min-slaves-to-write", "1"), "min-replicas-to-write needs replication, which FrankenRedis does not implement");
    ck_assert_str_eq(get("min-replicas-to-write", buf, sizeof(buf)), "0"); /* kept */
    ck_assert_ptr_null(set1("min-replicas-to-write", "0")); /* the default is fine */
    ck_assert_str_eq(set1("activedefrag", "yes"),
                     "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified "
                     "Jemalloc like the one shipped by default with the Redis source distribution");
}
END_TEST

START_TEST(vocab_lines_in_pass_two)
{
    char err[1024];
    ck_assert_int_eq(load("save 900 1\nsave 300 10\nslave-priority 5\nlist-max-ziplist-entries 512\n", err,
                          sizeof(err)), 0);
    ck_assert_int_eq(fr_config_apply_pending(err, sizeof(err)), 0);
    char buf[256];
    ck_assert_str_eq(get("save", buf, sizeof(buf)), "900 1 300 10"); /* a later line adds points */
    ck_assert_str_eq(get("replica-priority", buf, sizeof(buf)), "5");
    fr_config_free_all();
    ck_assert_int_eq(load("port 7000\nreplicaof 10.0.0.1 6379\n", err, sizeof(err)), 0);
    ck_assert_int_eq(fr_config_apply_pending(err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, ":2: >>> 'replicaof 10.0.0.1 6379' replicaof needs replication") != NULL, "got %s", err);
    fr_config_free_all();
}
END_TEST

START_TEST(vocab_aliases_are_two_parameters)
{
    const char *bad = NULL, *why = NULL;
    const char *names[] = {"slave-priority", "replica-priority"};
    const char *values[] = {"1", "2"};
    ck_assert_int_eq(fr_config_set_many(2, names, values, &bad, &why), 0); /* as in Redis */
    const char *dup[] = {"slave-priority", "SLAVE-PRIORITY"};
    ck_assert_int_eq(fr_config_set_many(2, dup, values, &bad, &why), -1);
    ck_assert_str_eq(why, "duplicate parameter");
    const char *bad_val[] = {"x"};
    ck_assert_int_eq(fr_config_set_many(1, names, bad_val, &bad, &why), -1);
    ck_assert_str_eq(bad, "slave-priority"); /* named as asked */
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
    tcase_add_test(tc, vocab_numbers_as_redis);
    tcase_add_test(tc, vocab_specials_as_redis);
    tcase_add_test(tc, vocab_refuses_lies);
    tcase_add_test(tc, vocab_lines_in_pass_two);
    tcase_add_test(tc, vocab_aliases_are_two_parameters);
    suite_add_tcase(s, tc);
    return s;
}

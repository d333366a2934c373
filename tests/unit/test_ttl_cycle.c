/* test_ttl_cycle.c -- unit tests of the ttl module's SDK-free logic
 * (modules/ttl/ttl_pure.c): the active expire cycle's parameters, time
 * limits, fast-cycle gating, sampling bounds, stop rule and running averages
 * (checked against Redis 7.0.15's activeExpireCycle arithmetic), and the
 * EXPIRE family's option rules, expire arithmetic, NX/XX/GT/LT decisions,
 * TTL replies and hardened window (checked against redis-server 7.0.15).
 * Needs only ttl_pure.c linked in. */
#include <check.h>
#include <limits.h>

#include "../../modules/ttl/ttl_pure.h"

/* ---- cycle parameters ------------------------------------------------------ */

START_TEST(test_params_by_effort) {
    static const struct {
        long long effort;
        unsigned long keys, fast, perc, stale;
    } t[] = {
        {1, 20, 1000, 25, 10}, {2, 25, 1250, 27, 9}, {5, 40, 2000, 33, 6},
        {10, 65, 3250, 43, 1},
        /* out of range: clamped to 1..10 */
        {0, 20, 1000, 25, 10}, {-7, 20, 1000, 25, 10}, {11, 65, 3250, 43, 1},
        {LLONG_MAX, 65, 3250, 43, 1},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ttlp_params p = ttlp_cycle_params(t[i].effort);
        ck_assert_uint_eq(p.keys_per_loop, t[i].keys);
        ck_assert_uint_eq(p.fast_duration_us, t[i].fast);
        ck_assert_uint_eq(p.slow_time_perc, t[i].perc);
        ck_assert_uint_eq(p.acceptable_stale, t[i].stale);
    }
}
END_TEST

START_TEST(test_timelimit) {
    ttlp_params p1 = ttlp_cycle_params(1), p10 = ttlp_cycle_params(10);
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 10, 0), 25000);
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 1, 0), 250000);
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 100, 0), 2500);
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 500, 0), 500);
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 3, 0), 83333);
    ck_assert_int_eq(ttlp_timelimit_us(&p10, 10, 0), 43000);
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 0, 0), 250000); /* hz < 1 -> 1 */
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 1000000000LL, 0), 1); /* >= 1 */
    ck_assert_int_eq(ttlp_timelimit_us(&p1, 10, 1), 1000);
    ck_assert_int_eq(ttlp_timelimit_us(&p10, 10, 1), 3250);
}
END_TEST

START_TEST(test_fast_gating) {
    ttlp_params p1 = ttlp_cycle_params(1), p10 = ttlp_cycle_params(10);
    /* No time-limited slow cycle: the stale fraction (< 1) never reaches
     * the percentage it is compared with, as in Redis. */
    ck_assert(!ttlp_fast_may_run(&p1, 0, 0.0, 1000000, 0));
    ck_assert(!ttlp_fast_may_run(&p1, 0, 0.99, 1000000, 0));
    ck_assert(ttlp_fast_may_run(&p1, 0, 10.0, 1000000, 0));
    ck_assert(!ttlp_fast_may_run(&p10, 0, 0.99, 1000000, 0));
    ck_assert(ttlp_fast_may_run(&p10, 0, 1.0, 1000000, 0));
    /* After one: runs, but not within twice the fast duration. */
    ck_assert(ttlp_fast_may_run(&p1, 1, 0.0, 1000000, 0));
    ck_assert(!ttlp_fast_may_run(&p1, 1, 0.0, 1001999, 1000000));
    ck_assert(ttlp_fast_may_run(&p1, 1, 0.0, 1002000, 1000000));
    ck_assert(!ttlp_fast_may_run(&p10, 1, 0.0, 1006499, 1000000));
    ck_assert(ttlp_fast_may_run(&p10, 1, 0.0, 1006500, 1000000));
}
END_TEST

START_TEST(test_dbs_per_call) {
    ck_assert_int_eq(ttlp_dbs_per_call(16, 0), 16);
    ck_assert_int_eq(ttlp_dbs_per_call(1, 0), 1);
    ck_assert_int_eq(ttlp_dbs_per_call(1, 1), 1);
    ck_assert_int_eq(ttlp_dbs_per_call(64, 0), 16);
    ck_assert_int_eq(ttlp_dbs_per_call(64, 1), 64);
}
END_TEST

/* ---- sampling bounds --------------------------------------------------------- */

START_TEST(test_sparse_table) {
    ck_assert(!ttlp_table_too_sparse(0, 4));      /* minimum size: sample */
    ck_assert(ttlp_table_too_sparse(0, 8));
    ck_assert(!ttlp_table_too_sparse(1, 100));    /* exactly 1% */
    ck_assert(ttlp_table_too_sparse(1, 101));
    ck_assert(ttlp_table_too_sparse(1310, 131072));
    ck_assert(!ttlp_table_too_sparse(1311, 131072));
    ck_assert(!ttlp_table_too_sparse(100000, 131072));
}
END_TEST

START_TEST(test_sample_target_and_budget) {
    ttlp_params p1 = ttlp_cycle_params(1), p10 = ttlp_cycle_params(10);
    ck_assert_uint_eq(ttlp_sample_target(1, &p1), 1);
    ck_assert_uint_eq(ttlp_sample_target(19, &p1), 19);
    ck_assert_uint_eq(ttlp_sample_target(20, &p1), 20);
    ck_assert_uint_eq(ttlp_sample_target(1000000, &p1), 20);
    ck_assert_uint_eq(ttlp_sample_target(1000000, &p10), 65);
    ck_assert_uint_eq(ttlp_sample_target(ULLONG_MAX, &p1), 20);
    ck_assert_uint_eq(ttlp_bucket_budget(20), 400);
    ck_assert_uint_eq(ttlp_bucket_budget(65), 1300);
    ck_assert_uint_eq(ttlp_bucket_budget(3), 60);
}
END_TEST

START_TEST(test_time_check_every_16) {
    int due = 0;
    for (unsigned long i = 1; i <= 160; i++) due += ttlp_time_check_due(i);
    ck_assert_int_eq(due, 10);
    ck_assert(ttlp_time_check_due(16));
    ck_assert(!ttlp_time_check_due(15));
    ck_assert(!ttlp_time_check_due(17));
}
END_TEST

START_TEST(test_repeat_rule) {
    ttlp_params p1 = ttlp_cycle_params(1), p10 = ttlp_cycle_params(10);
    ck_assert(ttlp_repeat_db(0, 0, &p1));     /* nothing sampled: again */
    ck_assert(!ttlp_repeat_db(0, 20, &p1));
    ck_assert(!ttlp_repeat_db(2, 20, &p1));   /* 10% is acceptable */
    ck_assert(ttlp_repeat_db(3, 20, &p1));    /* 15% is not */
    ck_assert(ttlp_repeat_db(20, 20, &p1));
    ck_assert(!ttlp_repeat_db(1, 11, &p1));   /* 100/11 = 9 (integer) */
    ck_assert(!ttlp_repeat_db(1, 100, &p10)); /* effort 10: 1% is fine */
    ck_assert(ttlp_repeat_db(2, 100, &p10));
}
END_TEST

START_TEST(test_avg_ttl) {
    ck_assert_int_eq(ttlp_avg_ttl_update(0, 1000), 1000);      /* seeded */
    ck_assert_int_eq(ttlp_avg_ttl_update(100000, 50000), 99000);
    ck_assert_int_eq(ttlp_avg_ttl_update(100000, 100000), 100000);
    ck_assert_int_eq(ttlp_avg_ttl_update(49, 49), 0); /* integer steps */
    ck_assert_int_eq(ttlp_avg_ttl_update(0, 99), 50); /* 1*49 + 1 */
    /* Converges on a steady sample. */
    long long avg = 0;
    for (int i = 0; i < 2000; i++) avg = ttlp_avg_ttl_update(avg, 60000);
    ck_assert_int_eq(avg, 60000);
}
END_TEST

START_TEST(test_stale_perc) {
    ck_assert_double_eq_tol(ttlp_stale_update(0, 10, 20), 0.025, 1e-12);
    ck_assert_double_eq_tol(ttlp_stale_update(1.0, 0, 0), 0.95, 1e-12);
    ck_assert_double_eq_tol(ttlp_stale_update(0.5, 20, 20), 0.525, 1e-12);
    double s = 0;
    for (int i = 0; i < 500; i++) s = ttlp_stale_update(s, 20, 20);
    ck_assert(s > 0.99 && s <= 1.0);
}
END_TEST

/* ---- EXPIRE options and arithmetic ------------------------------------------ */

START_TEST(test_flag_words) {
    ck_assert_int_eq(ttlp_flag_word("nx"), TTLP_NX);
    ck_assert_int_eq(ttlp_flag_word("NX"), TTLP_NX);
    ck_assert_int_eq(ttlp_flag_word("xX"), TTLP_XX);
    ck_assert_int_eq(ttlp_flag_word("Gt"), TTLP_GT);
    ck_assert_int_eq(ttlp_flag_word("LT"), TTLP_LT);
    ck_assert_int_eq(ttlp_flag_word(""), 0);
    ck_assert_int_eq(ttlp_flag_word("nxx"), 0);
    ck_assert_int_eq(ttlp_flag_word("n"), 0);
    ck_assert_int_eq(ttlp_flag_word("EX"), 0);
}
END_TEST

START_TEST(test_flag_conflicts) {
    ck_assert_int_eq(ttlp_flags_check(0), TTLP_FLAGS_OK);
    ck_assert_int_eq(ttlp_flags_check(TTLP_NX), TTLP_FLAGS_OK);
    ck_assert_int_eq(ttlp_flags_check(TTLP_XX | TTLP_GT), TTLP_FLAGS_OK);
    ck_assert_int_eq(ttlp_flags_check(TTLP_XX | TTLP_LT), TTLP_FLAGS_OK);
    ck_assert_int_eq(ttlp_flags_check(TTLP_NX | TTLP_XX), TTLP_FLAGS_NX_CONFLICT);
    ck_assert_int_eq(ttlp_flags_check(TTLP_NX | TTLP_GT), TTLP_FLAGS_NX_CONFLICT);
    ck_assert_int_eq(ttlp_flags_check(TTLP_NX | TTLP_LT), TTLP_FLAGS_NX_CONFLICT);
    ck_assert_int_eq(ttlp_flags_check(TTLP_NX | TTLP_XX | TTLP_GT | TTLP_LT),
                     TTLP_FLAGS_NX_CONFLICT);
    ck_assert_int_eq(ttlp_flags_check(TTLP_GT | TTLP_LT), TTLP_FLAGS_GT_LT);
    ck_assert_int_eq(ttlp_flags_check(TTLP_XX | TTLP_GT | TTLP_LT), TTLP_FLAGS_GT_LT);
    ck_assert_str_eq(ttlp_flags_error(TTLP_FLAGS_NX_CONFLICT),
                     "NX and XX, GT or LT options at the same time are not compatible");
    ck_assert_str_eq(ttlp_flags_error(TTLP_FLAGS_GT_LT),
                     "GT and LT options at the same time are not compatible");
}
END_TEST

START_TEST(test_expire_when) {
    long long w = 0, now = 1700000000000LL;
    ck_assert_int_eq(ttlp_expire_when(100, 1, now, &w), 0);
    ck_assert(w == now + 100000);
    ck_assert_int_eq(ttlp_expire_when(-1, 1, now, &w), 0);
    ck_assert(w == now - 1000);
    ck_assert_int_eq(ttlp_expire_when(4102444800LL, 1, 0, &w), 0);
    ck_assert(w == 4102444800000LL);
    /* seconds: the unit conversion */
    ck_assert_int_eq(ttlp_expire_when(LLONG_MAX / 1000, 1, 0, &w), 0);
    ck_assert(w == LLONG_MAX / 1000 * 1000);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MAX / 1000 + 1, 1, 0, &w), -1);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MIN / 1000, 1, 0, &w), 0);
    ck_assert(w == LLONG_MIN / 1000 * 1000);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MIN / 1000 - 1, 1, 0, &w), -1);
    /* the addition of now */
    ck_assert_int_eq(ttlp_expire_when(LLONG_MAX / 1000, 1, now, &w), -1);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MAX, 0, 0, &w), 0);
    ck_assert(w == LLONG_MAX);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MAX, 0, 1, &w), -1);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MAX - 5, 0, 5, &w), 0);
    ck_assert(w == LLONG_MAX);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MIN, 0, 5, &w), 0);
    ck_assert(w == LLONG_MIN + 5);
    ck_assert_int_eq(ttlp_expire_when(LLONG_MIN, 0, -1, &w), -1);
}
END_TEST

START_TEST(test_conditions) {
    ck_assert(ttlp_condition_allows(0, 5, 10));
    ck_assert(ttlp_condition_allows(TTLP_NX, -1, 10));
    ck_assert(!ttlp_condition_allows(TTLP_NX, 5, 10));
    ck_assert(!ttlp_condition_allows(TTLP_XX, -1, 10));
    ck_assert(ttlp_condition_allows(TTLP_XX, 5, 10));
    /* GT: no TTL is infinite, so never greater; equal is not greater. */
    ck_assert(!ttlp_condition_allows(TTLP_GT, -1, 10));
    ck_assert(ttlp_condition_allows(TTLP_GT, 5, 10));
    ck_assert(!ttlp_condition_allows(TTLP_GT, 10, 10));
    ck_assert(!ttlp_condition_allows(TTLP_GT, 11, 10));
    /* LT: anything is less than infinite, even a past time. */
    ck_assert(ttlp_condition_allows(TTLP_LT, -1, 10));
    ck_assert(ttlp_condition_allows(TTLP_LT, -1, -1000));
    ck_assert(!ttlp_condition_allows(TTLP_LT, 5, 10));
    ck_assert(!ttlp_condition_allows(TTLP_LT, 10, 10));
    ck_assert(ttlp_condition_allows(TTLP_LT, 11, 10));
    ck_assert(!ttlp_condition_allows(TTLP_XX | TTLP_GT, -1, 10));
    ck_assert(ttlp_condition_allows(TTLP_XX | TTLP_GT, 5, 10));
    ck_assert(!ttlp_condition_allows(TTLP_XX | TTLP_LT, -1, 10));
    ck_assert(ttlp_condition_allows(TTLP_XX | TTLP_LT, 11, 10));
}
END_TEST

START_TEST(test_ttl_replies) {
    long long now = 1700000000000LL;
    for (int ms = 0; ms <= 1; ms++)
        for (int abs = 0; abs <= 1; abs++)
            ck_assert_int_eq(ttlp_ttl_reply(-1, now, ms, abs), -1);
    ck_assert_int_eq(ttlp_ttl_reply(now + 100000, now, 0, 0), 100);
    ck_assert_int_eq(ttlp_ttl_reply(now + 100000, now, 1, 0), 100000);
    ck_assert_int_eq(ttlp_ttl_reply(now + 499, now, 0, 0), 0);
    ck_assert_int_eq(ttlp_ttl_reply(now + 1499, now, 0, 0), 1);
    ck_assert_int_eq(ttlp_ttl_reply(now + 1500, now, 0, 0), 2);
    ck_assert_int_eq(ttlp_ttl_reply(now - 5, now, 1, 0), 0);
    ck_assert_int_eq(ttlp_ttl_reply(now - 5, now, 0, 0), 0);
    ck_assert_int_eq(ttlp_ttl_reply(4102444800123LL, now, 1, 1), 4102444800123LL);
    ck_assert_int_eq(ttlp_ttl_reply(4102444800499LL, now, 0, 1), 4102444800LL);
    ck_assert_int_eq(ttlp_ttl_reply(4102444800500LL, now, 0, 1), 4102444801LL);
    /* Near LLONG_MAX: Redis's (t+500)/1000, without the overflow. */
    ck_assert_int_eq(ttlp_ttl_reply(LLONG_MAX, now, 0, 1), 9223372036854776LL);
    ck_assert_int_eq(ttlp_ttl_reply(LLONG_MAX, now, 1, 1), LLONG_MAX);
    ck_assert_int_eq(ttlp_ttl_reply(LLONG_MAX, 1, 0, 0), 9223372036854776LL);
    /* Stored times before the epoch or far in the past read 0. */
    ck_assert_int_eq(ttlp_ttl_reply(-5, now, 1, 1), 0);
    ck_assert_int_eq(ttlp_ttl_reply(LLONG_MIN + 1, now, 1, 0), 0);
}
END_TEST

START_TEST(test_hardened_window) {
    long long now = 1700000000000LL;
    ck_assert_int_eq(ttlp_hardened_check(-1, now), TTLP_HARD_BEFORE_EPOCH);
    ck_assert_int_eq(ttlp_hardened_check(LLONG_MIN, now), TTLP_HARD_BEFORE_EPOCH);
    ck_assert_int_eq(ttlp_hardened_check(0, now), TTLP_HARD_OK);
    ck_assert_int_eq(ttlp_hardened_check(now + 1000, now), TTLP_HARD_OK);
    ck_assert_int_eq(ttlp_hardened_check(now + TTLP_HARD_HORIZON_MS, now),
                     TTLP_HARD_OK);
    ck_assert_int_eq(ttlp_hardened_check(now + TTLP_HARD_HORIZON_MS + 1, now),
                     TTLP_HARD_HORIZON);
    ck_assert_int_eq(ttlp_hardened_check(LLONG_MAX, now), TTLP_HARD_HORIZON);
    /* A clock near the end of time cannot overflow the comparison. */
    ck_assert_int_eq(ttlp_hardened_check(LLONG_MAX, LLONG_MAX - 1), TTLP_HARD_OK);
}
END_TEST

Suite *ttl_cycle_suite(void) {
    Suite *s = suite_create("ttl_cycle");
    TCase *cycle = tcase_create("cycle");
    tcase_add_test(cycle, test_params_by_effort);
    tcase_add_test(cycle, test_timelimit);
    tcase_add_test(cycle, test_fast_gating);
    tcase_add_test(cycle, test_dbs_per_call);
    suite_add_tcase(s, cycle);

    TCase *sampling = tcase_create("sampling");
    tcase_add_test(sampling, test_sparse_table);
    tcase_add_test(sampling, test_sample_target_and_budget);
    tcase_add_test(sampling, test_time_check_every_16);
    tcase_add_test(sampling, test_repeat_rule);
    tcase_add_test(sampling, test_avg_ttl);
    tcase_add_test(sampling, test_stale_perc);
    suite_add_tcase(s, sampling);

    TCase *cmds = tcase_create("commands");
    tcase_add_test(cmds, test_flag_words);
    tcase_add_test(cmds, test_flag_conflicts);
    tcase_add_test(cmds, test_expire_when);
    tcase_add_test(cmds, test_conditions);
    tcase_add_test(cmds, test_ttl_replies);
    tcase_add_test(cmds, test_hardened_window);
    suite_add_tcase(s, cmds);
    return s;
}

/* test_kv_access.c -- the access record of a key entry (core/kv.c): LRU
 * idle times as Redis 7.0 stores and estimates them (RESTORE IDLETIME's
 * wrap included), the LFU counter's decay and first increment, what an
 * overwrite keeps, and the mode flags the evict module sets.  Expected
 * values follow Redis 7.0.15's evict.c/object.c arithmetic. */
#include <check.h>
#include <string.h>

#include "keyspace.h"
#include "kv.h"

#define CLOCK_MAX 0xFFFFFFu

static fr_value entry(void)
{
    fr_value v;
    memset(&v, 0, sizeof(v));
    v.expire = -1;
    return v;
}

static unsigned minutes_now(void)
{
    return (unsigned)((fr_clock_unix() / 60) & 0xFFFF);
}

START_TEST(test_lru_idle_set_and_read)
{
    fr_keyspace_set_access(FR_ACCESS_LRU, 10, 1);
    fr_value v = entry();
    ck_assert_int_eq(fr_value_set_idle(&v, 10), 1);
    ck_assert_uint_eq(fr_value_idle_ms(&v), 10000);
    ck_assert_int_eq(fr_value_set_lfu(&v, 100), 0); /* LRU mode: FREQ ignored */
    ck_assert_int_eq(fr_value_lfu(&v), 0);
    fr_kv_touch(&v);
    ck_assert_uint_eq(fr_value_idle_ms(&v), 0);
}
END_TEST

/* An idle time past the clock's start wraps once by CLOCK_MAX, and the
 * estimate then counts across the wrap: c + 5 seconds idle reads back. */
START_TEST(test_lru_idle_wraps_as_redis)
{
    fr_keyspace_set_access(FR_ACCESS_LRU, 10, 1);
    fr_value v = entry();
    unsigned long long c = fr_clock_lru();
    ck_assert_int_eq(fr_value_set_idle(&v, (long long)c + 5), 1);
    ck_assert_uint_eq(v.lru, CLOCK_MAX - 5);
    ck_assert_uint_eq(fr_value_idle_ms(&v), (c + 5) * 1000);
    ck_assert_int_eq(fr_value_set_idle(&v, -1), 0);
}
END_TEST

START_TEST(test_lfu_decay)
{
    fr_keyspace_set_access(FR_ACCESS_LFU, 10, 1);
    fr_value v = entry();
    ck_assert_int_eq(fr_value_set_lfu(&v, 100), 1);
    ck_assert_int_eq(fr_value_lfu(&v), 100);
    ck_assert_int_eq(fr_value_set_idle(&v, 10), 0); /* LFU mode: IDLETIME ignored */
    v.lru = (((minutes_now() - 3) & 0xFFFF) << 8) | 10; /* 3 minutes ago, counter 10 */
    ck_assert_int_eq(fr_value_lfu(&v), 7);
    fr_keyspace_set_access(FR_ACCESS_LFU, 10, 2);
    ck_assert_int_eq(fr_value_lfu(&v), 9);
    fr_keyspace_set_access(FR_ACCESS_LFU, 10, 0); /* no decay */
    ck_assert_int_eq(fr_value_lfu(&v), 10);
    fr_keyspace_set_access(FR_ACCESS_LFU, 10, 1);
    v.lru = (((minutes_now() - 3) & 0xFFFF) << 8) | 2;
    ck_assert_int_eq(fr_value_lfu(&v), 0);
}
END_TEST

/* A new key starts at 5, and the first access from there always counts
 * (probability 1); the counter saturates at 255. */
START_TEST(test_lfu_fresh_and_first_touch)
{
    fr_keyspace_set_access(FR_ACCESS_LFU, 10, 1);
    fr_value v = entry();
    v.lru = fr_kv_access_fresh();
    ck_assert_int_eq(fr_value_lfu(&v), 5);
    fr_kv_touch(&v);
    ck_assert_int_eq(fr_value_lfu(&v), 6);
    fr_value_set_lfu(&v, 255);
    fr_kv_touch(&v);
    ck_assert_int_eq(fr_value_lfu(&v), 255);
}
END_TEST

START_TEST(test_overwrite_keeps_lfu_not_lru)
{
    fr_keyspace_set_access(FR_ACCESS_LFU, 10, 1);
    fr_value v = entry();
    fr_value_set_lfu(&v, 42);
    fr_kv_overwritten(&v);
    ck_assert_int_eq(fr_value_lfu(&v), 42);
    fr_keyspace_set_access(FR_ACCESS_LRU, 10, 1);
    fr_value_set_idle(&v, 50);
    fr_kv_overwritten(&v);
    ck_assert_uint_eq(fr_value_idle_ms(&v), 0);
}
END_TEST

START_TEST(test_access_mode_flags)
{
    fr_keyspace_set_access(FR_ACCESS_LFU | FR_ACCESS_UNSHARED, 3, 4);
    ck_assert_int_eq(fr_keyspace_access(), FR_ACCESS_LFU | FR_ACCESS_UNSHARED);
    ck_assert_int_eq(fr_keyspace.lfu_log_factor, 3);
    ck_assert_int_eq(fr_keyspace.lfu_decay_minutes, 4);
    fr_keyspace_set_access(FR_ACCESS_LRU | 0x40, -1, -1); /* unknown bits dropped, negatives clamped */
    ck_assert_int_eq(fr_keyspace_access(), FR_ACCESS_LRU);
    ck_assert_int_eq(fr_keyspace.lfu_log_factor, 0);
    ck_assert_int_eq(fr_keyspace.lfu_decay_minutes, 0);
    fr_keyspace_set_access(FR_ACCESS_LRU, 10, 1);
}
END_TEST

Suite *kv_access_suite(void);
Suite *kv_access_suite(void)
{
    Suite *s = suite_create("kv_access");
    TCase *tc = tcase_create("access");
    tcase_add_test(tc, test_lru_idle_set_and_read);
    tcase_add_test(tc, test_lru_idle_wraps_as_redis);
    tcase_add_test(tc, test_lfu_decay);
    tcase_add_test(tc, test_lfu_fresh_and_first_touch);
    tcase_add_test(tc, test_overwrite_keeps_lfu_not_lru);
    tcase_add_test(tc, test_access_mode_flags);
    suite_add_tcase(s, tc);
    return s;
}

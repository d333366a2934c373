/* test_bio.c -- core/bio.c's background queues and the allocator's count
 * of a helper thread's traffic (zmalloc.c).
 *
 * Jobs run in submission order on another thread; pending counts queued
 * plus running and drain waits for 0; freeing a queue runs what is left;
 * used_memory stays exact when the thread frees what the main thread
 * allocated. */
#include <check.h>
#include <pthread.h>
#include <unistd.h>

#include "base.h"

#define JOBS 200

static int order[JOBS];
static int next_slot;
static pthread_t main_thread;
static int ran_off_main;

static void record(void *arg)
{
    order[next_slot++] = (int)(intptr_t)arg;
    if (!pthread_equal(pthread_self(), main_thread)) ran_off_main++;
}

static void slow_record(void *arg)
{
    usleep(20000);
    record(arg);
}

START_TEST(test_bio_order_pending_drain)
{
    main_thread = pthread_self();
    next_slot = ran_off_main = 0;
    fr_bg_queue *q = fr_bg_queue_new("test-bio");
    fr_bg_submit(q, slow_record, (void *)(intptr_t)0);
    for (int i = 1; i < JOBS; i++) fr_bg_submit(q, record, (void *)(intptr_t)i);
    ck_assert_int_gt(fr_bg_pending(q), 0); /* the first job sleeps */
    fr_bg_drain(q);
    ck_assert_int_eq(fr_bg_pending(q), 0);
    ck_assert_int_eq(next_slot, JOBS);
    ck_assert_int_eq(ran_off_main, JOBS);
    for (int i = 0; i < JOBS; i++) ck_assert_int_eq(order[i], i);
    fr_bg_queue_free(q);
}
END_TEST

START_TEST(test_bio_free_runs_what_is_queued)
{
    main_thread = pthread_self();
    next_slot = ran_off_main = 0;
    fr_bg_queue *q = fr_bg_queue_new("test-bio");
    for (int i = 0; i < 5; i++) fr_bg_submit(q, slow_record, (void *)(intptr_t)i);
    fr_bg_queue_free(q);
    ck_assert_int_eq(next_slot, 5);
    /* no queue: inline, on this thread */
    fr_bg_submit(NULL, record, (void *)(intptr_t)5);
    ck_assert_int_eq(next_slot, 6);
    ck_assert_int_eq(ran_off_main, 5);
}
END_TEST

static void free_block(void *arg)
{
    fr_free(arg);
}

START_TEST(test_bio_memory_count)
{
    size_t before = fr_used_memory();
    fr_bg_queue *q = fr_bg_queue_new("test-bio");
    void *blocks[64];
    for (int i = 0; i < 64; i++) blocks[i] = fr_malloc(4096);
    ck_assert_uint_ge(fr_used_memory(), before + 64 * 4096);
    for (int i = 0; i < 64; i++) fr_bg_submit(q, free_block, blocks[i]);
    fr_bg_queue_free(q); /* the queue and its job nodes are freed too */
    ck_assert_uint_eq(fr_used_memory(), before);
}
END_TEST

Suite *bio_suite(void)
{
    Suite *s = suite_create("bio");
    TCase *tc = tcase_create("queues");
    tcase_add_test(tc, test_bio_order_pending_drain);
    tcase_add_test(tc, test_bio_free_runs_what_is_queued);
    tcase_add_test(tc, test_bio_memory_count);
    suite_add_tcase(s, tc);
    return s;
}

/* clock.c -- the core's one clock (base layer; which reading to use when is
 * in base.h).
 *
 * Invariants: the command clock is either 0 (no command running: a fresh
 * read each time) or the instant the running command started, so every
 * expiry check of one command, or of one EXEC, sees the same "now"; the
 * cached seconds never go backwards between two refreshes more than the
 * wall clock itself does; the LRU clock is seconds modulo 2^24, as Redis's
 * LRU_CLOCK_RESOLUTION of 1000 ms. */
#include <sys/time.h>

#include "base.h"

#define LRU_CLOCK_MAX ((1u << 24) - 1)

static long long cmd_time_ms;     /* 0: no command running */
static time_t cached_unix;
static long long lru_seconds;

uint64_t fr_clock_wall_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

uint64_t fr_clock_wall_ms(void)
{
    return fr_clock_wall_us() / 1000;
}

/* SDK: plain wall-clock reads, as they always were. */
uint64_t fr_ustime(void)
{
    return fr_clock_wall_us();
}

uint64_t fr_mstime(void)
{
    return fr_clock_wall_ms();
}

uint64_t fr_clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double (*loop_source)(void);

void fr_clock_set_loop_source(double (*loop_now)(void))
{
    loop_source = loop_now;
}

/* The loop's time once the protocol layer gave it (a per-wakeup watcher
 * cost more per request than this read); else a cache filled lazily, so
 * that a reader before the loop runs never sees 0. */
time_t fr_clock_unix(void)
{
    if (loop_source) return (time_t)loop_source();
    if (!cached_unix) cached_unix = (time_t)(fr_clock_wall_us() / 1000000);
    return cached_unix;
}

void fr_clock_cron_tick(long long now_ms)
{
    lru_seconds = now_ms / 1000;
    cached_unix = (time_t)(now_ms / 1000);
}

unsigned int fr_clock_lru(void)
{
    if (!lru_seconds) lru_seconds = (long long)fr_clock_wall_ms() / 1000;
    return (unsigned int)(lru_seconds & LRU_CLOCK_MAX);
}

void fr_clock_cmd_start_at(long long ms)
{
    cmd_time_ms = ms;
}

void fr_clock_cmd_start(void)
{
    cmd_time_ms = (long long)fr_clock_wall_ms();
}

void fr_clock_cmd_stop(void)
{
    cmd_time_ms = 0;
}

/* A command's handler runs (Redis's fixed_time_expire). */
int fr_clock_cmd_fixed(void)
{
    return cmd_time_ms != 0;
}

long long fr_clock_cmd_ms(void)
{
    return cmd_time_ms ? cmd_time_ms : (long long)fr_clock_wall_ms();
}

/* SDK: the keyspace's "now" (frozen during a command). */
long long fr_now_ms(void)
{
    return fr_clock_cmd_ms();
}

/* ttl_pure.c -- SDK-free logic of the ttl module (see ttl_pure.h).
 *
 * Owns the numbers: expire arithmetic, option rules, TTL replies and the
 * active expire cycle's parameters.  Invariants: no allocation, no clock, no
 * signed overflow on any input (Redis's own rounding of TTL on values near
 * LLONG_MAX is reproduced without the overflow). */
#include "ttl_pure.h"

#include <limits.h>
#include <strings.h>

/* ---- EXPIRE options ------------------------------------------------------ */

int ttlp_flag_word(const char *word) {
    if (!strcasecmp(word, "nx")) return TTLP_NX;
    if (!strcasecmp(word, "xx")) return TTLP_XX;
    if (!strcasecmp(word, "gt")) return TTLP_GT;
    if (!strcasecmp(word, "lt")) return TTLP_LT;
    return 0;
}

int ttlp_flags_check(int flags) {
    if ((flags & TTLP_NX) && (flags & (TTLP_XX | TTLP_GT | TTLP_LT)))
        return TTLP_FLAGS_NX_CONFLICT;
    if ((flags & TTLP_GT) && (flags & TTLP_LT)) return TTLP_FLAGS_GT_LT;
    return TTLP_FLAGS_OK;
}

const char *ttlp_flags_error(int code) {
    if (code == TTLP_FLAGS_NX_CONFLICT)
        return "NX and XX, GT or LT options at the same time are not compatible";
    return "GT and LT options at the same time are not compatible";
}

int ttlp_expire_when(long long v, int seconds, long long basetime_ms,
                     long long *when_ms) {
    if (seconds) {
        if (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000) return -1;
        v *= 1000;
    }
    if (basetime_ms >= 0 ? v > LLONG_MAX - basetime_ms
                         : v < LLONG_MIN - basetime_ms)
        return -1;
    *when_ms = v + basetime_ms;
    return 0;
}

int ttlp_condition_allows(int flags, long long current_ms, long long when_ms) {
    if ((flags & TTLP_NX) && current_ms != -1) return 0;
    if ((flags & TTLP_XX) && current_ms == -1) return 0;
    if ((flags & TTLP_GT) && (current_ms == -1 || when_ms <= current_ms))
        return 0;
    if ((flags & TTLP_LT) && current_ms != -1 && when_ms >= current_ms)
        return 0;
    return 1;
}

/* ms -> s rounded half up, for ms >= 0: (ms + 500) / 1000 without the sum. */
static long long ms_to_rounded_s(long long ms) {
    return ms / 1000 + (ms % 1000 >= 500);
}

long long ttlp_ttl_reply(long long expire_ms, long long now_ms, int output_ms,
                         int output_abs) {
    if (expire_ms == -1) return -1;
    long long ttl;
    if (output_abs) {
        ttl = expire_ms;
    } else if (__builtin_sub_overflow(expire_ms, now_ms, &ttl)) {
        ttl = expire_ms > now_ms ? LLONG_MAX : 0;
    }
    if (ttl < 0) ttl = 0;
    return output_ms ? ttl : ms_to_rounded_s(ttl);
}

/* ---- Hardened mode -------------------------------------------------------- */

int ttlp_hardened_check(long long when_ms, long long now_ms) {
    if (when_ms < 0) return TTLP_HARD_BEFORE_EPOCH;
    if (now_ms < LLONG_MAX - TTLP_HARD_HORIZON_MS &&
        when_ms > now_ms + TTLP_HARD_HORIZON_MS)
        return TTLP_HARD_HORIZON;
    return TTLP_HARD_OK;
}

/* ---- The active expire cycle ---------------------------------------------- */

ttlp_params ttlp_cycle_params(long long effort) {
    if (effort < 1) effort = 1;
    if (effort > 10) effort = 10;
    unsigned long e = (unsigned long)(effort - 1); /* 0..9 */
    ttlp_params p = {
        .keys_per_loop = TTLP_KEYS_PER_LOOP + TTLP_KEYS_PER_LOOP / 4 * e,
        .fast_duration_us = TTLP_FAST_DURATION_US + TTLP_FAST_DURATION_US / 4 * e,
        .slow_time_perc = TTLP_SLOW_TIME_PERC + 2 * e,
        .acceptable_stale = TTLP_ACCEPTABLE_STALE - e,
    };
    return p;
}

long long ttlp_timelimit_us(const ttlp_params *p, long long hz, int fast) {
    if (fast) return (long long)p->fast_duration_us;
    if (hz < 1) hz = 1;
    long long limit =
        (long long)(p->slow_time_perc * 1000000UL / (unsigned long)hz / 100);
    return limit > 0 ? limit : 1;
}

int ttlp_fast_may_run(const ttlp_params *p, int timelimit_exit,
                      double stale_perc, long long now_us,
                      long long last_fast_us) {
    if (!timelimit_exit && stale_perc < (double)p->acceptable_stale) return 0;
    if (now_us < last_fast_us + (long long)p->fast_duration_us * 2) return 0;
    return 1;
}

int ttlp_dbs_per_call(int dbnum, int timelimit_exit) {
    int n = TTLP_DBS_PER_CALL;
    if (n > dbnum || timelimit_exit) n = dbnum;
    return n;
}

int ttlp_table_too_sparse(unsigned long long keys, unsigned long long slots) {
    return slots > TTLP_TABLE_MIN_SLOTS && keys * 100 / slots < 1;
}

unsigned long ttlp_sample_target(unsigned long long keys, const ttlp_params *p) {
    return keys > p->keys_per_loop ? p->keys_per_loop : (unsigned long)keys;
}

unsigned long ttlp_bucket_budget(unsigned long target) {
    return target * TTLP_BUCKETS_PER_KEY;
}

int ttlp_time_check_due(unsigned long iteration) {
    return (iteration & 0xf) == 0;
}

int ttlp_repeat_db(unsigned long expired, unsigned long sampled,
                   const ttlp_params *p) {
    return sampled == 0 || expired * 100 / sampled > p->acceptable_stale;
}

long long ttlp_avg_ttl_update(long long old_avg, long long sample_avg) {
    if (old_avg == 0) old_avg = sample_avg;
    return (old_avg / 50) * 49 + sample_avg / 50;
}

double ttlp_stale_update(double old_perc, unsigned long expired,
                         unsigned long sampled) {
    double current = sampled ? (double)expired / (double)sampled : 0;
    return current * 0.05 + old_perc * 0.95;
}

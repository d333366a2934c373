/* ttl_pure.h -- the ttl module's logic that needs nothing from the core.
 *
 * Plain C on numbers and bytes (no fr_* call), so tests/unit/test_ttl_cycle.c
 * links ttl_pure.c alone.  It owns: the option grammar of EXPIRE & co
 * (NX XX GT LT and their conflicts), expire-time arithmetic with Redis 7.0's
 * overflow rules, the NX/XX/GT/LT decision, the TTL/PTTL/EXPIRETIME/
 * PEXPIRETIME reply value, the hardened-mode time window, and every number of
 * the active expire cycle: effort scaling, time limits, fast-cycle gating,
 * sampling bounds, running averages and the stop rule.
 *
 * Invariants: no function allocates or reads a clock (times come in as
 * arguments); all integer arithmetic is checked or arranged so it cannot
 * overflow, even where Redis's own C would. */
#ifndef FR_TTL_PURE_H
#define FR_TTL_PURE_H

/* ---- EXPIRE options ------------------------------------------------------ */
#define TTLP_NX (1 << 0)
#define TTLP_XX (1 << 1)
#define TTLP_GT (1 << 2)
#define TTLP_LT (1 << 3)

/* The flag an option word names (compared as a C string, any case), or 0. */
int ttlp_flag_word(const char *word);

/* Conflicts among the options given, checked in Redis's order. */
enum {
    TTLP_FLAGS_OK = 0,
    TTLP_FLAGS_NX_CONFLICT, /* NX with XX, GT or LT */
    TTLP_FLAGS_GT_LT        /* GT with LT */
};
int ttlp_flags_check(int flags);
const char *ttlp_flags_error(int code); /* error text for a non-OK code */

/* Absolute expire time in ms of argument value v: v is in seconds when
 * `seconds`, and relative to `basetime_ms` (0 for the *AT commands).
 * Returns 0 and sets *when_ms, or -1 where Redis answers "invalid expire
 * time" (the unit conversion or the addition would overflow). */
int ttlp_expire_when(long long v, int seconds, long long basetime_ms,
                     long long *when_ms);

/* Whether NX/XX/GT/LT let `when_ms` replace `current_ms` (-1: no TTL, which
 * GT and LT treat as infinite).  1 set it, 0 answer 0 and change nothing. */
int ttlp_condition_allows(int flags, long long current_ms, long long when_ms);

/* The reply of TTL (ms=0, abs=0), PTTL (1,0), EXPIRETIME (0,1) and
 * PEXPIRETIME (1,1) for a key whose expire time is `expire_ms` (-1: none).
 * Seconds are rounded to nearest, and a time already passed reads 0. */
long long ttlp_ttl_reply(long long expire_ms, long long now_ms, int output_ms,
                         int output_abs);

/* ---- Hardened mode --------------------------------------------------------
 * The window an expire time must fall in: not before the epoch, not more
 * than TTLP_HARD_HORIZON_MS after now.  Strict mode accepts everything. */
#define TTLP_HARD_HORIZON_MS 3155760000000LL /* 100 years of 365.25 days */
enum { TTLP_HARD_OK = 0, TTLP_HARD_BEFORE_EPOCH, TTLP_HARD_HORIZON };
int ttlp_hardened_check(long long when_ms, long long now_ms);

/* ---- The active expire cycle ---------------------------------------------
 * Redis 7.0's constants (expire.c, server.h) and the arithmetic around them.
 * `effort` is active-expire-effort (1..10; clamped). */
#define TTLP_KEYS_PER_LOOP 20       /* keys sampled per DB loop */
#define TTLP_FAST_DURATION_US 1000  /* one fast cycle */
#define TTLP_SLOW_TIME_PERC 25      /* share of a cron period, percent */
#define TTLP_ACCEPTABLE_STALE 10    /* percent of stale keys that is fine */
#define TTLP_DBS_PER_CALL 16        /* CRON_DBS_PER_CALL */
#define TTLP_TABLE_MIN_SLOTS 4      /* DICT_HT_INITIAL_SIZE */
#define TTLP_BUCKETS_PER_KEY 20     /* empty buckets visited per wanted key */

typedef struct ttlp_params {
    unsigned long keys_per_loop;
    unsigned long fast_duration_us;
    unsigned long slow_time_perc;
    unsigned long acceptable_stale;
} ttlp_params;

ttlp_params ttlp_cycle_params(long long effort);

/* Microseconds one cycle may run: a share of 1000000/hz for the slow cycle
 * (at least 1), the fast duration for the fast one. */
long long ttlp_timelimit_us(const ttlp_params *p, long long hz, int fast);

/* Whether a fast cycle may start now.  As in Redis, the stale estimate (a
 * fraction, 0..1) is compared with acceptable_stale (a percentage), so in
 * practice a fast cycle runs only after a slow one hit its time limit; and
 * never again within twice the fast duration. */
int ttlp_fast_may_run(const ttlp_params *p, int timelimit_exit,
                      double stale_perc, long long now_us,
                      long long last_fast_us);

/* DBs one cycle visits: all of them after a time-limited cycle. */
int ttlp_dbs_per_call(int dbnum, int timelimit_exit);

/* A table under 1% full is not worth sampling (it will be shrunk soon). */
int ttlp_table_too_sparse(unsigned long long keys, unsigned long long slots);

/* Keys to sample in one loop, and the bucket budget to find them in. */
unsigned long ttlp_sample_target(unsigned long long keys, const ttlp_params *p);
unsigned long ttlp_bucket_budget(unsigned long target);

/* The elapsed time is checked once every 16 loops. */
int ttlp_time_check_due(unsigned long iteration);

/* One more loop on the same DB while more than acceptable_stale percent of
 * the sample had expired (or nothing was sampled). */
int ttlp_repeat_db(unsigned long expired, unsigned long sampled,
                   const ttlp_params *p);

/* Running averages: the DB's avg_ttl (2% weight to the new sample; a zero
 * estimate is first seeded with the sample), the stale-key fraction (5%). */
long long ttlp_avg_ttl_update(long long old_avg, long long sample_avg);
double ttlp_stale_update(double old_perc, unsigned long expired,
                         unsigned long sampled);

#endif /* FR_TTL_PURE_H */

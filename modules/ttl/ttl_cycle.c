/* ttl_cycle.c -- active expiration, as Redis 7.0's activeExpireCycle runs it.
 *
 * The slow cycle runs from the cron hook (hz times a second) within a share
 * of the cron period; the fast cycle runs from before-sleep, only after a
 * slow cycle ran out of time, for at most ~1 ms.  Each visits up to 16 DBs
 * (all of them after a time-limited cycle), round robin, and per DB samples
 * keys-per-loop keys from the expires table by walking it with a cursor that
 * persists across cycles, deleting the due ones, repeating while more than
 * the acceptable share of the sample was stale.  All numbers come from
 * ttl_pure.c; this file only walks and deletes.
 *
 * Owns: the cycle's state (per-DB cursors, next DB, last fast cycle, whether
 * the last cycle hit its time limit, the stale-key estimate, the effort
 * parameters read at each slow cycle) and a scratch buffer of key copies.
 * Invariants: the expires table is never changed while fr_db_expires_scan
 * walks it -- due keys are copied into the scratch buffer during the walk
 * and deleted (fr_key_expire_if_due, which propagates DEL/UNLINK) after it;
 * the scratch buffer is empty between walks. */
#include "ttl_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define KEYBUF_KEEP (64 * 1024) /* scratch kept between walks, bytes */

static struct {
    int dbnum;
    unsigned long long *cursors; /* per DB, into its expires table */
    unsigned int current_db;     /* next DB to visit (mod dbnum) */
    int timelimit_exit;          /* the last cycle stopped on its time limit */
    long long last_fast_us;      /* start of the last fast cycle */
    double stale_perc;           /* running estimate, 0..1 */
    ttlp_params params;          /* from active-expire-effort */
    char *keybuf;                /* due keys of one walk step, as fr_str */
    size_t keybuf_used, keybuf_cap;
} cyc;

/* ---- Scratch copies of due keys ------------------------------------------- */

static size_t keyrec_size(size_t len) {
    size_t n = sizeof(fr_str) + len + 1;
    size_t a = _Alignof(fr_str);
    return (n + a - 1) / a * a;
}

static void keybuf_push(const fr_str *key) {
    size_t need = keyrec_size(key->len);
    if (cyc.keybuf_used + need > cyc.keybuf_cap) {
        size_t cap = cyc.keybuf_cap ? cyc.keybuf_cap * 2 : 1024;
        while (cap < cyc.keybuf_used + need) cap *= 2;
        cyc.keybuf = fr_realloc(cyc.keybuf, cap);
        cyc.keybuf_cap = cap;
    }
    fr_str *s = (fr_str *)(void *)(cyc.keybuf + cyc.keybuf_used);
    s->len = key->len;
    s->cap = key->len;
    memcpy(s->buf, key->buf, key->len);
    s->buf[key->len] = '\0';
    cyc.keybuf_used += need;
}

/* Delete the collected keys that are still due; empties the buffer. */
static unsigned long keybuf_expire(fr_db *db) {
    unsigned long expired = 0;
    size_t off = 0;
    while (off < cyc.keybuf_used) {
        const fr_str *s = (const fr_str *)(void *)(cyc.keybuf + off);
        expired += (unsigned long)fr_key_expire_if_due(NULL, db, s);
        off += keyrec_size(s->len);
    }
    cyc.keybuf_used = 0;
    if (cyc.keybuf_cap > KEYBUF_KEEP) {
        fr_free(cyc.keybuf);
        cyc.keybuf = NULL;
        cyc.keybuf_cap = 0;
    }
    return expired;
}

/* ---- One sampling loop over one DB ---------------------------------------- */

typedef struct sample {
    long long now_ms;
    unsigned long sampled;
    long long ttl_sum;  /* saturates rather than overflow */
    long ttl_samples;
} sample;

static void sample_cb(void *priv, const fr_str *key, long long when_ms) {
    sample *s = priv;
    long long ttl;
    if (__builtin_sub_overflow(when_ms, s->now_ms, &ttl)) ttl = -1;
    if (s->now_ms > when_ms) keybuf_push(key);
    if (ttl > 0) {
        if (__builtin_add_overflow(s->ttl_sum, ttl, &s->ttl_sum))
            s->ttl_sum = LLONG_MAX;
        s->ttl_samples++;
    }
    s->sampled++;
}

/* Sample up to keys-per-loop keys of DB `id` (holding `num` keys with a
 * TTL), deleting the due ones; updates the DB's avg_ttl.  Returns the
 * number deleted, *sampled the number looked at. */
static unsigned long sample_db(fr_db *db, int id, unsigned long long num,
                               unsigned long *sampled) {
    sample s = {.now_ms = fr_now_ms()};
    unsigned long target = ttlp_sample_target(num, &cyc.params);
    unsigned long budget = ttlp_bucket_budget(target);
    unsigned long expired = 0;
    for (unsigned long checked = 0; s.sampled < target && checked < budget;
         checked++) {
        cyc.cursors[id] = fr_db_expires_scan(db, cyc.cursors[id], sample_cb, &s);
        expired += keybuf_expire(db);
    }
    if (s.ttl_samples)
        fr_db_set_avg_ttl(db, ttlp_avg_ttl_update(fr_db_avg_ttl(db),
                                                  s.ttl_sum / s.ttl_samples));
    *sampled = s.sampled;
    return expired;
}

/* ---- One cycle ------------------------------------------------------------- */

typedef struct cycle_run {
    long long start_us, limit_us;
    unsigned long iteration;
    unsigned long expired, sampled; /* totals over all DBs */
} cycle_run;

/* Loops over one DB until few enough keys were stale or time ran out. */
static void expire_db(int id, cycle_run *r) {
    fr_db *db = fr_db_by_id(NULL, id);
    unsigned long expired, sampled;
    do {
        r->iteration++;
        unsigned long long num = (unsigned long long)fr_db_expires_count(db);
        if (num == 0) {
            fr_db_set_avg_ttl(db, 0);
            break;
        }
        if (ttlp_table_too_sparse(num, fr_db_expires_slots(db))) break;
        expired = sample_db(db, id, num, &sampled);
        r->expired += expired;
        r->sampled += sampled;
        if (ttlp_time_check_due(r->iteration) &&
            (long long)fr_ustime() - r->start_us > r->limit_us) {
            cyc.timelimit_exit = 1;
            break;
        }
    } while (ttlp_repeat_db(expired, sampled, &cyc.params));
}

/* A paused server keeps its keys until the pause lifts (Redis's rule). */
static void run_cycle(int fast) {
    if (fr_writes_paused()) return;
    long long start = (long long)fr_ustime();
    if (fast) {
        if (!ttlp_fast_may_run(&cyc.params, cyc.timelimit_exit, cyc.stale_perc,
                               start, cyc.last_fast_us))
            return;
        cyc.last_fast_us = start;
    }
    int dbs = ttlp_dbs_per_call(cyc.dbnum, cyc.timelimit_exit);
    cycle_run r = {
        .start_us = start,
        .limit_us = ttlp_timelimit_us(&cyc.params,
                                      fr_config_server_ll("hz", 10), fast),
    };
    cyc.timelimit_exit = 0;
    for (int j = 0; j < dbs && !cyc.timelimit_exit; j++)
        expire_db((int)(cyc.current_db++ % (unsigned)cyc.dbnum), &r);
    cyc.stale_perc = ttlp_stale_update(cyc.stale_perc, r.expired, r.sampled);
    long long elapsed = (long long)fr_ustime() - start;
    fr_stats_expire_cycle(cyc.stale_perc, cyc.timelimit_exit, elapsed);
    fr_latency_sample("expire-cycle", elapsed / 1000);
}

/* DEBUG SET-ACTIVE-EXPIRE <0|1> (ttl.yaml's `debug:`): 0 stops both
 * cycles, as Redis's active_expire_enabled; keys then expire only when
 * accessed.  Survives the module's re-initialisation within a process. */
static int active_enabled = 1;

void ttl_debug_set_active_expire(fr_ctx *ctx) {
    if (fr_argc(ctx) != 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    active_enabled = atoi(fr_arg(ctx, 2)->buf);
    fr_reply_ok(ctx);
}

/* ---- Hooks and lifetime ---------------------------------------------------- */

int ttl_on_cron(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    cyc.params = ttlp_cycle_params(ttl_conf_active_expire_effort());
    if (!active_enabled) return FR_OK;
    if (fr_keyspace_expires_here()) run_cycle(0);
    else fr_keyspace_expire_own_keys(); /* a replica: its master's DELs end the others */
    return FR_OK;
}

int ttl_on_before_sleep(const fr_hook_event *ev, void *priv) {
    (void)ev;
    (void)priv;
    if (active_enabled && fr_keyspace_expires_here()) run_cycle(1);
    return FR_OK;
}

int ttl_cycle_init(fr_module *m) {
    (void)m;
    memset(&cyc, 0, sizeof(cyc));
    cyc.dbnum = fr_db_count();
    if (cyc.dbnum < 1) return FR_ERR;
    cyc.cursors = fr_calloc(sizeof(*cyc.cursors) * (size_t)cyc.dbnum);
    cyc.params = ttlp_cycle_params(ttl_conf_active_expire_effort());
    return FR_OK;
}

void ttl_cycle_release(void) {
    fr_free(cyc.cursors);
    fr_free(cyc.keybuf);
    memset(&cyc, 0, sizeof(cyc));
}

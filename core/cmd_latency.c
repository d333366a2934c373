/* cmd_latency.c -- LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR/HISTOGRAM/HELP
 * with Redis 7.0.15's replies, over latency.c's events and the commands'
 * latency histograms.
 *
 * GRAPH draws Redis's sparkline (80 columns, 4 rows, filled, labels of the
 * samples' ages under it).  DOCTOR gives Redis's report head, one line
 * per event and the closing text; Redis's per-event advice is not given. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "commands.h"
#include "hist.h"

#define GRAPH_COLS 80
#define GRAPH_ROWS 4

static void reply_samples(fr_ctx *ctx, const fr_latency_series *s)
{
    void *len = fr_reply_deferred_len(ctx);
    long n = 0;
    for (int j = 0; j < FR_LATENCY_TS_LEN; j++) {
        int i = (s->idx + j) % FR_LATENCY_TS_LEN;
        if (!s->samples[i].time) continue;
        fr_reply_array(ctx, 2);
        fr_reply_long_long(ctx, s->samples[i].time);
        fr_reply_long_long(ctx, s->samples[i].latency);
        n++;
    }
    fr_reply_set_deferred_array(ctx, len, n);
}

void fr_cmd_latency_history(fr_ctx *ctx)
{
    const fr_latency_series *s = fr_latency_series_find(fr_arg(ctx, 2)->buf);
    if (s) reply_samples(ctx, s);
    else fr_reply_array(ctx, 0);
}

void fr_cmd_latency_latest(fr_ctx *ctx)
{
    long n = 0;
    for (const fr_latency_series *s = fr_latency_series_first(); s; s = s->next) n++;
    fr_reply_array(ctx, n);
    for (const fr_latency_series *s = fr_latency_series_first(); s; s = s->next) {
        int last = (s->idx + FR_LATENCY_TS_LEN - 1) % FR_LATENCY_TS_LEN;
        fr_reply_array(ctx, 4);
        fr_reply_bulk_cstr(ctx, s->event);
        fr_reply_long_long(ctx, s->samples[last].time);
        fr_reply_long_long(ctx, s->samples[last].latency);
        fr_reply_long_long(ctx, s->max);
    }
}

void fr_cmd_latency_reset(fr_ctx *ctx)
{
    if (fr_argc(ctx) == 2) {
        fr_reply_long_long(ctx, fr_latency_reset(NULL));
        return;
    }
    long long n = 0;
    for (int j = 2; j < fr_argc(ctx); j++) n += fr_latency_reset(fr_arg(ctx, j)->buf);
    fr_reply_long_long(ctx, n);
}

/* ------------------------------------------------------------- GRAPH */

typedef struct spark {
    double value[FR_LATENCY_TS_LEN];
    char label[FR_LATENCY_TS_LEN][24];
    int n;
    double min, max;
} spark;

static void spark_add(spark *sp, double v, const char *label)
{
    if (!sp->n) sp->min = sp->max = v;
    else if (v < sp->min) sp->min = v;
    else if (v > sp->max) sp->max = v;
    snprintf(sp->label[sp->n], sizeof(sp->label[0]), "%s", label);
    sp->value[sp->n++] = v;
}

/* Rows of "_o#" (and '|' below the top), then the labels vertically,
 * one blank row between, as Redis's sparklineRenderRange with FILL. */
static fr_str *spark_range(fr_str *out, const spark *sp, int offset, int len)
{
    static const char fill[] = "_o#";
    double relmax = sp->max - sp->min;
    int steps = 3 * GRAPH_ROWS;
    char chars[GRAPH_COLS];
    if (relmax == 0) relmax = 1;
    for (int row = 0;; row++) {
        int more = 0;
        memset(chars, ' ', (size_t)len);
        for (int j = 0; j < len; j++) {
            int step = (int)(((sp->value[j + offset] - sp->min) * steps) / relmax);
            if (step < 0) step = 0;
            if (step >= steps) step = steps - 1;
            if (row < GRAPH_ROWS) {
                int idx = step - (GRAPH_ROWS - row - 1) * 3;
                more = 1;
                if (idx >= 0 && idx < 3) chars[j] = fill[idx];
                else if (idx >= 3) chars[j] = '|';
            } else if (row - GRAPH_ROWS < 1) {
                more = 1;
                break;
            } else {
                const char *l = sp->label[j + offset];
                int at = row - GRAPH_ROWS - 1;
                if ((int)strlen(l) > at) {
                    more = 1;
                    chars[j] = l[at];
                }
            }
        }
        if (!more) return out;
        out = fr_str_cat(out, chars, (size_t)len);
        out = fr_str_cat(out, "\n", 1);
    }
}

static void age_label(long long secs, char *buf, size_t len)
{
    if (secs < 60) snprintf(buf, len, "%llds", secs);
    else if (secs < 3600) snprintf(buf, len, "%lldm", secs / 60);
    else if (secs < 86400) snprintf(buf, len, "%lldh", secs / 3600);
    else snprintf(buf, len, "%lldd", secs / 86400);
}

void fr_cmd_latency_graph(fr_ctx *ctx)
{
    const char *event = fr_arg(ctx, 2)->buf;
    const fr_latency_series *s = fr_latency_series_find(event);
    if (!s) {
        fr_reply_errorf(ctx, "No samples available for event '%s'", event);
        return;
    }
    spark *sp = fr_calloc(sizeof(*sp));
    long long now = (long long)time(NULL);
    for (int j = 0; j < FR_LATENCY_TS_LEN; j++) {
        int i = (s->idx + j) % FR_LATENCY_TS_LEN;
        char label[24];
        if (!s->samples[i].time) continue;
        age_label(now - s->samples[i].time, label, sizeof(label));
        spark_add(sp, (double)s->samples[i].latency, label);
    }
    char head[256];
    snprintf(head, sizeof(head), "%s - high %lu ms, low %lu ms (all time high %lu ms)\n", s->event,
             (unsigned long)sp->max, (unsigned long)sp->min, (unsigned long)s->max);
    fr_str *out = fr_str_new(head, strlen(head));
    for (int j = 0; j < GRAPH_COLS; j++) out = fr_str_cat(out, "-", 1);
    out = fr_str_cat(out, "\n", 1);
    for (int j = 0; j < sp->n; j += GRAPH_COLS) {
        if (j) out = fr_str_cat(out, "\n", 1);
        out = spark_range(out, sp, j, sp->n - j < GRAPH_COLS ? sp->n - j : GRAPH_COLS);
    }
    fr_reply_verbatim(ctx, out->buf, out->len, "txt");
    fr_str_free(out);
    fr_free(sp);
}

/* ------------------------------------------------------------ DOCTOR */

/* The advice LATENCY DOCTOR may give, in the order it gives it; each
 * event kind turns some on.  `when` further gates an advice on the
 * configuration at report time (0: always). */
enum {
    ADV_BETTER_VM, ADV_SLOWLOG_ENABLE, ADV_SLOWLOG_TUNE, ADV_SLOWLOG_INSPECT, ADV_SCHEDULER,
    ADV_LOCAL_DISK, ADV_SSD, ADV_WRITEBACK, ADV_DISK_CONTENTION, ADV_NO_APPENDFSYNC,
    ADV_RELAX_FSYNC, ADV_WRITE_LOAD, ADV_HZ, ADV_LARGE_OBJECTS, ADV_MASS_EVICTION, ADV_THP, ADV_COUNT
};
#define A(x) (1u << ADV_##x)

static const char *const advice_text[ADV_COUNT] = {
    [ADV_BETTER_VM] = "- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior "
                      "that provides less latency during fork() calls. Xen is known to have poor fork() performance. "
                      "Even in the context of the same VM provider, certain kinds of instances can execute fork faster "
                      "than others.\n",
    [ADV_SLOWLOG_ENABLE] = "- There are latency issues with potentially slow commands you are using. Try to enable "
                           "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %llu'. "
                           "If the Slow log is disabled Redis is not able to log slow commands execution for you.\n",
    [ADV_SLOWLOG_TUNE] = "- Your current Slow Log configuration only logs events that are slower than your configured "
                         "latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %llu'.\n",
    [ADV_SLOWLOG_INSPECT] = "- Check your Slow Log to understand what are the commands you are running which are too "
                            "slow to execute. Please check https://redis.io/commands/slowlog for more information.\n",
    [ADV_SCHEDULER] = "- The system is slow to execute Redis code paths not containing system calls. This usually "
                      "means the system does not provide Redis CPU time to run for long periods. You should try to:\n"
                      "  1) Lower the system load.\n"
                      "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n"
                      "  3) Check if you have a \"noisy neighbour\" problem.\n"
                      "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your "
                      "system.\n"
                      "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you "
                      "are using Jemalloc. However this may create fragmentation problems.\n",
    [ADV_LOCAL_DISK] = "- It is strongly advised to use local disks for persistence, especially if you are using AOF. "
                       "Remote disks provided by platform-as-a-service providers are known to be slow.\n",
    [ADV_SSD] = "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log "
                "rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a "
                "good option. However Redis should perform reasonably with high load using normal disks. Use this "
                "advice as a last resort.\n",
    [ADV_WRITEBACK] = "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to "
                      "data=ordered, however this mode of operation provides less guarantees, and sometimes it can "
                      "happen that after a hard crash the AOF file will have a half-written command at the end and "
                      "will require to be repaired before Redis restarts.\n",
    [ADV_DISK_CONTENTION] = "- Try to lower the disk contention. This is often caused by other disk intensive "
                            "processes running in the same computer (including other Redis instances).\n",
    [ADV_NO_APPENDFSYNC] = "- Assuming from the point of view of data safety this is viable in your environment, you "
                           "could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be "
                           "performed while there is a child rewriting the AOF file or producing an RDB file (the "
                           "moment where there is high disk contention).\n",
    [ADV_RELAX_FSYNC] = "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a "
                        "setup, if possible try to relax the fsync policy to 'onesec'.\n",
    [ADV_WRITE_LOAD] = "- Latency during the AOF atomic rename operation or when the final difference is flushed to "
                       "the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing "
                       "the AOF buffer to get very large. If possible try to send less commands to accomplish the "
                       "same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n",
    [ADV_HZ] = "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
               "configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
    [ADV_LARGE_OBJECTS] = "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking "
                          "operation. If you have very large objects that are often deleted, expired, or evicted, try "
                          "to fragment those objects into multiple smaller objects.\n",
    [ADV_MASS_EVICTION] = "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large "
                          "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large "
                          "keys migrations (RESTORE command), may create sudden memory pressure forcing the server to "
                          "block trying to evict keys. \n",
    [ADV_THP] = "- I detected a non zero amount of anonymous huge pages used by your process. This creates very "
                "serious latency events in different conditions, especially when Redis is persisting on disk. To "
                "disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', "
                "make sure to also add it into /etc/rc.local so that the command will be executed again after a "
                "reboot. Note that even if you have already disabled THP, you still need to restart the Redis "
                "process to get rid of the huge pages already created.\n",
};

/* Event kind -> the advice it calls for and how many pieces Redis counts
 * for it (its count decides between "no easy fix" and the advice list). */
static const struct { const char *event; unsigned advice; int count; } event_advice[] = {
    {"fast-command", A(SCHEDULER), 1},
    {"aof-write-pending-fsync", A(LOCAL_DISK) | A(DISK_CONTENTION) | A(SSD) | A(WRITEBACK), 4},
    {"aof-write-active-child", A(NO_APPENDFSYNC) | A(WRITEBACK) | A(SSD), 3},
    {"aof-write-alone", A(LOCAL_DISK) | A(WRITEBACK) | A(SSD), 3},
    {"aof-fsync-always", A(RELAX_FSYNC), 1},
    {"aof-fstat", A(DISK_CONTENTION) | A(LOCAL_DISK), 2},
    {"rdb-unlink-temp-file", A(DISK_CONTENTION) | A(LOCAL_DISK), 2},
    {"aof-rewrite-diff-write", A(WRITE_LOAD) | A(WRITEBACK) | A(SSD) | A(LOCAL_DISK), 4},
    {"aof-rename", A(WRITE_LOAD) | A(WRITEBACK) | A(SSD) | A(LOCAL_DISK), 4},
    {"expire-cycle", A(HZ) | A(LARGE_OBJECTS), 2},
    {"eviction-del", A(LARGE_OBJECTS), 1},
    {"eviction-cycle", A(MASS_EVICTION), 1},
};

typedef struct doctor {
    fr_str *out;
    unsigned advice;
    int count;
} doctor;

/* Redis's per-event statistics: samples, average, mean deviation, period. */
static void doctor_stats(doctor *d, int num, const fr_latency_series *s)
{
    long long n = 0, sum = 0, oldest = 0, mad = 0;
    for (int j = 0; j < FR_LATENCY_TS_LEN; j++) {
        if (!s->samples[j].time) continue;
        n++;
        sum += s->samples[j].latency;
        if (!oldest || s->samples[j].time < oldest) oldest = s->samples[j].time;
    }
    long long avg = n ? sum / n : 0, period = n ? (long long)time(NULL) - oldest : 0;
    if (n && !period) period = 1;
    for (int j = 0; j < FR_LATENCY_TS_LEN; j++)
        if (s->samples[j].time) mad += llabs(avg - s->samples[j].latency);
    if (n) mad /= n;
    char line[512];
    snprintf(line, sizeof(line),
             "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f sec). Worst all time "
             "event %lums.",
             num, s->event, (int)n, (unsigned long)avg, (unsigned long)mad, n ? (double)period / (double)n : 0.0,
             (unsigned long)s->max);
    d->out = fr_str_cat(d->out, line, strlen(line));
}

/* What the event says about the machine or the configuration. */
static void doctor_event_advice(doctor *d, const char *event)
{
    if (!strcasecmp(event, "fork")) {
        double rate = fr_runtime.fork.rate_gb_per_s;
        const char *q = rate < 10 ? "terrible" : rate < 25 ? "poor" : rate < 100 ? "good" : "excellent";
        char line[128];
        snprintf(line, sizeof(line), " Fork rate is %.2f GB/sec (%s).", rate, q);
        d->out = fr_str_cat(d->out, line, strlen(line));
        if (rate < 25) d->advice |= A(BETTER_VM), d->count++;
    }
    if (!strcasecmp(event, "command")) {
        long long slower = fr_cfg.slowlog_log_slower_than;
        if (slower < 0) d->advice |= A(SLOWLOG_ENABLE), d->count++;
        else if (slower / 1000 > fr_cfg.latency_monitor_threshold) d->advice |= A(SLOWLOG_TUNE), d->count++;
        d->advice |= A(SLOWLOG_INSPECT) | A(LARGE_OBJECTS);
        d->count += 2;
    }
    for (size_t i = 0; i < sizeof(event_advice) / sizeof(event_advice[0]); i++) {
        if (strcasecmp(event, event_advice[i].event)) continue;
        d->advice |= event_advice[i].advice;
        d->count += event_advice[i].count;
    }
}

/* AnonHugePages of our own mappings, in kB (transparent huge pages make
 * fork and copy-on-write slow). */
static long anon_huge_pages_kb(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return 0;
    char line[256];
    long total = 0, kb;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) total += kb;
    fclose(f);
    return total;
}

static void doctor_advice(doctor *d)
{
    unsigned long long threshold_us = (unsigned long long)fr_cfg.latency_monitor_threshold * 1000;
    static const char intro[] = "\nI have a few advices for you:\n\n";
    d->out = fr_str_cat(d->out, intro, sizeof(intro) - 1);
    for (int a = 0; a < ADV_COUNT; a++) {
        if (!(d->advice & (1u << a))) continue;
        if (a == ADV_RELAX_FSYNC) continue; /* only under appendfsync always: no AOF yet */
        if (a == ADV_HZ && fr_cfg.hz >= 100) continue;
        char line[1024];
        snprintf(line, sizeof(line), advice_text[a], threshold_us);
        d->out = fr_str_cat(d->out, line, strlen(line));
    }
}

void fr_cmd_latency_doctor(fr_ctx *ctx)
{
    const fr_latency_series *first = fr_latency_series_first();
    doctor d = {fr_str_new_empty(256), 0, 0};
    static const char off[] =
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "
        "\"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep "
        "space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
    static const char none[] =
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest "
        "bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
    static const char head[] =
        "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you "
        "Dave?\n\n";
    static const char no_fix[] =
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis "
        "community to get some help, providing this report in your help request.\n";
    if (!first && !fr_cfg.latency_monitor_threshold) {
        d.out = fr_str_cat(d.out, off, sizeof(off) - 1);
        goto reply;
    }
    int num = 0;
    for (const fr_latency_series *s = first; s; s = s->next) {
        if (++num == 1) d.out = fr_str_cat(d.out, head, sizeof(head) - 1);
        doctor_stats(&d, num, s);
        doctor_event_advice(&d, s->event);
        d.out = fr_str_cat(d.out, "\n", 1);
    }
    if (anon_huge_pages_kb() > 0) d.advice |= A(THP), d.count++;
    if (num == 0 && d.count == 0) d.out = fr_str_cat(d.out, none, sizeof(none) - 1);
    else if (d.count == 0) d.out = fr_str_cat(d.out, no_fix, sizeof(no_fix) - 1);
    else doctor_advice(&d);
reply:
    fr_reply_verbatim(ctx, d.out->buf, d.out->len, "txt");
    fr_str_free(d.out);
}
#undef A

/* --------------------------------------------------------- HISTOGRAM */

typedef struct cdf_state {
    fr_ctx *ctx;
    long n;
    int64_t prev;
} cdf_state;

static void cdf_point(int64_t highest, int64_t cumulative, void *priv)
{
    cdf_state *st = priv;
    if (cumulative > st->prev) {
        fr_reply_long_long(st->ctx, (long long)(highest / 1000));
        fr_reply_long_long(st->ctx, (long long)cumulative);
        st->n++;
    }
    st->prev = cumulative;
}

/* name => {calls, histogram_usec => {usec: cumulative count, ...}} */
static void reply_cdf(fr_ctx *ctx, const fr_cmd_meta *c)
{
    fr_reply_bulk_cstr(ctx, c->fullname);
    fr_reply_map(ctx, 2);
    fr_reply_bulk_cstr(ctx, "calls");
    fr_reply_long_long(ctx, (long long)fr_hist_total(c->latency_hist));
    fr_reply_bulk_cstr(ctx, "histogram_usec");
    cdf_state st = {ctx, 0, 0};
    void *len = fr_reply_deferred_len(ctx);
    fr_hist_log_cdf(c->latency_hist, 1024, cdf_point, &st);
    fr_reply_set_deferred_map(ctx, len, st.n);
}

typedef struct hist_walk {
    fr_ctx *ctx;
    long n;
} hist_walk;

/* A command with a histogram, then its subcommands that have one. */
static void reply_command_cdfs(hist_walk *w, const fr_cmd_meta *c)
{
    if (c->latency_hist) {
        reply_cdf(w->ctx, c);
        w->n++;
    }
    for (int i = 0; i < c->nsubcmds; i++) reply_command_cdfs(w, &c->subcmds[i]);
}

static void all_cb(const fr_cmd_meta *c, void *priv)
{
    reply_command_cdfs(priv, c);
}

/* "name" or "container|sub", as Redis's lookupCommandBySds. */
static const fr_cmd_meta *lookup_by_name(const fr_str *name)
{
    const char *bar = memchr(name->buf, '|', name->len);
    if (!bar) return fr_cmdtable_lookup(name->buf, name->len);
    const fr_cmd_meta *base = fr_cmdtable_lookup(name->buf, (size_t)(bar - name->buf));
    if (!base || strchr(bar + 1, '|')) return NULL;
    return fr_cmd_find_subcmd(base, bar + 1, name->len - (size_t)(bar + 1 - name->buf));
}

void fr_cmd_latency_histogram(fr_ctx *ctx)
{
    hist_walk w = {ctx, 0};
    void *len = fr_reply_deferred_len(ctx);
    if (fr_argc(ctx) == 2) {
        fr_cmdtable_foreach(all_cb, &w);
    } else {
        for (int j = 2; j < fr_argc(ctx); j++) {
            const fr_cmd_meta *c = lookup_by_name(fr_arg(ctx, j));
            if (c) reply_command_cdfs(&w, c);
        }
    }
    fr_reply_set_deferred_map(ctx, len, w.n);
}

static const char *const latency_help[] = {
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command "
    "names.",
    "    If no commands are specified then all histograms are replied.",
    NULL,
};

void fr_cmd_latency_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, latency_help);
}

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

/* Redis's per-event statistics: samples, average, mean deviation, period. */
static fr_str *doctor_event(fr_str *out, int num, const fr_latency_series *s)
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
             "event %lums.\n",
             num, s->event, (int)n, (unsigned long)avg, (unsigned long)mad, n ? (double)period / (double)n : 0.0,
             (unsigned long)s->max);
    return fr_str_cat(out, line, strlen(line));
}

void fr_cmd_latency_doctor(fr_ctx *ctx)
{
    const fr_latency_series *first = fr_latency_series_first();
    fr_str *out = fr_str_new_empty(256);
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
    if (!first && !fr_cfg.latency_monitor_threshold) {
        out = fr_str_cat(out, off, sizeof(off) - 1);
    } else if (!first) {
        out = fr_str_cat(out, none, sizeof(none) - 1);
    } else {
        int num = 0;
        out = fr_str_cat(out, head, sizeof(head) - 1);
        for (const fr_latency_series *s = first; s; s = s->next) out = doctor_event(out, ++num, s);
        out = fr_str_cat(out, "\n", 1);
    }
    fr_reply_verbatim(ctx, out->buf, out->len, "txt");
    fr_str_free(out);
}

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

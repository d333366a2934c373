/* latency.c -- the latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/
 * DOCTOR) and latency tracking (per-command histograms for LATENCY
 * HISTOGRAM and INFO latencystats), as Redis 7.0.15 keeps them.
 *
 * Events are named series ("command", "fast-command", "expire-cycle",
 * "fork", ...) of at most 160 samples, one per second (a second sample in
 * the same second keeps the larger latency), plus the all-time maximum.  A
 * sample is taken only when latency-monitor-threshold is non-zero and the
 * latency reaches it; modules report theirs through fr_latency_sample.
 * Series live until LATENCY RESET.  A command's histogram is created at
 * its first call while latency-tracking is on and freed by CONFIG
 * RESETSTAT (cmdtable.c). */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hist.h"
#include "runtime.h"

static fr_latency_series *series;   /* newest first */

static fr_latency_series *find(const char *event)
{
    for (fr_latency_series *s = series; s; s = s->next)
        if (!strcmp(s->event, event)) return s;
    return NULL;
}

/* Redis's latencyAddSample: creates the series on demand. */
void fr_latency_add(const char *event, long long ms)
{
    fr_latency_series *s = find(event);
    time_t now = time(NULL);
    if (!s) {
        s = fr_calloc(sizeof(*s));
        s->event = fr_strdup(event);
        s->next = series;
        series = s;
    }
    if (ms > s->max) s->max = ms;
    int prev = (s->idx + FR_LATENCY_TS_LEN - 1) % FR_LATENCY_TS_LEN;
    if (s->samples[prev].time == now) {
        if (ms > s->samples[prev].latency) s->samples[prev].latency = ms;
        return;
    }
    s->samples[s->idx].time = now;
    s->samples[s->idx].latency = ms;
    s->idx = (s->idx + 1) % FR_LATENCY_TS_LEN;
}

FR_API void fr_latency_sample(const char *event, long long ms)
{
    if (fr_cfg.latency_monitor_threshold && ms >= fr_cfg.latency_monitor_threshold) fr_latency_add(event, ms);
}

int fr_latency_reset(const char *event)
{
    int n = 0;
    fr_latency_series **pp = &series;
    while (*pp) {
        fr_latency_series *s = *pp;
        if (event && strcasecmp(s->event, event)) {
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        fr_free(s->event);
        fr_free(s);
        n++;
    }
    return n;
}

const fr_latency_series *fr_latency_series_first(void)
{
    return series;
}

const fr_latency_series *fr_latency_series_find(const char *event)
{
    return find(event);
}

/* After a command ran for `dur_us`: the command / fast-command event and
 * the command's histogram (nanoseconds, as Redis records it). */
void fr_latency_command_done(fr_cmd_meta *cmd, long long dur_us)
{
    fr_latency_sample((cmd->flags & FR_CMD_FAST) ? "fast-command" : "command", dur_us / 1000);
    if (!fr_cfg.latency_tracking) return;
    if (!cmd->latency_hist) cmd->latency_hist = fr_hist_new();
    fr_hist_record(cmd->latency_hist, dur_us * 1000);
}

/* log.c -- log lines in Redis's format, and fatal errors.
 *
 * "PID:ROLE DD Mon YYYY HH:MM:SS.mmm L message", ROLE 'M' for the server
 * ('C' in a forked child), L one of ". - * #" for debug, verbose, notice,
 * warning.  Tools that parse Redis logs (and people) read ours unchanged.
 * The log file is reopened per line, as Redis does, so logrotate works. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "base.h"

static const char level_mark[] = ".-*#";

/* syslog-enabled yes: the same messages go to syslog too, under
 * syslog-ident and syslog-facility (both immutable, so set once; openlog
 * keeps the ident pointer, which the config owns for the process's life). */
static void log_to_syslog(int level, const char *msg)
{
    static const int prio[] = {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING};
    static int opened;
    if (!opened) {
        const char *ident = fr_cfg.syslog_ident ? fr_cfg.syslog_ident : "redis";
        openlog(ident, LOG_PID | LOG_NDELAY | LOG_NOWAIT, fr_cfg.syslog_facility ? fr_cfg.syslog_facility : LOG_LOCAL0);
        opened = 1;
    }
    syslog(prio[level & 3], "%s", msg);
}

void fr_log_raw(int level, const char *msg)
{
    if (level < fr_cfg.loglevel) return;
    const char *path = fr_cfg.logfile;
    int to_stdout = !path || !path[0];
    FILE *fp = to_stdout ? stdout : fopen(path, "a");
    if (!fp) return;
    uint64_t us = fr_clock_wall_us();
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&sec, &tm);
    char when[64];
    size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(when + off, sizeof(when) - off, "%03d", (int)(us % 1000000 / 1000));
    char role = getpid() != fr_proc.pid && fr_proc.pid ? 'C' : 'M';
    fprintf(fp, "%d:%c %s %c %s\n", (int)getpid(), role, when,
            level_mark[level & 3], msg);
    fflush(fp);
    if (!to_stdout) fclose(fp);
    if (fr_cfg.syslog_enabled) log_to_syslog(level, msg);
}

void fr_log(int level, const char *fmt, ...)
{
    if (level < fr_cfg.loglevel) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fr_log_raw(level, msg);
}

void fr_panic_impl(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "FrankenRedis internal error at %s:%d: %s\n", file, line, msg);
    fr_log(FR_LOG_WARNING, "Guru Meditation: %s #%s:%d", msg, file, line);
    abort();
}

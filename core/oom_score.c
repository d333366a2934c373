/* oom_score.c -- how eagerly the Linux OOM killer picks this process, as
 * Redis's oom-score-adj and oom-score-adj-values: each process class
 * (master, replica, background child) writes its value to
 * /proc/self/oom_score_adj, absolutely or added to the score the process
 * started with ("relative", the meaning of "yes"), clamped to -1000..1000;
 * "no" puts that starting score back.  So under memory pressure the kernel
 * kills a BGSAVE child before a replica, and a replica before its master.
 *
 * Invariants: `base` is read once, when oom-score-adj first turns on, and
 * is valid while `adjusted`; `applied` is the value last written or tried
 * (INT_MIN: none), so the check run on every cron tick (a role change,
 * CONFIG SET) writes only when the value changes, and a refused write
 * (lowering below the floor needs CAP_SYS_RESOURCE) is logged once.  A forked child applies
 * its class once, right after fork (fork.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

#define OOM_FILE "/proc/self/oom_score_adj"

enum { OOM_MASTER = 0, OOM_REPLICA, OOM_BGCHILD };
enum { OOM_NO = 0, OOM_RELATIVE = 1, OOM_ABSOLUTE = 2 }; /* config_vocab.c's words_oom */

static int adjusted, base, applied = INT_MIN;

static int read_score(int *out)
{
    char buf[32];
    int fd = open(OOM_FILE, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    int saved = errno;
    if (fd >= 0) close(fd);
    if (n < 0) {
        fr_log(FR_LOG_WARNING, "Unable to read oom_score_adj: %s", strerror(saved));
        return -1;
    }
    buf[n] = '\0';
    *out = atoi(buf);
    return 0;
}

static void write_score(int val)
{
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%d\n", val);
    int fd = open(OOM_FILE, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, buf, (size_t)len) < 0)
        fr_log(FR_LOG_WARNING, "Unable to write oom_score_adj: %s", strerror(errno));
    if (fd >= 0) close(fd);
    applied = val; /* tried: not again each tick (one log line, as Redis's) */
}

/* The configured value of a class, before the base is added. */
static int class_value(int cls)
{
    char vals[96];
    int v[3] = {0, 200, 800};
    fr_config_server_str("oom-score-adj-values", vals, sizeof(vals));
    sscanf(vals, "%d %d %d", &v[0], &v[1], &v[2]);
    return v[cls];
}

void fr_oom_score_apply(int in_child)
{
    int mode = (int)fr_config_server_ll("oom-score-adj", OOM_NO), val;
    if (mode != OOM_NO) {
        if (!adjusted) {
            if (read_score(&base) != 0) return;
            adjusted = 1;
        }
        int cls = in_child ? OOM_BGCHILD : fr_keyspace.replica_mode ? OOM_REPLICA : OOM_MASTER;
        val = class_value(cls) + (mode == OOM_RELATIVE ? base : 0);
        if (val > 1000) val = 1000;
        if (val < -1000) val = -1000;
    } else if (adjusted) {
        adjusted = 0;
        val = base;
    } else {
        return;
    }
    if (val != applied) write_score(val);
}

/* pause.c -- CLIENT PAUSE: holding clients' commands for a while, as
 * Redis's pauseClients.
 *
 * Each purpose (CLIENT PAUSE itself, a shutdown waiting for replicas, a
 * FAILOVER waiting for its target) keeps its own type and end time; the
 * pause in force is the most restrictive type among the live ones, ending
 * at the furthest end time of that type.  A command the pause covers is
 * postponed (blocked.c) and runs from scratch when the pause lifts or
 * becomes less restrictive.
 *
 * While any pause is in force keys are not expired, lazily or actively, so
 * a paused server does not change its dataset on its own:
 * fr_keyspace.expire_paused mirrors that, refreshed before every command
 * and on every cron tick (the only times it can be read). */
#include <limits.h>
#include <string.h>

#include "runtime.h"

typedef struct pause_event {
    int active;
    fr_pause_type type;
    long long end_ms;
} pause_event;

static pause_event purposes[FR_PAUSE_PURPOSE__COUNT];
static fr_pause_type in_force = FR_PAUSE_OFF;
static long long in_force_end;

/* Recompute what is in force from the purposes, dropping expired ones. */
static void update(void)
{
    long long now = (long long)fr_clock_wall_ms();
    fr_pause_type old = in_force, type = FR_PAUSE_OFF;
    long long end = 0;
    for (int i = 0; i < FR_PAUSE_PURPOSE__COUNT; i++) {
        pause_event *p = &purposes[i];
        if (!p->active) continue;
        if (p->end_ms < now) p->active = 0;
        else if (p->type > type) type = p->type;
    }
    for (int i = 0; i < FR_PAUSE_PURPOSE__COUNT; i++)
        if (purposes[i].active && purposes[i].type == type && purposes[i].end_ms > end) end = purposes[i].end_ms;
    in_force = type;
    in_force_end = end;
    fr_keyspace.expire_paused = type != FR_PAUSE_OFF;
    if (type < old) fr_unblock_postponed_all();
}

/* A second pause for the same purpose extends it: the later end and the
 * more restrictive type win. */
void fr_pause_start(fr_pause_purpose why, long long end_ms, fr_pause_type type)
{
    pause_event *p = &purposes[why];
    if (!p->active) {
        p->active = 1;
        p->type = type;
        p->end_ms = end_ms;
    } else {
        if (type > p->type) p->type = type;
        if (end_ms > p->end_ms) p->end_ms = end_ms;
    }
    update();
}

void fr_pause_end(fr_pause_purpose why)
{
    if (!purposes[why].active) return;
    purposes[why].active = 0;
    update();
}

/* The pause in force now; a pause past its end time lifts here. */
fr_pause_type fr_pause_current(void)
{
    if (in_force != FR_PAUSE_OFF && in_force_end < (long long)fr_clock_wall_ms()) update();
    return in_force;
}

/* Redis's rule: a pause of ALL holds every command, a pause of WRITE holds
 * those that may change data or be replicated, EXEC included when its
 * queue holds one. */
int fr_pause_holds(const fr_cmd_meta *cmd)
{
    fr_pause_type t = fr_pause_current();
    if (t == FR_PAUSE_OFF) return 0;
    if (t == FR_PAUSE_ALL) return 1;
    return (cmd->flags & (FR_CMD_WRITE | FR_CMD_MAY_REPLICATE)) != 0; /* EXEC's: its queue's too */
}

/* The replication module's FAILOVER: writes wait, with no end of their
 * own, until it is over (CLIENT UNPAUSE does not lift it). */
FR_API void fr_failover_pause(int on)
{
    if (on) fr_pause_start(FR_PAUSE_DURING_FAILOVER, LLONG_MAX, FR_PAUSE_WRITE);
    else fr_pause_end(FR_PAUSE_DURING_FAILOVER);
}

FR_API int fr_writes_paused(void)
{
    return fr_pause_current() != FR_PAUSE_OFF;
}

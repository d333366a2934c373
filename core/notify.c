/* notify.c -- keyspace notifications: Redis's notifyKeyspaceEvent.
 *
 * The core owns the filter (notify-keyspace-events, fr_cfg) and nothing
 * else: an event of an enabled class, with K or E enabled, goes to the
 * keyspace-event hook, whose subscriber (the pub/sub module) publishes it
 * on __keyspace@<db>__:<key> and/or __keyevent@<db>__:<event>.  Every
 * module fires events through fr_notify_keyspace_event; the keyspace
 * layer fires "new" and "expired" through its notify upcall.  A disabled
 * class costs one load and a test. */
#include "runtime.h"

void fr_notify_keyspace_event(int type, const char *event, const fr_str *key, int dbid)
{
    int flags = fr_cfg.notify_keyspace_events;
    int channels = flags & (FR_NOTIFY_KEYSPACE | FR_NOTIFY_KEYEVENT);
    if (!(flags & type) || !channels || !fr_hooks_count(FR_HOOK_KEYSPACE_EVENT)) return;
    fr_hook_event ev = {.id = FR_HOOK_KEYSPACE_EVENT, .key = key, .dbid = dbid, .event = event,
                        .why = type | channels};
    if (dbid >= 0 && dbid < fr_cfg.databases) ev.db = fr_db_at(dbid);
    fr_hooks_fire(&ev);
}

/* repl_gate.c -- the commands replication refuses (the core's replication
 * gate): a master refuses writes while fewer than min-replicas-to-write
 * replicas are online and have acknowledged within min-replicas-max-lag
 * seconds (Redis's checkGoodReplicasStatus); a replica whose link is down
 * refuses what may not run on stale data when replica-serve-stale-data is
 * no.
 *
 * The count is taken when asked, at each write and for INFO, rather than
 * kept up to date by the cron: a CONFIG SET takes effect on the very next
 * command, as Redis's updateGoodSlaves makes it. */
#include <time.h>

#include "repl_internal.h"

/* Both settings non-zero: the rule is on. */
static int rule_on(void)
{
    return replication_conf_min_replicas_to_write() > 0 && replication_conf_min_replicas_max_lag() > 0;
}

int repl_good_replica_count(void)
{
    time_t now = time(NULL);
    long long max_lag = replication_conf_min_replicas_max_lag();
    int good = 0;
    for (repl_replica *r = repl_g.replicas; r; r = r->next)
        if (r->state == REPL_ONLINE && (long long)(now - r->ack_time) <= max_lag) good++;
    return good;
}

static int gate(unsigned long long cmd_flags)
{
    if (repl_is_replica()) {
        if (!(cmd_flags & FR_CMDF_STALE) && !repl_link_up() && !fr_config_server_ll("replica-serve-stale-data", 1))
            return FR_GATE_MASTERDOWN;
        return FR_GATE_OPEN;
    }
    if (!(cmd_flags & FR_CMDF_WRITE) || !rule_on()) return FR_GATE_OPEN;
    if (repl_good_replica_count() >= replication_conf_min_replicas_to_write()) return FR_GATE_OPEN;
    return FR_GATE_NOREPLICAS;
}

int repl_gate_register(fr_module *m)
{
    return fr_replication_gate_register(m, gate);
}

void repl_gate_info(fr_info_out *o)
{
    if (rule_on()) fr_info_add_ll(o, "min_slaves_good_slaves", repl_good_replica_count());
}

/* cmd_cluster.c -- CLUSTER, READONLY, READWRITE and ASKING as a server
 * without Redis Cluster answers them (cluster-enabled no, the only mode
 * FrankenRedis has: cluster-enabled yes is refused at start-up).
 *
 * Every subcommand exists, so COMMAND, COMMAND DOCS and CLUSTER's arity
 * and unknown-subcommand errors are Redis's (from core/commands.yaml), and
 * every call gets Redis's one reply for a node outside a cluster -- the
 * error clients look for to tell a standalone server from a cluster. */
#include "commands.h"

static void cluster_disabled(fr_ctx *ctx)
{
    fr_reply_error(ctx, "This instance has cluster support disabled");
}

#define CLUSTER_DISABLED(name) \
    void fr_cmd_##name(fr_ctx *ctx) { cluster_disabled(ctx); }

CLUSTER_DISABLED(cluster_addslots)
CLUSTER_DISABLED(cluster_addslotsrange)
CLUSTER_DISABLED(cluster_bumpepoch)
CLUSTER_DISABLED(cluster_count_failure_reports)
CLUSTER_DISABLED(cluster_countkeysinslot)
CLUSTER_DISABLED(cluster_delslots)
CLUSTER_DISABLED(cluster_delslotsrange)
CLUSTER_DISABLED(cluster_failover)
CLUSTER_DISABLED(cluster_flushslots)
CLUSTER_DISABLED(cluster_forget)
CLUSTER_DISABLED(cluster_getkeysinslot)
CLUSTER_DISABLED(cluster_help)
CLUSTER_DISABLED(cluster_info)
CLUSTER_DISABLED(cluster_keyslot)
CLUSTER_DISABLED(cluster_links)
CLUSTER_DISABLED(cluster_meet)
CLUSTER_DISABLED(cluster_myid)
CLUSTER_DISABLED(cluster_nodes)
CLUSTER_DISABLED(cluster_replicas)
CLUSTER_DISABLED(cluster_replicate)
CLUSTER_DISABLED(cluster_reset)
CLUSTER_DISABLED(cluster_saveconfig)
CLUSTER_DISABLED(cluster_set_config_epoch)
CLUSTER_DISABLED(cluster_setslot)
CLUSTER_DISABLED(cluster_shards)
CLUSTER_DISABLED(cluster_slaves)
CLUSTER_DISABLED(cluster_slots)
CLUSTER_DISABLED(readonly)
CLUSTER_DISABLED(readwrite)
CLUSTER_DISABLED(asking)

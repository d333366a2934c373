#!/usr/bin/env bash
# replication.sh SRCDIR BUILDDIR -- the replication module's master side
# with real redis-server 7.0.15 (replication_check.py): replies without
# replicas compared with redis-server, then a redis-server started with
# --replicaof ours syncs (full resync, the stream, SELECT, expiry as DEL),
# shows in INFO/ROLE/CLIENT LIST, resyncs partially after CLIENT KILL TYPE
# replica, and redis-cli --replica reads the stream; ours as a diskless
# master (a shared streamed snapshot, the disk fallback, the INFO byte
# counters, redis-cli --rdb and --functions-rdb); then ours as the
# replica of a redis-server (diskless and disk transfers, the stream,
# ACKs, partial resync after CLIENT KILL -- in the DB the stream had
# selected, a transaction cut by the drop sent again whole --, REPLICAOF NO
# ONE and back); then restarts from an RDB file with the replication
# fields, as replica and as master, resume with a partial resync; then
# chains of replicas (ours in the middle of redis-servers, ours only), and
# a writable replica expiring its own keys as redis-server does; then
# SHUTDOWN waiting for lagging replicas (shutdown_wait_check.py); then a
# replica's full sync through a temp file, the RDB file and the AOF
# (sync_load_check.py); FAILOVER beside redis-server (failover_check.py);
# bind-source-addr (bind_source_check.py).
# Prints PASS/FAIL lines and "replication: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
fr_init

summary() {
    printf 'replication: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

check=$src/tests/integration/replication_check.py
# (no diskless delay: Redis's 5 s default would only slow the tests down)
fr_start_named ours "$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --repl-diskless-sync-delay 0" || { summary; exit 1; }
fr_start_named ref redis-server || { summary; exit 1; }
fr_relay /usr/bin/python3 "$check" before "$PORT_ours" "$PORT_ref"
fr_start_named replica "redis-server --enable-debug-command yes --replicaof 127.0.0.1 $PORT_ours" || { summary; exit 1; }
fr_relay /usr/bin/python3 "$check" after "$PORT_ours" "$PORT_replica"
# ours as a diskless master (one snapshot streamed to a redis-server and to
# ours, started before the 5 s delay because max-replicas is reached), the
# INFO replication counters, a disk transfer, redis-cli --rdb/--functions-rdb
dm_cmd="$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --repl-diskless-sync-max-replicas 2"
if fr_start_named dm "$dm_cmd" && fr_start_named dr1 "redis-server --enable-debug-command yes" &&
    fr_start_named dr2 "$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes"; then
    mkdir -p "$FR_TMP/rdbs"
    fr_relay /usr/bin/python3 "$check" diskless "$PORT_dm" "$PORT_dr1" "$PORT_dr2" "$PORT_ref" "$FR_TMP/rdbs" "$FR_TMP/dm.log"
    fr_stop_server "$PID_dr1" >/dev/null; fr_stop_server "$PID_dr2" >/dev/null; fr_stop_server "$PID_dm" >/dev/null
fi
# the other way: ours as the replica of a real redis-server (diskless first)
fr_start_named master "redis-server --enable-debug-command yes --repl-diskless-sync-delay 0" || { summary; exit 1; }
redis-cli -p "$PORT_master" MSET pre1 a pre2 b >/dev/null
redis-cli -p "$PORT_master" -n 3 RPUSH prelist 1 2 3 >/dev/null
fr_start_named ours_replica "$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --replicaof 127.0.0.1 $PORT_master" || { summary; exit 1; }
fr_relay /usr/bin/python3 "$check" replica "$PORT_ours_replica" "$PORT_master"
# restarts: the replication fields of the RDB file give a partial resync,
# ours as the replica of redis-server, then ours as its master
mkdir -p "$FR_TMP/rr" "$FR_TMP/rm"
rr_cmd="$build/frankenredis-server $src/conf/frankenredis.conf --dir $FR_TMP/rr --save '' --enable-debug-command yes --replicaof 127.0.0.1 $PORT_master"
if FR_SERVER_PERSIST=1 fr_start_named rr "$rr_cmd"; then
    fr_relay /usr/bin/python3 "$check" replica-restart-1 "$PORT_rr" "$PORT_master" "$FR_TMP/rr.state"
    fr_stop_server "$PID_rr"
    FR_SERVER_PERSIST=1 fr_start_named rr "$rr_cmd" &&
        fr_relay /usr/bin/python3 "$check" replica-restart-2 "$PORT_rr" "$PORT_master" "$FR_TMP/rr.state"
fi
rm_cmd="$build/frankenredis-server $src/conf/frankenredis.conf --dir $FR_TMP/rm --save '' --enable-debug-command yes --repl-diskless-sync-delay 0"
if FR_SERVER_PERSIST=1 fr_start_named rm "$rm_cmd" &&
    fr_start_named rm_replica "redis-server --enable-debug-command yes --replicaof 127.0.0.1 $PORT_rm"; then
    fr_relay /usr/bin/python3 "$check" master-restart-1 "$PORT_rm" "$PORT_rm_replica" "$FR_TMP/rm.state"
    fr_stop_server "$PID_rm"
    if FR_SERVER_PERSIST=1 fr_start_server "$rm_cmd" "$PORT_rm" "$FR_TMP/rm2.log"; then
        fr_relay /usr/bin/python3 "$check" master-restart-2 "$PORT_rm" "$PORT_rm_replica" "$FR_TMP/rm.state"
    else
        fr_fail rm/restart "$(tail -3 "$FR_TMP/rm2.log" | tr '\n' ' ')"
    fi
fi

# Chained replication, a replica of a replica: redis-server -> ours ->
# redis-server (and writable replicas, ours beside redis-server), then
# ours -> ours -> ours -> redis-server.
if fr_start_named ctop "redis-server --enable-debug-command yes --repl-diskless-sync-delay 0" &&
    fr_start_named cmid "$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --repl-diskless-sync-delay 0 --replicaof 127.0.0.1 $PORT_ctop" &&
    fr_start_named cbot "redis-server --enable-debug-command yes"; then
    fr_relay /usr/bin/python3 "$check" chain-redis "$PORT_ctop" "$PORT_cmid" "$PORT_cbot"
    for pid in "$PID_ctop" "$PID_cmid" "$PID_cbot"; do fr_stop_server "$pid"; done
fi
ours_cmd="$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --repl-diskless-sync-delay 0"
if fr_start_named otop "$ours_cmd" && fr_start_named omid "$ours_cmd --replicaof 127.0.0.1 $PORT_otop" &&
    fr_start_named obot "$ours_cmd" && fr_start_named otail "redis-server --enable-debug-command yes"; then
    fr_relay /usr/bin/python3 "$check" chain-ours "$PORT_otop" "$PORT_omid" "$PORT_obot" "$PORT_otail"
    for pid in "$PID_otop" "$PID_omid" "$PID_obot" "$PID_otail"; do fr_stop_server "$pid"; done
fi

# A backlog smaller than the replica class's soft output-buffer limit is
# said at start-up (the defaults: 1 MB < 64 MB) and again when CONFIG SET
# brings it back, not while it is large enough.
backlog_warnings() { grep -c "WARNING: repl-backlog-size" "$FR_TMP/bw.log"; }
if fr_start_named bw "$build/frankenredis-server $src/conf/frankenredis.conf --save ''"; then
    for _ in $(seq 1 30); do [ "$(backlog_warnings)" -ge 1 ] && break; sleep 0.1; done  # the once-a-second check
    n0=$(backlog_warnings)
    redis-cli -p "$PORT_bw" CONFIG SET repl-backlog-size 100mb >/dev/null; sleep 1.5
    n1=$(backlog_warnings)
    redis-cli -p "$PORT_bw" CONFIG SET client-output-buffer-limit "replica 0 200mb 60" >/dev/null; sleep 1.5
    n2=$(backlog_warnings)
    [ "$n0 $n1 $n2" = "1 1 2" ] && fr_pass backlog/warning || fr_fail backlog/warning "warnings after start, raise, lower: $n0 $n1 $n2"
    fr_stop_server "$PID_bw" >/dev/null
fi
# SHUTDOWN waiting for replicas (shutdown-timeout), ABORT, NOW, and the
# last writes reaching an in-sync replica, each server as a master.
fr_relay python3 "$src/tests/integration/shutdown_wait_check.py" "$build/frankenredis-server" \
    "$src/conf/frankenredis.conf"
# bind-source-addr: the address a replica's link leaves from.
fr_relay python3 "$src/tests/integration/bind_source_check.py" "$build/frankenredis-server" \
    "$src/conf/frankenredis.conf"
# FAILOVER: refusals, handovers in the four pairings, waiting and abort.
fr_relay python3 "$src/tests/integration/failover_check.py" "$build/frankenredis-server" \
    "$src/conf/frankenredis.conf"
# A replica loading its master's snapshot: the temp file and INFO while it
# comes, the RDB file it becomes, the AOF rewritten after, a BGSAVE killed.
fr_relay python3 "$src/tests/integration/sync_load_check.py" "$build/frankenredis-server" \
    "$src/conf/frankenredis.conf"
summary

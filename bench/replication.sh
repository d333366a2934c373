#!/usr/bin/env bash
# bench/replication.sh [--keys N] [--rounds R] -- the replication figures of
# issue 16, side by side with redis-server 7.0.15: each server replicating
# to one of its own kind (ours to ours, Redis to Redis).
#
#  1. Full sync: a master holding N keys (default 1M; 16-byte keys, 32-byte
#     values), a fresh replica sent REPLICAOF: seconds until the replica
#     reports master_link_status:up with all N keys (the master's fork and
#     snapshot streamed to the replica, the replica's load).
#  2. Writes with a replica attached: redis-benchmark SET on the master, 50
#     clients, -P 16, 400k requests, random keys of a 100k keyspace, while
#     the replica follows; then the replica must hold the master's dataset
#     (DBSIZE equal).
# Printed as ratios where above 1.0 means we are faster (Redis's time / ours,
# our throughput / Redis's), the median of R alternating rounds (default 3).
# A tool, not a test: it fails only when it cannot measure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_keys_rounds replication.sh "$@"
bench_init
# Both servers sync diskless (Redis's default), without the 5 s wait for
# more replicas, which would only add the same constant to both times.
BENCH_ARGS="${BENCH_ARGS:-} --repl-diskless-sync-delay 0"

now() { date +%s.%N; }

# pair KIND: a master and a replica of that kind, not yet linked; sets
# M_PID M_PORT R_PID R_PORT.
pair() {
    bench_start "$1" "$BENCH_TMP/$1-master.log" || die "$1 master did not start"
    M_PID=$BENCH_PID M_PORT=$BENCH_PORT
    bench_start "$1" "$BENCH_TMP/$1-replica.log" || die "$1 replica did not start"
    R_PID=$BENCH_PID R_PORT=$BENCH_PORT
}

link_up() {  # link_up PORT: the replica streams from its master
    redis-cli -p "$1" INFO replication 2>/dev/null | tr -d '\r' | grep -q '^master_link_status:up$'
}

unpair() {
    bench_stop "$R_PID"
    bench_stop "$M_PID"
}

# full_sync_s KIND: seconds from REPLICAOF to a loaded replica.
full_sync_s() {
    local kind=$1 t0 t1
    pair "$kind"
    gen_set "$keys" 32 "key:%012d" | pipe_load "$M_PORT" >/dev/null
    t0=$(now)
    redis-cli -p "$R_PORT" REPLICAOF 127.0.0.1 "$M_PORT" >/dev/null
    until link_up "$R_PORT" && [ "$(redis-cli -p "$R_PORT" DBSIZE)" = "$keys" ]; do sleep 0.005; done
    t1=$(now)
    unpair
    echo "$t1 - $t0" | bc
}

# write_rps KIND: SET requests per second on a master with a replica.
write_rps() {
    local kind=$1 out
    pair "$kind"
    redis-cli -p "$R_PORT" REPLICAOF 127.0.0.1 "$M_PORT" >/dev/null
    until link_up "$R_PORT"; do sleep 0.01; done
    out=$(redis-benchmark -p "$M_PORT" -t set -n 400000 -c 50 -P 16 -r 100000 -q 2>/dev/null |
        tr '\r' '\n' | awk '/^SET:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')
    local _
    for _ in $(seq 1 200); do
        [ "$(redis-cli -p "$R_PORT" DBSIZE)" = "$(redis-cli -p "$M_PORT" DBSIZE)" ] && break
        sleep 0.05
    done
    [ "$(redis-cli -p "$R_PORT" DBSIZE)" = "$(redis-cli -p "$M_PORT" DBSIZE)" ] ||
        die "$kind: the replica did not catch up with the master"
    unpair
    [ -n "$out" ] || die "$kind: redis-benchmark gave no figure"
    echo "$out"
}

echo "replication bench: full sync of $keys keys, SET -P 16 with one replica; $rounds rounds"
ratios=""
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then order="ours redis"; else order="redis ours"; fi
    for kind in $order; do
        eval "fs_$kind=\$(full_sync_s $kind)"
        eval "wr_$kind=\$(write_rps $kind)"
    done
    # shellcheck disable=SC2154  # set by eval above
    note "round $r: full sync ours ${fs_ours}s redis ${fs_redis}s; SET ours ${wr_ours} redis ${wr_redis} rps"
    ratios="$ratios$(echo "$fs_redis / $fs_ours" | bc -l) $(echo "$wr_ours / $wr_redis" | bc -l)
"
done
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '| measure | ratio (above 1.0: ours faster) |\n|---|---:|\n'
printf '| full sync of %s keys (Redis time / ours) | %s |\n' "$keys" "$(printf '%s' "$ratios" | awk '{ print $1 }' | median)"
printf '| SET -P 16 with a replica (ours / Redis) | %s |\n' "$(printf '%s' "$ratios" | awk '{ print $2 }' | median)"

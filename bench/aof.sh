#!/usr/bin/env bash
# bench/aof.sh [--keys N] [--rounds R] -- the AOF figures of issue 15, side
# by side with redis-server 7.0.15, both with appendonly yes: SET throughput
# (redis-benchmark, 50 clients, -P 16) under appendfsync everysec and
# always, and the time of a BGREWRITEAOF of N keys (default 1M; 16-byte
# keys, 32-byte values).  Printed as ratios where above 1.0 means we are
# faster (throughput ours/Redis, rewrite time Redis/ours), median over R
# alternating rounds (default 3).  A tool, not a test: it fails only when it
# cannot measure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_keys_rounds aof.sh "$@"
bench_init

now() { date +%s.%N; }

# rps KIND POLICY N: SET requests per second under appendfsync POLICY.
rps() {
    local kind=$1 policy=$2 n=$3 out
    BENCH_ARGS="--appendonly yes --appendfsync $policy" bench_start "$kind" "$BENCH_TMP/$kind.log" ||
        die "$kind did not start"
    out=$(redis-benchmark -p "$BENCH_PORT" -t set -n "$n" -c 50 -P 16 -r 100000 -q 2>/dev/null |
        tr '\r' '\n' | awk '/^SET:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')
    bench_stop "$BENCH_PID"
    [ -n "$out" ] || die "$kind: redis-benchmark gave no figure"
    echo "$out"
}

# rewrite_s KIND: seconds from BGREWRITEAOF to its end with `keys` keys.
rewrite_s() {
    local kind=$1 port t0 t1
    BENCH_ARGS="--appendonly yes" bench_start "$kind" "$BENCH_TMP/$kind.log" || die "$kind did not start"
    port=$BENCH_PORT
    gen_set "$keys" 32 "key:%012d" | pipe_load "$port" >/dev/null
    until redis-cli -p "$port" INFO persistence | grep -q '^aof_rewrite_in_progress:0'; do sleep 0.01; done
    t0=$(now)
    redis-cli -p "$port" BGREWRITEAOF >/dev/null
    sleep 0.01
    until redis-cli -p "$port" INFO persistence | tr -d '\r' | grep -q '^aof_rewrite_in_progress:0$'; do
        sleep 0.005
    done
    t1=$(now)
    redis-cli -p "$port" INFO persistence | tr -d '\r' | grep -q '^aof_last_bgrewrite_status:ok$' ||
        die "$kind: the rewrite failed"
    bench_stop "$BENCH_PID"
    echo "$t1 - $t0" | bc
}

echo "aof bench: SET -P 16 (everysec 400k requests, always 100k), rewrite of $keys keys; $rounds rounds"
ratios=""
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then order="ours redis"; else order="redis ours"; fi
    for kind in $order; do
        eval "ev_$kind=\$(rps $kind everysec 400000)"
        eval "al_$kind=\$(rps $kind always 100000)"
        eval "rw_$kind=\$(rewrite_s $kind)"
    done
    # shellcheck disable=SC2154  # set by eval above
    echo "round $r: everysec $ev_ours vs $ev_redis rps | always $al_ours vs $al_redis rps | rewrite ${rw_ours}s vs ${rw_redis}s"
    ratios="$ratios$(echo "$ev_ours $ev_redis $al_ours $al_redis $rw_ours $rw_redis" |
        awk '{printf "%.3f %.3f %.3f\n", $1/$2, $3/$4, $6/$5}')
"
done
printf '%s' "$ratios" | awk '
    { e[NR] = $1; a[NR] = $2; w[NR] = $3 }
    function med(x, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
                                    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
    END { printf "median ratio (above 1.0: ours faster): SET everysec %.2f, SET always %.2f, rewrite %.2f (budget >= 1.0 each)\n", med(e, NR), med(a, NR), med(w, NR) }'

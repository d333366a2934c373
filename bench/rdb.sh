#!/usr/bin/env bash
# bench/rdb.sh [--keys N] [--rounds R] -- the RDB figures of issue 6, side by
# side with redis-server 7.0.15: SAVE time, dump.rdb size and start-up load
# time for N keys (default 1M; 16-byte keys, 32-byte values), as ratios
# ours/Redis (median over R alternating rounds, default 3).  A tool, not a
# test: it fails only when it cannot measure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
bench_keys_rounds rdb.sh "$@"
bench_init

now() { date +%s.%N; }

# one KIND: load keys, time SAVE, read the size, restart in the same dir and
# time until PING answers.  Prints "save_s size_bytes load_s".
one() {
    local kind=$1 dir t0 t1 save size port pid load
    bench_start "$kind" "$BENCH_TMP/$kind.log" || die "$kind did not start"
    port=$BENCH_PORT pid=$BENCH_PID
    dir=$(readlink "/proc/$pid/cwd")
    gen_set "$keys" 32 "key:%012d" | pipe_load "$port" >/dev/null
    t0=$(now); redis-cli -p "$port" SAVE >/dev/null; t1=$(now)
    save=$(echo "$t1 - $t0" | bc)
    size=$(stat -c %s "$dir/dump.rdb")
    bench_stop "$pid"
    if [ "$kind" = ours ]; then set -- "$FR_SERVER" "$FR_CONF" --save ""
    else set -- "$REDIS_SERVER" --bind 127.0.0.1 --save "" --appendonly no --logfile ""; fi
    t0=$(now)
    (cd "$dir" && exec "$@" --port "$port" --dir "$dir") >"$BENCH_TMP/$kind-load.log" 2>&1 </dev/null &
    pid=$!
    BENCH_PIDS="$BENCH_PIDS $pid"
    until [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ]; do
        kill -0 "$pid" 2>/dev/null || die "$kind failed to load its dump: $(tail -3 "$BENCH_TMP/$kind-load.log")"
        sleep 0.01
    done
    t1=$(now)
    load=$(echo "$t1 - $t0" | bc)
    [ "$(redis-cli -p "$port" DBSIZE)" = "$keys" ] || die "$kind loaded $(redis-cli -p "$port" DBSIZE) keys, not $keys"
    bench_stop "$pid"
    rm -f "$dir/dump.rdb"
    echo "$save $size $load"
}

echo "rdb bench: $keys keys, $rounds rounds (ours / redis)"
ratios=""
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then a=$(one ours); b=$(one redis); else b=$(one redis); a=$(one ours); fi
    echo "round $r: ours $a | redis $b"
    ratios="$ratios$(echo "$a $b" | awk '{printf "%.3f %.3f %.3f\n", $1/$4, $2/$5, $3/$6}')
"
done
printf '%s' "$ratios" | awk '
    { s[NR] = $1; z[NR] = $2; l[NR] = $3 }
    function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { printf "median ratio ours/redis: SAVE time %.2f, file size %.2f, load time %.2f (budget <= 1.0 each)\n", med(s, NR), med(z, NR), med(l, NR) }'

#!/usr/bin/env bash
# bench/cache.sh -- FrankenRedis as a cache next to redis-server 7.0.15:
# maxmemory with allkeys-lru, a keyspace twice what Redis holds in that
# memory, skewed (Zipf) access.  About a minute.  A tool, not a test: it
# fails only when it cannot measure.
#
#   bench/cache.sh [--budget-mb 16] [--ops 300000] [--value 100] [--no-pin]
#
# Both servers get the same memory budget: maxmemory = their own used_memory
# at start + BUDGET, so a server that needs fewer bytes per key holds more
# keys in it.  The keyspace is sized on Redis: 2 x BUDGET / Redis's bytes
# per key (measured on 20000 keys first).
#  1. Fill: every key of the keyspace SET once (redis-cli --pipe), so the
#     server evicts down to its budget (the fill's time gives a rate too).
#  2. Hit rate: bench/cache_load.py, a cache-aside client (GET; SET on a
#     miss) over that keyspace, Zipf s=1, the same key sequence for both; the
#     first third warms the cache and is not counted.
#  3. Throughput under eviction: redis-benchmark SET then GET on uniformly
#     random keys of the keyspace (-r), 50 clients, pipeline 16, value
#     VALUE bytes: every SET of a new key evicts.
# Prints a table (ours, Redis, ratio) on stdout.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${FR_BUILDDIR:-$src}
# shellcheck source=lib.sh
. "$here/lib.sh"

BUDGET_MB=16 OPS=300000 VALUE=100 PIN=1
while [ $# -gt 0 ]; do
    case $1 in
    --budget-mb) BUDGET_MB=$2; shift ;;
    --ops) OPS=$2; shift ;;
    --value) VALUE=$2; shift ;;
    --no-pin) PIN=0 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown option $1 (--help)" ;;
    esac
    shift
done

FR_SERVER=$build/frankenredis-server
FR_CONF=$build/conf/frankenredis.conf
[ -f "$FR_CONF" ] || FR_CONF=$src/conf/frankenredis.conf
REDIS_SERVER=redis-server
[ -x "$FR_SERVER" ] || die "$FR_SERVER not built"
SERVER_PIN="" CLIENT_PIN=""
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_PIN="taskset -c 0" CLIENT_PIN="taskset -c 1"
fi
bench_init

start() {  # start KIND: BENCH_PORT/BENCH_PID of a server with the budget set
    bench_start "$1" "$BENCH_TMP/$1.log" || die "$1 did not start"
    local base
    base=$(used_memory "$BENCH_PORT")
    redis-cli -p "$BENCH_PORT" CONFIG SET maxmemory-policy allkeys-lru >/dev/null
    redis-cli -p "$BENCH_PORT" CONFIG SET maxmemory $((base + BUDGET_MB * 1024 * 1024)) >/dev/null
}

# Redis's bytes per key, on a throw-away instance.
bench_start redis "$BENCH_TMP/sizing.log" || die "redis-server did not start"
base=$(used_memory "$BENCH_PORT")
gen_set 20000 "$VALUE" "cache:%010d" | pipe_load "$BENCH_PORT" >/dev/null
per_key=$(( ($(used_memory "$BENCH_PORT") - base) / 20000 ))
bench_stop "$BENCH_PID"
KEYS=$(( 2 * BUDGET_MB * 1024 * 1024 / per_key ))
note "Redis uses $per_key bytes per key; keyspace $KEYS keys, budget $BUDGET_MB MB"

declare -A R
for kind in ours redis; do
    start "$kind"
    port=$BENCH_PORT pid=$BENCH_PID
    gen_set "$KEYS" "$VALUE" "cache:%010d" >"$BENCH_TMP/fill.resp"
    t0=$(date +%s%N)
    pipe_load "$port" <"$BENCH_TMP/fill.resp" >/dev/null
    R[$kind.fill]=$(awk -v n="$KEYS" -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
    R[$kind.filled]=$(redis-cli -p "$port" DBSIZE)
    read -r hits gets sets secs < <($CLIENT_PIN python3 "$here/cache_load.py" "$port" "$KEYS" "$OPS" "$VALUE" 7 |
        sed 's/[a-z]*=//g')
    [ -n "${secs:-}" ] || die "cache_load.py failed on $kind"
    R[$kind.hit]=$(awk -v h="$hits" -v g="$gets" 'BEGIN { printf "%.4f", h / g }')
    R[$kind.ops]=$(awk -v g="$gets" -v s="$sets" -v t="$secs" 'BEGIN { printf "%.0f", (g + s) / t }')
    R[$kind.keys]=$(redis-cli -p "$port" DBSIZE)
    for t in set get; do
        read -r rps _ < <(run_bench "$port" "$pid" 300000 -c 50 -P 16 -d "$VALUE" -r "$KEYS" -t "$t" --csv)
        R[$kind.$t]=$rps
    done
    R[$kind.evicted]=$(redis-cli -p "$port" INFO stats | tr -d '\r' | awk -F: '$1 == "evicted_keys" { print $2 }')
    R[$kind.used]=$(used_memory "$port")
    bench_stop "$pid"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
printf '| measure | FrankenRedis | Redis 7.0.15 | ratio |\n|---|---|---|---|\n'
printf '| keys held after the fill (budget %d MB) | %s | %s | %s |\n' "$BUDGET_MB" "${R[ours.filled]}" \
    "${R[redis.filled]}" "$(ratio "${R[ours.filled]}" "${R[redis.filled]}")"
printf '| fill rate, SET of %d keys (redis-cli --pipe), keys/s | %s | %s | %s |\n' "$KEYS" "${R[ours.fill]}" \
    "${R[redis.fill]}" "$(ratio "${R[ours.fill]}" "${R[redis.fill]}")"
printf '| keys held after the cache-aside run | %s | %s | %s |\n' "${R[ours.keys]}" "${R[redis.keys]}" \
    "$(ratio "${R[ours.keys]}" "${R[redis.keys]}")"
printf '| hit rate, Zipf cache-aside (%d keys) | %s | %s | %s |\n' "$KEYS" "${R[ours.hit]}" "${R[redis.hit]}" \
    "$(ratio "${R[ours.hit]}" "${R[redis.hit]}")"
printf '| cache-aside ops/s (one python client) | %s | %s | %s |\n' "${R[ours.ops]}" "${R[redis.ops]}" \
    "$(ratio "${R[ours.ops]}" "${R[redis.ops]}")"
printf '| SET rps under eviction (-c 50 -P 16) | %s | %s | %s |\n' "${R[ours.set]}" "${R[redis.set]}" \
    "$(ratio "${R[ours.set]}" "${R[redis.set]}")"
printf '| GET rps, random keys (-c 50 -P 16) | %s | %s | %s |\n' "${R[ours.get]}" "${R[redis.get]}" \
    "$(ratio "${R[ours.get]}" "${R[redis.get]}")"
printf '| evicted_keys at the end | %s | %s | |\n' "${R[ours.evicted]}" "${R[redis.evicted]}"

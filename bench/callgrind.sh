#!/usr/bin/env bash
# bench/callgrind.sh -- user-space instructions per request of one server
# on one redis-benchmark workload, with valgrind --tool=callgrind.
#
# Owns: the profiling procedure.  The server runs under callgrind with
# instrumentation off (--instr-atstart=no); it is switched on
# (callgrind_control -i on) only around the measured redis-benchmark run, so
# start-up, preload and shutdown are not counted.  Prints "Ir/request" and
# the top functions (inclusive and self).
# Instruction counts are repeatable, so they are the before/after figure for
# an optimisation; kernel work (syscalls) is not in them.
#
# usage: bench/callgrind.sh [options] [-- redis-benchmark args]
#   --redis         profile redis-server instead of frankenredis-server
#   --server PATH   frankenredis-server (default: BUILD/frankenredis-server)
#   --conf FILE     its config (default: BUILD/conf/frankenredis.conf)
#   -n N            requests (default 100000)
#   --fill SIZE     preload key:000000000000.. (keyspace from -r, default
#                   100000) with SIZE-byte values first (for GET)
#   --top K         functions to list (default 25)
#   --out FILE      keep the callgrind output there (for kcachegrind)
#   --cache-sim     also simulate the caches: data misses per request (D1mr
#                   L1 read misses, DLmr last-level read misses, ...)
#   --pipe FILE     send FILE (RESP commands) through redis-cli --pipe on one
#                   connection instead of running redis-benchmark; requests
#                   are its replies (for command mixes redis-benchmark cannot
#                   interleave)
# default benchmark args: -c 50 -r 100000 -P 1 -d 3 -t set
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

build=${FR_BUILDDIR:-$src}
FR_SERVER=$build/frankenredis-server
FR_CONF=$build/conf/frankenredis.conf
[ -f "$FR_CONF" ] || FR_CONF=$src/conf/frankenredis.conf
REDIS_SERVER=redis-server
KIND=ours N=100000 FILL="" TOP=25 KEEP="" CACHE="" PIPE=""
while [ $# -gt 0 ]; do
    case $1 in
    --redis) KIND=redis ;;
    --server) FR_SERVER=$2; shift ;;
    --conf) FR_CONF=$2; shift ;;
    -n) N=$2; shift ;;
    --fill) FILL=$2; shift ;;
    --top) TOP=$2; shift ;;
    --out) KEEP=$2; shift ;;
    --cache-sim) CACHE="--cache-sim=yes" ;;
    --pipe) PIPE=$2; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ $# -gt 0 ]; then ARGS=("$@"); else ARGS=(-c 50 -r 100000 -P 1 -d 3 -t set); fi
KEYSPACE=100000
for ((i = 0; i < ${#ARGS[@]}; i++)); do
    [ "${ARGS[i]}" = -r ] && KEYSPACE=${ARGS[i + 1]}
done

for tool in valgrind callgrind_control callgrind_annotate redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
FR_SERVER=$(cd "$(dirname "$FR_SERVER")" && pwd)/$(basename "$FR_SERVER")
FR_CONF=$(cd "$(dirname "$FR_CONF")" && pwd)/$(basename "$FR_CONF")
REDIS_SERVER=$(command -v "$REDIS_SERVER")

bench_init
out=$BENCH_TMP/cg.out
SERVER_PIN="valgrind --tool=callgrind --instr-atstart=no $CACHE --callgrind-out-file=$out"
CLIENT_PIN=""
# valgrind starts slowly: bench_start waits 10 s, which is enough on an idle
# machine; retry the wait here for a loaded one.
bench_start "$KIND" "$BENCH_TMP/server.log" || {
    tail -n 5 "$BENCH_TMP/server.log" >&2; die "server did not start under valgrind"; }
pid=$BENCH_PID port=$BENCH_PORT

redis-cli -p "$port" FLUSHALL >/dev/null
if [ -n "$FILL" ]; then
    res=$(gen_set "$KEYSPACE" "$FILL" 'key:%012d' | pipe_load "$port")
    [ "$res" = "0 $KEYSPACE" ] || note "fill: errors/replies $res"
fi

callgrind_control -i on "$pid" >/dev/null 2>&1 || die "callgrind_control -i on failed"
if [ -n "$PIPE" ]; then
    res=$(pipe_load "$port" <"$PIPE")
    echo "pipe: errors/replies $res"
    N=${res#* }
else
    redis-benchmark -p "$port" -n "$N" -q "${ARGS[@]}" 2>&1 | tr '\r' '\n' | grep -v '^ *$' | tail -n 1
fi
callgrind_control -i off "$pid" >/dev/null 2>&1
callgrind_control -d "$pid" >/dev/null 2>&1
dump=$(ls -t "$out".* 2>/dev/null | head -n 1)
[ -n "$dump" ] || die "no callgrind dump"

# callgrind_annotate lines, one per function (the per-object ones), paths cut.
tidy() {
    awk '/ \[/ && /\(/ { i = index($0, " ["); l = substr($0, 1, i - 1)
        o = substr($0, i + 2); sub(/[^ ]*\//, "", l); sub(/.*\//, "", o)
        print l " [" o }' |
        head -n "$TOP"
}

total=$(awk '/^totals:/ { t = $2 } /^summary:/ && $2 > 0 { s = $2 } END { print (t ? t : s + 0) }' "$dump")
if [ -n "$CACHE" ]; then
    awk -v n="$N" '/^events:/ { for (i = 2; i <= NF; i++) ev[i] = $i }
        /^totals:/ { for (i = 2; i <= NF; i++) printf "%s/request %.1f  ", ev[i], $i / n; print "" }' "$dump"
fi
echo "server: $KIND ($([ "$KIND" = ours ] && echo "$FR_SERVER" || echo "$REDIS_SERVER"))"
if [ -n "$PIPE" ]; then w="redis-cli --pipe <$PIPE ($N replies)"; else w="redis-benchmark -n $N ${ARGS[*]}"; fi
echo "workload: $w${FILL:+ (after fill $FILL)}"
awk -v t="$total" -v n="$N" 'BEGIN { printf "Ir total %.0f, Ir/request %.0f\n", t, t / n }'
echo
echo "== inclusive (top $TOP)"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | tidy
echo
echo "== self (top $TOP)"
callgrind_annotate "$dump" 2>/dev/null | tidy
[ -n "$KEEP" ] && cp "$dump" "$KEEP" && echo "callgrind output kept in $KEEP"
bench_stop "$pid"
exit 0

#!/usr/bin/env bash
# bench/run.sh -- FrankenRedis and redis-server side by side (issue 5).
#
# Owns: the benchmark procedure.  Starts frankenredis-server (build tree) and
# redis-server on free ports (never 6379), runs every workload of
# bench/workloads on both, alternating (round 1: ours then Redis, round 2:
# Redis then ours, ...), reads each server's CPU time around each run, then
# measures bytes per key for N small keys with and without TTL on fresh
# servers.  Prints medians of the per-round ratios ours/Redis and writes the
# report (docs/performance.md by default; --quick writes none unless --out).
# A tool, not a test: it never fails on a timing, only when it cannot measure.
# See bench/README.md.
set -uo pipefail
export LC_ALL=C   # decimal points from time, awk and printf

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
    cat <<EOF
usage: bench/run.sh [options]
  --quick              smoke mode: few requests, 1 round, 10k keys (< 30 s)
  --rounds N           rounds of every workload (default 3)
  --requests N         requests per run at -P 1 (default 200000)
  --pipe-requests N    requests per run at -P > 1 (default 1000000)
  --clients N          redis-benchmark -c (default 50)
  --keyspace N         redis-benchmark -r (default 100000)
  --mem-keys N         keys for the bytes-per-key test (default 1000000)
  --workloads FILE     workload list (default bench/workloads)
  --only REGEX         only workloads whose name matches (grep -E)
  --no-memory          skip the bytes-per-key test
  --no-throughput      skip the redis-benchmark workloads
  --server PATH        frankenredis-server (default: BUILD/frankenredis-server,
                       BUILD = \$FR_BUILDDIR or the source tree)
  --conf FILE          its config (default: BUILD/conf/frankenredis.conf,
                       else SOURCE/conf/frankenredis.conf)
  --redis PATH         reference redis-server (default: redis-server in PATH)
  --out FILE           report to write ("-": none; default docs/performance.md,
                       none with --quick)
  --no-pin             do not pin server to CPU 0 and client to CPU 1
  --keep-tmp           keep the scratch directory (raw results, logs)
  --label TEXT         what was measured, for the report (default: git commit
                       of the server's directory)
EOF
}

ROUNDS=3 N1=200000 NP=1000000 CLIENTS=50 KEYSPACE=100000 MEMKEYS=1000000
WORKLOADS=$here/workloads ONLY="" LABEL="" DO_MEM=1 DO_TP=1 PIN=1 QUICK=0 OUT=""
build=${FR_BUILDDIR:-$src}
FR_SERVER=$build/frankenredis-server
FR_CONF=$build/conf/frankenredis.conf
[ -f "$FR_CONF" ] || FR_CONF=$src/conf/frankenredis.conf
REDIS_SERVER=redis-server
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1; ROUNDS=1 N1=2000 NP=20000 KEYSPACE=10000 MEMKEYS=10000 ;;
    --rounds) ROUNDS=$2; shift ;;
    --requests) N1=$2; shift ;;
    --pipe-requests) NP=$2; shift ;;
    --clients) CLIENTS=$2; shift ;;
    --keyspace) KEYSPACE=$2; shift ;;
    --mem-keys) MEMKEYS=$2; shift ;;
    --workloads) WORKLOADS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --no-memory) DO_MEM=0 ;;
    --no-throughput) DO_TP=0 ;;
    --server) FR_SERVER=$2; shift ;;
    --conf) FR_CONF=$2; shift ;;
    --redis) REDIS_SERVER=$2; shift ;;
    --out) OUT=$2; shift ;;
    --no-pin) PIN=0 ;;
    --keep-tmp) BENCH_KEEP_TMP=1 ;;
    --label) LABEL=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$OUT" ]; then
    if [ "$QUICK" = 1 ]; then OUT=-; else OUT=$src/docs/performance.md; fi
fi

for tool in redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install redis-tools)"
done
command -v "$REDIS_SERVER" >/dev/null || die "$REDIS_SERVER not found (apt-get install redis-server)"
[ -x "$FR_SERVER" ] || die "$FR_SERVER not built (scripts/build.sh)"
[ -f "$FR_CONF" ] || die "config $FR_CONF not found"
FR_SERVER=$(cd "$(dirname "$FR_SERVER")" && pwd)/$(basename "$FR_SERVER")
FR_CONF=$(cd "$(dirname "$FR_CONF")" && pwd)/$(basename "$FR_CONF")
[ -r /proc/self/schedstat ] || die "/proc/PID/schedstat missing (kernel without CONFIG_SCHED_INFO)"

SERVER_PIN="" CLIENT_PIN=""
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    SERVER_PIN="taskset -c 0" CLIENT_PIN="taskset -c 1"
else
    PIN=0
fi

bench_init
results=$BENCH_TMP/results.tsv mem=$BENCH_TMP/mem.tsv
: >"$results"; : >"$mem"

# --- workloads -----------------------------------------------------------
declare -a WL_NAME WL_TEST WL_PIPE WL_SIZE WL_PREP WL_EXTRA
while read -r name test pipe size prep extra; do
    case $name in ''|'#'*) continue ;; esac
    [ -n "$ONLY" ] && ! echo "$name" | grep -Eq -- "$ONLY" && continue
    [ -n "$prep" ] || die "$WORKLOADS: '$name' needs NAME TEST PIPELINE SIZE PREP"
    WL_NAME+=("$name") WL_TEST+=("$test") WL_PIPE+=("$pipe")
    WL_SIZE+=("$size") WL_PREP+=("$prep") WL_EXTRA+=("$extra")
done <"$WORKLOADS"

# bench_args I: the redis-benchmark arguments of workload I, without -p/-n.
bench_args() {
    local i=$1
    printf '%s\n' --csv -c "$CLIENTS" -r "$KEYSPACE" -P "${WL_PIPE[i]}" -d "${WL_SIZE[i]}"
    if [ "${WL_TEST[i]}" != cmd ]; then printf '%s\n' -t "${WL_TEST[i]}"; fi
    # shellcheck disable=SC2086
    [ -z "${WL_EXTRA[i]}" ] || printf '%s\n' ${WL_EXTRA[i]}
}
requests_of() { if [ "${WL_PIPE[$1]}" = 1 ]; then echo "$N1"; else echo "$NP"; fi; }

prep() {  # prep PORT I
    local port=$1 i=$2 res
    redis-cli -p "$port" FLUSHALL >/dev/null
    case ${WL_PREP[i]} in
    -) ;;
    fill)
        res=$(gen_set "$KEYSPACE" "${WL_SIZE[i]}" 'key:%012d' | pipe_load "$port")
        [ "$res" = "0 $KEYSPACE" ] || note "fill on port $port: errors/replies $res"
        ;;
    hfill)  # one field f in each of KEYSPACE small hashes h:<12 digits>
        res=$(gen_elems HSET "$KEYSPACE" 1 'h:%012d' f "${WL_SIZE[i]}" | pipe_load "$port")
        [ "$res" = "0 $KEYSPACE" ] || note "hfill on port $port: errors/replies $res"
        ;;
    sfill)  # member m in each of KEYSPACE small sets s:<12 digits>
        res=$(gen_elems SADD "$KEYSPACE" 1 's:%012d' m | pipe_load "$port")
        [ "$res" = "0 $KEYSPACE" ] || note "sfill on port $port: errors/replies $res"
        ;;
    zfill)  # 1000 members (scores 0..999, 8-byte names) in one zset zr
        res=$(gen_elems ZADD 1 1000 'zr' '%d' 8 | pipe_load "$port")
        [ "$res" = "0 10" ] || note "zfill on port $port: errors/replies $res"
        ;;
    lfill)  # as many elements as the run pops (8 bytes each) in redis-benchmark's list mylist
        res=$(gen_elems RPUSH 1 "$NP" 'mylist' 'e:%06d' | pipe_load "$port")
        [ "$res" = "0 $(( (NP + 99) / 100 ))" ] || note "lfill on port $port: errors/replies $res"
        ;;
    *) die "unknown PREP '${WL_PREP[i]}' for ${WL_NAME[i]}" ;;
    esac
}

run_throughput() {
    local port port_o port_r pid_o pid_r round i who n line
    local -a args order
    bench_start ours "$BENCH_TMP/ours.log" ||
        die "frankenredis-server did not start: $(tail -n 3 "$BENCH_TMP/ours.log")"
    pid_o=$BENCH_PID port_o=$BENCH_PORT
    bench_start redis "$BENCH_TMP/redis.log" ||
        die "redis-server did not start: $(tail -n 3 "$BENCH_TMP/redis.log")"
    pid_r=$BENCH_PID port_r=$BENCH_PORT
    # Warm-up, not measured: first connections, allocator arenas, page faults.
    for port in "$port_o" "$port_r"; do
        $CLIENT_PIN redis-benchmark -p "$port" -q -c "$CLIENTS" -r "$KEYSPACE" \
            -n $((N1 / 4 > 1000 ? N1 / 4 : 1000)) -t set,get >/dev/null 2>&1
    done
    for round in $(seq 1 "$ROUNDS"); do
        if [ $((round % 2)) = 1 ]; then order=(ours redis); else order=(redis ours); fi
        for i in "${!WL_NAME[@]}"; do
            mapfile -t args < <(bench_args "$i")
            n=$(requests_of "$i")
            for who in "${order[@]}"; do
                if [ "$who" = ours ]; then
                    prep "$port_o" "$i"
                    line=$(run_bench "$port_o" "$pid_o" "$n" "${args[@]}")
                else
                    prep "$port_r" "$i"
                    line=$(run_bench "$port_r" "$pid_r" "$n" "${args[@]}")
                fi
                printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$round" "${WL_NAME[i]}" \
                    "${WL_PIPE[i]}" "$who" "$n" "${line// /$'\t'}" >>"$results"
                printf 'round %s  %-14s %-5s %s\n' "$round" "${WL_NAME[i]}" "$who" "$line" >&2
            done
        done
    done
    kill -0 "$pid_o" 2>/dev/null || die "frankenredis-server died: $(tail -n 5 "$BENCH_TMP/ours.log")"
    bench_stop "$pid_o"; bench_stop "$pid_r"
}

# Bytes per key: a fresh server, readings, MEMKEYS SETs (16-byte keys,
# 32-byte values, optionally EX 86400) through redis-cli --pipe, readings.
# A server that refuses SET EX (FrankenRedis without the ttl module) gets
# status n/a for the TTL variant.
mem_one() {  # mem_one WHO VARIANT TTL
    local who=$1 variant=$2 ttl=$3 port pid ub ua rb ra res status=ok n
    bench_start "$who" "$BENCH_TMP/mem-$who.log" ||
        die "$who server did not start for the memory test"
    pid=$BENCH_PID port=$BENCH_PORT
    if [ -n "$ttl" ] &&
        redis-cli -p "$port" SET __bench_probe__ x EX 100 2>&1 | grep -q ERR; then
        status=n/a
    fi
    redis-cli -p "$port" DEL __bench_probe__ >/dev/null
    n=$(redis-cli -p "$port" DBSIZE)
    if [ "$n" != 0 ]; then
        note "memory test on $who: the fresh server holds $n keys"
        status=error
    fi
    sleep 0.2
    ub=$(used_memory "$port") rb=$(rss_bytes "$pid")
    if [ "$status" = ok ]; then
        res=$(gen_set "$MEMKEYS" 32 'key:%012d' "$ttl" | pipe_load "$port")
        n=$(redis-cli -p "$port" DBSIZE)
        if [ "$res" != "0 $MEMKEYS" ] || [ "$n" != "$MEMKEYS" ]; then
            note "memory load on $who: errors/replies $res, dbsize $n"
            status=error
        fi
    fi
    sleep 0.2
    ua=$(used_memory "$port") ra=$(rss_bytes "$pid")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$who" "$MEMKEYS" \
        "$ub" "$ua" "$rb" "$ra" "$status" >>"$mem"
    printf 'memory %-22s %-5s used %s -> %s  rss %s -> %s  %s\n' \
        "$variant" "$who" "$ub" "$ua" "$rb" "$ra" "$status" >&2
    bench_stop "$pid"
}

mem_label() {  # human name of the key count
    if [ "$MEMKEYS" -ge 1000000 ] && [ $((MEMKEYS % 1000000)) = 0 ]; then
        echo "$((MEMKEYS / 1000000))M"
    elif [ "$MEMKEYS" -ge 1000 ] && [ $((MEMKEYS % 1000)) = 0 ]; then
        echo "$((MEMKEYS / 1000))k"
    else echo "$MEMKEYS"; fi
}

run_memory() {
    local label; label=$(mem_label)
    mem_one ours "$label-keys" ""
    mem_one redis "$label-keys" ""
    mem_one ours "$label-keys+TTL" 86400
    mem_one redis "$label-keys+TTL" 86400
}

start=$(date +%s)
[ "$DO_MEM" = 1 ] && run_memory
[ "$DO_TP" = 1 ] && [ "${#WL_NAME[@]}" -gt 0 ] && run_throughput
elapsed=$(( $(date +%s) - start ))

# --- report -------------------------------------------------------------
summary=$BENCH_TMP/summary.tsv
awk -f "$here/summarize.awk" "$results" "$mem" >"$summary"

fmt() {  # number formatting per metric
    awk -F'\t' -v OFS='\t' '
    function f(m, x) {
        if (x == "n/a" || x == "") return "n/a"
        if (m == "rps") return sprintf("%.0f", x)
        if (m == "cpu_us") return sprintf("%.2f", x)
        if (m == "user_us") return sprintf("%.2f", x)
        if (m ~ /_busy$/) return sprintf("%.2f", x)
        if (m ~ /_ms$/) return sprintf("%.3f", x)
        return sprintf("%.1f", x)
    }
    { r = ($6 == "n/a") ? "n/a" : sprintf("%.2f", $6)
      if ($1 ~ /_busy$/) r = "-"
      print $1, $2, $3, f($1, $4), f($1, $5), r, $7 }' "$summary"
}
fmt >"$BENCH_TMP/summary.fmt"

title() {
    case $1 in
    rps) echo "Throughput (requests/s, higher is better)" ;;
    cpu_us) echo "Server CPU per request (us, lower is better)" ;;
    user_us) echo "Server user-mode CPU per request (us; the rest is kernel time)" ;;
    srv_busy) echo "Server busy during the run (cores; near 1.00: the server is the bottleneck)" ;;
    cli_busy) echo "redis-benchmark busy during the run (cores; near 1.00: the client is the bottleneck)" ;;
    p50_ms) echo "Latency p50 (ms, lower is better)" ;;
    p99_ms) echo "Latency p99 (ms, lower is better)" ;;
    used_B) echo "Bytes per key from INFO used_memory (lower is better)" ;;
    rss_B) echo "Bytes per key from VmRSS (lower is better)" ;;
    esac
}
metrics="rps cpu_us user_us p50_ms p99_ms srv_busy cli_busy used_B rss_B"

# Console: one block per metric; latency only for GET workloads.
show_row() { # metric workload
    case $1 in p50_ms|p99_ms) case $2 in GET*) return 0 ;; *) return 1 ;; esac ;; esac
    return 0
}
{
    echo
    echo "== ours/redis: medians over $ROUNDS round(s) of per-round ratios (${elapsed}s)"
    for m in $metrics; do
        grep -q "^$m	" "$BENCH_TMP/summary.fmt" || continue
        echo "-- $(title "$m")"
        printf '   %-18s %12s %12s %7s\n' workload ours redis ratio
        while IFS=$'\t' read -r mm wl _ o r q _; do
            if [ "$mm" != "$m" ] || ! show_row "$m" "$wl"; then continue; fi
            printf '   %-18s %12s %12s %7s\n' "$wl" "$o" "$r" "$q"
        done <"$BENCH_TMP/summary.fmt"
    done
} 

# Budget of issue 5: CPU/op <= 0.8x at -P 1, throughput >= 1.3x at -P > 1,
# GET p99 <= 1x, bytes/key <= 0.8x.
budget() {
    awk -F'\t' '
    function row(what, wl, q, limit, le) {
        if (q == "n/a") ok = "n/a"
        else ok = (le ? (q <= limit) : (q >= limit)) ? "yes" : "**no**"
        printf "| %s | %s | %s | %s %.1f | %s |\n", what, wl, q, le ? "<=" : ">=", limit, ok
    }
    $1 == "cpu_us" && $3 == 1 && $2 ~ /^(SET|GET|INCR|MSET)/ { row("CPU/op", $2, $6, 0.8, 1) }
    $1 == "rps" && $3 != 1 && $2 ~ /^(SET|GET|INCR|MSET)/ { row("throughput", $2, $6, 1.3, 0) }
    $1 == "p99_ms" && $2 ~ /^GET/ { row("p99 latency", $2, $6, 1.0, 1) }
    $1 ~ /^(used_B|rss_B)$/ { row($1 == "used_B" ? "bytes/key (used_memory)" : "bytes/key (RSS)", $2, $6, 0.8, 1) }
    ' "$BENCH_TMP/summary.fmt" | sort -s -t "|" -k2,2
}

write_report() {
    local out=$1 tmp notes="" commit cpu redis_ver
    tmp=$out.tmp.$$
    local bdir; bdir=$(dirname "$FR_SERVER")
    if [ -n "$LABEL" ]; then
        commit=$LABEL
    elif commit=$(git -C "$bdir" rev-parse --short HEAD 2>/dev/null); then
        if [ -n "$(git -C "$bdir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
            commit="$commit (with uncommitted changes)"
        fi
    else
        commit="unknown commit"
    fi
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    redis_ver=$("$REDIS_SERVER" --version | sed 's/^Redis server //')
    {
    echo "# Performance"
    echo
    echo "Generated by \`bench/run.sh\` (see \`bench/README.md\`); everything above"
    echo "the notes marker is rewritten on every run."
    echo
    echo "## Machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $cpu, nproc $(nproc)"
    echo "- kernel: $(uname -sr)"
    echo "- FrankenRedis: $commit, $FR_SERVER"
    echo "- reference: redis-server $redis_ver"
    echo "- redis-benchmark: $(redis-benchmark --version 2>/dev/null | head -n 1)"
    if [ "$PIN" = 1 ]; then
        echo "- pinning: servers on CPU 0 (\`taskset -c 0\`), redis-benchmark on CPU 1"
    else
        echo "- pinning: none"
    fi
    echo "- rounds: $ROUNDS (odd rounds run ours first, even rounds Redis first); wall time ${elapsed}s"
    [ "$QUICK" = 1 ] && echo "- **quick mode**: too few requests for meaningful numbers"
    echo
    echo "## Commands"
    echo
    echo "Each workload, on each server, after \`FLUSHALL\` (and, for \`fill\`, SET of"
    echo "the $KEYSPACE keys GET reads, through \`redis-cli --pipe\`):"
    echo
    echo '```'
    for i in "${!WL_NAME[@]}"; do
        printf '%-14s %s redis-benchmark -p PORT -n %s %s   # prep: %s\n' "${WL_NAME[i]}" \
            "$CLIENT_PIN" "$(requests_of "$i")" "$(bench_args "$i" | tr '\n' ' ')" "${WL_PREP[i]}"
    done
    echo '```'
    echo
    echo "Servers, each in a fresh empty directory: \`$SERVER_PIN $FR_SERVER $FR_CONF --port PORT --save \"\"\` and"
    echo "\`$SERVER_PIN $REDIS_SERVER --port PORT --bind 127.0.0.1 --save \"\" --appendonly no\`."
    echo "Server CPU per request: sum of the first field of \`/proc/PID/task/*/schedstat\`"
    echo "(ns on CPU, all threads) after minus before the run, divided by -n."
    echo "Its user-mode part: utime (field 14 of \`/proc/PID/stat\`, 10 ms ticks) the same way;"
    echo "the rest is kernel time (socket reads and writes, epoll)."
    echo "Busy: server CPU time and redis-benchmark user+sys time (bash \`time\`) over the run's"
    echo "wall time, in cores; the side near 1.00 limits the throughput."
    echo "Bytes per key: on a fresh server, $MEMKEYS \`SET key:%012d <32 bytes> [EX 86400]\`"
    echo "(16-byte keys) through \`redis-cli --pipe\`; (after - before) / $MEMKEYS of INFO"
    echo "\`used_memory\` and of VmRSS. \"n/a\": the server refuses \`SET ... EX\` (no ttl module)."
    echo
    echo "## Results"
    echo
    echo "ours and redis: median over the rounds; ratio: median of the per-round ratios ours/redis."
    for m in $metrics; do
        grep -q "^$m	" "$BENCH_TMP/summary.fmt" || continue
        echo
        echo "### $(title "$m")"
        echo
        echo "| workload | ours | redis | ratio |"
        echo "|---|---:|---:|---:|"
        while IFS=$'\t' read -r mm wl _ o r q _; do
            [ "$mm" = "$m" ] || continue
            echo "| $wl | $o | $r | $q |"
        done <"$BENCH_TMP/summary.fmt"
    done
    echo
    echo "### Budget (issue 5)"
    echo
    echo "| budget | workload | ratio | limit | met |"
    echo "|---|---|---:|---|---|"
    budget
    echo
    } >"$tmp"
    if [ -f "$out" ]; then
        notes=$(awk '/^<!-- notes: kept by bench\/run.sh -->/ { on = 1 } on' "$out")
    fi
    if [ -n "$notes" ]; then
        printf '%s\n' "$notes" >>"$tmp"
    else
        printf '%s\n' "<!-- notes: kept by bench/run.sh -->" >>"$tmp"
    fi
    mv "$tmp" "$out"
}

failed=$(awk -F"\t" '$6 == "NaN"' "$results" | wc -l)
failed=$((failed + $(awk -F"\t" '$8 == "error"' "$mem" | wc -l)))
if [ "$OUT" != - ]; then
    write_report "$OUT"
    echo "report written to $OUT"
fi
if [ -n "${BENCH_KEEP_TMP:-}" ]; then
    echo "raw results in $BENCH_TMP"
fi
if [ "$failed" -gt 0 ]; then
    echo "bench: $failed measurement(s) failed (see messages above)" >&2
    exit 1
fi
exit 0

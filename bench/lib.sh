# shellcheck shell=bash
# bench/lib.sh -- helpers for bench/run.sh; source it, do not run it.
#
# Owns: starting/stopping the two servers (by PID, never port 6379), the
# per-process CPU counter (/proc/PID/task/*/schedstat), RSS and INFO memory
# readings, RESP generation for bulk loads (awk | redis-cli --pipe), and
# running one redis-benchmark invocation into one result line.
# Everything started here is listed in BENCH_PIDS and stopped on exit.

# The port probe is the integration tests' (one copy of it).
# shellcheck source=../tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/integration/lib.sh"

BENCH_PIDS=""
BENCH_TMP=""

bench_init() {
    BENCH_TMP=$(mktemp -d /tmp/fr-bench.XXXXXX) || exit 2
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    local pid
    for pid in $BENCH_PIDS; do
        kill -0 "$pid" 2>/dev/null && bench_stop "$pid"
    done
    [ -n "$BENCH_TMP" ] && [ -z "${BENCH_KEEP_TMP:-}" ] && rm -rf "$BENCH_TMP"
}

die() { echo "bench: $*" >&2; exit 2; }

# bench_keys_rounds NAME ARGS...: the --keys N / --rounds R options of the
# persistence benches (rdb.sh, aof.sh) into `keys` and `rounds` (defaults
# 1M and 3), and the two servers to compare into FR_SERVER, FR_CONF and
# REDIS_SERVER.
bench_keys_rounds() {
    local name=$1
    shift
    keys=1000000 rounds=3
    while [ $# -gt 0 ]; do
        case $1 in
        --keys) keys=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "usage: bench/$name [--keys N] [--rounds R]" >&2; exit 2 ;;
        esac
    done
    local src
    src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    FR_SERVER=${FR_BUILDDIR:-$src}/frankenredis-server FR_CONF=$src/conf/frankenredis.conf
    REDIS_SERVER=$(command -v redis-server) || die "redis-server is not installed"
    SERVER_PIN=""
}
note() { echo "bench: $*" >&2; }

# bench_free_port: a port nobody listens on, never 6379, below the kernel's
# ephemeral range (so no client socket of ours holds it).  Racy like any
# probe, hence bench_start's retries.
bench_free_port() {
    local _ lo hi
    read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
    hi=$(( lo > 20000 ? lo : 32768 ))
    fr_probe_free_port 10000 "$hi"
}

# bench_start KIND LOG: starts a server on a free port, sets BENCH_PID and
# BENCH_PORT.
#   KIND ours : $FR_SERVER $FR_CONF --port PORT --save ""
#   KIND redis: $REDIS_SERVER --port PORT --save "" --appendonly no
# Each instance runs in a fresh empty directory under $BENCH_TMP (so nothing
# lands in the source tree and no instance loads another's dump), pinned
# with $SERVER_PIN (a taskset prefix, possibly empty).  Waits up to 10 s for
# PONG; a server that exits at once (port taken meanwhile) is retried on
# another port, up to 5 times.  Returns 1 if no server came up.
bench_start() {
    local kind=$1 log=$2 pid port dir _
    local -a cmd
    for _ in 1 2 3 4 5; do
        port=$(bench_free_port) || return 1
        dir=$(mktemp -d "$BENCH_TMP/srv.XXXXXX") || return 1
        if [ "$kind" = ours ]; then
            cmd=("$FR_SERVER" "$FR_CONF" --port "$port" --save "")
        else
            cmd=("$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save ""
                 --appendonly no --dir "$dir" --logfile "")
        fi
        # shellcheck disable=SC2086  # BENCH_ARGS: extra words for both servers
        (cd "$dir" && exec $SERVER_PIN "${cmd[@]}" ${BENCH_ARGS:-}) >"$log" 2>&1 </dev/null &
        pid=$!
        BENCH_PIDS="$BENCH_PIDS $pid"
        for _ in $(seq 1 200); do
            kill -0 "$pid" 2>/dev/null || break
            if [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ]; then
                # shellcheck disable=SC2034  # results for the caller
                BENCH_PID=$pid BENCH_PORT=$port
                return 0
            fi
            sleep 0.05
        done
        if kill -0 "$pid" 2>/dev/null; then
            bench_stop "$pid"     # up but never answered: give up
            return 1
        fi
        wait "$pid" 2>/dev/null
    done
    return 1
}

# bench_stop PID: SIGTERM, up to 5 s, then SIGKILL.
bench_stop() {
    local pid=$1 _
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 1
}

# cpu_ns PID: nanoseconds the process (all its threads) has spent on CPU:
# sum of the first field of /proc/PID/task/*/schedstat.  Threads that exited
# in between are lost, which is fine for servers whose threads live forever.
cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null |
        awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# user_ns PID: user-mode CPU time of the process (utime, all threads) in ns;
# clock-tick resolution (10 ms), so only meaningful over runs of seconds.
user_ns() {
    sed -e "s/^.*) //" /proc/"$1"/stat 2>/dev/null |
        awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", $12 * 1e9 / hz }'
}

# rss_bytes PID: VmRSS in bytes.
rss_bytes() {
    awk '/^VmRSS:/ { printf "%.0f\n", $2 * 1024 }' /proc/"$1"/status
}

# used_memory PORT: INFO memory used_memory.
used_memory() {
    redis-cli -p "$1" INFO memory 2>/dev/null |
        tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'
}

# gen_set N VALSIZE KEYFMT [TTL]: RESP for N "SET key value [EX TTL]" on
# stdout.  Keys are sprintf(KEYFMT, i) for i in 0..N-1; the value is
# VALSIZE bytes, "v" then digits of i, padded with 'x', never a valid
# integer (so neither server stores it as one).
gen_set() {
    awk -v n="$1" -v vs="$2" -v kf="$3" -v ttl="${4:-}" 'BEGIN {
        pad = ""; for (j = 0; j < vs; j++) pad = pad "x"
        for (i = 0; i < n; i++) {
            k = sprintf(kf, i)
            v = substr("v" i pad, 1, vs)
            if (ttl == "")
                printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, vs, v
            else
                printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nEX\r\n$%d\r\n%s\r\n", length(k), k, vs, v, length(ttl), ttl
        }
    }'
}

# gen_elems CMD KEYS PER_KEY KEYFMT ELEMFMT [VALSIZE]: RESP on stdout that
# gives each of KEYS keys (sprintf(KEYFMT, i)) PER_KEY elements
# (sprintf(ELEMFMT, j)), at most 100 per command: "CMD key e1 e2 ..." (SADD)
# or, with VALSIZE, "CMD key e1 v1 e2 v2 ..." (HSET) with VALSIZE-byte
# values.  Replies to expect: KEYS * ceil(PER_KEY / 100).
gen_elems() {
    awk -v cmd="$1" -v nk="$2" -v per="$3" -v kf="$4" -v ef="$5" -v vs="${6:-}" 'BEGIN {
        pad = ""; for (j = 0; j < vs + 0; j++) pad = pad "x"
        for (i = 0; i < nk; i++) {
            k = sprintf(kf, i)
            for (j = 0; j < per; j += 100) {
                n = per - j < 100 ? per - j : 100
                printf "*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", 2 + n * (vs == "" ? 1 : 2), length(cmd), cmd, length(k), k
                for (e = j; e < j + n; e++) {
                    el = sprintf(ef, e)
                    printf "$%d\r\n%s\r\n", length(el), el
                    if (vs != "") { v = substr("v" e pad, 1, vs); printf "$%d\r\n%s\r\n", vs, v }
                }
            }
        }
    }'
}

# pipe_load PORT: feeds stdin to redis-cli --pipe; prints "errors replies".
pipe_load() {
    redis-cli -p "$1" --pipe 2>&1 | tr -d '\r' |
        awk '/errors:/ { gsub(",", ""); for (i = 1; i <= NF; i++) {
                 if ($i == "errors:") e = $(i + 1); if ($i == "replies:") r = $(i + 1) } }
             END { print (e == "" ? "?" : e), (r == "" ? "?" : r) }'
}

# run_bench PORT PID REQUESTS ARGS... : one redis-benchmark run with --csv.
# Prints "rps p50_ms p99_ms cpu_ns user_ns srv_busy cli_busy" (NaN fields if
# the run failed): the server's CPU time (schedstat) and user-mode CPU time
# (utime) measured around the run, and how busy the server and the client
# (redis-benchmark, user+sys from bash's time) were, in cores: a side near
# 1.0 is the bottleneck.
run_bench() {
    local port=$1 pid=$2 n=$3 before after ubefore uafter out rc
    shift 3
    out=$BENCH_TMP/rb.out
    before=$(cpu_ns "$pid") ubefore=$(user_ns "$pid")
    local TIMEFORMAT="%R %U %S" wall cu cs
    # shellcheck disable=SC2086
    { time $CLIENT_PIN redis-benchmark -p "$port" -n "$n" "$@" >"$out" 2>&1; } 2>"$out.time"
    rc=$?
    read -r wall cu cs <"$out.time" || wall=0
    after=$(cpu_ns "$pid") uafter=$(user_ns "$pid")
    # A run that got error replies measured something else: no result.
    if [ "$rc" -eq 0 ] && grep -qi "error" "$out"; then rc=1; fi
    # CSV: "test","rps","avg","min","p50","p95","p99","max"; take the last
    # data line (one test per run), tolerate quotes and CRs.
    tr -d '\r"' <"$out" | awk -F, -v rc="$rc" -v cpu=$((after - before)) \
        -v user=$((uafter - ubefore)) -v wall="$wall" -v cli="$cu $cs" '
        $1 != "test" && NF >= 7 && $2 + 0 > 0 { rps = $2; p50 = $5; p99 = $7 }
        END { if (rc != 0 || rps == "" || wall <= 0) { print "NaN NaN NaN NaN NaN NaN NaN"; exit }
              split(cli, c, " ")
              printf "%s %s %s %s %s %.3f %.3f\n", rps, p50, p99, cpu, user,
                  cpu / 1e9 / wall, (c[1] + c[2]) / wall }'
    if [ "$rc" -ne 0 ]; then
        note "redis-benchmark $* on port $port: exit $rc: $(tr '\r' '\n' <"$out" | grep -v '^$' | tail -n 2 | tr '\n' ' ')"
    fi
}

#!/usr/bin/env bash
# ttl.sh SRCDIR BUILDDIR -- the ttl module against a real server, with real
# clocks: lazy and active expiry of short TTLs, the 100,000-key purge with a
# PING latency probe running beside it, INFO keyspace/stats figures, the
# active-expire-effort directive, and hardened mode's refusals.
#
# Owns: which timing-dependent ttl checks exist (exact replies are in
# fixtures/conformance/ttl.txt).  Every check prints `PASS name` or
# `FAIL name: why`; the last line is `ttl: N passed, M failed`.
# Measured figures (purge time, PING p99) are printed as `INFO ...` lines;
# only generous bounds are asserted, so a loaded CI machine does not fail.
#
# environment (optional):
#   FR_SERVER_CMD  server command, sh syntax, without --port (default: the
#                  built server with conf/frankenredis.conf, or a copy of it
#                  loading strings and ttl if it does not load ttl yet).
#                  FR_SERVER_CMD=redis-server checks this script itself.
set -u
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd) || exit 2
build=$(cd "${2:-$src}" && pwd) || exit 2
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
fr_init
# fr_free_port asks the kernel through fr-conform when it is there.
FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}

PURGE_KEYS=100000
PURGE_BOUND_S=5    # all keys gone within this long after the last SET
P99_BOUND_MS=50    # the issue's target is 10 ms; this is the assertion

# ---- servers ------------------------------------------------------------

# A config like conf/frankenredis.conf whose module lines are replaced.
conf_with_modules() {  # FILE MODULE-LINE...
    local out=$1; shift
    grep -Ev '^[[:space:]]*module[[:space:]]' "$src/conf/frankenredis.conf" >"$out"
    printf '%s\n' "$@" >>"$out"
    echo "$out"
}

default_server_cmd() {
    local conf=$src/conf/frankenredis.conf
    if ! grep -Eq '^[[:space:]]*module[[:space:]]+ttl([[:space:]]|$)' "$conf"; then
        conf=$(conf_with_modules "$FR_TMP/strict.conf" \
            "module keys strict" "module strings strict" "module ttl strict")
    fi
    echo "$build/frankenredis-server $conf"
}

SERVER_CMD=${FR_SERVER_CMD:-$(default_server_cmd)}
is_reference() { [ "${SERVER_CMD%% *}" = redis-server ]; }

start() {  # NAME CMD: sets $port, or fails NAME/start
    port=$(fr_free_port) || { fr_fail "$1/start" "no free port"; return 1; }
    if ! fr_start_server "$2" "$port" "$FR_TMP/$1.log"; then
        fr_fail "$1/start" "server did not answer PING on port $port"
        tail -n 20 "$FR_TMP/$1.log" | sed 's/^/    /'
        return 1
    fi
}

cli() { redis-cli -p "$port" "$@" 2>&1; }
info_field() {  # SECTION FIELD
    cli INFO "$1" | tr -d '\r' | sed -n "s/^$2:\(.*\)$/\1/p"
}
dbsize() { cli -n "${1:-0}" DBSIZE; }

# Waits up to $2 seconds for DBSIZE of DB $1 to reach 0; prints the seconds
# it took (two decimals), or nothing on timeout.
wait_empty() {  # DB SECONDS
    local start now
    start=$(date +%s%N)
    while :; do
        now=$(date +%s%N)
        if [ "$(dbsize "$1")" = 0 ]; then
            awk -v ns="$((now - start))" 'BEGIN { printf "%.2f\n", ns / 1e9 }'
            return 0
        fi
        [ $(((now - start) / 1000000000)) -ge "$2" ] && return 1
        sleep 0.05
    done
}

in_range() {  # NAME VALUE LOW HIGH (integers, inclusive)
    if [[ $2 =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
        fr_pass "$1"
    else
        fr_fail "$1" "want $3..$4, got '$2'"
    fi
}

# ---- lazy and active expiry of short TTLs ----------------------------------

check_short_ttls() {
    local before after
    before=$(info_field stats expired_keys)
    cli SET lazy:k v PX 100 >/dev/null
    fr_check_eq short/alive-before v "$(cli GET lazy:k)"
    sleep 0.2
    fr_check_eq short/gone-after "" "$(cli GET lazy:k)"
    fr_check_eq short/exists-after 0 "$(cli EXISTS lazy:k)"
    after=$(info_field stats expired_keys)
    in_range short/expired-keys-counted "$((after - before))" 1 1

    cli SET sec:k v >/dev/null
    cli EXPIRE sec:k 1 >/dev/null
    in_range short/ttl-one-second "$(cli TTL sec:k)" 1 1
    sleep 1.2
    fr_check_eq short/expire-one-second 0 "$(cli EXISTS sec:k)"

    cli SET pttl:k v >/dev/null
    cli PEXPIRE pttl:k 5000 >/dev/null
    in_range short/pttl-counts-down "$(cli PTTL pttl:k)" 4000 5000
    cli PEXPIREAT pttl:k "$(($(date +%s%3N) + 300))" >/dev/null
    in_range short/pexpireat-pttl "$(cli PTTL pttl:k)" 1 300
    sleep 0.4
    fr_check_eq short/pexpireat-gone -2 "$(cli PTTL pttl:k)"
}

# Keys nobody reads are removed by the cycle, in every DB it visits.
check_active_untouched() {
    local db
    for db in 0 3 15; do
        for i in $(seq 1 50); do printf 'SET act:%s v PX 200\r\n' "$i"; done |
            redis-cli -p "$port" -n "$db" --pipe >/dev/null 2>&1
    done
    sleep 0.3
    for db in 0 3 15; do
        if wait_empty "$db" 3 >/dev/null; then
            fr_pass "active/untouched-db$db"
        else
            fr_fail "active/untouched-db$db" "DBSIZE still $(dbsize "$db") after 3 s"
        fi
    done
}

check_keyspace_info() {
    local line avg
    cli -n 4 FLUSHDB >/dev/null
    for i in $(seq 1 1000); do printf 'SET avg:%s v EX 100\r\n' "$i"; done |
        redis-cli -p "$port" -n 4 --pipe >/dev/null 2>&1
    cli -n 4 SET avg:none v >/dev/null
    sleep 0.5
    line=$(cli INFO keyspace | tr -d '\r' | grep '^db4:')
    case "$line" in
    db4:keys=1001,expires=1000,avg_ttl=*) fr_pass info/keyspace-counts ;;
    *) fr_fail info/keyspace-counts "got '$line'" ;;
    esac
    avg=${line##*avg_ttl=}
    in_range info/avg-ttl-estimate "$avg" 90000 100000
    cli -n 4 FLUSHDB >/dev/null
    local f
    for f in expired_keys expired_stale_perc expired_time_cap_reached_count \
        expire_cycle_cpu_milliseconds; do
        if [[ $(info_field stats "$f") =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
            fr_pass "info/stats-$f"
        else
            fr_fail "info/stats-$f" "got '$(info_field stats "$f")'"
        fi
    done
}

# Which lookups count keyspace hits/misses, and that a past EXPIRE is a
# delete, not an expiry (expired_keys counts only the lazy one here).
check_stats() {
    cli -n 6 FLUSHDB >/dev/null
    cli -n 6 SET st:a v >/dev/null
    cli CONFIG RESETSTAT >/dev/null
    local c
    for c in "TTL st:a" "TTL st:none" "PTTL st:none" "EXPIRE st:a 100" \
        "PERSIST st:none" "PERSIST st:a" "EXPIRETIME st:a" "EXPIRE st:a -1" \
        "SET st:b v PX 1"; do
        # shellcheck disable=SC2086
        cli -n 6 $c >/dev/null
    done
    sleep 0.01
    cli -n 6 PEXPIRETIME st:b >/dev/null
    fr_check_eq stats/keyspace-hits 2 "$(info_field stats keyspace_hits)"
    fr_check_eq stats/keyspace-misses 3 "$(info_field stats keyspace_misses)"
    fr_check_eq stats/past-expire-is-a-delete 1 "$(info_field stats expired_keys)"
}

# ---- the purge -----------------------------------------------------------------

# Sends PING back to back for $2 seconds on one connection; prints
# "count p50 p99 max" in milliseconds.
ping_probe() {  # PORT SECONDS
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import socket, sys, time
port, dur = int(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
lat, end = [], time.monotonic() + dur
while time.monotonic() < end:
    t = time.perf_counter()
    s.sendall(b"PING\r\n")
    buf = b""
    while not buf.endswith(b"\r\n"):
        buf += s.recv(64)
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
pick = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))]
print("%d %.2f %.2f %.2f" % (len(lat), pick(0.5), pick(0.99), lat[-1]))
EOF
}

check_purge() {
    local probe=$FR_TMP/probe.out took expired0 expired1 caps n p50 p99 max
    cli FLUSHALL >/dev/null
    expired0=$(info_field stats expired_keys)
    awk -v n="$PURGE_KEYS" 'BEGIN { for (i = 0; i < n; i++) printf "SET purge:%d v PX 1000\r\n", i }' |
        redis-cli -p "$port" --pipe >"$FR_TMP/pipe.out" 2>&1
    # On a slow build the first keys may expire before the last are set, so
    # count the replies rather than the keys.
    if grep -q "errors: 0, replies: $PURGE_KEYS" "$FR_TMP/pipe.out"; then
        fr_pass purge/loaded
    else
        fr_fail purge/loaded "$(tr '\r' '\n' <"$FR_TMP/pipe.out" | tail -n 1)"
    fi
    ping_probe "$port" 3 >"$probe" 2>&1 &
    local probe_pid=$!
    if took=$(wait_empty 0 "$PURGE_BOUND_S"); then
        fr_pass purge/all-gone
        echo "INFO purge: $PURGE_KEYS keys with a 1 s TTL gone ${took} s after the last SET"
    else
        fr_fail purge/all-gone "DBSIZE $(dbsize) after $PURGE_BOUND_S s"
    fi
    wait "$probe_pid"
    expired1=$(info_field stats expired_keys)
    in_range purge/expired-keys "$((expired1 - expired0))" "$PURGE_KEYS" "$PURGE_KEYS"
    fr_check_eq purge/keyspace-empty "" "$(cli INFO keyspace | tr -d '\r' | grep '^db0:')"
    caps=$(info_field stats expired_time_cap_reached_count)
    echo "INFO purge: expired_time_cap_reached_count=$caps" \
        "expire_cycle_cpu_milliseconds=$(info_field stats expire_cycle_cpu_milliseconds)"
    read -r n p50 p99 max <"$probe"
    echo "INFO ping during purge: $n PINGs, p50 $p50 ms, p99 $p99 ms, max $max ms"
    if [[ ${p99:-} =~ ^[0-9.]+$ ]] &&
        awk -v p="$p99" -v b="$P99_BOUND_MS" 'BEGIN { exit !(p < b) }'; then
        fr_pass purge/ping-p99
    else
        fr_fail purge/ping-p99 "p99 '${p99:-}' ms, bound $P99_BOUND_MS ms: $(cat "$probe")"
    fi
}

check_effort() {
    fr_check_eq effort/set-max OK "$(cli CONFIG SET active-expire-effort 10)"
    cli SET eff:k v PX 100 >/dev/null
    sleep 0.2
    if wait_empty 0 2 >/dev/null; then fr_pass effort/expires-at-max; else
        fr_fail effort/expires-at-max "DBSIZE $(dbsize)"; fi
    fr_check_eq effort/set-default OK "$(cli CONFIG SET active-expire-effort 1)"
}

# ---- hardened mode -------------------------------------------------------------

check_hardened() {
    local conf err got
    conf=$(conf_with_modules "$FR_TMP/hardened.conf" \
        "module keys strict" "module strings strict" "module ttl hardened" "module rdb strict")
    start hardened "$build/frankenredis-server $conf" || return
    local pid=$FR_SERVER_PID
    cli SET h:k v >/dev/null
    local ahead=": more than 100 years ahead (hardened mode)"
    local early=": before the epoch (hardened mode)"
    err="ERR invalid expire time in 'expire' command$ahead"
    fr_check_eq hardened/horizon "$err" "$(cli EXPIRE h:k 4000000000)"
    fr_check_eq hardened/horizon-absolute \
        "ERR invalid expire time in 'pexpireat' command$ahead" \
        "$(cli PEXPIREAT h:k 9223372036854775807)"
    fr_check_eq hardened/before-epoch \
        "ERR invalid expire time in 'expireat' command$early" "$(cli EXPIREAT h:k -1)"
    fr_check_eq hardened/negative-relative-out-of-window \
        "ERR invalid expire time in 'pexpire' command$early" \
        "$(cli PEXPIRE h:k -9000000000000)"
    fr_check_eq hardened/redis-overflow-error-first \
        "ERR invalid expire time in 'expire' command" "$(cli EXPIRE h:k 9223372036854775807)"
    fr_check_eq hardened/key-untouched -1 "$(cli TTL h:k)"
    fr_check_eq hardened/within-horizon 1 "$(cli EXPIREAT h:k 4102444800)"
    fr_check_eq hardened/past-still-deletes 1 "$(cli EXPIRE h:k -1)"
    fr_check_eq hardened/deleted 0 "$(cli EXISTS h:k)"
    fr_check_eq hardened/missing-key-refused-too "$err" "$(cli EXPIRE h:none 4000000000)"
    got=$(cli INFO modules | tr -d '\r' | grep -o 'name=ttl,.*')
    local api
    api=$(sed -n 's/^#define FR_SDK_MAJOR \([0-9]*\).*/\1/p' "$src/include/frankenredis.h")
    fr_check_eq hardened/counted "name=ttl,ver=0.1.0,api=$api,mode=hardened,divergences=5" "$got"
    fr_stop_server "$pid"
}

# ---- run ------------------------------------------------------------------------

for tool in redis-cli /usr/bin/python3; do
    command -v "$tool" >/dev/null || fr_fail "prerequisite/$tool" "not installed"
done

if start strict "$SERVER_CMD"; then
    pid=$FR_SERVER_PID
    fr_check_eq strict/far-horizon-accepted 1 \
        "$(cli SET s:k v >/dev/null; cli EXPIRE s:k 4000000000)"
    cli DEL s:k >/dev/null
    check_short_ttls
    check_active_untouched
    check_keyspace_info
    check_stats
    check_purge
    check_effort
    fr_stop_server "$pid"
fi
is_reference || check_hardened

printf 'ttl: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

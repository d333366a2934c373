#!/usr/bin/env bash
# run.sh -- integration tests for a built FrankenRedis tree.
#
# Owns: the smoke tests with the real redis-cli and redis-benchmark (and, with
# FR_RUN_CONFORMANCE=1, a quick replay of fixtures/conformance/*.txt; the
# suite's conformance gate is tests/conformance/gate.sh).
# Builds nothing.  Every check prints `PASS name` or `FAIL name: why`; the
# last line is `integration: N passed, M failed`; exit status 1 if M > 0.
#
# usage: tests/integration/run.sh [BUILD_DIR]     (default: current dir)
# environment (all optional):
#   FR_SERVER_CMD  server command, sh syntax, without --port
#                  (default: ./frankenredis-server conf/frankenredis.conf,
#                  run from BUILD_DIR; conf/ falls back to the source tree)
#   FR_CONFORM     fr-conform binary (default: BUILD_DIR/tests/conformance/fr-conform)
#   FR_FIXTURES    fixture directory (default: SOURCE/fixtures/conformance)
#   FR_WITH_TTL    1 or 0: force strings-ttl.txt in or out
# To check the suite itself against the reference server:
#   FR_SERVER_CMD=redis-server FR_WITH_TTL=1 tests/integration/run.sh BUILD_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

build=$(cd "${1:-.}" && pwd) || exit 2
cd "$build" || exit 2

conf=conf/frankenredis.conf
if [ ! -f "$conf" ] && [ -f "$src/conf/frankenredis.conf" ]; then
    conf=$src/conf/frankenredis.conf
fi
FR_SERVER_CMD=${FR_SERVER_CMD:-"./frankenredis-server $conf"}
FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
fixtures=${FR_FIXTURES:-$src/fixtures/conformance}

fr_init

# The ttl module decides whether SET EX & co work at all, so its fixtures
# only apply when the default configuration loads it.
with_ttl() {
    case "${FR_WITH_TTL:-}" in
    1) return 0 ;;
    0) return 1 ;;
    esac
    [ -f "$conf" ] &&
        grep -Eq '^[[:space:]]*module[[:space:]]+ttl([[:space:]]|$)' "$conf"
}

# One check per fixture file; drift lines are echoed (indented) so a
# failing CI log says what differed.
conformance_file() {
    local f=$1 name out rc
    name=conformance/$(basename "$f" .txt)
    out=$FR_TMP/$(basename "$f").out
    "$FR_CONFORM" replay --gate --server-cmd "$FR_SERVER_CMD" "$f" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        fr_pass "$name"
        return
    fi
    if [ "$rc" -eq 1 ]; then
        fr_fail "$name" "$(grep -c '^DRIFT' "$out") drift(s): $(tail -n 1 "$out")"
        grep '^DRIFT' "$out" | head -n 40 | sed 's/^/    /'
    else
        fr_fail "$name" "harness error (exit $rc)"
        tail -n 20 "$out" | sed 's/^/    /'
    fi
}

run_conformance() {
    local f
    if [ ! -x "$FR_CONFORM" ]; then
        fr_fail conformance "fr-conform not found at $FR_CONFORM"
        return
    fi
    for f in "$fixtures"/*.txt; do
        [ "$(basename "$f")" = redis-7.0-commands.txt ] && continue # data, not cases
        if { [ "$(basename "$f")" = strings-ttl.txt ] || [ "$(basename "$f")" = ttl.txt ]; } && ! with_ttl; then
            echo "SKIP conformance/$(basename "$f" .txt): ttl module not in $conf"
            continue
        fi
        conformance_file "$f"
    done
}

cli() {
    redis-cli -p "$port" "$@" 2>&1
}

smoke_cli() {
    fr_check_eq smoke/set OK "$(cli SET smoke:k hello)"
    fr_check_eq smoke/get hello "$(cli GET smoke:k)"
    fr_check_eq smoke/get-missing "" "$(cli GET smoke:missing)"
    fr_check_eq smoke/append 11 "$(cli APPEND smoke:k ' world')"
    fr_check_eq smoke/get-appended "hello world" "$(cli GET smoke:k)"
    fr_check_eq smoke/incr-new 1 "$(cli INCR smoke:n)"
    fr_check_eq smoke/incr-again 2 "$(cli INCR smoke:n)"
    fr_check_eq smoke/incrby 12 "$(cli INCRBY smoke:n 10)"
    fr_check_eq smoke/decr 11 "$(cli DECR smoke:n)"
    fr_check_eq smoke/incr-not-integer \
        "ERR value is not an integer or out of range" "$(cli INCR smoke:k)"
    fr_check_eq smoke/mset OK "$(cli MSET smoke:a 1 smoke:b 2)"
    fr_check_eq smoke/mget "$(printf '1\n2\n')" "$(cli MGET smoke:a smoke:b)"
    fr_check_eq smoke/del 3 "$(cli DEL smoke:a smoke:b smoke:k smoke:none)"
    fr_check_eq smoke/exists 1 "$(cli EXISTS smoke:n)"
}

# Binary-safe values through redis-cli -x (stdin as the last argument).
smoke_binary() {
    local want got
    fr_check_eq smoke/set-binary OK "$(printf 'a\000b\r\n' | cli -x SET smoke:bin)"
    fr_check_eq smoke/strlen-binary 5 "$(cli STRLEN smoke:bin)"
    want=$(printf 'a\000b\r\n\n' | od -An -c | tr -s ' ')
    got=$(redis-cli -p "$port" --raw GET smoke:bin 2>&1 | od -An -c | tr -s ' ')
    fr_check_eq smoke/get-binary "$want" "$got"
}

# redis-cli --pipe: many commands in one stream, replies counted.
smoke_pipe() {
    local out
    out=$(for _ in $(seq 1 500); do printf 'INCR smoke:pipe\r\n'; done |
        redis-cli -p "$port" --pipe 2>&1)
    case "$out" in
    *"errors: 0, replies: 500"*) fr_pass smoke/pipe ;;
    *) fr_fail smoke/pipe "$(printf '%s' "$out" | tail -n 1)" ;;
    esac
    fr_check_eq smoke/pipe-result 500 "$(cli GET smoke:pipe)"
}

smoke_benchmark() {
    local out=$FR_TMP/benchmark.out rc
    redis-benchmark -p "$port" -t set,get,incr,mset -n 2000 -q >"$out" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fr_fail smoke/benchmark "exit $rc: $(tr '\r' '\n' <"$out" | tail -n 1)"
    elif grep -Eiq 'error|warning' "$out"; then
        fr_fail smoke/benchmark "$(tr '\r' '\n' <"$out" | grep -Ei 'error|warning' | head -n 1)"
    else
        fr_pass smoke/benchmark
    fi
    fr_check_eq smoke/alive-after-benchmark PONG "$(cli PING)"
}

run_smoke() {
    local log=$FR_TMP/smoke-server.log pid
    port=$(fr_free_port) || { fr_fail smoke/start "no free port"; return; }
    if ! fr_start_server "$FR_SERVER_CMD" "$port" "$log"; then
        fr_fail smoke/start "server did not answer PING on port $port"
        tail -n 20 "$log" | sed 's/^/    /'
        return
    fi
    pid=$FR_SERVER_PID
    fr_pass smoke/start
    smoke_cli
    smoke_binary
    smoke_pipe
    smoke_benchmark
    if fr_stop_server "$pid"; then
        fr_pass smoke/stop-sigterm
    else
        fr_fail smoke/stop-sigterm "still running 5 s after SIGTERM; killed"
    fi
}

for tool in redis-cli redis-benchmark; do
    if ! command -v "$tool" >/dev/null; then
        fr_fail "prerequisite/$tool" "not installed (apt-get install redis-tools)"
    fi
done

# The fixtures are replayed by tests/conformance/gate.sh (with severities);
# `run.sh --conformance` still replays them here for a quick local check.
if [ "${FR_RUN_CONFORMANCE:-0}" = 1 ]; then run_conformance; fi
run_smoke
fr_summary

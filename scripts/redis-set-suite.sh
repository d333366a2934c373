#!/usr/bin/env bash
# redis-set-suite.sh REDIS_SRC [BUILDDIR] -- Redis 7.0.15's own set tests
# (REDIS_SRC/tests/unit/type/set.tcl, external-server mode) against
# FrankenRedis and against redis-server, for the numbers docs/modules/set.md
# quotes.  A developer tool, not a part of the suite: it needs Redis's
# source tree and takes about a minute.
#
# Two runs per server: the file as shipped, which stops at the first error
# of the test client (for us the first LPUSH, a family not implemented; for
# redis-server the test that needs the server's pid), and an adapted copy
# in which the WRONGTYPE setups use SET instead of LPUSH/ZADD and the
# pid-dependent test ("SRANDMEMBER with a dict containing long chain") is
# left out.  Prints one line per run: `NAME: N ok, M err, stopped: ...`.
# Servers run on free ports in a scratch directory and are stopped by PID.
set -u
rsrc=${1:?path to redis-7.0.15 source}
build=${2:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d /tmp/redis-set-suite.XXXXXX)
pid=""
# stop: SIGTERM (redis-server then also ends a background save's child,
# which the pid-dependent test leaves sleeping), SIGKILL after 5 s.
stop() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=""
}
cleanup() {
    stop
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start KIND: a fresh server of KIND (fr or redis) in the background of
# this shell (so that stop can reach it); sets pid and port.
start() {
    local dir
    port=$(free_port)
    dir=$(mktemp -d "$work/srv.XXXXXX")
    if [ "$1" = fr ]; then
        "$build/frankenredis-server" "$build/conf/frankenredis.conf" --port "$port" --save "" \
            --dir "$dir" --enable-debug-command yes >"$dir/log" 2>&1 </dev/null &
    else
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
            --enable-debug-command yes >"$dir/log" 2>&1 </dev/null &
    fi
    pid=$!
    for _ in $(seq 1 100); do
        [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
        sleep 0.05
    done
}

# The test tree: Redis's runtest and tests/, copied so the adapted file
# never touches the source tree.
cp -r "$rsrc/runtest" "$rsrc/tests" "$work/"
mkdir -p "$work/src"
cp "$work/tests/unit/type/set.tcl" "$work/set-shipped.tcl"
python3 - "$work/set-shipped.tcl" "$work/set-adapted.tcl" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = s.replace("r lpush", "r set")
s = re.sub(r"r zadd zmscoretest \d+ (\w)", r"r set zmscoretest \1", s)
a = s.index('    test "SRANDMEMBER with a dict containing long chain"')
b = s.index("    proc setup_move {}")
open(sys.argv[2], "w").write(s[:a] + s[b:])
PY

# run NAME KIND VARIANT: one run on a fresh server; tried again when
# runtest could not bind its own control port (another run holds it).
run() {
    local log ok err why _
    cp "$work/set-$3.tcl" "$work/tests/unit/type/set.tcl"
    log=$work/${1//\//-}.log
    for _ in 1 2 3; do
        start "$2"
        # runtest's own control port: away from its default, which other
        # runs on the machine may hold.
        (cd "$work" && timeout 600 ./runtest --host 127.0.0.1 --port "$port" \
            --baseport $((30000 + RANDOM % 20000)) --single unit/type/set) >"$log" 2>&1
        stop
        grep -q "couldn't open socket" "$log" || break
    done
    ok=$(grep -c '\[.*ok.*\]: ' "$log")
    err=$(grep -c '\[.*err.*\]: ' "$log")
    if grep -q 'exception' "$log"; then
        why=$(grep -m1 -A1 'exception' "$log" | tail -n 1 | cut -c1-100)
    elif grep -q 'All tests passed' "$log"; then
        why="no (ran to the end)"
    else
        why="did not run: $(tail -n 1 "$log" | cut -c1-100)"
    fi
    echo "$1: $ok ok, $err err, stopped: $why"
}

run frankenredis/shipped fr shipped
run redis-server/shipped redis shipped
run frankenredis/adapted fr adapted
run redis-server/adapted redis adapted

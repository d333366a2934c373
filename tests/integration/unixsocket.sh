#!/usr/bin/env bash
# unixsocket.sh SRCDIR BUILDDIR -- listening on a Unix socket beside
# redis-server 7.0.15 (unixsocket, unixsocketperm): each server runs with
# TCP off (port 0) on a socket path where a stale file is left first; the
# file's mode, CONFIG GET, the client's addresses and flag 'U', the file's
# removal at SHUTDOWN, and refusing to start with nothing to listen on.
# Prints PASS/FAIL lines and "unixsocket: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init
ours="$build/frankenredis-server $src/conf/frankenredis.conf"

# session NAME CMD: starts CMD on $FR_TMP/NAME.sock, prints what is
# compared, shuts it down and reports whether the file is gone.
session() {
    local name=$1 cmd=$2 sock="$FR_TMP/$1.sock" pid _
    : >"$sock" # a stale file where the socket goes
    sh -c "exec $cmd \"\$@\"" srv --port 0 --unixsocket "$sock" --unixsocketperm 700 --save "" \
        --dir "$FR_TMP" >"$FR_TMP/$name.log" 2>&1 </dev/null &
    pid=$!
    FR_STARTED_PIDS="$FR_STARTED_PIDS $pid"
    for _ in $(seq 1 200); do
        [ "$(redis-cli -s "$sock" PING 2>/dev/null)" = PONG ] && break
        sleep 0.05
    done
    c() { redis-cli -s "$sock" "$@"; }
    echo "mode=$(stat -c %A "$sock")"
    c config get unixsocketperm | paste -sd' '
    c config get unixsocket | paste -sd' ' | sed "s|$sock|SOCK|"
    c client info | tr ' ' '\n' | grep -E '^(addr|laddr|flags)=' | sed "s|$sock|SOCK|" | paste -sd' '
    c set k v
    c get k
    c shutdown nosave
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    [ -e "$sock" ] && echo "file left" || echo "file removed"
}

session ours "$ours" >"$FR_TMP/ours.out"
session ref redis-server >"$FR_TMP/ref.out"
i=0
while IFS= read -r want; do
    i=$((i + 1))
    fr_check_eq "unixsocket/${want%%[ =]*}#$i" "$want" "$(sed -n "${i}p" "$FR_TMP/ours.out")"
done <"$FR_TMP/ref.out"
[ "$i" -ge 7 ] || fr_fail "unixsocket/transcript" "redis-server gave only $i lines"

# Nothing to listen on: both exit 1 at start.
$ours --port 0 --save "" >"$FR_TMP/none.log" 2>&1
rc_ours=$?
redis-server --port 0 --save "" --daemonize no >/dev/null 2>&1
fr_check_eq "unixsocket/no-listener-exit-code" "$?" "$rc_ours"
grep -q "Configured to not listen anywhere, exiting." "$FR_TMP/none.log" &&
    fr_pass "unixsocket/no-listener-message" || fr_fail "unixsocket/no-listener-message" "$(tail -2 "$FR_TMP/none.log")"

printf 'unixsocket: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

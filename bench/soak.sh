#!/usr/bin/env bash
# bench/soak.sh -- the soak run (docs/soak.md): fr-soak (bench/soak.c) with
# 1,000 clients against a fresh frankenredis-server, and with --redis against
# a fresh redis-server too, one after the other.
#
# Owns: how the soak's servers are started (free port below the ephemeral
# range, never 6379; persistence off; a scratch directory; extra server
# arguments passed through) and stopped (by PID).  A tool, not a test: it is
# not part of the suite.  Exit status 0 only if every run printed
# result=PASS (nothing lost or corrupted, server up to the end).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
    cat <<EOF
usage: bench/soak.sh [options] [-- fr-soak options]
  --build DIR          build tree with frankenredis-server (default: \$FR_BUILDDIR
                       or the source tree); fr-soak is built there if missing
  --duration S         seconds of load per server (default 600)
  --clients N          connections (default 1000)
  --redis              also run against redis-server (after ours)
  --redis-only         only against redis-server
  --server-args "A B"  more arguments for both servers, split at blanks
                       (repeatable), e.g. --server-args
                       "--client-output-buffer-limit normal 256mb 128mb 60"
  --keep-tmp           keep the scratch directory (server logs)
fr-soak options (after --): see bench/fr-soak --help
EOF
}

build=${FR_BUILDDIR:-$src} duration=600 clients=1000 ours=1 redis=0
server_args=() soak_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --redis) redis=1; shift ;;
        --redis-only) redis=1 ours=0; shift ;;
        --server-args) read -r -a words <<<"$2"; server_args+=("${words[@]}"); shift 2 ;;
        --keep-tmp) export BENCH_KEEP_TMP=1; shift ;;
        --) shift; soak_args=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
build=$(cd "$build" && pwd) || die "no build directory"
soak=$build/bench/fr-soak
if [ ! -x "$soak" ] || [ "$src/bench/soak.c" -nt "$soak" ]; then
    make -C "$build" -s bench/fr-soak >/dev/null || die "cannot build $soak"
fi
bench_init
# 1,000 client sockets here and as many in the server.
ulimit -n "$(( $(ulimit -Hn) < 4096 ? $(ulimit -Hn) : 4096 ))" 2>/dev/null || true

# start_server KIND: a fresh server; sets PID and PORT.
start_server() {
    local kind=$1 dir _
    local -a cmd
    for _ in 1 2 3; do  # a port taken between probe and bind: another one
        PORT=$(bench_free_port) || return 1
        dir=$(mktemp -d "$BENCH_TMP/$kind.XXXXXX") || return 1
        if [ "$kind" = ours ]; then
            cmd=("$build/frankenredis-server" "$src/conf/frankenredis.conf" --port "$PORT"
                 --save "" --dir "$dir")
        else
            cmd=(redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no
                 --dir "$dir" --logfile "")
        fi
        "${cmd[@]}" "${server_args[@]}" >"$dir/server.log" 2>&1 </dev/null &
        PID=$!
        BENCH_PIDS="$BENCH_PIDS $PID"
        LOG=$dir/server.log
        for _ in $(seq 1 200); do
            kill -0 "$PID" 2>/dev/null || break
            [ "$(redis-cli -p "$PORT" PING 2>/dev/null)" = PONG ] && return 0
            sleep 0.05
        done
        kill -0 "$PID" 2>/dev/null && bench_stop "$PID"
        grep -q "Address already in use" "$LOG" || break
    done
    note "$kind server did not start: $(tail -n 5 "$LOG" | tr '\n' ' ')"
    return 1
}

# soak_one KIND: start, soak, stop.  Returns fr-soak's status.
soak_one() {
    local kind=$1 rc
    start_server "$kind" || return 1
    echo "=== $kind: pid $PID, port $PORT, args: ${server_args[*]:-(none)}"
    "$soak" --port "$PORT" --server-pid "$PID" --clients "$clients" --duration "$duration" \
        "${soak_args[@]}"
    rc=$?
    if ! kill -0 "$PID" 2>/dev/null; then
        echo "=== $kind: the server exited; its log ends with:"
        tail -n 20 "$LOG"
    fi
    bench_stop "$PID"
    return $rc
}

status=0
if [ "$ours" = 1 ]; then soak_one ours || status=1; fi
if [ "$redis" = 1 ]; then soak_one redis || status=1; fi
exit $status

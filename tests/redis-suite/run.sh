#!/usr/bin/env bash
# tests/redis-suite/run.sh -- Redis 7.0.15's own test suite (its tests/unit/*.tcl
# files) run in external mode (`runtest --host --port --single FILE`) against
# our server, and against the real redis-server 7.0.15 as the yardstick.
# Writes docs/compat/redis-suite.md.  `make redis-suite` calls it; it is not
# part of `make check`.
#
# The Redis source is never put in the repository: it is unpacked (apt-get
# source) into $REDIS_SRC_CACHE, outside the tree, and its tests/ is copied
# into a scratch directory for each run.
#
# Environment (all optional):
#   FILES="unit/type/string unit/expire"   files to run (default: the list below)
#   TIMEOUT=120         seconds per file before it is killed and marked "timeout"
#   REDIS_SRC=DIR       an unpacked redis-7.0.15 source tree to use as is
#   REDIS_SRC_CACHE=DIR where to fetch it (default ~/.cache/frankenredis/redis-src)
#   WORKDIR=DIR         scratch: logs, server dirs, test trees (default mktemp)
#   REPORT=FILE         the report (default docs/compat/redis-suite.md)
#   YARDSTICK=0         skip the real redis-server runs
#   LOOKAHEAD=0         skip the look-ahead runs (see below)
#   TAGS="-needs:repl"  passed as `--tags` to every run (ours and Redis's alike)
#   BASEPORT=N          passed as `--baseport`: runtest's own ports (its test
#                       server listens on N-32..N-1), for two suites at once
#   REDIS_SERVER=PATH   the yardstick binary (default: redis-server on PATH)
#   FR_BUILDDIR=DIR     where frankenredis-server was built (default: source tree)
#
# Look-ahead: Redis's external-mode harness sends FUNCTION FLUSH before every
# file (tests/support/server.tcl, run_external_server_test); a server without
# FUNCTION stops there, before the first test.  The look-ahead run uses a copy
# of the harness where only that one call is wrapped in `catch`, so the report
# also shows what stops each file next.  The as-is run is the real result.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FR_BUILDDIR:-$src}
REDIS_VERSION=7.0.15
DEFAULT_FILES="unit/type/string unit/type/incr unit/keyspace unit/scan unit/expire
unit/protocol unit/quit unit/info-command unit/introspection unit/introspection-2
unit/other unit/pubsub unit/pubsubshard unit/latency-monitor unit/info unit/querybuf
unit/limits unit/maxmemory unit/lazyfree unit/tracking unit/client-eviction
unit/dump unit/multi unit/auth unit/acl unit/networking unit/obuf-limits
unit/shutdown unit/slowlog unit/pause unit/printver
unit/type/hash unit/type/set unit/type/list unit/type/list-2 unit/type/list-3 unit/type/zset unit/geo
unit/type/stream unit/type/stream-cgroups
unit/bitops unit/bitfield unit/hyperloglog unit/sort unit/functions unit/scripting"
FILES=${FILES:-$DEFAULT_FILES}
TIMEOUT=${TIMEOUT:-120}
YARDSTICK=${YARDSTICK:-1}
LOOKAHEAD=${LOOKAHEAD:-1}
TAGS=${TAGS:-}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REPORT=${REPORT:-$src/docs/compat/redis-suite.md}
REDIS_SRC_CACHE=${REDIS_SRC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/frankenredis/redis-src}
WORKDIR=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/frankenredis-redis-suite.XXXXXX")}
mkdir -p "$WORKDIR" || exit 2
WORKDIR=$(cd "$WORKDIR" && pwd)
SERVER="$build/frankenredis-server"
[[ -x $SERVER ]] || { echo "redis-suite: $SERVER not built (run scripts/build.sh)" >&2; exit 2; }
say() { echo "redis-suite: $*" >&2; }

# ------------------------------------------------------------ the Redis source
# fetch_redis_src: `apt-get source redis=<7.0.15 version>` into the cache
# (enables deb-src in Debian's deb822 sources file if it is off).
fetch_redis_src() {
  bash "$src/scripts/deps.sh" --redis-suite || return 1
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  local sources=/etc/apt/sources.list.d/debian.sources
  if [[ -f $sources ]] && ! grep -q '^Types:.*deb-src' "$sources"; then
    say "enabling deb-src in $sources"
    $sudo sed -i 's/^Types: deb$/Types: deb deb-src/' "$sources"
  fi
  $sudo apt-get update -qq || return 1
  local ver
  ver=$(apt-cache showsrc redis | sed -n 's/^Version: //p' | grep -E "^([0-9]+:)?$REDIS_VERSION" | sort -V | tail -n1)
  [[ -n $ver ]] || { say "no redis $REDIS_VERSION source package in the apt sources"; return 1; }
  mkdir -p "$REDIS_SRC_CACHE" && (cd "$REDIS_SRC_CACHE" && apt-get source -qq "redis=$ver")
}
if [[ -z ${REDIS_SRC:-} ]]; then
  for d in "$REDIS_SRC_CACHE/redis-$REDIS_VERSION" "/work/redis-src/redis-$REDIS_VERSION"; do
    [[ -x $d/runtest ]] && { REDIS_SRC=$d; break; }
  done
fi
if [[ -z ${REDIS_SRC:-} ]]; then
  say "fetching the Redis $REDIS_VERSION source into $REDIS_SRC_CACHE"
  fetch_redis_src || { say "could not fetch the Redis source"; exit 2; }
  REDIS_SRC=$REDIS_SRC_CACHE/redis-$REDIS_VERSION
fi
[[ -x $REDIS_SRC/runtest ]] || { say "$REDIS_SRC has no runtest"; exit 2; }
if ! command -v tclsh >/dev/null || ! command -v python3 >/dev/null; then
  bash "$src/scripts/deps.sh" --test || exit 2
fi
if [[ $YARDSTICK == 1 ]] && ! command -v "$REDIS_SERVER" >/dev/null; then
  bash "$src/scripts/deps.sh" --test || exit 2
fi

# Test trees: runtest writes tests/tmp under its working directory, so each
# kind of run gets its own copy (the shared source tree stays untouched).
make_tree() {  # DIR
  mkdir -p "$1" && cp -r "$REDIS_SRC/runtest" "$REDIS_SRC/tests" "$1/" && ln -sfn "$REDIS_SRC/src" "$1/src"
}
make_tree "$WORKDIR/tree-asis" || exit 2
if [[ $LOOKAHEAD == 1 ]]; then
  make_tree "$WORKDIR/tree-lookahead" || exit 2
  sed -i 's/^\( *\)r function flush$/\1catch {r function flush} ;# frankenredis look-ahead/' \
    "$WORKDIR/tree-lookahead/tests/support/server.tcl"
  grep -q 'frankenredis look-ahead' "$WORKDIR/tree-lookahead/tests/support/server.tcl" ||
    { say "look-ahead: FUNCTION FLUSH call not found in the harness; skipping look-ahead"; LOOKAHEAD=0; }
fi

# ------------------------------------------------------------------ servers
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null && return
  local p
  while :; do p=$((40000 + RANDOM % 20000)); { (exec 3<>/dev/tcp/127.0.0.1/$p); } 2>/dev/null || { echo $p; return; }; done
}
ping_port() {  # PORT -> 0 when the server answers PING with +PONG within 2 s
  local line
  { exec 3<>/dev/tcp/127.0.0.1/"$1"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 line <&3
  exec 3<&- 3>&-
  [[ $line == +PONG* ]]
}
OURS_DEBUG_OPT=()
SPID="" SPORT="" SDIR=""
start_server() {  # KIND(ours|redis) DIR
  SDIR=$1/srv.$RANDOM; mkdir -p "$SDIR"
  SPORT=$(free_port)
  if [[ $KIND == ours ]]; then
    "$SERVER" "$src/conf/frankenredis.conf" --port "$SPORT" --bind 127.0.0.1 --save "" \
      --dir "$SDIR" "${OURS_DEBUG_OPT[@]}" >"$SDIR/server.log" 2>&1 &
  else
    "$REDIS_SERVER" --port "$SPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$SDIR" \
      --daemonize no --logfile "" --enable-debug-command yes >"$SDIR/server.log" 2>&1 &
  fi
  SPID=$!
  local i
  for i in $(seq 50); do
    ping_port "$SPORT" && return 0
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  say "$KIND server did not start on port $SPORT:"; tail -5 "$SDIR/server.log" >&2
  stop_server; return 1
}
stop_server() {
  [[ -n $SPID ]] || return 0
  kill -TERM "$SPID" 2>/dev/null
  local i
  for i in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
  SPID=""
}
# Our server takes enable-debug-command only if some manifest declares it.
KIND=ours
OURS_DEBUG_OPT=(--enable-debug-command yes)
if start_server "$WORKDIR" 2>/dev/null; then stop_server; else OURS_DEBUG_OPT=(); fi

# ------------------------------------------------------------------ one file
RESULTS=$WORKDIR/results.tsv
: >"$RESULTS"
# run_file KIND MODE FILE: start a fresh server, run the file, check the
# server, stop it, append one line to results.tsv:
#   kind mode file ok err exc skip ignore ended status seconds first_error last_test logfile
run_file() {
  KIND=$1; local mode=$2 f=$3
  local tree=$WORKDIR/tree-$mode logdir=$WORKDIR/logs/$1-$mode
  mkdir -p "$logdir"
  local log=$logdir/${f//\//_}.log
  local status=ran
  if ! start_server "$WORKDIR/servers"; then
    printf '%s\t%s\t%s\t0\t0\t0\t0\t0\t0\tno-server\t0\tserver did not start\t\t%s\n' "$KIND" "$mode" "$f" "$log" >>"$RESULTS"
    return
  fi
  local args=(--host 127.0.0.1 --port "$SPORT" --single "$f")
  [[ -n $TAGS ]] && args+=(--tags "$TAGS")
  [[ -n ${BASEPORT:-} ]] && args+=(--baseport "$BASEPORT")
  local t0=$SECONDS
  # setsid: runtest and the tclsh clients it spawns share one process group,
  # killed as a whole on timeout.
  setsid bash -c 'cd "$1" && shift && exec ./runtest "$@"' _ "$tree" "${args[@]}" >"$log" 2>&1 </dev/null &
  local rpid=$!
  while kill -0 "$rpid" 2>/dev/null; do
    if (( SECONDS - t0 >= TIMEOUT )); then
      status=timeout
      kill -TERM -- "-$rpid" 2>/dev/null; sleep 2; kill -KILL -- "-$rpid" 2>/dev/null
      break
    fi
    sleep 1
  done
  wait "$rpid" 2>/dev/null
  local secs=$((SECONDS - t0))
  if ! kill -0 "$SPID" 2>/dev/null; then
    status=crash
  elif ! ping_port "$SPORT"; then
    status=hung
  fi
  if [[ $status == crash || $status == hung ]]; then
    { echo; echo "===== $KIND server log tail ($SDIR/server.log) ====="; tail -n 40 "$SDIR/server.log"; } >>"$log"
  fi
  stop_server
  # Counts and the first blocking error, from the colour-stripped output.
  local clean=$log.txt
  sed -r 's/\x1b\[[0-9;]*m//g' "$log" >"$clean"
  local ok err exc skip ign ended=no first last
  ok=$(grep -c '^\[ok\]: ' "$clean"); err=$(grep -c '^\[err\]: ' "$clean")
  exc=$(grep -c '^\[exception\]: ' "$clean"); skip=$(grep -c '^\[skip\]: ' "$clean")
  ign=$(grep -c '^\[ignore\]: ' "$clean")
  grep -qE '^\[[0-9]+/[0-9]+ done\]: ' "$clean" && ended=yes
  first=$(grep -m1 -A1 '^\[exception\]: ' "$clean" | sed -n '1s/^\[exception\]: Executing test client: //p')
  if [[ -z $first ]] && (( err > 0 )); then
    # first failed test and the first line of its message
    first=$(awk '/^\[err\]: /{n=1; sub(/^\[err\]: /,""); t=$0; next} n==1{print t " -- " $0; exit}' "$clean")
  fi
  [[ -z $first && $status == timeout ]] && first="timeout after ${TIMEOUT}s"
  [[ -z $first && $ended == no ]] && first=$(grep -v '^$' "$clean" | tail -n1)
  last=$(grep -E '^\[(ok|err)\]: ' "$clean" | tail -n1 | sed -E 's/^\[(ok|err)\]: //; s/ \([0-9]+ ms\)$//')
  first=${first//$'\t'/ }; first=${first//$'\n'/ }; first=${first//$'\r'/ }; last=${last//$'\n'/ }; first=${first//|/\\|}; last=${last//$'\t'/ }; last=${last//|/\\|}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$KIND" "$mode" "$f" \
    "$ok" "$err" "$exc" "$skip" "$ign" "$ended" "$status" "$secs" "${first:0:200}" "${last:0:120}" "$log" >>"$RESULTS"
  say "$(printf '%-5s %-9s %-22s ok=%-3s err=%-3s exc=%s end=%-3s %-7s %4ss  %s' "$KIND" "$mode" "$f" "$ok" "$err" "$exc" "$ended" "$status" "$secs" "${first:0:80}")"
}

say "Redis source: $REDIS_SRC; scratch and raw logs: $WORKDIR"
start_all=$SECONDS
for f in $FILES; do
  f=${f%.tcl}
  [[ -f $REDIS_SRC/tests/$f.tcl ]] || { say "no such file: tests/$f.tcl"; continue; }
  run_file ours asis "$f"
  [[ $LOOKAHEAD == 1 ]] && run_file ours lookahead "$f"
  [[ $YARDSTICK == 1 ]] && run_file redis asis "$f"
done
total_secs=$((SECONDS - start_all))

# ------------------------------------------------------------------ report
ours_version=$("$SERVER" --version 2>&1 | head -n1)
redis_version=$([[ $YARDSTICK == 1 ]] && "$REDIS_SERVER" --version 2>&1 | head -n1)
python3 "$(dirname "$0")/report.py" "$RESULTS" "$REPORT" src="$src" \
  ours_version="$ours_version" redis_version="${redis_version:-not run}" redis_src="$REDIS_SRC" \
  timeout="$TIMEOUT" total_secs="$total_secs" tags="$TAGS" ours_opts="${OURS_DEBUG_OPT[*]}" \
  lookahead="$LOOKAHEAD" yardstick="$YARDSTICK" || exit 2
say "report: $REPORT; raw logs: $WORKDIR/logs; results: $RESULTS"

#!/usr/bin/env bash
# run-all.sh SRCDIR BUILDDIR -- the whole test suite: Check unit tests, the
# start-up refusal tests, then the integration and conformance tests against
# a real server.  Each part prints "<part>: N passed, M failed"; this script
# adds them up and ends with the single line "N passed, M failed".
#
# environment (optional):
#   FR_PARTS="unit cve"    run only the named parts
#   FR_JOBS=N              parts run at a time (default 2; see run_queued)
#   FR_FUZZ_SECONDS=N      the fuzz part's mutation time a target (default 60)
#   FR_SANITIZER_LOGS=DIR  where ASan/LSan/UBSan or memcheck write reports
#                          (set by tests/sanitizers.sh, tests/valgrind.sh);
#                          any report fails its part
set -uo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
build=${2:-$src}
cd "$build" || exit 2

total_pass=0 total_fail=0
runtmp=$(mktemp -d /tmp/fr-run-all.XXXXXX)
trap 'rm -rf "$runtmp"' EXIT

# Parts run FR_JOBS at a time (default 2).  Most parts spend their time
# waiting on sockets and timers (the whole suite used about a third of two
# cores when it ran one part at a time), so two lanes halve its wall time;
# each part finds its own free ports and temporary folders, and none
# writes where another reads.  A part's output is held in a file and
# printed whole when it ends, so parts never interleave.  A part queued
# with --beside (the fuzz part) runs next to the lanes without taking one,
# at low priority, from the start.
jobs_max=${FR_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "FR_JOBS must be a whole number above 0"; exit 2; }
part_names=() part_cmds=() part_beside=() parts_done=0
run_part() {  # [--beside] name command...: queue a part
  local beside=0
  [[ $1 == --beside ]] && { beside=1; shift; }
  local name=$1; shift
  if [[ -n ${FR_PARTS:-} && " $FR_PARTS " != *" $name "* ]]; then return; fi
  part_names+=("$name") part_beside+=("$beside")
  part_cmds+=("$(printf '%q ' "$@")")
}

declare -A running=()  # pid -> part index
part_start=()
part_body() {  # index: the part itself, in a subshell of its own
  if ((part_beside[$1])); then renice -n 10 -p "$BASHPID" >/dev/null; fi
  reports_to_part "${part_names[$1]}"
  eval "${part_cmds[$1]}"
}
start_part() {  # index
  local i=$1 log=$runtmp/$1.log
  if ((jobs_max == 1 && !part_beside[i])); then
    # One lane: the part's output appears as it runs, as it always did.
    echo "=== ${part_names[i]}"
    ( part_body "$i" ) 2>&1 | tee "$log" &
  else
    ( part_body "$i" ) >"$log" 2>&1 &
  fi
  running[$!]=$i
  part_start[i]=$SECONDS
}

finish_part() {  # index: print its output, add its summary line up
  local i=$1 name=${part_names[$1]} log=$runtmp/$1.log line
  if ((jobs_max > 1 || part_beside[i])); then echo "=== $name"; cat "$log"; fi
  echo "($name took $((SECONDS - part_start[i])) s)"
  line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n1)
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    total_pass=$((total_pass + BASH_REMATCH[1]))
    total_fail=$((total_fail + BASH_REMATCH[2]))
  else
    echo "$name: did not report a summary (crashed?)"
    total_fail=$((total_fail + 1))
  fi
  rm -f "$log"
  sanitizer_reports "$name"
}

run_queued() {  # every queued part, jobs_max at a time, in the order queued
  local next=0 n=${#part_names[@]} lanes pid done_pid i
  while ((next < n || ${#running[@]})); do
    lanes=0
    for pid in "${!running[@]}"; do
      i=${running[$pid]}
      ((part_beside[i])) || lanes=$((lanes + 1))
    done
    while ((next < n && (part_beside[next] || lanes < jobs_max))); do
      ((part_beside[next])) || lanes=$((lanes + 1))
      start_part "$next"
      next=$((next + 1))
    done
    done_pid=""
    wait -n -p done_pid "${!running[@]}"
    if [[ -z $done_pid ]]; then  # interrupted: look for parts that ended
      for pid in "${!running[@]}"; do
        kill -0 "$pid" 2>/dev/null || { wait "$pid"; done_pid=$pid; break; }
      done
      [[ -n $done_pid ]] || continue
    fi
    i=${running[$done_pid]}
    unset "running[$done_pid]"
    finish_part "$i"
    parts_done=$((parts_done + 1))
  done
}

# Under tests/sanitizers.sh, ASan, LSan and UBSan write each report to a
# file of their own (log_path), whichever process of the part made it (a
# server a test started, a test tool, a forked child); under
# tests/valgrind.sh memcheck writes a log per server process.  Both write
# into $FR_SANITIZER_LOGS, which each part's shell points at a folder of
# its own (reports_to_part), so that a report is charged to the part that
# made it even when two parts run at once; any report fails its part.
reports_to_part() {  # part: in the part's subshell
  [[ -n ${FR_SANITIZER_LOGS:-} ]] || return 0
  local top=$FR_SANITIZER_LOGS dir=$FR_SANITIZER_LOGS/$1
  mkdir -p "$dir"
  export ASAN_OPTIONS=${ASAN_OPTIONS//log_path=$top\//log_path=$dir/}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS//log_path=$top\//log_path=$dir/}
  export FR_SANITIZER_LOGS=$dir
}
sanitizer_reports() {  # part
  [[ -n ${FR_SANITIZER_LOGS:-} ]] || return 0
  local dir=$FR_SANITIZER_LOGS/$1 files
  files=$(find "$dir" -maxdepth 1 -type f -size +0 2>/dev/null | wc -l)
  if ((files == 0)); then rm -rf "$dir"; return 0; fi
  echo "$1: $files sanitizer report(s) in $dir:"
  cat "$dir"/* | grep -E 'ERROR: |runtime error:|SUMMARY:|^ +#[0-3] ' | head -n 40 | sed 's/^/    /'
  total_fail=$((total_fail + 1))
}

# The ASan build (build-asan/) that the parts output and sanitizers use
# starts in the background at low priority as soon as one of them is
# queued, so its CPU overlaps the parts that wait on sockets; those two
# parts wait for it (after_asan_build) and then find it up to date.  A
# build that failed is simply redone by the part, which reports it.
asan_build_started=0
after_asan_build() {  # command...: runs it once the ASan build has ended
  while [[ ! -e $runtmp/asan-build.done ]]; do sleep 1; done
  "$@"
}
start_asan_build() {
  ((asan_build_started)) && return
  asan_build_started=1
  { nice -n 10 bash "$src/scripts/build.sh" --sanitizers >/dev/null 2>&1
    touch "$runtmp/asan-build.done"; } &
}
run_asan_part() {  # name command...: a part run against build-asan/
  if [[ -n ${FR_PARTS:-} && " $FR_PARTS " != *" $1 "* ]]; then return; fi
  start_asan_build
  local name=$1; shift
  run_part "$name" after_asan_build "$@"
}

export FR_SRCDIR=$src FR_BUILDDIR=$build
# The benchmark is a tool, not a test: its quick mode only has to run.
bench_quick() {
  if bash "$src/bench/run.sh" --quick >"$build/bench-quick.log" 2>&1; then
    echo "PASS bench/quick (report in bench-quick.log)"; echo "bench: 1 passed, 0 failed"
  else
    tail -20 "$build/bench-quick.log"; echo "bench: 0 passed, 1 failed"
  fi
}

# The parts, queued longest first (as measured) so that the two lanes end
# at about the same time.
#
# libFuzzer targets (clang, ASan + UBSan): the seeds and the regression
# inputs, then about a minute of mutations each (FR_FUZZ_SECONDS), beside
# the lanes.
run_part --beside fuzz bash "$src/tests/fuzz/run.sh" --suite "${FR_FUZZ_SECONDS:-60}"
# Every command's replies vs the recorded fixtures, plus a live differential.
run_part conformance bash "$src/tests/conformance/gate.sh" "$build"
run_part rdb bash "$src/tests/integration/rdb.sh" "$src" "$build"
# CLIENT PAUSE: held commands, transactions, expiry, vs redis-server.
run_part pause bash "$src/tests/integration/pause.sh" "$src" "$build"
# CLIENT TRACKING: invalidation pushes, redirection, BCAST, vs redis-server.
run_part tracking bash "$src/tests/integration/tracking.sh" "$src" "$build"
# Pub/sub and keyspace notifications, several connections, against Redis.
run_part pubsub bash "$src/tests/integration/pubsub.sh" "$src" "$build"
# MIGRATE between FrankenRedis and redis-server both ways, misbehaving targets, hardened reads.
run_part migrate bash "$src/tests/integration/migrate.sh" "$src" "$build"
# Replication, master side: real redis-server as our replica (full and partial resync).
run_part replication bash "$src/tests/integration/replication.sh" "$src" "$build"
# Replies through slow readers, also under ASan/UBSan.
run_asan_part output bash "$src/tests/integration/output.sh" "$src" "$build"
# A few fast parts on the ASan/UBSan build, any report (leaks at exit
# included) a failure; make check-sanitizers runs them all.
run_asan_part sanitizers bash "$src/tests/sanitizers.sh" --quick "$src"
run_part limits bash "$src/tests/integration/limits.sh" "$src" "$build"
run_part layers bash "$src/tests/layers-check.sh" "$src" "$build"
# Streams: raw replies, DUMP bytes, RESTORE fuzz, RDB both ways, blocking XREAD, SYNC stream vs Redis.
run_part stream bash "$src/tests/integration/stream.sh" "$src" "$build"
# Sorted sets: DUMP bytes, old formats, RESTORE fuzz, RDB both ways vs Redis, blocking pops.
run_part zset bash "$src/tests/integration/zset.sh" "$src" "$build"
# Bit commands: a random stream vs Redis (replies and bytes), hardened limits.
run_part bitmap bash "$src/tests/integration/bitmap.sh" "$src" "$build"
run_part aof bash "$src/tests/integration/aof.sh" "$src" "$build"
run_part startup bash "$src/tests/integration/startup.sh" "$src" "$build"
# Lists: random streams, DUMP bytes, RESTORE fuzz, RDB both ways vs Redis.
run_part list bash "$src/tests/integration/list.sh" "$src" "$build"
# Redis CVE replays (docs/security.md) against ours and redis-server 7.0.15.
run_part cve bash "$src/tests/integration/cve.sh" "$src" "$build"
run_part unit env CK_VERBOSITY=normal "$build/tests/unit/run-unit-tests"
# Lazy free (UNLINK, FLUSHALL ASYNC, lazyfree-lazy-*) counted as Redis counts it.
run_part lazyfree bash "$src/tests/integration/lazyfree.sh" "$src" "$build"
run_part bench bench_quick
run_part ttl bash "$src/tests/integration/ttl.sh" "$src" "$build"
# HyperLogLogs byte for byte, DUMP/RESTORE both ways, corrupt values, vs Redis.
run_part hll bash "$src/tests/integration/hll.sh" "$src" "$build"
# Sets in RDB files and DUMP payloads both ways with redis-server, corrupt payloads.
run_part set_rdb bash "$src/tests/integration/set_rdb.sh" "$src" "$build"
run_part introspection bash "$src/tests/integration/introspection.sh" "$src" "$build"
# maxmemory and every eviction policy (the evict module), against Redis.
run_part evict bash "$src/tests/integration/evict.sh" "$src" "$build"
run_part hardened bash "$src/tests/integration/hardened.sh" "$src" "$build"
run_part sdk bash "$src/tests/sdk-check.sh" "$src" "$build"
# EVAL/FUNCTION and the Lua engine: replies vs Redis, flags, persistence.
run_part scripting bash "$src/tests/integration/scripting.sh" "$src" "$build"
# CONFIG GET/SET/REWRITE of every parameter against redis-server 7.0.15.
run_part config bash "$src/tests/integration/config.sh" "$src" "$build"
# GEO: raw replies (RESP2, RESP3), random searches, events, propagation vs Redis.
run_part geo bash "$src/tests/integration/geo.sh" "$src" "$build"
# SORT and SORT_RO: replies byte for byte vs Redis, STORE, events, propagation.
run_part sort bash "$src/tests/integration/sort.sh" "$src" "$build"
# The hash type against Redis: payloads, RDB both ways, events, RESTORE fuzz.
run_part hash bash "$src/tests/integration/hash.sh" "$src" "$build"
# What replicas receive after transactions, scripts and PUBLISH, and the
# min-replicas / stale-replica refusals, vs Redis.
run_part propagation bash "$src/tests/integration/propagation.sh" "$src" "$build"
# node-redis (Debian's, on Node.js) vs our server and redis-server, equal.
run_part node_redis bash "$src/tests/integration/node_redis.sh" "$src" "$build"
run_part integration bash "$src/tests/integration/run.sh" "$build"
# ACL users, rules and permission checks against Redis.
run_part acl bash "$src/tests/integration/acl.sh" "$src" "$build"
run_part unixsocket bash "$src/tests/integration/unixsocket.sh" "$src" "$build"
run_part clients bash "$src/tests/integration/clients.sh" "$src" "$build"
run_part docs bash "$src/tests/docs-check.sh" "$src" "$build"
run_queued
if ((parts_done != ${#part_names[@]})); then  # the scheduler itself failed
  echo "run-all: only $parts_done of ${#part_names[@]} parts ran"
  total_fail=$((total_fail + 1))
fi

echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]

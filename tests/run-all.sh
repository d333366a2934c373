#!/usr/bin/env bash
# run-all.sh SRCDIR BUILDDIR -- the whole test suite: Check unit tests, the
# start-up refusal tests, then the integration and conformance tests against
# a real server.  Each part prints "<part>: N passed, M failed"; this script
# adds them up and ends with the single line "N passed, M failed".
#
# environment (optional):
#   FR_PARTS="unit cve"    run only the named parts
#   FR_SANITIZER_LOGS=DIR  where ASan/LSan/UBSan or memcheck write reports
#                          (set by tests/sanitizers.sh, tests/valgrind.sh);
#                          any report fails its part
set -uo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
build=${2:-$src}
cd "$build" || exit 2

total_pass=0 total_fail=0
run_part() {  # name command...
  local name=$1; shift
  if [[ -n ${FR_PARTS:-} && " $FR_PARTS " != *" $name "* ]]; then return; fi
  local log start=$SECONDS; log=$(mktemp)
  echo "=== $name"
  "$@" 2>&1 | tee "$log"
  echo "($name took $((SECONDS - start)) s)"
  local line
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

# Under tests/sanitizers.sh, ASan, LSan and UBSan write each report to a
# file of their own in $FR_SANITIZER_LOGS (log_path), whichever process of
# the part made it (a server a test started, a test tool, a forked child);
# under tests/valgrind.sh memcheck writes a log per server process there.
# A report fails the part that was running; its files move to a folder
# named after the part, where the summary says they are.
sanitizer_reports() {  # part
  [[ -n ${FR_SANITIZER_LOGS:-} ]] || return 0
  local -a files
  mapfile -t files < <(find "$FR_SANITIZER_LOGS" -maxdepth 1 -type f -size +0)
  ((${#files[@]})) || return 0
  mkdir -p "$FR_SANITIZER_LOGS/$1" && mv "${files[@]}" "$FR_SANITIZER_LOGS/$1/"
  echo "$1: ${#files[@]} sanitizer report(s) in $FR_SANITIZER_LOGS/$1:"
  cat "$FR_SANITIZER_LOGS/$1"/* | grep -E 'ERROR: |runtime error:|SUMMARY:|^ +#[0-3] ' | head -n 40 | sed 's/^/    /'
  total_fail=$((total_fail + 1))
}

# The two instrumented builds (build-asan/ for the parts output and
# sanitizers, build-fuzz/ for the part fuzz) start here, in the background
# at low priority, so that their CPU overlaps the first parts instead of
# adding about 100 s of wall time to the suite.  A part that uses one waits
# for it first and then finds it up to date; a prebuild that failed is
# simply redone by the part, which reports the failure.  Not with FR_PARTS
# (a few parts) or FR_PREBUILD=0.
prebuild_asan="" prebuild_fuzz=""
if [[ -z ${FR_PARTS:-} && ${FR_PREBUILD:-1} == 1 ]]; then
  nice -n 10 bash "$src/scripts/build.sh" --sanitizers >/dev/null 2>&1 &
  prebuild_asan=$!
  nice -n 10 bash "$src/tests/fuzz/run.sh" --suite --build-only >/dev/null 2>&1 &
  prebuild_fuzz=$!
fi
wait_prebuild() {  # the name of the variable holding the pid
  local pid=${!1}
  [[ -n $pid ]] && wait "$pid" 2>/dev/null
  printf -v "$1" %s ""
}

export FR_SRCDIR=$src FR_BUILDDIR=$build
run_part unit env CK_VERBOSITY=normal "$build/tests/unit/run-unit-tests"
run_part sdk bash "$src/tests/sdk-check.sh" "$src" "$build"
run_part layers bash "$src/tests/layers-check.sh" "$src" "$build"
run_part startup bash "$src/tests/integration/startup.sh" "$src" "$build"
run_part integration bash "$src/tests/integration/run.sh" "$build"
run_part conformance bash "$src/tests/conformance/gate.sh" "$build"
run_part rdb bash "$src/tests/integration/rdb.sh" "$src" "$build"
run_part aof bash "$src/tests/integration/aof.sh" "$src" "$build"
run_part hardened bash "$src/tests/integration/hardened.sh" "$src" "$build"
run_part ttl bash "$src/tests/integration/ttl.sh" "$src" "$build"
run_part clients bash "$src/tests/integration/clients.sh" "$src" "$build"
# node-redis (Debian's, on Node.js) vs our server and redis-server, equal.
run_part node_redis bash "$src/tests/integration/node_redis.sh" "$src" "$build"
# Replies through slow readers, also under ASan/UBSan (builds build-asan/).
wait_prebuild prebuild_asan
run_part output bash "$src/tests/integration/output.sh" "$src" "$build"
# The unit tests and a few fast parts on that ASan/UBSan build, any report
# (leaks at exit included) a failure; make check-sanitizers runs them all.
run_part sanitizers bash "$src/tests/sanitizers.sh" --quick "$src"
run_part limits bash "$src/tests/integration/limits.sh" "$src" "$build"
run_part introspection bash "$src/tests/integration/introspection.sh" "$src" "$build"
# CLIENT PAUSE: held commands, transactions, expiry, vs redis-server.
run_part pause bash "$src/tests/integration/pause.sh" "$src" "$build"
run_part unixsocket bash "$src/tests/integration/unixsocket.sh" "$src" "$build"
# CLIENT TRACKING: invalidation pushes, redirection, BCAST, vs redis-server.
run_part tracking bash "$src/tests/integration/tracking.sh" "$src" "$build"
# Pub/sub and keyspace notifications, several connections, against Redis.
run_part pubsub bash "$src/tests/integration/pubsub.sh" "$src" "$build"
# ACL users, rules and permission checks against Redis.
run_part acl bash "$src/tests/integration/acl.sh" "$src" "$build"
# The hash type against Redis: payloads, RDB both ways, events, RESTORE fuzz.
run_part hash bash "$src/tests/integration/hash.sh" "$src" "$build"
# maxmemory and every eviction policy (the evict module), against Redis.
run_part evict bash "$src/tests/integration/evict.sh" "$src" "$build"
# Lazy free (UNLINK, FLUSHALL ASYNC, lazyfree-lazy-*) counted as Redis counts it.
run_part lazyfree bash "$src/tests/integration/lazyfree.sh" "$src" "$build"
# Sets in RDB files and DUMP payloads both ways with redis-server, corrupt payloads.
run_part set_rdb bash "$src/tests/integration/set_rdb.sh" "$src" "$build"
# Lists: random streams, DUMP bytes, RESTORE fuzz, RDB both ways vs Redis.
run_part list bash "$src/tests/integration/list.sh" "$src" "$build"
# Sorted sets: DUMP bytes, old formats, RESTORE fuzz, RDB both ways vs Redis, blocking pops.
run_part zset bash "$src/tests/integration/zset.sh" "$src" "$build"
# Streams: raw replies, DUMP bytes, RESTORE fuzz, RDB both ways, blocking XREAD, SYNC stream vs Redis.
run_part stream bash "$src/tests/integration/stream.sh" "$src" "$build"
# GEO: raw replies (RESP2, RESP3), random searches, events, propagation vs Redis.
run_part geo bash "$src/tests/integration/geo.sh" "$src" "$build"
# Bit commands: a random stream vs Redis (replies and bytes), hardened limits.
run_part bitmap bash "$src/tests/integration/bitmap.sh" "$src" "$build"
# HyperLogLogs byte for byte, DUMP/RESTORE both ways, corrupt values, vs Redis.
run_part hll bash "$src/tests/integration/hll.sh" "$src" "$build"
# SORT and SORT_RO: replies byte for byte vs Redis, STORE, events, propagation.
run_part sort bash "$src/tests/integration/sort.sh" "$src" "$build"
# EVAL/FUNCTION and the Lua engine: replies vs Redis, flags, persistence.
run_part scripting bash "$src/tests/integration/scripting.sh" "$src" "$build"
# What replicas receive after transactions, scripts and PUBLISH, and the
# min-replicas / stale-replica refusals, vs Redis.
run_part propagation bash "$src/tests/integration/propagation.sh" "$src" "$build"
# MIGRATE between FrankenRedis and redis-server both ways, misbehaving targets, hardened reads.
run_part migrate bash "$src/tests/integration/migrate.sh" "$src" "$build"
# Replication, master side: real redis-server as our replica (full and partial resync).
run_part replication bash "$src/tests/integration/replication.sh" "$src" "$build"
# CONFIG GET/SET/REWRITE of every parameter against redis-server 7.0.15.
run_part config bash "$src/tests/integration/config.sh" "$src" "$build"
# Redis CVE replays (docs/security.md) against ours and redis-server 7.0.15.
run_part cve bash "$src/tests/integration/cve.sh" "$src" "$build"
# libFuzzer targets (clang, ASan + UBSan): the seeds, then a few seconds of mutations each.
wait_prebuild prebuild_fuzz
run_part fuzz bash "$src/tests/fuzz/run.sh" --suite
# The benchmark is a tool, not a test: its quick mode only has to run.
bench_quick() {
  if bash "$src/bench/run.sh" --quick >"$build/bench-quick.log" 2>&1; then
    echo "PASS bench/quick (report in bench-quick.log)"; echo "bench: 1 passed, 0 failed"
  else
    tail -20 "$build/bench-quick.log"; echo "bench: 0 passed, 1 failed"
  fi
}
run_part bench bench_quick
run_part docs bash "$src/tests/docs-check.sh" "$src" "$build"

echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]

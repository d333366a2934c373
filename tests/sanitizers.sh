#!/usr/bin/env bash
# sanitizers.sh [--quick] SRCDIR [BUILDDIR] -- the test suite against a build
# configured with --enable-sanitizers (ASan with LeakSanitizer, and UBSan),
# where any sanitizer report is a failure (docs/security.md, "Sanitizers").
#
#   sanitizers.sh SRCDIR            the whole suite (make check-sanitizers):
#                                   builds SRCDIR/build-asan first
#                                   (scripts/build.sh --sanitizers) with its
#                                   test programs
#   sanitizers.sh SRCDIR BUILDDIR   the whole suite against BUILDDIR, an
#                                   existing sanitizer build (e.g. an
#                                   out-of-tree ../configure
#                                   --enable-sanitizers) with its test
#                                   programs and data built
#   sanitizers.sh --quick SRCDIR    part `sanitizers` of the normal suite:
#                                   build-asan (output.sh builds it too) and
#                                   the parts in QUICK_PARTS; prints
#                                   "sanitizers: N passed, M failed"
#
# Owns: the sanitizer run-time options and the suppressions file.
#   - Every report goes to a file of its own (log_path, one per process and
#     program), so reports of servers the tests start in the background are
#     collected too; tests/run-all.sh gives each part a folder of its own
#     (FR_SANITIZER_LOGS/PART) and fails the part when a file appears
#     there.
#   - ASan stops the process at its first error (always, without
#     -fsanitize-recover); UBSan goes on after a report, so that one run
#     shows every finding: the report file still fails the part.
#   - LeakSanitizer runs when a process exits (SHUTDOWN, SIGTERM, a refused
#     start-up, a unit test): a block nothing points to any more is a
#     report.  tests/sanitizers.supp silences third-party libraries only.
#   - FR_WAIT_SCALE stretches the start/stop waits of tests/integration/
#     lib.sh (and the time limits of the CVE replays): an instrumented
#     server starts, answers and exits slower (the leak check at exit walks
#     the whole heap); CK_TIMEOUT_MULTIPLIER does the same for Check's
#     per-test timeouts.
set -uo pipefail
quick=0
if [[ ${1:-} == --quick ]]; then quick=1; shift; fi
src=$(cd "${1:?srcdir}" && pwd) || exit 2
build=${2:-}

# The parts --quick runs: fast ones that still reach much of the code (the
# smoke tests and redis-benchmark's commands, the hardened limits, the Lua
# engine, the CVE replays with every type's corrupt payloads, the lazy-free
# thread, and every data type's part: replies, DUMP/RESTORE fuzz, RDB files
# both ways).  Not the unit tests: their ASan build alone would cost more
# than the part's budget of about a minute and a half.  The parts that wait
# on timers (pause, tracking, migrate, replication) add little code for
# their time.  Measured cost in docs/security.md.
QUICK_PARTS=${FR_SANITIZER_QUICK_PARTS:-"integration hardened hash scripting cve lazyfree list set_rdb zset stream hll bitmap geo sort"}

say() { echo "sanitizers: $*"; }

if ((quick)) && [[ -n ${FR_SANITIZER_LOGS:-} ]]; then
  # make check-sanitizers runs every part under the sanitizers already.
  say "the whole suite runs under the sanitizers: nothing more to do here"
  say "0 passed, 0 failed"
  exit 0
fi

if [[ -z $build ]]; then
  t0=$SECONDS
  blog=$(mktemp)
  # --quick needs only the server and fr-conform, which build.sh builds:
  # the test programs (the unit tests compile the core a second time) would
  # cost more than its whole run.
  if ! bash "$src/scripts/build.sh" --sanitizers >"$blog" 2>&1 ||
     { ((!quick)) && ! make -C "$src/build-asan" -s -j2 check-programs >>"$blog" 2>&1; }; then
    echo "FAIL sanitizers/build: $(tail -n 8 "$blog" | tr '\n' ' ')"
    rm -f "$blog"
    ((quick)) && echo "sanitizers: 0 passed, 1 failed"
    exit 1
  fi
  rm -f "$blog"
  build=$src/build-asan
  echo "(sanitizer build up to date in $((SECONDS - t0)) s: $build)"
fi
build=$(cd "$build" && pwd) || exit 2
if [[ $(nm "$build/frankenredis-server" 2>/dev/null | grep -c __asan_init) == 0 ]]; then
  echo "FAIL sanitizers/build: $build/frankenredis-server is not built with --enable-sanitizers"
  ((quick)) && echo "sanitizers: 0 passed, 1 failed"
  exit 1
fi

logs=$(mktemp -d /tmp/fr-sanitizers.XXXXXX)
export FR_SANITIZER_LOGS=$logs
export ASAN_OPTIONS="log_path=$logs/asan:log_exe_name=1:detect_leaks=1:abort_on_error=0:disable_coredump=1"
export LSAN_OPTIONS="suppressions=$src/tests/sanitizers.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$logs/ubsan:log_exe_name=1:print_stacktrace=1:halt_on_error=0"
export FR_WAIT_SCALE=${FR_WAIT_SCALE:-4}
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-10}  # Check's per-test timeouts

if ((!quick)); then
  echo "sanitizer reports, if any, go to $logs"
  bash "$src/tests/run-all.sh" "$src" "$build"
  rc=$?
  [[ -n $(ls -A "$logs") ]] || rmdir "$logs"
  exit $rc
fi

out=$(mktemp)
FR_PARTS=$QUICK_PARTS bash "$src/tests/run-all.sh" "$src" "$build" 2>&1 | tee "$out" | sed 's/^/  /'
last=$(tail -n 1 "$out")
rm -f "$out"
[[ -n $(ls -A "$logs") ]] || rmdir "$logs"
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  say "${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed"
  [[ ${BASH_REMATCH[2]} == 0 ]]
else
  echo "FAIL sanitizers/run: no summary from tests/run-all.sh"
  say "0 passed, 1 failed"
  exit 1
fi

#!/usr/bin/env bash
# valgrind.sh SRCDIR [BUILDDIR] -- integration parts with every server they
# start running under valgrind's memcheck (make valgrind; docs/security.md,
# "Valgrind").
#
# BUILDDIR is a build configured with --enable-valgrind (plain malloc/free in
# the allocator, core/base.h) with its test programs; without it,
# SRCDIR/build-valgrind is built first (scripts/build.sh --valgrind).
#
# Owns: the memcheck options and tests/valgrind.supp.
#   - The parts run from a shadow build directory whose frankenredis-server
#     is a script that execs valgrind on the real binary (everything else is
#     a link to BUILDDIR), so the tests need no change: a server's PID is
#     valgrind's, which passes signals on.
#   - Each server process writes its own log (--log-file, -q: nothing when
#     clean) into FR_SANITIZER_LOGS, read when the server starts:
#     tests/run-all.sh points it at a folder per part and fails the part
#     whose folder holds a non-empty log, as for the sanitizers.
#   - Errors: invalid reads and writes, uses of uninitialised values, bad
#     frees, and blocks definitely lost when the server exits (SIGTERM or
#     SHUTDOWN).  "Possibly lost" is not counted: string values hold tagged
#     pointers into their blocks (modules/strings/str_pure.h), which memcheck
#     calls possible leaks while the keyspace still reaches them.
#   - FR_WAIT_SCALE stretches the start/stop waits of tests/integration/
#     lib.sh: under memcheck the server starts and stops 20-50 times slower.
#
# FR_VALGRIND_PARTS (make valgrind VALGRIND_PARTS=...) picks the parts; the
# default is a subset that ends in about five minutes (docs/security.md).
# Not in it: parts that move many megabytes or wait on timers (too slow
# under memcheck), and hash and cve, which compare HINCRBYFLOAT results with
# Redis's: memcheck computes long double at double precision, so they
# differ there by design of valgrind, not of the server.
set -uo pipefail
src=$(cd "${1:?srcdir}" && pwd) || exit 2
build=${2:-}
parts=${FR_VALGRIND_PARTS:-}
[[ -n $parts ]] || parts="startup integration hardened clients unixsocket acl list sort scripting"

if ! command -v valgrind >/dev/null; then
  echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 2
fi
if [[ -z $build ]]; then
  t0=$SECONDS
  blog=$(mktemp)
  if ! bash "$src/scripts/build.sh" --valgrind >"$blog" 2>&1 ||
     ! make -C "$src/build-valgrind" -s -j2 check-programs >>"$blog" 2>&1; then
    echo "FAIL valgrind/build: $(tail -n 8 "$blog" | tr '\n' ' ')"
    rm -f "$blog"
    exit 1
  fi
  rm -f "$blog"
  build=$src/build-valgrind
  echo "(valgrind build and its test programs up to date in $((SECONDS - t0)) s: $build)"
fi
build=$(cd "$build" && pwd) || exit 2

tmp=$(mktemp -d /tmp/fr-valgrind.XXXXXX)
logs=$tmp/logs
shadow=$tmp/build
mkdir -p "$logs" "$shadow"
for f in "$build"/* "$build"/.[!.]*; do
  [[ -e $f ]] && ln -s "$f" "$shadow/"
done
rm "$shadow/frankenredis-server"
cat >"$shadow/frankenredis-server" <<EOF
#!/bin/sh
exec valgrind -q --tool=memcheck --error-exitcode=99 \\
  --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
  --soname-synonyms=somalloc=*jemalloc* --suppressions=$src/tests/valgrind.supp \\
  --log-file=\${FR_SANITIZER_LOGS:-$logs}/valgrind.%p "$build/frankenredis-server" "\$@"
EOF
chmod +x "$shadow/frankenredis-server"

export FR_SANITIZER_LOGS=$logs
export FR_WAIT_SCALE=${FR_WAIT_SCALE:-20}
echo "valgrind reports, if any, go to $logs"
FR_PARTS=$parts bash "$src/tests/run-all.sh" "$src" "$shadow"
rc=$?
find "$logs" -maxdepth 1 -type f -empty -delete
if [[ -z $(find "$logs" -type f) ]]; then rm -rf "$tmp"; fi
exit $rc

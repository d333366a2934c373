#!/usr/bin/env bash
# build.sh [configure options] -- generate, configure (once) and build in the
# source tree with -j2.  Re-running only rebuilds what changed.
#
# build.sh --sanitizers -- the same sources built with --enable-sanitizers
# (ASan + UBSan) in build-asan/ (gitignored), for tests/integration/output.sh
# and tests/sanitizers.sh.
#
# build.sh --valgrind -- the same with --enable-valgrind in build-valgrind/
# (gitignored), for tests/valgrind.sh.
#
# configure refuses a VPATH build from a source directory that is itself
# configured (the in-tree build's config.status), so build-asan/ is a copy of
# the working tree's sources (tracked and untracked-not-ignored files, as
# git ls-files lists them) built in place.  The copy keeps modification times
# and only newer files are copied again, so a re-run rebuilds only what
# changed.  A source file deleted here stays in the copy until build-asan/
# is removed.
set -euo pipefail
cd "$(dirname "$0")/.."

# build_here RECONFIGURE [configure options]: generate if needed, configure
# when never done, when configure is newer, or when RECONFIGURE is 1; make.
build_here() {
  local again=$1
  shift
  if [[ ! -x configure || configure.ac -nt configure || Makefile.am -nt configure ]]; then
    autoreconf -fi >/dev/null
  fi
  if [[ ! -f Makefile || configure -nt Makefile || $again == 1 ]]; then
    ./configure -q "$@" 2> >(grep -v "cannot remove 'core'" >&2)
  fi
  make -j2 -s
}

# build_copy DIR [configure options]: the working tree's sources copied into
# DIR and built there.
build_copy() {
  local dir=$1
  shift
  if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "build.sh: needs a git checkout to list the sources for $dir/" >&2
    exit 2
  fi
  mkdir -p "$dir"
  git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
    if [[ -e $f && $f != build-asan/* && $f != build-valgrind/* ]]; then printf '%s\0' "$f"; fi  # not deleted ones
  done | xargs -0 cp --parents -p -u -t "$dir"
  cd "$dir"
  build_here 0 "$@"
}

case ${1:-} in
--sanitizers) build_copy build-asan --enable-sanitizers; exit 0 ;;
--valgrind) build_copy build-valgrind --enable-valgrind; exit 0 ;;
esac
build_here $(($# > 0)) "$@"

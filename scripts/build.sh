#!/usr/bin/env bash
# build.sh [configure options] -- generate, configure (once) and build in the
# source tree with -j2.  Re-running only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x configure || configure.ac -nt configure || Makefile.am -nt configure ]]; then
  autoreconf -fi >/dev/null
fi
if [[ ! -f Makefile || configure -nt Makefile || $# -gt 0 ]]; then
  ./configure -q "$@" 2> >(grep -v "cannot remove 'core'" >&2)
fi
make -j2 -s

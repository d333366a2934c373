#!/usr/bin/env bash
# test.sh -- install what is missing (build deps and the Redis test peers),
# build, and run the whole test suite.  The last line printed is
# "N passed, M failed"; the exit status is 0 only if M is 0.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
scripts/build.sh
make -s check-local

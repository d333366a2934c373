#!/usr/bin/env bash
# pause.sh SRCDIR BUILDDIR -- CLIENT PAUSE / UNPAUSE / UNBLOCK beside
# redis-server 7.0.15: pause_check.py drives both servers through the same
# multi-client scenario (held writes, MULTI/EXEC under a pause, pipelined
# order, timeouts, expiry held back, killed held clients) and the two
# transcripts must be equal line for line.  Each line is also one check, so
# a difference names the step.
# Prints PASS/FAIL lines and "pause: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init
fr_compare_transcripts pause "/usr/bin/python3 $src/tests/integration/pause_check.py" 50 \
    "$build/frankenredis-server $src/conf/frankenredis.conf"
printf 'pause: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

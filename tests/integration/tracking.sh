#!/usr/bin/env bash
# tracking.sh SRCDIR BUILDDIR -- CLIENT TRACKING beside redis-server 7.0.15:
# tracking_check.py drives five connections through default, OPTIN, OPTOUT,
# NOLOOP and BCAST tracking, RESP3 pushes and RESP2 redirection (see its
# header) on both servers; the transcripts must be equal line for line.
# Prints PASS/FAIL lines and "tracking: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init
fr_compare_transcripts tracking "/usr/bin/python3 $src/tests/integration/tracking_check.py" 90 \
    "$build/frankenredis-server $src/conf/frankenredis.conf"
printf 'tracking: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

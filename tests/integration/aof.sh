#!/usr/bin/env bash
# aof.sh SRCDIR BUILDDIR -- the aof module (Redis 7.0's multi-part
# append-only file) against redis-server 7.0.15 and redis-check-aof: file
# layout, loading each other's directories, BGREWRITEAOF, appendonly at run
# time, torn and corrupt files at start-up, the old single-file upgrade,
# INFO fields, and crash safety under appendfsync always (a writer SIGKILLed
# at random points, FR_AOF_CRASHES times, default 20).  The checks are
# aof_check.py's; the last line is `aof: N passed, M failed`.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
fr_init
fr_relay python3 "$src/tests/integration/aof_check.py" "$build/frankenredis-server" \
    "$src/conf/frankenredis.conf" "$build/modules" "$FR_TMP" "${FR_AOF_CRASHES:-20}"
printf 'aof: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

#!/usr/bin/env bash
# sort.sh SRCDIR BUILDDIR -- SORT and SORT_RO beside redis-server 7.0.15:
# sort_check.py sends both servers the same commands (lists, sets, sorted
# sets; BY/GET on strings and hash fields; ALPHA, LIMIT edge cases, STORE,
# weights that do and do not read as doubles, errors, RESP3, COMMAND
# GETKEYS/INFO/DOCS, keyspace notifications, keyspace hits and misses, the
# replication stream) and the two transcripts of raw reply bytes must be
# equal line for line.  Each line is also one check, so a difference names
# the step.
# Prints PASS/FAIL lines and "sort: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init
fr_compare_transcripts sort "/usr/bin/python3 $src/tests/integration/sort_check.py" 190 \
    "$build/frankenredis-server $src/conf/frankenredis.conf"
printf 'sort: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

#!/usr/bin/env bash
# list.sh SRCDIR BUILDDIR -- the list module against redis-server 7.0.15
# (list_check.py does the talking): a seeded random command stream under
# several list-max-listpack-size / list-compress-depth settings with equal
# replies, DUMP bytes and digests; DUMP/RESTORE both ways, the older
# encodings (RDB types 14, 10, 1) and mutated payloads; the blocking
# commands with several connections (order served, MULTI/EXEC, SWAPDB,
# CLIENT UNBLOCK, timeouts, events); RDB files both
# ways (our snapshot loads into redis-server and passes redis-check-rdb,
# Redis's snapshot loads into ours) with identical DEBUG DIGEST.
# Prints PASS/FAIL lines and "list: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
export FR_SERVER_PERSIST=1
fr_init

summary() {
    printf 'list: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

ours_cmd="$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --save ''"
ref_cmd="redis-server --enable-debug-command yes"

# check MODE [NAME]: list_check.py against the running pair.
check() {
    fr_relay python3 "$src/tests/integration/list_check.py" "$1" "$PORT_ours" "$PORT_ref" "${2:-}"
}

# redis-server always gets --dir $FR_TMP (lib.sh); its files are named.
mkdir -p "$FR_TMP/ours"
fr_start_named ours "$ours_cmd --dir $FR_TMP/ours" || { summary; exit 1; }
fr_start_named ref "$ref_cmd --dbfilename ref.rdb" || { summary; exit 1; }
check diff
check block
check restore
check fill

# Snapshots of the same data set from both servers.
redis-cli -p "$PORT_ours" SAVE >/dev/null
redis-cli -p "$PORT_ref" SAVE >/dev/null
if redis-check-rdb "$FR_TMP/ours/dump.rdb" >"$FR_TMP/check.log" 2>&1; then
    fr_pass "rdb/redis-check-rdb-accepts-ours"
else
    fr_fail "rdb/redis-check-rdb-accepts-ours" "$(tail -3 "$FR_TMP/check.log" | tr '\n' ' ')"
fi
fr_stop_server "$PID_ours"
fr_stop_server "$PID_ref"

# Crossed: each server starts from the other's file.
mv "$FR_TMP/ours/dump.rdb" "$FR_TMP/from-ours.rdb"
mv "$FR_TMP/ref.rdb" "$FR_TMP/ours/dump.rdb"
fr_start_named ours "$ours_cmd --dir $FR_TMP/ours" || { summary; exit 1; }
fr_start_named ref "$ref_cmd --dbfilename from-ours.rdb" || { summary; exit 1; }
check same crossed-load
summary

#!/usr/bin/env bash
# hll.sh SRCDIR BUILDDIR -- HyperLogLog values against redis-server 7.0.15:
# the same PFADD/PFMERGE/PFCOUNT/PFDEBUG steps give the same replies and
# the same bytes (sparse, promotion under several hll-sparse-max-bytes,
# dense, unions); values moved with DUMP/RESTORE both ways answer the same
# PFCOUNT and stay byte-identical after more adds; an RDB file of ours
# loads into Redis with the same counts; and corrupted HyperLogLog strings
# get the same verdict (reply or error, resulting bytes) without ever
# stopping our server (hll_check.py).
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `hll: N passed, M failed`.  Servers use free ports and scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
export FR_SERVER_PERSIST=1
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/hll_check.py" "$@"; }
MOVE_COUNT=${FR_HLL_MOVE_COUNT:-80}
FUZZ_COUNT=${FR_HLL_FUZZ_COUNT:-1500}
fr_init

# counts PORT: one line per key, its PFCOUNT and its bytes' length.
counts() {
    local k
    for k in $(redis-cli -p "$1" --scan | sort); do
        printf '%s %s %s\n' "$k" "$(redis-cli -p "$1" PFCOUNT "$k")" "$(redis-cli -p "$1" STRLEN "$k")"
    done
}

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref"
if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    fr_relay check same "$PORT_fr" "$PORT_ref"
    fr_relay check move "$PORT_fr" "$PORT_ref" "$MOVE_COUNT" 3
    fr_relay check fuzz "$PORT_fr" "$PORT_ref" "$FUZZ_COUNT" 5
    if kill -0 "$PID_fr" 2>/dev/null; then
        fr_pass "fuzz/server-still-running"
    else
        fr_fail "fuzz/server-still-running" "$(tail -n 5 "$FR_TMP/fr.log" | tr '\n' ' ')"
    fi
    # An RDB file of ours, with sparse and dense values, read by Redis.
    redis-cli -p "$PORT_fr" FLUSHALL >/dev/null
    check move "$PORT_fr" "$PORT_ref" 12 4 >/dev/null
    ours=$(counts "$PORT_fr")
    redis-cli -p "$PORT_fr" SAVE >/dev/null
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
    if fr_start_ref_in ref2 "$FR_TMP/fr"; then
        [ "$(echo "$ours" | wc -l)" -ge 12 ] || fr_fail "rdb/fr-to-redis/keys" "only: $ours"
        fr_check_eq "rdb/fr-to-redis/pfcounts" "$ours" "$(counts "$PORT_ref2")"
        fr_stop_server "$PID_ref2" >/dev/null
    fi
fi

printf 'hll: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

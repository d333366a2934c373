#!/usr/bin/env bash
# stream.sh SRCDIR BUILDDIR -- the stream module against the reference Redis:
# a fixed script of every stream command (consumer groups included), option and error with raw replies
# byte for byte (RESP2 and RESP3) and the DUMP payloads it leaves; a seeded
# random stream of XADD/XTRIM/XDEL/XRANGE/XREVRANGE/XREAD/XSETID under small
# stream-node-max-* settings, replies and DUMP payloads equal throughout;
# a seeded random stream of consumer group commands (XGROUP, XREADGROUP,
# XACK, XCLAIM, XAUTOCLAIM, XPENDING, XINFO, with XDEL/XTRIM/XSETID between)
# with the same replies; DUMP payloads both ways; RDB files with streams written by FrankenRedis
# pass redis-check-rdb and load into redis-server 7.0.15 alike, and the
# other way round; mutated payloads RESTOREd into both (Redis with
# sanitize-dump-payload yes) never stop our server and we refuse whatever
# Redis refuses; blocking XREAD woken as Redis wakes it; and the commands a
# replica receives after SYNC.
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `stream: N passed, M failed`.  Servers use free ports, scratch directories
# under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
export FR_SERVER_PERSIST=1
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/stream_check.py" "$@"; }
fr_init

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref" "$FR_TMP/ref2"

if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    fr_relay check script "$PORT_fr" "$PORT_ref"
    fr_relay check groups "$PORT_fr" "$PORT_ref"
    fr_relay check fuzz "$PORT_fr" "$PORT_ref" "${FR_STREAM_FUZZ_COUNT:-6000}" 7
    fr_relay check gfuzz "$PORT_fr" "$PORT_ref" "${FR_STREAM_GFUZZ_COUNT:-6000}" 3
    fr_relay check dump "$PORT_fr" "$PORT_ref"
    fr_relay check block "$PORT_fr" "$PORT_ref"
    fr_relay check repl "$PORT_fr" "$PORT_ref"
    # ---- RDB files both ways
    check fill "$PORT_fr" >/dev/null
    check fill "$PORT_ref" >/dev/null
    fr_same "same-model/streams" streams "$(check streams "$PORT_ref")" "$(check streams "$PORT_fr")"
    ours=$(check streams "$PORT_fr" exact)
    theirs=$(check streams "$PORT_ref" exact)
    redis-cli -p "$PORT_fr" SAVE >/dev/null
    redis-cli -p "$PORT_ref" SAVE >/dev/null
    fr_rdb_ok "fr-to-redis/redis-check-rdb" "$FR_TMP/fr/dump.rdb"
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
    if fr_start_ref_in ref2 "$FR_TMP/fr"; then
        fr_same "fr-to-redis/loaded" streams "$ours" "$(check streams "$PORT_ref2" exact)"
        fr_stop_server "$PID_ref2" >/dev/null
    fi
    if fr_start_ours_in fr2 "$FR_TMP/ref"; then
        fr_same "redis-to-fr/loaded" streams "$theirs" "$(check streams "$PORT_fr2" exact)"
        redis-cli -p "$PORT_fr2" SAVE >/dev/null
        fr_rdb_ok "redis-to-fr-to-disk/redis-check-rdb" "$FR_TMP/ref/dump.rdb"
        fr_stop_server "$PID_fr2" >/dev/null
    fi
fi

# ---- corrupt payloads
if fr_start_ours_in frz "$FR_TMP/fr" && fr_start_ref_in refz "$FR_TMP/ref2" --sanitize-dump-payload yes; then
    fr_relay check corrupt "$PORT_frz" "$PORT_refz" "${FR_STREAM_CORRUPT_COUNT:-4000}" 11
    if kill -0 "$PID_frz" 2>/dev/null; then
        fr_pass "corrupt/server-still-running"
    else
        fr_fail "corrupt/server-still-running" "$(tail -n 5 "$FR_TMP/frz.log" | tr '\n' ' ')"
    fi
fi

printf 'stream: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

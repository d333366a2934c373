#!/usr/bin/env bash
# zset.sh SRCDIR BUILDDIR -- the zset module against the reference Redis:
# RDB files with sorted sets (listpack and skiplist, inf/-0/denormal scores,
# binary, LZF-sized and long members, several DBs) written by FrankenRedis
# pass redis-check-rdb and load into redis-server 7.0.15 with the same
# members, scores and encodings, and the other way round (also under a
# smaller zset-max-listpack-entries); DUMP payloads move both ways byte for
# byte; payloads of older versions (RDB types 3 and 12) load alike; DEBUG
# DIGEST(-VALUE) agrees; a few thousand mutated zset payloads RESTOREd into
# both servers (Redis with sanitize-dump-payload yes) get the same verdict
# and content without ever stopping our server; random command streams on
# keys of every size (listpack, skiplist, conversions both ways, set
# inputs) get the same replies, encodings and digest; and the blocking pops
# are served first blocked first, after EXEC, on timeout.
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `zset: N passed, M failed`.  Servers use free ports, scratch directories
# under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
export FR_SERVER_PERSIST=1
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/zset_check.py" "$@"; }
FUZZ_COUNT=${FR_ZSET_FUZZ_COUNT:-5000}
fr_init

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref" "$FR_TMP/ref2"

# ---- our file into Redis
if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    check fill "$PORT_fr" >/dev/null
    check fill "$PORT_ref" >/dev/null
    ours=$(check zsets "$PORT_fr")
    theirs=$(check zsets "$PORT_ref")
    fr_same "same-model/members-scores-encodings" zsets "$theirs" "$ours"
    fr_relay check dump "$PORT_fr" "$PORT_ref"
    redis-cli -p "$PORT_fr" DEL old >/dev/null
    redis-cli -p "$PORT_ref" DEL old >/dev/null
    # A skiplist of one small member loads back as a listpack: left out.
    redis-cli -p "$PORT_fr" DEL sl-one sl-onefloat >/dev/null
    redis-cli -p "$PORT_ref" DEL sl-one sl-onefloat >/dev/null
    ours=$(check zsets "$PORT_fr")
    theirs=$(check zsets "$PORT_ref")
    redis-cli -p "$PORT_fr" SAVE >/dev/null
    redis-cli -p "$PORT_ref" SAVE >/dev/null
    fr_rdb_ok "fr-to-redis/redis-check-rdb" "$FR_TMP/fr/dump.rdb"
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
    if fr_start_ref_in ref2 "$FR_TMP/fr"; then
        fr_same "fr-to-redis/loaded" zsets "$ours" "$(check zsets "$PORT_ref2")"
        fr_stop_server "$PID_ref2" >/dev/null
    fi
    if fr_start_ref_in ref3 "$FR_TMP/fr" --zset-max-listpack-entries 3; then
        small_ref=$(check zsets "$PORT_ref3")
        fr_stop_server "$PID_ref3" >/dev/null
        if fr_start_ours_in fr3 "$FR_TMP/fr" --zset-max-listpack-entries 3; then
            fr_same "fr-to-fr/zset-max-listpack-entries-3-as-redis" zsets "$small_ref" "$(check zsets "$PORT_fr3")"
            fr_stop_server "$PID_fr3" >/dev/null
        fi
    fi
    # ---- Redis's file into ours
    if fr_start_ours_in fr2 "$FR_TMP/ref"; then
        fr_same "redis-to-fr/loaded" zsets "$theirs" "$(check zsets "$PORT_fr2")"
        redis-cli -p "$PORT_fr2" SAVE >/dev/null
        fr_rdb_ok "redis-to-fr-to-disk/redis-check-rdb" "$FR_TMP/ref/dump.rdb"
        fr_stop_server "$PID_fr2" >/dev/null
    fi
fi

# ---- corrupt payloads
if fr_start_ours_in frz "$FR_TMP/fr" && fr_start_ref_in refz "$FR_TMP/ref2" --sanitize-dump-payload yes; then
    check fill "$PORT_frz" >/dev/null
    fr_relay check fuzz "$PORT_frz" "$PORT_refz" "$FUZZ_COUNT" 7
    if kill -0 "$PID_frz" 2>/dev/null; then
        fr_pass "fuzz/server-still-running"
    else
        fr_fail "fuzz/server-still-running" "$(tail -n 5 "$FR_TMP/frz.log" | tr '\n' ' ')"
    fi
    # ---- random command streams, every size and both conversions
    fr_relay check stream "$PORT_frz" "$PORT_refz" "${FR_ZSET_STREAM_COUNT:-20000}" 3
    # ---- blocking pops
    fr_relay check block "$PORT_frz"
fi

printf 'zset: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

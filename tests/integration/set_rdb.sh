#!/usr/bin/env bash
# set_rdb.sh SRCDIR BUILDDIR -- the set type's persistence against the
# reference Redis: RDB files with sets (intset and hashtable, every intset
# width, binary and LZF-sized members, several DBs) written by FrankenRedis
# pass redis-check-rdb and load into redis-server 7.0.15 with the same
# members and encodings, and the other way round (also under a smaller
# set-max-intset-entries); DUMP payloads move both ways, intset payloads
# byte for byte; DEBUG DIGEST-VALUE agrees; and a few thousand mutated set
# payloads RESTOREd into both servers (Redis with sanitize-dump-payload yes)
# get the same verdict and content, without ever stopping our server.
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `set_rdb: N passed, M failed`.  Servers use free ports, scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
export FR_SERVER_PERSIST=1
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/set_rdb_check.py" "$@"; }
FUZZ_COUNT=${FR_SET_FUZZ_COUNT:-3000}
fr_init

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref" "$FR_TMP/ref2"

# ---- our file into Redis
if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    check fill "$PORT_fr" >/dev/null
    check fill "$PORT_ref" >/dev/null
    ours=$(check sets "$PORT_fr")
    theirs=$(check sets "$PORT_ref")
    fr_same "same-model/members-and-encodings" sets "$theirs" "$ours"
    fr_relay check dump "$PORT_fr" "$PORT_ref"
    # Their RDB load changes their encoding (on both sides): left out below.
    redis-cli -p "$PORT_fr" DEL one-int one-negint >/dev/null
    redis-cli -p "$PORT_ref" DEL one-int one-negint >/dev/null
    ours=$(check sets "$PORT_fr")
    theirs=$(check sets "$PORT_ref")
    redis-cli -p "$PORT_fr" SAVE >/dev/null
    redis-cli -p "$PORT_ref" SAVE >/dev/null
    fr_rdb_ok "fr-to-redis/redis-check-rdb" "$FR_TMP/fr/dump.rdb"
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
    if fr_start_ref_in ref2 "$FR_TMP/fr"; then
        fr_same "fr-to-redis/loaded" sets "$ours" "$(check sets "$PORT_ref2")"
        fr_stop_server "$PID_ref2" >/dev/null
    fi
    if fr_start_ref_in ref3 "$FR_TMP/fr" --set-max-intset-entries 3; then
        small_ref=$(check sets "$PORT_ref3")
        fr_stop_server "$PID_ref3" >/dev/null
        if fr_start_ours_in fr3 "$FR_TMP/fr" --set-max-intset-entries 3; then
            fr_same "fr-to-fr/set-max-intset-entries-3-as-redis" sets "$small_ref" "$(check sets "$PORT_fr3")"
            fr_stop_server "$PID_fr3" >/dev/null
        fi
    fi
    # ---- Redis's file into ours
    if fr_start_ours_in fr2 "$FR_TMP/ref"; then
        fr_same "redis-to-fr/loaded" sets "$theirs" "$(check sets "$PORT_fr2")"
        redis-cli -p "$PORT_fr2" SAVE >/dev/null
        fr_rdb_ok "redis-to-fr-to-disk/redis-check-rdb" "$FR_TMP/ref/dump.rdb"
        fr_stop_server "$PID_fr2" >/dev/null
    fi
fi

# ---- corrupt payloads
if fr_start_ours_in frz "$FR_TMP/fr" && fr_start_ref_in refz "$FR_TMP/ref2" --sanitize-dump-payload yes; then
    fr_relay check fuzz "$PORT_frz" "$PORT_refz" "$FUZZ_COUNT" 7
    if kill -0 "$PID_frz" 2>/dev/null; then
        fr_pass "fuzz/server-still-running"
    else
        fr_fail "fuzz/server-still-running" "$(tail -n 5 "$FR_TMP/frz.log" | tr '\n' ' ')"
    fi
fi

printf 'set_rdb: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

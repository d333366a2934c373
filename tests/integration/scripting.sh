#!/usr/bin/env bash
# scripting.sh SRCDIR BUILDDIR -- Lua scripting against redis-server 7.0.15
# (scripting_check.py): a corpus of EVAL / EVALSHA / EVAL_RO / SCRIPT calls
# -- reply conversions both ways in RESP2 and RESP3, redis.* API, errors
# and their "script: <sha>, on @user_script:<line>." suffixes, the
# sandbox, shebang flags, read-only scripts -- gives byte-identical
# replies; a script past busy-reply-threshold gets the same -BUSY / SCRIPT
# KILL / UNKILLABLE transcript; a script's writes reach the AOF as Redis
# writes them (MULTI/EXEC around several); function libraries cross RDB
# files both ways and DEBUG RELOAD treats them as Redis does.
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `scripting: N passed, M failed`.  Servers use free ports and scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
export FR_SERVER_PERSIST=1
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/scripting_check.py" "$@"; }
fr_init

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref"
if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    fr_relay check same "$PORT_fr" "$PORT_ref"
    fr_relay check busy "$PORT_fr" "$PORT_ref"
    # the busy check leaves an unkillable script running on both
    redis-cli -p "$PORT_fr" SHUTDOWN NOSAVE >/dev/null 2>&1
    redis-cli -p "$PORT_ref" SHUTDOWN NOSAVE >/dev/null 2>&1
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
fi

# Propagation: the AOF of the same scripts, as Redis writes it.
mkdir -p "$FR_TMP/fr-aof" "$FR_TMP/ref-aof"
if fr_start_ours_in fra "$FR_TMP/fr-aof" --appendonly yes --appendfsync always &&
    fr_start_ref_in refa "$FR_TMP/ref-aof" --appendonly yes --appendfsync always; then
    fr_relay check aof "$PORT_fra" "$PORT_refa"
    ours=$(cat "$FR_TMP"/fr-aof/appendonlydir/*.incr.aof 2>/dev/null)
    ref=$(cat "$FR_TMP"/ref-aof/appendonlydir/*.incr.aof 2>/dev/null)
    fr_same "aof/script-effects" "AOF files" "$ours" "$ref"
    fr_stop_server "$PID_fra" >/dev/null
    fr_stop_server "$PID_refa" >/dev/null
fi

# Function libraries in RDB files, both ways: ours loads Redis's and
# Redis loads ours (RDB_OPCODE_FUNCTION2 records); DEBUG RELOAD as Redis.
lib1=$'#!lua name=plib\nredis.register_function(\'pf\', function() return \'from lib\' end)'
lib2=$'#!lua name=plib2\nredis.register_function(\'pf2\', function() return 2 end)'
mkdir -p "$FR_TMP/p-fr" "$FR_TMP/p-ref"
if fr_start_ours_in pfr "$FR_TMP/p-fr" && fr_start_ref_in pref "$FR_TMP/p-ref"; then
    for p in "$PORT_pfr" "$PORT_pref"; do
        redis-cli -p "$p" FUNCTION LOAD "$lib1" >/dev/null
        redis-cli -p "$p" SET k v >/dev/null
    done
    reload() { printf '%s|' "$(redis-cli -p "$1" DEBUG RELOAD NOFLUSH 2>&1)" \
        "$(redis-cli -p "$1" DEBUG RELOAD NOFLUSH MERGE)" "$(redis-cli -p "$1" DEBUG RELOAD)" \
        "$(redis-cli -p "$1" FCALL pf 0)"; }
    fr_same "rdb/debug-reload" "DEBUG RELOAD transcripts" "$(reload "$PORT_pfr")" "$(reload "$PORT_pref")"
    redis-cli -p "$PORT_pfr" SAVE >/dev/null
    redis-cli -p "$PORT_pref" FUNCTION LOAD "$lib2" >/dev/null
    redis-cli -p "$PORT_pref" SAVE >/dev/null
    fr_stop_server "$PID_pfr" >/dev/null
    fr_stop_server "$PID_pref" >/dev/null
    mv "$FR_TMP/p-fr/dump.rdb" "$FR_TMP/ours.rdb"
    mv "$FR_TMP/p-ref/dump.rdb" "$FR_TMP/p-fr/dump.rdb"
    mv "$FR_TMP/ours.rdb" "$FR_TMP/p-ref/dump.rdb"
    if fr_start_ours_in pfr2 "$FR_TMP/p-fr" && fr_start_ref_in pref2 "$FR_TMP/p-ref"; then
        fr_same "rdb/redis-to-ours" "FCALL after loading Redis's RDB" \
            "$(redis-cli -p "$PORT_pfr2" FCALL pf 0; redis-cli -p "$PORT_pfr2" FCALL pf2 0)" "from lib
2"
        fr_same "rdb/ours-to-redis" "FCALL after Redis loaded ours" \
            "$(redis-cli -p "$PORT_pref2" FCALL pf 0; redis-cli -p "$PORT_pref2" GET k)" "from lib
v"
        fr_stop_server "$PID_pfr2" >/dev/null
        fr_stop_server "$PID_pref2" >/dev/null
    fi
fi

printf 'scripting: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

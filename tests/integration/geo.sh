#!/usr/bin/env bash
# geo.sh SRCDIR BUILDDIR -- the GEO commands (zset module) against
# redis-server 7.0.15, raw reply bytes compared in RESP2 and RESP3: a fixed
# script of every command, option and error path (absent keys, wrong types,
# STORE/STOREDIST, Z* commands on geo sets, sets whose scores are no
# geohash); random point sets (local, global, polar, antimeridian; listpack
# and skiplist sizes) searched with random shapes, units and options; the
# keyspace events GEOADD and the stores raise; and the command stream a
# replica receives (GEOADD rewritten to ZADD as Redis does) (geo_check.py).
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `geo: N passed, M failed`.  Servers use free ports and scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/geo_check.py" "$@"; }
FUZZ_COUNT=${FR_GEO_FUZZ_COUNT:-400}
fr_init

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref"
if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    fr_relay check script "$PORT_fr" "$PORT_ref"
    fr_relay check fuzz "$PORT_fr" "$PORT_ref" "$FUZZ_COUNT" 7
    fr_relay check events "$PORT_fr" "$PORT_ref"
    fr_relay check propagate "$PORT_fr" "$PORT_ref"
    if kill -0 "$PID_fr" 2>/dev/null; then
        fr_pass "server-still-running"
    else
        fr_fail "server-still-running" "$(tail -n 5 "$FR_TMP/fr.log" | tr '\n' ' ')"
    fi
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
fi

printf 'geo: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

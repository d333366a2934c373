#!/usr/bin/env bash
# migrate.sh SRCDIR BUILDDIR -- MIGRATE beside redis-server 7.0.15.
#
# Four servers: a FrankenRedis and a redis-server as sources (append-only
# on, each watched by a replica connection), a FrankenRedis and a
# redis-server as targets.  migrate_check.py runs every case from each
# source to each target and compares the transcripts with redis-server to
# redis-server's (replies byte for byte, the values the target holds, what
# the target was sent, the source's replica stream and keyspace events),
# then targets it plays itself (silent, closing, over-long or slow reply
# lines), redaction in MONITOR and SLOWLOG, COMMAND GETKEYS/INFO/DOCS and
# the sources' AOF.  Then a FrankenRedis whose rdb module is hardened
# against the same misbehaving targets.
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `migrate: N passed, M failed`.  Servers use free ports and scratch
# directories under $FR_TMP and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
server=$build/frankenredis-server
fr_init

mkdir -p "$FR_TMP/srcfr" "$FR_TMP/srcref" "$FR_TMP/tgtfr" "$FR_TMP/tgtref" "$FR_TMP/hard"
aof=(--appendonly yes --appendfsync always)
FR_SERVER_PERSIST=1  # our servers keep the directory given (the AOF's)
if fr_start_ours_in srcfr "$FR_TMP/srcfr" "${aof[@]}" &&
    fr_start_ref_in srcref "$FR_TMP/srcref" "${aof[@]}" &&
    fr_start_ours_in tgtfr "$FR_TMP/tgtfr" &&
    fr_start_ref_in tgtref "$FR_TMP/tgtref"; then
    fr_relay python3 "$src/tests/integration/migrate_check.py" strict \
        "$PORT_srcfr" "$PORT_tgtfr" "$PORT_srcref" "$PORT_tgtref" "$FR_TMP/srcfr" "$FR_TMP/srcref"
    fr_stop_server "$PID_srcfr" >/dev/null
    fr_stop_server "$PID_srcref" >/dev/null
    fr_stop_server "$PID_tgtfr" >/dev/null
    # hardened: the default config with the rdb module hardened
    sed 's/^module rdb strict$/module rdb hardened/' "$src/conf/frankenredis.conf" >"$FR_TMP/hard/fr.conf"
    if fr_start_named hard "$server $FR_TMP/hard/fr.conf --dir $FR_TMP/hard --save ''"; then
        fr_relay python3 "$src/tests/integration/migrate_check.py" hardened "$PORT_hard" "$PORT_tgtref"
        fr_stop_server "$PID_hard" >/dev/null
    fi
    fr_stop_server "$PID_tgtref" >/dev/null
fi

printf 'migrate: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

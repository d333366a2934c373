#!/usr/bin/env bash
# propagation.sh SRCDIR BUILDDIR -- against redis-server 7.0.15: what a
# replica receives after transactions, scripts and PUBLISH, the command
# stream after SYNC compared byte for byte, case by case
# (propagation_check.py); then the refusals tied to replication state
# (min-replicas-to-write, replica-serve-stale-data) in commands, EXEC and
# scripts, reply for reply (repl_gate_check.py).
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `propagation: N passed, M failed`.  Servers use free ports and scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
server=$build/frankenredis-server
fr_init

mkdir -p "$FR_TMP/fr" "$FR_TMP/ref"
if fr_start_ours_in fr "$FR_TMP/fr" && fr_start_ref_in ref "$FR_TMP/ref"; then
    fr_relay python3 "$src/tests/integration/propagation_check.py" "$PORT_fr" "$PORT_ref"
    fr_relay python3 "$src/tests/integration/repl_gate_check.py" "$PORT_fr" "$PORT_ref"
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
fi

printf 'propagation: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

#!/usr/bin/env bash
# bitmap.sh SRCDIR BUILDDIR -- the bit commands against redis-server 7.0.15:
# a seeded random stream of SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
# BITFIELD_RO (with bad arguments mixed in) gets the same replies and
# leaves the same bytes as on Redis; and with the bitmap module hardened, an
# 8 MB+ zero fill is refused and counted (bitmap_check.py).
#
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `bitmap: N passed, M failed`.  Servers use free ports and scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
server=$build/frankenredis-server
check() { python3 "$src/tests/integration/bitmap_check.py" "$@"; }
COUNT=${FR_BITMAP_COUNT:-20000}
fr_init

if fr_start_named fr "$server $src/conf/frankenredis.conf" &&
    fr_start_named ref "redis-server"; then
    fr_relay check random "$PORT_fr" "$PORT_ref" "$COUNT" 7
    fr_stop_server "$PID_fr" >/dev/null
    fr_stop_server "$PID_ref" >/dev/null
fi

sed 's/^module bitmap strict$/module bitmap hardened/' "$src/conf/frankenredis.conf" >"$FR_TMP/hardened.conf"
grep -q '^module bitmap hardened$' "$FR_TMP/hardened.conf" || fr_fail "hardened/config" "no bitmap line to change"
if fr_start_named frh "$server $FR_TMP/hardened.conf --module-dir $build/modules"; then
    fr_relay check hardened "$PORT_frh"
    fr_stop_server "$PID_frh" >/dev/null
fi

printf 'bitmap: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

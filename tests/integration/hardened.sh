#!/usr/bin/env bash
# hardened.sh SRCDIR BUILDDIR -- hardened mode's evidence ledger (HARDENED
# LOG/LEN/RESET/HELP, INFO hardened, hardened-log-file, hardened-log-
# capacity) on a server whose keys, strings and ttl modules run hardened
# (and the ttl module's expiry window for every command that stores a TTL),
# the core's hardened protocol caps (`module core hardened`); the checks are
# hardened_check.py's.  Last line: `hardened: N passed, M failed`.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
fr_init
sed -e 's/^module keys strict$/module keys hardened/' -e 's/^module strings strict$/module strings hardened/' \
    -e 's/^module ttl strict$/module ttl hardened/' \
    "$src/conf/frankenredis.conf" >"$FR_TMP/hardened.conf"
if fr_start_named ours "$build/frankenredis-server $FR_TMP/hardened.conf --module-dir $build/modules \
--hardened-log-file $FR_TMP/ledger.jsonl"; then
    fr_relay python3 "$src/tests/integration/hardened_check.py" "$PORT_ours" "$FR_TMP/ledger.jsonl"
fi
# the core's own hardened mode: protocol caps and the partial-request timeout
{ echo "module core hardened"; cat "$src/conf/frankenredis.conf"; } >"$FR_TMP/core-hardened.conf"
if fr_start_named core "$build/frankenredis-server $FR_TMP/core-hardened.conf --module-dir $build/modules \
--hardened-partial-request-timeout 2"; then
    fr_relay python3 "$src/tests/integration/hardened_check.py" --proto "$PORT_core"
fi
printf 'hardened: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

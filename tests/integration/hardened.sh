#!/usr/bin/env bash
# hardened.sh SRCDIR BUILDDIR -- hardened mode's evidence ledger (HARDENED
# LOG/LEN/RESET/HELP, INFO hardened, hardened-log-file, hardened-log-
# capacity) on a server whose keys, strings and ttl modules run hardened
# (and the ttl module's expiry window for every command that stores a TTL),
# the core's hardened protocol caps (`module core hardened`); the checks are
# hardened_check.py's; modes switched at run time (CONFIG SET <module>.mode,
# CONFIG REWRITE of them) and <module>.mode lines in the config file.  Last
# line: `hardened: N passed, M failed`.
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
# modes switched at run time (CONFIG SET <module>.mode) on a server started
# all strict; its config file is CONFIG REWRITE's
cp "$src/conf/frankenredis.conf" "$FR_TMP/switch.conf"
if fr_start_named switch "$build/frankenredis-server $FR_TMP/switch.conf --module-dir $build/modules"; then
    fr_relay python3 "$src/tests/integration/hardened_check.py" --switch "$PORT_switch" "$FR_TMP/switch.conf" \
        "$FR_TMP/switch.log"
fi
# <module>.mode in the config file: taken beside a `module NAME` line that
# gives no mode, refused (naming both lines) beside one that gives the other
sed -e 's/^module ttl strict$/module ttl/' "$src/conf/frankenredis.conf" >"$FR_TMP/modeline.conf"
echo "ttl.mode hardened" >>"$FR_TMP/modeline.conf"
if fr_start_named modeline "$build/frankenredis-server $FR_TMP/modeline.conf --module-dir $build/modules"; then
    fr_check_eq file/mode-line "ttl.mode hardened" "$(redis-cli -p "$PORT_modeline" CONFIG GET ttl.mode | paste -sd' ')"
    fr_check_eq file/mode-line-holds "ERR invalid expire time in 'set' command: more than 100 years ahead (hardened mode)" \
        "$(redis-cli -p "$PORT_modeline" SET k v EX 4000000000)"
    fr_stop_server "$PID_modeline"
fi
cp "$src/conf/frankenredis.conf" "$FR_TMP/conflict.conf"
echo "ttl.mode hardened" >>"$FR_TMP/conflict.conf"
at=$(grep -n '^module ttl strict$' "$FR_TMP/conflict.conf" | cut -d: -f1)
last=$(wc -l <"$FR_TMP/conflict.conf")
out=$(timeout 10 "$build/frankenredis-server" "$FR_TMP/conflict.conf" --module-dir "$build/modules" --port 0 2>&1)
rc=$?
fr_check_eq file/conflict-exits "refused" "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo refused || echo "rc=$rc")"
fr_check_eq file/conflict-names-both "$FR_TMP/conflict.conf:$last: >>> 'ttl.mode hardened' conflicts with \
'module ttl strict' at $FR_TMP/conflict.conf:$at (give a module's mode once)" \
    "$(grep -o "[^ ]*conflict.conf:$last: .*" <<<"$out")"
printf 'hardened: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

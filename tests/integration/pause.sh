#!/usr/bin/env bash
# pause.sh SRCDIR BUILDDIR -- CLIENT PAUSE / UNPAUSE / UNBLOCK beside
# redis-server 7.0.15: pause_check.py drives both servers through the same
# multi-client scenario (held writes, MULTI/EXEC under a pause, pipelined
# order, timeouts, expiry held back, killed held clients) and the two
# transcripts must be equal line for line.  Each line is also one check, so
# a difference names the step.
# Prints PASS/FAIL lines and "pause: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init

run() {  # NAME CMD -> transcript in $FR_TMP/NAME.out
    fr_start_named "$1" "$2" || return 1
    local p=PORT_$1 i=PID_$1
    /usr/bin/python3 "$src/tests/integration/pause_check.py" "${!p}" >"$FR_TMP/$1.out" 2>&1
    fr_stop_server "${!i}"
}

if run ours "$build/frankenredis-server $src/conf/frankenredis.conf" && run ref redis-server; then
    n_ref=$(wc -l <"$FR_TMP/ref.out")
    [ "$n_ref" -ge 50 ] || fr_fail "pause/transcript" "redis-server gave only $n_ref lines"
    i=0
    while IFS= read -r want; do
        i=$((i + 1))
        got=$(sed -n "${i}p" "$FR_TMP/ours.out")
        fr_check_eq "pause/${want%%:*}#$i" "$want" "$got"
    done <"$FR_TMP/ref.out"
    extra=$(sed -n "$((i + 1)),\$p" "$FR_TMP/ours.out")
    [ -z "$extra" ] || fr_fail "pause/extra-lines" "$extra"
fi
printf 'pause: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

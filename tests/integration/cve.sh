#!/usr/bin/env bash
# cve.sh SRCDIR BUILDDIR -- Redis CVE regressions (docs/security.md, "CVE
# regressions"): cve_check.py replays each CVE's triggering input against
# our server and redis-server 7.0.15 (Debian's build, which carries the
# fixes); this script adds the replays that need a server of their own (the
# Unix socket's permissions at start-up) and, at the end, looks for a crash
# report in either server's log.  Families not loaded yet print SKIP lines
# (not counted).  Prints PASS/FAIL lines and "cve: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
fr_init

summary() {
    printf 'cve: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

# CVE_OURS_SERVER runs the replays on another build of ours (the sanitizer
# build: scripts/build.sh --sanitizers, then build-asan/frankenredis-server).
ours_cmd="${CVE_OURS_SERVER:-$build/frankenredis-server} $src/conf/frankenredis.conf --enable-debug-command yes"
ref_cmd="redis-server --enable-debug-command yes"
fr_start_named ours "$ours_cmd" || { summary; exit 1; }
fr_start_named ref "$ref_cmd" || { summary; exit 1; }
fr_relay timeout $((120 * $(fr_wait_scale))) /usr/bin/python3 "$src/tests/integration/cve_check.py" "$PORT_ours" "$PORT_ref"

# CVE-2023-45145: the Unix socket must never be reachable with wider
# permissions than unixsocketperm, even under a permissive umask: the mode
# is set before listen(2), so no connection can be accepted in between.
for name in ours ref; do
    cmd=$ref_cmd
    [ $name = ours ] && cmd=$ours_cmd
    sock="$FR_TMP/$name.sock"
    # umask in this shell, not a subshell: fr_start_named must record the
    # server's PID here so that the exit trap stops it.
    old_umask=$(umask)
    umask 000
    if fr_start_named "sock$name" "$cmd --unixsocket $sock --unixsocketperm 700"; then
        umask "$old_umask"
        mode=$(stat -c %a "$sock" 2>/dev/null)
        pong=$(redis-cli -s "$sock" PING 2>&1)
        fr_check_eq "cve/CVE-2023-45145/unixsocket-mode/$name" "700 PONG" "$mode $pong"
    else
        umask "$old_umask"
        fr_fail "cve/CVE-2023-45145/unixsocket-mode/$name" "server did not start"
    fi
done

# A crash report or a failed assertion in either log is a failure even if
# the process lived on (Redis logs them before exiting).
for name in ours ref; do
    pid=PID_$name
    if ! kill -0 "${!pid}" 2>/dev/null; then
        fr_fail "cve/$name/alive-at-end" "server died; log: $(tail -5 "$FR_TMP/$name.log" | tr '\n' ' ')"
    elif grep -Eq 'crashed by signal|BUG REPORT|ASSERTION FAILED|Guru Meditation|[A-Za-z]*Sanitizer|runtime error:' "$FR_TMP/$name.log"; then
        fr_fail "cve/$name/no-crash-report" "$(grep -Em3 'crashed|BUG|ASSERTION|Guru|Sanitizer|runtime error:' "$FR_TMP/$name.log" | tr '\n' ' ')"
    else
        fr_pass "cve/$name/no-crash-report"
    fi
done
summary

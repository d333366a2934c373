#!/usr/bin/env bash
# lazyfree.sh SRCDIR BUILDDIR -- lazy free beside redis-server 7.0.15:
# lazyfree_check.py deletes, flushes, overwrites and expires values of every
# type on both sides of the 64-allocation threshold, with and without the
# lazyfree-lazy-* settings, and prints what each step handed to the
# background thread (INFO lazyfreed_objects); the two transcripts must be
# equal line for line, each line one check.
# Prints PASS/FAIL lines and "lazyfree: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init
# DEBUG SET-ACTIVE-EXPIRE keeps the expiry steps to the access that makes them.
fr_compare_transcripts lazyfree "/usr/bin/python3 $src/tests/integration/lazyfree_check.py" 30 \
    "$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes" \
    "redis-server --enable-debug-command yes"

# Shutdown with frees still queued: the thread finishes them, the server
# exits 0 within the usual time, and its log has no crash report.
fr_start_named quit "$build/frankenredis-server $src/conf/frankenredis.conf" || exit 1
if PYTHONPATH=$src/tests/integration /usr/bin/python3 - "$PORT_quit" <<'PY'
import sys
from wire import Raw
R = Raw(int(sys.argv[1]), timeout=30)
for k in range(10):
    for i in range(0, 20000, 1000):
        R.call("SADD", "s%d" % k, *["m%d" % j for j in range(i, i + 1000)])
for k in range(10):
    assert R.call("UNLINK", "s%d" % k) == b":1\r\n"
PY
then fr_pass "unlink-before-shutdown"; else fr_fail "unlink-before-shutdown" "the load failed"; fi
if fr_stop_server "$PID_quit"; then fr_pass "shutdown-with-frees-queued"
else fr_fail "shutdown-with-frees-queued" "needed SIGKILL"; fi
if grep -q "crashed\|Sanitizer\|Assertion" "$FR_TMP/quit.log"; then
    fr_fail "shutdown-log-clean" "$(grep -m3 "crashed\|Sanitizer\|Assertion" "$FR_TMP/quit.log")"
else fr_pass "shutdown-log-clean"; fi
printf 'lazyfree: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

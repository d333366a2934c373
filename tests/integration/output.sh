#!/usr/bin/env bash
# output.sh SRCDIR BUILDDIR -- replies survive a slow reader, byte for byte.
#
# Owns: the output-path checks of issue 10.  Against our server (normal
# build), the sanitizer build (ASan + UBSan, built in build-asan/ by
# `scripts/build.sh --sanitizers` when missing or out of date) and the
# reference redis-server 7.0.15 (which proves the checks themselves right):
#   - redis-py: SET a 9 MiB value, GET it back, PING; a pipeline of GETs;
#   - fr-slowread (tests/integration/fr-slowread.c) cases, each pushing
#     7-55 MB through a connection with a 16 KiB receive buffer read in
#     1 B-64 KiB chunks with pauses: plain (big GETs), pipeline (1M PINGs,
#     exactly 7,000,000 bytes), mixed (small and medium replies), deferred
#     (KEYS, COMMAND LIST/DOCS, SCAN, CONFIG GET *), resp3 (all of it after
#     HELLO 3);
#   - the server is still up afterwards and, for the sanitizer build,
#     ASan/UBSan reported nothing (including leaks at shutdown).
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `output: N passed, M failed`.  Servers use free ports (never 6379) and are
# stopped by PID; scratch files live in $FR_TMP.
#
# environment (optional):
#   FR_OUTPUT_SANITIZERS=0  skip the sanitizer build and its run (skipped
#                           anyway outside a git checkout)
#   FR_OUTPUT_REDIS=0       skip the reference redis-server run
#   FR_OUTPUT_SEED=N        fr-slowread's seed (default 1: reproducible)
set -u
src=$(cd "${1:?srcdir}" && pwd) || exit 2
build=$(cd "${2:?builddir}" && pwd) || exit 2
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}  # kernel-chosen ports
fr_init
slowread=$build/tests/integration/fr-slowread
seed=${FR_OUTPUT_SEED:-1}
CASES="plain pipeline mixed deferred resp3"

# start TAG CMD: a server on a free port (retried if the port was taken);
# sets PORT and PID, or fails TAG/start.
start() {
    local tag=$1 cmd=$2 _
    for _ in 1 2 3; do
        PORT=$(fr_free_port) || break
        if fr_start_server "$cmd" "$PORT" "$FR_TMP/$tag.log"; then
            PID=$FR_SERVER_PID
            return 0
        fi
        grep -q "Address already in use" "$FR_TMP/$tag.log" || break
    done
    fr_fail "output/$tag/start" "no PONG; log: $(tail -n 5 "$FR_TMP/$tag.log" | tr '\n' ' ')"
    return 1
}

# py_checks TAG PORT: redis-py as an application uses it.
py_checks() {
    local tag=$1 line
    while IFS= read -r line; do
        case $line in
            "ok "*) fr_pass "output/$tag/${line#ok }" ;;
            "fail "*) line=${line#fail }; fr_fail "output/$tag/${line%%: *}" "${line#*: }" ;;
            *) fr_fail "output/$tag/redis-py" "$line" ;;
        esac
    done < <(/usr/bin/python3 - "$2" 2>&1 <<'EOF'
import sys
import redis

r = redis.Redis(port=int(sys.argv[1]), socket_timeout=30)


def pattern(seed, n):
    """fr-slowread's value pattern: 16-byte records of seed and offset."""
    return b"".join(b"%02x%013x\n" % (seed, off) for off in range(0, n, 16))[:n]


def check(name, fn):
    try:
        why = fn()
    except Exception as e:  # ConnectionError is the bug this file is about
        why = "%s: %s" % (type(e).__name__, e)
    print("ok " + name if why is None else "fail %s: %s" % (name, why), flush=True)


def set_get_ping(key, value):
    """SET then GET one big value, then PING on the same connection."""
    r.set(key, value)
    got = r.get(key)
    if got != value:
        return "GET returned different bytes (%d of %d)" % (len(got or b""), len(value))
    return None if r.ping() is True else "PING did not answer True"


def big_x():
    return set_get_ping("big", b"x" * (9 << 20))


def big_pattern():
    return set_get_ping("bigp", pattern(0x42, (9 << 20) + 11))


def pipelined_gets():
    value = pattern(0x43, 1 << 20)
    r.set("mib", value)
    p = r.pipeline(transaction=False)
    for _ in range(10):
        p.get("mib")
    p.ping()
    got = p.execute()
    bad = sum(1 for g in got[:10] if g != value)
    return None if bad == 0 and got[10] is True else "%d of 10 GETs differ, PING %r" % (bad, got[10])


check("redis-py-9MiB-get-ping", big_x)
check("redis-py-9MiB-pattern", big_pattern)
check("redis-py-pipelined-gets", pipelined_gets)
EOF
)
}

# slow_checks TAG PORT: every fr-slowread case.
slow_checks() {
    local tag=$1 port=$2 c out
    for c in $CASES; do
        if out=$("$slowread" --port "$port" --seed "$seed" "$c" 2>&1); then
            fr_pass "output/$tag/$c"
            echo "    ${out#ok: }"
        else
            fr_fail "output/$tag/$c" "${out#error: } (seed $seed)"
        fi
    done
}

# alive TAG: the server outlived the checks.
alive() {
    if kill -0 "$PID" 2>/dev/null && [ "$(redis-cli -p "$PORT" PING 2>/dev/null)" = PONG ]; then
        fr_pass "output/$1/still-up"
    else
        fr_fail "output/$1/still-up" "server gone; log: $(tail -n 5 "$FR_TMP/$1.log" | tr '\n' ' ')"
    fi
}

# run_all TAG CMD: start, every check, stop.
run_all() {
    local t0=$SECONDS
    echo "--- $1: $2"
    start "$1" "$2" || return 1
    py_checks "$1" "$PORT"
    slow_checks "$1" "$PORT"
    alive "$1"
    fr_stop_server "$PID" >/dev/null
    echo "    ($1: $((SECONDS - t0)) s)"
}

# sanitizer_report NAME: fails NAME if ASan/UBSan wrote a report (log_path
# files) or the server's own log mentions one.
sanitizer_report() {
    local -a files
    mapfile -t files < <(find "$FR_TMP" -maxdepth 1 -name 'san.*' -size +0 2>/dev/null)
    if [ "${#files[@]}" -gt 0 ] || grep -Eq 'runtime error:|ERROR: [A-Za-z]*Sanitizer' "$FR_TMP/asan.log"; then
        fr_fail "$1" "sanitizer report: $(cat "${files[@]}" "$FR_TMP/asan.log" 2>/dev/null |
            grep -E 'ERROR|runtime error|SUMMARY|#[0-4] ' | head -n 12 | tr '\n' ' ')"
    else
        fr_pass "$1"
    fi
}

if [ ! -x "$slowread" ]; then
    echo "FAIL output/build: $slowread missing (make check builds it)"
    echo "output: 0 passed, 1 failed"
    exit 1
fi

run_all fr "$build/frankenredis-server $src/conf/frankenredis.conf"

# The sanitizer run is part of the proof: it is never skipped silently, only
# when FR_OUTPUT_SANITIZERS=0 asks for it.
if [ "${FR_OUTPUT_SANITIZERS:-1}" != 0 ] && ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    fr_fail "output/asan/build" "$src is not a git checkout, or git is missing (scripts/build.sh --sanitizers lists sources with git; scripts/deps.sh --test installs it)"
elif [ "${FR_OUTPUT_SANITIZERS:-1}" != 0 ]; then
    t0=$SECONDS
    if bash "$src/scripts/build.sh" --sanitizers >"$FR_TMP/asan-build.log" 2>&1; then
        echo "    (sanitizer build up to date in $((SECONDS - t0)) s: $src/build-asan)"
        # Reports go to files (checked below), leaks are checked at exit.
        export ASAN_OPTIONS="log_path=$FR_TMP/san.asan:detect_leaks=1"
        export UBSAN_OPTIONS="log_path=$FR_TMP/san.ubsan:print_stacktrace=1"
        run_all asan "$src/build-asan/frankenredis-server $src/conf/frankenredis.conf"
        unset ASAN_OPTIONS UBSAN_OPTIONS
        sanitizer_report output/asan/no-sanitizer-reports
    else
        fr_fail output/asan/build "$(tail -n 8 "$FR_TMP/asan-build.log" | tr '\n' ' ')"
    fi
fi

if [ "${FR_OUTPUT_REDIS:-1}" != 0 ] && command -v redis-server >/dev/null; then
    run_all redis redis-server
fi

printf 'output: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

# shellcheck shell=bash
# lib.sh -- shell helpers for integration tests; source it, do not run it.
#
# Owns: PASS/FAIL bookkeeping, finding a free port, starting a server in the
# background and stopping it by its PID.
# Invariants: port 6379 is never used; every server started here is listed
# in FR_STARTED_PIDS and, if still running, stopped by PID when the shell
# exits (fr_init installs the EXIT trap); scratch files live in $FR_TMP,
# which is removed on exit.

FR_PASSED=0
FR_FAILED=0
FR_STARTED_PIDS=""
FR_SERVER_PID=""
FR_TMP=""

fr_init() {
    FR_TMP=$(mktemp -d /tmp/fr-integration.XXXXXX) || exit 2
    trap fr_cleanup EXIT
    trap 'exit 130' INT TERM
}

fr_cleanup() {
    local pid
    for pid in $FR_STARTED_PIDS; do
        if kill -0 "$pid" 2>/dev/null; then
            fr_stop_server "$pid"
        fi
    done
    if [ -n "$FR_TMP" ]; then
        rm -rf "$FR_TMP"
    fi
}

fr_pass() {
    printf 'PASS %s\n' "$1"
    FR_PASSED=$((FR_PASSED + 1))
}

fr_fail() {
    printf 'FAIL %s: %s\n' "$1" "$2"
    FR_FAILED=$((FR_FAILED + 1))
}

# fr_check_eq NAME WANT GOT: exact comparison of command output.
fr_check_eq() {
    if [ "$2" = "$3" ]; then
        fr_pass "$1"
    else
        fr_fail "$1" "want '$2', got '$3'"
    fi
}

# Prints the summary line; returns non-zero if anything failed.
fr_summary() {
    printf 'integration: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

# Prints a port nobody listens on.  fr-conform asks the kernel (bind to port
# 0); without it, probe random high ports, which is racy but good enough.
fr_free_port() {
    if [ -n "${FR_CONFORM:-}" ] && [ -x "$FR_CONFORM" ]; then
        "$FR_CONFORM" free-port
        return
    fi
    fr_probe_free_port 20000 32768  # below the ephemeral range, as fr-conform picks
}

# fr_probe_free_port LO HI: a random port in [LO, HI) that nothing accepts
# on, never 6379 (the system Redis).  Racy like any probe: callers retry
# when the server they start finds it taken.
fr_probe_free_port() {
    local lo=$1 hi=$2 _ port
    for _ in $(seq 1 200); do
        port=$(( (RANDOM * 32768 + RANDOM) % (hi - lo) + lo ))
        [ "$port" = 6379 ] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# fr_start_server CMD PORT LOG: runs `CMD --port PORT` (CMD in sh syntax,
# like fr-conform's --server-cmd) in the background with output to LOG, sets
# FR_SERVER_PID, and waits up to 10 s for PONG.  A reference redis-server
# also gets persistence off and a scratch dir, so it leaves no files; so does
# ours unless FR_SERVER_PERSIST=1 (tests of persistence itself).
fr_start_server() {
    local cmd=$1 port=$2 log=$3 first _
    local -a extra=()
    first=${cmd%% *}
    if [ "${first##*/}" = redis-server ]; then
        extra=(--bind 127.0.0.1 --save "" --appendonly no --dir "$FR_TMP")
    elif [ "${FR_SERVER_PERSIST:-0}" != 1 ]; then
        extra=(--save "" --dir "$FR_TMP")
    fi
    sh -c "exec $cmd \"\$@\"" fr-server --port "$port" "${extra[@]}" \
        >"$log" 2>&1 </dev/null &
    FR_SERVER_PID=$!
    FR_STARTED_PIDS="$FR_STARTED_PIDS $FR_SERVER_PID"
    fr_wait_pong "$FR_SERVER_PID" "$port"
}

# fr_start_named NAME CMD: fr_start_server on a free port, retried once if
# the port was taken meanwhile; sets PORT_<NAME> and PID_<NAME>.  On
# failure records NAME/start as failed and returns 1.
fr_start_named() {
    local name=$1 cmd=$2 port _
    for _ in 1 2; do
        port=$(fr_free_port)
        if fr_start_server "$cmd" "$port" "$FR_TMP/$name.log"; then
            printf -v "PORT_$name" %s "$port"
            printf -v "PID_$name" %s "$FR_SERVER_PID"
            return 0
        fi
    done
    fr_fail "$name/start" "server did not answer: $(tail -3 "$FR_TMP/$name.log" | tr '\n' ' ')"
    return 1
}

# FR_WAIT_SCALE (default 1) multiplies the waits for a server to start and
# to stop: a sanitizer or valgrind build is slower at both
# (tests/sanitizers.sh, tests/valgrind.sh).
fr_wait_scale() { echo "${FR_WAIT_SCALE:-1}"; }

# fr_wait_pong PID PORT: up to 10 s (times FR_WAIT_SCALE) for the server PID
# to answer PING on PORT; fails at once if it exits.
fr_wait_pong() {
    local pid=$1 port=$2 _
    for _ in $(seq 1 $((200 * $(fr_wait_scale)))); do
        kill -0 "$pid" 2>/dev/null || return 1
        [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && return 0
        sleep 0.05
    done
    return 1
}

# fr_stop_server PID: SIGTERM, up to 5 s (times FR_WAIT_SCALE) to exit,
# then SIGKILL.  Returns 0 if the server exited on SIGTERM alone.
fr_stop_server() {
    local pid=$1 _
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 $((100 * $(fr_wait_scale)))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            return 0
        fi
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 1
}

# fr_compare_transcripts PART CHECKER MIN_LINES OURS_CMD [REF_CMD] -- run
# CHECKER (a command; the port is appended) against our server (started by
# OURS_CMD) and against redis-server 7.0.15 (REF_CMD, default redis-server),
# then compare the transcripts line for line: each line is one check named
# after its step.  Fails when Redis gave fewer than MIN_LINES lines (the
# checker itself broke) or ours has extra lines.
fr_compare_transcripts() {
    local part=$1 checker=$2 min=$3 ours=$4 ref=${5:-redis-server} name
    for name in ours ref; do
        local cmd=$ref
        [ "$name" = ours ] && cmd=$ours
        fr_start_named "$name" "$cmd" || return 1
        local p=PORT_$name i=PID_$name
        # shellcheck disable=SC2086  # the checker command is words
        $checker "${!p}" >"$FR_TMP/$part.$name.out" 2>&1
        fr_stop_server "${!i}"
    done
    local n_ref i=0 want got extra
    n_ref=$(wc -l <"$FR_TMP/$part.ref.out")
    [ "$n_ref" -ge "$min" ] || fr_fail "$part/transcript" "redis-server gave only $n_ref lines"
    while IFS= read -r want; do
        i=$((i + 1))
        got=$(sed -n "${i}p" "$FR_TMP/$part.ours.out")
        fr_check_eq "$part/${want%%:*}#$i" "$want" "$got"
    done <"$FR_TMP/$part.ref.out"
    extra=$(sed -n "$((i + 1)),\$p" "$FR_TMP/$part.ours.out")
    [ -z "$extra" ] || fr_fail "$part/extra-lines" "$extra"
}

# fr_relay CMD... -- run a checker that prints "PASS name" and
# "FAIL name: why" lines (and anything else, passed through) and count
# them in this part's totals; a non-zero exit is one more failure.
fr_relay() {
    local line name rc=0
    while IFS= read -r line; do
        case $line in
        PASS\ *) fr_pass "${line#PASS }" ;;
        FAIL\ *) name=${line#FAIL }; fr_fail "${name%%: *}" "${name#*: }" ;;
        *) echo "$line" ;;
        esac
    done < <("$@" 2>&1)
    # a checker that dies (a traceback) stops before its remaining checks:
    # that is a failure, not a shorter pass list
    wait $! || rc=$?
    [ "$rc" -eq 0 ] || fr_fail "${2##*/}/exit" "exited with status $rc; its output above says where it stopped"
}

# ---- servers on a given directory (persistence checks) ----------------
# These expect the caller's `server` (our binary) and `src` (the source
# tree) to be set.

# fr_start_ours_in NAME DIR [ARG...]: our server with the default config on
# DIR (DIR/dump.rdb), debug commands on; sets PORT_NAME and PID_NAME.
fr_start_ours_in() {
    local name=$1 dir=$2
    shift 2
    fr_start_named "$name" "$server $src/conf/frankenredis.conf --dir $dir --save '' \
--enable-debug-command yes $*"
}

# fr_start_ref_in NAME DIR [ARG...]: redis-server on DIR; sets PORT_NAME and
# PID_NAME.  Not fr_start_server, which gives a reference server a scratch
# directory of its own.
fr_start_ref_in() {
    local name=$1 dir=$2 port pid _
    shift 2
    for _ in 1 2 3; do
        port=$(fr_free_port)
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
            --enable-debug-command yes "$@" >"$FR_TMP/$name.log" 2>&1 </dev/null &
        pid=$!
        FR_STARTED_PIDS="$FR_STARTED_PIDS $pid"
        if fr_wait_pong "$pid" "$port"; then
            printf -v "PORT_$name" %s "$port"
            printf -v "PID_$name" %s "$pid"
            return 0
        fi
        grep -q "Address already in use" "$FR_TMP/$name.log" || break
    done
    fr_fail "$name/start" "$(tail -n 3 "$FR_TMP/$name.log" | tr '\n' ' ')"
    return 1
}

# fr_same NAME WHAT WANT GOT: two non-empty listings of WHAT must match.
fr_same() {
    if [ "$3" = "$4" ] && [ -n "$3" ]; then
        fr_pass "$1"
    else
        fr_fail "$1" "$2 differ"
        diff <(echo "$3") <(echo "$4") | head -n 8 | sed 's/^/    /'
    fi
}

# fr_rdb_ok NAME FILE: redis-check-rdb accepts FILE.
fr_rdb_ok() {
    local out
    out=$(redis-check-rdb "$2" 2>&1)
    case "$out" in
    *'\o/ RDB looks OK! \o/'*) fr_pass "$1" ;;
    *) fr_fail "$1" "$(echo "$out" | tail -n 3 | tr '\n' ' ')" ;;
    esac
}

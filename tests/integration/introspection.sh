#!/usr/bin/env bash
# introspection.sh SRCDIR BUILDDIR -- the introspection commands beside
# redis-server 7.0.15: the same command sequence goes to both servers and
# the replies must be equal once the figures that legitimately differ are
# masked (durations, timestamps, the client's port).
#   - SLOWLOG: what is logged (threshold 0, off at -1), argument trimming
#     (32 arguments, 128 bytes), redacted AUTH/HELLO passwords, client
#     name, ids that survive RESET, slowlog-max-len, GET count errors, HELP;
#   - CLIENT NO-EVICT shown as flag 'e' in CLIENT INFO, cleared by OFF;
#   - DEBUG (PROTOCOL in RESP2 and RESP3, DIGEST/DIGEST-VALUE of the same
#     dataset, OBJECT, POPULATE, RELOAD, the enable-debug-command gate),
#     LATENCY (events, HISTORY/LATEST/GRAPH/DOCTOR/RESET, HISTOGRAM and
#     INFO latencystats shapes) and MONITOR lines (quoting, redaction, db,
#     MULTI/EXEC, refusal inside EXEC, flag 'O') and query buffer sizing
#     in CLIENT LIST (after a big argument, trimmed while busy and when
#     idle): introspection_check.py.
# Prints PASS/FAIL lines and "introspection: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init
server="$build/frankenredis-server $src/conf/frankenredis.conf"

summary() {
    printf 'introspection: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

# start NAME CMD: fr_start_named, then PORT and PID for the session.
start() {
    fr_start_named "$1" "$2" || return 1
    local p=PORT_$1 i=PID_$1
    PORT=${!p} PID=${!i}
}

# slowlog_session PORT: the replies, one per line, with every integer line
# (ids, times, durations, lengths alike) and the peer's port masked; the
# lengths are checked unmasked by the line count and the order of lines.
slowlog_session() {
    local p=$1 long
    long=$(head -c 200 /dev/zero | tr '\0' x)
    c() { redis-cli -p "$p" "$@"; }
    {
        c config set slowlog-log-slower-than 0
        c slowlog reset
        c set foo bar
        c client setname myname
        c auth secretpass
        c auth someone secretpass
        c hello 2 auth someone secretpass
        c config set maxclients 100 requirepass secretpass masterauth secretpass maxclients 1
        c config set requirepass ""
        c set "$long" v
        c mget $(seq 1 40)
        echo "LEN=$(c slowlog len)"
        c slowlog get 100
        c slowlog get -2
        c slowlog get x
        c slowlog get 1 2
        c slowlog get 0
        c config set slowlog-log-slower-than -1
        c set quiet 1
        echo "LEN=$(c slowlog len)"
        c config set slowlog-log-slower-than 0
        c config set slowlog-max-len 2
        c set a b
        echo "LEN=$(c slowlog len)"
        c slowlog reset
        c slowlog get
        c config get slowlog-max-len
        c slowlog help
        c slowlog
    } 2>&1 | sed -E 's/^[0-9]+$/N/; s/^(127\.0\.0\.1):[0-9]+$/\1:P/'
}

test_slowlog() {
    local ours theirs
    start ours "$server" || return
    ours=$(slowlog_session "$PORT")
    fr_stop_server "$PID"
    start ref redis-server || return
    theirs=$(slowlog_session "$PORT")
    fr_stop_server "$PID"
    if [ "$ours" = "$theirs" ]; then
        fr_pass "slowlog/same-as-redis ($(printf '%s\n' "$ours" | wc -l) lines)"
    else
        fr_fail slowlog/same-as-redis "$(diff <(printf '%s\n' "$theirs") <(printf '%s\n' "$ours") | head -20)"
    fi
    case $ours in *"(redacted)"*) fr_pass slowlog/redacted ;; *) fr_fail slowlog/redacted "no (redacted) argument" ;; esac
    case $ours in *secretpass*) fr_fail slowlog/no-password "the password reached the slow log" ;; *) fr_pass slowlog/no-password ;; esac
}

# flags=... of CLIENT INFO after each of: nothing, NO-EVICT on, NO-EVICT off.
client_flags() {
    local p=$1 on off
    exec 3<>"/dev/tcp/127.0.0.1/$p"
    printf 'CLIENT INFO\r\nCLIENT NO-EVICT on\r\nCLIENT INFO\r\nCLIENT NO-EVICT off\r\nCLIENT INFO\r\nQUIT\r\n' >&3
    timeout 5 cat <&3 | tr -d '\r' | grep -o 'flags=[^ ]*\|^+OK$' | tr '\n' ' '
    exec 3<&-
}

test_client_flags() {
    local ours theirs
    start ours "$server" || return
    ours=$(client_flags "$PORT")
    fr_stop_server "$PID"
    start ref redis-server || return
    theirs=$(client_flags "$PORT")
    fr_stop_server "$PID"
    fr_check_eq client/no-evict-flag "$theirs" "$ours"
    fr_check_eq client/no-evict-flag-literal "flags=N +OK flags=e +OK flags=N +OK " "$ours"
}

# DEBUG, LATENCY and MONITOR (introspection_check.py): the raw replies of
# both servers, masked where they legitimately differ, must be equal.
check_transcripts() {
    local name=$1 mode=$2 opts=$3 ours theirs
    start ours "$server $opts" || return
    ours=$(python3 "$src/tests/integration/introspection_check.py" "$mode" "$PORT" 2>&1)
    fr_stop_server "$PID"
    start ref "redis-server $opts" || return
    theirs=$(python3 "$src/tests/integration/introspection_check.py" "$mode" "$PORT" 2>&1)
    fr_stop_server "$PID"
    if [ "$ours" = "$theirs" ]; then
        fr_pass "$name/same-as-redis ($(printf '%s\n' "$ours" | wc -l) lines)"
    else
        fr_fail "$name/same-as-redis" "$(diff <(printf '%s\n' "$theirs") <(printf '%s\n' "$ours") | head -20)"
    fi
    LAST_TRANSCRIPT=$ours
}

test_debug_latency_monitor() {
    check_transcripts debug all "--enable-debug-command yes"
    case $LAST_TRANSCRIPT in *'"AUTH" "(redacted)"'*) fr_pass monitor/redacted ;; *) fr_fail monitor/redacted "no redacted AUTH line" ;; esac
    case $LAST_TRANSCRIPT in *secret*) fr_fail monitor/no-password "a password reached MONITOR" ;; *) fr_pass monitor/no-password ;; esac
    case $LAST_TRANSCRIPT in *"digest/dataset: b'+0000"*) fr_fail debug/digest "empty digest for a dataset" ;; *) fr_pass debug/digest ;; esac
    check_transcripts debug-gate-no gate ""
    check_transcripts debug-gate-local gate "--enable-debug-command local"
}

test_slowlog
test_client_flags
test_debug_latency_monitor
summary

#!/usr/bin/env bash
# rdb.sh SRCDIR BUILDDIR -- the rdb module against the reference Redis:
# snapshot files and DUMP payloads must move between redis-server 7.0.15 and
# FrankenRedis in both directions with identical data (values, encodings,
# millisecond TTLs, DBs 0/1/15), redis-check-rdb must accept our files, and
# broken files must refuse start-up saying what and where.  Also SAVE,
# BGSAVE under writes, save points, SHUTDOWN SAVE/NOSAVE, SIGTERM saves,
# MISCONF, the INFO persistence fields, BGSAVE children that die (kill -9,
# SIGXFSZ, error exit) and LZF strings that claim 0 bytes, each compared
# with redis-server.
#
# Owns: the recorded fixtures' use (fixtures/rdb/*.rdb, re-recorded by
# fixtures/rdb/record.sh) and rdb_tool.py, its binary-safe client.
# Every check prints `PASS name` or `FAIL name: why`; the last line is
# `rdb: N passed, M failed`.  Servers use free ports (never 6379), scratch
# directories under $FR_TMP, and are stopped by PID.
set -u
src=${1:?srcdir} build=${2:?builddir}
# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"
server=$build/frankenredis-server
export FR_SERVER_PERSIST=1  # these tests are about persistence
tool() { python3 "$src/tests/integration/rdb_tool.py" "$@"; }
fixtures=$src/fixtures/rdb
# Ports from the kernel (fr-conform free-port) collide less than random ones.
FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
fr_init

# Without the ttl module TTLs cannot be queried: snapshots leave them out.
have_ttl=0
snapflags=(--no-ttl)
if [ -f "$build/modules/ttl/ttl.so" ]; then
    have_ttl=1
    snapflags=()
fi

# ---------------------------------------------------------------- servers

# new_dir NAME: a fresh scratch directory, printed.
new_dir() {
    local d=$FR_TMP/$1
    rm -rf "$d" && mkdir -p "$d" && echo "$d"
}

# fr_conf DIR [MODE] [LINE...]: write DIR/fr.conf for keys + strings (+ttl)
# + rdb.
fr_conf() {
    local dir=$1 mode=${2:-strict}
    shift 2 2>/dev/null || shift $#
    {
        echo "module keys"
        echo "module strings"
        [ "$have_ttl" = 1 ] && echo "module ttl"
        echo "module rdb $mode"
        echo "dir $dir"
        echo "save \"\""
        printf '%s\n' "$@"
    } >"$dir/fr.conf"
}

# start_fr DIR: start FrankenRedis with DIR/fr.conf; sets PORT and PID.
# A port taken by someone else between probe and bind is retried.
start_fr() {
    local try
    for try in 1 2 3; do
        PORT=$(fr_free_port) || return 1
        if fr_start_server "$server $1/fr.conf" "$PORT" "$1/fr.log"; then
            PID=$FR_SERVER_PID
            return 0
        fi
        grep -q "Address already in use" "$1/fr.log" || return 1
    done
    return 1
}

# start_redis DIR DBFILENAME [ARG...]: the reference server on DIR/DBFILENAME.
start_redis() {
    local try
    for try in 1 2 3; do
        start_redis_once "$@" && return 0
        grep -q "Address already in use" "$1/redis.log" || return 1
    done
    return 1
}

start_redis_once() {
    local dir=$1 file=$2
    shift 2
    PORT=$(fr_free_port) || return 1
    redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$dir" --dbfilename "$file" --enable-debug-command yes "$@" \
        >"$dir/redis.log" 2>&1 </dev/null &
    PID=$!
    FR_STARTED_PIDS="$FR_STARTED_PIDS $PID"
    fr_wait_pong "$PID" "$PORT"
}

stop() { fr_stop_server "$1" >/dev/null; }

# refuse_start NAME DIR TEXT...: FrankenRedis on DIR/fr.conf must exit
# non-zero within 10 s and log every TEXT.
refuse_start() {
    local name=$1 dir=$2 rc t try
    shift 2
    for try in 1 2 3; do  # another test may take the port meanwhile
        timeout 10 "$server" "$dir/fr.conf" --port "$(fr_free_port)" >"$dir/refuse.log" 2>&1
        rc=$?
        grep -q "Address already in use" "$dir/refuse.log" || break
    done
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
        fr_fail "$name" "exit status $rc, expected a refusal"
        return
    fi
    for t in "$@"; do
        if ! grep -qF -- "$t" "$dir/refuse.log"; then
            fr_fail "$name" "log lacks '$t': $(grep -F 'Fatal' "$dir/refuse.log" | head -n 2)"
            return
        fi
    done
    fr_pass "$name"
}

# same_snapshot NAME PORT_A PORT_B: identical data, encodings and TTLs.
same_snapshot() {
    local a b
    a=$(tool snapshot "$2" "${snapflags[@]}")
    b=$(tool snapshot "$3" "${snapflags[@]}")
    if [ -z "$a" ]; then
        fr_fail "$1" "empty dataset"
    elif [ "$a" = "$b" ]; then
        fr_pass "$1"
    else
        fr_fail "$1" "datasets differ"
        diff <(echo "$a") <(echo "$b") | head -n 10 | sed 's/^/    /'
    fi
}

info_field() { redis-cli -p "$1" INFO persistence | tr -d '\r' | sed -n "s/^$2://p"; }

# wait_bgsave PORT: until no background save runs (10 s at most).
wait_bgsave() {
    local _
    for _ in $(seq 1 200); do
        [ "$(info_field "$1" rdb_bgsave_in_progress)" = 0 ] && return 0
        sleep 0.05
    done
    return 1
}

# feed PORT FILE: run the commands of FILE (redis-cli syntax) on PORT,
# leaving out what FrankenRedis does not have (DEBUG) and comments.
feed() { grep -v -e '^#' -e '^DEBUG' "$2" | redis-cli -p "$1" >/dev/null; }

# ----------------------------------------------------- fixtures from Redis

test_fixture_strings() {
    local d rp fp
    d=$(new_dir fixture-strings)
    cp "$fixtures/strings.rdb" "$d/"
    fr_conf "$d" strict "dbfilename strings.rdb"
    start_fr "$d" || { fr_fail fixture-strings/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    start_redis "$d" strings.rdb || { fr_fail fixture-strings/redis "no reference server"; return; }
    rp=$PORT
    same_snapshot fixture-strings/identical "$fp" "$rp"
    fr_check_eq fixture-strings/keys-loaded 54 "$(info_field "$fp" rdb_last_load_keys_loaded)"
    fr_check_eq fixture-strings/keys-expired 1 "$(info_field "$fp" rdb_last_load_keys_expired)"
    if [ "$(tool dumps "$fp")" = "$(tool dumps "$rp")" ]; then
        fr_pass fixture-strings/dump-payloads-identical
    else
        fr_fail fixture-strings/dump-payloads-identical "DUMP replies differ"
    fi
}

test_fixture_nocompress() {
    local d
    d=$(new_dir fixture-nocompress)
    cp "$fixtures/nocompress.rdb" "$d/"
    fr_conf "$d" strict "dbfilename nocompress.rdb"
    start_fr "$d" || { fr_fail fixture-nocompress/start "$(tail -n 3 "$d/fr.log")"; return; }
    local fp=$PORT
    start_redis "$d" nocompress.rdb && same_snapshot fixture-nocompress/identical "$fp" "$PORT"
    if grep -qF "RDB file was saved with checksum disabled: no check performed." "$d/fr.log"; then
        fr_pass fixture-nocompress/checksum-0-warned
    else
        fr_fail fixture-nocompress/checksum-0-warned "no warning in the log"
    fi
    # Hardened mode requires the checksum.
    fr_conf "$d" hardened "dbfilename nocompress.rdb"
    refuse_start fixture-nocompress/hardened-refuses "$d" "hardened mode requires a checksum"
}

test_fixture_refusals() {
    local d
    d=$(new_dir fixture-refusals)
    cp "$fixtures/list.rdb" "$fixtures/function.rdb" "$d/"
    fr_conf "$d" strict "dbfilename list.rdb"
    refuse_start fixture-list/refused "$d" \
        "key 'mylist': RDB type 18 (quicklist v2) is not handled by any loaded module" \
        "providing the 'list' type" "(offset " ", db 0, key 'mylist')"
    fr_conf "$d" strict "dbfilename function.rdb"
    refuse_start fixture-function/refused "$d" "function library (opcode 245)"
}

# --------------------------------------------------------- live interop

# Redis writes a file with SAVE after strings of every encoding; we load it.
test_redis_to_fr() {
    local d rp
    d=$(new_dir redis-to-fr)
    start_redis "$d" dump.rdb || { fr_fail redis-to-fr/start "no reference server"; return; }
    rp=$PORT
    grep -v '^#' "$fixtures/strings.cmds" | redis-cli -p "$rp" >/dev/null
    sleep 0.05
    fr_check_eq redis-to-fr/redis-save OK "$(redis-cli -p "$rp" SAVE)"
    # Encodings after a load can differ from live ones (APPEND's raw "123"
    # loads as int), so the reference reloads its own file too.
    redis-cli -p "$rp" DEBUG RELOAD >/dev/null
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail redis-to-fr/start "$(tail -n 3 "$d/fr.log")"; return; }
    same_snapshot redis-to-fr/identical "$PORT" "$rp"
}

# We write a file with SAVE; redis-check-rdb accepts it and Redis loads it.
test_fr_to_redis() {
    local d fp out
    d=$(new_dir fr-to-redis)
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail fr-to-redis/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    feed "$fp" "$fixtures/strings.cmds"
    fr_check_eq fr-to-redis/save OK "$(redis-cli -p "$fp" SAVE)"
    out=$(redis-check-rdb "$d/dump.rdb" 2>&1)
    case $out in
    *'\o/ RDB looks OK! \o/'*) fr_pass fr-to-redis/redis-check-rdb ;;
    *) fr_fail fr-to-redis/redis-check-rdb "$(echo "$out" | tail -n 3)" ;;
    esac
    # Both sides loaded from our file: FrankenRedis restarted, Redis started.
    stop "$PID"
    start_fr "$d" || { fr_fail fr-to-redis/reload "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    start_redis "$d" dump.rdb || { fr_fail fr-to-redis/redis-loads "$(tail -n 3 "$d/redis.log")"; return; }
    same_snapshot fr-to-redis/identical "$fp" "$PORT"
    # The same for a file written with rdbcompression and rdbchecksum off
    # (rdbchecksum is immutable, as in Redis: set at start-up).
    stop "$PID"
    fr_conf "$d" strict "rdbcompression no" "rdbchecksum no"
    start_fr "$d" || { fr_fail fr-to-redis/restart-nochecksum "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    redis-cli -p "$fp" SAVE >/dev/null
    if [ "$(tail -c 8 "$d/dump.rdb" | od -An -tx1 | tr -d ' \n')" = 0000000000000000 ]; then
        fr_pass fr-to-redis/checksum-off-writes-0
    else
        fr_fail fr-to-redis/checksum-off-writes-0 "trailer is not zero"
    fi
    out=$(redis-check-rdb "$d/dump.rdb" 2>&1)
    case $out in
    *'\o/ RDB looks OK! \o/'*) fr_pass fr-to-redis/redis-check-rdb-uncompressed ;;
    *) fr_fail fr-to-redis/redis-check-rdb-uncompressed "$(echo "$out" | tail -n 3)" ;;
    esac
}

# DUMP payloads restored across, both ways, give the same datasets.
test_restore_across() {
    local d rp fp n
    d=$(new_dir restore-across)
    cp "$fixtures/strings.rdb" "$d/"
    start_redis "$d" strings.rdb || { fr_fail restore-across/start "no reference server"; return; }
    rp=$PORT
    fr_conf "$d" strict "dbfilename none.rdb"
    start_fr "$d" || { fr_fail restore-across/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    if [ "$have_ttl" = 0 ]; then
        echo "SKIP restore-across: needs the ttl module for TTLs"
        return
    fi
    n=$(tool copy "$rp" "$fp")
    fr_check_eq restore-across/redis-to-fr-count 54 "$n"
    same_snapshot restore-across/redis-to-fr "$fp" "$rp"
    redis-cli -p "$rp" FLUSHALL >/dev/null
    n=$(tool copy "$fp" "$rp")
    fr_check_eq restore-across/fr-to-redis-count 54 "$n"
    same_snapshot restore-across/fr-to-redis "$fp" "$rp"
}

# RESTORE and DUMP replies, errors included, compared with Redis's.
test_restore_replies() {
    local d rp fp good bad longer i
    d=$(new_dir restore-replies)
    start_redis "$d" dump.rdb || { fr_fail restore-replies/start "no reference server"; return; }
    rp=$PORT
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail restore-replies/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    good=$(tool payload 00c001)
    bad=$(tool payload 00c4)
    longer=$(tool payload 00c00100)
    local -a calls=(
        "DUMP nokey"
        "SET k v"
        "DUMP k"
        "RESTORE k 0 $good"
        "RESTORE k2 0 $good"
        "GET k2"
        "RESTORE k 0 $good REPLACE"
        "GET k"
        "RESTORE k3 -1 $good"
        "RESTORE k3 abc $good"
        "RESTORE k3 0 xyz"
        "RESTORE k3 0 $bad"
        "RESTORE k3 0 $longer"
        "RESTORE k3 0 $good FOO"
        "RESTORE k3 0 $good IDLETIME -1"
        "RESTORE k3 0 $good FREQ 256"
        "RESTORE k3 0 $good IDLETIME 10 FREQ 5"
        "RESTORE k4 0 $good IDLETIME 10"
        "RESTORE k5 0 $good FREQ 5"
        "RESTORE k6 0 $good ABSTTL"
        "SET big 12345678901"
        "DUMP big"
        "APPEND big 2"
        "DUMP big"
    )
    if [ "$have_ttl" = 1 ]; then
        calls+=("RESTORE t 100000 $good" "PTTL t" "RESTORE t2 4102444800123 $good ABSTTL"
            "PEXPIRETIME t2" "RESTORE k 1 $good REPLACE ABSTTL" "EXISTS k")
    fi
    local -a want got
    printf '%s\n' "${calls[@]}" >"$d/calls"
    mapfile -t want < <(tool calls "$rp" 0 <"$d/calls")
    mapfile -t got < <(tool calls "$fp" 0 <"$d/calls")
    if [ "${#want[@]}" -ne "${#calls[@]}" ] || [ "${#got[@]}" -ne "${#calls[@]}" ]; then
        fr_fail restore-replies/harness "${#calls[@]} calls, ${#want[@]} and ${#got[@]} replies"
        return
    fi
    for i in "${!calls[@]}"; do
        # PTTL counts down: both in the last 10 s of the 100 s is a match.
        if [ "${calls[$i]}" = "PTTL t" ] && [ "${want[$i]:-0}" -gt 90000 ] &&
            [ "${got[$i]:-0}" -gt 90000 ]; then
            want[$i]=${got[$i]}
        fi
        fr_check_eq "restore-replies/$i:${calls[$i]:0:24}" "${want[$i]:-}" "${got[$i]:-}"
    done
}

# ------------------------------------------------------ saving machinery

test_bgsave_under_writes() {
    local d fp bench r1 r2 ok=1 _
    d=$(new_dir bgsave)
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail bgsave/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    redis-benchmark -p "$fp" -t set -n 100000 -r 100000 -d 64 -q -P 32 >/dev/null 2>&1
    redis-benchmark -p "$fp" -t set,incr -n 200000 -r 200000 -d 64 -q -c 4 >/dev/null 2>&1 &
    bench=$!
    sleep 0.2
    # One connection, so all four run while the first child still writes.
    r1=$(printf 'BGSAVE\nBGSAVE\nSAVE\nPING\n' | redis-cli -p "$fp" | grep -v '^$')
    fr_check_eq bgsave/started-busy-serving "Background saving started
ERR Background save already in progress
ERR Background save already in progress
PONG" "$r1"
    wait_bgsave "$fp" || ok=0
    for _ in 1 2 3; do
        [ "$(redis-cli -p "$fp" BGSAVE)" = "Background saving started" ] || ok=0
        wait_bgsave "$fp" || ok=0
        [ "$(info_field "$fp" rdb_last_bgsave_status)" = ok ] || ok=0
    done
    kill "$bench" 2>/dev/null
    wait "$bench" 2>/dev/null
    if [ "$ok" = 1 ]; then fr_pass bgsave/repeated-under-writes; else fr_fail bgsave/repeated-under-writes "a save failed"; fi
    r2=$(redis-check-rdb "$d/dump.rdb" 2>&1 | grep -c 'RDB looks OK')
    fr_check_eq bgsave/file-checks 1 "$r2"
    fr_check_eq bgsave/rdb_saves 4 "$(info_field "$fp" rdb_saves)"
    case $(info_field "$fp" rdb_last_cow_size) in
    '' | *[!0-9]*) fr_fail bgsave/cow-size "not a number" ;;
    *) fr_pass bgsave/cow-size ;;
    esac
    ls "$d"/temp-*.rdb >/dev/null 2>&1 && fr_fail bgsave/no-temp-left "temp file left" || fr_pass bgsave/no-temp-left
    # After a final SAVE the file holds exactly what the server holds.
    redis-cli -p "$fp" SAVE >/dev/null
    fr_check_eq bgsave/changes-reset 0 "$(info_field "$fp" rdb_changes_since_last_save)"
    local keys
    keys=$(redis-cli -p "$fp" DBSIZE)
    stop "$PID"
    start_fr "$d" || { fr_fail bgsave/restart "$(tail -n 3 "$d/fr.log")"; return; }
    fr_check_eq bgsave/restart-dbsize "$keys" "$(redis-cli -p "$PORT" DBSIZE)"
}

test_info_and_lastsave() {
    local d fp t0 t1
    d=$(new_dir info)
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail info/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    t0=$(redis-cli -p "$fp" LASTSAVE)
    redis-cli -p "$fp" SET a 1 >/dev/null
    fr_check_eq info/changes-counted 1 "$(info_field "$fp" rdb_changes_since_last_save)"
    fr_check_eq info/last-bgsave-time-never -1 "$(info_field "$fp" rdb_last_bgsave_time_sec)"
    sleep 1.1
    redis-cli -p "$fp" SAVE >/dev/null
    t1=$(redis-cli -p "$fp" LASTSAVE)
    [ "$t1" -gt "$t0" ] && fr_pass info/lastsave-advances || fr_fail info/lastsave-advances "$t0 -> $t1"
    fr_check_eq info/last-save-time "$t1" "$(info_field "$fp" rdb_last_save_time)"
    fr_check_eq info/saves 1 "$(info_field "$fp" rdb_saves)"
    fr_check_eq info/bgsave-in-progress 0 "$(info_field "$fp" rdb_bgsave_in_progress)"
    fr_check_eq info/current-bgsave-time -1 "$(info_field "$fp" rdb_current_bgsave_time_sec)"
    redis-cli -p "$fp" BGSAVE >/dev/null
    wait_bgsave "$fp"
    case $(info_field "$fp" rdb_last_bgsave_time_sec) in
    0 | 1) fr_pass info/last-bgsave-time ;;
    *) fr_fail info/last-bgsave-time "$(info_field "$fp" rdb_last_bgsave_time_sec)" ;;
    esac
    fr_check_eq info/bgsave-status ok "$(info_field "$fp" rdb_last_bgsave_status)"
    fr_check_eq info/bgsave-syntax "ERR syntax error" "$(redis-cli -p "$fp" BGSAVE now)"
}

test_save_points() {
    local d fp _
    d=$(new_dir savepoints)
    fr_conf "$d" strict "save 1 1"
    start_fr "$d" || { fr_fail savepoints/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    redis-cli -p "$fp" SET a 1 >/dev/null
    for _ in $(seq 1 60); do
        [ -f "$d/dump.rdb" ] && [ "$(info_field "$fp" rdb_bgsave_in_progress)" = 0 ] && break
        sleep 0.1
    done
    if grep -qF "1 changes in 1 seconds. Saving..." "$d/fr.log" && [ -f "$d/dump.rdb" ]; then
        fr_pass savepoints/triggered
    else
        fr_fail savepoints/triggered "no save after 6 s"
    fi
    fr_check_eq savepoints/changes-forgotten 0 "$(info_field "$fp" rdb_changes_since_last_save)"
    # SIGTERM with save points set: the final snapshot keeps the new key.
    redis-cli -p "$fp" SET b 2 >/dev/null
    stop "$PID"
    grep -qF "Saving the final RDB snapshot before exiting." "$d/fr.log" &&
        fr_pass savepoints/sigterm-saves || fr_fail savepoints/sigterm-saves "no final save"
    start_fr "$d" || { fr_fail savepoints/restart "$(tail -n 3 "$d/fr.log")"; return; }
    fr_check_eq savepoints/sigterm-kept 2 "$(redis-cli -p "$PORT" GET b)"
    # SHUTDOWN NOSAVE: the change is lost on purpose.
    redis-cli -p "$PORT" SET c 3 >/dev/null
    redis-cli -p "$PORT" SHUTDOWN NOSAVE >/dev/null 2>&1
    wait "$PID" 2>/dev/null
    start_fr "$d" || { fr_fail savepoints/restart2 "$(tail -n 3 "$d/fr.log")"; return; }
    fr_check_eq savepoints/nosave-dropped 0 "$(redis-cli -p "$PORT" EXISTS c)"
}

test_shutdown_save() {
    local d
    d=$(new_dir shutdown)
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail shutdown/start "$(tail -n 3 "$d/fr.log")"; return; }
    redis-cli -p "$PORT" SET kept yes >/dev/null
    redis-cli -p "$PORT" -n 15 SET kept15 "in db 15" >/dev/null
    redis-cli -p "$PORT" SHUTDOWN SAVE >/dev/null 2>&1
    wait "$PID" 2>/dev/null
    [ -f "$d/dump.rdb" ] && fr_pass shutdown/save-wrote || fr_fail shutdown/save-wrote "no dump.rdb"
    start_fr "$d" || { fr_fail shutdown/restart "$(tail -n 3 "$d/fr.log")"; return; }
    fr_check_eq shutdown/restart-keeps yes "$(redis-cli -p "$PORT" GET kept)"
    fr_check_eq shutdown/restart-keeps-db15 "in db 15" "$(redis-cli -p "$PORT" -n 15 GET kept15)"
    stop "$PID"
    # Redis's default save points (several of them) also save on SIGTERM.
    rm -f "$d/dump.rdb"
    fr_conf "$d" strict "save 3600 1 300 100 60 10000"
    start_fr "$d" || { fr_fail shutdown/start-default-points "$(tail -n 3 "$d/fr.log")"; return; }
    redis-cli -p "$PORT" SET k v >/dev/null
    stop "$PID"
    [ -f "$d/dump.rdb" ] && fr_pass shutdown/sigterm-default-points ||
        fr_fail shutdown/sigterm-default-points "no dump.rdb"
}

# FLUSHALL with save points set writes the (empty) snapshot at once, as
# Redis's flushAllDataAndResetRDB does; with bad arguments it does nothing.
test_flushall() {
    local d fp rp
    d=$(new_dir flushall)
    fr_conf "$d" strict "save 3600 1"
    start_fr "$d" || { fr_fail flushall/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    mkdir -p "$d/ref"
    start_redis "$d/ref" dump.rdb --save "3600 1" || { fr_fail flushall/redis "no reference server"; return; }
    rp=$PORT
    for p in "$fp" "$rp"; do
        redis-cli -p "$p" SET a 1 >/dev/null
        redis-cli -p "$p" FLUSHALL BADARG >/dev/null
    done
    fr_check_eq flushall/bad-args-no-save "$([ -f "$d/ref/dump.rdb" ] && echo yes || echo no)" \
        "$([ -f "$d/dump.rdb" ] && echo yes || echo no)"
    for p in "$fp" "$rp"; do redis-cli -p "$p" FLUSHALL >/dev/null; done
    fr_check_eq flushall/saved "$([ -f "$d/ref/dump.rdb" ] && echo yes)" "$([ -f "$d/dump.rdb" ] && echo yes)"
    fr_check_eq flushall/changes "$(info_field "$rp" rdb_changes_since_last_save)" \
        "$(info_field "$fp" rdb_changes_since_last_save)"
    fr_check_eq flushall/empty-file "$(redis-check-rdb "$d/ref/dump.rdb" | grep 'keys read')" \
        "$(redis-check-rdb "$d/dump.rdb" | grep 'keys read')"
    redis-cli -p "$fp" SHUTDOWN NOSAVE >/dev/null 2>&1
}

# Without save points, flushes count the keys they removed as changes (none
# for an empty keyspace) at the moment they run, as Redis's emptyData does.
test_flush_changes() {
    local d fp rp p
    d=$(new_dir flushchanges)
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail flushchanges/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    mkdir -p "$d/ref"
    start_redis "$d/ref" dump.rdb || { fr_fail flushchanges/redis "no reference server"; return; }
    rp=$PORT
    for p in "$fp" "$rp"; do redis-cli -p "$p" FLUSHALL >/dev/null; done
    fr_check_eq flushchanges/flushall-empty 0 "$(info_field "$fp" rdb_changes_since_last_save)"
    fr_check_eq flushchanges/flushall-empty-ref 0 "$(info_field "$rp" rdb_changes_since_last_save)"
    for p in "$fp" "$rp"; do
        redis-cli -p "$p" MSET a 1 b 2 c 3 >/dev/null
        redis-cli -p "$p" FLUSHDB >/dev/null
    done
    # MSET counts 3, FLUSHDB the 3 keys it removed.
    fr_check_eq flushchanges/flushdb 6 "$(info_field "$fp" rdb_changes_since_last_save)"
    fr_check_eq flushchanges/flushdb-ref 6 "$(info_field "$rp" rdb_changes_since_last_save)"
    redis-cli -p "$fp" SHUTDOWN NOSAVE >/dev/null 2>&1
}

# A background save that fails (file size limit) stops writes with Redis's
# MISCONF text while save points are set; lifting either condition allows
# them again.
test_misconf() {
    local d fp want _
    d=$(new_dir misconf)
    fr_conf "$d" strict "save 3600 1" "logfile /dev/null"
    PORT=$(fr_free_port)
    (ulimit -f 1 && exec "$server" "$d/fr.conf" --port "$PORT") >/dev/null 2>&1 </dev/null &
    PID=$!
    FR_STARTED_PIDS="$FR_STARTED_PIDS $PID"
    fp=$PORT
    for _ in $(seq 1 100); do [ "$(redis-cli -p "$fp" PING 2>/dev/null)" = PONG ] && break; sleep 0.05; done
    redis-cli -p "$fp" SET big "$(head -c 4000 /dev/zero | tr '\0' x)$RANDOM" >/dev/null
    redis-cli -p "$fp" CONFIG SET rdbcompression no >/dev/null
    redis-cli -p "$fp" BGSAVE >/dev/null
    wait_bgsave "$fp"
    sleep 0.3
    fr_check_eq misconf/status err "$(info_field "$fp" rdb_last_bgsave_status)"
    want="MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
    fr_check_eq misconf/write-refused "$want" "$(redis-cli -p "$fp" SET x 1)"
    fr_check_eq misconf/ping-refused "$want" "$(redis-cli -p "$fp" PING)"
    fr_check_eq misconf/read-allowed 1 "$(redis-cli -p "$fp" EXISTS big)"
    redis-cli -p "$fp" CONFIG SET stop-writes-on-bgsave-error no >/dev/null
    sleep 0.3
    fr_check_eq misconf/lifted-by-config OK "$(redis-cli -p "$fp" SET x 1)"
    redis-cli -p "$fp" SHUTDOWN NOSAVE >/dev/null 2>&1
    wait "$PID" 2>/dev/null
}

# ------------------------------------------------------ broken files

test_broken_files() {
    local d size
    d=$(new_dir broken)
    cp "$fixtures/strings.rdb" "$d/good.rdb"
    size=$(stat -c %s "$d/good.rdb")
    head -c $((size - 5)) "$d/good.rdb" >"$d/short.rdb"
    head -c $((size / 2)) "$d/good.rdb" >"$d/half.rdb"
    : >"$d/empty.rdb"
    cp "$d/good.rdb" "$d/flip.rdb"
    # A byte inside the value of lzf300: only the checksum can tell.
    local off
    off=$(grep -abo 'lzf300' "$d/good.rdb" | head -n 1 | cut -d: -f1)
    printf '\x01' | dd of="$d/flip.rdb" bs=1 seek=$((off + 12)) conv=notrunc 2>/dev/null
    cp "$d/good.rdb" "$d/magic.rdb"
    printf 'X' | dd of="$d/magic.rdb" bs=1 seek=0 conv=notrunc 2>/dev/null
    cp "$d/good.rdb" "$d/type.rdb"
    off=$(grep -abo 'int:0' "$d/good.rdb" | head -n 1 | cut -d: -f1)
    printf '\x08' | dd of="$d/type.rdb" bs=1 seek=$((off - 2)) conv=notrunc 2>/dev/null

    fr_conf "$d" strict "dbfilename short.rdb"
    refuse_start broken/truncated-tail "$d" "Unexpected EOF reading RDB file" "(offset "
    fr_conf "$d" strict "dbfilename half.rdb"
    refuse_start broken/truncated-half "$d" "Unexpected EOF reading RDB file" "(offset "
    fr_conf "$d" strict "dbfilename empty.rdb"
    refuse_start broken/empty "$d" "Unexpected EOF reading RDB file" "(offset 0)"
    fr_conf "$d" strict "dbfilename flip.rdb"
    refuse_start broken/flipped-byte "$d" "Wrong RDB checksum" "(offset $((size - 8)))"
    fr_conf "$d" strict "dbfilename magic.rdb"
    refuse_start broken/bad-magic "$d" "Wrong signature trying to load DB from file"
    fr_conf "$d" strict "dbfilename type.rdb"
    refuse_start broken/bad-type "$d" "Unknown RDB opcode or value type 8" "offset $((off - 1))"
    # No partial dataset: the refusal happens before any client is served.
    if grep -q "Ready to accept connections" "$d/refuse.log"; then
        fr_fail broken/never-serves "served after a load failure"
    else
        fr_pass broken/never-serves
    fi
}

# Hardened RESTORE wants the value to fill the payload exactly.
test_hardened_restore() {
    local d longer
    d=$(new_dir hardened)
    fr_conf "$d" hardened
    start_fr "$d" || { fr_fail hardened/start "$(tail -n 3 "$d/fr.log")"; return; }
    longer=$(tool payload 00c00100)
    fr_check_eq hardened/trailing-bytes "(error) ERR Bad data format" "$(tool call "$PORT" 0 RESTORE k 0 "$longer")"
    fr_check_eq hardened/exact-ok "'OK'" "$(tool call "$PORT" 0 RESTORE k 0 "$(tool payload 00c001)")"
}

# ------------------------------------------------ background saves that die

# bgsave_data FILE: 12 SETs of 4 MiB of random bytes as RESP, for
# redis-cli --pipe.  Saving them (LZF tried and given up on every value)
# takes a few hundred ms, so a kill right after BGSAVE lands mid-save.
bgsave_data() {
    local i n=$((4 << 20))
    for i in $(seq 0 11); do
        # shellcheck disable=SC2016 # RESP bulk lengths: a literal '$'
        printf '*3\r\n$3\r\nSET\r\n$%d\r\nrand:%d\r\n$%d\r\n' $((5 + ${#i})) "$i" "$n"
        head -c "$n" /dev/urandom
        printf '\r\n'
    done >"$1"
}

# kill_bgsave PORT SERVER_PID DIR: BGSAVE, then SIGKILL the child once its
# temp file exists; prints the child's pid.  Fails when there was no child
# or no temp file to see (the save ended first): nothing was tested then.
kill_bgsave() {
    local child="" _
    [ "$(redis-cli -p "$1" BGSAVE)" = "Background saving started" ] || return 1
    for _ in $(seq 1 50); do
        child=$(pgrep -P "$2" | head -n 1)
        [ -n "$child" ] && [ -e "$3/temp-$child.rdb" ] && break
        child=""
        sleep 0.01
    done
    [ -n "$child" ] || return 1
    kill -KILL "$child"
    echo "$child"
}

# outcome LOG: the last "Background saving ..." line, without its prefix.
outcome() { grep -o 'Background saving [a-z].*' "$1" | tail -n 1; }

# A BGSAVE child killed by SIGKILL: both servers log the signal, remove the
# child's temp file and show the same INFO persistence fields; the next
# BGSAVE succeeds.  (The event loop reaps our children, so the status is
# known from the child's report, or from its absence.)
test_bgsave_killed() {
    local d fp rp side port pid dir log child f lastsave
    d=$(new_dir killed)
    mkdir -p "$d/ref"
    bgsave_data "$d/data.resp"
    fr_conf "$d" strict
    start_fr "$d" || { fr_fail killed/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    local fpid=$PID
    start_redis "$d/ref" dump.rdb || { fr_fail killed/redis "no reference server"; return; }
    rp=$PORT
    local rpid=$PID
    for port in "$fp" "$rp"; do redis-cli -p "$port" --pipe <"$d/data.resp" >/dev/null; done
    # (no module here listens to propagation, so SET takes its 4 MiB
    # arguments without copying them: nothing may read them afterwards)
    fr_check_eq killed/fr-stored-big-values 12 "$(redis-cli -p "$fp" DBSIZE)"
    lastsave=$(info_field "$fp" rdb_last_save_time)
    for side in fr ref; do
        if [ "$side" = fr ]; then port=$fp pid=$fpid dir=$d log=$d/fr.log
        else port=$rp pid=$rpid dir=$d/ref log=$d/ref/redis.log; fi
        child=$(kill_bgsave "$port" "$pid" "$dir") ||
            { fr_fail "killed/$side-harness" "no running child with a temp file to kill"; return; }
        wait_bgsave "$port" || { fr_fail "killed/$side-reaped" "still in progress"; return; }
        if [ -e "$dir/temp-$child.rdb" ]; then
            fr_fail "killed/$side-temp-removed" "temp-$child.rdb left in dir"
        else
            fr_pass "killed/$side-temp-removed"
        fi
        fr_check_eq "killed/$side-logged" "Background saving terminated by signal 9" "$(outcome "$log")"
    done
    local finfo rinfo
    finfo=$(redis-cli -p "$fp" INFO persistence | tr -d '\r')
    rinfo=$(redis-cli -p "$rp" INFO persistence | tr -d '\r')
    for f in rdb_bgsave_in_progress rdb_last_bgsave_status rdb_saves \
        rdb_changes_since_last_save rdb_last_cow_size rdb_current_bgsave_time_sec; do
        fr_check_eq "killed/info-$f" "$(sed -n "s/^$f://p" <<<"$rinfo")" "$(sed -n "s/^$f://p" <<<"$finfo")"
    done
    # Seconds from fork to reaping: 0, or 1 across a second boundary.
    f=$(sed -n "s/^rdb_last_bgsave_time_sec://p" <<<"$finfo")
    case $f in
    0 | 1) fr_pass killed/info-rdb_last_bgsave_time_sec ;;
    *) fr_fail killed/info-rdb_last_bgsave_time_sec "$f" ;;
    esac
    fr_check_eq killed/lastsave-kept "$lastsave" "$(sed -n "s/^rdb_last_save_time://p" <<<"$finfo")"
    redis-cli -p "$fp" BGSAVE >/dev/null
    wait_bgsave "$fp"
    fr_check_eq killed/next-bgsave-ok ok "$(info_field "$fp" rdb_last_bgsave_status)"
    stop "$fpid"
    stop "$rpid"
}

# start_fsize_limited LOG IGNORE CMD...: CMD --port P under `ulimit -f 1`,
# with SIGXFSZ ignored when IGNORE is 1 (an ignored signal stays ignored
# across exec).  Output goes through a pipe, which the limit does not
# cover, into LOG.  Sets PORT and PID.
start_fsize_limited() {
    local log=$1 ign=$2
    shift 2
    PORT=$(fr_free_port) || return 1
    (
        [ "$ign" = 1 ] && trap '' XFSZ
        ulimit -f 1 && exec "$@" --port "$PORT"
    ) > >(cat >"$log") 2>&1 </dev/null &
    PID=$!
    FR_STARTED_PIDS="$FR_STARTED_PIDS $PID"
    fr_wait_pong "$PID" "$PORT"
}

# A child that cannot write past 1 KiB: with SIGXFSZ at its default it is
# killed by it (signal 25), with SIGXFSZ ignored its write fails and it
# exits with an error.  Either way no temp file survives, and the outcome
# line and status are Redis's.
test_bgsave_fsize() {
    local d ign name side port big
    big="$(head -c 4000 /dev/zero | tr '\0' x)"
    for ign in 0 1; do
        name=$([ "$ign" = 1 ] && echo error-exit || echo signal)
        d=$(new_dir "fsize-$name")
        mkdir -p "$d/ref"
        fr_conf "$d" strict "rdbcompression no"
        start_fsize_limited "$d/fr.log" "$ign" "$server" "$d/fr.conf" ||
            { fr_fail "fsize-$name/start" "$(tail -n 3 "$d/fr.log")"; continue; }
        local fp=$PORT fpid=$PID
        start_fsize_limited "$d/ref/redis.log" "$ign" redis-server --bind 127.0.0.1 \
            --save "" --appendonly no --dir "$d/ref" --rdbcompression no ||
            { fr_fail "fsize-$name/redis" "no reference server"; stop "$fpid"; continue; }
        local rp=$PORT rpid=$PID
        for port in "$fp" "$rp"; do
            redis-cli -p "$port" SET big "$big" >/dev/null
            redis-cli -p "$port" BGSAVE >/dev/null
        done
        wait_bgsave "$fp"
        wait_bgsave "$rp"
        for side in fr ref; do
            local dir=$d
            [ "$side" = ref ] && dir=$d/ref
            if ls "$dir"/temp-*.rdb >/dev/null 2>&1; then
                fr_fail "fsize-$name/$side-no-temp" "$(cd "$dir" && ls temp-*.rdb) left"
            else
                fr_pass "fsize-$name/$side-no-temp"
            fi
        done
        fr_check_eq "fsize-$name/outcome" "$(outcome "$d/ref/redis.log")" "$(outcome "$d/fr.log")"
        fr_check_eq "fsize-$name/status" err "$(info_field "$fp" rdb_last_bgsave_status)"
        stop "$fpid"
        stop "$rpid"
    done
}

# ------------------------------------------------ LZF strings claiming 0 bytes

# lzf_empty_data FILE HEX...: write FILE, an RDB v10 file with key "empty"
# stored as an LZF string of compressed length 0 and length 0, then "next"
# = "v"; print a DUMP payload for each HEX (as `tool payload` does).  One
# Python process: starting it is the slow part.
lzf_empty_data() {
    python3 - "$src/tests/integration" "$@" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from rdb_tool import crc64, payload
body = (b"REDIS0010" + bytes([0xFE, 0, 0xFB, 2, 0])
        + bytes([0, 5]) + b"empty" + bytes([0xC3, 0, 0])
        + bytes([0, 4]) + b"next" + bytes([1]) + b"v" + bytes([0xFF]))
open(sys.argv[2], "wb").write(body + crc64(body).to_bytes(8, "little"))
for h in sys.argv[3:]:
    payload(h)
EOF
}

rdb_divergences() {
    redis-cli -p "$1" INFO modules | tr -d '\r' |
        sed -n 's/^module:name=rdb,.*divergences=\([0-9]*\).*/\1/p'
}

# Redis's rdbLoadLzfStringObject accepts any LZF record that claims 0 bytes
# (the decompressor's 0 means both "nothing" and "error") and makes an empty
# string.  Strict: the same replies and values as Redis, from RESTORE and
# from a file.  Hardened: refused, counted as divergences, and a file with
# one refuses start-up naming the key.
test_lzf_empty() {
    local d rp fp hp i
    d=$(new_dir lzf-empty)
    # clen 0 len 0; clen 2 (garbage) len 0; clen 0 len 1 (an error in both);
    # then a valid integer string.
    local -a hex=(00c30000 00c302006161 00c3000100 00c001) pl want got
    local -a calls=("DBSIZE" "GET empty" "OBJECT ENCODING empty" "GET next")
    mapfile -t pl < <(lzf_empty_data "$d/lzf0.rdb" "${hex[@]}")
    start_redis "$d" lzf0.rdb || { fr_fail lzf-empty/redis "$(tail -n 3 "$d/redis.log")"; return; }
    rp=$PORT
    local rpid=$PID
    fr_conf "$d" strict "dbfilename lzf0.rdb"
    start_fr "$d" || { fr_fail lzf-empty/start "$(tail -n 3 "$d/fr.log")"; return; }
    fp=$PORT
    # The file as loaded (the first calls), then RESTOREs of each payload.
    for i in 0 1 2; do
        calls+=("RESTORE r${hex[$i]} 0 ${pl[$i]}" "GET r${hex[$i]}" "OBJECT ENCODING r${hex[$i]}")
    done
    printf '%s\n' "${calls[@]}" >"$d/calls"
    mapfile -t want < <(tool calls "$rp" 0 <"$d/calls")
    mapfile -t got < <(tool calls "$fp" 0 <"$d/calls")
    for i in "${!calls[@]}"; do
        fr_check_eq "lzf-empty/strict-$i:${calls[$i]:0:22}" "${want[$i]:-}" "${got[$i]:-}"
    done
    stop "$PID"
    stop "$rpid"
    # Hardened: RESTORE refuses both and counts them; a valid payload passes.
    mkdir -p "$d/hard"
    fr_conf "$d/hard" hardened
    start_fr "$d/hard" || { fr_fail lzf-empty/hard-start "$(tail -n 3 "$d/hard/fr.log")"; return; }
    hp=$PORT
    printf 'RESTORE k 0 %s\n' "${pl[0]}" "${pl[1]}" "${pl[3]}" >"$d/hard/calls"
    mapfile -t got < <(tool calls "$hp" 0 <"$d/hard/calls")
    fr_check_eq lzf-empty/hardened-refuses-clen0 "(error) ERR Bad data format" "${got[0]:-}"
    fr_check_eq lzf-empty/hardened-refuses-clen2 "(error) ERR Bad data format" "${got[1]:-}"
    fr_check_eq lzf-empty/hardened-others-ok "'OK'" "${got[2]:-}"
    fr_check_eq lzf-empty/hardened-counted 2 "$(rdb_divergences "$hp")"
    stop "$PID"
    fr_conf "$d" hardened "dbfilename lzf0.rdb"
    refuse_start lzf-empty/hardened-file-refused "$d" \
        "LZF compressed string claims 0 bytes" "db 0, key 'empty')"
}

# The rdb module's directives beside redis-server's: save lines from the
# config add up, CONFIG SET validates and normalises as Redis does, and
# dbfilename is protected and never a path.
save_cases() {  # PORT: one line per reply
    local p=$1 v
    redis-cli -p "$p" CONFIG GET save | tail -n 1
    for v in "0 1" "100  1" "1 2 3" "1 x" "+100 4294967297 5 0"; do
        redis-cli -p "$p" CONFIG SET save "$v"
        redis-cli -p "$p" CONFIG GET save | tail -n 1
    done
    redis-cli -p "$p" CONFIG SET save ""
    redis-cli -p "$p" CONFIG GET save | tail -n 1
    redis-cli -p "$p" CONFIG SET dbfilename a/b
    redis-cli -p "$p" CONFIG SET dbfilename 'a\b'
    redis-cli -p "$p" CONFIG SET dbfilename y.rdb
    redis-cli -p "$p" CONFIG GET dbfilename | tail -n 1
}

test_save_directives() {
    local d lines=("save 900 1" "save 300 10" "enable-protected-configs yes") mine theirs i rp rpid
    d=$(new_dir savedirectives)
    fr_conf "$d" strict "${lines[@]}"
    start_fr "$d" || { fr_fail save-directives/start "$(tail -n 3 "$d/fr.log")"; return; }
    mapfile -t mine < <(save_cases "$PORT")
    stop "$PID"
    mkdir -p "$d/ref"
    printf '%s\n' "port 0" "save \"\"" "${lines[@]}" "dir $d/ref" >"$d/ref/redis.conf"
    rp=$(fr_free_port)
    redis-server "$d/ref/redis.conf" --port "$rp" --bind 127.0.0.1 --appendonly no >"$d/ref/redis.log" 2>&1 &
    rpid=$!
    FR_STARTED_PIDS="$FR_STARTED_PIDS $rpid"
    fr_wait_pong "$rpid" "$rp" || { fr_fail save-directives/redis "$(tail -n 3 "$d/ref/redis.log")"; return; }
    mapfile -t theirs < <(save_cases "$rp")
    stop "$rpid"
    fr_check_eq save-directives/count "${#theirs[@]}" "${#mine[@]}"
    for i in "${!theirs[@]}"; do
        fr_check_eq "save-directives/$i:${theirs[$i]:0:30}" "${theirs[$i]}" "${mine[$i]:-}"
    done
    fr_conf "$d" strict "save 0 1"
    refuse_start save-directives/file-refused "$d" "'save 0 1'" "Invalid save parameters"
}

# RDB_TESTS="test_x test_y" runs only those.
for t in ${RDB_TESTS:-test_fixture_strings test_fixture_nocompress test_fixture_refusals test_redis_to_fr test_fr_to_redis test_restore_across test_restore_replies test_bgsave_under_writes test_info_and_lastsave test_save_points test_shutdown_save test_flushall test_flush_changes test_misconf test_broken_files test_hardened_restore test_bgsave_killed test_bgsave_fsize test_lzf_empty test_save_directives}; do
    "$t"
done

printf 'rdb: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

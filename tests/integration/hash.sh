#!/usr/bin/env bash
# hash.sh SRCDIR BUILDDIR -- the hash module against redis-server 7.0.15
# (hash_check.py): DUMP/RESTORE both ways with byte-identical listpack
# payloads, ziplist/zipmap/plain payloads of older Redis versions, digests,
# keyspace events of every write, HRANDFIELD's randomness, a RESTORE fuzz
# of a few thousand mutated payloads (ours must never crash; a redis-server
# with sanitize-dump-payload yes decides each one too), and RDB files both
# ways: ours checked by redis-check-rdb and loaded by redis-server, Redis's
# loaded by ours, with identical data, encodings and digests.
# Prints PASS/FAIL lines and "hash: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
export FR_SERVER_PERSIST=1
fr_init
ROUNDS=${HASH_FUZZ_ROUNDS:-5000}

summary() {
    printf 'hash: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

run_check() {
    fr_relay /usr/bin/python3 "$src/tests/integration/hash_check.py" "$@"
}

ours_cmd="$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes --save ''"
ref_cmd="redis-server --enable-debug-command yes"
mkdir -p "$FR_TMP/ours"
fr_start_named ours "$ours_cmd --dir $FR_TMP/ours" || { summary; exit 1; }
fr_start_named ref "$ref_cmd" || { summary; exit 1; }
fr_start_named fuzzref "$ref_cmd --sanitize-dump-payload yes" || { summary; exit 1; }
run_check live "$PORT_ours" "$PORT_ref" "$PORT_fuzzref" "$ROUNDS"
kill -0 "$PID_ours" 2>/dev/null && fr_pass "ours/alive-after-live" || fr_fail "ours/alive-after-live" "server died"

# RDB, ours -> Redis: SAVE, redis-check-rdb, redis-server loads it.
redis-cli -p "$PORT_ours" FLUSHALL >/dev/null
python3 "$src/tests/integration/hash_check.py" populate "$PORT_ours"
redis-cli -p "$PORT_ours" SAVE >/dev/null
if redis-check-rdb "$FR_TMP/ours/dump.rdb" >"$FR_TMP/check.log" 2>&1; then
    fr_pass "rdb/ours/redis-check-rdb"
else
    fr_fail "rdb/ours/redis-check-rdb" "$(tail -3 "$FR_TMP/check.log" | tr '\n' ' ')"
fi
# lib.sh starts every redis-server with --dir $FR_TMP: its files live there.
cp "$FR_TMP/ours/dump.rdb" "$FR_TMP/dump.rdb"
if fr_start_named loadref "$ref_cmd"; then
    run_check compare "$PORT_ours" "$PORT_loadref" rdb/ours-to-redis
fi

# RDB, Redis -> ours.
redis-cli -p "$PORT_ref" FLUSHALL >/dev/null
python3 "$src/tests/integration/hash_check.py" populate "$PORT_ref"
redis-cli -p "$PORT_ref" SAVE >/dev/null
mkdir -p "$FR_TMP/load-ours"
cp "$FR_TMP/dump.rdb" "$FR_TMP/load-ours/dump.rdb"
if fr_start_named loadours "$ours_cmd --dir $FR_TMP/load-ours --dbfilename dump.rdb"; then
    run_check compare "$PORT_ref" "$PORT_loadours" rdb/redis-to-ours
    # and back: ours re-saves what it loaded, redis-check-rdb accepts it
    redis-cli -p "$PORT_loadours" SAVE >/dev/null
    if redis-check-rdb "$FR_TMP/load-ours/dump.rdb" >"$FR_TMP/check2.log" 2>&1; then
        fr_pass "rdb/resaved/redis-check-rdb"
    else
        fr_fail "rdb/resaved/redis-check-rdb" "$(tail -3 "$FR_TMP/check2.log" | tr '\n' ' ')"
    fi
fi
summary

#!/usr/bin/env bash
# evict.sh SRCDIR BUILDDIR -- maxmemory and eviction (the evict module)
# against redis-server 7.0.15 (evict_check.py): the directives' CONFIG
# GET/SET answers, -OOM refusals byte for byte, the class of keys each
# maxmemory-policy evicts, LRU/LFU keeping the keys in use, CONFIG SET
# maxmemory below usage, evicted_keys and the "evicted" keyspace event,
# OBJECT FREQ/IDLETIME, RESTORE FREQ/IDLETIME and their survival through
# DEBUG RELOAD, no eviction during CLIENT PAUSE, replicas' buffers left out
# of what maxmemory counts, and a replica ignoring maxmemory (each server
# the other's replica) unless replica-ignore-maxmemory is no.
# Prints PASS/FAIL lines and "evict: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
fr_init

summary() {
    printf 'evict: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

fr_start_named ours "$build/frankenredis-server $src/conf/frankenredis.conf --enable-debug-command yes" ||
    { summary; exit 1; }
fr_start_named ref "redis-server --enable-debug-command yes" || { summary; exit 1; }

fr_relay /usr/bin/python3 "$src/tests/integration/evict_check.py" "$PORT_ours" "$PORT_ref"
summary

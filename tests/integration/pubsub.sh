#!/usr/bin/env bash
# pubsub.sh SRCDIR BUILDDIR -- pub/sub and keyspace notifications against
# redis-server 7.0.15, byte for byte, with several connections at a time
# (pubsub_check.py): RESP2 and RESP3 subscriptions and messages, pattern
# globbing, shard channels, subscribed-mode refusals, RESET/QUIT/EXEC,
# CLIENT REPLY OFF, PUBSUB introspection, CLIENT INFO/LIST fields, INFO
# stats, the pubsub output-buffer class, and the keyspace events of every
# command family for several notify-keyspace-events class sets.
# Prints PASS/FAIL lines and "pubsub: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
fr_init

summary() {
    printf 'pubsub: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}

fr_start_named ours "$build/frankenredis-server $src/conf/frankenredis.conf" || { summary; exit 1; }
fr_start_named ref redis-server || { summary; exit 1; }

fr_relay /usr/bin/python3 "$src/tests/integration/pubsub_check.py" "$PORT_ours" "$PORT_ref"
summary

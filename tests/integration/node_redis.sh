#!/usr/bin/env bash
# node_redis.sh SRCDIR BUILDDIR -- node-redis, the Node.js client (npm
# package "redis", version pinned by tests/clients/node/package-lock.json),
# against our server and redis-server 7.0.15: node_redis_check.mjs prints
# what an application sees (replies, exceptions, pipelines, transactions,
# iterators, pub/sub) and the two transcripts must be equal line for line.
# The package is installed with `npm ci` into a cache directory keyed by the
# lock file (node and npm come from scripts/deps.sh --test), so the source
# tree stays clean and later runs need no network.
# Prints PASS/FAIL lines and "node_redis: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init

pkg=$src/tests/clients/node
key=$(sha256sum "$pkg/package-lock.json" | cut -c1-16)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/frankenredis/node-redis-$key
if [ ! -d "$dir/node_modules/redis" ]; then
    mkdir -p "$dir" && cp "$pkg/package.json" "$pkg/package-lock.json" "$dir/" &&
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >"$FR_TMP/npm.log" 2>&1) ||
        fr_fail "node_redis/npm-ci" "$(tail -5 "$FR_TMP/npm.log" 2>/dev/null | tr '\n' ' ')"
fi
if [ -d "$dir/node_modules/redis" ]; then
    cp "$pkg/node_redis_check.mjs" "$dir/"   # ESM resolves "redis" from the script's folder
    fr_compare_transcripts node_redis "node $dir/node_redis_check.mjs" 40 \
        "$build/frankenredis-server $src/conf/frankenredis.conf"
fi
printf 'node_redis: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

#!/usr/bin/env bash
# node_redis.sh SRCDIR BUILDDIR -- node-redis, the Node.js client (Debian
# 12's node-redis package, 4.5.1, installed with node by scripts/deps.sh
# --test), against our server and redis-server 7.0.15: node_redis_check.mjs
# prints what an application sees (replies, exceptions, pipelines,
# transactions, iterators, pub/sub) and the two transcripts must be equal
# line for line.  Debian installs node modules under /usr/share/nodejs,
# which a node from elsewhere (NodeSource) does not search: the checker runs
# from a scratch folder whose node_modules points there, with NODE_PATH for
# the package's own requires.
# Prints PASS/FAIL lines and "node_redis: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init

mods=/usr/share/nodejs
if [ -f "$mods/redis/package.json" ] && command -v node >/dev/null 2>&1; then
    mkdir -p "$FR_TMP/node" && ln -s "$mods" "$FR_TMP/node/node_modules"
    cp "$src/tests/clients/node/node_redis_check.mjs" "$FR_TMP/node/"
    NODE_PATH=$mods fr_compare_transcripts node_redis "node $FR_TMP/node/node_redis_check.mjs" 40 \
        "$build/frankenredis-server $src/conf/frankenredis.conf"
else
    fr_fail "node_redis/installed" "node or Debian's node-redis is missing: run scripts/deps.sh --test"
fi
printf 'node_redis: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
[ "$FR_FAILED" -eq 0 ]

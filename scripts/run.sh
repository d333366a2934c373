#!/usr/bin/env bash
# run.sh [options...] -- install what is missing, build, and run the server
# in the foreground with the default config and module set (port 6379).
# Extra arguments are passed to the server, e.g. `scripts/run.sh --port 7000`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exec ./frankenredis-server conf/frankenredis.conf "$@"

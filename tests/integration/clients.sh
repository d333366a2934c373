#!/usr/bin/env bash
# clients.sh SRCDIR BUILDDIR -- real client libraries against the server:
# redis-py (Debian's python3-redis, installed by scripts/deps.sh --test, run
# with Debian's /usr/bin/python3).
# hiredis is covered by redis-cli and redis-benchmark in run.sh.
# Prints "clients: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}  # kernel-chosen free ports
fr_init
started=0
for _ in 1 2; do  # a port taken between the probe and the bind: try another
  port=$(fr_free_port)
  if fr_start_server "$build/frankenredis-server $src/conf/frankenredis.conf" "$port" "$FR_TMP/server.log"; then
    started=1; break
  fi
done
if [[ $started != 1 ]]; then
  echo "FAIL clients/start: server did not answer; log: $(tail -5 "$FR_TMP/server.log" | tr '\n' ' ')"
  echo "clients: 0 passed, 1 failed"; exit 1
fi
/usr/bin/python3 "$src/tests/integration/redis_py_check.py" "$port"
rc=$?
fr_stop_server "$FR_SERVER_PID"
exit $rc

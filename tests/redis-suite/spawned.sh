#!/usr/bin/env bash
# tests/redis-suite/spawned.sh -- Redis 7.0.15's own test files run the way
# Redis runs them (`runtest --single FILE`, no --host): the harness starts
# its servers itself, from src/redis-server, which here is a wrapper that
# starts FrankenRedis instead.  run.sh's external mode cannot run the tests
# that start a second server (tagged external:skip: dump.tcl's MIGRATE
# tests); this mode can.  Not part of `make check`; prints one line per
# file: `spawned: FILE ok=N err=M exc=E`, then every [err]/[exception].
#
# Environment: FILES (default "unit/dump"), REDIS_SRC (an unpacked
# redis-7.0.15 tree; default /work/redis-src/redis-7.0.15), FR_BUILDDIR
# (default: the source tree), BASEPORT (runtest --baseport, default 21600),
# WORKDIR (default mktemp), TIMEOUT (seconds per file, default 600).
#
# The wrapper hands our server its default config followed by the file the
# harness wrote (later lines win), and prints the " PID: <pid>" line the
# harness waits for; exec keeps that PID for the server.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${FR_BUILDDIR:-$src}" && pwd)
FILES=${FILES:-unit/dump}
REDIS_SRC=${REDIS_SRC:-/work/redis-src/redis-7.0.15}
BASEPORT=${BASEPORT:-21600}
TIMEOUT=${TIMEOUT:-600}
WORKDIR=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/frankenredis-spawned.XXXXXX")}
[[ -x $build/frankenredis-server ]] || { echo "spawned: $build/frankenredis-server not built" >&2; exit 2; }
[[ -x $REDIS_SRC/runtest ]] || { echo "spawned: $REDIS_SRC has no runtest" >&2; exit 2; }

mkdir -p "$WORKDIR/src" && cp -r "$REDIS_SRC/runtest" "$REDIS_SRC/tests" "$WORKDIR/" || exit 2
cat >"$WORKDIR/src/redis-server" <<EOF
#!/usr/bin/env bash
[ "\${1:-}" = --version ] && exec "$build/frankenredis-server" --version
conf=\$1; shift
cat "$src/conf/frankenredis.conf" "\$conf" >"\$conf.fr"
echo " PID: \$\$"
exec "$build/frankenredis-server" "\$conf.fr" "\$@"
EOF
chmod +x "$WORKDIR/src/redis-server"

status=0
for f in $FILES; do
  log="$WORKDIR/$(echo "$f" | tr / _).log"
  (cd "$WORKDIR" && timeout "$TIMEOUT" ./runtest --single "$f" --baseport "$BASEPORT" --clients 1) >"$log" 2>&1
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  ok=$(grep -ac '^\[ok\]' <<<"$plain")
  err=$(grep -ac '^\[err\]' <<<"$plain")
  exc=$(grep -ac '^\[exception\]' <<<"$plain")
  echo "spawned: $f ok=$ok err=$err exc=$exc (log: $log)"
  grep -a '^\[err\]\|^\[exception\]' <<<"$plain" | sed 's/^/    /'
  [[ $err -eq 0 && $exc -eq 0 ]] || status=1
done
exit $status

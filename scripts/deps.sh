#!/usr/bin/env bash
# deps.sh [--test|--redis-suite] -- install what building (and, with --test,
# testing) FrankenRedis needs on Debian 12, only what is missing.
#
# With --test it also installs the test peers redis-server and redis-tools,
# tcl, which runs Redis's own test suite (`make redis-suite`), and Debian's
# node-redis with node when missing (the node-redis client check), and
# clang with its sanitizer and libFuzzer runtimes (the fuzz part; the
# machine image usually has them already).
# --redis-suite adds dpkg-dev, which `apt-get source` needs to unpack the
# Redis source package that suite comes from.
# Debian starts the packaged redis-server on 127.0.0.1:6379 when it is
# installed; the tests never use that instance, and we keep it off 6379 so a
# FrankenRedis started by `scripts/run.sh` can listen there: the service is
# prevented from starting during the install and stopped if it runs anyway.
set -euo pipefail

build_pkgs=(gcc make autoconf automake pkg-config libc6-dev libev-dev libyaml-dev check libjemalloc-dev liblzf-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev)
# tcl: the interpreter of Redis's test suite (tests/redis-suite/run.sh);
# clang and its runtimes (libFuzzer, ASan, UBSan): the suite's fuzz part
test_pkgs=(redis-server redis-tools procps iproute2 python3-redis git tcl node-redis clang libclang-rt-dev)
suite_pkgs=(dpkg-dev)

want=("${build_pkgs[@]}")
case ${1:-} in
  --test) want+=("${test_pkgs[@]}") ;;
  --redis-suite) want+=("${test_pkgs[@]}" "${suite_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node-redis (Debian's package, above) runs on node: Debian's nodejs,
# unless a node is already there (a NodeSource nodejs is a different
# package that also provides it).
if [[ ${1:-} == --test || ${1:-} == --redis-suite ]]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq

installing_redis=0
for p in "${missing[@]}"; do [[ $p == redis-server ]] && installing_redis=1; done
restore_policy=""
if [[ $installing_redis == 1 ]]; then
  # policy-rc.d exit 101 = "do not start services": keeps 6379 free.
  if [[ -e /usr/sbin/policy-rc.d ]]; then
    restore_policy=$(mktemp)
    $SUDO cp -p /usr/sbin/policy-rc.d "$restore_policy"
  fi
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
fi
rc=0
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
if [[ $installing_redis == 1 ]]; then
  if [[ -n $restore_policy ]]; then $SUDO cp -p "$restore_policy" /usr/sbin/policy-rc.d; rm -f "$restore_policy"
  else $SUDO rm -f /usr/sbin/policy-rc.d; fi
  # belt and braces: if a packaged redis runs anyway, stop it
  if command -v service >/dev/null 2>&1; then $SUDO service redis-server stop >/dev/null 2>&1 || true; fi
  pkill -x redis-server -u redis 2>/dev/null || true
fi
exit $rc

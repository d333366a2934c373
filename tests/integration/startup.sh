#!/usr/bin/env bash
# startup.sh SRCDIR BUILDDIR -- start-up refusals: the server must refuse to
# start, exit non-zero and name what failed and where, for every broken
# set-up the module registry promises to catch; and must start cleanly with
# a good one; then, beside redis-server, the `supervised` notify messages
# (supervise_check.py), syslog's ident and facility (syslog_check.py), the
# OOM killer's score (oom_score_check.py), what
# shutdown-on-sigterm/-sigint make a signal save, and the process title.
# Prints "startup: N passed, M failed".
set -u
src=${1:?srcdir} build=${2:?builddir}
server="$build/frankenredis-server"
passed=0 failed=0
tmp=$(mktemp -d /tmp/fr-startup.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# shellcheck source=lib.sh
. "$src/tests/integration/lib.sh"   # fr_free_port: kernel-chosen when fr-conform is built
export FR_CONFORM=${FR_CONFORM:-$build/tests/conformance/fr-conform}
free_port() { fr_free_port; }

# refuse NAME EXPECTED-TEXT server-args...: must exit non-zero within 10 s
# (times FR_WAIT_SCALE, lib.sh)
# and print EXPECTED-TEXT (a fixed string) on stderr.
refuse() {
  local name=$1 want=$2; shift 2
  local out rc
  out=$(timeout $((10 * ${FR_WAIT_SCALE:-1})) "$server" "$@" --port "$(free_port)" 2>&1 >/dev/null); rc=$?
  if [[ $rc -eq 0 || $rc -eq 124 ]]; then fail "$name" "exit status $rc, expected a refusal"; return; fi
  if [[ $out != *"$want"* ]]; then fail "$name" "stderr lacks '$want': $out"; return; fi
  pass "$name"
}

conf() { printf '%s\n' "$@" > "$tmp/c.conf"; echo "$tmp/c.conf"; }

# A module dir holding copies of built modules, to break them on purpose.
moddir=$tmp/modules
mkdir -p "$moddir"
copy_module() {  # NAME FROM-DIR
  mkdir -p "$moddir/$1"
  cp "$2/$1/$1.so" "$2/$1/$1.yaml" "$moddir/$1/"
}

c=$(conf "port 7000" "no-such-directive yes")
refuse unknown-directive "c.conf:2: >>> 'no-such-directive yes' Bad directive or wrong number of arguments" "$c"
c=$(conf "hz lots")
refuse bad-value "c.conf:1: >>> 'hz lots' argument couldn't be parsed into an integer" "$c"
c=$(conf "module nosuchmodule")
refuse missing-module "c.conf:1: module 'nosuchmodule': manifest" "$c"
# a module name is a name, never a path: refused before any file is opened
c=$(conf "port 7000" "module ../../etc/x")
refuse module-name-path "c.conf:2: module name '../../etc/x' may use only a-z 0-9 - _" "$c"
c=$(conf "module str/ings")
refuse module-name-slash "c.conf:1: module name 'str/ings' may use only" "$c"

copy_module strings "$build/modules"
rm "$moddir/strings/strings.so"
c=$(conf "module-dir $moddir" "module strings")
refuse missing-so "module 'strings': shared object $moddir/strings/strings.so not found" "$c"

copy_module strings "$build/modules"
echo "# an edit after the build" >> "$moddir/strings/strings.yaml"
refuse manifest-drift "was built from another manifest than $moddir/strings/strings.yaml" "$c"

copy_module strings "$build/modules"
printf 'commands:\n  get: [unclosed\n' > "$moddir/strings/strings.yaml"
refuse broken-manifest "$moddir/strings/strings.yaml:" "$c"

tm="$build/tests/modules"
for m in frtest_nohandler frtest_undeclared frtest_initfail frtest_ok; do copy_module $m "$tm"; done
c=$(conf "module-dir $moddir" "module frtest_nohandler")
refuse no-handler "command 'frtest.forgotten' declared at $moddir/frtest_nohandler/frtest_nohandler.yaml:" "$c"
c=$(conf "module-dir $moddir" "module frtest_undeclared")
refuse undeclared-handler "init registered a command its manifest" "$c"
c=$(conf "module-dir $moddir" "module frtest_initfail")
refuse init-fails "module 'frtest_initfail': init failed" "$c"
c=$(conf "module-dir $moddir" "module frtest_ok" "module frtest_undeclared")
refuse duplicate-command "command 'frtest.echo' is already declared by module 'frtest_ok'" "$c"

mkdir -p "$moddir/frtest_dep" && cp "$tm/frtest_ok/frtest_ok.so" "$moddir/frtest_dep/frtest_dep.so"
sed -e 's/^name: frtest_ok/name: frtest_dep/' -e 's/^description:.*/description: x\ndepends: [nosuchdep]/' \
  "$tm/frtest_ok/frtest_ok.yaml" > "$moddir/frtest_dep/frtest_dep.yaml"
c=$(conf "module-dir $moddir" "module frtest_dep")
refuse missing-dependency "module 'frtest_dep' depends on module 'nosuchdep', which is not in the module set" "$c"

mkdir -p "$moddir/frtest_abi" && cp "$tm/frtest_ok/frtest_ok.so" "$moddir/frtest_abi/frtest_abi.so"
sed -e 's/^name: frtest_ok/name: frtest_abi/' "$tm/frtest_ok/frtest_ok.yaml" > "$moddir/frtest_abi/frtest_abi.yaml"
c=$(conf "module-dir $moddir" "module frtest_abi")
refuse descriptor-name "calls itself 'frtest_ok'" "$c"

# Descriptor checks, each on frtest_ok rebuilt with one field wrong; the
# manifest and digest are right, so only the field under test can refuse it.
hdr="$src/include/frankenredis.h"
major=$(sed -n 's/^#define FR_SDK_MAJOR \([0-9]*\).*/\1/p' "$hdr")
minor=$(sed -n 's/^#define FR_SDK_MINOR \([0-9]*\).*/\1/p' "$hdr")
desc_case() {  # KIND EXPECTED-TEXT
  local d="$tmp/desc-$1"
  mkdir -p "$d/frtest_ok"
  cp "$tm/frtest-desc-$1.so" "$d/frtest_ok/frtest_ok.so"
  cp "$tm/frtest_ok/frtest_ok.yaml" "$d/frtest_ok/"
  rm -f "$tmp/ctor-ran"
  FRTEST_CTOR_MARKER=$tmp/ctor-ran refuse "descriptor-$1" "$2" "$(conf "module-dir $d" "module frtest_ok")"
  # what the file shows is judged before dlopen runs any of the object's code
  if [[ $1 != badsig ]]; then
    [[ ! -e $tmp/ctor-ran ]] && pass "descriptor-$1-no-code-ran" ||
      fail "descriptor-$1-no-code-ran" "the object's constructor ran before the refusal"
  else  # the control: a signature is judged after dlopen, so the marker exists
    [[ -e $tmp/ctor-ran ]] && pass "descriptor-$1-constructor-control" ||
      fail "descriptor-$1-constructor-control" "the test constructor never ran: the check above proves nothing"
  fi
}
desc_case newmajor "was built for SDK $((major + 1)).$minor, this server has SDK $major.$minor (another major version)"
desc_case oldmajor "was built for SDK $((major - 1)).$minor, this server has SDK $major.$minor (another major version)"
desc_case newminor "was built for SDK $major.$((minor + 1)), this server has SDK $major.$minor (a newer minor version)"
desc_case badmagic "frtest_ok.so is not a FrankenRedis module (bad magic)"
desc_case badsig "is not binary compatible (built as 'ptr=2,long=2,ld=2,pdp,noasan'"
desc_case nodesc "frtest_ok.so exports no fr_module_entry (not a FrankenRedis module)"

# The good case: loads, answers, stops on SIGTERM.
port=$(free_port)
c=$(conf "module-dir $moddir" "module frtest_ok" "bind 127.0.0.1" "frtest-words Hello World")
"$server" "$c" --port "$port" > "$tmp/ok.log" 2>&1 &
pid=$!
reply=""
for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do
  reply=$(redis-cli -p "$port" frtest.echo hi 2>/dev/null) && [[ $reply == hi ]] && break
  sleep 0.1
done
if [[ $reply == hi ]]; then pass good-module-serves; else fail good-module-serves "got '$reply'; log: $(tail -3 "$tmp/ok.log")"; fi
# SDK replies no shipped module uses yet, in both protocols.
sdk_replies() {  # HELLO-VERSION LINES: the last LINES reply lines after FRTEST.REPLY double/bool/resp
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'HELLO %s\r\n' "$1" >&3
  printf 'FRTEST.REPLY double\r\nFRTEST.REPLY bool\r\nFRTEST.REPLY resp\r\nQUIT\r\n' >&3
  timeout 5 cat <&3 | tr -d '\r' | tail -n "$2" | tr '\n' ' '
  exec 3<&-
}
got=$(sdk_replies 2 5)
[[ $got == '$3 3.5 :1 :2 +OK ' ]] && pass sdk-replies-resp2 || fail sdk-replies-resp2 "got '$got'"
got=$(sdk_replies 3 4)
[[ $got == ',3.5 #t :3 +OK ' ]] && pass sdk-replies-resp3 || fail sdk-replies-resp3 "got '$got'"
# A module's INFO groups: after the core field its manifest names, at the
# section's end, and at the end when the anchor field is never shown.
got=$(redis-cli -p "$port" info stats | tr -d '\r' | grep -A2 '^total_connections_received:' | cut -d: -f1 | tr '\n' ' ')
[[ $got == 'total_connections_received frtest_echoes frtest_words ' ]] && pass info-group-after || fail info-group-after "got '$got'"
got=$(redis-cli -p "$port" info stats | tr -d '\r' | grep -v '^$' | tail -1)
[[ $got == 'frtest_last:1' ]] && pass info-group-section-end || fail info-group-section-end "got '$got'"
got=$(redis-cli -p "$port" info clients | tr -d '\r' | grep -v '^$' | tail -1)
[[ $got == 'frtest_orphan:7' ]] && pass info-group-missing-anchor || fail info-group-missing-anchor "got '$got'"
got=$(redis-cli -p "$port" info | tr -d '\r' | grep -c '^frtest_echoes:1$')
[[ $got == 1 ]] && pass info-group-values || fail info-group-values "frtest_echoes:1 seen $got times in INFO"
# A module's checked multi-arg string directive: from the file (words
# joined), refused, normalised, read back.
got=$(redis-cli -p "$port" config get frtest-words | tail -1)
[[ $got == 'hello world' ]] && pass module-config-from-file || fail module-config-from-file "got '$got'"
got=$(redis-cli -p "$port" config set frtest-words "One bad")
[[ $got == "ERR CONFIG SET failed (possibly related to argument 'frtest-words') - frtest-words can't hold 'bad'" ]] &&
  pass module-config-check-refuses || fail module-config-check-refuses "got '$got'"
redis-cli -p "$port" config set frtest-words "One  TWO" >/dev/null
got=$(redis-cli -p "$port" config get frtest-words | tail -1)/$(redis-cli -p "$port" info stats | tr -d '\r' | grep '^frtest_words:')
[[ $got == 'one  two/frtest_words:one  two' ]] && pass module-config-check-stores || fail module-config-check-stores "got '$got'"
mode=$(redis-cli -p "$port" info modules 2>/dev/null | tr -d '\r' | grep -c 'name=frtest_ok,.*mode=hardened')
[[ $mode == 1 ]] && pass manifest-default-mode || fail manifest-default-mode "INFO modules lacks frtest_ok in hardened mode"
kill -TERM "$pid"; wait "$pid"; rc=$?
[[ $rc -eq 0 ]] && pass clean-sigterm-exit || fail clean-sigterm-exit "exit status $rc"
grep -q "Ready to accept connections" "$tmp/ok.log" && pass ready-log-line || fail ready-log-line "no 'Ready to accept connections' in the log"

# requirepass: NOAUTH before AUTH, WRONGPASS, then access; HELLO AUTH.
port=$(free_port)
"$server" "$src/conf/frankenredis.conf" --port "$port" --requirepass s3cret --save "" --dir "$tmp" > "$tmp/auth.log" 2>&1 &
pid=$!
for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
got=$(redis-cli -p "$port" get k 2>&1)
[[ $got == "NOAUTH Authentication required." ]] && pass requirepass-noauth || fail requirepass-noauth "got '$got'"
got=$(redis-cli -p "$port" auth wrong 2>&1)
[[ $got == "WRONGPASS invalid username-password pair or user is disabled." ]] && pass requirepass-wrongpass \
  || fail requirepass-wrongpass "got '$got'"
got=$(redis-cli -p "$port" -a s3cret --no-auth-warning set k v 2>&1)
[[ $got == OK ]] && pass requirepass-auth || fail requirepass-auth "got '$got'"
got=$(redis-cli -p "$port" hello 3 auth default s3cret 2>&1 | head -2 | tr '\n' ' ')
[[ $got == "1# server => redis 2# version => 7.0.15 " || $got == "server redis "* ]] && pass hello-auth \
  || fail hello-auth "got '$got'"
kill -TERM "$pid"; wait "$pid"

# hardened mode: the keys module refuses what strict mode serves, and
# counts the divergence in INFO modules.
port=$(free_port)
c=$(conf "module keys hardened" "bind 127.0.0.1")
"$server" "$c" --port "$port" > "$tmp/hard.log" 2>&1 &
pid=$!
for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
long=$(printf 'a%.0s' $(seq 1 2000))
got=$(redis-cli -p "$port" keys "$long" 2>&1)
[[ $got == ERR* ]] && pass hardened-refuses || fail hardened-refuses "got '$got'"
got=$(redis-cli -p "$port" info modules 2>&1 | tr -d '\r' | grep -o 'name=keys,.*')
[[ $got == *mode=hardened,divergences=1 ]] && pass hardened-counted || fail hardened-counted "got '$got'"
kill -TERM "$pid"; wait "$pid"

# The same per module: a hardened strings next to a strict keys refuses a
# huge SETRANGE zero-fill and counts it under strings only.
port=$(free_port)
c=$(conf "module keys strict" "module strings hardened" "bind 127.0.0.1")
"$server" "$c" --port "$port" > "$tmp/hard2.log" 2>&1 &
pid=$!
for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
got=$(redis-cli -p "$port" setrange k 100000000 x 2>&1)
[[ $got == ERR* ]] && pass hardened-strings-refuses || fail hardened-strings-refuses "got '$got'"
got=$(redis-cli -p "$port" info modules 2>&1 | tr -d '\r' | grep -o 'name=[a-z]*,.*' | tr '\n' ' ')
[[ $got == *"name=keys,"*"mode=strict,divergences=0"*"name=strings,"*"mode=hardened,divergences=1"* ]] \
  && pass hardened-per-module || fail hardened-per-module "got '$got'"
kill -TERM "$pid"; wait "$pid"

# `supervised` beside redis-server: the messages to $NOTIFY_SOCKET from
# start-up to SHUTDOWN, as Debian's Type=notify unit gets them
# (supervise_check.py).
FR_PASSED=0 FR_FAILED=0
fr_relay python3 "$src/tests/integration/supervise_check.py" "$server" "$src/conf/frankenredis.conf"
passed=$((passed + FR_PASSED)) failed=$((failed + FR_FAILED))

# syslog-ident / syslog-facility beside redis-server: what reaches
# /dev/log (syslog_check.py).
FR_PASSED=0 FR_FAILED=0
fr_relay python3 "$src/tests/integration/syslog_check.py" "$server" "$src/conf/frankenredis.conf"
passed=$((passed + FR_PASSED)) failed=$((failed + FR_FAILED))

# oom-score-adj beside redis-server: /proc/PID/oom_score_adj as master,
# replica and BGSAVE child (oom_score_check.py).
FR_PASSED=0 FR_FAILED=0
fr_relay python3 "$src/tests/integration/oom_score_check.py" "$server" "$src/conf/frankenredis.conf"
passed=$((passed + FR_PASSED)) failed=$((failed + FR_FAILED))

# shutdown-on-sigterm / shutdown-on-sigint beside redis-server: whether
# the signal's shutdown saves the dataset (dump.rdb) on the way out.
signal_case() {  # NAME SIGNAL WANT(saved|not-saved) server-args...
  local name=$1 sig=$2 want=$3 impl dir port pid got
  shift 3
  for impl in ours redis; do
    dir=$(mktemp -d "$tmp/sig.XXXXXX")
    port=$(free_port)
    if [[ $impl == ours ]]; then
      "$server" "$src/conf/frankenredis.conf" --port "$port" --dir "$dir" "$@" >"$dir/log" 2>&1 &
    else
      redis-server --port "$port" --dir "$dir" --appendonly no "$@" >"$dir/log" 2>&1 &
    fi
    pid=$!
    for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$port" set k v >/dev/null
    kill -"$sig" "$pid"
    wait "$pid"
    if [[ -f $dir/dump.rdb ]]; then got=saved; else got=not-saved; fi
    [[ $got == "$want" ]] && pass "signal/$name/$impl" || fail "signal/$name/$impl" "$got, want $want"
  done
}
signal_case sigterm-default TERM saved --save "900 1"
signal_case sigterm-nosave TERM not-saved --save "900 1" --shutdown-on-sigterm nosave
signal_case sigint-save INT saved --save "" --shutdown-on-sigint save
signal_case sigterm-no-savepoints TERM not-saved --save ""

# set-proc-title / proc-title-template beside redis-server: what ps shows
# (/proc/PID/cmdline), the executable's own name left out.
title_case() {  # NAME server-args...
  local name=$1 impl port pid got ours theirs
  shift
  for impl in ours redis; do
    port=$(free_port)
    if [[ $impl == ours ]]; then
      "$server" "$src/conf/frankenredis.conf" --port "$port" --bind 127.0.0.1 --save "" "$@" >/dev/null 2>&1 &
    else
      redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no "$@" >/dev/null 2>&1 &
    fi
    pid=$!
    for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    got=$(tr '\0' ' ' < "/proc/$pid/cmdline" | sed 's/ *$//; s/^[^ ]* //; s/'"$port"'/PORT/g')
    [[ $got == *"--set-proc-title no" ]] && got="(the command line)"
    if [[ $impl == ours ]]; then ours=$got; else theirs=$got; fi
    kill -TERM "$pid"; wait "$pid"
  done
  [[ $ours == "$theirs" ]] && pass "proc-title/$name" || fail "proc-title/$name" "ours '$ours', redis '$theirs'"
}
title_case default
title_case template --proc-title-template "{title} port={port} [{server-mode}] {unixsocket}{{x}}"
title_case off --set-proc-title no

# A forked child's title names its job, as Redis's children do
# ("redis-rdb-bgsave 127.0.0.1:PORT"): read while the child of BGSAVE /
# BGREWRITEAOF runs (10,000 keys, 100 us each: rdb-key-save-delay).
child_title_case() {  # NAME COMMAND TITLE
  local name=$1 cmd=$2 want="$3 127.0.0.1:PORT" impl port pid child got ours theirs
  for impl in ours redis; do
    port=$(free_port)
    if [[ $impl == ours ]]; then
      "$server" "$src/conf/frankenredis.conf" --port "$port" --bind 127.0.0.1 --save "" --dir "$tmp" \
        --enable-debug-command yes --rdb-key-save-delay 100 >/dev/null 2>&1 &
    else
      redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
        --enable-debug-command yes --rdb-key-save-delay 100 >/dev/null 2>&1 &
    fi
    pid=$!
    for _ in $(seq 1 $((50 * ${FR_WAIT_SCALE:-1}))); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$port" DEBUG POPULATE 10000 >/dev/null
    redis-cli -p "$port" "$cmd" >/dev/null
    got="(no child seen)"
    for _ in $(seq 1 100); do
      child=$(pgrep -P "$pid" | head -1)
      if [[ -n $child ]]; then
        got=$(tr '\0' ' ' < "/proc/$child/cmdline" 2>/dev/null | sed 's/ *$//; s/'"$port"'/PORT/g')
        [[ $got == redis-* ]] && break
      fi
      sleep 0.01
    done
    if [[ $impl == ours ]]; then ours=$got; else theirs=$got; fi
    kill -TERM "$pid"; wait "$pid"
  done
  [[ $ours == "$theirs" && $ours == "$want" ]] && pass "proc-title/$name" ||
    fail "proc-title/$name" "ours '$ours', redis '$theirs', want '$want'"
}
child_title_case bgsave-child BGSAVE redis-rdb-bgsave
child_title_case aof-rewrite-child BGREWRITEAOF redis-aof-rewrite

echo "startup: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

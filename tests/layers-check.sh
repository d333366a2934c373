#!/usr/bin/env bash
# layers-check.sh SRCDIR [BUILDDIR] -- the core's include graph (and, when
# the core is built, its symbol graph) respects its layers.
#
# The core is five one-way layers (docs/architecture.md):
#   1 base -> 2 protocol -> 3 keyspace -> 4 runtime -> 5 commands
# A file may include headers of its own layer and of lower ones, never of a
# higher one; the include graph has no cycle.  Generated files
# (core_manifest.c, core_glue.[ch]) are placed too; they sit in the build
# tree's core/, which is the source tree's in a non-VPATH build.  LAYER_OF below is the one
# place that says which layer each core file belongs to: a core file missing
# from it fails the check, so a new file must be placed deliberately.
# Checks "#include "..."" lines only (system headers are <...>); the SDK
# header frankenredis.h is below every layer.  Before checking the tree the
# script checks itself on a made-up tree with one upward include and one
# cycle, so a broken parser cannot pass silently.
# Headers alone would let a file declare a higher layer's function by hand
# (an "extern" prototype); so when BUILDDIR holds the server's objects, the
# script also reads them with nm and fails on any symbol a file uses that a
# higher layer's file defines.
# Prints PASS/FAIL lines, then "layers: N passed, M failed".
set -uo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
build=${2:-$src}

declare -A LAYER_OF=(
  # 1 base: allocation, strings, dict, conversions, logging, clock, config values
  [base.h]=1 [dict.h]=1 [dict.c]=1 [siphash.h]=1 [siphash.c]=1 [sha256.h]=1
  [sha256.c]=1 [util.h]=1 [util.c]=1 [units.h]=1 [splitargs.h]=1
  [splitargs.c]=1 [zmalloc.c]=1 [str.c]=1 [log.c]=1 [clock.c]=1 [state.c]=1
  [sha1.h]=1 [sha1.c]=1 [hist.h]=1 [hist.c]=1 [bio.c]=1
  # 2 protocol: RESP, clients, replies, output limits, listeners
  [protocol.h]=2 [resp.h]=2 [resp.c]=2 [reply.c]=2 [client.c]=2 [net.c]=2
  [obuf_limit.h]=2 [obuf_limit.c]=2
  # 3 keyspace: DBs, key entries, value types
  [keyspace.h]=3 [kv.h]=3 [kv.c]=3 [lazyfree.c]=3 [db.c]=3 [types.c]=3 [digest.c]=3 [replica_keys.c]=3
  # 4 runtime: dispatch, call context, MULTI, propagation, hooks, modules,
  #   manifests, config parsing, module INFO groups, fork, shutdown, the
  #   snapshot provider and the command replayer (AOF)
  [runtime.h]=4 [runtime.c]=4 [command.c]=4 [cmdtable.h]=4 [cmdtable.c]=4
  [command_docs.h]=4 [command_docs.c]=4 [ctx.c]=4 [sdk_reply.c]=4 [multi.c]=4
  [propagate.c]=4 [hooks.c]=4 [info_fields.c]=4 [slowlog.c]=4 [blocked.c]=4 [pause.c]=4 [module.c]=4 [manifest.h]=4 [manifest.c]=4
  [config.h]=4 [config.c]=4 [config_vocab.c]=4 [fork.c]=4 [shutdown.c]=4 [supervise.c]=4 [proctitle.c]=4 [oom_score.c]=4
  [notify.c]=4 [sdk_client.c]=4
  [latency.c]=4 [debug_registry.c]=4 [monitor.c]=4 [tracking.c]=4 [memory_guard.c]=4
  [snapshot.c]=4 [replay.c]=4 [script_call.c]=4 [busy.c]=4 [elf_peek.c]=4 [ledger.c]=4 [expire_policy.c]=4 [acl.c]=4
  # 5 commands: the built-in module, its handlers, INFO, main
  [commands.h]=5 [cmd_command.h]=5 [cmd_command.c]=5 [cmd_client.c]=5
  [cmd_config.c]=5 [cmd_server.c]=5 [cmd_slowlog.c]=5 [cmd_lolwut.c]=5 [cmd_cluster.c]=5 [info.h]=5 [info.c]=5
  [core_glue.h]=5 [core_glue.c]=5 [core_manifest.c]=5 [server.c]=5
  [cmd_acl.c]=5 [cmd_hardened.c]=5 [cmd_debug.c]=5 [cmd_latency.c]=5 [cmd_monitor.c]=5 [cmd_tracking.c]=5 [cmd_memory.c]=5
)
LAYER_NAME=([1]=base [2]=protocol [3]=keyspace [4]=runtime [5]=commands)
SDK_HEADER=frankenredis.h

pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

# The quoted includes of a file, one name per line.
includes_of() {
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

# check_layers DIR: one line per problem ("file: ..."), nothing when clean.
check_layers() {
  local dir=$1 f name inc mine theirs
  for f in "$dir"/*.c "$dir"/*.h; do
    [[ -e $f ]] || continue
    name=${f##*/}
    [[ $name == manifest_digest.c ]] && continue  # generated per module
    mine=${LAYER_OF[$name]:-}
    if [[ -z $mine ]]; then
      echo "$name: no layer declared (add it to LAYER_OF in tests/layers-check.sh)"
      continue
    fi
    while read -r inc; do
      [[ -z $inc || $inc == "$SDK_HEADER" ]] && continue
      theirs=${LAYER_OF[${inc##*/}]:-}
      if [[ -z $theirs && -e $dir/${inc##*/} ]]; then
        echo "$name: includes $inc, whose layer is not declared"
      elif [[ -z $theirs ]]; then
        echo "$name: includes $inc, which is no core header"
      elif ((theirs > mine)); then
        echo "$name (${LAYER_NAME[$mine]}) includes $inc (${LAYER_NAME[$theirs]}): upward"
      fi
    done < <(includes_of "$f")
  done
}

# check_cycles DIR: prints each include cycle found, nothing when acyclic.
# Edges are file -> included core header; a depth-first walk reports a back
# edge as a cycle.
check_cycles() {
  local dir=$1 f
  for f in "$dir"/*.c "$dir"/*.h; do
    [[ -e $f ]] || continue
    includes_of "$f" | while read -r inc; do
      [[ -e $dir/${inc##*/} ]] && echo "${f##*/} ${inc##*/}"
    done
  done | awk '
    { adj[$1] = adj[$1] " " $2; node[$1]; node[$2] }
    function walk(n,    i, k, m, e) {
      state[n] = 1; path[++depth] = n
      k = split(adj[n], e, " ")
      for (i = 1; i <= k; i++) {
        m = e[i]
        if (state[m] == 1) { report(m) }
        else if (!state[m]) walk(m)
      }
      depth--; state[n] = 2
    }
    function report(m,    i, s, on) {
      s = ""; on = 0
      for (i = 1; i <= depth; i++) { if (path[i] == m) on = 1; if (on) s = s path[i] " -> " }
      print "include cycle: " s m
    }
    END { for (n in node) if (!state[n]) walk(n) }'
}

# ---- the checker on a made-up tree: it must see both faults
self_test() {
  local t; t=$(mktemp -d)
  printf '#include "keyspace.h"\n' >"$t/protocol.h"        # 2 -> 3: upward
  printf '#include "protocol.h"\n' >"$t/keyspace.h"
  printf '#include "dict.h"\n' >"$t/util.h"                # 1 <-> 1: a cycle
  printf '#include "util.h"\n' >"$t/dict.h"
  local problems cycles
  problems=$(check_layers "$t")
  cycles=$(check_cycles "$t")
  rm -rf "$t"
  if grep -q 'protocol.h (protocol) includes keyspace.h (keyspace): upward' <<<"$problems"; then
    ok "self-test: an upward include is reported"
  else
    ko "self-test: an upward include went unnoticed"
  fi
  if grep -q 'include cycle: .*dict.h.*util.h\|include cycle: .*util.h.*dict.h' <<<"$cycles"; then
    ok "self-test: an include cycle is reported"
  else
    ko "self-test: an include cycle went unnoticed"
  fi
}

self_test

core=$src/core
problems=$(check_layers "$core")
for f in "$core"/*.c "$core"/*.h; do
  name=${f##*/}
  [[ $name == manifest_digest.c ]] && continue
  mine=$(grep "^$name[: ]" <<<"$problems" || true)
  if [[ -z $mine ]]; then
    ok "$name (${LAYER_NAME[${LAYER_OF[$name]}]})"
  else
    while read -r line; do ko "$line"; done <<<"$mine"
  fi
done

cycles=$(check_cycles "$core")
if [[ -z $cycles ]]; then
  ok "core include graph has no cycle"
else
  while read -r line; do ko "$line"; done <<<"$cycles"
fi

# Every declared file exists, so the table does not rot.
for name in "${!LAYER_OF[@]}"; do
  [[ -e $core/$name || $name == core_manifest.c || $name == core_glue.[ch] ]] || ko "LAYER_OF names $name, which is not in core/"
done

# ---- symbols: who calls (or reads) whom, from the built objects
symbol_uses() {  # "user-file symbol definer-file" for every cross-file use
  local o f
  for o in "$build"/core/frankenredis_server-*.o; do
    f=${o##*/frankenredis_server-}
    nm "$o" | awk -v f="${f%.o}.c" '$1 == "U" { print "U", $2, f; next }
                                     $2 ~ /^[TDBRC]$/ { print "D", $3, f }'
  done | awk '$1 == "D" { def[$2] = $3; next } { use[++n] = $3 " " $2 }
              END { for (i = 1; i <= n; i++) { split(use[i], u, " ")
                      if ((u[2] in def) && def[u[2]] != u[1]) print u[1], u[2], def[u[2]] } }'
}

if compgen -G "$build/core/frankenredis_server-*.o" >/dev/null && command -v nm >/dev/null; then
  upward=$(symbol_uses | while read -r user sym definer; do
    lu=${LAYER_OF[$user]:-0} ld=${LAYER_OF[$definer]:-0}
    ((lu && ld && ld > lu)) && echo "$user (${LAYER_NAME[$lu]}) uses $sym of $definer (${LAYER_NAME[$ld]}): upward"
  done | sort -u)
  if [[ -z $upward ]]; then
    ok "no core object uses a symbol of a higher layer (nm)"
  else
    while read -r line; do ko "$line"; done <<<"$upward"
  fi
else
  echo "SKIP symbol check: no built core objects in $build/core"
fi

echo "layers: $pass passed, $fail failed"
[[ $fail -eq 0 ]]

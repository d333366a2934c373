#!/usr/bin/env bash
# tests/fuzz/run.sh [--suite] [SECONDS] -- build the libFuzzer targets with
# clang (ASan + UBSan) into build-fuzz/ and run each for SECONDS.
#
# Without --suite (`make fuzz`, default 60 s a target): each target runs
# from the corpus it grew before (build-fuzz/TARGET/corpus, kept out of
# git), seeded from fixtures/; one line per target with its exec count.
# The counts add up in build-fuzz/TARGET/execs.txt (docs/security.md's
# table).
#
# With --suite (the `fuzz` part of tests/run-all.sh, 60 s a target there):
# each target replays only the seeds (fixtures/ and the regression inputs
# committed there) in a fresh corpus, then mutates for the rest of its
# SECONDS, so the time stays the same however long the corpus grew; PASS
# or FAIL per target and "fuzz: N passed, M failed".
#
# FUZZ_TARGETS="fuzz_aof fuzz_rdb" runs only those, FUZZ_JOBS=N that many
# at a time (default 2).
#
# Either way a crash (or leak, timeout, out-of-memory) fails the run and
# its input is kept in build-fuzz/TARGET/ (crash-*, leak-*, timeout-*,
# oom-*; suite-crash-* and so on from the suite), to become a regression
# fixture.  Builds are incremental: only
# sources newer than their object are compiled again, two at a time.
#
# The core is compiled from the source tree; the generated core_manifest.c
# and core_glue.c (and each module's glue.c) come from a normal in-tree
# build (scripts/build.sh) first.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
suite=0 build_only=0
[[ ${1:-} == --suite ]] && { suite=1; shift; }
# --build-only: build and stop (tests/run-all.sh builds ahead, in the
# background, what its fuzz part will run).
[[ ${1:-} == --build-only ]] && { build_only=1; shift; }
seconds=${1:-60}
out=$src/build-fuzz
all_targets="fuzz_resp fuzz_manifest fuzz_config fuzz_rdb fuzz_restore fuzz_aof"
read -r -a targets <<<"${FUZZ_TARGETS:-$all_targets}"  # FUZZ_TARGETS: some of them
setup_fail() {  # in the suite a missing tool or a broken build is a failure, not a skip
    echo "fuzz: $1" >&2
    [[ $suite == 1 ]] && echo "fuzz: 0 passed, 1 failed"
    exit 2
}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || setup_fail "SECONDS must be a whole number above 0 (libFuzzer takes 0 as no limit)"
command -v clang >/dev/null || setup_fail "clang is not installed (apt-get install clang libclang-rt-dev)"
[[ -f $src/core/core_manifest.c ]] || setup_fail "build first (scripts/build.sh)"
# -O1 for both ways of running (the suite fuzzes a minute a target too, and
# runs beside the other parts, so its build's extra CPU costs no wall time).
opt=-O1 bld=$out
mkdir -p "$bld/obj" "$bld/bin"

# ---- Seeds -------------------------------------------------------------------
seed() {  # TARGET DIR: the starting corpus
    case $1 in
    fuzz_resp) cp -n "$src"/fixtures/protocol/negative/*.bin "$2"/ 2>/dev/null ;;
    fuzz_manifest) cp -n "$src"/modules/*/*.yaml "$src"/core/commands.yaml "$src"/fixtures/manifests/*.yaml "$2"/ 2>/dev/null ;;
    fuzz_config) cp -n "$src"/conf/*.conf "$2"/ 2>/dev/null ;;
    fuzz_rdb) cp -n "$src"/fixtures/rdb/*.rdb "$2"/ 2>/dev/null ;;
    fuzz_restore)  # the corrupt-dump regression payloads, hex in field 3
        python3 - "$src/fixtures/cve/corrupt-dump.txt" "$2" <<'PY'
import sys
for row in open(sys.argv[1]):
    f = row.split()
    if len(f) == 3 and not row.startswith("#"):
        open(f"{sys.argv[2]}/dump-{f[0]}", "wb").write(bytes.fromhex(f[2]))
PY
        ;;
    fuzz_aof)  # fixtures/aof: single files, torn copies, the multi-part directory;
        # copies with a mode byte first (tests/fuzz/fuzz_aof.c) for the hardened
        # tail repair and aof-load-truncated no
        python3 - "$src/fixtures/aof" "$2" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
SPLIT = b"\n==fuzz-aof-part==\n"  # tests/fuzz/fuzz_aof.c
HARDENED, NO_TRUNCATED, SMALL_LIMIT = 1, 2, 4  # its mode byte's bits (SMALL_LIMIT: 16 bytes)
TAIL = b"!corrupt tail\r\n"  # a format error 15 bytes before the end
def put(name, data):
    open(os.path.join(out, name), "wb").write(data)
def modes(name, data):  # repaired (within either limit), refused (beyond 16), torn and refused
    put(name + ".hardened", bytes([HARDENED]) + data + TAIL)
    put(name + ".hardened-no-truncated", bytes([HARDENED | NO_TRUNCATED]) + data + TAIL)
    put(name + ".hardened-far", bytes([HARDENED | SMALL_LIMIT]) + data + TAIL * 2)
    put(name + ".torn-refused", bytes([NO_TRUNCATED]) + data[:-7])
for f in sorted(os.listdir(src)):
    if f.endswith(".aof"):
        data = open(os.path.join(src, f), "rb").read()
        put(f, data)
        put(f + ".torn", data[:-7])          # a torn last command
        if b"MULTI" in data:                  # a transaction never closed
            put(f + ".multi", data[:data.rindex(b"EXEC") - 10])
        modes(f, data)
# multipart/: the manifest with its files renamed 1, 2, ... in manifest order
mp = os.path.join(src, "multipart")
manifest = open(os.path.join(mp, "appendonly.aof.manifest"), "rb").read()
names = re.findall(rb"^file (\S+) ", manifest, re.M)
parts = []
for i, n in enumerate(names, 1):
    manifest = manifest.replace(b"file " + n + b" ", b"file %d " % i)
    parts.append(open(os.path.join(mp, n.decode()), "rb").read())
put("multipart", SPLIT.join([manifest] + parts))
put("multipart.torn", SPLIT.join([manifest] + parts)[:-5])
modes("multipart", SPLIT.join([manifest] + parts))
PY
        ;;
    esac
    return 0
}

# ---- Build -------------------------------------------------------------------
cflags=("$opt" -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -D_GNU_SOURCE
        -I"$src/include" -I"$src/core")
failmark=$bld/build.failed  # a compile in the background marks its failure here
rm -f "$failmark"
jobs_wait() {  # at most $1 compiles at once
    while [[ $(jobs -rp | wc -l) -ge $1 ]]; do wait -n; done
}
jobs_done() {
    wait
    [[ ! -f $failmark ]] || setup_fail "build failed"
}
build_start=$SECONDS
mapfile -t core < <(ls "$src"/core/*.c | grep -v '/core/server\.c$')
objs=()
for c in "${core[@]}"; do  # the core once, for every target
    o=$bld/obj/$(basename "${c%.c}").o
    if [[ ! -f $o || $c -nt $o || -n $(find "$src/core" "$src/include" -name '*.h' -newer "$o" | head -1) ]]; then
        jobs_wait 2
        clang "${cflags[@]}" -c "$c" -o "$o.tmp" && mv "$o.tmp" "$o" || { echo "fuzz: $c: build failed" >&2; touch "$failmark"; } &
    fi
    objs+=("$o")
done
# The default module set, instrumented too, for the targets that boot a
# server (server_harness.c): each module's sources as its module.am lists
# them, its glue.c from the normal build, its manifest beside the .so.
export FR_FUZZ_MODULE_DIR=$bld/modules
for m in $(awk '$1 == "module" {print $2}' "$src/conf/frankenredis.conf"); do
    mdir=$FR_FUZZ_MODULE_DIR/$m so=$FR_FUZZ_MODULE_DIR/$m/$m.so
    mapfile -t msrc < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$src/modules/$m/module.am" |
        grep -E "^modules_${m}_${m}_so_SOURCES|^nodist_modules_${m}_${m}_so_SOURCES" |
        tr ' \t' '\n\n' | grep '\.c$')
    [[ ${#msrc[@]} -gt 0 ]] || setup_fail "module $m: no sources in module.am"
    newest=$(ls -t "${msrc[@]/#/$src/}" "$src/include/frankenredis.h" "$src/modules/$m/"*.h "$src/modules/$m/$m.yaml" 2>/dev/null | head -1)
    mkdir -p "$mdir"
    cp "$src/modules/$m/$m.yaml" "$mdir/"
    pkgs=(liblzf)  # what configure gives the modules, Lua only to those that embed it
    grep -q 'LUA_' "$src/modules/$m/module.am" && pkgs+=(lua5.1 lua5.1-cjson lua5.1-bitop)
    if [[ ! -f $so || $newest -nt $so ]]; then
        jobs_wait 2
        clang "${cflags[@]}" -fPIC -shared -I"$src/modules/$m" -I"$src/modules/lib" $(pkg-config --cflags "${pkgs[@]}") \
            "${msrc[@]/#/$src/}" -o "$so.tmp" $(pkg-config --libs "${pkgs[@]}") -lm -pthread && mv "$so.tmp" "$so" ||
            { echo "fuzz: module $m: build failed" >&2; touch "$failmark"; } &
    fi
done
jobs_done
for t in "${targets[@]}"; do
    bin=$bld/bin/$t
    extra=()
    [[ $t == fuzz_rdb || $t == fuzz_restore || $t == fuzz_aof ]] && extra=("$src/tests/fuzz/server_harness.c")
    newest=$(ls -t "${objs[@]}" "${extra[@]}" "$src/tests/fuzz/$t.c" "$src"/tests/fuzz/*.h | head -1)
    [[ -f $bin && ! $newest -nt $bin ]] && continue
    jobs_wait 2
    clang "${cflags[@]}" -fsanitize=fuzzer "${objs[@]}" "${extra[@]}" "$src/tests/fuzz/$t.c" -o "$bin" \
        -Wl,--export-dynamic -lev -lyaml -ljemalloc -ldl -lm || { echo "fuzz: $t: build failed" >&2; touch "$failmark"; } &
done
jobs_done
echo "fuzz: built in $((SECONDS - build_start)) s"
[[ $build_only == 1 ]] && exit 0

# ---- Run ---------------------------------------------------------------------
# Targets run FUZZ_JOBS at a time (default 2, the machine's cores): each
# has its own corpus, work folder and log, so they do not meet.  A target's
# lines go to its result file and are printed in target order at the end.
run_target() {  # TARGET: fuzz it; its PASS/FAIL lines to $out/TARGET/result.txt
    local t=$1 dir=$out/$1 corpus log keep dict=() rc execs total found
    corpus=$dir/corpus log=$dir/log.txt keep=$dir/
    if [[ $suite == 1 ]]; then corpus=$dir/suite-corpus log=$dir/suite-log.txt keep=$dir/suite-; rm -rf "$corpus"; fi
    mkdir -p "$corpus" "$dir/work"
    seed "$t" "$corpus"
    [[ -f $src/tests/fuzz/$t.dict ]] && dict=(-dict="$src/tests/fuzz/$t.dict")
    # Absolute paths: fuzz_aof changes the working directory while it loads.
    (cd "$dir" && FR_FUZZ_WORKDIR=$dir/work "$bld/bin/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=60 -artifact_prefix="$keep" -print_final_stats=1 "${dict[@]}" "$corpus" >"$log" 2>&1)
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [[ $suite == 1 ]] && rm -rf "$corpus"
    if [[ $rc -eq 0 ]]; then
        if [[ $suite == 1 ]]; then
            echo "PASS fuzz/$t (${execs:-?} executions in $seconds s)"
        else
            total=$(( $(cat "$dir/execs.txt" 2>/dev/null || echo 0) + ${execs:-0} ))
            echo "$total" >"$dir/execs.txt"
            echo "fuzz: $t: ${execs:-?} executions in ${seconds} s, no crash ($total so far)"
        fi
    else
        found=$(ls -t "$keep"crash-* "$keep"leak-* "$keep"timeout-* "$keep"oom-* 2>/dev/null | head -1)
        echo "FAIL fuzz/$t: exit $rc after ${execs:-?} executions: ${found:-no input kept}; $log:"
        grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$log" | head -15
    fi
}
fuzz_jobs=${FUZZ_JOBS:-2}
[[ $fuzz_jobs =~ ^[1-9][0-9]*$ ]] || setup_fail "FUZZ_JOBS must be a whole number above 0"
for t in "${targets[@]}"; do
    jobs_wait "$fuzz_jobs"
    mkdir -p "$out/$t"
    run_target "$t" >"$out/$t/result.txt" 2>&1 &
done
wait
passed=0 failed=0
for t in "${targets[@]}"; do
    cat "$out/$t/result.txt"  # a target that printed no PASS line failed, whatever happened to it
    if grep -qE '^(PASS fuzz/|fuzz: [a-z_]+: .* no crash)' "$out/$t/result.txt"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); grep -q . "$out/$t/result.txt" || echo "FAIL fuzz/$t: ended without a result"
    fi
done
[[ $suite == 1 ]] && echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

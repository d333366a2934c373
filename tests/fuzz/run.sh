#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] -- build the libFuzzer targets with clang
# (ASan + UBSan) into build-fuzz/ and run each for SECONDS (default 60),
# seeded from fixtures/ and the corpus each run grew before.  A tool, not
# part of the suite's 10 minutes (`make fuzz`); prints one line per target
# with its exec count, and fails when a target finds a crash (the input is
# kept in build-fuzz/TARGET/, to become a regression fixture).
#
# The core is compiled from the source tree; the generated core_manifest.c
# and core_glue.c come from a normal build (scripts/build.sh) first.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
out=$src/build-fuzz
command -v clang >/dev/null || { echo "fuzz: clang is not installed (apt-get install clang)" >&2; exit 2; }
[[ -f $src/core/core_manifest.c ]] || { echo "fuzz: build first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out"
mapfile -t core < <(ls "$src"/core/*.c | grep -v '/core/server\.c$')
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
    esac
    return 0
}
cflags=(-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -D_GNU_SOURCE
        -I"$src/include" -I"$src/core")
mkdir -p "$out/obj" "$out/bin"
objs=()
for c in "${core[@]}"; do  # the core once, for every target
    o=$out/obj/$(basename "${c%.c}").o
    if [[ ! -f $o || $c -nt $o || -n $(find "$src/core" "$src/include" -name '*.h' -newer "$o" | head -1) ]]; then
        clang "${cflags[@]}" -c "$c" -o "$o" || { echo "fuzz: $c: build failed" >&2; exit 2; }
    fi
    objs+=("$o")
done
# The default module set, instrumented too, for the targets that boot a
# server (server_harness.c): each module's sources as its module.am lists
# them, its glue.c from the normal build, its manifest beside the .so.
export FR_FUZZ_MODULE_DIR=$out/modules
for m in $(awk '$1 == "module" {print $2}' "$src/conf/frankenredis.conf"); do
    mdir=$FR_FUZZ_MODULE_DIR/$m so=$FR_FUZZ_MODULE_DIR/$m/$m.so
    mapfile -t msrc < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$src/modules/$m/module.am" |
        grep -E "^modules_${m}_${m}_so_SOURCES|^nodist_modules_${m}_${m}_so_SOURCES" |
        tr ' \t' '\n\n' | grep '\.c$')
    [[ ${#msrc[@]} -gt 0 ]] || { echo "fuzz: module $m: no sources in module.am" >&2; exit 2; }
    newest=$(ls -t "${msrc[@]/#/$src/}" "$src/include/frankenredis.h" "$src/modules/$m/$m.yaml" 2>/dev/null | head -1)
    if [[ ! -f $so || $newest -nt $so ]]; then
        mkdir -p "$mdir"
        clang "${cflags[@]}" -fPIC -shared -I"$src/modules/$m" -I"$src/modules/lib" $(pkg-config --cflags liblzf) "${msrc[@]/#/$src/}" \
            -o "$so" -llzf -lm -pthread || { echo "fuzz: module $m: build failed" >&2; exit 2; }
    fi
    cp "$src/modules/$m/$m.yaml" "$mdir/"
done
failed=0
for t in fuzz_resp fuzz_manifest fuzz_config fuzz_rdb fuzz_restore; do
    bin=$out/bin/$t
    extra=()
    [[ $t == fuzz_rdb || $t == fuzz_restore ]] && extra=("$src/tests/fuzz/server_harness.c")
    clang "${cflags[@]}" -fsanitize=fuzzer "${objs[@]}" "${extra[@]}" "$src/tests/fuzz/$t.c" -o "$bin" \
        -Wl,--export-dynamic -lev -lyaml -ljemalloc -ldl -lm || { echo "fuzz: $t: build failed" >&2; exit 2; }
    mkdir -p "$out/$t/corpus"
    seed "$t" "$out/$t/corpus"
    (cd "$out/$t" && "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 corpus \
        >log.txt 2>&1)
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t/log.txt")
    if [[ $rc -eq 0 ]]; then
        echo "fuzz: $t: ${execs:-?} executions in ${seconds} s, no crash"
    else
        echo "fuzz: $t: CRASH after ${execs:-?} executions: $(ls "$out/$t"/crash-* 2>/dev/null | head -1)"
        failed=1
    fi
done
exit $failed

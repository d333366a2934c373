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
failed=0
for t in fuzz_resp fuzz_manifest; do
    bin=$out/bin/$t
    clang "${cflags[@]}" -fsanitize=fuzzer "${objs[@]}" "$src/tests/fuzz/$t.c" -o "$bin" \
        -lev -lyaml -ljemalloc -ldl -lm || { echo "fuzz: $t: build failed" >&2; exit 2; }
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

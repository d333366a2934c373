#!/usr/bin/env bash
# sdk-check.sh SRCDIR BUILDDIR -- the module boundary, checked on the built
# binaries rather than trusted to convention:
#   - the server exports exactly the functions include/frankenredis.h marks
#     FR_API (the core is built with hidden visibility), plus the handful of
#     symbols every executable has;
#   - each module imports no fr_* symbol outside that list;
#   - no module source includes a header from outside its own folder,
#     modules/lib (shared code compiled into modules) and include/ (they
#     are built with -I include only; this names the file when someone
#     adds -I back);
#   - the glue generated from a manifest wires its hook orders, value
#     checks and INFO groups (exact lines).
# Prints PASS/FAIL lines and "sdk: N passed, M failed".
set -u
src=${1:?} build=${2:?}
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
tmp=$(mktemp -d /tmp/fr-sdk.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The SDK's functions: the names declared on FR_API lines.
sed -n 's/^FR_API .*[ *]\(fr_[a-z0-9_]*\)(.*/\1/p' "$src/include/frankenredis.h" | sort -u >"$tmp/sdk"
n=$(wc -l <"$tmp/sdk")
if [ "$n" -gt 50 ]; then pass "sdk/header-lists-$n-functions"; else fail "sdk/header-parse" "only $n names"; fi

nm -D --defined-only "$build/frankenredis-server" | awk '{print $3}' | sed 's/@.*//' | sort -u >"$tmp/exported"
grep '^fr_' "$tmp/exported" >"$tmp/exported-fr"
missing=$(comm -23 "$tmp/sdk" "$tmp/exported-fr" | tr '\n' ' ')
extra=$(comm -13 "$tmp/sdk" "$tmp/exported-fr" | tr '\n' ' ')
[ -z "$missing" ] && pass "sdk/server-exports-every-sdk-function" ||
    fail "sdk/server-exports-every-sdk-function" "not exported: $missing"
[ -z "$extra" ] && pass "sdk/server-exports-nothing-else-of-ours" ||
    fail "sdk/server-exports-nothing-else-of-ours" "exported outside the SDK: $extra"
# What the toolchain puts in every executable's dynamic table (libc data
# the server writes is copied into it: stdout & co, and environ, which
# proctitle.c moves to make room for the process title), and what the
# sanitizer runtimes add to an --enable-sanitizers build (tests/sanitizers.sh).
others=$(grep -v '^fr_' "$tmp/exported" |
    grep -Evx '_IO_stdin_used|__bss_start|__data_start|data_start|_edata|_end|_start|_init|_fini|stderr|stdout|stdin|environ|__environ|__dso_handle' |
    grep -Ev '^__(asan|ubsan|lsan|sanitizer)_' | tr '\n' ' ')
[ -z "$others" ] && pass "sdk/server-exports-no-other-symbols" ||
    fail "sdk/server-exports-no-other-symbols" "$others"

# The generated glue wires what the manifest declares: hook orders, value
# checks, INFO groups (fixtures/manifests/valid.yaml declares one of each).
glue_has() {  # NAME KIND(glue-c|glue-h) LINE
    if "$build/fr-manifest-tool" "$2" "$src/fixtures/manifests/valid.yaml" | grep -qxF -- "$3"; then
        pass "glue/$1"
    else
        fail "glue/$1" "no line '$3'"
    fi
}
glue_has hook-order-last glue-c '    if (fr_hook_register(m, FR_HOOK_CRON, FR_HOOK_LAST, sample_on_cron, NULL) != FR_OK) {'
glue_has hook-order-first glue-c '    if (fr_hook_register(m, FR_HOOK_FORK_CHILD, FR_HOOK_FIRST, sample_on_fork_child, NULL) != FR_OK) {'
glue_has hook-order-default glue-c '    if (fr_hook_register(m, FR_HOOK_KEY_WRITTEN, FR_HOOK_MIDDLE, sample_on_key_written, NULL) != FR_OK) {'
glue_has config-check glue-c '    if (fr_config_check_at(m, 3, sample_conf_sample_label_check) != FR_OK) return FR_ERR;'
glue_has info-after glue-c '    if (fr_info_register(m, "stats", "total_connections_received", info_0, NULL) != FR_OK) return FR_ERR;'
glue_has info-end glue-c '    if (fr_info_register(m, "stats", NULL, info_1, NULL) != FR_OK) return FR_ERR;'
glue_has info-text-field glue-c '    fr_info_add_text(o, "sample_state", v.sample_state);'
glue_has info-struct glue-h 'int sample_info_stats(sample_info_stats_fields *out);'
glue_has string-accessor glue-h 'const char *sample_conf_sample_label(void); /* sample-label: text in force, valid until it changes */'

for so in "$build"/modules/*/*.so; do
    m=$(basename "$so" .so)
    bad=$(nm -D --undefined-only "$so" | awk '{print $2}' | sed 's/@.*//' | grep '^fr_' | sort -u |
        comm -23 - "$tmp/sdk" | tr '\n' ' ')
    [ -z "$bad" ] && pass "sdk/$m-imports-only-the-sdk" || fail "sdk/$m-imports-only-the-sdk" "$bad"
done

for dir in "$src"/modules/*/; do
    m=$(basename "$dir")
    bad=""
    for inc in $(grep -ho '#include "[^"]*"' "$dir"*.c "$dir"*.h 2>/dev/null | sed 's/#include "\(.*\)"/\1/' | sort -u); do
        [ "$inc" = frankenredis.h ] && continue
        # glue.h is generated into the build tree (apart from the sources
        # in an out-of-tree build)
        [ -f "$dir$inc" ] || [ -f "$src/modules/lib/$inc" ] || [ -f "$build/modules/$m/$inc" ] || bad="$bad $inc"
    done
    [ -z "$bad" ] && pass "sdk/$m-includes-only-its-own-and-the-sdk" ||
        fail "sdk/$m-includes-only-its-own-and-the-sdk" "includes$bad"
done

echo "sdk: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# gate.sh [BUILDDIR] -- the conformance gate: every recorded fixture replayed
# against our server with `fr-conform replay --gate`, then the live
# differential (one seeded random command stream to our server and to a
# redis-server this script starts; replies and what a replica of each
# receives are compared) for FR_LIVE_SECONDS.
#
# Owns: what "conformance passes" means for the test suite.  A fixture case
# passes when it matches or drifts only in a `severity: minor` way; critical
# and major drifts fail.  The live run counts as one case: it fails on any
# divergence (and prints a shrunk reproducer in fixture format).  One more
# case checks that every fixture case docs/spec cites exists, and one that
# the fuzzer's grammar (generated from the manifests by make) holds exactly
# the commands our server's COMMAND LIST gives.  The last
# line is `conformance: N passed, M failed`; exit status 1 if M > 0.
#
# environment (all optional):
#   FR_SERVER_CMD    our server, sh syntax, without --port
#                    (default: ./frankenredis-server conf/frankenredis.conf)
#   FR_REF_CMD       the reference server (default: redis-server)
#   FR_LIVE_SEED     seed of the live stream (default: 1, so runs repeat)
#   FR_LIVE_SECONDS  how long the live stream runs (default: 40)
#   FR_LIVE_EXCLUDE  commands left out of the live grammar (A,B,...)
#   FR_FIXTURES      fixture directory (default: SOURCE/fixtures/conformance)
#   FR_GRAMMAR       the live grammar (default: BUILDDIR/tests/conformance/
#                    fuzz-grammar.txt, written by make check)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd) || exit 2
cd "$build" || exit 2
# shellcheck source=common.sh disable=SC2154
. "$here/common.sh"
fr_conf_setup

conform=${FR_CONFORM:-$build/tests/conformance/fr-conform}
grammar=${FR_GRAMMAR:-$build/tests/conformance/fuzz-grammar.txt}
ref_cmd=${FR_REF_CMD:-redis-server}
seed=${FR_LIVE_SEED:-1}
seconds=${FR_LIVE_SECONDS:-40}
passed=0
failed=0
tmp=$(mktemp -d /tmp/fr-gate.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT

summary() {
    echo "conformance: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

if [ ! -x "$conform" ]; then
    echo "FAIL conformance: fr-conform not built at $conform"
    failed=1
    summary
    exit
fi
if ! command -v "${ref_cmd%% *}" >/dev/null 2>&1; then
    echo "FAIL conformance: reference server '$ref_cmd' not installed" \
        "(scripts/deps.sh --test installs redis-server)"
    failed=1
    summary
    exit
fi

# 1. recorded fixtures
fr_pick_fixtures
for f in "${fixtures_skip[@]}"; do
    echo "SKIP $(basename "$f"): needs module $(fr_fixture_module "$f"), not loaded by $conf"
done
"$conform" replay --gate --server-cmd "$server_cmd" "${fixtures_run[@]}" >"$tmp/replay" 2>&1
rc=$?
grep -v '^DRIFT\|^    data:\|^total:' "$tmp/replay"
grep '^DRIFT\|^    data:' "$tmp/replay" | head -n 60 | sed 's/^/    /'
line=$(grep '^total: ' "$tmp/replay" | tail -n 1)
if [[ $line =~ ([0-9]+)\ cases,\ ([0-9]+)\ ok,\ ([0-9]+)\ drift\ \(([0-9]+)\ critical,\ ([0-9]+)\ major,\ ([0-9]+)\ minor\) ]]; then
    passed=$((passed + BASH_REMATCH[2] + BASH_REMATCH[6]))
    failed=$((failed + BASH_REMATCH[4] + BASH_REMATCH[5]))
    echo "$line"
else
    echo "FAIL conformance/replay: no summary (exit $rc)"
    tail -n 20 "$tmp/replay" | sed 's/^/    /'
    failed=$((failed + 1))
fi
if [ "$rc" -eq 2 ]; then
    echo "FAIL conformance/replay: harness error (a server did not start?)"
    failed=$((failed + 1))
fi

# 2. the grammar is the server's command set (and the policy names only
# commands the grammar has)
if [ ! -f "$grammar" ]; then
    echo "FAIL conformance/grammar: no grammar at $grammar (make check writes it)"
    failed=$((failed + 1))
elif "$conform" grammar-check --grammar "$grammar" --server-cmd "$server_cmd" >"$tmp/grammar" 2>&1; then
    echo "PASS conformance/grammar ($(tail -n 1 "$tmp/grammar" | sed 's/^grammar: //'))"
    passed=$((passed + 1))
else
    echo "FAIL conformance/grammar:"
    sed 's/^/    /' "$tmp/grammar"
    failed=$((failed + 1))
fi

# 3. live differential
live_args=(live --grammar "$grammar" --seed "$seed" --seconds "$seconds" --shrink-seconds 15
    --server-cmd "$server_cmd" --ref-cmd "$ref_cmd")
if [ -n "${FR_LIVE_EXCLUDE:-}" ]; then
    live_args+=(--exclude "$FR_LIVE_EXCLUDE")
fi
"$conform" "${live_args[@]}" >"$tmp/live" 2>&1
rc=$?
cat "$tmp/live"
if [ "$rc" -eq 0 ]; then
    echo "PASS conformance/live"
    passed=$((passed + 1))
else
    echo "FAIL conformance/live (exit $rc; reproduce with: fr-conform ${live_args[*]})"
    failed=$((failed + 1))
fi

# 4. docs/spec cites fixture cases by name; every cited name must exist
spec_refs() {
    local names refs unknown r n
    names=$(grep -h '^=== ' "$src"/fixtures/conformance/*.txt | sed 's/^=== //' | LC_ALL=C sort -u)
    # shellcheck disable=SC2016 # backticks are literal here
    refs=$(grep -oh '`\(strings\|keys\|server\|resp3\|multi\|proto\|command\|ttl\|expire\)/[a-z0-9*-]*`' \
        "$src"/docs/spec/*.md 2>/dev/null | tr -d '`' | LC_ALL=C sort -u)
    unknown=$(LC_ALL=C comm -23 <(printf '%s\n' "$refs" | grep -v '\*$') <(printf '%s\n' "$names"))
    for r in $(printf '%s\n' "$refs" | grep '\*$'); do
        printf '%s\n' "$names" | grep -q "^${r%\*}" || unknown+=$'\n'"$r"
    done
    n=$(printf '%s\n' "$unknown" | grep -c .)
    if [ "$n" -eq 0 ]; then
        echo "PASS conformance/spec-references ($(printf '%s\n' "$refs" | grep -c .) cited cases)"
        passed=$((passed + 1))
    else
        echo "FAIL conformance/spec-references: docs/spec cites $n case(s) no fixture defines:"
        printf '%s\n' "$unknown" | grep . | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}
spec_refs
summary

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# report.sh [SRCDIR [BUILDDIR]] -- writes docs/compat/REPORT.md and
# docs/compat/report.json: the fixtures replayed against our server (per
# family: cases, passes, drifts by severity) and a matrix of every Redis 7.0
# command (module implementing it, fixture cases, status).  `make
# conformance-report` runs it.
#
# Owns: which inputs the report is built from: the command list
# fixtures/conformance/redis-7.0-commands.txt, the manifests
# core/commands.yaml and modules/*/*.yaml, and the fixture files (those that
# need a module the configuration does not load are listed as not run).
# Output has no timestamps: an unchanged tree gives identical files.
# environment: FR_SERVER_CMD, FR_FIXTURES as for gate.sh; FR_COMPAT_DIR
# overrides the output directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:-$here/../..}" && pwd) || exit 2
build=$(cd "${2:-$src}" && pwd) || exit 2
cd "$build" || exit 2
# shellcheck source=common.sh disable=SC2154
. "$here/common.sh"
fr_conf_setup
conform=${FR_CONFORM:-$build/tests/conformance/fr-conform}
out=${FR_COMPAT_DIR:-$src/docs/compat}
[ -x "$conform" ] || { echo "report.sh: fr-conform not built at $conform" >&2; exit 2; }

fr_pick_fixtures
args=(report --server-cmd "$server_cmd" --out-dir "$out"
    --commands "$src/fixtures/conformance/redis-7.0-commands.txt"
    --manifest "$src/core/commands.yaml")
for m in "$src"/modules/*/; do
    m=$(basename "$m")
    [ -f "$src/modules/$m/$m.yaml" ] && args+=(--manifest "$src/modules/$m/$m.yaml")
done
for f in "${fixtures_skip[@]}"; do
    args+=(--not-run "$f")
done
modules=$(fr_conf_modules | tr '\n' ' ')
modules=${modules% }
if [ -n "$modules" ]; then
    # without "module" lines the server loads its default set: mark nothing
    args+=(--loaded "${modules// /,}")
fi
args+=(--label "frankenredis-server, conf/frankenredis.conf (modules loaded: ${modules:-default set})")
mkdir -p "$out"
"$conform" "${args[@]}" "${fixtures_run[@]}" "${fixtures_skip[@]}" | grep -v '^DRIFT\|^    data:'
rc=${PIPESTATUS[0]}
# drifts are findings, not failures of the report
[ "$rc" -le 1 ]

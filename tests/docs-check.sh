#!/usr/bin/env bash
# docs-check.sh SRCDIR BUILDDIR -- docs/commands/*.md are generated from the
# manifests (`make docs`); this fails when a manifest changed and the docs
# were not regenerated, so the manifest stays the single source of truth.
set -u
src=${1:?} build=${2:?}
tool=$(cd "$build" && pwd)/fr-manifest-tool
cd "$src" || exit 2
passed=0 failed=0
check() {  # MANIFEST DOC
  if diff -q <("$tool" docs "$1") "$2" >/dev/null 2>&1; then
    echo "PASS docs/$(basename "$2")"; passed=$((passed + 1))
  else
    echo "FAIL docs/$(basename "$2"): out of date with $1 (run: make docs)"; failed=$((failed + 1))
  fi
}
check core/commands.yaml docs/commands/core.md
for m in modules/*/; do
  name=$(basename "$m")
  [[ -f "modules/$name/$name.yaml" ]] || continue  # modules/lib: shared code, no module
  check "modules/$name/$name.yaml" "docs/commands/$name.md"
done
echo "docs: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

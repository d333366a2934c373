# shellcheck shell=bash disable=SC2034,SC2154
# common.sh -- shared by gate.sh and report.sh; source it, do not run it.
#
# Owns: which configuration and server command the conformance scripts use,
# and which fixture files apply to it.  A fixture file named after a module
# (NAME.txt, or ...-NAME.txt, for a folder modules/NAME) needs that module:
# it is left out when the configuration does not load it.  The command list
# redis-7.0-commands.txt is data for the report, not a fixture.
# Expects: $src (source tree) and $build (build tree, the current directory).

# Sets conf and server_cmd (FR_SERVER_CMD overrides the command).
fr_conf_setup() {
    conf=conf/frankenredis.conf
    if [ ! -f "$conf" ] && [ -f "$src/conf/frankenredis.conf" ]; then
        conf=$src/conf/frankenredis.conf
    fi
    server_cmd=${FR_SERVER_CMD:-"./frankenredis-server $conf"}
}

# Prints the modules the configuration loads, one per line.
fr_conf_modules() {
    [ -f "$conf" ] || return 0
    sed -n 's/^[[:space:]]*module[[:space:]]\{1,\}\([A-Za-z0-9_-]\{1,\}\).*/\1/p' "$conf"
}

# The module a fixture file needs, or nothing.
fr_fixture_module() {
    local base m
    base=$(basename "$1" .txt)
    for m in "$src"/modules/*/; do
        m=$(basename "$m")
        if [ "$base" = "$m" ] || [ "${base%-"$m"}" != "$base" ]; then
            echo "$m"
            return
        fi
    done
}

# Fills the arrays fixtures_run and fixtures_skip (FR_FIXTURES overrides the
# directory; FR_WITH_ALL=1 runs every file whatever the configuration).
fr_pick_fixtures() {
    local dir=${FR_FIXTURES:-$src/fixtures/conformance} f need loaded
    loaded=$(fr_conf_modules)
    fixtures_run=()
    fixtures_skip=()
    for f in "$dir"/*.txt; do
        [ "$(basename "$f")" = redis-7.0-commands.txt ] && continue
        need=$(fr_fixture_module "$f")
        if [ -n "$need" ] && [ "${FR_WITH_ALL:-0}" != 1 ] &&
            ! printf '%s\n' "$loaded" | grep -qx "$need"; then
            fixtures_skip+=("$f")
        else
            fixtures_run+=("$f")
        fi
    done
}

#!/usr/bin/env bash
# acl.sh SRCDIR BUILDDIR -- ACL users and permissions against redis-server
# 7.0.15, byte for byte (acl_check.py): SETUSER rule strings and errors,
# GETUSER, LIST, CAT, DRYRUN, NOPERM refusals (command, key, channel, EXEC
# after a rules change), AUTH/HELLO, LOG entries, DELUSER closing clients;
# then users from config `user` lines and from an aclfile (ACL LIST at
# start, ACL SAVE and LOAD).  Prints "acl: N passed, M failed".
set -u
src=${1:?} build=${2:?}
. "$src/tests/integration/lib.sh"
fr_init

summary() {
    printf 'acl: %d passed, %d failed\n' "$FR_PASSED" "$FR_FAILED"
    [ "$FR_FAILED" -eq 0 ]
}
check=$src/tests/integration/acl_check.py

fr_start_named ours "$build/frankenredis-server $src/conf/frankenredis.conf" || { summary; exit 1; }
fr_start_named ref redis-server || { summary; exit 1; }
fr_relay /usr/bin/python3 "$check" "$PORT_ours" "$PORT_ref"
fr_stop_server "$PID_ours"; fr_stop_server "$PID_ref"

# Users from the config file.
users="--user alice on '>pw' '~k*' '+@read' --user default on nopass '~*' '&*' '+@all' '-flushall'"
fr_start_named cours "$build/frankenredis-server $src/conf/frankenredis.conf $users" || { summary; exit 1; }
fr_start_named cref "redis-server $users" || { summary; exit 1; }
fr_relay /usr/bin/python3 "$check" "$PORT_cours" "$PORT_cref" config-users
fr_stop_server "$PID_cours"; fr_stop_server "$PID_cref"

# An aclfile: loaded at start, SAVE writes what LOAD reads back.
for who in ours ref; do
    printf 'user default on nopass ~* &* +@all\nuser bob on #%s ~b* &n +@hash -hdel\n' \
        "$(printf pw | sha256sum | cut -d' ' -f1)" > "$FR_TMP/$who.acl"
done
fr_start_named fours "$build/frankenredis-server $src/conf/frankenredis.conf --aclfile $FR_TMP/ours.acl" || { summary; exit 1; }
fr_start_named fref "redis-server --aclfile $FR_TMP/ref.acl" || { summary; exit 1; }
fr_relay /usr/bin/python3 "$check" "$PORT_fours" "$PORT_fref" aclfile-start
for p in "$PORT_fours" "$PORT_fref"; do
    redis-cli -p "$p" ACL SETUSER carol on nopass '~c*' '+get' >/dev/null
    redis-cli -p "$p" ACL SAVE >/dev/null
    redis-cli -p "$p" ACL DELUSER carol >/dev/null
    redis-cli -p "$p" ACL LOAD >/dev/null
done
fr_relay /usr/bin/python3 "$check" "$PORT_fours" "$PORT_fref" aclfile-save-load
if cmp -s "$FR_TMP/ours.acl" "$FR_TMP/ref.acl"; then fr_pass acl/aclfile-same-file
else fr_fail acl/aclfile-same-file "ACL SAVE wrote: $(cat "$FR_TMP/ours.acl") / Redis: $(cat "$FR_TMP/ref.acl")"; fi
printf 'user bob on +nosuch\nnot a user line\n' > "$FR_TMP/ours.acl"
cp "$FR_TMP/ours.acl" "$FR_TMP/ref.acl"
o=$(redis-cli -p "$PORT_fours" ACL LOAD 2>&1 | sed "s#$FR_TMP/ours.acl#F#g")
r=$(redis-cli -p "$PORT_fref" ACL LOAD 2>&1 | sed "s#$FR_TMP/ref.acl#F#g")
fr_check_eq acl/aclfile-load-errors "$r" "$o"
fr_stop_server "$PID_fours"; fr_stop_server "$PID_fref"
summary

#!/usr/bin/env python3
"""repl_gate_check.py -- refusals tied to replication state, against redis-server.

Called by propagation.sh with the ports of a FrankenRedis and a redis-server
7.0.15:

  repl_gate_check.py PORT_FR PORT_REDIS

Each case runs the same commands on both servers (two connections: 0 runs
the transaction or script, 1 changes the configuration in between) and
compares every raw reply: min-replicas-to-write refusing writes
(-NOREPLICAS) in plain commands, EXEC (EXECABORT, nothing run) and
scripts with and without flags; replica-serve-stale-data no on a replica
whose master is unreachable (-MASTERDOWN) for commands, EXEC and scripts;
INFO's min_slaves_good_slaves.

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import sys

from wire import Raw

SHEBANG = "#!lua\nreturn 1"
RO_STALE = "#!lua flags=allow-stale,no-writes\nreturn redis.call('get','xx')"

CASES = [
    ("min-replicas", [
        (1, ["SET", "xx", "1"]), (1, ["CONFIG", "SET", "min-replicas-to-write", "2"]),
        (0, ["SET", "xx", "2"]), (0, ["GET", "xx"]), (0, ["INCR", "xx"]),
        (0, ["EVAL", "return redis.call('set','xx','3')", "0"]), (0, ["EVAL", SHEBANG, "0"]),
        (0, ["EVAL", "#!lua flags=no-writes\nreturn 1", "0"]),
        (1, ["CONFIG", "SET", "min-replicas-max-lag", "0"]), (0, ["SET", "xx", "4"]),
        (1, ["CONFIG", "SET", "min-replicas-max-lag", "10"]),
        (1, ["CONFIG", "SET", "min-replicas-to-write", "0"]), (0, ["SET", "xx", "5"])]),
    ("min-replicas-exec", [
        (1, ["SET", "xx", "1"]), (0, ["MULTI"]), (0, ["INCR", "xx"]),
        (1, ["CONFIG", "SET", "min-replicas-to-write", "2"]), (0, ["EXEC"]), (0, ["GET", "xx"]),
        (0, ["MULTI"]), (0, ["GET", "xx"]), (0, ["EXEC"]),
        (1, ["CONFIG", "SET", "min-replicas-to-write", "0"])]),
    ("min-replicas-info", [
        (1, ["CONFIG", "SET", "min-replicas-to-write", "3"]), (0, ["INFO", "replication"]),
        (1, ["CONFIG", "SET", "min-replicas-to-write", "0"]), (0, ["INFO", "replication"])]),
    ("stale", [
        (1, ["SET", "xx", "1"]), (1, ["CONFIG", "SET", "replica-serve-stale-data", "no"]),
        (0, ["MULTI"]), (0, ["GET", "xx"]), (1, ["REPLICAOF", "localhsot", "0"]), (0, ["EXEC"]),
        (0, ["GET", "xx"]), (0, ["PING"]), (0, ["CONFIG", "GET", "replica-serve-stale-data"]),
        (0, ["EVAL", "return 1", "0"]), (0, ["EVAL", SHEBANG, "0"]), (0, ["EVAL", RO_STALE, "0"]),
        (0, ["EVAL", "#!lua flags=allow-stale,no-writes\nreturn redis.call('config','get','port') ~= nil", "0"]),
        (0, ["MULTI"]), (0, ["PING"]), (0, ["EXEC"]),
        (1, ["REPLICAOF", "NO", "ONE"]), (0, ["GET", "xx"]),
        (1, ["CONFIG", "SET", "replica-serve-stale-data", "yes"])]),
]


def normalise(reply):
    """INFO replication: only the fields this check is about."""
    if not reply.startswith(b"$") or b"connected_slaves" not in reply:
        return reply
    keep = [ln for ln in reply.split(b"\r\n") if ln.startswith((b"role:", b"connected_slaves:", b"min_slaves"))]
    return b"\r\n".join(keep)


def run(port):
    out = []
    for name, steps in CASES:
        conns = [Raw(port), Raw(port)]
        out.append((name, [(words, normalise(conns[k].call(*words))) for k, words in steps]))
    return out


def main():
    ours, ref = run(int(sys.argv[1])), run(int(sys.argv[2]))
    for (name, a), (_, b) in zip(ours, ref):
        bad = [(w, x, y) for (w, x), (_, y) in zip(a, b) if x != y]
        if bad:
            w, x, y = bad[0]
            print("FAIL repl_gate/%s: %r: want %r got %r" % (name, w, y, x))
        else:
            print("PASS repl_gate/%s" % name)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""propagation_check.py -- what a replica receives, against redis-server.

Called by propagation.sh with the ports of a FrankenRedis and a
redis-server 7.0.15:

  propagation_check.py PORT_FR PORT_REDIS

Connects to each as a replica (SYNC), skips the RDB, then runs each case
below on a second connection and compares the command stream that follows
byte for byte: transactions (a lone write goes out without MULTI/EXEC,
several inside one, reads-only send nothing, SELECT inside EXEC), scripts
(their effects wrapped when several), a transaction holding a script, a
key found expired inside EXEC (its DEL joins the transaction) or by a
lone command (its DEL and the command go out in MULTI/EXEC, but not for
SCAN), and XAUTOCLAIM's lookup before it parses.  Each case
ends with a marker write so both streams stop at the same point.

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import re
import sys
import time

from wire import Raw, stream_until, sync_replica

CASES = [
    ("exec-one-write", [["MULTI"], ["SET", "a", "1"], ["EXEC"]]),
    ("exec-two-writes", [["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["EXEC"]]),
    ("exec-write-and-read", [["MULTI"], ["GET", "a"], ["INCR", "a"], ["GET", "a"], ["EXEC"]]),
    ("exec-reads-only", [["MULTI"], ["GET", "a"], ["EXEC"]]),
    ("exec-noop-write", [["MULTI"], ["DEL", "nosuch"], ["SET", "b", "2"], ["EXEC"]]),
    ("exec-select", [["MULTI"], ["SET", "a", "1"], ["SELECT", "2"], ["SET", "b", "1"], ["SELECT", "0"],
                     ["EXEC"]]),
    ("exec-select-one-write", [["MULTI"], ["SELECT", "3"], ["SET", "c", "1"], ["SELECT", "0"], ["EXEC"]]),
    ("exec-publish", [["MULTI"], ["PUBLISH", "ch", "m"], ["EXEC"]]),
    ("exec-discard", [["MULTI"], ["SET", "a", "9"], ["DISCARD"]]),
    ("exec-rewritten", [["MULTI"], ["SET", "t", "v", "EX", "100"], ["EXEC"]]),
    ("exec-rewritten-two", [["MULTI"], ["SET", "t", "v", "EX", "100"], ["INCRBYFLOAT", "f", "1.5"], ["EXEC"]]),
    ("eval-one-write", [["EVAL", "redis.call('set','s','1')", "0"]]),
    ("eval-two-writes", [["EVAL", "redis.call('set','s','1') redis.call('incr','s')", "0"]]),
    ("exec-eval", [["MULTI"], ["EVAL", "redis.call('set','s','1')", "0"], ["EXEC"]]),
    ("exec-eval-and-write", [["MULTI"], ["EVAL", "redis.call('set','s','1') redis.call('incr','s')", "0"],
                             ["SET", "a", "1"], ["EXEC"]]),
    ("publish", [["PUBLISH", "ch", "m"], ["SPUBLISH", "sh", "m"]]),
    ("eval-publish", [["EVAL", "redis.call('publish','ch','m') redis.call('set','a','1')", "0"]]),
    # active expiry off, so that the key is found expired by GET in EXEC
    ("exec-expired-key", [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "e", "1", "PX", "30"], ["SLEEP"],
                          ["MULTI"], ["GET", "e"], ["SET", "a", "2"], ["EXEC"],
                          ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]),
    # a key a command finds expired is that command's effect: its DEL and
    # the command go out together, inside MULTI/EXEC (Redis's alsoPropagate)
    ("write-expired-key", [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "e", "1", "PX", "30"], ["SET", "f", "1"],
                           ["SLEEP"], ["DEL", "f", "e"], ["SET", "e", "2", "PX", "30"], ["SLEEP"],
                           ["SET", "e", "3"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]),
    # ... but not for a command that touches arbitrary keys: SCAN's DELs go
    # out alone, like active expiry's (their order is each server's hash
    # order: compared sorted)
    ("scan-expired-keys", [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SELECT", "5"], ["SET", "e1", "1", "PX", "30"],
                           ["SET", "e2", "1", "PX", "30"], ["SLEEP"], ["SCAN", "0", "COUNT", "1000"],
                           ["SELECT", "0"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]),
    # XAUTOCLAIM looks its key up before it parses: the expired key goes
    # even when the min-idle-time is refused
    ("xautoclaim-expired-key", [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "x", "1", "PX", "30"], ["SLEEP"],
                                ["XAUTOCLAIM", "x", "g", "c", "nan", "0"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]),
]

# cases whose frames come in hash-table order
UNORDERED = {"scan-expired-keys"}


def sorted_frames(stream):
    """The stream's frames (commands) sorted, for UNORDERED cases."""
    return b"".join(sorted(re.findall(rb"\*\d+\r\n(?:\$\d+\r\n[^\r]*\r\n)+", stream)))


def normalised_until(f, marker):
    """The stream up to the marker; PXAT's absolute time differs between
    the two servers' clocks."""
    return re.sub(rb"(PXAT\r\n\$13\r\n)\d{13}", rb"\1<ms>", stream_until(f, marker))


def run(port):
    c = Raw(port)
    c.call("FLUSHALL")
    rep = sync_replica(port)
    f = rep.f
    time.sleep(0.2)
    out = []
    for k, (name, steps) in enumerate(CASES):
        replies = []
        for step in steps:
            if step == ["SLEEP"]:
                time.sleep(0.1)
                continue
            replies.append(c.call(*step))
        marker = "end%d" % k
        c.call("SET", marker, "1")
        stream = normalised_until(f, marker.encode())
        if name in UNORDERED:
            stream = sorted_frames(stream)
        out.append((name, b"".join(replies), stream))
    rep.close()
    return out


def main():
    ours, ref = run(int(sys.argv[1])), run(int(sys.argv[2]))
    for (name, r1, s1), (_, r2, s2) in zip(ours, ref):
        if r1 != r2:
            print("FAIL propagation/%s/replies: want %r got %r" % (name, r2, r1))
        else:
            print("PASS propagation/%s/replies" % name)
        if s1 != s2:
            print("FAIL propagation/%s/stream: want %r got %r" % (name, s2, s1))
        else:
            print("PASS propagation/%s/stream" % name)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""stream_check.py -- the stream type against redis-server 7.0.15.

Called by stream.sh with the ports of a FrankenRedis and a redis-server
(the latter with sanitize-dump-payload yes where payloads are fuzzed):

  stream_check.py script PORT_FR PORT_REDIS
        a fixed script of every stream command, option and error, in RESP2
        and RESP3: raw replies byte for byte (explicit IDs only, so the
        replies are the same), then DUMP payloads of every key
  stream_check.py fuzz PORT_FR PORT_REDIS N SEED
        N random XADD/XTRIM/XDEL/XRANGE/XREVRANGE/XSETID under small
        stream-node-max-* settings: same raw replies, same DUMP payloads
  stream_check.py groups PORT_FR PORT_REDIS
        a fixed script of the consumer group commands (replies that carry
        times compared with their integers masked)
  stream_check.py gfuzz PORT_FR PORT_REDIS N SEED
        N random group commands among XADD/XDEL/XTRIM/XSETID: same replies
  stream_check.py dump PORT_FR PORT_REDIS
        DUMP payloads of streams move both ways: each server RESTOREs the
        other's and DUMPs it back byte for byte
  stream_check.py corrupt PORT_FR PORT_REDIS N SEED
        N mutated stream payloads RESTOREd into both: our server never
        stops, refuses whatever Redis refuses, and what it accepts reads
  stream_check.py fill PORT / streams PORT [exact]
        the data set an RDB file carries both ways / its listing
  stream_check.py block PORT_FR PORT_REDIS
        blocking XREAD woken by XADD ($, an explicit ID, several keys,
        timeout, inside MULTI), same raw bytes as Redis
  stream_check.py repl PORT_FR PORT_REDIS
        the commands a replica receives after SYNC for stream writes

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import Conn, Err, seal  # noqa: E402
from wire import info_fields  # noqa: E402


class Raw:
    """A connection returning each reply's raw bytes (RESP2 and RESP3)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("closed")
        self.buf += chunk

    def _line(self, pos):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            self._fill()

    def _one(self, pos):
        end = self._line(pos)
        kind, rest = self.buf[pos:pos + 1], self.buf[pos + 1:end]
        pos = end + 2
        if kind in b"$=!":
            n = int(rest)
            if n < 0:
                return pos
            while len(self.buf) < pos + n + 2:
                self._fill()
            return pos + n + 2
        if kind in b"*~>":
            n = int(rest)
            for _ in range(max(n, 0)):
                pos = self._one(pos)
            return pos
        if kind == b"%" or kind == b"|":
            for _ in range(int(rest) * 2):
                pos = self._one(pos)
            return pos
        return pos

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def read(self):
        end = self._one(0)
        r, self.buf = self.buf[:end], self.buf[end:]
        return r

    def call(self, *args):
        self.send(*args)
        return self.read()


class Checks:
    def __init__(self):
        self.failed = 0

    def ok(self, name, cond, why=""):
        if cond:
            print("PASS " + name)
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, why))


# ---- the fixed script --------------------------------------------------------

SCRIPT = [
    ["DEL", "s", "s2", "str", "e"],
    ["SET", "str", "v"],
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "0-0", "a", "1"],
    ["XADD", "s", "0-1", "a", "1"],
    ["XADD", "s", "1-*", "a", "2", "b", "3"],
    ["XADD", "s", "2-*", "a", "2", "b", "3"],
    ["XADD", "s", "3", "f", "v"],
    ["XADD", "s", "3-5", "f"],
    ["XADD", "s", "3-6"],
    ["XADD", "s", "abc", "f", "v"],
    ["XADD", "s", "3-x", "f", "v"],
    ["XADD", "s", "-", "f", "v"],
    ["XADD", "s", "+", "f", "v"],
    ["XADD", "s", "4-18446744073709551615", "f", "v"],
    ["XADD", "s", "4-*", "f", "v"],
    ["XADD", "s", "18446744073709551615-18446744073709551614", "f", "v"],
    ["XLEN", "s"],
    ["XADD", "str", "1-1", "a", "1"],
    ["XADD", "nokey", "NOMKSTREAM", "1-1", "a", "1"],
    ["EXISTS", "nokey"],
    ["XADD", "s2", "MAXLEN", "-1", "1-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "x", "1-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "1", "MINID", "1", "1-1", "a", "1"],
    ["XADD", "s2", "LIMIT", "10", "1-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "10", "LIMIT", "10", "1-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "~", "10", "LIMIT", "-1", "1-1", "a", "1"],
    ["XADD", "s2", "MINID", "~", "+", "1-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "~", "10", "LIMIT", "5", "1-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "=", "2", "2-1", "a", "1"],
    ["XADD", "s2", "MAXLEN", "2", "3-1", "a", "1", "b", "2"],
    ["XADD", "s2", "MINID", "3", "4-1", "a", "1"],
    ["XADD", "s2", "MINID", "=", "4", "5-1", "a", "1"],
    ["XRANGE", "s2", "-", "+"],
    ["XLEN", "s2"],
    ["XRANGE", "s", "-", "+"],
    ["XRANGE", "s", "-", "+", "COUNT", "2"],
    ["XRANGE", "s", "-", "+", "COUNT", "0"],
    ["XRANGE", "s", "-", "+", "COUNT", "-5"],
    ["XRANGE", "s", "-", "+", "COUNT"],
    ["XRANGE", "s", "-", "+", "LIMIT", "2"],
    ["XRANGE", "s", "(1-1", "+"],
    ["XRANGE", "s", "(1-1", "(3-0"],
    ["XRANGE", "s", "1", "2"],
    ["XRANGE", "s", "(-", "+"],
    ["XRANGE", "s", "-", "(+"],
    ["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"],
    ["XRANGE", "s", "-", "(0-0"],
    ["XRANGE", "s", "x", "+"],
    ["XRANGE", "nokey", "-", "+"],
    ["XRANGE", "str", "-", "+"],
    ["XREVRANGE", "s", "+", "-"],
    ["XREVRANGE", "s", "+", "-", "COUNT", "1"],
    ["XREVRANGE", "s", "(3-0", "(1-1"],
    ["XREVRANGE", "s", "3", "1"],
    ["XDEL", "s", "1-2"],
    ["XDEL", "s", "1-2", "9-9"],
    ["XDEL", "s", "1-1", "x"],
    ["XDEL", "nokey", "1-1"],
    ["XDEL", "str", "1-1"],
    ["XLEN", "s"],
    ["XRANGE", "s", "-", "+"],
    ["XTRIM", "s"],
    ["XTRIM", "s", "MAXLEN"],
    ["XTRIM", "s", "FOO", "1"],
    ["XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "1"],
    ["XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"],
    ["XTRIM", "s", "MAXLEN", "100"],
    ["XTRIM", "nokey", "MAXLEN", "1"],
    ["XTRIM", "str", "MAXLEN", "1"],
    ["XTRIM", "s", "MINID", "2-0"],
    ["XRANGE", "s", "-", "+"],
    ["XTRIM", "s", "MAXLEN", "=", "0"],
    ["XLEN", "s"],
    ["EXISTS", "s"],
    ["XADD", "s", "3-*", "a", "1"],
    ["XADD", "s", "5-*", "a", "1"],
    ["XSETID", "s", "1-1"],
    ["XSETID", "s", "6-0"],
    ["XSETID", "s", "7-0", "ENTRIESADDED", "-1"],
    ["XSETID", "s", "7-0", "ENTRIESADDED", "0"],
    ["XSETID", "s", "7-0", "ENTRIESADDED", "100", "MAXDELETEDID", "8-0"],
    ["XSETID", "s", "7-0", "ENTRIESADDED", "100", "MAXDELETEDID", "2-0"],
    ["XSETID", "s", "7-0", "FOO"],
    ["XSETID", "nokey", "7-0"],
    ["XSETID", "str", "7-0"],
    ["XSETID", "s", "-"],
    ["XADD", "s", "7-0", "a", "1"],
    ["XADD", "s", "7-*", "a", "1"],
    ["XREAD", "STREAMS", "s", "0"],
    ["XREAD", "COUNT", "1", "STREAMS", "s", "s2", "0", "0"],
    ["XREAD", "STREAMS", "s", "$"],
    ["XREAD", "STREAMS", "s"],
    ["XREAD", "STREAMS", "s", ">"],
    ["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"],
    ["XREAD", "NOACK", "STREAMS", "s", "0"],
    ["XREAD", "COUNT", "x", "STREAMS", "s", "0"],
    ["XREAD", "BLOCK", "x", "STREAMS", "s", "0"],
    ["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"],
    ["XREAD", "FOO", "STREAMS", "s", "0"],
    ["XREAD", "COUNT", "1"],
    ["XREAD", "STREAMS", "str", "0"],
    ["XREAD", "STREAMS", "nokey", "0"],
    ["XREAD", "STREAMS", "s", "99-0"],
    ["XREAD", "STREAMS", "s", "bad"],
    ["XREAD", "BLOCK", "10", "STREAMS", "s", "99-0"],
    ["MULTI"],
    ["XREAD", "BLOCK", "0", "STREAMS", "s", "99-0"],
    ["XADD", "e", "1-1", "x", "y"],
    ["XADD", "e", "MAXLEN", "~", "0", "2-1", "x", "y"],
    ["EXEC"],
    ["XADD", "b", "1-1", "12345", "-7", "", "x" * 70],
    ["XADD", "b", "1-2", "12345", "9223372036854775807", "", "y" * 5000],
    ["XRANGE", "b", "-", "+"],
    ["TYPE", "s"],
    ["OBJECT", "ENCODING", "s"],
    ["XLEN"],
    ["XADD", "s"],
    ["COPY", "s", "scopy"],
    ["XRANGE", "scopy", "-", "+"],
    ["DEBUG", "DIGEST-VALUE", "s", "scopy", "b"],
]


# Consumer groups; replies of the commands marked with "~" carry times
# (idle, delivery and seen times) and are compared with integers masked.
GROUP_SCRIPT = [
    ["DEL", "g", "str", "nokey"],
    ["SET", "str", "v"],
    ["XGROUP", "CREATE", "g", "grp", "$"],
    ["XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "str", "grp", "$"],
    ["XGROUP", "CREATE", "g", "g2", "0", "ENTRIESREAD", "-2"],
    ["XGROUP", "CREATE", "g", "g2", "0", "ENTRIESREAD", "x"],
    ["XGROUP", "CREATE", "g", "g2", "0", "FOO"],
    ["XGROUP", "CREATE", "g", "g2", "bad"],
    ["XGROUP", "CREATE", "g", "g2", "0", "ENTRIESREAD", "3"],
    ["XGROUP", "CREATE", "g", "a-grp", "0"],
    ["XGROUP", "CREATE", "g", "grp-longer", "0"],
    ["XADD", "g", "1-1", "f", "v1"],
    ["XADD", "g", "2-1", "f", "v2"],
    ["XADD", "g", "3-1", "f", "v3", "h", "w"],
    ["XADD", "g", "4-1", "f", "v4"],
    ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "2", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "bob", "COUNT", "1", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g", "0"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g", "1-1"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g", "$"],
    ["XREADGROUP", "GROUP", "nogrp", "alice", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "nokey", ">"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "str", ">"],
    ["XREADGROUP", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "carol", "NOACK", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "carol", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "a-grp", "al", "COUNT", "1", "STREAMS", "g", "0"],
    ["XPENDING", "g", "grp"],
    ["XPENDING", "g", "a-grp"],
    ["XPENDING", "g", "nogrp"],
    ["XPENDING", "nokey", "grp"],
    ["XPENDING", "str", "grp"],
    ["XPENDING", "g", "grp", "-", "+"],
    ["XPENDING", "g", "grp", "-", "+", "x"],
    ["XPENDING", "g", "grp", "IDLE", "x", "-", "+", "10"],
    ["XPENDING", "g", "grp", "IDLE", "5", "-", "+"],
    ["~XPENDING", "g", "grp", "-", "+", "10"],
    ["~XPENDING", "g", "grp", "(1-1", "+", "10", "alice"],
    ["~XPENDING", "g", "grp", "-", "+", "10", "nobody"],
    ["~XPENDING", "g", "grp", "IDLE", "100000", "-", "+", "10"],
    ["XACK", "g", "grp", "1-1", "9-9"],
    ["XACK", "g", "grp", "1-1"],
    ["XACK", "g", "grp", "bad"],
    ["XACK", "g", "nogrp", "1-1"],
    ["XACK", "nokey", "grp", "1-1"],
    ["XACK", "str", "grp", "1-1"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1"],
    ["XCLAIM", "g", "grp", "dave", "0", "3-1", "JUSTID"],
    ["XCLAIM", "g", "grp", "dave", "1000000", "2-1"],
    ["XCLAIM", "g", "grp", "dave", "x", "2-1"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1", "IDLE", "x"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1", "TIME", "x"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1", "RETRYCOUNT", "x"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1", "LASTID", "x"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1", "BOGUS"],
    ["XCLAIM", "g", "grp", "dave", "0", "2-1", "RETRYCOUNT", "7", "JUSTID"],
    ["XCLAIM", "g", "grp", "erin", "0", "1-1", "FORCE", "JUSTID"],
    ["XCLAIM", "g", "grp", "erin", "0", "4-1", "9-9", "FORCE"],
    ["XCLAIM", "g", "grp", "erin", "0", "9-9", "LASTID", "5-0"],
    ["XCLAIM", "g", "nogrp", "erin", "0", "1-1"],
    ["XCLAIM", "nokey", "grp", "erin", "0", "1-1"],
    ["XCLAIM", "str", "grp", "erin", "0", "1-1"],
    ["XDEL", "g", "3-1"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "0"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "0", "COUNT", "1"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "(1-1", "COUNT", "1", "JUSTID"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "0", "COUNT", "0"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "0", "COUNT", "x"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "0", "BOGUS"],
    ["XAUTOCLAIM", "g", "grp", "frank", "x", "0"],
    ["XAUTOCLAIM", "g", "grp", "frank", "0", "bad"],
    ["XAUTOCLAIM", "g", "nogrp", "frank", "0", "0"],
    ["XAUTOCLAIM", "nokey", "grp", "frank", "0", "0"],
    ["XAUTOCLAIM", "g", "grp", "frank", "100000", "0"],
    ["XINFO", "GROUPS", "g"],
    ["XINFO", "GROUPS", "nokey"],
    ["XINFO", "GROUPS", "str"],
    ["~XINFO", "CONSUMERS", "g", "grp"],
    ["XINFO", "CONSUMERS", "g", "nogrp"],
    ["XINFO", "STREAM", "g"],
    ["~XINFO", "STREAM", "g", "FULL"],
    ["~XINFO", "STREAM", "g", "FULL", "COUNT", "1"],
    ["~XINFO", "STREAM", "g", "FULL", "COUNT", "-1"],
    ["XINFO", "STREAM", "g", "FULL", "COUNT"],
    ["XINFO", "STREAM", "g", "FULL", "COUNT", "x"],
    ["XINFO", "STREAM", "g", "BOGUS"],
    ["XINFO", "HELP"],
    ["XINFO", "HELP", "x"],
    ["XINFO", "BOGUS", "g"],
    ["XINFO", "STREAM"],
    ["XINFO", "STREAM", "nokey"],
    ["XGROUP", "SETID", "g", "grp", "0"],
    ["XGROUP", "SETID", "g", "grp", "$", "ENTRIESREAD", "2"],
    ["XGROUP", "SETID", "g", "grp", "1-1", "MKSTREAM"],
    ["XGROUP", "SETID", "g", "nogrp", "0"],
    ["XGROUP", "SETID", "nokey", "grp", "0"],
    ["XGROUP", "SETID", "g", "grp", "-"],
    ["XINFO", "GROUPS", "g"],
    ["XGROUP", "CREATECONSUMER", "g", "grp", "zed"],
    ["XGROUP", "CREATECONSUMER", "g", "grp", "zed"],
    ["XGROUP", "CREATECONSUMER", "g", "nogrp", "zed"],
    ["XGROUP", "DELCONSUMER", "g", "grp", "alice"],
    ["XGROUP", "DELCONSUMER", "g", "grp", "nobody"],
    ["XGROUP", "DELCONSUMER", "g", "grp"],
    ["XGROUP", "DESTROY", "g", "a-grp"],
    ["XGROUP", "DESTROY", "g", "a-grp"],
    ["XGROUP", "DESTROY", "nokey", "a-grp"],
    ["XGROUP", "HELP"],
    ["XGROUP", "HELP", "x"],
    ["XGROUP", "BOGUS", "g", "grp"],
    ["XGROUP", "CREATE", "g"],
    ["XDEL", "g", "1-1", "2-1", "4-1"],
    ["XINFO", "GROUPS", "g"],
    ["~XINFO", "STREAM", "g", "FULL"],
    ["XTRIM", "g", "MAXLEN", "0"],
    ["XINFO", "GROUPS", "g"],
]


def masked(raw):
    import re
    return re.sub(rb":-?[0-9]+\r\n", b":N\r\n", raw)


def group_script(fr_port, rd_port):
    ck = Checks()
    for resp in (2, 3):
        fr, rd = Raw(fr_port), Raw(rd_port)
        fr.call("HELLO", resp)
        rd.call("HELLO", resp)
        bad = []
        for cmd in GROUP_SCRIPT:
            mask = cmd[0].startswith("~")
            cmd = [cmd[0].lstrip("~")] + cmd[1:]
            a, b = fr.call(*cmd), rd.call(*cmd)
            if mask:
                a, b = masked(a), masked(b)
            if a != b and len(bad) < 6:
                bad.append("%s: ours %r redis %r" % (" ".join(str(x)[:20] for x in cmd), a[:300], b[:300]))
        ck.ok("groups/resp%d/replies" % resp, not bad, "; ".join(bad))
    return ck


def script(fr_port, rd_port):
    ck = Checks()
    for resp in (2, 3):
        fr, rd = Raw(fr_port), Raw(rd_port)
        fr.call("HELLO", resp)
        rd.call("HELLO", resp)
        fr.call("FLUSHALL")
        rd.call("FLUSHALL")
        bad = []
        for cmd in SCRIPT:
            a, b = fr.call(*cmd), rd.call(*cmd)
            if a != b and len(bad) < 6:
                bad.append("%s: ours %r redis %r" % (" ".join(str(x)[:20] for x in cmd), a[:200], b[:200]))
        ck.ok("script/resp%d/replies" % resp, not bad, "; ".join(bad))
        keys = sorted(Conn(fr_port).call("KEYS", "*"))
        dumps_bad = [k for k in keys if Conn(fr_port).call("DUMP", k) != Conn(rd_port).call("DUMP", k)]
        ck.ok("script/resp%d/dumps" % resp, keys and not dumps_bad, "differ: %r" % dumps_bad)
    return ck


# ---- the random command stream -------------------------------------------------

def fuzz(fr_port, rd_port, count, seed):
    rng = random.Random(seed)
    ck = Checks()
    fr, rd = Raw(fr_port), Raw(rd_port)
    frc, rdc = Conn(fr_port), Conn(rd_port)
    bad, dump_bad = [], []
    keys = ["f%d" % i for i in range(4)]
    ms = {k: 0 for k in keys}
    fields_pool = ["a", "b", "c", "12", "-3", "long" * 10]
    for n in range(count):
        if n % 500 == 0:
            ents = rng.choice([0, 1, 3, 7, 100])
            byts = rng.choice([0, 100, 300, 4096])
            for c in (frc, rdc):
                c.call("CONFIG", "SET", "stream-node-max-entries", ents)
                c.call("CONFIG", "SET", "stream-node-max-bytes", byts)
        k = rng.choice(keys)
        r = rng.random()
        if r < 0.5:
            ms[k] += rng.choice([0, 0, 1, 5])
            idarg = rng.choice(["%d-*" % ms[k], "%d-%d" % (ms[k], rng.randrange(0, 1000))])
            nf = rng.choice([1, 1, 2, 2, 3])
            fv = []
            for _ in range(nf):
                fv += [rng.choice(fields_pool), rng.choice(["v", "1", str(rng.randrange(-10**12, 10**12)),
                                                            "x" * rng.randrange(0, 90)])]
            opts = []
            if rng.random() < 0.2:
                opts = ["MAXLEN", rng.choice(["=", "~"]), rng.randrange(0, 40)]
                if opts[1] == "~" and rng.random() < 0.5:
                    opts += ["LIMIT", rng.randrange(0, 30)]
            elif rng.random() < 0.1:
                opts = ["MINID", rng.choice(["=", "~"]), "%d-0" % max(0, ms[k] - rng.randrange(0, 30))]
            cmd = ["XADD", k] + opts + [idarg] + fv
        elif r < 0.6:
            cmd = ["XDEL", k] + ["%d-%d" % (rng.randrange(0, ms[k] + 2), rng.randrange(0, 3))
                                 for _ in range(rng.randrange(1, 4))]
        elif r < 0.67:
            if rng.random() < 0.5:
                cmd = ["XTRIM", k, "MAXLEN", rng.choice(["=", "~"]), rng.randrange(0, 50)]
            else:
                cmd = ["XTRIM", k, "MINID", rng.choice(["=", "~"]), "%d-1" % rng.randrange(0, ms[k] + 1)]
            if cmd[3] == "~" and rng.random() < 0.3:
                cmd += ["LIMIT", rng.randrange(0, 200)]
        elif r < 0.85:
            a, b = sorted([rng.randrange(0, ms[k] + 2), rng.randrange(0, ms[k] + 2)])
            lo = rng.choice(["-", "%d" % a, "(%d-0" % a, "%d-1" % a])
            hi = rng.choice(["+", "%d" % b, "(%d-5" % b])
            cmd = ["XRANGE", k, lo, hi] if rng.random() < 0.5 else ["XREVRANGE", k, hi, lo]
            if rng.random() < 0.5:
                cmd += ["COUNT", rng.randrange(0, 10)]
        elif r < 0.95:
            cmd = ["XREAD", "COUNT", rng.randrange(1, 6), "STREAMS", k, "%d-0" % rng.randrange(0, ms[k] + 1)]
        elif r < 0.98:
            cmd = ["XLEN", k]
        else:
            cmd = ["XSETID", k, "%d-%d" % (ms[k] + rng.randrange(0, 3), rng.randrange(0, 5))]
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b and len(bad) < 5:
            bad.append("%r: ours %r redis %r" % (cmd, a[:150], b[:150]))
        if n % 50 == 0:
            for kk in keys:
                if frc.call("DUMP", kk) != rdc.call("DUMP", kk) and len(dump_bad) < 5:
                    dump_bad.append("%s after %d commands" % (kk, n))
    for c in (frc, rdc):
        c.call("CONFIG", "SET", "stream-node-max-entries", 100)
        c.call("CONFIG", "SET", "stream-node-max-bytes", 4096)
    ck.ok("fuzz/replies", not bad, "; ".join(bad))
    ck.ok("fuzz/dump-payloads", not dump_bad, "; ".join(dump_bad))
    dg = [frc.call("DEBUG", "DIGEST-VALUE", *keys), rdc.call("DEBUG", "DIGEST-VALUE", *keys)]
    ck.ok("fuzz/digests", dg[0] == dg[1], "%r" % dg)
    return ck


def gfuzz(fr_port, rd_port, count, seed):
    """Random stream and consumer group commands: the same replies (no DUMP
    compare: pending entries hold delivery times)."""
    rng = random.Random(seed)
    ck = Checks()
    fr, rd = Raw(fr_port), Raw(rd_port)
    for c in (fr, rd):
        c.call("FLUSHALL")
        c.call("CONFIG", "SET", "stream-node-max-entries", 4)
    keys = ["q%d" % i for i in range(3)]
    ms = {k: 0 for k in keys}
    groups, consumers = ["ga", "gb"], ["c1", "c2", "c3"]
    bad = []
    for n in range(count):
        k = rng.choice(keys)
        g = rng.choice(groups)
        r = rng.random()
        if r < 0.3:
            ms[k] += rng.choice([0, 1, 2])
            cmd = ["XADD", k, "%d-*" % ms[k], "f", rng.randrange(100)]
        elif r < 0.36:
            cmd = ["XGROUP", "CREATE", k, g, rng.choice(["0", "$", "%d-0" % rng.randrange(0, ms[k] + 1)]), "MKSTREAM"]
        elif r < 0.5:
            cmd = ["XREADGROUP", "GROUP", g, rng.choice(consumers), "COUNT", rng.randrange(1, 4)]
            if rng.random() < 0.2:
                cmd.append("NOACK")
            cmd += ["STREAMS", k, rng.choice([">", ">", "0", "%d-0" % rng.randrange(0, ms[k] + 1)])]
        elif r < 0.58:
            cmd = ["XACK", k, g] + ["%d-%d" % (rng.randrange(0, ms[k] + 1), rng.randrange(0, 3))
                                    for _ in range(rng.randrange(1, 4))]
        elif r < 0.64:
            cmd = ["XCLAIM", k, g, rng.choice(consumers), 0] + [
                "%d-%d" % (rng.randrange(0, ms[k] + 1), rng.randrange(0, 3)) for _ in range(rng.randrange(1, 3))]
            cmd += rng.choice([["JUSTID"], ["JUSTID", "FORCE"], [], ["LASTID", "%d-0" % (ms[k] + 1), "JUSTID"]])
        elif r < 0.69:
            cmd = ["XAUTOCLAIM", k, g, rng.choice(consumers), 0, rng.choice(["0", "-", "%d-0" % ms[k]]),
                   "COUNT", rng.randrange(1, 5)] + (["JUSTID"] if rng.random() < 0.5 else [])
        elif r < 0.75:
            cmd = ["XDEL", k] + ["%d-%d" % (rng.randrange(0, ms[k] + 1), rng.randrange(0, 3))
                                 for _ in range(rng.randrange(1, 3))]
        elif r < 0.79:
            cmd = ["XTRIM", k, rng.choice(["MAXLEN", "MINID"]), rng.choice(["=", "~"]),
                   rng.randrange(0, 8) if rng.random() < 0.5 else "%d-0" % rng.randrange(0, ms[k] + 1)]
            if cmd[2] == "MAXLEN" and "-" in str(cmd[4]):
                cmd[4] = rng.randrange(0, 8)
        elif r < 0.85:
            cmd = ["XINFO", "GROUPS", k]
        elif r < 0.9:
            cmd = ["XPENDING", k, g]
        elif r < 0.93:
            cmd = ["XINFO", "STREAM", k]
        elif r < 0.95:
            cmd = ["XGROUP", "SETID", k, g, rng.choice(["0", "$", "%d-0" % rng.randrange(0, ms[k] + 1)])]
            if rng.random() < 0.3:
                cmd += ["ENTRIESREAD", rng.randrange(-1, 10)]
        elif r < 0.97:
            cmd = ["XGROUP", "DELCONSUMER", k, g, rng.choice(consumers)]
        elif r < 0.98:
            cmd = ["XGROUP", "DESTROY", k, g]
        else:
            cmd = ["XSETID", k, "%d-%d" % (ms[k] + rng.randrange(0, 2), rng.randrange(0, 3))]
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b and len(bad) < 5:
            bad.append("%r: ours %r redis %r" % (cmd, a[:200], b[:200]))
    for c in (fr, rd):
        c.call("CONFIG", "SET", "stream-node-max-entries", 100)
    ck.ok("gfuzz/replies", not bad, "; ".join(bad))
    return ck


# ---- RDB / DUMP both ways --------------------------------------------------------

def fill(port):
    c = Conn(port)
    c.call("FLUSHALL")
    c.call("CONFIG", "SET", "stream-node-max-entries", 5)
    for i in range(1, 40):
        c.call("XADD", "big", "%d-%d" % (i // 3, i), "f", i, "g", "x" * (i % 7))
    c.call("XDEL", "big", "1-3", "4-13", "12-38")
    c.call("XADD", "mixed", "1-1", "a", 1)
    c.call("XADD", "mixed", "1-2", "b", 2, "c", 3)
    c.call("XADD", "mixed", "2-0", "a", "", "", b"\x00\xff")
    c.call("XADD", "lzf", "1-1", "f", "abc" * 200)
    c.call("XADD", "emptied", "1-1", "a", 1)
    c.call("XDEL", "emptied", "1-1")
    c.call("XADD", "trimmed", "MAXLEN", "2", "1-1", "a", 1)
    for i in range(2, 9):
        c.call("XADD", "trimmed", "MAXLEN", "2", "%d-1" % i, "a", i)
    c.call("XSETID", "trimmed", "20-0", "ENTRIESADDED", 50, "MAXDELETEDID", "10-0")
    c.call("XGROUP", "CREATE", "big", "g1", "0")
    c.call("XGROUP", "CREATE", "big", "g2", "$", "ENTRIESREAD", 7)
    c.call("XGROUP", "CREATE", "big", "123", "0")
    c.call("XREADGROUP", "GROUP", "g1", "alice", "COUNT", 5, "STREAMS", "big", ">")
    c.call("XREADGROUP", "GROUP", "g1", "bob", "COUNT", 3, "STREAMS", "big", ">")
    c.call("XREADGROUP", "GROUP", "g1", "42", "NOACK", "COUNT", 2, "STREAMS", "big", ">")
    c.call("XGROUP", "CREATECONSUMER", "big", "g2", "idle-one")
    c.call("XACK", "big", "g1", "0-1")
    c.call("XGROUP", "CREATE", "emptied", "eg", "$")
    c.call("CONFIG", "SET", "stream-node-max-entries", 100)
    c.call("SELECT", 2)
    c.call("XADD", "db2", "5-5", "k", "v")
    c.call("SELECT", 0)
    print("filled")


def listing(port, exact):
    """Each stream's entries, metadata, groups and pending summaries; with
    `exact` its DUMP too (which holds delivery and seen times)."""
    c = Conn(port)
    out = []
    for db in range(16):
        c.call("SELECT", db)
        for k in sorted(c.call("KEYS", "*")):
            groups = c.call("XINFO", "GROUPS", k)
            pend = [c.call("XPENDING", k, g[1]) for g in groups]
            out.append("%d %r %s %r %r %r %r" % (db, k, c.call("TYPE", k), c.call("XRANGE", k, "-", "+"),
                                                  c.call("XINFO", "STREAM", k), groups, pend))
            if exact:
                out.append("%d %r %r" % (db, k, c.call("DUMP", k)))
    return "\n".join(out)


def dump_both_ways(fr_port, rd_port):
    ck = Checks()
    fill(fr_port)
    fill(rd_port)
    fr, rd = Conn(fr_port), Conn(rd_port)
    for k in ["big", "mixed", "lzf", "emptied", "trimmed"]:
        a, b = fr.call("DUMP", k), rd.call("DUMP", k)
        if k != "big":  # big's groups hold delivery and seen times: the clocks'
            ck.ok("dump/%s/same-payload" % k, a == b and a is not None, "%r vs %r" % (a[:80], b[:80]))
        r1 = fr.call("RESTORE", "back-" + k, 0, b)
        r2 = rd.call("RESTORE", "back-" + k, 0, a)
        ck.ok("dump/%s/restore-both" % k, r1 == "OK" and r2 == "OK", "%r %r" % (r1, r2))
        ck.ok("dump/%s/round-trip" % k, fr.call("DUMP", "back-" + k) == b and rd.call("DUMP", "back-" + k) == a,
              "payload changed")
    return ck


# ---- corrupt payloads --------------------------------------------------------------

def mutate(rng, body):
    b = bytearray(body)
    op = rng.randrange(5)
    if op == 0 and b:
        i = rng.randrange(len(b))
        b[i] = rng.randrange(256)
    elif op == 1 and b:
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    elif op == 2 and len(b) > 2:
        i = rng.randrange(1, len(b))
        del b[i:i + rng.randrange(1, 4)]
    elif op == 3:
        i = rng.randrange(1, len(b) + 1)
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
    else:
        b = b[:rng.randrange(1, len(b) + 1)]
    return bytes(b)


def corrupt(fr_port, rd_port, count, seed):
    rng = random.Random(seed)
    ck = Checks()
    fill(fr_port)
    fr, rd = Conn(fr_port), Conn(rd_port)
    base = [fr.call("DUMP", k)[:-10] for k in ["big", "mixed", "lzf", "trimmed", "emptied"]]
    lenient, accepted, diffs = 0, 0, []
    for _ in range(count):
        body = rng.choice(base)
        for _ in range(rng.randrange(1, 3)):
            body = mutate(rng, body)
        payload = seal(body, 10)
        a = fr.call("RESTORE", "fz", 0, payload, "REPLACE")
        b = rd.call("RESTORE", "fz", 0, payload, "REPLACE")
        if a == "OK":
            accepted += 1
            if b != "OK":
                lenient += 1
                if len(diffs) < 5:
                    diffs.append("%s: ours OK, redis %r" % (payload.hex(), b))
            # What we accepted must read back whole.
            fr.call("XRANGE", "fz", "-", "+")
            fr.call("XREVRANGE", "fz", "+", "-")
            fr.call("XLEN", "fz")
            fr.call("DUMP", "fz")
    ck.ok("corrupt/alive", fr.call("PING") == "PONG", "server gone")
    ck.ok("corrupt/refuses-what-redis-refuses", lenient == 0, "; ".join(diffs))
    print("corrupt: %d payloads, %d accepted" % (count, accepted))
    return ck


# ---- blocking reads -------------------------------------------------------------------

def block(fr_port, rd_port):
    ck = Checks()
    for name, port in (("fr", fr_port), ("redis", rd_port)):
        Conn(port).call("FLUSHALL")
    results = {}
    for name, port in (("fr", fr_port), ("redis", rd_port)):
        out = []
        w, x = Raw(port), Raw(port)
        # $ waits for what comes after the last ID at the time of the call.
        w.call("XADD", "bs", "1-1", "a", 1)
        w.send("XREAD", "BLOCK", 0, "STREAMS", "bs", "$")
        time.sleep(0.1)
        x.call("XADD", "bs", "2-1", "b", 2)
        out.append(w.read())
        # An explicit ID on a key that does not exist yet, two keys.
        w.send("XREAD", "BLOCK", 0, "COUNT", 5, "STREAMS", "nk", "bs", "0", "2-1")
        time.sleep(0.1)
        x.call("XADD", "nk", "3-1", "c", 3)
        out.append(w.read())
        # Written without new entries (XDEL) does not wake; XADD does.
        w.send("XREAD", "BLOCK", 0, "STREAMS", "bs", "$")
        time.sleep(0.1)
        x.call("XDEL", "bs", "1-1")
        x.call("SET", "other", 1)
        time.sleep(0.1)
        x.call("XADD", "bs", "4-1", "d", 4)
        out.append(w.read())
        # Timeout: a null array.
        w.send("XREAD", "BLOCK", 100, "STREAMS", "bs", "$")
        out.append(w.read())
        # RESP3.
        w.call("HELLO", 3)
        w.send("XREAD", "BLOCK", 0, "STREAMS", "bs", "$")
        time.sleep(0.1)
        x.call("XADD", "bs", "5-1", "e", 5)
        out.append(w.read())
        # A repeated XREAD ... $ after a timeout waits from the new last ID.
        w.send("XREAD", "BLOCK", 50, "STREAMS", "bs", "$")
        out.append(w.read())
        x.call("XADD", "bs", "6-1", "f", 6)
        w.send("XREAD", "BLOCK", 0, "STREAMS", "bs", "$")
        time.sleep(0.1)
        x.call("XADD", "bs", "7-1", "g", 7)
        out.append(w.read())
        # XREADGROUP: woken by XADD, by XGROUP DESTROY (-NOGROUP), by DEL.
        w.call("HELLO", 2)
        x.call("XGROUP", "CREATE", "bs", "g", "$")
        d0 = changes(x)
        w.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", 0, "STREAMS", "bs", ">")
        time.sleep(0.1)
        x.call("XADD", "bs", "8-1", "h", 8)
        out.append(w.read())
        # the consumer made on blocking and the XADD count; the read served later does not
        out.append("changes +%d" % (changes(x) - d0))
        w.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", 0, "STREAMS", "bs", ">")
        time.sleep(0.1)
        x.call("XGROUP", "DESTROY", "bs", "g")
        out.append(w.read())
        x.call("XGROUP", "CREATE", "bs", "g", "$")
        w.send("XREADGROUP", "GROUP", "g", "c1", "BLOCK", 0, "STREAMS", "bs", ">")
        time.sleep(0.1)
        x.call("DEL", "bs")
        out.append(w.read())
        results[name] = out
    for i, (a, b) in enumerate(zip(results["fr"], results["redis"])):
        ck.ok("block/case%d" % i, a == b, "ours %r redis %r" % (a, b))
    return ck


def changes(conn):
    return int(info_fields(conn, "persistence")["rdb_changes_since_last_save"])


# ---- replication stream -----------------------------------------------------------------

def sync_commands(port, cmds, wait=0.5):
    """Commands a replica gets for `cmds`, after the snapshot of SYNC."""
    c = Conn(port)
    c.call("FLUSHALL")
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    s.sendall(b"SYNC\r\n")
    buf = b""
    while True:
        while b"\r\n" not in buf:
            buf += s.recv(65536)
        if buf.startswith(b"\n"):
            buf = buf[1:]
            continue
        if buf.startswith(b"$"):
            break
        buf = buf.split(b"\r\n", 1)[1]
    line, buf = buf.split(b"\r\n", 1)
    n = int(line[1:])
    while len(buf) < n:
        buf += s.recv(65536)
    buf = buf[n:]
    for cmd in cmds:
        c.call(*cmd)
    time.sleep(wait)
    s.settimeout(0.3)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        pass
    s.close()
    # Drop PINGs and SELECT, keep the rest as one line per command.
    out, pos = [], 0
    while pos < len(buf):
        if buf[pos:pos + 1] != b"*":
            pos = buf.index(b"\r\n", pos) + 2
            continue
        end = buf.index(b"\r\n", pos)
        argc = int(buf[pos + 1:end])
        pos = end + 2
        args = []
        for _ in range(argc):
            end = buf.index(b"\r\n", pos)
            ln = int(buf[pos + 1:end])
            args.append(buf[end + 2:end + 2 + ln])
            pos = end + 2 + ln + 2
        if args[0].upper() not in (b"PING", b"SELECT"):
            # XCLAIM's delivery time is the clock's: masked.
            args = [b"<time>" if i and args[i - 1] == b"TIME" else a for i, a in enumerate(args)]
            out.append(b" ".join(args))
    return out


REPL = [
    ["XADD", "r", "5-*", "a", 1],
    ["XADD", "r", "5-*", "a", 2],
    ["XADD", "r", "6-3", "a", 3],
    ["XADD", "r", "MAXLEN", "~", "1", "7-*", "a", 4],
    ["XADD", "r", "MAXLEN", "1", "8-*", "a", 5],
    ["XDEL", "r", "1-1"],
    ["XDEL", "r", "8-0"],
    ["XADD", "r2", "NOMKSTREAM", "1-1", "a", 1],
    ["XSETID", "r", "9-0"],
    ["XTRIM", "r", "MAXLEN", "0"],
    ["XTRIM", "r", "MAXLEN", "0"],
    ["XREAD", "STREAMS", "r", "0"],
    ["XADD", "q", "1-1", "a", 1],
    ["XADD", "q", "2-1", "a", 2],
    ["XADD", "q", "3-1", "a", 3],
    ["XGROUP", "CREATE", "q", "g", "0"],
    ["XGROUP", "CREATE", "q", "g", "0"],
    ["XGROUP", "CREATE", "q2", "g", "$", "MKSTREAM"],
    ["XREADGROUP", "GROUP", "g", "alice", "COUNT", 2, "STREAMS", "q", ">"],
    ["XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "q", ">"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "q", "0"],
    ["XACK", "q", "g", "1-1", "9-9"],
    ["XACK", "q", "g", "9-9"],
    ["XCLAIM", "q", "g", "carol", 0, "2", "JUSTID"],
    ["XCLAIM", "q", "g", "carol", 0, "9-9", "LASTID", "7-0"],
    ["XDEL", "q", "2-1"],
    ["XAUTOCLAIM", "q", "g", "dave", 0, "0"],
    ["XGROUP", "SETID", "q", "g", "$"],
    ["XGROUP", "CREATECONSUMER", "q", "g", "erin"],
    ["XGROUP", "CREATECONSUMER", "q", "g", "erin"],
    ["XGROUP", "DELCONSUMER", "q", "g", "erin"],
    ["XGROUP", "DELCONSUMER", "q", "g", "nobody"],
    ["XGROUP", "DESTROY", "q", "g"],
    ["XGROUP", "DESTROY", "q", "g"],
]


def repl(fr_port, rd_port):
    ck = Checks()
    for c in (Conn(fr_port), Conn(rd_port)):
        c.call("CONFIG", "SET", "stream-node-max-entries", 2)
    a = sync_commands(fr_port, REPL)
    b = sync_commands(rd_port, REPL)
    for c in (Conn(fr_port), Conn(rd_port)):
        c.call("CONFIG", "SET", "stream-node-max-entries", 100)
    ck.ok("repl/stream-writes", a == b and b, "ours %r redis %r" % (a, b))
    return ck


def main():
    mode = sys.argv[1]
    if mode == "script":
        ck = script(sys.argv[2], sys.argv[3])
    elif mode == "gfuzz":
        ck = gfuzz(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "groups":
        ck = group_script(sys.argv[2], sys.argv[3])
    elif mode == "fuzz":
        ck = fuzz(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "dump":
        ck = dump_both_ways(sys.argv[2], sys.argv[3])
    elif mode == "corrupt":
        ck = corrupt(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "fill":
        fill(sys.argv[2])
        return 0
    elif mode == "streams":
        print(listing(sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "exact"))
        return 0
    elif mode == "block":
        ck = block(sys.argv[2], sys.argv[3])
    elif mode == "repl":
        ck = repl(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown mode " + mode)
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())

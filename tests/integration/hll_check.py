#!/usr/bin/env python3
"""hll_check.py -- HyperLogLog values against redis-server, byte for byte.

Called by hll.sh with the ports of a FrankenRedis and a redis-server 7.0.15:

  hll_check.py same PORT_FR PORT_REDIS
      the same PFADD / PFMERGE / PFCOUNT / PFDEBUG steps on both (sparse
      values, the sparse -> dense promotion under several
      hll-sparse-max-bytes, dense values, unions of both): every reply and
      every value's bytes (GET) must be identical
  hll_check.py move PORT_FR PORT_REDIS N SEED
      N sets, sparse and dense, built on one server, moved to the other with
      DUMP/RESTORE (both ways): PFCOUNT equal, the moved value's bytes equal,
      and still equal after more PFADDs on both sides
  hll_check.py fuzz PORT_FR PORT_REDIS N SEED
      N corrupted HyperLogLog strings (flipped, inserted, deleted, truncated
      bytes in sparse and dense values, forged runs past register 16384)
      SET on both, then PFCOUNT, PFADD, PFMERGE, PFDEBUG GETREG/DECODE on
      them: the same reply or error and the same resulting bytes

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import Conn, Err  # noqa: E402


def both(fr, rd, *args):
    return fr.call(*args), rd.call(*args)


class Tally:
    def __init__(self, prefix):
        self.prefix = prefix
        self.fails = 0
        self.checked = 0

    def eq(self, name, a, b):
        """Count a comparison; print only the first few failures."""
        self.checked += 1
        if a != b:
            self.fails += 1
            if self.fails <= 5:
                print("FAIL %s/%s: ours %s, redis %s" % (self.prefix, name, short(a), short(b)))

    def done(self, what):
        if self.fails == 0:
            print("PASS %s/%s (%d comparisons)" % (self.prefix, what, self.checked))
        elif self.fails > 5:
            print("FAIL %s/%s: %d more differences" % (self.prefix, what, self.fails - 5))


def short(v):
    r = repr(v)
    return r if len(r) < 200 else r[:200] + "..."


def elements(rng, n, tag):
    return [("%s:%d:%d" % (tag, i, rng.randrange(1 << 30))).encode() for i in range(n)]


def same(pfr, prd):
    fr, rd = Conn(pfr), Conn(prd)
    t = Tally("same")
    rng = random.Random(11)
    for c in (fr, rd):
        c.call("FLUSHALL")
    for limit in (3000, 200, 0, 12000):
        both(fr, rd, "CONFIG", "SET", "hll-sparse-max-bytes", limit)
        key = "h%d" % limit
        total = 0
        for step in (1, 2, 5, 10, 30, 100, 300, 1000, 3000, 10000):
            els = elements(rng, step, key)
            total += step
            a, b = both(fr, rd, "PFADD", key, *els)
            t.eq("%s/pfadd-%d" % (key, total), a, b)
            a, b = both(fr, rd, "PFADD", key, *els[: max(1, step // 3)])
            t.eq("%s/pfadd-again-%d" % (key, total), a, b)
            a, b = both(fr, rd, "GET", key)
            t.eq("%s/bytes-%d" % (key, total), a, b)
            a, b = both(fr, rd, "PFCOUNT", key)
            t.eq("%s/pfcount-%d" % (key, total), a, b)
            a, b = both(fr, rd, "GET", key)
            t.eq("%s/cached-bytes-%d" % (key, total), a, b)
            a, b = both(fr, rd, "PFDEBUG", "ENCODING", key)
            t.eq("%s/encoding-%d" % (key, total), a, b)
    both(fr, rd, "CONFIG", "SET", "hll-sparse-max-bytes", 3000)
    # Sparse values of every size, their unions and their registers.
    for n in (0, 1, 3, 20, 150, 600):
        a, b = both(fr, rd, "PFADD", "s%d" % n, *elements(rng, n, "s%d" % n))
        t.eq("s%d/pfadd" % n, a, b)
        a, b = both(fr, rd, "PFDEBUG", "DECODE", "s%d" % n)
        t.eq("s%d/decode" % n, a, b)
    merges = [("m1", "s1", "s3"), ("m2", "s20", "s150", "s600"), ("m3", "s600", "h3000"), ("m4", "nokey"),
              ("s3", "s3", "s20"), ("m5", "h0", "h200"), ("h12000", "s600")]
    for m in merges:
        a, b = both(fr, rd, "PFMERGE", *m)
        t.eq("pfmerge-%s" % "-".join(m), a, b)
        a, b = both(fr, rd, "GET", m[0])
        t.eq("pfmerge-%s/bytes" % "-".join(m), a, b)
        a, b = both(fr, rd, "PFCOUNT", *m)
        t.eq("pfcount-%s" % "-".join(m), a, b)
    for k in ("s20", "s600", "h3000"):
        a, b = both(fr, rd, "PFDEBUG", "GETREG", k)
        t.eq("%s/getreg" % k, a, b)
        a, b = both(fr, rd, "GET", k)
        t.eq("%s/getreg-bytes" % k, a, b)
    a, b = both(fr, rd, "PFDEBUG", "TODENSE", "s150")
    t.eq("todense", a, b)
    a, b = both(fr, rd, "GET", "s150")
    t.eq("todense/bytes", a, b)
    t.done("bytes-and-replies")


def move(pfr, prd, n, seed):
    fr, rd = Conn(pfr), Conn(prd)
    rng = random.Random(seed)
    for c in (fr, rd):
        c.call("FLUSHALL")
    t = Tally("move")
    for i in range(n):
        size = rng.choice([0, 1, 2, 7, 40, 200, 700, 1500, 5000, 30000])
        src, dst = (fr, rd) if i % 2 == 0 else (rd, fr)
        way = "fr-to-redis" if src is fr else "redis-to-fr"
        key = "k%d" % i
        els = elements(rng, size, key)
        for j in range(0, len(els), 1000):
            src.call("PFADD", key, *els[j:j + 1000])
        if not els:
            src.call("PFADD", key)
        if rng.random() < 0.3:
            src.call("PFCOUNT", key)            # a valid cached cardinality travels too
        payload = src.call("DUMP", key)
        r = dst.call("RESTORE", key, 0, payload)
        t.eq("%s/%s/restore" % (way, key), r, "OK")
        t.eq("%s/%s/bytes" % (way, key), dst.call("GET", key), src.call("GET", key))
        t.eq("%s/%s/pfcount" % (way, key), dst.call("PFCOUNT", key), src.call("PFCOUNT", key))
        more = elements(rng, rng.choice([1, 10, 100, 2000]), key + "+")
        t.eq("%s/%s/pfadd-after" % (way, key), dst.call("PFADD", key, *more), src.call("PFADD", key, *more))
        t.eq("%s/%s/bytes-after" % (way, key), dst.call("GET", key), src.call("GET", key))
        t.eq("%s/%s/pfcount-after" % (way, key), dst.call("PFCOUNT", key), src.call("PFCOUNT", key))
        t.eq("%s/%s/dump-after" % (way, key), dst.call("DUMP", key), src.call("DUMP", key))
    t.done("dump-restore-pfcount-%d-sets" % n)


def corrupt(rng, value):
    b = bytearray(value)
    kind = rng.randrange(7)
    if kind == 0 and len(b) > 16:            # flip bytes after the header
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(16, len(b))] = rng.randrange(256)
    elif kind == 1:                          # any byte, header included
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == 2:                          # truncate
        del b[rng.randrange(len(b)):]
    elif kind == 3:                          # insert opcodes
        pos = rng.randrange(16, len(b) + 1)
        b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
    elif kind == 4 and len(b) > 17:          # delete opcodes
        pos = rng.randrange(16, len(b))
        del b[pos:pos + rng.randint(1, 3)]
    elif kind == 5:                          # forged runs: long XZEROs and VALs past the end
        runs = [rng.choice([b"\x7f\xff", b"\x40\x00", b"\xfb", b"\x3f", b"\x80", b"\x7f"])
                for _ in range(rng.randint(1, 8))]
        b = bytearray(b[:16]) + bytearray(b"".join(runs))
    else:                                    # a stale or bogus cached cardinality, encoding byte
        b[15] = rng.choice([0, 0x80, 0x7f])
        if rng.random() < 0.3:
            b[4] = rng.randrange(4)
    return bytes(b)


def fuzz(pfr, prd, n, seed):
    fr, rd = Conn(pfr), Conn(prd)
    rng = random.Random(seed)
    for c in (fr, rd):
        c.call("FLUSHALL")
    bases = []
    for size in (0, 1, 5, 50, 300, 3000):
        rd.call("PFADD", "base", *elements(rng, size, "b"))
        bases.append(rd.call("GET", "base"))
        rd.call("DEL", "base")
    rd.call("PFADD", "base", *elements(rng, 50, "d"))
    rd.call("PFDEBUG", "TODENSE", "base")
    bases.append(rd.call("GET", "base"))
    t = Tally("fuzz")
    verdicts = {}
    ops = [("PFCOUNT", "x"), ("PFADD", "x", "e1", "e2", "e3"), ("PFMERGE", "y", "x"), ("PFCOUNT", "x", "z"),
           ("PFDEBUG", "GETREG", "x"), ("PFDEBUG", "DECODE", "x"), ("PFDEBUG", "TODENSE", "x"),
           ("PFMERGE", "x", "z")]
    for i in range(n):
        value = corrupt(rng, rng.choice(bases))
        both(fr, rd, "DEL", "x", "y")
        both(fr, rd, "SET", "x", value)
        if rng.random() < 0.5:
            both(fr, rd, "PFADD", "z", *elements(rng, rng.choice([1, 30, 400]), "z%d" % i))
        op = rng.choice(ops)
        a, b = both(fr, rd, *op)
        # Error texts must agree exactly; so must replies.
        t.eq("%d/%s" % (i, " ".join(op)), a, b)
        v = str(b).split(" ")[0] if isinstance(b, Err) else "ok"
        verdicts[v] = verdicts.get(v, 0) + 1
        for k in ("x", "y"):
            a, b = both(fr, rd, "GET", k)
            t.eq("%d/%s/%s-bytes" % (i, op[0], k), a, b)
        both(fr, rd, "DEL", "z")
    t.eq("alive", fr.call("PING"), "PONG")
    print("fuzz verdicts (redis-server): " + ", ".join("%s %d" % kv for kv in sorted(verdicts.items())))
    t.done("corrupt-values-%d" % n)


def main(argv):
    cmd = argv[1]
    if cmd == "same":
        same(argv[2], argv[3])
    elif cmd == "move":
        move(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif cmd == "fuzz":
        fuzz(argv[2], argv[3], int(argv[4]), int(argv[5]))
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""bitmap_check.py -- the bit commands against redis-server, at random.

  bitmap_check.py random PORT_FR PORT_REDIS N SEED
      N random SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO
      calls (offsets near byte and word edges, ranges in BYTE and BIT units,
      negative indexes, every field width, the three overflow policies,
      int, embstr and raw sources) sent to both servers: every reply, and
      the bytes of every key after each write, must be identical
  bitmap_check.py hardened PORT
      a server whose bitmap module runs hardened refuses an 8 MB+ zero
      fill, counts the divergence, and still serves ordinary writes

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import Conn, Err  # noqa: E402

KEYS = ["a", "b", "c", "n"]


def offset(rng):
    return rng.choice([0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 127, 128, 255, 256, 511, 1000, 4095,
                       rng.randrange(0, 300), rng.randrange(0, 5000)])


def index(rng):
    return rng.choice([0, 1, 2, -1, -2, -3, 5, 10, 31, 100, -100, rng.randrange(-50, 50), 2 ** 40, -(2 ** 40)])


def field_type(rng):
    sign = rng.choice("iu")
    bits = rng.choice([1, 2, 3, 5, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64] if sign == "i" else
                      [1, 2, 3, 5, 7, 8, 9, 15, 16, 31, 32, 33, 62, 63])
    return "%s%d" % (sign, bits)


def value(rng):
    return rng.choice([0, 1, -1, 2, 100, -100, 127, 128, 255, 256, -129, 2 ** 31, 2 ** 32 + 5, 2 ** 62,
                       2 ** 63 - 1, -(2 ** 63), rng.randrange(-1000, 1000)])


def bitfield_args(rng, readonly):
    args = []
    for _ in range(rng.randint(1, 5)):
        op = "GET" if readonly else rng.choice(["GET", "SET", "INCRBY", "OVERFLOW"])
        if op == "OVERFLOW":
            args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"])]
            continue
        off = offset(rng)
        ft = field_type(rng)
        if rng.random() < 0.2:
            off = "#%d" % rng.randrange(0, 40)
        args += [op, ft, off]
        if op != "GET":
            args.append(value(rng))
    return args


def command(rng):
    k = rng.choice(KEYS)
    r = rng.random()
    if r < 0.2:
        return ["SETBIT", k, offset(rng), rng.choice([0, 1, 1])]
    if r < 0.3:
        return ["GETBIT", k, offset(rng)]
    if r < 0.42:
        args = ["BITCOUNT", k]
        if rng.random() < 0.8:
            args += [index(rng), index(rng)]
            if rng.random() < 0.6:
                args.append(rng.choice(["BIT", "BYTE", "bit"]))
        return args
    if r < 0.56:
        args = ["BITPOS", k, rng.choice([0, 1])]
        n = rng.randint(0, 3)
        if n >= 1:
            args.append(index(rng))
        if n >= 2:
            args.append(index(rng))
        if n == 3:
            args.append(rng.choice(["BIT", "BYTE"]))
        return args
    if r < 0.66:
        op = rng.choice(["AND", "OR", "XOR", "NOT"])
        srcs = [rng.choice(KEYS + ["none"]) for _ in range(1 if op == "NOT" else rng.randint(1, 4))]
        return ["BITOP", op, rng.choice(KEYS)] + srcs
    if r < 0.86:
        return ["BITFIELD", k] + bitfield_args(rng, False)
    if r < 0.92:
        return ["BITFIELD_RO", k] + bitfield_args(rng, True)
    if r < 0.96:
        return ["SET", k, rng.choice(["12345", "-7", "hello world", "x" * 50, "\xff\x00\x0f", "0"])]
    return ["DEL", k]


def random_run(pfr, prd, n, seed):
    fr, rd = Conn(pfr), Conn(prd)
    rng = random.Random(seed)
    for c in (fr, rd):
        c.call("FLUSHALL")
    fails = errors = 0
    for i in range(n):
        cmd = command(rng)
        if rng.random() < 0.08 and len(cmd) > 2:
            # A bad word where a good one was: which check answers first matters.
            cmd[rng.randrange(2, len(cmd))] = rng.choice(["-1", "x", "u64", "i0", "#-1", "", "1.5", "BOTH",
                                                          "4294967296", "9223372036854775808"])
        a, b = fr.call(*cmd), rd.call(*cmd)
        errors += isinstance(b, Err)
        if a != b:
            fails += 1
            if fails <= 5:
                print("FAIL random/%d %s: ours %r, redis %r" % (i, " ".join(map(str, cmd)), a, b))
            continue
        for k in KEYS:
            x, y = fr.call("GET", k), rd.call("GET", k)
            if x != y:
                fails += 1
                if fails <= 5:
                    print("FAIL random/%d %s: key %s ours %r, redis %r" % (i, " ".join(map(str, cmd)), k,
                                                                          (x or b"")[:80], (y or b"")[:80]))
                break
    print("random: %d commands, %d answered with an error by redis-server" % (n, errors))
    if fails == 0:
        print("PASS random/%d-commands-same-replies-and-bytes" % n)
    elif fails > 5:
        print("FAIL random/more: %d differences in all" % fails)


def hardened(port):
    c = Conn(port)
    c.call("DEL", "hz")
    r = c.call("SETBIT", "hz", 8 * 9 * 1024 * 1024, 1)
    ok = str(r).startswith("ERR bit offset would zero-fill")
    print(("PASS" if ok else "FAIL") + " hardened/setbit-zero-fill-refused" + ("" if ok else ": %r" % r))
    r = c.call("BITFIELD", "hz", "SET", "u8", "#9437184", 1)
    ok = str(r).startswith("ERR bit offset would zero-fill")
    print(("PASS" if ok else "FAIL") + " hardened/bitfield-zero-fill-refused" + ("" if ok else ": %r" % r))
    info = c.call("INFO", "modules").decode()
    ok = "name=bitmap,ver=0.1.0,api=4,mode=hardened,divergences=2" in info
    print(("PASS" if ok else "FAIL") + " hardened/divergences-counted" + ("" if ok else ": %r" % info))
    r = (c.call("SETBIT", "hz", 8 * 1024 * 1024, 1), c.call("STRLEN", "hz"))
    ok = r == (0, 1024 * 1024 + 1)
    print(("PASS" if ok else "FAIL") + " hardened/ordinary-write-served" + ("" if ok else ": %r" % (r,)))


if __name__ == "__main__":
    if sys.argv[1] == "random":
        random_run(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "hardened":
        hardened(sys.argv[2])
    else:
        sys.exit("usage: see the docstring")

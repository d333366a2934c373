#!/usr/bin/env python3
"""zset_check.py -- the sorted set type against redis-server 7.0.15.

Called by zset.sh with the ports of a FrankenRedis and a redis-server (the
latter with sanitize-dump-payload yes where payloads are fuzzed, so it
validates every payload as fully as our zset module always does):

  zset_check.py fill PORT             the data set both directions use
  zset_check.py zsets PORT            one line per key: db, key, encoding,
                                      members with scores in order
  zset_check.py dump PORT_FR PORT_REDIS
                                      DUMP/RESTORE both ways, byte-identical
                                      payloads (listpack and skiplist), old
                                      formats (type 3, type 12) into both,
                                      DEBUG DIGEST-VALUE
  zset_check.py fuzz PORT_FR PORT_REDIS N SEED
                                      N mutated zset payloads RESTOREd into
                                      both: same verdict, same content
  zset_check.py block PORT            blocking pops with several connections
  zset_check.py stream PORT_FR PORT_REDIS N SEED
                                      N random zset commands on keys of every
                                      size (listpack and skiplist, conversions
                                      both ways) to both servers: same replies

Each check prints `PASS name` or `FAIL name: why`.  Binary-safe RESP client
from rdb_tool.py; standard library only.
"""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import Conn, Err, rdb_len, rdb_string, seal  # noqa: E402
from wire import info_fields  # noqa: E402


def fill(port):
    c = Conn(port)
    c.call("FLUSHALL")
    c.call("ZADD", "lp-small", 1, "a", 2, "b", 3.5, "c")
    c.call("ZADD", "lp-ints", -1, 10, 0, -20, 5000000000, 7, 1e20, "big")
    c.call("ZADD", "lp-same", 0, "a", 0, "b", 0, "c", 0, "", 0, "9223372036854775807")
    c.call("ZADD", "lp-inf", "inf", "p", "-inf", "m", "-0", "z", 0.1, "d", 1e-300, "tiny")
    c.call("ZADD", "lp-bin", 1, b"\x00", 2, b"a\x00b", 3, b"\xff\xfe")
    c.call("ZADD", "lp-128", *sum(([i * 1.5, "m%d" % i] for i in range(128)), []))
    c.call("ZADD", "sl-129", *sum(([i % 13, "m%d" % i] for i in range(129)), []))
    c.call("ZADD", "sl-long", 1, "x" * 65, 2, "y")
    c.call("ZADD", "sl-lzf", 1, "abc" * 100, 2, "q" * 3000)
    c.call("ZADD", "sl-big", *sum(([(i * 7919) % 1000 / 7.0, "k%d" % i] for i in range(3000)), []))
    c.call("CONFIG", "SET", "zset-max-listpack-entries", 0)
    c.call("ZADD", "sl-one", 42, "only")
    c.call("ZADD", "sl-onefloat", 0.25, "f")
    c.call("CONFIG", "SET", "zset-max-listpack-entries", 128)
    c.call("SELECT", 1)
    c.call("ZADD", "db1", 3, "c", 2, "b")
    c.call("SET", "db1str", "v")
    c.call("SELECT", 0)
    print("filled")


def zsets(port):
    c = Conn(port)
    dbs = int(c.call("CONFIG", "GET", "databases")[1])
    for db in range(dbs):
        c.call("SELECT", db)
        for key in sorted(c.call("KEYS", "*")):
            t = c.call("TYPE", key)
            if t != "zset":
                print("%d\t%r\t%s\t%r" % (db, key, t, c.call("GET", key)))
                continue
            enc = c.call("OBJECT", "ENCODING", key)
            items = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
            print("%d\t%r\t%s\t%d\t%r" % (db, key, enc, len(items) // 2, items))


class Checks:
    def __init__(self):
        self.failed = 0

    def ok(self, name, cond, why=""):
        if cond:
            print("PASS " + name)
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, why))


def content(c, key):
    """(encoding, members with scores in order) of key, or the error."""
    enc = c.call("OBJECT", "ENCODING", key)
    items = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
    if isinstance(items, Err):
        return items
    return enc, items


# ---------------------------------------------------------------- old formats

def zl_entry(prev, value):
    """One ziplist entry after an entry of `prev` bytes."""
    pre = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
    try:
        v = int(value)
        if str(v).encode() != value:
            raise ValueError
        if 0 <= v <= 12:
            enc = bytes([0xF1 + v])
        elif -128 <= v < 128:
            enc = b"\xfe" + struct.pack("<b", v)
        elif -32768 <= v < 32768:
            enc = b"\xc0" + struct.pack("<h", v)
        elif -(1 << 23) <= v < (1 << 23):
            enc = b"\xf0" + struct.pack("<i", v)[:3]
        elif -(1 << 31) <= v < (1 << 31):
            enc = b"\xd0" + struct.pack("<i", v)
        else:
            enc = b"\xe0" + struct.pack("<q", v)
    except ValueError:
        n = len(value)
        if n < 64:
            enc = bytes([n]) + value
        elif n < 16384:
            enc = bytes([0x40 | (n >> 8), n & 0xFF]) + value
        else:
            enc = b"\x80" + struct.pack(">I", n) + value
    return pre + enc


def ziplist(items):
    body, prev, tail = b"", 0, 10
    for it in items:
        e = zl_entry(prev, it)
        tail = 10 + len(body)
        body += e
        prev = len(e)
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, tail if items else 10, len(items)) + body + b"\xff"


def text_double(d):
    if d != d:
        return b"\xfd"
    if d == float("inf"):
        return b"\xfe"
    if d == float("-inf"):
        return b"\xff"
    s = ("%.17g" % d).encode()
    return bytes([len(s)]) + s


def old_payloads():
    """(name, body) of zsets as Redis 2.x-6.x wrote them."""
    out = []
    pairs = [(b"a", 1.5), (b"b", 2.0), (b"c", -3.25), (b"12", 7.0)]
    out.append(("type3", b"\x03" + rdb_len(len(pairs)) +
                b"".join(rdb_string(m) + text_double(s) for m, s in pairs)))
    out.append(("type3-inf", b"\x03" + rdb_len(2) + rdb_string(b"p") + b"\xfe" + rdb_string(b"m") + b"\xff"))
    big = [(b"m%d" % i, float(i)) for i in range(200)]
    out.append(("type3-200", b"\x03" + rdb_len(len(big)) +
                b"".join(rdb_string(m) + text_double(s) for m, s in big)))
    out.append(("type5", b"\x05" + rdb_len(2) + rdb_string(b"x") + struct.pack("<d", 1.5) +
                rdb_string(b"y") + struct.pack("<d", -2.0)))
    zl = ziplist([b"a", b"1", b"b", b"2.5", b"c", b"10000000000", b"-7", b"-7"])
    out.append(("type12", b"\x0c" + rdb_string(zl)))
    zl = ziplist(sum(([b"k%d" % i, b"%d" % i] for i in range(150)), []))
    out.append(("type12-150", b"\x0c" + rdb_string(zl)))
    return out


def dump(fr_port, redis_port):
    fr, rd = Conn(fr_port), Conn(redis_port)
    ck = Checks()
    keys = sorted(k for k in fr.call("KEYS", "*") if fr.call("TYPE", k) == "zset")
    for key in keys:
        name = key.decode(errors="replace")
        p_fr, p_rd = fr.call("DUMP", key), rd.call("DUMP", key)
        ck.ok("dump/identical-payload/" + name, p_fr == p_rd, "%s vs %s" % (p_fr.hex()[:200], p_rd.hex()[:200]))
        r1 = rd.call("RESTORE", b"from-fr:" + key, 0, p_fr, "REPLACE")
        r2 = fr.call("RESTORE", b"from-redis:" + key, 0, p_rd, "REPLACE")
        a, b = content(rd, b"from-fr:" + key), content(fr, b"from-redis:" + key)
        # The members and scores of the original; the encoding a load gives
        # (a one-member skiplist comes back a listpack) the same both sides.
        ck.ok("dump/fr-to-redis/" + name, r1 == "OK" and a[1] == content(rd, key)[1], repr(r1))
        ck.ok("dump/redis-to-fr/" + name, r2 == "OK" and b[1] == content(fr, key)[1], repr(r2))
        ck.ok("dump/same-loaded/" + name, a == b, "%r vs %r" % (a, b))
        rd.call("DEL", b"from-fr:" + key)
        fr.call("DEL", b"from-redis:" + key)
    for key in keys:
        a, b = fr.call("DEBUG", "DIGEST-VALUE", key), rd.call("DEBUG", "DIGEST-VALUE", key)
        ck.ok("digest/" + key.decode(errors="replace"), a == b, "%r vs %r" % (a, b))
    ck.ok("digest/whole-db", fr.call("DEBUG", "DIGEST") == rd.call("DEBUG", "DIGEST"), "differ")
    for name, body in old_payloads():
        p = seal(body, 9)
        r1, r2 = fr.call("RESTORE", "old", 0, p, "REPLACE"), rd.call("RESTORE", "old", 0, p, "REPLACE")
        ck.ok("old-format/%s/restored" % name, r1 == r2 == "OK", "%r vs %r" % (r1, r2))
        ck.ok("old-format/%s/same-content" % name, content(fr, "old") == content(rd, "old"),
              "%r vs %r" % (content(fr, "old"), content(rd, "old")))
        ck.ok("old-format/%s/same-dump" % name, fr.call("DUMP", "old") == rd.call("DUMP", "old"), "differ")
    return ck.failed


# ---------------------------------------------------------------- fuzzing

def seeds(rng, fr):
    """Valid zset payload bodies (type byte + value) of every shape."""
    out = [body for _, body in old_payloads()]
    for key in fr.call("KEYS", "*"):
        if fr.call("TYPE", key) == "zset" and fr.call("ZCARD", key) <= 200:
            out.append(fr.call("DUMP", key)[:-10])
    fr.call("DEL", "fz-seed")
    fr.call("ZADD", "fz-seed", *sum(([rng.choice([0, 1, -1.5, 1e10, 3]), "e%d" % i] for i in range(12)), []))
    out.append(fr.call("DUMP", "fz-seed")[:-10])
    return out


def mutate(rng, body):
    b = bytearray(body)
    kind = rng.randrange(8)
    if kind == 0:  # flip a byte
        b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 1 and len(b) > 1:  # truncate
        del b[rng.randrange(1, len(b)):]
    elif kind == 2:  # extend with junk
        b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
    elif kind == 3 and len(b) > 8:  # listpack header count / bytes
        i = rng.choice([2, 3, 4, 5, 6, 7])
        b[i] = rng.randrange(256)
    elif kind == 4:  # another type byte
        b[0] = rng.choice([3, 5, 12, 17, 16, 2, 0])
    elif kind == 5 and len(b) > 12:  # duplicate a slice (repeats a member)
        i = rng.randrange(2, len(b) - 4)
        j = rng.randrange(i, min(len(b), i + 12))
        b[j:j] = b[i:j]
    elif kind == 6 and len(b) > 4:  # a score byte set to a NaN-ish pattern
        i = rng.randrange(1, len(b))
        b[i:i + 2] = b"\xf8\x7f"
    else:  # several flips
        for _ in range(rng.randrange(2, 6)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def huge_count(body):
    """A set, zset or hash body whose element count is over 100000."""
    if len(body) < 2 or body[0] not in (2, 3, 4, 5):
        return False
    kind = body[1] >> 6
    if kind == 2 and len(body) >= 6:
        n = int.from_bytes(body[2:6], "big") if body[1] == 0x80 else \
            int.from_bytes(body[2:10], "big") if body[1] == 0x81 else 0
        return n > 100000
    return False


def fuzz(fr_port, redis_port, count, seed):
    rng = random.Random(seed)
    fr, rd = Conn(fr_port), Conn(redis_port)
    base = seeds(rng, fr)
    ck = Checks()
    same_verdict = same_content = accepted = 0
    diffs = []
    for _ in range(count):
        body = rng.choice(base)
        for _ in range(rng.randrange(1, 4)):
            body = mutate(rng, body)
        payload = seal(body, rng.choice([9, 10]))
        a = fr.call("RESTORE", "fz", 0, payload, "REPLACE")
        if huge_count(body):
            # Redis sizes its table for the count before reading a member
            # (minutes, or gigabytes, for a flipped length byte): ours only,
            # which must refuse the short payload at once.
            if a != "OK":
                same_verdict += 1
            elif len(diffs) < 5:
                diffs.append("%s: ours accepted a huge count" % payload.hex())
            continue
        b = rd.call("RESTORE", "fz", 0, payload, "REPLACE")
        if (a == "OK") == (b == "OK"):
            same_verdict += 1
        elif len(diffs) < 5:
            diffs.append("%s: ours %r, redis %r" % (payload.hex(), a, b))
        if a == "OK" and b == "OK":
            accepted += 1
            t = fr.call("TYPE", "fz")
            if t == "zset":
                ca, cb = content(fr, "fz"), content(rd, "fz")
                members = ca[1][0::2]
                sane = fr.call("ZCARD", "fz") == len(members) and all(
                    not isinstance(fr.call("ZSCORE", "fz", m), Err) for m in members[:20])
            elif t == "set":  # a mutated type byte: compare as a set
                ca = (t, sorted(fr.call("SMEMBERS", "fz")))
                cb = (rd.call("TYPE", "fz"), sorted(rd.call("SMEMBERS", "fz")))
                sane = True
            else:
                ca, cb = (t, fr.call("DUMP", "fz")), (rd.call("TYPE", "fz"), rd.call("DUMP", "fz"))
                sane = True
            if ca == cb and sane:
                same_content += 1
            elif len(diffs) < 5:
                diffs.append("%s: content %r vs %r" % (payload.hex(), ca, cb))
        elif a != "OK" and b != "OK" and a != "ERR Bad data format" and \
                not str(a).startswith("ERR DUMP payload"):
            diffs.append("%s: unexpected error %r" % (payload.hex(), a))
    ck.ok("fuzz/server-alive-after-%d-payloads" % count, fr.call("PING") == "PONG", "no PONG")
    ck.ok("fuzz/same-verdict-as-redis (%d accepted by both)" % accepted,
          same_verdict == count, "%d of %d differ; %s" % (count - same_verdict, count, diffs))
    ck.ok("fuzz/same-content-as-redis", same_content == accepted,
          "%d of %d differ; %s" % (accepted - same_content, accepted, diffs))
    return ck.failed


# ---------------------------------------------------------------- blocking

class Raw:
    """A connection whose replies can be awaited later (blocked clients)."""

    def __init__(self, port):
        self.c = Conn(port)

    def send(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.c.sock.sendall(b"".join(parts))

    def reply(self, timeout=5):
        self.c.sock.settimeout(timeout)
        try:
            return self.c.reply()
        finally:
            self.c.sock.settimeout(None)


def wait_blocked(c, n):
    for _ in range(200):
        blocked = info_fields(c, "clients").get("blocked_clients")
        if blocked is not None and int(blocked) >= n:
            return True
        time.sleep(0.01)
    return False


def block(port):
    ck = Checks()
    c = Conn(port)
    c.call("DEL", "bz1", "bz2")
    b1, b2 = Raw(port), Raw(port)
    b1.send("BZPOPMIN", "bz1", "bz2", 0)
    b2.send("BZPOPMAX", "bz2", 0)
    ck.ok("block/two-clients-blocked", wait_blocked(c, 2), "not blocked")
    c.call("ZADD", "bz2", 1, "a", 2, "b", 3, "c")
    r1, r2 = b1.reply(), b2.reply()
    ck.ok("block/first-blocked-served-first", r1 == [b"bz2", b"a", b"1"], repr(r1))
    ck.ok("block/second-served-from-the-rest", r2 == [b"bz2", b"c", b"3"], repr(r2))
    ck.ok("block/left-over", c.call("ZRANGE", "bz2", 0, -1) == [b"b"], "")
    b1.send("BZMPOP", 0, 2, "bz1", "bz3", "MAX", "COUNT", 5)
    ck.ok("block/bzmpop-blocked", wait_blocked(c, 1), "not blocked")
    c.call("MULTI")
    c.call("ZADD", "bz3", 1, "x", 2, "y")
    c.call("ZADD", "bz3", 3, "z")
    c.call("EXEC")
    r = b1.reply()
    ck.ok("block/bzmpop-served-after-exec", r == [b"bz3", [[b"z", b"3"], [b"y", b"2"], [b"x", b"1"]]], repr(r))
    ck.ok("block/bzmpop-emptied-key", c.call("EXISTS", "bz3") == 0, "")
    t0 = time.time()
    b1.send("BZPOPMIN", "nokey", 0.2)
    r = b1.reply()
    ck.ok("block/timeout-null", r is None and time.time() - t0 >= 0.15, repr(r))
    b1.send("BZPOPMIN", "bz4", 0)
    ck.ok("block/wrongtype-wait", wait_blocked(c, 1), "not blocked")
    c.call("SET", "bz4", "str")
    c.call("DEL", "bz4")
    c.call("ZADD", "bz4", 5, "five")
    r = b1.reply()
    ck.ok("block/served-after-other-type", r == [b"bz4", b"five", b"5"], repr(r))
    return ck.failed


# ---------------------------------------------------------------- random streams

def rand_score(rng):
    return rng.choice([str(rng.randrange(-5, 6)), "%.3f" % rng.uniform(-10, 10), "inf", "-inf",
                       "-0", "1e300", "(%d" % rng.randrange(-5, 6), "abc"])


def rand_bound(rng):
    return rng.choice(["-inf", "+inf", str(rng.randrange(-6, 7)), "(%d" % rng.randrange(-6, 7),
                       "%.1f" % rng.uniform(-6, 6)])


def rand_lex(rng, member):
    return rng.choice(["-", "+", "[" + member(), "(" + member(), "[", "x"])


def rand_command(rng):
    # zc only ever holds score 0 (lex ranges over mixed scores depend on
    # the skiplist's random levels, in Redis too); the others anything.
    keys = ["za", "zb", "sa"]
    key = lambda: rng.choice(keys)
    member = lambda: "m%d" % rng.randrange(300) if rng.randrange(4) else rng.choice(["", "x" * 70, "12", "-3"])
    idx = lambda: str(rng.randrange(-320, 320))
    c = rng.randrange(24)
    if c < 5:
        opts = rng.sample(["NX", "XX", "GT", "LT", "CH"], rng.randrange(0, 2))
        pairs = sum(([rand_score(rng) if rng.randrange(20) else "nan", member()]
                     for _ in range(rng.choice([1, 1, 3, 40]))), [])
        return ["ZADD", key()] + opts + pairs
    if c == 5:
        return ["ZINCRBY", key(), rand_score(rng), member()]
    if c == 6:
        return ["ZREM", rng.choice(["za", "zb", "zc"])] + [member() for _ in range(rng.randrange(1, 6))]
    if c == 7:
        return ["ZRANGE", key(), idx(), idx()] + (["WITHSCORES"] if rng.randrange(2) else []) + \
               (["REV"] if rng.randrange(3) == 0 else [])
    if c == 8:
        args = ["ZRANGEBYSCORE" if rng.randrange(2) else "ZREVRANGEBYSCORE", key(), rand_bound(rng), rand_bound(rng)]
        if rng.randrange(2):
            args += ["LIMIT", str(rng.randrange(-2, 10)), str(rng.randrange(-2, 10))]
        return args + (["WITHSCORES"] if rng.randrange(2) else [])
    if c == 9:
        # lex ranges only where every score is equal (zc), else Redis itself
        # is not deterministic
        return [rng.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT"]), "zc",
                rand_lex(rng, member), rand_lex(rng, member)]
    if c == 10:
        return ["ZADD", "zc"] + sum((["0", member()] for _ in range(rng.choice([1, 20, 150]))), [])
    if c == 11:
        return ["ZCOUNT", key(), rand_bound(rng), rand_bound(rng)]
    if c == 12:
        return [rng.choice(["ZRANK", "ZREVRANK", "ZSCORE"]), key(), member()]
    if c == 13:
        return ["ZMSCORE", key()] + [member() for _ in range(3)]
    if c == 14:
        return ["ZREMRANGEBYRANK", key(), idx(), idx()]
    if c == 15:
        return ["ZREMRANGEBYSCORE", key(), rand_bound(rng), rand_bound(rng)]
    if c == 16:
        return ["ZREMRANGEBYLEX", "zc", rand_lex(rng, member), rand_lex(rng, member)]
    if c == 17:
        return [rng.choice(["ZPOPMIN", "ZPOPMAX"]), key()] + ([str(rng.randrange(0, 200))] if rng.randrange(2) else [])
    if c == 18:
        n = rng.randrange(1, 4)
        args = [rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), key(), str(n)] + [key() for _ in range(n)]
        if args[0] != "ZDIFFSTORE" and rng.randrange(2):
            args += ["WEIGHTS"] + [rng.choice(["1", "2", "-1", "0", "inf", "0.5"]) for _ in range(n)]
        if args[0] != "ZDIFFSTORE" and rng.randrange(2):
            args += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
        return args
    if c == 19:
        n = rng.randrange(1, 4)
        return [rng.choice(["ZUNION", "ZINTER", "ZDIFF"]), str(n)] + [key() for _ in range(n)] + ["WITHSCORES"]
    if c == 20:
        return ["ZRANGESTORE", key(), key(), idx(), idx()]
    if c == 21:
        return ["ZMPOP", "2", key(), key(), rng.choice(["MIN", "MAX"]), "COUNT", str(rng.randrange(1, 50))]
    if c == 22:
        return ["SADD", "sa"] + [member() for _ in range(rng.randrange(1, 10))]
    return ["CONFIG", "SET", "zset-max-listpack-entries", str(rng.choice([0, 1, 5, 128, 128, 128]))]


def stream(fr_port, redis_port, count, seed):
    rng = random.Random(seed)
    fr, rd = Conn(fr_port), Conn(redis_port)
    ck = Checks()
    for c in (fr, rd):
        c.call("FLUSHALL")
    diffs = []
    for i in range(count):
        cmd = rand_command(rng)
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b and len(diffs) < 5:
            diffs.append("#%d %s: ours %r, redis %r" % (i, " ".join(cmd)[:200], a, b))
        if i % 50 == 0:
            for k in ("za", "zb", "zc"):
                ea, eb = fr.call("OBJECT", "ENCODING", k), rd.call("OBJECT", "ENCODING", k)
                if ea != eb and len(diffs) < 5:
                    diffs.append("#%d encoding of %s: ours %r, redis %r" % (i, k, ea, eb))
    for c in (fr, rd):
        c.call("CONFIG", "SET", "zset-max-listpack-entries", 128)
    ck.ok("stream/%d-commands-same-replies-and-encodings" % count, not diffs, "; ".join(diffs))
    ck.ok("stream/same-digest", fr.call("DEBUG", "DIGEST") == rd.call("DEBUG", "DIGEST"), "differ")
    return ck.failed


def main(argv):
    cmd = argv[1]
    if cmd == "fill":
        fill(argv[2])
    elif cmd == "zsets":
        zsets(argv[2])
    elif cmd == "dump":
        return 1 if dump(argv[2], argv[3]) else 0
    elif cmd == "fuzz":
        return 1 if fuzz(argv[2], argv[3], int(argv[4]), int(argv[5])) else 0
    elif cmd == "block":
        return 1 if block(argv[2]) else 0
    elif cmd == "stream":
        return 1 if stream(argv[2], argv[3], int(argv[4]), int(argv[5])) else 0
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, EOFError, ValueError, socket.timeout) as e:
        print("FAIL %s/aborted: %r" % (sys.argv[1], e))
        sys.exit(1)

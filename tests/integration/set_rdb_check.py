#!/usr/bin/env python3
"""set_rdb_check.py -- the set type's persistence against redis-server.

Called by set_rdb.sh with the ports of a FrankenRedis and a redis-server
7.0.15 (the latter with sanitize-dump-payload yes, so it validates every
payload as fully as our set module always does):

  set_rdb_check.py fill PORT            the data set both directions use
  set_rdb_check.py sets PORT            one line per set key: db, key,
                                        encoding, sorted members
  set_rdb_check.py dump PORT_FR PORT_REDIS
                                        DUMP/RESTORE both ways, byte-identical
                                        intset payloads
  set_rdb_check.py fuzz PORT_FR PORT_REDIS N SEED
                                        N mutated set payloads RESTOREd into
                                        both: same verdict, same content

Each check prints `PASS name` or `FAIL name: why`.  Binary-safe RESP client
from rdb_tool.py; standard library only.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import Conn, Err, rdb_len, rdb_string, seal  # noqa: E402



def intset_blob(values, width):
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    return struct.pack("<II", width, len(values)) + b"".join(struct.pack(fmt, v) for v in values)


def fill(port):
    c = Conn(port)
    c.call("FLUSHALL")
    c.call("SADD", "is16", *range(-5, 6))
    c.call("SADD", "is32", 1, 70000, -70000)
    c.call("SADD", "is64", 1, 2 ** 40, -(2 ** 63), 2 ** 63 - 1)
    c.call("SADD", "is512", *range(512))
    c.call("SADD", "ht513", *range(513))
    c.call("SADD", "htwords", "a", "b", "c", "hello world")
    c.call("SADD", "htmixed", 1, 2, "x", -3)
    c.call("SADD", "htbinary", b"\x00", b"a\x00b", b"", b"\xff\xfe")
    c.call("SADD", "htlong", "x" * 100, "y" * 5000, "z" * 30)
    c.call("SADD", "htnum", "1.5", "+1", "01", "-0", "9223372036854775808")
    c.call("SADD", "wide", *range(0, 300000, 1000))
    # One-member hashtables: their payloads have one order, so they must be
    # Redis's bytes (member string encodings: integer form, LZF, raw).
    c.call("SADD", "one-word", "hello")
    c.call("SADD", "one-long", "abc" * 40)
    c.call("CONFIG", "SET", "set-max-intset-entries", 0)
    c.call("SADD", "one-int", 123456)
    c.call("SADD", "one-negint", -7)
    c.call("CONFIG", "SET", "set-max-intset-entries", 512)
    c.call("SELECT", 1)
    c.call("SADD", "db1set", 3, 2, 1)
    c.call("SADD", "db1ht", "m", "n")
    c.call("SET", "db1str", "v")
    c.call("SELECT", 0)
    print("filled")


def sets(port):
    c = Conn(port)
    dbs = int(c.call("CONFIG", "GET", "databases")[1])
    for db in range(dbs):
        c.call("SELECT", db)
        for key in sorted(c.call("KEYS", "*")):
            t = c.call("TYPE", key)
            if t != "set":
                print("%d\t%r\t%s\t%r" % (db, key, t, c.call("GET", key)))
                continue
            enc = c.call("OBJECT", "ENCODING", key)
            members = sorted(c.call("SMEMBERS", key))
            print("%d\t%r\t%s\t%d\t%r" % (db, key, enc, len(members), members))


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
    """(encoding, sorted members) of key, or the error."""
    enc = c.call("OBJECT", "ENCODING", key)
    members = c.call("SMEMBERS", key)
    if isinstance(members, Err):
        return members
    return enc, sorted(members)


def dump(fr_port, redis_port):
    fr, rd = Conn(fr_port), Conn(redis_port)
    ck = Checks()
    keys = sorted(k for k in fr.call("KEYS", "*") if fr.call("TYPE", k) == "set")
    for key in keys:
        name = key.decode(errors="replace")
        p_fr, p_rd = fr.call("DUMP", key), rd.call("DUMP", key)
        if fr.call("OBJECT", "ENCODING", key) == b"intset" or fr.call("SCARD", key) == 1:
            ck.ok("dump/identical-payload/" + name, p_fr == p_rd,
                  "%s vs %s" % (p_fr.hex(), p_rd.hex()))
        r1 = rd.call("RESTORE", b"from-fr:" + key, 0, p_fr, "REPLACE")
        r2 = fr.call("RESTORE", b"from-redis:" + key, 0, p_rd, "REPLACE")
        # Same members as the original; the encoding a load gives (which
        # may differ from the original's, e.g. a hashtable of one integer
        # loads as an intset) the same on both sides.
        a, b = content(rd, b"from-fr:" + key), content(fr, b"from-redis:" + key)
        want = content(fr, key)[1]
        ck.ok("dump/fr-to-redis/" + name, r1 == "OK" and a[1] == want, repr(r1))
        ck.ok("dump/redis-to-fr/" + name, r2 == "OK" and b[1] == want, repr(r2))
        ck.ok("dump/same-loaded-encoding/" + name, a[0] == b[0], "%r vs %r" % (a[0], b[0]))
        rd.call("DEL", b"from-fr:" + key)
        fr.call("DEL", b"from-redis:" + key)
    # DEBUG DIGEST-VALUE is Redis's per-value digest: the same for equal sets
    # whatever their iteration order.
    for key in keys:
        a, b = fr.call("DEBUG", "DIGEST-VALUE", key), rd.call("DEBUG", "DIGEST-VALUE", key)
        ck.ok("digest/" + key.decode(errors="replace"), a == b, "%r vs %r" % (a, b))
    return ck.failed


# ---------------------------------------------------------------- fuzzing

def seeds(rng):
    """Valid set payload bodies (type byte + value) of every shape."""
    out = []
    for width in (2, 4, 8):
        lim = {2: 2 ** 15, 4: 2 ** 31, 8: 2 ** 63}[width]
        for n in (1, 2, 5, 17):
            vals = sorted({rng.randrange(-lim, lim) for _ in range(n)})
            out.append(b"\x0b" + rdb_string(intset_blob(vals, width)))
    out.append(b"\x0b" + rdb_string(intset_blob(list(range(600)), 2)))
    for members in ([b"a", b"b", b"c"], [b"1", b"2", b"3"], [b"1", b"x"], [b"", b"\x00"],
                    [str(i).encode() for i in range(20)]):
        out.append(b"\x02" + rdb_len(len(members)) + b"".join(rdb_string(m) for m in members))
    return out


def mutate(rng, body):
    b = bytearray(body)
    kind = rng.randrange(9)
    if kind == 0:  # flip a byte
        i = rng.randrange(len(b))
        b[i] = rng.randrange(256)
    elif kind == 1 and len(b) > 1:  # truncate
        del b[rng.randrange(1, len(b)):]
    elif kind == 2:  # extend with junk
        b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
    elif kind == 3 and b[0] == 0x0b and len(b) > 10:  # intset encoding field
        b[2] = rng.choice([0, 1, 2, 3, 4, 5, 8, 16, 255])
    elif kind == 4 and b[0] == 0x0b and len(b) > 10:  # intset length field
        b[6:10] = struct.pack("<I", rng.choice([0, 1, 2, len(b), 0xFFFFFFFF, 0x7FFFFFFF]))
    elif kind == 5 and b[0] == 0x0b and len(b) > 14:  # swap or duplicate elements
        w = b[2] if b[2] in (2, 4, 8) else 2
        n = (len(b) - 10) // w
        if n >= 2:
            i, j = rng.randrange(n), rng.randrange(n)
            ei = b[10 + i * w:10 + (i + 1) * w]
            ej = b[10 + j * w:10 + (j + 1) * w]
            b[10 + i * w:10 + (i + 1) * w] = ej
            if rng.randrange(2):
                b[10 + j * w:10 + (j + 1) * w] = ei
    elif kind == 6:  # another type byte
        b[0] = rng.choice([2, 11, 0, 3, 12, 255])
    elif kind == 7 and b[0] == 0x02:  # the member count
        b[1] = rng.randrange(256)
    else:  # several flips
        for _ in range(rng.randrange(2, 6)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def fuzz(fr_port, redis_port, count, seed):
    rng = random.Random(seed)
    fr, rd = Conn(fr_port), Conn(redis_port)
    base = seeds(rng)
    ck = Checks()
    same_verdict = same_content = accepted = 0
    diffs = []
    for i in range(count):
        body = rng.choice(base)
        for _ in range(rng.randrange(1, 4)):
            body = mutate(rng, body)
        payload = seal(body)
        a = fr.call("RESTORE", "fz", 0, payload, "REPLACE")
        b = rd.call("RESTORE", "fz", 0, payload, "REPLACE")
        if (a == "OK") == (b == "OK"):
            same_verdict += 1
        elif len(diffs) < 5:
            diffs.append("%s: ours %r, redis %r" % (payload.hex(), a, b))
        if a == "OK" and b == "OK":
            accepted += 1
            ca, cb = content(fr, "fz"), content(rd, "fz")
            # A mutated type byte may make another type: compare it as such.
            if fr.call("TYPE", "fz") != "set":
                ca = (fr.call("TYPE", "fz"), fr.call("GET", "fz"))
                cb = (rd.call("TYPE", "fz"), rd.call("GET", "fz"))
                members, card_ok = [], True
            else:
                members = ca[1]
                card_ok = fr.call("SCARD", "fz") == len(members)
            # A well-formed set answers membership for every member.
            if ca == cb and card_ok and all(
                    fr.call("SISMEMBER", "fz", m) == 1 for m in members[:20]):
                same_content += 1
            elif len(diffs) < 5:
                diffs.append("%s: content %r vs %r" % (payload.hex(), ca, cb))
        elif a == "OK" or b == "OK":
            pass
        elif a != "ERR Bad data format" and not str(a).startswith("ERR DUMP payload"):
            diffs.append("%s: unexpected error %r" % (payload.hex(), a))
    alive = fr.call("PING") == "PONG"
    ck.ok("fuzz/server-alive-after-%d-payloads" % count, alive, "no PONG")
    ck.ok("fuzz/same-verdict-as-redis (%d accepted by both)" % accepted,
          same_verdict == count, "%d of %d differ; %s" % (count - same_verdict, count, diffs))
    ck.ok("fuzz/same-content-as-redis", same_content == accepted,
          "%d of %d differ; %s" % (accepted - same_content, accepted, diffs))
    return ck.failed


def main(argv):
    cmd = argv[1]
    if cmd == "fill":
        fill(argv[2])
    elif cmd == "sets":
        sets(argv[2])
    elif cmd == "dump":
        return 1 if dump(argv[2], argv[3]) else 0
    elif cmd == "fuzz":
        return 1 if fuzz(argv[2], argv[3], int(argv[4]), int(argv[5])) else 0
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, EOFError, ValueError) as e:  # a dead server, a bad reply
        print("FAIL %s/aborted: %r" % (sys.argv[1], e))
        sys.exit(1)

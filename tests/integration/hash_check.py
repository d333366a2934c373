#!/usr/bin/env python3
"""hash_check.py -- the hash module against redis-server 7.0.15.

  hash_check.py live OURS REF FUZZREF [ROUNDS]
      DUMP/RESTORE both ways (listpack payloads byte-identical), ziplist
      (RDB 9 payload, type 13), zipmap (type 9) and plain (type 4) payloads
      restored on ours and on FUZZREF (whose deep checks ours mirrors), DEBUG DIGEST(-VALUE) agreement, the keyspace events
      of every write, HRANDFIELD's randomness contracts, and a RESTORE fuzz:
      ROUNDS mutated payloads with a valid checksum sent to ours (which must
      answer and stay consistent) and to FUZZREF (a redis-server with
      sanitize-dump-payload yes) while it lives, counting where the two
      disagree on accepting a payload.
  hash_check.py populate PORT
      writes the data set the RDB round trips carry.
  hash_check.py compare A B
      the data sets of two servers: fields and values, encodings, digests.

Prints `PASS name` / `FAIL name: why` lines for hash.sh to count.  Owns
nothing but these checks; the protocol client is rdb_tool.py's.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import Conn, Err, rdb_len, rdb_string, seal  # noqa: E402

RESULTS = {"pass": 0, "fail": 0}


def check(name, ok, why=""):
    if ok:
        print("PASS " + name)
        RESULTS["pass"] += 1
    else:
        print("FAIL %s: %s" % (name, why))
        RESULTS["fail"] += 1


# ---- payload building ------------------------------------------------------

def canonical_int(b):
    """The value of text Redis would store as an integer, else None."""
    try:
        s = b.decode("ascii")
    except UnicodeDecodeError:
        return None
    digits = s[1:] if s.startswith("-") else s
    if not digits.isdigit() or len(s) > 20 or s != str(int(s)):
        return None
    v = int(s)
    return v if -(1 << 63) <= v < (1 << 63) else None


def zl_entry(prev_raw, item):
    prev = bytes([prev_raw]) if prev_raw < 254 else b"\xfe" + prev_raw.to_bytes(4, "little")
    v = canonical_int(item) if len(item) <= 31 else None
    if v is None:
        n = len(item)
        if n <= 63:
            enc = bytes([n])
        elif n <= 16383:
            enc = bytes([0x40 | (n >> 8), n & 0xFF])
        else:
            enc = b"\x80" + n.to_bytes(4, "big")
        return prev + enc + item
    if 0 <= v <= 12:
        return prev + bytes([0xF1 + v])
    for lo, hi, code, size in ((-128, 127, 0xFE, 1), (-32768, 32767, 0xC0, 2),
                               (-(1 << 23), (1 << 23) - 1, 0xF0, 3),
                               (-(1 << 31), (1 << 31) - 1, 0xD0, 4)):
        if lo <= v <= hi:
            return prev + bytes([code]) + v.to_bytes(size, "little", signed=True)
    return prev + b"\xe0" + v.to_bytes(8, "little", signed=True)


def ziplist(items):
    body, prev_raw, tail = b"", 0, 10
    for it in items:
        e = zl_entry(prev_raw, it)
        tail = 10 + len(body)
        body += e
        prev_raw = len(e)
    total = 10 + len(body) + 1
    count = min(len(items), 65535)
    return total.to_bytes(4, "little") + tail.to_bytes(4, "little") + \
        count.to_bytes(2, "little") + body + b"\xff"


def zipmap(pairs):
    def zlen(n):
        return bytes([n]) if n < 254 else b"\xfe" + n.to_bytes(4, "little")
    out = bytes([min(len(pairs), 254)])
    for f, v in pairs:
        out += zlen(len(f)) + f + zlen(len(v)) + b"\x00" + v
    return out + b"\xff"


def payload_ziplist(pairs):
    items = [x for p in pairs for x in p]
    return seal(bytes([13]) + rdb_string(ziplist(items)), 9)


def payload_zipmap(pairs):
    return seal(bytes([9]) + rdb_string(zipmap(pairs)), 9)


def payload_plain(pairs):
    body = bytes([4]) + rdb_len(len(pairs))
    for f, v in pairs:
        body += rdb_string(f) + rdb_string(v)
    return seal(body, 10)


# ---- data set ----------------------------------------------------------------

def dataset():
    """(db, key, [(field, value)...]) covering both encodings and the edges
    of the listpack's integer and string encodings."""
    ints = [b"0", b"12", b"13", b"127", b"128", b"-1", b"-4096", b"4095", b"4096",
            b"-32769", b"8388607", b"8388608", b"2147483647", b"-2147483649",
            b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
            b"-0", b"007", b"1.5", b" 3"]
    sets = [
        (0, b"lp:small", [(b"name", b"frank"), (b"age", b"42"), (b"e", b"")]),
        (0, b"lp:ints", [(b"f%d" % i, v) for i, v in enumerate(ints)] + [(v, b"x") for v in ints]),
        (0, b"lp:bin", [(b"a\x00b", b"\r\n\x00\xff"), (b"", b"empty field")]),
        (0, b"lp:64", [(b"v", b"y" * 64), (b"w" * 63, b"z" * 63)]),
        (0, b"lp:512", [(b"k%d" % i, b"%d" % (i * 7919)) for i in range(512)]),
        (0, b"ht:513", [(b"k%d" % i, b"v%d" % i) for i in range(513)]),
        (0, b"ht:long", [(b"f", b"q" * 65)]),
        (0, b"ht:big", [(b"big%d" % i, (b"%d" % i) * 3000) for i in range(3)]),
        (1, b"lp:db1", [(b"a", b"1"), (b"b", b"2")]),
        (15, b"ht:db15", [(b"x" * 100, b"y")]),
    ]
    return sets


def populate(port):
    c = Conn(port)
    for db, key, pairs in dataset():
        c.call("SELECT", db)
        c.call("DEL", key)
        for i in range(0, len(pairs), 50):
            args = [x for p in pairs[i:i + 50] for x in p]
            c.call("HSET", key, *args)
    c.call("SELECT", 0)
    c.call("HINCRBYFLOAT", "lp:float", "f", "10.5")
    c.call("HINCRBYFLOAT", "lp:float", "f", "0.1")
    c.call("HINCRBY", "lp:float", "i", "-100")


def hash_state(c, db, key):
    c.call("SELECT", db)
    flat = c.call("HGETALL", key)
    pairs = sorted(zip(flat[0::2], flat[1::2])) if isinstance(flat, list) else flat
    return pairs, c.call("OBJECT", "ENCODING", key), c.call("DEBUG", "DIGEST-VALUE", key)


def keys_of(c):
    out = []
    for db in (0, 1, 15):
        c.call("SELECT", db)
        out += [(db, k) for k in sorted(c.call("KEYS", "*"))]
    return out


def compare(a_port, b_port, label):
    a, b = Conn(a_port), Conn(b_port)
    ka, kb = keys_of(a), keys_of(b)
    check(label + "/keys", ka == kb, "%r vs %r" % (ka[:5], kb[:5]))
    for db, key in ka:
        sa, sb = hash_state(a, db, key), hash_state(b, db, key)
        check("%s/%d/%s" % (label, db, key.decode(errors="replace")), sa == sb,
              "encoding/digest %r vs %r" % (sa[1:], sb[1:]))
    check(label + "/debug-digest", a.call("DEBUG", "DIGEST") == b.call("DEBUG", "DIGEST"))


# ---- live checks ---------------------------------------------------------------

def check_dumps(ours, ref):
    o, r = Conn(ours), Conn(ref)
    for db, key, _ in dataset():
        o.call("SELECT", db)
        r.call("SELECT", db)
        do, dr = o.call("DUMP", key), r.call("DUMP", key)
        name = "dump/%d/%s" % (db, key.decode())
        if o.call("OBJECT", "ENCODING", key) == "listpack" or key == b"ht:long":
            check(name + "/identical", do == dr, "ours %r... redis %r..." % (do[:40], dr[:40]))
        # ours -> redis and redis -> ours
        r.call("RESTORE", b"x:" + key, 0, do, "REPLACE")
        o.call("RESTORE", b"x:" + key, 0, dr, "REPLACE")
        check(name + "/to-redis", hash_state(r, db, b"x:" + key) == hash_state(r, db, key))
        check(name + "/from-redis", hash_state(o, db, b"x:" + key) == hash_state(o, db, key))
        o.call("DEL", b"x:" + key)
        r.call("DEL", b"x:" + key)
    o.call("SELECT", 0)
    r.call("SELECT", 0)


def legacy_payloads():
    small = [(b"a", b"1"), (b"bb", b"hello"), (b"-5", b"300"), (b"big", b"9223372036854775807"),
             (b"neg", b"-2147483648"), (b"z", b"x" * 70)]
    return {
        "ziplist-small": payload_ziplist(small[:5]),
        "ziplist-long-value": payload_ziplist(small),
        "ziplist-600": payload_ziplist([(b"f%d" % i, b"%d" % i) for i in range(600)]),
        "ziplist-bigprev": payload_ziplist([(b"a", b"y" * 300), (b"b", b"1")]),
        "zipmap": payload_zipmap([(b"f", b"v"), (b"n", b"12")]),
        "zipmap-long": payload_zipmap([(b"f", b"v" * 300)]),
        "plain-small": payload_plain([(b"a", b"1"), (b"b", b"two")]),
        "plain-long": payload_plain([(b"a", b"1"), (b"b", b"w" * 100)]),
        "plain-600": payload_plain([(b"k%d" % i, b"v") for i in range(600)]),
        "ziplist-dup": payload_ziplist([(b"a", b"1"), (b"a", b"2")]),
        "plain-dup": payload_plain([(b"a", b"1"), (b"a", b"2")]),
        "zipmap-dup": payload_zipmap([(b"a", b"1"), (b"a", b"2")]),
        "ziplist-odd": seal(bytes([13]) + rdb_string(ziplist([b"a", b"1", b"b"])), 9),
        "ziplist-empty": seal(bytes([13]) + rdb_string(ziplist([])), 9),
    }


def check_legacy(ours, ref):
    o, r = Conn(ours), Conn(ref)
    for name, pl in legacy_payloads().items():
        ro = o.call("RESTORE", "legacy", 0, pl, "REPLACE")
        rr = r.call("RESTORE", "legacy", 0, pl, "REPLACE")
        same = (ro == rr) or (isinstance(ro, Err) and isinstance(rr, Err))
        check("legacy/%s/reply" % name, same, "ours %r redis %r" % (ro, rr))
        if ro == "OK" and rr == "OK":
            check("legacy/%s/data" % name, hash_state(o, 0, b"legacy") == hash_state(r, 0, b"legacy"))
            if o.call("OBJECT", "ENCODING", "legacy") == "listpack":
                check("legacy/%s/redump" % name, o.call("DUMP", "legacy") == r.call("DUMP", "legacy"))
        o.call("DEL", "legacy")
        r.call("DEL", "legacy")


def check_digests(ours, ref):
    o, r = Conn(ours), Conn(ref)
    for conn in (o, r):
        conn.call("CONFIG", "SET", "hash-max-listpack-entries", "1")
        conn.call("HSET", "dg:ht", "a", "1", "b", "2")
        conn.call("CONFIG", "SET", "hash-max-listpack-entries", "512")
        conn.call("HSET", "dg:lp", "b", "2", "a", "1")
    check("digest/encodings-agree", o.call("DEBUG", "DIGEST-VALUE", "dg:ht") ==
          o.call("DEBUG", "DIGEST-VALUE", "dg:lp"))
    check("digest/vs-redis", o.call("DEBUG", "DIGEST-VALUE", "dg:ht", "dg:lp") ==
          r.call("DEBUG", "DIGEST-VALUE", "dg:ht", "dg:lp"))
    check("debug-listpack", o.call("DEBUG", "LISTPACK", "dg:lp") == r.call("DEBUG", "LISTPACK", "dg:lp"))
    for conn in (o, r):
        conn.call("DEL", "dg:ht", "dg:lp")


def events(port, script):
    """The keyevent/keyspace messages `script` causes, in order."""
    sub, c = Conn(port), Conn(port)
    c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub.call("PSUBSCRIBE", "__key*@0__:*")
    sub.call("SUBSCRIBE", "end")
    for cmd in script:
        c.call(*cmd)
    c.call("PUBLISH", "end", "x")
    got = []
    while True:
        m = sub.reply()
        if m[0] == b"message":
            break
        got.append((m[2], m[3]))
    c.call("CONFIG", "SET", "notify-keyspace-events", "")
    return got


def check_events(ours, ref):
    script = [("DEL", "ev"), ("HSET", "ev", "a", "1", "b", "2"), ("HSET", "ev", "a", "1"),
              ("HMSET", "ev", "c", "3"), ("HSETNX", "ev", "a", "x"), ("HSETNX", "ev", "d", "4"),
              ("HINCRBY", "ev", "n", "5"), ("HINCRBY", "ev", "a", "x"), ("HINCRBYFLOAT", "ev", "f", "1.5"),
              ("HINCRBYFLOAT", "ev", "b", "nan"), ("HDEL", "ev", "zz"), ("HDEL", "ev", "a", "b"),
              ("HGET", "ev", "c"), ("HGET", "nokey", "c"), ("HDEL", "ev", "c", "d", "n", "f"),
              ("HSETNX", "ev2", "a", "1"), ("HINCRBY", "ev3", "a", "1"), ("HINCRBYFLOAT", "ev4", "a", "1"),
              ("DEL", "ev2", "ev3", "ev4")]
    eo, er = events(ours, script), events(ref, script)
    check("events/all-writes", eo == er, "ours %r\nredis %r" % (eo, er))


def check_random(ours):
    c = Conn(ours)
    for key, n in (("rnd:lp", 10), ("rnd:ht", 600)):
        c.call("DEL", key)
        c.call("HSET", key, *[x for i in range(n) for x in (b"f%d" % i, b"v%d" % i)])
        draws = c.call("HRANDFIELD", key, -200 * n)
        counts = {}
        for d in draws:
            counts[d] = counts.get(d, 0) + 1
        expected = 200.0
        chi = sum((v - expected) ** 2 / expected for v in counts.values()) + \
            expected * (n - len(counts))
        # chi-square with n-1 degrees of freedom: mean n-1, sd sqrt(2(n-1))
        limit = (n - 1) + 6 * (2 * (n - 1)) ** 0.5
        check("random/%s/uniform-draws" % key, len(draws) == 200 * n and chi < limit,
              "chi2 %.1f limit %.1f over %d fields" % (chi, limit, len(counts)))
        for count in (1, n // 3, n - 1):
            got = c.call("HRANDFIELD", key, count)
            check("random/%s/distinct-%d" % (key, count),
                  len(got) == count and len(set(got)) == count and all(g.startswith(b"f") for g in got))
        seen = set()
        for _ in range(40):
            seen.update(c.call("HRANDFIELD", key, 3))
        check("random/%s/subsets-vary" % key, len(seen) > 3, "only %r" % seen)
        pairs = c.call("HRANDFIELD", key, -5, "WITHVALUES")
        check("random/%s/withvalues-pairs" % key,
              len(pairs) == 10 and all(pairs[i + 1] == b"v" + pairs[i][1:] for i in range(0, 10, 2)))
        c.call("DEL", key)


def check_hscan(ours):
    """A full HSCAN of a hashtable returns every field that stays, however
    the table grows or shrinks between calls."""
    c = Conn(ours)
    c.call("DEL", "scan:ht")
    c.call("HSET", "scan:ht", *[x for i in range(3000) for x in (b"f%d" % i, b"v%d" % i)])
    for name, churn in (("stable", 0), ("shrinking", 1), ("growing", 2)):
        seen, cursor, calls, n = {}, b"0", 0, 0
        while True:
            cursor, items = c.call("HSCAN", "scan:ht", cursor, "COUNT", 20)
            calls += 1
            for i in range(0, len(items), 2):
                seen[items[i]] = items[i + 1]
            if churn == 1 and n < 2500:   # delete fields nobody checks
                c.call("HDEL", "scan:ht", *[b"f%d" % i for i in range(n + 500, n + 510)])
                n += 10
            if churn == 2:
                c.call("HSET", "scan:ht", *[x for i in range(5) for x in (b"g%d-%d" % (calls, i), b"x")])
            if cursor == b"0":
                break
        kept = [b"f%d" % i for i in range(500)]
        check("hscan/hashtable-%s-complete" % name,
              all(seen.get(f) == b"v" + f[1:] for f in kept) and calls > 10,
              "%d calls, %d of 500 kept fields seen" % (calls, sum(f in seen for f in kept)))
    c.call("DEL", "scan:ht")


def mutate(rng, pl):
    body = bytearray(pl[:-10])
    for _ in range(rng.randint(1, 3)):
        if len(body) < 3:
            break
        op = rng.randrange(5)
        if op == 0:
            body[rng.randrange(1, len(body))] = rng.randrange(256)
        elif op == 1:
            body[rng.randrange(1, len(body))] ^= 1 << rng.randrange(8)
        elif op == 2 and len(body) > 2:
            del body[rng.randrange(1, len(body)):]
        elif op == 3:
            body.insert(rng.randrange(1, len(body)), rng.randrange(256))
        else:
            i = rng.randrange(1, len(body))
            body[i] = (body[i] + rng.choice((1, -1, 2))) % 256
    version = pl[-10] | pl[-9] << 8
    return seal(bytes(body), version)


def split_blob(pl):
    """(type byte, blob) of a payload holding one uncompressed RDB string
    (listpack, ziplist, zipmap), or None."""
    t, b = pl[0], pl[1]
    if t not in (9, 13, 16):
        return None
    kind = b >> 6
    if kind == 0:
        return t, pl[2:2 + (b & 0x3F)]
    if kind == 1:
        n = ((b & 0x3F) << 8) | pl[2]
        return t, pl[3:3 + n]
    if b == 0x80:
        n = int.from_bytes(pl[2:6], "big")
        return t, pl[6:6 + n]
    return None


def mutate_blob(rng, pl):
    """A mutation of the listpack/ziplist/zipmap bytes themselves, the RDB
    string around them kept well-formed: the deep checks, not the string
    reader, must catch it."""
    t, blob = split_blob(pl)
    blob = bytearray(blob)
    for _ in range(rng.randint(1, 2)):
        op = rng.randrange(4)
        i = rng.randrange(len(blob))
        if op == 0:
            blob[i] = rng.randrange(256)
        elif op == 1:
            blob[i] ^= 1 << rng.randrange(8)
        elif op == 2 and len(blob) > 1:
            del blob[i]
        else:
            blob.insert(i, rng.randrange(256))
    version = pl[-10] | pl[-9] << 8
    return seal(bytes([t]) + rdb_string(bytes(blob)), version)


def check_fuzz(ours, fuzzref, rounds):
    o = Conn(ours)
    seeds = []
    o.call("CONFIG", "SET", "rdbcompression", "no")
    for db, key, pairs in dataset():
        if len(pairs) <= 30:
            o.call("SELECT", db)
            seeds.append(o.call("DUMP", key))
    o.call("CONFIG", "SET", "rdbcompression", "yes")
    o.call("SELECT", 0)
    seeds += [p for n, p in legacy_payloads().items() if "600" not in n]
    blob_seeds = [p for p in seeds if split_blob(p)]
    rng = random.Random(20261206)
    r = Conn(fuzzref)
    r_alive, compared, disagree, accepted, examples = True, 0, 0, 0, []
    crashed = None
    for i in range(rounds):
        if i % 2:
            pl = mutate_blob(rng, rng.choice(blob_seeds))
        else:
            pl = mutate(rng, rng.choice(seeds))
        try:
            ro = o.call("RESTORE", "fz", 0, pl, "REPLACE")
        except (EOFError, OSError) as e:
            crashed = "round %d: %s (payload %s)" % (i, e, pl.hex())
            break
        if ro == "OK":
            accepted += 1
            t = o.call("TYPE", "fz")
            if t == "hash":
                flat = o.call("HGETALL", "fz")
                n = o.call("HLEN", "fz")
                if len(flat) != 2 * n or len(set(flat[0::2])) != n:
                    crashed = "round %d: inconsistent hash after RESTORE %s" % (i, pl.hex())
                    break
        if r_alive:
            try:
                rr = r.call("RESTORE", "fz", 0, pl, "REPLACE")
                compared += 1
                if (ro == "OK") != (rr == "OK"):
                    disagree += 1
                    if len(examples) < 3:
                        examples.append("%s: ours %r redis %r" % (pl.hex(), ro, rr))
            except (EOFError, OSError):
                r_alive = False
                print("INFO fuzz: the reference redis-server died at round %d (payload %s)"
                      % (i, pl.hex()))
        if i % 200 == 0 and o.call("PING") != "PONG":
            crashed = "round %d: no PONG" % i
            break
    check("fuzz/restore-%d-never-crashes" % rounds, crashed is None, crashed or "")
    print("INFO fuzz: %d payloads, %d accepted by ours; %d compared with redis-server "
          "(sanitize-dump-payload yes), %d decided differently" % (rounds, accepted, compared, disagree))
    for e in examples:
        print("INFO fuzz disagreement: " + e)
    check("fuzz/agrees-with-redis", disagree == 0, "%d of %d" % (disagree, compared))


def main(argv):
    mode = argv[1]
    if mode == "populate":
        populate(argv[2])
        return 0
    if mode == "compare":
        compare(argv[2], argv[3], argv[4] if len(argv) > 4 else "compare")
    elif mode == "live":
        ours, ref, fuzzref = argv[2], argv[3], argv[4]
        rounds = int(argv[5]) if len(argv) > 5 else 3000
        populate(ours)
        populate(ref)
        compare(ours, ref, "populate")
        check_dumps(ours, ref)
        check_legacy(ours, fuzzref)
        check_digests(ours, ref)
        check_events(ours, ref)
        check_random(ours)
        check_hscan(ours)
        check_fuzz(ours, fuzzref, rounds)
    return 1 if RESULTS["fail"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

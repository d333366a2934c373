"""list_check.py MODE OURS_PORT REF_PORT -- the list module against
redis-server 7.0.15 (Debian's python3 only).

MODE diff: one seeded random stream of list commands to both servers
  under several list-max-listpack-size / list-compress-depth settings;
  every reply, every key's DUMP (byte for byte: same node boundaries,
  same listpack bytes) and DEBUG DIGEST-VALUE must be equal.
MODE restore: DUMP payloads move both ways (RESTORE on the other
  server gives the same elements and the same DUMP); payloads in the
  older encodings Redis 7.0 still reads (quicklist of ziplists 14,
  ziplist 10, linked list 1, RDB version 9) are accepted by both with
  the same result; mutated payloads (valid CRC) never take our server
  down, and whatever we accept reads back sanely.
MODE block: several connections at once: BLPOP & co served first
  blocked first, woken by a push inside MULTI/EXEC only after EXEC, by
  SWAPDB, chained BLMOVEs, CLIENT UNBLOCK TIMEOUT|ERROR, timeouts in RESP2
  and RESP3, keyspace events, the dirty count of a served pop and what
  a replica is sent for one.
MODE fill: build the data set the rdb part saves (both servers alike).
MODE same: the two servers hold the same data (DEBUG DIGEST).
Prints "PASS name" or "FAIL name: why"."""
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import rdb_len, rdb_string, seal  # noqa: E402
from wire import info_fields, stream_until, sync_replica  # noqa: E402


class Conn:
    def __init__(self, port):
        self.port = port
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, *words):
        out = [b"*%d\r\n" % len(words)]
        for w in words:
            b = w if isinstance(w, bytes) else str(w).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.s.sendall(b"".join(out))
        return self.read()

    call = send  # the name wire.info_fields calls

    def _line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _n(self, n):
        while len(self.buf) < n + 2:
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("closed")
            self.buf += d
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-", b":", b",", b"#", b"("):
            return (t + rest).decode("latin-1")
        if t == b"_":
            return "_"
        if t in (b"%", b">", b"~"):
            n = int(rest) * (2 if t == b"%" else 1)
            return [t.decode()] + [self.read() for _ in range(n)]
        if t == b"=":
            return self._n(int(rest))
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._n(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("bad reply %r" % line)


FAILS = []


def check(name, ok, why=""):
    if ok:
        print("PASS " + name)
    else:
        print("FAIL %s: %s" % (name, why))
        FAILS.append(name)


KEYS = ["k1", "k2", "k3"]


def element(rng):
    r = rng.random()
    if r < 0.3:
        return str(rng.choice([0, 1, 127, 128, -1, 4095, -4096, 70000, -(2 ** 40), 2 ** 63 - 1, rng.randint(-99, 99)]))
    if r < 0.8:
        return rng.choice(["a", "b", "c", "xyz", "", "01"])
    return "v" * rng.choice([10, 60, 64, 200, 1000, 5000])


def random_command(rng):
    k = rng.choice(KEYS)
    k2 = rng.choice(KEYS)
    side = lambda: rng.choice(["LEFT", "RIGHT"])
    c = rng.randrange(15)
    if c < 4:
        return [rng.choice(["LPUSH", "RPUSH"]), k] + [element(rng) for _ in range(rng.randint(1, 12))]
    if c == 4:
        return [rng.choice(["LPOP", "RPOP"]), k] + ([str(rng.randint(0, 5))] if rng.random() < 0.5 else [])
    if c == 5:
        return ["LINSERT", k, rng.choice(["BEFORE", "AFTER"]), element(rng), element(rng)]
    if c == 6:
        return ["LSET", k, str(rng.randint(-10, 10)), element(rng)]
    if c == 7:
        return ["LREM", k, str(rng.randint(-3, 3)), element(rng)]
    if c == 8:
        return ["LTRIM", k, str(rng.randint(-20, 5)), str(rng.randint(-5, 60))]
    if c == 9:
        return ["LMOVE", k, k2, side(), side()]
    if c == 10:
        return ["RPOPLPUSH", k, k2]
    if c == 11:
        return ["LMPOP", "2", k, k2, side(), "COUNT", str(rng.randint(1, 4))]
    if c == 12:
        return ["LRANGE", k, str(rng.randint(-20, 20)), str(rng.randint(-20, 60))]
    if c == 13:
        return ["LPOS", k, element(rng), "RANK", str(rng.choice([1, 2, -1])), "COUNT", "0"]
    return ["LINDEX", k, str(rng.randint(-30, 30))]


def mode_diff(ours, ref):
    rng = random.Random(20261206)
    settings = [(-2, 0), (3, 0), (1, 0), (-1, 0), (5, 1), (-2, 2), (-5, 0), (2, 1)]
    for fill, depth in settings:
        name = "diff/fill%d-depth%d" % (fill, depth)
        for c in (ours, ref):
            c.send("CONFIG", "SET", "list-max-listpack-size", fill)
            c.send("CONFIG", "SET", "list-compress-depth", depth)
            c.send("DEL", *KEYS)
        bad = None
        for i in range(600):
            cmd = random_command(rng)
            a, b = ours.send(*cmd), ref.send(*cmd)
            if a != b:
                bad = "%s: ours %r ref %r" % (" ".join(cmd)[:120], str(a)[:200], str(b)[:200])
                break
            if i % 25 == 24:
                for k in KEYS:
                    da, db = ours.send("DUMP", k), ref.send("DUMP", k)
                    ga, gb = ours.send("DEBUG", "DIGEST-VALUE", k), ref.send("DEBUG", "DIGEST-VALUE", k)
                    if da != db or ga != gb:
                        bad = "after %s: DUMP/DIGEST of %s differ" % (" ".join(cmd)[:80], k)
                        break
                if bad:
                    break
        check(name, bad is None, bad)


def lrange(c, k):
    return c.send("LRANGE", k, 0, -1)


def mode_restore(ours, ref):
    rng = random.Random(7)
    for c in (ours, ref):
        c.send("CONFIG", "SET", "list-max-listpack-size", -2)
        c.send("CONFIG", "SET", "list-compress-depth", 0)
        c.send("CONFIG", "SET", "sanitize-dump-payload", "yes")
    payloads = []
    for n, (fill, depth) in enumerate([(-2, 0), (4, 0), (-1, 1), (2, 3)]):
        els = [element(rng) for _ in range(rng.randint(1, 400))]
        for c in (ours, ref):
            c.send("CONFIG", "SET", "list-max-listpack-size", fill)
            c.send("CONFIG", "SET", "list-compress-depth", depth)
            c.send("DEL", "src")
            c.send("RPUSH", "src", *els)
        dr, do = ref.send("DUMP", "src"), ours.send("DUMP", "src")
        check("restore/dump-equal-%d" % n, dr == do, "DUMP differs")
        payloads.append(dr)
        for frm, to, tag in ((ref, ours, "ref-to-ours"), (ours, ref, "ours-to-ref")):
            d = frm.send("DUMP", "src")
            r = to.send("RESTORE", "dst", 0, d, "REPLACE")
            ok = r == "+OK" and lrange(to, "dst") == [e.encode() for e in els] and to.send("DUMP", "dst") == d
            check("restore/%s-%d" % (tag, n), ok, "RESTORE %r" % r)
    for c in (ours, ref):
        c.send("CONFIG", "SET", "list-max-listpack-size", -2)
        c.send("CONFIG", "SET", "list-compress-depth", 0)
    # Older encodings, as Redis 6 wrote them.
    ints = [b"1", b"-2", b"1000", b"70000", b"-8000000", b"3000000000", b"12"]
    strs = [b"hello", b"x" * 70, b"", b"y" * 20000]
    els = strs[:2] + ints + strs[2:]
    zl = ziplist(els)
    old = {
        "ziplist-quicklist-14": bytes([14]) + rdb_len(2) + rdb_string(zl) + rdb_string(ziplist([b"tail", b"7"])),
        "ziplist-10": bytes([10]) + rdb_string(zl),
        "linked-1": bytes([1]) + rdb_len(3) + rdb_string(b"a") + rdb_string(b"123") + rdb_string(b"c"),
    }
    for name, body in old.items():
        p = seal(body, 9)
        ro, rr = ours.send("RESTORE", "old", 0, p, "REPLACE"), ref.send("RESTORE", "old", 0, p, "REPLACE")
        same = ro == rr == "+OK" and lrange(ours, "old") == lrange(ref, "old") and \
            ours.send("DUMP", "old") == ref.send("DUMP", "old")
        check("restore/old-" + name, same, "ours %r ref %r" % (ro, rr))
    # Mutations of real payloads, CRC recomputed: no crash, sane when accepted.
    crashes, insane, agree, total = 0, 0, 0, 0
    for p in payloads + [seal(b) for b in [bytes([14]) + rdb_len(1) + rdb_string(zl)]]:
        body = p[:-10]
        for _ in range(250):
            m = bytearray(body)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(1, len(m))
                m[i] = rng.randrange(256) if rng.random() < 0.7 else m[i] ^ (1 << rng.randrange(8))
            if rng.random() < 0.1:
                m = m[:rng.randrange(1, len(m))]
            mp = seal(bytes(m), struct.unpack("<H", p[-10:-8])[0])
            total += 1
            try:
                ro = ours.send("RESTORE", "fz", 0, mp, "REPLACE")
                if ro == "+OK":
                    n = ours.send("LLEN", "fz")
                    r = lrange(ours, "fz")
                    if not (n.startswith(":") and len(r) == int(n[1:]) and isinstance(ours.send("DUMP", "fz"), bytes)):
                        insane += 1
                    while ours.send("LPOP", "fz") is not None:
                        pass
                if ours.send("PING") != "+PONG":
                    crashes += 1
            except (ConnectionError, OSError):
                crashes += 1
                return check("restore/fuzz", False, "our server died on a mutated payload")
            rr = ref.send("RESTORE", "fz", 0, mp, "REPLACE")
            ref.send("DEL", "fz")
            agree += (ro == "+OK") == (rr == "+OK")
    check("restore/fuzz-no-crash", crashes == 0 and insane == 0,
          "%d crashes, %d accepted payloads that read back wrong" % (crashes, insane))
    print("info: restore/fuzz %d mutated payloads, accept/refuse agrees with redis-server "
          "(sanitize-dump-payload yes) on %d" % (total, agree))


def zl_entry(prev, e):
    pl = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
    try:
        v = int(e)
        assert str(v).encode() == e
        if 0 <= v <= 12:
            enc = bytes([0xF1 + v])
        elif -128 <= v <= 127:
            enc = b"\xfe" + struct.pack("<b", v)
        elif -32768 <= v <= 32767:
            enc = b"\xc0" + struct.pack("<h", v)
        elif -(1 << 23) <= v < (1 << 23):
            enc = b"\xf0" + struct.pack("<i", v)[:3]
        elif -(1 << 31) <= v < (1 << 31):
            enc = b"\xd0" + struct.pack("<i", v)
        else:
            enc = b"\xe0" + struct.pack("<q", v)
    except (ValueError, AssertionError):
        n = len(e)
        if n < 64:
            enc = bytes([n]) + e
        elif n < 16384:
            enc = bytes([0x40 | (n >> 8), n & 0xFF]) + e
        else:
            enc = b"\x80" + struct.pack(">I", n) + e
    return pl + enc


def ziplist(els):
    body, prev, offs = b"", 0, []
    for e in els:
        ent = zl_entry(prev, e)
        offs.append(10 + len(body))
        body += ent
        prev = len(ent)
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, offs[-1] if offs else 10, len(els)) + body + b"\xff"


def send_words(c, words):
    msg = [b"*%d\r\n" % len(words)]
    for w in words:
        b = w.encode()
        msg.append(b"$%d\r\n%s\r\n" % (len(b), b))
    c.s.sendall(b"".join(msg))


def run_scenario(port, steps):
    """Runs steps (conn, words | ('@read', conn) | ('@sleep', s)) on fresh
    connections; returns what each @read got (one reply)."""
    import time
    conns, out = {}, []
    for st in steps:
        if st[0] == "@sleep":
            time.sleep(st[1])
            continue
        if st[0] == "@burst":
            # Several connections at once, no pause: their requests reach
            # the server in one wake-up and must run in arrival order.
            for name, words in st[1]:
                if name not in conns:
                    conns[name] = Conn(port)
            for name, words in st[1]:
                send_words(conns[name], words.split())
            time.sleep(0.05)
            continue
        if st[0] in ("@read", "@drop"):
            got = conns[st[1]].read()
            if st[0] == "@read":
                out.append((st[1], got))
            continue
        name, words = st
        if name not in conns:
            conns[name] = Conn(port)
        send_words(conns[name], words.split() if isinstance(words, str) else words)
        time.sleep(0.03)   # arrival order is the order of the steps
    for c in conns.values():
        c.s.close()
    return out


SCENARIOS = {
    "fairness": [
        ("r", "DEL f"), ("@read", "r"),
        ("a", "BLPOP f 0"), ("b", "BLPOP f 0"), ("c", "BRPOP f 0"),
        ("r", "RPUSH f 1 2 3 4"), ("@read", "r"),
        ("@read", "a"), ("@read", "b"), ("@read", "c"),
        ("r", "LRANGE f 0 -1"), ("@read", "r")],
    "same-wake-up-arrival-order": [
        ("r", "DEL o1 t1 t2"), ("@read", "r"), ("r", "SET t1 nolist"), ("@read", "r"),
        ("@burst", [("a", "BRPOPLPUSH o1 t1 0"), ("b", "BRPOPLPUSH o1 t2 0")]),
        ("r", "LPUSH o1 foo"), ("@read", "r"), ("@read", "a"), ("@read", "b"),
        ("r", "LRANGE t2 0 -1"), ("@read", "r")],
    "multi-exec-wakes-after-exec": [
        ("r", "DEL m"), ("@read", "r"),
        ("a", "BLPOP m 0"),
        ("r", "MULTI"), ("r", "LPUSH m a"), ("r", "LPUSH m b"), ("r", "LPUSH m c"), ("r", "EXEC"),
        ("@read", "r"), ("@read", "r"), ("@read", "r"), ("@read", "r"), ("@read", "r"),
        ("@read", "a"), ("r", "LRANGE m 0 -1"), ("@read", "r")],
    "push-then-delete-in-multi": [
        ("r", "DEL d"), ("@read", "r"),
        ("a", "BLPOP d 1"),
        ("r", "MULTI"), ("r", "LPUSH d a"), ("r", "DEL d"), ("r", "EXEC"),
        ("@read", "r"), ("@read", "r"), ("@read", "r"), ("@read", "r"),
        ("r", "LPUSH d z"), ("@read", "r"), ("@read", "a")],
    "set-does-not-wake": [
        ("r", "DEL s"), ("@read", "r"),
        ("a", "BLPOP s 0"),
        ("r", "SET s x"), ("@read", "r"), ("r", "DEL s"), ("@read", "r"),
        ("r", "RPUSH s y"), ("@read", "r"), ("@read", "a")],
    "chained-blmove": [
        ("r", "DEL c1 c2 c3"), ("@read", "r"),
        ("a", "BLMOVE c1 c2 LEFT RIGHT 0"), ("b", "BRPOPLPUSH c2 c3 0"), ("c", "BLMPOP 0 1 c3 LEFT COUNT 3"),
        ("r", "RPUSH c1 v"), ("@read", "r"),
        ("@read", "a"), ("@read", "b"), ("@read", "c"),
        ("r", "EXISTS c1 c2 c3"), ("@read", "r")],
    "self-brpoplpush": [
        ("r", "DEL sl"), ("@read", "r"),
        ("a", "BRPOPLPUSH sl sl 0"), ("r", "RPUSH sl a b"), ("@read", "r"), ("@read", "a"),
        ("r", "LRANGE sl 0 -1"), ("@read", "r")],
    "wrong-destination-keeps-order": [
        ("r", "DEL w1 w2"), ("@read", "r"), ("r", "SET w2 x"), ("@read", "r"),
        ("a", "BLMOVE w1 w2 LEFT LEFT 0"), ("b", "BLPOP w1 0"),
        ("r", "RPUSH w1 p q"), ("@read", "r"), ("@read", "a"), ("@read", "b"),
        ("r", "LRANGE w1 0 -1"), ("@read", "r")],
    "timeouts": [
        ("a", "BLPOP t 0.05"), ("@read", "a"),
        ("b", "HELLO 3"), ("@drop", "b"), ("b", "BRPOPLPUSH t u 0.05"), ("@read", "b"),
        ("b", "BLMPOP 0.05 1 t LEFT"), ("@read", "b")],
    "client-unblock": [
        ("a", "CLIENT ID"), ("@read", "a"), ("a", "CLIENT SETNAME blk"), ("@read", "a"),
        ("a", "BLPOP u 0")],
    "swapdb-wakes": [
        ("r", "SELECT 1"), ("@read", "r"), ("r", "FLUSHALL"), ("@read", "r"), ("r", "RPUSH k hello"), ("@read", "r"),
        ("a", "SELECT 9"), ("@read", "a"), ("a", "BRPOP k 5"),
        ("r", "SWAPDB 1 9"), ("@read", "r"), ("@read", "a"), ("r", "SELECT 0"), ("@read", "r")],
    "served-events": [
        ("e", "CONFIG SET notify-keyspace-events KEA"), ("@read", "e"),
        ("e", "PSUBSCRIBE __keyevent@0__:*"), ("@read", "e"),
        ("a", "BLMPOP 0 1 ev RIGHT COUNT 2"),
        ("r", "RPUSH ev 1 2"), ("@read", "r"), ("@read", "a"),
        ("@read", "e"), ("@read", "e"), ("@read", "e"),
        ("r", ["CONFIG", "SET", "notify-keyspace-events", ""]), ("@read", "r")],
}


def mode_block(ours, ref):
    for name, steps in SCENARIOS.items():
        if name == "client-unblock":
            check("block/" + name, unblock_same(ours, ref), "CLIENT UNBLOCK replies differ")
            continue
        a, b = run_scenario(ours.port, steps), run_scenario(ref.port, steps)
        check("block/" + name, a == b, "ours %r ref %r" % (a, b))
    # Redis 7.0.15 counts a served BLMPOP's pops as changes, not a served
    # BLPOP's, BLMOVE's or BRPOPLPUSH's (the push that woke them counts).
    for name, wait in (("blmpop", "BLMPOP 0 1 dirty LEFT COUNT 5"), ("blpop", "BLPOP dirty 0"),
                       ("blmove", "BLMOVE dirty dirty2 LEFT RIGHT 0"), ("brpoplpush", "BRPOPLPUSH dirty dirty2 0")):
        d0 = [changes(c) for c in (ours, ref)]
        for c in (ours, ref):
            run_scenario(c.port, [("r", "DEL dirty dirty2"), ("@read", "r"),
                                  ("a", wait), ("r", "RPUSH dirty a b"), ("@read", "a"), ("@read", "r")])
        d = [changes(c) - d0[i] for i, c in enumerate((ours, ref))]
        check("block/served-%s-changes" % name, d[0] == d[1], "ours +%d ref +%d" % tuple(d))
    a, b = served_stream(ours.port), served_stream(ref.port)
    check("block/served-propagation", a == b, "ours %r ref %r" % (a, b))


def changes(c):
    return int(info_fields(c, "persistence")["rdb_changes_since_last_save"])


def served_stream(port):
    """What a replica is sent for blocking moves and pops served at once
    and served later (Redis rewrites a served BLMOVE's ends in lower
    case, keeps the words of one served at once)."""
    rep = sync_replica(port)
    rep.s.settimeout(10)
    run_scenario(port, [
        ("r", "DEL p1 p2 p3"), ("@read", "r"),
        ("a", "BLMOVE p1 p2 LeFt RIGHT 0"), ("b", "BRPOPLPUSH p2 p3 0"), ("c", "BLPOP p3 0"),
        ("r", "RPUSH p1 x y"), ("@read", "r"), ("@read", "a"), ("@read", "b"), ("@read", "c"),
        ("a", "BLMOVE p1 p2 Right left 0"), ("@read", "a"),
        ("d", "BLMPOP 0 1 p4 RIGHT COUNT 3"), ("r", "RPUSH p4 1 2"), ("@read", "r"), ("@read", "d"),
        ("r", "SET end 1"), ("@read", "r")])
    got = stream_until(rep.f, b"$3\r\nend\r\n")
    rep.s.close()
    return got


def unblock_same(ours, ref):
    import time
    res = []
    for c in (ours, ref):
        got = []
        for how in ("TIMEOUT", "ERROR", ""):
            w = Conn(c.port)
            cid = w.send("CLIENT", "ID")
            w.s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$2\r\nub\r\n$1\r\n0\r\n")
            time.sleep(0.05)
            got.append(info_fields(c, "clients")["blocked_clients"])
            args = ["CLIENT", "UNBLOCK", cid[1:]] + ([how] if how else [])
            got.append(c.send(*args))
            got.append(w.read())
            got.append(c.send("CLIENT", "UNBLOCK", cid[1:]))
            w.s.close()
        res.append(got)
    return res[0] == res[1]


def mode_fill(ours, ref):
    rng = random.Random(99)
    for c in (ours, ref):
        c.send("FLUSHALL")
    for i, (fill, depth) in enumerate([(-2, 0), (3, 0), (-1, 2), (-2, 1)]):
        els = [element(rng) for _ in range(rng.randint(1, 2000))]
        for c in (ours, ref):
            c.send("CONFIG", "SET", "list-max-listpack-size", fill)
            c.send("CONFIG", "SET", "list-compress-depth", depth)
            c.send("RPUSH", "list:%d" % i, *els)
            c.send("LPUSH", "list:%d" % i, *els[:50])
    check("rdb/fill", ours.send("DEBUG", "DIGEST") == ref.send("DEBUG", "DIGEST"), "digests differ")


def mode_same(ours, ref):
    a, b = ours.send("DEBUG", "DIGEST"), ref.send("DEBUG", "DIGEST")
    check("rdb/" + sys.argv[4], a == b and a != "+" + "0" * 40, "%r vs %r" % (a, b))


def main():
    mode, po, pr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ours, ref = Conn(po), Conn(pr)
    {"diff": mode_diff, "restore": mode_restore, "block": mode_block, "fill": mode_fill, "same": mode_same}[mode](ours, ref)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())

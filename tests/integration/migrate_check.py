#!/usr/bin/env python3
"""migrate_check.py -- MIGRATE against redis-server 7.0.15.

Called by migrate.sh:

  migrate_check.py strict SRC_FR TGT_FR SRC_REF TGT_REF AOFDIR_FR AOFDIR_REF
  migrate_check.py hardened SRC_HARD TGT_REF

strict: each case runs four times, from each source (FrankenRedis,
redis-server) to each target (FrankenRedis, redis-server), in the same
order, so that the sources' connection caches go through the same states.
Each run records a transcript: the raw reply bytes, the source's keys
after, the target's values (TYPE, DUMP, TTL to the second), what the
target received (its MONITOR, prefix stripped), what the source sent its
replica (SYNC stream) and its keyspace events.  redis-server to
redis-server is the reference; the three other pairs must give the same
transcript, case by case.  Then targets that misbehave (silent, closing,
a reply line too long, a slow one), played by this script: replies and
what the target was sent compared between the two sources.  Then the
sources' AOFs, MONITOR and SLOWLOG redaction, COMMAND GETKEYS/INFO/DOCS.

hardened: the same misbehaving targets against a server whose rdb module
is hardened: bounded reads, and each departure in HARDENED LOG.

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import os
import re
import socket
import sys
import threading
import time

from wire import Raw, info_fields, stream_until, sync_replica

HOST = "127.0.0.1"


class Conn(Raw):
    """wire.Raw with a 30 s timeout; reply() reads one reply's bytes."""

    def __init__(self, port, timeout=30):
        super().__init__(port, timeout=timeout)

    reply = Raw.read


def value(raw):
    """A bulk reply's bytes (None for a null)."""
    if raw.startswith(b"$-1"):
        return None
    return raw[raw.index(b"\r\n") + 2:-2]


def array(raw):
    """The bulk strings of a flat array reply."""
    return re.findall(rb"\$\d+\r\n(.*?)\r\n", raw, re.S)


# ---------------------------------------------------------------- observers

class Monitor:
    """The commands a server executes, with MONITOR's prefix (time, DB,
    client address) cut down to the DB."""

    def __init__(self, port):
        self.c = Conn(port)
        assert self.c.call("MONITOR") == b"+OK\r\n"

    def until(self, marker):
        lines = []
        while True:
            line = self.c.f.readline()
            if not line:
                break
            m = re.match(rb"\+[\d.]+ \[(\d+) [^\]]*\] (.*)\r\n", line)
            text = (m.group(1) + b" " + m.group(2)) if m else line
            if marker in text:
                break
            # the remaining TTL is as late as the clock says; a set's
            # members come in the order of the source's hash table
            text = re.sub(rb'("RESTORE" "ttl" )"\d+"', rb'\1"<ms>"', text)
            text = re.sub(rb'("RESTORE" "st" "\d+" )".*?"( "REPLACE")?$', rb'\1"<set>"\2', text)
            lines.append(text)
        return lines


# ------------------------------------------------------------------- data

def populate(c, abs_ms):
    c.call("FLUSHALL")
    c.call("SET", "s1", "hello")
    c.call("SET", "n", "12345")
    c.call("RPUSH", "l", "a", "b", "c", "12")
    c.call("HSET", "h", "f1", "v1", "f2", "v2")
    c.call("SADD", "st", "x", "y", "z")
    c.call("SADD", "si", "1", "2", "3")
    c.call("ZADD", "z", "1", "a", "2.5", "b")
    c.call("SET", "big", ("0123456789abcdef" * 8192) + "tail")
    c.call("SET", "ttl", "v")
    c.call("PEXPIREAT", "ttl", str(abs_ms))
    for k in "abcdefg":
        c.call("SET", "m" + k, k)


ALL = ["s1", "n", "l", "h", "st", "si", "z", "big", "ttl"]


def target_view(t, db, keys, abs_ms):
    t.call("SELECT", db)
    out = []
    for k in keys:
        typ = t.call("TYPE", k).strip()
        dump = value(t.call("DUMP", k))
        if typ == b"+set" and k == "st":  # members in hash table order
            dump = b",".join(sorted(array(t.call("SMEMBERS", k))))
        pttl = int(t.call("PTTL", k)[1:])
        ttl = pttl if pttl < 0 else ("near" if abs(abs_ms - time.time() * 1000 - pttl) < 3000 else pttl)
        out.append("%s=%s/%s/%s" % (k, typ.decode(), (dump or b"").hex()[:80] + "#%d" % len(dump or b""), ttl))
    t.call("SELECT", "0")
    return " ".join(out)


def source_keys(s, db="0"):
    s.call("SELECT", db)
    ks = sorted(array(s.call("KEYS", "*")))
    s.call("SELECT", "0")
    return b",".join(ks).decode()


# ------------------------------------------------------------------- cases
# Each case: (name, target db to view, keys to view, steps).  A step is a
# command for the source, with TGT/PORT standing for the target's address,
# or ("target", cmd...) for the target, or ("sleep", s).

def CASES():
    return [
        ("one-key", "0", ["s1"], [["MIGRATE", "TGT", "PORT", "s1", "0", "5000"]]),
        ("all-types-db3", "3", ALL,
         [["MIGRATE", "TGT", "PORT", "", "3", "5000", "KEYS"] + ALL + ["nokey"]]),
        ("same-db-no-select", "3", ["ma"], [["MIGRATE", "TGT", "PORT", "ma", "3", "5000"]]),
        ("copy", "0", ["s1", "l"], [["MIGRATE", "TGT", "PORT", "", "0", "5000", "COPY", "KEYS", "s1", "l"]]),
        ("busykey", "0", ["s1"], [("target", "SET", "s1", "old"),
                                  ["MIGRATE", "TGT", "PORT", "s1", "0", "5000"],
                                  ["MIGRATE", "TGT", "PORT", "s1", "0", "5000", "REPLACE"]]),
        ("busykey-partial", "0", ["ma", "mb", "mc"],
         [("target", "SET", "mb", "old"),
          ["MIGRATE", "TGT", "PORT", "", "0", "5000", "KEYS", "ma", "mb", "mc"]]),
        ("copy-replace", "0", ["h"], [("target", "SET", "h", "old"),
                                      ["MIGRATE", "TGT", "PORT", "h", "0", "5000", "copy", "replace"]]),
        ("nokey", "0", [], [["MIGRATE", "TGT", "PORT", "nokey", "0", "5000"],
                            ["MIGRATE", "TGT", "PORT", "", "0", "5000", "KEYS", "x", "y"],
                            ["MIGRATE", "TGT", "PORT", "", "0", "5000", "KEYS"]]),
        ("bad-db", "0", ["s1"], [["MIGRATE", "TGT", "PORT", "s1", "99", "5000"],
                                 ["MIGRATE", "TGT", "PORT", "s1", "-1", "5000"],
                                 ["MIGRATE", "TGT", "PORT", "s1", "1", "5000"]]),
        ("auth", "0", ["s1", "n", "l"],
         [("target", "CONFIG", "SET", "requirepass", "sekrit"),
          ["MIGRATE", "TGT", "0PORT", "s1", "0", "5000"],
          ["MIGRATE", "TGT", "00PORT", "s1", "0", "5000", "AUTH", "wrong"],
          ["MIGRATE", "TGT", "000PORT", "s1", "0", "5000", "AUTH", "sekrit"],
          ["MIGRATE", "TGT", "0000PORT", "n", "0", "5000", "AUTH2", "default", "sekrit"],
          ["MIGRATE", "TGT", "00000PORT", "l", "0", "5000", "AUTH2", "nobody", "sekrit"],
          ("target", "AUTH", "sekrit"),
          ("target", "CONFIG", "SET", "requirepass", "")]),
        ("syntax", "0", [], [
            ["MIGRATE", "TGT", "PORT", "s1", "0", "5000", "KEYS", "a"],
            ["MIGRATE", "TGT", "PORT", "s1", "x", "5000", "bogus"],
            ["MIGRATE", "TGT", "PORT", "s1", "x", "y"],
            ["MIGRATE", "TGT", "PORT", "s1", "0", "y"],
            ["MIGRATE", "TGT", "PORT", "s1", "0.5", "5000"],
            ["MIGRATE", "TGT", "PORT", "s1", "0", "5000", "AUTH"],
            ["MIGRATE", "TGT", "PORT", "s1", "0", "5000", "AUTH2", "u"],
            ["MIGRATE", "TGT", "PORT", "s1", "0", "5000", "COPY", "REPLACE", "COPY", "KEYS"],
            ["MIGRATE", "TGT", "PORT", "s1", "0"],
            ["MIGRATE", "TGT", "PORT", "", "0", "5000", "AUTH", "KEYS", "KEYS", "s1"]]),
        ("unreachable", "0", [], [["MIGRATE", "127.0.0.1", "1", "s1", "0", "300"],
                                  ["MIGRATE", "", "PORT", "s1", "0", "300"],
                                  ["MIGRATE", "TGT", "99999", "s1", "0", "300"]]),
        ("timeout", "0", ["s1"], [("target-busy", 1.2),
                                  ["MIGRATE", "TGT", "PORT", "s1", "0", "300"],
                                  ("sleep", 1.3)]),
        ("ttl-zero-timeout", "5", ["ttl", "z"],
         [["MIGRATE", "TGT", "PORT", "", "5", "0", "KEYS", "ttl", "z"]]),
        ("events", "0", ["mc", "md"], [("events",), ["MIGRATE", "TGT", "PORT", "", "0", "5000", "KEYS", "md", "mc"]]),
        ("duplicate-keys", "0", ["ma", "mb"],
         [["MIGRATE", "TGT", "PORT", "", "0", "5000", "REPLACE", "KEYS", "ma", "ma", "mb"],
          ["MIGRATE", "TGT", "PORT", "", "0", "5000", "KEYS", "mc", "mc"]]),
        ("auth2-then-auth", "0", ["me"],
         [("target", "CONFIG", "SET", "requirepass", "pw2"),
          ["MIGRATE", "TGT", "000000PORT", "me", "0", "5000", "AUTH2", "default", "nope", "AUTH", "pw2"],
          ["MIGRATE", "TGT", "0000000PORT", "me", "0", "5000", "AUTH", "nope", "AUTH2", "default", "pw2"],
          ("target", "AUTH", "pw2"),
          ("target", "CONFIG", "SET", "requirepass", "")]),
    ]


def fill(step, tport):
    return [str(tport) if a == "PORT" else ("0" * a.count("0") + str(tport)) if a.endswith("PORT")
            else HOST if a == "TGT" else a for a in step]


def run_case(src, tgt, case, abs_ms, rep_f, mon, k):
    name, db, keys, steps = case
    s, t = Conn(src), Conn(tgt)
    populate(s, abs_ms)
    t.call("FLUSHALL")
    s.call("SET", "ready%d" % k, "1")
    stream_until(rep_f, b"ready%d" % k)
    t.call("SET", "ready%d" % k, "1")
    mon.until(b"ready%d" % k)  # nothing of the target's set-up
    out = []
    ev = None
    busy = None
    for step in steps:
        if step[0] == "target":
            t.call(*step[1:])
        elif step[0] == "target-busy":
            busy = Conn(tgt)
            busy.send("DEBUG", "SLEEP", str(step[1]))
            time.sleep(0.1)
        elif step[0] == "sleep":
            time.sleep(step[1])
        elif step[0] == "events":
            s.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
            ev = Conn(src)
            ev.call("PSUBSCRIBE", "__key*@0__:*")
        else:
            out.append("reply %s" % s.call(*fill(step, tgt)))
    if busy:
        busy.reply()
        busy.close()
    t2 = Conn(tgt)
    t2.call("SET", "ready%d" % k, "2")
    out.append("target-received %r" % mon.until(b"ready%d" % k))
    out.append("source-keys %s" % source_keys(s))
    out.append("target-values %s" % target_view(t2, db, keys, abs_ms))
    s.call("SET", "end%d" % k, "1")
    out.append("stream %r" % stream_until(rep_f, b"end%d" % k))
    if ev:
        s.call("CONFIG", "SET", "notify-keyspace-events", "")
        ev.s.settimeout(0.5)
        msgs = []
        try:
            while True:
                msgs.append(ev.reply())
        except socket.timeout:
            pass
        out.append("events %r" % msgs)
        ev.close()
    s.close()
    t.close()
    t2.close()
    return out


def strict(src_fr, tgt_fr, src_ref, tgt_ref, aof_fr, aof_ref):
    abs_ms = int(time.time() * 1000) + 100000
    pairs = [("ref-ref", src_ref, tgt_ref), ("fr-ref", src_fr, tgt_ref),
             ("ref-fr", src_ref, tgt_fr), ("fr-fr", src_fr, tgt_fr)]
    reps = {p: sync_replica(p) for p in (src_fr, src_ref)}
    mons = {p: Monitor(p) for p in (tgt_fr, tgt_ref)}
    cases = CASES()
    for k, case in enumerate(cases):
        results = {}
        for label, src, tgt in pairs:
            results[label] = run_case(src, tgt, case, abs_ms, reps[src].f, mons[tgt], k)
        want = results["ref-ref"]
        for label in ("fr-ref", "ref-fr", "fr-fr"):
            got = results[label]
            for i, line in enumerate(want):
                what = line.split(" ", 1)[0]
                g = got[i] if i < len(got) else "<missing>"
                check("migrate/%s/%s/%s-%d" % (case[0], label, what, i), line, g)
    misbehaving_targets(src_fr, src_ref)
    redaction(src_fr, src_ref)
    command_meta(src_fr, src_ref)
    aof_compare(src_fr, src_ref, aof_fr, aof_ref)
    idle_close(src_fr, src_ref)
    cache_full(src_fr, src_ref, tgt_ref)


def cached(port):
    c = Conn(port)
    info = info_fields(c, "stats")
    c.close()
    return int(info["migrate_cached_sockets"])


def cache_full(src_fr, src_ref, tgt_ref):
    """70 spellings of one target's port are 70 cache entries: 64 stay.
    Runs after idle_close emptied both caches, so every entry is seconds
    old and none can be closed by the idle cron between the loop and the
    count (the full cache evicts at random; an older survivor could)."""
    for port in (src_ref, src_fr):
        c = Conn(port)
        c.call("SET", "cachekey", "v")
        replies = set()
        for i in range(1, 71):
            replies.add(c.call("MIGRATE", HOST, "0" * i + str(tgt_ref), "cachekey", "0", "5000", "COPY", "REPLACE"))
        c.close()
        which = "fr" if port == src_fr else "ref"
        check("migrate/cache/full-replies-%s" % which, {b"+OK\r\n"}, replies)
        check("migrate/cache/at-most-64-%s" % which, 64, cached(port))


def idle_close(src_fr, src_ref):
    """The cron closes connections unused for more than 10 seconds."""
    check("migrate/cache/some-ref", True, cached(src_ref) > 0)
    check("migrate/cache/some", True, cached(src_fr) > 0)
    time.sleep(12.5)
    check("migrate/cache/idle-closed-ref", 0, cached(src_ref))
    check("migrate/cache/idle-closed", 0, cached(src_fr))


def check(name, want, got):
    if os.environ.get("MIGRATE_VERBOSE"):
        print("     %s: %.300s" % (name, want))
    if want == got:
        print("PASS %s" % name)
    else:
        print("FAIL %s: want %.600s got %.600s" % (name, want, got))


# ------------------------------------------------------ misbehaving targets

class FakeTarget(threading.Thread):
    """A target that reads requests and answers as `mode` says:
    silent (never), close (closes once the request came), longline (a
    2000-byte status line per command), slow (each "+OK\\r\\n" one byte at
    a time, `gap` seconds apart), stale (an unasked "+OK\\r\\n" after the
    first exchange, then good replies), ok (a +OK per command), full
    (never accepts, its queue filled: a connect that never completes)."""

    def __init__(self, mode, gap=0.0):
        super().__init__(daemon=True)
        self.mode, self.gap = mode, gap
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((HOST, 0))
        self.ls.listen(0 if mode == "full" else 16)
        self.port = self.ls.getsockname()[1]
        self.connections = 0
        self.received = b""
        self.stop = False
        self.fillers = []
        if mode == "full":
            for _ in range(4):
                c = socket.socket()
                c.setblocking(False)
                try:
                    c.connect((HOST, self.port))
                except BlockingIOError:
                    pass
                self.fillers.append(c)
            time.sleep(0.2)

    def run(self):
        if self.mode == "full":
            return
        self.ls.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        c.settimeout(0.3)
        sent_stale = served = False
        buf = b""
        while not self.stop:
            try:
                d = c.recv(65536)
            except socket.timeout:
                if self.mode == "stale" and served and not sent_stale:
                    c.sendall(b"+STALE\r\n")
                    sent_stale = True
                continue
            except OSError:
                return
            if not d:
                break
            self.received += d
            buf += d
            n = count_commands(buf)
            if n is None:
                continue
            buf = b""
            served = True
            if self.mode == "silent":
                continue
            if self.mode == "close":
                break
            for _ in range(n):
                if self.mode == "longline":
                    try:
                        c.sendall(b"+" + b"x" * 2000 + b"\r\n")
                    except OSError:
                        return
                elif self.mode == "slow":
                    for ch in b"+OK\r\n":
                        time.sleep(self.gap)
                        try:
                            c.sendall(bytes([ch]))
                        except OSError:
                            return
                else:
                    c.sendall(b"+OK\r\n")
        c.close()

    def done(self):
        self.stop = True
        self.ls.close()
        for c in self.fillers:
            c.close()


def count_commands(buf):
    """How many whole RESP commands buf holds; None if it ends mid-way."""
    n, pos = 0, 0
    while pos < len(buf):
        m = re.match(rb"\*(\d+)\r\n", buf[pos:])
        if not m:
            return None
        pos += m.end()
        for _ in range(int(m.group(1))):
            m = re.match(rb"\$(\d+)\r\n", buf[pos:])
            if not m:
                return None
            pos += m.end() + int(m.group(1)) + 2
            if pos > len(buf):
                return None
        n += 1
    return n


MISBEHAVING = [
    # mode, gap, timeout ms, command after the address
    ("silent", 0, 400, ["k1", "0", "400"]),
    ("close", 0, 2000, ["k1", "0", "2000"]),
    ("longline", 0, 2000, ["", "0", "2000", "KEYS", "k1", "k2"]),
    ("slow", 0.15, 400, ["k1", "0", "400"]),
    ("ok", 0, 2000, ["", "0", "2000", "COPY", "KEYS", "k1", "k2"]),
    ("full", 0, 300, ["k1", "0", "300"]),
]


def misbehaving_targets(src_fr, src_ref):
    for mode, gap, _, args in MISBEHAVING:
        res = {}
        for label, src in (("ref", src_ref), ("fr", src_fr)):
            fake = FakeTarget(mode, gap)
            fake.start()
            s = Conn(src)
            s.call("FLUSHALL")
            s.call("SET", "k1", "v1")
            s.call("RPUSH", "k2", "a")
            t0 = time.time()
            reply = s.call("MIGRATE", HOST, str(fake.port), *args)
            took = time.time() - t0
            time.sleep(0.1)
            res[label] = ["reply %s" % reply, "connections %d" % fake.connections,
                          "received %r" % fake.received, "keys %s" % source_keys(s),
                          "took %s" % ("under-1s" if took < 1 else "over-1s")]
            fake.done()
            s.close()
        for i, line in enumerate(res["ref"]):
            check("migrate/target-%s/%s" % (mode, line.split(" ", 1)[0]), line, res["fr"][i])


# ----------------------------------------------------------- redaction, meta

def redaction(src_fr, src_ref):
    res = {}
    for label, src in (("ref", src_ref), ("fr", src_fr)):
        s = Conn(src)
        s.call("DEL", "key")
        m = Monitor(src)
        s.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        s.call("SLOWLOG", "RESET")
        replies = [s.call("MIGRATE", HOST, "1", "key", "9", "5000"),
                   s.call("MIGRATE", HOST, "1", "key", "9", "5000", "AUTH", "user"),
                   s.call("MIGRATE", HOST, "1", "key", "9", "5000", "AUTH2", "user", "password"),
                   s.call("MIGRATE", HOST, "1", "key", "9", "5000", "AUTH", "pw", "junk"),
                   s.call("MIGRATE", HOST, "1", "key", "9", "5000", "AUTH2", "u", "pw", "KEYS")]
        s.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
        log = s.call("SLOWLOG", "GET", "10")
        s.call("SET", "redaction-end", "1")
        mon = [re.sub(rb"^\d+ ", b"", l) for l in m.until(b"redaction-end")]
        # each entry: id, time, duration, arguments, then the client's
        # address and name, left out (the ports differ)
        args = [b" ".join(array(e)[:-2]) for e in re.split(rb"\*6\r\n", log)[1:]]
        res[label] = ["replies %r" % replies, "monitor %r" % mon, "slowlog %r" % args]
        m.c.close()
        s.close()
    for i, line in enumerate(res["ref"]):
        check("migrate/redaction/%s" % line.split(" ", 1)[0], line, res["fr"][i])


def command_meta(src_fr, src_ref):
    calls = [["COMMAND", "INFO", "MIGRATE"], ["COMMAND", "DOCS", "MIGRATE"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "k", "0", "100"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "100", "KEYS", "a", "b"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "k", "0", "100", "KEYS", "a", "b"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "100", "AUTH", "keys", "KEYS", "a"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "100", "AUTH2", "keys", "keys", "a"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "100"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "100", "KEYS"],
             ["COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "p", "", "0", "100", "COPY", "KEYS", "a", "b"],
             ["COMMAND", "GETKEYS", "MIGRATE", "h", "p", "k"]]
    fr, ref = Conn(src_fr), Conn(src_ref)
    for call in calls:
        name = "-".join(w.lower() or '""' for w in call[1:3] + call[4:7])
        check("migrate/meta/%s#%d" % (name, calls.index(call)), ref.call(*call), fr.call(*call))
    fr.close()
    ref.close()


def aof_compare(src_fr, src_ref, aof_fr, aof_ref):
    texts = {}
    for label, port, d in (("fr", src_fr, aof_fr), ("ref", src_ref, aof_ref)):
        c = Conn(port)
        c.call("SET", "aof-end", "1")
        time.sleep(1.2)  # appendfsync everysec
        c.close()
        adir = os.path.join(d, "appendonlydir")
        incr = sorted(f for f in os.listdir(adir) if f.endswith(".incr.aof"))
        with open(os.path.join(adir, incr[-1]), "rb") as f:
            data = f.read()
        # keep what MIGRATE left there: its DELs
        texts[label] = [cmd for cmd in re.split(rb"(?=\*\d+\r\n\$)", data) if b"\r\nDEL\r\n" in cmd]
    check("migrate/aof/dels", repr(texts["ref"]), repr(texts["fr"]))
    check("migrate/aof/has-dels", True, len(texts["fr"]) >= 5)


# ---------------------------------------------------------------- hardened

def hardened(src, tgt_ref):
    s = Conn(src)
    s.call("HARDENED", "RESET")
    cases = [
        # mode, gap, args, reply wanted, rule wanted
        ("longline", 0, ["", "0", "2000", "KEYS", "k1", "k2"],
         b"-IOERR error or timeout reading to target instance\r\n", "migrate-reply-too-long"),
        ("slow", 0.15, ["k1", "0", "400"],
         b"-IOERR error or timeout reading to target instance\r\n", "migrate-reply-slow"),
        ("stale", 0, ["k1", "0", "2000"], None, "migrate-stale-reply"),
        ("full", 0, ["k1", "0", "300"],
         b"-IOERR error or timeout connecting to the client\r\n", "migrate-connect-timeout"),
    ]
    for mode, gap, args, want, rule in cases:
        fake = FakeTarget(mode, gap)
        fake.start()
        s.call("FLUSHALL")
        s.call("SET", "k1", "v1")
        s.call("RPUSH", "k2", "a")
        t0 = time.time()
        if mode == "stale":
            # a first exchange caches the connection, then the target
            # speaks unasked: the cached connection must not be used
            s.call("MIGRATE", HOST, str(fake.port), "k1", "0", "2000", "COPY")
            time.sleep(0.8)
            reply = s.call("MIGRATE", HOST, str(fake.port), "k1", "0", "2000")
            check("migrate/hardened/%s/reply" % mode, b"+OK\r\n", reply)
            check("migrate/hardened/%s/new-connection" % mode, 2, fake.connections)
        else:
            reply = s.call("MIGRATE", HOST, str(fake.port), *args)
            took = time.time() - t0
            check("migrate/hardened/%s/reply" % mode, want, reply)
            check("migrate/hardened/%s/keys-kept" % mode, "k1,k2", source_keys(s))
            check("migrate/hardened/%s/bounded" % mode, True, took < 1.5)
        log = s.call("HARDENED", "LOG", "1")
        check("migrate/hardened/%s/ledger" % mode, True, rule.encode() in log and b"migrate" in log)
        fake.done()
    # the ordinary path is untouched
    s.call("FLUSHALL")
    s.call("SET", "k1", "v1")
    check("migrate/hardened/plain", b"+OK\r\n", s.call("MIGRATE", HOST, str(tgt_ref), "k1", "0", "2000"))
    t = Conn(tgt_ref)
    check("migrate/hardened/plain-value", b"$2\r\nv1\r\n", t.call("GET", "k1"))
    t.call("DEL", "k1")
    t.close()
    s.close()


def main():
    if sys.argv[1] == "strict":
        p = sys.argv[2:]
        strict(int(p[0]), int(p[1]), int(p[2]), int(p[3]), p[4], p[5])
    else:
        hardened(int(sys.argv[2]), int(sys.argv[3]))


if __name__ == "__main__":
    main()

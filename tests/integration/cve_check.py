#!/usr/bin/env python3
"""cve_check.py OURS REF -- replays of Redis CVEs against our server (OURS)
and redis-server 7.0.15 (REF, Debian's build, which carries the fixes).

Each replay sends the triggering input of one CVE (the input is a fact of
the advisory or of the fix's regression test; docs/security.md's "CVE
regressions" table says which) to both servers and asserts a clean
outcome: the same reply as Redis where Redis answers, both servers still
answering PING on a fresh connection, no reply slower than its timeout,
and bounded memory where the CVE was memory growth.

Families not loaded yet (sorted sets, bitmaps, HyperLogLog, SORT) are
replayed only when our server has the command (COMMAND INFO); until then
their lines read `SKIP cve/<id>/<what>: ...`, which fr_relay prints without
counting, so they start counting by themselves once the module lands.

Redis's corrupt-payload regressions are read from
fixtures/cve/corrupt-dump.txt.  CVE_VERBOSE=1 prints Redis's outcome of
each replay (to see what a replay asserts; `cve_check.py P P` with P a
redis-server runs every replay, the SKIPped ones included, on Redis alone).

Prints `PASS name` / `FAIL name: why` lines for cve.sh to count.  Owns
nothing but these checks; the RESP client is wire.py's Conn.
"""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdb_tool import seal  # noqa: E402
from wire import Conn, info_fields  # noqa: E402

OURS, REF = int(sys.argv[1]), int(sys.argv[2])
SERVERS = (("ours", OURS), ("ref", REF))


def emit(name, ok, why=""):
    print(("PASS cve/%s" % name) if ok else ("FAIL cve/%s: %s" % (name, why)), flush=True)


def skip(name, why):
    print("SKIP cve/%s: %s" % (name, why), flush=True)


def encode(*args):
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


def alive(port, wait=5.0):
    """The server answers PING on a new connection within `wait` seconds."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=wait)
        s.settimeout(wait)
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        got = s.recv(64)
        s.close()
        # while requirepass is set the answer is NOAUTH: it still answers
        return got == b"+PONG\r\n" or got.startswith(b"-NOAUTH")
    except OSError:
        return False


def admin(port):
    c = Conn(port)
    c.s.settimeout(30)
    return c


def raw_exchange(port, data, wait=2.0, rcvbuf=None):
    """Send `data` on a fresh connection; everything the server sent back
    until it closed or went quiet for `wait` seconds, and whether it closed."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    s.sendall(data)
    s.settimeout(wait)
    got, closed = b"", False
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        got += chunk
    s.close()
    return got, closed


def has_command(name):
    c = admin(OURS)
    r = c.call("COMMAND", "INFO", name)
    c.close()
    return isinstance(r, list) and len(r) == 1 and r[0] is not None


# Our server may be a sanitizer or valgrind build (tests/sanitizers.sh,
# tests/valgrind.sh), slower by FR_WAIT_SCALE: its time limits stretch by as
# much, still far below what the quadratic or exponential cases would take.
OURS_SLOWDOWN = float(os.environ.get("FR_WAIT_SCALE", "1"))


def replay(name, fn, timeout=10.0, want=None):
    """Run fn(port) on both servers; PASS when the outcomes are equal (and
    equal `want` when given), each ran under `timeout` seconds (ours times
    OURS_SLOWDOWN) and both servers answer PING afterwards."""
    out, why = {}, []
    for label, port in SERVERS:
        limit = timeout * (OURS_SLOWDOWN if label == "ours" else 1)
        t0 = time.monotonic()
        try:
            out[label] = fn(port)
        except Exception as e:  # noqa: BLE001 - a dead link is an outcome
            out[label] = "exception: %r" % (e,)
        spent = time.monotonic() - t0
        if spent > limit:
            why.append("%s took %.1fs (limit %.0fs)" % (label, spent, limit))
        if not alive(port):
            why.append("%s does not answer PING afterwards" % label)
    if out["ours"] != out["ref"]:
        why.append("ours %r, redis %r" % (short(out["ours"]), short(out["ref"])))
    elif want is not None and not want(out["ref"]):
        why.append("outcome %r is not clean" % (short(out["ref"]),))
    if os.environ.get("CVE_VERBOSE"):
        print("  redis: %s" % short(out["ref"]))
    emit(name, not why, "; ".join(why))


def short(v):
    s = repr(v)
    return s if len(s) < 300 else s[:300] + "...(%d chars)" % len(s)


def calls(*cmds):
    """A replay that runs commands on one connection and returns replies."""
    def fn(port):
        c = admin(port)
        r = [c.call(*cmd) for cmd in cmds]
        c.close()
        return r
    return fn


def is_error(r):
    return isinstance(r, str) and r.startswith("-")


def all_errors(rs):
    return all(is_error(r) for r in rs)


def used_memory(port):
    c = admin(port)
    used = info_fields(c, "memory").get("used_memory")
    c.close()
    return int(used) if used is not None else -1


def set_requirepass(port, pw):
    c = admin(port)
    if pw == "":
        c.call("AUTH", "cve-pw")
    c.call("CONFIG", "SET", "requirepass", pw)
    c.close()


# ---- protocol, networking, unauthenticated clients ------------------------

def unauthenticated():
    for _, port in SERVERS:
        set_requirepass(port, "cve-pw")
    try:
        # CVE-2021-32675: an unauthenticated client's huge multibulk or bulk
        # header must not make the server preallocate for it.
        replay("CVE-2021-32675/unauth-multibulk-length",
               lambda p: raw_exchange(p, b"*1000000\r\n"), want=lambda r: r[1])
        replay("CVE-2021-32675/unauth-bulk-length",
               lambda p: raw_exchange(p, b"*1\r\n$100000000\r\n"), want=lambda r: r[1])
        # CVE-2025-21605: an unauthenticated client that never reads piles
        # up -NOAUTH replies; the server must cut it off.
        replay("CVE-2025-21605/unauth-output-buffer", unread_noauth_flood, timeout=15,
               want=lambda r: r[0] == "disconnected")
    finally:
        for _, port in SERVERS:
            set_requirepass(port, "")


def unread_noauth_flood(port):
    """Pipe ~6 MB of SETs through an unauthenticated connection that reads
    nothing; the outcome is whether the server disconnected it with a
    bounded number of reply bytes written (Redis cuts at 1 KB of pending
    output, the rest is what the kernel's socket buffers held)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.settimeout(5)
    cmd = encode("SET", "x", "5") * 5000
    dropped = False
    try:
        for _ in range(50):
            s.sendall(cmd)
    except (BrokenPipeError, ConnectionResetError):
        dropped = True
    except socket.timeout:
        pass  # the server stopped reading; whether it closed is read below
    got, closed = 0, False
    s.settimeout(3)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            got += len(chunk)
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    if (dropped or closed) and got < 4 * 1024 * 1024:
        return ("disconnected",)
    return ("still-connected" if not closed else "closed-late", got)


def protocol():
    # CVE-2021-41099 / CVE-2021-32627: lengths near the integer limits are
    # refused at parse time, never turned into an allocation size.
    for what, data in (("bulk-llong-max", b"*1\r\n$9223372036854775807\r\n"),
                       ("bulk-over-llong", b"*1\r\n$18446744073709551616\r\n"),
                       ("bulk-negative", b"*1\r\n$-9223372036854775808\r\n"),
                       ("multibulk-llong-max", b"*9223372036854775807\r\n"),
                       ("multibulk-over-llong", b"*99999999999999999999\r\n")):
        replay("CVE-2021-41099/%s" % what, lambda p, d=data: raw_exchange(p, d),
               want=lambda r: r[0].startswith(b"-ERR Protocol error") and r[1])
    # CVE-2021-32675: many connections each announcing a million arguments
    # cost a bounded amount each (the argument array is not preallocated).
    replay("CVE-2021-32675/prealloc-bounded", announced_args_memory, timeout=20,
           want=lambda r: r == "bounded")
    # CVE-2023-41056: the query buffer of a client that sent a big argument
    # in pieces is resized by the idle-client cron; the data must survive.
    replay("CVE-2023-41056/querybuf-resize", querybuf_resize, timeout=20,
           want=lambda r: r[0] == "+OK")
    # CVE-2025-48367: connections reset before accept() must not stop the
    # server from accepting the next ones.
    replay("CVE-2025-48367/reset-before-accept", reset_storm, timeout=20,
           want=lambda r: r == "+PONG")
    # CVE-2025-67733: user input echoed in an error or status reply cannot
    # carry CR/LF into the stream (it would forge a second reply).
    for what, cmd in (("unknown-command", ("X\r\n+INJECTED",)),
                      ("unknown-subcommand", ("CONFIG", "X\r\n+INJECTED")),
                      ("config-set-name", ("CONFIG", "SET", "X\r\n+INJECTED", "1")),
                      ("config-get-arity", ("CONFIG", "GET")),
                      ("function-list", ("FUNCTION", "LIST", "X\r\n+INJECTED")),
                      ("client-setname", ("CLIENT", "SETNAME", "a\r\n+INJECTED")),
                      ("object-help", ("OBJECT", "X\r\n+INJECTED", "k")),
                      ("set-syntax", ("SET", "k", "v", "X\r\n+INJECTED")),
                      ("hello-protover", ("HELLO", "X\r\n+INJECTED"))):
        replay("CVE-2025-67733/%s" % what, crlf_probe(cmd),
               want=lambda r: r[1] == b"+PONG\r\n")


def announced_args_memory(port):
    """100 connections each send `*1048576` and an argument; a server
    preallocating the argument array would hold 8 MB per connection."""
    before = used_memory(port)
    socks = []
    for _ in range(100):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"*1048576\r\n$4\r\nPING\r\n")
        socks.append(s)
    time.sleep(0.3)
    after = used_memory(port)
    per_conn = (after - before) / 100
    # The control: 20 connections holding 64 KB of a bigger argument each
    # must show up, or used_memory would not see client memory at all.
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"*2\r\n$3\r\nSET\r\n$1000000\r\n" + b"x" * 65536)
        socks.append(s)
    time.sleep(0.3)
    seen = used_memory(port) - after
    for s in socks:
        s.close()
    if seen < 20 * 65536:
        return "control not seen: %d bytes for 20 x 64 KB" % seen
    return "bounded" if per_conn < 256 * 1024 else "%.0f bytes per connection" % per_conn


def querybuf_resize(port):
    c = admin(port)
    big = bytes(random.Random(41056).getrandbits(8) for _ in range(300000))
    data = encode("SET", "cve:big", big)
    for i in range(0, len(data), 16384):
        c.s.sendall(data[i:i + 16384])
        time.sleep(0.002)
    r1 = c.read()
    time.sleep(2.2)  # past the 2 s idle threshold of the query buffer cron
    c.s.sendall(encode("SET", "cve:small", "x") + encode("STRLEN", "cve:big"))
    r2, r3 = c.read(), c.read()
    c.send("GETRANGE", "cve:big", 0, -1)
    line = c.f.readline()
    body = c.f.read(int(line[1:-2]) + 2)[:-2]
    c.call("DEL", "cve:big", "cve:small")
    c.close()
    return (r1, r2, r3, body == big)


def reset_storm(port):
    """Connect and reset (SO_LINGER 0) 300 times in a burst, so accept()
    meets connections already aborted; then a new client must be served."""
    for _ in range(300):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            pass
        s.close()
    c = Conn(port)
    c.s.settimeout(5)
    r = c.call("PING")
    c.close()
    return r


def crlf_probe(cmd):
    """The raw reply to `cmd` followed by PING's: one reply line, then PONG."""
    def fn(port):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        f = s.makefile("rb")
        s.sendall(encode(*cmd) + encode("PING"))
        first, second = f.readline(), f.readline()
        s.close()
        return (first, second)
    return fn


# ---- strings ---------------------------------------------------------------

def strings():
    replay("CVE-2023-28425/msetnx-same-key-twice",
           calls(("DEL", "cve:k"), ("MSETNX", "cve:k", "1", "cve:k", "2"), ("GET", "cve:k"),
                 ("MSETNX", "cve:k", "3", "cve:k", "4"), ("GET", "cve:k"), ("DEL", "cve:k")))
    replay("CVE-2022-35977/setrange-huge-offset",
           calls(("SETRANGE", "cve:k", "9223372036854775807", "A"),
                 ("SETRANGE", "cve:k", "2147483647", "A"),
                 ("SET", "cve:k", "abc"),
                 ("SETRANGE", "cve:k", "9223372036854775807", "A"),
                 ("SETRANGE", "cve:k", "536870911", "AB"),
                 ("STRLEN", "cve:k"), ("DEL", "cve:k")),
           want=lambda r: all_errors(r[0:2]) and all_errors(r[3:5]))
    replay("CVE-2022-35977/append-past-limit",
           calls(("CONFIG", "SET", "proto-max-bulk-len", "1048576"),
                 ("SET", "cve:k", "x" * 1048000), ("APPEND", "cve:k", "y" * 1000),
                 ("STRLEN", "cve:k"), ("SETRANGE", "cve:k", "1048570", "z" * 10),
                 ("DEL", "cve:k"), ("CONFIG", "SET", "proto-max-bulk-len", "536870912")),
           want=lambda r: is_error(r[2]) and is_error(r[4]))
    # CVE-2021-29477 / CVE-2021-32625: LCS's table size overflowed 32 bits.
    a, b = "x" * 70000, "y" * 70000
    replay("CVE-2021-32625/lcs-table-size",
           calls(("MSET", "cve:a", a, "cve:b", b), ("LCS", "cve:a", "cve:b"),
                 ("LCS", "cve:a", "cve:b", "LEN"), ("DEL", "cve:a", "cve:b")),
           want=lambda r: is_error(r[1]) and is_error(r[2]))
    # CVE-2021-41099: string sizes near the limit when proto-max-bulk-len is
    # raised to its maximum must still be refused without an allocation.
    replay("CVE-2021-41099/setrange-raised-bulk-limit",
           calls(("CONFIG", "SET", "proto-max-bulk-len", "9223372036854775807"),
                 ("SETRANGE", "cve:k", "9223372036854775800", "ABCDEFGHIJ"),
                 ("SET", "cve:k", "abc"),
                 ("APPEND", "cve:k", "x"),
                 ("SETRANGE", "cve:k", "9223372036854775806", "AB"),
                 ("CONFIG", "SET", "proto-max-bulk-len", "536870912"), ("DEL", "cve:k")),
           want=lambda r: is_error(r[1]) and is_error(r[4]))


# ---- keys, globs -----------------------------------------------------------

def globs():
    nested = "a*" * 20 + "b"
    replay("CVE-2022-36021/keys-nested-stars",
           calls(("FLUSHALL",), ("SET", "a" * 40, "1"), ("KEYS", nested),
                 ("SCAN", "0", "MATCH", nested, "COUNT", "100")), timeout=3)
    long_key, long_pat = "a" * 50000, "*?" * 50000
    replay("CVE-2024-31228/keys-long-pattern",
           calls(("FLUSHALL",), ("SET", long_key, "1"), ("KEYS", long_pat),
                 ("SCAN", "0", "MATCH", long_pat, "COUNT", "100")), timeout=3)
    replay("CVE-2024-31228/hscan-sscan-long-pattern",
           calls(("HSET", "cve:h", long_key, "1"), ("HSCAN", "cve:h", "0", "MATCH", long_pat),
                 ("SADD", "cve:s", long_key), ("SSCAN", "cve:s", "0", "MATCH", long_pat),
                 ("FLUSHALL",)), timeout=3)
    replay("CVE-2024-31228/psubscribe-long-pattern", psubscribe_long_pattern, timeout=5)
    replay("CVE-2022-36021/bracket-patterns",
           calls(("SET", "cve:[k", "1"), ("KEYS", "[" * 1000), ("KEYS", "cve:[\\"),
                 ("KEYS", "[^" + "]" * 500 + "*" * 500 + "x"), ("KEYS", "\\" * 1001),
                 ("FLUSHALL",)), timeout=3)
    # CVE-2023-36824: extracting keys from a command with many numkeys keys
    # grew the result buffer without keeping the keys found before.
    keys = ["key%d" % i for i in range(1, 261)]
    replay("CVE-2023-36824/getkeys-lmpop-260",
           calls(("COMMAND", "GETKEYS", "LMPOP", "260", *keys, "LEFT"),
                 ("COMMAND", "GETKEYS", "SINTERCARD", "260", *keys),
                 ("COMMAND", "GETKEYS", "FCALL", "f", "260", *keys),
                 ("COMMAND", "GETKEYSANDFLAGS", "LMPOP", "260", *keys, "LEFT")))
    replay("CVE-2023-36824/getkeys-bad-numkeys",
           calls(("COMMAND", "GETKEYS", "LMPOP", "0", "LEFT"),
                 ("COMMAND", "GETKEYS", "LMPOP", "-1", "k", "LEFT"),
                 ("COMMAND", "GETKEYS", "LMPOP", "99999", "k", "LEFT"),
                 ("COMMAND", "GETKEYS", "SINTERCARD", "2147483648", "k"),
                 ("COMMAND", "GETKEYS", "FCALL", "f", "9223372036854775807", "k")),
           want=lambda r: all_errors(r[:4]))
    if has_command("zunionstore"):
        replay("CVE-2023-36824/getkeys-zunionstore-260",
               calls(("COMMAND", "GETKEYS", "ZUNIONSTORE", "target", "260", *keys)))
    else:
        skip("CVE-2023-36824/getkeys-zunionstore-260", "ZUNIONSTORE not loaded yet")


def psubscribe_long_pattern(port):
    sub = socket.create_connection(("127.0.0.1", port), timeout=5)
    f = sub.makefile("rb")
    pattern = "*?" * 50000
    sub.sendall(encode("PSUBSCRIBE", pattern))
    for _ in range(6):  # *3 $10 psubscribe $N pattern :1
        f.readline()
    c = admin(port)
    n = c.call("PUBLISH", "a" * 50000, "m")
    c.close()
    sub.close()
    return n


# ---- RESTORE payloads ------------------------------------------------------

RESTORE_PAYLOADS = {
    # CVE-2026-25243: a string whose length is near 2^64, and zipmaps whose
    # small lengths are written in the 5-byte form (the payloads of the fix's
    # regression tests).
    "CVE-2026-25243/string-length-near-2^64":
        b"\x00\x81\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xF7\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    # the same with a valid checksum, so that the length reaches the loader
    "CVE-2026-25243/string-length-near-2^64-sealed":
        seal(b"\x00\x81\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xF7", version=10),
    "CVE-2026-25243/string-length-2^32-sealed":
        seal(b"\x00\x80\xFF\xFF\xFF\xF0abc", version=10),
    "CVE-2026-25243/zipmap-5-byte-small-field":
        b"\x09\x11\x01\xfe\x04\x00\x00\x00\x01\x00\xff\x00\x04\x00\x76\x61\x6c\x31\xff"
        b"\x09\x00\xf9\xd5\xa4\xf7\x7d\x00\x3f\x1b",
    "CVE-2026-25243/zipmap-5-byte-small-value":
        b"\x09\x0e\x01\x01\x6b\xfe\x04\x00\x00\x00\x00\x76\x61\x6c\x31\xff\x09\x00\xd0"
        b"\xf9\xe4\x1d\xe4\xfb\x11\x4c",
    "CVE-2026-25243/zipmap-5-byte-huge-field":
        b"\x09\x41\x15\x02\x04\x6b\x65\x79\x31\x04\x00\x76\x61\x6c\x31\xfe\x04\x00\x00\x00"
        b"\xfe\xff\xff\xff\xfd\x00" + b"\x42" * 253 + b"\xff\x09\x00\x54\x2f\x0a\xca\x4e\x5c\x49\x9f",
}


def restore_payloads():
    for name, payload in RESTORE_PAYLOADS.items():
        replay(name, calls(("DEL", "cve:r"), ("RESTORE", "cve:r", "0", payload), ("EXISTS", "cve:r")),
               want=lambda r: is_error(r[1]) and r[2] == 0)


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "cve")

# What reads a whole value of each type back, in an order both servers
# share (members of sets and hash tables are sorted here).
READ_BACK = {
    "string": lambda c: [c.call("GET", "cve:cd")],
    "list": lambda c: [c.call("LLEN", "cve:cd"), c.call("LRANGE", "cve:cd", 0, -1),
                       c.call("LINDEX", "cve:cd", -1), c.call("LPOS", "cve:cd", "x")],
    "set": lambda c: [c.call("SCARD", "cve:cd"), sorted(c.call("SMEMBERS", "cve:cd") or [])],
    "hash": lambda c: [c.call("HLEN", "cve:cd"), sorted(c.call("HKEYS", "cve:cd") or []),
                       sorted(c.call("HVALS", "cve:cd") or [])],
    "zset": lambda c: [c.call("ZCARD", "cve:cd"), c.call("ZRANGE", "cve:cd", 0, -1, "WITHSCORES")],
}


def corrupt_dump_payloads():
    """Redis's corrupt-payload regressions (fixtures/cve/corrupt-dump.txt):
    restored with deep sanitizing and checksums off on both servers, then
    read back if accepted; the replies must be the same."""
    rows = []
    with open(os.path.join(FIXTURES, "corrupt-dump.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                at, kind, hexpayload = line.split()
                rows.append((at, kind, bytes.fromhex(hexpayload)))
    for _, port in SERVERS:
        c = admin(port)
        c.call("CONFIG", "SET", "sanitize-dump-payload", "yes")
        c.call("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1")
        c.close()
    try:
        for at, kind, payload in rows:
            name = "CVE-2026-25243/corrupt-dump-line-%s-%s" % (at, kind)
            if kind == "zset" and not has_command("zadd"):
                skip(name, "sorted sets not loaded yet")
                continue
            replay(name, restore_and_read(kind, payload))
    finally:
        for _, port in SERVERS:
            c = admin(port)
            c.call("CONFIG", "SET", "sanitize-dump-payload", "no")
            c.call("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0")
            c.close()


def restore_and_read(kind, payload):
    def fn(port):
        c = admin(port)
        out = [c.call("RESTORE", "cve:cd", "0", payload, "REPLACE")]
        if out[0] == "+OK":
            out.append(c.call("TYPE", "cve:cd"))
            out += READ_BACK[kind](c)
        out.append(c.call("DEL", "cve:cd"))
        c.close()
        return out
    return fn


# ---- hash, set, list --------------------------------------------------------

MIN = "-9223372036854775808"


def types():
    replay("CVE-2023-28856/hincrbyfloat-inf",
           calls(("DEL", "cve:h"), ("HINCRBYFLOAT", "cve:h", "f", "+inf"), ("EXISTS", "cve:h"),
                 ("HSET", "cve:h", "f", "1"), ("HINCRBYFLOAT", "cve:h", "f", "1.7e308"),
                 ("HINCRBYFLOAT", "cve:h", "f", "1.7e308"), ("HINCRBYFLOAT", "cve:h", "f", "-inf"),
                 ("HGETALL", "cve:h"), ("DEL", "cve:h")),
           want=lambda r: is_error(r[1]) and r[2] == 0 and is_error(r[6]))
    hr = calls(("HSET", "cve:h", "a", "1"),
               ("HRANDFIELD", "cve:h", "-9223372036854770000", "WITHVALUES"),
               ("HRANDFIELD", "cve:h", MIN, "WITHVALUES"), ("HRANDFIELD", "cve:h", MIN),
               ("DEL", "cve:h"))
    replay("CVE-2023-25155/hrandfield-count-min", hr, want=lambda r: all_errors(r[1:4]))
    replay("CVE-2023-22458/hrandfield-withvalues-overflow",
           calls(("HSET", "cve:h", "a", "1"),
                 ("HRANDFIELD", "cve:h", "-4611686018427387905", "WITHVALUES"),
                 ("HRANDFIELD", "cve:h", "-4611686018427387904", "WITHVALUES"), ("DEL", "cve:h")),
           want=lambda r: is_error(r[1]))
    replay("CVE-2023-25155/srandmember-count-min",
           calls(("SADD", "cve:s", "a"), ("SRANDMEMBER", "cve:s", MIN),
                 ("SPOP", "cve:s", MIN), ("DEL", "cve:s")),
           want=lambda r: is_error(r[1]))
    # CVE-2021-32687: intsets with set-max-intset-entries raised to its top.
    replay("CVE-2021-32687/intset-huge-config",
           calls(("CONFIG", "SET", "set-max-intset-entries", "9223372036854775807"),
                 ("CONFIG", "GET", "set-max-intset-entries"),
                 ("SADD", "cve:s", *range(0, 20000)), ("SADD", "cve:s", "9223372036854775807"),
                 ("OBJECT", "ENCODING", "cve:s"), ("SCARD", "cve:s"),
                 ("SADD", "cve:s", "x"), ("OBJECT", "ENCODING", "cve:s"),
                 ("CONFIG", "SET", "set-max-intset-entries", "512"), ("DEL", "cve:s")))
    # CVE-2021-29478: COPY of a (large) intset copied the wrong size.
    replay("CVE-2021-29478/copy-intset",
           calls(("SADD", "cve:s", *range(-32768, 32768, 7)), ("SADD", "cve:s", "4294967296"),
                 ("COPY", "cve:s", "cve:d"), ("SCARD", "cve:d"), ("SISMEMBER", "cve:d", "4294967296"),
                 ("OBJECT", "ENCODING", "cve:d"), ("DEBUG", "DIGEST-VALUE", "cve:s", "cve:d"),
                 ("DEL", "cve:s", "cve:d")))
    # CVE-2021-32628 (and the listpack half of CVE-2021-32627): listpack (ziplist) limits raised to
    # their maximum, then big elements; the safe-size check must convert.
    mb = "v" * (1 << 20)
    replay("CVE-2021-32628/hash-listpack-huge-config",
           calls(("CONFIG", "SET", "hash-max-listpack-value", "9223372036854775807"),
                 ("CONFIG", "SET", "hash-max-listpack-entries", "9223372036854775807"),
                 ("HSET", "cve:h", "f1", mb, "f2", mb), ("OBJECT", "ENCODING", "cve:h"),
                 ("HSTRLEN", "cve:h", "f2"),
                 ("CONFIG", "SET", "hash-max-listpack-value", "64"),
                 ("CONFIG", "SET", "hash-max-listpack-entries", "128"), ("DEL", "cve:h")))
    replay("CVE-2021-32628/list-listpack-huge-config",
           calls(("CONFIG", "SET", "list-max-listpack-size", "2147483647"),
                 ("RPUSH", "cve:l", mb, mb, mb, "x"), ("OBJECT", "ENCODING", "cve:l"),
                 ("LLEN", "cve:l"), ("LINDEX", "cve:l", "-1"), ("LINSERT", "cve:l", "BEFORE", "x", mb),
                 ("LPOS", "cve:l", "x", "RANK", MIN),
                 ("CONFIG", "SET", "list-max-listpack-size", "-2"), ("DEL", "cve:l")))


# ---- families still arriving from other branches -------------------------

def pending_families():
    if has_command("zrandmember"):
        replay("CVE-2023-22458/zrandmember-withscores-overflow",
               calls(("ZADD", "cve:z", "1", "a"),
                     ("ZRANDMEMBER", "cve:z", "-4611686018427387905", "WITHSCORES"),
                     ("ZRANDMEMBER", "cve:z", MIN, "WITHSCORES"), ("DEL", "cve:z")),
               want=lambda r: all_errors(r[1:3]))
        replay("CVE-2023-25155/zrandmember-count-min",
               calls(("ZADD", "cve:z", "1", "a"), ("ZRANDMEMBER", "cve:z", MIN), ("DEL", "cve:z")),
               want=lambda r: is_error(r[1]))
    else:
        skip("CVE-2023-22458/zrandmember-withscores-overflow", "ZRANDMEMBER not loaded yet")
        skip("CVE-2023-25155/zrandmember-count-min", "ZRANDMEMBER not loaded yet")
    if has_command("bitfield"):
        replay("CVE-2021-32761/bitfield-offsets",
               calls(("BITFIELD", "cve:b", "SET", "u8", "4294967296", "1"),
                     ("BITFIELD", "cve:b", "SET", "u8", "#536870912", "1"),
                     ("BITFIELD", "cve:b", "GET", "i64", "4294967232"),
                     ("BITFIELD", "cve:b", "INCRBY", "u63", "9223372036854775807", "1"),
                     ("BITFIELD_RO", "cve:b", "GET", "u8", "#9223372036854775807"),
                     ("SETBIT", "cve:b", "4294967296", "1"), ("GETBIT", "cve:b", "4294967296"),
                     ("EXISTS", "cve:b")))
    else:
        skip("CVE-2021-32761/bitfield-offsets", "BITFIELD not loaded yet")
    if has_command("pfcount"):
        hll_replays()
    else:
        for name in ("CVE-2025-32023/sparse-xzero-overflow", "CVE-2025-32023/sparse-zero-overflow",
                     "CVE-2019-10192/sparse-corruption-fuzz", "CVE-2019-10193/corrupted-forms"):
            skip(name, "PFCOUNT not loaded yet")
    if has_command("sort"):
        replay("CVE-2022-35977/sort-limit-overflow",
               calls(("RPUSH", "cve:l", "3", "1", "2"),
                     ("SORT", "cve:l", "LIMIT", "1", "9223372036854775807"),
                     ("SORT", "cve:l", "LIMIT", "9223372036854775807", "1"),
                     ("SORT_RO", "cve:l", "LIMIT", MIN, "9223372036854775807"), ("DEL", "cve:l")))
    else:
        skip("CVE-2022-35977/sort-limit-overflow", "SORT not loaded yet")


def hll_sparse(chunk, repeat):
    return b"HYLL" + bytes([1] + [0] * 11) + chunk * repeat + b"\xff"


def hll_replays():
    xzero = bytes([0x40 | (16383 >> 8), 16383 & 0xFF])
    # PFDEBUG is a debugging command a module may not carry: used if there.
    getreg = (("PFDEBUG", "GETREG", "cve:hll"),) if has_command("pfdebug") else ()
    replay("CVE-2025-32023/sparse-xzero-overflow",
           calls(("SET", "cve:hll", hll_sparse(xzero, 131072 + 1000)),
                 ("PFCOUNT", "cve:hll", "cve:hll"), *getreg,
                 ("PFADD", "cve:hll", "a"), ("DEL", "cve:hll")),
           timeout=20, want=lambda r: is_error(r[1]))
    replay("CVE-2025-32023/sparse-zero-overflow",
           calls(("SET", "cve:hll", hll_sparse(b"\x3f", 33554432 + 1000)),
                 ("PFCOUNT", "cve:hll", "cve:hll"), ("PFMERGE", "cve:m", "cve:hll"),
                 ("DEL", "cve:hll", "cve:m")),
           timeout=30, want=lambda r: is_error(r[1]))
    replay("CVE-2019-10192/sparse-corruption-fuzz", hll_fuzz, timeout=30)
    # Redis's own corrupted-HLL cases: bytes after the last register, a
    # broken magic, an unknown encoding, a dense value of the wrong length.
    replay("CVE-2019-10193/corrupted-forms",
           calls(("DEL", "cve:hll"), ("PFADD", "cve:hll", "a", "b", "c"),
                 ("APPEND", "cve:hll", "hello"), ("PFCOUNT", "cve:hll"), ("PFMERGE", "cve:m", "cve:hll"),
                 ("DEL", "cve:hll", "cve:m"), ("PFADD", "cve:hll", "a", "b", "c"),
                 ("SETRANGE", "cve:hll", "0", "0123"), ("PFCOUNT", "cve:hll"),
                 ("DEL", "cve:hll"), ("PFADD", "cve:hll", "a", "b", "c"),
                 ("SETRANGE", "cve:hll", "4", "x"), ("PFCOUNT", "cve:hll"),
                 ("SET", "cve:hll", b"HYLL" + bytes(12) + bytes(100)), ("PFCOUNT", "cve:hll"),
                 ("PFADD", "cve:hll", "z"), ("DEL", "cve:hll")),
           want=lambda r: is_error(r[3]) and is_error(r[8]) and is_error(r[14]))


def hll_fuzz(port):
    """Seeded corruptions of real sparse HLLs (the fuzz of Redis's own test,
    made deterministic so two servers can be compared reply for reply)."""
    rnd = random.Random(10192)
    c = admin(port)
    out = []
    for _ in range(150):
        c.call("DEL", "cve:hll")
        c.call("PFADD", "cve:hll", *[str(rnd.random()) for _ in range(rnd.randrange(1, 300))])
        for _ in range(5):
            n = c.call("STRLEN", "cve:hll")
            c.call("SETRANGE", "cve:hll", rnd.randrange(n), bytes([rnd.randrange(256)]))
            if rnd.random() < 0.5:
                break
        out.append(c.call("PFCOUNT", "cve:hll"))
        out.append(c.call("PFADD", "cve:hll", "x", "y"))
    c.call("DEL", "cve:hll")
    c.close()
    return out


def main():
    unauthenticated()
    protocol()
    strings()
    globs()
    restore_payloads()
    corrupt_dump_payloads()
    types()
    pending_families()


if __name__ == "__main__":
    main()

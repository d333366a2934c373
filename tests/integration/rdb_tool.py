#!/usr/bin/env python3
"""rdb_tool.py -- binary-safe helper for tests/integration/rdb.sh.

Speaks RESP2 over a plain socket (standard library only), so keys and values
with any bytes survive, which redis-cli's text output does not guarantee.

  rdb_tool.py snapshot PORT [--no-encoding] [--no-ttl]
      one line per key of every DB, sorted:
      db <TAB> key <TAB> type <TAB> value <TAB> pexpiretime <TAB> encoding
      (bytes rendered with Python's repr); PEXPIRETIME -1 means no TTL;
      the --no-* options print "-" instead of asking.
  rdb_tool.py dumps PORT
      one line per key: db <TAB> key <TAB> DUMP payload in hex.
  rdb_tool.py copy SRC_PORT DST_PORT
      DUMP every key of SRC and RESTORE it (same DB, same absolute TTL,
      REPLACE) into DST; prints the number of keys copied.
  rdb_tool.py payload HEX
      a DUMP payload for the value bytes HEX (type byte included): appends
      RDB version 10 and the CRC64; prints it as a call argument.
  rdb_tool.py call PORT DB ARG...
      one command; arguments are Python bytes literals without the b prefix
      (so "\\x00" is a NUL); prints the reply's repr.
  rdb_tool.py calls PORT DB < FILE
      the same for each line of FILE (arguments separated by spaces), one
      reply per line: starting Python once is much cheaper.

Owns nothing but this protocol client; invariants: one connection per
invocation, closed at exit; exit status 2 on a protocol or connection error.
"""
import ast
import socket
import sys


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return Err(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("bad reply %r" % line)

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.reply()


class Err(str):
    def __repr__(self):
        return "(error) " + str(self)


def each_key(c):
    dbs = int(c.call("CONFIG", "GET", "databases")[1])
    for db in range(dbs):
        c.call("SELECT", db)
        for key in sorted(c.call("KEYS", "*")):
            yield db, key


def snapshot(port, encoding=True, ttl=True):
    c = Conn(port)
    lines = []
    for db, key in each_key(c):
        t = c.call("TYPE", key)
        val = c.call("GET", key) if t == "string" else "-"
        pexp = c.call("PEXPIRETIME", key) if ttl else "-"
        enc = c.call("OBJECT", "ENCODING", key) if encoding else "-"
        lines.append("%d\t%r\t%s\t%r\t%s\t%s" % (db, key, t, val, pexp, enc))
    print("\n".join(lines))


def dumps(port):
    c = Conn(port)
    for db, key in each_key(c):
        print("%d\t%r\t%s" % (db, key, c.call("DUMP", key).hex()))


def copy(src_port, dst_port):
    src, dst = Conn(src_port), Conn(dst_port)
    n = 0
    for db, key in each_key(src):
        payload = src.call("DUMP", key)
        when = src.call("PEXPIRETIME", key)
        dst.call("SELECT", db)
        ttl = when if when > 0 else 0
        r = dst.call("RESTORE", key, ttl, payload, "REPLACE", "ABSTTL")
        if r != "OK":
            print("RESTORE %r in db %d: %r" % (key, db, r), file=sys.stderr)
            sys.exit(1)
        n += 1
    print(n)


def _crc_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def crc64(data):
    """CRC-64/Jones as Redis computes it (reflected, init 0, no xorout)."""
    crc = 0
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def rdb_len(n):
    """An RDB length: 6-bit, 14-bit or 32-bit form."""
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return bytes([0x80]) + n.to_bytes(4, "big")


def rdb_string(b):
    """An RDB string: its length, then the bytes."""
    return rdb_len(len(b)) + b


def seal(body, version=10):
    """A DUMP payload: value bytes (type byte first), RDB version, CRC64."""
    body = body + bytes([version & 0xFF, version >> 8])
    return body + crc64(body).to_bytes(8, "little")


def payload(hexbody):
    full = seal(bytes.fromhex(hexbody))
    print("".join("\\x%02x" % b for b in full))


def literal(a):
    """An argument written as the inside of a Python bytes literal."""
    return ast.literal_eval("b'" + a.replace("'", "\\'") + "'")


def call(port, db, args):
    c = Conn(port)
    c.call("SELECT", db)
    print(repr(c.call(*[literal(a) for a in args])))


def calls(port, db):
    c = Conn(port)
    c.call("SELECT", db)
    for line in sys.stdin:
        if line.strip():
            print(repr(c.call(*[literal(a) for a in line.split()])))


def main(argv):
    try:
        if argv[1] == "snapshot":
            snapshot(argv[2], "--no-encoding" not in argv, "--no-ttl" not in argv)
        elif argv[1] == "dumps":
            dumps(argv[2])
        elif argv[1] == "copy":
            copy(argv[2], argv[3])
        elif argv[1] == "payload":
            payload(argv[2])
        elif argv[1] == "calls":
            calls(argv[2], argv[3])
        elif argv[1] == "call":
            call(argv[2], argv[3], argv[4:])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, EOFError, ValueError) as e:
        print("rdb_tool: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

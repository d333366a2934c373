"""wire.py -- raw RESP over a socket for the checkers: send/recv for the
transcript checkers (pause_check.py, tracking_check.py: whatever arrives
until the line goes quiet, as Python bytes repr, so two servers'
transcripts compare line for line); Conn, a minimal RESP2 client that
parses replies (aof_check.py, hardened_check.py); Raw, whose replies are
their exact bytes in RESP2 or RESP3 (geo, sort, scripting, propagation
checks); sync_replica, a Raw registered as a replica, past its RDB, and
stream_until, what such a replica receives up to a marker; info_fields, an
INFO section as {field: text}; free_port, spawn, wait_ping, wait_for, stop and
Report (PASS/FAIL lines) for the checkers that start their own servers."""
import re
import socket
import subprocess
import sys
import time


def send(s, *args):
    parts = [str(a).encode() for a in args]
    s.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))


def recv(s, wait):
    """What arrived within `wait` seconds of quiet, or <none>."""
    s.settimeout(wait)
    got = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        got += chunk
    return repr(got) if got else "<none>"


class Conn:
    """A minimal RESP2 client: enough for replies of these tests."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.s.makefile("rb")
        self.binary = False  # bulk replies as bytes (DUMP payloads) rather than text

    def send(self, *args):
        parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.s.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-"):
            return (t + rest).decode()
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data if self.binary else data.decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("bad reply %r" % line)

    def call(self, *args):
        self.send(*args)
        return self.read()

    def close(self):
        self.s.close()


class Raw(Conn):
    """One connection; read() returns one reply's exact bytes (RESP2 or 3,
    an attribute together with the reply it annotates)."""

    def __init__(self, port, resp=2, timeout=20):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.f = self.s.makefile("rb")
        if resp == 3:
            self.call("HELLO", "3")

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        t, rest = line[:1], line[1:-2]
        if t in (b"$", b"=", b"!"):
            n = int(rest)
            return line if n < 0 else line + self.f.read(n + 2)
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(rest) * (2 if t in (b"%", b"|") else 1)
            out = line + b"".join(self.read() for _ in range(max(n, 0)))
            return out + self.read() if t == b"|" else out
        return line


def sync_replica(port):
    """A Raw that sent SYNC and read past the RDB: what follows is the
    command stream."""
    rep = Raw(port)
    rep.send("SYNC")
    line = rep.f.readline()
    while line in (b"\n", b"\r\n"):
        line = rep.f.readline()
    if line.startswith(b"$"):
        rep.f.read(int(line[1:-2]))
    return rep


def stream_until(f, marker):
    """A replica's stream (from sync_replica's f) up to and including the
    command that holds `marker`, without the master's PINGs, which may
    fall anywhere."""
    got = b""
    while marker not in got:
        line = f.readline()
        if not line:
            break
        got += line
    got += f.readline()  # the marker's value
    return without_pings(got)


def without_pings(stream):
    """A replica's stream without the master's keep-alive PINGs (Redis
    sends "ping"), which its cron puts wherever a second ends."""
    return re.sub(rb"\*1\r\n\$4\r\n(PING|ping)\r\n", b"", stream)


def free_port():
    """A port the kernel had free a moment ago, for a server a check
    starts itself."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, limit=10.0):
    """True once pred() is, polled every 50 ms; False after `limit` s."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def wait_ping(port, limit=10.0):
    """Until the server on `port` answers PING, at most `limit` seconds."""
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            if Conn(port).call("PING") == "+PONG":
                return True
        except OSError:
            time.sleep(0.05)
    return False


def spawn(cmd, tmp, *args, started=None, argv=None):
    """A server from argv `cmd` on a free port of 127.0.0.1 with --dir
    `tmp` and `args`, answering PING: (Popen, port).  `started`, a list,
    collects it for a final stop(); `argv(port_args)` may wrap the command
    line (a namespace, a supervisor)."""
    port = free_port()
    line = cmd + ["--port", str(port), "--bind", "127.0.0.1", "--dir", tmp] + list(args)
    proc = subprocess.Popen(argv(line) if argv else line, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if started is not None:
        started.append(proc)
    wait_for(lambda: proc.poll() is not None or wait_ping(port, 0.05))  # up, or it stopped
    return proc, port


def stop(proc):
    """Killed unless it already exited, and reaped."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()


class Report:
    """check(name, ok, why): one "PASS prefix+name" or "FAIL prefix+name:
    why" line, flushed at once; .failed counts the failures."""

    def __init__(self, prefix=""):
        self.prefix, self.failed = prefix, 0

    def __call__(self, name, ok, why=""):
        name = self.prefix + name
        print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
        self.failed += 0 if ok else 1
        sys.stdout.flush()


def info_fields(conn, section):
    """INFO `section` as {field: text}, through anything whose call(*words)
    returns the reply: a Raw (its bytes), a Conn (text), a checker's own."""
    text = conn.call("INFO", section)
    if isinstance(text, bytes):
        text = text.decode()
    return dict(l.split(":", 1) for l in text.split("\r\n") if ":" in l)

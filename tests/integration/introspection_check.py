"""introspection_check.py PORT -- a transcript of DEBUG, LATENCY and MONITOR
replies from the server on PORT, raw RESP bytes, with what legitimately
differs between two servers masked (times, ports, addresses, durations).

introspection.sh runs it against FrankenRedis and redis-server 7.0.15 and
compares the two transcripts byte for byte.  The server must run with
enable-debug-command yes.
"""
import re
import socket
import sys
import time


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        i = self.buf.index(b"\r\n")
        ln, self.buf = self.buf[:i], self.buf[i + 2:]
        return ln

    def exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        """One reply as its raw RESP text (attributes and pushes included)."""
        ln = self.line()
        t, rest = ln[:1], ln[1:]
        if t in b"$=" and rest != b"-1":
            return ln + b"\r\n" + self.exact(int(rest)) + b"\r\n"
        if t in b"*~>%|" and rest != b"-1":
            n = int(rest) * (2 if t in b"%|" else 1)
            body = b"".join(self.reply() for _ in range(n))
            return ln + b"\r\n" + body + (self.reply() if t in b"|>" else b"")
        return ln + b"\r\n"

    def call(self, *args):
        self.send(*args)
        return self.reply()


def show(tag, data):
    print("%s: %r" % (tag, data))


def protocol(port):
    for resp in (2, 3):
        c = Conn(port)
        if resp == 3:
            c.call("HELLO", "3")
        for t in ("string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push",
                  "verbatim", "true", "false", "nope"):
            show("protocol/resp%d/%s" % (resp, t), c.call("DEBUG", "PROTOCOL", t))


def digests(port):
    c = Conn(port)
    c.call("FLUSHALL")
    show("digest/empty", c.call("DEBUG", "DIGEST"))
    c.call("DEBUG", "POPULATE", "100")
    c.call("DEBUG", "POPULATE", "10", "big", "300")
    c.call("SET", "n", "12345")
    c.call("SET", "neg", "-7")
    c.call("SET", "bin", b"\x00\xff\r\n")
    c.call("SET", "ttl", "v", "EX", "1000")
    c.call("SELECT", "5")
    c.call("SET", "other", "db")
    show("digest/dataset", c.call("DEBUG", "DIGEST"))
    show("digest/values", c.call("DEBUG", "DIGEST-VALUE", "other", "missing"))
    c.call("SELECT", "0")
    show("digest/values0", c.call("DEBUG", "DIGEST-VALUE", "n", "neg", "bin", "ttl", "key:7", "big:3"))
    show("digest/reload", c.call("DEBUG", "RELOAD"))
    show("digest/after-reload", c.call("DEBUG", "DIGEST"))
    for k in ("n", "key:7", "big:3", "bin"):
        obj = c.call("DEBUG", "OBJECT", k)
        show("object/" + k, re.sub(rb"at:0x[0-9a-f]+|lru:\d+|lru_seconds_idle:\d+", b"*", obj))
    show("object/missing", c.call("DEBUG", "OBJECT", "missing"))
    # the layout of the tables' statistics (slot counts depend on the hash
    # seed): an empty DB exactly, a filled one's field names and sizes
    show("htstats/empty-db", c.call("DEBUG", "HTSTATS", "9"))
    full = c.call("DEBUG", "HTSTATS", "0")
    full = re.sub(rb"^\$[0-9]+\r\n|\n +[0-9]+: [0-9]+ \([0-9.]+%\)", b"", full)
    show("htstats/db0", re.sub(rb"(slots|length|\(counted\)|\(computed\)): [0-9.]+", rb"\1: *", full))
    show("htstats/bad-db", c.call("DEBUG", "HTSTATS", "99"))
    show("htstats/not-int", c.call("DEBUG", "HTSTATS", "x"))


def latency(port):
    c = Conn(port)
    show("latency/doctor-off", c.call("LATENCY", "DOCTOR"))
    c.call("CONFIG", "SET", "latency-monitor-threshold", "100")
    c.call("LATENCY", "RESET")
    show("latency/doctor-none", c.call("LATENCY", "DOCTOR"))
    c.call("DEBUG", "SLEEP", "0.15")
    latest = c.call("LATENCY", "LATEST")
    show("latency/latest", re.sub(rb":\d+\r\n", b":N\r\n", latest))
    show("latency/history", re.sub(rb":\d+\r\n", b":N\r\n", c.call("LATENCY", "HISTORY", "command")))
    show("latency/history-none", c.call("LATENCY", "HISTORY", "nope"))
    # the report with its advice (slow log off asks to enable it; the THP
    # advice depends on the machine, the same for both servers)
    c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")
    doctor = c.call("LATENCY", "DOCTOR")
    show("latency/doctor", re.sub(rb"^\$\d+|\d+ms|\d+ latency spikes|period [0-9.]+", b"N", doctor))
    c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
    graph = c.call("LATENCY", "GRAPH", "command")
    show("latency/graph", re.sub(rb"\d+", b"N", graph))
    show("latency/graph-none", c.call("LATENCY", "GRAPH", "nope"))
    show("latency/reset-none", c.call("LATENCY", "RESET", "nope"))
    show("latency/reset", c.call("LATENCY", "RESET"))
    show("latency/help", c.call("LATENCY", "HELP"))
    show("latency/help-args", c.call("LATENCY", "HELP", "x"))
    c.call("CONFIG", "RESETSTAT")
    c.call("SET", "a", "b")
    c.call("CLIENT", "ID")
    hist = c.call("LATENCY", "HISTOGRAM", "set", "client|id", "nope", "get")
    show("latency/histogram", re.sub(rb":\d+\r\n", b":N\r\n", re.sub(rb"\*\d+\r\n((:\d+\r\n)+)", b"*L\r\n", hist)))
    info = c.call("INFO", "LATENCYSTATS").decode()
    lines = sorted(re.sub(r"=[0-9.]+", "=X", l) for l in info.split("\r\n")[1:] if l.startswith("latency_"))
    show("latency/info", lines)
    c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50 99.99 100")
    info = c.call("INFO", "LATENCYSTATS").decode()
    show("latency/info-pct", sorted(re.sub(r"=[0-9.]+", "=X", l) for l in info.split("\r\n") if "usec_set" in l))
    c.call("CONFIG", "SET", "latency-tracking", "no")
    c.call("CONFIG", "RESETSTAT")
    c.call("SET", "a", "b")
    show("latency/off", c.call("INFO", "LATENCYSTATS"))
    c.call("CONFIG", "SET", "latency-tracking", "yes")
    c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9")
    c.call("CONFIG", "SET", "latency-monitor-threshold", "0")


def monitor(port):
    m = Conn(port)
    show("monitor/ok", m.call("MONITOR"))
    c = Conn(port)
    c.call("SET", "a b", 'x"y\\z')
    c.call("SET", "bin", b"\x01\xff\t\n")
    c.call("SELECT", "2")
    c.call("AUTH", "secret")
    c.call("HELLO", "2", "AUTH", "default", "secret")
    c.call("CONFIG", "GET", "port")
    c.call("DEBUG", "DIGEST")
    c.call("MULTI")
    c.call("INCR", "n")
    c.call("EXEC")
    c.call("GET", "a")
    flags = c.call("CLIENT", "LIST")
    show("monitor/flags", sorted(re.findall(rb"flags=\w+", flags)))
    time.sleep(0.2)
    c.call("PING")
    lines = []
    while True:
        ln = m.line()
        lines.append(re.sub(rb"^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]", rb"+T [\1 A]", ln))
        if b'"PING"' in ln:
            break
    show("monitor/lines", lines)
    show("monitor/again", m.call("GET", "a"))
    t = Conn(port)
    t.call("MULTI")
    show("monitor/multi-queued", t.call("MONITOR"))
    show("monitor/multi-exec", t.call("EXEC"))


def memory_doctor(port):
    """MEMORY DOCTOR once it has a finding: a peak of 30 MB over 6 MB in use.
    Only the opening (the header, then the peak finding) is compared: the
    other findings depend on each process's RSS.  The whole report must be
    text (the header was once copied past its end, NUL included).  Then,
    with 1,001 cached scripts, the "Many scripts" finding's text."""
    c = Conn(port)
    c.call("FLUSHALL")
    c.call("SET", "keep", b"k" * (6 << 20))
    c.call("SET", "peak", b"p" * (24 << 20))
    time.sleep(0.3)  # our peak is sampled by cron (Redis's after each command)
    c.call("DEL", "peak")
    report = c.call("MEMORY", "DOCTOR").split(b"\r\n", 1)[1]
    show("memory/doctor-peak", report[:100])
    show("memory/doctor-text-only", b"\0" not in report)
    # over 1,000 cached scripts: the "Many scripts" finding, Redis's text
    for i in range(1001):
        c.send("SCRIPT", "LOAD", "return %d" % i)
    for i in range(1001):
        c.reply()
    report = c.call("MEMORY", "DOCTOR")
    at = report.find(b" * Many scripts")
    show("memory/doctor-many-scripts", report[at:at + 400] if at >= 0 else "no finding")
    c.call("SCRIPT", "FLUSH")
    c.call("FLUSHALL")


def query_buffer_size(watcher, name):
    """qbuf + qbuf-free of client NAME, read from another connection (so
    the reading does not count as NAME's activity)."""
    for ln in watcher.call("CLIENT", "LIST").split(b"\n"):
        if b" name=%s " % name in ln:
            m = re.search(rb" qbuf=(\d+) qbuf-free=(\d+) ", ln)
            return int(m.group(1)) + int(m.group(2))
    return None


def query_buffer(port):
    """Query buffer sizing, as unit/querybuf measures it: a new client's
    buffer is between 16 and 32 KB; after a 400 KB argument it holds that
    much in case another comes; while the client goes on with small
    commands the cron gives it back down to their size, not to 0; after
    2 s idle it is 0.  Only the comparisons are shown: sizes differ a
    little with the allocator."""
    watcher, c = Conn(port), Conn(port)
    c.call("CLIENT", "SETNAME", "qbtest")
    size = query_buffer_size(watcher, b"qbtest")
    show("querybuf/new", 16384 <= size < 32768)
    c.call("SET", "qb", b"A" * 400000)
    big = query_buffer_size(watcher, b"qbtest")
    show("querybuf/after-big-arg", 400000 < big < 500000)
    deadline = time.time() + 2
    while time.time() < deadline:
        c.call("SET", "qb", b"A" * 100)
        size = query_buffer_size(watcher, b"qbtest")
        if size < big:
            break
        time.sleep(0.01)
    show("querybuf/trimmed-while-busy", 0 < size < 32768)
    # a big buffer again, then nothing: emptied.  (Right after the loop
    # the size depends on which SET the last cron tick saw, a few bytes
    # more or less, and nothing trims below 4 KB free: a loaded machine
    # made that line differ.)
    c.call("SET", "qb", b"A" * 400000)
    time.sleep(3.2)
    show("querybuf/idle", query_buffer_size(watcher, b"qbtest"))
    c.call("DEL", "qb")


def gate(port):
    c = Conn(port)
    show("gate/debug", c.call("DEBUG", "SLEEP", "0")[:60])
    show("gate/debug-arity", c.call("DEBUG"))
    show("gate/config", c.call("CONFIG", "SET", "enable-debug-command", "yes"))
    show("gate/config-get", c.call("CONFIG", "GET", "enable-debug-command"))
    show("gate/command-info", c.call("COMMAND", "INFO", "debug"))
    show("gate/command-count", c.call("COMMAND", "COUNT") != b":0\r\n")


if __name__ == "__main__":
    port = int(sys.argv[2])
    {"all": lambda p: [f(p) for f in (protocol, digests, latency, monitor, memory_doctor, query_buffer)], "gate": gate}[sys.argv[1]](port)

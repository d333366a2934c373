"""supervise_check.py SERVER CONF -- the `supervised` directive beside
redis-server 7.0.15 (Debian builds it with libsystemd): each server is
started as systemd starts Debian's redis-server.service (Type=notify,
--supervised systemd, $NOTIFY_SOCKET naming a datagram socket), and the
messages it sends there, from start-up to SHUTDOWN, must be the same.

Cases: a socket path with SHUTDOWN SAVE (the final-save status), `auto`
finding an abstract socket (the "@" form), a replica still waiting for its
master (the read-only status), and `systemd` with no socket named (not
supervised: process_supervised no, a warning in the log).  Under
supervision `daemonize yes` is ignored: the process started is the one
that answers.  Prints PASS/FAIL lines; Debian's python3 only."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Report, free_port  # noqa: E402

check = Report("supervise/")


def call(port, *words):
    """One command on a new connection; the reply's first line, or the
    bulk's text."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        out = b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w.encode()) for w in words)
        s.sendall(out)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return data.decode()
            data += chunk
        head, rest = data.split(b"\r\n", 1)
        if head[:1] == b"$":
            n = int(head[1:])
            while len(rest) < n:
                rest += s.recv(65536)
            return rest[:n].decode()
        return head.decode()


def wait_answering(port, proc, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        try:
            return call(port, "PING")
        except OSError:
            time.sleep(0.05)
    return None


def messages_until(sock, last, seconds=10):
    """Datagrams until one holds `last` (or the time runs out)."""
    got = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        sock.settimeout(max(deadline - time.time(), 0.01))
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            break
        if last in got[-1]:
            break
    return got


def run(cmd, tmp, mode, notify, extra=(), shutdown="NOSAVE"):
    """Start cmd supervised; returns (messages, facts) where facts are what
    must also match: the started process answering, process_supervised,
    whether the warning for a missing socket was logged."""
    sock, env = None, dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    if notify == "path":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(os.path.join(tmp, "notify"))
        env["NOTIFY_SOCKET"] = os.path.join(tmp, "notify")
    elif notify == "abstract":
        name = "fr-notify-%d-%d" % (os.getpid(), time.monotonic_ns())
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind("\0" + name)
        env["NOTIFY_SOCKET"] = "@" + name
    port, log = free_port(), os.path.join(tmp, "log")
    daemonize = "yes" if sock else "no"
    args = cmd + ["--port", str(port), "--bind", "127.0.0.1", "--dir", tmp, "--save", "", "--logfile", log,
                  "--daemonize", daemonize, "--supervised", mode] + list(extra)
    proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    msgs = messages_until(sock, "READY=1") if sock else []
    facts = {"answers": wait_answering(port, proc) == "+PONG"}
    info = call(port, "INFO", "server") if facts["answers"] else ""
    facts["process_supervised"] = [l for l in info.split("\r\n") if l.startswith("process_supervised:")]
    try:
        call(port, "SHUTDOWN", shutdown)
    except OSError:
        pass
    if sock:
        msgs += messages_until(sock, "Saving" if shutdown == "SAVE" else "STOPPING=1", 5)
        sock.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with open(log, errors="replace") as f:
        facts["warned"] = "systemd supervision error: NOTIFY_SOCKET not found!" in f.read()
    return msgs, facts


def case(name, ours, ref, **kw):
    results = []
    for cmd in (ours, ref):
        tmp = tempfile.mkdtemp(prefix="fr-supervise.")
        try:
            results.append(run(cmd, tmp, **kw))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    (om, of), (rm, rf) = results
    check("%s/messages" % name, om == rm and (rm or kw["notify"] is None), "ours %r, redis %r" % (om, rm))
    check("%s/facts" % name, of == rf and of["answers"], "ours %r, redis %r" % (of, rf))


def main():
    ours = [sys.argv[1], sys.argv[2]]
    ref = ["redis-server", "--appendonly", "no"]
    case("systemd-path", ours, ref, mode="systemd", notify="path", shutdown="SAVE")
    case("auto-abstract", ours, ref, mode="auto", notify="abstract")
    dead = str(free_port())
    case("systemd-replica", ours, ref, mode="systemd", notify="path", extra=("--replicaof", "127.0.0.1", dead))
    case("systemd-no-socket", ours, ref, mode="systemd", notify=None)
    sys.exit(1 if check.failed else 0)


main()

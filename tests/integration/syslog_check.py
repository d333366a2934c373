"""syslog_check.py SERVER CONF -- syslog-enabled, syslog-ident and
syslog-facility beside redis-server 7.0.15: both servers log through
glibc's syslog() to /dev/log, where this check listens (a datagram socket
it binds there when no syslog daemon has one; with a daemon, each server
runs in a private mount namespace -- unshare -m, as root -- where the
check's socket is bind-mounted over /dev/log).  For each server the
messages of a start-up and a SHUTDOWN must carry the same priorities
(facility * 8 + severity) and the same "ident[pid]:" tag, and the same
notable lines (Server initialized, Ready to accept connections, ...).
Prints PASS/FAIL lines; Debian's python3 only."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, Report, spawn  # noqa: E402

check = Report("syslog/")
DEV_LOG = "/dev/log"
LINES = ("Server initialized", "Ready to accept connections", "User requested shutdown...", "Redis is now ready to exit, bye bye...")
# <PRI>Mmm dd hh:mm:ss ident[pid]: message
FORMAT = re.compile(rb"^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+)\[(\d+)\]: (.*)$", re.S)


def listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.settimeout(0.2)
    return s


def run(cmd, tmp, sock_path, shared):
    """Starts, pings and shuts down one server; returns its pid."""
    def in_namespace(line):
        inner = "mount --bind %s %s && exec \"$@\"" % (sock_path, DEV_LOG)
        return ["unshare", "-m", "sh", "-c", inner, "sh"] + line
    proc, port = spawn(cmd, tmp, "--save", "", "--syslog-enabled", "yes", "--syslog-ident", "fr-syslog-check",
                       "--syslog-facility", "local3", "--logfile", os.path.join(tmp, "server.log"),
                       argv=None if shared else in_namespace)
    try:
        Conn(port).call("SHUTDOWN", "NOSAVE")
    except (OSError, ConnectionError):
        pass
    proc.wait(10)
    return proc.pid


class Collector(threading.Thread):
    """Reads the socket all along: a full datagram queue blocks the
    sender's syslog(), and with it the server."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock, self.got, self.stop = sock, [], False

    def run(self):
        while not self.stop:
            try:
                self.got.append(self.sock.recv(65536))
            except socket.timeout:
                pass
            except OSError:
                return

    def take(self):
        time.sleep(0.3)
        got, self.got = self.got, []
        return got


def summary(datagrams, pid):
    """(priority, tag) pairs of the notable lines, in order."""
    out = []
    for d in datagrams:
        m = FORMAT.match(d)
        if not m or int(m.group(3)) != pid:
            continue
        msg = m.group(4).decode(errors="replace").rstrip("\n")
        for want in LINES:
            if msg.startswith(want) or msg.endswith(want):
                out.append((int(m.group(1)), m.group(2).decode(), want))
    return out


def main():
    ours = [sys.argv[1], sys.argv[2]]
    tmp = tempfile.mkdtemp(prefix="fr-syslog.")
    shared = not os.path.exists(DEV_LOG)
    sock_path = DEV_LOG if shared else os.path.join(tmp, "log.sock")
    sock = listen(sock_path)
    reader = Collector(sock)
    reader.start()
    try:
        got = {}
        for who, cmd in (("fr", ours), ("ref", ["redis-server"])):
            pid = run(cmd, tmp, sock_path, shared)
            got[who] = summary(reader.take(), pid)
        fr, ref = got["fr"], got["ref"]
        check("ref-heard", len(ref) == len(LINES), "redis-server's lines at %s: %r" % (sock_path, ref))
        check("same-lines", fr == ref, "ours %r redis %r" % (fr, ref))
        check("local3-notice", bool(fr) and all(p == 19 * 8 + 5 or p == 19 * 8 + 4 for p, _, _ in fr),
              "priorities %r" % [p for p, _, _ in fr])
        check("ident", bool(fr) and all(t == "fr-syslog-check" for _, t, _ in fr), "tags %r" % [t for _, t, _ in fr])
    finally:
        reader.stop = True
        reader.join()
        sock.close()
        if shared:
            os.unlink(DEV_LOG)
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()

"""oom_score_check.py SERVER CONF -- oom-score-adj and oom-score-adj-values
beside redis-server 7.0.15: /proc/PID/oom_score_adj of each server (started
with a score of 100 of its own, which "relative" adds to) as a master, as a
replica, of its BGSAVE child, after CONFIG SET of the values and of the
mode (absolute, then no: the starting score back).  Prints PASS/FAIL
lines; Debian's python3 only."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, Report, free_port, spawn, stop, wait_for  # noqa: E402

check = Report("oom-score/")
STARTED = []


def score(pid):
    try:
        with open("/proc/%d/oom_score_adj" % pid) as f:
            return int(f.read())
    except OSError:
        return None


def with_base(line):
    """The server starts with oom_score_adj 100 (raising it needs no
    privilege), as a supervisor might have set."""
    return ["sh", "-c", 'echo 100 > /proc/self/oom_score_adj && exec "$@"', "sh"] + line


def settle(pid, want):
    """The score once it is `want`, or whatever it is after 2 s."""
    wait_for(lambda: score(pid) == want, 2)
    return score(pid)


def child_score(pid):
    """The score of the server's forked child, read while it runs."""
    seen = []

    def look():
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        seen.extend(s for s in (score(int(c)) for c in out) if s is not None)
        return bool(seen)
    wait_for(look, 5)
    return seen[0] if seen else None


def run(cmd):
    """(step, what the server shows, what it must show) for each step."""
    tmp = tempfile.mkdtemp(prefix="fr-oom.")
    out = []
    proc, port = spawn(cmd, tmp, "--save", "", "--enable-debug-command", "yes", "--oom-score-adj", "yes",
                       "--oom-score-adj-values", "10 20 30", "--rdb-key-save-delay", "100", started=STARTED,
                       argv=with_base)
    try:
        c = Conn(port)
        out.append(("master-relative", settle(proc.pid, 110), 110))
        c.call("REPLICAOF", "127.0.0.1", str(free_port()))
        out.append(("replica-relative", settle(proc.pid, 120), 120))
        c.call("REPLICAOF", "NO", "ONE")
        out.append(("master-again", settle(proc.pid, 110), 110))
        c.call("DEBUG", "POPULATE", "10000")  # a BGSAVE of 1 s at least
        c.call("BGSAVE")
        out.append(("bgsave-child", child_score(proc.pid), 130))
        out.append(("set-values", c.call("CONFIG", "SET", "oom-score-adj-values", "5 10 15"), "+OK"))
        out.append(("master-new-values", settle(proc.pid, 105), 105))
        # (not below 0: lowering the score under its floor needs
        # CAP_SYS_RESOURCE, which Redis reports as a CONFIG SET error and
        # we as a log line; docs/spec/server.md)
        out.append(("set-absolute", c.call("CONFIG", "SET", "oom-score-adj", "absolute"), "+OK"))
        out.append(("master-absolute", settle(proc.pid, 5), 5))
        out.append(("set-no", c.call("CONFIG", "SET", "oom-score-adj", "no"), "+OK"))
        out.append(("base-restored", settle(proc.pid, 100), 100))
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main():
    try:
        want, got = run(["redis-server"]), run([sys.argv[1], sys.argv[2]])
        for w, g in zip(want, got):  # (step, value, expected value)
            check(w[0], g[1] == w[1] == w[2], "ours %r redis %r want %r" % (g[1], w[1], w[2]))
    finally:
        for p in STARTED:
            stop(p)


if __name__ == "__main__":
    main()

"""shutdown_wait_check.py SERVER CONF -- SHUTDOWN waiting for replicas
(shutdown-timeout), FrankenRedis beside redis-server 7.0.15, each server
started here as a master with its own scratch directory:

- lagging: a replica that never acknowledges (a raw SYNC) holds SHUTDOWN
  for shutdown-timeout (1 s), then the server exits anyway;
- abort: while SHUTDOWN waits, a write from another client is held (writes
  are paused), INFO shows shutdown_in_milliseconds, SHUTDOWN ABORT answers +OK, the waiting SHUTDOWN gets the
  error, the held write then runs; SHUTDOWN NOW exits at once;
- in-sync: with a real replica (redis-server) that acknowledges, writes
  pipelined right before SHUTDOWN NOSAVE all reach the replica, and the
  exit is quick.

Prints PASS/FAIL lines; Debian's python3 only."""
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, Report, info_fields, spawn, stop, sync_replica  # noqa: E402

check = Report("shutdown-wait/")


STARTED = []  # every server started here, stopped after its case whatever happened


def start(cmd, tmp, *extra):
    return spawn(cmd, tmp, "--save", "", "--repl-diskless-sync", "no", "--shutdown-timeout", "1", *extra,
                 started=STARTED)


def exit_time(proc, t0, limit=6):
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        return None
    return time.time() - t0


def lagging(cmd, tmp):
    proc, port = start(cmd, tmp)
    rep = sync_replica(port)
    Conn(port).call("SET", "k", "v")
    t0 = time.time()
    Conn(port).send("SHUTDOWN")
    took = exit_time(proc, t0)
    rep.s.close()
    stop(proc)
    return took is not None and 0.8 <= took < 5, "exited after %r s" % took


def abort(cmd, tmp):
    proc, port = start(cmd, tmp, "--shutdown-timeout", "5")  # room for the steps below
    rep = sync_replica(port)
    Conn(port).call("SET", "k", "v")  # a byte the replica never acknowledges
    first, writer = Conn(port), Conn(port)
    first.send("SHUTDOWN")
    time.sleep(0.2)
    writer.send("SET", "during", "1")
    held = not select.select([writer.s], [], [], 0.3)[0]
    left = int(info_fields(Conn(port), "server").get("shutdown_in_milliseconds", -1))
    aborted = Conn(port).call("SHUTDOWN", "ABORT")
    answer = first.read()
    write = writer.read()
    t0 = time.time()
    Conn(port).send("SHUTDOWN", "NOW")
    took = exit_time(proc, t0)
    rep.s.close()
    stop(proc)
    got = (held, 0 < left < 5000, aborted, str(answer), write, took is not None and took < 0.8)
    want = (True, True, "+OK", "-ERR Errors trying to SHUTDOWN. Check logs.", "+OK", True)
    return got == want, "held, shutdown_in_milliseconds, ABORT, SHUTDOWN, SET, NOW quick: %r" % (got,)


def in_sync(cmd, tmp):
    proc, port = start(cmd, tmp)
    rtmp = tempfile.mkdtemp(prefix="fr-shutdown-rep.")
    rproc, rport = start(["redis-server"], rtmp, "--replicaof", "127.0.0.1", str(port))
    deadline = time.time() + 15
    while info_fields(Conn(rport), "replication").get("master_link_status") != "up" and time.time() < deadline:
        time.sleep(0.05)
    c = Conn(port)
    n = 20000
    c.s.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\nk%d\r\n$100\r\n%s\r\n" % (len(b"k%d" % i), i, b"x" * 100)
                         for i in range(n)))
    for _ in range(n):
        c.read()
    t0 = time.time()
    c.send("SHUTDOWN", "NOSAVE")
    took = exit_time(proc, t0)
    kept = Conn(rport).call("DBSIZE")
    stop(proc)
    stop(rproc)
    shutil.rmtree(rtmp, ignore_errors=True)
    return kept == n and took is not None and took < 1, "replica kept %r of %d, exit after %r s" % (kept, n, took)


def main():
    ours = [sys.argv[1], sys.argv[2]]
    ref = ["redis-server", "--appendonly", "no"]
    for name, fn in (("lagging-replica-holds-shutdown", lagging), ("abort-and-now", abort),
                     ("in-sync-replica-gets-everything", in_sync)):
        for label, cmd in (("ours", ours), ("redis", ref)):
            tmp = tempfile.mkdtemp(prefix="fr-shutdown.")
            try:
                ok, why = fn(cmd, tmp)
            except (OSError, EOFError, ValueError) as e:
                ok, why = False, "exception %r" % (e,)
            finally:
                while STARTED:
                    stop(STARTED.pop())
                shutil.rmtree(tmp, ignore_errors=True)
            check("%s/%s" % (name, label), ok, why)
    sys.exit(1 if check.failed else 0)


main()

"""failover_check.py SERVER CONF -- FAILOVER beside redis-server 7.0.15,
every server started here with its own scratch directory:

- errors: each refusal's exact reply, in Redis's order (no replicas, bad
  TIMEOUT, syntax, FORCE without TO and TIMEOUT, an unknown target, ABORT
  with nothing to abort, on a replica; PSYNC ... FAILOVER to a master);
- handover: a master and its replica in the four pairings (ours or
  redis-server on each side): FAILOVER TO the replica makes it the master
  and the old master its replica, by a partial resync, with no write lost;
  then plain FAILOVER hands back to whichever replica caught up;
- blocked: REPLICAOF answers a BLPOP and a WAIT that wait with Redis's
  -UNBLOCKED error and closes their connections;
- waiting: a replica that never acknowledges (a raw SYNC) keeps FAILOVER
  TIMEOUT waiting: INFO says waiting-for-sync, writes are held,
  FAILOVER/REPLICAOF/PSYNC are refused; the timeout aborts and the held
  write runs; FAILOVER ABORT does the same at once.

Prints PASS/FAIL lines; Debian's python3 only."""
import os
import select
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, Report, free_port, info_fields, spawn, stop, wait_for, sync_replica  # noqa: E402

check = Report("failover/")
STARTED = []


def start(cmd, tmp, *extra):
    return spawn(cmd, tmp, "--save", "", "--repl-diskless-sync", "no", "--enable-debug-command", "yes", *extra,
                 started=STARTED)



def repl(port):
    return info_fields(Conn(port), "replication")


def linked(replica, master):
    r, m = repl(replica), repl(master)
    return (r.get("master_link_status") == "up" and r.get("master_port") == str(master)
            and r.get("slave_repl_offset") == m.get("master_repl_offset")
            and any(k.startswith("slave") and "port=%d" % replica in v and "state=online" in v for k, v in m.items()))


def errors(cmd):
    tmp = tempfile.mkdtemp(prefix="fr-failover.")
    out = []
    proc, port = start(cmd, tmp)
    try:
        c = Conn(port)
        for words in (("FAILOVER",), ("FAILOVER", "ABORT"), ("FAILOVER", "TIMEOUT", "0"),
                      ("FAILOVER", "TIMEOUT", "x"), ("FAILOVER", "BOGUS"), ("FAILOVER", "TO", "h", "p"),
                      ("FAILOVER", "TIMEOUT", "5", "TIMEOUT", "5"), ("FAILOVER", "ABORT", "TIMEOUT", "5"),
                      ("PSYNC", "abc", "1", "FAILOVER")):
            out.append(c.call(*words))
        rep = sync_replica(port)  # a replica is connected from here on
        c.call("SET", "k", "v")
        for words in (("FAILOVER", "FORCE"), ("FAILOVER", "FORCE", "TIMEOUT", "10"),
                      ("FAILOVER", "TO", "127.0.0.1", "1"), ("FAILOVER", "TO", "127.0.0.1", "1", "FORCE")):
            out.append(c.call(*words))
        rep.close()
        c.call("REPLICAOF", "127.0.0.1", str(free_port()))
        out.append(c.call("FAILOVER"))
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def handover(master_cmd, replica_cmd):
    """FAILOVER TO, then plain FAILOVER back; what each side reports."""
    mt, rt = tempfile.mkdtemp(prefix="fr-failover."), tempfile.mkdtemp(prefix="fr-failover.")
    mproc, mport = start(master_cmd, mt)
    rproc, rport = start(replica_cmd, rt, "--replicaof", "127.0.0.1", str(mport))
    out = []
    try:
        m = Conn(mport)
        m.call("SET", "before", "1")
        out.append(("linked", wait_for(lambda: linked(rport, mport))))
        out.append(("to", m.call("FAILOVER", "TO", "127.0.0.1", str(rport))))
        out.append(("swapped", wait_for(lambda: linked(mport, rport))))
        out.append(("roles", Conn(mport).call("ROLE")[:1], Conn(rport).call("ROLE")[:1]))
        out.append(("state", repl(mport).get("master_failover_state"), repl(rport).get("master_failover_state")))
        out.append(("partial", repl(rport).get("sync_partial_ok"), repl(rport).get("sync_full")))
        Conn(rport).call("SET", "after", "2")
        out.append(("write-flows", wait_for(lambda: Conn(mport).call("GET", "after") == b"2" or
                                            Conn(mport).call("GET", "after") == "2")))
        out.append(("digests", Conn(mport).call("DEBUG", "DIGEST") == Conn(rport).call("DEBUG", "DIGEST")))
        out.append(("any", Conn(rport).call("FAILOVER")))
        out.append(("back", wait_for(lambda: linked(rport, mport))))
        out.append(("readonly", Conn(rport).call("SET", "x", "1")))
    finally:
        stop(mproc)
        stop(rproc)
        shutil.rmtree(mt, ignore_errors=True)
        shutil.rmtree(rt, ignore_errors=True)
    return out


def waiting(cmd, how):
    """A replica that never ACKs: FAILOVER TIMEOUT 600 waits, then aborts
    (how = timeout), or FAILOVER ABORT ends it (how = abort)."""
    tmp = tempfile.mkdtemp(prefix="fr-failover.")
    proc, port = start(cmd, tmp)
    out = []
    try:
        c = Conn(port)
        rep = sync_replica(port)
        c.call("SET", "k", "v")
        out.append(("start", c.call("FAILOVER", "TIMEOUT", "600")))
        out.append(("state", repl(port).get("master_failover_state")))
        out.append(("again", c.call("FAILOVER")))
        out.append(("replicaof", c.call("REPLICAOF", "127.0.0.1", "1")))
        p = Conn(port)
        out.append(("psync", p.call("PSYNC", "?", "-1")))
        w = Conn(port)
        w.send("SET", "held", "1")
        out.append(("held", not select.select([w.s], [], [], 0.2)[0]))
        if how == "abort":
            out.append(("abort", c.call("FAILOVER", "ABORT")))
        else:
            time.sleep(0.6)
        out.append(("released", w.read()))
        out.append(("state-after", repl(port).get("master_failover_state")))
        out.append(("role-after", c.call("ROLE")[:1]))
        rep.close()
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def blocked(cmd):
    """REPLICAOF while a BLPOP and a WAIT wait: both get Redis's -UNBLOCKED
    and are closed; a write held by CLIENT PAUSE WRITE is not touched."""
    tmp = tempfile.mkdtemp(prefix="fr-failover.")
    proc, port = start(cmd, tmp)
    out = []
    try:
        a, b = Conn(port), Conn(port)
        a.send("BLPOP", "nolist", "0")
        b.send("WAIT", "1", "0")
        time.sleep(0.2)
        c = Conn(port)
        out.append(("replicaof", c.call("REPLICAOF", "127.0.0.1", str(free_port()))))
        for name, conn in (("blpop", a), ("wait", b)):
            if not select.select([conn.s], [], [], 2)[0]:
                out.append((name, "<still waiting>"))
                continue
            out.append((name, conn.read()))
            try:
                closed = conn.s.recv(1) == b""
            except OSError:
                closed = True
            out.append((name + "-closed", closed))
        out.append(("ping", c.call("PING")))
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main():
    ours = [sys.argv[1], sys.argv[2]]
    ref = ["redis-server"]
    try:
        want, got = errors(ref), errors(ours)
        for i, (w, g) in enumerate(zip(want, got)):
            check("errors/%d" % i, w == g, "ours %r redis %r" % (g, w))
        base = handover(ref, ref)
        check("handover/ref-ref", all(x[1] is True for x in base if len(x) == 2 and isinstance(x[1], bool)),
              "redis-server itself: %r" % base)
        for name, m, r in (("fr-fr", ours, ours), ("fr-ref", ours, ref), ("ref-fr", ref, ours)):
            got = handover(m, r)
            for w, g in zip(base, got):
                check("handover/%s/%s" % (name, w[0]), w == g, "ours %r redis %r" % (g, w))
        want, got = blocked(ref), blocked(ours)
        for w, g in zip(want, got):
            check("blocked/%s" % w[0], w == g, "ours %r redis %r" % (g, w))
        for how in ("timeout", "abort"):
            want, got = waiting(ref, how), waiting(ours, how)
            for w, g in zip(want, got):
                check("waiting/%s/%s" % (how, w[0]), w == g, "ours %r redis %r" % (g, w))
    finally:
        for p in STARTED:
            stop(p)
    print("failover: %d failed" % check.failed)


if __name__ == "__main__":
    main()

"""replication_check.py PHASE OURS REF [REPLICA] -- replication with real
redis-server 7.0.15 as the replica of ours (the master side).

Phase "before" (no replica yet): writes keys in several DBs, one with a
short TTL, and compares with redis-server, byte for byte, the replies a
master gives without replicas (ROLE, REPLCONF errors, PSYNC's checks, WAIT
with nothing to wait for) and the field names of INFO replication.
Phases "chain-redis" (TOP MIDDLE BOTTOM: redis-server, ours,
redis-server) and "chain-ours" (TOP MIDDLE BOTTOM TAIL: ours three times,
then redis-server): replicas of replicas (see chain()), and in the first a
writable replica expiring its own keys, ours beside redis-server.
Phase "after" (REPLICA is a redis-server started with --replicaof ours):
the link comes up, the replica's dataset equals ours (DEBUG DIGEST) and
its offset ours, before and after writes in other DBs, a transaction and
the expiry of the TTL key (reaches it as DEL); INFO replication, ROLE and
CLIENT LIST show the replica; CLIENT KILL TYPE replica is followed by a
partial resynchronization (sync_partial_ok); redis-cli --replica gets the
stream.  Prints "PASS name" / "FAIL name: why".  Debian's python3 only."""
import os
import socket
import subprocess
import sys
import time

from wire import info_fields as info  # info(conn, section): {field: text}


def encode(words):
    out = [b"*%d\r\n" % len(words)]
    for w in words:
        b = w if isinstance(w, bytes) else str(w).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-", b":"):
            return line
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("bad reply %r" % line)

    def cmd(self, *words):
        self.s.sendall(encode(words))
        return self.reply()

    call = cmd  # the name wire.info_fields calls


def check(name, ok, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))


def info_names(conn, section):
    return list(info(conn, section))


def same(name, ours, ref, *words):
    a, b = ours.cmd(*words), ref.cmd(*words)
    check(name, a == b, "%r: ours %r, redis %r" % (words, a, b))


def before(ours, ref):
    same("replconf/odd-args", ours, ref, "REPLCONF", "listening-port")
    same("replconf/unknown", ours, ref, "REPLCONF", "foo", "bar")
    same("replconf/port-not-int", ours, ref, "REPLCONF", "listening-port", "x")
    same("replconf/ok", ours, ref, "REPLCONF", "listening-port", "1234", "capa", "eof", "capa", "psync2")
    same("replconf/ack-not-replica", ours, ref, "PING")  # ACK from a non-replica: no reply at all
    same("wait/none", ours, ref, "WAIT", "0", "0")
    same("wait/bad-timeout", ours, ref, "WAIT", "1", "-1")
    same("psync/bad-offset", ours, ref, "PSYNC", "?", "x")
    same("replconf/rdb-only-range", ours, ref, "REPLCONF", "rdb-only", "2")
    same("replconf/rdb-filter-only-bad", ours, ref, "REPLCONF", "rdb-filter-only", "functions keys")
    same("replconf/rdb-filter-only", ours, ref, "REPLCONF", "rdb-filter-only", "")
    a, b = ours.cmd("ROLE"), ref.cmd("ROLE")
    check("role/no-replicas", a[0] == b[0] == b"master" and a[2] == b[2] == [], "ours %r, redis %r" % (a, b))
    a, b = info_names(ours, "replication"), info_names(ref, "replication")
    check("info/replication-fields", a == b, "ours %r, redis %r" % (a, b))
    rid = info(ours, "replication")["master_replid"]
    check("info/replid", len(rid) == 40 and all(c in "0123456789abcdef" for c in rid), rid)
    for db, key in ((0, "k0"), (3, "k3")):
        ours.cmd("SELECT", db)
        ours.cmd("SET", key, "before-%d" % db)
        ours.cmd("RPUSH", "list%d" % db, "a", "b", "c")
    ours.cmd("SELECT", 0)
    ours.cmd("SET", "shortlived", "x", "PX", "2500")
    ours.cmd("HSET", "h", "f", "v")


def wait_for(pred, secs=15):
    end = time.time() + secs
    while time.time() < end:
        try:
            if pred():
                return True
        except (OSError, EOFError, ValueError):
            pass
        time.sleep(0.05)
    return False


def in_sync(ours, rep):
    return info(ours, "replication")["master_repl_offset"] == info(rep, "replication").get("master_repl_offset")


def digests_equal(name, ours, rep):
    ok = wait_for(lambda: in_sync(ours, rep) and ours.cmd("DEBUG", "DIGEST") == rep.cmd("DEBUG", "DIGEST"))
    check(name, ok, "ours %r / %s, replica %r / %s" % (
        ours.cmd("DEBUG", "DIGEST"), info(ours, "replication")["master_repl_offset"],
        rep.cmd("DEBUG", "DIGEST"), info(rep, "replication").get("master_repl_offset")))


def after(ours, rep, rep_port):
    up = wait_for(lambda: info(rep, "replication").get("master_link_status") == "up")
    check("link/up", up, repr(info(rep, "replication")))
    if not up:
        return
    check("data/before-link", rep.cmd("GET", "k0") == b"before-0" and rep.cmd("LRANGE", "list0", 0, -1) == [b"a", b"b", b"c"],
          repr(rep.cmd("GET", "k0")))
    digests_equal("digest/after-full-sync", ours, rep)
    for db in (5, 0, 7):
        ours.cmd("SELECT", db)
        ours.cmd("SET", "after%d" % db, "v%d" % db)
        ours.cmd("INCRBYFLOAT", "f%d" % db, "1.5")
        ours.cmd("SET", "ex%d" % db, "v", "EX", "1000")
    ours.cmd("SELECT", 0)
    ours.cmd("MULTI"); ours.cmd("INCR", "ctr"); ours.cmd("LPUSH", "l", "x"); ours.cmd("EXEC")
    digests_equal("digest/after-writes", ours, rep)
    rep.cmd("SELECT", 7)
    check("data/select-db7", rep.cmd("GET", "after7") == b"v7", repr(rep.cmd("GET", "after7")))
    rep.cmd("SELECT", 0)
    # the TTL key expires on ours (lazily or actively) and reaches the replica as DEL
    ours.cmd("GET", "shortlived")
    gone = wait_for(lambda: (ours.cmd("GET", "shortlived") is None and
                             rep.cmd("DEBUG", "OBJECT", "shortlived").startswith(b"-")), 8)
    check("expire/del-reaches-replica", gone, repr(rep.cmd("DEBUG", "OBJECT", "shortlived")))
    digests_equal("digest/after-expiry", ours, rep)
    r = info(ours, "replication")
    s0 = r.get("slave0", "")
    check("info/connected", r["connected_slaves"] == "1" and ("port=%d,state=online" % rep_port) in s0 and
          s0.startswith("ip=127.0.0.1,"), repr(r))
    wait_for(lambda: info(ours, "replication")["slave0"].split("offset=")[1].split(",")[0] ==
             info(ours, "replication")["master_repl_offset"], 3)
    role = ours.cmd("ROLE")
    check("role/replica-listed", role[0] == b"master" and len(role[2]) == 1 and role[2][0][:2] == [b"127.0.0.1", str(rep_port).encode()],
          repr(role))
    cl = ours.cmd("CLIENT", "LIST", "TYPE", "replica").decode()
    check("client-list/flags-S", cl.count("\n") == 1 and " flags=S " in cl and "cmd=replconf" in cl, cl)
    # WAIT: the replica's ACK (asked with GETACK) ends it early; a count
    # out of reach waits for the timeout
    ours.cmd("SET", "waited", "1")
    t0 = time.time()
    got = ours.cmd("WAIT", "1", "5000")
    dt = time.time() - t0
    check("wait/acked", got == b":1" and dt < 1.0, "%r after %.2fs" % (got, dt))
    t0 = time.time()
    got = ours.cmd("WAIT", "2", "300")
    dt = time.time() - t0
    check("wait/timeout", got == b":1" and 0.25 < dt < 1.5, "%r after %.2fs" % (got, dt))
    ours.cmd("MULTI")
    ours.cmd("WAIT", "5", "0")
    check("wait/in-multi", ours.cmd("EXEC") == [b":1"], "")
    # a dropped link comes back with a partial resync from the backlog
    before_ok = int(info(ours, "stats")["sync_partial_ok"])
    full = int(info(ours, "stats")["sync_full"])
    killed = ours.cmd("CLIENT", "KILL", "TYPE", "replica")
    ours.cmd("SET", "while-down", "1")
    ok = wait_for(lambda: int(info(ours, "stats")["sync_partial_ok"]) == before_ok + 1 and
                  info(rep, "replication").get("master_link_status") == "up")
    st = info(ours, "stats")
    check("psync/partial-after-kill", ok and killed == b":1" and int(st["sync_full"]) == full,
          "kill %r, stats %r" % (killed, {k: v for k, v in st.items() if k.startswith("sync_")}))
    digests_equal("digest/after-partial-resync", ours, rep)
    check("data/written-while-down", rep.cmd("GET", "while-down") == b"1", repr(rep.cmd("GET", "while-down")))


def cli_replica(ours, port):
    p = subprocess.Popen(["redis-cli", "-p", str(port), "--replica"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    time.sleep(1.0)
    ours.cmd("SET", "cli-replica-key", "hello")
    time.sleep(0.5)
    p.terminate()
    out = p.communicate(timeout=5)[0].decode(errors="replace")
    check("redis-cli/--replica", "SYNC with master" in out and '"SET","cli-replica-key","hello"' in out, out[-400:])


def replica_side(master, ours, ours_port):
    """ours (started with --replicaof) follows a real redis-server."""
    up = wait_for(lambda: info(ours, "replication").get("master_link_status") == "up")
    check("replica/link-up", up, repr(info(ours, "replication")))
    if not up:
        return
    check("replica/role", ours.cmd("ROLE")[0] == b"slave" and ours.cmd("ROLE")[3] == b"connected", repr(ours.cmd("ROLE")))
    a, b = info_names(ours, "replication"), [n for n in info_names(master, "replication")]
    want = ["role", "master_host", "master_port", "master_link_status", "master_last_io_seconds_ago",
            "master_sync_in_progress", "slave_read_repl_offset", "slave_repl_offset", "slave_priority",
            "slave_read_only", "replica_announced", "connected_slaves"] + b[b.index("master_failover_state"):]
    check("replica/info-fields", a == want, "ours %r, want %r" % (a, want))
    digests_equal("replica/digest-after-diskless-sync", master, ours)
    got = ours.cmd("SET", "x", "1")
    check("replica/readonly", got == b"-READONLY You can't write against a read only replica.", repr(got))
    check("replica/reads-ok", ours.cmd("GET", "pre1") == b"a", "")
    for db in (0, 2, 9):
        master.cmd("SELECT", db)
        master.cmd("SET", "m%d" % db, "x")
        master.cmd("HSET", "mh%d" % db, "a", "1", "b", "2")
    master.cmd("SELECT", 0)
    master.cmd("MULTI"); master.cmd("INCR", "c"); master.cmd("RPUSH", "rl", "1", "2"); master.cmd("EXEC")
    master.cmd("SET", "gone-soon", "1", "PX", "300")
    digests_equal("replica/digest-after-stream", master, ours)
    check("replica/offset", info(ours, "replication")["slave_repl_offset"] == info(master, "replication")["master_repl_offset"],
          "")
    t0 = time.time()
    got = master.cmd("WAIT", "1", "3000")
    check("replica/acks-getack", got == b":1" and time.time() - t0 < 1.0, repr(got))
    wait_for(lambda: master.cmd("EXISTS", "gone-soon") == b":0" and master.cmd("DBSIZE") == ours.cmd("DBSIZE"), 5)
    digests_equal("replica/digest-after-master-expiry", master, ours)
    # keys expire on the master only: one past its time stays stored on the
    # replica, gone for reads, until the master's DEL removes it
    master.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    master.cmd("SET", "held", "1", "PX", "100")
    wait_for(lambda: ours.cmd("DBSIZE") == master.cmd("DBSIZE"), 5)
    time.sleep(1.2)  # more than a cron period of active expiry, had it run
    got = [ours.cmd("DBSIZE"), ours.cmd("GET", "held"), ours.cmd("EXISTS", "held"), ours.cmd("TTL", "held")]
    check("replica/expired-kept-hidden", got == [master.cmd("DBSIZE"), None, b":0", b":-2"], repr(got))
    master.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    gone = wait_for(lambda: master.cmd("DBSIZE") == ours.cmd("DBSIZE") and
                    int(info(master, "stats")["expired_keys"]) > 0 and ours.cmd("DEBUG", "OBJECT", "held")[:1] == b"-", 5)
    check("replica/expired-dropped-by-master-del", gone, repr(ours.cmd("DBSIZE")))
    digests_equal("replica/digest-after-held-expiry", master, ours)
    # the master drops the link: we come back with PSYNC, partially; its
    # stream was in DB 5 and goes on there without a SELECT
    master.cmd("SELECT", "5")
    master.cmd("SET", "before-drop-5", "1")
    digests_equal("replica/digest-before-drop", master, ours)
    ok0 = int(info(master, "stats")["sync_partial_ok"])
    master.cmd("CLIENT", "KILL", "TYPE", "replica")
    master.cmd("SET", "during-drop", "1")
    master.cmd("MULTI")
    master.cmd("SET", "during-drop-multi", "1")
    master.cmd("INCR", "during-drop-multi")
    master.cmd("EXEC")
    master.cmd("SELECT", "0")
    ok = wait_for(lambda: int(info(master, "stats")["sync_partial_ok"]) == ok0 + 1 and
                  info(ours, "replication").get("master_link_status") == "up")
    check("replica/partial-resync", ok, repr(info(master, "stats").get("sync_partial_ok")))
    digests_equal("replica/digest-after-partial", master, ours)
    ours.cmd("SELECT", "5")
    got = [ours.cmd("GET", "during-drop"), ours.cmd("GET", "during-drop-multi")]
    ours.cmd("SELECT", "0")
    check("replica/partial-resync-keeps-db", got == [b"1", b"2"] and ours.cmd("EXISTS", "during-drop") == b":0",
          repr(got))
    # a disk-style transfer ($<len>) after a forced full resync
    master.cmd("CONFIG", "SET", "repl-diskless-sync", "no")
    ours.cmd("REPLICAOF", "NO", "ONE")
    r = info(ours, "replication")
    check("replica/no-one", r["role"] == "master" and r["second_repl_offset"] != "-1", repr(r))
    ours.cmd("SET", "local-write", "1")
    full0 = int(info(master, "stats")["sync_full"])
    # This sync's handshake announces an address and a port (NAT,
    # containers), and the old data goes to the lazy-free thread.
    for k, v in (("replica-announce-ip", "10.9.8.7"), ("replica-announce-port", "7777"),
                 ("replica-lazy-flush", "yes")):
        ours.cmd("CONFIG", "SET", k, v)
    old_keys = sum(int(v.split(",")[0].split("=")[1]) for v in info(ours, "keyspace").values())
    freed0 = int(info(ours, "memory")["lazyfreed_objects"])
    check("replica/replicaof-again", ours.cmd("REPLICAOF", "127.0.0.1", str(master.port)) == b"+OK", "")
    ok = wait_for(lambda: int(info(master, "stats")["sync_full"]) == full0 + 1 and
                  info(ours, "replication").get("master_link_status") == "up")
    check("replica/disk-full-resync", ok, repr(info(ours, "replication")))
    digests_equal("replica/digest-after-disk-sync", master, ours)
    listed = [v for k, v in info(master, "replication").items() if k.startswith("slave")]
    role = master.cmd("ROLE")
    check("replica/announced-ip-port", len(listed) == 1 and listed[0].startswith("ip=10.9.8.7,port=7777,") and
          role[2][0][:2] == [b"10.9.8.7", b"7777"], "%r %r" % (listed, role))
    freed = wait_for(lambda: int(info(ours, "memory")["lazyfreed_objects"]) - freed0 == old_keys)
    check("replica/lazy-flush", freed, "%d keys, lazyfreed_objects %s -> %s" % (
        old_keys, freed0, info(ours, "memory")["lazyfreed_objects"]))
    for k, v in (("replica-announce-ip", ""), ("replica-announce-port", "0"), ("replica-lazy-flush", "no")):
        ours.cmd("CONFIG", "SET", k, v)
    check("replica/already", ours.cmd("REPLICAOF", "127.0.0.1", str(master.port)) == b"+OK Already connected to specified master", "")
    cut_mid_transfer(master, ours)


def cut_mid_transfer(master, ours):
    """The master drops the link while its snapshot is still streaming to
    us (a diskless sync slowed by rdb-key-save-delay): we must come back
    with a new full sync and end with the master's dataset, never keeping
    half a snapshot."""
    master.cmd("SELECT", "6")
    for i in range(0, 20000, 500):
        master.cmd("MSET", *[w for k in range(i, i + 500) for w in ("cut:%d" % k, "v%d" % k)])
    master.cmd("SELECT", "0")
    master.cmd("CONFIG", "SET", "repl-diskless-sync", "yes")
    master.cmd("CONFIG", "SET", "rdb-key-save-delay", "100")  # 20000 keys: about 2 s of snapshot
    full0 = int(info(master, "stats")["sync_full"])
    ours.cmd("REPLICAOF", "NO", "ONE")
    ours.cmd("REPLICAOF", "127.0.0.1", str(master.port))
    started = wait_for(lambda: int(info(master, "stats")["sync_full"]) == full0 + 1 and
                       info(ours, "replication").get("master_sync_in_progress") == "1", 5)
    time.sleep(0.5)
    mid = info(ours, "replication").get("master_link_status") != "up"
    master.cmd("CLIENT", "KILL", "TYPE", "replica")
    master.cmd("CONFIG", "SET", "rdb-key-save-delay", "0")
    check("cut/killed-mid-transfer", started and mid, repr(info(ours, "replication")))
    back = wait_for(lambda: info(ours, "replication").get("master_link_status") == "up" and
                    int(info(master, "stats")["sync_full"]) >= full0 + 2, 20)
    check("cut/full-resync-after-cut", back, repr(info(master, "stats").get("sync_full")))
    digests_equal("cut/digest-after-cut", master, ours)
    ours.cmd("SELECT", "6")
    got = ours.cmd("DBSIZE")
    ours.cmd("SELECT", "0")
    check("cut/all-keys", got == b":20000", repr(got))


# ---- phase "diskless": ours as master with repl-diskless-sync yes ----------

LIB = "#!lua name=dllib\nredis.register_function('dlf', function() return 1 end)"


def seed(conn):
    conn.cmd("FUNCTION", "LOAD", "REPLACE", LIB)
    for db in (0, 2):
        conn.cmd("SELECT", db)
        conn.cmd("MSET", *[w for k in range(50) for w in ("dl:%d:%d" % (db, k), "v%d" % k)])
    conn.cmd("SELECT", 0)


def sync_preamble(port, words):
    """A raw replica: REPLCONFs, then words (SYNC or PSYNC); the line that
    opens the transfer, keep-alive newlines skipped, and the link."""
    c = Conn(port)
    c.s.settimeout(10)
    for opt in words[:-1]:
        c.cmd("REPLCONF", *opt)
    c.s.sendall(encode(words[-1]))
    line = c._line().lstrip(b"\n")
    while line.startswith(b"+FULLRESYNC") or not line:
        line = c._line().lstrip(b"\n")
    return line, c


def transfers(m, ref):
    """What a replica is sent, by what it announced (Redis's choice)."""
    m.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "0")
    line, c = sync_preamble(m.port, [["capa", "eof"], ["SYNC"]])
    check("diskless/eof-transfer", line.startswith(b"$EOF:") and len(line) == 45, repr(line))
    c.s.close()
    line, c = sync_preamble(m.port, [["listening-port", "1"], ["PSYNC", "?", "-1"]])
    check("diskless/no-capa-gets-disk", line[:1] == b"$" and line[1:].isdigit(), repr(line))
    c.s.close()
    for conn in (m, ref):
        conn.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "0")
    a = [sync_preamble(p, [["rdb-filter-only", "functions"], ["SYNC"]])[0] for p in (m.port, ref.port)]
    check("diskless/filtered-needs-eof", a[0] == a[1] == b"-ERR Filtered replica requires EOF capability", repr(a))
    a = [cron_ping(conn) for conn in (m, ref)]
    check("stream/cron-ping", a[0] == a[1] == b"*1\r\n$4\r\nping\r\n", "ours %r, redis %r" % tuple(a))


def cron_ping(conn):
    """The first bytes a fresh replica's stream carries when nothing is
    written: the master's keep-alive, spelled as Redis spells it (lower
    case), since a replica's offset counts those bytes."""
    conn.cmd("CONFIG", "SET", "repl-ping-replica-period", "1")
    line, c = sync_preamble(conn.port, [["SYNC"]])
    n = int(line[1:])
    while len(c.buf) < n:
        c._fill()
    c.buf = c.buf[n:]
    frame = b"".join(c._line() + b"\r\n" for _ in range(3))
    c.s.close()
    conn.cmd("CONFIG", "SET", "repl-ping-replica-period", "10")
    return frame


def load_rdb(path):
    """(keys, libraries) of an RDB file, as a fresh redis-server loads it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d, f = path.rsplit("/", 1)
    p = subprocess.Popen(["redis-server", "--port", str(port), "--dir", d, "--dbfilename", f, "--save", "",
                          "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        c = None
        for _ in range(100):
            try:
                c = Conn(port)
                if c.cmd("PING") == b"+PONG":
                    break
            except (OSError, EOFError, ValueError):
                time.sleep(0.05)
        keys = sum(int(v.split(",")[0].split("=")[1]) for k, v in info(c, "keyspace").items())
        libs = sorted(lib[1] for lib in c.cmd("FUNCTION", "LIST"))
        return keys, libs
    finally:
        p.terminate()
        p.wait()


def cli_rdb(m, ref, tmp):
    """redis-cli --rdb and --functions-rdb (REPLCONF rdb-only, rdb-filter-only
    functions): the same files as redis-server's, and the link closed."""
    for conn in (m, ref):
        seed(conn)
    got, want = {}, {}
    for name, conn in (("ours", m), ("redis", ref)):
        want[name] = (0, (sum(int(v.split(",")[0][5:]) for v in info(conn, "keyspace").values()), [b"dllib"]))
        for opt in ("--rdb", "--functions-rdb"):
            path = "%s/%s%s.rdb" % (tmp, name, opt)
            r = subprocess.run(["redis-cli", "-p", str(conn.port), opt, path], capture_output=True, timeout=20)
            got[name, opt] = (r.returncode, load_rdb(path) if r.returncode == 0 else r.stderr[-200:])
    # the whole dataset, as redis-server's file holds its own
    check("rdb-only/--rdb", got["ours", "--rdb"] == want["ours"] and got["redis", "--rdb"] == want["redis"],
          repr((got, want)))
    check("rdb-only/--functions-rdb", got["ours", "--functions-rdb"] == got["redis", "--functions-rdb"] ==
          (0, (0, [b"dllib"])), repr(got))
    ok = wait_for(lambda: info(m, "replication")["connected_slaves"] == "2", 3)
    check("rdb-only/gone", ok, repr(info(m, "replication")))
    got = [rdb_only_after_mark(conn) for conn in (m, ref)]
    check("rdb-only/closed-without-stream", got[0] == got[1] == b"", repr(got))


def rdb_only_after_mark(conn):
    """What an rdb-only replica reads after its snapshot's EOF mark while
    the master is written to: nothing, the master closes the link."""
    c = Conn(conn.port)
    c.s.settimeout(5)
    c.cmd("REPLCONF", "capa", "eof")
    c.cmd("REPLCONF", "rdb-only", "1")
    c.s.sendall(encode(["SYNC"]))
    line = c._line().lstrip(b"\n")
    while not line:
        line = c._line().lstrip(b"\n")
    mark = line[5:]
    while mark not in c.buf:
        c._fill()
    rest = c.buf.split(mark, 1)[1]
    conn.cmd("SET", "while-rdb-only", "1")
    try:
        while True:
            c._fill()
    except (EOFError, OSError) as e:
        rest = c.buf.split(mark, 1)[1] if isinstance(e, EOFError) else b"<no close: %r>" % e
    return rest


def wait_counters(m, r1, r2):
    """INFO counters once both replicas hold all of the master's stream."""
    for _ in range(20):
        off = info(m, "replication")["master_repl_offset"]
        if off == info(r1, "replication")["master_repl_offset"] == info(r2, "replication")["master_repl_offset"]:
            a, b, c = info(m, "stats"), info(r1, "stats"), info(r2, "stats")
            if off == info(m, "replication")["master_repl_offset"]:
                return a, b, c
        time.sleep(0.1)
    return info(m, "stats"), info(r1, "stats"), info(r2, "stats")


def repl_counters(m, r1, r2, ref):
    a, b, c = wait_counters(m, r1, r2)
    n = lambda d, k: int(d[k])
    out, in1, in2 = n(a, "total_net_repl_output_bytes"), n(b, "total_net_repl_input_bytes"), n(c, "total_net_repl_input_bytes")
    # both replicas read the same transfer and stream: Redis counts its
    # "$EOF:" line one byte short (its line reader drops the CR)
    check("info/repl-input-as-redis", in2 > 1000 and abs(in2 - in1) <= 3, "ours %d, redis %d" % (in2, in1))
    # the master wrote what they read, plus the +FULLRESYNC lines (ours
    # counts them, Redis writes them uncounted) and keep-alive newlines
    check("info/repl-output", 0 <= out - in1 - in2 <= 300, "out %d, in %d + %d" % (out, in1, in2))
    check("info/totals-include-repl", n(a, "total_net_output_bytes") > out and n(c, "total_net_input_bytes") >= in2,
          repr((a["total_net_output_bytes"], c["total_net_input_bytes"])))
    mem = int(info(m, "memory")["mem_replication_backlog"])
    stats = m.cmd("MEMORY", "STATS")
    check("info/mem-replication-backlog", 1048576 <= mem < 1048576 + 4096 and
          stats[stats.index(b"replication.backlog") + 1] == b":%d" % mem, "%d / %r" % (mem, stats[:8]))
    check("info/mem-replication-backlog-none", info(ref, "memory")["mem_replication_backlog"] == "0", "")
    # the rates: a burst of writes shows in the next samples (100 ms each)
    big = "x" * 300000
    for i in range(8):
        m.cmd("SET", "burst%d" % i, big)
    rates = []
    ok = wait_for(lambda: rates.append((info(m, "stats")["instantaneous_output_repl_kbps"],
                                        info(r2, "stats")["instantaneous_input_repl_kbps"])) or
                  (float(rates[-1][0]) > 0 and float(rates[-1][1]) > 0), 1.5)
    check("info/instantaneous-repl-kbps", ok, repr(rates[-3:]))


def stalled_transfer(m, mlog):
    """A replica that stops reading a streamed snapshot holds it paused;
    after repl-timeout seconds it is dropped (Redis's "timedout replica
    (full sync)") and, the last one, the child is killed."""
    m.cmd("SELECT", 9)
    for i in range(24):  # 24 MB that do not compress: more than the relay queues
        m.cmd("SET", "big%d" % i, os.urandom(1 << 20))
    m.cmd("SELECT", 0)
    m.cmd("CONFIG", "SET", "repl-timeout", "2")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", m.port))
    s.sendall(encode(["REPLCONF", "capa", "eof"]) + encode(["SYNC"]))
    log = lambda: open(mlog, errors="replace").read()
    ok = wait_for(lambda: "Disconnecting timedout replica (full sync)" in log() and
                  "last replica dropped, killing fork child" in log(), 10)
    m.cmd("CONFIG", "SET", "repl-timeout", "60")
    s.close()
    check("diskless/stalled-replica-dropped", ok, log()[-600:])
    m.cmd("SELECT", 9)
    m.cmd("FLUSHDB")
    m.cmd("SELECT", 0)


def diskless(m, r1, r2, ref, tmp, mlog):
    """m (ours, repl-diskless-sync yes, delay 5 s, max-replicas 2) serves
    r1 (redis-server) and r2 (ours) with one streamed snapshot, started as
    soon as both wait; then the stream, the INFO counters, a disk transfer
    after CONFIG SET, redis-cli --rdb / --functions-rdb."""
    pairs = lambda c: sorted(zip(*[iter(c.cmd("CONFIG", "GET", "repl-diskless-sync*"))] * 2))
    check("diskless/defaults", pairs(r2) == pairs(r1) and len(pairs(r1)) == 3, repr((pairs(r2), pairs(r1))))
    seed(m)
    forks0 = int(info(m, "stats")["total_forks"])
    t0 = time.time()
    for r in (r1, r2):
        r.cmd("REPLICAOF", "127.0.0.1", str(m.port))
    up = wait_for(lambda: all(info(r, "replication").get("master_link_status") == "up" for r in (r1, r2)), 12)
    dt = time.time() - t0
    log = open(mlog, errors="replace").read()
    check("diskless/shared-before-delay", up and dt < 4.5 and int(info(m, "stats")["total_forks"]) == forks0 + 1 and
          log.count("Starting BGSAVE for SYNC with target: replicas sockets") == 1,
          "up %r after %.1fs, forks %s -> %s" % (up, dt, forks0, info(m, "stats")["total_forks"]))
    check("diskless/functions", [r.cmd("FUNCTION", "LIST")[0][1] for r in (r1, r2)] == [b"dllib"] * 2, "")
    digests_equal("diskless/digest-redis-replica", m, r1)
    digests_equal("diskless/digest-ours-replica", m, r2)
    m.cmd("SELECT", 4)
    m.cmd("SET", "after-diskless", "1")
    m.cmd("SELECT", 0)
    m.cmd("INCR", "ctr")
    digests_equal("diskless/stream-redis-replica", m, r1)
    digests_equal("diskless/stream-ours-replica", m, r2)
    repl_counters(m, r1, r2, ref)
    # repl-diskless-sync no: the next full resync goes through a file
    m.cmd("CONFIG", "SET", "repl-diskless-sync", "no")
    full0 = int(info(m, "stats")["sync_full"])
    r1.cmd("REPLICAOF", "NO", "ONE")
    r1.cmd("REPLICAOF", "127.0.0.1", str(m.port))
    ok = wait_for(lambda: int(info(m, "stats")["sync_full"]) == full0 + 1 and
                  info(r1, "replication").get("master_link_status") == "up")
    log = open(mlog, errors="replace").read()
    check("disk/redis-replica", ok and "Starting BGSAVE for SYNC with target: disk" in log, repr(info(r1, "replication")))
    digests_equal("disk/digest-redis-replica", m, r1)
    m.cmd("CONFIG", "SET", "repl-diskless-sync", "yes")
    transfers(m, ref)
    cli_rdb(m, ref, tmp)
    m.cmd("SET", "last", "1")
    digests_equal("diskless/digest-after-rdb-only", m, r2)
    stalled_transfer(m, mlog)
    digests_equal("diskless/digest-after-stall", m, r1)


def shutdown_save(conn):
    try:
        conn.cmd("SHUTDOWN", "SAVE")
    except (OSError, EOFError):
        pass


def before_restart(label, master, replica, link_side, db, key):
    """The link is up (as `link_side` sees it); a write in DB `db` reaches
    the replica, so the stream has that DB selected when the server stops."""
    up = wait_for(lambda: info(link_side, "replication").get("master_link_status") == "up")
    check("restart/%s-link-up" % label, up, repr(info(link_side, "replication")))
    master.cmd("SELECT", db)
    master.cmd("SET", key, "1")
    digests_equal("restart/%s-digest-before" % label, master, replica)


def replica_restart(master, ours, state, phase):
    """Ours as a replica, SHUTDOWN SAVE, restarted with the same RDB and
    --replicaof: the repl-id/offset/stream-db fields let it continue with
    a partial resync (sync_partial_ok on the master), in the stream's DB."""
    if phase == "replica-restart-1":
        before_restart("replica", master, ours, ours, "2", "before-restart")
        st = info(master, "stats")
        open(state, "w").write("%s %s" % (st["sync_partial_ok"], st["sync_full"]))
        shutdown_save(ours)
        master.cmd("SET", "while-replica-down", "1")  # still DB 2: no SELECT in the stream
        return
    ok0, full0 = map(int, open(state).read().split())
    ok = wait_for(lambda: int(info(master, "stats")["sync_partial_ok"]) == ok0 + 1 and
                  info(ours, "replication").get("master_link_status") == "up")
    st = info(master, "stats")
    check("restart/replica-partial-resync", ok and int(st["sync_full"]) == full0,
          "partial %s (was %d), full %s (was %d)" % (st["sync_partial_ok"], ok0, st["sync_full"], full0))
    digests_equal("restart/replica-digest-after", master, ours)
    ours.cmd("SELECT", "2")
    got = ours.cmd("GET", "while-replica-down")
    check("restart/replica-stream-db", got == b"1", repr(got))


def master_restart(ours, rep, state, phase):
    """Ours as a master with a redis-server replica, SHUTDOWN SAVE,
    restarted on the same port from that RDB: its old ID becomes the
    secondary one, valid from the byte after its old offset, and the
    replica continues with a partial resync."""
    if phase == "master-restart-1":
        before_restart("master", ours, rep, rep, "4", "before-master-restart")
        # expires while the master is down: the restarted master drops it
        # and must tell the replica (which never expires keys itself)
        ours.cmd("SET", "expires-while-down", "1", "PX", "1500")
        rep.cmd("SELECT", "4")
        check("restart/master-expiring-key-replicated", wait_for(lambda: rep.cmd("DBSIZE") == ours.cmd("DBSIZE")))
        # acknowledged to the last byte, so SHUTDOWN does not wait for the
        # replica (a wait would first send REPLCONF GETACK, moving the offset)
        acked = lambda: "offset=%s," % info(ours, "replication")["master_repl_offset"] in info(ours, "replication")["slave0"]
        wait_for(acked)
        r = info(ours, "replication")
        open(state, "w").write("%s %s" % (r["master_replid"], r["master_repl_offset"]))
        shutdown_save(ours)
        time.sleep(1.6)
        return
    old_id, old_off = open(state).read().split()
    up = wait_for(lambda: info(rep, "replication").get("master_link_status") == "up")
    st, r = info(ours, "stats"), info(ours, "replication")
    check("restart/master-partial-resync", up and st["sync_partial_ok"] == "1" and st["sync_full"] == "0",
          "%r %r" % (st.get("sync_partial_ok"), st.get("sync_full")))
    check("restart/master-replid2", r["master_replid2"] == old_id and
          r["second_repl_offset"] == str(int(old_off) + 1) and r["master_replid"] != old_id and
          info(rep, "replication")["master_replid"] == r["master_replid"], "old %s %s, now %r" % (old_id, old_off, r))
    ours.cmd("SELECT", "4")
    rep.cmd("SELECT", "4")
    gone = wait_for(lambda: rep.cmd("DBSIZE") == ours.cmd("DBSIZE"))
    check("restart/master-feeds-expired-del", gone, "replica DB 4 holds %r keys, master %r" %
          (rep.cmd("DBSIZE"), ours.cmd("DBSIZE")))
    ours.cmd("SET", "after-master-restart", "1")
    digests_equal("restart/master-digest-after", ours, rep)


def stats_of(conn):
    st = info(conn, "stats")
    return int(st["sync_partial_ok"]), int(st["sync_full"])


def link_up(conn):
    return info(conn, "replication").get("master_link_status") == "up"


def chain_synced(nodes):
    """Every node at the same offset with the same dataset."""
    offs = {info(c, "replication").get("master_repl_offset") for c in nodes}
    return len(offs) == 1 and len({c.cmd("DEBUG", "DIGEST") for c in nodes}) == 1


def chain_state(nodes):
    return [(info(c, "replication").get("master_repl_offset"), c.cmd("DEBUG", "DIGEST")) for c in nodes]


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def writable(top, replicas):
    """replica-read-only no on each replica: a key it writes itself with a
    TTL expires there (Redis's expireSlaveKeys, slave_expires_tracked_keys),
    while a key from the master waits for the master's DEL.  What each
    replica showed, to compare ours with redis-server."""
    for r in replicas:
        r.cmd("CONFIG", "SET", "replica-read-only", "no")
    top.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    top.cmd("SET", "wr-master", "1", "PX", "100")
    wait_for(lambda: chain_synced([top] + replicas), 5)
    e0 = [int(info(r, "stats")["expired_keys"]) for r in replicas]
    for r in replicas:
        r.cmd("SET", "wr-own", "1", "PX", "100")
        r.cmd("SET", "wr-own-later", "1", "EX", "1000")
    tracked = [info(r, "stats")["slave_expires_tracked_keys"] for r in replicas]
    time.sleep(1.0)
    seen = []
    for r, e, t in zip(replicas, e0, tracked):
        seen.append({"tracked": t, "own-gone": r.cmd("DEBUG", "OBJECT", "wr-own")[:1] == b"-",
                     "master-key-stored": r.cmd("DEBUG", "OBJECT", "wr-master")[:1] == b"+",
                     "master-key-hidden": r.cmd("EXISTS", "wr-master"),
                     "expired": int(info(r, "stats")["expired_keys"]) - e,
                     "tracked-after": info(r, "stats")["slave_expires_tracked_keys"]})
        r.cmd("DEL", "wr-own-later")
        r.cmd("CONFIG", "SET", "replica-read-only", "yes")
    top.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    return seen


def chain(top, mid, bot, tail, label):
    """top -> mid (ours) -> bot [-> tail]: a replica of a replica gets its
    master's stream as the top wrote it (same replid, same offsets), in the
    DB that stream had selected; resyncs partially with the middle after a
    cut; keeps streaming while the middle's own link is cut and back; follows
    the middle's new ID after REPLICAOF NO ONE (the tail too, through bot);
    and resyncs in full when the middle does."""
    def name(n):
        return "chain-%s/%s" % (label, n)
    check(name("mid-link-up"), wait_for(lambda: link_up(mid)), repr(info(mid, "replication")))
    # the top's stream is in DB 3 when the bottom syncs: the middle's
    # snapshot must carry that DB (repl-stream-db), no SELECT follows
    top.cmd("SELECT", "3")
    top.cmd("SET", "c3-before", "1")
    wait_for(lambda: chain_synced([top, mid]), 5)
    bot.cmd("REPLICAOF", "127.0.0.1", str(mid.port))
    up = wait_for(lambda: link_up(bot))
    check(name("bottom-link-up"), up, repr(info(bot, "replication")))
    nodes = [top, mid, bot]
    if tail:
        tail.cmd("REPLICAOF", "127.0.0.1", str(bot.port))
        check(name("tail-link-up"), wait_for(lambda: link_up(tail)), repr(info(tail, "replication")))
        nodes.append(tail)
    if not up:
        return
    top.cmd("SET", "c3-after", "1")
    top.cmd("SELECT", "0")
    top.cmd("MULTI"); top.cmd("INCR", "cc"); top.cmd("RPUSH", "cl", "a", "b"); top.cmd("EXEC")
    top.cmd("SET", "cttl", "v", "EX", "1000")
    # a transaction larger than one read of the middle's link: passed on whole
    top.cmd("MULTI")
    for i in range(40):
        top.cmd("SET", "big%d" % i, "x" * 8192)
    top.cmd("EXEC")
    ok = wait_for(lambda: chain_synced(nodes))
    check(name("offsets-and-digests-equal"), ok, repr(chain_state(nodes)))
    ids = [info(c, "replication")["master_replid"] for c in nodes]
    check(name("replid-equal"), len(set(ids)) == 1, repr(ids))
    bot.cmd("SELECT", "3")
    got = bot.cmd("GET", "c3-after")
    bot.cmd("SELECT", "0")
    check(name("bottom-stream-db"), got == b"1", repr(got))
    r = info(mid, "replication")
    check(name("mid-lists-bottom"), r["role"] == "slave" and r["connected_slaves"] == "1" and
          ("port=%d,state=online" % bot.port) in r.get("slave0", ""), repr(r))
    # the bottom's link cut on the middle: partial, against the top's ID
    ok0, full0 = stats_of(mid)
    killed = mid.cmd("CLIENT", "KILL", "TYPE", "replica")
    top.cmd("SET", "during-bottom-cut", "1")
    ok = wait_for(lambda: stats_of(mid)[0] == ok0 + 1 and link_up(bot) and chain_synced(nodes))
    check(name("bottom-partial-after-kill"), ok and killed == b":1" and stats_of(mid)[1] == full0,
          "kill %r, middle partial/full %r (was %d/%d), %r" % (killed, stats_of(mid), ok0, full0, chain_state(nodes)))
    # the middle's own link cut on the top: it continues, its replicas stay
    okt0 = stats_of(top)[0]
    mid0 = stats_of(mid)
    top.cmd("CLIENT", "KILL", "TYPE", "replica")
    top.cmd("SET", "during-mid-cut", "1")
    ok = wait_for(lambda: stats_of(top)[0] == okt0 + 1 and link_up(mid) and chain_synced(nodes))
    check(name("mid-partial-bottom-kept"), ok and stats_of(mid) == mid0,
          "top partial %d (was %d), middle %r (was %r), %r" % (stats_of(top)[0], okt0, stats_of(mid), mid0,
                                                                chain_state(nodes)))
    if label == "redis":
        same("wait/on-replica", mid, bot, "WAIT", "0", "0")
        seen = writable(top, [mid, bot])
        want = {"tracked": "2", "own-gone": True, "master-key-stored": True, "master-key-hidden": b":0",
                "expired": 1, "tracked-after": "1"}
        check("writable-replica/own-keys-expire", seen[0] == seen[1] == want, "ours %r, redis %r" % tuple(seen))
        ok = wait_for(lambda: chain_synced(nodes) and top.cmd("DBSIZE") == mid.cmd("DBSIZE"))
        check("writable-replica/in-sync-after", ok, repr(chain_state(nodes)))
    # REPLICAOF NO ONE on the middle: the bottom continues with the new ID
    old = info(mid, "replication")["master_replid"]
    okm0, fullm0 = stats_of(mid)
    okb0, fullb0 = stats_of(bot)
    mid.cmd("REPLICAOF", "NO", "ONE")
    new = info(mid, "replication")["master_replid"]
    mid.cmd("SET", "mid-promoted", "1")
    below = nodes[2:]
    ok = wait_for(lambda: all(info(c, "replication")["master_replid"] == new and link_up(c) for c in below) and
                  chain_synced(nodes[1:]))
    r = info(bot, "replication")
    check(name("bottom-continues-new-id"), ok and stats_of(mid) == (okm0 + 1, fullm0) and new != old and
          r["master_replid2"] == old,
          "middle %r (was %d/%d), bottom %r" % (stats_of(mid), okm0, fullm0, r))
    if tail:
        check(name("tail-continues-new-id"), ok and stats_of(bot) == (okb0 + 1, fullb0) and
              info(tail, "replication")["master_replid2"] == old,
              "bottom %r (was %d/%d), tail %r" % (stats_of(bot), okb0, fullb0, info(tail, "replication")))
    # a replica whose link is down refuses SYNC (as Redis: only while streaming)
    mid.cmd("REPLICAOF", "127.0.0.1", str(dead_port()))
    got = mid.cmd("PSYNC", "?", "-1")
    check(name("nomasterlink"), got == b"-NOMASTERLINK Can't SYNC while not connected with my master", repr(got))
    # the middle follows the top again: a full resync, after which the
    # bottom must resync too (it holds mid-promoted, the top does not)
    fullm0 = stats_of(mid)[1]
    mid.cmd("REPLICAOF", "127.0.0.1", str(top.port))
    top.cmd("SET", "after-mid-resync", "1")
    ok = wait_for(lambda: all(link_up(c) for c in nodes[1:]) and chain_synced(nodes), 20)
    check(name("bottom-resyncs-after-mid-full-sync"), ok and stats_of(mid)[1] == fullm0 + 1 and
          bot.cmd("EXISTS", "mid-promoted") == b":0",
          "middle full %d (was %d), %r" % (stats_of(mid)[1], fullm0, chain_state(nodes)))


def main():
    phase, ours_port, other_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ours = Conn(ours_port)
    if phase.startswith("replica-restart"):
        master = Conn(other_port)
        master.port = other_port
        replica_restart(master, ours, sys.argv[4], phase)
    elif phase.startswith("master-restart"):
        master_restart(ours, Conn(other_port), sys.argv[4], phase)
    elif phase == "diskless":
        conns = [Conn(int(p)) for p in sys.argv[3:6]]
        for c, p in zip([ours] + conns, sys.argv[2:6]):
            c.port = int(p)
        diskless(ours, *conns, sys.argv[6], sys.argv[7])
    elif phase == "before":
        before(ours, Conn(other_port))
    elif phase.startswith("chain"):
        nodes = [ours] + [Conn(int(p)) for p in sys.argv[3:]]
        for c, p in zip(nodes, sys.argv[2:]):
            c.port = int(p)
        chain(nodes[0], nodes[1], nodes[2], nodes[3] if len(nodes) > 3 else None, phase.split("-", 1)[1])
    elif phase == "replica":
        master = Conn(other_port)
        master.port = other_port
        replica_side(master, ours, ours_port)
    else:
        after(ours, Conn(other_port), other_port)
        cli_replica(ours, ours_port)


main()

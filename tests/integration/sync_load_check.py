"""sync_load_check.py SERVER CONF -- a replica loading its master's
snapshot (full sync), FrankenRedis beside redis-server 7.0.15, each
replica started here with its own scratch directory:

- transfer: a fake master sends +FULLRESYNC and part of a payload, then
  stops: INFO's master_sync_* figures and the temp-<time>.<pid>.rdb file
  (its size) equal redis-server's, with "$<len>" and with an EOF mark; once
  the master goes, the temp file goes too;
- rdb-file: after a disk transfer the RDB file is the master's snapshot
  (a restart from it has the master's DEBUG DIGEST) and nothing else is
  left in dir; rdb-del-sync-files removes it from a replica that persists
  nothing; swapdb leaves no file; rdb_changes_since_last_save as Redis;
- aof: a replica with appendonly yes rewrites its AOF after the sync and
  logs the master's stream (a transaction, a TTL, another DB), so a
  restart from the AOF alone has the master's digest, not the replica's
  old keys;
- stream-errors: a fake master's stream with commands the replica
  refuses (WRONGTYPE, an unknown command): INFO's unexpected_error_replies
  and error counts, the "== CRITICAL ==" log line, the server stopping
  under propagation-error-behavior panic-on-replicas (a writable replica
  does not); a master's write while a failed BGSAVE denies writes stops
  the replica unless replica-ignore-disk-write-errors yes; an AOF with
  such a command, replayed at start-up, under ignore, panic-on-replicas
  and panic;
- bgsave: a BGSAVE of the replica's old data still running when the sync
  loads (rdb-key-save-delay makes it last) is killed, so the RDB file a
  restart reads is the master's.

Prints PASS/FAIL lines; Debian's python3 only."""
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, Report, info_fields, spawn, stop, wait_for  # noqa: E402

check = Report("sync-load/")
STARTED = []
AT = int(time.time()) + 100000  # absolute TTLs: digests include them


def start(cmd, tmp, *extra):
    return spawn(cmd, tmp, "--save", "", "--enable-debug-command", "yes", "--repl-diskless-sync", "no", *extra,
                 started=STARTED)


def shutdown(proc, port):
    try:
        Conn(port).call("SHUTDOWN")
    except (OSError, ConnectionError):
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def in_sync(rep, master):
    """The link is up and the replica has applied all the master sent."""
    r, m = info_fields(Conn(rep), "replication"), info_fields(Conn(master), "replication")
    return r.get("master_link_status") == "up" and r.get("slave_repl_offset") == m.get("master_repl_offset")


def aof_settled(port):
    p = info_fields(Conn(port), "persistence")
    return p.get("aof_rewrite_in_progress") == "0" and p.get("aof_rewrite_scheduled") == "0"


def digest(port):
    return Conn(port).call("DEBUG", "DIGEST")


def listing(tmp):
    return sorted(os.listdir(tmp))


# ---------------------------------------------------------------- transfer

class FakeMaster(threading.Thread):
    """Answers a replica's handshake, then sends `payload` after
    +FULLRESYNC and holds the link until close()."""

    def __init__(self, payload):
        super().__init__(daemon=True)
        self.payload = payload
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.port = self.ls.getsockname()[1]
        self.conn = None
        self.sent = threading.Event()

    def run(self):
        self.conn, _ = self.ls.accept()
        f = self.conn.makefile("rb")
        while True:
            try:
                line = f.readline()
            except OSError:
                return
            if not line:
                return
            if not line.startswith(b"*"):
                continue
            words = []
            for _ in range(int(line[1:])):
                n = int(f.readline()[1:])
                words.append(f.read(n + 2)[:-2].upper())
            if self.sent.is_set():
                continue  # REPLCONF ACK: a master never answers it
            if words[0] == b"PING":
                self.conn.sendall(b"+PONG\r\n")
            elif words[0] == b"PSYNC":
                self.conn.sendall(b"+FULLRESYNC " + b"a" * 40 + b" 0\r\n" + self.payload)
                self.sent.set()
            else:
                self.conn.sendall(b"+OK\r\n")

    def send(self, *words):
        """A command of the stream, as a master sends it."""
        enc = [w if isinstance(w, bytes) else str(w).encode() for w in words]
        try:
            self.conn.sendall(b"*%d\r\n" % len(enc) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in enc))
        except OSError:
            pass  # the replica stopped (a panic): what it did is checked after

    def close(self):
        if self.conn:
            try:
                self.conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the replica is gone already (a panic)
            self.conn.close()
        self.ls.close()


SYNC_FIELDS = ("master_sync_in_progress", "master_sync_total_bytes", "master_sync_read_bytes",
               "master_sync_left_bytes", "master_sync_perc")


def transfer_case(cmd, tmp, header):
    fake = FakeMaster(header + b"x" * 100)
    fake.start()
    proc, port = start(cmd, tmp, "--replicaof", "127.0.0.1", str(fake.port))
    fake.sent.wait(10)
    time.sleep(0.5)
    info = info_fields(Conn(port), "replication")
    seen = {k: info.get(k) for k in SYNC_FIELDS}
    temps = [(os.path.basename(p)[:5], os.path.getsize(p)) for p in glob.glob(os.path.join(tmp, "temp-*.rdb"))]
    fake.close()
    gone = wait_for(lambda: not glob.glob(os.path.join(tmp, "temp-*.rdb")), 3)
    shutdown(proc, port)
    return seen, temps, gone


def sync_figures(total, read, left, perc):
    return dict(zip(SYNC_FIELDS, ("1", total, read, left, perc)))


# What Redis 7.0.15 shows once 100 payload bytes have come: "$<len>" gives
# the size; an EOF mark makes the total 0 (and the left bytes negative).
TRANSFER_CASES = (("bulk", b"$1000\r\n", sync_figures("1000", "100", "900", "10.00")),
                  ("eof", b"$EOF:" + b"m" * 40 + b"\r\n", sync_figures("0", "100", "-100", "0.00")))


def transfer(ours, ref):
    for name, header, want in TRANSFER_CASES:
        got = {}
        for who, cmd in (("fr", ours), ("ref", ref)):
            tmp = tempfile.mkdtemp(prefix="fr-syncload.")
            got[who] = transfer_case(cmd, tmp, header)
            shutil.rmtree(tmp, ignore_errors=True)
        check("transfer/%s/info" % name, got["fr"][0] == got["ref"][0] == want,
              "ours %r redis %r want %r" % (got["fr"][0], got["ref"][0], want))
        check("transfer/%s/temp-file" % name, got["fr"][1] == got["ref"][1] == [("temp-", 100)],
              "ours %r redis %r" % (got["fr"][1], got["ref"][1]))
        check("transfer/%s/temp-removed" % name, got["fr"][2] and got["ref"][2],
              "ours %r redis %r" % (got["fr"][2], got["ref"][2]))


# ---------------------------------------------------------------- stream errors

EMPTY_RDB = b"REDIS0009\xff" + b"\0" * 8  # no keys; a zero checksum is not checked
ERROR_FIELDS = ("unexpected_error_replies", "total_error_replies", "errorstat_ERR", "errorstat_WRONGTYPE")


def stream_errors_case(cmd, tmp, extra, breaks_disk=False):
    """A fake master's stream with commands the replica refuses: what INFO
    counts, whether the server survives it, what the log says."""
    fake = FakeMaster(b"$%d\r\n" % len(EMPTY_RDB) + EMPTY_RDB)
    fake.start()
    logdir = tempfile.mkdtemp(prefix="fr-syncload-log.")  # outlives a removed dir
    log = os.path.join(logdir, "server.log")
    proc, port = start(cmd, tmp, "--replicaof", "127.0.0.1", str(fake.port), "--logfile", log, *extra)
    wait_for(lambda: info_fields(Conn(port), "replication").get("master_link_status") == "up")
    if breaks_disk:  # the next save fails: writes are denied for a disk error
        Conn(port).call("CONFIG", "SET", "save", "3600 1")
        shutil.rmtree(tmp)
        Conn(port).call("BGSAVE")
        wait_for(lambda: info_fields(Conn(port), "persistence").get("rdb_last_bgsave_status") == "err")
    fake.send("SET", "k", "v")
    fake.send("SADD", "k", "m")
    fake.send("NOSUCHCMD", "x")
    fake.send("SET", "after", "1")

    def settled():  # applied to the end, or stopped (a panic takes Redis a while: its report)
        if proc.poll() is not None:
            return True
        try:
            return Conn(port).call("GET", "after") == "1"
        except (OSError, ConnectionError):
            return False
    wait_for(settled, 10)
    alive = proc.poll() is None
    out = {"alive": alive}
    if alive:
        stats = dict(info_fields(Conn(port), "stats"), **info_fields(Conn(port), "errorstats"))
        out.update({k: stats.get(k) for k in ERROR_FIELDS})
        out["after"] = Conn(port).call("GET", "after")
    fake.close()
    stop(proc)
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    out["critical-logged"] = "== CRITICAL == This replica is sending an error to its master" in text
    out["disk-logged"] = "Replica is applying a command even though it is unable to write to disk." in text
    shutil.rmtree(logdir, ignore_errors=True)
    return out


def survived(critical, disk):
    """The replica went on: the refused SADD and NOSUCHCMD counted, the
    last SET applied."""
    return {"alive": True, "unexpected_error_replies": "2", "total_error_replies": "2",
            "errorstat_ERR": "count=1", "errorstat_WRONGTYPE": "count=1", "after": "1",
            "critical-logged": critical, "disk-logged": disk}


def stopped(critical):
    return {"alive": False, "critical-logged": critical, "disk-logged": False}


STREAM_ERROR_CASES = (
    ("ignore", (), False, survived(True, False)),
    ("panic-on-replicas", ("--propagation-error-behavior", "panic-on-replicas"), False, stopped(True)),
    ("writable-replica", ("--propagation-error-behavior", "panic-on-replicas", "--replica-read-only", "no"), False,
     survived(True, False)),
    ("disk-error", (), True, stopped(False)),  # the first SET stops it, before any error
    ("disk-error-ignored", ("--replica-ignore-disk-write-errors", "yes"), True, survived(True, True)))


def stream_errors(ours, ref):
    for name, extra, breaks_disk, want in STREAM_ERROR_CASES:
        got = {}
        for who, cmd in (("fr", ours), ("ref", ref)):
            tmp = tempfile.mkdtemp(prefix="fr-syncload.")
            got[who] = stream_errors_case(cmd, tmp, extra, breaks_disk)
            shutil.rmtree(tmp, ignore_errors=True)
        check("stream-errors/%s" % name, got["fr"] == got["ref"] == want,
              "ours %r redis %r want %r" % (got["fr"], got["ref"], want))


def aof_errors(ours, ref):
    """The same for an AOF replayed at start-up (SET then SADD on the
    string): counted and logged under ignore; the server stops under panic
    (panic-on-replicas is for replicas only)."""
    aof = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*3\r\n$4\r\nSADD\r\n$1\r\nk\r\n$1\r\nm\r\n"
    # (stopped by itself, unexpected_error_replies, the CRITICAL line logged)
    for how, want in (("ignore", (False, "1", True)), ("panic-on-replicas", (False, "1", True)),
                      ("panic", (True, None, True))):
        got = {}
        for who, cmd in (("fr", ours), ("ref", ref)):
            tmp = tempfile.mkdtemp(prefix="fr-syncload.")
            os.mkdir(os.path.join(tmp, "appendonlydir"))
            with open(os.path.join(tmp, "appendonlydir", "appendonly.aof.manifest"), "w") as f:
                f.write("file appendonly.aof.1.incr.aof seq 1 type i\n")
            with open(os.path.join(tmp, "appendonlydir", "appendonly.aof.1.incr.aof"), "wb") as f:
                f.write(aof)
            log = os.path.join(tmp, "server.log")
            proc, port = start(cmd, tmp, "--appendonly", "yes", "--propagation-error-behavior", how, "--logfile", log)
            stopped_itself = proc.poll() is not None
            stats = {} if stopped_itself else info_fields(Conn(port), "stats")
            stop(proc)
            text = open(log, errors="replace").read()
            got[who] = (stopped_itself, stats.get("unexpected_error_replies"),
                        "== CRITICAL == This server is sending an error to its AOF-loading-client" in text)
            shutil.rmtree(tmp, ignore_errors=True)
        check("aof-errors/%s" % how, got["fr"] == got["ref"] == want,
              "ours %r redis %r want %r" % (got["fr"], got["ref"], want))


# ---------------------------------------------------------------- a real master

def fill_master(mport):
    m = Conn(mport)
    m.call("FLUSHALL")
    m.call("MSET", "a", "1", "b", "2", "shared", "master")
    m.call("RPUSH", "list", "x", "y", "z")
    m.call("SET", "ttl", "v", "EXAT", str(AT))
    m.call("SELECT", "3")
    m.call("HSET", "h", "f", "v")


def write_stream(mport):
    """Writes the replica only gets through the stream."""
    m = Conn(mport)
    m.call("SET", "new", "after-sync")
    m.send("MULTI")
    m.read()
    for w in (("INCR", "a"), ("INCR", "a"), ("LPUSH", "list", "w")):
        m.send(*w)
        m.read()
    m.send("EXEC")
    m.read()
    m.call("EXPIREAT", "b", str(AT + 1))
    m.call("SELECT", "3")
    m.call("HSET", "h", "g", "w")


def replicate(port, mport):
    c = Conn(port)
    c.call("SET", "old", "replica-only")
    c.call("SET", "shared", "replica")
    c.call("REPLICAOF", "127.0.0.1", str(mport))
    return wait_for(lambda: in_sync(port, mport))


def restart_digest(cmd, tmp, *extra):
    proc, port = start(cmd, tmp, *extra)
    d, n = digest(port), Conn(port).call("DBSIZE")
    shutdown(proc, port)
    return d, n


def rdb_file(ours, ref, mport):
    want = digest(mport)
    for extra, name in (((), "disabled"), (("--rdb-del-sync-files", "yes"), "del-sync-files"),
                        (("--repl-diskless-load", "swapdb"), "swapdb")):
        got = {}
        for who, cmd in (("fr", ours), ("ref", ref)):
            tmp = tempfile.mkdtemp(prefix="fr-syncload.")
            proc, port = start(cmd, tmp, *extra)
            synced = replicate(port, mport)
            dirty = info_fields(Conn(port), "persistence").get("rdb_changes_since_last_save")
            files = listing(tmp)
            Conn(port).call("REPLICAOF", "NO", "ONE")
            shutdown_nosave(proc, port)
            again = restart_digest(cmd, tmp)[0] if "dump.rdb" in files else None
            got[who] = (synced, dirty, files, again)
            shutil.rmtree(tmp, ignore_errors=True)
        fr, rf = got["fr"], got["ref"]
        check("rdb-file/%s/synced" % name, fr[0] and rf[0], "ours %r redis %r" % (fr[0], rf[0]))
        check("rdb-file/%s/dir" % name, fr[2] == rf[2], "ours %r redis %r" % (fr[2], rf[2]))
        check("rdb-file/%s/changes" % name, fr[1] == rf[1], "ours %r redis %r" % (fr[1], rf[1]))
        if rf[3] is not None:
            check("rdb-file/%s/restart-digest" % name, fr[3] == want == rf[3],
                  "master %r ours %r redis %r" % (want, fr[3], rf[3]))


def shutdown_nosave(proc, port):
    try:
        Conn(port).call("SHUTDOWN", "NOSAVE")
    except (OSError, ConnectionError):
        pass
    proc.wait(10)


def aof(ours, ref, mport):
    fill_master(mport)
    got = {}
    for who, cmd in (("fr", ours), ("ref", ref)):
        tmp = tempfile.mkdtemp(prefix="fr-syncload.")
        proc, port = start(cmd, tmp, "--appendonly", "yes")
        synced = replicate(port, mport)
        write_stream(mport)
        synced = synced and wait_for(lambda: in_sync(port, mport)) and wait_for(lambda: aof_settled(port))
        live = digest(port)
        Conn(port).call("REPLICAOF", "NO", "ONE")
        shutdown(proc, port)
        aofdir = listing(os.path.join(tmp, "appendonlydir"))
        # the AOF alone: the RDB file the disk transfer left is moved away
        if os.path.exists(os.path.join(tmp, "dump.rdb")):
            os.unlink(os.path.join(tmp, "dump.rdb"))
        again, keys = restart_digest(cmd, tmp, "--appendonly", "yes")
        got[who] = (synced, live, aofdir, again)
        shutil.rmtree(tmp, ignore_errors=True)
        fill_master(mport)  # the same master data for the other server
    fr, rf = got["fr"], got["ref"]
    check("aof/synced", fr[0] and rf[0], "ours %r redis %r" % (fr[0], rf[0]))
    check("aof/live-digest", fr[1] == rf[1], "ours %r redis %r" % (fr[1], rf[1]))
    check("aof/files", fr[2] == rf[2], "ours %r redis %r" % (fr[2], rf[2]))
    check("aof/restart-digest", fr[3] == fr[1] and rf[3] == rf[1],
          "ours %r (live %r) redis %r (live %r)" % (fr[3], fr[1], rf[3], rf[1]))


def bgsave(ours, ref, mport):
    """The replica's BGSAVE of 20,000 keys, 100 us each (rdb-key-save-delay:
    2 s at least), is still running when the master's small snapshot is
    loaded."""
    fill_master(mport)
    want = digest(mport)
    for who, cmd in (("fr", ours), ("ref", ref)):
        tmp = tempfile.mkdtemp(prefix="fr-syncload.")
        log = os.path.join(tmp, "server.log")
        proc, port = start(cmd, tmp, "--logfile", log, "--rdb-key-save-delay", "100")
        c = Conn(port)
        c.call("DEBUG", "POPULATE", "20000", "old", "100")
        c.call("BGSAVE")
        c.call("REPLICAOF", "127.0.0.1", str(mport))
        synced = wait_for(lambda: in_sync(port, mport), 30)
        Conn(port).call("REPLICAOF", "NO", "ONE")
        wait_for(lambda: info_fields(Conn(port), "persistence").get("rdb_bgsave_in_progress") == "0")
        time.sleep(0.3)
        shutdown_nosave(proc, port)
        with open(log, errors="replace") as f:
            killed = "pending RDB child running. Killing process" in f.read()
        again = restart_digest(cmd, tmp)[0]
        check("bgsave/%s/synced" % who, synced)
        check("bgsave/%s/child-killed" % who, killed, "no 'Killing process' line in the log")
        check("bgsave/%s/restart-digest" % who, again == want, "master %r after restart %r" % (want, again))
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ours = [sys.argv[1], sys.argv[2]]
    ref = ["redis-server"]
    mtmp = tempfile.mkdtemp(prefix="fr-syncload-master.")
    try:
        transfer(ours, ref)
        stream_errors(ours, ref)
        aof_errors(ours, ref)
        mproc, mport = start(ref, mtmp)
        fill_master(mport)
        rdb_file(ours, ref, mport)
        aof(ours, ref, mport)
        bgsave(ours, ref, mport)
    finally:
        for p in STARTED:
            stop(p)
        shutil.rmtree(mtmp, ignore_errors=True)
    print("sync-load: %d failed" % check.failed)


if __name__ == "__main__":
    main()

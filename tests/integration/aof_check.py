#!/usr/bin/env python3
"""aof_check.py -- the aof module against redis-server 7.0.15.

Usage: aof_check.py OUR_SERVER CONF MODULE_DIR SCRATCH [CRASHES]

Each check prints `PASS name` or `FAIL name: why`.  Servers run on free
ports in scratch directories and are stopped by PID (SIGKILL only where the
check is about a crash).  What is checked:
  - files: the multi-part layout (manifest lines, base and incr names),
    redis-check-aof accepts ours, Redis loads ours and we load Redis's, with
    equal DEBUG DIGEST; SELECT, MULTI/EXEC, expiries (PXAT/PEXPIREAT) kept;
  - BGREWRITEAOF: new base and incr, history deleted, data intact, both
    servers load the result; CONFIG SET appendonly yes/no at run time;
  - start-up: a torn last command is cut (aof-load-truncated yes) or refused
    (no); an unfinished MULTI is dropped; garbage mid-file refuses the start
    naming file and offset; a broken manifest refuses; an old single
    appendonly.aof is moved into the directory; line-level edges (bare-LF
    header lines, annotations) load and cut as Redis's do;
  - crash safety: under appendfsync always a writer is SIGKILLed at random
    points; every acknowledged write is there after restart, and no MULTI
    block is half applied;
  - INFO persistence's aof_* fields, in Redis's order.
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, info_fields  # noqa: E402

OURS, CONF, MODDIR, SCRATCH = sys.argv[1:5]
CRASHES = int(sys.argv[5]) if len(sys.argv) > 5 else 20


def ok(name):
    print("PASS %s" % name, flush=True)


def bad(name, why):
    print("FAIL %s: %s" % (name, why), flush=True)


def check(name, cond, why=""):
    (ok if cond else lambda n: bad(n, why))(name)
    return cond


def free_port():
    """A free port below the ephemeral range, as `fr-conform free-port`
    picks it: there no other part's outgoing connection can take it."""
    build = os.path.dirname(os.path.abspath(sys.argv[1]))  # argv[1]: BUILDDIR/frankenredis-server
    out = subprocess.run([os.path.join(build, "tests/conformance/fr-conform"),
                          "free-port"], capture_output=True, text=True, check=True)
    return int(out.stdout)


STARTED = []


class Server:
    def __init__(self, kind, dirname, *args, conf=None):
        self.kind, self.dir, self.conf = kind, dirname, conf or CONF
        os.makedirs(dirname, exist_ok=True)
        self.log = os.path.join(dirname, "%s.log" % kind)
        self.args = list(args)
        self.proc = None

    def start(self, expect_fail=False):
        for _ in range(3):
            self.port = free_port()
            if self.kind == "ours":
                cmd = [OURS, self.conf, "--module-dir", MODDIR]
            else:
                cmd = ["redis-server", "--bind", "127.0.0.1"]
            cmd += ["--port", str(self.port), "--dir", self.dir, "--save", "",
                    "--enable-debug-command", "yes"] + self.args
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)
            STARTED.append(self)
            up = self.wait_up()
            if up or expect_fail:
                return up
            if "Address already in use" not in self.logtext():
                return False
        return False

    def wait_up(self):
        for _ in range(400):
            if self.proc.poll() is not None:
                return False
            try:
                c = Conn(self.port)
                r = c.call("PING")
                c.close()
                if r == "+PONG":
                    return True
            except OSError:
                pass
            time.sleep(0.025)
        return False

    def logtext(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def conn(self):
        return Conn(self.port)

    def call(self, *args):
        c = self.conn()
        try:
            return c.call(*args)
        finally:
            c.close()

    def info(self, section="persistence"):
        return info_fields(self, section)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_rewrite(srv):
    for _ in range(400):
        i = srv.info()
        if i.get("aof_rewrite_in_progress") == "0" and i.get("aof_rewrite_scheduled") == "0":
            return True
        time.sleep(0.025)
    return False


def fill(srv):
    """A data set touching what AOF must keep: DBs, types, TTLs, MULTI."""
    c = srv.conn()
    for cmd in (["SET", "s1", "v1"], ["SET", "s2", "v2", "EX", "1000"], ["INCR", "n"],
                ["INCRBYFLOAT", "f", "1.5"], ["RPUSH", "l", "a", "b", "c"], ["LPOP", "l"],
                ["HSET", "h", "f1", "1", "f2", "2"], ["SADD", "st", "x", "y", "z"], ["SREM", "st", "y"],
                ["EXPIRE", "h", "5000"], ["SELECT", "3"], ["SET", "db3", "x"], ["MULTI"],
                ["SET", "m1", "1"], ["SET", "m2", "2"], ["EXEC"], ["SELECT", "0"], ["DEL", "s1"],
                ["SET", "bin", b"a\r\nb\x00c"], ["GETDEL", "nothing"], ["APPEND", "s2", "x"]):
        c.call(*cmd)
    c.close()


def fill_families(srv):
    """Commands whose propagation is not what they received (random picks,
    float results, served blocking pops, counts): replayed from the AOF they
    must rebuild the same data set, here and in Redis."""
    c = srv.conn()
    for cmd in (["SADD", "rs", *range(40)], ["SPOP", "rs", "7"], ["SPOP", "rs"], ["SRANDMEMBER", "rs", "3"],
                ["HSET", "fh", "f", "1.5"], ["HINCRBYFLOAT", "fh", "f", "2.25"], ["INCRBYFLOAT", "fl", "3.5"],
                ["RPUSH", "bl", "a", "b", "c"], ["BLPOP", "bl", "0"], ["LMPOP", "1", "bl", "RIGHT", "COUNT", "1"],
                ["BRPOPLPUSH", "bl", "bl2", "0"], ["LMOVE", "bl2", "bl3", "LEFT", "RIGHT"],
                ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZINCRBY", "z", "0.5", "a"],
                ["ZPOPMIN", "z"], ["BZPOPMAX", "z", "0"], ["ZMPOP", "1", "z", "MIN", "COUNT", "1"],
                ["ZUNIONSTORE", "zu", "2", "z", "rs"], ["ZRANGESTORE", "zr", "zu", "0", "-1"],
                ["SETBIT", "bits", "77", "1"], ["BITFIELD", "bf", "INCRBY", "u8", "0", "300", "SET", "i16", "8", "-5"],
                ["BITOP", "OR", "bo", "bits", "bf"], ["PFADD", "hll", *("e%d" % i for i in range(50))],
                ["PFMERGE", "hm", "hll"], ["PFCOUNT", "hll", "hm"],
                ["SET", "t1", "v", "PX", "100000"], ["GETEX", "t1", "EX", "5000"], ["EXPIRE", "h2", "10"],
                ["HSET", "h2", "a", "1"], ["PEXPIRE", "h2", "90000"], ["PERSIST", "t1"],
                ["COPY", "z", "zcopy"], ["RENAME", "zcopy", "zc2"], ["MOVE", "zc2", "5"]):
        c.call(*cmd)
    c.close()


def digest(srv):
    return srv.call("DEBUG", "DIGEST")


def manifest_lines(d):
    p = os.path.join(d, "appendonlydir", "appendonly.aof.manifest")
    with open(p) as f:
        return f.read().splitlines()


def fresh(name):
    d = os.path.join(SCRATCH, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def check_aof(name, d):
    r = subprocess.run(["redis-check-aof", os.path.join(d, "appendonlydir", "appendonly.aof.manifest")],
                       capture_output=True, text=True)
    check(name, r.returncode == 0 and "All AOF files and manifest are valid" in r.stdout,
          (r.stdout + r.stderr)[-300:])


def t_layout_and_interop():
    d = fresh("layout")
    s = Server("ours", d, "--appendonly", "yes")
    if not check("layout/start", s.start(), s.logtext()[-300:]):
        return
    fill(s)
    fill_families(s)
    want = digest(s)
    s.stop()
    check("layout/manifest", manifest_lines(d) == ["file appendonly.aof.1.base.rdb seq 1 type b",
                                                   "file appendonly.aof.1.incr.aof seq 1 type i"],
          repr(manifest_lines(d)))
    incr = open(os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof"), "rb").read()
    check("layout/select-first", incr.startswith(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"), repr(incr[:40]))
    check("layout/relative-expiry-absolute", b"PXAT" in incr and b"PEXPIREAT" in incr and b"EX\r\n" not in incr,
          "no PXAT/PEXPIREAT")
    check("layout/multi-exec-kept", b"MULTI" in incr and b"EXEC" in incr, "no MULTI/EXEC")
    check_aof("layout/redis-check-aof-accepts-ours", d)
    s2 = Server("ours", d, "--appendonly", "yes")
    if s2.start():
        check("layout/reload-same-digest", digest(s2) == want, "%s != %s" % (digest(s2), want))
        s2.stop()
    else:
        bad("layout/reload", s2.logtext()[-300:])
    r = Server("ref", d, "--appendonly", "yes")
    if r.start():
        check("interop/redis-loads-ours", digest(r) == want, "%s != %s" % (digest(r), want))
        r.call("SET", "written-by-redis", "1")
        r.call("HSET", "h", "f3", "3")
        want2 = digest(r)
        r.stop()
        s3 = Server("ours", d, "--appendonly", "yes")
        if s3.start():
            check("interop/we-load-redis-appends", digest(s3) == want2, "%s != %s" % (digest(s3), want2))
            s3.stop()
        else:
            bad("interop/we-load-redis-appends", s3.logtext()[-300:])
    else:
        bad("interop/redis-loads-ours", r.logtext()[-300:])


def t_redis_written():
    d = fresh("redis-written")
    r = Server("ref", d, "--appendonly", "yes")
    if not r.start():
        bad("interop/redis-start", r.logtext()[-300:])
        return
    fill(r)
    fill_families(r)
    r.call("BGREWRITEAOF")
    wait_rewrite(r)
    r.call("SET", "after-rewrite", "1")
    want = digest(r)
    r.stop()
    s = Server("ours", d, "--appendonly", "yes")
    if s.start():
        check("interop/we-load-redis-dir", digest(s) == want, "%s != %s" % (digest(s), want))
        s.stop()
    else:
        bad("interop/we-load-redis-dir", s.logtext()[-300:])
    # Redis's commands-only base (aof-use-rdb-preamble no)
    d = fresh("redis-written-aofbase")
    r = Server("ref", d, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
    if r.start():
        fill(r)
        r.call("BGREWRITEAOF")
        wait_rewrite(r)
        want = digest(r)
        r.stop()
        s = Server("ours", d, "--appendonly", "yes")
        if s.start():
            check("interop/we-load-redis-command-base", digest(s) == want, "%s != %s" % (digest(s), want))
            s.stop()
        else:
            bad("interop/we-load-redis-command-base", s.logtext()[-300:])


def t_rewrite():
    d = fresh("rewrite")
    s = Server("ours", d, "--appendonly", "yes")
    if not s.start():
        bad("rewrite/start", s.logtext()[-300:])
        return
    fill(s)
    check("rewrite/reply", s.call("BGREWRITEAOF") == "+Background append only file rewriting started")
    check("rewrite/done", wait_rewrite(s), "still running")
    s.call("SET", "after", "1")
    i = s.info()
    check("rewrite/info", i.get("aof_rewrites") == "1" and i.get("aof_last_bgrewrite_status") == "ok", repr(i))
    want = digest(s)
    check("rewrite/debug-loadaof", s.call("DEBUG", "LOADAOF") == "+OK" and digest(s) == want,
          "digest after DEBUG LOADAOF differs")
    lines = manifest_lines(d)
    check("rewrite/manifest", lines == ["file appendonly.aof.2.base.rdb seq 2 type b",
                                        "file appendonly.aof.2.incr.aof seq 2 type i"], repr(lines))
    files = sorted(os.listdir(os.path.join(d, "appendonlydir")))
    check("rewrite/history-deleted", files == ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                                               "appendonly.aof.manifest"], repr(files))
    s.stop()
    check_aof("rewrite/redis-check-aof", d)
    s2 = Server("ours", d, "--appendonly", "yes")
    if s2.start():
        check("rewrite/reload", digest(s2) == want)
        s2.stop()
    r = Server("ref", d, "--appendonly", "yes")
    if r.start():
        check("rewrite/redis-loads", digest(r) == want)
        r.stop()


def t_rewrite_under_writes():
    import threading
    d = fresh("rewrite-writes")
    s = Server("ours", d, "--appendonly", "yes")
    if not s.start():
        bad("rewrite-writes/start", s.logtext()[-300:])
        return
    stop = threading.Event()
    count = [0]

    def writer():
        c = s.conn()
        i = 0
        while not stop.is_set():
            i += 1
            c.call("SET", "w:%d" % (i % 5000), i)
            c.call("RPUSH", "wl", i)
            c.call("HINCRBY", "wh", "f%d" % (i % 50), 1)
        count[0] = i
        c.close()

    t = threading.Thread(target=writer)
    t.start()
    rewrites = 0
    for _ in range(4):
        time.sleep(0.15)
        if s.call("BGREWRITEAOF").startswith("+Background append only file rewriting"):
            rewrites += 1
        wait_rewrite(s)
    stop.set()
    t.join()
    want = digest(s)
    s.stop()
    check("rewrite-writes/rewrites-ran", rewrites == 4 and count[0] > 100, "%d rewrites, %d writes" % (
        rewrites, count[0]))
    s2 = Server("ours", d, "--appendonly", "yes")
    if s2.start():
        check("rewrite-writes/nothing-lost", digest(s2) == want)
        s2.stop()
    else:
        bad("rewrite-writes/reload", s2.logtext()[-300:])
    r = Server("ref", d, "--appendonly", "yes")
    if r.start():
        check("rewrite-writes/redis-loads", digest(r) == want)
        r.stop()


def t_runtime_toggle():
    d = fresh("toggle")
    s = Server("ours", d)
    if not s.start():
        bad("toggle/start", s.logtext()[-300:])
        return
    fill(s)
    check("toggle/info-off", s.info().get("aof_enabled") == "0" and "aof_current_size" not in s.info())
    check("toggle/config-set-yes", s.call("CONFIG", "SET", "appendonly", "yes") == "+OK")
    time.sleep(0.3)
    check("toggle/rewrite-done", wait_rewrite(s))
    check("toggle/enabled", s.info().get("aof_enabled") == "1", repr(s.info()))
    s.call("SET", "while-on", "1")
    want = digest(s)
    check("toggle/config-set-no", s.call("CONFIG", "SET", "appendonly", "no") == "+OK")
    time.sleep(0.2)
    check("toggle/disabled", s.info().get("aof_enabled") == "0")
    s.call("SET", "while-off", "1")
    s.stop()
    s2 = Server("ours", d, "--appendonly", "yes")
    if s2.start():
        check("toggle/reload-has-writes-while-on", digest(s2) == want)
        check("toggle/writes-while-off-not-logged", s2.call("EXISTS", "while-off") == 0)
        s2.stop()
    else:
        bad("toggle/reload", s2.logtext()[-300:])


def incr_path(d):
    lines = manifest_lines(d)
    name = [l.split()[1] for l in lines if l.endswith("type i")][-1]
    return os.path.join(d, "appendonlydir", name)


def prepared(name):
    d = fresh(name)
    s = Server("ours", d, "--appendonly", "yes")
    s.start()
    s.call("SET", "k1", "v1")
    s.call("SET", "k2", "v2")
    s.stop()
    return d, incr_path(d)


def t_truncated():
    d, p = prepared("truncated")
    good = os.path.getsize(p)
    with open(p, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$5\r\nhel")
    s = Server("ours", d, "--appendonly", "yes")
    if check("truncated/loads-with-aof-load-truncated", s.start(), s.logtext()[-300:]):
        check("truncated/data", s.call("GET", "k2") == "v2" and s.call("EXISTS", "k3") == 0)
        check("truncated/cut-back", os.path.getsize(p) == good,
              "size %d, want %d" % (os.path.getsize(p), good))
        check("truncated/logged", "Truncating the AOF" in s.logtext())
        s.stop()
    d, p = prepared("truncated-refused")
    with open(p, "ab") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$2\r\nk3")
    s = Server("ours", d, "--appendonly", "yes", "--aof-load-truncated", "no")
    check("truncated/refused-with-no", not s.start(expect_fail=True) and "Unexpected end of file" in s.logtext(),
          s.logtext()[-300:])
    s.stop()
    d, p = prepared("open-multi")
    with open(p, "ab") as f:
        f.write(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\nk9\r\n$1\r\n9\r\n")
    s = Server("ours", d, "--appendonly", "yes")
    if check("truncated/open-multi-loads", s.start(), s.logtext()[-300:]):
        check("truncated/open-multi-reverted", s.call("EXISTS", "k9") == 0 and
              "Revert incomplete MULTI/EXEC" in s.logtext())
        s.stop()
    d, p = prepared("garbage")
    with open(p, "ab") as f:
        f.write(b"xyz\r\n*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$1\r\n3\r\n")
    s = Server("ours", d, "--appendonly", "yes")
    log_ok = lambda: "Bad file format" in s.logtext() and "appendonly.aof.1.incr.aof" in s.logtext()
    check("corrupt/mid-file-refused", not s.start(expect_fail=True) and log_ok(), s.logtext()[-300:])
    s.stop()
    d, p = prepared("bad-manifest")
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.manifest"), "a") as f:
        f.write("file x seq 9 type z\n")
    s = Server("ours", d, "--appendonly", "yes")
    check("corrupt/manifest-refused", not s.start(expect_fail=True) and "Unknown AOF file type" in s.logtext(),
          s.logtext()[-300:])
    s.stop()


def t_line_edges():
    """Tails that only a byte-wise reader sees differently, each appended to
    a file both servers then load: header lines ended by a bare LF (Redis
    reads lines with fgets), a bulk header that is the file's last byte, an
    annotation the file ends inside, and an annotation before a torn
    command (cut back with it).  Start, data and the file's size after
    start-up must match Redis's."""
    tails = {
        "lf-headers": b"*3\n$3\nSET\r\n$2\nk4\r\n$1\n4\r\n",
        "bulk-header-last": b"*1\r\n$1\n",
        "annotation-unterminated": b"#TS:1",
        "annotation-then-torn": b"#TS:1\r\n*3\r\n$3\r\nSET",
    }
    for case, tail in tails.items():
        got = {}
        d, p = prepared("edge-" + case)
        with open(p, "ab") as f:
            f.write(tail)
        ref_dir = d + "-ref"
        shutil.rmtree(ref_dir, ignore_errors=True)
        shutil.copytree(d, ref_dir)
        for kind, where in (("ours", d), ("ref", ref_dir)):
            s = Server(kind, where, "--appendonly", "yes")
            up = s.start(expect_fail=True)
            got[kind] = (up, up and digest(s), os.path.getsize(os.path.join(where, os.path.relpath(p, d))))
            s.stop()
        check("edges/" + case, got["ours"] == got["ref"] and got["ref"][0], "ours %r, redis %r" % (got["ours"], got["ref"]))


def hardened_conf():
    path = os.path.join(SCRATCH, "hardened-aof.conf")
    with open(CONF) as f:
        text = f.read().replace("module aof strict", "module aof hardened")
    with open(path, "w") as f:
        f.write(text)
    return path


def t_hardened_repair():
    garbage = b"xyz\r\n*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$1\r\n3\r\n"
    d, p = prepared("hardened-repair")
    good = os.path.getsize(p)
    with open(p, "ab") as f:
        f.write(garbage)
    s = Server("ours", d, "--appendonly", "yes", conf=hardened_conf())
    if check("hardened/corrupt-tail-repaired", s.start(), s.logtext()[-300:]):
        check("hardened/data", s.call("GET", "k2") == "v2" and s.call("EXISTS", "k3") == 0)
        check("hardened/cut-back", os.path.getsize(p) == good, "size %d, want %d" % (os.path.getsize(p), good))
        mods = s.call("INFO", "modules")
        line = [l for l in mods.splitlines() if "name=aof," in l]
        check("hardened/divergence-counted", line and "mode=hardened" in line[0] and
              "corrupt AOF tail repaired" in s.logtext(), repr(line))
        led = s.call("HARDENED", "LOG")
        check("hardened/in-ledger", isinstance(led, list) and led and led[0][2:4] == ["aof", "aof-tail-repair"] and
              "corrupt AOF tail repaired" in led[0][6], repr(led)[:300])
        s.stop()
    d, p = prepared("hardened-too-long")
    with open(p, "ab") as f:
        f.write(garbage)
    s = Server("ours", d, "--appendonly", "yes", "--aof-tail-repair-limit", "8", conf=hardened_conf())
    check("hardened/long-corrupt-tail-refused", not s.start(expect_fail=True) and "Bad file format" in s.logtext(),
          s.logtext()[-300:])
    s.stop()


def t_legacy_upgrade():
    d = fresh("legacy")
    with open(os.path.join(d, "appendonly.aof"), "wb") as f:
        f.write(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$3\r\nyes\r\n")
    s = Server("ours", d, "--appendonly", "yes")
    if not check("legacy/start", s.start(), s.logtext()[-300:]):
        return
    check("legacy/data", s.call("GET", "old") == "yes")
    check("legacy/moved", os.path.exists(os.path.join(d, "appendonlydir", "appendonly.aof")) and
          not os.path.exists(os.path.join(d, "appendonly.aof")))
    s.stop()
    check("legacy/manifest", manifest_lines(d) == ["file appendonly.aof seq 1 type b",
                                                   "file appendonly.aof.1.incr.aof seq 1 type i"],
          repr(manifest_lines(d)))


def t_info_fields():
    d = fresh("info")
    s = Server("ours", d, "--appendonly", "yes")
    r = Server("ref", fresh("info-ref"), "--appendonly", "yes")
    if not (s.start() and r.start()):
        bad("info/start", "")
        return
    names = lambda srv: [k for k in info_fields(srv, "persistence") if k.startswith("aof_")]
    check("info/aof-fields-as-redis", names(s) == names(r), "%s vs %s" % (names(s), names(r)))
    s.stop()
    r.stop()


def crash_round(d, rnd):
    s = Server("ours", d, "--appendonly", "yes", "--appendfsync", "always")
    if not s.start():
        return "start: " + s.logtext()[-200:]
    c = s.conn()
    acked = c.call("GET", "acked")
    base = int(acked) if acked else 0
    stop_after = rnd.uniform(0.05, 0.4)
    t0 = time.time()
    n = base
    killer_done = False
    try:
        while True:
            n += 1
            if n % 5 == 0:
                c.send("MULTI")
                c.send("SET", "a:%d" % n, n)
                c.send("SET", "b:%d" % n, n)
                c.send("SET", "acked", n)
                c.send("EXEC")
                replies = [c.read() for _ in range(5)]
                if replies[-1] is None or not isinstance(replies[-1], list):
                    return "exec reply %r" % replies
            else:
                if c.call("SET", "acked", n) != "+OK":
                    return "set failed"
            if time.time() - t0 > stop_after and not killer_done:
                s.kill9()
                killer_done = True
                break
    except (ConnectionError, OSError):
        pass
    last_acked = n - 1 if not killer_done else n
    s.kill9()
    s2 = Server("ours", d, "--appendonly", "yes", "--appendfsync", "always")
    if not s2.start():
        return "restart: " + s2.logtext()[-300:]
    got = int(s2.call("GET", "acked") or 0)
    bad_multi = None
    for m in range(max(5, got - 50), got + 10, 5):
        a, b = s2.call("EXISTS", "a:%d" % m), s2.call("EXISTS", "b:%d" % m)
        if a != b:
            bad_multi = m
    s2.stop()
    if got < last_acked:
        return "acknowledged %d but found %d" % (last_acked, got)
    if bad_multi:
        return "MULTI block %d half applied" % bad_multi
    return None


def t_crash():
    d = fresh("crash")
    rnd = random.Random(int(os.environ.get("FR_AOF_SEED", "7")))
    fails = []
    for i in range(CRASHES):
        why = crash_round(d, rnd)
        if why:
            fails.append("round %d: %s" % (i, why))
    check("crash/always-keeps-every-ack-%d-kills" % CRASHES, not fails, "; ".join(fails)[:500])


def main():
    tests = [t_layout_and_interop, t_redis_written, t_rewrite, t_rewrite_under_writes, t_runtime_toggle, t_truncated,
             t_line_edges, t_hardened_repair, t_legacy_upgrade, t_info_fields, t_crash]
    for t in tests:
        try:
            t()
        except Exception as e:  # a broken step is a failure, not a crash of the part
            bad(t.__name__, "%s: %s" % (type(e).__name__, e))
        finally:
            for srv in STARTED:
                srv.kill9()


if __name__ == "__main__":
    main()

"""evict_check.py OURS_PORT REF_PORT -- maxmemory and eviction compared with
redis-server 7.0.15.

Exact bytes where Redis's are deterministic (CONFIG GET/SET of the evict
module's directives and their errors, -OOM refusals inside and outside
MULTI, OBJECT FREQ/IDLETIME refusals and fresh values, RESTORE FREQ and
IDLETIME); otherwise the same property is checked on both servers (which
class of keys each policy evicts, that allkeys-lru keeps the keys in use,
that CONFIG SET maxmemory below usage evicts at once, that evicted_keys
and the "evicted" keyspace events count every eviction).  The two servers
use memory differently (ours needs far less per key), so every limit is
set relative to the server's own used_memory.  Prints "PASS name" or
"FAIL name: why".  Debian's python3 only."""
import socket
import sys
import time

from wire import info_fields, sync_replica


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, *cmds):
        out = []
        for words in cmds:
            out.append(b"*%d\r\n" % len(words))
            for w in words:
                b = w if isinstance(w, bytes) else str(w).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.s.sendall(b"".join(out))

    def _fill(self):
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_raw(self):
        """One reply, as the bytes the server sent."""
        line = self._line()
        raw = line + b"\r\n"
        t = line[:1]
        if t == b"$" and int(line[1:]) >= 0:
            n = int(line[1:]) + 2
            while len(self.buf) < n:
                self._fill()
            raw += self.buf[:n]
            self.buf = self.buf[n:]
        elif t in (b"*", b">", b"~", b"%") and int(line[1:]) > 0:
            for _ in range(int(line[1:]) * (2 if t == b"%" else 1)):
                raw += self.read_raw()
        return raw

    def raw(self, *words):
        self.send(words)
        return self.read_raw()

    def call(self, *words):
        """The reply decoded: int, bytes, list, or an Exception for errors."""
        return decode(self.raw(*words))

    def pipeline(self, cmds):
        for i in range(0, len(cmds), 1000):
            part = cmds[i:i + 1000]
            self.send(*part)
            for _ in part:
                self.read_raw()


def decode(raw):
    def parse(pos):
        end = raw.index(b"\r\n", pos)
        t, body, pos = raw[pos:pos + 1], raw[pos + 1:end], end + 2
        if t == b"+":
            return body, pos
        if t == b"-":
            return RuntimeError(body.decode()), pos
        if t == b":":
            return int(body), pos
        if t == b"$":
            n = int(body)
            return (None, pos) if n < 0 else (raw[pos:pos + n], pos + n + 2)
        if t == b"*":
            n = int(body)
            out = []
            for _ in range(max(n, 0)):
                v, pos = parse(pos)
                out.append(v)
            return out, pos
        raise ValueError(raw)
    return parse(0)[0]


def used(c):
    return int(info_fields(c, "memory")["used_memory"])


def reset(c):
    c.call("FLUSHALL")
    for k, v in (("maxmemory", "0"), ("maxmemory-policy", "noeviction"), ("maxmemory-samples", "5"),
                 ("maxmemory-eviction-tenacity", "10"), ("lfu-log-factor", "10"), ("lfu-decay-time", "1"),
                 ("notify-keyspace-events", "")):
        c.call("CONFIG", "SET", k, v)
    c.call("CONFIG", "RESETSTAT")


RESULTS = []


def report(name, ok, why=""):
    RESULTS.append(ok)
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()


def pairs_of(raw):
    """A CONFIG GET reply as a set of (name, value): Redis's order for a
    pattern follows its seeded hash table, different in every process."""
    v = decode(raw)
    return sorted(zip(v[::2], v[1::2])) if isinstance(v, list) else raw


def same_bytes(name, ours, ref, steps):
    """Each step (a list of words) on both servers; replies must match (as
    pairs for CONFIG GET with a pattern; OBJECT IDLETIME's seconds within
    one, since a second of the LRU clock may tick between the servers'
    steps, most often across a DEBUG RELOAD)."""
    for words in steps:
        a, b = ours.raw(*words), ref.raw(*words)
        if words[:2] == ["CONFIG", "GET"] and "*" in words[2]:
            a, b = pairs_of(a), pairs_of(b)
        if words[:2] == ["OBJECT", "IDLETIME"] and a[:1] == b[:1] == b":" and abs(int(a[1:]) - int(b[1:])) <= 1:
            a = b
        if a != b:
            report(name, False, "%s: want %r got %r" % (" ".join(map(str, words)), b, a))
            return
    report(name, True)


# ---------------------------------------------------------------- scenarios

def config_directives(ours, ref):
    steps = []
    for name in ("maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
                 "lfu-log-factor", "lfu-decay-time", "maxmemory*", "lfu-*"):
        steps.append(["CONFIG", "GET", name])
    for name, value in (("maxmemory", "100mb"), ("maxmemory", "1gb"), ("maxmemory", "12345"),
                        ("maxmemory", "-1"), ("maxmemory", "1xb"), ("maxmemory", ""),
                        ("maxmemory-policy", "allkeys-lru"), ("maxmemory-policy", "ALLKEYS-LFU"),
                        ("maxmemory-policy", "volatile-ttl"), ("maxmemory-policy", "lru"),
                        ("maxmemory-samples", "0"), ("maxmemory-samples", "10"), ("maxmemory-samples", "x"),
                        ("maxmemory-eviction-tenacity", "101"), ("maxmemory-eviction-tenacity", "100"),
                        ("lfu-log-factor", "-1"), ("lfu-log-factor", "20"), ("lfu-decay-time", "0"),
                        ("maxmemory", "0"), ("maxmemory-policy", "noeviction")):
        steps.append(["CONFIG", "SET", name, value])
        steps.append(["CONFIG", "GET", name])
    steps.append(["CONFIG", "SET", "maxmemory-policy", "allkeys-random", "maxmemory-samples", "7"])
    steps.append(["CONFIG", "GET", "maxmemory-*"])
    same_bytes("config: GET/SET of the evict directives", ours, ref, steps)
    for c in (ours, ref):
        reset(c)


def over_limit(c):
    """maxmemory below what the server uses: nothing can be freed (no keys
    or noeviction), so every deny-oom command is refused."""
    c.call("CONFIG", "SET", "maxmemory", str(max(used(c) // 2, 1)))


def noeviction_oom(ours, ref):
    for c in (ours, ref):
        reset(c)
        c.call("SET", "keep", "v")
        c.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
        over_limit(c)
    same_bytes("noeviction: -OOM for deny-oom commands, reads and DEL still run", ours, ref, [
        ["SET", "k", "v"], ["GET", "keep"], ["APPEND", "keep", "x"], ["INCR", "n"], ["SETNX", "k", "v"],
        ["MSET", "a", "1", "b", "2"], ["EXPIRE", "keep", "100"], ["TTL", "keep"], ["PERSIST", "keep"],
        ["DEL", "keep"], ["EXISTS", "keep"], ["DBSIZE"], ["PING"], ["CONFIG", "GET", "maxmemory-policy"]])
    for c in (ours, ref):
        reset(c)
        over_limit(c)
    same_bytes("noeviction: inside MULTI everything but EXEC/DISCARD is refused", ours, ref, [
        ["MULTI"], ["GET", "x"], ["SET", "x", "1"], ["PING"], ["EXEC"],
        ["MULTI"], ["SET", "x", "1"], ["DISCARD"], ["GET", "x"]])
    # queued while memory was fine, then the limit drops under the usage
    for c in (ours, ref):
        reset(c)
    ours2, ref2 = Conn(ours.port), Conn(ref.port)
    steps = [(0, ["MULTI"]), (0, ["SET", "x", "1"]), (1, "@over"), (0, ["EXEC"]), (0, ["GET", "x"]),
             (0, ["MULTI"]), (1, ["CONFIG", "SET", "maxmemory", "0"]), (0, ["GET", "x"]), (1, "@over"),
             (0, ["EXEC"])]
    pairs = ((ours, ours2), (ref, ref2))
    for i, (conn, words) in enumerate(steps):
        got = []
        for pair in pairs:
            c = pair[conn]
            if words == "@over":
                over_limit(c)
                got.append(b"")
            else:
                got.append(c.raw(*words))
        if got[0] != got[1]:
            report("noeviction: EXEC of a queued write over the limit", False,
                   "step %d %s: want %r got %r" % (i, words, got[1], got[0]))
            break
    else:
        report("noeviction: EXEC of a queued write over the limit", True)
    for c in (ours, ref):
        reset(c)


def fill(c, prefix, n, size=200, ttl=None, start=0):
    val = b"x" * size
    cmds = []
    for i in range(start, start + n):
        if ttl:
            cmds.append(["SET", "%s%d" % (prefix, i), val, "EX", str(ttl)])
        else:
            cmds.append(["SET", "%s%d" % (prefix, i), val])
    c.pipeline(cmds)


def count_prefix(c, prefix, n, start=0):
    c.send(*[["EXISTS", "%s%d" % (prefix, i)] for i in range(start, start + n)])
    return sum(decode(c.read_raw()) for _ in range(n))


def policy_classes(ours, ref):
    """Each policy evicts from its class only: volatile-* never a key without
    TTL, and evicts while keys with a TTL remain; allkeys-* from both."""
    for policy in ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                   "allkeys-lru", "allkeys-lfu", "allkeys-random"):
        problems = []
        for label, c in (("ours", ours), ("redis", ref)):
            reset(c)
            c.call("CONFIG", "SET", "maxmemory-policy", policy)
            base = used(c)
            fill(c, "p", 2000)
            fill(c, "v", 2000, ttl=100000)
            grown = used(c) - base
            c.call("CONFIG", "SET", "maxmemory", str(base + grown * 3 // 4))
            fill(c, "w", 500, ttl=100000)
            persistent, volatile = count_prefix(c, "p", 2000), count_prefix(c, "v", 2000)
            evicted = int(info_fields(c, "stats")["evicted_keys"])
            if evicted == 0:
                problems.append("%s evicted nothing" % label)
            if policy.startswith("volatile") and persistent != 2000:
                problems.append("%s evicted %d keys without TTL" % (label, 2000 - persistent))
            if policy.startswith("allkeys") and (persistent == 2000 or volatile == 2000):
                problems.append("%s spared a class (%d/%d persistent, %d/%d volatile)" %
                                (label, persistent, 2000, volatile, 2000))
            # INFO's own reply is counted too: a few kB of slack
            over = used(c) - int(c.call("CONFIG", "GET", "maxmemory")[1])
            if over > 16384:
                problems.append("%s over the limit by %d after the writes" % (label, over))
        report("policy %s evicts the right class" % policy, not problems, "; ".join(problems))
    for c in (ours, ref):
        reset(c)


def volatile_ttl_order(ours, ref):
    """volatile-ttl evicts the keys closest to expiring first."""
    problems = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        c.call("CONFIG", "SET", "maxmemory-policy", "volatile-ttl")
        base = used(c)
        fill(c, "soon", 1000, ttl=1000)
        fill(c, "late", 1000, ttl=100000)
        grown = used(c) - base
        c.call("CONFIG", "SET", "maxmemory", str(base + grown * 3 // 4))
        soon, late = count_prefix(c, "soon", 1000), count_prefix(c, "late", 1000)
        if not (1000 - soon) > 3 * (1000 - late):
            problems.append("%s evicted %d soon / %d late" % (label, 1000 - soon, 1000 - late))
    report("volatile-ttl: shortest TTLs go first", not problems, "; ".join(problems))


def lru_keeps_recent(ours, ref):
    """allkeys-lru: after touching half of the keys, an eviction of about a
    third of the dataset takes untouched keys far more often."""
    problems = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        c.call("CONFIG", "SET", "maxmemory-samples", "10")
        base = used(c)
        fill(c, "k", 3000)
        grown = used(c) - base
        time.sleep(2.1)  # the LRU clock ticks in seconds
        c.pipeline([["GET", "k%d" % i] for i in range(0, 3000, 2)])
        c.call("CONFIG", "SET", "maxmemory", str(base + grown * 2 // 3))
        c.call("PING")
        touched = sum(decode(r) for r in [c.raw("EXISTS", "k%d" % i) for i in range(0, 3000, 2)])
        untouched = sum(decode(r) for r in [c.raw("EXISTS", "k%d" % i) for i in range(1, 3000, 2)])
        lost_t, lost_u = 1500 - touched, 1500 - untouched
        if lost_u == 0 or lost_t * 4 > lost_u:
            problems.append("%s lost %d touched, %d untouched" % (label, lost_t, lost_u))
    report("allkeys-lru keeps recently used keys", not problems, "; ".join(problems))


def lfu_keeps_frequent(ours, ref):
    problems = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        base = used(c)
        fill(c, "k", 2000)
        grown = used(c) - base
        for _ in range(5):
            c.pipeline([["GET", "k%d" % i] for i in range(0, 2000, 2)])
        c.call("CONFIG", "SET", "maxmemory", str(base + grown * 2 // 3))
        c.call("PING")
        hot = count_prefix_step(c, 0)
        cold = count_prefix_step(c, 1)
        lost_h, lost_c = 1000 - hot, 1000 - cold
        if lost_c == 0 or lost_h * 4 > lost_c:
            problems.append("%s lost %d hot, %d cold" % (label, lost_h, lost_c))
    report("allkeys-lfu keeps frequently used keys", not problems, "; ".join(problems))


def count_prefix_step(c, first):
    c.send(*[["EXISTS", "k%d" % i] for i in range(first, 2000, 2)])
    return sum(decode(c.read_raw()) for _ in range(1000))


def config_set_evicts_now(ours, ref):
    """CONFIG SET maxmemory below the usage evicts before the next command
    can see the keys; the counters and events agree with the key count."""
    problems = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        c.call("CONFIG", "SET", "notify-keyspace-events", "Ee")
        sub = Conn(c.port)
        sub.call("SUBSCRIBE", "__keyevent@0__:evicted")
        base = used(c)
        fill(c, "k", 3000)
        grown = used(c) - base
        c.call("CONFIG", "SET", "maxmemory", str(base + grown // 2))
        c.call("CONFIG", "SET", "maxmemory", "0")  # no eviction between the counts
        left = c.call("DBSIZE")
        evicted = int(info_fields(c, "stats")["evicted_keys"])
        if left >= 3000 or left < 500:
            problems.append("%s kept %d of 3000 keys" % (label, left))
        if evicted != 3000 - left:
            problems.append("%s evicted_keys %d for %d keys gone" % (label, evicted, 3000 - left))
        events = 0
        sub.s.settimeout(2)
        try:
            while events < evicted:
                msg = decode(sub.read_raw())
                if msg[0] == b"message" and msg[1] == b"__keyevent@0__:evicted":
                    events += 1
        except (socket.timeout, ConnectionError):
            pass
        if events != evicted:
            problems.append("%s sent %d evicted events for %d evictions" % (label, events, evicted))
        sub.s.close()
    report("CONFIG SET maxmemory below usage evicts at once; evicted_keys and events count it",
           not problems, "; ".join(problems))


def object_freq_idletime(ours, ref):
    for c in (ours, ref):
        reset(c)
    same_bytes("OBJECT FREQ refused and IDLETIME answered under an LRU policy", ours, ref, [
        ["SET", "a", "v"], ["OBJECT", "FREQ", "a"], ["OBJECT", "IDLETIME", "nokey"], ["OBJECT", "FREQ", "nokey"],
        ["CONFIG", "SET", "maxmemory-policy", "volatile-lru"], ["OBJECT", "FREQ", "a"]])
    # lfu-log-factor 0: every access raises the counter, so the bytes are
    # certain (with 10, an access past 6 raises it with probability 1/11);
    # a maxmemory keeps Redis from sharing small integers between keys
    # (a shared object's counter is every key's)
    same_bytes("OBJECT FREQ under LFU: 5 for a new key, +1 per access; overwrite keeps it; IDLETIME refused",
               ours, ref, [
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], ["CONFIG", "SET", "lfu-log-factor", "0"],
        ["CONFIG", "SET", "maxmemory", "1gb"],
        ["SET", "b", "v"], ["OBJECT", "FREQ", "b"],
        ["GET", "b"], ["OBJECT", "FREQ", "b"], ["OBJECT", "FREQ", "b"], ["OBJECT", "IDLETIME", "b"],
        ["GET", "b"], ["EXISTS", "b"], ["OBJECT", "FREQ", "b"], ["TOUCH", "b"], ["OBJECT", "FREQ", "b"],
        ["SET", "b", "w"], ["OBJECT", "FREQ", "b"], ["APPEND", "b", "x"], ["OBJECT", "FREQ", "b"],
        ["INCR", "n"], ["INCR", "n"], ["OBJECT", "FREQ", "n"], ["SET", "b", "w", "NX"], ["OBJECT", "FREQ", "b"],
        ["GETSET", "b", "z"], ["OBJECT", "FREQ", "b"], ["STRLEN", "b"], ["OBJECT", "FREQ", "b"],
        ["CONFIG", "SET", "lfu-log-factor", "10"], ["CONFIG", "SET", "maxmemory", "0"],
        ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"], ["OBJECT", "IDLETIME", "b"],
        ["OBJECT", "FREQ", "nokey"]])
    for c in (ours, ref):
        reset(c)


def restore_access(ours, ref):
    for c in (ours, ref):
        reset(c)
        c.call("SET", "src", "value")
    payload = ref.call("DUMP", "src")
    same_bytes("RESTORE FREQ applied under LFU, IDLETIME under LRU, the other ignored", ours, ref, [
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
        ["RESTORE", "f1", "0", payload, "FREQ", "100"], ["OBJECT", "FREQ", "f1"],
        ["RESTORE", "f2", "0", payload, "IDLETIME", "1000"], ["OBJECT", "FREQ", "f2"],
        ["RESTORE", "f3", "0", payload, "FREQ", "256"], ["RESTORE", "f3", "0", payload, "FREQ", "-1"],
        ["RESTORE", "f3", "0", payload, "IDLETIME", "-1"],
        ["RESTORE", "f3", "0", payload, "IDLETIME", "5", "FREQ", "5"],
        ["RESTORE", "f1", "0", payload, "REPLACE", "FREQ", "0"], ["OBJECT", "FREQ", "f1"],
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
        ["RESTORE", "i1", "0", payload, "IDLETIME", "1000"], ["OBJECT", "IDLETIME", "i1"],
        ["RESTORE", "i2", "0", payload, "FREQ", "100"], ["OBJECT", "IDLETIME", "i2"],
        ["RESTORE", "i3", "0", payload, "IDLETIME", "100000000"], ["OBJECT", "IDLETIME", "i3"]])
    same_bytes("DEBUG RELOAD keeps FREQ (LFU) and IDLETIME (LRU) through the RDB", ours, ref, [
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
        ["RESTORE", "r1", "0", payload, "FREQ", "77"], ["DEBUG", "RELOAD"], ["OBJECT", "FREQ", "r1"],
        ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
        ["RESTORE", "r2", "0", payload, "IDLETIME", "5000"], ["DEBUG", "RELOAD"], ["OBJECT", "IDLETIME", "r2"]])
    for c in (ours, ref):
        reset(c)


def paused_no_eviction(ours, ref):
    """No eviction while clients are paused (the dataset stays still)."""
    problems = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        base = used(c)
        fill(c, "k", 2000)
        grown = used(c) - base
        c.call("CLIENT", "PAUSE", "500", "WRITE")
        c.call("CONFIG", "SET", "maxmemory", str(base + grown // 2))
        during = c.call("DBSIZE")
        time.sleep(0.7)
        c.call("PING")
        after = c.call("DBSIZE")
        if during != 2000 or after >= 2000:
            problems.append("%s: %d keys during the pause, %d after" % (label, during, after))
    report("no eviction during CLIENT PAUSE, eviction after it", not problems, "; ".join(problems))
    for c in (ours, ref):
        reset(c)


def memory_command(ours, ref):
    """MEMORY STATS has Redis's fields in Redis's order (one db.N map per DB
    holding keys); MEMORY USAGE answers an integer near the key's size; the
    figures themselves are each server's own."""
    problems = []
    names = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        c.call("SET", "m1", "x" * 1000)
        c.call("SELECT", "3")
        c.call("SET", "m3", "y")
        c.call("SELECT", "0")
        stats = c.call("MEMORY", "STATS")
        names.append([n for n in stats[::2]])
        db0 = dict(zip(stats[::2], stats[1::2])).get(b"db.0")
        if not isinstance(db0, list) or db0[::2] != [b"overhead.hashtable.main", b"overhead.hashtable.expires",
                                                     b"overhead.hashtable.slot-to-keys"]:
            problems.append("%s db.0 is %r" % (label, db0))
        usage = c.call("MEMORY", "USAGE", "m1")
        if not isinstance(usage, int) or not 1000 <= usage <= 1200:
            problems.append("%s MEMORY USAGE of a 1000-byte value: %r" % (label, usage))
        c.call("SELECT", "3")
        c.call("FLUSHDB")
        c.call("SELECT", "0")
    if names[0] != names[1]:
        problems.append("fields differ: %r vs %r" % (names[0], names[1]))
    report("MEMORY STATS fields and MEMORY USAGE", not problems, "; ".join(problems))
    for c in (ours, ref):
        reset(c)


def replica_buffers_not_counted(ours, ref):
    """A replica that stops reading after its snapshot grows the master's
    buffers with the stream of 30 MB of writes to one key: maxmemory
    (4 MB above the data) does not count them, so nothing is evicted, as
    Redis leaves replication buffers beyond its backlog out.  INFO shows
    them in mem_not_counted_for_evict and mem_clients_slaves (at least
    the 16 MB the kernel's socket buffers cannot have taken), MEMORY
    DOCTOR reports big replica buffers; the counts are each server's own."""
    problems = []
    for label, c in (("ours", ours), ("redis", ref)):
        reset(c)
        diskless = c.call("CONFIG", "GET", "repl-diskless-sync")[1]
        c.call("CONFIG", "SET", "repl-diskless-sync", "no")
        fill(c, "k", 1000)
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        rep = sync_replica(c.port)
        c.call("SET", "big", "")
        c.call("CONFIG", "SET", "maxmemory", str(used(c) + (4 << 20)))
        value = b"v" * (512 << 10)
        c.pipeline([["SET", "big", value] for _ in range(60)])
        mem, stats = info_fields(c, "memory"), info_fields(c, "stats")
        doctor = c.call("MEMORY", "DOCTOR")
        out = [int(mem[f]) >> 20 for f in ("mem_not_counted_for_evict", "mem_clients_slaves")]
        if stats["evicted_keys"] != "0" or c.call("DBSIZE") != 1001 or min(out) < 16:
            problems.append("%s: evicted %s, DBSIZE %s, not counted / replicas' buffers %r MB" %
                            (label, stats["evicted_keys"], c.call("DBSIZE"), out))
        if b"Big replica buffers" not in doctor:
            problems.append("%s: MEMORY DOCTOR says %r" % (label, doctor[:200]))
        rep.f.close()
        rep.s.close()
        deadline = time.time() + 5
        while info_fields(c, "replication")["connected_slaves"] != "0" and time.time() < deadline:
            time.sleep(0.05)
        c.call("CONFIG", "SET", "repl-diskless-sync", diskless)
    report("replica buffers are not counted for maxmemory", not problems, "; ".join(problems))
    for c in (ours, ref):
        reset(c)


def wait_for(what, cond, seconds=10):
    deadline = time.time() + seconds
    while not cond():
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.05)


def replica_ignores_maxmemory(ours, ref):
    """Each server as the other's replica, with maxmemory 1 MB above its
    own use and allkeys-random: under replica-ignore-maxmemory yes (the
    default) the replica keeps every key of its master's 20,000 (about
    5 MB); switched to no, the next write from its master makes it evict
    on its own.  Redis's replica does both; ours used to evict either
    way."""
    problems = []
    for label, rep, master in (("ours as replica", ours, ref), ("redis as replica", ref, ours)):
        for c in (rep, master):
            reset(c)
        delay = master.call("CONFIG", "GET", "repl-diskless-sync-delay")[1]
        master.call("CONFIG", "SET", "repl-diskless-sync-delay", "0")
        rep.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        rep.call("REPLICAOF", "127.0.0.1", str(master.port))
        wait_for("the link", lambda: info_fields(rep, "replication").get("master_link_status") == "up")
        rep.call("CONFIG", "SET", "maxmemory", str(used(rep) + (1 << 20)))
        fill(master, "r", 20000)
        synced = lambda: (info_fields(rep, "replication").get("slave_repl_offset") ==
                          info_fields(master, "replication")["master_repl_offset"])
        wait_for("the stream", synced)
        kept, evicted = rep.call("DBSIZE"), info_fields(rep, "stats")["evicted_keys"]
        if kept != 20000 or evicted != "0":
            problems.append("%s, ignoring maxmemory: %s keys, %s evicted" % (label, kept, evicted))
        rep.call("CONFIG", "SET", "replica-ignore-maxmemory", "no")
        master.call("SET", "one-more", "x")
        wait_for("the stream", synced)
        if rep.call("DBSIZE") >= 20001:
            problems.append("%s, not ignoring maxmemory: nothing evicted" % label)
        rep.call("REPLICAOF", "NO", "ONE")
        rep.call("CONFIG", "SET", "replica-ignore-maxmemory", "yes")
        master.call("CONFIG", "SET", "repl-diskless-sync-delay", delay)
        for c in (rep, master):
            reset(c)
    report("a replica ignores maxmemory unless told not to", not problems, "; ".join(problems))


def watch_sees_eviction(ours, ref):
    """An evicted key counts as modified for WATCH: the EXEC aborts."""
    steps = [(0, ["SET", "w", "v"]), (0, ["WATCH", "w"]),
             (1, ["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]), (1, ["CONFIG", "SET", "maxmemory", "1"]),
             (1, ["EXISTS", "w"]), (1, ["CONFIG", "SET", "maxmemory", "0"]),
             (0, ["MULTI"]), (0, ["SET", "x", "1"]), (0, ["EXEC"])]
    for c in (ours, ref):
        reset(c)
    conns = ((ours, Conn(ours.port)), (ref, Conn(ref.port)))
    for i, (who, words) in enumerate(steps):
        a, b = conns[0][who].raw(*words), conns[1][who].raw(*words)
        if a != b:
            report("WATCH sees an evicted key as modified", False, "step %d %s: want %r got %r" % (i, words, b, a))
            break
    else:
        report("WATCH sees an evicted key as modified", True)
    for c in (ours, ref):
        reset(c)


def main():
    ours, ref = Conn(int(sys.argv[1])), Conn(int(sys.argv[2]))
    ours.port, ref.port = int(sys.argv[1]), int(sys.argv[2])
    for scenario in (config_directives, noeviction_oom, object_freq_idletime, restore_access,
                     policy_classes, volatile_ttl_order, lru_keeps_recent, lfu_keeps_frequent,
                     config_set_evicts_now, paused_no_eviction, memory_command,
                     watch_sees_eviction, replica_buffers_not_counted, replica_ignores_maxmemory):
        try:
            scenario(ours, ref)
        except Exception as e:  # a crashed server or protocol error
            report(scenario.__name__, False, "exception %r" % (e,))
            ours, ref = Conn(int(sys.argv[1])), Conn(int(sys.argv[2]))
            ours.port, ref.port = int(sys.argv[1]), int(sys.argv[2])


main()

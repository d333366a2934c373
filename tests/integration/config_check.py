"""config_check.py OURS_PORT REF_PORT -- CONFIG GET/SET of every parameter,
compared with redis-server 7.0.15 (REF_PORT) reply by reply.

Prints "PASS name" / "FAIL name: why" lines and nothing else.  Both servers
must run without a config file, with the same bind, on scratch dirs.

Values that legitimately differ (and why) are listed in DIFFER; values we
refuse on purpose, because accepting them without acting on them would be
a lie (docs/config.md), are in REFUSED.
"""
import socket
import sys

import redis

# CONFIG GET values that differ by construction, not by behaviour.
DIFFER = {
    "dir": "each server runs in its own scratch directory",
    "port": "each server listens on its own port",
    "module-dir": "FrankenRedis's own directive (where modules live); Redis has none",
    "aof-tail-repair-limit": "FrankenRedis's own directive (hardened AOF tail repair); Redis has none",
    "hardened-log-capacity": "FrankenRedis's own directive (the hardened-mode ledger); Redis has none",
    "hardened-log-file": "FrankenRedis's own directive (the hardened-mode ledger); Redis has none",
    "hardened-proto-max-multibulk-len": "FrankenRedis's own directive (core hardened mode); Redis has none",
    "hardened-proto-max-bulk-len": "FrankenRedis's own directive (core hardened mode); Redis has none",
    "hardened-partial-request-timeout": "FrankenRedis's own directive (core hardened mode); Redis has none",
    "hardened-string-max-size": "FrankenRedis's own directive (hardened strings: one value's size); Redis has none",
}

# Parameters that accept only their default here (docs/config.md says why):
# where Redis accepts another value, or refuses it for another reason, we
# must refuse it.
REFUSED = {"maxmemory", "maxmemory-clients",
           "tls-port", "tls-cluster", "tls-replication"}

# Parameters whose CONFIG SET differs on purpose.
SET_DIFFERS = {
    "watchdog-period": "hidden debugging aid; Redis raises small periods depending on hz",
}

# Hidden parameters: answered by exact name only.
HIDDEN = ["use-exit-on-panic", "lua-enable-deprecated-api", "rdb-key-save-delay", "key-load-delay",
          "watchdog-period", "loading-process-events-interval-bytes"]

# Values tried on parameters whose side effects on a running server (its
# listener, its clients, its password) a generic value could upset.
CURATED = {
    "port": ["bogus", "-1", "70000"],
    "bind": [],
    "dir": ["/nonexistent/dir"],
    "requirepass": [],
    "masterauth": ["secret", ""],
    "timeout": ["0", "bogus", "-1"],
    "maxclients": ["0", "bogus", "-5"],
    "client-output-buffer-limit": ["normal 1 2", "bogus 1 1 1", "normal 1mb 2mb x", "master 1 1 1"],
    "proto-max-bulk-len": ["1kb", "bogus", "1gb", "-1"],
    "client-query-buffer-limit": ["1kb", "bogus", "2gb", "-1"],
    "hz": ["0", "501", "bogus", "100"],
    "save": ["", "100 1", "100 1 200", "bogus", "0 1", "100 -1", "100 1 200 2"],
    "protected-mode": ["bogus"],
    "notify-keyspace-events": ["KEA", "Ex", "Kgm", "AKEm", "Q", "", "$lshzxetdn"],
    "oom-score-adj-values": ["0 200 800", "1 2", "0 200 3000", "-100 0 100", "a b c"],
    "oom-score-adj": ["no", "bogus"],
    "latency-tracking-info-percentiles": ["", "50", "1.5 99.99", "101", "x", "50  99"],
    "shutdown-on-sigint": ["save", "now save", "save nosave", "bogus", "default", "force now"],
    "shutdown-on-sigterm": ["nosave now force", "", "default save"],
    "proc-title-template": ["{title}", "{title} {port}", "{bogus} x", "{title", "x {{", "{config-file}"],
    "cluster-announce-hostname": ["ok-host.name", "bad_host", "x" * 300],
    "loglevel": ["debug", "notice", "bogus"],
    "maxmemory-policy": ["allkeys-lru", "bogus", "noeviction"],
    "crash-log-enabled": ["bogus"],
}

failures = 0


def report(name, ok, why=""):
    global failures
    if ok:
        print("PASS %s" % name)
    else:
        failures += 1
        print("FAIL %s: %s" % (name, why))


def call(r, *args):
    """The reply as text, an error as 'ERR ...', for comparison."""
    try:
        v = r.execute_command(*args)
    except redis.ResponseError as e:
        return "ERR " + str(e)
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, list):
        return [x.decode("latin-1") if isinstance(x, bytes) else x for x in v]
    return v


def get_map(r, pattern):
    v = call(r, "CONFIG", "GET", pattern)
    return dict(zip(v[0::2], v[1::2]))


def bounds_probe(ref, name):
    """Values at and beyond the range Redis reports for an integer."""
    err = call(ref, "CONFIG", "SET", name, "-9223372036854775808")
    if not isinstance(err, str) or "between" not in err:
        return []
    words = err.split()
    i = words.index("between")
    lo, hi = words[i + 1], words[i + 3]
    out = [lo, hi]
    try:
        out += [str(int(lo) - 1), str(int(hi) + 1)]
    except ValueError:  # octal bounds
        out += ["8", "1000"]
    return out


def values_for(ref, name, current):
    if name in CURATED:
        return CURATED[name]
    err = call(ref, "CONFIG", "SET", name, "bogus!")
    if err == "OK":  # a free string: put it back, try a few
        call(ref, "CONFIG", "SET", name, current)
        return ["bogus!", "", "a b", current]
    vals = ["bogus!", current, ""]
    if "'yes' or 'no'" in err:
        vals += ["yes", "no", "YES", "1"]
    elif "into an integer" in err or "octal" in err:
        vals += ["0", "1", "-1", "01", "+1", "1k"] + bounds_probe(ref, name)
    elif "memory" in err:
        vals += ["0", "1", "1k", "1kb", "5mb", "1gb", "-1", "10%", "100%", "101%", "1.5mb", "99999999999999999999"]
    elif "one of the following" in err:
        vals += err.split("one of the following: ", 1)[1].split(", ") + ["NO"]
    return vals


def check_set(ours, ref, name, value, ours_cur, ref_cur):
    label = "set/%s/%r" % (name, value)
    want = call(ref, "CONFIG", "SET", name, value)
    got = call(ours, "CONFIG", "SET", name, value)
    if name in REFUSED and got != want:
        report(label, got.startswith("ERR") and (want == "OK" or want.startswith("ERR")),
               "we should refuse it, got %r" % got)
    else:
        report(label, want == got, "redis %r, ours %r" % (want, got))
        if want == "OK" and got == "OK":
            a, b = get_map(ref, name), get_map(ours, name)
            report(label + "/get", a == b, "redis %r, ours %r" % (a, b))
    call(ref, "CONFIG", "SET", name, ref_cur)
    call(ours, "CONFIG", "SET", name, ours_cur)


def check_get_all(ours, ref):
    a, b = get_map(ref, "*"), get_map(ours, "*")
    for k in sorted(set(a) | set(b)):
        if k in DIFFER:
            continue
        report("get/%s" % k, a.get(k) == b.get(k), "redis %r, ours %r" % (a.get(k), b.get(k)))
    print("# CONFIG GET * answers %d parameters here, %d in redis-server" % (len(b), len(a)))
    return a, b


def check_patterns(ours, ref):
    for pat in ["maxmemory*", "*ziplist*", "*listpack*", "slave*", "replica*", "*priority*", "slowlog-*",
                "active-defrag-*", "hash-max-*", "*-announce-*", "lua-time-limit", "slaveof",
                "hash-max-ziplist-entries", "HASH-MAX-ZIPLIST-ENTRIES", "nosuch", "use-exit-on-panic",
                "*exit-on*", "[ab]ppend*", "?ave"]:
        a, b = get_map(ref, pat), get_map(ours, pat)
        for k in DIFFER:
            a.pop(k, None), b.pop(k, None)
        report("get-pattern/%s" % pat, a == b, "redis %r, ours %r" % (a, b))
    for name in HIDDEN:
        a, b = get_map(ref, name), get_map(ours, name)
        report("get-hidden/%s" % name, a == b and len(a) == 1, "redis %r, ours %r" % (a, b))
    a = call(ref, "CONFIG", "GET", "maxmemory", "appendonly", "MAXMEMORY", "maxmemory*")
    b = call(ours, "CONFIG", "GET", "maxmemory", "appendonly", "MAXMEMORY", "maxmemory*")
    report("get-several", sorted(zip(a[0::2], a[1::2])) == sorted(zip(b[0::2], b[1::2])),
           "redis %r, ours %r" % (a, b))


def resp3_raw(port, *args):
    """The raw RESP3 reply of one command after HELLO 3."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(2)

    def send(*a):
        s.sendall(("*%d\r\n" % len(a)).encode() + b"".join(
            b"$%d\r\n%s\r\n" % (len(x), x.encode()) for x in a))

    send("HELLO", "3")
    buf = b""
    while b"modules" not in buf or not buf.endswith(b"\r\n"):
        buf += s.recv(65536)
    import time
    time.sleep(0.05)
    try:
        s.setblocking(False)
        s.recv(65536)
    except BlockingIOError:
        pass
    s.setblocking(True)
    send(*args)
    time.sleep(0.1)
    out = s.recv(1 << 20)
    s.close()
    return out


def check_resp3(ours_port, ref_port):
    for args in [("CONFIG", "GET", "maxmemory-samples"), ("CONFIG", "GET", "slaveof"),
                 ("CONFIG", "GET", "notify-keyspace-events"), ("CONFIG", "GET", "nosuch")]:
        a, b = resp3_raw(ref_port, *args), resp3_raw(ours_port, *args)
        report("resp3/%s" % args[2], a == b, "redis %r, ours %r" % (a, b))
    a, b = resp3_raw(ref_port, "CONFIG", "GET", "*max*"), resp3_raw(ours_port, "CONFIG", "GET", "*max*")
    # our own directives (DIFFER) that the pattern matches are the only extra pairs
    own = sum(1 for name in DIFFER if "max" in name)
    ref_pairs = int(a.split(b"\r\n")[0][1:]) if a.startswith(b"%") else -1
    our_pairs = int(b.split(b"\r\n")[0][1:]) if b.startswith(b"%") else -2
    report("resp3/map-header", our_pairs == ref_pairs + own,
           "redis %r, ours %r (%d own directives match)" % (a[:20], b[:20], own))


def check_atomic(ours, ref):
    for r in (ours, ref):
        call(r, "CONFIG", "SET", "maxmemory-samples", "5")
    cases = [("maxmemory-samples", "7", "slowlog-max-len", "bogus"),
             ("maxmemory-samples", "7", "daemonize", "yes"),
             ("maxmemory-samples", "7", "nosuch", "1"),
             ("maxmemory-samples", "7", "maxmemory-samples", "8"),
             ("slave-priority", "1", "replica-priority", "2"),
             ("maxmemory-samples", "7", "appendfsync", "always")]
    for c in cases:
        a, b = call(ref, "CONFIG", "SET", *c), call(ours, "CONFIG", "SET", *c)
        ga, gb = get_map(ref, "maxmemory-samples"), get_map(ours, "maxmemory-samples")
        report("set-many/%s" % "-".join(c), a == b and ga == gb, "redis %r %r, ours %r %r" % (a, ga, b, gb))
        for r in (ours, ref):
            call(r, "CONFIG", "SET", "maxmemory-samples", "5", "appendfsync", "everysec",
                 "replica-priority", "100")
    a, b = call(ref, "CONFIG", "SET", "maxmemory-samples"), call(ours, "CONFIG", "SET", "maxmemory-samples")
    report("set-many/odd", a == b, "redis %r, ours %r" % (a, b))


def add_module_modes(ours):
    """<module>.mode, one per loaded module (core.mode too), join DIFFER."""
    for name in get_map(ours, "*.mode"):
        DIFFER[name] = "FrankenRedis's own directive (the module's strict|hardened mode); Redis has none"


def main():
    ours_port, ref_port = int(sys.argv[1]), int(sys.argv[2])
    ours = redis.Redis(port=ours_port, socket_timeout=10)
    ref = redis.Redis(port=ref_port, socket_timeout=10)
    add_module_modes(ours)
    a, b = check_get_all(ours, ref)
    check_patterns(ours, ref)
    check_resp3(ours_port, ref_port)
    for name in sorted(a):
        if name in SET_DIFFERS or (name in DIFFER and name not in CURATED):
            continue
        for v in values_for(ref, name, a[name]):
            check_set(ours, ref, name, v, b.get(name, a[name]), a[name])
    for name in HIDDEN:
        if name in SET_DIFFERS:
            continue
        check_set(ours, ref, name, "1", get_map(ours, name)[name], get_map(ref, name)[name])
    check_atomic(ours, ref)
    a2, b2 = get_map(ref, "*"), get_map(ours, "*")
    for k in DIFFER:
        for m in (a, b, a2, b2):
            m.pop(k, None)
    report("restored", a == a2 and b == b2 and a2 == b2, "values left changed")
    for r in (ours, ref):
        r.close()


if __name__ == "__main__":
    main()

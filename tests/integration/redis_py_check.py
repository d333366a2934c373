"""redis_py_check.py PORT -- drives a running server with redis-py (Debian's
python3-redis), the way applications use it: plain calls, pipelines with
and without MULTI, WATCH-based optimistic locking, scans, INFO parsing.
Prints PASS/FAIL per check and "clients: N passed, M failed"."""
import sys

import redis

port = int(sys.argv[1])
r = redis.Redis(port=port, socket_timeout=5)
passed = failed = 0


def check(name, got, want):
    global passed, failed
    if got == want:
        print("PASS redis-py/" + name)
        passed += 1
    else:
        print("FAIL redis-py/%s: want %r, got %r" % (name, want, got))
        failed += 1


r.flushall()
check("ping", r.ping(), True)
check("set-get", (r.set("a", "1"), r.get("a")), (True, b"1"))
check("incr-incrbyfloat", (r.incr("a"), r.incrbyfloat("a", 1.5)), (2, 3.5))
check("mset-mget", (r.mset({"x": 1, "y": 2}), r.mget("x", "y", "z")), (True, [b"1", b"2", None]))
check("append-strlen-getrange", (r.append("x", "abc"), r.strlen("x"), r.getrange("x", 1, 2)), (4, 4, b"ab"))
check("setnx-getset", (r.setnx("x", "no"), r.getset("x", "new"), r.get("x")), (False, b"1abc", b"new"))
check("exists-type-rename", (r.exists("x", "y", "nope"), r.type("x"), r.rename("x", "x2")), (2, b"string", True))
check("object-encoding", (r.object("encoding", "a"), r.object("encoding", "x2")), (b"embstr", b"embstr"))
check("copy-getdel", (r.copy("x2", "x3"), r.getdel("x3"), r.exists("x3")), (True, b"new", 0))
check("keys", sorted(r.keys("*")), [b"a", b"x2", b"y"])
check("scan-iter", sorted(r.scan_iter(match="x*")), [b"x2"])
pipe = r.pipeline()
for i in range(200):
    pipe.set("p%d" % i, i)
check("pipeline-multi", pipe.execute(), [True] * 200)
pipe = r.pipeline(transaction=False)
for i in range(50):
    pipe.incr("counter")
check("pipeline-plain", pipe.execute()[-1], 50)
with r.pipeline() as pipe:
    pipe.watch("counter")
    value = int(pipe.get("counter"))
    pipe.multi()
    pipe.set("counter", value + 1)
    check("watch-multi-exec", pipe.execute(), [True])
with r.pipeline() as pipe:
    pipe.watch("counter")
    r.set("counter", 0)  # another connection changes the watched key
    pipe.multi()
    pipe.set("counter", 99)
    try:
        pipe.execute()
        check("watch-conflict", "executed", "WatchError")
    except redis.WatchError:
        check("watch-conflict", "WatchError", "WatchError")
check("info", r.info("server")["redis_version"], "7.0.15")
check("config-get", r.config_get("maxmemory"), {"maxmemory": "0"})
check("client-setname", (r.client_setname("app"), r.client_getname()), (True, "app"))
check("dbsize-flushdb", (r.dbsize() > 0, r.flushdb(), r.dbsize()), (True, True, 0))
try:
    r.execute_command("INCR")
    check("arity-error", "no error", "ResponseError")
except redis.ResponseError as e:
    check("arity-error", str(e), "wrong number of arguments for 'incr' command")
print("clients: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)

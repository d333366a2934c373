"""lazyfree_check.py PORT -- lazy free as seen from INFO, printed as a
transcript that lazyfree.sh takes from our server and from redis-server
7.0.15 and compares line for line.

Each step deletes or replaces values in one way and prints how many objects
the background thread freed for it (lazyfreed_objects after
lazyfree_pending_objects is back to 0): UNLINK and DEL of every type at
sizes on both sides of Redis's threshold (64 allocations: a hash table's
entries, a skiplist's nodes, a quicklist's nodes, a stream's nodes and
groups), DEL under lazyfree-lazy-user-del, FLUSHDB/FLUSHALL with and
without ASYNC and under lazyfree-lazy-user-flush, overwrites and RENAME
under lazyfree-lazy-server-del, expiry under lazyfree-lazy-expire, and
CONFIG RESETSTAT.  Also that memory comes back after an UNLINK and that a
server with frees queued still answers.  Debian's python3 only."""
import sys
import time

from wire import Raw, info_fields

PORT = int(sys.argv[1])
R = Raw(PORT, timeout=30)


def info_field(name):
    return int(info_fields(R, "memory")[name])


def settle():
    """Until nothing is pending and the freed count has held still for
    50 ms: Redis's bio thread lowers pending before it raises the freed
    count, so on a loaded machine the two can be seen apart."""
    last = None
    for _ in range(500):
        if info_field("lazyfree_pending_objects") == 0:
            freed = info_field("lazyfreed_objects")
            if freed == last:
                return
            last = freed
            time.sleep(0.05)
        else:
            time.sleep(0.01)
    raise SystemExit("lazyfree_pending_objects never reached 0")


def freed_by(step, *commands):
    """Run commands, wait for the thread, print how many it freed."""
    settle()
    R.call("CONFIG", "RESETSTAT")
    replies = [R.call(*c) for c in commands]
    settle()
    print("%s: freed=%d replies=%r" % (step, info_field("lazyfreed_objects"), replies))


def big_set(key, n, prefix="m"):
    R.call("DEL", key)
    for i in range(0, n, 1000):
        R.call("SADD", key, *["%s%d" % (prefix, j) for j in range(i, min(n, i + 1000))])


def big_list(key, n):
    R.call("DEL", key)
    for i in range(0, n, 1000):
        R.call("RPUSH", key, *["element-%06d" % j for j in range(i, min(n, i + 1000))])


def big_zset(key, n):
    R.call("DEL", key)
    for i in range(0, n, 500):
        args = []
        for j in range(i, min(n, i + 500)):
            args += [j, "member-%d" % j]
        R.call("ZADD", key, *args)


def big_hash(key, n):
    R.call("DEL", key)
    for i in range(0, n, 500):
        args = []
        for j in range(i, min(n, i + 500)):
            args += ["field-%d" % j, "v%d" % j]
        R.call("HSET", key, *args)


def by_type():
    """Each type's encodings on both sides of the threshold."""
    R.call("FLUSHALL")
    cases = [
        ("unlink-set-64", big_set, 64),          # hash table, 64 entries
        ("unlink-set-65", big_set, 65),
        ("unlink-intset", lambda k, n: big_set(k, n, prefix=""), 1000),  # past 512: a table
        ("unlink-list-few-nodes", big_list, 1000),
        ("unlink-list-many-nodes", big_list, 100000),
        ("unlink-zset-listpack", big_zset, 100),
        ("unlink-zset-skiplist", big_zset, 1000),
        ("unlink-hash-listpack", big_hash, 100),
        ("unlink-hash-table", big_hash, 1000),
    ]
    for step, build, n in cases:
        build(step, n)
        freed_by(step, ("UNLINK", step))
    R.call("SET", "str", "x" * 100000)
    freed_by("unlink-string", ("UNLINK", "str"))
    freed_by("unlink-missing", ("UNLINK", "nosuchkey"))


def streams():
    R.call("FLUSHALL")
    R.call("CONFIG", "SET", "stream-node-max-entries", "5")
    for j in range(1000):
        R.call("XADD", "st", "*", "foo", j)
    R.call("XADD", "st-small", "*", "a", "b")
    R.call("XGROUP", "CREATE", "st-small", "g", "$")
    freed_by("unlink-stream-many-nodes", ("UNLINK", "st"))
    freed_by("unlink-stream-one-group", ("UNLINK", "st-small"))
    for j in range(20):
        R.call("XADD", "st-groups", "*", "f", j)
    for g in range(10):
        R.call("XGROUP", "CREATE", "st-groups", "g%d" % g, "0")
    R.call("XREADGROUP", "GROUP", "g0", "alice", "COUNT", "10", "STREAMS", "st-groups", ">")
    freed_by("unlink-stream-groups-with-pel", ("UNLINK", "st-groups"))
    R.call("CONFIG", "SET", "stream-node-max-entries", "100")


def del_and_flush():
    R.call("FLUSHALL")
    big_set("a", 200)
    freed_by("del-default", ("DEL", "a"))
    R.call("CONFIG", "SET", "lazyfree-lazy-user-del", "yes")
    big_set("a", 200)
    freed_by("del-lazy-user-del", ("DEL", "a"))
    R.call("CONFIG", "SET", "lazyfree-lazy-user-del", "no")
    for db in (0, 1):
        R.call("SELECT", db)
        R.call("MSET", *[x for j in range(300) for x in ("k%d" % j, j)])
    R.call("SELECT", 0)
    freed_by("flushdb-async", ("FLUSHDB", "ASYNC"))
    freed_by("flushall-sync", ("FLUSHALL", "SYNC"))
    R.call("MSET", *[x for j in range(300) for x in ("k%d" % j, j)])
    R.call("SELECT", 2)
    R.call("MSET", *[x for j in range(50) for x in ("k%d" % j, j)])
    R.call("SELECT", 0)
    freed_by("flushall-async", ("FLUSHALL", "ASYNC"))
    freed_by("flushall-async-empty", ("FLUSHALL", "ASYNC"))
    R.call("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes")
    R.call("MSET", *[x for j in range(100) for x in ("k%d" % j, j)])
    freed_by("flushall-lazy-user-flush", ("FLUSHALL",))
    R.call("MSET", *[x for j in range(100) for x in ("k%d" % j, j)])
    freed_by("flushdb-sync-beats-user-flush", ("FLUSHDB", "SYNC"))
    R.call("CONFIG", "SET", "lazyfree-lazy-user-flush", "no")


def server_del_and_expire():
    R.call("FLUSHALL")
    big_set("a", 200)
    freed_by("set-over-big-default", ("SET", "a", "x"))
    R.call("CONFIG", "SET", "lazyfree-lazy-server-del", "yes")
    big_set("a", 200)
    freed_by("set-over-big-server-del", ("SET", "a", "x"))
    big_set("a", 200)
    big_set("b", 200)
    freed_by("rename-over-big-server-del", ("RENAME", "b", "a"))
    freed_by("srem-all-server-del", ("SREM", "a", *["m%d" % j for j in range(200)]))
    R.call("CONFIG", "SET", "lazyfree-lazy-server-del", "no")
    R.call("CONFIG", "SET", "lazyfree-lazy-expire", "yes")
    R.call("DEBUG", "SET-ACTIVE-EXPIRE", 0)  # only the access expires it
    big_set("e", 200)
    R.call("PEXPIRE", "e", 1)
    time.sleep(0.05)
    freed_by("expired-on-access-lazy-expire", ("EXISTS", "e"))
    big_set("e", 200)
    freed_by("expire-in-past-lazy-expire", ("EXPIRE", "e", -1))
    R.call("CONFIG", "SET", "lazyfree-lazy-expire", "no")
    big_set("e", 200)
    R.call("PEXPIRE", "e", 1)
    time.sleep(0.05)
    freed_by("expired-on-access-default", ("EXISTS", "e"))
    R.call("DEBUG", "SET-ACTIVE-EXPIRE", 1)


def resetstat_and_memory():
    R.call("FLUSHALL")
    settle()
    big_set("a", 200)
    R.call("UNLINK", "a")
    settle()
    R.call("CONFIG", "RESETSTAT")
    print("resetstat: freed=%d" % info_field("lazyfreed_objects"))
    before = info_field("used_memory")
    big_set("big", 200000)
    peak = info_field("used_memory")
    R.call("UNLINK", "big")
    print("ping-after-unlink: %r" % R.call("PING"))
    settle()
    after = info_field("used_memory")
    print("memory-reclaimed: grew=%s back=%s" % (peak > before + 1000000, after < before + 200000))


def bgsave_while_freeing():
    """A fork taken while the thread frees: the child's snapshot is whole
    and the parent goes on."""
    R.call("FLUSHALL")
    settle()
    for k in range(20):
        big_set("f%d" % k, 5000)
    R.call("SET", "keep", "v")
    replies = [R.call("UNLINK", "f%d" % k) for k in range(20)]
    replies.append(R.call("BGSAVE"))
    for _ in range(500):
        if b"rdb_bgsave_in_progress:0" in R.call("INFO", "persistence"):
            break
        time.sleep(0.02)
    settle()
    status = b"rdb_last_bgsave_status:ok" in R.call("INFO", "persistence")
    print("bgsave-while-freeing: %r ok=%s dbsize=%r" % (sorted(set(replies)), status, R.call("DBSIZE")))


by_type()
streams()
del_and_flush()
server_del_and_expire()
resetstat_and_memory()
bgsave_while_freeing()

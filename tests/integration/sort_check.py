"""sort_check.py PORT -- SORT and SORT_RO as seen from the wire, printed as a
transcript that sort.sh takes from our server and from redis-server 7.0.15
and compares line for line.

Each line is "<step>: <raw reply bytes>": the exact bytes of one reply, so
error strings, nulls and RESP3 types compare byte for byte.  What is
covered: lists (integer and text elements, duplicates), sets (intset and
hashtable), sorted sets (listpack and skiplist) and missing keys; numeric
and ALPHA ordering, DESC, ties; BY with string keys and hash fields, BY
without '*' (nosort: the value's order, reversed by DESC for lists and
sorted sets), missing and unreadable weights; GET #, GET of strings, hash
fields, missing keys, a constant, "->" edge cases, binary elements; LIMIT
edge cases (negative, huge, zero, past the end); STORE (the list, its
encoding, TTL dropped, other types replaced, GET misses stored as "",
empty result deleting the destination, sets sorted even BY nosort);
weight syntax (spaces, hex, inf, nan, overflow, underflow, empty);
errors (syntax, LIMIT integers, WRONGTYPE, SORT_RO STORE, arity, and
their precedence); RESP3 nulls; COMMAND GETKEYS/INFO/DOCS; keyspace
notifications; what reaches the replication stream; keyspace hits and
misses counted by pattern lookups.
Debian's python3 only."""
import socket
import sys
import time

from wire import Raw, info_fields, sync_replica

PORT = int(sys.argv[1])
R = Raw(PORT, timeout=10)


def show(step, *args):
    print("%s: %r" % (step, R.call(*args)))


def quiet(*args):
    R.call(*args)


def fill():
    quiet("FLUSHALL")
    quiet("RPUSH", "l", 3, 1, 2, 10, -5, "1.5", 2, 0)
    quiet("RPUSH", "txt", "b", "a", "C", "aa", "", "b")
    quiet("SADD", "si", 5, 3, 9, -1, 7)
    quiet("SADD", "sh", "x", "y", "z", "w", "10", "9")
    quiet("ZADD", "zl", 1, "a", 5, "b", 2, "c", 10, "d", 3, "e")
    for i in range(200):
        quiet("ZADD", "zs", i % 7, "m%03d" % i)
    quiet("MSET", "w_3", 30, "w_1", 10, "w_2", 20, "w_10", -1, "w_-5", "7.5", "w_0", "3")
    quiet("HSET", "h_3", "f", "c", "n", 1)
    quiet("HSET", "h_1", "f", "a", "n", 3)
    quiet("HSET", "h_2", "f", "b")
    quiet("HSET", "h_10", "f", "10", "n", "x")


def orderings():
    show("list-numeric", "SORT", "l")
    show("list-desc", "SORT", "l", "DESC")
    show("list-alpha", "SORT", "l", "ALPHA")
    show("list-alpha-desc", "SORT", "l", "ALPHA", "DESC")
    show("txt-alpha", "SORT", "txt", "ALPHA")
    show("txt-numeric-error", "SORT", "txt")
    show("set-intset", "SORT", "si")
    show("set-intset-desc-limit", "SORT", "si", "DESC", "LIMIT", 1, 2)
    show("set-hashtable-alpha", "SORT", "sh", "ALPHA")
    show("set-hashtable-numeric-error", "SORT", "sh")
    quiet("ZADD", "zenc", 1, "a", 2, "b")
    show("zset-encoding-before", "OBJECT", "ENCODING", "zenc")
    show("zset-sort-ro", "SORT_RO", "zenc", "BY", "nosort")
    show("zset-encoding-after", "OBJECT", "ENCODING", "zenc")
    show("zset-alpha-desc", "SORT", "zl", "ALPHA", "DESC")
    show("zset-skiplist-alpha-limit", "SORT", "zs", "ALPHA", "LIMIT", 10, 5)
    show("missing-key", "SORT", "nokey")
    show("missing-key-get", "SORT", "nokey", "GET", "#", "LIMIT", 0, 10)
    show("asc-desc-last-wins", "SORT", "l", "DESC", "ASC")
    show("case-insensitive", "sort", "l", "dEsC", "aLpHa", "LiMiT", 0, 3)


def nosort():
    show("list-nosort", "SORT", "l", "BY", "nosort")
    show("list-nosort-desc", "SORT", "l", "BY", "nosort", "DESC")
    show("list-nosort-limit", "SORT", "l", "BY", "nosort", "LIMIT", 2, 3)
    show("list-nosort-desc-limit", "SORT", "l", "BY", "nosort", "DESC", "LIMIT", 2, 3)
    show("zset-nosort", "SORT", "zl", "BY", "nosort")
    show("zset-nosort-desc", "SORT", "zl", "BY", "nosort", "DESC")
    show("zset-nosort-limit", "SORT", "zl", "BY", "nosort", "LIMIT", 1, 2)
    show("zset-nosort-desc-limit", "SORT", "zl", "BY", "nosort", "DESC", "LIMIT", 1, 2)
    show("zset-skiplist-nosort-desc-limit", "SORT", "zs", "BY", "nosort", "DESC", "LIMIT", 3, 4)
    show("intset-nosort", "SORT", "si", "BY", "nosort")
    show("intset-nosort-desc", "SORT", "si", "BY", "nosort", "DESC")
    show("nosort-then-pattern", "SORT", "l", "BY", "nosort", "BY", "w_*")
    show("pattern-then-nosort", "SORT", "l", "BY", "w_*", "BY", "nosort")
    show("nosort-get", "SORT", "zl", "BY", "nosort", "GET", "#", "GET", "nothing_*")


def limits():
    for start, count in [(0, 0), (0, -1), (0, -2), (-5, 3), (-5, -5), (3, 100), (7, 1), (8, 1),
                         (100, 5), (2, 9223372036854775807), (9223372036854775807, 2),
                         (-9223372036854775808, 1)]:
        show("limit %d %d" % (start, count), "SORT", "l", "LIMIT", start, count)
        show("limit-by %d %d" % (start, count), "SORT", "l", "BY", "w_*", "LIMIT", start, count)
        show("limit-nosort-desc %d %d" % (start, count), "SORT", "l", "BY", "nosort", "DESC", "LIMIT",
             start, count)
        show("limit-zset-nosort %d %d" % (start, count), "SORT", "zl", "BY", "nosort", "LIMIT", start, count)
        show("limit-zset-nosort-desc-get %d %d" % (start, count), "SORT", "zs", "BY", "nosort", "DESC",
             "GET", "#", "GET", "w_*", "LIMIT", start, count)
    show("limit-twice", "SORT", "l", "LIMIT", 0, 2, "LIMIT", 3, 2)
    show("limit-not-integer", "SORT", "l", "LIMIT", "a", 2)
    show("limit-count-not-integer", "SORT", "l", "LIMIT", 0, "1.5")
    show("limit-overflow", "SORT", "l", "LIMIT", 0, "9223372036854775808")
    show("limit-one-arg", "SORT", "l", "LIMIT", 0)
    show("limit-no-args", "SORT", "l", "LIMIT")


def patterns():
    show("by-string", "SORT", "l", "BY", "w_*")
    show("by-string-desc", "SORT", "l", "BY", "w_*", "DESC")
    show("by-hash", "SORT", "l", "BY", "h_*->n")
    show("by-hash-alpha", "SORT", "l", "BY", "h_*->f", "ALPHA")
    show("by-hash-alpha-desc", "SORT", "l", "BY", "h_*->f", "ALPHA", "DESC")
    show("by-missing-all", "SORT", "l", "BY", "nothing_*")
    show("by-missing-alpha", "SORT", "l", "BY", "nothing_*", "ALPHA")
    show("by-wrong-type", "SORT", "l", "BY", "h_*")
    show("by-hash-of-string", "SORT", "l", "BY", "w_*->f")
    show("by-hash-bad-double", "SORT", "l", "BY", "h_*->f")
    show("get-hash", "SORT", "l", "GET", "#", "GET", "h_*->f", "GET", "w_*")
    show("get-constant", "SORT", "si", "GET", "w_1")
    show("get-hash-constant", "SORT", "si", "GET", "h_1->f")
    show("get-hash-field-empty", "SORT", "l", "BY", "nosort", "GET", "h_*->")
    quiet("SET", "h_3->", "arrow")
    show("get-arrow-at-end", "SORT", "l", "BY", "nosort", "GET", "h_*->")
    show("get-arrow-before-star", "SORT", "l", "BY", "nosort", "GET", "h->_*")
    quiet("SET", "w_3_*", "second-star")
    show("get-two-stars", "SORT", "l", "BY", "nosort", "GET", "w_*_*")
    show("get-hash-two-arrows", "SORT", "l", "BY", "nosort", "GET", "h_*->f->g")
    show("get-sharp-prefix", "SORT", "l", "BY", "nosort", "GET", "#x")
    show("get-sharp-lower-get", "SORT", "l", "by", "nosort", "get", "#", "get", "#")
    quiet("RPUSH", "bin", b"a\x00b", b"\xff", b"a")
    quiet("SET", b"k_a\x00b", b"v\x00")
    show("binary-alpha", "SORT", "bin", "ALPHA")
    show("binary-get", "SORT", "bin", "ALPHA", "GET", "k_*", "GET", "#")
    show("binary-store-alpha", "SORT", "bin", "ALPHA", "STORE", "binres")
    show("binary-stored", "LRANGE", "binres", 0, -1)
    quiet("SET", "int_1", 12345)
    quiet("HSET", "hint_1", "f", 678)
    show("get-int-encoded", "SORT", "l", "BY", "nosort", "GET", "int_*", "GET", "hint_*->f")


def weights():
    quiet("DEL", "wl")
    quiet("RPUSH", "wl", "a", "b", "c", "d")
    cases = [(" 1", "2", "3", "4"), ("1 ", "2", "3", "4"), ("0x10", "2", "3", "1"),
             ("inf", "-inf", "0", "1"), ("nan", "1", "2", "3"), ("", "-1", "2", "3"),
             ("+5", "-0", "0", "3"), ("1.5e3", "15e2", "1500", "1499.9999"),
             # Last: Redis does not clear errno before strtod, so its ERANGE
             # lingers into later numeric sorts until FLUSHALL (fill) runs.
             ("1e400", "1", "2", "3"), ("1e-400", "1", "2", "3")]
    for i, ws in enumerate(cases):
        for ele, w in zip("abcd", ws):
            quiet("SET", "ww_" + ele, w)
        show("weights-%d" % i, "SORT", "wl", "BY", "ww_*")
        show("weights-desc-%d" % i, "SORT", "wl", "BY", "ww_*", "DESC")
    fill()
    quiet("DEL", "el")
    quiet("RPUSH", "el", "3", " 2", "1e1", "0x3", "-inf")
    show("elements-as-weights", "SORT", "el")
    quiet("RPUSH", "el", "x")
    show("elements-bad", "SORT", "el")
    show("elements-bad-store-nothing", "SORT", "el", "STORE", "elres")
    show("elements-bad-store-exists", "EXISTS", "elres")
    quiet("DEL", "ties")
    quiet("RPUSH", "ties", "b", "a", "c", "ab", "a")
    quiet("MSET", "t_a", 1, "t_b", 1, "t_c", 0, "t_ab", 1)
    show("numeric-ties-by-element", "SORT", "ties", "BY", "t_*")
    show("numeric-ties-desc", "SORT", "ties", "BY", "t_*", "DESC")
    show("alpha-by-ties-keep-order", "SORT", "ties", "BY", "t_*", "ALPHA")
    show("alpha-by-ties-desc", "SORT", "ties", "BY", "t_*", "ALPHA", "DESC")


def store():
    show("store-list", "SORT", "l", "STORE", "dst")
    show("store-lrange", "LRANGE", "dst", 0, -1)
    show("store-encoding", "OBJECT", "ENCODING", "dst")
    show("store-type", "TYPE", "dst")
    quiet("EXPIRE", "dst", 100)
    show("store-again", "SORT", "l", "DESC", "LIMIT", 0, 3, "STORE", "dst")
    show("store-ttl-dropped", "TTL", "dst")
    quiet("SET", "strdst", "x")
    show("store-over-string", "SORT", "l", "STORE", "strdst")
    show("store-over-string-type", "TYPE", "strdst")
    show("store-get", "SORT", "l", "GET", "#", "GET", "h_*->f", "STORE", "gdst")
    show("store-get-lrange", "LRANGE", "gdst", 0, -1)
    show("store-empty-limit", "SORT", "l", "LIMIT", 100, 1, "STORE", "gdst")
    show("store-empty-deleted", "EXISTS", "gdst")
    show("store-missing-source", "SORT", "nokey", "STORE", "dst")
    show("store-missing-deleted", "EXISTS", "dst")
    show("store-missing-again", "SORT", "nokey", "STORE", "dst")
    show("store-set-nosort-sorted", "SORT", "sh", "BY", "nosort", "STORE", "sdst")
    show("store-set-nosort-lrange", "LRANGE", "sdst", 0, -1)
    show("store-set-nosort-limit", "SORT", "sh", "BY", "nosort", "DESC", "LIMIT", 1, 3, "STORE", "sdst")
    show("store-set-nosort-limit-lrange", "LRANGE", "sdst", 0, -1)
    show("store-set-nosort-get", "SORT", "sh", "BY", "const", "GET", "#", "STORE", "sdst")
    show("store-zset-nosort-desc", "SORT", "zl", "BY", "nosort", "DESC", "STORE", "zdst")
    show("store-zset-lrange", "LRANGE", "zdst", 0, -1)
    show("store-alpha-bytewise", "SORT", "txt", "ALPHA", "STORE", "tdst")
    show("store-alpha-lrange", "LRANGE", "tdst", 0, -1)
    show("store-onto-source", "SORT", "l", "STORE", "l")
    show("store-onto-source-lrange", "LRANGE", "l", 0, -1)
    show("store-last-wins", "SORT", "si", "STORE", "d1", "STORE", "d2")
    show("store-last-wins-d1", "EXISTS", "d1")
    show("store-last-wins-d2", "LRANGE", "d2", 0, -1)
    big = ["e%05d" % i for i in range(300)]
    quiet("SADD", "bigset", *big)
    show("store-big", "SORT", "bigset", "ALPHA", "STORE", "bigdst")
    show("store-big-encoding", "OBJECT", "ENCODING", "bigdst")
    show("store-big-range", "LRANGE", "bigdst", 150, 153)
    show("store-big-llen", "LLEN", "bigdst")


def errors():
    show("syntax-unknown", "SORT", "l", "FOO")
    show("syntax-by-no-arg", "SORT", "l", "BY")
    show("syntax-get-no-arg", "SORT", "l", "GET")
    show("syntax-store-no-arg", "SORT", "l", "STORE")
    show("syntax-before-wrongtype", "SORT", "w_1", "FOO")
    show("limit-error-before-wrongtype", "SORT", "w_1", "LIMIT", "x", 1)
    show("wrongtype-string", "SORT", "w_1")
    show("wrongtype-hash", "SORT", "h_1", "BY", "nosort")
    show("wrongtype-store", "SORT", "w_1", "STORE", "dst")
    show("arity", "SORT")
    show("sort-ro-arity", "SORT_RO")
    show("sort-ro", "SORT_RO", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f", "DESC", "LIMIT", 1, 3)
    show("sort-ro-store", "SORT_RO", "l", "STORE", "x")
    show("sort-ro-store-exists", "EXISTS", "x")
    show("sort-ro-alpha", "SORT_RO", "txt", "ALPHA")
    show("syntax-after-limit-error", "SORT", "l", "LIMIT", 1, "x", "FOO")


def resp3():
    quiet("HELLO", 3)
    show("resp3-get-null", "SORT", "l", "LIMIT", 0, 2, "GET", "#", "GET", "nothing_*")
    show("resp3-store", "SORT", "l", "STORE", "r3dst")
    show("resp3-error", "SORT", "txt")
    quiet("HELLO", 2)


def introspection():
    for args in [("sort", "abc"), ("sort", "abc", "store", "def"),
                 ("sort", "abc", "store", "invalid", "store", "stillbad", "store", "def"),
                 ("sort", "abc", "by", "store", "get", "x"), ("sort", "abc", "store"),
                 ("sort", "abc", "limit", "store", "x", "store", "y"),
                 ("sort", "abc", "get", "#", "STORE", "d", "by", "w_*"), ("sort_ro", "abc"),
                 ("sort_ro", "abc", "store", "d")]:
        show("getkeys " + " ".join(args), "COMMAND", "GETKEYS", *args)
    show("getkeysandflags", "COMMAND", "GETKEYSANDFLAGS", "sort", "a", "store", "b")
    show("getkeysandflags-ro", "COMMAND", "GETKEYSANDFLAGS", "sort_ro", "a")
    show("command-info", "COMMAND", "INFO", "sort", "sort_ro")
    show("command-docs", "COMMAND", "DOCS", "sort", "sort_ro")
    # COMMAND LIST's order is Redis's command table hash order: sorted here
    names = R.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "sort*").split(b"\r\n")
    print("command-list-filter: %r" % sorted(w for w in names[2::2] if w))


def notifications():
    sub = Raw(PORT, timeout=10)
    sub.call("PSUBSCRIBE", "__key*__:*")
    quiet("CONFIG", "SET", "notify-keyspace-events", "KEA")
    quiet("SORT", "l", "STORE", "ndst")
    quiet("SORT", "l", "LIMIT", 0, 0, "STORE", "ndst")
    quiet("SORT", "l", "LIMIT", 0, 0, "STORE", "ndst")
    quiet("SORT", "nokey", "BY", "w_*")
    quiet("SORT", "l", "BY", "nothing_*", "LIMIT", 0, 1, "GET", "nothing2_*")
    quiet("SET", "marker", 1)
    quiet("CONFIG", "SET", "notify-keyspace-events", "")
    while True:
        msg = sub.read()
        print("notify: %r" % msg)
        if b"marker" in msg and b"keyevent" in msg:
            break
    sub.s.close()


def stats():
    quiet("CONFIG", "RESETSTAT")
    quiet("SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f", "GET", "nothing_*")
    info = info_fields(R, "stats")
    for name in ("keyspace_hits", "keyspace_misses"):
        if name in info:
            print("stats: %s:%s" % (name, info[name]))


def replication():
    """Commands that reach the replication stream (SYNC as a replica)."""
    quiet("CONFIG", "SET", "repl-ping-replica-period", 3600)
    rep = sync_replica(PORT)
    quiet("SORT", "l", "STORE", "rdst")
    quiet("SORT", "l")
    quiet("SORT", "nokey", "STORE", "rdst")
    quiet("SORT", "nokey", "STORE", "rdst")
    quiet("SORT", "txt", "STORE", "rdst")
    quiet("SORT_RO", "l", "BY", "w_*")
    quiet("SORT", "sh", "BY", "nosort", "STORE", "rdst")
    quiet("MULTI")
    quiet("SORT", "l", "LIMIT", 0, 2, "STORE", "rdst2")
    quiet("SORT", "l")
    quiet("SORT", "l", "BY", "nosort", "STORE", "rdst3")
    quiet("EXEC")
    quiet("SET", "replmarker", 1)
    while True:
        msg = rep.read()
        if msg.lower().startswith(b"*1\r\n$4\r\nping"):
            continue
        print("repl: %r" % msg)
        if b"replmarker" in msg:
            break
    rep.s.close()


def main():
    fill()
    orderings()
    nosort()
    limits()
    patterns()
    weights()
    store()
    fill()
    errors()
    resp3()
    introspection()
    notifications()
    stats()
    fill()
    replication()
    time.sleep(0)


main()

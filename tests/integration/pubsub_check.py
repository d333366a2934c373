"""pubsub_check.py OURS_PORT REF_PORT -- pub/sub and keyspace notifications
compared byte for byte with redis-server 7.0.15, several connections at a
time (the conformance fixtures have one connection per case).

Each scenario runs the same steps against both servers, on fresh
connections named a, b, c...; a step sends one command on one connection,
then every connection is read until it has been quiet for a moment, and
what each connection received is compared.  Prints "PASS name" or
"FAIL name: step ...: want ... got ..." per scenario.

Steps are (conn, command) with the command split on blanks, or a list of
words; special commands:
  @clientinfo   CLIENT INFO reduced to flags= sub= psub= ssub=
  @info         INFO stats reduced to the pubsub_* lines
  @close        close the connection
  @mute         stop reading the connection (a slow subscriber)
  @sleep S      wait S seconds (expiry)
Debian's python3 only."""
import re
import select
import socket
import sys
import time

QUIET = 0.01


def encode(words):
    out = [b"*%d\r\n" % len(words)]
    for w in words:
        b = w if isinstance(w, bytes) else w.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def settle(conns, primary):
    """What each connection received after a step: first up to 0.3 s for
    the stepping connection's reply, then until all have been quiet for
    QUIET s (a server writes a step's messages to every subscriber in the
    same loop iteration as the reply, so they are on their way by then)."""
    got = {n: b"" for n in conns}
    socks = {s: n for n, s in conns.items()}
    if primary in conns:
        select.select([conns[primary]], [], [], 0.3)
    while socks:
        ready, _, _ = select.select(list(socks), [], [], QUIET)
        if not ready:
            break
        for s in ready:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                got[socks.pop(s)] += b"<closed>"
            else:
                got[socks[s]] += chunk
    return got


def split_replies(data, pos=0, count=None):
    """The RESP replies in data from pos (count of them, or all)."""
    out = []
    def skip(pos):
        end = data.index(b"\r\n", pos)
        t, n = data[pos:pos + 1], data[pos + 1:end]
        pos = end + 2
        if t == b"$" and int(n) >= 0:
            return pos + int(n) + 2
        if t in (b"*", b">", b"~", b"%") and int(n) > 0:
            for _ in range(int(n) * (2 if t == b"%" else 1)):
                pos = skip(pos)
        return pos
    while pos < len(data) and (count is None or len(out) < count):
        try:
            end = skip(pos)
        except ValueError:
            out.append(data[pos:])
            break
        out.append(data[pos:end])
        pos = end
    return out


def unordered_form(data):
    """Replies as a multiset, each aggregate's elements too (KEYS, PUBSUB
    CHANNELS), counts masked: Redis lists channels and keys in the order of
    a dict with a random seed, and UNSUBSCRIBE's counts follow that order."""
    out = []
    for r in split_replies(data):
        if r[:1] in (b"*", b">", b"~") and int(r[1:r.index(b"\r\n")]) > 0:
            head = r[:r.index(b"\r\n") + 2]
            r = head + b"".join(sorted(split_replies(r, len(head))))
        out.append(re.sub(rb":\d+\r\n", b":N\r\n", r))
    return b"".join(sorted(out))


def normalise(data):
    # HELLO's map holds the connection id, which differs between servers
    return re.sub(rb"(\$2\r\nid\r\n:)\d+", rb"\1N", data)


def reduce_client_info(data):
    fields = re.findall(rb"(?:flags|sub|psub|ssub)=\S*", data)
    return b" ".join(fields)


def reduce_info(data):
    return b" ".join(re.findall(rb"pubsub\w*:\d+", data))


def run(port, steps):
    conns, transcript, carried, muted = {}, [], {}, {}
    for name, cmd in steps:
        words = cmd.split() if isinstance(cmd, str) else cmd
        # "~CMD": Redis answers in its dict's (seeded) order: compare the
        # replies as a multiset
        unordered = words[0].startswith("~")
        words = [words[0].lstrip("~")] + words[1:]
        if name not in conns:
            conns[name] = socket.create_connection(("127.0.0.1", port))
        special = words[0] if words and words[0].startswith("@") else None
        sock = conns[name]
        if special == "@close":
            sock.close()
            del conns[name]
        elif special == "@mute":
            muted[name] = conns.pop(name)
        elif special == "@sleep":
            time.sleep(float(words[1]))
        elif special == "@clientinfo":
            sock.sendall(encode(["CLIENT", "INFO"]))
        elif special == "@info":
            sock.sendall(encode(["INFO", "stats"]))
        else:
            sock.sendall(encode(words))
        got = settle(conns, None if special in ("@close", "@sleep") else name)
        for n, data in got.items():
            data = normalise(data)
            if n == name and special == "@clientinfo" or words[:2] == ["CLIENT", "LIST"]:
                data = reduce_client_info(data)
            if n == name and special == "@info":
                data = reduce_info(data)
            if unordered:
                data = unordered_form(data)
            got[n] = carried.pop(n, b"") + data
        if special == "@sleep":
            # what arrives while waiting (active expiry) counts with the
            # next step (the lazy expiry it would otherwise trigger)
            carried = got
            continue
        transcript.append(((name, " ".join(w if isinstance(w, str) else repr(w) for w in words)), got))
    for s in list(conns.values()) + list(muted.values()):
        s.close()
    return transcript


def setup(*extra):
    return [("setup", "FLUSHALL"), ("setup", "CONFIG SET notify-keyspace-events " + " ".join(extra))
            if extra else ("setup", ["CONFIG", "SET", "notify-keyspace-events", ""]), ("setup", "@close")]


SCENARIOS = {}


def scenario(name, steps):
    SCENARIOS[name] = steps


scenario("resp2/basics", setup() + [
    ("a", "SUBSCRIBE c1 c2"), ("b", "PUBLISH c1 hello"), ("b", "PUBLISH nobody x"),
    ("a", "PING"), ("a", "PING hi"), ("a", "GET k"), ("a", "MULTI"), ("a", "CLIENT INFO"),
    ("a", "PSUBSCRIBE c*"), ("b", "PUBLISH c2 yo"), ("a", "SUBSCRIBE c1"),
    ("a", "UNSUBSCRIBE nope"), ("a", "~UNSUBSCRIBE"), ("a", "GET k"), ("a", "PUNSUBSCRIBE"),
    ("a", "GET k"), ("a", "UNSUBSCRIBE"), ("a", "PUNSUBSCRIBE"), ("a", "SUNSUBSCRIBE"), ("a", "PING")])

scenario("resp2/delivery-order", setup() + [
    ("a", "SUBSCRIBE ch"), ("b", "SUBSCRIBE ch"), ("c", "PSUBSCRIBE c*"), ("c", "PSUBSCRIBE *h"),
    ("b", "PSUBSCRIBE ch"), ("d", "~PUBLISH ch m1"), ("d", "~PUBLISH ch \"\""), ("a", "UNSUBSCRIBE ch"),
    ("d", "~PUBLISH ch m2"), ("d", "PUBSUB NUMSUB ch"), ("d", "PUBSUB NUMPAT"), ("b", "@close"),
    ("d", "PUBSUB NUMSUB ch"), ("d", "PUBSUB NUMPAT"), ("d", "~PUBLISH ch m3")])

scenario("patterns/glob", setup() + [
    ("a", "PSUBSCRIBE h?llo"), ("a", "PSUBSCRIBE h[ae]llo"), ("a", ["PSUBSCRIBE", "h\\*llo"]),
    ("a", "PSUBSCRIBE h[^e]llo"), ("a", "PSUBSCRIBE h[a-c]llo"), ("a", "PSUBSCRIBE h?llo"),
    ("b", "~PUBLISH hello 1"), ("b", "~PUBLISH hallo 2"), ("b", "~PUBLISH h*llo 3"), ("b", "~PUBLISH hbllo 4"),
    ("b", "PUBLISH HELLO 5"), ("b", "PUBSUB NUMPAT"), ("a", "PUNSUBSCRIBE h?llo nothere"),
    ("b", "PUBSUB NUMPAT"), ("a", "PUNSUBSCRIBE")])

scenario("shard/basics", setup() + [
    ("a", "SSUBSCRIBE s1 s2"), ("a", "SSUBSCRIBE s1"), ("a", "SUBSCRIBE c1"), ("a", "PSUBSCRIBE s*"),
    ("b", "SPUBLISH s1 m"), ("b", "PUBLISH s1 m"), ("b", "SPUBLISH c1 m"), ("b", "~PUBSUB SHARDCHANNELS"),
    ("b", "PUBSUB SHARDCHANNELS s1*"), ("b", "PUBSUB SHARDNUMSUB s1 s3"), ("b", "PUBSUB SHARDNUMSUB"),
    ("b", "PUBSUB CHANNELS"), ("a", "@clientinfo"), ("a", "SUNSUBSCRIBE s1"), ("a", "~SUNSUBSCRIBE"),
    ("a", "SUNSUBSCRIBE"), ("a", "~UNSUBSCRIBE"), ("a", "PUNSUBSCRIBE"), ("a", "@clientinfo"),
    ("b", "PUBSUB SHARDCHANNELS")])

scenario("resp2/reset-quit-multi", setup() + [
    ("a", "SSUBSCRIBE s"), ("a", "SET k v"), ("a", "RESET"), ("b", "PUBSUB SHARDNUMSUB s"),
    ("a", "SET k v"), ("a", "SUBSCRIBE c"), ("a", "EXEC"), ("a", "QUIT"),
    ("b", "PUBSUB NUMSUB c"), ("c", "MULTI"), ("c", "SUBSCRIBE x"), ("c", "PSUBSCRIBE y*"),
    ("c", "SSUBSCRIBE z"), ("c", "EXEC"), ("c", "PING"), ("c", "@clientinfo"), ("b", "PUBLISH x 1"),
    ("b", "PUBLISH yy 2"), ("d", "MULTI"), ("d", "SSUBSCRIBE z"), ("d", "EXEC")])

BIG = "x" * (1 << 20)
scenario("obuf/pubsub-class", setup() + [
    ("a", "SUBSCRIBE big"), ("a", "@mute"),
    ("b", ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"])] +
    [("b", ["~PUBLISH", "big", BIG])] * 40 + [
    ("b", "PUBSUB NUMSUB big"), ("b", "CONFIG GET client-output-buffer-limit"),
    ("b", ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60"]),
    ("c", "SUBSCRIBE k"), ("d", "PSUBSCRIBE k"), ("e", "SSUBSCRIBE k"), ("b", "CLIENT KILL TYPE pubsub"),
    ("b", "CLIENT KILL TYPE normal SKIPME yes"), ("b", "PUBSUB NUMSUB k"), ("b", "PUBSUB NUMPAT")])

# Redis never closes an idle subscribed client (timeout)
scenario("timeout/subscribed-stay", setup() + [
    ("a", "SUBSCRIBE idle"), ("b", "CONFIG SET timeout 1"), ("x", "@sleep 2.5"), ("a", "PING"),
    ("b", "PING"), ("c", "CONFIG SET timeout 0"), ("a", "UNSUBSCRIBE"), ("a", "PING")])

scenario("resp3/basics", setup() + [
    ("a", "HELLO 3"), ("a", "SUBSCRIBE c1"), ("a", "GET k"), ("a", "PING"), ("a", "PUBLISH c1 self"),
    ("a", "PSUBSCRIBE c*"), ("a", "PUBLISH c1 both"), ("b", "PUBLISH c1 other"), ("a", "UNSUBSCRIBE"),
    ("a", "PUNSUBSCRIBE"), ("a", "PUNSUBSCRIBE"), ("a", "SSUBSCRIBE s"), ("a", "SPUBLISH s m"),
    ("a", "MULTI"), ("a", "PUBLISH s x"), ("a", "SPUBLISH s y"), ("a", "EXEC"), ("a", "@clientinfo"),
    ("a", "HELLO 2"), ("a", "GET k"), ("a", "PING"), ("a", "HELLO 3"), ("a", "GET k"), ("a", "RESET"),
    ("a", "PING")])

scenario("client-reply-off", setup() + [
    ("a", "HELLO 3"), ("a", "CLIENT REPLY OFF"), ("a", "SUBSCRIBE ch"), ("a", "PSUBSCRIBE p*"),
    ("b", "PUBLISH ch 1"), ("b", "PUBLISH pq 2"), ("a", "PING"), ("a", "UNSUBSCRIBE ch"),
    ("a", "PUNSUBSCRIBE"), ("a", "SSUBSCRIBE s"), ("b", "SPUBLISH s 3"), ("a", "CLIENT REPLY ON"),
    ("a", "SUNSUBSCRIBE"), ("c", "SUBSCRIBE skip"), ("c", "UNSUBSCRIBE"), ("c", "CLIENT REPLY SKIP"),
    ("c", "SUBSCRIBE x"), ("b", "PUBLISH x 4")])

scenario("pubsub/introspection", setup() + [
    ("a", "SUBSCRIBE news.1 news.2 other"), ("a", "PSUBSCRIBE n* n* o*"), ("b", "~PUBSUB CHANNELS news.*"),
    ("b", "PUBSUB CHANNELS nomatch*"), ("b", "PUBSUB NUMSUB"), ("b", "PUBSUB NUMSUB news.1 zzz news.1"),
    ("b", "PUBSUB NUMPAT"), ("b", "PUBSUB NUMPAT x"), ("b", "PUBSUB CHANNELS a b"), ("b", "PUBSUB HELP"),
    ("b", "PUBSUB help"), ("b", "PUBSUB FOO"), ("b", "PUBSUB"), ("b", "PUBLISH onlytwo"),
    ("b", "SUBSCRIBE"), ("b", "PSUBSCRIBE"), ("b", "SSUBSCRIBE"), ("b", "SPUBLISH a"),
    ("b", "@info"), ("a", "@clientinfo"), ("b", "@clientinfo"), ("b", "CLIENT LIST TYPE pubsub"),
    ("a", "~UNSUBSCRIBE"), ("b", "@info"), ("a", "~PUNSUBSCRIBE"), ("b", "@info")])

# Keyspace notifications: connection s subscribes to everything, w works.
KS_STRINGS = [
    "SET k v", "SET k v2 EX 100", "SET k v3 KEEPTTL", "SET k v4 NX", "SET k v5 XX GET", "SETNX n1 a",
    "SETNX n1 b", "SETEX se 100 v", "PSETEX pse 100000 v", "MSET m1 a m2 b", "MSETNX m3 a m4 b",
    "MSETNX m3 a m5 b", "APPEND ap x", "APPEND ap y", "SETRANGE sr 3 abc", "SETRANGE sr 0 z",
    "SETRANGE sr 1 \"\"", "SETRANGE empty 5 \"\"", "INCR i", "DECR i", "INCRBY i 5", "DECRBY i 2",
    "INCRBYFLOAT f 1.5", "INCRBYFLOAT f 1e400", "INCR k", "GETSET gs a", "GETSET gs b", "GET gs",
    "GETRANGE gs 0 -1", "STRLEN gs", "GETDEL gs", "GETDEL gs", "SET ge v", "GETEX ge EX 100",
    "GETEX ge PERSIST", "GETEX ge PERSIST", "GETEX ge", "GETEX ge EXAT 1", "MGET m1 nokey", "LCS m1 m2",
]
KS_KEYS = [
    "SET a 1", "SET b 2", "DEL a nokey b", "SET a 1", "UNLINK a", "SET a 1", "RENAME a b", "SET c 3",
    "RENAME c b", "RENAMENX b b", "SET d 4", "RENAMENX b d", "RENAMENX b e", "MOVE e 1", "MOVE d 1",
    "SET d 5", "COPY d f", "COPY d f", "COPY d f REPLACE", "COPY d g DB 2", "EXISTS d nokey", "TYPE d",
    "TYPE nokey", "TOUCH d nokey", "OBJECT ENCODING nokey", "OBJECT ENCODING d", "~KEYS *",
    "SELECT 3", "SET db3 x", "DEL db3", "SELECT 0",
]
KS_TTL = [
    "SET t v", "EXPIRE t 100", "PEXPIRE t 100000", "EXPIRE t 100 NX", "EXPIREAT t 4000000000",
    "PEXPIREAT t 4000000000000 GT", "TTL nokey", "PTTL nokey", "EXPIRETIME t", "PERSIST t", "PERSIST t",
    "EXPIRE nokey 10", "EXPIRE t 0", "SET t v", "PEXPIREAT t 1", "SET lazy v PX 50", "@sleep 0.15",
    "GET lazy", "SET lazy2 v PX 50", "@sleep 0.15", "EXISTS lazy2", "SET act v PX 50", "@sleep 0.5",
    "DBSIZE",
]
PAYLOAD = b"\x00\x05hello\n\x00cr\xdfve4 \n"  # DUMP of the string "hello"
KS_SERVER = [
    "SET r v", "DUMP r", ["RESTORE", "r", "0", PAYLOAD], ["RESTORE", "r2", "0", PAYLOAD],
    ["RESTORE", "r2", "0", PAYLOAD, "REPLACE"], ["RESTORE", "r2", "100000", PAYLOAD, "REPLACE"],
    ["RESTORE", "r2", "1", PAYLOAD, "REPLACE", "ABSTTL"], ["RESTORE", "r3", "1", PAYLOAD, "ABSTTL"], "FLUSHDB", "SET x 1", "SWAPDB 0 1", "SWAPDB 0 1", "FLUSHALL", "SET y 1",
    "CONFIG SET notify-keyspace-events \"\"", "SET z 1",
]


def quoted(cmds):
    # '""' in the lists above stands for an empty argument
    out = []
    for c in cmds:
        out.append([("" if w == '""' else w) for w in c.split()] if isinstance(c, str) and '""' in c else c)
    return out


FAMILIES = {"strings": KS_STRINGS, "keys": KS_KEYS, "ttl": KS_TTL, "server": KS_SERVER}
for label, flags, fams in (("all", "KEA", "strings keys ttl server"), ("new", "KEAn", "strings keys ttl server"),
                           ("keyspace-only", "Kg$x", "strings ttl"), ("keyevent-only", "E$", "strings"),
                           ("keymiss", "KEm", "strings keys ttl"), ("generic", "Eg", "keys"),
                           ("expired", "Ex", "ttl")):
    for fam in fams.split():
        steps = setup(flags) + [("s", ["PSUBSCRIBE", "__key*__:*"])]
        for c in quoted(FAMILIES[fam]):
            steps.append(("w", c))
        SCENARIOS["keyspace/%s/%s" % (label, fam)] = steps

# RESP3: one connection subscribes to its own events (reply/event order).
steps = setup("KEA") + [("a", "HELLO 3"), ("a", ["PSUBSCRIBE", "__key*__:*"])]
for c in quoted(KS_STRINGS + KS_KEYS + KS_TTL[:15]):
    steps.append(("a", c))
SCENARIOS["keyspace/resp3-self"] = steps

CONFIG_VALUES = ["KEA", "AKE", "Ag$lshzxeKEtmdn", "gx$lshzetd", "Kx", "E", "m", "n", "KEm", "$", "Kl", "bad",
                 "KEAz", "", "AKEmn"]
steps = []
for v in CONFIG_VALUES:
    steps += [("a", ["CONFIG", "SET", "notify-keyspace-events", v]),
              ("a", "CONFIG GET notify-keyspace-events")]
steps.append(("a", ["CONFIG", "SET", "notify-keyspace-events", "a", "b"]))
steps.append(("a", ["CONFIG", "SET", "notify-keyspace-events", ""]))
SCENARIOS["config/notify-keyspace-events"] = steps


def main():
    ours, ref = int(sys.argv[1]), int(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    for name, steps in SCENARIOS.items():
        if only and only not in name:
            continue
        want, got = run(ref, steps), run(ours, steps)
        bad = next(((w, g) for w, g in zip(want, got) if w != g), None)
        if bad is None:
            print("PASS pubsub/%s" % name)
        else:
            (step, w), (_, g) = bad
            print("FAIL pubsub/%s: step %s: want %r got %r" % (name, step, w, g))


if __name__ == "__main__":
    main()

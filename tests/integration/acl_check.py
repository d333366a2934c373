"""acl_check.py OURS_PORT REF_PORT -- ACL replies compared byte for byte with
redis-server 7.0.15: SETUSER rule strings and their errors, GETUSER, LIST,
USERS, CAT, DRYRUN, NOPERM refusals, AUTH/HELLO, WHOAMI, DELUSER, GENPASS
errors, HELP and LOG entries (age-seconds and the client-info line dropped:
they hold times and ids).  Each case runs its commands on fresh connections
of both servers, after resetting the users.  ACL CAT <category>, whose order
Redis takes from a randomly seeded hash, is compared sorted; rule strings
are chosen with at most one single command (Redis lists several in hash
order too).  `python3 acl_check.py OURS REF list` prints ACL LIST of both
(the start-up checks of acl.sh).  Prints PASS/FAIL per case.
Debian's python3 only."""
import socket
import sys


def enc(words):
    out = [b"*%d\r\n" % len(words)]
    for w in words:
        b = w if isinstance(w, bytes) else w.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t in b"+-:,_#(":
            return line
        if t in b"$=":
            n = int(rest)
            return line if n < 0 else line + self.f.read(n + 2)
        if t in b"*~>%":
            n = int(rest)
            parts = [line]
            for _ in range(n * (2 if t == b"%" else 1) if n > 0 else 0):
                parts.append(self.read())
            return parts
        return line

    def cmd(self, words):
        self.s.sendall(enc(words))
        return self.read()


def flat(r):
    return b"".join(flat(x) for x in r) if isinstance(r, list) else r


def sorted_items(r):
    return (r[0], sorted(flat(x) for x in r[1:])) if isinstance(r, list) else r


def log_entries(r):
    """ACL LOG without age-seconds and client-info values (times, ids)."""
    if not isinstance(r, list):
        return r
    out = [r[0]]
    for e in r[1:]:
        fields = e[1:]
        kept = []
        for i in range(0, len(fields), 2):
            k = flat(fields[i])
            if b"age-seconds" in k:
                continue
            v = fields[i + 1]
            if b"client-info" in k:
                v = b" ".join(w for w in flat(v).split(b" ") if w.split(b"=")[0] in (b"flags", b"db", b"cmd", b"user", b"resp", b"name"))
            kept += [k, flat(v)]
        out.append(kept)
    return out


def hello(r):
    """HELLO's map without the connection id's value."""
    if not isinstance(r, list):
        return r
    return [x for i, x in enumerate(r) if not (i > 0 and r[i - 1] == b"$2\r\nid\r\n")]


NORM = {"sorted": sorted_items, "log": log_entries, "hello": hello}

# (name, [steps]); a step is (conn, words) or (conn, words, normaliser).
CASES = [
    ("list-default", [(0, "ACL LIST"), (0, "ACL USERS"), (0, "ACL WHOAMI")]),
    ("setuser-basic", [(0, "ACL SETUSER alice on >pw ~k* +@read -get &ch"), (0, "ACL LIST"),
                       (0, "ACL GETUSER alice"), (0, "ACL USERS")]),
    ("setuser-categories", [(0, "ACL SETUSER u1 on nopass +@all -@dangerous"), (0, "ACL SETUSER u2 -@all +@hash +@string"),
                            (0, "ACL SETUSER u3 +@all -@write"), (0, "ACL SETUSER u4 allcommands nocommands +@set"),
                            (0, "ACL LIST")]),
    ("setuser-single-commands", [(0, "ACL SETUSER u -@all +get"), (0, "ACL GETUSER u"),
                                 (0, "ACL SETUSER v +@all -flushall"), (0, "ACL GETUSER v"),
                                 (0, "ACL SETUSER w -@all +config|get"), (0, "ACL GETUSER w"),
                                 (0, "ACL SETUSER x -@all +select|0"), (0, "ACL GETUSER x")]),
    ("setuser-keys", [(0, "ACL SETUSER k %R~r* %W~w* %RW~b* ~a* ~a*"), (0, "ACL GETUSER k"),
                      (0, "ACL SETUSER k allkeys"), (0, "ACL GETUSER k"), (0, "ACL SETUSER k ~x"),
                      (0, "ACL SETUSER k resetkeys ~x %R~x"), (0, "ACL GETUSER k")]),
    ("setuser-channels", [(0, "ACL SETUSER c &a &b &a"), (0, "ACL GETUSER c"), (0, "ACL SETUSER c allchannels"),
                          (0, "ACL SETUSER c &z"), (0, "ACL SETUSER c resetchannels &z"), (0, "ACL LIST")]),
    ("setuser-passwords", [(0, "ACL SETUSER p >one >two >one"), (0, "ACL GETUSER p"), (0, "ACL SETUSER p <one"),
                           (0, "ACL SETUSER p <nothere"), (0, "ACL SETUSER p #abc"),
                           (0, "ACL SETUSER p #" + "a" * 64), (0, "ACL SETUSER p !" + "a" * 64),
                           (0, "ACL SETUSER p !" + "a" * 64), (0, "ACL SETUSER p nopass"), (0, "ACL GETUSER p"),
                           (0, "ACL SETUSER p resetpass"), (0, "ACL GETUSER p")]),
    ("setuser-selectors", [(0, ["ACL", "SETUSER", "s", "on", "nopass", "(~x* +get)", "(%R~y* +@read)"]),
                           (0, "ACL GETUSER s"), (0, "ACL LIST"), (0, "ACL SETUSER s (~z* +set"),
                           (0, "ACL SETUSER s (~z* +set)"), (0, "ACL SETUSER s clearselectors"), (0, "ACL GETUSER s"),
                           (0, "ACL SETUSER s (~z* +nosuch)"), (0, ["ACL", "SETUSER", "s", "(", "~z*", "+set", ")"]),
                           (0, "ACL LIST")]),
    ("setuser-errors", [(0, "ACL SETUSER e +nosuch"), (0, "ACL SETUSER e +@nosuch"), (0, "ACL SETUSER e bogus"),
                        (0, "ACL SETUSER e %~x"), (0, "ACL SETUSER e %"), (0, "ACL SETUSER e %X~a"),
                        (0, "ACL SETUSER e +config|get|x"), (0, "ACL SETUSER e +get|"),
                        (0, "ACL SETUSER e +client|id|x"), (0, ["ACL", "SETUSER", "a b", "on"]),
                        (0, "ACL SETUSER e on ~a +get nosuch"), (0, "ACL GETUSER e"), (0, "ACL USERS")]),
    ("setuser-reset", [(0, "ACL SETUSER r on >x ~* &* +@all (~a +get)"), (0, "ACL SETUSER r reset"), (0, "ACL LIST"),
                       (0, "ACL SETUSER r skip-sanitize-payload"), (0, "ACL GETUSER r"),
                       (0, "ACL SETUSER r sanitize-payload off"), (0, "ACL GETUSER r")]),
    ("getuser-missing", [(0, "ACL GETUSER nobody"), (0, "ACL GETUSER"), (0, "ACL DELUSER nobody"),
                         (0, "ACL DELUSER default"), (0, "ACL DELUSER nobody default")]),
    ("cat", [(0, "ACL CAT"), (0, "ACL CAT nosuch"), (0, "ACL CAT pubsub", "sorted"), (0, "ACL CAT hash", "sorted"),
             (0, "ACL CAT a b")]),
    ("genpass", [(0, "ACL GENPASS 0"), (0, "ACL GENPASS 4097"), (0, "ACL GENPASS x"), (0, "ACL GENPASS 1 2")]),
    ("help", [(0, "ACL HELP"), (0, "ACL NOSUCH"), (0, "ACL")]),
    ("dryrun", [(0, "ACL SETUSER d on nopass ~k* &ch +get +set +publish +subscribe"),
                (0, "ACL DRYRUN d get k1"), (0, "ACL DRYRUN d get x"), (0, "ACL DRYRUN d del k1"),
                (0, "ACL DRYRUN d publish ch m"), (0, "ACL DRYRUN d publish other m"),
                (0, "ACL DRYRUN d subscribe ch other"), (0, "ACL DRYRUN nobody get k"),
                (0, "ACL DRYRUN d nosuch k"), (0, "ACL DRYRUN d get"), (0, "ACL DRYRUN d set k1 v"),
                (0, "ACL DRYRUN default flushall")]),
    ("dryrun-key-perms", [(0, "ACL SETUSER rw on nopass %R~r* %W~w* +@all"),
                          (0, "ACL DRYRUN rw get r1"), (0, "ACL DRYRUN rw get w1"), (0, "ACL DRYRUN rw set w1 v"),
                          (0, "ACL DRYRUN rw set r1 v"), (0, "ACL DRYRUN rw copy r1 w1"),
                          (0, "ACL DRYRUN rw copy w1 r1"), (0, "ACL DRYRUN rw lmove r1 w1 left right"),
                          (0, "ACL DRYRUN rw append w1 x"), (0, "ACL DRYRUN rw del w1")]),
    ("auth-and-noperm", [(0, "ACL SETUSER n on >pw ~k* &ch -@all +get +auth +publish +multi +exec +acl|whoami"),
                         (1, "AUTH n wrong"), (1, "AUTH nobody pw"), (1, "AUTH n pw"), (1, "ACL WHOAMI"),
                         (1, "GET k1"), (1, "GET other"), (1, "SET k1 v"), (1, "PUBLISH ch m"),
                         (1, "PUBLISH other m"), (1, "CLIENT ID"), (1, "MULTI"), (1, "GET other"),
                         (1, "SET k v"), (1, "EXEC"), (0, "ACL LOG", "log")]),
    ("auth-disabled", [(0, "ACL SETUSER off1 off >pw +@all"), (1, "AUTH off1 pw"), (1, "AUTH default x"),
                       (1, "AUTH x"), (0, "ACL LOG 1", "log"), (0, "ACL LOG RESET"), (0, "ACL LOG")]),
    ("hello-auth", [(0, "ACL SETUSER h on >pw +@all ~*"), (1, "HELLO 3 AUTH h wrong"), (1, "HELLO 2 AUTH h pw SETNAME x", "hello"),
                    (1, "ACL WHOAMI"), (0, "ACL LOG", "log")]),
    ("exec-after-change", [(0, "ACL SETUSER m on nopass ~* +@all"), (1, "AUTH m x"), (1, "MULTI"),
                           (1, "INCR a"), (0, "ACL SETUSER m -incr"), (1, "EXEC"), (0, "ACL LOG", "log")]),
    ("deluser-kills", [(0, "ACL SETUSER gone on nopass +@all"), (1, "AUTH gone x"),
                       (0, "ACL DELUSER gone"), (1, "PING")]),
    ("deluser-self", [(0, "ACL SETUSER me on nopass +@all"), (1, "AUTH me x"), (1, "ACL DELUSER me")]),
    ("firstarg", [(0, "ACL SETUSER f on nopass -@all +select|0 +ping"), (1, "AUTH f x"), (1, "SELECT 0"),
                  (1, "SELECT 1"), (1, "PING")]),
    # A script's commands run as its caller's user (Redis's scriptVerifyACL).
    ("script-as-caller", [(0, "ACL SETUSER sc on nopass +@all -set ~a* &ch*"), (1, "AUTH sc x"),
                          (1, ["EVAL", "return redis.call('set','a','b')", "0"]),
                          (1, ["EVAL", "return redis.call('get','zz')", "0"]),
                          (1, ["EVAL", "return redis.call('publish','x','m')", "0"]),
                          (1, ["EVAL", "return redis.pcall('set','a','b')", "0"]),
                          (1, ["EVAL", "return redis.call('get','a1')", "0"]),
                          (1, ["EVAL", "return redis.acl_check_cmd('set','a','b')", "0"]),
                          (1, ["EVAL", "return redis.acl_check_cmd('get','a1')", "0"]),
                          (1, ["EVAL", "return redis.acl_check_cmd('get','zz')", "0"]),
                          (1, ["EVAL", "return redis.acl_check_cmd('nosuch')", "0"]), (0, "ACL LOG", "log")]),
]


def run(port, steps):
    conns = {}
    out = []
    for step in steps:
        i, words = step[0], step[1]
        norm = NORM[step[2]] if len(step) > 2 else (lambda r: r)
        if i not in conns:
            conns[i] = Conn(port)
        if isinstance(words, str):
            words = words.split(" ")
        try:
            r = conns[i].cmd(words)
        except (ConnectionError, OSError):
            r = b"<closed>"
        if r == b"":
            r = b"<closed>"
        out.append(norm(r))
    for c in conns.values():
        c.s.close()
    return out


def reset(port):
    c = Conn(port)
    users = c.cmd(["ACL", "USERS"])
    for u in users[1:]:
        name = u.split(b"\r\n")[1]
        if name != b"default":
            c.cmd([b"ACL", b"DELUSER", name])
    c.cmd(["ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"])
    c.cmd(["ACL", "LOG", "RESET"])
    c.s.close()


def main():
    ours, ref = int(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3:
        a, b = run(ours, [(0, "ACL LIST")]), run(ref, [(0, "ACL LIST")])
        print("PASS acl/%s" % sys.argv[3] if a == b else "FAIL acl/%s: want %r got %r" % (sys.argv[3], b, a))
        return
    for name, steps in CASES:
        reset(ours)
        reset(ref)
        a, b = run(ours, steps), run(ref, steps)
        if a == b:
            print("PASS acl/%s" % name)
            continue
        for k, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print("FAIL acl/%s: step %d %r: want %r got %r" % (name, k, steps[k][1], y, x))
                break


main()

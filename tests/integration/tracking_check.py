"""tracking_check.py PORT -- CLIENT TRACKING as seen from the wire, printed
as a transcript that tracking.sh takes from our server and from
redis-server 7.0.15 and compares line for line.

Each line is "<step>: <raw bytes>" (or "<none>").  Covered: option errors
in Redis's order; RESP3 default mode (a read remembers, the first change
invalidates once, reads of other keys do not); NOLOOP; the client's own
change reported after its reply; MULTI/EXEC; OPTIN with CACHING YES and
OPTOUT with CACHING NO lasting one command; BCAST with prefixes (keys in
byte order, NOLOOP filtering, prefix collision errors); RESP2 redirect to
a subscribed client (__redis__:invalidate messages) and to a RESP3 one;
a broken redirect (push, flag, TRACKINGINFO); FLUSHALL's null; expiry
invalidation; TRACKINGINFO/GETREDIR; CLIENT LIST flags; INFO totals;
RESET turning tracking off.  Client ids are replaced by names.
Debian's python3 only."""
import re
import socket
import sys
import time

from wire import recv as recv_quiet, send

PORT = int(sys.argv[1])
IDS = {}


def conn(name):
    s = socket.create_connection(("127.0.0.1", PORT))
    send(s, "CLIENT", "ID")
    IDS[recv(s)[3:-5]] = name
    return s


def recv(s, wait=0.15):
    return recv_quiet(s, wait)


def masked(text):
    """Client ids shown as names where Redis prints ids: integer replies
    (a ':' opening a reply line, so a key such as "user:2" stays as it is),
    CLIENT LIST's id= and redir= fields, HELLO's id."""
    def name(m):
        return m.group(1) + "<%s>" % IDS.get(m.group(2), m.group(2)) + m.group(3)
    text = re.sub(r"((?:^b'|\\n):)([0-9]+)(\\r)", name, text)
    return re.sub(r"(\\nid=|redir=)([0-9]+)(\s|$)", name, text)


def show(step, s, *args, wait=0.15):
    if args:
        send(s, *(IDS_BY_NAME.get(a, a) if isinstance(a, str) else a for a in args))
    print("%s: %s" % (step, masked(recv(s, wait))))


IDS_BY_NAME = {}


def hello3(s, name):
    send(s, "HELLO", "3")
    print("%s hello 3: %s" % (name, "map" if recv(s).startswith("b'%7") else "not a map"))


def name_ids():
    for num, name in IDS.items():
        IDS_BY_NAME["<%s>" % name] = num


def info_line(s, section, name):
    send(s, "INFO", section)
    for line in recv(s).split("\\r\\n"):
        if line.startswith(name + ":"):
            return line
    return name + ":?"


def flags_of(s, name):
    send(s, "CLIENT", "LIST")
    for line in masked(recv(s)).split("\\n"):
        if line.startswith("id=<%s>" % name):
            return "%s flags=%s redir=%s" % (name, line.split(" flags=")[1].split(" ")[0],
                                              line.split(" redir=")[1].split(" ")[0])
    return name + " ?"


admin, r3, w, r2sub, other = conn("admin"), conn("r3"), conn("w"), conn("r2sub"), conn("other")
name_ids()
show("flushall", admin, "FLUSHALL")
for args in (["ON", "REDIRECT"], ["ON", "REDIRECT", "x"], ["ON", "REDIRECT", "999999"],
             ["ON", "REDIRECT", "<other>", "REDIRECT", "<other>"], ["ON", "PREFIX", "a"], ["ON", "FOO"],
             ["ON", "BCAST", "OPTIN"], ["ON", "OPTIN", "OPTOUT"], ["MAYBE"], ["ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
             ["ON", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "a"]):
    show("tracking " + " ".join(args), admin, "CLIENT", "TRACKING", *args)
show("caching without tracking", admin, "CLIENT", "CACHING", "YES")
show("trackinginfo off", admin, "CLIENT", "TRACKINGINFO")
show("getredir off", admin, "CLIENT", "GETREDIR")

hello3(r3, "r3")
show("r3 tracking on", r3, "CLIENT", "TRACKING", "ON")
show("r3 switch to bcast refused", r3, "CLIENT", "TRACKING", "ON", "BCAST")
show("r3 get a", r3, "GET", "a")
show("r3 mget b c", r3, "MGET", "b", "c")
show("w set a", w, "SET", "a", "1")
show("r3 hears a", r3)
show("w set a again", w, "SET", "a", "2")
show("r3 hears nothing more", r3)
show("w del b c", w, "DEL", "b", "c")
show("r3 hears b and c", r3)
show("r3 get a", r3, "GET", "a")
show("r3 own change, after its reply", r3, "SET", "a", "3")
show("r3 multi", r3, "MULTI")
show("r3 get in multi", r3, "GET", "k1")
show("r3 set in multi", r3, "SET", "k1", "v")
show("r3 exec", r3, "EXEC")
show("r3 get k1", r3, "GET", "k1")
show("r3 noloop", r3, "CLIENT", "TRACKING", "ON", "NOLOOP")
show("r3 own change silent", r3, "SET", "k1", "w")
show("r3 trackinginfo", r3, "CLIENT", "TRACKINGINFO")
show("r3 getredir", r3, "CLIENT", "GETREDIR")
show("r3 px key", r3, "SET", "e", "1", "PX", "400")
show("r3 get e", r3, "GET", "e")
time.sleep(0.6)
show("w get e (expired)", w, "GET", "e")
show("r3 hears e", r3, wait=0.5)
show("r3 flushall", admin, "FLUSHALL")
show("r3 hears null", r3)
print(flags_of(admin, "r3"))
print(info_line(admin, "clients", "tracking_clients"))

show("r3 off", r3, "CLIENT", "TRACKING", "OFF")
show("r3 optin", r3, "CLIENT", "TRACKING", "ON", "OPTIN")
show("r3 caching no refused", r3, "CLIENT", "CACHING", "NO")
show("r3 get x (not cached)", r3, "GET", "x")
show("r3 caching yes", r3, "CLIENT", "CACHING", "YES")
show("r3 trackinginfo caching", r3, "CLIENT", "TRACKINGINFO")
show("r3 get y (cached)", r3, "GET", "y")
show("r3 get z (caching spent)", r3, "GET", "z")
show("w mset x y z", w, "MSET", "x", "1", "y", "1", "z", "1")
show("r3 hears y only", r3)
show("r3 off 2", r3, "CLIENT", "TRACKING", "OFF")
show("r3 optout", r3, "CLIENT", "TRACKING", "ON", "OPTOUT")
show("r3 switch optin refused", r3, "CLIENT", "TRACKING", "ON", "OPTIN")
show("r3 caching no", r3, "CLIENT", "CACHING", "NO")
show("r3 get x (not cached)", r3, "GET", "x")
show("r3 get y (cached)", r3, "GET", "y")
show("w mset x y", w, "MSET", "x", "2", "y", "2")
show("r3 hears y", r3)
show("r3 off 3", r3, "CLIENT", "TRACKING", "OFF")

show("r3 bcast", r3, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj:", "NOLOOP")
show("r3 bcast overlap", r3, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:1")
show("w pipeline", w, "MSET", "user:2", "a", "user:1", "b", "obj:9", "c", "other", "d")
show("r3 hears sorted keys per prefix", r3)
show("r3 own bcast change", r3, "SET", "user:3", "x")
show("w and r3 change", w, "SET", "user:4", "x")
show("r3 hears user:4 only", r3)
show("r3 trackinginfo bcast", r3, "CLIENT", "TRACKINGINFO")
print(flags_of(admin, "r3"))
print(info_line(admin, "stats", "tracking_total_prefixes"))

show("r2sub subscribe", r2sub, "SUBSCRIBE", "__redis__:invalidate")
show("other redirect", other, "CLIENT", "TRACKING", "ON", "REDIRECT", "<r2sub>")
show("other get q", other, "GET", "q")
show("w set q", w, "SET", "q", "1")
show("other hears nothing", other)
show("r2sub hears q", r2sub)
show("other getredir", other, "CLIENT", "GETREDIR")
print(flags_of(admin, "other"))
print(info_line(admin, "stats", "tracking_total_keys"))
print(info_line(admin, "stats", "tracking_total_items"))
show("other get q again", other, "GET", "q")
r2sub.close()
time.sleep(0.1)
show("w set q after redirect gone", w, "SET", "q", "2")
show("other trackinginfo", other, "CLIENT", "TRACKINGINFO")
print(flags_of(admin, "other"))
hello3(other, "other")
show("other get q 3", other, "GET", "q")
show("w set q 3", w, "SET", "q", "3")
show("other hears broken redirect", other)
show("other reset", other, "RESET")
show("other trackinginfo after reset", other, "CLIENT", "TRACKINGINFO")
show("r3 reset", r3, "RESET")
print(info_line(admin, "clients", "tracking_clients"))

# tracking-table-max-keys: over the limit, a random remembered key is
# dropped (by the cron, or before the next command) and its reader told
# (which key is random: shown as lim:?).
hello3(r3, "r3")
show("r3 tracking on again", r3, "CLIENT", "TRACKING", "ON")
show("flushall before limit", admin, "FLUSHALL")
show("r3 hears flush", r3)
show("limit 1", admin, "CONFIG", "SET", "tracking-table-max-keys", "1")
send(r3, "MGET", "lim:a", "lim:b")
print("r3 mget two keys, one dropped: %s" % re.sub(r"lim:[ab]", "lim:?", recv(r3, 0.4)))
print(info_line(admin, "stats", "tracking_total_keys"))
show("limit back", admin, "CONFIG", "SET", "tracking-table-max-keys", "1000000")
show("r3 off at last", r3, "CLIENT", "TRACKING", "OFF")

# A client served after blocking: its reply first, then the invalidation
# its own write (BLMOVE's push) raised.
show("r3 tracking on for blmove", r3, "CLIENT", "TRACKING", "ON")
show("w rpush bl2", w, "RPUSH", "bl2", "a")
show("r3 lrange bl2", r3, "LRANGE", "bl2", "0", "-1")
send(r3, "BLMOVE", "bl1", "bl2", "LEFT", "LEFT", "0")
time.sleep(0.2)
show("w rpush bl1 wakes r3", w, "RPUSH", "bl1", "foo")
show("r3 reply, then invalidation", r3)
# A key evicted before a command (maxmemory) is announced before its reply.
show("volatile-random", admin, "CONFIG", "SET", "maxmemory-policy", "volatile-random")
show("w setex vk", w, "SETEX", "vk", "10000", "x")
show("r3 get vk", r3, "GET", "vk")
show("maxmemory 1", admin, "CONFIG", "SET", "maxmemory", "1")
show("r3 get nothing: vk evicted first", r3, "GET", "nothing")
show("maxmemory 0", admin, "CONFIG", "SET", "maxmemory", "0")
show("noeviction", admin, "CONFIG", "SET", "maxmemory-policy", "noeviction")
show("r3 off for good", r3, "CLIENT", "TRACKING", "OFF")

"""pause_check.py PORT -- CLIENT PAUSE / UNPAUSE / UNBLOCK as seen from the
wire, printed as a transcript that pause.sh takes from our server and from
redis-server 7.0.15 and compares line for line.

Each line is "<step>: <raw reply bytes>" (or "<none>" when the client got
nothing within the wait: a postponed command).  What is covered: argument
errors; reads pass a WRITE pause and writes wait (blocked_clients, flag
'b'); a write waits even to be queued in MULTI, PING is queued; EXEC of a
writing transaction waits; pipelined commands behind a held one keep their
order; a pause of ALL holds everything and lifts at its timeout; keys are
not expired (lazily or actively) while paused and are once it lifts; a
held client that disconnects or is killed leaves no trace; CLIENT UNBLOCK
of a postponed client answers 0 and leaves it held.
Debian's python3 only."""
import socket
import sys
import time

from wire import recv as recv_quiet, send

PORT = int(sys.argv[1])


def conn():
    return socket.create_connection(("127.0.0.1", PORT))


def recv(s, wait=0.3):
    return recv_quiet(s, wait)


def show(step, s, *args, wait=0.3):
    if args:
        send(s, *args)
    print("%s: %s" % (step, recv(s, wait)))


def field(s, section, name):
    send(s, "INFO", section)
    text = recv(s)
    for line in text.split("\\r\\n"):
        if line.startswith(name + ":"):
            return line
    return name + ":?"


def flags(s):
    """The flags of every client but the caller, in connection order."""
    send(s, "CLIENT", "LIST")
    text = recv(s)
    out = []
    for line in text.split("\\n"):
        if " flags=" in line and " cmd=client|list" not in line:
            out.append(line.split(" flags=")[1].split(" ")[0])
    return " ".join(out)


a, b, c = conn(), conn(), conn()
show("flushall", a, "FLUSHALL")
base = int(field(a, "stats", "expired_keys").split(":")[1])


def expired_since_start():
    return "expired_keys since start: %d" % (int(field(a, "stats", "expired_keys").split(":")[1]) - base)

for args in (["PAUSE", "100", "foo"], ["PAUSE", "abc"], ["PAUSE", "-1"], ["PAUSE", "1", "write", "x"],
             ["PAUSE"], ["UNPAUSE", "x"], ["UNBLOCK", "1", "x"], ["UNBLOCK", "abc"], ["UNBLOCK", "999"],
             ["UNBLOCK", "1", "timeout", "x"], ["PAUSE", "0"]):
    show("client " + " ".join(args), a, "CLIENT", *args)

show("pause write", a, "CLIENT", "PAUSE", "100000", "WRITE")
show("read passes", b, "GET", "foo")
show("write waits", b, "SET", "foo", "bar")
print(field(a, "clients", "blocked_clients"))
print("flags:", flags(a))
show("multi", c, "MULTI")
show("ping queued", c, "PING")
show("write waits to be queued", c, "SET", "x", "1")
print(field(a, "clients", "blocked_clients"))
send(a, "CLIENT", "ID")
show("unblock postponed (id of b)", a, "CLIENT", "UNBLOCK", recv(a)[3:-5])
show("unpause", a, "CLIENT", "UNPAUSE")
show("write ran", b)
show("queued after all", c)
show("exec", c, "EXEC")
print(field(a, "clients", "blocked_clients"))

show("multi 2", c, "MULTI")
show("set queued", c, "SET", "y", "2")
show("pause write 2", a, "CLIENT", "PAUSE", "100000", "WRITE")
show("exec of writes waits", c, "EXEC")
show("unpause 2", a, "CLIENT", "UNPAUSE")
show("exec ran", c)

# The pause outlasts the quiet the reply to PAUSE waits for (0.3 s) plus
# the held window by a second: with 500 ms the window ended as the pause
# did, and a loaded machine saw redis-server answer inside it.
show("pause all (1500 ms)", a, "CLIENT", "PAUSE", "1500", "ALL")
b.sendall(b"PING\r\nSET k v\r\nGET k\r\n")
show("pipelined held", b, wait=0.2)
show("pipelined after the timeout, in order", b, wait=1.5)

show("multi 3", a, "MULTI")
show("set px queued", a, "SET", "e1", "v", "PX", "10")
show("pause queued", a, "CLIENT", "PAUSE", "50000", "WRITE")
show("exec 3", a, "EXEC")
time.sleep(0.3)
print(expired_since_start())
show("expired key reads as missing", a, "GET", "e1")
show("but is still stored", a, "DBSIZE")
print(expired_since_start())
d = conn()
show("held writer", d, "SET", "gone", "1")
d.close()
e = conn()
show("held writer to kill", e, "SET", "killed", "1")
send(a, "CLIENT", "LIST")
ids = [l.split("id=")[1].split(" ")[0] for l in recv(a).split("\\n") if "cmd=set" in l]
show("kill held", a, "CLIENT", "KILL", "ID", ids[-1] if ids else "0")
time.sleep(0.1)
print(field(a, "clients", "blocked_clients"))
show("unpause 3", a, "CLIENT", "UNPAUSE")
show("expiry goes through", a, "GET", "e1")
print(expired_since_start())
show("writes of gone clients never ran", a, "EXISTS", "gone", "killed")
print(field(a, "clients", "blocked_clients"))

# A transaction of read-only scripts is not held by a WRITE pause: EXEC
# sees the scripts' own flags (no-writes), not EVAL's static ones.
show("pause 4", a, "CLIENT", "PAUSE", "50000", "WRITE")
f = conn()
show("multi 4", f, "MULTI")
show("ro script queued", f, "EVAL", "#!lua flags=no-writes\nreturn 12", "0")
show("ro script queued again", f, "EVAL", "#!lua flags=no-writes\nreturn 13", "0")
show("exec 4 answers at once", f, "EXEC")
show("multi 5", f, "MULTI")
show("rw script queued", f, "EVAL", "#!lua\nreturn 14", "0")
show("exec 5 is held", f, "EXEC")
show("unpause 4", a, "CLIENT", "UNPAUSE")
show("exec 5 runs", f)
f.close()

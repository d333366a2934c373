"""limits_check.py MODE ... -- socket-level checks of the server's resource
limits, run by limits.sh against our server and, for the expected values,
against redis-server 7.0.15 with the same arguments.

Modes (each prints one result line the shell compares or checks):
  unauth PORT N          N inline PINGs from a client that has not
                         authenticated (requirepass set): bytes received
                         before the server closes or goes quiet.
  obuf PORT LIMIT N T    sets client-output-buffer-limit to LIMIT, has a
                         client that never reads ask for N 1 MiB values,
                         and reports at each time in T (comma list, s)
                         whether it is still connected ("in"/"gone").
  conns PORT N PID       opens N connections, sends PING on each, and
                         prints how many got +PONG, how many
                         -ERR max number of clients reached, how many
                         nothing, then the CPU seconds server PID used
                         over the next second with all of them open.
  cpu PID SECONDS        CPU seconds the process used over SECONDS.
Debian's python3 and python3-redis only."""
import os
import select
import socket
import sys
import time

import redis


def read_all(sock, quiet=1.0):
    """Bytes until EOF, or until nothing arrives for `quiet` seconds."""
    sock.settimeout(quiet)
    got = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            return got
        if not chunk:
            return got
        got += chunk


def mode_unauth(port, n):
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(b"PING\r\n" * n)
    except (BrokenPipeError, ConnectionResetError):
        pass
    print(len(read_all(s)))


def stuck_client(port, n):
    """A client with a tiny receive buffer that asks for n big values and
    never reads them."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(b"CLIENT SETNAME stuck\r\n" + b"GET obuf:big\r\n" * n)
    return s


def mode_obuf(port, limit, n, times):
    r = redis.Redis(port=port, socket_timeout=10)
    r.config_set("client-output-buffer-limit", limit)
    r.set("obuf:big", os.urandom(1 << 20))
    s = stuck_client(port, n)
    t0 = time.time()
    out = []
    for t in times:
        time.sleep(max(0.0, t0 + t - time.time()))
        names = [c.get("name") for c in r.client_list()]
        out.append("in" if "stuck" in names else "gone")
    s.close()
    r.config_set("client-output-buffer-limit", "normal 0 0 0")
    r.delete("obuf:big")
    print(" ".join(out))


def first_lines(socks, wait):
    """What each socket received within `wait` seconds, all waited on at
    once (a server that stopped accepting leaves some silent)."""
    got = {s.fileno(): b"" for s in socks}
    poller = select.poll()
    for s in socks:
        poller.register(s, select.POLLIN)
    waiting = len(socks)
    by_fd = {s.fileno(): s for s in socks}
    deadline = time.time() + wait
    while waiting and time.time() < deadline:
        for fd, _ in poller.poll(max(0, int((deadline - time.time()) * 1000))):
            try:
                chunk = by_fd[fd].recv(200)
            except ConnectionResetError:
                chunk = b""
            got[fd] += chunk
            if not chunk or got[fd].endswith(b"\r\n"):
                poller.unregister(fd)
                waiting -= 1
    return [got[s.fileno()] for s in socks]


def mode_conns(port, n, pid):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        socks.append(s)
    pong = refused = other = 0
    for s in socks:
        try:
            s.sendall(b"PING\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
    replies = first_lines(socks, 2.0)
    for line in replies:
        if line == b"+PONG\r\n":
            pong += 1
        elif line == b"-ERR max number of clients reached\r\n":
            refused += 1
        else:
            other += 1
    before = cpu_seconds(pid)
    time.sleep(1)
    print(pong, refused, other, "%.2f" % (cpu_seconds(pid) - before))
    for s in socks:
        s.close()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mode_cpu(pid, seconds):
    before = cpu_seconds(pid)
    time.sleep(seconds)
    print("%.2f" % (cpu_seconds(pid) - before))


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "unauth":
        mode_unauth(int(args[0]), int(args[1]))
    elif mode == "obuf":
        mode_obuf(int(args[0]), args[1], int(args[2]), [float(t) for t in args[3].split(",")])
    elif mode == "conns":
        mode_conns(int(args[0]), int(args[1]), int(args[2]))
    elif mode == "cpu":
        mode_cpu(int(args[0]), float(args[1]))
    else:
        sys.exit("unknown mode " + mode)


main()

"""bind_source_check.py SERVER CONF -- bind-source-addr beside redis-server
7.0.15: a replica told to leave from 127.0.0.2 shows on its master (a
redis-server) with that address in INFO replication and CLIENT LIST; an
address the host does not have is skipped (Redis binds best effort): the
replica leaves from the kernel's choice.
Prints PASS/FAIL lines; Debian's python3 only."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, Report, info_fields, spawn, stop, wait_for  # noqa: E402

check = Report("bind-source/")
STARTED = []


def seen_from(master, replica_cmd, source):
    """How the master lists the replica: (ip in INFO, ip in CLIENT LIST
    of its replica connection), and the replica's link status."""
    tmp = tempfile.mkdtemp(prefix="fr-bindsrc.")
    proc, port = spawn(replica_cmd, tmp, "--save", "", "--bind-source-addr", source,
                       "--replicaof", "127.0.0.1", str(master), started=STARTED)
    try:
        up = wait_for(lambda: info_fields(Conn(port), "replication").get("master_link_status") == "up")
        line = [v for k, v in info_fields(Conn(master), "replication").items()
                if k.startswith("slave") and "port=%d" % port in v]
        ip = re.search(r"ip=([^,]+)", line[0]).group(1) if line else None
        clients = Conn(master).call("CLIENT", "LIST", "TYPE", "replica")
        addr = sorted(set(re.findall(r"addr=([\d.]+):", clients)))
        return up, ip, addr
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ours = [sys.argv[1], sys.argv[2]]
    mtmp = tempfile.mkdtemp(prefix="fr-bindsrc.")
    try:
        # protected mode would refuse 127.0.0.2, which Redis does not count as local
        mproc, mport = spawn(["redis-server"], mtmp, "--save", "", "--repl-diskless-sync-delay", "0",
                             "--protected-mode", "no", started=STARTED)
        # (link up, the address INFO lists, the addresses of CLIENT LIST TYPE replica)
        for name, source, leaves_from in (("loopback-2", "127.0.0.2", "127.0.0.2"),
                                          ("not-ours", "192.0.2.1", "127.0.0.1")):
            ref = seen_from(mport, ["redis-server"], source)
            got = seen_from(mport, ours, source)
            check(name, got == ref and got[:2] == (True, leaves_from) and leaves_from in got[2],
                  "ours %r redis %r, want up from %s" % (got, ref, leaves_from))
    finally:
        for p in STARTED:
            stop(p)
        shutil.rmtree(mtmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""hardened_check.py PORT LEDGER_FILE -- hardened mode's evidence ledger on a
server whose keys and strings modules run hardened and whose
hardened-log-file is LEDGER_FILE.
hardened_check.py --proto PORT -- the core's hardened protocol caps on a
server started with `module core hardened` and a 2-second
hardened-partial-request-timeout.
hardened_check.py --switch PORT CONF LOG -- modes switched at run time
(CONFIG SET <module>.mode) on a server started all strict from the config
file CONF, logging to LOG.

Prints `PASS name` / `FAIL name: why`.  Checks: a refused command leaves
one entry (module, rule, command, client) in HARDENED LOG, in INFO
hardened's counters and as one JSON line in the file; LOG's count argument
and its errors; LEN; RESET empties the log but keeps the counters and ids
go on growing; hardened-log-capacity bounds the log; INFO's default
sections do not include it; HELP."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import Conn, info_fields  # noqa: E402

MODE = sys.argv[1] if sys.argv[1] in ("--proto", "--switch") else "--ledger"
if MODE == "--ledger":
    PORT, LEDGER = int(sys.argv[1]), sys.argv[2]
else:
    PORT = int(sys.argv[2])
MBULK_REFUSED = b"-ERR Protocol error: too many arguments (hardened mode)\r\n"


def check(name, cond, why=""):
    print(("PASS %s" % name) if cond else ("FAIL %s: %s" % (name, why)), flush=True)


def refuse_setrange(c):
    return c.call("SETRANGE", "k", 20000000, "x")


def main():
    c = Conn(PORT)
    r = refuse_setrange(c)
    check("refused", r == "-ERR SETRANGE would zero-fill more than 8MB past the end of the value (hardened mode)",
          repr(r))
    log = c.call("HARDENED", "LOG")
    e = log[0] if log else None
    check("log/one-entry", isinstance(log, list) and len(log) == 1, repr(log))
    if e:
        check("log/entry-shape", len(e) == 7 and e[0] == 0 and isinstance(e[1], int), repr(e))
        check("log/entry-fields", e[2:5] == ["strings", "setrange-zero-fill", "setrange"] and
              e[5].startswith("id=") and "addr=127.0.0.1:" in e[5], repr(e))
    i = info_fields(c, "hardened")
    check("info/counters", i.get("hardened_divergences") == "1" and i.get("hardened_log_len") == "1" and
          i.get("hardened_rule_setrange-zero-fill") == "module=strings,count=1", repr(i))
    check("info/not-in-default", "# Hardened" not in c.call("INFO"), "INFO default shows it")
    check("info/in-all", "# Hardened" in c.call("INFO", "all"), "INFO all lacks it")
    lines = open(LEDGER).read().splitlines() if os.path.exists(LEDGER) else []
    rec = json.loads(lines[0]) if lines else {}
    check("file/json-line", len(lines) == 1 and rec.get("rule") == "setrange-zero-fill" and
          rec.get("module") == "strings" and rec.get("command") == "setrange" and rec.get("id") == 0, repr(lines))
    for _ in range(4):
        refuse_setrange(c)
    check("log/count", len(c.call("HARDENED", "LOG", 2)) == 2 and len(c.call("HARDENED", "LOG", -1)) == 5)
    newest = c.call("HARDENED", "LOG", 1)[0]
    check("log/newest-first", newest[0] == 4, repr(newest))
    check("log/count-error", c.call("HARDENED", "LOG", -2) == "-ERR count should be greater than or equal to -1")
    got = c.call("HARDENED", "LOG", 1, 2)
    check("log/arity", got == "-ERR unknown subcommand or wrong number of arguments for 'LOG'. Try HARDENED HELP.",
          repr(got))
    check("len", c.call("HARDENED", "LEN") == 5)
    check("reset", c.call("HARDENED", "RESET") == "+OK" and c.call("HARDENED", "LEN") == 0)
    check("reset/keeps-counters", info_fields(c, "hardened").get("hardened_divergences") == "5", repr(info_fields(c, "hardened")))
    refuse_setrange(c)
    check("reset/ids-go-on", c.call("HARDENED", "LOG")[0][0] == 5)
    check("capacity/set", c.call("CONFIG", "SET", "hardened-log-capacity", "2") == "+OK")
    for _ in range(3):
        refuse_setrange(c)
    check("capacity/bounds", c.call("HARDENED", "LEN") == 2)
    check("file/every-event", len(open(LEDGER).read().splitlines()) == 9)
    expiry(c)
    size_cap(c)
    help_ = c.call("HARDENED", "HELP")
    check("help", isinstance(help_, list) and len(help_) == 11 and
          help_[0] == "+HARDENED <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" and
          help_[1] == "+LOG [<count>]" and help_[-1] == "+    Prints this help.", repr(help_)[:300])
    c.close()


def expiry(c):
    """The ttl module's window holds for every command that stores a TTL
    (issue 17: SET EX, SETEX, GETEX and RESTORE used to get past it)."""
    far = 4000000000  # seconds: about 127 years ahead
    want = "-ERR invalid expire time in '%s' command: more than 100 years ahead (hardened mode)"
    c.call("SET", "tk", "v")
    c.binary = True
    payload = c.call("DUMP", "tk")
    c.binary = False
    cases = [("set-ex", "set", ["SET", "tk2", "v", "EX", far]), ("setex", "setex", ["SETEX", "tk2", far, "v"]),
             ("getex", "getex", ["GETEX", "tk", "EX", far]), ("expire", "expire", ["EXPIRE", "tk", far]),
             ("set-exat", "set", ["SET", "tk2", "v", "EXAT", far * 2])]
    for label, name, cmd in cases:
        got = c.call(*cmd)
        check("expiry/%s-refused" % label, got == want % name, repr(got))
    check("expiry/nothing-stored", c.call("EXISTS", "tk2") == 0 and c.call("TTL", "tk") == -1)
    got = c.call("RESTORE", "tk3", far * 3000, payload, "ABSTTL")
    check("expiry/restore-absttl-refused", got == want % "restore", repr(got))
    check("expiry/ok-times-pass", c.call("SET", "tk2", "v", "EX", 100) == "+OK" and 0 < c.call("TTL", "tk2") <= 100)
    rules = {(e[2], e[3]) for e in c.call("HARDENED", "LOG", -1)}
    check("expiry/ledger-names-ttl", ("ttl", "expire-horizon") in rules, repr(rules))


def size_cap(c):
    """One cap on a string value's size, whichever command grows it (issue
    17: the 8 MB SETRANGE limit was per call, so repeated calls grew a value
    without bound)."""
    c.call("CONFIG", "SET", "hardened-log-capacity", "128")
    check("cap/config", c.call("CONFIG", "SET", "hardened-string-max-size", "1mb") == "+OK" and
          c.call("CONFIG", "GET", "hardened-string-max-size") == ["hardened-string-max-size", "1048576"])
    want = "-ERR string value would exceed hardened-string-max-size (1048576 bytes) (hardened mode)"
    half = "a" * 600000
    check("cap/first-setrange-fits", c.call("SETRANGE", "sc", 0, half) == 600000)
    grown = [("setrange", ["SETRANGE", "sc", 600000, half]), ("append", ["APPEND", "sc", half]),
             ("setbit", ["SETBIT", "sc", 9 * 1048576, 1]),
             ("bitfield", ["BITFIELD", "sc", "SET", "u8", 8 * 1048576, 1]),
             ("set", ["SET", "sc2", "b" * 1048577]), ("getset", ["GETSET", "sc", "b" * 1048577]),
             ("mset", ["MSET", "sc3", "x", "sc4", "b" * 1048577]), ("append-new", ["APPEND", "sc5", "b" * 1048577])]
    for label, cmd in grown:
        got = c.call(*cmd)
        check("cap/%s-refused" % label, got == want, repr(got)[:200])
    check("cap/nothing-changed", c.call("STRLEN", "sc") == 600000 and
          c.call("EXISTS", "sc2", "sc3", "sc4", "sc5") == 0)
    got = [c.call("APPEND", "sc", "a" * (1048576 - 600000 - 1)), c.call("SETBIT", "sc", 8 * 1048576 - 1, 1)]
    check("cap/within-passes", got == [1048575, 0], repr(got))
    log = c.call("HARDENED", "LOG", len(grown))
    # newest first: one entry per refusal above, each the strings module's rule
    want_log = [("strings", "string-size-cap", cmd[0].lower()) for _, cmd in reversed(grown)]
    check("cap/ledger-names-strings", [(e[2], e[3], e[4]) for e in log] == want_log, repr(log)[:400])
    check("cap/off", c.call("CONFIG", "SET", "hardened-string-max-size", "0") == "+OK" and
          c.call("APPEND", "sc", "xy") == 1048578)
    c.call("CONFIG", "SET", "hardened-string-max-size", "64mb")


def raw(payload, wait=0.3):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.sendall(payload)
    time.sleep(wait)
    s.settimeout(0.5)
    try:
        got = s.recv(4096)
    except socket.timeout:
        got = b"<none>"
    s.close()
    return got


def proto():
    got = raw(b"*70000\r\n")
    check("proto/mbulk-cap", got == MBULK_REFUSED, repr(got))
    got = raw(b"*2\r\n$3\r\nGET\r\n$70000000\r\n")
    check("proto/bulk-cap", got == b"-ERR Protocol error: bulk too long (hardened mode)\r\n", repr(got))
    got = raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n")
    check("proto/normal-requests-pass", got == b"+OK\r\n", repr(got))
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nab")
    start = time.time()
    s.settimeout(6)
    try:
        got = s.recv(100)
    except socket.timeout:
        got = b"<still open>"
    waited = time.time() - start
    check("proto/partial-request-closed", got == b"" and 1.5 < waited < 5, "%r after %.1f s" % (got, waited))
    c = Conn(PORT)
    rules = [e[3] for e in c.call("HARDENED", "LOG", -1)]
    check("proto/in-ledger", sorted(rules) == ["proto-bulk-length", "proto-mbulk-count", "proto-partial-timeout"],
          repr(rules))
    idle = c.call("GET", "k")
    check("proto/idle-client-kept", idle == "value", repr(idle))
    c.close()


def modules_info(c):
    """INFO modules as {name: (mode, divergences)}."""
    out = {}
    for line in c.call("INFO", "modules").split("\r\n"):
        if line.startswith("module:"):
            f = dict(kv.split("=", 1) for kv in line[len("module:"):].split(","))
            out[f["name"]] = (f["mode"], int(f["divergences"]))
    return out


def switch():
    """CONFIG SET <module>.mode on a server started all strict: the switch
    holds for the next command, both ways, and only hardened refusals reach
    the ledger; CONFIG GET, the bad-value error, REWRITE and the log."""
    conf, log = sys.argv[3], sys.argv[4]
    c = Conn(PORT)
    far, big = 4000000000, "b" * 1048577
    check("switch/cap-config", c.call("CONFIG", "SET", "hardened-string-max-size", "1mb") == "+OK")
    refused = ["-ERR invalid expire time in 'set' command: more than 100 years ahead (hardened mode)",
               "-ERR string value would exceed hardened-string-max-size (1048576 bytes) (hardened mode)"]

    def attempts():
        c.call("DEL", "far", "big")
        return [c.call("SET", "far", "v", "EX", far), c.call("SET", "big", big)]

    def counters():
        return c.call("HARDENED", "LEN"), info_fields(c, "hardened").get("hardened_divergences")

    got = attempts()
    check("switch/strict-accepts", got == ["+OK", "+OK"], repr(got)[:200])
    check("switch/strict-no-ledger", counters() == (0, "0"), repr(counters()))
    check("switch/get-one", c.call("CONFIG", "GET", "ttl.mode") == ["ttl.mode", "strict"])
    check("switch/get-any-case", c.call("CONFIG", "GET", "TTL.Mode") == ["TTL.Mode", "strict"])  # as for Redis's names
    modes = c.call("CONFIG", "GET", "*.mode")
    pairs = dict(zip(modes[0::2], modes[1::2]))
    want = {name + ".mode": "strict" for name in ["core"] + list(modules_info(c))}
    check("switch/get-glob", pairs == want and len(modes) == 2 * len(want), repr(modes)[:300])
    got = c.call("CONFIG", "SET", "strings.mode", "hardened", "ttl.mode", "bogus")
    check("switch/bad-value", got == "-ERR CONFIG SET failed (possibly related to argument 'ttl.mode') - "
          "argument(s) must be one of the following: strict, hardened", repr(got))
    check("switch/bad-value-atomic", c.call("CONFIG", "GET", "strings.mode") == ["strings.mode", "strict"])
    got = c.call("CONFIG", "SET", "strings.mode", "hardened", "ttl.mode", "HARDENED")
    check("switch/set-two", got == "+OK" and c.call("CONFIG", "GET", "ttl.mode") == ["ttl.mode", "hardened"],
          repr(got))
    mods = modules_info(c)
    check("switch/info-modules", mods["strings"] == ("hardened", 0) and mods["ttl"] == ("hardened", 0) and
          mods["keys"][0] == "strict", repr(mods)[:300])
    got = attempts()
    check("switch/hardened-refuses", got == refused, repr(got)[:200])
    check("switch/hardened-ledger", counters() == (2, "2"), repr(counters()))
    mods = modules_info(c)
    check("switch/hardened-info-counts", mods["strings"][1] == 1 and mods["ttl"][1] == 1, repr(mods)[:300])
    text = open(log).read()
    check("switch/log-notice", "Module 'ttl' switched from strict to hardened mode (CONFIG SET by client id=" in text,
          text[-400:])
    original = open(conf).read().splitlines()
    check("switch/rewrite", c.call("CONFIG", "REWRITE") == "+OK")
    now = open(conf).read().splitlines()
    want = [{"module strings strict": "module strings hardened", "module ttl strict": "module ttl hardened"}.get(l, l)
            for l in original if l.startswith("module ")]
    check("switch/rewrite-module-lines", [l for l in now if l.startswith("module ")] == want and
          not [l for l in now if l.split(" ")[0].endswith(".mode")], repr([l for l in now if "mode" in l]))
    got = c.call("CONFIG", "SET", "strings.mode", "strict", "ttl.mode", "strict")
    check("switch/back", got == "+OK", repr(got))
    got = attempts()
    check("switch/back-accepts", got == ["+OK", "+OK"], repr(got)[:200])
    check("switch/back-no-ledger", counters() == (2, "2") and modules_info(c)["ttl"] == ("strict", 1),
          repr(counters()))
    check("switch/log-notice-back", "Module 'strings' switched from hardened to strict mode (CONFIG SET" in
          open(log).read())
    check("switch/core-strict", raw(b"*70000\r\n") == b"<none>")
    check("switch/core-set", c.call("CONFIG", "SET", "core.mode", "hardened") == "+OK")
    got = raw(b"*70000\r\n")
    check("switch/core-hardened-caps", got == MBULK_REFUSED, repr(got))
    check("switch/core-rewrite", c.call("CONFIG", "REWRITE") == "+OK" and
          [l for l in open(conf).read().splitlines() if "mode" in l and not l.startswith("#")][-1:] ==
          ["core.mode hardened"], repr(open(conf).read()[-300:]))
    check("switch/core-back", c.call("CONFIG", "SET", "core.mode", "strict") == "+OK" and
          raw(b"*70000\r\n") == b"<none>" and counters() == (3, "3"), repr(counters()))
    c.close()


{"--proto": proto, "--switch": switch, "--ledger": main}[MODE]()

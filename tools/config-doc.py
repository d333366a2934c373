#!/usr/bin/env python3
"""config-doc.py SRCDIR [--check] -- writes docs/config.md from the sources.

Who implements each Redis 7.0.15 parameter is read from where it is decided:
the vocabulary (core/config_vocab.c: names, aliases, types, flags, defaults,
refusals), the core's directive table (core/config.c: core_defs) and the
modules' manifests (modules/*/*.yaml: config:).  The reasons a parameter has
no effect yet are kept here, by feature.  --check exits 1 when the committed
file differs from what this writes (tests/integration/config.sh runs it), so
the page cannot drift from the code.
"""
import glob
import os
import re
import sys


# Why a parameter nobody implements has no effect: the first matching
# prefix (or exact name) gives the feature it waits for.
REASONS = [
    ("aof-use-rdb-preamble", "the aof module always writes its base as RDB, Redis's default (it loads command bases)"),
    ("aof-timestamp", "AOF timestamp annotations, which the aof module does not write"),
    ("aof-rewrite-incremental", "AOF tuning the aof module does not do (the base is fsynced once, at its end)"),
    ("aof", "AOF tuning the aof module does not do"),
    ("rdb-", "RDB tuning the rdb module does not do"),
    ("replica", "a replication setting the replication module does not act on"),
    ("slave", "a replication setting the replication module does not act on"),
    ("repl-", "a replication setting the replication module does not act on"),
    ("min-replicas", "a replication setting the replication module does not act on"),
    ("master", "a replication setting the replication module does not act on"),
    ("cluster", "Redis Cluster (not implemented)"),
    ("tls", "TLS (not implemented)"),
    ("active-defrag", "active defragmentation (not implemented)"),
    ("activedefrag", "active defragmentation (not implemented)"),
    ("lfu-", "eviction (not implemented: maxmemory stays 0)"),
    ("maxmemory", "an eviction setting the evict module does not act on"),
    ("list-", "the list type's module (not yet written)"),
    ("set-max", "the set type's module (not yet written)"),
    ("zset-", "the sorted set type's module (not yet written)"),
    ("stream-", "the stream type's module (not yet written)"),
    ("hll-", "the HyperLogLog module (not yet written)"),
    ("slowlog", "SLOWLOG (not implemented)"),
    ("latency", "LATENCY and latency tracking (not implemented)"),
    ("busy-reply", "scripting (not implemented)"),
    ("lua", "a scripting setting the Lua engine does not act on"),
    ("tracking", "client-side caching (not implemented)"),
    ("io-threads", "I/O threads (the server is single-threaded)"),
    ("unixsocket", "Unix socket listener (not implemented)"),
    ("shutdown-", "SHUTDOWN options on signals (not implemented)"),
    ("sanitize-dump", "deep RESTORE payload sanitisation (not implemented)"),
    ("enable-module-command", "MODULE command (not implemented)"),
    ("", "process tuning Redis does and FrankenRedis does not"),
]

# Vocabulary parameters the core reads where it acts on them (no directive
# of its own: the vocabulary validates and stores the value).
CORE_READS = {"aclfile": "core (ACL, acl.c)", "acllog-max-len": "core (ACL, acl.c)",
              "acl-pubsub-default": "core (ACL, acl.c)",
              "shutdown-on-sigint": "core (signals, server.c)", "shutdown-on-sigterm": "core (signals, server.c)",
              "shutdown-timeout": "core (shutdown.c)",
              "set-proc-title": "core (process title, proctitle.c)",
              "proc-title-template": "core (process title, proctitle.c)",
              "propagation-error-behavior": "core (errors of the master's stream or the AOF, replay.c)",
              "replica-ignore-disk-write-errors": "core (the master's writes under a disk error, replay.c)",
              "oom-score-adj": "core (the OOM killer's score, oom_score.c)",
              "oom-score-adj-values": "core (the OOM killer's score, oom_score.c)"}


def reader_words(module):
    """modules/lib is no module: its Lua engine is linked into two."""
    if module == "lib":
        return "the Lua engine of modules scripting and functions"
    return "module " + module


def module_reads(src):
    """{parameter: module} for the vocabulary parameters a module reads from
    the core's table (fr_config_server_*("name") in its sources): the code
    says who acts on a parameter, not a list kept here by hand."""
    reads = {}
    for path in sorted(glob.glob(os.path.join(src, "modules", "*", "*.c"))):
        module = os.path.basename(os.path.dirname(path))
        with open(path, encoding="utf-8") as f:
            for m in re.finditer(r'fr_config_server_\w+\(\s*"([^"]+)"', f.read()):
                reads.setdefault(m.group(1), module)
    return reads

FLAG_WORDS = {"IMM": "immutable", "PROT": "protected", "SENS": "sensitive", "MULTI": "multi-arg",
              "HID": "hidden", "DENY": "deny-loading"}


def parse_vocab(text):
    """(name, alias, type, flags, default, refuse) per entry of the table."""
    body = text.split("const fr_vocab fr_config_vocab[] = {", 1)[1].split("\n};", 1)[0]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    entries = []
    for m in re.finditer(r'(BOOL|INT|MEM|STR|ENUM|SPECIAL)\((.*?)\),\s*$|\{("[^"]+".*?)\},\s*$', body,
                         flags=re.S | re.M):
        args = split_args(m.group(2) if m.group(1) else m.group(3))
        kind = m.group(1)
        if kind:
            name, alias, flags = args[0], args[1], args[2]
            deflt = {"BOOL": args[3:4], "INT": args[5:6], "MEM": args[5:6], "STR": args[3:4],
                     "ENUM": args[4:5], "SPECIAL": args[3:4]}[kind][0]
            typ = {"BOOL": "bool", "INT": "integer", "MEM": "memory", "STR": "string", "ENUM": "enum",
                   "SPECIAL": "special"}[kind]
            refuse = None
        else:  # {name, alias, FR_VT_x, flags, min, max, default, words, norm, refuse, rewrite}
            name, alias, typ, flags, deflt = args[0], args[1], args[2], args[3], args[6]
            typ = {"FR_VT_BOOL": "bool", "FR_VT_INT": "integer", "FR_VT_MEMORY": "memory",
                   "FR_VT_STRING": "string", "FR_VT_ENUM": "enum", "FR_VT_SPECIAL": "special"}[typ]
            refuse = args[9] if args[9] != "NULL" else None
        if "PERCENT" in flags:
            typ = "memory or percent"
        if "OCTAL" in flags:
            typ = "octal integer"
        if kind == "SPECIAL" and name.strip('"') in ("shutdown-on-sigint", "shutdown-on-sigterm"):
            typ = "enum flags"
        entries.append((unq(name), unq(alias), typ, flags, unq(deflt), refuse))
    return entries


def split_args(s):
    out, depth, cur, quote = [], 0, "", False
    for i, c in enumerate(s):
        if c == '"' and (i == 0 or s[i - 1] != "\\"):
            quote = not quote
        if not quote and c in "({":
            depth += 1
        if not quote and c in ")}":
            depth -= 1
        if c == "," and depth == 0 and not quote:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    out.append(cur.strip())
    return out


def unq(s):
    s = s.strip()
    if s == "NULL":
        return None
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s)) if s.startswith('"') else s


def core_names(text):
    table = text.split("static conf_def core_defs[] = {", 1)[1].split("\n};", 1)[0]
    found = re.findall(r'(?:C|ENUM|SPECIAL)\("([^"]+)"|\.name = \(char \*\)"([^"]+)"', table)
    return {a or b for a, b in found}


def manifest_directives(path):
    """(module name, {directive: {field: text}}) from a manifest's top-level
    `name:` and its `config:` list (type, default, flags, summary), read
    line by line (the manifests' own layout, so the tool needs no YAML
    library on a fresh machine)."""
    module, found, in_config, cur = None, {}, False, None
    for line in open(path, encoding="utf-8"):
        top = re.match(r"^([a-z_]+):\s*(.*)$", line)
        if top:
            in_config = top.group(1) == "config"
            if top.group(1) == "name":
                module = top.group(2).strip().strip('"')
            continue
        entry = re.match(r"^  - name:\s*\"?([^\"\s]+)\"?\s*$", line)
        if in_config and entry:
            cur = found.setdefault(entry.group(1), {})
            continue
        field = re.match(r"^    ([a-z_]+):\s*(.*)$", line)
        if in_config and cur is not None and field:
            cur[field.group(1)] = field.group(2).strip().strip('"')
    return module, found


def module_modes(src):
    """{module: default_mode} of the built-in core and every manifest: each
    module's `<module>.mode` directive, which the core adds at load."""
    modes = {}
    for path in [os.path.join(src, "core", "commands.yaml")] + sorted(
            glob.glob(os.path.join(src, "modules", "*", "*.yaml"))):
        name, mode = None, "strict"
        for line in open(path, encoding="utf-8"):
            top = re.match(r"^(name|default_mode):\s*\"?([a-z0-9_-]+)", line)
            if top and top.group(1) == "name":
                name = top.group(2)
            elif top:
                mode = top.group(2)
        modes[name] = mode
    return modes


def module_names(src):
    owners = {}
    for path in sorted(glob.glob(os.path.join(src, "modules", "*", "*.yaml"))):
        module, found = manifest_directives(path)
        for name, fields in found.items():
            owners[name] = (module, fields)
    return owners


# FrankenRedis's own core directives (not Redis parameters): what they do.
# A core directive missing here and from Redis's vocabulary stops the tool.
OWN_CORE = {
    "module-dir": ("string", "the binary's `modules/`", "immutable", "where modules are looked for"),
    "hardened-log-capacity": ("integer", "`128`", "", "entries the hardened-mode ledger keeps (HARDENED LOG)"),
    "hardened-log-file": ("string", '""', "",
                          "a file each hardened-mode divergence is appended to as a JSON line; \"\": none"),
    "hardened-proto-max-multibulk-len": ("integer", "`65536`", "",
                                         "with `module core hardened`: most arguments a request may have"),
    "hardened-proto-max-bulk-len": ("memory", "`67108864`", "",
                                    "with `module core hardened`: longest bulk argument a request may have"),
    "hardened-partial-request-timeout": ("integer", "`30`", "", "with `module core hardened`: seconds a client "
                                         "may take to send the rest of a request it began; 0: no limit"),
}


def reason(name):
    for prefix, why in REASONS:
        if name.startswith(prefix):
            return why
    return ""


def render(src):
    vocab = parse_vocab(open(os.path.join(src, "core", "config_vocab.c")).read())
    core = core_names(open(os.path.join(src, "core", "config.c")).read())
    mods = module_names(src)
    reads = module_reads(src)
    out = [
        "# Configuration parameters",
        "",
        "<!-- Generated by tools/config-doc.py from core/config_vocab.c, core/config.c and the",
        "     module manifests; tests/integration/config.sh checks it is up to date. -->",
        "",
        "FrankenRedis knows every parameter of Redis 7.0.15 (%d, with %d aliases)." % (
            len(vocab), sum(1 for v in vocab if v[1])),
        "A name is looked up in this order:",
        "",
        "1. the core's own directives (`core/config.c`), which act;",
        "2. the directives of the loaded modules (their manifests' `config:`), which act",
        "   while the module is loaded;",
        "3. Redis's vocabulary (`core/config_vocab.c`) for every other parameter: the value",
        "   is validated as Redis validates it (ranges, words, error texts), stored, shown by",
        "   CONFIG GET with Redis's default and format and written by CONFIG REWRITE, but it",
        "   has **no effect**.  So a Redis user's config (with `save`, `dbfilename`, encodings,",
        "   `slaveof no one`...) starts, and clients that read parameters get answers.",
        "",
        "Some values would be a lie if they were accepted with no effect, because the user",
        "relies on them for safety, durability or reachability.  Those parameters accept only",
        "their default, at start-up (naming the file and line) and in CONFIG SET:",
        "",
    ]
    for name, alias, typ, flags, deflt, refuse in vocab:
        if refuse:
            text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', refuse))
            out.append("- `%s`: %s." % (name, text.replace(name + " ", "", 1)))
    out += [
        "",
        "`save` and `dbfilename` are the rdb module's; without that module they are",
        "accepted with no effect (a config must start), and nothing is saved: INFO",
        "persistence then shows no `rdb_*` fields and BGSAVE is an unknown command.",
        "",
        "Differences kept on purpose: CONFIG REWRITE writes no `user` line (there are no ACL",
        "users); a CONFIG SET of a deny-loading parameter is not refused while loading (the",
        "server loads before it accepts clients); the directives in the last table are",
        "FrankenRedis's own.",
        "",
        "| parameter | alias | type | default | flags | implemented by |",
        "|---|---|---|---|---|---|",
    ]
    for name, alias, typ, flags, deflt, refuse in vocab:
        fl = ", ".join(FLAG_WORDS[t.strip()] for t in flags.split("|") if t.strip() in FLAG_WORDS)
        if name in core:
            who = "core"
        elif name in CORE_READS:
            who = CORE_READS[name]
        elif name in mods and refuse:
            who = "module %s (without it: only the default is accepted)" % mods[name][0]
        elif name in mods:
            who = "module %s (without it: accepted, no effect)" % mods[name][0]
        elif name in reads:
            who = "%s (read from the core's table)" % reader_words(reads[name])
        else:
            who = "accepted, no effect: %s" % reason(name)
            if refuse:
                who += "; only the default is accepted"
        out.append("| `%s` | %s | %s | %s | %s | %s |" % (
            name, "`%s`" % alias if alias else "", typ,
            "`%s`" % deflt if deflt else '""', fl, who))
    out += ["", "FrankenRedis's own:", "", "| parameter | type | default | flags | implemented by |",
            "|---|---|---|---|---|"]
    known = {v[0] for v in vocab}
    for name in sorted(core - known):
        if name not in OWN_CORE:
            sys.exit("config-doc: core directive '%s' is neither Redis's nor described in OWN_CORE" % name)
        typ, deflt, fl, what = OWN_CORE[name]
        out.append("| `%s` | %s | %s | %s | core: %s |" % (name, typ, deflt, fl, what))
    for name in sorted(set(mods) - known):
        module, f = mods[name]
        out.append("| `%s` | %s | `%s` | %s | module %s: %s |" % (
            name, f.get("type", ""), f.get("default", ""), f.get("flags", "").strip("[]"), module,
            f.get("summary", "")))
    for module, mode in sorted(module_modes(src).items()):
        out.append("| `%s.mode` | enum: `strict`, `hardened` | `%s` |  | %s: the mode it runs in (its manifest's "
                   "`default_mode`; `module %s MODE` sets it too); CONFIG SET switches it for the next "
                   "command |" % (module, mode, "core" if module == "core" else "module " + module, module))
    out.append("")
    return "\n".join(out)


def main():
    src = sys.argv[1]
    text = render(src)
    path = os.path.join(src, "docs", "config.md")
    if "--check" in sys.argv:
        old = open(path).read() if os.path.exists(path) else ""
        if old != text:
            sys.stderr.write("docs/config.md is out of date: run tools/config-doc.py %s\n" % src)
            sys.exit(1)
        return
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""import-redis-commands.py -- turn Redis 7.0 command JSON into a manifest.

A developer tool, run by hand when a module is started (never by the build):
it reads Redis's src/commands/*.json for the commands asked for and writes a
FrankenRedis manifest (docs/manifest-format.md).  The YAML it writes is then
committed and edited by hand like any source file; re-running the tool
overwrites it.

Usage:
  tools/import-redis-commands.py --redis-commands DIR --name NAME \
      --description TEXT [--version V] [--default-mode strict|hardened] \
      [--depends a,b] [--provides x,y] [--out FILE] COMMAND...

A COMMAND is a name (GET), or a container with the subcommands to keep
(OBJECT:ENCODING,REFCOUNT).  A container named alone brings all its
subcommands.  Only the standard library is used.
"""

import argparse
import glob
import json
import os
import re
import sys

# Redis names the key finder C function; the manifest names a built-in one.
GETKEYS_NAMES = {"setGetKeys": "set"}

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_redis_commands(directory):
    """(top-level commands, {container: {sub: desc}}) keyed by upper name."""
    commands, subcommands = {}, {}
    files = sorted(glob.glob(os.path.join(directory, "*.json")))
    if not files:
        sys.exit("no command JSON files in %s" % directory)
    for path in files:
        with open(path, encoding="utf-8") as f:
            for name, desc in json.load(f).items():
                container = desc.get("container")
                if container:
                    subcommands.setdefault(container.upper(), {})[name.upper()] = desc
                else:
                    commands[name.upper()] = desc
    return commands, subcommands


def q(s):
    """A YAML double-quoted scalar: JSON's escapes are a subset of YAML's."""
    return json.dumps(s, ensure_ascii=False)


def flow_names(names):
    """A flow list; repeats are dropped (XREAD lists BLOCKING twice)."""
    unique = []
    for n in names:
        if n not in unique:
            unique.append(n)
    return "[" + ", ".join(unique) + "]"


class Writer:
    def __init__(self):
        self.lines = []

    def add(self, indent, text):
        self.lines.append("  " * indent + text)

    def text(self):
        return "\n".join(self.lines) + "\n"


def emit_key_spec(w, ind, spec):
    first = True

    def item(text):
        nonlocal first
        w.add(ind, ("- " if first else "  ") + text)
        first = False

    if spec.get("notes"):
        item("notes: %s" % q(spec["notes"]))
    item("flags: %s" % flow_names(spec.get("flags", [])))
    bs = spec["begin_search"]
    item("begin_search:")
    if "index" in bs:
        w.add(ind + 2, "index: {pos: %d}" % bs["index"]["pos"])
    elif "keyword" in bs:
        kw = bs["keyword"]
        w.add(ind + 2, "keyword: {keyword: %s, startfrom: %d}"
              % (q(kw["keyword"]), kw["startfrom"]))
    else:
        w.add(ind + 2, "unknown: null")
    fk = spec["find_keys"]
    item("find_keys:")
    if "range" in fk:
        r = fk["range"]
        w.add(ind + 2, "range: {lastkey: %d, step: %d, limit: %d}"
              % (r["lastkey"], r["step"], r["limit"]))
    elif "keynum" in fk:
        k = fk["keynum"]
        w.add(ind + 2, "keynum: {keynumidx: %d, firstkey: %d, step: %d}"
              % (k["keynumidx"], k["firstkey"], k["step"]))
    else:
        w.add(ind + 2, "unknown: null")


def emit_args(w, ind, args):
    for arg in args:
        # Redis's generator lower-cases names and upper-cases tokens.
        w.add(ind, "- name: %s" % q(arg["name"].lower()))
        w.add(ind + 1, "type: %s" % arg["type"])
        if "key_spec_index" in arg:
            w.add(ind + 1, "key_spec_index: %d" % arg["key_spec_index"])
        if "token" in arg:
            w.add(ind + 1, "token: %s" % q(c_token(arg["token"])))
        for field in ("summary", "since", "deprecated_since"):
            if arg.get(field):
                w.add(ind + 1, "%s: %s" % (field, q(arg[field])))
        for field in ("optional", "multiple", "multiple_token"):
            if arg.get(field):
                w.add(ind + 1, "%s: true" % field)
        if arg.get("arguments"):
            w.add(ind + 1, "arguments:")
            emit_args(w, ind + 2, arg["arguments"])


def c_token(token):
    """The token Redis actually serves: its generator upper-cases it and
    pastes it between C quotes, so MIGRATE's '""' becomes the empty string."""
    return token.upper().replace('"', "")


def getkeys_name(function):
    if function in GETKEYS_NAMES:
        return GETKEYS_NAMES[function]
    return re.sub(r"GetKeys$", "", function).lower()


def emit_command(w, ind, name, desc, subs):
    w.add(ind, "%s:" % name.lower())
    i = ind + 1
    w.add(i, "summary: %s" % q(desc["summary"]))
    if desc.get("complexity"):
        w.add(i, "complexity: %s" % q(desc["complexity"]))
    w.add(i, "group: %s" % desc["group"])
    w.add(i, "since: %s" % q(desc["since"]))
    w.add(i, "arity: %d" % desc["arity"])
    for field in ("command_flags", "acl_categories", "doc_flags"):
        if desc.get(field):
            w.add(i, "%s: %s" % (field, flow_names(desc[field])))
    for field in ("deprecated_since", "replaced_by"):
        if desc.get(field):
            w.add(i, "%s: %s" % (field, q(desc[field])))
    if desc.get("command_tips"):
        w.add(i, "command_tips: %s"
              % flow_names(q(t.lower()) for t in desc["command_tips"]))
    if desc.get("get_keys_function"):
        w.add(i, "getkeys: %s" % getkeys_name(desc["get_keys_function"]))
    if desc.get("history"):
        w.add(i, "history:")
        for since, changes in desc["history"]:
            w.add(i + 1, "- since: %s" % q(since))
            w.add(i + 1, "  changes: %s" % q(changes))
    if desc.get("key_specs"):
        w.add(i, "key_specs:")
        for spec in desc["key_specs"]:
            emit_key_spec(w, i + 1, spec)
    if desc.get("arguments"):
        w.add(i, "arguments:")
        emit_args(w, i + 1, desc["arguments"])
    if subs:
        w.add(i, "subcommands:")
        for sub_name, sub_desc in subs:
            emit_command(w, i + 1, sub_name, sub_desc, None)


def resolve(specs, commands, subcommands):
    """[(NAME, desc, [(SUB, desc)...])] in the order asked for."""
    out = []
    for spec in specs:
        name, _, wanted = spec.partition(":")
        name = name.upper()
        if name not in commands:
            sys.exit("unknown command %s" % name)
        available = subcommands.get(name, {})
        if wanted:
            subs = []
            for sub in wanted.upper().split(","):
                if sub not in available:
                    sys.exit("unknown subcommand %s|%s" % (name, sub))
                subs.append((sub, available[sub]))
        else:
            subs = sorted(available.items())
        out.append((name, commands[name], subs))
    return out


def header(args, out_path):
    base = os.path.basename(out_path) if out_path else "manifest"
    return [
        "# %s -- manifest of the '%s' module:" % (base, args.name),
        "# %s." % args.description,
        "#",
        "# Command metadata imported from Redis 7.0's src/commands/*.json by",
        "# tools/import-redis-commands.py, then kept here as source: this file",
        "# is the single source of truth for arity, flags, key specs, COMMAND,",
        "# COMMAND DOCS and the generated docs.  Format: docs/manifest-format.md.",
    ]


def render(args, resolved):
    w = Writer()
    w.lines.extend(header(args, args.out))
    w.add(0, "name: %s" % args.name)
    w.add(0, "version: %s" % q(args.version))
    w.add(0, "description: %s" % q(args.description))
    w.add(0, "default_mode: %s" % args.default_mode)
    for field in ("depends", "provides"):
        value = [v for v in getattr(args, field).split(",") if v]
        w.add(0, "%s: %s" % (field, flow_names(value)))
    w.add(0, "hooks: []")
    w.add(0, "config: []")
    w.add(0, "commands:")
    for name, desc, subs in resolved:
        emit_command(w, 1, name, desc, subs)
    return w.text()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--redis-commands", required=True,
                    help="Redis's src/commands directory")
    ap.add_argument("--name", required=True)
    ap.add_argument("--description", required=True)
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--default-mode", default="strict",
                    choices=("strict", "hardened"))
    ap.add_argument("--depends", default="")
    ap.add_argument("--provides", default="")
    ap.add_argument("--out", help="output file (default: stdout)")
    ap.add_argument("commands", nargs="+")
    args = ap.parse_args()

    commands, subcommands = load_redis_commands(args.redis_commands)
    text = render(args, resolve(args.commands, commands, subcommands))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

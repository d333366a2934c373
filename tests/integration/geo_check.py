#!/usr/bin/env python3
"""geo_check.py -- the GEO commands against redis-server, byte for byte.

Called by geo.sh with the ports of a FrankenRedis and a redis-server 7.0.15:

  geo_check.py script PORT_FR PORT_REDIS
      a fixed list of GEOADD / GEOPOS / GEODIST / GEOHASH / GEORADIUS* /
      GEOSEARCH* calls (options, every error path, absent keys, wrong
      types, STORE and STOREDIST, Z* commands on geo sets), sent in RESP2
      and again in RESP3: every raw reply must be the same bytes
  geo_check.py fuzz PORT_FR PORT_REDIS N SEED
      N rounds of random points (near one spot, spread over the globe,
      near the poles and the antimeridian, many on a few positions so that
      distances tie under COUNT; listpack and skiplist sets) searched with
      random shapes, units and options: raw replies equal
  geo_check.py events PORT_FR PORT_REDIS
      the keyspace events GEOADD and the stores raise, as received by a
      subscriber (psubscribe __key*__:*)
  geo_check.py propagate PORT_FR PORT_REDIS
      what a replica receives (SYNC, then the command stream) after GEOADD
      (rewritten to ZADD, nothing when it changed nothing), GEOSEARCHSTORE
      and GEORADIUS ... STORE, alone and inside MULTI/EXEC

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import random
import socket
import sys
import time

from wire import Raw, sync_replica, without_pings


def short(v):
    r = repr(v)
    return r if len(r) < 300 else r[:300] + "..."


class Tally:
    def __init__(self, name):
        self.name, self.checked, self.fails = name, 0, 0

    def eq(self, what, a, b):
        self.checked += 1
        if a != b:
            self.fails += 1
            if self.fails <= 5:
                print("FAIL %s/%s: ours %s, redis %s" % (self.name, what, short(a), short(b)))

    def done(self):
        if self.fails == 0:
            print("PASS %s (%d replies)" % (self.name, self.checked))
        elif self.fails > 5:
            print("FAIL %s: %d more differences" % (self.name, self.fails - 5))


SCRIPT = """
flushall
geoadd Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
geoadd Sicily ch nx 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 1 2 x
geoadd Sicily xx ch 13.361389 38.115556 Palermo 15.1 37.502669 Catania 1 2 y
geoadd Sicily CH XX 13.361389 38.115556 Palermo
geoadd Sicily xx nx 1 2 z
geoadd Sicily 200 100 z
geoadd Sicily -180.0000001 0 z
geoadd Sicily 0 85.06 z
geoadd Sicily 1 abc z
geoadd Sicily abc 1 z
geoadd Sicily 1 2
geoadd Sicily 1 2 a 3
geoadd Sicily ch ch ch
geoadd Sicily nx ch xx
geoadd edges 180 85.05112878 ne -180 -85.05112878 sw 0 0 zero -0 -0 negzero 179.9999999 0.0000001 tiny
zrange edges 0 -1 withscores
geopos edges ne sw zero negzero tiny
geohash edges ne sw zero negzero tiny
geodist edges ne sw
geodist edges zero negzero
zrange Sicily 0 -1 withscores
zscore Sicily Palermo
geodist Sicily Palermo Catania
geodist Sicily Palermo Catania km
geodist Sicily Palermo Catania KM
geodist Sicily Palermo Catania mi
geodist Sicily Palermo Catania ft
geodist Sicily Palermo Catania M
geodist Sicily Palermo Catania foo
geodist Sicily Palermo Catania km x
geodist Sicily Palermo nope
geodist Sicily Palermo Palermo
geodist nokey a b
geodist nokey a b parsec
geopos Sicily Palermo Catania NonExisting
geopos nokey a b
geopos Sicily
geohash Sicily Palermo Catania x
geohash nokey a
geohash Sicily
georadius Sicily 15 37 200 km
georadius Sicily 15 37 200 km WITHDIST
georadius Sicily 15 37 200 km WITHCOORD
georadius Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH
georadius Sicily 15 37 200 km withhash withcoord withdist desc count 1
georadius Sicily 15 37 200 km asc desc
georadius Sicily 15 37 200 km count 1 any
georadius Sicily 15 37 200 km any count 5
georadius Sicily 15 37 200 km any
georadius Sicily 15 37 200 km count 0
georadius Sicily 15 37 200 km count -1
georadius Sicily 15 37 200 km count x
georadius Sicily 15 37 200 km count
georadius Sicily 15 37 200 km foo
georadius Sicily 15 37 -200 km
georadius Sicily 15 37 x km
georadius Sicily 15 37 200 parsec
georadius Sicily 15 370 200 km
georadius Sicily x 37 200 km
georadius Sicily 15 37 0 km
georadius Sicily 15 37 1 m
georadius Sicily 15 37 200 km store dst withdist
georadius Sicily 15 37 200 km store dst withhash
georadius Sicily 15 37 200 km store dst
zrange dst 0 -1 withscores
object encoding dst
georadius Sicily 15 37 200 km storedist dst
zrange dst 0 -1 withscores
georadius Sicily 15 37 200 km store dst2 storedist dst
zrange dst 0 -1 withscores
exists dst2
georadius Sicily 15 37 200 km store
georadius_ro Sicily 15 37 200 km storedist dst
georadius_ro Sicily 15 37 200 km store dst
georadius_ro Sicily 15 37 200 km withdist
georadius Sicily 15 37 1 km store dst
exists dst
georadius nokey 15 37 200 km store dst
georadius nokey 15 37 200 km
georadius nokey 15 37 -1 km
georadiusbymember Sicily Palermo 200 km withdist
georadiusbymember Sicily Palermo 200 km withdist withcoord withhash count 2 desc
georadiusbymember Sicily nope 200 km withdist
georadiusbymember Sicily Palermo -1 km withdist
georadiusbymember nokey nope abc km withdist
georadiusbymember nokey nope abc km store dst
georadiusbymember Sicily Palermo 200 km storedist dst
zrange dst 0 -1 withscores
georadiusbymember_ro Sicily Palermo 200 km withdist asc
georadiusbymember_ro Sicily Palermo 200 km store dst
geosearch Sicily frommember Palermo byradius 200 km withdist
geosearch Sicily FROMMEMBER Palermo BYRADIUS 200 KM WITHDIST WITHHASH WITHCOORD DESC COUNT 1 ANY
geosearch Sicily fromlonlat 15 37 bybox 400 400 km withdist withcoord
geosearch Sicily fromlonlat 15 37 bybox 400 400 km asc
geosearch Sicily fromlonlat 15 37 bybox 400 400 km byradius 10 km
geosearch Sicily fromlonlat 15 37 byradius 10 km bybox 400 400 km
geosearch Sicily frommember Palermo fromlonlat 15 37 byradius 10 km
geosearch Sicily fromlonlat 15 37 frommember Palermo byradius 10 km
geosearch Sicily frommember nope byradius 10 km
geosearch Sicily byradius 10 km
GEOSEARCH Sicily byradius 10 km
geosearch Sicily fromlonlat 15 37
geoSearch Sicily fromlonlat 15 37
geosearch Sicily fromlonlat 15 37 bybox -1 2 km
geosearch Sicily fromlonlat 15 37 bybox 1 -2 km
geosearch Sicily fromlonlat 15 37 bybox a 2 km
geosearch Sicily fromlonlat 15 37 bybox 1 b km
geosearch Sicily fromlonlat 15 37 bybox 1 2 parsec
geosearch Sicily fromlonlat 15 37 bybox 1 2
geosearch Sicily fromlonlat 15 37 byradius 200 km any
geosearch Sicily fromlonlat 15 37 byradius 200 km store x
geosearch Sicily fromlonlat 15 37 byradius 200 km storedist
geosearch Sicily fromlonlat 190 37 byradius 200 km
geosearch nokey frommember a byradius 200 km
geosearch nokey fromlonlat 1 2 byradius 200 km
geosearchstore dst Sicily fromlonlat 15 37 byradius 200 km storedist
zrange dst 0 -1 withscores
geosearchstore dst Sicily fromlonlat 15 37 byradius 200 km
zrange dst 0 -1 withscores
geosearchstore dst Sicily fromlonlat 15 37 byradius 200 km count 1 desc
zrange dst 0 -1 withscores
geosearchstore dst Sicily fromlonlat 15 37 byradius 200 km withdist
geosearchstore dst Sicily fromlonlat 15 37 byradius 200 km store x
geosearchstore dst Sicily fromlonlat 15 37 byradius 1 m
exists dst
geosearchstore dst Sicily fromlonlat 15 37 byradius 200 km storedist
geosearchstore dst nokey fromlonlat 15 37 byradius 200 km
exists dst
geosearchstore Sicily Sicily frommember Palermo byradius 50 km
zrange Sicily 0 -1 withscores
set str x
geopos str a
geohash str a
geoadd str 1 1 a
geosearch str frommember a byradius 200 km
georadius str 1000 1 1 km
georadiusbymember str a -1 km
geodist str a b
geosearchstore str2 str fromlonlat 1 1 byradius 1 km
geosearchstore str Sicily fromlonlat 1 1 byradius 1 km
type str
zadd plain -1 neg 0 zero 1e300 huge 4503599627370496 big 4503599627370495 max52 inf posinf
geopos plain neg zero huge big max52 posinf
geohash plain neg zero max52
geodist plain zero max52
geosearch plain fromlonlat 0 0 byradius 20000 km withhash
georadius Sicily 0 0 20000 km withdist asc
command getkeys georadius Sicily 15 37 200 km store d1 storedist d2
command getkeys georadiusbymember Sicily Palermo 200 km store d1
command getkeys geosearchstore d Sicily fromlonlat 1 2 byradius 1 km
"""


def script(pfr, prd):
    for resp in (2, 3):
        t = Tally("script-resp%d" % resp)
        fr, rd = Raw(pfr, resp), Raw(prd, resp)
        for line in SCRIPT.strip().splitlines():
            args = line.split()
            t.eq(line, fr.call(*args), rd.call(*args))
        t.done()


def random_points(rng, n):
    kind = rng.choice(["local", "globe", "pole", "antimeridian", "equator", "ties"])
    spots = [(rng.uniform(-5, 5), rng.uniform(-5, 5)) for _ in range(4)]
    pts = []
    for _ in range(n):
        if kind == "local":
            lon, lat = 13.36 + rng.uniform(-2, 2), 38.11 + rng.uniform(-2, 2)
        elif kind == "globe":
            lon, lat = rng.uniform(-180, 180), rng.uniform(-85.05112878, 85.05112878)
        elif kind == "pole":
            lon, lat = rng.uniform(-180, 180), rng.choice([1, -1]) * rng.uniform(70, 85.05)
        elif kind == "antimeridian":
            lon, lat = rng.choice([1, -1]) * rng.uniform(175, 180), rng.uniform(-30, 30)
        elif kind == "ties":  # many members on few positions: equal distances
            lon, lat = rng.choice(spots)
        else:
            lon, lat = rng.uniform(-3, 3), rng.uniform(-3, 3)
        pts.append((round(lon, rng.choice([2, 6, 10])), round(lat, rng.choice([2, 6, 10]))))
    return kind, pts


def random_search(rng, pts):
    """(command args) for one random search on key 'p'."""
    unit = rng.choice(["m", "km", "mi", "ft", "KM"])
    scale = {"m": 1000, "km": 1, "mi": 0.62, "ft": 3280, "KM": 1}[unit]
    size = rng.choice([1, 10, 50, 200, 1000, 5000, 20000]) * scale
    lon, lat = rng.choice(pts) if rng.random() < 0.7 else (rng.uniform(-180, 180), rng.uniform(-85, 85))
    opts = []
    for o in ("WITHDIST", "WITHCOORD", "WITHHASH"):
        if rng.random() < 0.5:
            opts.append(o)
    if rng.random() < 0.6:
        opts.append(rng.choice(["ASC", "DESC"]))
    if rng.random() < 0.4:
        opts += ["COUNT", str(rng.randint(1, 20))]
        if rng.random() < 0.3:
            opts.append("ANY")
    form = rng.choice(["radius", "member", "search-radius", "search-box", "store"])
    if form == "radius":
        return ["GEORADIUS", "p", repr(lon), repr(lat), repr(size), unit] + opts
    if form == "member":
        return ["GEORADIUSBYMEMBER", "p", "m%d" % rng.randrange(len(pts)), repr(size), unit] + opts
    centre = ["FROMLONLAT", repr(lon), repr(lat)] if rng.random() < 0.5 else \
        ["FROMMEMBER", "m%d" % rng.randrange(len(pts))]
    if form == "search-radius":
        return ["GEOSEARCH", "p"] + centre + ["BYRADIUS", repr(size), unit] + opts
    if form == "search-box":
        return ["GEOSEARCH", "p"] + centre + ["BYBOX", repr(size), repr(size * rng.uniform(0.2, 2)), unit] + opts
    plain = [o for o in opts if not o.startswith("WITH")]
    return ["GEOSEARCHSTORE", "dst", "p"] + centre + ["BYRADIUS", repr(size), unit] + plain + \
        (["STOREDIST"] if rng.random() < 0.5 else [])


def fuzz(pfr, prd, n, seed):
    rng = random.Random(seed)
    t = Tally("fuzz")
    conns = {resp: (Raw(pfr, resp), Raw(prd, resp)) for resp in (2, 3)}
    for _ in range(n):
        fr, ref = conns[rng.choice([2, 3])]
        for c in (fr, ref):
            c.call("DEL", "p", "dst")
        kind, pts = random_points(rng, rng.choice([3, 20, 150, 400]))
        args = ["GEOADD", "p"]
        for i, (lon, lat) in enumerate(pts):
            args += [repr(lon), repr(lat), "m%d" % i]
        t.eq("geoadd", fr.call(*args), ref.call(*args))
        for _ in range(5):
            cmd = random_search(rng, pts)
            t.eq(" ".join(cmd), fr.call(*cmd), ref.call(*cmd))
            if cmd[0] == "GEOSEARCHSTORE":
                t.eq("stored", fr.call("ZRANGE", "dst", 0, -1, "WITHSCORES"),
                     ref.call("ZRANGE", "dst", 0, -1, "WITHSCORES"))
        pick = ["m%d" % rng.randrange(len(pts)) for _ in range(3)]
        for cmd in (["GEOPOS", "p"] + pick, ["GEOHASH", "p"] + pick, ["GEODIST", "p"] + pick[:2] + ["km"]):
            t.eq(" ".join(cmd), fr.call(*cmd), ref.call(*cmd))
        t.eq("kind " + kind, fr.call("ZRANGE", "p", 0, -1, "WITHSCORES"), ref.call("ZRANGE", "p", 0, -1, "WITHSCORES"))
    t.done()


EVENT_STEPS = [
    ["GEOADD", "g", "1", "2", "a", "3", "4", "b"],
    ["GEOADD", "g", "1", "2", "a"],
    ["GEOADD", "g", "XX", "5", "6", "a"],
    ["GEOSEARCHSTORE", "s", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "10000", "km"],
    ["GEOSEARCHSTORE", "s", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m"],
    ["GEORADIUS", "g", "1", "2", "10000", "km", "STORE", "r"],
    ["GEORADIUS", "g", "1", "2", "10000", "km", "STOREDIST", "r"],
    ["GEORADIUS", "nokey", "1", "2", "10000", "km", "STORE", "r"],
    ["SET", "end", "1"],
]


def drain(sub):
    sub.s.settimeout(0.5)
    got = b""
    try:
        while True:
            chunk = sub.s.recv(65536)
            if not chunk:
                break
            got += chunk
            if b"end\r\n" in got.split(b"__keyevent@0__:set")[-1] and b"__keyevent@0__:set" in got:
                break
    except socket.timeout:
        pass
    return got


def events(pfr, prd):
    got = []
    for port in (pfr, prd):
        c = Raw(port)
        c.call("FLUSHALL")
        c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        sub = Raw(port)
        sub.call("PSUBSCRIBE", "__key*__:*")
        for step in EVENT_STEPS:
            c.call(*step)
        got.append(drain(sub))
        c.call("CONFIG", "SET", "notify-keyspace-events", "")
    t = Tally("keyspace-events")
    t.eq("stream", got[0], got[1])
    t.done()


def replica_stream(port):
    c = Raw(port)
    c.call("FLUSHALL")
    rep = sync_replica(port).s
    time.sleep(0.2)
    for step in EVENT_STEPS + [["GEOADD", "g", "NX", "CH", "9", "9", "a", "10", "10", "c"],
                               ["GEOADD", "g", "NX", "9", "9", "a"],
                               ["MULTI"], ["GEOADD", "g", "CH", "1", "1", "a"], ["GEOADD", "g", "NX", "1", "1", "a"],
                               ["GEOSEARCHSTORE", "s", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km"], ["EXEC"],
                               ["SET", "end", "2"]]:
        c.call(*step)
    rep.settimeout(1)
    got = b""
    try:
        while b"end\r\n$1\r\n2" not in got:
            chunk = rep.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        pass
    rep.close()
    return without_pings(got)


def propagate(pfr, prd):
    t = Tally("propagation")
    t.eq("replica-stream", replica_stream(pfr), replica_stream(prd))
    t.done()


def main():
    what, pfr, prd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if what == "script":
        script(pfr, prd)
    elif what == "fuzz":
        fuzz(pfr, prd, int(sys.argv[4]), int(sys.argv[5]))
    elif what == "events":
        events(pfr, prd)
    elif what == "propagate":
        propagate(pfr, prd)
    else:
        sys.exit("unknown check %s" % what)


if __name__ == "__main__":
    main()

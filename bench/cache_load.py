"""cache_load.py PORT KEYS OPS VALUE_SIZE SEED -- a cache-aside client with a
skewed (Zipf, s = 1) access pattern over KEYS keys, for bench/cache.sh.

Batches of 256 requests: GET every key of the batch (pipelined), then SET
the ones that missed (pipelined), as an application filling its cache on
misses does.  The first third of OPS warms the cache and is not counted.
The key sequence depends only on SEED, so both servers see the same one.
Prints one line: "hits=H gets=G sets=S seconds=T" for the counted part.
Debian's python3 only."""
import bisect
import itertools
import random
import socket
import sys
import time

BATCH = 256


def zipf_cdf(n):
    weights = [1.0 / rank for rank in range(1, n + 1)]
    return list(itertools.accumulate(weights))


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, payload):
        self.s.sendall(payload)

    def _more(self):
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def replies(self, n):
        """n replies, each None (nil), a status/integer line, or a bulk."""
        out = []
        pos = 0
        while len(out) < n:
            end = self.buf.find(b"\r\n", pos)
            if end < 0:
                self.buf = self.buf[pos:]
                pos = 0
                self._more()
                continue
            t = self.buf[pos:pos + 1]
            if t == b"$":
                size = int(self.buf[pos + 1:end])
                if size < 0:
                    out.append(None)
                    pos = end + 2
                    continue
                if len(self.buf) < end + 2 + size + 2:
                    self.buf = self.buf[pos:]
                    pos = 0
                    self._more()
                    continue
                out.append(self.buf[end + 2:end + 2 + size])
                pos = end + 2 + size + 2
            elif t == b"-":
                raise RuntimeError(self.buf[pos:end].decode())
            else:
                out.append(self.buf[pos:end])
                pos = end + 2
        self.buf = self.buf[pos:]
        return out


def main():
    port, nkeys, ops, size, seed = (int(a) for a in sys.argv[1:6])
    rng = random.Random(seed)
    cdf = zipf_cdf(nkeys)
    total = cdf[-1]
    # ranks are scattered over the key names so hot keys do not share a prefix
    names = list(range(nkeys))
    rng.shuffle(names)
    keys = [b"cache:%010d" % names[bisect.bisect_left(cdf, rng.random() * total)] for _ in range(ops)]
    value = b"v" * size
    c = Client(port)
    warm = ops // 3
    hits = gets = sets = 0
    start = None
    for i in range(0, ops, BATCH):
        if start is None and i >= warm:
            start = time.monotonic()
            hits = gets = sets = 0
        batch = keys[i:i + BATCH]
        c.send(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k) for k in batch))
        got = c.replies(len(batch))
        missed = [k for k, v in zip(batch, got) if v is None]
        gets += len(batch)
        hits += len(batch) - len(missed)
        if missed:
            c.send(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, size, value)
                            for k in missed))
            c.replies(len(missed))
            sets += len(missed)
    print("hits=%d gets=%d sets=%d seconds=%.3f" % (hits, gets, sets, time.monotonic() - start))


main()

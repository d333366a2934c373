/* fr-slowread.c -- the slow-reader client behind tests/integration/output.sh.
 *
 * Owns: the output-path cases (plain big GETs, 1M pipelined PINGs, a mixed
 * pipeline, RESP3, deferred-length replies), the value pattern they use and
 * the byte-for-byte verification of every reply.
 *
 * How a case runs: a fast "setup" connection stores the values and keys the
 * case needs; replies whose bytes this program cannot know in advance
 * (CONFIG GET *, COMMAND DOCS ...) are "learned" once on a fresh fast
 * connection; then a test connection with a small receive buffer sends the
 * whole pipeline at once, pauses, and reads the replies in small chunks with
 * short pauses, comparing each byte with the expected stream.
 *
 * Invariants:
 *  - the expected stream is fixed before the test connection sends anything
 *    (a list of segments: exact bytes, possibly repeated, or one complete
 *    RESP reply checked by a validator where the order of elements is not
 *    defined, e.g. KEYS);
 *  - every value is the 16-byte record pattern of value_make(): a skipped,
 *    repeated or misordered range changes the offsets written in the data,
 *    so it cannot compare equal by accident;
 *  - the last command of every pipeline is PING and nothing may follow its
 *    reply: a truncated or over-long stream fails;
 *  - loopback only (127.0.0.1), every wait is bounded (no progress for
 *    --stall-ms fails the case), libc only.
 *
 * Output: one line, "ok: ..." (exit 0) or "error: ..." (exit 1); exit 2 on
 * bad usage.  Memory: the whole expected stream's distinct bytes are held
 * (values once each, repeated literals once), at most ~80 MB per case. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)

/* ------------------------------------------------------------ options */

typedef struct {
    int port;
    const char *name;      /* case */
    uint64_t seed;
    int rcvbuf;            /* test connection's SO_RCVBUF */
    size_t chunk_min, chunk_max;
    int pause_us;          /* max sleep between reads */
    int pause_every;       /* sleep after one read in this many, on average */
    int pause_ms;          /* before the first read of the test connection */
    int stall_ms;          /* no progress for this long fails */
} options;

static options opt = {
    .seed = 1, .rcvbuf = 16 * 1024, .chunk_min = 1024, .chunk_max = 64 * 1024,
    .pause_us = 1000, .pause_every = 4, .pause_ms = 500, .stall_ms = 15000,
};

/* Fatal errors end the case: one "error:" line, exit 1. */
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) fail("out of memory (%zu bytes)", n);
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) fail("out of memory (%zu bytes)", n);
    return p;
}

static uint64_t rng_state;

static uint64_t rng(void)  /* splitmix64: seeded, reproducible */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t rng_range(size_t lo, size_t hi)  /* [lo, hi] */
{
    return lo + (size_t)(rng() % (hi - lo + 1));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ buffers */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_add(buf_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 4096;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void buf_printf(buf_t *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    buf_add(b, tmp, (size_t)n);
}

/* Printable excerpt of bytes for diagnostics (static buffer: one use per line). */
static const char *escape(const char *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r') o += (size_t)snprintf(out + o, cap - o, "\\r");
        else if (c == '\n') o += (size_t)snprintf(out + o, cap - o, "\\n");
        else if (c < 32 || c > 126 || c == '"') o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        else out[o++] = (char)c;
    }
    out[o] = 0;
    return out;
}

/* -------------------------------------------------------------- values */

/* A value of `size` bytes: 16-byte records "SSOOOOOOOOOOOOO\n" where SS is
 * the seed in hex and O the record's offset in hex (the last record may be
 * cut short).  The caller owns the result. */
static char *value_make(unsigned seed, size_t size)
{
    char *v = xmalloc(size);
    char rec[32];
    for (size_t off = 0; off < size; off += 16) {
        snprintf(rec, sizeof(rec), "%02x%013zx\n", seed & 0xff, off & (size_t)0xfffffffffffffULL);
        memcpy(v + off, rec, size - off < 16 ? size - off : 16);
    }
    return v;
}

/* ------------------------------------------------------------- RESP */

/* One header line at p: type byte and its number.  Returns the line's
 * length including CRLF, 0 if incomplete, -1 if malformed. */
static long resp_line(const char *p, size_t n, char *type, long long *num)
{
    const char *nl = memchr(p, '\n', n);
    if (!nl) return n > 64 * 1024 ? -1 : 0;
    if (nl == p || nl[-1] != '\r') return -1;
    *type = p[0];
    *num = 0;
    if (strchr("$*%~>|=!", p[0])) {
        char *end;
        *num = strtoll(p + 1, &end, 10);
        if (end != nl - 1) return -1;
    }
    return nl - p + 1;
}

/* Length of the one complete RESP2/RESP3 reply at p: >0, 0 if incomplete,
 * -1 if malformed.  Depth-limited. */
static long resp_len_depth(const char *p, size_t n, int depth)
{
    char t;
    long long num;
    if (depth > 16) return -1;
    long h = resp_line(p, n, &t, &num);
    if (h <= 0) return h;
    switch (t) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
        return h;
    case '$': case '=': case '!':
        if (num < 0) return t == '$' ? h : -1;
        if ((size_t)h + (size_t)num + 2 > n) return 0;
        if (p[h + num] != '\r' || p[h + num + 1] != '\n') return -1;
        return h + (long)num + 2;
    case '*': case '~': case '>': case '%': case '|': {
        if (num < 0) return t == '*' ? h : -1;
        long long items = (t == '%' || t == '|') ? num * 2 : num;
        long off = h;
        for (long long i = 0; i < items; i++) {
            long k = resp_len_depth(p + off, n - (size_t)off, depth + 1);
            if (k <= 0) return k;
            off += k;
        }
        if (t == '|') {  /* an attribute precedes the reply it describes */
            long k = resp_len_depth(p + off, n - (size_t)off, depth + 1);
            return k <= 0 ? k : off + k;
        }
        return off;
    }
    default:
        return -1;
    }
}

static long resp_len(const char *p, size_t n) { return n ? resp_len_depth(p, n, 0) : 0; }

/* ------------------------------------------------------ the expected stream */

/* A validator gets one complete reply; returns NULL or why it is wrong. */
typedef const char *(*validator)(const char *p, size_t n, const void *arg);

typedef struct {
    const char *p;       /* EXACT: the expected bytes (pointer set by script_seal) */
    size_t pool_off;     /* where p points into the pool, unless static/value */
    int in_pool;
    size_t len;          /* EXACT: bytes of one unit */
    size_t repeat;       /* EXACT: units in a row (1M PONGs are one segment) */
    validator check;     /* PARSED: NULL for EXACT */
    const void *arg;
    long reply;          /* index of the first reply this segment belongs to */
    const char *label;   /* command, for diagnostics (static) */
} seg_t;

typedef struct {
    buf_t req;           /* every request, in order */
    buf_t pool;          /* literal expected bytes */
    seg_t *segs;
    size_t nsegs, cap;
    long replies;
    size_t expect_bytes; /* of EXACT segments */
    int parsed;          /* how many PARSED segments (their size is unknown) */
} script_t;

static seg_t *seg_new(script_t *s, const char *label, int new_reply)
{
    if (s->nsegs == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->segs = xrealloc(s->segs, s->cap * sizeof(seg_t));
    }
    seg_t *g = &s->segs[s->nsegs++];
    memset(g, 0, sizeof(*g));
    g->repeat = 1;
    g->label = label;
    if (new_reply) s->replies++;
    g->reply = s->replies - 1;
    return g;
}

/* One request from argc strings (argv lengths in lens, or strlen). */
static void req_add(script_t *s, int argc, const char *const *argv, const size_t *lens)
{
    buf_printf(&s->req, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t n = lens ? lens[i] : strlen(argv[i]);
        buf_printf(&s->req, "$%zu\r\n", n);
        buf_add(&s->req, argv[i], n);
        buf_add(&s->req, "\r\n", 2);
    }
}

#define REQ(s, ...) do { \
        const char *a_[] = {__VA_ARGS__}; \
        req_add((s), (int)(sizeof(a_) / sizeof(a_[0])), a_, NULL); \
    } while (0)

/* Expect literal bytes (copied into the pool), as a new reply or as the
 * continuation of the current one. */
static void exp_bytes(script_t *s, const char *p, size_t n, const char *label, int new_reply)
{
    seg_t *g = seg_new(s, label, new_reply);
    g->in_pool = 1;
    g->pool_off = s->pool.len;
    g->len = n;
    buf_add(&s->pool, p, n);
    s->expect_bytes += n;
}

static void exp_str(script_t *s, const char *str, const char *label)
{
    exp_bytes(s, str, strlen(str), label, 1);
}

/* Expect `count` identical replies held by the caller (static storage). */
static void exp_repeat(script_t *s, const char *p, size_t n, size_t count, const char *label)
{
    seg_t *g = seg_new(s, label, 1);
    g->p = p;
    g->len = n;
    g->repeat = count;
    s->replies += (long)count - 1;
    s->expect_bytes += n * count;
}

/* Expect a bulk reply holding `n` bytes at v (owned by the caller, alive
 * until the script is done). */
static void exp_bulk(script_t *s, const char *v, size_t n, const char *label)
{
    char hdr[32];
    int h = snprintf(hdr, sizeof(hdr), "$%zu\r\n", n);
    exp_bytes(s, hdr, (size_t)h, label, 1);
    seg_t *g = seg_new(s, label, 0);
    g->p = v;
    g->len = n;
    s->expect_bytes += n;
    exp_bytes(s, "\r\n", 2, label, 0);
}

static void exp_parsed(script_t *s, validator check, const void *arg, const char *label)
{
    seg_t *g = seg_new(s, label, 1);
    g->check = check;
    g->arg = arg;
    s->parsed++;
}

/* Pool pointers are fixed once nothing more is added. */
static void script_seal(script_t *s)
{
    for (size_t i = 0; i < s->nsegs; i++)
        if (s->segs[i].in_pool) s->segs[i].p = s->pool.p + s->segs[i].pool_off;
}

static void script_free(script_t *s)
{
    free(s->req.p);
    free(s->pool.p);
    free(s->segs);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ validators */

static const char *check_is_map(const char *p, size_t n, const void *arg)
{
    (void)n; (void)arg;
    return p[0] == '%' || p[0] == '*' ? NULL : "not a map";
}

/* KEYS k:*: exactly the keys k:000000 .. k:(N-1), each once, any order. */
static const char *check_keys(const char *p, size_t n, const void *arg)
{
    long want = *(const long *)arg;
    static char why[160];
    char t;
    long long num;
    long h = resp_line(p, n, &t, &num);
    if (h <= 0 || t != '*') return "not an array";
    if (num != want) {
        snprintf(why, sizeof(why), "%lld keys, want %ld", num, want);
        return why;
    }
    unsigned char *seen = calloc((size_t)want + 1, 1);
    if (!seen) return "out of memory";
    const char *err = NULL;
    size_t off = (size_t)h;
    for (long i = 0; i < want && !err; i++) {
        long k = resp_line(p + off, n - off, &t, &num);
        char key[16];
        long idx;
        if (k <= 0 || t != '$' || num != 8) { err = "element is not an 8-byte bulk"; break; }
        memcpy(key, p + off + k, 8);
        key[8] = 0;
        if (sscanf(key, "k:%06ld", &idx) != 1 || idx < 0 || idx >= want) err = "unexpected key";
        else if (seen[idx]++) err = "duplicate key";
        off += (size_t)k + 10;
    }
    free(seen);
    return err;
}

/* SCAN 0 COUNT n: a numeric cursor and keys of the k:NNNNNN family. */
static const char *check_scan(const char *p, size_t n, const void *arg)
{
    (void)arg;
    char t;
    long long num;
    long h = resp_line(p, n, &t, &num);
    if (h <= 0 || t != '*' || num != 2) return "not a 2-element array";
    size_t off = (size_t)h;
    long k = resp_line(p + off, n - off, &t, &num);
    if (k <= 0 || t != '$' || num < 1 || num > 20) return "cursor is not a short bulk";
    for (long long i = 0; i < num; i++)
        if (p[off + k + i] < '0' || p[off + k + i] > '9') return "cursor is not a number";
    off += (size_t)k + (size_t)num + 2;
    k = resp_line(p + off, n - off, &t, &num);
    if (k <= 0 || t != '*') return "keys are not an array";
    long long count = num;
    off += (size_t)k;
    for (long long i = 0; i < count; i++) {
        k = resp_line(p + off, n - off, &t, &num);
        if (k <= 0 || t != '$' || num != 8 || memcmp(p + off + k, "k:", 2)) return "unexpected element";
        off += (size_t)k + 10;
    }
    return NULL;
}

/* Bytes owned by whoever holds the blob. */
typedef struct {
    char *bytes;
    size_t len;
} blob_t;

/* A multi-element reply split into its top-level units (an element, or a
 * key and its value for maps), so two replies can be compared in any order. */
typedef struct {
    const char *p;
    size_t n;
} unit_t;

static int unit_cmp(const void *a, const void *b)
{
    const unit_t *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Sorted units of the complete reply at p (caller frees); -1 if not a
 * multi-element reply. */
static long split_units(const char *p, size_t n, unit_t **out, long *hdr)
{
    char t;
    long long num;
    long h = resp_line(p, n, &t, &num);
    if (h <= 0 || !strchr("*%~", t) || num < 0) return -1;
    int per = t == '%' ? 2 : 1;
    unit_t *u = xmalloc(sizeof(unit_t) * (size_t)(num + 1));
    size_t off = (size_t)h;
    for (long long i = 0; i < num; i++) {
        u[i].p = p + off;
        for (int j = 0; j < per; j++) {
            long k = resp_len(p + off, n - off);
            if (k <= 0) { free(u); return -1; }
            off += (size_t)k;
        }
        u[i].n = (size_t)(p + off - u[i].p);
    }
    qsort(u, (size_t)num, sizeof(unit_t), unit_cmp);
    *out = u;
    *hdr = h;
    return (long)num;
}

/* The same header and the same elements, byte for byte, as the learned
 * reply, in any order (Redis's dict order may change between two calls). */
static const char *check_same_elements(const char *p, size_t n, const void *arg)
{
    const blob_t *want = arg;
    static char why[200];
    unit_t *a, *b;
    long ha, hb;
    long na = split_units(want->bytes, want->len, &a, &ha);
    if (na < 0) return "learned reply is not an array or map";
    long nb = split_units(p, n, &b, &hb);
    const char *err = NULL;
    if (nb < 0) err = "not an array or map";
    else if (ha != hb || memcmp(want->bytes, p, (size_t)ha)) err = "header differs";
    else {
        for (long i = 0; i < na && !err; i++) {
            if (unit_cmp(&a[i], &b[i])) {
                char w[120], g[120];
                snprintf(why, sizeof(why), "element differs: want \"%s\" got \"%s\"",
                         escape(a[i].p, a[i].n < 40 ? a[i].n : 40, w, sizeof(w)),
                         escape(b[i].p, b[i].n < 40 ? b[i].n : 40, g, sizeof(g)));
                err = why;
            }
        }
    }
    free(a);
    if (nb >= 0) free(b);
    return err;
}

/* --------------------------------------------------------------- network */

static int connect_port(int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket: %s", strerror(errno));
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
        fail("SO_RCVBUF: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        fail("connect to 127.0.0.1:%d: %s", opt.port, strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Wait for `events` on fd; fails the case after --stall-ms of nothing. */
static void wait_fd(int fd, short events, const char *what)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int r;
    do r = poll(&pfd, 1, opt.stall_ms); while (r < 0 && errno == EINTR);
    if (r == 0) fail("%s: no progress for %d ms", what, opt.stall_ms);
    if (r < 0) fail("poll: %s", strerror(errno));
}

/* Send what the socket takes now; returns bytes sent. */
static size_t send_some(int fd, const char *p, size_t n)
{
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
        fail("send: %s", strerror(errno));
    }
    return (size_t)w;
}

/* ------------------------------------------------------------- verifying */

typedef struct {
    const script_t *s;
    size_t seg;          /* current segment */
    size_t off;          /* bytes of it already verified */
    buf_t acc;           /* PARSED: the reply so far */
    size_t got;          /* bytes received in all */
    size_t reads;
} verifier;

static void describe_mismatch(const verifier *v, const seg_t *g, size_t at, const char *p, size_t n)
{
    char want[200], have[200];
    size_t unit = g->len ? (v->off + at) / g->len : 0;
    size_t in = g->len ? (v->off + at) % g->len : 0;
    size_t show = g->len - in < 48 ? g->len - in : 48;
    if (show > n - at) show = n - at;
    fail("reply #%ld (%s) differs at byte %zu of its segment, stream offset %zu: "
         "want \"%s\" got \"%s\"",
         g->reply + (long)unit, g->label, in, v->got + at,
         escape(g->p + in, show, want, sizeof(want)), escape(p + at, show, have, sizeof(have)));
}

/* Compare n received bytes with an EXACT segment from v->off; returns how
 * many it consumed. */
static size_t verify_exact(verifier *v, const seg_t *g, const char *p, size_t n)
{
    size_t left = g->len * g->repeat - v->off;
    size_t k = n < left ? n : left;
    size_t done = 0;
    while (done < k) {
        size_t in = (v->off + done) % g->len;
        size_t m = g->len - in < k - done ? g->len - in : k - done;
        if (memcmp(g->p + in, p + done, m)) {
            size_t i = 0;
            while (g->p[in + i] == p[done + i]) i++;
            describe_mismatch(v, g, done + i, p, n);
        }
        done += m;
    }
    v->off += k;
    return k;
}

/* Feed a PARSED segment; returns the bytes that belong to it. */
static size_t verify_parsed(verifier *v, const seg_t *g, const char *p, size_t n)
{
    size_t before = v->acc.len;
    buf_add(&v->acc, p, n);
    long len = resp_len(v->acc.p, v->acc.len);
    if (len < 0) {
        char have[200];
        fail("reply #%ld (%s) is not valid RESP: \"%s\"", g->reply, g->label,
             escape(v->acc.p, v->acc.len < 48 ? v->acc.len : 48, have, sizeof(have)));
    }
    if (len == 0) {
        if (v->acc.len > 256 * (size_t)MIB) fail("reply #%ld (%s) over 256 MB", g->reply, g->label);
        return n;
    }
    const char *why = g->check(v->acc.p, (size_t)len, g->arg);
    if (why) fail("reply #%ld (%s): %s", g->reply, g->label, why);
    v->acc.len = 0;
    v->off = 0;
    v->seg++;
    return (size_t)len - before;
}

/* Check a received chunk against the expected stream. */
static void verify(verifier *v, const char *p, size_t n)
{
    v->reads++;
    while (n > 0) {
        if (v->seg == v->s->nsegs) {
            char have[200];
            fail("%zu bytes after the last reply: \"%s\"", n, escape(p, n < 48 ? n : 48, have, sizeof(have)));
        }
        const seg_t *g = &v->s->segs[v->seg];
        size_t k;
        if (g->check) {
            k = verify_parsed(v, g, p, n);
        } else {
            k = verify_exact(v, g, p, n);
            if (v->off == g->len * g->repeat) v->seg++, v->off = 0;
        }
        v->got += k;
        p += k;
        n -= k;
    }
}

static void fail_eof(const verifier *v)
{
    const seg_t *g = &v->s->segs[v->seg];
    size_t unit = g->check || !g->len ? 0 : v->off / g->len;
    fail("connection closed by the server after %zu of %s%zu bytes (in reply #%ld of %ld, %s)",
         v->got, v->s->parsed ? "more than " : "", v->s->expect_bytes, g->reply + (long)unit,
         v->s->replies, g->label);
}

/* Read one chunk of at most `max` bytes into v; returns 0 on EOF. */
static int read_chunk(int fd, verifier *v, char *buf, size_t max)
{
    for (;;) {
        ssize_t r = recv(fd, buf, max, 0);
        if (r > 0) {
            verify(v, buf, (size_t)r);
            return 1;
        }
        if (r == 0) return 0;
        if (errno == ECONNRESET) return 0;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail("recv: %s", strerror(errno));
        wait_fd(fd, POLLIN, "waiting for replies");
    }
}

/* Nothing may follow the last reply (buf holds --chunk's MAX bytes). */
static void expect_silence(int fd, verifier *v, char *buf)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, 100) > 0) {
        ssize_t r = recv(fd, buf, opt.chunk_max, 0);
        if (r > 0) verify(v, buf, (size_t)r); /* fails: past the end */
    }
}

/* Fast: send and read at the same time, big reads (setup connections). */
static void run_fast(int fd, const script_t *s)
{
    verifier v = {.s = s};
    size_t sent = 0;
    char *buf = xmalloc(256 * 1024);
    while (v.seg < s->nsegs) {
        short ev = POLLIN | (sent < s->req.len ? POLLOUT : 0);
        wait_fd(fd, ev, "setup");
        if (sent < s->req.len) sent += send_some(fd, s->req.p + sent, s->req.len - sent);
        ssize_t r = recv(fd, buf, 256 * 1024, 0);
        if (r > 0) verify(&v, buf, (size_t)r);
        else if (r == 0 || errno == ECONNRESET) fail_eof(&v);
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail("recv: %s", strerror(errno));
    }
    free(buf);
    free(v.acc.p);
}

/* Slow: the whole pipeline first, a pause, then small reads with pauses.
 * Prints the "ok:" line. */
static void run_slow(int fd, const script_t *s, double t0)
{
    for (size_t sent = 0; sent < s->req.len;) {
        size_t w = send_some(fd, s->req.p + sent, s->req.len - sent);
        if (w == 0) wait_fd(fd, POLLOUT, "sending the pipeline (server not reading?)");
        sent += w;
    }
    usleep((useconds_t)opt.pause_ms * 1000);
    verifier v = {.s = s};
    char *buf = xmalloc(opt.chunk_max);
    while (v.seg < s->nsegs) {
        size_t max = rng() % 16 == 0 ? rng_range(1, 64) : rng_range(opt.chunk_min, opt.chunk_max);
        if (!read_chunk(fd, &v, buf, max)) fail_eof(&v);
        if (opt.pause_us > 0 && rng() % (uint64_t)opt.pause_every == 0)
            usleep((useconds_t)rng_range(0, (size_t)opt.pause_us));
    }
    expect_silence(fd, &v, buf);
    printf("ok: %ld replies, %zu bytes verified (%s%zu bytes sent) in %zu reads, %.2f s\n",
           s->replies, v.got, s->parsed ? "incl. parsed replies; " : "", s->req.len, v.reads,
           now_s() - t0);
    free(buf);
    free(v.acc.p);
}

/* One reply to `req` on a fresh fast connection (after HELLO 3 if resp3). */
static char *learn(const char *const *argv, int argc, int resp3, size_t *len)
{
    script_t s = {0};
    if (resp3) {
        REQ(&s, "HELLO", "3");
        exp_parsed(&s, check_is_map, NULL, "HELLO 3");
    }
    script_seal(&s);
    int fd = connect_port(0);
    run_fast(fd, &s);
    script_free(&s);
    req_add(&s, argc, argv, NULL);
    for (size_t sent = 0; sent < s.req.len;) {
        size_t w = send_some(fd, s.req.p + sent, s.req.len - sent);
        if (w == 0) wait_fd(fd, POLLOUT, "learning");
        sent += w;
    }
    buf_t in = {0};
    char buf[65536];
    long n = 0;
    while ((n = resp_len(in.p, in.len)) == 0) {
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r > 0) buf_add(&in, buf, (size_t)r);
        else if (r == 0) fail("learning %s: connection closed after %zu bytes", argv[0], in.len);
        else if (errno == EAGAIN || errno == EINTR) wait_fd(fd, POLLIN, "learning");
        else fail("recv: %s", strerror(errno));
    }
    if (n < 0 || (size_t)n != in.len) fail("learning %s: malformed reply", argv[0]);
    close(fd);
    script_free(&s);
    *len = in.len;
    return in.p;
}

/* Learned replies, by protocol and command (label): learned once per run. */
typedef struct learned {
    blob_t reply;
    struct learned *next;
    int resp3;
    const char *label;
} learned;
static learned *learned_list;

/* Expect the reply that a fresh connection gets to the same command, its
 * elements in any order. */
static void exp_learned(script_t *s, int resp3, const char *label, int argc, const char *const *argv)
{
    learned *l = learned_list;
    while (l && (l->resp3 != resp3 || strcmp(l->label, label))) l = l->next;
    if (!l) {
        l = xmalloc(sizeof(*l));
        l->resp3 = resp3;
        l->label = label;
        l->reply.bytes = learn(argv, argc, resp3, &l->reply.len);
        l->next = learned_list;
        learned_list = l;
    }
    req_add(s, argc, argv, NULL);
    exp_parsed(s, check_same_elements, &l->reply, label);
}

static void learned_free(void)
{
    while (learned_list) {
        learned *l = learned_list;
        learned_list = l->next;
        free(l->reply.bytes);
        free(l);
    }
}

#define LEARNED(s, resp3, label, ...) do { \
        const char *a_[] = {__VA_ARGS__}; \
        exp_learned((s), (resp3), (label), (int)(sizeof(a_) / sizeof(a_[0])), a_); \
    } while (0)

/* ---------------------------------------------------------------- cases */

typedef struct {
    unsigned seed;
    size_t size;
    char *bytes;
    char key[16];
} value_t;

/* Values the cases GET: sizes around block and buffer boundaries and big
 * ones (1-10 MiB).  Owned by main; freed at exit. */
static value_t values[] = {
    {1, 1 * MIB + 5, NULL, "v:1"},  {2, 4 * MIB + 3, NULL, "v:2"},
    {3, 10 * MIB - 7, NULL, "v:3"}, {4, 9 * MIB, NULL, "v:4"},
    {5, 16 * 1024, NULL, "m:5"},    {6, 16 * 1024 + 1, NULL, "m:6"},
    {7, 65536 - 3, NULL, "m:7"},    {8, 200000, NULL, "m:8"},
    {9, 100, NULL, "m:9"},          {10, 16 * 1024 - 1, NULL, "m:10"},
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

/* FLUSHALL, then SET every value (fast connection). */
static void setup_values(int keys)
{
    script_t s = {0};
    REQ(&s, "FLUSHALL");
    exp_str(&s, "+OK\r\n", "FLUSHALL");
    for (size_t i = 0; i < NVALUES; i++) {
        value_t *v = &values[i];
        if (!v->bytes) v->bytes = value_make(v->seed, v->size);
        const char *argv[] = {"SET", v->key, v->bytes};
        size_t lens[] = {3, strlen(v->key), v->size};
        req_add(&s, 3, argv, lens);
        exp_str(&s, "+OK\r\n", "SET");
    }
    /* keys k:000000.. for KEYS and SCAN, 1000 per MSET */
    for (int i = 0; i < keys; i += 1000) {
        const char *argv[2001];
        char names[1000][12];
        int argc = 1;
        argv[0] = "MSET";
        for (int j = i; j < i + 1000 && j < keys; j++) {
            snprintf(names[j - i], sizeof(names[0]), "k:%06d", j);
            argv[argc++] = names[j - i];
            argv[argc++] = names[j - i];
        }
        req_add(&s, argc, argv, NULL);
        exp_str(&s, "+OK\r\n", "MSET");
    }
    script_seal(&s);
    int fd = connect_port(0);
    run_fast(fd, &s);
    close(fd);
    script_free(&s);
}

static void add_get(script_t *s, const value_t *v)
{
    REQ(s, "GET", v->key);
    exp_bulk(s, v->bytes, v->size, "GET");
}

static void add_ping(script_t *s)
{
    REQ(s, "PING");
    exp_str(s, "+PONG\r\n", "PING");
}

/* (a) several GETs of 1-10 MiB values: ~44 MiB. */
static void case_plain(script_t *s)
{
    static const int order[] = {2, 0, 1, 3, 1, 0, 2, 1, 3};
    setup_values(0);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) add_get(s, &values[order[i]]);
    add_ping(s);
}

/* (b) 1,000,000 PINGs at once: exactly 7,000,000 bytes of +PONG. */
static void case_pipeline(script_t *s)
{
    static const char ping[] = "*1\r\n$4\r\nPING\r\n";
    for (int i = 0; i < 1000000; i++) buf_add(&s->req, ping, sizeof(ping) - 1);
    exp_repeat(s, "+PONG\r\n", 7, 1000000, "PING");
    opt.pause_ms = opt.pause_ms > 1500 ? opt.pause_ms : 1500; /* let the server queue it all */
}

/* Small and medium replies in a random pipeline: many boundaries between
 * the static buffer and the block list, and between blocks. */
static void add_mixed(script_t *s, int resp3, size_t target_bytes)
{
    static char echo[8192];
    static long counter;
    if (!echo[0]) {
        char *e = value_make(0xee, sizeof(echo));
        memcpy(echo, e, sizeof(echo));
        free(e);
    }
    char num[32];
    size_t start = s->expect_bytes;
    while (s->expect_bytes - start < target_bytes) {
        switch (rng() % 16) {
        case 0: case 1: case 2:
            add_get(s, &values[4 + rng() % 6]);
            break;
        case 3: case 4: case 5:
            REQ(s, "INCR", "counter");
            snprintf(num, sizeof(num), ":%ld\r\n", ++counter);
            exp_str(s, num, "INCR");
            break;
        case 6: case 7:
            REQ(s, "GET", "missing");
            exp_str(s, resp3 ? "_\r\n" : "$-1\r\n", "GET missing");
            break;
        case 8: case 9: case 10: {
            size_t n = rng_range(0, sizeof(echo));
            const char *argv[] = {"ECHO", echo};
            size_t lens[] = {4, n};
            req_add(s, 2, argv, lens);
            exp_bulk(s, echo, n, "ECHO");
            break;
        }
        case 11: case 12: case 13:
            add_ping(s);
            break;
        case 14:
            add_get(s, &values[8]); /* 100 bytes */
            break;
        default:
            if (rng() % 32 == 0) add_get(s, &values[rng() % 4]); /* now and then 1-10 MiB */
            else add_get(s, &values[7]);
        }
    }
}

static void case_mixed(script_t *s)
{
    setup_values(0);
    add_mixed(s, 0, 40 * (size_t)MIB);
    add_ping(s);
}

/* Replies with a deferred length (KEYS, COMMAND LIST, COMMAND DOCS name...,
 * our server's "deferred" blocks) and other multi-element replies, between
 * big GETs. */
static void add_deferred_round(script_t *s, int resp3, const long *nkeys)
{
    REQ(s, "KEYS", "k:*");
    exp_parsed(s, check_keys, nkeys, "KEYS k:*");
    LEARNED(s, resp3, "COMMAND LIST", "COMMAND", "LIST");
    LEARNED(s, resp3, "COMMAND DOCS get set", "COMMAND", "DOCS", "get", "set", "nosuchcommand");
    REQ(s, "SCAN", "0", "MATCH", "k:*", "COUNT", "500");
    exp_parsed(s, check_scan, NULL, "SCAN");
    LEARNED(s, resp3, "CONFIG GET *", "CONFIG", "GET", "*");
    add_get(s, &values[0]);
}

static void case_deferred(script_t *s)
{
    static const long nkeys = 20000;
    setup_values((int)nkeys);
    for (int i = 0; i < 40; i++) add_deferred_round(s, 0, &nkeys);
    add_ping(s);
}

/* (c) RESP3: HELLO 3, then big GETs, the mixed pipeline and deferred
 * lengths (maps in RESP3). */
static void case_resp3(script_t *s)
{
    static const long nkeys = 5000;
    setup_values((int)nkeys);
    REQ(s, "HELLO", "3");
    exp_parsed(s, check_is_map, NULL, "HELLO 3");
    for (int i = 0; i < 4; i++) {
        add_get(s, &values[i]);
        add_mixed(s, 1, 4 * (size_t)MIB);
        add_deferred_round(s, 1, &nkeys);
        REQ(s, "CONFIG", "GET", "maxmemory");
        exp_str(s, "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", "CONFIG GET maxmemory");
    }
    add_ping(s);
}

static const struct {
    const char *name;
    void (*build)(script_t *);
} cases[] = {
    {"plain", case_plain},   {"pipeline", case_pipeline}, {"mixed", case_mixed},
    {"deferred", case_deferred}, {"resp3", case_resp3},
};

/* ----------------------------------------------------------------- main */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fr-slowread --port N CASE [options]\n"
            "CASE: plain | pipeline | mixed | deferred | resp3\n"
            "  --seed N         PRNG seed: pipeline mix, chunk sizes, pauses (1)\n"
            "  --rcvbuf BYTES   the test connection's SO_RCVBUF (16384)\n"
            "  --chunk MIN:MAX  read sizes in bytes (1024:65536; 1 read in 16 is 1-64)\n"
            "  --pause-us N     sleep up to N us after 1 read in --pause-every (1000)\n"
            "  --pause-every N  (4)\n"
            "  --pause-ms N     wait before the first read (500; pipeline: >= 1500)\n"
            "  --stall-ms N     fail after N ms without progress (15000)\n");
}

static long num_arg(const char *s, const char *name)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0) {
        fprintf(stderr, "fr-slowread: bad %s '%s'\n", name, s);
        exit(2);
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') { opt.name = a; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); exit(0); }
        if (!val) { usage(stderr); exit(2); }
        i++;
        if (!strcmp(a, "--port")) opt.port = (int)num_arg(val, a);
        else if (!strcmp(a, "--seed")) opt.seed = (uint64_t)num_arg(val, a);
        else if (!strcmp(a, "--rcvbuf")) opt.rcvbuf = (int)num_arg(val, a);
        else if (!strcmp(a, "--pause-us")) opt.pause_us = (int)num_arg(val, a);
        else if (!strcmp(a, "--pause-every")) opt.pause_every = (int)num_arg(val, a);
        else if (!strcmp(a, "--pause-ms")) opt.pause_ms = (int)num_arg(val, a);
        else if (!strcmp(a, "--stall-ms")) opt.stall_ms = (int)num_arg(val, a);
        else if (!strcmp(a, "--chunk") && sscanf(val, "%zu:%zu", &opt.chunk_min, &opt.chunk_max) == 2) {}
        else { usage(stderr); exit(2); }
    }
    if (opt.port <= 0 || opt.port == 6379 || !opt.name || opt.chunk_min < 1 ||
        opt.chunk_max < opt.chunk_min || opt.pause_every < 1) {
        usage(stderr);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    rng_state = opt.seed;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (strcmp(cases[i].name, opt.name)) continue;
        double t0 = now_s();
        script_t s = {0};
        cases[i].build(&s);
        script_seal(&s);
        int fd = connect_port(opt.rcvbuf);
        run_slow(fd, &s, t0);
        close(fd);
        script_free(&s);
        for (size_t j = 0; j < NVALUES; j++) free(values[j].bytes);
        learned_free();
        return 0;
    }
    fprintf(stderr, "fr-slowread: unknown case '%s'\n", opt.name);
    return 2;
}

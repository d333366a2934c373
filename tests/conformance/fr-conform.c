/* fr-conform.c -- differential conformance harness for FrankenRedis.
 *
 * Owns: the fixture format (fixtures/conformance/README.md), recording exact
 * reply bytes from a reference redis-server into fixture files, replaying
 * them against another server and classifying every drift (critical /
 * major / minor, see "drift taxonomy" below; --gate fails only on the first
 * two); the live differential mode (one seeded random command stream to two
 * servers, their replies and what they propagate to a replica compared,
 * divergences shrunk by delta debugging and printed as fixture cases); the
 * compatibility report (docs/compat/REPORT.md and report.json).
 *
 * Invariants:
 *  - every case runs on its own fresh TCP connection (so db 0, RESP2, no
 *    client name), but the keyspace carries over between cases of one file;
 *    each file gets a fresh server (or a FLUSHALL on an external one); a
 *    case's data: read-back runs on another fresh connection after it;
 *  - a fixture file is rewritten only in record mode, atomically (tmp +
 *    rename), keeping every line except expect:/closed:/data-expect:
 *    verbatim;
 *  - the live stream is a pure function of --seed and the grammar file
 *    (the generator never reads replies), so a divergence found once is
 *    found again;
 *  - what a command looks like comes only from the grammar generated from
 *    the manifests; what the fuzzer does with it (weights, exclusions,
 *    value hints, reply modes) is the policy table, keyed by command name;
 *  - report output has no timestamps: the same tree gives the same files;
 *  - the tool depends on libc only and never touches a server it did not
 *    start except through --port/--ref-port;
 *  - servers it starts are stopped by their PID (SIGTERM, then SIGKILL).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Growable byte buffer                                                      */
/* ------------------------------------------------------------------------ */
typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fr-conform: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void buf_reserve(buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p)
        die("out of memory");
    b->cap = cap;
}

static void buf_put(buf_t *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0'; /* keeps p usable as a C string for text */
}

static void buf_putc(buf_t *b, int c)
{
    char ch = (char)c;
    buf_put(b, &ch, 1);
}

static void buf_puts(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_printf(buf_t *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void buf_free(buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d)
        die("out of memory");
    return d;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */
/* Escaping: C-style, plus \{N} = "the previous byte, N times in all"         */
/* ------------------------------------------------------------------------ */
#define RUN_MIN 32            /* shorter runs stay literal: easier to read */
#define RUN_MAX (64u << 20)   /* a typo must not eat all memory */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Handles the escape starting at s[0] == '\\'; returns bytes consumed or 0
 * on error.  `seg_start` bounds which bytes \{N} may repeat: only ones
 * produced by this same token/line. */
static size_t unescape_one(const char *s, size_t n, buf_t *out, size_t seg_start)
{
    if (n < 2)
        return 0;
    switch (s[1]) {
    case 'n': buf_putc(out, '\n'); return 2;
    case 'r': buf_putc(out, '\r'); return 2;
    case 't': buf_putc(out, '\t'); return 2;
    case 'a': buf_putc(out, '\a'); return 2;
    case 'b': buf_putc(out, '\b'); return 2;
    case '0': buf_putc(out, '\0'); return 2;
    case 'x':
        if (n < 4 || hexval(s[2]) < 0 || hexval(s[3]) < 0)
            return 0;
        buf_putc(out, hexval(s[2]) * 16 + hexval(s[3]));
        return 4;
    case '{': {
        size_t i = 2;
        unsigned long long count = 0;
        while (i < n && isdigit((unsigned char)s[i]) && count <= RUN_MAX)
            count = count * 10 + (unsigned)(s[i++] - '0');
        if (i == 2 || i >= n || s[i] != '}' || count < 1 || count > RUN_MAX ||
            out->len <= seg_start)
            return 0;
        char c = out->p[out->len - 1];
        buf_reserve(out, count);
        memset(out->p + out->len, c, count - 1);
        out->len += count - 1;
        out->p[out->len] = '\0';
        return i + 1;
    }
    default: /* \\ \" \' and anything else: the character itself */
        buf_putc(out, s[1]);
        return 2;
    }
}

/* Unescapes a whole field (sendraw:/expect: values).  Returns 0 or -1. */
static int unescape(const char *s, size_t n, buf_t *out)
{
    size_t start = out->len;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            buf_putc(out, s[i++]);
            continue;
        }
        size_t used = unescape_one(s + i, n - i, out, start);
        if (!used)
            return -1;
        i += used;
    }
    return 0;
}

static size_t run_length(const char *p, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && p[j] == p[i])
        j++;
    return j - i;
}

static void escape_byte(buf_t *out, unsigned char c, int quote)
{
    switch (c) {
    case '\r': buf_puts(out, "\\r"); return;
    case '\n': buf_puts(out, "\\n"); return;
    case '\t': buf_puts(out, "\\t"); return;
    case '\\': buf_puts(out, "\\\\"); return;
    case '"':
        buf_puts(out, quote ? "\\\"" : "\"");
        return;
    default:
        if (c >= 0x20 && c < 0x7f)
            buf_putc(out, c);
        else
            buf_printf(out, "\\x%02x", c);
    }
}

/* Writes p[0..n) C-escaped.  `quote`: also escape '"' (for display inside
 * quotes).  Spaces at either end become \x20 so editors that trim lines and
 * the reader that skips leading blanks cannot change the bytes. */
static void escape(buf_t *out, const char *p, size_t n, int quote)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        size_t run = run_length(p, n, i);
        if ((c == ' ' || c == '\t') && (i == 0 || i + 1 == n))
            buf_printf(out, "\\x%02x", c);
        else
            escape_byte(out, c, quote);
        if (run >= RUN_MIN) {
            buf_printf(out, "\\{%zu}", run);
            i += run;
        } else {
            i++;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* RESP reply reader: length of one complete reply, 0 if incomplete, -1 if   */
/* malformed.  Handles RESP2 and RESP3 (attributes prefix the next reply).   */
/* ------------------------------------------------------------------------ */
#define MAX_DEPTH 128

static long line_end(const char *p, size_t n, size_t from)
{
    for (size_t i = from; i + 1 < n; i++)
        if (p[i] == '\r' && p[i + 1] == '\n')
            return (long)i;
    return -1;
}

static int parse_ll(const char *s, size_t n, long long *v)
{
    if (n == 0 || n > 20)
        return -1;
    char tmp[24], *end;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    *v = strtoll(tmp, &end, 10);
    return (errno || *end) ? -1 : 0;
}

static long resp_parse(const char *p, size_t n, size_t off, int depth);

/* The elements of an aggregate starting at `off`; returns end or 0/-1. */
static long resp_elems(const char *p, size_t n, size_t off, long long count,
                       int depth)
{
    for (long long i = 0; i < count; i++) {
        long r = resp_parse(p, n, off, depth + 1);
        if (r <= 0)
            return r;
        off = (size_t)r;
    }
    return (long)off;
}

static long resp_parse(const char *p, size_t n, size_t off, int depth)
{
    if (depth > MAX_DEPTH)
        return -1;
    if (off >= n)
        return 0;
    long le = line_end(p, n, off + 1);
    if (le < 0)
        return 0;
    char t = p[off];
    size_t after = (size_t)le + 2;
    long long len;
    switch (t) {
    case '+': case '-': case ':': case '_': case '#': case ',': case '(':
        return (long)after;
    case '$': case '!': case '=':
        if (parse_ll(p + off + 1, (size_t)le - off - 1, &len) < 0 || len < -1)
            return -1;
        if (len == -1)
            return t == '$' ? (long)after : -1;
        if ((unsigned long long)len + 2 > n - after)
            return 0;
        size_t end = after + (size_t)len;
        if (p[end] != '\r' || p[end + 1] != '\n')
            return -1;
        return (long)(end + 2);
    case '*': case '~': case '>': case '%': case '|':
        if (parse_ll(p + off + 1, (size_t)le - off - 1, &len) < 0 || len < -1)
            return -1;
        if (len == -1)
            return t == '*' ? (long)after : -1;
        if (t == '%' || t == '|')
            len *= 2;
        long r = resp_elems(p, n, after, len, depth);
        if (r > 0 && t == '|') /* an attribute belongs to the reply after it */
            return resp_parse(p, n, (size_t)r, depth + 1);
        return r;
    default:
        return -1;
    }
}

/* Counts complete top-level replies in p[0..n); *used = bytes they span,
 * *bad = 1 if a malformed reply follows them. */
static int resp_count(const char *p, size_t n, size_t *used, int *bad)
{
    size_t off = 0;
    int count = 0;
    *bad = 0;
    for (;;) {
        long r = resp_parse(p, n, off, 0);
        if (r == 0)
            break;
        if (r < 0) {
            *bad = 1;
            break;
        }
        off = (size_t)r;
        count++;
    }
    *used = off;
    return count;
}

/* ------------------------------------------------------------------------ */
/* Match modes: canonical forms compared instead of raw bytes                */
/* ------------------------------------------------------------------------ */
/* Flags, so one reply can be relaxed in several ways (live mode combines
 * them for EXEC; a fixture names one or more in its match: line). */
enum {
    MATCH_EXACT = 0, MATCH_UNORDERED = 1, MATCH_TYPE = 2, MATCH_IGNORE_INTS = 4,
    MATCH_NONNEG_INTS = 8 /* integers >= 0 are all alike, negatives exact (TTLs) */
};

static int cmp_str(const void *a, const void *b)
{
    const buf_t *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, m);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static long canon(const char *p, size_t n, size_t off, int mode, buf_t *out,
                  int depth);

/* Canonical children of an aggregate; in unordered mode sorted, with a map's
 * key/value pairs kept together as one unit. */
static long canon_elems(const char *p, size_t n, size_t off, long long count,
                        int per, int mode, buf_t *out, int depth)
{
    buf_t *items = calloc((size_t)count + 1, sizeof *items);
    if (!items)
        die("out of memory");
    long r = (long)off;
    for (long long i = 0; i < count && r > 0; i++)
        for (int k = 0; k < per && r > 0; k++)
            r = canon(p, n, (size_t)r, mode, &items[i], depth + 1);
    if (r > 0 && (mode & MATCH_UNORDERED))
        qsort(items, (size_t)count, sizeof *items, cmp_str);
    for (long long i = 0; i < count; i++) {
        if (r > 0)
            buf_put(out, items[i].p ? items[i].p : "", items[i].len);
        buf_free(&items[i]);
    }
    free(items);
    return r;
}

static long canon(const char *p, size_t n, size_t off, int mode, buf_t *out,
                  int depth)
{
    long end = resp_parse(p, n, off, depth);
    if (end <= 0)
        return end;
    char t = p[off];
    long le = line_end(p, n, off + 1);
    size_t after = (size_t)le + 2;
    long long len;
    if (strchr("*~>%|", t) && parse_ll(p + off + 1, (size_t)le - off - 1, &len) == 0 &&
        len >= 0) {
        buf_put(out, p + off, after - off); /* header keeps type and count */
        int per = (t == '%' || t == '|') ? 2 : 1;
        long r = canon_elems(p, n, after, len, per, mode, out, depth);
        if (r > 0 && t == '|')
            r = canon(p, n, (size_t)r, mode, out, depth + 1);
        return r;
    }
    if (mode & MATCH_TYPE)
        buf_putc(out, t == '$' && p[off + 1] == '-' ? 'N' : t); /* null bulk */
    else if ((mode & MATCH_IGNORE_INTS) && t == ':')
        buf_putc(out, t);
    else if ((mode & MATCH_NONNEG_INTS) && t == ':' && p[off + 1] != '-')
        buf_puts(out, ":+");
    else
        buf_put(out, p + off, (size_t)end - off);
    return end;
}

/* Canonical form of a whole byte stream; trailing junk is kept verbatim so
 * it still has to match.  `sep` marks where each reply starts; without it,
 * unordered mode yields valid RESP (what record writes). */
static void canon_all(const char *p, size_t n, int mode, buf_t *out, int sep)
{
    size_t off = 0;
    while (off < n) {
        if (sep)
            buf_puts(out, "\n");
        long r = canon(p, n, off, mode, out, 0);
        if (r <= 0) {
            buf_put(out, p + off, n - off);
            return;
        }
        off = (size_t)r;
    }
}

static int bytes_match(const buf_t *want, const buf_t *got, int mode)
{
    if (mode == MATCH_EXACT)
        return want->len == got->len &&
               (!want->len || !memcmp(want->p, got->p, want->len));
    buf_t a = {0}, b = {0};
    canon_all(want->p, want->len, mode, &a, 1);
    canon_all(got->p, got->len, mode, &b, 1);
    int same = a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
    buf_free(&a);
    buf_free(&b);
    return same;
}

/* ------------------------------------------------------------------------ */
/* Fixture files                                                             */
/* ------------------------------------------------------------------------ */
typedef struct {
    char *name;
    int line;        /* of the === header, for messages */
    char **body;     /* lines kept verbatim on rewrite */
    size_t nbody;
    buf_t out;       /* bytes to send */
    int nsend, has_raw, match, hello;
    buf_t expect;
    int has_expect, closed;
    int minor;       /* severity: minor -- value drift is cosmetic here */
    buf_t dout;      /* data: commands, run on a fresh connection after */
    int ndata;
    buf_t dexpect;   /* their recorded replies (data-expect: lines) */
    int has_dexpect;
} fcase;

typedef struct {
    const char *path;
    char **head; /* lines before the first case */
    size_t nhead;
    fcase *cases;
    size_t ncases;
} fixture;

static void push_line(char ***v, size_t *n, const char *s, size_t len)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    if (!*v)
        die("out of memory");
    (*v)[(*n)++] = xstrndup(s, len);
}

/* A closing quote must end the word, as in redis-cli. */
static int quote_ends_word(const char *s, size_t n, size_t i)
{
    return i + 1 >= n || isspace((unsigned char)s[i + 1]);
}

/* Body of a "..." word starting after the quote; returns the index after
 * the closing quote, or 0 on error. */
static size_t double_quoted(const char *s, size_t n, size_t i, buf_t *arg)
{
    size_t start = arg->len;
    while (i < n) {
        if (s[i] == '"')
            return quote_ends_word(s, n, i) ? i + 1 : 0;
        if (s[i] != '\\') {
            buf_putc(arg, s[i++]);
            continue;
        }
        size_t used = unescape_one(s + i, n - i, arg, start);
        if (!used)
            return 0;
        i += used;
    }
    return 0;
}

/* Body of a '...' word: only \' is an escape. */
static size_t single_quoted(const char *s, size_t n, size_t i, buf_t *arg)
{
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\'') {
            buf_putc(arg, '\'');
            i += 2;
        } else if (s[i] == '\'') {
            return quote_ends_word(s, n, i) ? i + 1 : 0;
        } else {
            buf_putc(arg, s[i++]);
        }
    }
    return 0;
}

/* One word starting at s[i] (not blank); returns the index after it or 0.
 * Quotes may start anywhere in a word (ab"cd" is abcd), as in redis-cli. */
static size_t one_word(const char *s, size_t n, size_t i, buf_t *arg)
{
    while (i < n && !isspace((unsigned char)s[i])) {
        if (s[i] == '"' || s[i] == '\'') {
            i = s[i] == '"' ? double_quoted(s, n, i + 1, arg)
                            : single_quoted(s, n, i + 1, arg);
            if (!i)
                return 0;
            break;
        }
        buf_putc(arg, s[i++]);
    }
    return i;
}

/* Splits a send: line like redis-cli does and appends it to out as a RESP
 * multibulk; returns 0, or -1 on bad quoting or an empty line. */
static int split_args(const char *s, size_t n, buf_t *out)
{
    buf_t args = {0}, arg = {0};
    int argc = 0;
    size_t i = 0;
    for (;;) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        arg.len = 0;
        if (!(i = one_word(s, n, i, &arg)))
            break;
        buf_printf(&args, "$%zu\r\n", arg.len);
        buf_put(&args, arg.p ? arg.p : "", arg.len);
        buf_puts(&args, "\r\n");
        argc++;
    }
    int ok = i != 0 && argc > 0;
    if (ok) {
        buf_printf(out, "*%d\r\n", argc);
        buf_put(out, args.p, args.len);
    }
    buf_free(&arg);
    buf_free(&args);
    return ok ? 0 : -1;
}

/* "key:" prefix test; returns the value with leading blanks skipped. */
static const char *directive(const char *line, size_t len, const char *key,
                             size_t *vlen)
{
    size_t k = strlen(key);
    if (len < k || memcmp(line, key, k))
        return NULL;
    const char *v = line + k;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    *vlen = (size_t)(end - v);
    return v;
}

static int value_is(const char *v, size_t n, const char *word)
{
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    return n == strlen(word) && !memcmp(v, word, n);
}

/* One or more mode names separated by blanks ("unordered ignore-ints");
 * returns the flags, or -1 on an unknown name. */
static int parse_match(const char *v, size_t n)
{
    static const struct { const char *name; int flag; } names[] = {
        {"exact", MATCH_EXACT}, {"unordered", MATCH_UNORDERED},
        {"type", MATCH_TYPE}, {"ignore-ints", MATCH_IGNORE_INTS},
        {"nonneg-ints", MATCH_NONNEG_INTS}};
    int flags = 0, words = 0;
    size_t i = 0;
    for (;;) {
        while (i < n && isspace((unsigned char)v[i]))
            i++;
        if (i >= n)
            break;
        size_t j = i;
        while (j < n && !isspace((unsigned char)v[j]))
            j++;
        int found = 0;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (value_is(v + i, j - i, names[k].name)) {
                flags |= names[k].flag;
                found = 1;
            }
        if (!found)
            return -1;
        words++;
        i = j;
    }
    return words ? flags : -1;
}

/* Interprets one line of a case; returns NULL or an error message. */
static const char *case_line(fcase *c, const char *line, size_t len)
{
    const char *v;
    size_t vl;
    int keep = 1;
    if ((v = directive(line, len, "send:", &vl))) {
        if (split_args(v, vl, &c->out) < 0)
            return "bad quoting or no arguments in send:";
        c->nsend++;
    } else if ((v = directive(line, len, "sendraw:", &vl))) {
        if (unescape(v, vl, &c->out) < 0)
            return "bad escape in sendraw:";
        c->has_raw = 1;
    } else if ((v = directive(line, len, "data:", &vl))) {
        if (split_args(v, vl, &c->dout) < 0)
            return "bad quoting or no arguments in data:";
        c->ndata++;
    } else if ((v = directive(line, len, "data-expect:", &vl))) {
        if (unescape(v, vl, &c->dexpect) < 0)
            return "bad escape in data-expect:";
        c->has_dexpect = 1;
        keep = 0;
    } else if ((v = directive(line, len, "severity:", &vl))) {
        if (!value_is(v, vl, "minor"))
            return "severity: must be minor (critical/major are derived)";
        c->minor = 1;
    } else if ((v = directive(line, len, "expect:", &vl))) {
        if (unescape(v, vl, &c->expect) < 0)
            return "bad escape in expect:";
        c->has_expect = 1;
        keep = 0;
    } else if ((v = directive(line, len, "closed:", &vl))) {
        if (!value_is(v, vl, "yes") && !value_is(v, vl, "no"))
            return "closed: must be yes or no";
        c->closed = value_is(v, vl, "yes");
        keep = 0;
    } else if ((v = directive(line, len, "match:", &vl))) {
        if ((c->match = parse_match(v, vl)) < 0)
            return "match: must be exact, unordered, type, ignore-ints and/or nonneg-ints";
    } else if ((v = directive(line, len, "hello:", &vl))) {
        if (!value_is(v, vl, "2") && !value_is(v, vl, "3"))
            return "hello: must be 2 or 3";
        c->hello = value_is(v, vl, "3") ? 3 : 2;
    } else if (len && line[0] != '#' && strspn(line, " \t") != len) {
        return "unknown line (want send:, sendraw:, data:, severity:, expect:, "
               "closed:, data-expect:, match:, hello:, # comment or blank)";
    }
    if (keep)
        push_line(&c->body, &c->nbody, line, len);
    return NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("%s: %s", path, strerror(errno));
    buf_t b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    if (!b.p)
        buf_reserve(&b, 1), b.p[0] = '\0';
    return b.p;
}

static fcase *new_case(fixture *fx, const char *name, size_t len, int lineno)
{
    fx->cases = realloc(fx->cases, (fx->ncases + 1) * sizeof *fx->cases);
    if (!fx->cases)
        die("out of memory");
    fcase *c = &fx->cases[fx->ncases++];
    memset(c, 0, sizeof *c);
    while (len && isspace((unsigned char)name[len - 1]))
        len--;
    c->name = xstrndup(name, len);
    c->line = lineno;
    c->closed = -1;
    return c;
}

static void check_case(const fixture *fx, const fcase *c)
{
    if (!c)
        return;
    if (!*c->name)
        die("%s:%d: case without a name", fx->path, c->line);
    if (!c->out.len)
        die("%s:%d: case %s sends nothing", fx->path, c->line, c->name);
    for (size_t i = 0; i + 1 < fx->ncases; i++)
        if (&fx->cases[i] != c && !strcmp(fx->cases[i].name, c->name))
            die("%s:%d: duplicate case name %s", fx->path, c->line, c->name);
}

static void load_fixture(fixture *fx, const char *path)
{
    memset(fx, 0, sizeof *fx);
    fx->path = path;
    size_t len;
    char *text = read_file(path, &len);
    fcase *cur = NULL;
    int lineno = 0;
    for (size_t pos = 0; pos < len;) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *line = text + pos;
        pos += ll + (nl ? 1 : 0);
        lineno++;
        if (ll && line[ll - 1] == '\r')
            ll--;
        if (ll >= 4 && !memcmp(line, "=== ", 4)) {
            check_case(fx, cur);
            cur = new_case(fx, line + 4, ll - 4, lineno);
            continue;
        }
        if (!cur) {
            push_line(&fx->head, &fx->nhead, line, ll);
            continue;
        }
        const char *err = case_line(cur, line, ll);
        if (err)
            die("%s:%d: %s", path, lineno, err);
    }
    check_case(fx, cur);
    free(text);
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_fixture(fixture *fx)
{
    free_lines(fx->head, fx->nhead);
    for (size_t i = 0; i < fx->ncases; i++) {
        fcase *c = &fx->cases[i];
        free(c->name);
        free_lines(c->body, c->nbody);
        buf_free(&c->out);
        buf_free(&c->expect);
        buf_free(&c->dout);
        buf_free(&c->dexpect);
    }
    free(fx->cases);
}

/* Writes one `key` line per top-level reply, so fixtures stay readable. */
static void write_expect(FILE *f, const char *key, const buf_t *b)
{
    size_t off = 0;
    if (!b->len)
        fprintf(f, "%s\n", key);
    while (off < b->len) {
        long r = resp_parse(b->p, b->len, off, 0);
        size_t end = r > 0 ? (size_t)r : b->len;
        buf_t e = {0};
        escape(&e, b->p + off, end - off, 0);
        fprintf(f, "%s %s\n", key, e.p);
        buf_free(&e);
        off = end;
    }
}

static void save_fixture(const fixture *fx)
{
    buf_t tmp = {0};
    buf_printf(&tmp, "%s.tmp", fx->path);
    FILE *f = fopen(tmp.p, "wb");
    if (!f)
        die("%s: %s", tmp.p, strerror(errno));
    for (size_t i = 0; i < fx->nhead; i++)
        fprintf(f, "%s\n", fx->head[i]);
    for (size_t i = 0; i < fx->ncases; i++) {
        const fcase *c = &fx->cases[i];
        size_t nb = c->nbody;
        while (nb && strspn(c->body[nb - 1], " \t") == strlen(c->body[nb - 1]))
            nb--; /* blank lines go after closed:, not before expect: */
        fprintf(f, "=== %s\n", c->name);
        for (size_t j = 0; j < nb; j++)
            fprintf(f, "%s\n", c->body[j]);
        if (c->has_expect) {
            write_expect(f, "expect:", &c->expect);
            fprintf(f, "closed: %s\n", c->closed > 0 ? "yes" : "no");
            if (c->ndata)
                write_expect(f, "data-expect:", &c->dexpect);
        }
        if (i + 1 < fx->ncases)
            fputc('\n', f);
    }
    if (fclose(f) != 0 || rename(tmp.p, fx->path) != 0)
        die("%s: %s", fx->path, strerror(errno));
    buf_free(&tmp);
}

/* ------------------------------------------------------------------------ */
/* Network                                                                   */
/* ------------------------------------------------------------------------ */
typedef struct {
    const char *server_cmd;
    int port;           /* external server if > 0 and no server_cmd */
    int timeout_ms, quiet_ms, grace_ms, max_show, verbose, flush;
    const char *filter;
    int gate;           /* replay: exit 1 only for critical/major drift */
    /* live mode */
    const char *ref_cmd, *save;
    int ref_port, seconds, shrink_seconds, epoch, max_div, ttl;
    int propagation;    /* compare what the two send to replicas */
    long long count;
    unsigned long long seed;
    const char *exclude; /* comma-separated command names */
    const char *grammar; /* the grammar file (fr-manifest-tool grammar) */
    /* report mode */
    const char *commands, *out_dir, *label;
    const char *loaded; /* comma-separated modules the configuration loads */
    const char **manifests, **not_run;
    int nmanifests, nnot_run;
} options;

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* A port below the kernel's ephemeral range, where no outgoing connection
 * takes its local port: the suite runs two parts at once, and a port the
 * kernel hands out for bind(0) may meanwhile become some redis-cli's local
 * port, making the server's listen fail.  Random within the range (two
 * parts asking at once rarely meet; lib.sh retries when they do). */
static int free_port(void)
{
    int lo = 20000, hi = 32768;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d", &hi) != 1 || hi <= lo + 1000) hi = 32768;
        fclose(f);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned seed = (unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16);
    for (int tries = 0; tries < 500; tries++) {
        int port = lo + (int)(rand_r(&seed) % (unsigned)(hi - lo));
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) die("cannot find a free port: %s", strerror(errno));
        struct sockaddr_in sa = {0};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons((uint16_t)port);
        int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok && port != 6379) return port;
    }
    die("cannot find a free port in %d-%d", lo, hi - 1);
    return -1;
}

/* Writes everything unless the peer goes away or the deadline passes;
 * returns 0, or -1 (the caller still reads what the server said). */
static int write_all(int fd, const char *p, size_t n, long long deadline)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        long long left = deadline - now_ms();
        struct pollfd pf = {fd, POLLOUT, 0};
        if (left <= 0 || poll(&pf, 1, (int)left) < 0)
            return -1;
    }
    return 0;
}

typedef struct {
    buf_t data;
    size_t parsed; /* bytes of data that are complete replies */
    int count;     /* complete top-level replies in data */
    int closed, bad, timed_out;
} rx_t;

static void rx_scan(rx_t *rx)
{
    for (;;) {
        long r = resp_parse(rx->data.p, rx->data.len, rx->parsed, 0);
        if (r == 0)
            return;
        if (r < 0) {
            rx->bad = 1;
            return;
        }
        rx->parsed = (size_t)r;
        rx->count++;
    }
}

/* Reads until `want` complete replies (want >= 0), EOF, `idle_ms` without
 * new bytes (idle_ms > 0), or the deadline.  A malformed reply stops the
 * counting; then only idle/EOF/deadline end the read. */
static void rx_read(int fd, rx_t *rx, int want, int idle_ms, long long deadline)
{
    char tmp[65536];
    while (!rx->closed) {
        if (want >= 0 && rx->count >= want)
            return;
        long long now = now_ms(), left = deadline - now;
        if (left <= 0) {
            rx->timed_out = 1;
            return;
        }
        int wait = (int)left;
        if (idle_ms > 0 && idle_ms < wait)
            wait = idle_ms;
        if (rx->bad && wait > 100)
            wait = 100;
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, wait);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            if (idle_ms > 0 || rx->bad)
                return;
            continue;
        }
        ssize_t r = read(fd, tmp, sizeof tmp);
        if (r > 0) {
            buf_put(&rx->data, tmp, (size_t)r);
            if (!rx->bad)
                rx_scan(rx);
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            rx->closed = 1; /* EOF or reset: either way the server hung up */
        }
    }
}

static const char PING_CMD[] = "*1\r\n$4\r\nPING\r\n";
static const char PONG[] = "+PONG\r\n";

static int ends_with_pong(const rx_t *rx)
{
    size_t k = sizeof PONG - 1;
    return rx->parsed == rx->data.len && rx->data.len >= k &&
           !memcmp(rx->data.p + rx->data.len - k, PONG, k);
}

/* A PING after the case's replies: whatever arrives before its PONG is
 * extra output the case produced.  Only safe when the case sent complete
 * commands (send: lines), which is why raw cases use a grace period. */
static void sentinel(int fd, rx_t *rx, const options *o)
{
    long long deadline = now_ms() + o->timeout_ms;
    if (write_all(fd, PING_CMD, sizeof PING_CMD - 1, deadline) < 0) {
        rx_read(fd, rx, -1, o->grace_ms, deadline);
        return;
    }
    int want = rx->count + 1;
    for (;;) {
        rx_read(fd, rx, want, 0, deadline);
        if (rx->closed || rx->timed_out || rx->bad || ends_with_pong(rx))
            break;
        want = rx->count + 1;
    }
    if (ends_with_pong(rx)) {
        rx->data.len -= sizeof PONG - 1;
        rx->parsed = rx->data.len;
        rx->count--;
    }
}

/* Switches the fresh connection to the case's protocol; the HELLO reply is
 * not part of the case (it holds ids and versions). */
static int do_hello(int fd, int proto, const options *o, const char **err)
{
    char cmd[64];
    int n = snprintf(cmd, sizeof cmd, "*2\r\n$5\r\nHELLO\r\n$1\r\n%d\r\n", proto);
    long long deadline = now_ms() + o->timeout_ms;
    rx_t rx = {0};
    if (write_all(fd, cmd, (size_t)n, deadline) == 0)
        rx_read(fd, &rx, 1, 0, deadline);
    int ok = rx.count == 1 && rx.data.p[0] == (proto == 3 ? '%' : '*');
    if (!ok)
        *err = "HELLO before the case failed";
    buf_free(&rx.data);
    return ok ? 0 : -1;
}

/* Runs one case on a fresh connection; fills rx with the reply bytes. */
static int run_case(int port, const fcase *c, int recording, const options *o,
                    rx_t *rx, const char **err)
{
    int fd = connect_port(port);
    if (fd < 0) {
        *err = "cannot connect";
        return -1;
    }
    if (c->hello && do_hello(fd, c->hello, o, err) < 0) {
        close(fd);
        return -1;
    }
    long long deadline = now_ms() + o->timeout_ms;
    write_all(fd, c->out.p, c->out.len, deadline);
    if (recording && c->has_raw) {
        rx_read(fd, rx, -1, o->quiet_ms, deadline);
    } else if (recording) {
        rx_read(fd, rx, c->nsend, 0, deadline);
    } else if (c->closed > 0) {
        rx_read(fd, rx, -1, 0, deadline);
    } else {
        size_t used;
        int bad;
        rx_read(fd, rx, resp_count(c->expect.p, c->expect.len, &used, &bad), 0,
                deadline);
    }
    if (!rx->closed && !rx->timed_out) {
        if (c->has_raw) {
            if (!recording)
                rx_read(fd, rx, -1, o->grace_ms, now_ms() + o->timeout_ms);
        } else {
            sentinel(fd, rx, o);
        }
    }
    close(fd);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Server lifecycle                                                          */
/* ------------------------------------------------------------------------ */
typedef struct {
    pid_t pid;
    int port;
    char dir[64];
} server_t;

/* Servers started now get --enable-debug-command local (live mode). */
static int g_debug_local;

/* Servers running now, for the signal handler (live mode runs two). */
static volatile pid_t g_server_pids[2];

static void track_pid(pid_t old, pid_t pid)
{
    for (int i = 0; i < 2; i++)
        if (g_server_pids[i] == old) {
            g_server_pids[i] = pid;
            return;
        }
}

static void on_signal(int sig)
{
    for (int i = 0; i < 2; i++)
        if (g_server_pids[i] > 0)
            kill(g_server_pids[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Redis needs its persistence off and its files in our temp dir so runs
 * leave nothing behind; ours gets --save "" and --dir for the same reason. */
static int is_redis(const char *cmd)
{
    size_t n = strcspn(cmd, " \t");
    const char *base = cmd;
    for (size_t i = 0; i < n; i++)
        if (cmd[i] == '/')
            base = cmd + i + 1;
    return (size_t)(cmd + n - base) == strlen("redis-server") &&
           !memcmp(base, "redis-server", strlen("redis-server"));
}

static void exec_server(const char *cmd, const server_t *s)
{
    char port[16], script[4096], log[128];
    snprintf(port, sizeof port, "%d", s->port);
    snprintf(script, sizeof script, "exec %s \"$@\"", cmd);
    snprintf(log, sizeof log, "%s/server.log", s->dir);
    int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int nul = open("/dev/null", O_RDONLY);
    if (lf < 0 || nul < 0)
        _exit(127);
    dup2(nul, 0);
    dup2(lf, 1);
    dup2(lf, 2);
    /* live mode's replica comparison turns active expiry off with DEBUG */
    char *debug = g_debug_local ? "--enable-debug-command" : NULL;
    char *redis[] = {"/bin/sh", "-c", script, "fr-conform", "--port", port,
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", (char *)s->dir, "--logfile", "", "--daemonize",
                     "no", debug, "local", NULL};
    /* ours too runs without persistence, in its scratch dir */
    char *ours[] = {"/bin/sh", "-c", script, "fr-conform", "--port", port,
                    "--save", "", "--dir", (char *)s->dir, debug, "local", NULL};
    execv("/bin/sh", is_redis(cmd) ? redis : ours);
    _exit(127);
}

static int ping_once(int port)
{
    int fd = connect_port(port);
    if (fd < 0)
        return -1;
    rx_t rx = {0};
    long long deadline = now_ms() + 500;
    if (write_all(fd, PING_CMD, sizeof PING_CMD - 1, deadline) == 0)
        rx_read(fd, &rx, 1, 0, deadline);
    int ok = rx.count == 1 && rx.parsed == sizeof PONG - 1 &&
             !memcmp(rx.data.p, PONG, sizeof PONG - 1);
    buf_free(&rx.data);
    close(fd);
    return ok ? 0 : -1;
}

static void show_log(const server_t *s)
{
    char path[128], line[512];
    snprintf(path, sizeof path, "%s/server.log", s->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "--- server log (%s), last 4 KB ---\n", path);
    if (fseek(f, -4096, SEEK_END) == 0) {
        if (!fgets(line, sizeof line, f)) /* drop the partial first line */
            line[0] = '\0';
    } else {
        rewind(f);
    }
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void server_stop(server_t *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    long long deadline = now_ms() + 5000;
    int st;
    while (waitpid(s->pid, &st, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
            break;
        }
        usleep(10000);
    }
    track_pid(s->pid, 0);
    s->pid = 0;
}

static int server_start(const char *cmd, server_t *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/fr-conform.XXXXXX");
    if (!mkdtemp(s->dir))
        die("mkdtemp: %s", strerror(errno));
    s->port = free_port();
    s->pid = fork();
    if (s->pid < 0)
        die("fork: %s", strerror(errno));
    if (s->pid == 0)
        exec_server(cmd, s);
    track_pid(0, s->pid);
    long long deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            fprintf(stderr, "fr-conform: server exited during startup: %s\n", cmd);
            show_log(s);
            track_pid(s->pid, 0);
            s->pid = 0;
            return -1;
        }
        if (ping_once(s->port) == 0)
            return 0;
        usleep(20000);
    }
    fprintf(stderr, "fr-conform: server did not answer PING within 10s: %s\n", cmd);
    show_log(s);
    server_stop(s);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Record / replay                                                           */
/* ------------------------------------------------------------------------ */
/* Longest prefix of escaped text e[0..n) within max chars that does not cut
 * an escape sequence in half. */
static int escaped_prefix(const char *e, size_t n, int max)
{
    size_t i = 0;
    while (i < n) {
        size_t step = 1;
        if (e[i] == '\\' && i + 1 < n)
            step = e[i + 1] == 'x' ? 4 : e[i + 1] == '{' ? strcspn(e + i, "}") + 1 : 2;
        if (i + step > (size_t)max)
            break;
        i += step;
    }
    return (int)i;
}

static void show_bytes(FILE *f, const buf_t *b, int max, size_t diff)
{
    buf_t e = {0};
    escape(&e, b->p ? b->p : "", b->len, 1);
    if (max > 0 && e.len > (size_t)max) {
        /* long replies: show the neighbourhood of the first difference */
        size_t from = 0;
        if (diff > 32) {
            buf_free(&e);
            from = diff - 32;
            escape(&e, b->p + from, b->len - from, 1);
        }
        fprintf(f, "%s\"%.*s\"%s(%zu bytes)", from ? "..." : "", escaped_prefix(e.p, e.len, max), e.p,
                e.len > (size_t)max ? "..." : "", b->len);
    } else {
        fprintf(f, "\"%s\"", e.p ? e.p : "");
    }
    buf_free(&e);
}

static size_t first_diff(const buf_t *a, const buf_t *b)
{
    size_t i = 0;
    while (i < a->len && i < b->len && a->p[i] == b->p[i])
        i++;
    return i;
}

static const char *mode_name(int m)
{
    static char name[64];
    if (m == MATCH_EXACT)
        return "exact";
    snprintf(name, sizeof name, "%s%s%s%s",
             m & MATCH_UNORDERED ? "unordered " : "", m & MATCH_TYPE ? "type " : "",
             m & MATCH_IGNORE_INTS ? "ignore-ints " : "",
             m & MATCH_NONNEG_INTS ? "nonneg-ints " : "");
    name[strlen(name) - 1] = '\0';
    return name;
}

/* ---- drift taxonomy -------------------------------------------------------
 * critical: the connection was kept/closed differently, a reply has another
 *           RESP type or shape (type byte, null-ness, aggregate sizes, number
 *           of replies), or a data: read-back differs (stored data);
 * major:    same shape, but an error text or a value differs;
 * minor:    a value differs in a case marked `severity: minor`.
 * Harness-level failures (never recorded, not run, server died) count as
 * critical: nothing was verified. */
enum { SEV_NONE, SEV_MINOR, SEV_MAJOR, SEV_CRITICAL, NSEV };
static const char *const sev_names[NSEV] = {"ok", "minor", "major", "critical"};

typedef struct {
    int cases, ok, drift, skipped;
    int sev[NSEV];
    int stalled; /* timeouts in a row: the server has probably hung */
} tally;

static void count_drift(tally *t, int sev)
{
    t->drift++;
    t->sev[sev]++;
}

static void tally_add(tally *all, const tally *t)
{
    all->cases += t->cases;
    all->ok += t->ok;
    all->drift += t->drift;
    all->skipped += t->skipped;
    for (int i = 0; i < NSEV; i++)
        all->sev[i] += t->sev[i];
}

/* True if the two streams differ only in values: the same shape. */
static int same_shape(const buf_t *want, const buf_t *got, int mode)
{
    return bytes_match(want, got, mode | MATCH_TYPE);
}

/* Is the first top-level reply that differs an error in `want`? */
static int first_diff_is_error(const buf_t *want, const buf_t *got)
{
    size_t off = 0;
    for (;;) {
        long a = resp_parse(want->p, want->len, off, 0);
        if (a <= 0)
            return 0;
        long b = resp_parse(got->p, got->len, off, 0);
        if (b != a || memcmp(want->p + off, got->p + off, (size_t)a - off))
            return want->p[off] == '-' || want->p[off] == '!';
        off = (size_t)a;
    }
}

static int classify(const fcase *c, const rx_t *rx, const rx_t *drx,
                    const char **why)
{
    *why = "";
    if (rx->closed != (c->closed > 0)) {
        *why = "connection kept/closed differs";
        return SEV_CRITICAL;
    }
    if (c->ndata && (drx->closed || !bytes_match(&c->dexpect, &drx->data, c->match))) {
        *why = "stored data differs";
        return SEV_CRITICAL;
    }
    if (bytes_match(&c->expect, &rx->data, c->match))
        return SEV_NONE;
    if (!same_shape(&c->expect, &rx->data, c->match)) {
        *why = "reply type differs";
        return SEV_CRITICAL;
    }
    *why = first_diff_is_error(&c->expect, &rx->data) ? "error text differs"
                                                      : "value differs";
    return c->minor ? SEV_MINOR : SEV_MAJOR;
}

static void report_drift(const fixture *fx, const fcase *c, const rx_t *rx,
                         const rx_t *drx, int sev, const char *why,
                         const options *o)
{
    printf("DRIFT %s (%s:%d) [%s] %s (%s): want ", c->name, fx->path, c->line,
           mode_name(c->match), sev_names[sev], why);
    show_bytes(stdout, &c->expect, o->max_show, first_diff(&c->expect, &rx->data));
    printf(" closed=%s; got ", c->closed > 0 ? "yes" : "no");
    show_bytes(stdout, &rx->data, o->max_show, first_diff(&c->expect, &rx->data));
    printf(" closed=%s%s", rx->closed ? "yes" : "no",
           rx->timed_out ? " (timed out)" : "");
    if (c->expect.len == rx->data.len &&
        first_diff(&c->expect, &rx->data) == c->expect.len)
        printf("; bytes equal\n");
    else
        printf("; first diff at byte %zu\n", first_diff(&c->expect, &rx->data));
    if (c->ndata && !bytes_match(&c->dexpect, &drx->data, c->match)) {
        size_t d = first_diff(&c->dexpect, &drx->data);
        printf("    data: want ");
        show_bytes(stdout, &c->dexpect, o->max_show, d);
        printf("; got ");
        show_bytes(stdout, &drx->data, o->max_show, d);
        printf("%s; first diff at byte %zu\n", drx->timed_out ? " (timed out)" : "", d);
    }
}

static void store_reply(buf_t *dst, const rx_t *rx, int match)
{
    buf_free(dst);
    if (match & MATCH_UNORDERED) /* sorted: re-recording gives no diff */
        canon_all(rx->data.p ? rx->data.p : "", rx->data.len, MATCH_UNORDERED, dst, 0);
    else
        buf_put(dst, rx->data.p ? rx->data.p : "", rx->data.len);
}

static void record_case(const fixture *fx, fcase *c, rx_t *rx, rx_t *drx)
{
    if (rx->timed_out && !c->has_raw)
        fprintf(stderr, "fr-conform: %s:%d: %s: timed out (%d of %d replies)\n",
                fx->path, c->line, c->name, rx->count, c->nsend);
    if (rx->bad)
        fprintf(stderr, "fr-conform: %s:%d: %s: reference reply is not valid RESP\n",
                fx->path, c->line, c->name);
    store_reply(&c->expect, rx, c->match);
    c->has_expect = 1;
    c->closed = rx->closed;
    if (c->ndata) {
        if (drx->timed_out || drx->count != c->ndata)
            fprintf(stderr, "fr-conform: %s:%d: %s: data: got %d of %d replies\n",
                    fx->path, c->line, c->name, drx->count, c->ndata);
        store_reply(&c->dexpect, drx, c->match);
        c->has_dexpect = 1;
    }
}

/* The data: commands of a case, on a fresh RESP2 connection (database 0)
 * after the case's own connection is closed. */
static int run_data(int port, const fcase *c, const options *o, rx_t *rx,
                    const char **err)
{
    int fd = connect_port(port);
    if (fd < 0) {
        *err = "cannot connect for data:";
        return -1;
    }
    long long deadline = now_ms() + o->timeout_ms;
    write_all(fd, c->dout.p, c->dout.len, deadline);
    rx_read(fd, rx, c->ndata, 0, deadline);
    if (!rx->closed && !rx->timed_out)
        sentinel(fd, rx, o);
    close(fd);
    return 0;
}

static void one_case(int port, const fixture *fx, fcase *c, int recording,
                     const options *o, tally *t)
{
    rx_t rx = {0}, drx = {0};
    const char *err = NULL;
    t->cases++;
    if (!recording && (!c->has_expect || (c->ndata && !c->has_dexpect))) {
        printf("DRIFT %s (%s:%d) critical: case was never recorded\n", c->name,
               fx->path, c->line);
        count_drift(t, SEV_CRITICAL);
        return;
    }
    if (run_case(port, c, recording, o, &rx, &err) < 0 ||
        (c->ndata && run_data(port, c, o, &drx, &err) < 0)) {
        printf("DRIFT %s (%s:%d) critical: %s\n", c->name, fx->path, c->line, err);
        count_drift(t, SEV_CRITICAL);
    } else if (recording) {
        record_case(fx, c, &rx, &drx);
        t->ok++;
    } else {
        const char *why;
        int sev = classify(c, &rx, &drx, &why);
        if (sev == SEV_NONE) {
            if (o->verbose)
                printf("ok %s\n", c->name);
            t->ok++;
        } else {
            report_drift(fx, c, &rx, &drx, sev, why, o);
            count_drift(t, sev);
        }
    }
    t->stalled = rx.timed_out ? t->stalled + 1 : 0;
    buf_free(&rx.data);
    buf_free(&drx.data);
}

static int flush_port(int port)
{
    static const char cmd[] = "*1\r\n$8\r\nFLUSHALL\r\n";
    int fd = connect_port(port);
    if (fd < 0)
        return -1;
    rx_t rx = {0};
    long long deadline = now_ms() + 5000;
    if (write_all(fd, cmd, sizeof cmd - 1, deadline) == 0)
        rx_read(fd, &rx, 1, 0, deadline);
    int ok = rx.count == 1 && rx.data.p[0] == '+';
    buf_free(&rx.data);
    close(fd);
    return ok ? 0 : -1;
}

/* A server that died or hung mid-file is itself a finding: say how and show
 * its log.  A dying server may still be closing, hence the short wait. */
static int server_died(server_t *s, const char *path)
{
    int st;
    if (s->pid <= 0 || ping_once(s->port) == 0)
        return 0;
    long long deadline = now_ms() + 1000;
    while (waitpid(s->pid, &st, WNOHANG) != s->pid) {
        if (now_ms() > deadline) {
            printf("DRIFT %s critical: server stopped answering PING\n", path);
            show_log(s);
            return 1;
        }
        usleep(10000);
    }
    printf("DRIFT %s critical: server exited during the file (%s %d)\n", path,
           WIFSIGNALED(st) ? "signal" : "status",
           WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    show_log(s);
    track_pid(s->pid, 0);
    s->pid = 0;
    return 1;
}

static void print_tally(const char *what, const char *verb, const tally *t)
{
    printf("%s: %s %d cases, %d ok, %d drift (%d critical, %d major, %d minor), "
           "%d skipped\n",
           what, verb, t->cases, t->ok, t->drift, t->sev[SEV_CRITICAL],
           t->sev[SEV_MAJOR], t->sev[SEV_MINOR], t->skipped);
}

#define MAX_STALLED 5

/* Runs one fixture file; its tally goes to *ft (if given) and into *all. */
static int run_file(const char *path, int recording, const options *o, tally *all,
                    tally *ft)
{
    fixture fx;
    load_fixture(&fx, path);
    server_t srv = {0};
    int port = o->port;
    if (o->server_cmd) {
        if (server_start(o->server_cmd, &srv) < 0) {
            remove_dir(srv.dir);
            free_fixture(&fx);
            return -1;
        }
        port = srv.port;
    } else if (o->flush && flush_port(port) < 0) {
        fprintf(stderr, "fr-conform: FLUSHALL on port %d failed\n", port);
        free_fixture(&fx);
        return -1;
    }
    tally t = {0};
    for (size_t i = 0; i < fx.ncases; i++) {
        fcase *c = &fx.cases[i];
        if (o->filter && !strstr(c->name, o->filter)) {
            t.skipped++;
            continue;
        }
        if (t.stalled >= MAX_STALLED) {
            printf("DRIFT %s (%s:%d) critical: not run: server stopped answering\n",
                   c->name, path, c->line);
            t.cases++;
            count_drift(&t, SEV_CRITICAL);
            continue;
        }
        one_case(port, &fx, c, recording, o, &t);
    }
    if (server_died(&srv, path))
        count_drift(&t, SEV_CRITICAL);
    server_stop(&srv);
    if (srv.dir[0])
        remove_dir(srv.dir);
    if (recording && t.drift)
        fprintf(stderr, "fr-conform: %s: not saved: the reference server failed\n", path);
    else if (recording)
        save_fixture(&fx);
    free_fixture(&fx);
    print_tally(path, recording ? "recorded" : "replayed", &t);
    tally_add(all, &t);
    if (ft)
        *ft = t;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Live differential mode                                                    */
/* ------------------------------------------------------------------------ */
/* One seeded random command stream goes to two servers, ours ([0]) and the
 * reference ([1]), one command at a time on one connection each; the replies
 * are compared, normalised where two correct servers may differ (hash order,
 * connection ids, clocks).  The stream is a pure function of the seed: the
 * generator never looks at replies.  Every `epoch` commands (and after each
 * divergence) both servers get FLUSHALL and fresh connections, so a
 * divergence depends only on the commands of its epoch; delta debugging
 * then drops commands while the same command still diverges. */

typedef struct {
    unsigned long long s;
} rng_t;

static unsigned long long rng_next(rng_t *r) /* splitmix64 */
{
    unsigned long long z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned rnd(rng_t *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

static int pct(rng_t *r, unsigned p) { return rnd(r, 100) < p; }

typedef struct {
    buf_t *argv;
    int argc, cap;
    int kind;       /* generator entry, for --exclude and shrinking */
    int mode;       /* MATCH_* flags for this command's reply */
    int own;        /* the same, before EXEC took its queue's flags */
    int inl;        /* sent as an inline command */
    int tx;         /* bare MULTI 1, EXEC 2, DISCARD or RESET 3, else 0 */
    buf_t wire;     /* the bytes sent */
    long long seq;  /* position in the stream */
} lcmd;

static void lc_arg(lcmd *c, const char *p, size_t n)
{
    if (c->argc == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->argv = realloc(c->argv, (size_t)c->cap * sizeof *c->argv);
        if (!c->argv)
            die("out of memory");
    }
    memset(&c->argv[c->argc], 0, sizeof *c->argv);
    buf_reserve(&c->argv[c->argc], n);
    buf_put(&c->argv[c->argc], p, n);
    c->argc++;
}

static void lc_str(lcmd *c, const char *s) { lc_arg(c, s, strlen(s)); }

static void lc_fmt(lcmd *c, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    lc_arg(c, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void lc_free(lcmd *c)
{
    for (int i = 0; i < c->argc; i++)
        buf_free(&c->argv[i]);
    free(c->argv);
    buf_free(&c->wire);
    memset(c, 0, sizeof *c);
}

/* ---- the grammar ----------------------------------------------------------
 * What commands look like comes from the manifests: the build writes them
 * as a grammar file (`fr-manifest-tool grammar`, docs/fuzz-grammar.md) and
 * live mode reads it with --grammar.  How to use a command (its weight,
 * whether it is left out and why, value domains its types cannot express,
 * how to compare its reply) is test policy and lives below, keyed by the
 * command's name.  A command the policy does not name is fuzzed with a
 * default weight and a reply mode taken from its tips. */
enum { GT_KEY, GT_INTEGER, GT_DOUBLE, GT_STRING, GT_PATTERN, GT_UNIX_TIME,
       GT_PURE_TOKEN, GT_ONEOF, GT_BLOCK };

typedef struct garg {
    char *name, *token; /* token NULL when none */
    int type;           /* GT_* */
    int optional, multiple, multiple_token;
    struct garg *sub;   /* oneof / block */
    int nsub;
} garg;

typedef struct {
    char *name;         /* "get", "object|encoding" */
    char *module, *flags, *tips; /* comma lists as written ("-" when empty) */
    int arity, container;
    garg *args;
    int nargs;
} gcmd;

typedef struct {
    gcmd *cmds;
    int n;
} grammar_t;

static const char *const garg_types[] = {"key", "integer", "double", "string", "pattern",
                                         "unix-time", "pure-token", "oneof", "block"};

static int grammar_indent(const char *line)
{
    int n = 0;
    while (line[n] == ' ')
        n++;
    return n;
}

/* A word of a comma list ("write,fast") or of the key=value fields. */
static int list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && !strncmp(p, word, n))
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

static void grammar_fail(const char *path, int lineno, const char *what)
{
    die("%s:%d: %s", path, lineno, what);
}

/* Splits a line (modified in place) into words; returns how many. */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    for (char *p = strtok(line, " "); p && n < max; p = strtok(NULL, " "))
        w[n++] = p;
    return n;
}

static void parse_arg_line(char *line, const char *path, int lineno, garg *a)
{
    char *w[8];
    int n = split_words(line, w, 8);
    memset(a, 0, sizeof *a);
    a->type = -1;
    for (int t = 0; n >= 2 && t < (int)(sizeof garg_types / sizeof *garg_types); t++)
        if (!strcmp(w[0], garg_types[t]))
            a->type = t;
    if (a->type < 0)
        grammar_fail(path, lineno, "expected TYPE NAME [token=T] [optional] [multiple]");
    a->name = strdup(w[1]);
    for (int i = 2; i < n; i++) {
        if (!strncmp(w[i], "token=", 6))
            a->token = strdup(w[i] + 6);
        else if (!strcmp(w[i], "optional"))
            a->optional = 1;
        else if (!strcmp(w[i], "multiple"))
            a->multiple = 1;
        else if (!strcmp(w[i], "multiple-token"))
            a->multiple_token = 1;
        else
            grammar_fail(path, lineno, "unknown argument field");
    }
    if (a->type == GT_PURE_TOKEN && !a->token)
        grammar_fail(path, lineno, "a pure-token needs token=");
}

typedef struct {
    char **v;
    int *lineno;
    int n, i;
    const char *path;
} glines;

/* Arguments at `indent` and their children, from the current line on. */
static void parse_args(glines *L, int indent, garg **out, int *nout)
{
    while (L->i < L->n && grammar_indent(L->v[L->i]) >= indent &&
           strncmp(L->v[L->i], "command ", 8)) {
        if (grammar_indent(L->v[L->i]) != indent)
            grammar_fail(L->path, L->lineno[L->i], "unexpected indent");
        garg a;
        parse_arg_line(L->v[L->i] + indent, L->path, L->lineno[L->i], &a);
        L->i++;
        parse_args(L, indent + 2, &a.sub, &a.nsub);
        if ((a.type == GT_ONEOF || a.type == GT_BLOCK) != (a.nsub > 0))
            grammar_fail(L->path, L->lineno[L->i - 1], "only a oneof or block has children");
        *out = realloc(*out, (size_t)(*nout + 1) * sizeof **out);
        if (!*out)
            die("out of memory");
        (*out)[(*nout)++] = a;
    }
}

static void parse_command_line(char *line, const char *path, int lineno, gcmd *c)
{
    char *w[8];
    int n = split_words(line, w, 8);
    memset(c, 0, sizeof *c);
    if (n < 6 || strncmp(w[2], "arity=", 6) || strncmp(w[3], "module=", 7) ||
        strncmp(w[4], "flags=", 6) || strncmp(w[5], "tips=", 5))
        grammar_fail(path, lineno, "expected command NAME arity= module= flags= tips=");
    c->name = strdup(w[1]);
    c->arity = atoi(w[2] + 6);
    c->module = strdup(w[3] + 7);
    c->flags = strdup(w[4] + 6);
    c->tips = strdup(w[5] + 5);
    c->container = n > 6 && !strcmp(w[6], "container");
}

/* Reads the whole file; dies with file:line on anything unexpected, since a
 * misread grammar would fuzz the wrong thing without saying so. */
static void grammar_load(grammar_t *gr, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        die("%s: %s", path, strerror(errno));
    glines L = {.path = path};
    int lineno = 0, version = 0, end = -1;
    for (char *p = text, *nl; p < text + len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(text + len - p));
        if (!nl)
            nl = text + len;
        *nl = 0;
        lineno++;
        if (*p == '#' || !*p)
            continue;
        if (end >= 0)
            grammar_fail(path, lineno, "text after the end line");
        if (!version) {
            if (strcmp(p, "fr-grammar 1"))
                grammar_fail(path, lineno, "not a version 1 grammar (fr-grammar 1)");
            version = 1;
        } else if (!strncmp(p, "end ", 4)) {
            end = atoi(p + 4);
        } else {
            L.v = realloc(L.v, (size_t)(L.n + 1) * sizeof *L.v);
            L.lineno = realloc(L.lineno, (size_t)(L.n + 1) * sizeof *L.lineno);
            if (!L.v || !L.lineno)
                die("out of memory");
            L.v[L.n] = p;
            L.lineno[L.n++] = lineno;
        }
    }
    while (L.i < L.n) {
        if (strncmp(L.v[L.i], "command ", 8))
            grammar_fail(path, L.lineno[L.i], "expected a command line");
        gr->cmds = realloc(gr->cmds, (size_t)(gr->n + 1) * sizeof *gr->cmds);
        if (!gr->cmds)
            die("out of memory");
        gcmd *c = &gr->cmds[gr->n++];
        parse_command_line(L.v[L.i], path, L.lineno[L.i], c);
        L.i++;
        parse_args(&L, 2, &c->args, &c->nargs);
    }
    if (end != gr->n)
        die("%s: truncated grammar (no end line, or it counts %d commands, not %d)", path,
            end, gr->n);
    free(L.v);
    free(L.lineno);
    free(text);
}

static void garg_free(garg *a, int n)
{
    for (int i = 0; i < n; i++) {
        free(a[i].name);
        free(a[i].token);
        garg_free(a[i].sub, a[i].nsub);
    }
    free(a);
}

/* Everything grammar_load allocated (the leak check at exit counts it). */
static void grammar_free(grammar_t *gr)
{
    for (int i = 0; i < gr->n; i++) {
        gcmd *c = &gr->cmds[i];
        free(c->name);
        free(c->module);
        free(c->flags);
        free(c->tips);
        garg_free(c->args, c->nargs);
    }
    free(gr->cmds);
    memset(gr, 0, sizeof *gr);
}

static const gcmd *grammar_find(const grammar_t *gr, const char *name)
{
    for (int i = 0; i < gr->n; i++)
        if (!strcasecmp(gr->cmds[i].name, name))
            return &gr->cmds[i];
    return NULL;
}

/* One thing the generator can pick: a command of the grammar under one
 * policy entry (a command may have several, e.g. SET on the LCS keys). */
struct policy;
typedef struct {
    const gcmd *cmd;             /* NULL: an unknown command name */
    const struct policy *pol;    /* NULL: the defaults */
    int weight;
} kind_t;

typedef struct {
    rng_t r;
    int ttl;        /* expire options and SETEX/PSETEX are in the grammar */
    int multi;      /* as far as the generator knows, a MULTI is open */
    int exec_mode;  /* modes of the commands queued since MULTI */
    int queued;     /* commands queued since MULTI */
    int exec_next;  /* a P_IN_MULTI command was queued: EXEC is likely next */
    long long seq;  /* position of the command being generated */
    const gcmd *cmd;          /* the command being generated */
    const struct policy *pol; /* its policy entry, NULL for the defaults */
    kind_t *kinds;
    int nkinds, total_weight;
} gen_t;

static const struct {
    const char *p;
    size_t n;
} live_keys[] = {{"k0", 2}, {"k1", 2}, {"k2", 2}, {"k3", 2}, {"k4", 2},
                 {"k5", 2}, {"n0", 2}, {"n1", 2}, {"", 0}, {"b\0\xff", 3}};

static void gen_key(gen_t *g, lcmd *c)
{
    unsigned k = rnd(&g->r, 100);
    unsigned i = k < 45 ? rnd(&g->r, 4) : k < 90 ? rnd(&g->r, 8) : k < 95 ? 8 : 9;
    lc_arg(c, live_keys[i].p, live_keys[i].n);
}

/* LCS works on its own small keys: LCS of two large values would need
 * gigabytes on both servers. */
static void gen_lcs_key(gen_t *g, lcmd *c)
{
    static const char *const lk[] = {"l0", "l1", "l2", "lmissing"};
    lc_str(c, lk[rnd(&g->r, 4)]);
}

static const char *const int_edges[] = {
    "0", "1", "-1", "2", "10", "-10", "100", "9223372036854775807",
    "-9223372036854775808", "9223372036854775806", "-9223372036854775807",
    "4611686018427387904", "9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "-0", "+1", " 1", "1 ", "01", "00", "1a", "0x10",
    "1e3", "1.0", "12345678901234567890", "", "abc", "9999", "10000"};

static const char *const float_edges[] = {
    "0", "1.5", "-1.5", "0.1", "3.0e3", "1e-20", "1e308", "-1e308",
    "1.7976931348623157e308", "1e309", "-1e309", "5e-324", "1e-320", "inf",
    "-inf", "+inf", "Infinity", "-infinity", "nan", "NaN", "-nan", "-0",
    "-0.0", "0.0", "+0", " 1.5", "1.5 ", "0x1p3", "0x10", "0X1A", "1e", "e1",
    ".5", "5.", "1,5", "1..5", "10.5", "123456789.123456789",
    "0.30000000000000004", "1e400", "", "abc", "9223372036854775807",
    "-9223372036854775808", "1e17", "100000000000000000000", "0.000001"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void gen_int(gen_t *g, lcmd *c)
{
    unsigned k = rnd(&g->r, 100);
    if (k < 45)
        lc_str(c, int_edges[rnd(&g->r, NELEM(int_edges))]);
    else if (k < 80)
        lc_fmt(c, "%d", (int)rnd(&g->r, 2001) - 1000);
    else
        lc_fmt(c, "%lld", (long long)rng_next(&g->r) >> rnd(&g->r, 63));
}

static void gen_float(gen_t *g, lcmd *c)
{
    if (pct(&g->r, 50)) {
        lc_str(c, float_edges[rnd(&g->r, NELEM(float_edges))]);
        return;
    }
    lc_fmt(c, "%s%u.%ue%d", pct(&g->r, 30) ? "-" : "", rnd(&g->r, 1000),
           rnd(&g->r, 1000000), (int)rnd(&g->r, 40) - 20);
}

static void gen_bytes(gen_t *g, lcmd *c, size_t n)
{
    buf_t b = {0};
    for (size_t i = 0; i < n; i++)
        buf_putc(&b, (int)rnd(&g->r, 256));
    lc_arg(c, b.p ? b.p : "", b.len);
    buf_free(&b);
}

static void gen_word(gen_t *g, lcmd *c, unsigned maxlen)
{
    char w[64];
    unsigned n = 1 + rnd(&g->r, maxlen < sizeof w ? maxlen : sizeof w - 1);
    for (unsigned i = 0; i < n; i++)
        w[i] = (char)('a' + rnd(&g->r, 26));
    lc_arg(c, w, n);
}

static void gen_value(gen_t *g, lcmd *c)
{
    static const char *const protoish[] = {
        "$3\r\nfoo", "*1\r\n$4\r\nPING\r\n", "+OK", "-ERR x", ":1", "\r\n",
        "\"quoted\"", "'single'", "a b c", " lead", "trail ", "\\x41"};
    unsigned k = rnd(&g->r, 100);
    if (k < 25) {
        gen_word(g, c, 12);
    } else if (k < 45) {
        gen_int(g, c);
    } else if (k < 60) {
        gen_float(g, c);
    } else if (k < 66) {
        lc_arg(c, "", 0);
    } else if (k < 80) {
        gen_bytes(g, c, 1 + rnd(&g->r, 24));
    } else if (k < 84) {
        buf_t b = {0};
        size_t n = pct(&g->r, 10) ? 70000 : 40 + rnd(&g->r, 20000);
        buf_reserve(&b, n);
        memset(b.p, 'a' + (int)rnd(&g->r, 26), n);
        b.len = n;
        lc_arg(c, b.p, b.len);
        buf_free(&b);
    } else {
        lc_str(c, protoish[rnd(&g->r, NELEM(protoish))]);
    }
}

static void gen_small_value(gen_t *g, lcmd *c)
{
    if (pct(&g->r, 70))
        gen_word(g, c, 40);
    else if (pct(&g->r, 50))
        gen_bytes(g, c, rnd(&g->r, 30));
    else
        lc_arg(c, "", 0);
}

static void gen_index(gen_t *g, lcmd *c)
{
    static const char *const idx[] = {"0", "1", "2", "-1", "-2", "-100", "100",
                                      "5", "10", "9223372036854775807",
                                      "-9223372036854775808", "abc", "1.5", ""};
    if (pct(&g->r, 60))
        lc_fmt(c, "%d", (int)rnd(&g->r, 41) - 20);
    else
        lc_str(c, idx[rnd(&g->r, NELEM(idx))]);
}

static void gen_db(gen_t *g, lcmd *c)
{
    static const char *const bad[] = {"16", "-1", "abc", "1.5", "", "99999999999"};
    if (pct(&g->r, 92))
        lc_fmt(c, "%u", rnd(&g->r, 100) < 70 ? rnd(&g->r, 3) : rnd(&g->r, 16));
    else
        lc_str(c, bad[rnd(&g->r, NELEM(bad))]);
}

/* A relative expire time: base + stream position, in seconds (or ms), so
 * two relative times set by different commands never tie, and GT/LT
 * comparisons cannot depend on the millisecond a server read its clock. */
static void gen_rel_time(gen_t *g, lcmd *c, int ms)
{
    long long base = pct(&g->r, 50) ? 1000 : 100000;
    lc_fmt(c, "%lld", ms ? (base + g->seq) * 1000 : base + g->seq);
}

/* ---- value domains ---------------------------------------------------------
 * Where an argument's type is not enough.  Relative expire times are a base
 * plus the stream position, so two set by different commands never tie and
 * GT/LT comparisons cannot depend on the millisecond a server read its
 * clock; absolute ones are in the past (the key goes) or far in the future,
 * again distinct per command. */
#define PICK(g, c, list) lc_str((c), (list)[rnd(&(g)->r, NELEM(list))])

static const char *const bad_secs[] = {"0", "-1", "abc", "9223372036854775807", "1.5", ""};
static const char *const bad_exp[] = {"0", "-1", "abc", "9223372036854775807",
                                      "9223372036854774", "1.5", "", "-9223372036854775808"};
static const char *const at_times[] = {"1", "1000", "4102444800", "0", "-5", "x"};

static void v_opt_secs(gen_t *g, lcmd *c) /* SET/GETEX EX */
{
    if (pct(&g->r, 75))
        gen_rel_time(g, c, 0);
    else
        PICK(g, c, bad_secs);
}

static void v_opt_ms(gen_t *g, lcmd *c) /* SET/GETEX PX */
{
    if (pct(&g->r, 75))
        gen_rel_time(g, c, 1);
    else
        PICK(g, c, bad_secs);
}

static void v_opt_at(gen_t *g, lcmd *c) { PICK(g, c, at_times); }

static void v_opt_pxat(gen_t *g, lcmd *c)
{
    if (pct(&g->r, 50))
        lc_str(c, "4102444800000");
    else
        PICK(g, c, at_times);
}

static void v_setex_time(gen_t *g, lcmd *c, int ms)
{
    static const char *const bad[] = {"0", "-1", "abc", "9223372036854775807"};
    if (pct(&g->r, 85))
        gen_rel_time(g, c, ms);
    else
        PICK(g, c, bad);
}
static void v_setex_secs(gen_t *g, lcmd *c) { v_setex_time(g, c, 0); }
static void v_setex_ms(gen_t *g, lcmd *c) { v_setex_time(g, c, 1); }

static void v_expire_rel(gen_t *g, lcmd *c, int ms)
{
    if (pct(&g->r, 12))
        PICK(g, c, bad_exp);
    else
        gen_rel_time(g, c, ms);
}
static void v_expire_secs(gen_t *g, lcmd *c) { v_expire_rel(g, c, 0); }
static void v_expire_ms(gen_t *g, lcmd *c) { v_expire_rel(g, c, 1); }

static void v_expire_at(gen_t *g, lcmd *c, int ms)
{
    unsigned v = rnd(&g->r, 100);
    long long far = 4102444800LL + g->seq;
    if (v < 12)
        PICK(g, c, bad_exp);
    else if (v < 30) /* in the past: deletes the key */
        lc_str(c, ms ? "1000000" : "1000");
    else
        lc_fmt(c, "%lld", ms ? far * 1000 : far);
}
static void v_expireat_secs(gen_t *g, lcmd *c) { v_expire_at(g, c, 0); }
static void v_expireat_ms(gen_t *g, lcmd *c) { v_expire_at(g, c, 1); }

static void v_setrange_offset(gen_t *g, lcmd *c)
{
    static const char *const offs[] = {"0", "1", "5", "10", "100", "1000", "-1",
                                       "536870912", "9223372036854775807", "abc", ""};
    if (pct(&g->r, 50))
        lc_fmt(c, "%u", rnd(&g->r, 50));
    else
        PICK(g, c, offs);
}

/* SETBIT's offset: a large valid one (up to 2^32-1 bits) makes both
 * servers allocate and zero 512 MB, longer than the reply timeout on a
 * busy machine; the edges that fail at once still go. */
static void v_bit_offset(gen_t *g, lcmd *c)
{
    static const char *const edge[] = {"-1", "4294967296", "abc", "1.5", "", "9223372036854775807"};
    if (pct(&g->r, 85))
        lc_fmt(c, "%u", rnd(&g->r, 2000));
    else
        PICK(g, c, edge);
}

static void v_mostly_small(gen_t *g, lcmd *c)
{
    if (pct(&g->r, 85))
        gen_small_value(g, c);
    else
        gen_value(g, c);
}

/* HRANDFIELD's and ZRANDMEMBER's count: a large negative count asks both
 * servers for that many draws (minutes of output), so only small ones and
 * the edges that fail at once (out of range, not a number) are sent. */
static void v_hrandfield_count(gen_t *g, lcmd *c)
{
    static const char *const edge[] = {"9223372036854775807", "-9223372036854775808", "abc",
                                       "1.5", "", "4611686018427387904"};
    if (pct(&g->r, 85))
        lc_fmt(c, "%d", (int)rnd(&g->r, 41) - 20);
    else
        PICK(g, c, edge);
}

static void v_minmatchlen(gen_t *g, lcmd *c)
{
    static const char *const ok[] = {"0", "1", "2", "3", "5"};
    static const char *const bad[] = {"-1", "abc", "9223372036854775807"};
    if (pct(&g->r, 85))
        PICK(g, c, ok);
    else
        PICK(g, c, bad);
}

static void v_pattern(gen_t *g, lcmd *c)
{
    static const char *const pats[] = {"*", "k*", "k?", "k[0-3]", "*0", "[^k]*", "\\*",
                                       "", "k[", "k\\", "n*", "*[", "?", "l*", "*\\"};
    PICK(g, c, pats);
}

static void v_unix_time(gen_t *g, lcmd *c)
{
    if (pct(&g->r, 50))
        PICK(g, c, at_times);
    else
        lc_fmt(c, "%lld", 4102444800LL + g->seq);
}

/* only cursor 0: any other cursor depends on the hash table layout */
static void v_scan_cursor(gen_t *g, lcmd *c)
{
    static const char *const bad[] = {"abc", "1.5", "18446744073709551616"};
    if (pct(&g->r, 95))
        lc_str(c, "0");
    else
        PICK(g, c, bad);
}

/* COUNT 1000 covers the whole (small) keyspace in one call */
static void v_scan_count(gen_t *g, lcmd *c)
{
    static const char *const bad[] = {"0", "-1", "abc"};
    if (pct(&g->r, 97))
        lc_str(c, "1000");
    else
        PICK(g, c, bad);
}

static void v_scan_type(gen_t *g, lcmd *c)
{
    static const char *const types[] = {"string", "STRING", "list", "hash", "nosuchtype"};
    PICK(g, c, types);
}

/* SRANDMEMBER/SPOP counts: small ones, and errors; never a huge negative
 * SRANDMEMBER count, which asks both servers for that many replies */
static void v_set_count(gen_t *g, lcmd *c)
{
    static const char *const ok[] = {"0", "1", "2", "3", "5", "-1", "-3", "-8", "100"};
    static const char *const bad[] = {"abc", "1.5", "-9223372036854775808", "9223372036854775807"};
    if (pct(&g->r, 90))
        PICK(g, c, ok);
    else
        PICK(g, c, bad);
}

static void v_hello_proto(gen_t *g, lcmd *c)
{
    static const char *const vers[] = {"2", "3", "2", "3", "4", "1", "abc", "-1"};
    lc_str(c, vers[rnd(&g->r, pct(&g->r, 90) ? 4 : NELEM(vers))]);
}

static void v_hello_name(gen_t *g, lcmd *c)
{
    lc_str(c, pct(&g->r, 80) ? "live-client" : "bad name");
}
static void v_user(gen_t *g, lcmd *c) { (void)g; lc_str(c, "default"); }
static void v_password(gen_t *g, lcmd *c) { (void)g; lc_str(c, "secret"); }

static void v_client_name(gen_t *g, lcmd *c)
{
    static const char *const names[] = {"conn", "live-1", "", "bad name", "x\ny"};
    PICK(g, c, names);
}

static void v_config_param(gen_t *g, lcmd *c)
{
    static const char *const params[] = {"databases", "maxmemory", "maxmemory-policy",
                                         "proto-max-bulk-len", "timeout",
                                         "no-such-parameter", "DATABASES"};
    PICK(g, c, params);
}

static void v_command_name(gen_t *g, lcmd *c)
{
    static const char *const names[] = {"get", "set", "incrbyfloat", "lcs", "mset",
                                        "del", "copy", "ping", "nosuchcommand"};
    PICK(g, c, names);
}

static void v_info_section(gen_t *g, lcmd *c)
{
    (void)g;
    lc_str(c, "keyspace"); /* exact: keys=N,expires=M,avg_ttl=... */
}

/* DUMP payloads of "foo", "123", 40 x "x" (LZF) and "-7" as Redis 7.0
 * writes them, so RESTORE also succeeds, not only fails its checksum. */
static void v_dump_payload(gen_t *g, lcmd *c)
{
    static const struct {
        const char *p;
        size_t n;
    } ok[] = {
        {"\x00\x03" "foo\x0a\x00\x73\x49\x39\xdb\x4d\xc1\xba\x97", 15},
        {"\x00\xc0\x7b\x0a\x00\x48\xe2\x53\xe1\x00\x7a\x67\xb9", 13},
        {"\x00\xc3\x09\x28\x01\x78\x78\xe0\x1b\x00\x01\x78\x78\x0a\x00\x7a\x1d\x6c\xce\xa5"
         "\x40\x13\x33", 23},
        {"\x00\xc0\xf9\x0a\x00\x5e\x26\xd1\x30\xd7\xa2\x42\xab", 13}};
    if (pct(&g->r, 70)) {
        unsigned i = rnd(&g->r, NELEM(ok));
        lc_arg(c, ok[i].p, ok[i].n);
    } else {
        gen_value(g, c);
    }
}

static void v_restore_ttl(gen_t *g, lcmd *c)
{
    if (pct(&g->r, 60))
        lc_str(c, "0");
    else if (pct(&g->r, 70))
        gen_rel_time(g, c, 1);
    else
        PICK(g, c, bad_secs);
}

static void v_small_count(gen_t *g, lcmd *c)
{
    static const char *const bad[] = {"-1", "abc", "256", "9223372036854775807"};
    if (pct(&g->r, 80))
        lc_fmt(c, "%u", rnd(&g->r, 100));
    else
        PICK(g, c, bad);
}

/* COMMAND GETKEYS / GETKEYSANDFLAGS: the manifest gives no argument shape
 * (any command line follows), so these few lines stand in. */
static void v_getkeys_line(gen_t *g, lcmd *c)
{
    switch (rnd(&g->r, 4)) {
    case 0:
        lc_str(c, "SET");
        gen_key(g, c);
        lc_str(c, "v");
        break;
    case 1:
        lc_str(c, "MSET");
        gen_key(g, c);
        lc_str(c, "v");
        gen_key(g, c);
        lc_str(c, "w");
        break;
    case 2:
        lc_str(c, "LCS");
        gen_key(g, c);
        gen_key(g, c);
        break;
    default:
        lc_str(c, "PING");
    }
}

/* A blocking command's timeout: it is sent inside MULTI only (P_IN_MULTI),
 * where it never blocks, but never 0 all the same, should the generator's
 * idea of the transaction be wrong. */
static void v_block_timeout(gen_t *g, lcmd *c)
{
    static const char *const t[] = {"0.01", "0.01", "0.01", "1", "-1", "abc", "0.001"};
    PICK(g, c, t);
}

static void v_block_ms(gen_t *g, lcmd *c)
{
    static const char *const t[] = {"10", "10", "10", "100", "-1", "abc"};
    PICK(g, c, t);
}

/* Group and consumer names, and read IDs, few enough that reads meet the
 * groups XGROUP CREATE made. */
static void v_group(gen_t *g, lcmd *c)
{
    static const char *const n[] = {"g1", "g1", "g2", "nogroup"};
    PICK(g, c, n);
}

static void v_consumer(gen_t *g, lcmd *c)
{
    static const char *const n[] = {"c1", "c1", "c2"};
    PICK(g, c, n);
}

static void v_read_id(gen_t *g, lcmd *c)
{
    static const char *const ids[] = {">", ">", ">", "0", "0-0", "$", "+", "1-1", "abc"};
    PICK(g, c, ids);
}

static void v_group_id(gen_t *g, lcmd *c)
{
    static const char *const ids[] = {"$", "0", "0-0", "1-1", "abc"};
    PICK(g, c, ids);
}

/* Hints by "command/argname".  gen replaces the type's generator; incl is
 * the chance (percent) an optional argument is sent (0: the default 50);
 * H_TTL drops the argument unless expire options are on, H_ONCE sends a
 * multiple argument once. */
enum { H_TTL = 1, H_ONCE = 2 };
typedef struct {
    const char *path;
    void (*gen)(gen_t *, lcmd *);
    int incl;
    unsigned flags;
} hint_t;

static const hint_t hints[] = {
    {"set/expiration", NULL, 35, H_TTL},
    {"set/seconds", v_opt_secs, 0, 0},
    {"set/milliseconds", v_opt_ms, 0, 0},
    {"set/unix-time-seconds", v_opt_at, 0, 0},
    {"set/unix-time-milliseconds", v_opt_pxat, 0, 0},
    {"getex/expiration", NULL, 50, H_TTL},
    {"getex/seconds", v_opt_secs, 0, 0},
    {"getex/milliseconds", v_opt_ms, 0, 0},
    {"getex/unix-time-seconds", v_opt_at, 0, 0},
    {"getex/unix-time-milliseconds", v_opt_pxat, 0, 0},
    {"setex/seconds", v_setex_secs, 0, 0},
    {"psetex/milliseconds", v_setex_ms, 0, 0},
    {"expire/seconds", v_expire_secs, 0, 0},
    {"pexpire/milliseconds", v_expire_ms, 0, 0},
    {"expireat/unix-time-seconds", v_expireat_secs, 0, 0},
    {"pexpireat/unix-time-milliseconds", v_expireat_ms, 0, 0},
    {"expire/condition", NULL, 40, 0},
    {"pexpire/condition", NULL, 40, 0},
    {"expireat/condition", NULL, 40, 0},
    {"pexpireat/condition", NULL, 40, 0},
    {"getrange/start", gen_index, 0, 0},
    {"getrange/end", gen_index, 0, 0},
    {"substr/start", gen_index, 0, 0},
    {"substr/end", gen_index, 0, 0},
    {"setrange/offset", v_setrange_offset, 0, 0},
    {"setrange/value", v_mostly_small, 0, 0},
    {"setbit/offset", v_bit_offset, 0, 0},
    {"lcs/key1", gen_lcs_key, 0, 0},
    {"lcs/key2", gen_lcs_key, 0, 0},
    {"lcs/len", v_minmatchlen, 0, 0},
    {"select/index", gen_db, 0, 0},
    {"swapdb/index1", gen_db, 0, 0},
    {"swapdb/index2", gen_db, 0, 0},
    {"move/db", gen_db, 0, 0},
    {"copy/destination-db", gen_db, 40, 0},
    {"copy/replace", NULL, 40, 0},
    {"scan/cursor", v_scan_cursor, 0, 0},
    {"scan/count", v_scan_count, 100, 0},
    {"scan/type", v_scan_type, 30, 0},
    {"srandmember/count", v_set_count, 0, 0},
    {"spop/count", v_set_count, 0, 0},
    {"sscan/cursor", v_scan_cursor, 0, 0},
    {"sscan/count", v_scan_count, 100, 0},
    {"flushdb/async", NULL, 40, 0},
    {"flushall/async", NULL, 40, 0},
    {"hello/arguments", NULL, 90, 0},
    {"hello/protover", v_hello_proto, 0, 0},
    {"hello/username_password", NULL, 5, 0},
    {"hello/username", v_user, 0, 0},
    {"hello/password", v_password, 0, 0},
    {"hello/clientname", v_hello_name, 10, 0},
    {"auth/username", v_user, 0, 0},
    {"auth/password", v_password, 0, 0},
    {"client|setname/connection-name", v_client_name, 0, 0},
    {"config|get/parameter", v_config_param, 0, 0},
    {"command|info/command-name", v_command_name, 100, 0},
    {"command|docs/command-name", v_command_name, 100, 0},
    {"info/section", v_info_section, 100, H_ONCE},
    {"hrandfield/count", v_hrandfield_count, 0, 0},
    {"hscan/cursor", v_scan_cursor, 0, 0},
    {"hscan/count", v_scan_count, 100, 0},
    {"zrandmember/count", v_hrandfield_count, 0, 0}, /* the same hazard as HRANDFIELD's */
    {"zscan/cursor", v_scan_cursor, 0, 0},
    {"zscan/count", v_scan_count, 100, 0},
    {"restore/ttl", v_restore_ttl, 0, 0},
    {"restore/serialized-value", v_dump_payload, 0, 0},
    {"restore/seconds", v_small_count, 20, 0},
    {"restore/frequency", v_small_count, 20, 0},
    {"blpop/timeout", v_block_timeout, 0, 0},
    {"brpop/timeout", v_block_timeout, 0, 0},
    {"brpoplpush/timeout", v_block_timeout, 0, 0},
    {"blmove/timeout", v_block_timeout, 0, 0},
    {"blmpop/timeout", v_block_timeout, 0, 0},
    {"bzmpop/timeout", v_block_timeout, 0, 0},
    {"bzpopmax/timeout", v_block_timeout, 0, 0},
    {"bzpopmin/timeout", v_block_timeout, 0, 0},
    {"xread/milliseconds", v_block_ms, 0, 0},
    {"xread/key", NULL, 0, H_ONCE},
    {"xread/id", v_read_id, 0, H_ONCE},
    {"xreadgroup/milliseconds", v_block_ms, 0, 0},
    {"xreadgroup/group", v_group, 0, 0},
    {"xreadgroup/consumer", v_consumer, 0, 0},
    {"xreadgroup/key", NULL, 0, H_ONCE},
    {"xreadgroup/id", v_read_id, 0, H_ONCE},
    {"xgroup|create/groupname", v_group, 0, 0},
    {"xgroup|create/id", v_group_id, 0, 0},
    {"xgroup|setid/groupname", v_group, 0, 0},
    {"xgroup|destroy/groupname", v_group, 0, 0},
    {"xgroup|createconsumer/groupname", v_group, 0, 0},
    {"xgroup|createconsumer/consumername", v_consumer, 0, 0},
    {"xgroup|delconsumer/groupname", v_group, 0, 0},
    {"xgroup|delconsumer/consumername", v_consumer, 0, 0},
    {"xack/group", v_group, 0, 0},
    {"xclaim/group", v_group, 0, 0},
    {"xclaim/consumer", v_consumer, 0, 0},
    {"xautoclaim/group", v_group, 0, 0},
    {"xautoclaim/consumer", v_consumer, 0, 0},
    {"xpending/group", v_group, 0, 0},
};

static const hint_t *find_hint(const char *cmd, const char *arg)
{
    size_t n = strlen(cmd);
    for (size_t i = 0; i < NELEM(hints); i++)
        if (!strncmp(hints[i].path, cmd, n) && hints[i].path[n] == '/' &&
            !strcmp(hints[i].path + n + 1, arg))
            return &hints[i];
    return NULL;
}

/* ---- policy ----------------------------------------------------------------
 * Keyed by grammar name.  weight 0 leaves the command out; `why` says why.
 * mode is the reply's MATCH_* (exact unless set); ttl_mode is added when
 * expire options are on; `tail` generates the arguments when the manifest
 * cannot describe them.  "" names the unknown-command entry. */
enum {
    P_TTL = 1,          /* needs the ttl module (times that could run out) */
    P_LCS_KEYS = 2,     /* on LCS's own keys, small values, no options */
    P_NO_ARITY = 4,     /* never a wrong arity: the short form lists everything */
    P_MULTI_INTS = 8,   /* integers ignored inside MULTI */
    P_INFO_SHAPE = 16,  /* exact only as INFO keyspace */
    P_TX_MULTI = 32, P_TX_EXEC = 64, P_TX_END = 128, /* transaction tracking */
    P_NOT_WITH_PROPAGATION = 256, /* left out while replica streams are compared */
    P_IN_MULTI = 512,   /* sent only while a MULTI is open */
};

typedef struct policy {
    const char *name;
    int weight;
    const char *why;
    unsigned flags;
    int mode, ttl_mode;
    void (*tail)(gen_t *, lcmd *);
} policy_t;

#define DEFAULT_WEIGHT 4

#define FUZZ(n, w) .name = (n), .weight = (w)
#define SKIP(n, reason) .name = (n), .why = (reason)

static const policy_t policy[] = {
    /* strings */
    {FUZZ("get", 80)}, {FUZZ("set", 90)}, {FUZZ("setnx", 15)}, {FUZZ("getset", 15)},
    {FUZZ("setex", 10), .flags = P_TTL}, {FUZZ("psetex", 8), .flags = P_TTL},
    {FUZZ("getdel", 15)}, {FUZZ("getex", 15)}, {FUZZ("append", 40)}, {FUZZ("strlen", 25)},
    {FUZZ("incr", 35)}, {FUZZ("decr", 25)}, {FUZZ("incrby", 35)}, {FUZZ("decrby", 25)},
    {FUZZ("incrbyfloat", 45)}, {FUZZ("mset", 25)}, {FUZZ("msetnx", 15)}, {FUZZ("mget", 30)},
    {FUZZ("getrange", 30)}, {FUZZ("substr", 10)}, {FUZZ("setrange", 35)},
    /* LCS of two large values would need gigabytes on both servers: LCS and
     * the SETs that fill its keys work on keys nothing else writes */
    {FUZZ("lcs", 25)}, {FUZZ("set", 20), .flags = P_LCS_KEYS},
    /* keys */
    {FUZZ("del", 30)}, {FUZZ("unlink", 10)}, {FUZZ("exists", 25)}, {FUZZ("touch", 10)},
    {FUZZ("type", 15)}, {FUZZ("rename", 20)}, {FUZZ("renamenx", 15)},
    {FUZZ("keys", 15), .mode = MATCH_UNORDERED},
    {FUZZ("scan", 15), .mode = MATCH_UNORDERED},
    /* a random key that has expired is deleted and its DEL propagated: which
     * one is chance, and afterwards the two keyspaces hold different expired
     * keys, whose later lazy DELs then differ too */
    {FUZZ("randomkey", 5), .mode = MATCH_TYPE, .flags = P_NOT_WITH_PROPAGATION},
    {FUZZ("move", 15)}, {FUZZ("copy", 20)},
    {FUZZ("object", 1)}, {FUZZ("object|encoding", 11)},
    /* inside MULTI, Redis counts the queued command's reference too */
    {FUZZ("object|refcount", 6), .flags = P_MULTI_INTS},
    {FUZZ("object|idletime", 3), .mode = MATCH_IGNORE_INTS}, /* seconds since last access */
    {FUZZ("object|freq", 2)}, {FUZZ("object|help", 2)},
    /* bytes as each server lays the key out: the reply's shape only */
    {FUZZ("memory|usage", 4), .mode = MATCH_IGNORE_INTS}, {FUZZ("memory|help", 1)},
    /* core */
    {FUZZ("select", 20)}, {FUZZ("swapdb", 6)},
    /* a key SET with a past EXAT stays in Redis's count until its expire
     * cycle (or an access) reclaims it: timing, not protocol */
    {FUZZ("dbsize", 10), .ttl_mode = MATCH_NONNEG_INTS},
    {FUZZ("flushdb", 3)}, {FUZZ("flushall", 1)}, {FUZZ("ping", 6)}, {FUZZ("echo", 6)},
    {FUZZ("multi", 12), .flags = P_TX_MULTI}, {FUZZ("exec", 12), .flags = P_TX_EXEC},
    {FUZZ("discard", 5), .flags = P_TX_END}, {FUZZ("reset", 2), .flags = P_TX_END},
    {FUZZ("watch", 8)}, {FUZZ("unwatch", 4)},
    {FUZZ("hello", 6), .mode = MATCH_IGNORE_INTS}, /* the reply holds the connection id */
    {FUZZ("auth", 2)},
    {FUZZ("client", 1)}, {FUZZ("client|setname", 3)}, {FUZZ("client|getname", 3)},
    {FUZZ("client|id", 1), .mode = MATCH_IGNORE_INTS},
    /* several parameters come back in the order of Redis's dict: a map */
    {FUZZ("config", 1)}, {FUZZ("config|get", 4), .mode = MATCH_UNORDERED},
    {FUZZ("config|resetstat", 1)},
    {SKIP("command", "COMMAND alone lists every command; ours has only a subset")},
    {FUZZ("command|info", 2), .flags = P_NO_ARITY},
    {FUZZ("command|docs", 2), .flags = P_NO_ARITY, .mode = MATCH_UNORDERED},
    {FUZZ("command|getkeys", 2), .flags = P_NO_ARITY, .tail = v_getkeys_line},
    {FUZZ("command|getkeysandflags", 1), .flags = P_NO_ARITY, .tail = v_getkeys_line},
    {FUZZ("time", 2), .mode = MATCH_TYPE},
    /* the master's offset counts its keep-alive pings, which fall by each
     * server's clock while live mode's replica is attached */
    {FUZZ("role", DEFAULT_WEIGHT), .mode = MATCH_IGNORE_INTS},
    /* random art past the second row of squares: only the type is fixed
     * (fixtures/conformance/lolwut.txt has the deterministic cases) */
    {FUZZ("lolwut", 1), .mode = MATCH_TYPE},
    {FUZZ("info", 3), .flags = P_NO_ARITY | P_INFO_SHAPE, .ttl_mode = MATCH_TYPE},
    {FUZZ("", 3)}, /* an unknown command */
    /* ttl */
    {FUZZ("expire", 10)}, {FUZZ("pexpire", 10)}, {FUZZ("expireat", 10)}, {FUZZ("pexpireat", 10)},
    /* -1 and -2 exact, times approximate */
    {FUZZ("ttl", 8), .mode = MATCH_NONNEG_INTS}, {FUZZ("pttl", 8), .mode = MATCH_NONNEG_INTS},
    {FUZZ("expiretime", 7), .mode = MATCH_NONNEG_INTS},
    {FUZZ("pexpiretime", 7), .mode = MATCH_NONNEG_INTS}, {FUZZ("persist", 10)},
    /* rdb: the tips call DUMP nondeterministic (encodings may differ), but
     * a string's payload is fixed by its value.  A hashtable set's is not:
     * its members come in hash-table order (Redis seeds its hash per
     * process), and the fuzzer's keys may hold sets, so only the shape is
     * compared here; tests/integration/rdb.sh and set_rdb.sh check payload
     * bytes against redis-server */
    {FUZZ("dump", 4), .mode = MATCH_TYPE},
    /* set */
    {SKIP("spop", "removes random members: the two servers' sets differ afterwards (set.txt covers SPOP)")},
    {FUZZ("sscan", 6), .mode = MATCH_UNORDERED}, /* cursor 0, COUNT 1000: the whole set */
    /* sort: a hashtable set's members come in Redis's per-process hash
     * order, which SORT keeps with BY nosort, for ALPHA ties under BY and
     * for which members a LIMIT then selects; SORT ... STORE would carry
     * that order into a list later commands read.  tests/integration/
     * sort.sh compares SORT byte for byte on deterministic data; here
     * SORT_RO runs for robustness, its reply's type compared */
    {SKIP("sort", "a set's order is Redis's per-process hash order, stored by STORE (sort.sh covers SORT)")},
    {FUZZ("sort_ro", 4), .mode = MATCH_TYPE},
    /* pubsub: PUBLISH changes no connection state and goes to replicas
     * (the subscribing commands stay out) */
    {FUZZ("publish", 3)}, {FUZZ("spublish", 2)},
    /* admin, but a write on one key: GETREG and TODENSE make a sparse HLL
     * dense, which goes to replicas as the command */
    {FUZZ("pfdebug", 3)},
    /* blocking: inside MULTI a blocking command never blocks (it runs as
     * its non-blocking form), so the stream never waits; outside one it is
     * not sent.  Served at once, each propagates as its plain form (BLPOP
     * as LPOP, BLMOVE as LMOVE, a group read as XCLAIM/XGROUP SETID) */
    {FUZZ("blpop", 3), .flags = P_IN_MULTI}, {FUZZ("brpop", 3), .flags = P_IN_MULTI},
    {FUZZ("brpoplpush", 3), .flags = P_IN_MULTI}, {FUZZ("blmove", 4), .flags = P_IN_MULTI},
    {FUZZ("blmpop", 3), .flags = P_IN_MULTI}, {FUZZ("bzmpop", 3), .flags = P_IN_MULTI},
    {FUZZ("bzpopmax", 3), .flags = P_IN_MULTI}, {FUZZ("bzpopmin", 3), .flags = P_IN_MULTI},
    /* entries XADD * added carry each server's clock in their IDs: the
     * replies' shape only (the propagated XCLAIMs compare IDs with slack) */
    {FUZZ("xread", 3), .flags = P_IN_MULTI, .mode = MATCH_TYPE},
    {FUZZ("xreadgroup", 8), .flags = P_IN_MULTI, .mode = MATCH_TYPE},
    /* left out */
    {SKIP("quit", "closes the connection: the rest of the epoch would run on a "
                "fresh one the generator does not model")},
    {SKIP("shutdown", "stops the server")},
    {SKIP("client|list", "addresses, fds, ages: nondeterministic")},
    {SKIP("client|info", "addresses, fds, ages: nondeterministic")},
    {SKIP("client|kill", "could kill the fuzzer's own connection")},
    {SKIP("client|help", "ours lists only the subcommands it implements")},
    {SKIP("client|reply", "OFF/SKIP silence replies the fuzzer waits for (fixtures/conformance/client.txt covers it)")},
    {SKIP("memory|stats", "its db.N entries follow which DBs hold keys, and lazily expired keys stay until active "
                          "expiry, whose timing differs (fixtures/conformance/memory.txt covers the shape)")},
    {SKIP("client|pause", "holds the fuzzer's own commands for the timeout (tests/integration/pause.sh covers it)")},
    {SKIP("script|debug", "YES/SYNC arm Redis's Lua debugger for the next EVAL, which ours has not "
                          "(docs/modules/scripting.md)")},
    {FUZZ("acl|genpass", 2), .mode = MATCH_TYPE}, /* random bytes */
    {SKIP("acl|setuser", "users are server-wide state the per-epoch FLUSHALL does not reset, and rules on "
                         "default would lock the fuzzer out (tests/integration/acl.sh covers ACL)")},
    {SKIP("acl|deluser", "users are server-wide state the per-epoch FLUSHALL does not reset "
                         "(tests/integration/acl.sh covers ACL)")},
    {SKIP("acl|log", "entries carry ages and client addresses (tests/integration/acl.sh compares them normalised)")},
    {SKIP("config|help", "ours lists only the subcommands it implements")},
    {SKIP("config|set", "server-wide state the per-epoch FLUSHALL does not reset")},
    {SKIP("command|count", "ours has only a subset of Redis's commands")},
    {SKIP("command|list", "ours has only a subset of Redis's commands")},
    {SKIP("save", "writes a file; no_multi; timing")},
    {SKIP("bgsave", "forks and writes a file: timing")},
    {SKIP("lastsave", "a clock")},
    {SKIP("client|tracking", "invalidations of keys that expire come when each server's active expiry runs: "
                             "timing (tests/integration/tracking.sh compares 96 steps with Redis)")},
    {SKIP("hardened", "FrankenRedis's own command (the hardened-mode ledger): Redis has none")},
    {SKIP("hardened|help", "FrankenRedis's own command (the hardened-mode ledger): Redis has none")},
    {SKIP("wait", "blocks until replicas acknowledge: without replicas, for its whole timeout or for ever "
                  "(tests/integration/replication.sh covers it)")},
    {SKIP("sync", "turns the fuzzer's connection into a replica fed an RDB and the stream")},
    {SKIP("psync", "turns the fuzzer's connection into a replica fed an RDB and the stream")},
    {SKIP("replicaof", "makes the server a read-only replica of whatever host the generator names")},
    {SKIP("migrate", "connects to whatever host and port the generator names and blocks the server for its "
                     "timeout (tests/integration/migrate.sh covers MIGRATE against redis-server)")},
    {SKIP("slaveof", "makes the server a read-only replica of whatever host the generator names")},
};

static const policy_t *find_policy(const char *name, int from)
{
    for (size_t i = (size_t)from; i < NELEM(policy); i++)
        if (!strcasecmp(policy[i].name, name))
            return &policy[i];
    return NULL;
}

static const hint_t *arg_hint(const gen_t *g, const garg *a)
{
    return g->pol && g->pol->flags & P_LCS_KEYS ? NULL : find_hint(g->cmd->name, a->name);
}

/* Inline commands need every argument expressible on one line. */
static int inline_safe_char(unsigned char ch)
{
    return ch && (isalnum(ch) || strchr("_.:+-*?[]^!@#$%&=<>/,;~|", ch));
}

static void encode_inline(lcmd *c)
{
    buf_t *w = &c->wire;
    for (int i = 0; i < c->argc; i++) {
        const buf_t *a = &c->argv[i];
        int plain = a->len > 0;
        for (size_t j = 0; j < a->len && plain; j++)
            plain = inline_safe_char((unsigned char)a->p[j]);
        if (i)
            buf_putc(w, ' ');
        if (plain) {
            buf_put(w, a->p, a->len);
            continue;
        }
        buf_putc(w, '"');
        for (size_t j = 0; j < a->len; j++) {
            unsigned char ch = (unsigned char)a->p[j];
            if (ch == '"' || ch == '\\')
                buf_printf(w, "\\%c", ch);
            else if (ch >= 0x20 && ch < 0x7f)
                buf_putc(w, ch);
            else
                buf_printf(w, "\\x%02x", ch);
        }
        buf_putc(w, '"');
    }
    buf_puts(w, "\r\n");
}

static void encode(lcmd *c)
{
    buf_free(&c->wire);
    if (c->inl) {
        encode_inline(c);
        return;
    }
    buf_printf(&c->wire, "*%d\r\n", c->argc);
    for (int i = 0; i < c->argc; i++) {
        buf_printf(&c->wire, "$%zu\r\n", c->argv[i].len);
        buf_put(&c->wire, c->argv[i].p, c->argv[i].len);
        buf_puts(&c->wire, "\r\n");
    }
}

/* ---- generating from the argument trees ---------------------------------- */
/* A token or subcommand name, in another case now and then. */
static void gen_word_cased(gen_t *g, lcmd *c, const char *w)
{
    lc_str(c, w);
    buf_t *b = &c->argv[c->argc - 1];
    unsigned k = rnd(&g->r, 100);
    for (size_t i = 0; i < b->len && k < 13; i++)
        if (k < 10 || i % 2 == 0)
            b->p[i] = (char)tolower((unsigned char)b->p[i]);
}

static void gen_arg(gen_t *g, lcmd *c, const garg *a);

/* The value of one argument, without its token or repetition. */
static void gen_arg_value(gen_t *g, lcmd *c, const garg *a)
{
    const hint_t *h = arg_hint(g, a);
    int lcs = g->pol && g->pol->flags & P_LCS_KEYS;
    if (h && h->gen && a->type != GT_PURE_TOKEN && a->type != GT_ONEOF &&
        a->type != GT_BLOCK) {
        h->gen(g, c);
        return;
    }
    switch (a->type) {
    case GT_KEY: if (lcs) gen_lcs_key(g, c); else gen_key(g, c); break;
    case GT_INTEGER: gen_int(g, c); break;
    case GT_DOUBLE: gen_float(g, c); break;
    case GT_PATTERN: v_pattern(g, c); break;
    case GT_UNIX_TIME: v_unix_time(g, c); break;
    case GT_PURE_TOKEN: break; /* the token is all */
    case GT_ONEOF: gen_arg(g, c, &a->sub[rnd(&g->r, (unsigned)a->nsub)]); break;
    case GT_BLOCK:
        for (int i = 0; i < a->nsub; i++)
            gen_arg(g, c, &a->sub[i]);
        break;
    default: if (lcs) gen_small_value(g, c); else gen_value(g, c); break;
    }
}

/* One argument: skipped if optional (and not chosen), its token, then its
 * value once or, if multiple, 1..N times (the token before each with
 * multiple-token).  An optional argument is sometimes sent twice, to reach
 * the duplicate-option paths. */
static void gen_arg(gen_t *g, lcmd *c, const garg *a)
{
    const hint_t *h = arg_hint(g, a);
    if (h && h->flags & H_TTL && !g->ttl)
        return;
    if (a->optional) {
        if (g->pol && g->pol->flags & P_LCS_KEYS)
            return;
        if (!pct(&g->r, h && h->incl ? (unsigned)h->incl : 50))
            return;
    }
    unsigned n = 1;
    if (a->multiple && !(h && h->flags & H_ONCE))
        n = 1 + rnd(&g->r, a->type == GT_KEY ? 5 : 4);
    if (a->optional && pct(&g->r, 3))
        n++;
    for (unsigned i = 0; i < n; i++) {
        if (a->token && (i == 0 || a->multiple_token || !a->multiple))
            gen_word_cased(g, c, a->token);
        gen_arg_value(g, c, a);
    }
}

static void gen_unknown(gen_t *g, lcmd *c)
{
    static const char *const names[] = {"NOSUCHCMD", "GETT", "SETT", "", "X"};
    PICK(g, c, names);
    if (pct(&g->r, 60))
        gen_value(g, c);
}

/* The command's words: "GET", or "OBJECT" "ENCODING"; a container alone
 * mostly gets a subcommand it does not have, else none. */
static void gen_name(gen_t *g, lcmd *c, const gcmd *cmd)
{
    char up[64];
    const char *bar = strchr(cmd->name, '|');
    size_t n = bar ? (size_t)(bar - cmd->name) : strlen(cmd->name);
    snprintf(up, sizeof up, "%.*s", (int)n, cmd->name);
    for (char *p = up; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    lc_str(c, up);
    if (bar) {
        snprintf(up, sizeof up, "%s", bar + 1);
        for (char *p = up; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        gen_word_cased(g, c, up);
    } else if (cmd->container && pct(&g->r, 80)) {
        lc_str(c, "NOSUCHSUB");
    }
}

static int pick_kind(gen_t *g)
{
    unsigned k = rnd(&g->r, (unsigned)g->total_weight);
    for (int i = 0; i < g->nkinds; i++) {
        if (k < (unsigned)g->kinds[i].weight)
            return i;
        k -= (unsigned)g->kinds[i].weight;
    }
    return 0;
}

static int has_flag(const kind_t *k, unsigned f) { return k->pol && k->pol->flags & f; }

/* One of the kinds with flag f, by weight; -1 if none. */
static int pick_flagged(gen_t *g, unsigned f)
{
    int total = 0;
    for (int i = 0; i < g->nkinds; i++)
        total += has_flag(&g->kinds[i], f) ? g->kinds[i].weight : 0;
    if (!total)
        return -1;
    unsigned k = rnd(&g->r, (unsigned)total);
    for (int i = 0; i < g->nkinds; i++) {
        if (!has_flag(&g->kinds[i], f))
            continue;
        if (k < (unsigned)g->kinds[i].weight)
            return i;
        k -= (unsigned)g->kinds[i].weight;
    }
    return -1;
}

/* Blocking commands (P_IN_MULTI) go only near the start of a transaction
 * (a long queue almost surely holds a command that aborts the EXEC), often
 * then, and are often followed by the EXEC; elsewhere never. */
static int pick_in_multi(gen_t *g)
{
    int k = -1;
    if (g->exec_next && pct(&g->r, 60))
        k = pick_flagged(g, P_TX_EXEC);
    else if (g->multi && g->queued <= 2 && pct(&g->r, 30))
        k = pick_flagged(g, P_IN_MULTI);
    g->exec_next = 0;
    while (k < 0 || (has_flag(&g->kinds[k], P_IN_MULTI) && !(g->multi && g->queued <= 2)))
        k = pick_kind(g);
    g->exec_next = has_flag(&g->kinds[k], P_IN_MULTI);
    return k;
}

/* The reply's match mode: the policy's, or for a command it does not name,
 * what the manifest's tips say. */
static int reply_mode(const gen_t *g, const gcmd *cmd, const policy_t *p)
{
    if (p)
        return p->mode | (g->ttl ? p->ttl_mode : 0);
    if (!cmd)
        return 0;
    if (list_has(cmd->tips, "nondeterministic_output"))
        return MATCH_TYPE;
    return list_has(cmd->tips, "nondeterministic_output_order") ? MATCH_UNORDERED : 0;
}

/* Occasional wrong arity or a junk option, for the error paths. */
static void gen_junk(gen_t *g, lcmd *c, const policy_t *p)
{
    static const char *const junk[] = {"FOO", "BADOPT", "BAD", "nosuchopt"};
    if (p && p->flags & P_NO_ARITY)
        return;
    /* never down to a bare container: COMMAND alone lists every command */
    int words = g->cmd && strchr(g->cmd->name, '|') ? 2 : 1;
    if (pct(&g->r, 3)) {
        if (c->argc > words && pct(&g->r, 50)) {
            buf_free(&c->argv[--c->argc]);
        } else {
            gen_value(g, c);
            if (pct(&g->r, 30))
                gen_value(g, c);
        }
    } else if (c->argc > 1 && pct(&g->r, 2)) {
        PICK(g, c, junk);
    }
}

/* What the generator knows about the transaction state. */
static void track_multi(gen_t *g, lcmd *c, const policy_t *p)
{
    unsigned f = p ? p->flags : 0;
    int bare = c->argc == 1;
    c->tx = !bare ? 0 : f & P_TX_MULTI ? 1 : f & P_TX_EXEC ? 2 : f & P_TX_END ? 3 : 0;
    if (g->multi) {
        g->exec_mode |= c->mode;
        g->queued++;
    }
    if (c->tx == 1) {
        if (!g->multi)
            g->exec_mode = 0, g->queued = 0;
        g->multi = 1;
    } else if (c->tx >= 2) {
        if (c->tx == 2)
            c->mode |= g->exec_mode;
        g->multi = 0;
        g->exec_mode = 0;
    }
}

static void gen_command(gen_t *g, lcmd *c)
{
    memset(c, 0, sizeof *c);
    c->kind = pick_in_multi(g);
    const kind_t *k = &g->kinds[c->kind];
    const policy_t *p = k->pol;
    g->cmd = k->cmd;
    g->pol = p;
    c->mode = reply_mode(g, k->cmd, p);
    if (!k->cmd) {
        gen_unknown(g, c);
    } else {
        gen_name(g, c, k->cmd);
        if (p && p->tail)
            p->tail(g, c);
        for (int i = 0; i < k->cmd->nargs; i++)
            gen_arg(g, c, &k->cmd->args[i]);
        if (p && p->flags & P_MULTI_INTS && g->multi)
            c->mode |= MATCH_IGNORE_INTS;
    }
    /* the command name in other cases */
    if (pct(&g->r, 15)) {
        for (size_t i = 0; i < c->argv[0].len; i++)
            c->argv[0].p[i] = (char)tolower((unsigned char)c->argv[0].p[i]);
    } else if (pct(&g->r, 5)) {
        for (size_t i = 0; i < c->argv[0].len; i += 2)
            c->argv[0].p[i] = (char)tolower((unsigned char)c->argv[0].p[i]);
    }
    gen_junk(g, c, p);
    if (p && p->flags & P_INFO_SHAPE && c->argc != 2)
        c->mode |= MATCH_TYPE; /* not INFO keyspace any more */
    c->own = c->mode;
    size_t total = 0;
    for (int i = 0; i < c->argc; i++)
        total += c->argv[i].len;
    c->inl = total < 1000 && pct(&g->r, 5);
    encode(c);
    track_multi(g, c, p);
}

/* Commands a policy does not name: fuzzed, unless their flags say the
 * differential cannot handle them; returns the reason or NULL. */
static const char *default_exclusion(const gcmd *cmd)
{
    if (list_has(cmd->flags, "blocking"))
        return "blocking: the stream never waits";
    if (list_has(cmd->flags, "admin"))
        return "admin: server-wide state; name it in the policy to fuzz it";
    if (list_has(cmd->flags, "pubsub"))
        return "pubsub: changes the connection's protocol state";
    return NULL;
}

static int excluded_by_option(const options *o, const char *name)
{
    const char *bar = strchr(name, '|');
    size_t top = bar ? (size_t)(bar - name) : strlen(name);
    for (const char *p = o->exclude; p && *p;) {
        size_t l = strcspn(p, ",");
        if ((l == strlen(name) && !strncasecmp(p, name, l)) ||
            (l == top && !strncasecmp(p, name, l)))
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

static void add_kind(gen_t *g, const gcmd *cmd, const policy_t *p, int weight)
{
    g->kinds = realloc(g->kinds, (size_t)(g->nkinds + 1) * sizeof *g->kinds);
    if (!g->kinds)
        die("out of memory");
    g->kinds[g->nkinds++] = (kind_t){cmd, p, weight};
    g->total_weight += weight;
}

/* The entries for one grammar command: one per policy entry naming it, or
 * one with the defaults. */
static void add_command_kinds(gen_t *g, const gcmd *cmd, const options *o)
{
    int ttl_ok = g->ttl || strcmp(cmd->module, "ttl");
    if (excluded_by_option(o, cmd->name) || !ttl_ok)
        return;
    const policy_t *p = find_policy(cmd->name, 0);
    if (!p) {
        if (!default_exclusion(cmd))
            add_kind(g, cmd, NULL, DEFAULT_WEIGHT);
        return;
    }
    for (; p; p = find_policy(cmd->name, (int)(p - policy) + 1))
        if (p->weight > 0 && (g->ttl || !(p->flags & P_TTL)) &&
            !(o->propagation && p->flags & P_NOT_WITH_PROPAGATION))
            add_kind(g, cmd, p, p->weight);
}

static void gen_init(gen_t *g, const options *o, const grammar_t *gr, int ttl)
{
    memset(g, 0, sizeof *g);
    g->r.s = o->seed;
    g->ttl = ttl;
    for (int i = 0; i < gr->n; i++)
        add_command_kinds(g, &gr->cmds[i], o);
    const policy_t *u = find_policy("", 0);
    if (u && !excluded_by_option(o, "UNKNOWN"))
        add_kind(g, NULL, u, u->weight);
    if (!g->total_weight)
        die("--exclude leaves nothing to send");
}

/* ---- what the servers propagate --------------------------------------------
 * Replies are half of what a master says; the other half goes to its
 * replicas and its AOF, and real Redis replicas read those bytes.  Before
 * the stream starts a raw replica (SYNC, the RDB skipped) attaches to each
 * server.  After every command the harness takes whatever has arrived,
 * without waiting, and compares the two streams frame by frame (a frame is
 * one propagated command, a RESP array).  Frames are compared only in
 * pairs, so a frame one side has not sent yet is never a divergence; at the
 * end of each epoch and of the run a marker (PUBLISH on a connection of its
 * own: Redis propagates PUBLISH) is awaited on both, so every frame of the
 * epoch is compared before its FLUSHALL.  A mismatch is then replayed from
 * a clean state with a marker after every command, which pins it on one
 * command and lets ddmin shrink it like a reply divergence.
 *
 * Invariants:
 *  - the master's keep-alive ("ping", exactly as Redis spells it) is the
 *    only frame dropped: it falls wherever each server's cron runs;
 *  - active expiry is off on both (DEBUG SET-ACTIVE-EXPIRE 0): a key SET
 *    with a past EXAT would otherwise be deleted, and its DEL propagated,
 *    whenever each server's expire cycle happens to run.  Lazy expiry still
 *    propagates its DEL at the command that touches the key, on both;
 *  - the only values not compared byte for byte are clock readings, see
 *    clock_position. */
typedef struct {
    int fd;
    buf_t in;         /* bytes after the RDB */
    size_t pos, scan; /* [pos, scan): complete frames not yet compared */
} rstream_t;

static const char KEEPALIVE[] = "*1\r\n$4\r\nping\r\n";

/* Reads whatever is there now, raw; -1 if the link is gone. */
static int rs_fill(rstream_t *s)
{
    char tmp[65536];
    for (;;) {
        ssize_t r = read(s->fd, tmp, sizeof tmp);
        if (r > 0) {
            buf_put(&s->in, tmp, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        return r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ? -1 : 0;
    }
}

/* Moves complete frames into [pos, scan), dropping keep-alives; -1 if the
 * stream is not RESP. */
static int rs_scan(rstream_t *s)
{
    for (;;) {
        long e = resp_parse(s->in.p, s->in.len, s->scan, 0);
        if (e <= 0)
            return e < 0 ? -1 : 0;
        size_t n = (size_t)e - s->scan;
        if (n == sizeof KEEPALIVE - 1 && !memcmp(s->in.p + s->scan, KEEPALIVE, n)) {
            memmove(s->in.p + s->scan, s->in.p + e, s->in.len - (size_t)e);
            s->in.len -= n;
            s->in.p[s->in.len] = '\0';
        } else {
            s->scan = (size_t)e;
        }
    }
}

/* Everything before `upto` is done with. */
static void rs_consume(rstream_t *s, size_t upto)
{
    s->pos = upto;
    if (s->pos < (1u << 20) && s->pos < s->in.len)
        return;
    memmove(s->in.p, s->in.p + s->pos, s->in.len - s->pos);
    s->in.len -= s->pos;
    s->scan -= s->pos;
    s->pos = 0;
    if (s->in.p)
        s->in.p[s->in.len] = '\0';
}

/* SYNC, then the master's newlines while it saves and the `$N` RDB payload
 * skipped: what follows is the command stream. */
static int rs_attach(rstream_t *s, int port, long long deadline)
{
    static const char sync[] = "*1\r\n$4\r\nSYNC\r\n";
    memset(s, 0, sizeof *s);
    s->fd = connect_port(port);
    if (s->fd < 0 || write_all(s->fd, sync, sizeof sync - 1, deadline) < 0)
        return -1;
    long long skip = -1; /* RDB bytes to skip, once its header is read */
    while (now_ms() < deadline) {
        struct pollfd pf = {s->fd, POLLIN, 0};
        poll(&pf, 1, 50);
        int gone = rs_fill(s);
        while (skip < 0 && s->pos < s->in.len && s->in.p[s->pos] == '\n')
            s->pos++;
        if (skip < 0 && s->pos < s->in.len) {
            if (s->in.p[s->pos] != '$')
                return -1; /* -ERR, or not a master */
            long e = line_end(s->in.p, s->in.len, s->pos);
            if (e < 0)
                continue;
            if (parse_ll(s->in.p + s->pos + 1, (size_t)e - s->pos - 1, &skip) || skip < 0)
                return -1;
            s->pos = (size_t)e + 2;
        }
        if (skip >= 0 && s->in.len - s->pos >= (size_t)skip) {
            s->scan = s->pos + (size_t)skip;
            rs_consume(s, s->scan);
            return rs_scan(s);
        }
        if (gone)
            return -1;
    }
    return -1;
}

/* ---- comparing two frames ---------------------------------------------- */
typedef struct {
    const char *p;
    size_t n;
} sv_t;

static int sv_is(const sv_t *a, const char *word)
{
    return a->n == strlen(word) && !strncasecmp(a->p, word, a->n);
}

/* The arguments of a frame that is an array of bulk strings; -1 if it is
 * not one.  *out points into p. */
static int frame_args(const char *p, size_t n, sv_t **out)
{
    long long argc, len;
    long e = line_end(p, n, 0);
    *out = NULL;
    if (n < 4 || p[0] != '*' || e < 0 || parse_ll(p + 1, (size_t)e - 1, &argc) || argc < 1 ||
        argc > (long long)n)
        return -1;
    sv_t *v = calloc((size_t)argc, sizeof *v);
    if (!v)
        die("out of memory");
    size_t off = (size_t)e + 2;
    for (long long i = 0; i < argc; i++) {
        e = line_end(p, n, off);
        if (e < 0 || p[off] != '$' || parse_ll(p + off + 1, (size_t)e - off - 1, &len) ||
            len < 0 || (size_t)e + 4 + (size_t)len > n) {
            free(v);
            return -1;
        }
        v[i] = (sv_t){p + e + 2, (size_t)len};
        off = (size_t)e + 4 + (size_t)len;
    }
    *out = v;
    return (int)argc;
}

/* Clock readings: values each server computes from its own clock, so two
 * servers never agree on them to the millisecond.  They are compared with
 * a slack, by position, never blanked:
 *  - after PXAT (SET ... EX/PX/EXAT/PXAT, SETEX and GETEX go out as SET
 *    ... PXAT or PEXPIREAT) and as PEXPIREAT's time (EXPIRE, GETEX EX ...):
 *    now + a relative time, in ms; after EXAT and as EXPIREAT's time, the
 *    same in seconds, should a server send those;
 *  - RESTORE's ttl when the frame says ABSTTL: a relative TTL made
 *    absolute;
 *  - XCLAIM's TIME: the delivery time of an entry a group read handed out;
 *  - stream IDs in stream commands (X...): XADD's `*` becomes the entry ID,
 *    the server's ms clock, which later XCLAIM/XGROUP SETID/LASTID frames
 *    repeat; its sequence part is ignored too, since it counts entries
 *    added within the same millisecond.
 * A value there counts as a reading when it is no more than a year before
 * the harness's own clock (now + a relative time can be anything later:
 * EXPIRE k 9223372036854774 goes out as a 16-digit PEXPIREAT), and two
 * readings match when they are within CLOCK_SLACK_MS: both servers run a
 * command within the same few milliseconds, so a unit mistake (s for ms),
 * a relative time sent as absolute or a wrong base is off by far more, as
 * relative times are at least 1000 s.  Absolute times the generator sends
 * are in 1970 (not readings) or in 2100, which both servers pass on
 * unchanged, so the slack never has to excuse them. */
enum { CK_NONE, CK_MS, CK_S, CK_ID };
#define CLOCK_SLACK_MS 2000

static int clock_position(const sv_t *v, int argc, int i)
{
    if (i == 0)
        return CK_NONE;
    const sv_t *cmd = &v[0], *prev = &v[i - 1];
    if (sv_is(prev, "pxat") || (i == 2 && sv_is(cmd, "pexpireat")))
        return CK_MS;
    if (sv_is(prev, "exat") || (i == 2 && sv_is(cmd, "expireat")))
        return CK_S;
    if (sv_is(cmd, "xclaim") && sv_is(prev, "time"))
        return CK_MS;
    if (i == 2 && sv_is(cmd, "restore"))
        for (int k = 3; k < argc; k++)
            if (sv_is(&v[k], "absttl"))
                return CK_MS;
    if (cmd->n > 1 && (cmd->p[0] == 'x' || cmd->p[0] == 'X'))
        return CK_ID;
    return CK_NONE;
}

/* The reading in a (ms for CK_MS and CK_ID, s for CK_S), if it is one;
 * digits only, as both servers print integers. */
static int clock_value(const sv_t *a, int kind, long long *v)
{
    size_t n = a->n;
    if (kind == CK_ID) {
        const char *dash = memchr(a->p, '-', a->n);
        if (!dash || dash + 1 == a->p + a->n)
            return 0;
        for (const char *q = dash + 1; q < a->p + a->n; q++)
            if (!isdigit((unsigned char)*q))
                return 0;
        n = (size_t)(dash - a->p);
        kind = CK_MS;
    }
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)a->p[i]))
            return 0;
    if (parse_ll(a->p, n, v))
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long now = (long long)ts.tv_sec, year = 366LL * 86400;
    if (kind == CK_MS) {
        now = now * 1000 + ts.tv_nsec / 1000000;
        year *= 1000;
    }
    return *v >= now - year;
}

static int clock_match(const sv_t *ref, const sv_t *our, int kind)
{
    long long a, b;
    if (kind == CK_NONE || !clock_value(ref, kind, &a) || !clock_value(our, kind, &b))
        return 0;
    return llabs(a - b) <= (kind == CK_S ? CLOCK_SLACK_MS / 1000 : CLOCK_SLACK_MS);
}

static int frames_match(const char *ref, size_t rn, const char *our, size_t on)
{
    if (rn == on && !memcmp(ref, our, rn))
        return 1;
    sv_t *x, *y;
    int nx = frame_args(ref, rn, &x), ny = frame_args(our, on, &y);
    int same = nx > 0 && nx == ny;
    for (int i = 0; same && i < nx; i++)
        same = (x[i].n == y[i].n && !memcmp(x[i].p, y[i].p, x[i].n)) ||
               clock_match(&x[i], &y[i], clock_position(x, nx, i));
    free(x);
    free(y);
    return same;
}

/* ---- driving two servers -------------------------------------------------- */
typedef struct {
    server_t srv[2]; /* 0 = ours, 1 = the reference */
    int port[2], fd[2];
    const options *o;
    int replays; /* for the shrink statistics */
    /* what the servers propagate (see above) */
    int repl;         /* a replica is attached to each */
    rstream_t rs[2];  /* their streams */
    int mark_fd[2];   /* the marker connections */
    long long marks;  /* markers sent */
    buf_t mark;       /* the last marker's frame */
    int by_repl;      /* live_replay judges propagation, not replies */
} live_t;

static const char *const side_names[2] = {"ours", "reference"};

static void live_close(live_t *L)
{
    for (int i = 0; i < 2; i++) {
        if (L->fd[i] >= 0)
            close(L->fd[i]);
        L->fd[i] = -1;
    }
}

static int live_connect(live_t *L)
{
    for (int i = 0; i < 2; i++) {
        if (L->fd[i] >= 0)
            close(L->fd[i]);
        L->fd[i] = connect_port(L->port[i]);
        if (L->fd[i] < 0) {
            fprintf(stderr, "fr-conform: live: cannot connect to %s (port %d)\n",
                    side_names[i], L->port[i]);
            return -1;
        }
    }
    return 0;
}

/* A clean state on both: every database empty, fresh connections (db 0,
 * RESP2, no name, no MULTI/WATCH). */
static int live_reset(live_t *L)
{
    live_close(L);
    for (int i = 0; i < 2; i++)
        if (flush_port(L->port[i]) < 0) {
            fprintf(stderr, "fr-conform: live: FLUSHALL failed on %s (port %d)\n",
                    side_names[i], L->port[i]);
            return -1;
        }
    return live_connect(L);
}

/* MATCH_TYPE for a DUMP of a hashtable-encoded hash (RDB type 4): its
 * pairs come in each server's own dict order, so only listpack payloads
 * compare byte for byte (tests/integration/hash.sh round-trips the rest). */
static int dump_order_mode(const lcmd *c, const rx_t *ref)
{
    const char *p = ref->data.p, *nl;
    if (c->argv[0].len != 4 || strncasecmp(c->argv[0].p, "dump", 4) || ref->data.len < 5 ||
        p[0] != '$' || !(nl = memchr(p, '\n', ref->data.len)))
        return 0;
    size_t off = (size_t)(nl - p) + 1;
    return off < ref->data.len && p[off] == 4 ? MATCH_TYPE : 0;
}

/* Sends one command to both; returns 1 if the replies diverge. */
static int live_step(live_t *L, const lcmd *c, rx_t rx[2])
{
    long long deadline = now_ms() + L->o->timeout_ms;
    for (int i = 0; i < 2; i++) {
        memset(&rx[i], 0, sizeof rx[i]);
        write_all(L->fd[i], c->wire.p, c->wire.len, deadline);
    }
    for (int i = 0; i < 2; i++)
        rx_read(L->fd[i], &rx[i], 1, 0, deadline);
    int differ = rx[0].closed != rx[1].closed || rx[0].timed_out || rx[1].timed_out ||
                 !bytes_match(&rx[1].data, &rx[0].data, c->mode | dump_order_mode(c, &rx[0]));
    if (rx[0].closed || rx[1].closed)
        live_connect(L);
    return differ;
}

static int same_kind(const lcmd *a, const lcmd *b)
{
    return a->argv[0].len == b->argv[0].len &&
           !strncasecmp(a->argv[0].p, b->argv[0].p, a->argv[0].len);
}

/* ---- the two replica streams of a live run -------------------------------- */
static const char MARK_CHANNEL[] = "fr-conform-mark";

static void repl_close(live_t *L)
{
    for (int i = 0; i < 2; i++) {
        if (L->rs[i].fd >= 0)
            close(L->rs[i].fd);
        if (L->mark_fd[i] >= 0)
            close(L->mark_fd[i]);
        L->rs[i].fd = L->mark_fd[i] = -1;
        buf_free(&L->rs[i].in);
    }
    buf_free(&L->mark);
    L->repl = 0;
}

/* One command on a connection of its own; 0 if the reply starts with `ok`. */
static int side_command(int port, const char *cmd, const char *ok)
{
    int fd = connect_port(port);
    if (fd < 0)
        return -1;
    rx_t rx = {0};
    long long deadline = now_ms() + 2000;
    if (write_all(fd, cmd, strlen(cmd), deadline) == 0)
        rx_read(fd, &rx, 1, 0, deadline);
    int good = rx.count == 1 && !strncmp(rx.data.p, ok, strlen(ok));
    buf_free(&rx.data);
    close(fd);
    return good ? 0 : -1;
}

/* Active expiry off (see "what the servers propagate"), a replica and a
 * marker connection on each server. */
static int repl_attach(live_t *L)
{
    static const char no_cycle[] = "*3\r\n$5\r\nDEBUG\r\n$17\r\nSET-ACTIVE-EXPIRE\r\n$1\r\n0\r\n";
    long long deadline = now_ms() + 15000;
    for (int i = 0; i < 2; i++) {
        if (side_command(L->port[i], no_cycle, "+OK") < 0) {
            fprintf(stderr, "fr-conform: live: %s refused DEBUG SET-ACTIVE-EXPIRE 0 (a server "
                            "started by hand needs --enable-debug-command local, or run with "
                            "--propagation no)\n", side_names[i]);
            return -1;
        }
        if (rs_attach(&L->rs[i], L->port[i], deadline) < 0 ||
            (L->mark_fd[i] = connect_port(L->port[i])) < 0) {
            fprintf(stderr, "fr-conform: live: cannot attach a replica (SYNC) to %s (port %d)\n",
                    side_names[i], L->port[i]);
            return -1;
        }
    }
    L->repl = 1;
    return 0;
}

/* A new marker down both streams: PUBLISH on the marker connections, which
 * both propagate as sent; its frame is kept in L->mark. */
static int repl_mark(live_t *L)
{
    char id[24];
    int n = snprintf(id, sizeof id, "%lld", ++L->marks);
    L->mark.len = 0;
    buf_printf(&L->mark, "*3\r\n$7\r\nPUBLISH\r\n$%zu\r\n%s\r\n$%d\r\n%s\r\n",
               sizeof MARK_CHANNEL - 1, MARK_CHANNEL, n, id);
    long long deadline = now_ms() + L->o->timeout_ms;
    for (int i = 0; i < 2; i++) {
        rx_t rx = {0};
        if (write_all(L->mark_fd[i], L->mark.p, L->mark.len, deadline) == 0)
            rx_read(L->mark_fd[i], &rx, 1, 0, deadline);
        int ok = rx.count == 1 && rx.data.p[0] == ':';
        buf_free(&rx.data);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Takes what has arrived on both, waiting up to wait_ms if nothing has;
 * -1 if a link is gone or not RESP. */
static int repl_read(live_t *L, int wait_ms)
{
    struct pollfd pf[2] = {{L->rs[0].fd, POLLIN, 0}, {L->rs[1].fd, POLLIN, 0}};
    if (poll(pf, 2, wait_ms) <= 0)
        return 0;
    for (int i = 0; i < 2; i++)
        if (pf[i].revents && (rs_fill(&L->rs[i]) < 0 || rs_scan(&L->rs[i]) < 0))
            return -1;
    return 0;
}

/* Where the marker frame starts in s, or (size_t)-1 while it has not come. */
static size_t rs_find(const rstream_t *s, const buf_t *mark)
{
    for (size_t off = s->pos; off < s->scan;) {
        size_t e = (size_t)resp_parse(s->in.p, s->in.len, off, 0);
        if (e - off == mark->len && !memcmp(s->in.p + off, mark->p, mark->len))
            return off;
        off = e;
    }
    return (size_t)-1;
}

/* Waits for the marker on both streams; at[i] = where it starts. */
static int repl_await(live_t *L, size_t at[2])
{
    long long deadline = now_ms() + L->o->timeout_ms + 3000;
    for (;;) {
        at[0] = rs_find(&L->rs[0], &L->mark);
        at[1] = rs_find(&L->rs[1], &L->mark);
        if (at[0] != (size_t)-1 && at[1] != (size_t)-1)
            return 0;
        if (now_ms() > deadline || repl_read(L, 20) < 0)
            return -1;
    }
}

/* A frame shaped like an expired key's deletion: DEL or UNLINK (as both
 * servers spell them then) and one key. */
static int is_expiry_del(const char *p, size_t n)
{
    return (n > 17 && !memcmp(p, "*2\r\n$3\r\nDEL\r\n", 13)) ||
           (n > 20 && !memcmp(p, "*2\r\n$6\r\nUNLINK\r\n", 16));
}

/* The end of the run of deletions starting at off (off itself if none);
 * *closed = something else, or lim when final, ends it. */
static size_t del_run(const rstream_t *s, size_t off, size_t lim, int final, int *closed,
                      int *count)
{
    *count = 0;
    while (off < lim) {
        size_t e = (size_t)resp_parse(s->in.p, s->in.len, off, 0);
        if (!is_expiry_del(s->in.p + off, e - off)) {
            *closed = 1;
            return off;
        }
        off = e;
        (*count)++;
    }
    *closed = final;
    return off;
}

static int cmp_view(const void *a, const void *b) { return cmp_str(a, b); }

/* The frames of [off, end) as views, sorted. */
static buf_t *sorted_frames(const rstream_t *s, size_t off, int n)
{
    buf_t *v = calloc((size_t)n + 1, sizeof *v);
    if (!v)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        size_t e = (size_t)resp_parse(s->in.p, s->in.len, off, 0);
        v[i].p = s->in.p + off;
        v[i].len = e - off;
        off = e;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_view);
    return v;
}

/* Deletions of expired keys found by a walk of the keyspace (KEYS, SCAN)
 * come in the order of each server's hash table, which Redis seeds per
 * process: a run of them matches the other side's as a set.  1 if both
 * runs at pos are complete and hold the same frames (pos moved past them),
 * 0 if they differ, -1 if one may still grow. */
static int del_runs_match(live_t *L, const size_t lim[2], int final)
{
    size_t end[2];
    int closed[2], n[2];
    for (int i = 0; i < 2; i++)
        end[i] = del_run(&L->rs[i], L->rs[i].pos, lim[i], final, &closed[i], &n[i]);
    if (!n[0] || !n[1])
        return 0;
    if (!closed[0] || !closed[1])
        return -1;
    if (n[0] != n[1])
        return 0;
    buf_t *a = sorted_frames(&L->rs[0], L->rs[0].pos, n[0]);
    buf_t *b = sorted_frames(&L->rs[1], L->rs[1].pos, n[1]);
    int same = 1;
    for (int i = 0; i < n[0] && same; i++)
        same = !cmp_str(&a[i], &b[i]);
    free(a);
    free(b);
    if (same) {
        L->rs[0].pos = end[0];
        L->rs[1].pos = end[1];
    }
    return same;
}

/* Compares frames in pairs while both streams have one before lim; 1 at
 * a mismatch (each pos left on its frame), else 0.  `final`: lim is a
 * marker, so nothing more comes before it. */
static int repl_compare(live_t *L, const size_t lim[2], int final)
{
    rstream_t *our = &L->rs[0], *ref = &L->rs[1];
    while (our->pos < lim[0] && ref->pos < lim[1]) {
        size_t eo = (size_t)resp_parse(our->in.p, our->in.len, our->pos, 0);
        size_t er = (size_t)resp_parse(ref->in.p, ref->in.len, ref->pos, 0);
        if (frames_match(ref->in.p + ref->pos, er - ref->pos, our->in.p + our->pos,
                         eo - our->pos)) {
            our->pos = eo;
            ref->pos = er;
            continue;
        }
        int r = del_runs_match(L, lim, final);
        if (r <= 0)
            return r == 0;
    }
    return 0;
}

/* After each command: compares the frames both have sent so far, without
 * waiting; 1 at a mismatch (lim = where each side's frames end), -1 if a
 * link is gone. */
static int repl_pump(live_t *L, size_t lim[2])
{
    if (repl_read(L, 0) < 0)
        return -1;
    lim[0] = L->rs[0].scan;
    lim[1] = L->rs[1].scan;
    if (repl_compare(L, lim, 0))
        return 1;
    rs_consume(&L->rs[0], L->rs[0].pos);
    rs_consume(&L->rs[1], L->rs[1].pos);
    return 0;
}

/* A marker, then every frame before it compared: one side having more
 * frames than the other is a mismatch too.  1 at a mismatch (lim = the
 * markers), -1 if a link is gone. */
static int repl_settle(live_t *L, size_t lim[2])
{
    if (repl_mark(L) < 0 || repl_await(L, lim) < 0)
        return -1;
    if (repl_compare(L, lim, 1) || L->rs[0].pos != lim[0] || L->rs[1].pos != lim[1])
        return 1;
    rs_consume(&L->rs[0], lim[0] + L->mark.len);
    rs_consume(&L->rs[1], lim[1] + L->mark.len);
    return 0;
}

/* A marker, and everything before it dropped unseen: after a divergence,
 * whose replays filled both streams. */
static int repl_resync(live_t *L)
{
    size_t at[2];
    if (repl_mark(L) < 0 || repl_await(L, at) < 0)
        return -1;
    rs_consume(&L->rs[0], at[0] + L->mark.len);
    rs_consume(&L->rs[1], at[1] + L->mark.len);
    return 0;
}

/* Reads and drops what the replicas got: while the shrinker replays for a
 * reply divergence, so a master never cuts a replica that fell behind
 * (client-output-buffer-limit); repl_resync follows. */
static void repl_skip(live_t *L)
{
    if (!L->repl || repl_read(L, 0) < 0)
        return;
    rs_consume(&L->rs[0], L->rs[0].scan);
    rs_consume(&L->rs[1], L->rs[1].scan);
}

/* live_replay judging propagation instead of replies: a marker after every
 * command, the frames between two markers compared.  Returns the index of
 * the first command whose frames differ, -1, or -2 if the harness failed;
 * with ref/our, collects that command's frames from each side. */
static int repl_replay(live_t *L, lcmd **seq, int n, buf_t *ref, buf_t *our)
{
    if (live_reset(L) < 0 || repl_resync(L) < 0)
        return -2;
    for (int i = 0; i < n; i++) {
        rx_t rx[2];
        live_step(L, seq[i], rx); /* the replies are not the question here */
        buf_free(&rx[0].data);
        buf_free(&rx[1].data);
        size_t at[2], from[2] = {L->rs[0].pos, L->rs[1].pos};
        if (repl_mark(L) < 0 || repl_await(L, at) < 0)
            return -2;
        int d = repl_compare(L, at, 1) || L->rs[0].pos != at[0] || L->rs[1].pos != at[1];
        if (d && ref)
            buf_put(ref, L->rs[1].in.p + from[1], at[1] - from[1]);
        if (d && our)
            buf_put(our, L->rs[0].in.p + from[0], at[0] - from[0]);
        rs_consume(&L->rs[0], at[0] + L->mark.len);
        rs_consume(&L->rs[1], at[1] + L->mark.len);
        if (d)
            return i;
    }
    return -1;
}

/* Replays seq[0..n) from a clean state; returns the index of the first
 * divergence or -1 (-2 if the servers could not be reset).  With `ref`,
 * collects the reference's replies up to and including the divergence and
 * our reply to the diverging command in *our. */
static int live_replay(live_t *L, lcmd **seq, int n, buf_t *ref, buf_t *our)
{
    L->replays++;
    if (L->by_repl)
        return repl_replay(L, seq, n, ref, our);
    if (live_reset(L) < 0)
        return -2;
    for (int i = 0; i < n; i++) {
        rx_t rx[2];
        int d = live_step(L, seq[i], rx);
        repl_skip(L);
        if (ref)
            buf_put(ref, rx[1].data.p ? rx[1].data.p : "", rx[1].data.len);
        if (d && our)
            buf_put(our, rx[0].data.p ? rx[0].data.p : "", rx[0].data.len);
        buf_free(&rx[0].data);
        buf_free(&rx[1].data);
        if (d)
            return i;
    }
    return -1;
}

/* Does cand[0..*n) still diverge at a command like `target`?  If so, *n
 * is cut to end at the divergence. */
static int dd_test(live_t *L, lcmd **cand, int *n, const lcmd *target)
{
    int idx = live_replay(L, cand, *n, NULL, NULL);
    if (idx < 0 || !same_kind(cand[idx], target))
        return 0;
    *n = idx + 1;
    return 1;
}

/* Delta debugging (ddmin, complements only): returns the new length of
 * seq, 1-minimal unless the deadline cut it short. */
static int ddmin(live_t *L, lcmd **seq, int n, const lcmd *target, long long deadline)
{
    lcmd **cand = malloc((size_t)n * sizeof *cand);
    if (!cand)
        die("out of memory");
    int gran = 2;
    while (n >= 2 && now_ms() < deadline) {
        int chunk = (n + gran - 1) / gran, reduced = 0;
        for (int start = 0; start < n && !reduced && now_ms() < deadline; start += chunk) {
            int m = 0;
            for (int i = 0; i < n; i++)
                if (i < start || i >= start + chunk)
                    cand[m++] = seq[i];
            if (m > 0 && dd_test(L, cand, &m, target)) {
                memcpy(seq, cand, (size_t)m * sizeof *cand);
                n = m;
                gran = gran > 2 ? gran - 1 : 2;
                reduced = 1;
            }
        }
        if (!reduced) {
            if (gran >= n)
                break;
            gran = gran * 2 < n ? gran * 2 : n;
        }
    }
    free(cand);
    return n;
}

static int arg_is_plain(const buf_t *a)
{
    if (!a->len)
        return 0;
    for (size_t j = 0; j < a->len; j++) {
        unsigned char ch = (unsigned char)a->p[j];
        if (!inline_safe_char(ch) || ch == '\'' || ch == '"')
            return 0;
    }
    return 1;
}

/* A fixture line that sends the command the way live mode did. */
static void print_send(FILE *f, const lcmd *c)
{
    buf_t line = {0};
    if (c->inl) {
        buf_puts(&line, "sendraw: ");
        escape(&line, c->wire.p, c->wire.len, 0);
    } else {
        buf_puts(&line, "send:");
        for (int i = 0; i < c->argc; i++) {
            buf_putc(&line, ' ');
            if (arg_is_plain(&c->argv[i])) {
                buf_put(&line, c->argv[i].p, c->argv[i].len);
            } else {
                buf_putc(&line, '"');
                escape(&line, c->argv[i].p ? c->argv[i].p : "", c->argv[i].len, 1);
                buf_putc(&line, '"');
            }
        }
    }
    fprintf(f, "%s\n", line.p);
    buf_free(&line);
}

/* The match flags a shrunk sequence needs: each command's own, and for an
 * EXEC those of the commands queued before it in this sequence. */
static int repro_mode(lcmd **seq, int n)
{
    int mode = 0, multi = 0, queued = 0;
    for (int i = 0; i < n; i++) {
        const lcmd *c = seq[i];
        mode |= c->own;
        if (multi)
            queued |= c->own;
        if (c->tx == 1) {
            if (!multi)
                queued = 0;
            multi = 1;
        } else if (c->tx >= 2) {
            if (c->tx == 2)
                mode |= queued;
            multi = 0;
            queued = 0;
        }
    }
    return mode;
}

/* "blmove" for a reproducer's name, from a command's first word. */
static void case_name(const lcmd *c, char *name, size_t size)
{
    snprintf(name, size, "%.*s", (int)(c->argv[0].len < 20 ? c->argv[0].len : 20), c->argv[0].p);
    for (char *p = name; *p; p++)
        *p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '-';
    if (!name[0])
        snprintf(name, size, "empty");
}

static void print_repro(FILE *f, const options *o, lcmd **seq, int n, int orig_n,
                        const lcmd *target, const buf_t *ref, const buf_t *our,
                        int shrunk, long long ms)
{
    char name[64];
    case_name(target, name, sizeof name);
    int mode = repro_mode(seq, n);
    fprintf(f, "=== live/seed%llu-%lld-%s\n", o->seed, target->seq, name);
    fprintf(f, "# fr-conform live --seed %llu: command %lld of the stream diverged;\n",
            o->seed, target->seq);
    if (shrunk)
        fprintf(f, "# shrunk from %d to %d commands in %lld ms.\n", orig_n, n, ms);
    else
        fprintf(f, "# not shrunk (%d commands).\n", n);
    buf_t e = {0};
    escape(&e, our->p ? our->p : "", our->len, 0);
    fprintf(f, "# ours answered the last command with: %s\n", e.p ? e.p : "(nothing)");
    buf_free(&e);
    if (mode)
        fprintf(f, "match: %s\n", mode_name(mode));
    fprintf(f, "send: FLUSHALL\n");
    for (int i = 0; i < n; i++)
        print_send(f, seq[i]);
    buf_t all = {0};
    buf_puts(&all, "+OK\r\n");
    if (mode & MATCH_UNORDERED)
        canon_all(ref->p ? ref->p : "", ref->len, MATCH_UNORDERED, &all, 0);
    else
        buf_put(&all, ref->p ? ref->p : "", ref->len);
    write_expect(f, "expect:", &all);
    fprintf(f, "closed: no\n\n");
    buf_free(&all);
}

/* Shrinks the divergence at hist[n-1] and prints a reproducer. */
static void live_divergence(live_t *L, lcmd *hist, int n, const rx_t rx[2],
                            const options *o, FILE *save)
{
    const lcmd *target = &hist[n - 1];
    printf("live: divergence at command %lld (%.*s) [%s]: reference ", target->seq,
           (int)(target->argv[0].len < 40 ? target->argv[0].len : 40), target->argv[0].p,
           mode_name(target->mode));
    show_bytes(stdout, &rx[1].data, o->max_show, first_diff(&rx[1].data, &rx[0].data));
    printf("%s; ours ", rx[1].closed ? " closed" : rx[1].timed_out ? " (timed out)" : "");
    show_bytes(stdout, &rx[0].data, o->max_show, first_diff(&rx[1].data, &rx[0].data));
    printf("%s\n", rx[0].closed ? " closed" : rx[0].timed_out ? " (timed out)" : "");
    lcmd **seq = malloc((size_t)n * sizeof *seq);
    if (!seq)
        die("out of memory");
    for (int i = 0; i < n; i++)
        seq[i] = &hist[i];
    int m = n, shrunk = 0;
    long long t0 = now_ms();
    L->replays = 0;
    if (rx[0].timed_out || rx[1].timed_out) {
        printf("live: a server did not answer in time: not shrinking\n");
    } else if (dd_test(L, seq, &m, target)) {
        m = ddmin(L, seq, m, target, t0 + (long long)o->shrink_seconds * 1000);
        shrunk = 1;
    } else {
        m = n;
        printf("live: the divergence did not reproduce from a clean state: not shrinking\n");
    }
    long long ms = now_ms() - t0;
    buf_t ref = {0}, our = {0};
    int idx = live_replay(L, seq, m, &ref, &our);
    if (shrunk && idx >= 0)
        m = idx + 1;
    const lcmd *last = seq[m - 1];
    printf("live: reproducer (%d of %d commands, %d replays, %lld ms):\n\n", m, n,
           L->replays, ms);
    print_repro(stdout, o, seq, m, n, shrunk ? last : target, &ref, &our, shrunk, ms);
    if (save)
        print_repro(save, o, seq, m, n, shrunk ? last : target, &ref, &our, shrunk, ms);
    fflush(stdout);
    buf_free(&ref);
    buf_free(&our);
    free(seq);
}

/* ---- a propagation divergence ------------------------------------------- */
/* The frame at s's pos, as a view; empty if the side sent nothing more
 * before lim. */
static buf_t rs_frame(const rstream_t *s, size_t lim)
{
    buf_t v = {0};
    if (s->pos < lim) {
        v.p = s->in.p + s->pos;
        v.len = (size_t)resp_parse(s->in.p, s->in.len, s->pos, 0) - s->pos;
    }
    return v;
}

static void show_frame(const buf_t *f, const options *o)
{
    if (f->len)
        show_bytes(stdout, f, o->max_show, 0);
    else
        fputs("nothing", stdout);
}

/* A propagation reproducer reads like a fixture case but is not one: the
 * fixture format checks replies, so it is printed, never saved; the
 * family's integration checker is where it becomes a test. */
static void print_repl_repro(FILE *f, const options *o, lcmd **seq, int n, int orig_n,
                             const buf_t *ref, const buf_t *our, long long ms)
{
    char name[64];
    case_name(seq[n - 1], name, sizeof name);
    fprintf(f, "=== live/seed%llu-%lld-%s-propagated\n", o->seed, seq[n - 1]->seq, name);
    fprintf(f, "# fr-conform live --seed %llu: what command %lld sent to replicas differs;\n",
            o->seed, seq[n - 1]->seq);
    fprintf(f, "# shrunk from %d to %d commands in %lld ms.  Compare the stream of a\n"
               "# replica (SYNC) attached to each server, not the replies:\n", orig_n, n, ms);
    write_expect(f, "# reference propagated:", ref);
    write_expect(f, "# ours propagated:", our);
    fprintf(f, "send: FLUSHALL\n");
    for (int i = 0; i < n; i++)
        print_send(f, seq[i]);
    fputc('\n', f);
}

/* A propagation mismatch somewhere in hist[0..n): shows the two frames,
 * pins it on one command by a replay with markers, shrinks it and prints a
 * reproducer; or, if it does not come back from a clean state, the last
 * commands sent. */
static void repl_divergence(live_t *L, lcmd *hist, int n, const size_t lim[2], const options *o)
{
    buf_t fo = rs_frame(&L->rs[0], lim[0]), fr = rs_frame(&L->rs[1], lim[1]);
    printf("live: propagation divergence within commands %lld..%lld: reference sent ",
           hist[0].seq, hist[n - 1].seq);
    show_frame(&fr, o);
    printf("; ours ");
    show_frame(&fo, o);
    printf("\n");
    lcmd **seq = malloc((size_t)n * sizeof *seq);
    if (!seq)
        die("out of memory");
    for (int i = 0; i < n; i++)
        seq[i] = &hist[i];
    L->by_repl = 1;
    L->replays = 0;
    long long t0 = now_ms();
    int idx = live_replay(L, seq, n, NULL, NULL);
    if (idx < 0) {
        printf("live: it did not reproduce from a clean state%s; the last commands sent:\n\n",
               idx == -2 ? " (the replay failed)" : "");
        for (int i = n > 20 ? n - 20 : 0; i < n; i++) {
            printf("# command %lld\n", seq[i]->seq);
            print_send(stdout, seq[i]);
        }
        printf("\n");
    } else {
        int m = ddmin(L, seq, idx + 1, seq[idx], t0 + (long long)o->shrink_seconds * 1000);
        long long ms = now_ms() - t0;
        buf_t ref = {0}, our = {0};
        idx = live_replay(L, seq, m, &ref, &our);
        if (idx >= 0)
            m = idx + 1;
        printf("live: reproducer (%d of %d commands, %d replays, %lld ms):\n\n", m, n,
               L->replays, ms);
        print_repl_repro(stdout, o, seq, m, n, &ref, &our, ms);
        buf_free(&ref);
        buf_free(&our);
    }
    L->by_repl = 0;
    free(seq);
}

/* A divergence is "the same" as an earlier one when the command name and
 * the first line of both replies match: it is counted, not shrunk again. */
typedef struct {
    char **v;
    int n;
} sigs_t;

/* Takes b (a signature): 1 if it was seen before, else remembered. */
static int seen_key(sigs_t *s, buf_t *b)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], b->p)) {
            buf_free(b);
            return 1;
        }
    s->v = realloc(s->v, (size_t)(s->n + 1) * sizeof *s->v);
    if (!s->v)
        die("out of memory");
    s->v[s->n++] = b->p;
    return 0;
}

static int seen_signature(sigs_t *s, const lcmd *c, const rx_t rx[2])
{
    buf_t b = {0};
    for (size_t i = 0; i < c->argv[0].len; i++)
        buf_putc(&b, toupper((unsigned char)c->argv[0].p[i]));
    for (int k = 1; k >= 0; k--) {
        size_t l = rx[k].data.len ? strcspn(rx[k].data.p, "\r") : 0;
        buf_putc(&b, '|');
        buf_put(&b, rx[k].data.p ? rx[k].data.p : "", l < 80 ? l : 80);
        buf_printf(&b, "%d%d", rx[k].closed, rx[k].timed_out);
    }
    return seen_key(s, &b);
}

/* A propagation divergence is "the same" when both frames start with the
 * same command names (their other words may hold clocks). */
static int seen_frames(sigs_t *s, const buf_t *ref, const buf_t *our)
{
    buf_t b = {0};
    buf_puts(&b, "propagated");
    const buf_t *f[2] = {ref, our};
    for (int k = 0; k < 2; k++) {
        sv_t *v;
        buf_putc(&b, '|');
        if (frame_args(f[k]->p ? f[k]->p : "", f[k]->len, &v) > 0)
            for (size_t i = 0; i < v[0].n; i++)
                buf_putc(&b, toupper((unsigned char)v[0].p[i]));
        free(v);
    }
    return seen_key(s, &b);
}

/* A propagation mismatch found in hist[0..used): reported (the first time
 * its kind is seen), and both streams brought back in step; -1 if they
 * could not be. */
static int repl_found(live_t *L, lcmd *hist, int used, const size_t lim[2], sigs_t *sigs,
                      int *ndiv, int *repeats)
{
    buf_t fo = rs_frame(&L->rs[0], lim[0]), fr = rs_frame(&L->rs[1], lim[1]);
    if (seen_frames(sigs, &fr, &fo)) {
        (*repeats)++;
    } else {
        (*ndiv)++;
        repl_divergence(L, hist, used, lim, L->o);
    }
    return repl_resync(L);
}

static int probe_ttl(int port)
{
    static const char cmd[] = "*5\r\n$3\r\nSET\r\n$13\r\nfr-live-probe\r\n$1\r\nv\r\n"
                              "$2\r\nPX\r\n$6\r\n100000\r\n"
                              "*2\r\n$3\r\nDEL\r\n$13\r\nfr-live-probe\r\n";
    int fd = connect_port(port);
    if (fd < 0)
        return 0;
    rx_t rx = {0};
    long long deadline = now_ms() + 2000;
    if (write_all(fd, cmd, sizeof cmd - 1, deadline) == 0)
        rx_read(fd, &rx, 2, 0, deadline);
    int ok = rx.count == 2 && !strncmp(rx.data.p, "+OK\r\n", 5);
    buf_free(&rx.data);
    close(fd);
    return ok;
}

static int live_start(live_t *L, const options *o)
{
    memset(L, 0, sizeof *L);
    L->o = o;
    L->fd[0] = L->fd[1] = -1;
    L->rs[0].fd = L->rs[1].fd = L->mark_fd[0] = L->mark_fd[1] = -1;
    g_debug_local = o->propagation; /* for DEBUG SET-ACTIVE-EXPIRE */
    const char *cmds[2] = {o->server_cmd, o->ref_cmd};
    int ports[2] = {o->port, o->ref_port};
    for (int i = 0; i < 2; i++) {
        if (cmds[i]) {
            if (server_start(cmds[i], &L->srv[i]) < 0)
                return -1;
            L->port[i] = L->srv[i].port;
        } else if (ports[i] > 0) {
            L->port[i] = ports[i];
        } else {
            die("live needs --server-cmd or --port, and --ref-cmd or --ref-port");
        }
    }
    return 0;
}

static void live_stop(live_t *L)
{
    live_close(L);
    repl_close(L);
    for (int i = 0; i < 2; i++) {
        if (L->srv[i].pid > 0 && ping_once(L->srv[i].port) < 0) {
            printf("live: %s server is not answering PING at the end\n", side_names[i]);
            show_log(&L->srv[i]);
        }
        server_stop(&L->srv[i]);
        if (L->srv[i].dir[0])
            remove_dir(L->srv[i].dir);
    }
}

static int run_live(const options *o)
{
    live_t L;
    if (live_start(&L, o) < 0) {
        live_stop(&L);
        return 2;
    }
    int ttl = o->ttl >= 0 ? o->ttl : probe_ttl(L.port[0]);
    /* after the probe, which only ours sees */
    if (o->propagation && repl_attach(&L) < 0) {
        live_stop(&L);
        return 2;
    }
    grammar_t gr = {0};
    grammar_load(&gr, o->grammar);
    gen_t g;
    gen_init(&g, o, &gr, ttl);
    FILE *save = NULL;
    if (o->save && !(save = fopen(o->save, "a")))
        die("%s: %s", o->save, strerror(errno));
    printf("live: seed %llu, %d s, epoch %d, expire options %s, %d commands in the grammar, "
           "%d kinds sent, %s\n", o->seed, o->seconds, o->epoch, ttl ? "on" : "off", gr.n,
           g.nkinds, L.repl ? "replica streams compared" : "replica streams not compared");
    fflush(stdout);
    lcmd *hist = calloc((size_t)o->epoch, sizeof *hist);
    if (!hist)
        die("out of memory");
    long long start = now_ms(), end = start + (long long)o->seconds * 1000, n = 0;
    int used = 0, ndiv = 0, repeats = 0, epochs = 0, rc = 0, reply_div = 0;
    sigs_t sigs = {0};
    size_t lim[2];
    while (now_ms() < end && (o->count <= 0 || n < o->count) && ndiv < o->max_div) {
        if (used == o->epoch && L.repl) {
            /* every frame of the epoch compared before its FLUSHALL */
            int r = repl_settle(&L, lim);
            if (r < 0 || (r > 0 && repl_found(&L, hist, used, lim, &sigs, &ndiv, &repeats) < 0)) {
                printf("live: a replica stream stopped or garbled\n");
                rc = 2;
                break;
            }
        }
        if (used == 0 || used == o->epoch) {
            for (int i = 0; i < used; i++)
                lc_free(&hist[i]);
            used = 0;
            g.multi = g.exec_mode = g.queued = g.exec_next = 0;
            epochs++;
            if (live_reset(&L) < 0) {
                rc = 2;
                break;
            }
        }
        lcmd *c = &hist[used++];
        g.seq = n;
        gen_command(&g, c);
        c->seq = n++;
        rx_t rx[2];
        int diverged = 1, prop = 0;
        if (live_step(&L, c, rx)) {
            if (seen_signature(&sigs, c, rx)) {
                repeats++;
            } else {
                ndiv++;
                reply_div++;
                live_divergence(&L, hist, used, rx, o, save);
            }
            /* the shrinker's replays filled both replica streams */
            if (L.repl && repl_resync(&L) < 0)
                prop = -1;
        } else if (L.repl && (prop = repl_pump(&L, lim)) > 0) {
            prop = repl_found(&L, hist, used, lim, &sigs, &ndiv, &repeats) < 0 ? -1 : 1;
        } else {
            diverged = 0;
        }
        if (prop < 0) {
            printf("live: a replica stream stopped or garbled\n");
            rc = 2;
        }
        if (diverged) {
            for (int i = 0; i < 2; i++)
                if (L.srv[i].pid > 0 && ping_once(L.port[i]) < 0) {
                    printf("live: %s server stopped answering\n", side_names[i]);
                    rc = 2;
                }
            for (int i = 0; i < used; i++)
                lc_free(&hist[i]);
            used = 0; /* the next command starts a fresh epoch */
        }
        buf_free(&rx[0].data);
        buf_free(&rx[1].data);
        if (rc)
            break;
    }
    if (!rc && used && L.repl && ndiv < o->max_div) {
        int r = repl_settle(&L, lim); /* the last epoch's frames */
        if (r < 0 || (r > 0 && repl_found(&L, hist, used, lim, &sigs, &ndiv, &repeats) < 0)) {
            printf("live: a replica stream stopped or garbled\n");
            rc = 2;
        }
    }
    for (int i = 0; i < used; i++)
        lc_free(&hist[i]);
    free(hist);
    if (save)
        fclose(save);
    live_stop(&L);
    printf("live: seed %llu, %lld commands, %d epochs, %.1f s, %d divergence%s "
           "(%d in replies, %d in what was propagated; %d more repeating one)\n",
           o->seed, n, epochs, (double)(now_ms() - start) / 1000.0, ndiv,
           ndiv == 1 ? "" : "s", reply_div, ndiv - reply_div, repeats);
    for (int i = 0; i < sigs.n; i++)
        free(sigs.v[i]);
    free(sigs.v);
    free(g.kinds);
    grammar_free(&gr);
    return rc ? rc : ndiv ? 1 : 0;
}

/* ---- grammar check ---------------------------------------------------------
 * The grammar must be the server's command set: every name COMMAND LIST
 * gives is in the grammar and every grammar command is in COMMAND LIST
 * (a command the policy leaves out still counts: it is in the grammar).
 * The policy may only name commands the grammar has, so a renamed command
 * cannot keep a stale weight or exclusion. */

/* The names of a RESP array of bulk strings; -1 if the reply is not one. */
static int reply_names(const buf_t *b, char ***out)
{
    const char *p = b->p ? b->p : "";
    long long n;
    long e = line_end(p, b->len, 0);
    if (p[0] != '*' || e < 0 || parse_ll(p + 1, (size_t)e - 1, &n) || n < 0)
        return -1;
    size_t off = (size_t)e + 2;
    *out = calloc((size_t)n + 1, sizeof **out);
    for (long long i = 0; i < n; i++) {
        long long len;
        e = line_end(p, b->len, off);
        if (e < 0 || p[off] != '$' || parse_ll(p + off + 1, (size_t)e - off - 1, &len) ||
            len < 0 || (size_t)e + 2 + (size_t)len > b->len)
            return -1;
        (*out)[i] = xstrndup(p + e + 2, (size_t)len);
        off = (size_t)e + 2 + (size_t)len + 2;
    }
    return (int)n;
}

static int fetch_command_list(int port, char ***names)
{
    static const char req[] = "*2\r\n$7\r\nCOMMAND\r\n$4\r\nLIST\r\n";
    int fd = connect_port(port);
    if (fd < 0)
        return -1;
    rx_t rx = {0};
    long long deadline = now_ms() + 5000;
    if (write_all(fd, req, sizeof req - 1, deadline) == 0)
        rx_read(fd, &rx, 1, 0, deadline);
    close(fd);
    int n = rx.count == 1 ? reply_names(&rx.data, names) : -1;
    buf_free(&rx.data);
    return n;
}

static int run_grammar_check(const options *o)
{
    grammar_t gr = {0};
    grammar_load(&gr, o->grammar);
    int bad = 0;
    for (size_t i = 0; i < NELEM(policy); i++)
        if (policy[i].name[0] && !grammar_find(&gr, policy[i].name)) {
            printf("grammar: the policy names '%s', which the grammar lacks\n", policy[i].name);
            bad++;
        }
    server_t s = {0};
    int port = o->port;
    if (o->server_cmd) {
        if (server_start(o->server_cmd, &s) < 0) {
            grammar_free(&gr);
            return 2;
        }
        port = s.port;
    }
    char **names = NULL;
    int n = fetch_command_list(port, &names);
    server_stop(&s);
    if (s.dir[0])
        remove_dir(s.dir);
    if (n < 0) {
        printf("grammar: COMMAND LIST gave no array of names\n");
        grammar_free(&gr);
        return 2;
    }
    for (int i = 0; i < n; i++)
        if (!grammar_find(&gr, names[i])) {
            printf("grammar: the server has '%s', the grammar does not\n", names[i]);
            bad++;
        }
    for (int k = 0; k < gr.n; k++) {
        int found = 0;
        for (int i = 0; i < n && !found; i++)
            found = !strcasecmp(names[i], gr.cmds[k].name);
        if (!found) {
            printf("grammar: the grammar has '%s', the server does not\n", gr.cmds[k].name);
            bad++;
        }
    }
    int fuzzed = 0, left_out = 0;
    for (int k = 0; k < gr.n; k++) {
        const policy_t *p = find_policy(gr.cmds[k].name, 0);
        if (p ? p->weight > 0 : !default_exclusion(&gr.cmds[k]))
            fuzzed++;
        else
            left_out++;
    }
    printf("grammar: %d commands (%d fuzzed, %d left out by policy), server lists %d, "
           "%d mismatch%s\n", gr.n, fuzzed, left_out, n, bad, bad == 1 ? "" : "es");
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    grammar_free(&gr);
    return bad ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Compatibility report                                                      */
/* ------------------------------------------------------------------------ */
/* Per family (fixture file): cases, passes and drifts by severity; per Redis
 * 7.0 command (from the list generated out of the JSON files in Redis's src/commands): the
 * module whose manifest declares it, how many fixture cases send it, and a
 * status.  Written as Markdown and as JSON, with no timestamps so that an
 * unchanged tree regenerates identical files. */

typedef struct {
    char *name;   /* "get", or "client|id" for a subcommand */
    char *group;
    char *module; /* NULL: no manifest declares it */
    int fixtures;
    int seen;     /* counted for the current case already */
} rcmd;

typedef struct {
    rcmd *v;
    size_t n;
} rcmds;

static char *lowdup(const char *s, size_t n)
{
    char *d = xstrndup(s, n);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static rcmd *rc_find(rcmds *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].name, name))
            return &t->v[i];
    return NULL;
}

static rcmd *rc_add(rcmds *t, const char *name, const char *group)
{
    rcmd *r = rc_find(t, name);
    if (r)
        return r;
    t->v = realloc(t->v, (t->n + 1) * sizeof *t->v);
    if (!t->v)
        die("out of memory");
    r = &t->v[t->n++];
    memset(r, 0, sizeof *r);
    r->name = xstrndup(name, strlen(name));
    r->group = xstrndup(group, strlen(group));
    return r;
}

/* Lines "name group since"; '#' comments and blank lines skipped. */
static void load_command_list(rcmds *t, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char name[128], group[64];
        if (line[0] == '#' || sscanf(line, "%127s %63s", name, group) != 2)
            continue;
        char *low = lowdup(name, strlen(name));
        rc_add(t, low, group);
        free(low);
    }
    free(text);
}

/* A manifest declares its module (`name:` at column 0) and, under
 * `commands:`, each command at two spaces of indent and each subcommand at
 * six under its `subcommands:`.  Only those lines are read. */
static void load_manifest(rcmds *t, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    char module[64] = "", cmd[64] = "";
    int in_commands = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char word[64];
        if (!strncmp(line, "name:", 5)) {
            const char *v = line + 5;
            while (*v == ' ' || *v == '"')
                v++;
            snprintf(module, sizeof module, "%.*s", (int)strcspn(v, "\" \r"), v);
            continue;
        }
        if (line[0] != ' ' && line[0] != '#') {
            in_commands = !strncmp(line, "commands:", 9);
            continue;
        }
        if (!in_commands)
            continue;
        size_t indent = strspn(line, " ");
        if ((indent != 2 && indent != 6) || sscanf(line + indent, "%63[a-zA-Z0-9_-]", word) != 1 ||
            line[indent + strlen(word)] != ':')
            continue;
        char full[160];
        if (indent == 2) {
            snprintf(cmd, sizeof cmd, "%s", word);
            snprintf(full, sizeof full, "%s", word);
        } else {
            snprintf(full, sizeof full, "%s|%s", cmd, word);
        }
        char *low = lowdup(full, strlen(full));
        rcmd *r = rc_find(t, low);
        if (!r)
            r = rc_add(t, low, "-"); /* ours, but not a Redis 7.0 command */
        if (!r->module)
            r->module = xstrndup(module, strlen(module));
        free(low);
    }
    free(text);
}

static void mark_used(rcmds *t, const char *a0, size_t n0, const char *a1, size_t n1)
{
    if (!n0 || n0 > 60)
        return;
    char *name = lowdup(a0, n0);
    rcmd *r = rc_find(t, name);
    if (r && !r->seen) {
        r->seen = 1;
        r->fixtures++;
    }
    if (a1 && n1 && n1 <= 60) {
        char full[128];
        snprintf(full, sizeof full, "%s|%.*s", name, (int)n1, a1);
        char *low = lowdup(full, strlen(full));
        r = rc_find(t, low);
        if (r && !r->seen) {
            r->seen = 1;
            r->fixtures++;
        }
        free(low);
    }
    free(name);
}

/* Finds the requests in bytes sent by a case: multibulk where it parses,
 * else an inline line (first two blank-separated words, quotes dropped). */
static void scan_requests(rcmds *t, const char *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        if (p[off] == '*') {
            long le = line_end(p, n, off + 1);
            long long count;
            if (le < 0 || parse_ll(p + off + 1, (size_t)le - off - 1, &count) < 0)
                return;
            size_t q = (size_t)le + 2;
            const char *arg[2] = {NULL, NULL};
            size_t alen[2] = {0, 0};
            for (long long i = 0; i < count; i++) {
                long ae = q < n && p[q] == '$' ? line_end(p, n, q + 1) : -1;
                long long l;
                if (ae < 0 || parse_ll(p + q + 1, (size_t)ae - q - 1, &l) < 0 || l < 0 ||
                    (size_t)ae + 2 + (size_t)l + 2 > n)
                    return;
                if (i < 2) {
                    arg[i] = p + ae + 2;
                    alen[i] = (size_t)l;
                }
                q = (size_t)ae + 2 + (size_t)l + 2;
            }
            if (count > 0)
                mark_used(t, arg[0], alen[0], arg[1], alen[1]);
            off = q;
            continue;
        }
        const char *nl = memchr(p + off, '\n', n - off);
        size_t end = nl ? (size_t)(nl - p) : n;
        const char *w[2] = {NULL, NULL};
        size_t wl[2] = {0, 0};
        size_t i = off;
        for (int k = 0; k < 2; k++) {
            while (i < end && isspace((unsigned char)p[i]))
                i++;
            size_t s = i;
            while (i < end && !isspace((unsigned char)p[i]))
                i++;
            while (s < i && (p[s] == '"' || p[s] == '\''))
                s++;
            size_t e = i;
            while (e > s && (p[e - 1] == '"' || p[e - 1] == '\''))
                e--;
            w[k] = p + s;
            wl[k] = e - s;
        }
        mark_used(t, w[0], wl[0], w[1], wl[1]);
        off = end + 1;
    }
}

static void count_fixture_usage(rcmds *t, const char *path)
{
    fixture fx;
    load_fixture(&fx, path);
    for (size_t i = 0; i < fx.ncases; i++) {
        for (size_t k = 0; k < t->n; k++)
            t->v[k].seen = 0;
        scan_requests(t, fx.cases[i].out.p, fx.cases[i].out.len);
        scan_requests(t, fx.cases[i].dout.p, fx.cases[i].dout.len);
    }
    free_fixture(&fx);
}

/* Is this module loaded by the configuration the report describes?  The
 * core always is; without --loaded every module counts as loaded. */
static int module_loaded(const options *o, const char *m)
{
    if (!o->loaded || !strcmp(m, "core"))
        return 1;
    size_t n = strlen(m);
    for (const char *p = o->loaded; *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && !strncmp(p, m, n))
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

static const char *cmd_status(const rcmd *r)
{
    return !r->module ? "missing" : r->fixtures ? "implemented+tested" : "implemented";
}

static int rcmd_cmp(const void *a, const void *b)
{
    return strcmp(((const rcmd *)a)->name, ((const rcmd *)b)->name);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

typedef struct {
    const char *path;
    char family[64];
    int run;      /* 0: listed with --not-run */
    int ncases;
    tally t;
} family_t;

static void family_name(char *dst, size_t n, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t l = strcspn(b, ".");
    snprintf(dst, n, "%.*s", (int)l, b);
}

static FILE *open_out(const char *dir, const char *name, char *tmp, size_t n)
{
    snprintf(tmp, n, "%s/%s.tmp", dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f)
        die("%s: %s", tmp, strerror(errno));
    return f;
}

static void close_out(FILE *f, const char *tmp)
{
    char final[4096];
    snprintf(final, sizeof final, "%.*s", (int)(strlen(tmp) - 4), tmp);
    if (fclose(f) != 0 || rename(tmp, final) != 0)
        die("%s: %s", final, strerror(errno));
}

static void write_report_md(const options *o, const family_t *fam, int nfam,
                            const tally *tot, const rcmds *t)
{
    char tmp[4096];
    FILE *f = open_out(o->out_dir, "REPORT.md", tmp, sizeof tmp);
    int impl = 0, tested = 0, missing = 0, redis = 0, extra = 0;
    for (size_t i = 0; i < t->n; i++) {
        const rcmd *r = &t->v[i];
        if (!strcmp(r->group, "-")) {
            extra++;
            continue;
        }
        redis++;
        if (!r->module)
            missing++;
        else if (r->fixtures)
            tested++;
        else
            impl++;
    }
    fprintf(f, "# Redis 7.0 compatibility report\n\n"
               "Generated by `make conformance-report` (`tests/conformance/report.sh`);\n"
               "do not edit by hand.  The fixtures in `fixtures/conformance/` were\n"
               "recorded from Redis 7.0.15 (Debian 12 `redis-server`) and replayed\n"
               "against `%s`.\n\n",
            o->label ? o->label : o->server_cmd ? o->server_cmd : "a running server");
    fprintf(f, "Severities: **critical**: a reply has another RESP type or shape, the\n"
               "connection was kept/closed differently, or stored data read back by a\n"
               "case's `data:` commands differs; **major**: same shape, but an error\n"
               "text or value differs; **minor**: a value differs in a case marked\n"
               "`severity: minor`.  The gate (`fr-conform replay --gate`) fails on any\n"
               "critical or major drift.\n\n");
    fprintf(f, "## Families\n\n| family | cases | passed | drifts | critical | major | minor |\n"
               "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < nfam; i++) {
        const family_t *x = &fam[i];
        if (!x->run)
            fprintf(f, "| %s | %d | not run | | | | |\n", x->family, x->ncases);
        else
            fprintf(f, "| %s | %d | %d | %d | %d | %d | %d |\n", x->family, x->t.cases,
                    x->t.ok, x->t.drift, x->t.sev[SEV_CRITICAL], x->t.sev[SEV_MAJOR],
                    x->t.sev[SEV_MINOR]);
    }
    fprintf(f, "| **total** | %d | %d | %d | %d | %d | %d |\n\n", tot->cases, tot->ok,
            tot->drift, tot->sev[SEV_CRITICAL], tot->sev[SEV_MAJOR], tot->sev[SEV_MINOR]);
    for (int i = 0; i < nfam; i++)
        if (!fam[i].run)
            fprintf(f, "`%s` was not run: its module is not loaded by the configuration.\n\n",
                    fam[i].family);
    fprintf(f, "## Commands\n\n"
               "%d Redis 7.0 commands and subcommands (`container|sub`): %d implemented\n"
               "and sent by at least one fixture case, %d implemented without a\n"
               "fixture, %d missing.",
            redis, tested, impl, missing);
    if (extra)
        fprintf(f, "  %d more are ours only (listed with group `-`).", extra);
    fprintf(f, "\n\"fixture cases\" counts the cases whose requests name the command\n"
               "(for a subcommand: the container followed by it).  A module marked\n"
               "\"not loaded\" has a manifest but the configuration does not load it.\n\n"
               "| command | group | module | fixture cases | status |\n"
               "| --- | --- | --- | ---: | --- |\n");
    for (size_t i = 0; i < t->n; i++) {
        const rcmd *r = &t->v[i];
        fputs("| `", f);
        for (const char *p = r->name; *p; p++) /* a table cell needs \| */
            fputs(*p == '|' ? "\\|" : (char[]){*p, 0}, f);
        fprintf(f, "` | %s | %s%s | %d | %s |\n", r->group, r->module ? r->module : "",
                r->module && !module_loaded(o, r->module) ? " (not loaded)" : "",
                r->fixtures, cmd_status(r));
    }
    close_out(f, tmp);
}

static void json_tally(FILE *f, const tally *t)
{
    fprintf(f, "\"cases\": %d, \"passed\": %d, \"drifts\": {\"total\": %d, \"critical\": %d, "
               "\"major\": %d, \"minor\": %d}",
            t->cases, t->ok, t->drift, t->sev[SEV_CRITICAL], t->sev[SEV_MAJOR],
            t->sev[SEV_MINOR]);
}

static void write_report_json(const options *o, const family_t *fam, int nfam,
                              const tally *tot, const rcmds *t)
{
    char tmp[4096];
    FILE *f = open_out(o->out_dir, "report.json", tmp, sizeof tmp);
    fprintf(f, "{\n  \"reference\": \"Redis 7.0.15 (Debian 12 redis-server)\",\n  \"server\": ");
    json_str(f, o->label ? o->label : o->server_cmd ? o->server_cmd : "");
    fprintf(f, ",\n  \"families\": [\n");
    for (int i = 0; i < nfam; i++) {
        const family_t *x = &fam[i];
        fprintf(f, "    {\"family\": ");
        json_str(f, x->family);
        fprintf(f, ", \"run\": %s, ", x->run ? "true" : "false");
        if (x->run)
            json_tally(f, &x->t);
        else
            fprintf(f, "\"cases\": %d", x->ncases);
        fprintf(f, "}%s\n", i + 1 < nfam ? "," : "");
    }
    fprintf(f, "  ],\n  \"total\": {");
    json_tally(f, tot);
    fprintf(f, "},\n  \"commands\": [\n");
    for (size_t i = 0; i < t->n; i++) {
        const rcmd *r = &t->v[i];
        fprintf(f, "    {\"command\": ");
        json_str(f, r->name);
        fprintf(f, ", \"group\": ");
        json_str(f, r->group);
        fprintf(f, ", \"module\": ");
        if (r->module)
            json_str(f, r->module);
        else
            fputs("null", f);
        if (r->module)
            fprintf(f, ", \"loaded\": %s", module_loaded(o, r->module) ? "true" : "false");
        fprintf(f, ", \"fixtures\": %d, \"status\": \"%s\"}%s\n", r->fixtures,
                cmd_status(r), i + 1 < t->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    close_out(f, tmp);
}

static int is_not_run(const options *o, const char *path)
{
    char fam[64], other[64];
    family_name(fam, sizeof fam, path);
    for (int i = 0; i < o->nnot_run; i++) {
        family_name(other, sizeof other, o->not_run[i]);
        if (!strcmp(fam, other))
            return 1;
    }
    return 0;
}

static int run_report(const options *o, char **files, int nfiles)
{
    if (!o->commands || !o->out_dir)
        die("report needs --commands FILE and --out-dir DIR");
    family_t *fam = calloc((size_t)nfiles, sizeof *fam);
    if (!fam)
        die("out of memory");
    tally tot = {0};
    int failed = 0;
    for (int i = 0; i < nfiles; i++) {
        family_t *x = &fam[i];
        x->path = files[i];
        family_name(x->family, sizeof x->family, files[i]);
        if (is_not_run(o, files[i])) {
            fixture fx;
            load_fixture(&fx, files[i]);
            x->ncases = (int)fx.ncases;
            free_fixture(&fx);
            printf("%s: not run\n", files[i]);
            continue;
        }
        x->run = 1;
        if (run_file(files[i], 0, o, &tot, &x->t) < 0)
            failed = 1;
    }
    rcmds t = {0};
    load_command_list(&t, o->commands);
    for (int i = 0; i < o->nmanifests; i++)
        load_manifest(&t, o->manifests[i]);
    for (int i = 0; i < nfiles; i++)
        count_fixture_usage(&t, files[i]);
    qsort(t.v, t.n, sizeof *t.v, rcmd_cmp);
    mkdir(o->out_dir, 0755);
    write_report_md(o, fam, nfiles, &tot, &t);
    write_report_json(o, fam, nfiles, &tot, &t);
    print_tally("total", "replayed", &tot);
    printf("report: wrote %s/REPORT.md and %s/report.json\n", o->out_dir, o->out_dir);
    for (size_t i = 0; i < t.n; i++) {
        free(t.v[i].name);
        free(t.v[i].group);
        free(t.v[i].module);
    }
    free(t.v);
    free(fam);
    return failed ? 2 : 0;
}

/* ------------------------------------------------------------------------ */
/* Command line                                                              */
/* ------------------------------------------------------------------------ */
static void usage(FILE *f)
{
    fputs("usage: fr-conform record|replay [options] FIXTURE...\n"
          "       fr-conform live [options]\n"
          "       fr-conform report [options] FIXTURE...\n"
          "       fr-conform grammar-check --grammar FILE --server-cmd CMD|--port N\n"
          "       fr-conform free-port\n"
          "options:\n"
          "  --server-cmd CMD  start CMD --port N (per fixture file; once for live)\n"
          "                    (sh syntax; redis-server also gets --bind 127.0.0.1\n"
          "                    --save '' --appendonly no --dir TMP)\n"
          "  --port N          use a running server on 127.0.0.1:N instead\n"
          "                    (it gets FLUSHALL before each file)\n"
          "  --no-flush        with --port: do not FLUSHALL\n"
          "  --case SUBSTR     only cases whose name contains SUBSTR\n"
          "  --timeout MS      per-case reply timeout (default 2000)\n"
          "  --quiet MS        record: raw cases end after MS of silence (200)\n"
          "  --grace MS        replay: wait MS for extra bytes after raw cases (50)\n"
          "  --max-show N      drift lines show at most N escaped chars (400, 0=all)\n"
          "  --gate            replay: exit 1 only on critical or major drift\n"
          "  -v                replay: also print ok cases\n"
          "live (one seeded random stream to both servers, divergences shrunk):\n"
          "  --ref-cmd CMD | --ref-port N   the reference server (redis-server)\n"
          "  --seed N          stream seed (default 1)\n"
          "  --seconds S       stop sending after S seconds (default 60)\n"
          "  --count N         stop after N commands (default: no limit)\n"
          "  --epoch N         FLUSHALL + reconnect every N commands (default 250)\n"
          "  --shrink-seconds S  time for shrinking one divergence (default 20)\n"
          "  --max-divergences N  stop after N divergences (default 1)\n"
          "  --ttl yes|no|auto expire options in the grammar (auto: if ours takes them)\n"
          "  --grammar FILE    the command grammar (fr-manifest-tool grammar; required)\n"
          "  --exclude A,B     leave these commands out (OBJECT, or OBJECT|FREQ)\n"
          "  --save FILE       also append each reply reproducer to FILE\n"
          "  --propagation yes|no  compare what both send to a replica (default yes;\n"
          "                    servers started here get --enable-debug-command local)\n"
          "report (replays, then writes REPORT.md and report.json):\n"
          "  --commands FILE   Redis 7.0 command list (redis-7.0-commands.txt)\n"
          "  --manifest YAML   a manifest whose commands are ours (repeatable)\n"
          "  --out-dir DIR     where the two files go\n"
          "  --not-run FILE    list this fixture file but do not replay it (repeatable)\n"
          "  --label TEXT      how the report names the server (default: CMD)\n"
          "  --loaded A,B      modules the configuration loads (others are marked)\n"
          "exit: 0 all ok, 1 drift/divergence, 2 usage or server error\n",
          f);
}

static long long ll_arg(int argc, char **argv, int *i, long long max)
{
    if (*i + 1 >= argc)
        die("%s needs a value", argv[*i]);
    char *end;
    errno = 0;
    long long v = strtoll(argv[++*i], &end, 10);
    if (errno || *end || v < 0 || v > max)
        die("bad number for %s: %s", argv[*i - 1], argv[*i]);
    return v;
}

static int int_arg(int argc, char **argv, int *i)
{
    return (int)ll_arg(argc, argv, i, INT_MAX);
}

static const char *str_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        die("%s needs a value", argv[*i]);
    return argv[++*i];
}

static void push_str(const char ***v, int *n, const char *s)
{
    *v = realloc(*v, (size_t)(*n + 1) * sizeof **v);
    if (!*v)
        die("out of memory");
    (*v)[(*n)++] = s;
}

static int parse_opts(int argc, char **argv, options *o)
{
    int i = 2;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--server-cmd"))
            o->server_cmd = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--case"))
            o->filter = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--port"))
            o->port = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--timeout"))
            o->timeout_ms = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--quiet"))
            o->quiet_ms = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--grace"))
            o->grace_ms = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--max-show"))
            o->max_show = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--no-flush"))
            o->flush = 0;
        else if (!strcmp(a, "--gate"))
            o->gate = 1;
        else if (!strcmp(a, "-v"))
            o->verbose = 1;
        else if (!strcmp(a, "--ref-cmd"))
            o->ref_cmd = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--ref-port"))
            o->ref_port = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--seed"))
            o->seed = (unsigned long long)ll_arg(argc, argv, &i, LLONG_MAX);
        else if (!strcmp(a, "--seconds"))
            o->seconds = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--count"))
            o->count = ll_arg(argc, argv, &i, LLONG_MAX);
        else if (!strcmp(a, "--epoch"))
            o->epoch = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--shrink-seconds"))
            o->shrink_seconds = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--max-divergences"))
            o->max_div = int_arg(argc, argv, &i);
        else if (!strcmp(a, "--ttl")) {
            const char *v = str_arg(argc, argv, &i);
            o->ttl = !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? 0 : !strcmp(v, "auto") ? -1 : -2;
            if (o->ttl == -2)
                die("--ttl takes yes, no or auto");
        } else if (!strcmp(a, "--propagation")) {
            const char *v = str_arg(argc, argv, &i);
            o->propagation = !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? 0 : -1;
            if (o->propagation < 0)
                die("--propagation takes yes or no");
        } else if (!strcmp(a, "--exclude"))
            o->exclude = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--grammar"))
            o->grammar = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--save"))
            o->save = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--commands"))
            o->commands = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--manifest"))
            push_str(&o->manifests, &o->nmanifests, str_arg(argc, argv, &i));
        else if (!strcmp(a, "--not-run"))
            push_str(&o->not_run, &o->nnot_run, str_arg(argc, argv, &i));
        else if (!strcmp(a, "--out-dir"))
            o->out_dir = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--label"))
            o->label = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--loaded"))
            o->loaded = str_arg(argc, argv, &i);
        else if (!strcmp(a, "--"))
            return i + 1;
        else
            die("unknown option %s (try fr-conform help)", a);
    }
    return i;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "free-port")) {
        printf("%d\n", free_port());
        return 0;
    }
    const char *mode = argc >= 2 ? argv[1] : "";
    if (strcmp(mode, "record") && strcmp(mode, "replay") && strcmp(mode, "live") &&
        strcmp(mode, "report") && strcmp(mode, "grammar-check")) {
        usage(!strcmp(mode, "help") ? stdout : stderr);
        return !strcmp(mode, "help") ? 0 : 2;
    }
    options o = {.timeout_ms = 2000, .quiet_ms = 200, .grace_ms = 50, .max_show = 400,
                 .flush = 1, .seed = 1, .seconds = 60, .epoch = 250,
                 .shrink_seconds = 20, .max_div = 1, .ttl = -1, .propagation = 1};
    int first = parse_opts(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "live") == 0 || strcmp(mode, "grammar-check") == 0) {
        if (first < argc)
            die("%s takes no fixture files", mode);
        if (!o.grammar)
            die("%s needs --grammar FILE", mode);
        if (!strcmp(mode, "grammar-check")) {
            if ((!o.server_cmd) == (o.port == 0))
                die("grammar-check needs exactly one of --server-cmd or --port");
            return run_grammar_check(&o);
        }
        if (o.epoch < 1 || o.max_div < 1)
            die("--epoch and --max-divergences must be at least 1");
        return run_live(&o);
    }
    if (first >= argc || (!o.server_cmd) == (o.port == 0))
        die("need FIXTURE files and exactly one of --server-cmd or --port");
    if (!strcmp(mode, "report"))
        return run_report(&o, argv + first, argc - first);
    int recording = !strcmp(mode, "record");
    tally all = {0};
    int failed = 0;
    for (int i = first; i < argc; i++)
        if (run_file(argv[i], recording, &o, &all, NULL) < 0)
            failed = 1;
    print_tally("total", recording ? "recorded" : "replayed", &all);
    if (failed)
        return 2;
    if (o.gate)
        return all.sev[SEV_CRITICAL] + all.sev[SEV_MAJOR] ? 1 : 0;
    return all.drift ? 1 : 0;
}

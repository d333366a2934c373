/* fr-conform.c -- differential conformance harness for FrankenRedis.
 *
 * Owns: the fixture format (fixtures/conformance/README.md), recording exact
 * reply bytes from a reference redis-server into fixture files, replaying
 * them against another server and reporting byte-level drift.
 *
 * Invariants:
 *  - every case runs on its own fresh TCP connection (so db 0, RESP2, no
 *    client name), but the keyspace carries over between cases of one file;
 *    each file gets a fresh server (or a FLUSHALL on an external one);
 *  - a fixture file is rewritten only in record mode, atomically (tmp +
 *    rename), keeping every line except expect:/closed: verbatim;
 *  - the tool depends on libc only and never touches a server it did not
 *    start except through --port;
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
enum { MATCH_EXACT, MATCH_UNORDERED, MATCH_TYPE, MATCH_IGNORE_INTS };

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
    if (r > 0 && mode == MATCH_UNORDERED)
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
    if (mode == MATCH_TYPE)
        buf_putc(out, t == '$' && p[off + 1] == '-' ? 'N' : t); /* null bulk */
    else if (mode == MATCH_IGNORE_INTS && t == ':')
        buf_putc(out, t);
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
    int selected;    /* passes the --case filter */
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

static int parse_match(const char *v, size_t n)
{
    if (value_is(v, n, "exact"))
        return MATCH_EXACT;
    if (value_is(v, n, "unordered"))
        return MATCH_UNORDERED;
    if (value_is(v, n, "type"))
        return MATCH_TYPE;
    if (value_is(v, n, "ignore-ints"))
        return MATCH_IGNORE_INTS;
    return -1;
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
            return "match: must be exact, unordered, type or ignore-ints";
    } else if ((v = directive(line, len, "hello:", &vl))) {
        if (!value_is(v, vl, "2") && !value_is(v, vl, "3"))
            return "hello: must be 2 or 3";
        c->hello = value_is(v, vl, "3") ? 3 : 2;
    } else if (len && line[0] != '#' && strspn(line, " \t") != len) {
        return "unknown line (want send:, sendraw:, expect:, closed:, match:, "
               "hello:, # comment or blank)";
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
    }
    free(fx->cases);
}

/* Writes one expect: line per top-level reply, so fixtures stay readable. */
static void write_expect(FILE *f, const buf_t *b)
{
    size_t off = 0;
    if (!b->len)
        fputs("expect:\n", f);
    while (off < b->len) {
        long r = resp_parse(b->p, b->len, off, 0);
        size_t end = r > 0 ? (size_t)r : b->len;
        buf_t e = {0};
        escape(&e, b->p + off, end - off, 0);
        fprintf(f, "expect: %s\n", e.p);
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
            write_expect(f, &c->expect);
            fprintf(f, "closed: %s\n", c->closed > 0 ? "yes" : "no");
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

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {0};
    socklen_t sl = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
        die("cannot find a free port: %s", strerror(errno));
    close(fd);
    return ntohs(sa.sin_port);
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

static volatile pid_t g_server_pid; /* for the signal handler */

static void on_signal(int sig)
{
    if (g_server_pid > 0)
        kill(g_server_pid, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Redis needs its persistence off and its files in our temp dir so runs
 * leave nothing behind; our server takes only --port. */
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
    char *redis[] = {"/bin/sh", "-c", script, "fr-conform", "--port", port,
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", (char *)s->dir, "--logfile", "", "--daemonize",
                     "no", NULL};
    char *ours[] = {"/bin/sh", "-c", script, "fr-conform", "--port", port, NULL};
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
    s->pid = 0;
    g_server_pid = 0;
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
    g_server_pid = s->pid;
    long long deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            fprintf(stderr, "fr-conform: server exited during startup: %s\n", cmd);
            show_log(s);
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
    static const char *names[] = {"exact", "unordered", "type", "ignore-ints"};
    return names[m];
}

static void report_drift(const fixture *fx, const fcase *c, const rx_t *rx,
                         const options *o)
{
    printf("DRIFT %s (%s:%d) [%s]: want ", c->name, fx->path, c->line,
           mode_name(c->match));
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
}

typedef struct {
    int cases, ok, drift, skipped;
    int stalled; /* timeouts in a row: the server has probably hung */
} tally;

static void record_case(const fixture *fx, fcase *c, rx_t *rx)
{
    if (rx->timed_out && !c->has_raw)
        fprintf(stderr, "fr-conform: %s:%d: %s: timed out (%d of %d replies)\n",
                fx->path, c->line, c->name, rx->count, c->nsend);
    if (rx->bad)
        fprintf(stderr, "fr-conform: %s:%d: %s: reference reply is not valid RESP\n",
                fx->path, c->line, c->name);
    buf_free(&c->expect);
    if (c->match == MATCH_UNORDERED) /* sorted: re-recording gives no diff */
        canon_all(rx->data.p ? rx->data.p : "", rx->data.len, MATCH_UNORDERED,
                  &c->expect, 0);
    else
        buf_put(&c->expect, rx->data.p ? rx->data.p : "", rx->data.len);
    c->has_expect = 1;
    c->closed = rx->closed;
}

static void one_case(int port, const fixture *fx, fcase *c, int recording,
                     const options *o, tally *t)
{
    rx_t rx = {0};
    const char *err = NULL;
    t->cases++;
    if (!recording && !c->has_expect) {
        printf("DRIFT %s (%s:%d): case was never recorded\n", c->name, fx->path,
               c->line);
        t->drift++;
        return;
    }
    if (run_case(port, c, recording, o, &rx, &err) < 0) {
        printf("DRIFT %s (%s:%d): %s\n", c->name, fx->path, c->line, err);
        t->drift++;
    } else if (recording) {
        record_case(fx, c, &rx);
        t->ok++;
    } else if (rx.closed == (c->closed > 0) && bytes_match(&c->expect, &rx.data, c->match)) {
        if (o->verbose)
            printf("ok %s\n", c->name);
        t->ok++;
    } else {
        report_drift(fx, c, &rx, o);
        t->drift++;
    }
    t->stalled = rx.timed_out ? t->stalled + 1 : 0;
    buf_free(&rx.data);
}

static int flush_external(int port)
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
            printf("DRIFT %s: server stopped answering PING\n", path);
            show_log(s);
            return 1;
        }
        usleep(10000);
    }
    printf("DRIFT %s: server exited during the file (%s %d)\n", path,
           WIFSIGNALED(st) ? "signal" : "status",
           WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    show_log(s);
    s->pid = 0;
    g_server_pid = 0;
    return 1;
}

#define MAX_STALLED 5

static int run_file(const char *path, int recording, const options *o, tally *all)
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
    } else if (o->flush && flush_external(port) < 0) {
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
            printf("DRIFT %s (%s:%d): not run: server stopped answering\n",
                   c->name, path, c->line);
            t.cases++;
            t.drift++;
            continue;
        }
        one_case(port, &fx, c, recording, o, &t);
    }
    if (server_died(&srv, path))
        t.drift++;
    server_stop(&srv);
    if (srv.dir[0])
        remove_dir(srv.dir);
    if (recording && t.drift)
        fprintf(stderr, "fr-conform: %s: not saved: the reference server failed\n", path);
    else if (recording)
        save_fixture(&fx);
    free_fixture(&fx);
    printf("%s: %s %d cases, %d ok, %d drift, %d skipped\n", path,
           recording ? "recorded" : "replayed", t.cases, t.ok, t.drift, t.skipped);
    all->cases += t.cases;
    all->ok += t.ok;
    all->drift += t.drift;
    all->skipped += t.skipped;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Command line                                                              */
/* ------------------------------------------------------------------------ */
static void usage(FILE *f)
{
    fputs("usage: fr-conform record|replay [options] FIXTURE...\n"
          "       fr-conform free-port\n"
          "options:\n"
          "  --server-cmd CMD  start CMD --port N per fixture file (sh syntax;\n"
          "                    redis-server also gets --bind 127.0.0.1 --save ''\n"
          "                    --appendonly no --dir TMP)\n"
          "  --port N          use a running server on 127.0.0.1:N instead\n"
          "                    (it gets FLUSHALL before each file)\n"
          "  --no-flush        with --port: do not FLUSHALL\n"
          "  --case SUBSTR     only cases whose name contains SUBSTR\n"
          "  --timeout MS      per-case reply timeout (default 2000)\n"
          "  --quiet MS        record: raw cases end after MS of silence (200)\n"
          "  --grace MS        replay: wait MS for extra bytes after raw cases (50)\n"
          "  --max-show N      drift lines show at most N escaped chars (400, 0=all)\n"
          "  -v                replay: also print ok cases\n"
          "exit: 0 all ok, 1 drift, 2 usage or server error\n",
          f);
}

static int int_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        die("%s needs a value", argv[*i]);
    char *end;
    long v = strtol(argv[++*i], &end, 10);
    if (*end || v < 0 || v > INT_MAX)
        die("bad number for %s: %s", argv[*i - 1], argv[*i]);
    return (int)v;
}

static int parse_opts(int argc, char **argv, options *o)
{
    int i = 2;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--server-cmd") && i + 1 < argc)
            o->server_cmd = argv[++i];
        else if (!strcmp(a, "--case") && i + 1 < argc)
            o->filter = argv[++i];
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
        else if (!strcmp(a, "-v"))
            o->verbose = 1;
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
    if (argc < 2 || (strcmp(argv[1], "record") && strcmp(argv[1], "replay"))) {
        usage(argc >= 2 && !strcmp(argv[1], "help") ? stdout : stderr);
        return argc >= 2 && !strcmp(argv[1], "help") ? 0 : 2;
    }
    options o = {NULL, 0, 2000, 200, 50, 400, 0, 1, NULL};
    int recording = !strcmp(argv[1], "record");
    int first = parse_opts(argc, argv, &o);
    if (first >= argc || (!o.server_cmd) == (o.port == 0))
        die("need FIXTURE files and exactly one of --server-cmd or --port");
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    tally all = {0};
    int failed = 0;
    for (int i = first; i < argc; i++)
        if (run_file(argv[i], recording, &o, &all) < 0)
            failed = 1;
    printf("total: %d cases, %d ok, %d drift, %d skipped\n", all.cases, all.ok,
           all.drift, all.skipped);
    if (failed)
        return 2;
    return all.drift ? 1 : 0;
}

/* test_resp.c -- core/resp.c: the request parser and the reply encoders.
 *
 * The negative corpus (fixtures/protocol/negative, replies recorded from
 * redis-server 7.0.15) is replayed through the parser with a tiny PING/ECHO
 * executor standing in for the server, under many chunkings of the input:
 * the reply bytes and the close decision must equal what Redis did.  The
 * corpus is looked up in $FR_PROTOCOL_FIXTURES, FR_SRCDIR (a compile-time
 * define, if given) or relative to the working directory. */
#include <check.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resp.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

/* ------------------------------------------------------------ helpers */

typedef struct outbuf {
    char *b;
    size_t len, cap;
} outbuf;

static void out_put(outbuf *o, const void *p, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->b = realloc(o->b, o->cap);
    }
    memcpy(o->b + o->len, p, n);
    o->len += n;
    o->b[o->len] = '\0';
}

static void out_str(outbuf *o, const char *s)
{
    out_put(o, s, strlen(s));
}

static void out_bulk(outbuf *o, const fr_str *s)
{
    char h[FR_RESP_HDR_MAX];
    out_put(o, h, (size_t)fr_resp_hdr(h, '$', (long long)s->len));
    out_put(o, s->buf, s->len);
    out_str(o, "\r\n");
}

static void out_error(outbuf *o, const char *msg)
{
    char *e = malloc(FR_RESP_ERROR_MAX(strlen(msg)));
    out_put(o, e, fr_resp_error(e, msg, strlen(msg), FR_RESP_CRLF_MAP));
    free(e);
}

/* processCommand's unknown-command error: up to 128 bytes of the name and
 * of the arguments, each quoted and followed by a space. */
static void out_unknown(outbuf *o, fr_str **argv, int argc)
{
    char args[512] = "", msg[1024];
    size_t al = 0;
    for (int i = 1; i < argc && al < 128; i++)
        al += (size_t)snprintf(args + al, sizeof(args) - al, "'%.*s' ",
                               (int)(128 - al), argv[i]->buf);
    snprintf(msg, sizeof(msg), "unknown command '%.128s', with args beginning with: %s",
             argv[0]->buf, args);
    out_error(o, msg);
}

/* What redis-server answers to PING/ECHO/anything else (before or after
 * authentication), enough for the corpus.  ECHO's arity is in the command
 * table (checked before authentication); PING (arity -1) checks its own. */
static void execute(outbuf *o, fr_str **argv, int argc, int noauth)
{
    int ping = strcasecmp(argv[0]->buf, "ping") == 0;
    int echo = strcasecmp(argv[0]->buf, "echo") == 0;
    if (!ping && !echo)
        out_unknown(o, argv, argc);
    else if (echo && argc != 2)
        out_str(o, "-ERR wrong number of arguments for 'echo' command\r\n");
    else if (noauth)
        out_str(o, "-NOAUTH Authentication required.\r\n");
    else if (ping && argc > 2)
        out_str(o, "-ERR wrong number of arguments for 'ping' command\r\n");
    else if (ping && argc == 1)
        out_str(o, "+PONG\r\n");
    else
        out_bulk(o, argv[1]);
}

/* A connection: parser, limits, output, closed flag. */
typedef struct conn {
    fr_reqparser p;
    fr_reqlimits lim;
    outbuf out;
    int closed;
    int use_direct;     /* fill big bulks through the direct target */
    int commands;
} conn;

static void conn_init(conn *c, int auth_required)
{
    memset(c, 0, sizeof(*c));
    fr_reqparser_init(&c->p);
    fr_reqlimits_default(&c->lim);
    c->lim.auth_required = auth_required;
}

static void conn_free(conn *c)
{
    fr_reqparser_free(&c->p);
    free(c->out.b);
}

static void conn_ready(conn *c)
{
    ck_assert_int_gt(c->p.argc, 0);
    execute(&c->out, c->p.argv, c->p.argc, c->lim.auth_required);
    c->commands++;
    fr_reqparser_reset_command(&c->p);
}

/* One read()'s worth of bytes, as the server loop would process it. */
static void conn_read(conn *c, const char *buf, size_t len)
{
    size_t off = 0;
    while (!c->closed && off < len) {
        char *dst;
        size_t room;
        if (c->use_direct && fr_reqparser_direct_target(&c->p, &dst, &room)) {
            size_t n = room < len - off ? room : len - off;
            memcpy(dst, buf + off, n);
            off += n;
            if (fr_reqparser_direct_commit(&c->p, n)) conn_ready(c);
            continue;
        }
        int ready;
        size_t used = fr_reqparser_feed(&c->p, buf + off, len - off, &c->lim, &ready);
        off += used;
        if (ready) {
            conn_ready(c);
        } else if (c->p.error) {
            out_error(&c->out, c->p.error);
            c->closed = 1;
        } else {
            ck_assert_uint_eq(off, len); /* not ready, no error: all used */
        }
    }
}

/* ------------------------------------------------------------ corpus */

typedef struct fixture {
    char name[128];
    int auth;
    int closed;
    char *reply;
    size_t reply_len;
    char *data;
    size_t data_len;
} fixture;

static int dir_has_expected(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/EXPECTED.txt", dir);
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

static const char *find_fixture_dir(void)
{
    static const char *const rel[] = {
        "fixtures/protocol/negative", "../fixtures/protocol/negative",
        "../../fixtures/protocol/negative", "../../../fixtures/protocol/negative",
    };
    const char *env = getenv("FR_PROTOCOL_FIXTURES");
    if (env && dir_has_expected(env)) return env;
#ifdef FR_SRCDIR
    static char fixture_dir[1024];
    snprintf(fixture_dir, sizeof(fixture_dir), "%s/fixtures/protocol/negative", FR_SRCDIR);
    if (dir_has_expected(fixture_dir)) return fixture_dir;
#endif
    for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++)
        if (dir_has_expected(rel[i])) return rel[i];
    return NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

static int hexdig(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Undo record.py's escaping (\\ \r \n \t \xHH). */
static size_t unescape(const char *s, char *out)
{
    size_t n = 0;
    while (*s) {
        if (*s != '\\') {
            out[n++] = *s++;
            continue;
        }
        s++;
        switch (*s) {
        case 'r': out[n++] = '\r'; s++; break;
        case 'n': out[n++] = '\n'; s++; break;
        case 't': out[n++] = '\t'; s++; break;
        case 'x': out[n++] = (char)(hexdig(s[1]) * 16 + hexdig(s[2])); s += 3; break;
        default: out[n++] = *s++; break;
        }
    }
    return n;
}

static int load_fixtures(fixture **out)
{
    const char *dir = find_fixture_dir();
    ck_assert_msg(dir != NULL, "protocol fixtures not found (set FR_PROTOCOL_FIXTURES)");
    char path[1200];
    snprintf(path, sizeof(path), "%s/EXPECTED.txt", dir);
    size_t len;
    char *text = read_file(path, &len);
    int n = 0, cap = 16;
    fixture *fx = calloc((size_t)cap, sizeof(*fx));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        char *f1 = strchr(line, '\t'), *f2 = f1 ? strchr(f1 + 1, '\t') : NULL;
        char *f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
        ck_assert_msg(f3 != NULL, "bad EXPECTED line: %s", line);
        *f1 = *f2 = *f3 = '\0';
        if (n == cap) fx = realloc(fx, sizeof(*fx) * (size_t)(cap *= 2));
        fixture *x = &fx[n++];
        snprintf(x->name, sizeof(x->name), "%s", line);
        x->auth = strcmp(f1 + 1, "auth") == 0;
        x->closed = strcmp(f2 + 1, "close") == 0;
        x->reply = malloc(strlen(f3 + 1) + 1);
        x->reply_len = unescape(f3 + 1, x->reply);
        snprintf(path, sizeof(path), "%s/%s", dir, x->name);
        x->data = read_file(path, &x->data_len);
    }
    free(text);
    *out = fx;
    return n;
}

static void free_fixtures(fixture *fx, int n)
{
    for (int i = 0; i < n; i++) {
        free(fx[i].reply);
        free(fx[i].data);
    }
    free(fx);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Chunking plans: 0 all at once, 1 byte by byte, 2 Redis's 16KB reads,
 * 3.. random sizes up to a bound that grows with the plan number. */
static size_t next_chunk(int plan, size_t left)
{
    size_t n;
    if (plan == 0) n = left;
    else if (plan == 1) n = 1;
    else if (plan == 2) n = 16384;
    else n = 1 + (size_t)(rng() % (plan < 6 ? 7 : plan < 9 ? 300 : 40000));
    return n < left ? n : left;
}

static void replay(const fixture *x, int plan, int direct)
{
    conn c;
    conn_init(&c, x->auth);
    c.use_direct = direct;
    rng_state = 0x9E3779B97F4A7C15ULL ^ (uint64_t)plan;
    for (size_t off = 0; off < x->data_len && !c.closed;) {
        size_t n = next_chunk(plan, x->data_len - off);
        conn_read(&c, x->data + off, n);
        off += n;
    }
    ck_assert_msg(c.closed == x->closed, "%s plan %d: closed=%d", x->name, plan, c.closed);
    ck_assert_msg(c.out.len == x->reply_len &&
                      (c.out.len == 0 || memcmp(c.out.b, x->reply, c.out.len) == 0),
                  "%s plan %d: reply differs (%zu vs %zu bytes)", x->name, plan,
                  c.out.len, x->reply_len);
    conn_free(&c);
}

START_TEST(test_negative_corpus)
{
    fixture *fx;
    int n = load_fixtures(&fx);
    ck_assert_int_ge(n, 60);
    for (int i = 0; i < n; i++) {
        for (int plan = 0; plan < 12; plan++) {
            /* Byte by byte over the 66KB cases is slow and adds nothing. */
            if (plan == 1 && fx[i].data_len > 4096) continue;
            replay(&fx[i], plan, 0);
            replay(&fx[i], plan, 1);
        }
    }
    free_fixtures(fx, n);
}
END_TEST

/* ------------------------------------------------------------ parser */

/* Feed data in pieces ending at each of cuts[0..ncuts) (ascending, then
 * the end); describe what was parsed: each command as its args joined with
 * ',' and ended with ';', then "ERR:<error>" if parsing stopped on one. */
static char *parse_cuts(const char *data, size_t len, const size_t *cuts, size_t ncuts,
                        const fr_reqlimits *lim)
{
    fr_reqparser p;
    outbuf o = {0};
    fr_reqparser_init(&p);
    size_t off = 0, end = 0, next = 0;
    while (off < len && !p.error) {
        if (off == end) end = next < ncuts ? cuts[next++] : len;
        int ready;
        off += fr_reqparser_feed(&p, data + off, end - off, lim, &ready);
        if (ready) {
            for (int i = 0; i < p.argc; i++) {
                if (i) out_str(&o, ",");
                out_put(&o, p.argv[i]->buf, p.argv[i]->len);
            }
            out_str(&o, ";");
            fr_reqparser_reset_command(&p);
        }
    }
    if (p.error) {
        out_str(&o, "ERR:");
        out_str(&o, p.error);
    }
    fr_reqparser_free(&p);
    if (!o.b) out_str(&o, "");
    return o.b;
}

/* The same in chunks of `chunk` bytes. */
static char *parse_desc(const char *data, size_t len, size_t chunk, const fr_reqlimits *lim)
{
    size_t n = chunk < len ? (len - 1) / chunk : 0;
    size_t *cuts = malloc((n + 1) * sizeof(*cuts));
    for (size_t i = 0; i < n; i++) cuts[i] = (i + 1) * chunk;
    char *r = parse_cuts(data, len, cuts, n, lim);
    free(cuts);
    return r;
}

static void expect_parse(const char *data, size_t len, const char *want)
{
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    static const size_t chunks[] = {1, 2, 3, 5, 7, 64, 1 << 20};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(*chunks); i++) {
        char *got = parse_desc(data, len, chunks[i], &lim);
        ck_assert_msg(strcmp(got, want) == 0, "chunk %zu: got [%s] want [%s]", chunks[i],
                      got, want);
        free(got);
    }
}

#define EXPECT_PARSE(lit, want) expect_parse(lit, sizeof(lit) - 1, want)

START_TEST(test_valid_pipeline)
{
    EXPECT_PARSE("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"
                  "GET k\r\n"
                  "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
                  "*1\r\n$4\r\nPING\r\n",
                  "SET,k,hello;GET,k;ECHO,;PING;");
    EXPECT_PARSE("\r\n\n*0\r\n*-1\r\n  \r\nPING\n", "PING;");
    EXPECT_PARSE("*1\rZ$4\rZPINGzz", "PING;");      /* bytes after CR unchecked */
    EXPECT_PARSE("*2\r\n$3\r\nGET\r\n$3\r\na\0b\r\n", "GET,a\0b;");
}
END_TEST

START_TEST(test_inline_forms)
{
    EXPECT_PARSE("set a \"b c\"\r\n", "set,a,b c;");
    EXPECT_PARSE("set a 'b\\'c'\n", "set,a,b'c;");
    EXPECT_PARSE("echo \"\\x41\"\r\r\n", "echo,A;");  /* one CR stripped, next is blank */
    EXPECT_PARSE("echo \"a\r\n", "ERR:Protocol error: unbalanced quotes in request");
    EXPECT_PARSE("PING\r\necho \"a\"b\r\nPING\r\n",
                 "PING;ERR:Protocol error: unbalanced quotes in request");
}
END_TEST

START_TEST(test_errors_and_stickiness)
{
    EXPECT_PARSE("*1\r\n$-1\r\n", "ERR:Protocol error: invalid bulk length");
    EXPECT_PARSE("*-0\r\n", "ERR:Protocol error: invalid multibulk length");
    EXPECT_PARSE("*1\r\n\r\n", "ERR:Protocol error: expected '$', got ' '");
    EXPECT_PARSE("*1\r\n\n\r\n", "ERR:Protocol error: expected '$', got ' '");
    EXPECT_PARSE("*1\r\nx\r\n", "ERR:Protocol error: expected '$', got 'x'");

    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    fr_reqparser_init(&p);
    ck_assert_uint_eq(fr_reqparser_feed(&p, "*1\r\n$x\r\nPING\r\n", 14, &lim, &ready), 8);
    ck_assert_int_eq(ready, 0);
    ck_assert_str_eq(p.error, "Protocol error: invalid bulk length");
    ck_assert_str_eq(p.error_reason, "invalid bulk length");
    /* Sticky: nothing more is consumed. */
    ck_assert_uint_eq(fr_reqparser_feed(&p, "PING\r\n", 6, &lim, &ready), 0);
    ck_assert_int_eq(ready, 0);
    fr_reqparser_free(&p);
}
END_TEST

START_TEST(test_feed_stops_at_command_end)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    const char *in = "PING\r\n*1\r\n$4\r\nPING\r\nECHO";
    size_t len = strlen(in);
    fr_reqparser_init(&p);
    ck_assert_uint_eq(fr_reqparser_feed(&p, in, len, &lim, &ready), 6);
    ck_assert_int_eq(ready, 1);
    ck_assert_int_eq(p.inline_cmd, 1);
    /* Still ready until reset. */
    ck_assert_uint_eq(fr_reqparser_feed(&p, in + 6, len - 6, &lim, &ready), 0);
    ck_assert_int_eq(ready, 1);
    fr_reqparser_reset_command(&p);
    ck_assert_uint_eq(fr_reqparser_feed(&p, in + 6, len - 6, &lim, &ready), 14);
    ck_assert_int_eq(ready, 1);
    ck_assert_int_eq(p.inline_cmd, 0);
    ck_assert_int_eq(p.argc, 1);
    fr_reqparser_reset_command(&p);
    ck_assert_uint_eq(fr_reqparser_feed(&p, in + 20, len - 20, &lim, &ready), 4);
    ck_assert_int_eq(ready, 0);
    ck_assert_ptr_null(p.error);
    ck_assert_uint_eq(fr_reqparser_pending(&p), 4);
    fr_reqparser_free(&p);
}
END_TEST

/* Taking an argument: a small one (in the arena) is copied and its slot
 * kept, a big one moves out and its NULL slot is skipped at reset. */
START_TEST(test_stolen_args_tolerated)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    const char *in = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    fr_reqparser_init(&p);
    fr_reqparser_feed(&p, in, strlen(in), &lim, &ready);
    ck_assert_int_eq(ready, 1);
    ck_assert(fr_reqparser_in_arena(&p, p.argv[2]));
    fr_str *v = fr_reqparser_take_arg(&p, 2);
    ck_assert_ptr_ne(v, p.argv[2]);
    ck_assert(!fr_reqparser_in_arena(&p, v));
    fr_reqparser_reset_command(&p);
    ck_assert_str_eq(v->buf, "v");
    ck_assert_uint_eq(v->len, 1);
    fr_str_free(v);
    ck_assert_int_eq(p.argc, 0);

    enum { BIG = 40000 };
    char *big = malloc(BIG + 64);
    int hl = sprintf(big, "*2\r\n$3\r\nSET\r\n$%d\r\n", BIG);
    memset(big + hl, 'x', BIG);
    memcpy(big + hl + BIG, "\r\n", 2);
    fr_reqparser_feed(&p, big, (size_t)hl + BIG + 2, &lim, &ready);
    ck_assert_int_eq(ready, 1);
    ck_assert(!fr_reqparser_in_arena(&p, p.argv[1]));
    fr_str *b = p.argv[1];
    ck_assert_ptr_eq(fr_reqparser_take_arg(&p, 1), b);
    ck_assert_ptr_null(p.argv[1]);
    fr_reqparser_reset_command(&p);
    ck_assert_uint_eq(b->len, BIG);
    fr_str_free(b);
    free(big);
    fr_reqparser_free(&p);
}
END_TEST

/* Small arguments share one arena: 8-aligned, NUL-terminated, moved along
 * when it grows mid-command (also across partial feeds), reused by the next
 * command and given back when a command made it big. */
START_TEST(test_arena)
{
    enum { N = 300, LEN = 500 }; /* 150 KB of arguments: several growths */
    outbuf in = {0};
    char h[FR_RESP_HDR_MAX], a[LEN];
    out_put(&in, h, (size_t)fr_resp_hdr(h, '*', N));
    for (int i = 0; i < N; i++) {
        int n = i % 7 == 0 ? 0 : LEN - i % 13;
        memset(a, 'a' + i % 26, (size_t)n);
        out_put(&in, h, (size_t)fr_resp_hdr(h, '$', n));
        out_put(&in, a, (size_t)n);
        out_str(&in, "\r\n");
    }
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready = 0;
    fr_reqparser_init(&p);
    for (size_t off = 0, step = 1; off < in.len; step = step * 2 % 997 + 1)
        off += fr_reqparser_feed(&p, in.b + off, step < in.len - off ? step : in.len - off,
                                 &lim, &ready);
    ck_assert_int_eq(ready, 1);
    ck_assert_int_eq(p.argc, N);
    for (int i = 0; i < N; i++) {
        size_t n = i % 7 == 0 ? 0 : (size_t)(LEN - i % 13);
        ck_assert(fr_reqparser_in_arena(&p, p.argv[i]));
        ck_assert_uint_eq((uintptr_t)p.argv[i] % 8, 0);
        ck_assert_uint_eq(p.argv[i]->len, n);
        ck_assert_int_eq(p.argv[i]->buf[n], '\0');
        if (n) ck_assert_int_eq(p.argv[i]->buf[n - 1], 'a' + i % 26);
    }
    ck_assert_uint_ge(fr_reqparser_args_memory(&p), (size_t)N * LEN / 2);
    fr_reqparser_reset_command(&p);
    ck_assert_ptr_null(p.arena); /* past the bound: released */
    ck_assert_uint_eq(fr_reqparser_args_memory(&p), 0);

    const char *set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    fr_reqparser_feed(&p, set, strlen(set), &lim, &ready);
    char *arena = p.arena;
    ck_assert_ptr_nonnull(arena);
    ck_assert_ptr_eq(p.argv[0], (fr_str *)arena);
    fr_reqparser_reset_command(&p);
    fr_reqparser_feed(&p, set, strlen(set), &lim, &ready);
    ck_assert_ptr_eq(p.arena, arena); /* reused */
    ck_assert_str_eq(p.argv[2]->buf, "v");
#if defined(__SANITIZE_ADDRESS__)
    /* A pointer kept past the command is caught under ASan. */
    const char *stale = p.argv[2]->buf;
    fr_reqparser_reset_command(&p);
    ck_assert(__asan_address_is_poisoned(stale));
#endif
    fr_reqparser_free(&p);
    free(in.b);
}
END_TEST

START_TEST(test_auth_limits_follow_each_feed)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    fr_reqparser_init(&p);
    lim.auth_required = 1;
    const char *cmd = "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*11\r\n";
    size_t used = fr_reqparser_feed(&p, cmd, strlen(cmd), &lim, &ready);
    ck_assert_int_eq(ready, 1);
    fr_reqparser_reset_command(&p);
    lim.auth_required = 0; /* AUTH succeeded */
    fr_reqparser_feed(&p, cmd + used, strlen(cmd) - used, &lim, &ready);
    ck_assert_ptr_null(p.error);
    fr_reqparser_free(&p);

    char *got;
    lim.auth_required = 1;
    got = parse_desc("*1\r\n$16385\r\n", 12, 3, &lim);
    ck_assert_str_eq(got, "ERR:Protocol error: unauthenticated bulk length");
    free(got);
    got = parse_desc("*11\r\n", 5, 1, &lim);
    ck_assert_str_eq(got, "ERR:Protocol error: unauthenticated multibulk length");
    free(got);
    lim.proto_max_bulk_len = 10;
    lim.auth_required = 0;
    got = parse_desc("*1\r\n$11\r\n", 9, 1, &lim);
    ck_assert_str_eq(got, "ERR:Protocol error: invalid bulk length");
    free(got);
    lim.proto_max_bulk_len = -1; /* master link: no limit */
    got = parse_desc("*1\r\n$11\r\nhello world\r\n", 22, 4, &lim);
    ck_assert_str_eq(got, "hello world;");
    free(got);
}
END_TEST

START_TEST(test_line_limits)
{
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    static char big[70000];
    char *got;

    /* Exactly 64KB pending without LF never trips, whatever the chunking. */
    memset(big, ' ', sizeof(big));
    memcpy(big, "PING", 4);
    big[65535] = '\r';
    big[65536] = '\n';
    got = parse_desc(big, 65537, 1, &lim);
    ck_assert_str_eq(got, "PING;");
    free(got);
    /* One more byte pending does, when a read ends there... */
    big[65535] = ' ';
    big[65536] = '\r';
    big[65537] = '\n';
    got = parse_desc(big, 65538, 65537, &lim);
    ck_assert_str_eq(got, "ERR:Protocol error: too big inline request");
    free(got);
    /* ...but not when the LF arrives in the same read (Redis alike). */
    got = parse_desc(big, 65538, 65538, &lim);
    ck_assert_str_eq(got, "PING;");
    free(got);

    /* A header line's '\r' stops the count even if its next byte is late. */
    memset(big, '1', sizeof(big));
    big[0] = '*';
    big[69998] = '\r';
    got = parse_desc(big, 69999, 69999, &lim);
    ck_assert_str_eq(got, "");
    free(got);
    got = parse_desc(big, 70000, 70000, &lim);
    ck_assert_str_eq(got, "ERR:Protocol error: invalid multibulk length");
    free(got);

    /* Configurable limit. */
    lim.inline_max = 8;
    got = parse_desc("PING      x", 11, 100, &lim);
    ck_assert_str_eq(got, "ERR:Protocol error: too big inline request");
    free(got);
    got = parse_desc("PING     \n", 10, 100, &lim);
    ck_assert_str_eq(got, "PING;");
    free(got);
}
END_TEST

START_TEST(test_nul_hides_terminator)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    fr_reqparser_init(&p);
    lim.inline_max = 100;
    ck_assert_uint_eq(fr_reqparser_feed(&p, "PI\0NG\r\nPING\r\n", 13, &lim, &ready), 13);
    ck_assert_int_eq(ready, 0);
    ck_assert_ptr_null(p.error);
    ck_assert_uint_eq(fr_reqparser_pending(&p), 13);
    static char pad[100];
    memset(pad, 'x', sizeof(pad));
    fr_reqparser_feed(&p, pad, 87, &lim, &ready); /* 100 pending: fine */
    ck_assert_ptr_null(p.error);
    fr_reqparser_feed(&p, pad, 1, &lim, &ready);
    ck_assert_str_eq(p.error, "Protocol error: too big inline request");
    fr_reqparser_free(&p);
}
END_TEST

START_TEST(test_many_args)
{
    enum { N = 5000 };
    outbuf in = {0};
    char h[FR_RESP_HDR_MAX], want_last[16];
    out_put(&in, h, (size_t)fr_resp_hdr(h, '*', N));
    for (int i = 0; i < N; i++) {
        char a[16];
        int n = snprintf(a, sizeof(a), "%d", i);
        out_put(&in, h, (size_t)fr_resp_hdr(h, '$', n));
        out_put(&in, a, (size_t)n);
        out_str(&in, "\r\n");
    }
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    fr_reqparser_init(&p);
    ck_assert_uint_eq(fr_reqparser_feed(&p, in.b, in.len, &lim, &ready), in.len);
    ck_assert_int_eq(ready, 1);
    ck_assert_int_eq(p.argc, N);
    snprintf(want_last, sizeof(want_last), "%d", N - 1);
    ck_assert_str_eq(p.argv[N - 1]->buf, want_last);
    ck_assert_str_eq(p.argv[1234]->buf, "1234");
    fr_reqparser_free(&p);
    free(in.b);

    /* A huge announced count costs nothing up front. */
    fr_reqparser_init(&p);
    fr_reqparser_feed(&p, "*2147483647\r\n$1\r\na\r\n", 20, &lim, &ready);
    ck_assert_int_eq(ready, 0);
    ck_assert_ptr_null(p.error);
    ck_assert_int_le(p.argv_cap, 1024);
    ck_assert_int_eq(p.argc, 1);
    fr_reqparser_free(&p);
}
END_TEST

/* The fast path (whole elements in one buffer) must agree with the state
 * machine (fed byte by byte, it never sees a whole header): for every input
 * below, all at once and split in two at every byte give the byte-by-byte
 * result. */
static void expect_split_invariant(const char *data, size_t len, const fr_reqlimits *lim)
{
    char *want = parse_desc(data, len, 1, lim);
    char *whole = parse_desc(data, len, len ? len : 1, lim);
    ck_assert_msg(strcmp(whole, want) == 0, "whole: got [%s] want [%s]", whole, want);
    free(whole);
    for (size_t k = 1; k < len; k++) {
        char *got = parse_cuts(data, len, &k, 1, lim);
        ck_assert_msg(strcmp(got, want) == 0, "split at %zu: got [%s] want [%s]", k, got, want);
        free(got);
    }
    free(want);
}

START_TEST(test_fast_path_split_anywhere)
{
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT, auth = FR_REQLIMITS_DEFAULT,
                 small = FR_REQLIMITS_DEFAULT;
    auth.auth_required = 1;
    small.proto_max_bulk_len = 3;
    const fr_reqlimits *const lims[] = {&lim, &auth, &small};
    static const struct { const char *s; size_t len; } inputs[] = {
#define IN(lit) {lit, sizeof(lit) - 1}
        IN("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"),
        IN("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\nPING\r\n*0\r\n*-1\r\n"),
        IN("*1\rZ$4\rZPINGzz*1\n\n$4\n\nPING\r\n"),        /* bytes after CR unchecked */
        IN("*11\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"
           "$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$1\r\nj\r\n$1\r\nk\r\n"),
        IN("*10\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"
           "$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$4\r\nabcd\r\n"),
        IN("*2\r\n$3\r\nGET\r\n$03\r\nabc\r\n"),        /* leading zero: invalid */
        IN("*02\r\n$3\r\nGET\r\n$1\r\na\r\n"),
        IN("*+2\r\n"), IN("*-0\r\n"), IN("*1\r\n$-1\r\n"), IN("*1\r\n$+1\r\na\r\n"),
        IN("*1\r\n$ 1\r\na\r\n"), IN("*1\r\n$1 \r\na\r\n"), IN("*1\r\n$1\n\r\na\r\n"),
        IN("*1\r\n\r\n"), IN("*1\r\nx\r\n"), IN("*2147483648\r\n"),
        IN("*2147483647\r\n$1\r\na\r\n"), IN("*999999999\r\n$2\r\nab\r\n"),
        IN("*1\r\n$99999999999999999999\r\n"), IN("*1\r\n$16384\r\n"), IN("*1\r\n$16385\r\n"),
        IN("*2\r\n$4\r\nECHO\r\n$32767\r\n"), IN("*1\r\n$32768\r\n"),
        IN("*2\r\n$4\r\nECHO\r\n$5\r\na\0b\0c\r\n"), IN("*1\0\r\n$4\r\nPING\r\n"),
        IN("*1\r\n$4\0\r\nPING\r\n"), IN("*2\r\n$3\r\nGET\r\n$3\r\na\0b\r\n"),
        IN("*1\r\n$4\r\nPI\r\n\r\n\r\n"), IN("*3\r\n$1\r\na\r\n$0\r\n\r\n$0\r\n"),
        IN("*1\r\n$3\r\nabc"), IN("*1\r\n$3\r\nabc\r"), IN("*1\r\n$3\r"), IN("*1\r"), IN("*"),
        IN("*1\r\n$4\r\nPING\r\nset a \"b c\"\r\n*1\r\n$4\r\nPING\r\n"),
#undef IN
    };
    for (size_t l = 0; l < sizeof(lims) / sizeof(*lims); l++)
        for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++)
            expect_split_invariant(inputs[i].s, inputs[i].len, lims[l]);

    /* Whole bulks at the limits, too long to split everywhere. */
    static char big[16400];
    for (int len = 16384; len <= 16385; len++) {
        int hl = snprintf(big, sizeof(big), "*1\r\n$%d\r\n", len);
        memset(big + hl, 'x', (size_t)len);
        memcpy(big + hl + len, "\r\n", 2);
        char *a = parse_desc(big, (size_t)(hl + len + 2), (size_t)(hl + len + 2), &auth);
        char *b = parse_desc(big, (size_t)(hl + len + 2), 1, &auth);
        ck_assert_str_eq(a, b);
        ck_assert_int_eq(strncmp(a, "ERR:", 4) == 0, len > 16384);
        free(a);
        free(b);
    }
}
END_TEST

/* The recorded corpus, split in two at every byte (small cases): the reply
 * Redis gave, whatever the split. */
START_TEST(test_corpus_split_anywhere)
{
    fixture *fx;
    int n = load_fixtures(&fx);
    for (int i = 0; i < n; i++) {
        if (fx[i].data_len > 4096) continue;
        for (size_t k = 1; k < fx[i].data_len; k++) {
            conn c;
            conn_init(&c, fx[i].auth);
            conn_read(&c, fx[i].data, k);
            if (!c.closed) conn_read(&c, fx[i].data + k, fx[i].data_len - k);
            ck_assert_msg(c.closed == fx[i].closed && c.out.len == fx[i].reply_len &&
                              (c.out.len == 0 || memcmp(c.out.b, fx[i].reply, c.out.len) == 0),
                          "%s split at %zu: reply differs", fx[i].name, k);
            conn_free(&c);
        }
    }
    free_fixtures(fx, n);
}
END_TEST

/* Byte `pos` of a big argument of `size` bytes followed by its CRLF. */
static char big_byte(size_t pos, size_t size)
{
    if (pos < size) return (char)('a' + pos % 23);
    return pos == size ? '\r' : '\n';
}

/* Send "SET <size bytes>" with the big argument in growing, uneven pieces,
 * through the direct target or through feed. */
static void big_bulk_roundtrip(size_t size, int direct)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready = 0;
    char hdr[64], *dst, *base;
    size_t room, total = size + 2;
    static char piece[1 << 16];
    int hl = snprintf(hdr, sizeof(hdr), "*2\r\n$3\r\nSET\r\n$%zu\r\n", size);

    fr_reqparser_init(&p);
    ck_assert_uint_eq(fr_reqparser_feed(&p, hdr, (size_t)hl, &lim, &ready), (size_t)hl);
    ck_assert_int_eq(fr_reqparser_direct_target(&p, &base, &room), 1);
    ck_assert_uint_eq(room, total);
    for (size_t done = 0, want = 1; done < total; want = want * 3 + 1) {
        size_t n = want < total - done ? want : total - done;
        if (n > sizeof(piece)) n = sizeof(piece);
        for (size_t i = 0; i < n; i++) piece[i] = big_byte(done + i, size);
        if (direct) {
            ck_assert_int_eq(fr_reqparser_direct_target(&p, &dst, &room), 1);
            ck_assert_ptr_eq(dst, base + done); /* allocated once, at final size */
            ck_assert_uint_eq(room, total - done);
            memcpy(dst, piece, n);
            ready = fr_reqparser_direct_commit(&p, n);
        } else {
            ck_assert_uint_eq(fr_reqparser_feed(&p, piece, n, &lim, &ready), n);
        }
        done += n;
        ck_assert_int_eq(ready, done == total);
    }
    ck_assert_int_eq(p.argc, 2);
    ck_assert_ptr_eq(p.argv[1]->buf, base);
    ck_assert_uint_eq(p.argv[1]->len, size);
    ck_assert_int_eq(p.argv[1]->buf[size], '\0');
    for (size_t i = 0; i < size; i += 4099) ck_assert_int_eq(p.argv[1]->buf[i], big_byte(i, size));
    ck_assert_int_eq(p.argv[1]->buf[size - 1], big_byte(size - 1, size));
    fr_reqparser_free(&p);
}

START_TEST(test_big_bulk_direct)
{
    big_bulk_roundtrip(32 * 1024, 1);
    big_bulk_roundtrip(1000000, 1);
    big_bulk_roundtrip(1000000, 0);
    big_bulk_roundtrip(64u << 20, 1);
}
END_TEST

START_TEST(test_direct_target_only_for_big)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    char *dst;
    size_t room;
    fr_reqparser_init(&p);
    fr_reqparser_feed(&p, "*1\r\n$32767\r\nab", 14, &lim, &ready);
    ck_assert_int_eq(fr_reqparser_direct_target(&p, &dst, &room), 0);
    ck_assert_uint_eq(fr_reqparser_pending(&p), 2);
    fr_reqparser_free(&p);
    fr_reqparser_init(&p);
    ck_assert_int_eq(fr_reqparser_direct_target(&p, &dst, &room), 0);
    fr_reqparser_feed(&p, "*1\r\n$32768\r\nab", 14, &lim, &ready);
    ck_assert_int_eq(fr_reqparser_direct_target(&p, &dst, &room), 1);
    ck_assert_uint_eq(room, 32768);
    ck_assert_int_eq(fr_reqparser_direct_commit(&p, 0), 0);
    fr_reqparser_free(&p);
}
END_TEST

/* Feed "SET <size bytes>" whole; the command is left ready. */
static void feed_big_set(fr_reqparser *p, size_t size)
{
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready = 0;
    char hdr[64];
    int hl = snprintf(hdr, sizeof(hdr), "*2\r\n$3\r\nSET\r\n$%zu\r\n", size);
    char *body = malloc(size + 2);
    memset(body, 'x', size);
    memcpy(body + size, "\r\n", 2);
    ck_assert_uint_eq(fr_reqparser_feed(p, hdr, (size_t)hl, &lim, &ready), (size_t)hl);
    ck_assert_uint_eq(fr_reqparser_feed(p, body, size + 2, &lim, &ready), size + 2);
    ck_assert_int_eq(ready, 1);
    free(body);
}

/* After a big bulk a buffer of its size is kept (Redis's query buffer
 * stays that large); the next big bulk of about that size is read into it,
 * a much smaller one is not (it would pin the larger block). */
START_TEST(test_big_bulk_spare)
{
    fr_reqparser p;
    fr_reqlimits lim = FR_REQLIMITS_DEFAULT;
    int ready;
    char *dst;
    size_t room;
    fr_reqparser_init(&p);
    ck_assert_uint_eq(fr_reqparser_spare_size(&p), 0);
    feed_big_set(&p, 100000);
    ck_assert_uint_ge(fr_reqparser_spare_size(&p), 100002);
    char *spare_buf = p.spare->buf;
    fr_reqparser_reset_command(&p);
    fr_reqparser_feed(&p, "*1\r\n$100000\r\n", 13, &lim, &ready);
    ck_assert_int_eq(fr_reqparser_direct_target(&p, &dst, &room), 1);
    ck_assert_ptr_eq(dst, spare_buf);
    ck_assert_uint_eq(fr_reqparser_spare_size(&p), 0);
    fr_reqparser_reset_command(&p);
    ck_assert_uint_eq(fr_reqparser_spare_size(&p), 0); /* the bulk never completed */
    feed_big_set(&p, 100000);
    fr_reqparser_reset_command(&p);
    feed_big_set(&p, 40000);
    ck_assert_uint_ge(fr_reqparser_spare_size(&p), 40002);
    ck_assert_uint_lt(fr_reqparser_spare_size(&p), 100002);
    ck_assert_uint_eq(p.argv[1]->len, 40000);
    fr_reqparser_reset_command(&p);
    feed_big_set(&p, 1000);
    ck_assert_uint_ge(fr_reqparser_spare_size(&p), 40002); /* small bulks leave it */
    fr_reqparser_drop_spare(&p);
    ck_assert_uint_eq(fr_reqparser_spare_size(&p), 0);
    fr_reqparser_reset_command(&p);
    feed_big_set(&p, 50000);
    fr_reqparser_free(&p); /* frees the spare too (ASan/LSan runs) */
}
END_TEST

/* ------------------------------------------------------------ replies */

#define ENC_EQ(expr, want)                                                 \
    do {                                                                   \
        char b_[256];                                                      \
        int n_ = (int)(expr);                                              \
        ck_assert_int_eq(n_, (int)(sizeof(want) - 1));                     \
        ck_assert(memcmp(b_, want, sizeof(want) - 1) == 0);                \
    } while (0)

START_TEST(test_encode_headers)
{
    ENC_EQ(fr_resp_hdr(b_, '*', 3), "*3\r\n");
    ENC_EQ(fr_resp_hdr(b_, '$', 5), "$5\r\n");
    ENC_EQ(fr_resp_hdr(b_, ':', 42), ":42\r\n");
    ENC_EQ(fr_resp_hdr(b_, ':', 0), ":0\r\n");
    ENC_EQ(fr_resp_hdr(b_, ':', -7), ":-7\r\n");
    ENC_EQ(fr_resp_hdr(b_, ':', LLONG_MIN), ":-9223372036854775808\r\n");
    ENC_EQ(fr_resp_hdr(b_, ':', LLONG_MAX), ":9223372036854775807\r\n");
    ENC_EQ(fr_resp_hdr(b_, '%', 2), "%2\r\n");
    ENC_EQ(fr_resp_hdr(b_, '~', 3), "~3\r\n");
    ENC_EQ(fr_resp_hdr(b_, '>', 3), ">3\r\n");
    ENC_EQ(fr_resp_map_hdr(b_, 2, 2), "*4\r\n");
    ENC_EQ(fr_resp_map_hdr(b_, 3, 2), "%2\r\n");
    ENC_EQ(fr_resp_set_hdr(b_, 2, 3), "*3\r\n");
    ENC_EQ(fr_resp_set_hdr(b_, 3, 3), "~3\r\n");
    ENC_EQ(fr_resp_null(b_, 2), "$-1\r\n");
    ENC_EQ(fr_resp_null(b_, 3), "_\r\n");
    ENC_EQ(fr_resp_null_array(b_, 2), "*-1\r\n");
    ENC_EQ(fr_resp_null_array(b_, 3), "_\r\n");
    ENC_EQ(fr_resp_bool(b_, 2, 1), ":1\r\n");
    ENC_EQ(fr_resp_bool(b_, 2, 0), ":0\r\n");
    ENC_EQ(fr_resp_bool(b_, 3, 1), "#t\r\n");
    ENC_EQ(fr_resp_bool(b_, 3, 0), "#f\r\n");
    ENC_EQ(fr_resp_verbatim_hdr(b_, 3, 5, "txt"), "=9\r\ntxt:");
    ENC_EQ(fr_resp_verbatim_hdr(b_, 3, 0, "md"), "=4\r\nmd :");
    ENC_EQ(fr_resp_verbatim_hdr(b_, 3, 1, "markdown"), "=5\r\nmar:");
    ENC_EQ(fr_resp_verbatim_hdr(b_, 2, 5, "txt"), "$5\r\n");
    ENC_EQ(fr_resp_bignum_hdr(b_, 3, 40), "(");
    ENC_EQ(fr_resp_bignum_hdr(b_, 2, 40), "$40\r\n");
}
END_TEST

START_TEST(test_encode_doubles)
{
    /* server: ZSCORE in RESP2 and after HELLO 3. */
    ENC_EQ(fr_resp_double(b_, sizeof(b_), 0.1, 2), "$19\r\n0.10000000000000001\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), 0.1, 3), ",0.10000000000000001\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), 3, 2), "$1\r\n3\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), 3, 3), ",3\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), 1e300, 2), "$23\r\n1.0000000000000001e+300\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), INFINITY, 2), "$3\r\ninf\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), -INFINITY, 2), "$4\r\n-inf\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), INFINITY, 3), ",inf\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), -INFINITY, 3), ",-inf\r\n");
    ENC_EQ(fr_resp_double(b_, sizeof(b_), 5e-324, 3), ",4.9406564584124654e-324\r\n");
    ENC_EQ(fr_resp_double(b_, 8, 0.1, 3), "");            /* no room */
    ENC_EQ(fr_resp_double(b_, 6, 1.5, 3), ",1.5\r\n");     /* exactly enough */
    ENC_EQ(fr_resp_double(b_, 5, 1.5, 3), "");
    /* server: INCRBYFLOAT replies. */
    ENC_EQ(fr_resp_human_ld(b_, sizeof(b_), 10.6L, 2), "$4\r\n10.6\r\n");
    ENC_EQ(fr_resp_human_ld(b_, sizeof(b_), 3000.0L, 3), ",3000\r\n");
    ENC_EQ(fr_resp_human_ld(b_, sizeof(b_), -0.5L, 2), "$4\r\n-0.5\r\n");
}
END_TEST

START_TEST(test_encode_errors_and_status)
{
    ENC_EQ(fr_resp_error(b_, "foo bar", 7, 0), "-ERR foo bar\r\n");
    ENC_EQ(fr_resp_error(b_, "-WRONGTYPE x", 12, 0), "-WRONGTYPE x\r\n");
    ENC_EQ(fr_resp_error(b_, "", 0, 0), "-ERR \r\n");
    ENC_EQ(fr_resp_error(b_, "a\r\nb", 4, 0), "-ERR a\r\nb\r\n");   /* raw, as asked */
    ENC_EQ(fr_resp_error(b_, "a\r\nb", 4, FR_RESP_CRLF_MAP), "-ERR a  b\r\n");
    ENC_EQ(fr_resp_error(b_, "\r\na\rb\n", 6, FR_RESP_CRLF_TRIM), "-ERR a b\r\n");
    ENC_EQ(fr_resp_error(b_, "\n-X y\r", 6, FR_RESP_CRLF_TRIM), "-X y\r\n");
    ENC_EQ(fr_resp_error(b_, "\r\n", 2, FR_RESP_CRLF_TRIM), "-ERR \r\n");
    ENC_EQ(fr_resp_error(b_, "Protocol error: invalid bulk length", 35, 0),
           "-ERR Protocol error: invalid bulk length\r\n");
    ENC_EQ(fr_resp_status(b_, "OK", 2, 0), "+OK\r\n");
    ENC_EQ(fr_resp_status(b_, "X\r\n+INJECTED", 12, FR_RESP_CRLF_MAP), "+X  +INJECTED\r\n");
    ENC_EQ(fr_resp_status(b_, "\r\nA B\r\n", 7, FR_RESP_CRLF_TRIM), "+A B\r\n");
    ENC_EQ(fr_resp_status(b_, "", 0, 0), "+\r\n");
}
END_TEST

Suite *resp_suite(void)
{
    Suite *s = suite_create("resp");
    TCase *tc = tcase_create("parser");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_negative_corpus);
    tcase_add_test(tc, test_valid_pipeline);
    tcase_add_test(tc, test_inline_forms);
    tcase_add_test(tc, test_errors_and_stickiness);
    tcase_add_test(tc, test_feed_stops_at_command_end);
    tcase_add_test(tc, test_stolen_args_tolerated);
    tcase_add_test(tc, test_arena);
    tcase_add_test(tc, test_auth_limits_follow_each_feed);
    tcase_add_test(tc, test_line_limits);
    tcase_add_test(tc, test_nul_hides_terminator);
    tcase_add_test(tc, test_many_args);
    tcase_add_test(tc, test_fast_path_split_anywhere);
    tcase_add_test(tc, test_corpus_split_anywhere);
    tcase_add_test(tc, test_big_bulk_direct);
    tcase_add_test(tc, test_direct_target_only_for_big);
    tcase_add_test(tc, test_big_bulk_spare);
    suite_add_tcase(s, tc);
    TCase *enc = tcase_create("encoders");
    tcase_add_test(enc, test_encode_headers);
    tcase_add_test(enc, test_encode_doubles);
    tcase_add_test(enc, test_encode_errors_and_status);
    suite_add_tcase(s, enc);
    return s;
}

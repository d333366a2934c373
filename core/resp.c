/* resp.c -- parses RESP requests and writes RESP replies; nothing else.
 *
 * Parser model: Redis keeps unparsed bytes in a query buffer and re-scans it
 * after every read; we consume every byte at once and keep only what an
 * incomplete element needs (a partial line, or the bulk being filled), so a
 * bulk is placed once at its final size and its payload copied at most once
 * (not at all when read through the direct target).  Whole "*<count>"
 * headers and whole small bulks already in the buffer take a fast path (one
 * scan, no line gathering) that hands over to the state machine at the
 * first element that is partial or unusual, so errors stay its own.
 * Where arguments live: a bulk below FR_PROTO_MBULK_BIG_ARG goes into the
 * parser's arena, one buffer reused by every command (no malloc/free per
 * argument); a big one gets its own fr_str so the direct target can fill it
 * and a handler can keep it (fr_reqparser_take_arg moves it out, copies an
 * arena one).  Once a big one is complete a spare buffer of its size is set
 * aside for the next (Redis assumes one fat argument comes after another
 * and keeps its query buffer that large: CLIENT LIST's qbuf figures and
 * the memory held stay Redis's); the client cron drops it when recent
 * reads stay small.  Inline commands' arguments are heap strings too.  When the
 * arena must grow mid-command, argv entries pointing into it are moved
 * along; nothing else may hold arena pointers across a feed.
 * The observable behaviour stays Redis's:
 *  - a header or inline line ends at the first '\r' (headers) or '\n'
 *    (inline); the byte after a header's '\r' is skipped unchecked, and so
 *    are the two bytes after a bulk's payload;
 *  - Redis finds terminators with strchr(), so a NUL before the terminator
 *    hides it: the line never completes, and bytes only pile up until the
 *    "too big" limit fires ("stuck" below);
 *  - the "too big" checks run when a feed ends with the line still open,
 *    on the bytes pending since the line began, as Redis checks after each
 *    read.
 * Ownership: p->argv and its strings, p->bulk, p->line and p->arena belong
 * to the parser until the caller takes an argument (setting its slot to
 * NULL); only heap arguments are ever freed one by one. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#if defined(FR_ASAN)
#include <sanitizer/asan_interface.h>
#define arena_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define arena_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define arena_poison(p, n) ((void)(p), (void)(n))
#define arena_unpoison(p, n) ((void)(p), (void)(n))
#endif

#include "resp.h"
#include "splitargs.h"
#include "util.h"

enum {
    PS_START,      /* next byte begins a command */
    PS_INLINE,     /* inline line, ends at '\n' */
    PS_MB_COUNT,   /* "*<count>" line, ends at '\r' */
    PS_BULK_HDR,   /* "$<len>" line, ends at '\r' */
    PS_LINE_CR,    /* header line got its '\r': skip one more byte */
    PS_BULK_DATA,  /* filling p->bulk */
    PS_BULK_SKIP,  /* skipping a small bulk's trailing two bytes */
    PS_READY,      /* argv holds a command */
    PS_ERROR       /* p->error is set; nothing more is parsed */
};

#define ARGV_PREALLOC_MAX 1024   /* a hostile "*2000000000" costs nothing */
#define LINE_KEEP_MAX 4096       /* line buffers above are released */
#define ARENA_MIN 1024           /* first arena size */
#define ARENA_KEEP_MAX (64 * 1024) /* arenas above are released at reset */

void fr_reqlimits_default(fr_reqlimits *lim)
{
    fr_reqlimits d = FR_REQLIMITS_DEFAULT;
    *lim = d;
}

void fr_reqparser_init(fr_reqparser *p)
{
    memset(p, 0, sizeof(*p));
    p->state = PS_START;
}

/* ------------------------------------------------------------ arena */

int fr_reqparser_in_arena(const fr_reqparser *p, const fr_str *s)
{
    return (uintptr_t)s - (uintptr_t)p->arena < p->arena_used;
}

/* Room for an fr_str of cap bytes, 8-aligned so the next header is too. */
static size_t arena_need(size_t cap)
{
    return (sizeof(fr_str) + cap + 1 + 7) & ~(size_t)7;
}

/* Grow to fit `need` more bytes; the command's arena arguments move. */
static void arena_grow(fr_reqparser *p, size_t need)
{
    size_t cap = p->arena_cap ? p->arena_cap * 2 : ARENA_MIN;
    while (cap - p->arena_used < need) cap *= 2;
    uintptr_t old = (uintptr_t)p->arena;
    arena_unpoison(p->arena, p->arena_cap);
    char *a = fr_realloc(p->arena, cap);
    for (int i = 0; i < p->argc; i++) {
        uintptr_t off = (uintptr_t)p->argv[i] - old;
        if (off < p->arena_used) p->argv[i] = (fr_str *)(a + off);
    }
    p->arena = a;
    p->arena_cap = cap;
    arena_poison(a + p->arena_used, cap - p->arena_used);
}

static fr_str *arena_str(fr_reqparser *p, size_t cap)
{
    size_t need = arena_need(cap);
    if (p->arena_cap - p->arena_used < need) arena_grow(p, need);
    fr_str *s = (fr_str *)(p->arena + p->arena_used);
    arena_unpoison(s, need);
    p->arena_used += need;
    s->len = 0;
    s->cap = cap;
    return s;
}

static void arena_release(fr_reqparser *p)
{
    arena_unpoison(p->arena, p->arena_cap);
    fr_free(p->arena);
    p->arena = NULL;
    p->arena_used = p->arena_cap = 0;
}

/* Empty the arena for the next command; a big one goes back (as Redis
 * shrinks a query buffer that a big request grew). */
static void arena_reset(fr_reqparser *p)
{
    if (p->arena_cap > ARENA_KEEP_MAX) {
        arena_release(p);
        return;
    }
    p->arena_used = 0;
    arena_poison(p->arena, p->arena_cap);
}

static void arg_free(fr_reqparser *p, fr_str *s)
{
    if (!fr_reqparser_in_arena(p, s)) fr_str_free(s);
}

fr_str *fr_reqparser_take_arg(fr_reqparser *p, int i)
{
    fr_str *s = p->argv[i];
    if (!s) return NULL;
    if (fr_reqparser_in_arena(p, s)) return fr_str_dup(s);
    p->argv[i] = NULL;
    return s;
}

size_t fr_reqparser_args_memory(const fr_reqparser *p)
{
    size_t sum = p->arena_cap;
    for (int i = 0; i < p->argc; i++)
        if (p->argv[i] && !fr_reqparser_in_arena(p, p->argv[i])) sum += p->argv[i]->len;
    return sum;
}

/* ------------------------------------------------------------ state */

static void free_args(fr_reqparser *p)
{
    for (int i = 0; i < p->argc; i++) arg_free(p, p->argv[i]);
    p->argc = 0;
}

void fr_reqparser_free(fr_reqparser *p)
{
    free_args(p);
    fr_free(p->argv);
    arg_free(p, p->bulk);
    fr_str_free(p->spare);
    fr_free(p->line);
    arena_release(p);
    fr_reqparser_init(p);
}

static void line_reset(fr_reqparser *p)
{
    p->line_len = 0;
    p->line_pending = 0;
    p->line_stuck = 0;
    if (p->line_cap > LINE_KEEP_MAX) {
        fr_free(p->line);
        p->line = NULL;
        p->line_cap = 0;
    }
}

void fr_reqparser_reset_command(fr_reqparser *p)
{
    if (p->state == PS_ERROR) return;
    free_args(p);
    if (p->argv_cap > ARGV_PREALLOC_MAX) {
        fr_free(p->argv);
        p->argv = NULL;
        p->argv_cap = 0;
    }
    arg_free(p, p->bulk);
    p->bulk = NULL;
    arena_reset(p);
    p->mbulk_left = 0;
    p->skip = 0;
    p->inline_cmd = 0;
    line_reset(p);
    p->state = PS_START;
}

static void set_error(fr_reqparser *p, const char *err, const char *reason)
{
    p->error = err;
    p->error_reason = reason;
    p->state = PS_ERROR;
}

/* ------------------------------------------------------------ lines */

static void line_append(fr_reqparser *p, const char *s, size_t n)
{
    if (n == 0) return;
    if (p->line_len + n > p->line_cap) {
        size_t cap = p->line_cap ? p->line_cap : 64;
        while (cap < p->line_len + n) cap *= 2;
        p->line = fr_realloc(p->line, cap);
        p->line_cap = cap;
    }
    memcpy(p->line + p->line_len, s, n);
    p->line_len += n;
}

enum { LINE_MORE, LINE_DONE, LINE_TOOBIG };

/* Gather a line ending at `term` from buf.  LINE_DONE: the line is at
 * *lp, *ll (terminator excluded; a header's '\r' must still be followed by
 * one byte, see PS_LINE_CR).  LINE_MORE/LINE_TOOBIG: all len bytes were
 * used; TOOBIG when the pending bytes passed the limit. */
static int take_line(fr_reqparser *p, const char *buf, size_t len, char term,
                     size_t max, size_t *used, const char **lp, size_t *ll)
{
    const char *t = p->line_stuck ? NULL : memchr(buf, term, len);
    size_t upto = t ? (size_t)(t - buf) : len;

    if (!p->line_stuck && memchr(buf, '\0', upto)) p->line_stuck = 1;
    if (p->line_stuck || !t) {
        p->line_pending += len;
        *used = len;
        if (p->line_pending > max) return LINE_TOOBIG;
        if (!p->line_stuck) line_append(p, buf, len);
        return LINE_MORE;
    }
    *used = upto + 1;
    if (p->line_len == 0) {
        *lp = buf;
        *ll = upto;
    } else {
        line_append(p, buf, upto);
        *lp = p->line;
        *ll = p->line_len;
    }
    return LINE_DONE;
}

/* ------------------------------------------------------------ commands */

/* Grow argv to at least `need` slots. */
static void argv_ensure(fr_reqparser *p, long long need)
{
    if (need <= p->argv_cap) return;
    p->argv = fr_realloc(p->argv, sizeof(*p->argv) * (size_t)need);
    p->argv_cap = (int)need;
}

static void inline_line(fr_reqparser *p, const char *l, size_t n)
{
    int argc;
    if (n && l[n - 1] == '\r') n--;
    fr_str **v = fr_splitargs(l, n, &argc);
    if (!v) {
        set_error(p, "Protocol error: unbalanced quotes in request",
                  "unbalanced quotes in inline request");
        return;
    }
    line_reset(p);
    if (argc == 0) {
        p->state = PS_START;
    } else {
        argv_ensure(p, argc);
        memcpy(p->argv, v, sizeof(*v) * (size_t)argc);
        p->argc = argc;
        p->inline_cmd = 1;
        p->state = PS_READY;
    }
    fr_free(v);
}

/* A "*<count>" header announced count > 0 bulks. */
static void mbulk_begin(fr_reqparser *p, long long count)
{
    p->mbulk_left = count;
    argv_ensure(p, count < ARGV_PREALLOC_MAX ? count : ARGV_PREALLOC_MAX);
    p->state = PS_BULK_HDR;
}

static void mbulk_count_line(fr_reqparser *p, const char *l, size_t n,
                             const fr_reqlimits *lim)
{
    long long ll;
    if (!fr_string2ll(l + 1, n - 1, &ll) || ll > 2147483647LL) {
        set_error(p, "Protocol error: invalid multibulk length", "invalid mbulk count");
        return;
    }
    if (ll > FR_PROTO_UNAUTH_MAX_MBULK && lim->auth_required) {
        set_error(p, "Protocol error: unauthenticated multibulk length",
                  "unauth mbulk count");
        return;
    }
    if (lim->hardened_max_mbulk >= 0 && ll > lim->hardened_max_mbulk) {
        set_error(p, "Protocol error: too many arguments (hardened mode)", "hardened mbulk count");
        return;
    }
    line_reset(p);
    if (ll <= 0) {
        p->state = PS_START;
        return;
    }
    mbulk_begin(p, ll);
}

static void bulk_done(fr_reqparser *p)
{
    p->mbulk_left--;
    p->state = p->mbulk_left ? PS_BULK_HDR : PS_READY;
}

static void push_arg(fr_reqparser *p, fr_str *s)
{
    if (p->argc == p->argv_cap) {
        /* Doubling, but never past what the header announced. */
        long long want = 2LL * p->argv_cap, most = p->argc + p->mbulk_left;
        argv_ensure(p, want < most ? want : most);
    }
    p->argv[p->argc++] = s;
}

/* The payload is complete: hand the string to argv. */
static void bulk_finish(fr_reqparser *p)
{
    fr_str *s = p->bulk;
    s->len = (size_t)p->bulk_len;
    s->buf[s->len] = '\0';
    push_arg(p, s);
    p->bulk = NULL;
    if (p->bulk_len >= FR_PROTO_MBULK_BIG_ARG && !p->spare) p->spare = fr_str_new_empty(p->bulk_target);
    if (p->skip)
        p->state = PS_BULK_SKIP;
    else
        bulk_done(p);
}

/* A big bulk's buffer: the spare when it fits with at most a quarter
 * unused (one allocator size class: the argument may be stored as it is,
 * and a far larger block would stay wasted); otherwise the spare is given
 * up, as Redis resizes its query buffer rather than keep a second one. */
static fr_str *big_bulk_str(fr_reqparser *p, size_t cap)
{
    fr_str *s = p->spare;
    p->spare = NULL;
    if (s && s->cap >= cap && s->cap - cap <= cap / 4) return s;
    fr_str_free(s);
    return fr_str_new_empty(cap);
}

static void bulk_begin(fr_reqparser *p, long long len)
{
    int big = len >= FR_PROTO_MBULK_BIG_ARG;
    p->bulk_len = len;
    /* A big bulk also takes its CRLF so one read() can finish it. */
    p->bulk_target = (size_t)len + (big ? 2 : 0);
    p->bulk = big ? big_bulk_str(p, p->bulk_target) : arena_str(p, p->bulk_target);
    p->bulk_fill = 0;
    p->skip = big ? 0 : 2;
    p->state = PS_BULK_DATA;
    if (p->bulk_target == 0) bulk_finish(p);
}

static void bulk_header_line(fr_reqparser *p, const char *l, size_t n,
                             const fr_reqlimits *lim)
{
    long long ll;
    /* An empty line means the byte Redis looked at was the '\r' itself. */
    char c = n ? l[0] : '\r';
    if (c != '$') {
        snprintf(p->errbuf, sizeof(p->errbuf), "Protocol error: expected '$', got '%c'",
                 c == '\r' || c == '\n' ? ' ' : c);
        set_error(p, p->errbuf, "expected $ but got something else");
        return;
    }
    if (!fr_string2ll(l + 1, n - 1, &ll) || ll < 0 ||
        (lim->proto_max_bulk_len >= 0 && ll > lim->proto_max_bulk_len)) {
        set_error(p, "Protocol error: invalid bulk length", "invalid bulk length");
        return;
    }
    if (ll > FR_PROTO_UNAUTH_MAX_BULK && lim->auth_required) {
        set_error(p, "Protocol error: unauthenticated bulk length", "unauth bulk length");
        return;
    }
    if (lim->hardened_max_bulk >= 0 && ll > lim->hardened_max_bulk) {
        set_error(p, "Protocol error: bulk too long (hardened mode)", "hardened bulk length");
        return;
    }
    line_reset(p);
    bulk_begin(p, ll);
}

static void header_line(fr_reqparser *p, int kind, const char *l, size_t n,
                        const fr_reqlimits *lim)
{
    if (kind == PS_MB_COUNT)
        mbulk_count_line(p, l, n, lim);
    else
        bulk_header_line(p, l, n, lim);
}

/* ------------------------------------------------------------ fast path */

/* When a header and, for a bulk, its payload are complete in the buffer,
 * the common shapes are taken in one scan: "*<count>\r?" and
 * "$<len>\r?<payload>??" with plain decimal digits (no sign, no leading
 * zero), within every limit, and a bulk below the big-argument size.  That
 * is exactly what the state machine would accept and do, byte for byte
 * (the bytes after '\r' and after the payload are skipped unchecked there
 * too).  Anything else -- a partial element, an error, an odd number --
 * returns 0 at an element boundary, where the state machine takes over
 * with the same state it would have had. */

/* Digits from buf[0] up to a '\r' that is not the last byte: the '\r''s
 * index, or 0 when the line is not of that form or has more than `most`
 * digits. */
static size_t scan_number(const char *buf, size_t len, size_t most, long long *out)
{
    size_t i = 0;
    long long v = 0;
    if (len < 2 || buf[0] < '1' || buf[0] > '9') return 0;
    while (i < len && i <= most && buf[i] >= '0' && buf[i] <= '9') v = v * 10 + (buf[i++] - '0');
    if (i > most || i + 1 >= len || buf[i] != '\r') return 0;
    *out = v;
    return i;
}

static size_t fast_count(fr_reqparser *p, const char *buf, size_t len, const fr_reqlimits *lim)
{
    long long n;
    size_t cr = scan_number(buf + 1, len - 1, 9, &n); /* below 2^31 */
    if (!cr || (n > FR_PROTO_UNAUTH_MAX_MBULK && lim->auth_required) ||
        (lim->hardened_max_mbulk >= 0 && n > lim->hardened_max_mbulk))
        return 0;
    mbulk_begin(p, n);
    return cr + 3;
}

static size_t fast_bulk(fr_reqparser *p, const char *buf, size_t len, const fr_reqlimits *lim)
{
    long long n;
    size_t cr = len > 3 && buf[0] == '$' ? scan_number(buf + 1, len - 1, 5, &n) : 0;
    if (!cr && len > 4 && buf[0] == '$' && buf[1] == '0' && buf[2] == '\r') cr = 1, n = 0;
    if (!cr || n >= FR_PROTO_MBULK_BIG_ARG || (n > FR_PROTO_UNAUTH_MAX_BULK && lim->auth_required) ||
        (lim->proto_max_bulk_len >= 0 && n > lim->proto_max_bulk_len) ||
        (lim->hardened_max_bulk >= 0 && n > lim->hardened_max_bulk))
        return 0;
    size_t data = cr + 3, end = data + (size_t)n + 2;
    if (end > len) return 0;
    fr_str *s = arena_str(p, (size_t)n);
    memcpy(s->buf, buf + data, (size_t)n);
    s->len = (size_t)n;
    s->buf[n] = '\0';
    push_arg(p, s);
    bulk_done(p);
    return end;
}

static size_t fast_bulks(fr_reqparser *p, const char *buf, size_t len, const fr_reqlimits *lim)
{
    size_t off = 0, n;
    while (p->state == PS_BULK_HDR && (n = fast_bulk(p, buf + off, len - off, lim))) off += n;
    return off;
}

/* ------------------------------------------------------------ feeding */

static size_t step_line(fr_reqparser *p, const char *buf, size_t len,
                        const fr_reqlimits *lim)
{
    static const char *const toobig[][2] = {
        [PS_INLINE] = {"Protocol error: too big inline request", "too big inline request"},
        [PS_MB_COUNT] = {"Protocol error: too big mbulk count string",
                         "too big mbulk count string"},
        [PS_BULK_HDR] = {"Protocol error: too big bulk count string",
                         "too big bulk count string"},
    };
    int kind = p->state;
    const char *l = NULL;
    size_t n = 0, used;
    int r = take_line(p, buf, len, kind == PS_INLINE ? '\n' : '\r', lim->inline_max,
                      &used, &l, &n);

    if (r == LINE_TOOBIG) {
        set_error(p, toobig[kind][0], toobig[kind][1]);
    } else if (r == LINE_DONE && kind == PS_INLINE) {
        inline_line(p, l, n);
    } else if (r == LINE_DONE && used < len) {
        header_line(p, kind, l, n, lim);
        used++;
    } else if (r == LINE_DONE) {
        /* The '\r' was the last byte: keep the line, wait for one more. */
        if (l == buf) line_append(p, l, n);
        p->line_kind = kind;
        p->state = PS_LINE_CR;
    }
    return used;
}

static size_t step_bulk_data(fr_reqparser *p, const char *buf, size_t len)
{
    size_t n = p->bulk_target - p->bulk_fill;
    if (n > len) n = len;
    memcpy(p->bulk->buf + p->bulk_fill, buf, n);
    p->bulk_fill += n;
    if (p->bulk_fill == p->bulk_target) bulk_finish(p);
    return n;
}

static size_t step_bulk_skip(fr_reqparser *p, size_t len)
{
    size_t n = (size_t)p->skip < len ? (size_t)p->skip : len;
    p->skip -= (int)n;
    if (p->skip == 0) bulk_done(p);
    return n;
}

static size_t step(fr_reqparser *p, const char *buf, size_t len, const fr_reqlimits *lim)
{
    size_t n;
    switch (p->state) {
    case PS_START:
        if (buf[0] == '*' && (n = fast_count(p, buf, len, lim))) return n;
        p->state = buf[0] == '*' ? PS_MB_COUNT : PS_INLINE;
        return 0;
    case PS_BULK_HDR:
        if (p->line_pending == 0 && (n = fast_bulks(p, buf, len, lim))) return n;
        return step_line(p, buf, len, lim);
    case PS_INLINE:
    case PS_MB_COUNT:
        return step_line(p, buf, len, lim);
    case PS_LINE_CR:
        header_line(p, p->line_kind, p->line, p->line_len, lim);
        return 1;
    case PS_BULK_DATA:
        return step_bulk_data(p, buf, len);
    case PS_BULK_SKIP:
        return step_bulk_skip(p, len);
    default:
        return len;
    }
}

size_t fr_reqparser_feed(fr_reqparser *p, const char *buf, size_t len,
                         const fr_reqlimits *lim, int *ready)
{
    size_t off = 0;
    *ready = p->state == PS_READY;
    while (off < len && p->state != PS_READY && p->state != PS_ERROR)
        off += step(p, buf + off, len - off, lim);
    *ready = p->state == PS_READY;
    return off;
}

int fr_reqparser_direct_target(fr_reqparser *p, char **dst, size_t *room)
{
    if (p->state != PS_BULK_DATA || p->bulk_len < FR_PROTO_MBULK_BIG_ARG) return 0;
    *dst = p->bulk->buf + p->bulk_fill;
    *room = p->bulk_target - p->bulk_fill;
    return 1;
}

int fr_reqparser_direct_commit(fr_reqparser *p, size_t n)
{
    if (p->state != PS_BULK_DATA || n == 0) return p->state == PS_READY;
    p->bulk_fill += n;
    if (p->bulk_fill == p->bulk_target) bulk_finish(p);
    return p->state == PS_READY;
}

size_t fr_reqparser_spare_size(const fr_reqparser *p)
{
    return p->spare ? p->spare->cap : 0;
}

void fr_reqparser_drop_spare(fr_reqparser *p)
{
    fr_str_free(p->spare);
    p->spare = NULL;
}

size_t fr_reqparser_pending(const fr_reqparser *p)
{
    switch (p->state) {
    case PS_INLINE:
    case PS_MB_COUNT:
    case PS_BULK_HDR:
        return p->line_pending;
    case PS_LINE_CR:
        return p->line_len + 1;
    case PS_BULK_DATA:
        return p->bulk_fill;
    case PS_BULK_SKIP:
        return 2 - (size_t)p->skip;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ replies */

int fr_resp_hdr(char *dst, char prefix, long long n)
{
    dst[0] = prefix;
    int l = fr_ll2string(dst + 1, FR_RESP_HDR_MAX - 3, n);
    dst[l + 1] = '\r';
    dst[l + 2] = '\n';
    return l + 3;
}

int fr_resp_map_hdr(char *dst, int resp, long pairs)
{
    return resp == 2 ? fr_resp_hdr(dst, '*', 2LL * pairs) : fr_resp_hdr(dst, '%', pairs);
}

int fr_resp_set_hdr(char *dst, int resp, long n)
{
    return fr_resp_hdr(dst, resp == 2 ? '*' : '~', n);
}

static int put_lit(char *dst, const char *s)
{
    size_t n = strlen(s);
    memcpy(dst, s, n);
    return (int)n;
}

int fr_resp_null(char *dst, int resp)
{
    return put_lit(dst, resp == 2 ? "$-1\r\n" : "_\r\n");
}

int fr_resp_null_array(char *dst, int resp)
{
    return put_lit(dst, resp == 2 ? "*-1\r\n" : "_\r\n");
}

int fr_resp_bool(char *dst, int resp, int v)
{
    if (resp == 2) return put_lit(dst, v ? ":1\r\n" : ":0\r\n");
    return put_lit(dst, v ? "#t\r\n" : "#f\r\n");
}

/* RESP2: "$<n>\r\n<text>\r\n"; RESP3: ",<text>\r\n". */
static int number_reply(char *dst, size_t cap, const char *txt, size_t n, int resp)
{
    char hdr[FR_RESP_HDR_MAX];
    int h = resp == 2 ? fr_resp_hdr(hdr, '$', (long long)n) : put_lit(hdr, ",");
    if ((size_t)h + n + 2 > cap) return 0;
    memcpy(dst, hdr, (size_t)h);
    memcpy(dst + h, txt, n);
    memcpy(dst + h + n, "\r\n", 2);
    return h + (int)n + 2;
}

int fr_resp_double(char *dst, size_t cap, double d, int resp)
{
    char txt[FR_MAX_D2STRING_CHARS];
    int n = fr_d2string(txt, sizeof(txt), d);
    return number_reply(dst, cap, txt, (size_t)n, resp);
}

int fr_resp_human_ld(char *dst, size_t cap, long double v, int resp)
{
    char txt[FR_MAX_LONG_DOUBLE_CHARS];
    int n = fr_ld2string(txt, sizeof(txt), v, FR_LD_HUMAN);
    if (n == 0) return 0;
    return number_reply(dst, cap, txt, (size_t)n, resp);
}

int fr_resp_verbatim_hdr(char *dst, int resp, size_t len, const char *ext)
{
    if (resp == 2) return fr_resp_hdr(dst, '$', (long long)len);
    int n = fr_resp_hdr(dst, '=', (long long)len + 4);
    for (int i = 0; i < 3; i++) dst[n++] = *ext ? *ext++ : ' ';
    dst[n++] = ':';
    return n;
}

int fr_resp_bignum_hdr(char *dst, int resp, size_t len)
{
    if (resp == 2) return fr_resp_hdr(dst, '$', (long long)len);
    dst[0] = '(';
    return 1;
}

static int is_crlf(char c)
{
    return c == '\r' || c == '\n';
}

/* Copy s into dst, applying the CR/LF flags; returns the bytes written. */
static size_t put_text(char *dst, const char *s, size_t len, int flags)
{
    if (flags & FR_RESP_CRLF_TRIM) {
        while (len && is_crlf(s[0])) s++, len--;
        while (len && is_crlf(s[len - 1])) len--;
    }
    memcpy(dst, s, len);
    if (flags & (FR_RESP_CRLF_MAP | FR_RESP_CRLF_TRIM))
        for (size_t i = 0; i < len; i++)
            if (is_crlf(dst[i])) dst[i] = ' ';
    return len;
}

size_t fr_resp_error(char *dst, const char *s, size_t len, int flags)
{
    size_t n = 0;
    if (flags & FR_RESP_CRLF_TRIM) {
        /* Redis trims before it looks for the caller's '-'. */
        while (len && is_crlf(s[0])) s++, len--;
        while (len && is_crlf(s[len - 1])) len--;
    }
    if (len == 0 || s[0] != '-') {
        memcpy(dst, "-ERR ", 5);
        n = 5;
    }
    n += put_text(dst + n, s, len, flags);
    memcpy(dst + n, "\r\n", 2);
    return n + 2;
}

size_t fr_resp_status(char *dst, const char *s, size_t len, int flags)
{
    dst[0] = '+';
    size_t n = 1 + put_text(dst + 1, s, len, flags);
    memcpy(dst + n, "\r\n", 2);
    return n + 2;
}

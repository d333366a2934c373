/* reply.c -- the SDK's fr_reply_* functions and the client output buffer.
 *
 * Bytes go into the client's fixed `buf` while no block exists, then into a
 * list of blocks (at least FR_REPLY_CHUNK bytes each, bigger for a big bulk).
 * A deferred length reserves its own small block that later writes skip, so
 * the header can be filled in when the element count is known.  Encodings
 * (RESP2 vs RESP3) come from resp.c; this file only decides where bytes go
 * and keeps error statistics.
 *
 * Replies to a client that is about to be closed (QUIT, protocol error) are
 * dropped, as Redis does. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "obuf_limit.h"
#include "protocol.h"

#define DEFERRED_HDR_ROOM 32

static void push_block(fr_client *c, size_t size)
{
    fr_reply_block *b = fr_malloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    b->deferred = 0;
    if (c->reply_tail) c->reply_tail->next = b;
    else c->reply_head = b;
    c->reply_tail = b;
    c->reply_mem += fr_malloc_size(b);
    if (c->flags & FR_CLIENT_REPLICA) fr_proto.replica_reply_mem += fr_malloc_size(b);
    c->reply_nblocks++;
}

/* Unlinks and frees the head block, whose bytes have all been written. */
static void pop_block(fr_client *c)
{
    fr_reply_block *b = c->reply_head;
    c->reply_head = b->next;
    if (!c->reply_head) c->reply_tail = NULL;
    c->reply_bytes -= b->used;
    c->reply_mem -= fr_malloc_size(b);
    if (c->flags & FR_CLIENT_REPLICA) fr_proto.replica_reply_mem -= fr_malloc_size(b);
    c->reply_nblocks--;
    c->reply_head_sent = 0;
    fr_free(b);
}

void fr_client_free_replies(fr_client *c)
{
    while (c->reply_head) pop_block(c);
    c->bufpos = c->sentlen = 0;
}

fr_str *fr_client_take_output(fr_client *c)
{
    fr_str *s = fr_str_new(c->buf + c->sentlen, c->bufpos - c->sentlen);
    for (fr_reply_block *b = c->reply_head; b; b = b->next) s = fr_str_cat(s, b->data, b->used);
    fr_client_free_replies(c);
    return s;
}

void fr_client_add_reply(fr_client *c, const char *p, size_t len)
{
    if (fr_client_silent(c)) return;
    if (!c->reply_head) {
        size_t room = sizeof(c->buf) - c->bufpos;
        size_t n = len < room ? len : room;
        memcpy(c->buf + c->bufpos, p, n);
        c->bufpos += n;
        p += n;
        len -= n;
    }
    int grew = 0;
    while (len > 0) {
        fr_reply_block *t = c->reply_tail;
        if (!t || t->deferred || t->used == t->size) {
            push_block(c, len > FR_REPLY_CHUNK ? len : FR_REPLY_CHUNK);
            t = c->reply_tail;
            grew = 1;
        }
        size_t n = t->size - t->used < len ? t->size - t->used : len;
        memcpy(t->data + t->used, p, n);
        t->used += n;
        c->reply_bytes += n;
        p += n;
        len -= n;
    }
    fr_client_mark_pending(c);
    /* As Redis, the limits are checked when the list gains a block: the
     * fixed buffer alone never closes a client. */
    if (grew && !(c->flags & FR_CLIENT_CAPTURE)) fr_obuf_enforce(c, 1);
}

/* Where to format a reply of at most `most` bytes in place: the free part
 * of `buf` when no block exists yet and it fits, else NULL (then build the
 * reply elsewhere and append it).  Finish with buf_commit. */
static char *buf_room(fr_client *c, size_t most)
{
    if (c->reply_head || most > sizeof(c->buf) - c->bufpos) return NULL;
    return c->buf + c->bufpos;
}

static void buf_commit(fr_client *c, size_t n)
{
    c->bufpos += n;
    fr_client_mark_pending(c);
}

/* Drops `n` written bytes from the front of the output: first from `buf`,
 * then from the head blocks.  Writers never pass a deferred block whose
 * length is unset, so every byte counted here was really sent. */
void fr_reply_consume(fr_client *c, size_t n)
{
    size_t inbuf = c->bufpos - c->sentlen;
    size_t k = n < inbuf ? n : inbuf;
    c->sentlen += k;
    n -= k;
    if (c->sentlen == c->bufpos) c->sentlen = c->bufpos = 0;
    while (n > 0) {
        fr_reply_block *b = c->reply_head;
        if (!b || b->deferred) fr_panic("consumed more output than was queued");
        size_t avail = b->used - c->reply_head_sent;
        k = n < avail ? n : avail;
        c->reply_head_sent += k;
        n -= k;
        if (c->reply_head_sent == b->used) pop_block(c);
    }
    /* drop emptied blocks left at the head (a header block set to "") */
    while (c->reply_head && c->reply_head->used == 0 && !c->reply_head->deferred) pop_block(c);
}

size_t fr_iov_total(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++) t += iov[i].iov_len;
    return t;
}

/* ------------------------------------------------------------ error stats */

typedef struct err_stat {
    char code[32];
    long long count;
} err_stat;
static err_stat errstats[128];
static int nerrstats;

void fr_error_count(const char *code, size_t len)
{
    if (len >= sizeof(errstats[0].code)) len = sizeof(errstats[0].code) - 1;
    for (int i = 0; i < nerrstats; i++)
        if (strlen(errstats[i].code) == len && !memcmp(errstats[i].code, code, len)) {
            errstats[i].count++;
            return;
        }
    if (nerrstats == (int)(sizeof(errstats) / sizeof(errstats[0]))) return;
    memcpy(errstats[nerrstats].code, code, len);
    errstats[nerrstats].code[len] = '\0';
    errstats[nerrstats++].count = 1;
}

void fr_error_stats_foreach(void (*fn)(const char *code, long long count, void *priv), void *priv)
{
    for (int i = 0; i < nerrstats; i++) fn(errstats[i].code, errstats[i].count, priv);
}

void fr_error_stats_reset(void)
{
    nerrstats = 0;
}

/* The error code is the first word after '-', or ERR. */
static void count_error(fr_client *c, const char *s, size_t len)
{
    fr_proto.stats.total_error_replies++;
    const char *sp = memchr(s, ' ', len < 32 ? len : 32);
    if (sp) fr_error_count(s + 1, (size_t)(sp - s) - 1);
    else fr_error_count("ERR", 3);
    if (c && c->error_sink) c->error_sink(c, s, len);
}

/* Error text as Redis composes it: "-ERR " unless the text brings its own
 * "-CODE", CR/LF trimmed at the ends and turned to spaces inside, so that a
 * user-supplied argument echoed in an error can never inject protocol. */
void fr_client_add_error(fr_client *c, const char *err, size_t len)
{
    char small[512];
    char *msg = FR_RESP_ERROR_MAX(len) <= sizeof(small) ? small : fr_malloc(FR_RESP_ERROR_MAX(len));
    size_t n = fr_resp_error(msg, err, len, FR_RESP_CRLF_MAP | FR_RESP_CRLF_TRIM);
    count_error(c, msg, n - 2);
    fr_client_add_reply(c, msg, n);
    if (msg != small) fr_free(msg);
}

/* The same error text, counted (total_error_replies, errorstats) but not
 * sent: a script's refused call, which Redis counts where it refuses. */
void fr_client_count_error(const char *err, size_t len)
{
    char small[512];
    char *msg = FR_RESP_ERROR_MAX(len) <= sizeof(small) ? small : fr_malloc(FR_RESP_ERROR_MAX(len));
    size_t n = fr_resp_error(msg, err, len, FR_RESP_CRLF_MAP | FR_RESP_CRLF_TRIM);
    count_error(NULL, msg, n - 2);
    if (msg != small) fr_free(msg);
}

/* The same error sent but not counted: one already counted where it
 * arose (a script's reply carrying a command's error). */
void fr_client_add_error_uncounted(fr_client *c, const char *err, size_t len)
{
    char small[512];
    char *msg = FR_RESP_ERROR_MAX(len) <= sizeof(small) ? small : fr_malloc(FR_RESP_ERROR_MAX(len));
    size_t n = fr_resp_error(msg, err, len, FR_RESP_CRLF_MAP | FR_RESP_CRLF_TRIM);
    fr_client_add_reply(c, msg, n);
    if (msg != small) fr_free(msg);
}

/* Errors may quote user input of any length (Redis does not truncate). */
void fr_client_add_errorv(fr_client *c, const char *fmt, va_list ap)
{
    fr_str *msg = fr_str_catvprintf(fr_str_new_empty(256), fmt, ap);
    fr_client_add_error(c, msg->buf, msg->len);
    fr_str_free(msg);
}

void fr_client_add_errorf(fr_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fr_client_add_errorv(c, fmt, ap);
    va_end(ap);
}

/* ----------------------------------------- encodings the SDK builds on */

void fr_client_add_hdr(fr_client *c, char prefix, long long n)
{
    char b[FR_RESP_HDR_MAX];
    fr_client_add_reply(c, b, (size_t)fr_resp_hdr(b, prefix, n));
}

/* "$<len>\r\n<payload>\r\n": one append straight into `buf` when it fits
 * there (the common small GET), three otherwise. */
void fr_client_add_bulk(fr_client *c, const void *p, size_t len)
{
    char *d;
    if (fr_client_silent(c)) return;
    if (len < sizeof(c->buf) && (d = buf_room(c, FR_RESP_HDR_MAX + len + 2))) {
        size_t n = (size_t)fr_resp_hdr(d, '$', (long long)len);
        memcpy(d + n, p, len);
        memcpy(d + n + len, "\r\n", 2);
        buf_commit(c, n + len + 2);
        return;
    }
    fr_client_add_hdr(c, '$', (long long)len);
    fr_client_add_reply(c, p, len);
    fr_client_add_reply(c, "\r\n", 2);
}

void fr_reply_array_client(fr_client *c, long len)
{
    fr_client_add_hdr(c, '*', len);
}

void *fr_client_add_deferred(fr_client *c)
{
    if (fr_client_silent(c)) return NULL;
    push_block(c, DEFERRED_HDR_ROOM);
    c->reply_tail->deferred = 1;
    return c->reply_tail;
}

void fr_client_set_deferred(fr_client *c, void *node, char prefix, long len)
{
    if (!node) return;
    fr_reply_block *b = node;
    b->used = (size_t)fr_resp_hdr(b->data, prefix, len);
    c->reply_bytes += b->used;
    b->deferred = 0;
    fr_client_mark_pending(c); /* the header may be all there is */
}

/* cmd_client.c -- CLIENT ID/SETNAME/GETNAME/LIST/INFO/KILL/HELP and the
 * CLIENT LIST line format.
 *
 * Owns no state: it reads and edits the client list (fr_proto.clients) and the
 * calling client.  Replies and error texts are Redis 7.0.15's; the line
 * format is catClientInfoString's field for field (user= is the ACL user
 * the client is authenticated as, acl.c).
 *
 * Invariants:
 *  - lists come out oldest connection first, as Redis keeps its list (ours
 *    is newest first, so it is walked backwards);
 *  - the calling client is never freed here: killing it only flags it to
 *    close once its reply is written. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "info.h"
#include "obuf_limit.h"
#include "commands.h"

/* Client types as CLIENT LIST TYPE / CLIENT KILL TYPE name them. */
enum { TYPE_NORMAL = 0, TYPE_REPLICA, TYPE_PUBSUB, TYPE_MASTER, TYPE_UNKNOWN = -1 };

static fr_client *me(fr_ctx *ctx)
{
    return ctx->client;
}

static int type_by_name(const char *name)
{
    if (!strcasecmp(name, "normal")) return TYPE_NORMAL;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica")) return TYPE_REPLICA;
    if (!strcasecmp(name, "pubsub")) return TYPE_PUBSUB;
    if (!strcasecmp(name, "master")) return TYPE_MASTER;
    return TYPE_UNKNOWN;
}

/* Redis's getClientType: a replica (marked by the replication module), else
 * pubsub while subscribed, else normal. */
static int type_of(const fr_client *c)
{
    if (c->flags & FR_CLIENT_REPLICA) return TYPE_REPLICA;
    return fr_client_subscribed(c) ? TYPE_PUBSUB : TYPE_NORMAL;
}

static fr_client *oldest_client(void)
{
    fr_client *c = fr_proto.clients;
    while (c && c->next) c = c->next;
    return c;
}

/* ------------------------------------------------------------ memory */

static size_t argv_bytes(const fr_client *c)
{
    size_t sum = 0;
    for (int i = 0; i < c->parser.argc; i++)
        if (c->parser.argv[i]) sum += c->parser.argv[i]->len;
    return sum;
}

size_t fr_client_memory(const fr_client *c, size_t *omem)
{
    size_t out = fr_obuf_memory(c);
    if (omem) *omem = out;
    /* The fixed reply buffer lives inside the struct, so fr_malloc_size(c)
     * already counts what Redis adds as buf_usable_size. */
    size_t total = out + fr_malloc_size((void *)c) + fr_malloc_size(c->qbuf) + fr_reqparser_spare_size(&c->parser);
    /* Arguments: what the parser holds (its arena whole, even between
     * commands, and the big ones), where Redis counts its argv strings. */
    total += fr_reqparser_args_memory(&c->parser) + sizeof(fr_str *) * (size_t)c->parser.argc;
    if (c->name) total += fr_str_alloc_size(c->name);
    return total;
}

/* --------------------------------------------------------- list line */

/* Redis's flag letters for the states we have; 'N' when none applies. */
static void flags_string(const fr_client *c, char *out)
{
    char *p = out;
    if (c->flags & FR_CLIENT_MONITOR) *p++ = 'O';
    else if (c->flags & FR_CLIENT_REPLICA) *p++ = 'S';
    if (fr_client_subscribed(c)) *p++ = 'P';
    if (c->multi) *p++ = 'x';
    if (fr_client_is_blocked(c)) *p++ = 'b';
    p = fr_tracking_flag_letters(c, p);
    if (c->multi_dirty_cas) *p++ = 'd';
    if (c->flags & FR_CLIENT_CLOSE_AFTER_REPLY) *p++ = 'c';
    if (c->flags & FR_CLIENT_UNBLOCKED) *p++ = 'u';
    if (c->flags & FR_CLIENT_CLOSE_ASAP) *p++ = 'A';
    if (c->flags & FR_CLIENT_UNIX_SOCKET) *p++ = 'U';
    if (c->flags & FR_CLIENT_NO_EVICT) *p++ = 'e';
    if (p == out) *p++ = 'N';
    *p = '\0';
}

static void events_string(const fr_client *c, char *out)
{
    char *p = out;
    if (ev_is_active(&c->rio)) *p++ = 'r';
    if (ev_is_active(&c->wio)) *p++ = 'w';
    *p = '\0';
}

/* Appends printf-style text to s. */
static fr_str *catf(fr_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static fr_str *catf(fr_str *s, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) return s;
    if ((size_t)n < sizeof(buf)) return fr_str_cat(s, buf, (size_t)n);
    s = fr_str_reserve(s, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
    return s;
}

/* qbuf counts what Redis's query buffer would hold: the bytes read and not
 * yet trimmed (the running command included) plus the partial element the
 * parser keeps aside; qbuf-free adds the spare big-argument buffer to the
 * query buffer's free room, as Redis's is one buffer.  rbp equals rbs: our reply buffer never resizes, so
 * its peak is its size. */
fr_str *fr_client_info_line(fr_client *c)
{
    char flags[16], events[3];
    size_t omem, tot = fr_client_memory(c, &omem);
    time_t now = fr_clock_unix();
    flags_string(c, flags);
    events_string(c, events);
    fr_str *s = fr_str_new_empty(512);
    s = catf(s, "id=%llu addr=%s laddr=%s fd=%d name=", (unsigned long long)c->id, c->addr, c->laddr, c->fd);
    if (c->name) s = fr_str_cat(s, c->name->buf, c->name->len);
    s = catf(s, " age=%lld idle=%lld flags=%s db=%d sub=%ld psub=%ld ssub=%ld multi=%d", (long long)(now - c->ctime),
             (long long)(now - c->last_interaction), flags, c->dbid, c->sub_channels, c->sub_patterns,
             c->sub_shard, c->multi ? c->multi->n : -1);
    s = catf(s, " qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=0", c->qlen + fr_reqparser_pending(&c->parser),
             c->qcap - c->qlen + fr_reqparser_spare_size(&c->parser), argv_bytes(c));
    s = catf(s, " rbs=%zu rbp=%zu obl=%zu oll=%zu omem=%zu tot-mem=%zu", sizeof(c->buf), sizeof(c->buf), c->bufpos,
             c->reply_nblocks, omem, tot);
    s = catf(s, " events=%s cmd=%s user=", events, c->lastcmd ? c->lastcmd->fullname : "NULL");
    size_t ulen;
    const char *user = fr_acl_client_username(c, &ulen);
    s = fr_str_cat(s, user, ulen);
    return catf(s, " redir=%lld resp=%d", fr_tracking_redirect(c), c->resp);
}

static fr_str *cat_line(fr_str *out, fr_client *c)
{
    fr_str *l = fr_client_info_line(c);
    out = fr_str_cat(out, l->buf, l->len);
    fr_str_free(l);
    return fr_str_cat(out, "\n", 1);
}

static void reply_text(fr_ctx *ctx, fr_str *s)
{
    fr_reply_verbatim(ctx, s->buf, s->len, "txt");
    fr_str_free(s);
}

/* ------------------------------------------------------------ handlers */

void fr_cmd_client_id(fr_ctx *ctx)
{
    fr_reply_long_long(ctx, (long long)me(ctx)->id);
}

/* Printable ASCII without space only: CLIENT LIST must stay splittable on
 * spaces.  An empty name removes the name. */
int fr_client_set_name(fr_ctx *ctx, const fr_str *name)
{
    for (size_t i = 0; i < name->len; i++) {
        unsigned char ch = (unsigned char)name->buf[i];
        if (ch < '!' || ch > '~') {
            fr_reply_error(ctx, "Client names cannot contain spaces, newlines or special characters.");
            return -1;
        }
    }
    fr_str_free(me(ctx)->name);
    me(ctx)->name = name->len ? fr_str_dup(name) : NULL;
    return 0;
}

void fr_cmd_client_setname(fr_ctx *ctx)
{
    if (fr_client_set_name(ctx, fr_arg(ctx, 2)) == 0) fr_reply_ok(ctx);
}

void fr_cmd_client_getname(fr_ctx *ctx)
{
    if (me(ctx)->name) fr_reply_bulk_str(ctx, me(ctx)->name);
    else fr_reply_null(ctx);
}

/* CLIENT REPLY ON|OFF|SKIP: OFF and SKIP answer nothing (the silence
 * starts with their own reply); SKIP under OFF changes nothing. */
void fr_cmd_client_reply(fr_ctx *ctx)
{
    fr_client *c = me(ctx);
    if (fr_arg_is(ctx, 2, "on")) {
        c->flags &= ~(FR_CLIENT_REPLY_SKIP | FR_CLIENT_REPLY_OFF);
        fr_reply_ok(ctx);
    } else if (fr_arg_is(ctx, 2, "off")) {
        c->flags |= FR_CLIENT_REPLY_OFF;
    } else if (fr_arg_is(ctx, 2, "skip")) {
        if (!(c->flags & FR_CLIENT_REPLY_OFF)) c->flags |= FR_CLIENT_REPLY_SKIP_NEXT;
    } else {
        fr_reply_syntax_error(ctx);
    }
}

/* CLIENT NO-EVICT ON|OFF: kept and shown (flag 'e'); no module evicts
 * clients yet (maxmemory-clients), so it protects from nothing today. */
void fr_cmd_client_no_evict(fr_ctx *ctx)
{
    fr_client *c = me(ctx);
    if (fr_arg_is(ctx, 2, "on")) c->flags |= FR_CLIENT_NO_EVICT;
    else if (fr_arg_is(ctx, 2, "off")) c->flags &= ~FR_CLIENT_NO_EVICT;
    else {
        fr_reply_syntax_error(ctx);
        return;
    }
    fr_reply_ok(ctx);
}

/* CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the
 * timeout, a timeout of 0 pauses until now (nothing), as in Redis. */
void fr_cmd_client_pause(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 4) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    fr_pause_type type = FR_PAUSE_ALL;
    if (fr_argc(ctx) == 4) {
        if (fr_arg_is(ctx, 3, "write")) type = FR_PAUSE_WRITE;
        else if (!fr_arg_is(ctx, 3, "all")) {
            fr_reply_error(ctx, "CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    long long end;
    if (fr_arg_timeout_or_reply(ctx, 2, FR_TIMEOUT_MS, &end) != FR_OK) return;
    fr_pause_start(FR_PAUSE_BY_CLIENT, end, type);
    fr_reply_ok(ctx);
}

void fr_cmd_client_unpause(fr_ctx *ctx)
{
    fr_pause_end(FR_PAUSE_BY_CLIENT);
    fr_reply_ok(ctx);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id. */
void fr_cmd_client_unblock(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 4) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    int with_error = 0;
    if (fr_argc(ctx) == 4) {
        if (fr_arg_is(ctx, 3, "error")) with_error = 1;
        else if (!fr_arg_is(ctx, 3, "timeout")) {
            fr_reply_error(ctx, "CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (fr_arg_ll_or_reply(ctx, 2, &id) != FR_OK) return;
    fr_reply_long_long(ctx, fr_client_unblock_by_id((uint64_t)id, with_error));
}

void fr_cmd_client_info(fr_ctx *ctx)
{
    fr_str *s = fr_str_new_empty(256);
    reply_text(ctx, cat_line(s, me(ctx)));
}

static void list_by_type(fr_ctx *ctx, const fr_str *tname)
{
    int type = type_by_name(tname->buf);
    if (type == TYPE_UNKNOWN) {
        fr_reply_errorf(ctx, "Unknown client type '%s'", tname->buf);
        return;
    }
    fr_str *s = fr_str_new_empty(256);
    for (fr_client *c = oldest_client(); c; c = c->prev)
        if (type_of(c) == type) s = cat_line(s, c);
    reply_text(ctx, s);
}

/* IDs in the order given (repeats repeat); a bad one voids the reply. */
static void list_by_ids(fr_ctx *ctx)
{
    fr_str *s = fr_str_new_empty(256);
    for (int j = 3; j < fr_argc(ctx); j++) {
        const fr_str *a = fr_arg(ctx, j);
        long long id;
        if (!fr_string2ll(a->buf, a->len, &id)) {
            fr_str_free(s);
            fr_reply_error(ctx, "Invalid client ID");
            return;
        }
        fr_client *c = id > 0 ? fr_client_by_id((uint64_t)id) : NULL;
        if (c) s = cat_line(s, c);
    }
    reply_text(ctx, s);
}

void fr_cmd_client_list(fr_ctx *ctx)
{
    int argc = fr_argc(ctx);
    if (argc == 4 && fr_arg_is(ctx, 2, "type")) {
        list_by_type(ctx, fr_arg(ctx, 3));
    } else if (argc > 3 && fr_arg_is(ctx, 2, "id")) {
        list_by_ids(ctx);
    } else if (argc != 2) {
        fr_reply_syntax_error(ctx);
    } else {
        fr_str *s = fr_str_new_empty(256);
        for (fr_client *c = oldest_client(); c; c = c->prev) s = cat_line(s, c);
        reply_text(ctx, s);
    }
}

/* ---------------------------------------------------------------- KILL */

typedef struct kill_filter {
    const char *addr, *laddr;
    int type;          /* TYPE_UNKNOWN: any */
    uint64_t id;       /* 0: any */
    int skipme;
    int by_user;       /* USER given: only clients authenticated as `user` */
    fr_acl_user *user;
} kill_filter;

/* One "OPTION value" pair of the new form; replies and returns -1 on error. */
static int parse_kill_option(fr_ctx *ctx, int i, kill_filter *f)
{
    const fr_str *val = fr_arg(ctx, i + 1);
    if (fr_arg_is(ctx, i, "id")) {
        long long id;
        if (!fr_string2ll(val->buf, val->len, &id) || id < 1 || id > LONG_MAX) {
            fr_reply_error(ctx, "client-id should be greater than 0");
            return -1;
        }
        f->id = (uint64_t)id;
    } else if (fr_arg_is(ctx, i, "type")) {
        f->type = type_by_name(val->buf);
        if (f->type == TYPE_UNKNOWN) {
            fr_reply_errorf(ctx, "Unknown client type '%s'", val->buf);
            return -1;
        }
    } else if (fr_arg_is(ctx, i, "addr")) {
        f->addr = val->buf;
    } else if (fr_arg_is(ctx, i, "laddr")) {
        f->laddr = val->buf;
    } else if (fr_arg_is(ctx, i, "user")) {
        f->user = fr_acl_user_by_name(val->buf, val->len);
        f->by_user = 1;
        if (!f->user) {
            fr_reply_errorf(ctx, "No such user '%s'", val->buf);
            return -1;
        }
    } else if (fr_arg_is(ctx, i, "skipme") && (fr_arg_is(ctx, i + 1, "yes") || fr_arg_is(ctx, i + 1, "no"))) {
        f->skipme = fr_arg_is(ctx, i + 1, "yes");
    } else {
        fr_reply_syntax_error(ctx);
        return -1;
    }
    return 0;
}

static int parse_kill(fr_ctx *ctx, kill_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->type = TYPE_UNKNOWN;
    f->skipme = 1;
    if (fr_argc(ctx) == 3) { /* old form: CLIENT KILL addr, may kill itself */
        f->addr = fr_arg(ctx, 2)->buf;
        f->skipme = 0;
        return 0;
    }
    for (int i = 2; i < fr_argc(ctx); i += 2) {
        if (i + 1 >= fr_argc(ctx)) {
            fr_reply_syntax_error(ctx);
            return -1;
        }
        if (parse_kill_option(ctx, i, f)) return -1;
    }
    return 0;
}

static int kill_matches(const kill_filter *f, const fr_client *c, const fr_client *self)
{
    if (f->addr && strcmp(c->addr, f->addr)) return 0;
    if (f->laddr && strcmp(c->laddr, f->laddr)) return 0;
    if (f->type != TYPE_UNKNOWN && type_of(c) != f->type) return 0;
    if (f->id && c->id != f->id) return 0;
    if (f->by_user && fr_acl_client_user(c) != f->user) return 0;
    if (c == self && f->skipme) return 0;
    return 1;
}

/* Another client goes at once, as in Redis, unless it is in the middle of
 * something (then it closes at the next flush). */
static void kill_other(fr_client *c)
{
    if (c->flags & FR_CLIENT_PROTECTED) fr_client_close_async(c);
    else fr_client_free(c);
}

void fr_cmd_client_kill(fr_ctx *ctx)
{
    kill_filter f;
    if (parse_kill(ctx, &f)) return;
    fr_client *self = me(ctx);
    long long killed = 0;
    int close_self = 0;
    fr_client *c = oldest_client();
    while (c) {
        fr_client *newer = c->prev;
        if (kill_matches(&f, c, self)) {
            if (c == self) close_self = 1;
            else kill_other(c);
            killed++;
        }
        c = newer;
    }
    if (fr_argc(ctx) == 3) {
        if (killed == 0) fr_reply_error(ctx, "No such client");
        else fr_reply_ok(ctx);
    } else {
        fr_reply_long_long(ctx, killed);
    }
    /* Only now: replies to a client flagged to close are dropped. */
    if (close_self) self->flags |= FR_CLIENT_CLOSE_AFTER_REPLY;
}

/* ---------------------------------------------------------------- HELP */


/* Redis's lines for the subcommands we implement, in Redis's order. */
static const char *const client_help[] = {
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    NULL,
};

void fr_cmd_client_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, client_help);
}

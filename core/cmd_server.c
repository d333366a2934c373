/* cmd_server.c -- connection and server commands of the core: PING ECHO
 * QUIT RESET HELLO AUTH SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL TIME SHUTDOWN.
 *
 * Replies and errors are Redis 7.0.15's.  AUTH and HELLO AUTH check
 * credentials against the ACL users (acl.c; `requirepass` is the default
 * user's password). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

static fr_client *me(fr_ctx *ctx)
{
    return ctx->client;
}

void fr_cmd_ping(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 2) {
        fr_reply_errorf(ctx, "wrong number of arguments for '%s' command", fr_ctx_command_name(ctx));
        return;
    }
    if (fr_client_subscribed(me(ctx)) && me(ctx)->resp == 2) {
        /* RESP2 subscribed mode: a reply shaped like a message */
        fr_reply_array(ctx, 2);
        fr_reply_bulk(ctx, "pong", 4);
        if (fr_argc(ctx) == 1) fr_reply_bulk(ctx, "", 0);
        else fr_reply_bulk_str(ctx, fr_arg(ctx, 1));
        return;
    }
    if (fr_argc(ctx) == 1) fr_reply_status(ctx, "PONG");
    else fr_reply_bulk_str(ctx, fr_arg(ctx, 1));
}

void fr_cmd_echo(fr_ctx *ctx)
{
    fr_reply_bulk_str(ctx, fr_arg(ctx, 1));
}

void fr_cmd_quit(fr_ctx *ctx)
{
    fr_reply_ok(ctx);
    me(ctx)->flags |= FR_CLIENT_CLOSE_AFTER_REPLY;
}

/* AUTH <password> (the default user) or AUTH <user> <password>. */
void fr_cmd_auth(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 3) {
        fr_reply_syntax_error(ctx);
        return;
    }
    /* the password (and the user name) never reach the slow log */
    fr_ctx_redact(ctx, 1);
    static char dflt_buf[sizeof(fr_str) + 8];
    fr_str *dflt = (fr_str *)dflt_buf;
    dflt->len = dflt->cap = 7;
    memcpy(dflt->buf, "default", 8);
    const fr_str *user = dflt, *pass;
    if (fr_argc(ctx) == 2) {
        if (fr_acl_default_nopass()) {
            fr_reply_error(ctx, "AUTH <password> called without any password configured for the default user. "
                                "Are you sure your configuration is correct?");
            return;
        }
        pass = fr_arg(ctx, 1);
    } else {
        fr_ctx_redact(ctx, 2);
        user = fr_arg(ctx, 1);
        pass = fr_arg(ctx, 2);
    }
    if (fr_acl_authenticate(me(ctx), user, pass, fr_arg(ctx, 0)->buf) == 0) fr_reply_ok(ctx);
    else fr_reply_error(ctx, "-WRONGPASS invalid username-password pair or user is disabled.");
}

static void hello_reply(fr_ctx *ctx)
{
    fr_reply_map(ctx, 7);
    fr_reply_bulk_cstr(ctx, "server");
    fr_reply_bulk_cstr(ctx, "redis");
    fr_reply_bulk_cstr(ctx, "version");
    fr_reply_bulk_cstr(ctx, FR_VERSION);
    fr_reply_bulk_cstr(ctx, "proto");
    fr_reply_long_long(ctx, me(ctx)->resp);
    fr_reply_bulk_cstr(ctx, "id");
    fr_reply_long_long(ctx, (long long)me(ctx)->id);
    fr_reply_bulk_cstr(ctx, "mode");
    fr_reply_bulk_cstr(ctx, "standalone");
    fr_reply_bulk_cstr(ctx, "role");
    fr_reply_bulk_cstr(ctx, "master");
    /* Redis lists its loaded Redis modules here; ours are not Redis
     * modules (a client could try to use their API), so none. */
    fr_reply_bulk_cstr(ctx, "modules");
    fr_reply_array(ctx, 0);
}

void fr_cmd_hello(fr_ctx *ctx)
{
    long long ver = 0;
    int j = 1;
    if (fr_argc(ctx) >= 2) {
        const fr_str *v = fr_arg(ctx, j++);
        if (!fr_string2ll(v->buf, v->len, &ver)) {
            fr_reply_error(ctx, "Protocol version is not an integer or out of range");
            return;
        }
        if (ver < 2 || ver > 3) {
            fr_reply_error(ctx, "-NOPROTO unsupported protocol version");
            return;
        }
    }
    for (; j < fr_argc(ctx); j++) {
        int more = fr_argc(ctx) - 1 - j;
        const fr_str *opt = fr_arg(ctx, j);
        if (!strcasecmp(opt->buf, "AUTH") && more >= 2) {
            fr_ctx_redact(ctx, j + 1);
            fr_ctx_redact(ctx, j + 2);
            if (fr_acl_authenticate(me(ctx), fr_arg(ctx, j + 1), fr_arg(ctx, j + 2), fr_arg(ctx, 0)->buf)) {
                fr_reply_error(ctx, "-WRONGPASS invalid username-password pair or user is disabled.");
                return;
            }
            j += 2;
        } else if (!strcasecmp(opt->buf, "SETNAME") && more) {
            if (fr_client_set_name(ctx, fr_arg(ctx, j + 1))) return;
            j++;
        } else {
            fr_reply_errorf(ctx, "Syntax error in HELLO option '%s'", opt->buf);
            return;
        }
    }
    if (!me(ctx)->authenticated) {
        fr_reply_error(ctx, "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                            "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
                            "the RESP protocol version at the same time");
        return;
    }
    if (ver) me(ctx)->resp = (int)ver;
    hello_reply(ctx);
}

void fr_cmd_reset(fr_ctx *ctx)
{
    fr_client *c = me(ctx);
    fr_multi_client_gone(c); /* discards MULTI, drops WATCHes */
    fr_monitor_client_gone(c); /* leaves MONITOR mode */
    fr_tracking_disable(c);
    c->multi_dirty_cas = 0;
    fr_client_reset_modules(c, FR_CLIENT_RESET_COMMAND); /* subscriptions */
    c->dbid = 0;
    c->resp = 2;
    fr_acl_client_default_auth(c);
    c->flags &= ~(FR_CLIENT_REPLY_OFF | FR_CLIENT_REPLY_SKIP_NEXT | FR_CLIENT_NO_EVICT);
    fr_str_free(c->name);
    c->name = NULL;
    fr_reply_status(ctx, "RESET");
}

/* SELECT and SWAPDB parse DB indexes as Redis does: a C int. */
static int parse_db_index(const fr_str *a, long long *out)
{
    return fr_string2ll(a->buf, a->len, out) && *out >= -2147483648LL && *out <= 2147483647LL;
}

void fr_cmd_select(fr_ctx *ctx)
{
    long long id;
    const fr_str *a = fr_arg(ctx, 1);
    if (!fr_string2ll(a->buf, a->len, &id)) {
        fr_reply_error(ctx, "value is not an integer or out of range");
        return;
    }
    if (!parse_db_index(a, &id)) { /* an integer, but not a C int */
        fr_reply_error(ctx, "value is out of range, value must between -2147483648 and 2147483647");
        return;
    }
    if (id < 0 || id >= fr_cfg.databases) {
        fr_reply_error(ctx, "DB index is out of range");
        return;
    }
    me(ctx)->dbid = (int)id;
    fr_reply_ok(ctx);
}

void fr_cmd_swapdb(fr_ctx *ctx)
{
    long long a, b;
    if (!parse_db_index(fr_arg(ctx, 1), &a)) {
        fr_reply_error(ctx, "invalid first DB index");
        return;
    }
    if (!parse_db_index(fr_arg(ctx, 2), &b)) {
        fr_reply_error(ctx, "invalid second DB index");
        return;
    }
    if (a < 0 || a >= fr_cfg.databases || b < 0 || b >= fr_cfg.databases) {
        fr_reply_error(ctx, "DB index is out of range");
        return;
    }
    if (a != b) {
        fr_multi_touch_db(&fr_keyspace.db[a], &fr_keyspace.db[b]);
        fr_multi_touch_db(&fr_keyspace.db[b], &fr_keyspace.db[a]);
        fr_db_swap((int)a, (int)b);
        /* Clients blocked in either DB may now find their keys. */
        fr_blocked_db_swapped(&fr_keyspace.db[a]);
        fr_blocked_db_swapped(&fr_keyspace.db[b]);
    }
    fr_dirty(ctx, 1);
    fr_reply_ok(ctx);
}

void fr_cmd_dbsize(fr_ctx *ctx)
{
    fr_reply_long_long(ctx, (long long)fr_db_size(fr_ctx_db(ctx)));
}

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]: 1 for ASYNC (the default under
 * lazyfree-lazy-user-flush), 0 for SYNC, -1 after replying a syntax error
 * to anything else. */
static int flush_mode(fr_ctx *ctx)
{
    if (fr_argc(ctx) == 1) return fr_cfg.lazyfree_lazy_user_flush ? 1 : 0;
    if (fr_argc(ctx) == 2 && fr_arg_is(ctx, 1, "sync")) return 0;
    if (fr_argc(ctx) == 2 && fr_arg_is(ctx, 1, "async")) return 1;
    fr_reply_syntax_error(ctx);
    return -1;
}

static void flush_db(fr_db *db, int async)
{
    if (async) fr_db_flush_async(db);
    else fr_db_flush(db);
}

/* As Redis: the removed keys count as changes at once, so a save that the
 * flushed hook triggers covers them; the command is propagated even when
 * there was nothing to remove. */
static void count_flush(fr_ctx *ctx, long long removed)
{
    fr_runtime.dirty += removed;
    ctx->force_propagate = 1;
}

/* Client-side caches are told everything is gone, then modules learn of
 * the flush (the rdb module saves after FLUSHALL when save points are
 * set, as Redis does). */
static void fire_flushed(fr_ctx *ctx, int dbid)
{
    fr_tracking_flushed();
    if (!fr_hooks_count(FR_HOOK_FLUSHED)) return;
    fr_hook_event ev = {.id = FR_HOOK_FLUSHED, .ctx = ctx, .dbid = dbid};
    fr_hooks_fire(&ev);
}

void fr_cmd_flushdb(fr_ctx *ctx)
{
    int async = flush_mode(ctx);
    if (async < 0) return;
    fr_db *db = fr_ctx_db(ctx);
    long long n = (long long)fr_db_size(db);
    fr_multi_touch_db(db, NULL);
    flush_db(db, async);
    fr_blocked_db_flushed(db);
    count_flush(ctx, n);
    fire_flushed(ctx, db->id);
    fr_reply_ok(ctx);
}

void fr_cmd_flushall(fr_ctx *ctx)
{
    int async = flush_mode(ctx);
    if (async < 0) return;
    long long n = 0;
    for (int i = 0; i < fr_cfg.databases; i++) {
        n += (long long)fr_db_size(&fr_keyspace.db[i]);
        fr_multi_touch_db(&fr_keyspace.db[i], NULL);
    }
    for (int i = 0; i < fr_cfg.databases; i++) flush_db(&fr_keyspace.db[i], async);
    fr_blocked_db_flushed(NULL);
    count_flush(ctx, n);
    fire_flushed(ctx, -1);
    fr_reply_ok(ctx);
}

void fr_cmd_time(fr_ctx *ctx)
{
    uint64_t us = fr_clock_wall_us();
    fr_reply_array(ctx, 2);
    fr_reply_bulk_ll(ctx, (long long)(us / 1000000));
    fr_reply_bulk_ll(ctx, (long long)(us % 1000000));
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] */
void fr_cmd_shutdown(fr_ctx *ctx)
{
    int flags = 0, abort_req = 0;
    for (int i = 1; i < fr_argc(ctx); i++) {
        if (fr_arg_is(ctx, i, "nosave")) flags |= FR_SHUTDOWN_NOSAVE;
        else if (fr_arg_is(ctx, i, "save")) flags |= FR_SHUTDOWN_SAVE;
        else if (fr_arg_is(ctx, i, "now")) flags |= FR_SHUTDOWN_NOW;
        else if (fr_arg_is(ctx, i, "force")) flags |= FR_SHUTDOWN_FORCE;
        else if (fr_arg_is(ctx, i, "abort")) abort_req = 1;
        else {
            fr_reply_syntax_error(ctx);
            return;
        }
    }
    if ((abort_req && flags) || ((flags & FR_SHUTDOWN_NOSAVE) && (flags & FR_SHUTDOWN_SAVE))) {
        fr_reply_syntax_error(ctx);
        return;
    }
    if (abort_req) {
        if (fr_shutdown_abort() == FR_OK) fr_reply_ok(ctx);
        else fr_reply_error(ctx, "No shutdown in progress.");
        return;
    }
    fr_client *c = fr_ctx_client(ctx);
    if (fr_blocked_rerunning(c)) { /* woken: the wait ended without an exit */
        fr_reply_error(ctx, "Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    int r = fr_server_shutdown(flags);
    if (r == FR_ERR) {
        fr_reply_error(ctx, "Errors trying to SHUTDOWN. Check logs.");
    } else if (r == FR_SHUTDOWN_WAITING) { /* answered only if it fails */
        if (fr_block_until(ctx, 0) == FR_OK) fr_shutdown_hold_client(c);
        else fr_reply_error(ctx, "SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
    }
}

/* multi.c -- transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Between MULTI and EXEC the dispatcher queues commands (after the same
 * existence, arity and auth checks as always) and answers +QUEUED; a command
 * refused while queuing makes EXEC abort with EXECABORT.  EXEC runs the queue
 * with the normal call path, so statistics, hooks and propagation are the
 * ones each command would have alone; what the transaction propagates is
 * wrapped once in MULTI ... EXEC (propagate.c watches fr_runtime.in_exec).
 *
 * WATCH: each DB keeps a table key -> watching clients.  Any change to a
 * watched key (store, delete, expiry, flush, swap) marks its watchers
 * dirty, and their next EXEC answers a null array.  A client's watches end
 * with EXEC, DISCARD, UNWATCH, RESET or its disconnection. */
#include <string.h>

#include "runtime.h"

typedef struct fr_queued {
    const fr_cmd_meta *cmd;
    int argc;
    fr_str **argv; /* owned */
} fr_queued;

typedef struct fr_watch {
    int dbid;
    fr_str *key; /* owned copy */
    int expired; /* already logically expired when watched */
} fr_watch;

/* Per-DB table of watched keys: fr_str* -> watcher list. */
typedef struct watchers {
    fr_client **clients;
    int n, cap;
} watchers;

static void watchers_free(void *p)
{
    watchers *w = p;
    fr_free(w->clients);
    fr_free(w);
}

static const fr_dict_type watch_dict_type = {
    .hash = fr_dict_str_hash,
    .key_compare = fr_dict_str_equal,
    .key_free = (void (*)(void *))fr_str_free,
    .val_free = watchers_free,
};

static fr_dict **watched; /* one per DB, created on first WATCH */
static long long nwatched; /* entries over all of them */

long long fr_multi_watched_keys(void)
{
    return nwatched;
}

static fr_dict *db_watch_table(int dbid, int create)
{
    if (!watched) {
        if (!create) return NULL;
        watched = fr_calloc(sizeof(fr_dict *) * (size_t)fr_cfg.databases);
    }
    if (!watched[dbid] && create) watched[dbid] = fr_dict_create(&watch_dict_type);
    return watched[dbid];
}

/* ----------------------------------------------------------------- queue */

int fr_multi_active(const fr_client *c)
{
    return c->multi != NULL;
}

/* A command refused while queuing dooms the transaction (EXECABORT). */
void fr_multi_flag_error(fr_client *c)
{
    if (c->multi) c->multi_dirty_exec = 1;
}

/* Commands that act on the transaction itself run at once. */
int fr_multi_runs_now(const fr_cmd_meta *cmd)
{
    static const char *const now[] = {"exec", "discard", "multi", "watch", "quit", "reset", NULL};
    for (int i = 0; now[i]; i++)
        if (!strcmp(cmd->fullname, now[i])) return 1;
    return 0;
}

/* `flags` are the call's own (a script's shebang may drop WRITE), which
 * EXEC's checks then see, as Redis's mstate.cmd_flags. */
void fr_multi_queue(fr_client *c, const fr_cmd_meta *cmd, unsigned long long flags)
{
    int argc = c->parser.argc;
    fr_multi_state *m = c->multi;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->cmds = fr_realloc(m->cmds, sizeof(fr_queued) * (size_t)m->cap);
    }
    fr_queued *q = &((fr_queued *)m->cmds)[m->n++];
    q->cmd = cmd;
    m->cmd_flags |= flags;
    m->cmd_inv_flags |= ~flags;
    q->argc = argc;
    q->argv = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    /* Big arguments move into the queue; arena ones die with the command,
     * so they are copied. */
    for (int i = 0; i < argc; i++) q->argv[i] = fr_reqparser_take_arg(&c->parser, i);
    fr_client_add_reply(c, "+QUEUED\r\n", 9);
}

static void discard(fr_client *c)
{
    fr_multi_state *m = c->multi;
    if (m) {
        fr_queued *qs = m->cmds;
        for (int i = 0; i < m->n; i++) {
            for (int j = 0; j < qs[i].argc; j++) fr_str_free(qs[i].argv[j]);
            fr_free(qs[i].argv);
        }
        fr_free(m->cmds);
        fr_free(m);
        c->multi = NULL;
    }
    c->multi_dirty_exec = 0;
    fr_unwatch_all(c);
}

/* ----------------------------------------------------------------- watch */

static void add_watcher(fr_client *c, int dbid, const fr_str *key)
{
    fr_dict *t = db_watch_table(dbid, 1);
    fr_dict_entry *e = fr_dict_find(t, key);
    watchers *w;
    if (e) {
        w = e->v.val;
        for (int i = 0; i < w->n; i++)
            if (w->clients[i] == c) return; /* already watching */
    } else {
        w = fr_calloc(sizeof(*w));
        fr_dict_add(t, fr_str_dup(key), w);
        if (nwatched++ == 0) fr_runtime_key_interest_changed();
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 2;
        w->clients = fr_realloc(w->clients, sizeof(fr_client *) * (size_t)w->cap);
    }
    w->clients[w->n++] = c;
    if (c->nwatch == c->watch_cap) {
        c->watch_cap = c->watch_cap ? c->watch_cap * 2 : 4;
        c->watches = fr_realloc(c->watches, sizeof(fr_watch) * (size_t)c->watch_cap);
    }
    fr_watch *wk = &((fr_watch *)c->watches)[c->nwatch++];
    wk->dbid = dbid;
    wk->key = fr_str_dup(key);
    wk->expired = fr_key_is_expired(&fr_keyspace.db[dbid], key);
}

static void remove_watcher(fr_client *c, int dbid, const fr_str *key)
{
    fr_dict *t = db_watch_table(dbid, 0);
    fr_dict_entry *e = t ? fr_dict_find(t, key) : NULL;
    if (!e) return;
    watchers *w = e->v.val;
    for (int i = 0; i < w->n; i++)
        if (w->clients[i] == c) {
            w->clients[i] = w->clients[--w->n];
            break;
        }
    if (w->n == 0) {
        fr_dict_delete(t, key);
        if (--nwatched == 0) fr_runtime_key_interest_changed();
    }
}

void fr_unwatch_all(fr_client *c)
{
    fr_watch *ws = c->watches;
    for (int i = 0; i < c->nwatch; i++) {
        remove_watcher(c, ws[i].dbid, ws[i].key);
        fr_str_free(ws[i].key);
    }
    fr_free(c->watches);
    c->watches = NULL;
    c->nwatch = c->watch_cap = 0;
}

static fr_watch *find_watch(fr_client *c, int dbid, const fr_str *key)
{
    fr_watch *ws = c->watches;
    for (int i = 0; i < c->nwatch; i++)
        if (ws[i].dbid == dbid && ws[i].key->len == key->len && !memcmp(ws[i].key->buf, key->buf, key->len))
            return &ws[i];
    return NULL;
}

/* Called by the keyspace for every change to a key.  A watch taken on a key
 * that was already logically expired is not broken by that key's deletion
 * (nothing visible changed); Redis then stops looking at further watchers
 * of the key when such a watch meets a key that still exists -- kept as is. */
void fr_multi_touch_key(const fr_db *db, const fr_str *key)
{
    fr_dict *t = db_watch_table(db->id, 0);
    if (!t || !fr_dict_size(t)) return;
    fr_dict_entry *e = fr_dict_find(t, key);
    if (!e) return;
    watchers *w = e->v.val;
    for (int i = 0; i < w->n; i++) {
        fr_client *c = w->clients[i];
        fr_watch *wk = find_watch(c, db->id, key);
        if (wk && wk->expired) {
            if (!fr_dict_find(db->keys, key)) {
                wk->expired = 0;
                continue;
            }
            break;
        }
        c->multi_dirty_cas = 1;
    }
}

/* FLUSHDB/FLUSHALL/SWAPDB: watched keys that existed (in either DB for a
 * swap) are touched.  Called before the change.  A watch on a key that was
 * already expired breaks only when a live value takes its place: the
 * expired key going away changes nothing visible, nor does another expired
 * value arriving (and a missing key replaced by an expired one is then
 * watched as expired). */
static int watch_survives_db_change(fr_watch *wk, fr_db *replaced_with, int exists_in_emptied)
{
    if (wk->expired) {
        if (!replaced_with || !fr_dict_find(replaced_with->keys, wk->key)) {
            wk->expired = 0;
            return 1;
        }
        return fr_key_is_expired(replaced_with, wk->key);
    }
    if (!exists_in_emptied && fr_key_is_expired(replaced_with, wk->key)) {
        wk->expired = 1;
        return 1;
    }
    return 0;
}

void fr_multi_touch_db(const fr_db *emptied, const fr_db *replaced_with)
{
    fr_dict *t = db_watch_table(emptied->id, 0);
    if (!t || !fr_dict_size(t)) return;
    fr_dict_iter it;
    fr_dict_iter_init(&it, t);
    fr_dict_entry *e;
    while ((e = fr_dict_iter_next(&it)) != NULL) {
        int in_emptied = fr_dict_find(emptied->keys, e->key) != NULL;
        if (!in_emptied && !(replaced_with && fr_dict_find(replaced_with->keys, e->key))) continue;
        watchers *w = e->v.val;
        for (int i = 0; i < w->n; i++) {
            fr_client *c = w->clients[i];
            fr_watch *wk = find_watch(c, emptied->id, e->key);
            if (wk && watch_survives_db_change(wk, (fr_db *)replaced_with, in_emptied)) continue;
            c->multi_dirty_cas = 1;
        }
    }
    fr_dict_iter_release(&it);
}

/* A watched key that was alive at WATCH time and has since expired counts
 * as changed, even if nobody touched it yet. */
static int watched_key_expired(fr_client *c)
{
    fr_watch *ws = c->watches;
    for (int i = 0; i < c->nwatch; i++)
        if (!ws[i].expired && fr_key_is_expired(&fr_keyspace.db[ws[i].dbid], ws[i].key)) return 1;
    return 0;
}

void fr_multi_client_gone(fr_client *c)
{
    discard(c);
}

/* -------------------------------------------------------------- commands */

void fr_cmd_multi(fr_ctx *ctx)
{
    fr_client *c = ctx->client;
    if (c->multi) {
        fr_reply_error(ctx, "MULTI calls can not be nested");
        return;
    }
    c->multi = fr_calloc(sizeof(fr_multi_state));
    fr_reply_ok(ctx);
}

void fr_cmd_discard(fr_ctx *ctx)
{
    if (!ctx->client->multi) {
        fr_reply_error(ctx, "DISCARD without MULTI");
        return;
    }
    discard(ctx->client);
    ctx->client->multi_dirty_cas = 0;
    fr_reply_ok(ctx);
}

/* ACL rules may have changed since the command was queued: checked again,
 * as Redis's execCommand does, with its texts. */
static int acl_still_allows(fr_client *c, const fr_queued *q)
{
    int pos = 0;
    int why = fr_acl_check(c, q->cmd, q->argc, q->argv, &pos);
    if (why == FR_ACL_OK) return 1;
    const char *reason = why == FR_ACL_DENIED_CMD       ? "no permission to execute the command or subcommand"
                         : why == FR_ACL_DENIED_KEY     ? "no permission to touch the specified keys"
                         : why == FR_ACL_DENIED_CHANNEL ? "no permission to access one of the channels used as arguments"
                                                        : "no permission";
    fr_acl_log_denied(c, why, FR_ACL_CTX_MULTI, q->cmd, q->argv, pos);
    fr_client_add_errorf(c, "-NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
                            "EXEC call. This command is no longer allowed for the following reason: %s", reason);
    return 0;
}

static void run_queued(fr_client *c, fr_multi_state *m)
{
    fr_queued *qs = m->cmds;
    fr_reply_array_client(c, m->n);
    fr_runtime.in_exec = 1;
    for (int i = 0; i < m->n; i++) {
        fr_ctx ctx;
        memset(&ctx, 0, sizeof(ctx));
        ctx.client = c;
        ctx.cmd = qs[i].cmd;
        ctx.module = qs[i].cmd->owner;
        ctx.argc = qs[i].argc;
        ctx.argv = qs[i].argv;
        if (!acl_still_allows(c, &qs[i])) continue;
        fr_command_call(&ctx);
        fr_ctx_release(&ctx);
    }
    fr_runtime.in_exec = 0;
    fr_propagate_exec_end();
}

void fr_cmd_exec(fr_ctx *ctx)
{
    fr_client *c = ctx->client;
    if (!c->multi) {
        fr_reply_error(ctx, "EXEC without MULTI");
        return;
    }
    if (watched_key_expired(c)) c->multi_dirty_cas = 1;
    if (c->multi_dirty_exec) {
        fr_reply_error(ctx, "-EXECABORT Transaction discarded because of previous errors.");
    } else if (c->multi_dirty_cas) {
        fr_reply_null_array(ctx);
    } else {
        fr_multi_state *m = c->multi;
        fr_unwatch_all(c);
        run_queued(c, m);
    }
    discard(c);
    c->multi_dirty_cas = 0;
    /* EXEC itself is never propagated: its commands were. */
    fr_propagate_none(ctx);
}

void fr_cmd_watch(fr_ctx *ctx)
{
    fr_client *c = ctx->client;
    if (c->multi) {
        fr_reply_error(ctx, "WATCH inside MULTI is not allowed");
        return;
    }
    if (!c->multi_dirty_cas)
        for (int i = 1; i < fr_argc(ctx); i++) add_watcher(c, c->dbid, fr_arg(ctx, i));
    fr_reply_ok(ctx);
}

void fr_cmd_unwatch(fr_ctx *ctx)
{
    fr_unwatch_all(ctx->client);
    ctx->client->multi_dirty_cas = 0;
    fr_reply_ok(ctx);
}

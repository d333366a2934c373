/* tracking.c -- server-assisted client-side caching (CLIENT TRACKING):
 * which clients may hold which keys, and the invalidation messages sent
 * when those keys change.
 *
 * Two tables, as Redis 7.0 keeps them:
 *  - the key table: key -> set of client ids that read it in default mode.
 *    A change sends each of them one invalidation and forgets the key
 *    (the next read remembers it again).  Ids are kept, not pointers: a
 *    client that stopped tracking or went away is skipped lazily.
 *  - the prefix table (BCAST mode): prefix -> its clients and the keys
 *    changed under it since the last broadcast, each with the client that
 *    changed it last (NOLOOP filters on it; the pointer is only compared).
 *    Broadcasts go out once per event-loop iteration, keys in byte order.
 *
 * Invalidations for the client whose command is running are held until its
 * reply is written (and a transaction's until EXEC's reply), then sent.
 * A message goes to the redirect client when one is set: a RESP3 push, or a
 * "message" on __redis__:invalidate to a subscribed RESP2 client; a RESP2
 * client without redirection gets nothing, as in Redis.
 *
 * Ownership: both tables own their keys (copies); per-client state
 * (fr_client.tracking) is allocated on enable and freed on disable. */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define TRK_BCAST (1u << 0)
#define TRK_OPTIN (1u << 1)
#define TRK_OPTOUT (1u << 2)
#define TRK_CACHING (1u << 3)   /* CLIENT CACHING given for the next command */
#define TRK_NOLOOP (1u << 4)
#define TRK_BROKEN_REDIR (1u << 5)

typedef struct fr_tracking {
    unsigned flags;
    uint64_t redirect;      /* client id, 0: none */
    fr_str **prefixes;      /* BCAST prefixes, sorted by bytes; owned */
    int nprefixes;
} fr_tracking;

typedef struct bcast_prefix {
    fr_str *prefix;         /* owned */
    fr_client **clients;    /* subscribers (not owned) */
    int nclients, cap;
    fr_dict *keys;          /* changed key (owned) -> last writer (compared only) */
} bcast_prefix;

static const fr_dict_type id_set_type = {.hash = fr_dict_ptr_hash, .no_value = 1};
static void id_set_free(void *set) { fr_dict_release(set); }
static const fr_dict_type key_table_type = {
    .hash = fr_dict_str_hash, .key_compare = fr_dict_str_equal,
    .key_free = (void (*)(void *))fr_str_free, .val_free = id_set_free};
static const fr_dict_type changed_keys_type = {
    .hash = fr_dict_str_hash, .key_compare = fr_dict_str_equal,
    .key_free = (void (*)(void *))fr_str_free};

static fr_dict *key_table;          /* NULL until a client first reads */
static unsigned long long total_items;
static bcast_prefix *prefixes;      /* sorted by prefix bytes */
static int nprefixes;
static long tracking_clients;
/* Invalidations held for the client whose command was running: the key
 * (owned; NULL: a flush) and that client's id, so they reach it even if
 * another client's command runs before they are sent. */
typedef struct held {
    fr_str *key;
    uint64_t client_id;
} held;
static held *pending;
static int npending, pending_cap;
static unsigned limit_rounds;       /* cron rounds spent over the limit */

/* ------------------------------------------------------------ helpers */

/* Byte order with a shorter string first on a common prefix: radix order. */
static int bytes_cmp(const fr_str *a, const fr_str *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->buf, b->buf, n);
    if (r) return r;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return bytes_cmp(*(fr_str *const *)a, *(fr_str *const *)b);
}

int fr_tracking_wants_key_events(void)
{
    return (key_table && fr_dict_size(key_table) > 0) || nprefixes > 0;
}

/* Keys matter to the keyspace's event filter only while a table is in use. */
static void interest_maybe_changed(int before)
{
    if (before != fr_tracking_wants_key_events()) fr_runtime_key_interest_changed();
}

int fr_tracking_is_on(const fr_client *c)
{
    return c->tracking != NULL;
}

/* --------------------------------------------------------- messages */

typedef struct message {
    const fr_str *key;      /* one key, or */
    fr_str **keys;          /* an array of them, or */
    int nkeys;
    int null_resp;          /* neither: a flush, as a null of this RESP */
} message;

static void write_value(fr_ctx *push, const message *m)
{
    if (m->key) {
        fr_reply_array(push, 1);
        fr_reply_bulk_str(push, m->key);
    } else if (m->keys) {
        fr_reply_array(push, m->nkeys);
        for (int i = 0; i < m->nkeys; i++) fr_reply_bulk_str(push, m->keys[i]);
    } else {
        /* Redis writes the null of the tracking client's protocol, even
         * when a redirect client of another protocol receives it. */
        fr_client_add_reply(fr_ctx_client(push), m->null_resp >= 3 ? "_\r\n" : "$-1\r\n",
                            m->null_resp >= 3 ? 3 : 5);
    }
}

/* The redirect target is gone: flag it and, in RESP3, tell the client. */
static void redirect_broken(fr_client *c)
{
    c->tracking->flags |= TRK_BROKEN_REDIR;
    if (c->resp < 3) return;
    fr_ctx *push = fr_client_push_begin(c, 2);
    fr_reply_bulk_cstr(push, "tracking-redir-broken");
    fr_reply_long_long(push, (long long)c->tracking->redirect);
    fr_client_push_end(push);
}

static void send_message(fr_client *c, const message *m)
{
    fr_client *to = c;
    if (c->tracking->redirect) {
        to = fr_client_by_id(c->tracking->redirect);
        if (!to) {
            redirect_broken(c);
            return;
        }
    }
    fr_ctx *push;
    if (to->resp >= 3) {
        push = fr_client_push_begin(to, 2);
        fr_reply_bulk_cstr(push, "invalidate");
    } else if (to != c && fr_client_subscribed(to)) {
        push = fr_client_push_begin(to, 3);
        fr_reply_bulk_cstr(push, "message");
        fr_reply_bulk_cstr(push, "__redis__:invalidate");
    } else {
        return; /* RESP2 has no out-of-band channel on the same connection */
    }
    write_value(push, m);
    fr_client_push_end(push);
}

static void hold_for(const fr_client *c, fr_str *key_or_null)
{
    if (npending == pending_cap) {
        pending_cap = pending_cap ? pending_cap * 2 : 8;
        pending = fr_realloc(pending, sizeof(*pending) * (size_t)pending_cap);
    }
    pending[npending++] = (held){key_or_null, c->id};
}

/* The running command's reply is out: send what was held, in order, to
 * the clients still there and tracking. */
void fr_tracking_flush_pending(void)
{
    for (int i = 0; i < npending; i++) {
        fr_client *c = fr_client_by_id(pending[i].client_id);
        if (c && c->tracking) {
            message m = {.key = pending[i].key, .null_resp = c->resp};
            send_message(c, &m);
        }
        fr_str_free(pending[i].key);
    }
    npending = 0;
}

/* ------------------------------------------------------ key table */

/* After a read-only command: remember the keys it read for its client. */
/* The read-only script commands track nothing themselves: only the read
 * commands their script runs do (Redis 7.0's call()). */
static int is_script_command(const fr_cmd_meta *cmd)
{
    return !strcmp(cmd->fullname, "eval_ro") || !strcmp(cmd->fullname, "evalsha_ro") ||
           !strcmp(cmd->fullname, "fcall_ro");
}

void fr_tracking_command_done(fr_ctx *ctx)
{
    /* A read command a script ran makes the script's caller remember the
     * keys the script declared, as Redis 7.0 does. */
    if (!(ctx->cmd->flags & FR_CMD_READONLY) || ctx->cmd->flags & FR_CMD_PUBSUB) return;
    if (ctx->script_caller) ctx = ctx->script_caller;
    else if (is_script_command(ctx->cmd)) return;
    const fr_cmd_meta *cmd = ctx->cmd;
    fr_client *c = ctx->client;
    if (!c || !c->tracking) return;
    unsigned f = c->tracking->flags;
    if (f & TRK_BCAST) return;
    if ((f & TRK_OPTIN && !(f & TRK_CACHING)) || (f & TRK_OPTOUT && f & TRK_CACHING)) return;
    int small[16], *pos = small;
    const fr_str *const *argv = (const fr_str *const *)ctx->argv;
    int n = fr_cmd_getkeys(cmd, ctx->argc, argv, pos, NULL, 16);
    if (n > 16) {
        pos = fr_malloc(sizeof(int) * (size_t)n);
        n = fr_cmd_getkeys(cmd, ctx->argc, argv, pos, NULL, n);
    }
    int before = fr_tracking_wants_key_events();
    if (n > 0 && !key_table) key_table = fr_dict_create(&key_table_type);
    for (int i = 0; i < n; i++) {
        const fr_str *key = argv[pos[i]];
        fr_dict *ids = fr_dict_fetch_value(key_table, key);
        if (!ids) {
            ids = fr_dict_create(&id_set_type);
            fr_dict_add(key_table, fr_str_dup(key), ids);
        }
        if (fr_dict_add_raw(ids, (void *)(uintptr_t)c->id, NULL)) total_items++;
    }
    if (pos != small) fr_free(pos);
    interest_maybe_changed(before);
}

/* Send the invalidation for `key` to every client that read it, and forget
 * it.  `bcast`: also note it for BCAST prefixes (a real change, not the
 * table limit dropping it). */
static void invalidate_key(fr_client *writer, const fr_str *key, int bcast)
{
    if (bcast && nprefixes) {
        for (int i = 0; i < nprefixes; i++) {
            const fr_str *p = prefixes[i].prefix;
            if (p->len > key->len || memcmp(p->buf, key->buf, p->len)) continue;
            fr_dict_entry *e = fr_dict_find(prefixes[i].keys, key);
            if (e) fr_dict_set_val(prefixes[i].keys, e, writer);
            else fr_dict_add(prefixes[i].keys, fr_str_dup(key), writer);
        }
    }
    if (!key_table) return;
    fr_dict_entry *e = fr_dict_unlink(key_table, key);
    if (!e) return;
    fr_dict *ids = fr_dict_val(e);
    fr_client *running = fr_proto.current_client;
    fr_dict_iter it;
    fr_dict_iter_init(&it, ids);
    fr_dict_entry *ie;
    while ((ie = fr_dict_iter_next(&it)) != NULL) {
        fr_client *t = fr_client_by_id((uint64_t)(uintptr_t)fr_dict_key(ie));
        if (!t || !t->tracking || t->tracking->flags & TRK_BCAST) continue;
        if (t->tracking->flags & TRK_NOLOOP && t == running) continue;
        /* the running command's own reply goes first (Redis holds these
         * while call() runs: an eviction before it is sent at once) */
        if (t == running && fr_clock_cmd_fixed()) {
            hold_for(t, fr_str_dup(key));
        } else {
            message m = {.key = key};
            send_message(t, &m);
        }
    }
    fr_dict_iter_release(&it);
    total_items -= fr_dict_size(ids);
    fr_dict_free_unlinked(key_table, e);
    if (fr_dict_size(key_table) == 0) fr_runtime_key_interest_changed();
}

/* A key was written or deleted (the keyspace's key events). */
void fr_tracking_key_changed(fr_ctx *ctx, const fr_str *key)
{
    invalidate_key(ctx ? ctx->client : NULL, key, 1);
}

/* FLUSHDB / FLUSHALL: every tracking client is told "everything", as a
 * null, and the key table starts again. */
void fr_tracking_flushed(void)
{
    if (tracking_clients) {
        for (fr_client *c = fr_proto.clients; c; c = c->next) {
            if (!c->tracking) continue;
            if (c == fr_proto.current_client) {
                hold_for(c, NULL);
            } else {
                message m = {.null_resp = c->resp};
                send_message(c, &m);
            }
        }
    }
    if (key_table) {
        int before = fr_tracking_wants_key_events();
        fr_dict_release(key_table);
        key_table = fr_dict_create(&key_table_type);
        total_items = 0;
        interest_maybe_changed(before);
    }
}

/* tracking-table-max-keys: over the limit, drop random keys (their readers
 * are invalidated as if the key changed), with an effort that grows each
 * time the limit is still exceeded. */
void fr_tracking_limit(void)
{
    if (!key_table || fr_cfg.tracking_table_max_keys == 0) return;
    unsigned long max = (unsigned long)fr_cfg.tracking_table_max_keys;
    if (fr_dict_size(key_table) <= max) {
        limit_rounds = 0;
        return;
    }
    for (int effort = 100 * (int)(limit_rounds + 1); effort > 0; effort--) {
        fr_dict_entry *e = fr_dict_get_random_key(key_table);
        if (!e) break;
        fr_str *key = fr_str_dup(fr_dict_key(e));
        invalidate_key(NULL, key, 0);
        fr_str_free(key);
        if (fr_dict_size(key_table) <= max) {
            limit_rounds = 0;
            return;
        }
    }
    limit_rounds++;
}

/* ------------------------------------------------------ BCAST prefixes */

static bcast_prefix *prefix_find(const fr_str *p, int *insert_at)
{
    int lo = 0, hi = nprefixes;
    while (lo < hi) {
        int mid = (lo + hi) / 2, r = bytes_cmp(prefixes[mid].prefix, p);
        if (r == 0) return &prefixes[mid];
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    if (insert_at) *insert_at = lo;
    return NULL;
}

static void prefix_subscribe(fr_client *c, const fr_str *p)
{
    int at;
    bcast_prefix *bp = prefix_find(p, &at);
    if (!bp) {
        prefixes = fr_realloc(prefixes, sizeof(*prefixes) * (size_t)(nprefixes + 1));
        memmove(prefixes + at + 1, prefixes + at, sizeof(*prefixes) * (size_t)(nprefixes - at));
        bp = &prefixes[at];
        memset(bp, 0, sizeof(*bp));
        bp->prefix = fr_str_dup(p);
        bp->keys = fr_dict_create(&changed_keys_type);
        nprefixes++;
    }
    for (int i = 0; i < bp->nclients; i++)
        if (bp->clients[i] == c) return;
    if (bp->nclients == bp->cap) {
        bp->cap = bp->cap ? bp->cap * 2 : 4;
        bp->clients = fr_realloc(bp->clients, sizeof(*bp->clients) * (size_t)bp->cap);
    }
    bp->clients[bp->nclients++] = c;
    fr_tracking *t = c->tracking;
    t->prefixes = fr_realloc(t->prefixes, sizeof(*t->prefixes) * (size_t)(t->nprefixes + 1));
    t->prefixes[t->nprefixes++] = fr_str_dup(p);
    qsort(t->prefixes, (size_t)t->nprefixes, sizeof(*t->prefixes), str_ptr_cmp);
}

static void prefix_unsubscribe(fr_client *c, const fr_str *p)
{
    bcast_prefix *bp = prefix_find(p, NULL);
    if (!bp) return;
    for (int i = 0; i < bp->nclients; i++) {
        if (bp->clients[i] != c) continue;
        bp->clients[i] = bp->clients[--bp->nclients];
        break;
    }
    if (bp->nclients) return;
    fr_str_free(bp->prefix);
    fr_free(bp->clients);
    fr_dict_release(bp->keys);
    int at = (int)(bp - prefixes);
    memmove(prefixes + at, prefixes + at + 1, sizeof(*prefixes) * (size_t)(nprefixes - at - 1));
    nprefixes--;
}

typedef struct changed_key {
    fr_str *key;                /* the prefix table's */
    const fr_client *writer;
} changed_key;

static int changed_key_cmp(const void *a, const void *b)
{
    return bytes_cmp(((const changed_key *)a)->key, ((const changed_key *)b)->key);
}

/* The keys of `all` not last changed by `skip` (NOLOOP; NULL: all of
 * them), into `out`. */
static int keys_not_by(const changed_key *all, int n, const fr_client *skip, fr_str **out)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!skip || all[i].writer != skip) out[k++] = all[i].key;
    return k;
}

static void broadcast_prefix(bcast_prefix *bp)
{
    int n = (int)fr_dict_size(bp->keys), i = 0;
    changed_key *all = fr_malloc(sizeof(*all) * (size_t)n);
    fr_str **keys = fr_malloc(sizeof(*keys) * (size_t)n);
    fr_dict_iter it;
    fr_dict_iter_init(&it, bp->keys);
    fr_dict_entry *e;
    while ((e = fr_dict_iter_next(&it)) != NULL) {
        all[i].key = fr_dict_key(e);
        all[i++].writer = fr_dict_val(e);
    }
    fr_dict_iter_release(&it);
    qsort(all, (size_t)n, sizeof(*all), changed_key_cmp);
    for (int j = 0; j < bp->nclients; j++) {
        fr_client *c = bp->clients[j];
        int noloop = (c->tracking->flags & TRK_NOLOOP) != 0;
        message m = {.keys = keys, .nkeys = keys_not_by(all, n, noloop ? c : NULL, keys)};
        if (m.nkeys) send_message(c, &m);
    }
    fr_free(keys);
    fr_free(all);
    fr_dict_empty(bp->keys, NULL);
}

/* Before the loop sleeps: each prefix's changed keys to its clients. */
void fr_tracking_broadcast(void)
{
    if (!tracking_clients) return;
    for (int i = 0; i < nprefixes; i++)
        if (fr_dict_size(prefixes[i].keys)) broadcast_prefix(&prefixes[i]);
}

/* ------------------------------------------------------ per client */

void fr_tracking_disable(fr_client *c)
{
    fr_tracking *t = c->tracking;
    if (!t) return;
    int before = fr_tracking_wants_key_events();
    for (int i = 0; i < t->nprefixes; i++) {
        prefix_unsubscribe(c, t->prefixes[i]);
        fr_str_free(t->prefixes[i]);
    }
    fr_free(t->prefixes);
    fr_free(t);
    c->tracking = NULL;
    tracking_clients--;
    interest_maybe_changed(before);
}

/* Turn tracking on (or change its options): Redis's enableTracking.  The
 * mode flags are replaced, CACHING and BCAST prefixes already set stay. */
void fr_tracking_enable(fr_client *c, uint64_t redirect, const fr_tracking_opts *o)
{
    int before = fr_tracking_wants_key_events();
    if (!c->tracking) {
        c->tracking = fr_calloc(sizeof(*c->tracking));
        tracking_clients++;
    }
    fr_tracking *t = c->tracking;
    t->flags &= TRK_CACHING;
    t->redirect = redirect;
    if (o->bcast) {
        t->flags |= TRK_BCAST;
        fr_str empty = {0};
        if (o->nprefixes == 0) prefix_subscribe(c, &empty);
        for (int i = 0; i < o->nprefixes; i++) prefix_subscribe(c, o->prefixes[i]);
    }
    if (o->optin) t->flags |= TRK_OPTIN;
    if (o->optout) t->flags |= TRK_OPTOUT;
    if (o->noloop) t->flags |= TRK_NOLOOP;
    interest_maybe_changed(before);
}

/* The first of the client's existing prefixes that overlaps `p` (one is a
 * prefix of the other), or NULL. */
const fr_str *fr_tracking_prefix_overlap(const fr_client *c, const fr_str *p)
{
    if (!c->tracking) return NULL;
    for (int i = 0; i < c->tracking->nprefixes; i++) {
        const fr_str *q = c->tracking->prefixes[i];
        size_t n = q->len < p->len ? q->len : p->len;
        if (!memcmp(q->buf, p->buf, n)) return q;
    }
    return NULL;
}

/* After a top-level command: held invalidations go out after the reply,
 * and CLIENT CACHING lasts one command (or one transaction): any CLIENT
 * subcommand and commands queued in MULTI keep it. */
void fr_tracking_after_command(fr_client *c)
{
    if (npending) fr_tracking_flush_pending();
    if (!c->tracking || !(c->tracking->flags & TRK_CACHING) || c->multi) return;
    const fr_cmd_meta *cmd = c->lastcmd;
    if (cmd && cmd->parent) cmd = cmd->parent;
    if (cmd && !strcmp(cmd->fullname, "client")) return;
    c->tracking->flags &= ~TRK_CACHING;
}

int fr_tracking_set_caching(fr_client *c, int yes)
{
    fr_tracking *t = c->tracking;
    if (!(t->flags & (yes ? TRK_OPTIN : TRK_OPTOUT))) return FR_ERR;
    t->flags |= TRK_CACHING;
    return FR_OK;
}

/* CLIENT TRACKINGINFO's flag words, CLIENT LIST's letters and fields. */
int fr_tracking_flag_words(const fr_client *c, const char **out)
{
    int n = 0;
    const fr_tracking *t = c->tracking;
    out[n++] = t ? "on" : "off";
    if (!t) return n;
    if (t->flags & TRK_BCAST) out[n++] = "bcast";
    if (t->flags & TRK_OPTIN) {
        out[n++] = "optin";
        if (t->flags & TRK_CACHING) out[n++] = "caching-yes";
    }
    if (t->flags & TRK_OPTOUT) {
        out[n++] = "optout";
        if (t->flags & TRK_CACHING) out[n++] = "caching-no";
    }
    if (t->flags & TRK_NOLOOP) out[n++] = "noloop";
    if (t->flags & TRK_BROKEN_REDIR) out[n++] = "broken_redirect";
    return n;
}

char *fr_tracking_flag_letters(const fr_client *c, char *p)
{
    const fr_tracking *t = c->tracking;
    if (!t) return p;
    *p++ = 't';
    if (t->flags & TRK_BROKEN_REDIR) *p++ = 'R';
    if (t->flags & TRK_BCAST) *p++ = 'B';
    return p;
}

long long fr_tracking_redirect(const fr_client *c)
{
    return c->tracking ? (long long)c->tracking->redirect : -1;
}

int fr_tracking_mode(const fr_client *c, int *bcast, int *optin, int *optout)
{
    if (!c->tracking) return 0;
    *bcast = (c->tracking->flags & TRK_BCAST) != 0;
    *optin = (c->tracking->flags & TRK_OPTIN) != 0;
    *optout = (c->tracking->flags & TRK_OPTOUT) != 0;
    return 1;
}

int fr_tracking_prefixes(const fr_client *c, fr_str *const **out)
{
    if (!c->tracking) return 0;
    *out = c->tracking->prefixes;
    return c->tracking->nprefixes;
}

/* INFO: tracking_clients, tracking_total_keys/items/prefixes. */
void fr_tracking_stats(fr_tracking_info *out)
{
    out->clients = tracking_clients;
    out->keys = key_table ? (long long)fr_dict_size(key_table) : 0;
    out->items = (long long)total_items;
    out->prefixes = nprefixes;
}

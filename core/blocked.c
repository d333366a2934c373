/* blocked.c -- clients whose command cannot run now, as Redis's blocked.c.
 *
 * Owns the block record each blocked client carries (fr_client.block) and
 * the per-type counts INFO shows as blocked_clients.  Blocking holds the
 * client's input in the protocol layer with the command still parsed
 * (fr_client_hold_input); unblocking releases it, and the protocol layer
 * runs the held command again (a postponed one) or drops it (one answered
 * while blocked) before the loop sleeps.
 *
 * Types today: POSTPONE, a command held by CLIENT PAUSE (pause.c) and run
 * from scratch when the pause lifts, exactly as if it had just arrived;
 * KEYS, a command that waits for keys (fr_block_on_keys: BLPOP & co).  A
 * write to a key someone waits for marks it ready; after the command that
 * wrote it, each client waiting on it, first blocked first, runs its
 * command again while the key holds the awaited type: the module's
 * handler serves, or waits again in the same place with the same
 * deadline.  Deadlines are checked before the loop sleeps (at least every
 * 1000/hz ms).  WAKE, a command waiting for something only a module sees
 * (fr_block_until: WAIT and replicas' acks): a module's fr_client_wake, or
 * the deadline, runs it again before the loop sleeps.
 * Invariants: a client is in the postponed list iff its record's type is
 * POSTPONE, in the waiters list iff KEYS, in the sleepers list iff WAKE; every record is freed with its
 * client (fr_blocked_client_gone). */
#include <string.h>

#include "runtime.h"

typedef struct fr_block {
    fr_blocked_type type;
    fr_client *client;
    struct fr_block *prev, *next;   /* its type's list, oldest first */
    /* KEYS only */
    fr_db *db;
    const fr_type *vtype;
    fr_str **keys;
    int nkeys;
    long long deadline_ms;          /* 0: none */
    int serving, reblocked;         /* running again; waits again */
    int wake_on_gone;               /* also run again when a key is deleted
                                     * or holds another type */
    int woken, timed_out;           /* WAKE only */
} fr_block;

typedef struct fr_block_list {
    fr_block *head, *tail;
} fr_block_list;

static fr_block_list postponed, waiters, sleepers;
static long counts[FR_BLOCKED__COUNT];

/* Keys written while someone waited on them, in order, without repeats. */
typedef struct ready_key {
    fr_db *db;
    fr_str *key;
} ready_key;
static ready_key *ready;
static int nready, ready_cap;

static void list_append(fr_block_list *l, fr_block *b)
{
    b->prev = l->tail;
    b->next = NULL;
    if (l->tail) l->tail->next = b;
    else l->head = b;
    l->tail = b;
}

static void list_unlink(fr_block_list *l, fr_block *b)
{
    if (b->prev) b->prev->next = b->next;
    else l->head = b->next;
    if (b->next) b->next->prev = b->prev;
    else l->tail = b->prev;
}

static fr_block *block_new(fr_client *c, fr_blocked_type type)
{
    fr_block *b = fr_calloc(sizeof(*b));
    b->type = type;
    b->client = c;
    c->block = b;
    counts[type]++;
    fr_client_hold_input(c);
    return b;
}

void fr_block_postpone(fr_client *c)
{
    list_append(&postponed, block_new(c, FR_BLOCKED_POSTPONE));
}

/* Forget the record; the caller decides what becomes of the input. */
static void block_drop(fr_client *c)
{
    fr_block *b = c->block;
    if (!b) return;
    if (b->type == FR_BLOCKED_POSTPONE) list_unlink(&postponed, b);
    if (b->type == FR_BLOCKED_WAKE) list_unlink(&sleepers, b);
    if (b->type == FR_BLOCKED_KEYS) {
        list_unlink(&waiters, b);
        for (int i = 0; i < b->nkeys; i++) fr_str_free(b->keys[i]);
        fr_free(b->keys);
    }
    counts[b->type]--;
    c->block = NULL;
    if (b->type == FR_BLOCKED_KEYS && counts[FR_BLOCKED_KEYS] == 0) fr_runtime_key_interest_changed();
    fr_free(b);
}

/* Every postponed command runs again, oldest first; each may be postponed
 * anew if what held it still holds. */
void fr_unblock_postponed_all(void)
{
    while (postponed.head) {
        fr_client *c = postponed.head->client;
        block_drop(c);
        fr_client_release_input(c, 1);
    }
}

int fr_client_is_blocked(const fr_client *c)
{
    return c->block != NULL;
}

/* CLIENT UNBLOCK: only clients blocked inside a command can be unblocked.
 * A postponed command has not started, so it is left alone (Redis 7.0.15
 * aborts on it; later versions answer 0 as here). */
/* The null array a timed-out wait answers, in the client's protocol. */
static void reply_timeout(fr_client *c)
{
    if (c->resp == 3) fr_client_add_reply(c, "_\r\n", 3);
    else fr_client_add_reply(c, "*-1\r\n", 5);
}

/* The wait is over without being served: the held command is dropped and
 * whatever the client sent meanwhile runs. */
static void unblock_unserved(fr_client *c)
{
    block_drop(c);
    fr_client_release_input(c, 0);
}

int fr_client_unblock_by_id(uint64_t id, int with_error)
{
    fr_client *c = fr_client_by_id(id);
    if (!c || !c->block || ((fr_block *)c->block)->type != FR_BLOCKED_KEYS) return 0;
    if (with_error) {
        static const char err[] = "-UNBLOCKED client unblocked via CLIENT UNBLOCK";
        fr_client_add_error(c, err, sizeof(err) - 1);
    } else {
        reply_timeout(c);
    }
    unblock_unserved(c);
    return 1;
}

/* Redis's disconnectAllBlockedClients: a master turning replica answers
 * every waiting command with the error and closes the connection after
 * it; a command held by a pause is not waiting on anything and stays. */
FR_API void fr_blocked_disconnect_all(const char *error)
{
    for (fr_client *c = fr_proto.clients; c; c = c->next) {
        fr_block *b = c->block;
        if (!b || b->type == FR_BLOCKED_POSTPONE) continue;
        fr_client_add_error(c, error, strlen(error));
        c->flags |= FR_CLIENT_CLOSE_AFTER_REPLY;
        unblock_unserved(c);
    }
}

void fr_blocked_client_gone(fr_client *c)
{
    block_drop(c);
}

long fr_blocked_count(void)
{
    long n = 0;
    for (int i = 0; i < FR_BLOCKED__COUNT; i++) n += counts[i];
    return n;
}

long fr_blocked_on_keys_count(void)
{
    return counts[FR_BLOCKED_KEYS];
}

FR_API int fr_block_on_keys(fr_ctx *ctx, const fr_type *t, int nkeys, const fr_str *const *keys,
                            long long abs_timeout_ms)
{
    return fr_block_on_keys_ex(ctx, t, nkeys, keys, abs_timeout_ms, 0);
}

FR_API int fr_block_on_keys_ex(fr_ctx *ctx, const fr_type *t, int nkeys, const fr_str *const *keys,
                               long long abs_timeout_ms, int flags)
{
    fr_client *c = ctx->client;
    if (!c || fr_runtime.in_exec || nkeys <= 0) return FR_ERR;
    fr_block *b = c->block;
    if (b && b->type == FR_BLOCKED_KEYS && b->serving) {
        b->reblocked = 1;   /* keeps its place and deadline */
        fr_client_hold_input(c);
        return FR_OK;
    }
    b = block_new(c, FR_BLOCKED_KEYS);
    b->db = fr_ctx_db(ctx);
    b->vtype = t;
    b->nkeys = nkeys;
    b->keys = fr_malloc(sizeof(*b->keys) * (size_t)nkeys);
    for (int i = 0; i < nkeys; i++) b->keys[i] = fr_str_dup(keys[i]);
    b->deadline_ms = abs_timeout_ms;
    b->wake_on_gone = (flags & FR_BLOCK_WAKE_ON_GONE) != 0;
    list_append(&waiters, b);
    if (counts[FR_BLOCKED_KEYS] == 1) fr_runtime_key_interest_changed();
    return FR_OK;
}

static int same_key(const fr_str *a, const fr_str *b)
{
    return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

static int waits_on(const fr_block *b, const fr_db *db, const fr_str *key)
{
    if (b->db != db) return 0;
    for (int i = 0; i < b->nkeys; i++)
        if (same_key(b->keys[i], key)) return 1;
    return 0;
}

void fr_blocked_key_written(fr_db *db, const fr_str *key)
{
    int wanted = 0;
    for (fr_block *b = waiters.head; b && !wanted; b = b->next) wanted = !b->serving && waits_on(b, db, key);
    if (!wanted) return;
    for (int i = 0; i < nready; i++)
        if (ready[i].db == db && same_key(ready[i].key, key)) return;
    if (nready == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = fr_realloc(ready, sizeof(*ready) * (size_t)ready_cap);
    }
    ready[nready].db = db;
    ready[nready].key = fr_str_dup(key);
    nready++;
}

/* A key deleted: ready only for the clients that asked to learn it. */
void fr_blocked_key_deleted(fr_db *db, const fr_str *key)
{
    int wanted = 0;
    for (fr_block *b = waiters.head; b && !wanted; b = b->next)
        wanted = !b->serving && b->wake_on_gone && waits_on(b, db, key);
    if (wanted) fr_blocked_key_written(db, key);
}

void fr_blocked_db_swapped(fr_db *db)
{
    for (fr_block *b = waiters.head; b; b = b->next) {
        if (b->db != db) continue;
        for (int i = 0; i < b->nkeys; i++)
            /* A raw find, as Redis's scanDatabaseForReadyKeys: a key that
             * expired is deleted (and its DEL propagated) by the waiter's
             * own lookup after SWAPDB, not before SWAPDB is propagated. */
            if (fr_db_find_raw(db, b->keys[i]) || b->wake_on_gone) fr_blocked_key_written(db, b->keys[i]);
    }
}

/* FLUSHDB (db) or FLUSHALL (NULL): the keys of clients that asked to
 * learn a key is gone are ready. */
void fr_blocked_db_flushed(fr_db *db)
{
    for (fr_block *b = waiters.head; b; b = b->next) {
        if (!b->wake_on_gone || (db && b->db != db)) continue;
        for (int i = 0; i < b->nkeys; i++) fr_blocked_key_written(b->db, b->keys[i]);
    }
}

/* Run c's held command again; it either served (the wait is over) or
 * waits again where it was. */
static void rerun(fr_client *c, fr_block *b)
{
    b->serving = 1;
    b->reblocked = 0;
    c->flags &= ~FR_CLIENT_BLOCKED;
    /* the served client is the running one, as Redis's receiver: its own
     * invalidations follow its reply, NOLOOP skips its own writes */
    fr_client *was = fr_proto.current_client;
    fr_proto.current_client = c;
    fr_command_process(c);
    fr_proto.current_client = was;
    b->serving = 0;
    if (b->reblocked) return;
    block_drop(c);
    fr_client_release_input(c, 0);
}

/* The clients waiting on one ready key, oldest first, while it holds their
 * type.  Ids, not pointers: a command run here may free other clients. */
static void serve_key(fr_db *db, const fr_str *key)
{
    long n = 0;
    for (fr_block *b = waiters.head; b; b = b->next) n += waits_on(b, db, key);
    if (!n) return;
    uint64_t *ids = fr_malloc(sizeof(*ids) * (size_t)n);
    long k = 0;
    for (fr_block *b = waiters.head; b; b = b->next)
        if (waits_on(b, db, key)) ids[k++] = b->client->id;
    for (long i = 0; i < k; i++) {
        fr_client *c = fr_client_by_id(ids[i]);
        fr_block *b = c ? c->block : NULL;
        if (!b || b->type != FR_BLOCKED_KEYS || !waits_on(b, db, key)) continue;
        fr_value *v = fr_key_lookup(NULL, db, key, FR_LOOKUP_NOTOUCH | FR_LOOKUP_NOSTATS | FR_LOOKUP_NONOTIFY);
        if ((!v || fr_value_type(v) != b->vtype) && !b->wake_on_gone) continue;
        rerun(c, b);
    }
    fr_free(ids);
}

void fr_blocked_serve_ready(void)
{
    static int serving;
    if (serving || !nready || fr_writes_paused()) return;
    serving = 1;
    while (nready) {
        ready_key r = ready[0];
        memmove(ready, ready + 1, sizeof(*ready) * (size_t)(nready - 1));
        nready--;
        serve_key(r.db, r.key);
        fr_str_free(r.key);
    }
    serving = 0;
}

/* ---- WAKE ---------------------------------------------------------------- */

FR_API int fr_block_until(fr_ctx *ctx, long long abs_timeout_ms)
{
    fr_client *c = ctx->client;
    if (!c || fr_runtime.in_exec) return FR_ERR;
    fr_block *b = c->block;
    if (b && b->type == FR_BLOCKED_WAKE && b->serving) {
        b->reblocked = 1;
        fr_client_hold_input(c);
        return FR_OK;
    }
    b = block_new(c, FR_BLOCKED_WAKE);
    b->deadline_ms = abs_timeout_ms;
    list_append(&sleepers, b);
    return FR_OK;
}

FR_API void fr_client_wake(fr_client *c)
{
    fr_block *b = c ? c->block : NULL;
    if (b && b->type == FR_BLOCKED_WAKE && !b->serving) b->woken = 1;
}

/* 1 while c's held command runs again (keys ready, a wake, a deadline):
 * Redis counts a blocked command's call once, when it arrived. */
int fr_blocked_rerunning(const fr_client *c)
{
    const fr_block *b = c ? c->block : NULL;
    return b && (b->type == FR_BLOCKED_KEYS || b->type == FR_BLOCKED_WAKE) && b->serving;
}

FR_API int fr_ctx_block_rerun(const fr_ctx *ctx)
{
    const fr_block *b = ctx->client ? ctx->client->block : NULL;
    return b && b->type == FR_BLOCKED_KEYS && b->serving;
}

FR_API int fr_ctx_block_timed_out(const fr_ctx *ctx)
{
    const fr_block *b = ctx->client ? ctx->client->block : NULL;
    return b && b->type == FR_BLOCKED_WAKE && b->serving && b->timed_out;
}

/* Woken and timed-out sleepers run again, oldest first.  Ids, not
 * pointers: a command run here may free other clients.  A run at the
 * deadline that waits again anyway is not kept waiting. */
static void serve_sleepers(long long now)
{
    long n = 0;
    for (fr_block *b = sleepers.head; b; b = b->next) n++;
    if (!n) return;
    uint64_t *ids = fr_malloc(sizeof(*ids) * (size_t)n);
    long k = 0;
    for (fr_block *b = sleepers.head; b; b = b->next)
        if (b->woken || (b->deadline_ms && b->deadline_ms <= now)) ids[k++] = b->client->id;
    for (long i = 0; i < k; i++) {
        fr_client *c = fr_client_by_id(ids[i]);
        fr_block *b = c ? c->block : NULL;
        if (!b || b->type != FR_BLOCKED_WAKE) continue;
        b->woken = 0;
        b->timed_out = b->deadline_ms && b->deadline_ms <= now;
        rerun(c, b);
        b = c->block;
        if (b && b->type == FR_BLOCKED_WAKE && b->timed_out) unblock_unserved(c);
    }
    fr_free(ids);
}

void fr_blocked_check_timeouts(void)
{
    if (counts[FR_BLOCKED_WAKE]) serve_sleepers((long long)fr_mstime());
    if (!counts[FR_BLOCKED_KEYS]) return;
    long long now = (long long)fr_mstime();
    fr_block *b = waiters.head;
    while (b) {
        fr_block *next = b->next;
        if (b->deadline_ms && b->deadline_ms <= now) {
            fr_client *c = b->client;
            reply_timeout(c);
            unblock_unserved(c);
        }
        b = next;
    }
}

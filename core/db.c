/* db.c -- the keyspace: `databases` DBs, each a key table and an expires
 * set, and the SDK's fr_key_* / fr_db_* functions over them.
 *
 * Invariants:
 *  1. keys owns its entries (kv.h: key, value header and expire time in one
 *     object); expires is a set of pointers to the entries that have a TTL,
 *     used only to sample them (active expiry), so an entry leaves expires
 *     before it is freed.
 *  2. an entry is in expires exactly when its expire field is not -1.
 *  3. a key whose expire time has passed is logically absent: every lookup,
 *     SCAN, KEYS and RANDOMKEY treats it so; lookups and SCAN delete it (lazy
 *     expiry), counting expired_keys and propagating DEL (UNLINK with
 *     lazyfree-lazy-expire) so AOF and replicas stay in step.
 *  4. within one command the clock is read once (fr_clock_cmd_ms, base.h),
 *     so a key cannot expire half way through a command.
 * Key events (read on hits, written on stores, deleted on removal), the
 * keyspace notifications "new", "expired" and "keymiss", and the
 * propagation of an expired key's DEL go up through the upcalls the runtime
 * registers (keyspace.h); this file owns the keyspace state (fr_keyspace). */
#include <string.h>

#include "keyspace.h"
#include "kv.h"

fr_keyspace_state fr_keyspace;

/* ------------------------------------------------------------ upcalls */

static void no_key_event(fr_hook_id id, fr_ctx *ctx, fr_db *db, const fr_str *key, int why)
{
    (void)id, (void)ctx, (void)db, (void)key, (void)why;
}

static void no_propagate(int dbid, int argc, fr_str **argv)
{
    (void)dbid, (void)argc, (void)argv;
}

static const char *no_owner_name(const fr_module *m)
{
    (void)m;
    return "?";
}

static int no_owner_sdk_minor(const fr_module *m)
{
    (void)m;
    return FR_SDK_MINOR;
}

static void no_notify(int type, const char *event, const fr_str *key, int dbid)
{
    (void)type, (void)event, (void)key, (void)dbid;
}

static fr_keyspace_upcalls up = {no_key_event, no_propagate, no_owner_name, no_owner_sdk_minor, no_notify};

void fr_keyspace_set_upcalls(const fr_keyspace_upcalls *u)
{
    up = *u;
}

const char *fr_type_owner_name(const fr_module *m)
{
    return up.owner_name(m);
}

int fr_type_owner_sdk_minor(const fr_module *m)
{
    return up.owner_sdk_minor(m);
}

static fr_value *kv_find(fr_db *db, const fr_str *key)
{
    fr_dict_entry *e = fr_dict_find(db->keys, key);
    return e ? fr_kv_of(e) : NULL;
}

/* Redis: a key is expired once now > when; never while loading. */
/* The entry as stored, expired or not, with no side effect (DEBUG). */
fr_value *fr_db_find_raw(fr_db *db, const fr_str *key)
{
    return kv_find(db, key);
}

/* A replica's keys are alive for its master's stream, which will delete
 * them itself (Redis's expireIfNeeded for server.master). */
static int kv_expired(const fr_value *v)
{
    if (v->expire == -1 || fr_keyspace.loading) return 0;
    if (fr_keyspace.replica_mode && fr_keyspace.replaying) return 0;
    return fr_clock_cmd_ms() > v->expire;
}

FR_API void fr_keyspace_replica_mode(int on)
{
    fr_keyspace.replica_mode = on != 0;
}

FR_API int fr_keyspace_expires_here(void)
{
    return !fr_keyspace.replica_mode;
}

FR_API int fr_keyspace_is_replica(void)
{
    return fr_keyspace.replica_mode;
}

static void kv_clear_expire(fr_db *db, fr_value *v)
{
    if (v->expire == -1) return;
    fr_dict_delete(db->expires, v);
    v->expire = -1;
}

static void kv_set_expire(fr_db *db, fr_value *v, long long when_ms)
{
    if (v->expire == -1) fr_dict_add_raw(db->expires, v, NULL);
    v->expire = when_ms;
}

/* Redis's setExpire on a replica: a TTL that is not its master's (a
 * connection's write: not the stream's replayer, not a snapshot load) has
 * no DEL coming, so the key is tracked to expire here (replica_keys.c). */
static void note_own_expire(fr_db *db, const fr_str *key)
{
    if (fr_keyspace.replica_mode && !fr_keyspace.replaying && !fr_keyspace.loading)
        fr_replica_keys_remember(db->id, key);
}

/* ---------------------------------------------------------------- dbs */

int fr_db_init(void)
{
    fr_keyspace.db = fr_calloc(sizeof(fr_db) * (size_t)fr_cfg.databases);
    fr_keyspace_set_access(FR_ACCESS_LRU, 10, 1); /* Redis's lfu-* defaults */
    for (int i = 0; i < fr_cfg.databases; i++) {
        fr_keyspace.db[i].id = i;
        fr_keyspace.db[i].keys = fr_dict_create(&fr_kv_keys_dict_type);
        fr_keyspace.db[i].expires = fr_dict_create(&fr_kv_expires_dict_type);
    }
    return 0;
}

fr_db *fr_db_at(int id)
{
    return &fr_keyspace.db[id];
}

fr_db *fr_db_by_id(fr_ctx *ctx, long id)
{
    (void)ctx;
    if (id < 0 || id >= fr_cfg.databases) return NULL;
    return &fr_keyspace.db[id];
}

int fr_db_id(const fr_db *db)
{
    return db->id;
}

int fr_db_count(void)
{
    return (int)fr_cfg.databases;
}

unsigned long long fr_db_size(const fr_db *db)
{
    return fr_dict_size(db->keys);
}

long long fr_db_expires_count(const fr_db *db)
{
    return (long long)fr_dict_size(db->expires);
}

/* ------------------------------------------------------------- expiry */

static void fire_key(fr_hook_id id, fr_ctx *ctx, fr_db *db, const fr_str *key, int why)
{
    if (fr_keyspace.key_events_wanted & (1u << id)) up.key_event(id, ctx, db, key, why);
}

int fr_key_is_expired(fr_db *db, const fr_str *key)
{
    fr_value *v = kv_find(db, key);
    return v && kv_expired(v);
}

/* Take key's entry out of both tables (invariant 1) and fire key-deleted;
 * the entry, its expire field intact, goes to the caller.  NULL if absent. */
static fr_value *unlink_key(fr_ctx *ctx, fr_db *db, const fr_str *key, int why)
{
    fr_dict_entry *e = fr_dict_unlink(db->keys, key);
    if (!e) return NULL;
    fr_value *v = fr_kv_of(e);
    if (v->expire != -1) fr_dict_delete(db->expires, v);
    fire_key(FR_HOOK_KEY_DELETED, ctx, db, key, why);
    return v;
}

/* Returns 1 if the key existed.  lazy: a large value is freed by the
 * lazy-free thread (lazyfree.c). */
static int remove_key(fr_ctx *ctx, fr_db *db, const fr_str *key, int why, int lazy)
{
    fr_value *v = unlink_key(ctx, db, key, why);
    fr_lazyfree_entry(v, lazy);
    return v != NULL;
}

/* Under CLIENT PAUSE an expired key is gone for readers but stays stored:
 * the deletion (and its propagation) waits for the pause to lift. */
void fr_db_delete_expired(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    if (fr_keyspace.expire_paused) return;
    fr_str *argv[2];
    argv[0] = fr_str_new(fr_cfg.lazyfree_lazy_expire ? "UNLINK" : "DEL",
                         fr_cfg.lazyfree_lazy_expire ? 6 : 3);
    argv[1] = fr_str_dup(key);
    remove_key(ctx, db, argv[1], FR_DELETE_EXPIRED, fr_cfg.lazyfree_lazy_expire);
    up.notify(FR_NOTIFY_EXPIRED, "expired", argv[1], db->id);
    fr_keyspace.stats.expiredkeys++;
    up.propagate(db->id, 2, argv);
    fr_str_free(argv[0]);
    fr_str_free(argv[1]);
}

/* Eviction as Redis's performEvictions deletes a key: WATCH and the
 * key-deleted hook hear of it, evicted_keys counts it, and replicas and
 * the AOF get a DEL (UNLINK when `lazy`: lazyfree-lazy-eviction, which the
 * caller reads, configuration being a layer above this one). */
FR_API int fr_key_evict(fr_db *db, const fr_str *key, int lazy)
{
    fr_str *argv[2];
    argv[0] = fr_str_new(lazy ? "UNLINK" : "DEL", lazy ? 6 : 3);
    argv[1] = fr_str_dup(key);
    int existed = remove_key(NULL, db, argv[1], FR_DELETE_EVICTED, lazy);
    if (existed) {
        fr_keyspace.stats.evictedkeys++;
        up.propagate(db->id, 2, argv);
    }
    fr_str_free(argv[0]);
    fr_str_free(argv[1]);
    return existed;
}

/* On a replica an expired key is only hidden: its master's DEL removes it. */
static int expire_if_needed(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    if (!fr_key_is_expired(db, key)) return 0;
    if (!fr_keyspace.replica_mode) fr_db_delete_expired(ctx, db, key);
    return 1;
}

int fr_key_expire_if_due(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    return expire_if_needed(ctx, db, key);
}

typedef struct expires_walk {
    fr_expire_scan_fn fn;
    void *priv;
    fr_str *scratch;
} expires_walk;

static void expires_walk_cb(void *priv, fr_dict_entry *e)
{
    expires_walk *w = priv;
    const fr_value *v = e->key;
    w->fn(w->priv, fr_kv_key_view(v, &w->scratch), v->expire);
}

unsigned long long fr_db_expires_scan(fr_db *db, unsigned long long cursor, fr_expire_scan_fn fn, void *priv)
{
    if (!fr_dict_size(db->expires)) return 0;
    expires_walk w = {fn, priv, NULL};
    cursor = fr_dict_scan(db->expires, cursor, expires_walk_cb, &w);
    fr_str_free(w.scratch);
    return cursor;
}

unsigned long long fr_db_expires_slots(const fr_db *db)
{
    return fr_dict_slots(db->expires);
}

int fr_db_expand(fr_db *db, unsigned long long keys, unsigned long long expires)
{
    int rc = fr_dict_expand(db->keys, (unsigned long)keys) == FR_OK ? FR_OK : FR_ERR;
    if (expires && fr_dict_expand(db->expires, (unsigned long)expires) != FR_OK) rc = FR_ERR;
    return rc;
}

void fr_db_set_avg_ttl(fr_db *db, long long avg_ttl_ms)
{
    db->avg_ttl = avg_ttl_ms;
}

long long fr_db_avg_ttl(const fr_db *db)
{
    return db->avg_ttl;
}

void fr_stats_expire_cycle(double stale_perc, int time_cap_reached, long long cpu_us)
{
    fr_keyspace.stats.expired_stale_perc = stale_perc;
    if (time_cap_reached) fr_keyspace.stats.expired_time_cap_reached_count++;
    fr_keyspace.stats.expire_cycle_cpu_us += cpu_us;
}

long long fr_key_get_expire(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    (void)ctx;
    fr_value *v = kv_find(db, key);
    return v ? v->expire : -1;
}

/* fr_key_set_expire's storing half; the SDK entry (expire_policy.c) asks
 * the expiry policy first. */
void fr_db_store_expire(fr_db *db, const fr_str *key, long long when_ms)
{
    fr_value *v = kv_find(db, key);
    if (!v) return;
    kv_set_expire(db, v, when_ms);
    note_own_expire(db, key);
}

int fr_key_persist(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    (void)ctx;
    fr_value *v = kv_find(db, key);
    if (!v || v->expire == -1) return 0;
    kv_clear_expire(db, v);
    return 1;
}

int fr_expire_available(void)
{
    return fr_keyspace.expire_available;
}

/* ------------------------------------------------------------ lookups */

fr_value *fr_key_lookup(fr_ctx *ctx, fr_db *db, const fr_str *key, int flags)
{
    fr_value *v = kv_find(db, key);
    if (v && kv_expired(v)) {
        /* a replica deletes only for a write of its own (writable replica) */
        if (!fr_keyspace.replica_mode || (flags & FR_LOOKUP_WRITE)) fr_db_delete_expired(ctx, db, key);
        v = NULL;
    }
    if (!v && !(flags & (FR_LOOKUP_WRITE | FR_LOOKUP_NONOTIFY)) &&
        (fr_cfg.notify_keyspace_events & FR_NOTIFY_KEY_MISS))
        up.notify(FR_NOTIFY_KEY_MISS, "keymiss", key, db->id);
    if (flags & FR_LOOKUP_WRITE) flags |= FR_LOOKUP_NOSTATS;
    if (v && !(flags & FR_LOOKUP_NOTOUCH) && !fr_keyspace.access_frozen) fr_kv_touch(v);
    if (!(flags & FR_LOOKUP_NOSTATS)) {
        if (v) fr_keyspace.stats.keyspace_hits++;
        else fr_keyspace.stats.keyspace_misses++;
    }
    if (v) fire_key(FR_HOOK_KEY_READ, ctx, db, key, 0);
    return v;
}

/* ------------------------------------------------------------- writes */

/* The old payload goes to the lazy-free thread under
 * lazyfree-lazy-server-del when it is large (Redis's dbSetValue). */
static void overwrite(fr_db *db, fr_value *v, const fr_type *type,
                      void *payload, int flags)
{
    const fr_type *old_type = fr_value_type(v);
    void *old = v->payload;
    if (fr_cfg.lazyfree_lazy_server_del && old != payload && fr_lazyfree_payload(old_type, old))
        v->payload = NULL; /* the thread owns it now: set_value must not free it */
    fr_kv_set_value(v, type, payload);
    fr_kv_overwritten(v);
    if (!(flags & FR_SET_KEEPTTL)) kv_clear_expire(db, v);
}

/* The one place entries are created: a single hash and bucket walk finds
 * the key or the slot for it. */
static fr_value *store(fr_db *db, const fr_str *key, const fr_type *type,
                       void *payload, int flags)
{
    fr_dict_entry **slot;
    fr_dict_entry *e = fr_dict_find_or_slot(db->keys, key, &slot);
    if (!e) {
        fr_value *v = fr_kv_new(key, type, payload);
        fr_dict_link_slot(db->keys, slot, fr_kv_entry(v));
        /* Redis's dbAdd: "new", but not for keys loaded at start-up */
        if ((fr_cfg.notify_keyspace_events & FR_NOTIFY_NEW) && !fr_keyspace.loading)
            up.notify(FR_NOTIFY_NEW, "new", key, db->id);
        return v;
    }
    overwrite(db, fr_kv_of(e), type, payload, flags);
    return fr_kv_of(e);
}

void fr_key_replace(fr_ctx *ctx, fr_db *db, const fr_str *key, fr_value *v,
                    const fr_type *type, void *payload, int flags)
{
    overwrite(db, v, type, payload, flags);
    fire_key(FR_HOOK_KEY_WRITTEN, ctx, db, key, 0);
}

void fr_key_set(fr_ctx *ctx, fr_db *db, const fr_str *key, const fr_type *type,
                void *payload, int flags)
{
    store(db, key, type, payload, flags);
    fire_key(FR_HOOK_KEY_WRITTEN, ctx, db, key, 0);
}

int fr_key_delete(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    return remove_key(ctx, db, key, FR_DELETE_EXPLICIT, fr_cfg.lazyfree_lazy_server_del);
}

FR_API int fr_key_delete_lazy(fr_ctx *ctx, fr_db *db, const fr_str *key, int lazy)
{
    if (lazy == FR_LAZY_USER_DEL) lazy = fr_cfg.lazyfree_lazy_user_del;
    return remove_key(ctx, db, key, FR_DELETE_EXPLICIT, lazy);
}

void fr_key_touched_write(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    fire_key(FR_HOOK_KEY_WRITTEN, ctx, db, key, 0);
}

/* A detached value is its old entry, out of every table: the payload and
 * expire time move to an entry made for the new key on attach. */
fr_detached *fr_key_detach(fr_ctx *ctx, fr_db *db, const fr_str *key)
{
    return (fr_detached *)(void *)unlink_key(ctx, db, key, FR_DELETE_EXPLICIT);
}

void fr_key_attach(fr_ctx *ctx, fr_db *db, const fr_str *key, fr_detached *d)
{
    fr_value *old = (fr_value *)(void *)d;
    fr_value *v = store(db, key, fr_value_type(old), old->payload, 0);
    v->lru = old->lru; /* Redis moves the object itself: its access record goes along */
    if (old->expire != -1) {
        kv_set_expire(db, v, old->expire);
        note_own_expire(db, key);
    }
    fr_kv_free_shell(old);
    fire_key(FR_HOOK_KEY_WRITTEN, ctx, db, key, 0);
}

/* ----------------------------------------------------- scan and friends */

typedef struct scan_collect {
    fr_str **keys;
    size_t n, cap;
} scan_collect;

static void collect_cb(void *priv, fr_dict_entry *e)
{
    scan_collect *sc = priv;
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 16;
        sc->keys = fr_realloc(sc->keys, sizeof(fr_str *) * sc->cap);
    }
    sc->keys[sc->n++] = fr_kv_key_dup(fr_kv_of(e));
}

/* Keys are collected first and handed over afterwards, because the scan
 * callback may not delete other entries.  Expiry is left to the caller: as
 * in Redis, SCAN filters by MATCH and TYPE first and only then expires (and
 * drops) what is left. */
unsigned long long fr_db_scan(fr_db *db, unsigned long long cursor, long count,
                              fr_scan_fn fn, void *priv)
{
    scan_collect sc = {0};
    long maxiter = count * 10;
    do {
        cursor = fr_dict_scan(db->keys, cursor, collect_cb, &sc);
    } while (cursor && maxiter-- && (long)sc.n < count);
    for (size_t i = 0; i < sc.n; i++) {
        fr_value *v = kv_find(db, sc.keys[i]);
        if (v) fn(priv, sc.keys[i], v);
        fr_str_free(sc.keys[i]);
    }
    fr_free(sc.keys);
    return cursor;
}

void fr_db_foreach(fr_db *db, fr_scan_fn fn, void *priv)
{
    fr_dict_iter it;
    fr_dict_iter_init_safe(&it, db->keys);
    fr_dict_entry *e;
    fr_str *scratch = NULL;
    while ((e = fr_dict_iter_next(&it)) != NULL) {
        fr_value *v = fr_kv_of(e);
        if (kv_expired(v)) continue;
        fn(priv, fr_kv_key_view(v, &scratch), v);
    }
    fr_dict_iter_release(&it);
    fr_str_free(scratch);
}

/* Eviction's sample: consecutive buckets from a random point, of the keys
 * table or of the expires set (whose entries point at the key entries). */
FR_API int fr_db_sample(fr_db *db, int volatile_only, int count, fr_sample_fn fn, void *priv)
{
    fr_dict_entry *picked[64];
    fr_dict *d = volatile_only ? db->expires : db->keys;
    if (count <= 0 || fr_dict_size(d) == 0) return 0;
    if (count > 64) count = 64;
    unsigned n;
    if (count == 1) {
        /* the random policies: a walk from a random bucket can miss in a
         * sparse table, a random non-empty bucket cannot */
        picked[0] = fr_dict_get_random_key(d);
        n = picked[0] != NULL;
    } else {
        n = fr_dict_get_some_keys(d, picked, (unsigned)count);
    }
    fr_str *scratch = NULL;
    for (unsigned i = 0; i < n; i++) {
        const fr_value *v = volatile_only ? (const fr_value *)picked[i]->key : fr_kv_of(picked[i]);
        fn(priv, fr_kv_key_view(v, &scratch), v, v->expire);
    }
    fr_str_free(scratch);
    return (int)n;
}

/* On a replica whose keys all have a TTL, every one may be expired and
 * kept: after 100 tries an expired key is answered, as Redis does, rather
 * than looping. */
fr_str *fr_db_random_key(fr_ctx *ctx, fr_db *db)
{
    int all_volatile = fr_dict_size(db->keys) == fr_dict_size(db->expires);
    for (int tries = 0; tries < 1000 && fr_dict_size(db->keys); tries++) {
        fr_dict_entry *e = fr_dict_get_fair_random_key(db->keys);
        if (!e) return NULL;
        fr_str *k = fr_kv_key_dup(fr_kv_of(e));
        if (!expire_if_needed(ctx, db, k)) return k;
        if (fr_keyspace.replica_mode && all_volatile && tries == 99) return k;
        fr_str_free(k);
    }
    return NULL;
}

/* --------------------------------------------------- flush, swap, cron */

void fr_db_flush(fr_db *db)
{
    fr_dict_empty(db->expires, NULL);
    fr_dict_empty(db->keys, NULL);
    db->avg_ttl = 0;
}

void fr_db_flush_async(fr_db *db)
{
    if (!fr_dict_size(db->keys)) { /* nothing to hand over */
        fr_db_flush(db);
        return;
    }
    fr_lazyfree_tables(db->keys, db->expires);
    db->keys = fr_dict_create(&fr_kv_keys_dict_type);
    db->expires = fr_dict_create(&fr_kv_expires_dict_type);
    db->avg_ttl = 0;
}

void fr_db_flush_all(int async)
{
    for (int i = 0; i < fr_cfg.databases; i++) {
        if (async) fr_db_flush_async(&fr_keyspace.db[i]);
        else fr_db_flush(&fr_keyspace.db[i]);
    }
    fr_replica_keys_forget_all(); /* as Redis's emptyData of every DB */
}

FR_API void fr_keyspace_loading(int on)
{
    fr_keyspace.loading = on;
}

void fr_db_swap(int a, int b)
{
    fr_db tmp = fr_keyspace.db[a];
    fr_keyspace.db[a].keys = fr_keyspace.db[b].keys;
    fr_keyspace.db[a].expires = fr_keyspace.db[b].expires;
    fr_keyspace.db[a].avg_ttl = fr_keyspace.db[b].avg_ttl;
    fr_keyspace.db[b].keys = tmp.keys;
    fr_keyspace.db[b].expires = tmp.expires;
    fr_keyspace.db[b].avg_ttl = tmp.avg_ttl;
}

void fr_db_cron(void)
{
    for (int i = 0; i < fr_cfg.databases; i++) {
        fr_db *db = &fr_keyspace.db[i];
        fr_dict_try_shrink(db->keys);
        fr_dict_try_shrink(db->expires);
        if (fr_dict_is_rehashing(db->keys)) fr_dict_rehash_ms(db->keys, 1);
        if (fr_dict_is_rehashing(db->expires)) fr_dict_rehash_ms(db->expires, 1);
    }
}

void fr_db_free_all(void)
{
    fr_lazyfree_stop();
    for (int i = 0; i < fr_cfg.databases; i++) {
        fr_dict_release(fr_keyspace.db[i].expires);
        fr_dict_release(fr_keyspace.db[i].keys);
    }
    fr_free(fr_keyspace.db);
    fr_keyspace.db = NULL;
}

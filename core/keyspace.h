/* keyspace.h -- layer 3 of the core, "keyspace": the DBs (db.c), the key
 * entry (kv.h, kv.c) and the value-type registry (types.c), plus the SDK's
 * fr_key_* / fr_db_* / fr_type_* functions over them.
 *
 * Owns the DB array, the loading flag, whether a module provides expiry,
 * and the keyspace statistics (fr_keyspace).  Knows nothing of commands,
 * hooks, transactions or propagation: a key event and the propagation of a
 * lazily expired key's DEL go up through the fr_keyspace_upcalls the runtime
 * registers at start-up.  Includes protocol.h and lower (it does not need
 * the protocol today, but may: a key operation never calls into a client).
 * fr_ctx is the runtime's; the keyspace only passes the pointer along. */
#ifndef FR_KEYSPACE_H
#define FR_KEYSPACE_H

#include "protocol.h"

struct fr_db {
    int id;
    fr_dict *keys;    /* embedded entries: each is an fr_value (kv.h) */
    fr_dict *expires; /* no-value set of the fr_values that have a TTL */
    long long avg_ttl;
};

/* ---- keyspace statistics (INFO stats; reset by CONFIG RESETSTAT) ---- */
typedef struct fr_keyspace_stats {
    long long expiredkeys, evictedkeys, keyspace_hits, keyspace_misses;
    double expired_stale_perc;       /* set by the active expire cycle */
    long long expired_time_cap_reached_count;
    long long expire_cycle_cpu_us;
} fr_keyspace_stats;

/* ---- calls from the keyspace up to the runtime ----
 * Registered once at start-up by the runtime (fr_runtime_init); each is a
 * no-op (owner_name: "?") until then. */
typedef struct fr_keyspace_upcalls {
    /* A key was read, written or deleted (FR_HOOK_KEY_*): WATCH
     * invalidation and the key hooks (multi.c, hooks.c).  `ctx` may be
     * NULL (cron, loading). */
    void (*key_event)(fr_hook_id id, fr_ctx *ctx, fr_db *db, const fr_str *key, int why);
    /* Replicate a command the keyspace issued by itself: the DEL/UNLINK of
     * a key found expired (propagate.c). */
    void (*propagate)(int dbid, int argc, fr_str **argv);
    /* The name of a module, for the type registry's refusals (module.c). */
    const char *(*owner_name)(const fr_module *m);
    /* The SDK minor version a module was built for (module.c): how much
     * of fr_type_def its type definitions hold. */
    int (*owner_sdk_minor)(const fr_module *m);
    /* A keyspace notification the keyspace itself raises: "new" (a key
     * created), "expired" and "keymiss" (a read lookup found nothing);
     * notify.c. */
    void (*notify)(int type, const char *event, const fr_str *key, int dbid);
} fr_keyspace_upcalls;

void fr_keyspace_set_upcalls(const fr_keyspace_upcalls *u);

/* ---- the keyspace's state (db.c) ---- */
typedef struct fr_keyspace_state {
    fr_db *db;                /* fr_cfg.databases of them */
    int loading;              /* start-up load: nothing expires */
    int expire_available;     /* a loaded module provides "expire" */
    int expire_paused;        /* CLIENT PAUSE in force: keys expire logically only */
    int replica_mode;         /* following a master: its DELs expire keys, we never do */
    int replaying;            /* a replayer's handler runs (the master's stream) */
    /* 1u << FR_HOOK_KEY_*: the events someone upstairs wants (a key hook,
     * or a WATCHed key for writes and deletions).  Set by the runtime;
     * others are not sent up at all, keeping GET/SET free of the call. */
    unsigned key_events_wanted;
    /* How lookups record access in a value's 24-bit field (kv.c):
     * FR_ACCESS_LRU or FR_ACCESS_LFU (| FR_ACCESS_UNSHARED) with its two
     * parameters, as the eviction module's policy asks
     * (fr_keyspace_set_access). */
    int access_mode;
    int lfu_log_factor, lfu_decay_minutes;
    /* A fork child shares our pages: lookups leave access records alone
     * (every touched entry would be a copied page), as Redis does. */
    int access_frozen;
    fr_keyspace_stats stats;
} fr_keyspace_state;

extern fr_keyspace_state fr_keyspace;

/* ---- lazyfree.c: freeing large values off the event loop ---- */
/* Free a key entry already out of its tables; with lazy, one whose type
 * reports a free effort above the threshold goes to the thread. */
void fr_lazyfree_entry(fr_value *v, int lazy);
/* Hand a replaced payload to the thread when it is worth it: 1 if taken,
 * 0 if the caller must free it. */
int fr_lazyfree_payload(const fr_type *t, void *payload);
/* Free a DB's old tables (already swapped out) on the thread. */
void fr_lazyfree_tables(fr_dict *keys, fr_dict *expires);
void fr_lazyfree_drain(void);   /* wait until nothing is queued or running */
void fr_lazyfree_stop(void);    /* drain, then end the thread */
long long fr_lazyfree_pending(void);
long long fr_lazyfree_freed(void);
void fr_lazyfree_reset_stats(void);

/* ---- db.c ---- */
int fr_db_init(void);
void fr_db_free_all(void);
void fr_db_flush(fr_db *db);
/* FLUSHDB/FLUSHALL ASYNC: the tables are swapped for empty ones and the
 * old ones freed by the lazy-free thread. */
void fr_db_flush_async(fr_db *db);
/* Every DB, each as fr_db_flush or (async) fr_db_flush_async. */
void fr_db_flush_all(int async);
void fr_db_swap(int a, int b);
void fr_db_cron(void);
fr_db *fr_db_at(int id);                /* 0 <= id < fr_cfg.databases */
void fr_db_delete_expired(fr_ctx *ctx, fr_db *db, const fr_str *key);
fr_value *fr_db_find_raw(fr_db *db, const fr_str *key);   /* no expiry, no stats */

/* ---- types.c ---- */
const fr_type_def *fr_type_def_of(const fr_type *t);
const fr_type *fr_type_by_rdb(int rdb_type);
void fr_types_remove_module(fr_module *m);
#define FR_TYPE_MAX_ID 255
unsigned fr_type_id(const fr_type *t);          /* 1..FR_TYPE_MAX_ID */
const fr_type *fr_type_by_id(unsigned id);      /* NULL if free */
const char *fr_type_owner_name(const fr_module *m);
int fr_type_owner_sdk_minor(const fr_module *m);
fr_type_digest_fn fr_type_digest_of(const fr_type *t);

/* digest.c: DEBUG DIGEST (whole dataset) and DIGEST-VALUE (one value),
 * Redis's SHA-1 based digests; 20 bytes each. */
void fr_digest_dataset(unsigned char out[20]);
void fr_digest_value(fr_db *db, const fr_value *v, unsigned char out[20]);

/* db.c: store a key's expire time, no questions asked (the SDK's
 * fr_key_set_expire applies the expiry policy first). */
void fr_db_store_expire(fr_db *db, const fr_str *key, long long when_ms);

/* replica_keys.c: the keys a writable replica gave a TTL itself (Redis's
 * slaveKeysWithExpire), which it expires without its master's DEL. */
void fr_replica_keys_remember(int dbid, const fr_str *key);
void fr_replica_keys_forget_all(void);
unsigned long fr_replica_keys_count(void);  /* INFO slave_expires_tracked_keys */

#endif /* FR_KEYSPACE_H */

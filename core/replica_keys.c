/* replica_keys.c -- the keys a writable replica (replica-read-only no)
 * gave a TTL itself: Redis's slaveKeysWithExpire.
 *
 * A replica's volatile keys end when its master's DEL arrives (db.c keeps
 * an expired key stored while replica_mode); its master knows nothing of
 * these ones and will never send that DEL, so they are expired here.
 * Active expiry (the ttl module) calls fr_keyspace_expire_own_keys while
 * fr_keyspace_expires_here() is 0, as Redis's databasesCron calls
 * expireSlaveKeys: random tracked names, stopping after a few that are not
 * due yet or about a millisecond of work.
 *
 * Owns `tracked`: key name -> bitmap of the DBs (ids below 64, as Redis's)
 * where a connection set a TTL on that name while following a master.  A
 * bit goes once its DB holds the name without a TTL (gone, persisted,
 * expired here); an entry goes with its last bit.  FLUSHALL and a full
 * sync forget everything (fr_db_flush_all). */
#include "keyspace.h"
#include "kv.h"

static fr_dict *tracked;

void fr_replica_keys_remember(int dbid, const fr_str *key)
{
    if (dbid > 63) return;
    if (!tracked) tracked = fr_dict_create(&fr_dict_type_str_keys);
    fr_dict_entry *e = fr_dict_find(tracked, key);
    if (!e) {
        e = fr_dict_add_raw(tracked, fr_str_dup(key), NULL);
        e->v.u64 = 0;
    }
    e->v.u64 |= (uint64_t)1 << dbid;
}

void fr_replica_keys_forget_all(void)
{
    fr_dict_release(tracked);
    tracked = NULL;
}

unsigned long fr_replica_keys_count(void)
{
    return tracked ? fr_dict_size(tracked) : 0;
}

/* The DBs of e where its key is still volatile; due ones are deleted (DEL
 * to the AOF, expired_keys counted).  *waiting counts those not due. */
static uint64_t expire_entry(fr_dict_entry *e, long long now, int *waiting)
{
    const fr_str *key = e->key;
    uint64_t bits = e->v.u64, left = 0;
    for (int id = 0; bits && id < fr_cfg.databases; id++, bits >>= 1) {
        if (!(bits & 1)) continue;
        fr_db *db = fr_db_at(id);
        fr_value *v = fr_db_find_raw(db, key);
        if (!v || v->expire == -1) continue;
        if (now > v->expire) {
            fr_db_delete_expired(NULL, db, key);
        } else {
            (*waiting)++;
            left |= (uint64_t)1 << id;
        }
    }
    return left;
}

FR_API void fr_keyspace_expire_own_keys(void)
{
    if (!tracked || fr_keyspace.expire_paused) return;
    long long start = (long long)fr_mstime();
    int cycles = 0, waiting = 0;
    while (fr_dict_size(tracked)) {
        fr_dict_entry *e = fr_dict_get_random_key(tracked);
        uint64_t left = expire_entry(e, start, &waiting);
        if (left) e->v.u64 = left;
        else fr_dict_delete(tracked, e->key);
        cycles++;
        if (waiting > 3) break;
        if (cycles % 64 == 0 && (long long)fr_mstime() - start > 1) break;
    }
}

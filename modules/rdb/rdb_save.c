/* rdb_save.c -- writing a whole snapshot and single DUMP values.
 *
 * Owns the order of a snapshot as Redis 7.0 writes it: magic, AUX fields
 * (redis-ver, redis-bits, ctime, used-mem, aof-base; no replication fields,
 * as a master without replicas has none), then per non-empty DB: SELECTDB,
 * RESIZEDB and the keys (EXPIRETIME_MS, IDLE/FREQ under an LRU/LFU policy,
 * type, key, value), then EOF and the CRC64 (0 with rdbchecksum no).
 * Values are written by their type's rdb_save callback; this file knows no
 * type.  Invariant: after the first failure nothing more is written. */
#include "rdb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* zmalloc_used_memory() is not in the SDK: the resident set size stands in
 * for it (only logged by readers). */
static long long used_memory(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%lld %lld", &pages, &rss) != 2) rss = 0;
        fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

static int put_aux(rdb_stream *s, const char *k, const char *v) {
    if (rdb_put_byte(s, RDB_OPCODE_AUX) != FR_OK) return FR_ERR;
    if (rdb_put_string(s, k, strlen(k)) != FR_OK) return FR_ERR;
    return rdb_put_string(s, v, strlen(v));
}

static int put_aux_ll(rdb_stream *s, const char *k, long long v) {
    char buf[24];
    buf[rdb_ll2str(buf, v)] = '\0';
    return put_aux(s, k, buf);
}

/* Another module's field (fr_snapshot_aux_save's put): a failed write
 * is remembered in the stream and stops the header below. */
static void put_module_aux(void *w, const char *k, const char *v) {
    rdb_stream *s = w;
    if (!s->aux_failed && put_aux(s, k, v) != FR_OK) s->aux_failed = 1;
}

/* Redis's order: its own fields, then the replication ones (the other
 * modules'), then aof-base. */
static int put_header(rdb_stream *s) {
    if (rdb_put(s, RDB_MAGIC, RDB_MAGIC_LEN) != FR_OK) return FR_ERR;
    if (put_aux(s, "redis-ver", RDB_REDIS_VER) != FR_OK) return FR_ERR;
    if (put_aux_ll(s, "redis-bits", sizeof(void *) == 8 ? 64 : 32) != FR_OK) return FR_ERR;
    if (put_aux_ll(s, "ctime", (long long)time(NULL)) != FR_OK) return FR_ERR;
    if (put_aux_ll(s, "used-mem", used_memory()) != FR_OK) return FR_ERR;
    s->aux_failed = 0;
    fr_snapshot_aux_save(s->aof_base ? FR_SNAPSHOT_AOF_BASE : 0, put_module_aux, s);
    if (s->aux_failed) return FR_ERR;
    return put_aux_ll(s, "aof-base", s->aof_base);
}

/* ---- Keys ------------------------------------------------------------------ */

typedef struct save_walk {
    rdb_stream *s;
    fr_db *db;
    int expires;       /* the DB has keys with a TTL */
    int lru, lfu;      /* maxmemory-policy asks for IDLE / FREQ */
    long long keys;
    int key_delay_us;  /* rdb-key-save-delay: a pause after each key */
} save_walk;

static int put_type_and_value(rdb_stream *s, const fr_value *v, const fr_str *key) {
    const fr_type *t = fr_value_type(v);
    const fr_type_def *def = fr_type_def_of(t);
    if (!def || !def->rdb_save || def->rdb_type < 0) {
        rdb_stream_fail(s, "values of type '%s' cannot be saved: the module that "
                        "provides it has no RDB support", fr_type_name(t));
        return FR_ERR;
    }
    int id = def->rdb_type_of ? def->rdb_type_of(fr_value_payload(v)) : def->rdb_type;
    if (rdb_put_byte(s, id) != FR_OK) return FR_ERR;
    if (key && rdb_put_string(s, key->buf, key->len) != FR_OK) return FR_ERR;
    if (def->rdb_save(&s->io, fr_value_payload(v)) != FR_OK) {
        rdb_stream_fail(s, "the '%s' type failed to save a value", fr_type_name(t));
        return FR_ERR;
    }
    return s->failed ? FR_ERR : FR_OK;
}

static int put_key_meta(save_walk *w, const fr_str *key, const fr_value *v) {
    rdb_stream *s = w->s;
    if (w->expires) {
        long long when = fr_key_get_expire(NULL, w->db, key);
        if (when != -1) {
            unsigned char b[8];
            rdb_put_le64(b, (uint64_t)when);
            if (rdb_put_byte(s, RDB_OPCODE_EXPIRETIME_MS) != FR_OK) return FR_ERR;
            if (rdb_put(s, b, 8) != FR_OK) return FR_ERR;
        }
    }
    if (w->lru) {
        if (rdb_put_byte(s, RDB_OPCODE_IDLE) != FR_OK) return FR_ERR;
        if (rdb_put_len(s, fr_value_idle_ms(v) / 1000) != FR_OK) return FR_ERR;
    }
    if (w->lfu) {
        if (rdb_put_byte(s, RDB_OPCODE_FREQ) != FR_OK) return FR_ERR;
        if (rdb_put_byte(s, fr_value_lfu(v) & 0xff) != FR_OK) return FR_ERR;
    }
    return FR_OK;
}

/* rdb-key-save-delay, for tests that need a save to last (Redis's
 * debugDelay): a positive value sleeps that many microseconds after each
 * key, a negative -N sleeps 1 us after one key in N on average. */
static void key_delay(int us) {
    if (us < 0) us = rand() % -us == 0 ? 1 : 0;
    if (us) usleep((useconds_t)us);
}

static void save_key(void *priv, const fr_str *key, const fr_value *v) {
    save_walk *w = priv;
    if (w->s->failed) return;
    if (put_key_meta(w, key, v) != FR_OK || put_type_and_value(w->s, v, key) != FR_OK) {
        rdb_stream_set_key(w->s, fr_db_id(w->db), key->buf, key->len);
        return;
    }
    w->keys++;
    if (w->key_delay_us) key_delay(w->key_delay_us);
}

static int save_db(save_walk *w, fr_db *db) {
    rdb_stream *s = w->s;
    w->db = db;
    w->expires = fr_db_expires_count(db) > 0;
    if (rdb_put_byte(s, RDB_OPCODE_SELECTDB) != FR_OK) return FR_ERR;
    if (rdb_put_len(s, (uint64_t)fr_db_id(db)) != FR_OK) return FR_ERR;
    if (rdb_put_byte(s, RDB_OPCODE_RESIZEDB) != FR_OK) return FR_ERR;
    if (rdb_put_len(s, fr_db_size(db)) != FR_OK) return FR_ERR;
    if (rdb_put_len(s, (uint64_t)fr_db_expires_count(db)) != FR_OK) return FR_ERR;
    fr_db_foreach(db, save_key, w);
    return s->failed ? FR_ERR : FR_OK;
}

/* Function libraries, after the AUX fields as Redis writes them. */
typedef struct lib_walk {
    rdb_stream *s;
    int rc;
} lib_walk;

static void save_library(void *priv, const fr_str *code) {
    lib_walk *lw = priv;
    if (lw->rc != FR_OK) return;
    if (rdb_put_byte(lw->s, RDB_OPCODE_FUNCTION2) != FR_OK || rdb_put_string(lw->s, code->buf, code->len) != FR_OK)
        lw->rc = FR_ERR;
}

int rdb_save_snapshot(rdb_stream *s, long long *keys) {
    char policy[64];
    fr_config_server_str("maxmemory-policy", policy, sizeof(policy));
    save_walk w = {.s = s, .lru = strstr(policy, "-lru") != NULL,
                   .lfu = strstr(policy, "-lfu") != NULL,
                   .key_delay_us = (int)fr_config_server_ll("rdb-key-save-delay", 0)};
    *keys = 0;
    if (put_header(s) != FR_OK) return FR_ERR;
    const fr_library_ops *libs = s->no_functions ? NULL : fr_library_provider();
    if (libs) {
        lib_walk lw = {s, FR_OK};
        libs->foreach(save_library, &lw);
        if (lw.rc != FR_OK) return FR_ERR;
    }
    for (int j = 0; j < fr_db_count() && !s->no_data; j++) {
        fr_db *db = fr_db_by_id(NULL, j);
        if (db && fr_db_size(db) && save_db(&w, db) != FR_OK) return FR_ERR;
    }
    if (rdb_put_byte(s, RDB_OPCODE_EOF) != FR_OK) return FR_ERR;
    unsigned char b[8];
    rdb_put_le64(b, rdb_writer_finish_crc(s));
    if (rdb_put(s, b, 8) != FR_OK || rdb_writer_flush(s) != FR_OK) return FR_ERR;
    *keys = w.keys;
    return FR_OK;
}

/* ---- DUMP --------------------------------------------------------------------- */

int rdb_dump_value(rdb_stream *s, const fr_value *v, const char **why) {
    if (put_type_and_value(s, v, NULL) != FR_OK) {
        *why = s->err;
        return FR_ERR;
    }
    unsigned char footer[RDB_DUMP_FOOTER];
    rdb_dump_footer(s->buf, s->len, footer);
    return rdb_put(s, footer, sizeof(footer));
}

/* rdb_load.c -- parsing a whole snapshot into the keyspace.
 *
 * Owns the reading side of the file layout: magic and version, opcodes
 * (AUX, SELECTDB, RESIZEDB, EXPIRETIME[_MS], IDLE, FREQ, EOF), the refusal
 * of what no loaded module can load (module AUX data, function libraries,
 * value types without a type), keys already expired (dropped from a file
 * loaded as a master, kept from a master's or an AOF base's snapshot),
 * duplicate keys and the trailing CRC64.  Values are built by the
 * type registered for their RDB type id.
 *
 * Invariants: a failure stops the parse at once with the stream's message
 * naming what and where; the caller refuses start-up then, so a partial
 * dataset is never served.  Per-key attributes (expire time) never leak
 * from one key to the next. */
#include "rdb_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct load_walk {
    rdb_stream *s;
    int version;
    fr_db *db;
    long long now_ms;
    long long expire;          /* of the next key, -1 none */
    long long idle, freq;      /* IDLE / FREQ of the next key, -1 none */
    int flags;                 /* RDB_LOAD_* */
    rdb_load_stats *st;
} load_walk;

/* ---- Header and AUX fields ------------------------------------------------ */

static int load_magic(load_walk *w) {
    const unsigned char *p = rdb_get_bytes(w->s, RDB_MAGIC_LEN);
    if (!p) return FR_ERR;
    if (memcmp(p, "REDIS", 5) != 0) {
        w->s->pos = 0;
        rdb_stream_fail(w->s, "Wrong signature trying to load DB from file");
        return FR_ERR;
    }
    char ver[5];
    memcpy(ver, p + 5, 4);
    ver[4] = '\0';
    w->version = atoi(ver);
    if (w->version < 1 || w->version > RDB_VERSION) {
        w->s->pos = 5;
        rdb_stream_fail(w->s, "Can't handle RDB format version %d", w->version);
        return FR_ERR;
    }
    return FR_OK;
}

static void log_aux(const fr_str *k, const fr_str *v) {
    if (k->len && k->buf[0] == '%') {
        fr_log(FR_LOG_NOTICE, "RDB '%s': %s", k->buf, v->buf);
    } else if (!strcasecmp(k->buf, "redis-ver")) {
        fr_log(FR_LOG_NOTICE, "Loading RDB produced by version %s", v->buf);
    } else if (!strcasecmp(k->buf, "ctime")) {
        long age = (long)time(NULL) - strtol(v->buf, NULL, 10);
        fr_log(FR_LOG_NOTICE, "RDB age %ld seconds", age < 0 ? 0 : age);
    } else if (!strcasecmp(k->buf, "used-mem")) {
        fr_log(FR_LOG_NOTICE, "RDB memory usage when created %.2f Mb",
               (double)strtoll(v->buf, NULL, 10) / (1024 * 1024));
    } else if (!strcasecmp(k->buf, "aof-preamble")) {
        if (strtoll(v->buf, NULL, 10)) fr_log(FR_LOG_NOTICE, "RDB has an AOF tail");
    } else if (!strcasecmp(k->buf, "aof-base")) {
        if (strtoll(v->buf, NULL, 10)) fr_log(FR_LOG_NOTICE, "RDB is base AOF");
    } else if (strcasecmp(k->buf, "redis-bits") && strcasecmp(k->buf, "lua") &&
               strncasecmp(k->buf, "repl-", 5)) {
        fr_log(FR_LOG_DEBUG, "Unrecognized RDB AUX field: '%s'", k->buf);
    }
}

static int load_aux(load_walk *w) {
    fr_str *k = rdb_get_string(w->s);
    fr_str *v = k ? rdb_get_string(w->s) : NULL;
    if (v) log_aux(k, v);
    /* The start-up load and the lent loads hand them on, not DEBUG RELOAD,
     * as Redis reads its replication fields in loadDataFromDisk and a
     * replica's sync; the receivers know which fields they keep when. */
    if (v && (rdb_g.deliver_aux || (w->flags & RDB_LOAD_AUX))) fr_snapshot_aux_load(k->buf, v->buf, v->len);
    fr_str_free(k);
    fr_str_free(v);
    return v ? FR_OK : FR_ERR;
}

/* ---- Opcodes that carry no key ------------------------------------------------ */

static int load_selectdb(load_walk *w) {
    uint64_t id;
    if (rdb_get_len(w->s, &id) != FR_OK) return FR_ERR;
    if (id >= (uint64_t)fr_db_count()) {
        rdb_stream_fail(w->s, "Data file was created with a Redis server configured to "
                        "handle more than %d databases (SELECTDB %llu)",
                        fr_db_count(), (unsigned long long)id);
        return FR_ERR;
    }
    w->db = fr_db_by_id(NULL, (long)id);
    w->s->dbid = (int)id;
    return FR_OK;
}

/* Pre-size the DB's tables so loading does not rehash step by step.  The
 * sizes are hints from the file, trusted only as far as the bytes left
 * could hold: a key takes at least 3 (type, key length, value length), and
 * each expire belongs to a key.  A real file's hints are never cut; a
 * hostile one no longer reserves a table the file could never fill
 * (fuzz_rdb: a 2^29-key hint in a 167-byte file asked for 4 GB). */
static int load_resizedb(load_walk *w) {
    uint64_t keys, expires;
    if (rdb_get_len(w->s, &keys) != FR_OK) return FR_ERR;
    if (rdb_get_len(w->s, &expires) != FR_OK) return FR_ERR;
    uint64_t most = (w->s->in_len - w->s->pos) / 3;
    if (keys > most) keys = most;
    if (expires > keys) expires = keys;
    if (w->db) fr_db_expand(w->db, keys, expires);
    return FR_OK;
}

static int load_module_aux(load_walk *w) {
    uint64_t id;
    if (rdb_get_len(w->s, &id) != FR_OK) return FR_ERR;
    char name[10];
    int encver;
    rdb_module_type_name(id, name, &encver);
    rdb_stream_fail(w->s, "The RDB file contains AUX module data I can't load: no "
                    "matching module '%s' (Redis module data type, encoding version "
                    "%d); no loaded module handles it", name, encver);
    return FR_ERR;
}

/* A function library (RDB_OPCODE_FUNCTION2): its code, handed to the
 * module that keeps libraries; MERGE replaces one of the same name. */
static int load_library(load_walk *w) {
    fr_str *code = rdb_get_string(w->s);
    if (!code) return FR_ERR;
    const char *err = fr_library_provider()->load(code, rdb_g.load_merge);
    fr_str_free(code);
    if (err) {
        rdb_stream_fail(w->s, "Failed loading library: %s", err);
        return FR_ERR;
    }
    return FR_OK;
}

static int load_opcode(load_walk *w, int op) {
    rdb_stream *s = w->s;
    const unsigned char *p;
    uint64_t idle;
    switch (op) {
    case RDB_OPCODE_EXPIRETIME_MS:
        if (!(p = rdb_get_bytes(s, 8))) return FR_ERR;
        w->expire = (long long)rdb_get_le64(p);
        return FR_OK;
    case RDB_OPCODE_EXPIRETIME:
        if (!(p = rdb_get_bytes(s, 4))) return FR_ERR;
        w->expire = (long long)(int32_t)rdb_get_le32(p) * 1000;
        return FR_OK;
    case RDB_OPCODE_FREQ:
        if (!(p = rdb_get_bytes(s, 1))) return FR_ERR;
        w->freq = p[0];
        return FR_OK;
    case RDB_OPCODE_IDLE:
        if (rdb_get_len(s, &idle) != FR_OK) return FR_ERR;
        w->idle = idle > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)idle;
        return FR_OK;
    case RDB_OPCODE_SELECTDB:
        return load_selectdb(w);
    case RDB_OPCODE_RESIZEDB:
        return load_resizedb(w);
    case RDB_OPCODE_AUX:
        return load_aux(w);
    case RDB_OPCODE_MODULE_AUX:
        return load_module_aux(w);
    case RDB_OPCODE_FUNCTION2:
        if (fr_library_provider()) return load_library(w);
        /* fall through */
    case RDB_OPCODE_FUNCTION:
        rdb_stream_fail(s, "The RDB file contains a function library (opcode %d); "
                        "Redis Functions are not provided by any loaded module", op);
        return FR_ERR;
    }
    rdb_stream_fail(s, "Unknown RDB opcode or value type %d", op);
    return FR_ERR;
}

/* ---- Values --------------------------------------------------------------------- */

static void fail_unhandled(rdb_stream *s, int type) {
    char extra[64] = "";
    uint64_t id;
    int isenc;
    size_t used;
    /* A module value starts with its module type id: name it if it is there. */
    if ((type == RDB_TYPE_MODULE || type == RDB_TYPE_MODULE_2) &&
        rdb_len_decode(s->in + s->pos, s->in_len - s->pos, &id, &isenc, &used) == RDB_DEC_OK) {
        char name[10];
        int encver;
        rdb_module_type_name(id, name, &encver);
        snprintf(extra, sizeof(extra), ", data type '%s' v%d", name, encver);
    }
    const char *kind = rdb_type_kind(type);
    rdb_stream_fail(s, "key '%s': RDB type %d (%s%s) is not handled by any loaded "
                    "module; Redis loads it as a %s value, which needs a module "
                    "providing the '%s' type", rdb_stream_key(s), type, rdb_type_desc(type),
                    extra, kind, kind);
}

void *rdb_load_value(rdb_stream *s, int type, const fr_type **out_type) {
    *out_type = NULL;
    if (!rdb_type_desc(type)) {
        rdb_stream_fail(s, "Unknown RDB value type %d", type);
        return NULL;
    }
    const fr_type *t = fr_type_by_rdb(type);
    const fr_type_def *def = fr_type_def_of(t);
    if (!def || !def->rdb_load) {
        fail_unhandled(s, type);
        return NULL;
    }
    *out_type = t;
    void *payload = def->rdb_load(&s->io, type);
    if (!payload && !s->failed)
        rdb_stream_fail(s, "the '%s' type could not load a value of RDB type %d",
                        def->name, type);
    if (payload && s->failed) {
        def->free(payload);
        payload = NULL;
    }
    return payload;
}

void rdb_apply_access(fr_db *db, const fr_str *key, long long idle, long long freq) {
    if (idle < 0 && freq < 0) return;
    fr_value *v = fr_key_lookup(NULL, db, key, FR_LOOKUP_WRITE | FR_LOOKUP_NOTOUCH | FR_LOOKUP_NONOTIFY);
    if (!v) return;
    if (freq >= 0 && freq <= 255) fr_value_set_lfu(v, (int)freq);
    if (idle >= 0) fr_value_set_idle(v, idle);
}

/* A dropped key reaches replicas as the DEL (UNLINK with
 * lazyfree-lazy-expire) its expiry would have sent, but only while the
 * server starts: the replication history restored from the same file is
 * then in place, and nothing else has been written. */
static void feed_expired_del(const load_walk *w, const fr_str *key) {
    if (!rdb_g.deliver_aux) return;
    const char *cmd = fr_config_server_ll("lazyfree-lazy-expire", 0) ? "UNLINK" : "DEL";
    fr_str *argv[2] = {fr_str_new(cmd, strlen(cmd)), (fr_str *)key};
    fr_propagate_replicas_only(fr_db_id(w->db), 2, (const fr_str *const *)argv);
    fr_str_free(argv[0]);
}

static int store_key(load_walk *w, const fr_str *key, const fr_type *t, void *payload) {
    if ((w->flags & RDB_LOAD_DROP_EXPIRED) && w->expire != -1 && w->expire < w->now_ms) {
        fr_type_def_of(t)->free(payload);
        w->st->expired++;
        feed_expired_del(w, key);
        return FR_OK;
    }
    unsigned long long before = fr_db_size(w->db);
    fr_key_set(NULL, w->db, key, t, payload, 0);
    if (fr_db_size(w->db) == before && !rdb_g.load_merge) {
        rdb_stream_fail(w->s, "RDB has duplicated key '%s' in DB %d", rdb_stream_key(w->s),
                        fr_db_id(w->db));
        return FR_ERR;
    }
    if (w->expire != -1) {
        fr_key_set_expire(NULL, w->db, key, w->expire);
        w->st->with_ttl++;
    }
    rdb_apply_access(w->db, key, w->idle, w->freq);
    w->st->loaded++;
    return FR_OK;
}

static int load_key(load_walk *w, int type) {
    rdb_stream *s = w->s;
    int owned;
    fr_str *key = rdb_get_key(s, &owned);
    if (!key) return FR_ERR;
    rdb_stream_set_key(s, fr_db_id(w->db), key->buf, key->len);
    const fr_type *t;
    void *payload = rdb_load_value(s, type, &t);
    int rc = payload ? store_key(w, key, t, payload) : FR_ERR;
    /* On failure the context stays: the key was rendered when it failed. */
    if (rc == FR_OK) rdb_stream_set_key(s, fr_db_id(w->db), NULL, 0);
    if (owned) fr_str_free(key);
    w->expire = -1;
    w->idle = w->freq = -1;
    return rc;
}

/* ---- Trailer -------------------------------------------------------------------- */

static int load_checksum(load_walk *w, int verify) {
    rdb_stream *s = w->s;
    size_t summed = s->pos;
    const unsigned char *p = rdb_get_bytes(s, 8);
    if (!p) return FR_ERR;
    uint64_t stored = rdb_get_le64(p);
    if (s->hardened && s->pos != s->in_len) {
        rdb_stream_fail(s, "%zu bytes after the checksum", s->in_len - s->pos);
        return FR_ERR;
    }
    if (!verify) return FR_OK;
    if (stored == 0) {
        if (s->hardened) {
            s->pos = summed;
            rdb_stream_fail(s, "RDB file was saved with checksum disabled; hardened "
                            "mode requires a checksum");
            return FR_ERR;
        }
        fr_log(FR_LOG_WARNING, "RDB file was saved with checksum disabled: no check performed.");
        return FR_OK;
    }
    uint64_t computed = rdb_crc64(0, s->in, summed);
    if (computed != stored) {
        s->pos = summed;
        rdb_stream_fail(s, "Wrong RDB checksum expected: (%llx) but got (%llx): RDB CRC error",
                        (unsigned long long)computed, (unsigned long long)stored);
        return FR_ERR;
    }
    return FR_OK;
}

int rdb_load_snapshot(rdb_stream *s, int verify_crc, int flags, rdb_load_stats *st) {
    load_walk w = {.s = s, .db = fr_db_by_id(NULL, 0), .now_ms = (long long)fr_mstime(),
                   .expire = -1, .idle = -1, .freq = -1, .flags = flags, .st = st};
    memset(st, 0, sizeof(*st));
    if (load_magic(&w) != FR_OK) return FR_ERR;
    for (;;) {
        int type;
        if (rdb_get_byte(s, &type) != FR_OK) return FR_ERR;
        if (type == RDB_OPCODE_EOF) break;
        int rc = type >= RDB_OPCODE_FUNCTION2 || !rdb_type_desc(type)
                     ? load_opcode(&w, type) : load_key(&w, type);
        if (rc != FR_OK) return FR_ERR;
    }
    rdb_stream_set_key(s, -1, NULL, 0);
    if (w.version < 5) return FR_OK;
    return load_checksum(&w, verify_crc || s->hardened);
}

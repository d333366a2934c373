/* stream_rdb.c -- the stream type's RDB form, RDB_TYPE_STREAM_LISTPACKS_2
 * (19) as Redis 7.0 writes it, and loading of 19 and of the older 15.
 *
 * Layout: the node count; per node its master ID (16 bytes big-endian, as
 * a string) and its listpack (a string, LZF when Redis would); the length,
 * last ID, first ID, max deleted ID, entries added; the groups: name,
 * last ID, entries read (19 only), the PEL (raw 16-byte IDs, delivery time
 * as 8 little-endian bytes, delivery count), the consumers (name, seen
 * time, their PEL as raw IDs).
 *
 * Loading trusts nothing (RESTORE hands us arbitrary bytes): every
 * listpack gets the deep check Redis runs under sanitize-dump-payload yes,
 * and more -- entry counts agree with the flags, IDs increase within and
 * across nodes and stay within the last ID, the length is the number of
 * live entries, every PEL entry has exactly one consumer -- so that no
 * later command can meet a value it cannot walk. */
#include "stream_internal.h"

#include <string.h>

#define RDB_TYPE_STREAM_LISTPACKS 15
#define RDB_TYPE_STREAM_LISTPACKS_2 19

static int save_id_raw(fr_rdb_io *io, const sid *id) {
    unsigned char k[16];
    sid_encode(k, id);
    return io->ops->save_raw(io, k, 16);
}

static int save_ms_time(fr_rdb_io *io, long long t) {
    unsigned char b[8];
    uint64_t v = (uint64_t)t;
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    return io->ops->save_raw(io, b, 8);
}

static int save_group(fr_rdb_io *io, const sgroup *g) {
    const fr_rdb_io_ops *o = io->ops;
    if (o->save_string(io, g->name->buf, g->name->len) != FR_OK) return FR_ERR;
    if (o->save_len(io, g->last_id.ms) != FR_OK || o->save_len(io, g->last_id.seq) != FR_OK) return FR_ERR;
    if (o->save_len(io, (uint64_t)g->entries_read) != FR_OK) return FR_ERR;
    if (o->save_len(io, g->pel.n) != FR_OK) return FR_ERR;
    for (size_t i = 0; i < g->pel.n; i++) {
        const snack *n = g->pel.v[i];
        if (save_id_raw(io, &n->id) != FR_OK || save_ms_time(io, n->delivery_time) != FR_OK ||
            o->save_len(io, n->delivery_count) != FR_OK)
            return FR_ERR;
    }
    if (o->save_len(io, g->consumers.n) != FR_OK) return FR_ERR;
    for (size_t i = 0; i < g->consumers.n; i++) {
        const sconsumer *c = g->consumers.v[i];
        if (o->save_string(io, c->name->buf, c->name->len) != FR_OK) return FR_ERR;
        if (save_ms_time(io, c->seen_time) != FR_OK) return FR_ERR;
        if (o->save_len(io, c->pel.n) != FR_OK) return FR_ERR;
        for (size_t j = 0; j < c->pel.n; j++)
            if (save_id_raw(io, &((const snack *)c->pel.v[j])->id) != FR_OK) return FR_ERR;
    }
    return FR_OK;
}

int stream_rdb_save(fr_rdb_io *io, const void *p) {
    const stream *s = p;
    const fr_rdb_io_ops *o = io->ops;
    if (o->save_len(io, s->nnodes) != FR_OK) return FR_ERR;
    for (size_t i = 0; i < s->nnodes; i++) {
        unsigned char k[16];
        sid_encode(k, &s->nodes[i].master);
        if (o->save_string(io, k, 16) != FR_OK) return FR_ERR;
        if (o->save_string(io, s->nodes[i].lp, lp_bytes(s->nodes[i].lp)) != FR_OK) return FR_ERR;
    }
    uint64_t v[8] = {s->length,       s->last_id.ms,     s->last_id.seq,     s->first_id.ms,
                     s->first_id.seq, s->max_deleted.ms, s->max_deleted.seq, s->entries_added};
    for (int i = 0; i < 8; i++)
        if (o->save_len(io, v[i]) != FR_OK) return FR_ERR;
    if (o->save_len(io, s->groups.n) != FR_OK) return FR_ERR;
    for (size_t i = 0; i < s->groups.n; i++)
        if (save_group(io, s->groups.v[i]) != FR_OK) return FR_ERR;
    return FR_OK;
}

/* ---- loading ----------------------------------------------------------------- */

/* An element that must be an integer (Redis's lpGetIntegerIfValid). */
static int get_int(const unsigned char *p, long long *v) {
    lp_entry e;
    lp_get(p, &e);
    if (!e.s) {
        *v = e.v;
        return 1;
    }
    return fr_string2ll((const char *)e.s, e.len, v);
}

/* Walk one node's listpack, checking its stream structure; *live gets the
 * number of live entries, *last the node's last ID; IDs must be above
 * *prev (the previous node's last ID, unless *have_prev is 0). */
static int check_node(unsigned char *lp, const sid *master, uint64_t *live, sid *last, const sid *prev,
                      int have_prev) {
    long long count, deleted, mfields, zero;
    unsigned char *p = lp_first(lp);
    if (!p || !get_int(p, &count) || count < 0) return 0;
    if (!(p = lp_next(lp, p)) || !get_int(p, &deleted) || deleted < 0) return 0;
    if (!(p = lp_next(lp, p)) || !get_int(p, &mfields) || mfields < 0) return 0;
    for (long long j = 0; j < mfields; j++)
        if (!(p = lp_next(lp, p))) return 0;
    if (!(p = lp_next(lp, p)) || !get_int(p, &zero) || zero != 0) return 0;
    long long total = count + deleted, seen_live = 0, seen_del = 0;
    if (total <= 0) return 0;
    sid prev_id = have_prev ? *prev : (sid){0, 0};
    int have = have_prev;
    p = lp_next(lp, p);
    for (long long n = 0; n < total; n++) {
        long long flags, msd, seqd, fields = mfields, extra = 3, lpc;
        if (!p || !get_int(p, &flags) || flags < 0 || flags > 3) return 0;
        if (!(p = lp_next(lp, p)) || !get_int(p, &msd)) return 0;
        if (!(p = lp_next(lp, p)) || !get_int(p, &seqd)) return 0;
        p = lp_next(lp, p);
        if (!(flags & SF_SAMEFIELDS)) {
            if (!p || !get_int(p, &fields) || fields < 0) return 0;
            for (long long j = 0; j < fields; j++)
                if (!(p = lp_next(lp, p))) return 0;
            p = lp_next(lp, p);
            extra += fields + 1;
        }
        for (long long j = 0; j < fields; j++) {
            if (!p) return 0;
            p = lp_next(lp, p);
        }
        if (!p || !get_int(p, &lpc) || lpc != fields + extra) return 0;
        p = lp_next(lp, p);
        sid id = {master->ms + (uint64_t)msd, master->seq + (uint64_t)seqd};
        if (sid_cmp(&id, master) < 0) return 0;
        if (have && sid_cmp(&id, &prev_id) <= 0) return 0;
        prev_id = id;
        have = 1;
        if (flags & SF_DELETED) seen_del++;
        else seen_live++;
    }
    if (p) return 0;
    if (seen_live != count || seen_del != deleted) return 0;
    *live = (uint64_t)count;
    *last = prev_id;
    return 1;
}

static void *fail(fr_rdb_io *io, stream *s, const char *why) {
    io->ops->error(io, "%s", why);
    stream_free(s);
    return NULL;
}

static int load_u64s(fr_rdb_io *io, uint64_t *v, int n) {
    for (int i = 0; i < n; i++)
        if (io->ops->load_len(io, &v[i]) != FR_OK) return FR_ERR;
    return FR_OK;
}

static int load_id_raw(fr_rdb_io *io, sid *id) {
    unsigned char k[16];
    if (io->ops->load_raw(io, k, 16) != FR_OK) return FR_ERR;
    sid_decode(k, id);
    return FR_OK;
}

static int load_ms_time(fr_rdb_io *io, long long *t) {
    unsigned char b[8];
    if (io->ops->load_raw(io, b, 8) != FR_OK) return FR_ERR;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    *t = (long long)v;
    return FR_OK;
}

static int load_nodes(fr_rdb_io *io, stream *s, uint64_t *live, sid *maxid) {
    uint64_t nodes;
    if (io->ops->load_len(io, &nodes) != FR_OK) return FR_ERR;
    sid prev = {0, 0};
    int have_prev = 0;
    *live = 0;
    while (nodes--) {
        fr_str *key = io->ops->load_string(io);
        if (!key) return FR_ERR;
        if (key->len != 16) {
            fr_str_free(key);
            io->ops->error(io, "Stream node key entry is not the size of a stream ID");
            return FR_ERR;
        }
        sid master;
        sid_decode((const unsigned char *)key->buf, &master);
        fr_str_free(key);
        fr_str *lps = io->ops->load_string(io);
        if (!lps) return FR_ERR;
        if (!lp_validate((const unsigned char *)lps->buf, lps->len, 0)) {
            fr_str_free(lps);
            io->ops->error(io, "Stream listpack integrity check failed.");
            return FR_ERR;
        }
        unsigned char *lp = lp_from_bytes(lps->buf, lps->len);
        fr_str_free(lps);
        uint64_t n;
        sid last;
        if ((s->nnodes && sid_cmp(&master, &s->nodes[s->nnodes - 1].master) <= 0) ||
            !check_node(lp, &master, &n, &last, &prev, have_prev)) {
            lp_free(lp);
            io->ops->error(io, "Stream listpack integrity check failed.");
            return FR_ERR;
        }
        if (s->nnodes == s->capnodes) {
            s->capnodes = s->capnodes ? s->capnodes * 2 : 4;
            s->nodes = fr_realloc(s->nodes, sizeof(snode) * s->capnodes);
        }
        s->nodes[s->nnodes].master = master;
        s->nodes[s->nnodes].lp = lp;
        s->nnodes++;
        *live += n;
        prev = last;
        have_prev = 1;
    }
    *maxid = prev;
    return FR_OK;
}

static int load_group(fr_rdb_io *io, stream *s, int rdb_type) {
    fr_str *name = io->ops->load_string(io);
    if (!name) return FR_ERR;
    uint64_t v[2];
    if (load_u64s(io, v, 2) != FR_OK) {
        fr_str_free(name);
        return FR_ERR;
    }
    sid last = {v[0], v[1]};
    long long entries_read;
    if (rdb_type == RDB_TYPE_STREAM_LISTPACKS_2) {
        uint64_t er;
        if (io->ops->load_len(io, &er) != FR_OK) {
            fr_str_free(name);
            return FR_ERR;
        }
        entries_read = (long long)er;
    } else {
        entries_read = stream_estimate_distance(s, &last);
    }
    sgroup *g = group_create(s, name->buf, name->len, &last, entries_read);
    fr_str_free(name);
    if (!g) {
        io->ops->error(io, "Duplicated consumer group name");
        return FR_ERR;
    }
    uint64_t npel;
    if (io->ops->load_len(io, &npel) != FR_OK) return FR_ERR;
    while (npel--) {
        snack *n = fr_calloc(sizeof(*n));
        if (load_id_raw(io, &n->id) != FR_OK || load_ms_time(io, &n->delivery_time) != FR_OK ||
            io->ops->load_len(io, (uint64_t *)&n->delivery_count) != FR_OK) {
            nack_free(n);
            return FR_ERR;
        }
        int found;
        size_t at = pel_find(&g->pel, &n->id, &found);
        if (found) {
            nack_free(n);
            io->ops->error(io, "Duplicated global PEL entry loading stream consumer group");
            return FR_ERR;
        }
        sarr_insert(&g->pel, at, n);
    }
    uint64_t ncons;
    if (io->ops->load_len(io, &ncons) != FR_OK) return FR_ERR;
    while (ncons--) {
        fr_str *cname = io->ops->load_string(io);
        if (!cname) return FR_ERR;
        sconsumer *c = consumer_create(g, cname->buf, cname->len, 0);
        fr_str_free(cname);
        if (!c) {
            io->ops->error(io, "Duplicate stream consumer detected.");
            return FR_ERR;
        }
        if (load_ms_time(io, &c->seen_time) != FR_OK) return FR_ERR;
        uint64_t cpel;
        if (io->ops->load_len(io, &cpel) != FR_OK) return FR_ERR;
        while (cpel--) {
            sid id;
            if (load_id_raw(io, &id) != FR_OK) return FR_ERR;
            int found;
            size_t at = pel_find(&g->pel, &id, &found);
            if (!found) {
                io->ops->error(io, "Consumer entry not found in group global PEL");
                return FR_ERR;
            }
            snack *n = g->pel.v[at];
            if (n->consumer) {
                io->ops->error(io, "Stream consumer PEL entry already has a consumer assigned");
                return FR_ERR;
            }
            n->consumer = c;
            size_t cat = pel_find(&c->pel, &id, &found);
            sarr_insert(&c->pel, cat, n);
        }
    }
    for (size_t i = 0; i < g->pel.n; i++) {
        if (!((snack *)g->pel.v[i])->consumer) {
            io->ops->error(io, "Stream CG PEL entry without consumer");
            return FR_ERR;
        }
    }
    return FR_OK;
}

void *stream_rdb_load(fr_rdb_io *io, int rdb_type) {
    if (rdb_type != RDB_TYPE_STREAM_LISTPACKS && rdb_type != RDB_TYPE_STREAM_LISTPACKS_2) {
        io->ops->error(io, "the stream type cannot load RDB type %d", rdb_type);
        return NULL;
    }
    stream *s = stream_new();
    uint64_t live;
    sid maxid;
    if (load_nodes(io, s, &live, &maxid) != FR_OK) {
        stream_free(s);
        return NULL;
    }
    uint64_t v[8];
    int n = rdb_type == RDB_TYPE_STREAM_LISTPACKS_2 ? 8 : 3;
    if (load_u64s(io, v, n) != FR_OK) return fail(io, s, "Stream object metadata loading failed.");
    s->length = v[0];
    s->last_id = (sid){v[1], v[2]};
    if (rdb_type == RDB_TYPE_STREAM_LISTPACKS_2) {
        s->first_id = (sid){v[3], v[4]};
        s->max_deleted = (sid){v[5], v[6]};
        s->entries_added = v[7];
    } else {
        s->entries_added = s->length;
        stream_edge_id(s, 1, 1, &s->first_id);
    }
    if (s->length != live) return fail(io, s, "Stream length inconsistent with rax entries");
    if (s->nnodes && sid_cmp(&maxid, &s->last_id) > 0) return fail(io, s, "Stream last ID below its entries");
    uint64_t ngroups;
    if (io->ops->load_len(io, &ngroups) != FR_OK) {
        stream_free(s);
        return NULL;
    }
    while (ngroups--) {
        if (load_group(io, s, rdb_type) != FR_OK) {
            stream_free(s);
            return NULL;
        }
    }
    return s;
}

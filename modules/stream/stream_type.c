/* stream_type.c -- the stream value: its listpack nodes, appending,
 * iterating, deleting and trimming entries, as Redis 7.0's t_stream.c
 * lays them out (see stream_internal.h), plus the type callbacks (free,
 * COPY, OBJECT ENCODING, MEMORY USAGE, DEBUG DIGEST) and the consumer
 * group records.
 *
 * Node layout (every number a listpack integer):
 *   master entry: count deleted nfields field_1..field_N 0
 *   entry:        flags ms-diff seq-diff [nfields field_i value_i ...]
 *                 (or, flag SAMEFIELDS, the values only) lp-count
 * lp-count is the number of elements of the entry before it, so a node
 * can be walked backwards.  A node gets a new entry while its listpack is
 * under stream-node-max-bytes (counting the new fields and values) and
 * holds fewer than stream-node-max-entries entries (valid and deleted). */
#include "stream_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- listpack integers ---------------------------------------------------- */

long long lp_int(const unsigned char *p) {
    lp_entry e;
    lp_get(p, &e);
    if (!e.s) return e.v;
    long long v = 0;
    fr_string2ll((const char *)e.s, e.len, &v);
    return v;
}

unsigned char *lp_append_int(unsigned char *lp, long long v) {
    char buf[LP_INT_BUF];
    int n = fr_ll2string(buf, sizeof(buf), v);
    return lp_append(lp, buf, (size_t)n);
}

unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v) {
    char buf[LP_INT_BUF];
    int n = fr_ll2string(buf, sizeof(buf), v);
    return lp_replace(lp, p, buf, (size_t)n);
}

/* ---- the value -------------------------------------------------------------- */

stream *stream_new(void) {
    return fr_calloc(sizeof(stream));
}

void nack_free(snack *n) { fr_free(n); }

static void consumer_free(sconsumer *c) {
    fr_str_free(c->name);
    sarr_free(&c->pel);
    fr_free(c);
}

void group_free(sgroup *g) {
    for (size_t i = 0; i < g->pel.n; i++) nack_free(g->pel.v[i]);
    for (size_t i = 0; i < g->consumers.n; i++) consumer_free(g->consumers.v[i]);
    sarr_free(&g->pel);
    sarr_free(&g->consumers);
    fr_str_free(g->name);
    fr_free(g);
}

void stream_free(void *p) {
    stream *s = p;
    if (!s) return;
    for (size_t i = 0; i < s->nnodes; i++) lp_free(s->nodes[i].lp);
    fr_free(s->nodes);
    for (size_t i = 0; i < s->groups.n; i++) group_free(s->groups.v[i]);
    sarr_free(&s->groups);
    fr_free(s);
}

/* Redis's estimate, kept constant-time: each node is an allocation, and
 * each group is one plus its PEL, taking the first group's PEL as every
 * group's size. */
size_t stream_free_effort(const void *p) {
    const stream *s = p;
    size_t effort = s->nnodes;
    if (s->groups.n) {
        const sgroup *g = s->groups.v[0];
        effort += s->groups.n * (1 + g->pel.n);
    }
    return effort;
}

/* COPY: nodes byte for byte, groups with their PELs and consumers (the
 * NACKs re-linked to the copied consumers), as Redis's streamDup. */
void *stream_dup(const void *p) {
    const stream *s = p;
    stream *d = stream_new();
    d->nodes = fr_malloc(sizeof(snode) * (s->nnodes ? s->nnodes : 1));
    d->capnodes = s->nnodes ? s->nnodes : 1;
    for (size_t i = 0; i < s->nnodes; i++) {
        d->nodes[i].master = s->nodes[i].master;
        d->nodes[i].lp = lp_from_bytes(s->nodes[i].lp, lp_bytes(s->nodes[i].lp));
    }
    d->nnodes = s->nnodes;
    d->length = s->length;
    d->entries_added = s->entries_added;
    d->last_id = s->last_id;
    d->first_id = s->first_id;
    d->max_deleted = s->max_deleted;
    for (size_t i = 0; i < s->groups.n; i++) {
        const sgroup *g = s->groups.v[i];
        sgroup *ng = group_create(d, g->name->buf, g->name->len, &g->last_id, g->entries_read);
        for (size_t j = 0; j < g->pel.n; j++) {
            const snack *n = g->pel.v[j];
            snack *nn = fr_malloc(sizeof(*nn));
            *nn = *n;
            nn->consumer = NULL;
            sarr_insert(&ng->pel, ng->pel.n, nn);
        }
        for (size_t j = 0; j < g->consumers.n; j++) {
            const sconsumer *c = g->consumers.v[j];
            sconsumer *nc = consumer_create(ng, c->name->buf, c->name->len, c->seen_time);
            for (size_t k = 0; k < c->pel.n; k++) {
                int found;
                size_t at = pel_find(&ng->pel, &((snack *)c->pel.v[k])->id, &found);
                snack *nn = ng->pel.v[at];
                nn->consumer = nc;
                sarr_insert(&nc->pel, nc->pel.n, nn);
            }
        }
    }
    return d;
}

const char *stream_encoding(const void *p) {
    (void)p;
    return "stream";
}

size_t stream_mem_usage(const void *p) {
    const stream *s = p;
    size_t n = sizeof(*s) + (s->nodes ? fr_malloc_size(s->nodes) : 0);
    for (size_t i = 0; i < s->nnodes; i++) n += lp_bytes(s->nodes[i].lp) + 16;
    for (size_t i = 0; i < s->groups.n; i++) {
        const sgroup *g = s->groups.v[i];
        n += sizeof(*g) + g->name->len + g->pel.n * (sizeof(snack) + 24);
        for (size_t j = 0; j < g->consumers.n; j++) {
            const sconsumer *c = g->consumers.v[j];
            n += sizeof(*c) + c->name->len + c->pel.n * 24;
        }
    }
    return n;
}

/* Redis's digest of a stream: each entry's "ms.seq", then its fields and
 * values, mixed in order. */
void stream_digest(unsigned char digest[20], const void *p) {
    static const unsigned char type_stream[4] = {0, 0, 0, 6};
    fr_digest_mix(digest, type_stream, sizeof(type_stream));
    sit it;
    sid id;
    long long nf;
    sit_start(&it, (stream *)p, NULL, NULL, 0);
    while (sit_next(&it, &id, &nf)) {
        char buf[48];
        int n = snprintf(buf, sizeof(buf), "%llu.%llu", (unsigned long long)id.ms, (unsigned long long)id.seq);
        fr_digest_mix(digest, buf, (size_t)n);
        while (nf--) {
            lp_entry f, v;
            char fb[LP_INT_BUF], vb[LP_INT_BUF];
            size_t fl, vl;
            sit_field(&it, &f, &v);
            const char *fs = lp_entry_text(&f, fb, &fl), *vs = lp_entry_text(&v, vb, &vl);
            fr_digest_mix(digest, fs, fl);
            fr_digest_mix(digest, vs, vl);
        }
    }
}

/* ---- nodes ------------------------------------------------------------------- */

static int key_cmp(const sid *a, const unsigned char key[16]) {
    unsigned char k[16];
    sid_encode(k, a);
    return memcmp(k, key, 16);
}

/* Index of the last node whose master ID <= key, or -1. */
static long node_floor(const stream *s, const unsigned char key[16]) {
    long lo = 0, hi = (long)s->nnodes - 1, ans = -1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        if (key_cmp(&s->nodes[mid].master, key) <= 0) {
            ans = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return ans;
}

static void node_remove(stream *s, size_t i) {
    lp_free(s->nodes[i].lp);
    memmove(s->nodes + i, s->nodes + i + 1, sizeof(snode) * (s->nnodes - i - 1));
    s->nnodes--;
}

static void node_push(stream *s, const sid *master, unsigned char *lp) {
    if (s->nnodes == s->capnodes) {
        s->capnodes = s->capnodes ? s->capnodes * 2 : 4;
        s->nodes = fr_realloc(s->nodes, sizeof(snode) * s->capnodes);
    }
    s->nodes[s->nnodes].master = *master;
    s->nodes[s->nnodes].lp = lp;
    s->nnodes++;
}

/* ---- appending ------------------------------------------------------------- */

static void next_auto_id(const sid *last, sid *out) {
    uint64_t ms = fr_mstime();
    if (ms > last->ms) {
        out->ms = ms;
        out->seq = 0;
    } else {
        *out = *last;
        sid_incr(out);
    }
}

int stream_append(stream *s, const fr_str *const *fv, long long nfields, sid *added, const sid *use_id,
                  int seq_given, int *why) {
    sid id;
    if (use_id) {
        if (seq_given) {
            id = *use_id;
        } else if (s->last_id.ms == use_id->ms) {
            if (s->last_id.seq == UINT64_MAX) {
                /* Redis leaves errno alone here, so it answers with its
                 * other error. */
                *why = 2;
                return FR_ERR;
            }
            id = s->last_id;
            id.seq++;
        } else {
            id = *use_id;
        }
    } else {
        next_auto_id(&s->last_id, &id);
    }
    if (sid_cmp(&id, &s->last_id) <= 0) {
        *why = 1;
        return FR_ERR;
    }
    size_t totlen = 0;
    for (long long i = 0; i < nfields * 2; i++) totlen += fv[i]->len;
    if (totlen > STREAM_LP_MAX_SIZE) {
        *why = 2;
        return FR_ERR;
    }
    unsigned char *lp = NULL;
    if (s->nnodes) {
        lp = s->nodes[s->nnodes - 1].lp;
        size_t max_bytes = (size_t)stream_conf_stream_node_max_bytes();
        if (max_bytes == 0 || max_bytes > STREAM_LP_MAX_SIZE) max_bytes = STREAM_LP_MAX_SIZE;
        long long max_entries = stream_conf_stream_node_max_entries();
        if (lp_bytes(lp) + totlen >= max_bytes) {
            lp = NULL;
        } else if (max_entries) {
            unsigned char *p = lp_first(lp);
            long long count = lp_int(p) + lp_int(lp_next(lp, p));
            if (count >= max_entries) lp = NULL;
        }
    }
    int flags = SF_NONE;
    sid master;
    if (!lp) {
        master = id;
        lp = lp_new();
        lp = lp_append_int(lp, 1);
        lp = lp_append_int(lp, 0);
        lp = lp_append_int(lp, nfields);
        for (long long i = 0; i < nfields; i++) lp = lp_append(lp, fv[i * 2]->buf, fv[i * 2]->len);
        lp = lp_append_int(lp, 0);
        node_push(s, &id, lp);
        flags |= SF_SAMEFIELDS;
    } else {
        master = s->nodes[s->nnodes - 1].master;
        unsigned char *p = lp_first(lp);
        lp = lp_replace_int(lp, &p, lp_int(p) + 1);
        p = lp_next(lp, p);
        p = lp_next(lp, p);
        long long mfields = lp_int(p);
        p = lp_next(lp, p);
        if (mfields == nfields) {
            long long i;
            for (i = 0; i < mfields; i++) {
                lp_entry e;
                lp_get(p, &e);
                if (!lp_entry_eq(&e, fv[i * 2]->buf, fv[i * 2]->len)) break;
                p = lp_next(lp, p);
            }
            if (i == mfields) flags |= SF_SAMEFIELDS;
        }
    }
    lp = lp_append_int(lp, flags);
    lp = lp_append_int(lp, (long long)(id.ms - master.ms));
    lp = lp_append_int(lp, (long long)(id.seq - master.seq));
    if (!(flags & SF_SAMEFIELDS)) lp = lp_append_int(lp, nfields);
    for (long long i = 0; i < nfields; i++) {
        if (!(flags & SF_SAMEFIELDS)) lp = lp_append(lp, fv[i * 2]->buf, fv[i * 2]->len);
        lp = lp_append(lp, fv[i * 2 + 1]->buf, fv[i * 2 + 1]->len);
    }
    long long lp_count = nfields + 3;
    if (!(flags & SF_SAMEFIELDS)) lp_count += nfields + 1;
    lp = lp_append_int(lp, lp_count);
    s->nodes[s->nnodes - 1].lp = lp;
    s->length++;
    s->entries_added++;
    s->last_id = id;
    if (s->length == 1) s->first_id = id;
    if (added) *added = id;
    return FR_OK;
}

/* ---- iterating ------------------------------------------------------------------ */

void sit_start(sit *it, stream *s, const sid *start, const sid *end, int rev) {
    memset(it, 0, sizeof(*it));
    if (start) sid_encode(it->start_key, start);
    if (end) sid_encode(it->end_key, end);
    else memset(it->end_key, 0xff, 16);
    it->s = s;
    it->rev = rev;
    it->skip_tombstones = 1;
    /* The node to begin with, as Redis's raxSeek "<=" with a fallback. */
    long n;
    if (!rev) {
        n = (start && !sid_is_zero(start)) ? node_floor(s, it->start_key) : -1;
        if (n < 0) n = 0;
    } else {
        sid zero = {0, 0};
        n = (end && sid_cmp(end, &zero) != 0) ? node_floor(s, it->end_key) : -1;
        if (n < 0) n = (long)s->nnodes - 1;
    }
    it->node = n;
    it->in_node = 0;
}

static int open_node(sit *it) {
    if (it->node < 0 || it->node >= (long)it->s->nnodes) return 0;
    snode *nd = &it->s->nodes[it->node];
    it->master = nd->master;
    it->lp = nd->lp;
    unsigned char *p = lp_first(it->lp);
    p = lp_next(it->lp, p);
    p = lp_next(it->lp, p);
    it->master_nfields = lp_int(p);
    p = lp_next(it->lp, p);
    it->master_fields = p;
    if (!it->rev) {
        for (long long i = 0; i < it->master_nfields; i++) p = lp_next(it->lp, p);
        it->ele = p; /* the master's 0 terminator */
    } else {
        it->ele = lp_last(it->lp);
    }
    it->in_node = 1;
    return 1;
}

int sit_next(sit *it, sid *id, long long *nfields) {
    for (;;) {
        if (!it->in_node) {
            if (!open_node(it)) return 0;
            it->node += it->rev ? -1 : 1; /* the node after this one */
        } else if (it->rev) {
            long long c = lp_int(it->ele);
            while (c--) it->ele = lp_prev(it->lp, it->ele);
            it->ele = lp_prev(it->lp, it->ele);
        }
        for (;;) {
            if (!it->rev) {
                it->ele = lp_next(it->lp, it->ele);
                if (!it->ele) {
                    it->in_node = 0;
                    break;
                }
            } else {
                long long c = lp_int(it->ele);
                if (c == 0) {
                    it->in_node = 0;
                    break;
                }
                while (c--) it->ele = lp_prev(it->lp, it->ele);
            }
            it->flags_p = it->ele;
            long long flags = lp_int(it->ele);
            it->ele = lp_next(it->lp, it->ele);
            *id = it->master;
            id->ms += (uint64_t)lp_int(it->ele);
            it->ele = lp_next(it->lp, it->ele);
            id->seq += (uint64_t)lp_int(it->ele);
            it->ele = lp_next(it->lp, it->ele);
            unsigned char buf[16];
            sid_encode(buf, id);
            if (flags & SF_SAMEFIELDS) {
                *nfields = it->master_nfields;
            } else {
                *nfields = lp_int(it->ele);
                it->ele = lp_next(it->lp, it->ele);
            }
            int visible = !it->skip_tombstones || !(flags & SF_DELETED);
            if (!it->rev) {
                if (memcmp(buf, it->start_key, 16) >= 0 && visible) {
                    if (memcmp(buf, it->end_key, 16) > 0) return 0;
                    it->flags = flags;
                    it->mf_ptr = it->master_fields;
                    return 1;
                }
            } else {
                if (memcmp(buf, it->end_key, 16) <= 0 && visible) {
                    if (memcmp(buf, it->start_key, 16) < 0) return 0;
                    it->flags = flags;
                    it->mf_ptr = it->master_fields;
                    return 1;
                }
            }
            if (!it->rev) {
                long long skip = (flags & SF_SAMEFIELDS) ? *nfields : *nfields * 2;
                for (long long i = 0; i < skip; i++) it->ele = lp_next(it->lp, it->ele);
            } else {
                int back = (flags & SF_SAMEFIELDS) ? 4 : 5;
                while (back--) it->ele = lp_prev(it->lp, it->ele);
            }
        }
    }
}

void sit_field(sit *it, lp_entry *f, lp_entry *v) {
    if (it->flags & SF_SAMEFIELDS) {
        lp_get(it->mf_ptr, f);
        it->mf_ptr = lp_next(it->lp, it->mf_ptr);
    } else {
        lp_get(it->ele, f);
        it->ele = lp_next(it->lp, it->ele);
    }
    lp_get(it->ele, v);
    it->ele = lp_next(it->lp, it->ele);
}

void sit_remove(sit *it, const sid *current) {
    stream *s = it->s;
    long idx = it->node + (it->rev ? 1 : -1); /* the node being read */
    unsigned char *lp = it->lp;
    unsigned char *fp = it->flags_p;
    lp = lp_replace_int(lp, &fp, it->flags | SF_DELETED);
    unsigned char *p = lp_first(lp);
    long long aux = lp_int(p);
    if (aux == 1) {
        s->nodes[idx].lp = lp;
        node_remove(s, (size_t)idx);
    } else {
        lp = lp_replace_int(lp, &p, aux - 1);
        p = lp_next(lp, p);
        aux = lp_int(p);
        lp = lp_replace_int(lp, &p, aux + 1);
        s->nodes[idx].lp = lp;
    }
    s->length--;
    sid start, end;
    if (it->rev) {
        sid_decode(it->start_key, &start);
        end = *current;
    } else {
        start = *current;
        sid_decode(it->end_key, &end);
    }
    int rev = it->rev;
    sit_start(it, s, &start, &end, rev);
}

int stream_entry_exists(stream *s, const sid *id) {
    sit it;
    sid got;
    long long nf;
    sit_start(&it, s, id, id, 0);
    return sit_next(&it, &got, &nf);
}

int stream_delete_id(stream *s, const sid *id) {
    sit it;
    sid got;
    long long nf;
    sit_start(&it, s, id, id, 0);
    if (!sit_next(&it, &got, &nf)) return 0;
    sit_remove(&it, &got);
    return 1;
}

void stream_edge_id(stream *s, int first, int skip_tombstones, sid *out) {
    sit it;
    long long nf;
    sit_start(&it, s, NULL, NULL, !first);
    it.skip_tombstones = skip_tombstones;
    if (!sit_next(&it, out, &nf)) {
        if (first) out->ms = out->seq = UINT64_MAX;
        else out->ms = out->seq = 0;
    }
}

void stream_last_valid_id(stream *s, sid *out) {
    sit it;
    long long nf;
    sit_start(&it, s, NULL, NULL, 1);
    if (!sit_next(&it, out, &nf)) out->ms = out->seq = 0;
}

/* ---- trimming --------------------------------------------------------------------- */

/* The last ID in a node (deleted entries included). */
static void node_last_id(const snode *nd, sid *out) {
    unsigned char *lp = nd->lp;
    unsigned char *p = lp_last(lp);
    long long c = lp_int(p);
    while (c--) p = lp_prev(lp, p);
    /* p is the flags of the last entry (or, for none, the master count) */
    p = lp_next(lp, p);
    *out = nd->master;
    out->ms += (uint64_t)lp_int(p);
    p = lp_next(lp, p);
    out->seq += (uint64_t)lp_int(p);
}

long long stream_trim(stream *s, const trim_args *a) {
    if (a->strategy == TRIM_NONE) return 0;
    long long deleted = 0;
    size_t i = 0;
    while (i < s->nnodes) {
        if (a->strategy == TRIM_MAXLEN && s->length <= (uint64_t)a->maxlen) break;
        unsigned char *lp = s->nodes[i].lp, *p = lp_first(lp);
        long long entries = lp_int(p);
        if (a->limit && deleted + entries > a->limit) break;
        int remove_node;
        sid master = s->nodes[i].master;
        if (a->strategy == TRIM_MAXLEN) {
            remove_node = s->length - (uint64_t)entries >= (uint64_t)a->maxlen;
        } else {
            sid last;
            node_last_id(&s->nodes[i], &last);
            remove_node = sid_cmp(&last, &a->minid) < 0;
        }
        if (remove_node) {
            node_remove(s, i);
            s->length -= (uint64_t)entries;
            deleted += entries;
            continue;
        }
        if (a->approx) break;
        long long from_lp = 0;
        p = lp_next(lp, p);
        p = lp_next(lp, p);
        long long mfields = lp_int(p);
        p = lp_next(lp, p);
        for (long long j = 0; j < mfields; j++) p = lp_next(lp, p);
        p = lp_next(lp, p);
        while (p) {
            unsigned char *flags_p = p;
            long long flags = lp_int(p);
            p = lp_next(lp, p);
            long long msd = lp_int(p);
            p = lp_next(lp, p);
            long long seqd = lp_int(p);
            p = lp_next(lp, p);
            int stop;
            if (a->strategy == TRIM_MAXLEN) {
                stop = s->length <= (uint64_t)a->maxlen;
            } else {
                sid cur = {master.ms + (uint64_t)msd, master.seq + (uint64_t)seqd};
                stop = sid_cmp(&cur, &a->minid) >= 0;
            }
            if (stop) break;
            long long skip;
            if (flags & SF_SAMEFIELDS) {
                skip = mfields;
            } else {
                skip = lp_int(p) * 2;
                p = lp_next(lp, p);
            }
            while (skip--) p = lp_next(lp, p);
            p = lp_next(lp, p);
            if (!(flags & SF_DELETED)) {
                size_t delta = p ? (size_t)(p - lp) : 0;
                lp = lp_replace_int(lp, &flags_p, flags | SF_DELETED);
                from_lp++;
                s->length--;
                p = delta ? lp + delta : NULL;
            }
        }
        deleted += from_lp;
        p = lp_first(lp);
        lp = lp_replace_int(lp, &p, entries - from_lp);
        p = lp_next(lp, p);
        long long marked = lp_int(p);
        lp = lp_replace_int(lp, &p, marked + from_lp);
        s->nodes[i].lp = lp;
        break;
    }
    if (s->length == 0) {
        s->first_id.ms = s->first_id.seq = 0;
    } else if (deleted) {
        stream_edge_id(s, 1, 1, &s->first_id);
    }
    return deleted;
}

/* ---- consumer groups ------------------------------------------------------------------ */

sgroup *group_lookup(stream *s, const char *name, size_t len) {
    int found;
    size_t at = group_find(&s->groups, name, len, &found);
    return found ? s->groups.v[at] : NULL;
}

sgroup *group_create(stream *s, const char *name, size_t len, const sid *id, long long entries_read) {
    int found;
    size_t at = group_find(&s->groups, name, len, &found);
    if (found) return NULL;
    sgroup *g = fr_calloc(sizeof(*g));
    g->name = fr_str_new(name, len);
    g->last_id = *id;
    g->entries_read = entries_read;
    sarr_insert(&s->groups, at, g);
    return g;
}

sconsumer *consumer_lookup(sgroup *g, const char *name, size_t len) {
    int found;
    size_t at = cons_find(&g->consumers, name, len, &found);
    return found ? g->consumers.v[at] : NULL;
}

sconsumer *consumer_create(sgroup *g, const char *name, size_t len, long long now) {
    int found;
    size_t at = cons_find(&g->consumers, name, len, &found);
    if (found) return NULL;
    sconsumer *c = fr_calloc(sizeof(*c));
    c->name = fr_str_new(name, len);
    c->seen_time = now;
    sarr_insert(&g->consumers, at, c);
    return c;
}

/* Drop a consumer and its pending entries from the group's PEL. */
void consumer_delete(sgroup *g, sconsumer *c) {
    for (size_t i = 0; i < c->pel.n; i++) {
        snack *n = c->pel.v[i];
        int found;
        size_t at = pel_find(&g->pel, &n->id, &found);
        if (found) sarr_remove(&g->pel, at);
        nack_free(n);
    }
    int found;
    size_t at = cons_find(&g->consumers, c->name->buf, c->name->len, &found);
    if (found) sarr_remove(&g->consumers, at);
    consumer_free(c);
}

int stream_range_has_tombstones(stream *s, const sid *start, const sid *end) {
    if (!s->length || sid_is_zero(&s->max_deleted)) return 0;
    if (sid_cmp(&s->first_id, &s->max_deleted) > 0) return 0;
    sid a = {0, 0}, b = {UINT64_MAX, UINT64_MAX};
    if (start) a = *start;
    if (end) b = *end;
    return sid_cmp(&a, &s->max_deleted) <= 0 && sid_cmp(&s->max_deleted, &b) <= 0;
}

long long stream_estimate_distance(stream *s, const sid *id) {
    if (!s->entries_added) return 0;
    if (!s->length && sid_cmp(id, &s->last_id) < 1) return (long long)s->entries_added;
    int cmp_last = sid_cmp(id, &s->last_id);
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return SCG_INVALID_ENTRIES_READ;
    int cmp_first = sid_cmp(id, &s->first_id);
    int cmp_del_first = sid_cmp(&s->max_deleted, &s->first_id);
    if (sid_is_zero(&s->max_deleted) || cmp_del_first < 0) {
        if (cmp_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return SCG_INVALID_ENTRIES_READ;
}

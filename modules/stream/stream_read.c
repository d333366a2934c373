/* stream_read.c -- XREAD and XREADGROUP, and the range reply that serves
 * a consumer group (Redis's streamReplyWithRange with group, consumer,
 * NOACK and history, and its propagation as XCLAIM ... / XGROUP SETID).
 *
 * Blocking: when nothing can be served and BLOCK was given, the client
 * waits through the core (fr_block_on_keys); the IDs each key waits for
 * (XREAD's "$" resolved to the last ID at that moment) are kept here per
 * client, and a run again (fr_ctx_block_rerun) uses them: a key whose last
 * ID passed its wait ID serves up to COUNT (1000 when none) entries after
 * it; for a group the wait ID is the group's last delivered ID then, and a
 * group gone meanwhile answers -NOGROUP.  The saved IDs go with the
 * client (client-reset hook) or are replaced by its next wait. */
#include "stream_internal.h"

#include <string.h>

#define XREAD_BLOCKED_DEFAULT_COUNT 1000

/* ---- waits kept per client -------------------------------------------------- */

typedef struct waitrec {
    unsigned long long client_id;
    int n;
    sid *ids;
} waitrec;

static waitrec *waits;
static size_t nwaits;

static waitrec *wait_find(unsigned long long cid) {
    for (size_t i = 0; i < nwaits; i++)
        if (waits[i].client_id == cid) return &waits[i];
    return NULL;
}

static void wait_drop(unsigned long long cid) {
    for (size_t i = 0; i < nwaits; i++) {
        if (waits[i].client_id != cid) continue;
        fr_free(waits[i].ids);
        waits[i] = waits[--nwaits];
        return;
    }
}

static void wait_save(unsigned long long cid, int n, const sid *ids) {
    wait_drop(cid);
    waits = fr_realloc(waits, sizeof(*waits) * (nwaits + 1));
    waits[nwaits].client_id = cid;
    waits[nwaits].n = n;
    waits[nwaits].ids = fr_malloc(sizeof(sid) * (size_t)n);
    memcpy(waits[nwaits].ids, ids, sizeof(sid) * (size_t)n);
    nwaits++;
}

void stream_waits_free_all(void) {
    for (size_t i = 0; i < nwaits; i++) fr_free(waits[i].ids);
    fr_free(waits);
    waits = NULL;
    nwaits = 0;
}

int stream_on_client_reset(const fr_hook_event *ev, void *priv) {
    (void)priv;
    if (ev->client) wait_drop(fr_client_id(ev->client));
    return FR_OK;
}

/* ---- serving a group ---------------------------------------------------------- */

typedef struct readinfo {
    const fr_str *key, *group_name;
} readinfo;

/* XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE
 * JUSTID LASTID <group last ID>: an idempotent record of one delivery
 * (Redis's streamPropagateXCLAIM); `id` is the text the caller names the
 * entry with (XCLAIM's own argument, or the formatted ID). */
void stream_propagate_xclaim(fr_ctx *ctx, const fr_str *key, const fr_str *gname, sgroup *g, const char *id,
                             size_t idl, const snack *n) {
    char last[44], time[24], cnt[24];
    int lastl = sid_fmt(last, &g->last_id);
    int tl = fr_ll2string(time, sizeof(time), n->delivery_time);
    int cl = fr_ll2string(cnt, sizeof(cnt), (long long)n->delivery_count);
    const char *argv[14] = {"XCLAIM", key->buf, gname->buf, n->consumer->name->buf,
                            "0", id, "TIME", time, "RETRYCOUNT", cnt, "FORCE", "JUSTID", "LASTID", last};
    size_t lens[14] = {6, key->len, gname->len, n->consumer->name->len, 1, idl, 4,
                       (size_t)tl, 10, (size_t)cl, 5, 6, 6, (size_t)lastl};
    fr_propagate_cstr(ctx, 14, argv, lens);
}

static void propagate_xclaim(fr_ctx *ctx, const readinfo *ri, sgroup *g, const snack *n) {
    char id[44];
    int idl = sid_fmt(id, &n->id);
    stream_propagate_xclaim(ctx, ri->key, ri->group_name, g, id, (size_t)idl, n);
}

void stream_propagate_group_id(fr_ctx *ctx, const fr_str *key, sgroup *g, const fr_str *gname) {
    char last[44], er[24];
    int lastl = sid_fmt(last, &g->last_id);
    int erl = fr_ll2string(er, sizeof(er), g->entries_read);
    const char *argv[7] = {"XGROUP", "SETID", key->buf, gname->buf, last, "ENTRIESREAD", er};
    size_t lens[7] = {6, 5, key->len, gname->len, (size_t)lastl, 11, (size_t)erl};
    fr_propagate_cstr(ctx, 7, argv, lens);
}

void stream_propagate_consumer_creation(fr_ctx *ctx, const fr_str *key, const fr_str *gname,
                                        const fr_str *cname) {
    const char *argv[5] = {"XGROUP", "CREATECONSUMER", key->buf, gname->buf, cname->buf};
    size_t lens[5] = {6, 14, key->len, gname->len, cname->len};
    fr_propagate_cstr(ctx, 5, argv, lens);
}

/* The entry `id` is delivered to consumer c: a new NACK, or the one
 * another consumer held moved to c with its count reset. */
snack *stream_deliver(sgroup *g, sconsumer *c, const sid *id) {
    int found;
    size_t at = pel_find(&g->pel, id, &found);
    snack *n;
    if (!found) {
        n = fr_calloc(sizeof(*n));
        n->id = *id;
        sarr_insert(&g->pel, at, n);
    } else {
        n = g->pel.v[at];
        size_t cat = pel_find(&n->consumer->pel, id, &found);
        if (found) sarr_remove(&n->consumer->pel, cat);
    }
    n->consumer = c;
    n->delivery_time = (long long)fr_mstime();
    n->delivery_count = 1;
    size_t cat = pel_find(&c->pel, id, &found);
    if (!found) sarr_insert(&c->pel, cat, n);
    return n;
}

/* A consumer's own history (XREADGROUP with an ID other than ">"). */
static long reply_history(fr_ctx *ctx, stream *s, const sid *start, long long count, sconsumer *c) {
    void *dl = fr_reply_deferred_len(ctx);
    long n = 0;
    int found;
    size_t i = pel_find(&c->pel, start, &found);
    for (; i < c->pel.n && (!count || n < count); i++) {
        snack *nk = c->pel.v[i];
        sit it;
        sid id;
        long long nf;
        sit_start(&it, s, &nk->id, &nk->id, 0);
        if (sit_next(&it, &id, &nf)) {
            reply_entry(ctx, &it, &id, nf);
            nk->delivery_time = (long long)fr_mstime();
            nk->delivery_count++;
        } else {
            fr_reply_array(ctx, 2);
            sid_reply(ctx, &nk->id);
            fr_reply_null_array(ctx);
        }
        n++;
    }
    fr_reply_set_deferred_array(ctx, dl, n);
    return n;
}

#define RWR_NOACK 1
#define RWR_HISTORY 2

/* Entries from start on (up to count, 0: all), for a group and consumer
 * when given. */
long stream_reply_range_group(fr_ctx *ctx, stream *s, const sid *start, long long count, sgroup *g,
                              sconsumer *c, int flags, const readinfo *ri) {
    if (g && (flags & RWR_HISTORY)) return reply_history(ctx, s, start, count, c);
    int noack = flags & RWR_NOACK, propagate_last = 0;
    void *dl = fr_reply_deferred_len(ctx);
    long n = 0;
    sit it;
    sid id;
    long long nf;
    sit_start(&it, s, start, NULL, 0);
    while (sit_next(&it, &id, &nf)) {
        if (g && sid_cmp(&id, &g->last_id) > 0) {
            if (g->entries_read != SCG_INVALID_ENTRIES_READ && !stream_range_has_tombstones(s, &id, NULL))
                g->entries_read++;
            else if (s->entries_added)
                g->entries_read = stream_estimate_distance(s, &id);
            g->last_id = id;
            if (noack) propagate_last = 1;
        }
        reply_entry(ctx, &it, &id, nf);
        if (g && !noack) {
            snack *nk = stream_deliver(g, c, &id);
            propagate_xclaim(ctx, ri, g, nk);
        }
        n++;
        if (count && n == count) break;
    }
    if (propagate_last) stream_propagate_group_id(ctx, ri->key, g, ri->group_name);
    fr_reply_set_deferred_array(ctx, dl, n);
    return n;
}

/* ---- XREAD / XREADGROUP ---------------------------------------------------------- */

typedef struct readargs {
    long long timeout; /* -1: no BLOCK; else the absolute deadline (0: none) */
    long long count;
    int streams_arg, nstreams, noack, group;
    const fr_str *group_name, *consumer_name;
} readargs;

static int parse_read(fr_ctx *ctx, readargs *r, int xreadgroup) {
    memset(r, 0, sizeof(*r));
    r->timeout = -1;
    int argc = fr_argc(ctx);
    for (int i = 1; i < argc; i++) {
        int more = argc - i - 1;
        if (fr_arg_is(ctx, i, "BLOCK") && more) {
            if (fr_script_current()) {
                fr_reply_errorf(ctx, "%s command is not allowed with BLOCK option from scripts",
                                fr_arg(ctx, 0)->buf);
                return FR_ERR;
            }
            i++;
            if (fr_arg_timeout_or_reply(ctx, i, FR_TIMEOUT_MS, &r->timeout) != FR_OK) return FR_ERR;
        } else if (fr_arg_is(ctx, i, "COUNT") && more) {
            i++;
            if (fr_arg_ll_or_reply(ctx, i, &r->count) != FR_OK) return FR_ERR;
            if (r->count < 0) r->count = 0;
        } else if (fr_arg_is(ctx, i, "STREAMS") && more) {
            r->streams_arg = i + 1;
            r->nstreams = argc - r->streams_arg;
            if (r->nstreams % 2) {
                fr_reply_error(ctx, "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
                                    "specified.");
                return FR_ERR;
            }
            r->nstreams /= 2;
            break;
        } else if (fr_arg_is(ctx, i, "GROUP") && more >= 2) {
            if (!xreadgroup) {
                fr_reply_error(ctx, "The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return FR_ERR;
            }
            r->group = 1;
            r->group_name = fr_arg(ctx, i + 1);
            r->consumer_name = fr_arg(ctx, i + 2);
            i += 2;
        } else if (fr_arg_is(ctx, i, "NOACK")) {
            if (!xreadgroup) {
                fr_reply_error(ctx, "The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return FR_ERR;
            }
            r->noack = 1;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    if (!r->streams_arg) {
        fr_reply_syntax_error(ctx);
        return FR_ERR;
    }
    if (xreadgroup && !r->group) {
        fr_reply_error(ctx, "Missing GROUP option for XREADGROUP");
        return FR_ERR;
    }
    return FR_OK;
}

/* Resolve each key's ID (and group); FR_ERR after replying. */
static int resolve_ids(fr_ctx *ctx, const readargs *r, int xreadgroup, sid *ids, sgroup **groups, int rerun) {
    for (int k = 0; k < r->nstreams; k++) {
        int i = r->streams_arg + r->nstreams + k;
        const fr_str *key = fr_arg(ctx, r->streams_arg + k);
        int wrong;
        stream *s = stream_lookup_read(ctx, key, &wrong);
        if (wrong) return FR_ERR;
        if (r->group) {
            sgroup *g = s ? group_lookup(s, r->group_name->buf, r->group_name->len) : NULL;
            if (!g && rerun) {
                fr_reply_error(ctx, "-NOGROUP the consumer group this client was blocked on no longer exists");
                return FR_ERR;
            }
            if (!g) {
                fr_reply_errorf(ctx,
                                "-NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option",
                                key->buf, r->group_name->buf);
                return FR_ERR;
            }
            groups[k] = g;
        }
        const fr_str *a = fr_arg(ctx, i);
        if (a->len == 1 && a->buf[0] == '$') {
            if (xreadgroup) {
                fr_reply_error(ctx, "The $ ID is meaningless in the context of XREADGROUP: you want to read the "
                                    "history of this consumer by specifying a proper ID, or use the > ID to get "
                                    "new messages. The $ ID would just return an empty result set.");
                return FR_ERR;
            }
            if (s) ids[k] = s->last_id;
            else ids[k].ms = ids[k].seq = 0;
            continue;
        }
        if (a->len == 1 && a->buf[0] == '>') {
            if (!xreadgroup) {
                fr_reply_error(ctx, "The > ID can be specified only when calling XREADGROUP using the GROUP "
                                    "<group> <consumer> option.");
                return FR_ERR;
            }
            ids[k].ms = ids[k].seq = UINT64_MAX;
            continue;
        }
        if (sid_arg_or_reply(ctx, i, &ids[k], 0, 1, NULL) != FR_OK) return FR_ERR;
    }
    return FR_OK;
}

static sconsumer *consumer_for_read(fr_ctx *ctx, sgroup *g, const readargs *r, const fr_str *key) {
    sconsumer *c = consumer_lookup(g, r->consumer_name->buf, r->consumer_name->len);
    if (c) {
        c->seen_time = (long long)fr_mstime();
        return c;
    }
    c = stream_consumer_new(ctx, g, key, r->consumer_name->buf, r->consumer_name->len);
    if (r->noack) stream_propagate_consumer_creation(ctx, key, r->group_name, r->consumer_name);
    return c;
}

sconsumer *stream_consumer_new(fr_ctx *ctx, sgroup *g, const fr_str *key, const char *name, size_t len) {
    sconsumer *c = consumer_create(g, name, len, (long long)fr_mstime());
    if (!c) return NULL;
    fr_dirty(ctx, 1);
    fr_notify_keyspace_event(FR_NOTIFY_STREAM, "xgroup-createconsumer", key, fr_db_id(fr_ctx_db(ctx)));
    return c;
}

/* Open the reply's outer container lazily: *n keys served so far. */
static void *outer_begin(fr_ctx *ctx, long n, void *dl) {
    return n == 1 ? fr_reply_deferred_len(ctx) : dl;
}

/* A key an XREADGROUP waited on was deleted or holds another type now. */
static int stream_gone(fr_ctx *ctx, const readargs *r) {
    for (int k = 0; k < r->nstreams; k++) {
        fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, r->streams_arg + k), FR_LOOKUP_NOSTATS);
        if (!v || fr_value_type(v) != g_stream_type) return 1;
    }
    return 0;
}

static void read_generic(fr_ctx *ctx, int xreadgroup) {
    readargs r;
    if (parse_read(ctx, &r, xreadgroup) != FR_OK) return;
    fr_propagate_none(ctx);
    int rerun = fr_ctx_block_rerun(ctx);
    fr_client *cl = fr_ctx_client(ctx);
    sid *ids = fr_malloc(sizeof(sid) * (size_t)r.nstreams);
    sgroup **groups = r.group ? fr_calloc(sizeof(*groups) * (size_t)r.nstreams) : NULL;
    if (rerun && xreadgroup && stream_gone(ctx, &r)) {
        fr_reply_error(ctx, "-UNBLOCKED the stream key no longer exists");
        goto done;
    }
    if (resolve_ids(ctx, &r, xreadgroup, ids, groups, rerun) != FR_OK) goto done;
    if (rerun && cl) {
        waitrec *w = wait_find(fr_client_id(cl));
        if (w && w->n == r.nstreams) memcpy(ids, w->ids, sizeof(sid) * (size_t)r.nstreams);
    }
    long served = 0;
    void *dl = NULL;
    for (int k = 0; k < r.nstreams; k++) {
        const fr_str *key = fr_arg(ctx, r.streams_arg + k);
        int wrong;
        stream *s = stream_lookup_read(ctx, key, &wrong);
        if (!s) continue;
        sid gt = ids[k];
        int serve = 0, history = 0;
        long long count = r.count;
        if (rerun) {
            /* Served as Redis serves a client it unblocks: past the ID it
             * waited for (a group's last delivered ID now). */
            if (groups) gt = groups[k]->last_id;
            serve = sid_cmp(&s->last_id, &gt) > 0;
            if (!count) count = XREAD_BLOCKED_DEFAULT_COUNT;
        } else if (groups) {
            if (gt.ms != UINT64_MAX || gt.seq != UINT64_MAX) {
                serve = history = 1;
            } else if (s->length) {
                sid maxid;
                stream_last_valid_id(s, &maxid);
                if (sid_cmp(&maxid, &groups[k]->last_id) > 0) {
                    serve = 1;
                    gt = groups[k]->last_id;
                }
            }
        } else if (s->length) {
            sid maxid;
            stream_last_valid_id(s, &maxid);
            serve = sid_cmp(&maxid, &gt) > 0;
        }
        if (!serve) continue;
        served++;
        dl = outer_begin(ctx, served, dl);
        sid start = gt;
        sid_incr(&start);
        if (fr_ctx_resp(ctx) == 2) fr_reply_array(ctx, 2);
        fr_reply_bulk_str(ctx, key);
        sconsumer *c = groups ? consumer_for_read(ctx, groups[k], &r, key) : NULL;
        readinfo ri = {key, r.group_name};
        int flags = (r.noack ? RWR_NOACK : 0) | (history ? RWR_HISTORY : 0);
        stream_reply_range_group(ctx, s, &start, count, groups ? groups[k] : NULL, c, flags, &ri);
        if (groups && !rerun) fr_dirty(ctx, 1); /* Redis counts a group read served at once only */
    }
    if (served) {
        if (fr_ctx_resp(ctx) == 2) fr_reply_set_deferred_array(ctx, dl, served);
        else fr_reply_set_deferred_map(ctx, dl, served);
        if (cl) wait_drop(fr_client_id(cl));
        goto done;
    }
    if (r.timeout != -1) {
        const fr_str **keys = fr_malloc(sizeof(*keys) * (size_t)r.nstreams);
        for (int k = 0; k < r.nstreams; k++) keys[k] = fr_arg(ctx, r.streams_arg + k);
        int rc = fr_block_on_keys_ex(ctx, g_stream_type, r.nstreams, (const fr_str *const *)keys, r.timeout,
                                     xreadgroup ? FR_BLOCK_WAKE_ON_GONE : 0);
        fr_free(keys);
        if (rc != FR_OK) fr_reply_null_array(ctx);
        else if (!rerun && cl) wait_save(fr_client_id(cl), r.nstreams, ids);
        goto done;
    }
    fr_reply_null_array(ctx);
done:
    fr_free(ids);
    fr_free(groups);
}

void cmd_xread(fr_ctx *ctx) { read_generic(ctx, 0); }
void cmd_xreadgroup(fr_ctx *ctx) { read_generic(ctx, 1); }

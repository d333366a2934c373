/* stream_group.c -- consumer groups: XGROUP (CREATE SETID DESTROY
 * CREATECONSUMER DELCONSUMER HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM,
 * as Redis 7.0.15's t_stream.c answers them.
 *
 * Propagation: XGROUP and XACK go out as received when they changed
 * something; XCLAIM and XAUTOCLAIM go out as one XCLAIM ... FORCE JUSTID
 * LASTID per entry they claimed or dropped (XCLAIM with the ID as its
 * caller wrote it), and XCLAIM whose LASTID moved the group with nothing
 * claimed as XGROUP SETID ... ENTRIESREAD.  Keyspace events: xgroup-create,
 * xgroup-setid, xgroup-destroy, xgroup-createconsumer, xgroup-delconsumer. */
#include "stream_internal.h"

#include <limits.h>
#include <string.h>

static void notify(fr_ctx *ctx, const char *event, const fr_str *key) {
    fr_notify_keyspace_event(FR_NOTIFY_STREAM, event, key, fr_db_id(fr_ctx_db(ctx)));
}

/* ---- XGROUP ---------------------------------------------------------------- */

/* The stream at key and its group gname; NULL after replying WRONGTYPE
 * or NOGROUP (XPENDING, XCLAIM, XAUTOCLAIM). */
static sgroup *group_or_reply(fr_ctx *ctx, const fr_str *key, const fr_str *gname, stream **s) {
    int wrong;
    *s = stream_lookup_read(ctx, key, &wrong);
    if (wrong) return NULL;
    sgroup *g = *s ? group_lookup(*s, gname->buf, gname->len) : NULL;
    if (!g) fr_reply_errorf(ctx, "-NOGROUP No such key '%s' or consumer group '%s'", key->buf, gname->buf);
    return g;
}

static const char *const xgroup_help[] = {
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    NULL};

/* Redis's xgroupCommand, one handler for every subcommand. */
static void xgroup(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    const fr_str *sub = fr_arg(ctx, 1);
    int create = fr_arg_is(ctx, 1, "CREATE"), setid = fr_arg_is(ctx, 1, "SETID");
    int mkstream = 0;
    long long entries_read = SCG_INVALID_ENTRIES_READ;
    stream *s = NULL;
    sgroup *g = NULL;
    fr_value *v = NULL;
    const fr_str *key = argc >= 3 ? fr_arg(ctx, 2) : NULL, *gname = argc >= 4 ? fr_arg(ctx, 3) : NULL;
    (void)sub;
    if (argc >= 4) {
        for (int i = 5; i < argc;) {
            if (create && fr_arg_is(ctx, i, "MKSTREAM")) {
                mkstream = 1;
                i++;
            } else if ((create || setid) && fr_arg_is(ctx, i, "ENTRIESREAD") && i + 1 < argc) {
                if (fr_arg_ll_or_reply(ctx, i + 1, &entries_read) != FR_OK) return;
                if (entries_read < 0 && entries_read != SCG_INVALID_ENTRIES_READ) {
                    fr_reply_error(ctx, "value for ENTRIESREAD must be positive or -1");
                    return;
                }
                i += 2;
            } else {
                fr_reply_subcommand_syntax_error(ctx);
                return;
            }
        }
        int wrong;
        s = stream_lookup_write(ctx, key, &v, &wrong);
        if (wrong) return;
    }
    if (argc >= 4 && !mkstream) {
        if (!s) {
            fr_reply_error(ctx, "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
                                "to use the MKSTREAM option to create an empty stream automatically.");
            return;
        }
        g = group_lookup(s, gname->buf, gname->len);
        if (!g && (setid || fr_arg_is(ctx, 1, "CREATECONSUMER") || fr_arg_is(ctx, 1, "DELCONSUMER"))) {
            fr_reply_errorf(ctx, "-NOGROUP No such consumer group '%s' for key name '%s'", gname->buf, key->buf);
            return;
        }
    }
    if (argc == 2 && fr_arg_is(ctx, 1, "HELP")) {
        fr_reply_help(ctx, xgroup_help);
    } else if (create && argc >= 5 && argc <= 8) {
        sid id;
        const fr_str *a = fr_arg(ctx, 4);
        if (a->len == 1 && a->buf[0] == '$') {
            if (s) id = s->last_id;
            else id.ms = id.seq = 0;
        } else if (sid_arg_or_reply(ctx, 4, &id, 0, 1, NULL) != FR_OK) {
            return;
        }
        if (!s) {
            s = stream_new();
            fr_key_set(ctx, fr_ctx_db(ctx), key, g_stream_type, s, 0);
        }
        if (group_create(s, gname->buf, gname->len, &id, entries_read)) {
            fr_reply_ok(ctx);
            fr_dirty(ctx, 1);
            notify(ctx, "xgroup-create", key);
        } else {
            fr_reply_error(ctx, "-BUSYGROUP Consumer Group name already exists");
        }
    } else if (setid && (argc == 5 || argc == 7)) {
        sid id;
        const fr_str *a = fr_arg(ctx, 4);
        if (a->len == 1 && a->buf[0] == '$') id = s->last_id;
        else if (sid_arg_or_reply(ctx, 4, &id, 0, 0, NULL) != FR_OK) return;
        g->last_id = id;
        g->entries_read = entries_read;
        fr_reply_ok(ctx);
        fr_dirty(ctx, 1);
        notify(ctx, "xgroup-setid", key);
    } else if (fr_arg_is(ctx, 1, "DESTROY") && argc == 4) {
        if (!g) {
            fr_reply_long_long(ctx, 0);
            return;
        }
        int found;
        size_t at = group_find(&s->groups, gname->buf, gname->len, &found);
        sarr_remove(&s->groups, at);
        group_free(g);
        fr_reply_long_long(ctx, 1);
        fr_dirty(ctx, 1);
        notify(ctx, "xgroup-destroy", key);
        /* Clients blocked in XREADGROUP on this group learn it is gone. */
        fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    } else if (fr_arg_is(ctx, 1, "CREATECONSUMER") && argc == 5) {
        const fr_str *cn = fr_arg(ctx, 4);
        fr_reply_long_long(ctx, stream_consumer_new(ctx, g, key, cn->buf, cn->len) ? 1 : 0);
    } else if (fr_arg_is(ctx, 1, "DELCONSUMER") && argc == 5) {
        const fr_str *cn = fr_arg(ctx, 4);
        sconsumer *c = consumer_lookup(g, cn->buf, cn->len);
        long long pending = 0;
        if (c) {
            pending = (long long)c->pel.n;
            consumer_delete(g, c);
            fr_dirty(ctx, 1);
            notify(ctx, "xgroup-delconsumer", key);
        }
        fr_reply_long_long(ctx, pending);
    } else {
        fr_reply_subcommand_syntax_error(ctx);
    }
}

void cmd_xgroup_create(fr_ctx *ctx) { xgroup(ctx); }
void cmd_xgroup_setid(fr_ctx *ctx) { xgroup(ctx); }
void cmd_xgroup_destroy(fr_ctx *ctx) { xgroup(ctx); }
void cmd_xgroup_createconsumer(fr_ctx *ctx) { xgroup(ctx); }
void cmd_xgroup_delconsumer(fr_ctx *ctx) { xgroup(ctx); }
void cmd_xgroup_help(fr_ctx *ctx) { xgroup(ctx); }

/* ---- XACK ---------------------------------------------------------------------- */

static void nack_drop(sgroup *g, size_t at) {
    snack *n = g->pel.v[at];
    sarr_remove(&g->pel, at);
    int found;
    size_t cat = pel_find(&n->consumer->pel, &n->id, &found);
    if (found) sarr_remove(&n->consumer->pel, cat);
    nack_free(n);
}

/* XACK key group id [id ...] */
void cmd_xack(fr_ctx *ctx) {
    int wrong;
    stream *s = stream_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (wrong) return;
    const fr_str *gname = fr_arg(ctx, 2);
    sgroup *g = s ? group_lookup(s, gname->buf, gname->len) : NULL;
    if (!g) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    int argc = fr_argc(ctx), n = argc - 3;
    sid *ids = fr_malloc(sizeof(sid) * (size_t)n);
    for (int j = 3; j < argc; j++) {
        if (sid_arg_or_reply(ctx, j, &ids[j - 3], 0, 1, NULL) != FR_OK) {
            fr_free(ids);
            return;
        }
    }
    long long acked = 0;
    for (int j = 0; j < n; j++) {
        int found;
        size_t at = pel_find(&g->pel, &ids[j], &found);
        if (!found) continue;
        nack_drop(g, at);
        acked++;
    }
    fr_free(ids);
    if (acked) fr_dirty(ctx, acked);
    fr_reply_long_long(ctx, acked);
}

/* ---- XPENDING -------------------------------------------------------------------- */

/* XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
void cmd_xpending(fr_ctx *ctx) {
    int argc = fr_argc(ctx), justinfo = argc == 3;
    const fr_str *key = fr_arg(ctx, 1), *gname = fr_arg(ctx, 2), *cname = NULL;
    sid start, end;
    long long count = 0, minidle = 0;
    int startex = 0, endex = 0;
    if (argc != 3 && (argc < 6 || argc > 9)) {
        fr_reply_syntax_error(ctx);
        return;
    }
    if (argc >= 6) {
        int si = 3;
        if (fr_arg_is(ctx, 3, "IDLE")) {
            if (fr_arg_ll_or_reply(ctx, 4, &minidle) != FR_OK) return;
            if (argc < 8) {
                fr_reply_syntax_error(ctx);
                return;
            }
            si += 2;
        }
        if (fr_arg_ll_or_reply(ctx, si + 2, &count) != FR_OK) return;
        if (count < 0) count = 0;
        if (sid_interval_or_reply(ctx, si, &start, &startex, 0) != FR_OK) return;
        if (startex && sid_incr(&start) != FR_OK) {
            fr_reply_error(ctx, "invalid start ID for the interval");
            return;
        }
        if (sid_interval_or_reply(ctx, si + 1, &end, &endex, UINT64_MAX) != FR_OK) return;
        if (endex && sid_decr(&end) != FR_OK) {
            fr_reply_error(ctx, "invalid end ID for the interval");
            return;
        }
        if (si + 3 < argc) cname = fr_arg(ctx, si + 3);
    }
    stream *s;
    sgroup *g = group_or_reply(ctx, key, gname, &s);
    if (!g) return;
    if (justinfo) {
        fr_reply_array(ctx, 4);
        fr_reply_long_long(ctx, (long long)g->pel.n);
        if (!g->pel.n) {
            fr_reply_null(ctx);
            fr_reply_null(ctx);
            fr_reply_null_array(ctx);
            return;
        }
        sid_reply(ctx, &((snack *)g->pel.v[0])->id);
        sid_reply(ctx, &((snack *)g->pel.v[g->pel.n - 1])->id);
        void *dl = fr_reply_deferred_len(ctx);
        long n = 0;
        for (size_t i = 0; i < g->consumers.n; i++) {
            sconsumer *c = g->consumers.v[i];
            if (!c->pel.n) continue;
            fr_reply_array(ctx, 2);
            fr_reply_bulk_str(ctx, c->name);
            fr_reply_bulk_ll(ctx, (long long)c->pel.n);
            n++;
        }
        fr_reply_set_deferred_array(ctx, dl, n);
        return;
    }
    sconsumer *c = NULL;
    if (cname) {
        c = consumer_lookup(g, cname->buf, cname->len);
        if (!c) {
            fr_reply_array(ctx, 0);
            return;
        }
    }
    const sarr *pel = c ? &c->pel : &g->pel;
    long long now = (long long)fr_mstime();
    void *dl = fr_reply_deferred_len(ctx);
    long n = 0;
    int found;
    for (size_t i = pel_find(pel, &start, &found); count && i < pel->n; i++) {
        snack *nk = pel->v[i];
        if (sid_cmp(&nk->id, &end) > 0) break;
        if (minidle && now - nk->delivery_time < minidle) continue;
        n++;
        count--;
        fr_reply_array(ctx, 4);
        sid_reply(ctx, &nk->id);
        fr_reply_bulk_str(ctx, nk->consumer->name);
        long long elapsed = now - nk->delivery_time;
        fr_reply_long_long(ctx, elapsed < 0 ? 0 : elapsed);
        fr_reply_long_long(ctx, (long long)nk->delivery_count);
    }
    fr_reply_set_deferred_array(ctx, dl, n);
}

/* ---- XCLAIM / XAUTOCLAIM ----------------------------------------------------------- */

/* Move NACK n (at its group PEL) to consumer c, as both claims do. */
static void nack_move(snack *n, sconsumer *c) {
    if (n->consumer == c) return;
    int found;
    if (n->consumer) {
        size_t at = pel_find(&n->consumer->pel, &n->id, &found);
        if (found) sarr_remove(&n->consumer->pel, at);
    }
    size_t at = pel_find(&c->pel, &n->id, &found);
    if (!found) sarr_insert(&c->pel, at, n);
    n->consumer = c;
}

static void reply_one_entry(fr_ctx *ctx, stream *s, const sid *id) {
    sit it;
    sid got;
    long long nf;
    sit_start(&it, s, id, id, 0);
    if (sit_next(&it, &got, &nf)) reply_entry(ctx, &it, &got, nf);
}

static int ll_or_reply_msg(fr_ctx *ctx, int i, const char *msg, long long *out) {
    const fr_str *a = fr_arg(ctx, i);
    if (fr_string2ll(a->buf, a->len, out)) return FR_OK;
    fr_reply_error(ctx, msg);
    return FR_ERR;
}

static sconsumer *claimer(fr_ctx *ctx, sgroup *g, const fr_str *key, const fr_str *name) {
    sconsumer *c = consumer_lookup(g, name->buf, name->len);
    if (c) {
        c->seen_time = (long long)fr_mstime();
        return c;
    }
    return stream_consumer_new(ctx, g, key, name->buf, name->len);
}

/* XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms]
 *        [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
void cmd_xclaim(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *gname = fr_arg(ctx, 2), *cname = fr_arg(ctx, 3);
    stream *s;
    sgroup *g = group_or_reply(ctx, key, gname, &s);
    if (!g) return;
    long long minidle, retrycount = -1, deliverytime = -1;
    int force = 0, justid = 0, argc = fr_argc(ctx);
    if (ll_or_reply_msg(ctx, 4, "Invalid min-idle-time argument for XCLAIM", &minidle) != FR_OK) return;
    if (minidle < 0) minidle = 0;
    sid *ids = fr_malloc(sizeof(sid) * (size_t)(argc - 5 + 1));
    int j;
    for (j = 5; j < argc; j++) {
        const fr_str *a = fr_arg(ctx, j);
        if (sid_parse(a->buf, a->len, &ids[j - 5], 0, 1, NULL) != FR_OK) break;
    }
    int last_id_arg = j - 1;
    long long now = (long long)fr_mstime();
    sid last_id = {0, 0};
    int propagate_last = 0;
    for (; j < argc; j++) {
        int more = argc - 1 - j;
        if (fr_arg_is(ctx, j, "FORCE")) {
            force = 1;
        } else if (fr_arg_is(ctx, j, "JUSTID")) {
            justid = 1;
        } else if (fr_arg_is(ctx, j, "IDLE") && more) {
            j++;
            if (ll_or_reply_msg(ctx, j, "Invalid IDLE option argument for XCLAIM", &deliverytime) != FR_OK) goto out;
            deliverytime = now - deliverytime;
        } else if (fr_arg_is(ctx, j, "TIME") && more) {
            j++;
            if (ll_or_reply_msg(ctx, j, "Invalid TIME option argument for XCLAIM", &deliverytime) != FR_OK) goto out;
        } else if (fr_arg_is(ctx, j, "RETRYCOUNT") && more) {
            j++;
            if (ll_or_reply_msg(ctx, j, "Invalid RETRYCOUNT option argument for XCLAIM", &retrycount) != FR_OK)
                goto out;
        } else if (fr_arg_is(ctx, j, "LASTID") && more) {
            j++;
            if (sid_arg_or_reply(ctx, j, &last_id, 0, 1, NULL) != FR_OK) goto out;
        } else {
            fr_reply_errorf(ctx, "Unrecognized XCLAIM option '%s'", fr_arg(ctx, j)->buf);
            goto out;
        }
    }
    if (sid_cmp(&last_id, &g->last_id) > 0) {
        g->last_id = last_id;
        propagate_last = 1;
    }
    if (deliverytime != -1) {
        if (deliverytime < 0 || deliverytime > now) deliverytime = now;
    } else {
        deliverytime = now;
    }
    fr_propagate_none(ctx);
    sconsumer *c = NULL;
    void *dl = fr_reply_deferred_len(ctx);
    long n = 0;
    for (int k = 5; k <= last_id_arg; k++) {
        sid id = ids[k - 5];
        const fr_str *idarg = fr_arg(ctx, k);
        int found;
        size_t at = pel_find(&g->pel, &id, &found);
        snack *nk = found ? g->pel.v[at] : NULL;
        if (!stream_entry_exists(s, &id)) {
            if (nk) {
                stream_propagate_xclaim(ctx, key, gname, g, idarg->buf, idarg->len, nk);
                propagate_last = 0;
                fr_dirty(ctx, 1);
                nack_drop(g, at);
            }
            continue;
        }
        if (force && !nk) {
            nk = fr_calloc(sizeof(*nk));
            nk->id = id;
            nk->delivery_time = now;
            nk->delivery_count = 1;
            sarr_insert(&g->pel, at, nk);
        }
        if (!nk) continue;
        if (nk->consumer && minidle && now - nk->delivery_time < minidle) continue;
        if (!c) c = claimer(ctx, g, key, cname);
        nk->delivery_time = deliverytime;
        if (retrycount >= 0) nk->delivery_count = (unsigned long long)retrycount;
        else if (!justid) nk->delivery_count++;
        nack_move(nk, c);
        if (justid) sid_reply(ctx, &id);
        else reply_one_entry(ctx, s, &id);
        n++;
        stream_propagate_xclaim(ctx, key, gname, g, idarg->buf, idarg->len, nk);
        propagate_last = 0;
        fr_dirty(ctx, 1);
    }
    if (propagate_last) {
        stream_propagate_group_id(ctx, key, g, gname);
        fr_dirty(ctx, 1);
    }
    fr_reply_set_deferred_array(ctx, dl, n);
out:
    fr_free(ids);
}

/* XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
void cmd_xautoclaim(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1), *gname = fr_arg(ctx, 2), *cname = fr_arg(ctx, 3);
    long long minidle, count = 100;
    int justid = 0, argc = fr_argc(ctx), startex;
    sid start;
    /* Redis looks the key up before it parses: an expired key goes, and its
     * DEL to replicas, even when an argument is then refused */
    fr_key_expire_if_due(ctx, fr_ctx_db(ctx), key);
    if (ll_or_reply_msg(ctx, 4, "Invalid min-idle-time argument for XAUTOCLAIM", &minidle) != FR_OK) return;
    if (minidle < 0) minidle = 0;
    if (sid_interval_or_reply(ctx, 5, &start, &startex, 0) != FR_OK) return;
    if (startex && sid_incr(&start) != FR_OK) {
        fr_reply_error(ctx, "invalid start ID for the interval");
        return;
    }
    for (int j = 6; j < argc; j++) {
        int more = argc - 1 - j;
        if (fr_arg_is(ctx, j, "COUNT") && more) {
            if (fr_arg_range_or_reply(ctx, j + 1, 1, LONG_MAX / 16, "COUNT must be > 0", &count) != FR_OK) return;
            j++;
        } else if (fr_arg_is(ctx, j, "JUSTID")) {
            justid = 1;
        } else {
            fr_reply_syntax_error(ctx);
            return;
        }
    }
    stream *s;
    sgroup *g = group_or_reply(ctx, key, gname, &s);
    if (!g) return;
    fr_propagate_none(ctx);
    long long attempts = count * 10;
    /* The reply opens with the cursor, known at the end: claim first,
     * collecting the IDs, then answer (nothing deletes entries meanwhile). */
    sid *claimed = NULL, *deleted = NULL;
    long n = 0, ndel = 0, capc = 0, capd = 0;
    long long now = (long long)fr_mstime();
    sconsumer *c = NULL;
    int found;
    size_t i = pel_find(&g->pel, &start, &found);
    while (attempts-- && count && i < g->pel.n) {
        snack *nk = g->pel.v[i];
        sid id = nk->id;
        char idtext[44];
        int idl = sid_fmt(idtext, &id);
        if (!stream_entry_exists(s, &id)) {
            stream_propagate_xclaim(ctx, key, gname, g, idtext, (size_t)idl, nk);
            fr_dirty(ctx, 1);
            nack_drop(g, i);
            if (ndel == capd) {
                capd = capd ? capd * 2 : 16;
                deleted = fr_realloc(deleted, sizeof(sid) * (size_t)capd);
            }
            deleted[ndel++] = id;
            count--;
            continue;
        }
        i++;
        if (minidle && now - nk->delivery_time < minidle) continue;
        if (!c) c = claimer(ctx, g, key, cname);
        nk->delivery_time = now;
        if (!justid) nk->delivery_count++;
        nack_move(nk, c);
        if (n == capc) {
            capc = capc ? capc * 2 : 16;
            claimed = fr_realloc(claimed, sizeof(sid) * (size_t)capc);
        }
        claimed[n++] = id;
        count--;
        stream_propagate_xclaim(ctx, key, gname, g, idtext, (size_t)idl, nk);
        fr_dirty(ctx, 1);
    }
    sid endid = {0, 0};
    if (i < g->pel.n) endid = ((snack *)g->pel.v[i])->id;
    fr_reply_array(ctx, 3);
    sid_reply(ctx, &endid);
    fr_reply_array(ctx, n);
    for (long k = 0; k < n; k++) {
        if (justid) sid_reply(ctx, &claimed[k]);
        else reply_one_entry(ctx, s, &claimed[k]);
    }
    fr_reply_array(ctx, ndel);
    for (long k = 0; k < ndel; k++) sid_reply(ctx, &deleted[k]);
    fr_free(claimed);
    fr_free(deleted);
}

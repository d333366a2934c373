/* stream_cmd.c -- XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID, as Redis
 * 7.0.15's t_stream.c answers them (argument order of checks, errors,
 * keyspace events "xadd" "xtrim" "xdel" "xsetid").
 *
 * Propagation: XADD goes out with the ID it used (an auto or "<ms>-*" ID
 * replaced by the concrete one); an approximate trim (XADD or XTRIM with
 * "~", LIMIT) goes out as an exact one ("=" and the resulting length, or
 * the first ID left for MINID), so replicas and the AOF trim the same. */
#include "stream_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- lookups and replies shared by the commands --------------------------- */

stream *stream_lookup_read(fr_ctx *ctx, const fr_str *key, int *wrong) {
    *wrong = 0;
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_NONE);
    if (!v) return NULL;
    if (fr_value_type(v) != g_stream_type) {
        *wrong = 1;
        fr_reply_wrongtype(ctx);
        return NULL;
    }
    return fr_value_payload(v);
}

stream *stream_lookup_write(fr_ctx *ctx, const fr_str *key, fr_value **vout, int *wrong) {
    *wrong = 0;
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), key, FR_LOOKUP_WRITE);
    if (vout) *vout = v;
    if (!v) return NULL;
    if (fr_value_type(v) != g_stream_type) {
        *wrong = 1;
        fr_reply_wrongtype(ctx);
        return NULL;
    }
    return fr_value_payload(v);
}

void reply_entry(fr_ctx *ctx, sit *it, const sid *id, long long nfields) {
    fr_reply_array(ctx, 2);
    sid_reply(ctx, id);
    fr_reply_array(ctx, nfields * 2);
    while (nfields--) {
        lp_entry f, v;
        char fb[LP_INT_BUF], vb[LP_INT_BUF];
        size_t fl, vl;
        sit_field(it, &f, &v);
        const char *fs = lp_entry_text(&f, fb, &fl), *vs = lp_entry_text(&v, vb, &vl);
        fr_reply_bulk(ctx, fs, fl);
        fr_reply_bulk(ctx, vs, vl);
    }
}

static void notify(fr_ctx *ctx, const char *event, const fr_str *key) {
    fr_notify_keyspace_event(FR_NOTIFY_STREAM, event, key, fr_db_id(fr_ctx_db(ctx)));
}

/* ---- XADD / XTRIM arguments ------------------------------------------------- */

/* Redis's streamParseAddOrTrimArgsOrReply: returns the ID's position for
 * XADD (the options' end for XTRIM), -1 after replying. */
static int parse_add_trim(fr_ctx *ctx, trim_args *a, int xadd) {
    memset(a, 0, sizeof(*a));
    int argc = fr_argc(ctx), i = 2, limit_given = 0;
    for (; i < argc; i++) {
        int more = argc - 1 - i;
        const fr_str *opt = fr_arg(ctx, i);
        if (xadd && opt->len == 1 && opt->buf[0] == '*') {
            break;
        } else if ((fr_arg_is(ctx, i, "maxlen") || fr_arg_is(ctx, i, "minid")) && more) {
            int maxlen = fr_arg_is(ctx, i, "maxlen");
            if (a->strategy != TRIM_NONE) {
                fr_reply_error(ctx, "syntax error, MAXLEN and MINID options at the same time are not compatible");
                return -1;
            }
            a->approx = 0;
            const fr_str *next = fr_arg(ctx, i + 1);
            if (more >= 2 && next->len == 1 && next->buf[0] == '~') {
                a->approx = 1;
                i++;
            } else if (more >= 2 && next->len == 1 && next->buf[0] == '=') {
                i++;
            }
            if (maxlen) {
                if (fr_arg_ll_or_reply(ctx, i + 1, &a->maxlen) != FR_OK) return -1;
                if (a->maxlen < 0) {
                    fr_reply_error(ctx, "The MAXLEN argument must be >= 0.");
                    return -1;
                }
            } else if (sid_arg_or_reply(ctx, i + 1, &a->minid, 0, 1, NULL) != FR_OK) {
                return -1;
            }
            i++;
            a->strategy = maxlen ? TRIM_MAXLEN : TRIM_MINID;
            a->strategy_idx = i;
        } else if (fr_arg_is(ctx, i, "limit") && more) {
            if (fr_arg_ll_or_reply(ctx, i + 1, &a->limit) != FR_OK) return -1;
            if (a->limit < 0) {
                fr_reply_error(ctx, "The LIMIT argument must be >= 0.");
                return -1;
            }
            limit_given = 1;
            i++;
        } else if (xadd && fr_arg_is(ctx, i, "nomkstream")) {
            a->no_mkstream = 1;
        } else if (xadd) {
            if (sid_arg_or_reply(ctx, i, &a->id, 0, 1, &a->seq_given) != FR_OK) return -1;
            a->id_given = 1;
            break;
        } else {
            fr_reply_syntax_error(ctx);
            return -1;
        }
    }
    if (a->limit && a->strategy == TRIM_NONE) {
        fr_reply_error(ctx, "syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return -1;
    }
    if (!xadd && a->strategy == TRIM_NONE) {
        fr_reply_error(ctx, "syntax error, XTRIM must be called with a trimming strategy");
        return -1;
    }
    fr_client *c = fr_ctx_client(ctx);
    if (!c || fr_client_id(c) == UINT64_MAX) {
        /* A replayed command (AOF, a master's stream) trims exactly what it
         * says: its argument was rewritten to an exact one. */
        a->limit = 0;
    } else if (limit_given) {
        if (!a->approx) {
            fr_reply_error(ctx, "syntax error, LIMIT cannot be used without the special ~ option");
            return -1;
        }
    } else if (a->approx) {
        a->limit = 100 * stream_conf_stream_node_max_entries();
        if (a->limit <= 0) a->limit = 10000;
        if (a->limit > 1000000) a->limit = 1000000;
    } else {
        a->limit = 0;
    }
    return i;
}

/* The command's words with some replaced (NULL: keep), propagated. */
static void propagate_rewritten(fr_ctx *ctx, int n, const int *idx, fr_str **with) {
    int argc = fr_argc(ctx);
    const fr_str **argv = fr_malloc(sizeof(*argv) * (size_t)argc);
    for (int i = 0; i < argc; i++) argv[i] = fr_arg(ctx, i);
    for (int k = 0; k < n; k++)
        if (with[k]) argv[idx[k]] = with[k];
    fr_propagate_replace(ctx, argc, (const fr_str *const *)argv);
    fr_free(argv);
}

/* The exact trim argument an approximate trim is propagated with. */
static fr_str *trim_arg_after(stream *s, int strategy) {
    if (strategy == TRIM_MAXLEN) return fr_str_from_ll((long long)s->length);
    sid first;
    stream_edge_id(s, 1, 0, &first);
    char buf[44];
    int n = sid_fmt(buf, &first);
    return fr_str_new(buf, (size_t)n);
}

/* XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ... */
void cmd_xadd(fr_ctx *ctx) {
    trim_args a;
    int idpos = parse_add_trim(ctx, &a, 1);
    if (idpos < 0) return;
    int fpos = idpos + 1, argc = fr_argc(ctx);
    if (argc - fpos < 2 || (argc - fpos) % 2 == 1) {
        fr_reply_error(ctx, "wrong number of arguments for 'xadd' command");
        return;
    }
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        fr_reply_error(ctx, "The ID specified in XADD must be greater than 0-0");
        return;
    }
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    fr_value *v;
    stream *s = stream_lookup_write(ctx, key, &v, &wrong);
    if (wrong) return;
    int created = 0;
    if (!s) {
        if (a.no_mkstream) {
            fr_reply_null(ctx);
            return;
        }
        s = stream_new();
        created = 1;
    }
    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX) {
        fr_reply_error(ctx, "The stream has exhausted the last possible ID, unable to add more items");
        return;
    }
    const fr_str **fv = fr_malloc(sizeof(*fv) * (size_t)(argc - fpos));
    for (int i = fpos; i < argc; i++) fv[i - fpos] = fr_arg(ctx, i);
    sid id;
    int why = 0;
    int rc = stream_append(s, (const fr_str *const *)fv, (argc - fpos) / 2, &id, a.id_given ? &a.id : NULL, a.seq_given, &why);
    fr_free(fv);
    if (rc != FR_OK) {
        if (created) stream_free(s);
        fr_reply_error(ctx, why == 1 ? "The ID specified in XADD is equal or smaller than the target stream top item"
                                     : "Elements are too large to be stored");
        return;
    }
    if (created) fr_key_set(ctx, fr_ctx_db(ctx), key, g_stream_type, s, 0);
    sid_reply(ctx, &id);
    notify(ctx, "xadd", key);
    fr_dirty(ctx, 1);
    int idx[3] = {0, 0, idpos};
    fr_str *with[3] = {NULL, NULL, NULL};
    if (a.strategy != TRIM_NONE) {
        if (stream_trim(s, &a)) notify(ctx, "xtrim", key);
        if (a.approx) {
            idx[0] = a.strategy_idx - 1;
            with[0] = fr_str_new("=", 1);
            idx[1] = a.strategy_idx;
            with[1] = trim_arg_after(s, a.strategy);
        }
    }
    if (!a.id_given || !a.seq_given) {
        char buf[44];
        int n = sid_fmt(buf, &id);
        with[2] = fr_str_new(buf, (size_t)n);
    }
    if (with[0] || with[2]) propagate_rewritten(ctx, 3, idx, with);
    for (int k = 0; k < 3; k++) fr_str_free(with[k]);
    if (!created) fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
}

/* XLEN key */
void cmd_xlen(fr_ctx *ctx) {
    int wrong;
    stream *s = stream_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (wrong) return;
    fr_reply_long_long(ctx, s ? (long long)s->length : 0);
}

/* XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n] */
static void range_generic(fr_ctx *ctx, int rev) {
    sid start, end;
    int startex, endex;
    long long count = -1;
    if (sid_interval_or_reply(ctx, rev ? 3 : 2, &start, &startex, 0) != FR_OK) return;
    if (startex && sid_incr(&start) != FR_OK) {
        fr_reply_error(ctx, "invalid start ID for the interval");
        return;
    }
    if (sid_interval_or_reply(ctx, rev ? 2 : 3, &end, &endex, UINT64_MAX) != FR_OK) return;
    if (endex && sid_decr(&end) != FR_OK) {
        fr_reply_error(ctx, "invalid end ID for the interval");
        return;
    }
    int argc = fr_argc(ctx);
    for (int j = 4; j < argc; j++) {
        if (fr_arg_is(ctx, j, "COUNT") && argc - j - 1 >= 1) {
            if (fr_arg_ll_or_reply(ctx, j + 1, &count) != FR_OK) return;
            if (count < 0) count = 0;
            j++;
        } else {
            fr_reply_syntax_error(ctx);
            return;
        }
    }
    int wrong;
    stream *s = stream_lookup_read(ctx, fr_arg(ctx, 1), &wrong);
    if (wrong) return;
    if (!s) {
        fr_reply_array(ctx, 0);
        return;
    }
    if (count == 0) {
        fr_reply_null_array(ctx);
        return;
    }
    if (count == -1) count = 0;
    void *dl = fr_reply_deferred_len(ctx);
    long n = 0;
    sit it;
    sid id;
    long long nf;
    sit_start(&it, s, &start, &end, rev);
    while (sit_next(&it, &id, &nf)) {
        reply_entry(ctx, &it, &id, nf);
        n++;
        if (count && n == count) break;
    }
    fr_reply_set_deferred_array(ctx, dl, n);
}

void cmd_xrange(fr_ctx *ctx) { range_generic(ctx, 0); }
void cmd_xrevrange(fr_ctx *ctx) { range_generic(ctx, 1); }

/* XDEL key id [id ...] */
void cmd_xdel(fr_ctx *ctx) {
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    stream *s = stream_lookup_write(ctx, key, NULL, &wrong);
    if (wrong) return;
    if (!s) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    int argc = fr_argc(ctx), n = argc - 2;
    sid *ids = fr_malloc(sizeof(sid) * (size_t)n);
    for (int j = 2; j < argc; j++) {
        if (sid_arg_or_reply(ctx, j, &ids[j - 2], 0, 1, NULL) != FR_OK) {
            fr_free(ids);
            return;
        }
    }
    long long deleted = 0;
    int first_entry = 0;
    for (int j = 0; j < n; j++) {
        if (!stream_delete_id(s, &ids[j])) continue;
        if (sid_cmp(&ids[j], &s->first_id) == 0) first_entry = 1;
        if (sid_cmp(&ids[j], &s->max_deleted) > 0) s->max_deleted = ids[j];
        deleted++;
    }
    fr_free(ids);
    if (deleted) {
        if (s->length == 0) s->first_id.ms = s->first_id.seq = 0;
        else if (first_entry) stream_edge_id(s, 1, 1, &s->first_id);
        fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
        notify(ctx, "xdel", key);
        fr_dirty(ctx, deleted);
    }
    fr_reply_long_long(ctx, deleted);
}

/* XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
void cmd_xtrim(fr_ctx *ctx) {
    trim_args a;
    if (parse_add_trim(ctx, &a, 0) < 0) return;
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    stream *s = stream_lookup_write(ctx, key, NULL, &wrong);
    if (wrong) return;
    if (!s) {
        fr_reply_long_long(ctx, 0);
        return;
    }
    long long deleted = stream_trim(s, &a);
    if (deleted) {
        notify(ctx, "xtrim", key);
        if (a.approx) {
            int idx[2] = {a.strategy_idx - 1, a.strategy_idx};
            fr_str *with[2] = {fr_str_new("=", 1), trim_arg_after(s, a.strategy)};
            propagate_rewritten(ctx, 2, idx, with);
            fr_str_free(with[0]);
            fr_str_free(with[1]);
        }
        fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
        fr_dirty(ctx, deleted);
    }
    fr_reply_long_long(ctx, deleted);
}

/* XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id] */
void cmd_xsetid(fr_ctx *ctx) {
    sid id, max_del = {0, 0};
    long long entries_added = -1;
    if (sid_arg_or_reply(ctx, 2, &id, 0, 1, NULL) != FR_OK) return;
    int argc = fr_argc(ctx);
    for (int i = 3; i < argc;) {
        int more = argc - 1 - i;
        if (fr_arg_is(ctx, i, "ENTRIESADDED") && more) {
            if (fr_arg_ll_or_reply(ctx, i + 1, &entries_added) != FR_OK) return;
            if (entries_added < 0) {
                fr_reply_error(ctx, "entries_added must be positive");
                return;
            }
            i += 2;
        } else if (fr_arg_is(ctx, i, "MAXDELETEDID") && more) {
            if (sid_arg_or_reply(ctx, i + 1, &max_del, 0, 1, NULL) != FR_OK) return;
            if (sid_cmp(&id, &max_del) < 0) {
                fr_reply_error(ctx, "The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                return;
            }
            i += 2;
        } else {
            fr_reply_syntax_error(ctx);
            return;
        }
    }
    const fr_str *key = fr_arg(ctx, 1);
    int wrong;
    stream *s = stream_lookup_write(ctx, key, NULL, &wrong);
    if (wrong) return;
    if (!s) {
        fr_reply_error(ctx, "no such key");
        return;
    }
    if (s->length > 0) {
        sid maxid;
        stream_last_valid_id(s, &maxid);
        if (sid_cmp(&id, &maxid) < 0) {
            fr_reply_error(ctx, "The ID specified in XSETID is smaller than the target stream top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            fr_reply_error(ctx, "The entries_added specified in XSETID is smaller than the target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1) s->entries_added = (uint64_t)entries_added;
    if (!sid_is_zero(&max_del)) s->max_deleted = max_del;
    fr_reply_ok(ctx);
    fr_dirty(ctx, 1);
    notify(ctx, "xsetid", key);
}

/* sort_cmd.c -- SORT and SORT_RO.
 *
 * The steps and their order are Redis's: options (syntax errors first),
 * the key (absent: an empty list; not a list, set or sorted set:
 * WRONGTYPE), the elements, LIMIT clamped to them, the weights and the
 * ordering, then the reply or the STORE.  BY without '*' keeps the
 * value's order (a list or sorted set read backwards with DESC); a set
 * has no order of its own, so SORT ... STORE, and SORT from a script,
 * sort it with ALPHA anyway to give the same list everywhere it is
 * replicated.  STORE writes a
 * list (Redis's quicklist) in place of whatever the destination held, or
 * deletes the destination when the result is empty; its dirty count is
 * the number of stored elements (1 for the deletion), so SORT is
 * propagated as received only when it changed something. */
#include "sort_internal.h"

#include <stdint.h>
#include <string.h>

/* Redis's LIMIT clamping: the range [*start, *end] of a vector of n, empty
 * (end < start) when nothing is selected. */
static void clamp_limit(const sort_opts *o, long long n, long long *start, long long *end) {
    long long s = o->limit_start < 0 ? 0 : o->limit_start;
    if (s > n) s = n;
    long long count = o->limit_count < -1 ? -1 : o->limit_count;
    if (count > n) count = n;
    long long e = count < 0 ? n - 1 : s + count - 1;
    if (s >= n) {
        s = n - 1;
        e = n - 2;
    }
    if (e >= n) e = n - 1;
    *start = s;
    *end = e;
}

static int sortable(const fr_type *t) {
    const char *name = fr_type_name(t);
    return !strcmp(name, "list") || !strcmp(name, "set") || !strcmp(name, "zset");
}

static void reply_elements(fr_ctx *ctx, const sort_vec *v, const sort_opts *o, long long start,
                           long long end) {
    long long n = end - start + 1;
    fr_reply_array(ctx, o->nget ? o->nget * n : n);
    fr_str *key = NULL;
    for (long long j = start; j <= end; j++) {
        const sort_text *e = &v->items[j].ele;
        if (!o->nget) fr_reply_bulk(ctx, e->p, e->len);
        for (int g = 0; g < o->nget; g++) {
            sort_found f;
            if (sort_pattern_get(ctx, o->get[g], e->p, e->len, &key, &f))
                fr_reply_bulk(ctx, f.p, f.len);
            else
                fr_reply_null(ctx);
        }
    }
    fr_str_free(key);
}

/* The stored list's members: the elements, or what the GET patterns name
 * for each ("" for nothing), copied into the vector since later lookups
 * may expire keys whose views would otherwise be held.  *n of them in
 * p/lens (fr_malloc'd). */
static void store_members(fr_ctx *ctx, sort_vec *v, const sort_opts *o, long long start,
                          long long end, const char ***p, size_t **lens, size_t *n) {
    size_t per = o->nget ? (size_t)o->nget : 1;
    size_t total = (size_t)(end - start + 1) * per;
    *p = fr_malloc(sizeof(**p) * (total ? total : 1));
    *lens = fr_malloc(sizeof(**lens) * (total ? total : 1));
    fr_str *key = NULL;
    size_t k = 0;
    for (long long j = start; j <= end; j++) {
        sort_text e = v->items[j].ele;
        if (!o->nget) {
            (*p)[k] = e.p;
            (*lens)[k++] = e.len;
        }
        for (int g = 0; g < o->nget; g++) {
            sort_found f;
            sort_text t = {"", 0};
            if (sort_pattern_get(ctx, o->get[g], e.p, e.len, &key, &f)) t = sort_vec_copy(v, f.p, f.len);
            (*p)[k] = t.p;
            (*lens)[k++] = t.len;
        }
    }
    fr_str_free(key);
    *n = k;
}

static void store_result(fr_ctx *ctx, sort_vec *v, const sort_opts *o, long long start,
                         long long end) {
    fr_db *db = fr_ctx_db(ctx);
    const char **p;
    size_t *lens, n;
    store_members(ctx, v, o, start, end, &p, &lens, &n);
    if (n) {
        const fr_type_def *d = fr_type_def_of(g_sort_list_type);
        fr_key_set(ctx, db, o->store, g_sort_list_type, d->from_members(n, p, lens), 0);
        fr_notify_keyspace_event(FR_NOTIFY_LIST, "sortstore", o->store, fr_db_id(db));
        fr_dirty(ctx, (long long)n);
    } else if (fr_key_delete(ctx, db, o->store)) {
        fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", o->store, fr_db_id(db));
        fr_dirty(ctx, 1);
    }
    fr_free(p);
    fr_free(lens);
    fr_reply_long_long(ctx, (long long)n);
}

/* The elements to work on and the range [*start, *end] of them to output.
 * With BY nosort a list or sorted set is read in its order (backwards
 * with DESC) and only the LIMIT window is copied; otherwise everything
 * is, to be sorted. */
static void load_elements(sort_vec *v, const fr_type *t, const void *payload, const sort_opts *o,
                          int is_set, long long *start, long long *end) {
    if (!o->dontsort || !t || is_set) {
        sort_vec_load(v, t, payload, 0, SIZE_MAX);
        clamp_limit(o, (long long)v->len, start, end);
        return;
    }
    long long n = (long long)sort_count(t, payload);
    clamp_limit(o, n, start, end);
    long long lo = o->desc ? n - 1 - *end : *start;
    long long hi = o->desc ? n - *start : *end + 1;
    if (lo < 0) lo = 0;
    if (hi < lo) hi = lo;
    sort_vec_load(v, t, payload, (size_t)lo, (size_t)hi);
    if (o->desc) sort_vec_reverse(v);
    *end -= *start;
    *start = 0;
}

static void sort_generic(fr_ctx *ctx, int readonly) {
    sort_opts o;
    if (sort_parse_or_reply(ctx, readonly, &o) != FR_OK) {
        sort_opts_free(&o);
        return;
    }
    fr_value *val = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, 1), FR_LOOKUP_NONE);
    const fr_type *t = val ? fr_value_type(val) : NULL;
    if (t && !sortable(t)) {
        sort_opts_free(&o);
        fr_reply_wrongtype(ctx);
        return;
    }
    /* Redis converts a sorted set to a skiplist before reading it, even
     * when the sort then fails. */
    const fr_type_def *d = t ? fr_type_def_of(t) : NULL;
    if (d && d->expand) d->expand(fr_value_payload(val));
    int is_set = t && !strcmp(fr_type_name(t), "set");
    /* A set's order is the process's own: to store, or to answer a
     * script (whose effects replicate), Redis sorts it alphabetically. */
    if (o.dontsort && is_set && (o.store || fr_script_current())) {
        o.dontsort = 0;
        o.alpha = 1;
        o.by = NULL;
    }
    sort_vec v;
    long long start, end;
    load_elements(&v, t, val ? fr_value_payload(val) : NULL, &o, is_set, &start, &end);
    int ok = 1;
    if (!o.dontsort) {
        ok = sort_vec_weigh(ctx, &v, &o);
        if (ok) sort_vec_order(&v, &o, o.store != NULL);
    }
    if (!ok)
        fr_reply_error(ctx, "One or more scores can't be converted into double");
    else if (!o.store)
        reply_elements(ctx, &v, &o, start, end);
    else
        store_result(ctx, &v, &o, start, end);
    sort_vec_free(&v);
    sort_opts_free(&o);
}

void cmd_sort(fr_ctx *ctx) { sort_generic(ctx, 0); }
void cmd_sort_ro(fr_ctx *ctx) { sort_generic(ctx, 1); }

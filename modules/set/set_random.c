/* set_random.c -- SRANDMEMBER and SPOP.
 *
 * Redis's contracts: a negative SRANDMEMBER count returns that many
 * independent draws (repeats allowed, random order); a positive one
 * returns distinct members, the whole set when the count reaches its size.
 * SPOP removes what it returns and propagates as SREM of the popped
 * members (one SREM per member, wrapped in MULTI/EXEC by the core), or as
 * DEL when it empties the set.  The strategies (drawing members, or
 * drawing the ones to keep when most of the set goes) follow Redis's so
 * the cost stays linear in the reply. */
#include "set_internal.h"

#include <limits.h>
#include <string.h>

static void propagate_srem(fr_ctx *ctx, const fr_str *key, const st_member *m) {
    const char *argv[3] = {"SREM", key->buf, m->p};
    size_t lens[3] = {4, key->len, m->len};
    fr_propagate_cstr(ctx, 3, argv, lens);
}

/* A copy of every member of s, built as Redis's SUNION builds its result
 * (an intset first), so an all-integer reply comes out sorted. */
static setval *copy_as_union(const setval *s) {
    setval *u = st_new_intset();
    st_iter it;
    st_member m;
    st_iter_init(&it, s);
    while (st_next(&it, &m)) st_add_member(u, &m);
    return u;
}

/* SRANDMEMBER key count, count > 0 and below the set's size: distinct
 * members.  Near the size, copy the set and drop random members; far
 * below it, draw until enough distinct ones were seen. */
static void srand_distinct(fr_ctx *ctx, const setval *s, unsigned long long count) {
    unsigned long long size = st_size(s);
    setval *pick;
    st_member m;
    if (count * 3 > size) {
        pick = st_new_hashtable(size);
        st_iter it;
        st_iter_init(&it, s);
        while (st_next(&it, &m)) st_add_member(pick, &m);
        while (st_size(pick) > count) {
            st_random(pick, &m);
            fr_str *t = fr_str_new(m.p, m.len);
            st_remove(pick, t->buf, t->len);
            fr_str_free(t);
        }
    } else {
        pick = st_new_hashtable(count);
        while (st_size(pick) < count) {
            st_random(s, &m);
            st_add_member(pick, &m);
        }
    }
    fr_reply_array(ctx, (long)count);
    st_iter it;
    st_iter_init(&it, pick);
    while (st_next(&it, &m)) fr_reply_bulk(ctx, m.p, m.len);
    st_free(pick);
}

/* Hardened mode: a negative count asks for that many draws whatever the
 * set's size, so a few bytes of request can demand an endless reply (Redis
 * stops only when an output-buffer limit closes the client, and normal
 * clients have none by default). */
static int repeats_refused(fr_ctx *ctx, long long l) {
    if (!fr_ctx_hardened(ctx) || l >= -SET_HARD_SRANDMEMBER_REPEATS) return 0;
    fr_ctx_divergence(ctx, "srandmember-repeat-cap");
    fr_reply_errorf(ctx, "SRANDMEMBER with a negative count is limited to %lld draws (hardened mode)",
                    (long long)SET_HARD_SRANDMEMBER_REPEATS);
    return 1;
}

static void srandmember_count(fr_ctx *ctx) {
    long long l;
    if (fr_arg_range_or_reply(ctx, 2, -LLONG_MAX, LLONG_MAX, NULL, &l) != FR_OK) return;
    unsigned long long count = l >= 0 ? (unsigned long long)l : (unsigned long long)-l;
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    if (!s || count == 0) {
        fr_reply_array(ctx, 0);
        return;
    }
    if (repeats_refused(ctx, l)) return;
    st_member m;
    if (l < 0 || count == 1) {
        fr_reply_array(ctx, (long)count);
        while (count--) {
            st_random(s, &m);
            set_reply_member(ctx, &m);
        }
        return;
    }
    if (count >= st_size(s)) {
        st_iter it;
        fr_reply_array(ctx, (long)st_size(s));
        st_iter_init(&it, s);
        while (st_next(&it, &m)) set_reply_member(ctx, &m);
        return;
    }
    srand_distinct(ctx, s, count);
}

void cmd_srandmember(fr_ctx *ctx) {
    if (fr_argc(ctx) == 3) {
        srandmember_count(ctx);
        return;
    }
    if (fr_argc(ctx) > 3) {
        fr_reply_syntax_error(ctx);
        return;
    }
    setval *s;
    if (set_lookup_read(ctx, fr_arg(ctx, 1), &s) != FR_OK) return;
    if (!s) {
        fr_reply_null(ctx);
        return;
    }
    st_member m;
    st_random(s, &m);
    set_reply_member(ctx, &m);
}

/* SPOP of the whole set: reply it, delete the key, propagate DEL. */
static void spop_all(fr_ctx *ctx, const fr_str *key, const setval *s) {
    setval *u = copy_as_union(s);
    set_reply_members(ctx, u);
    st_free(u);
    set_delete_emptied(ctx, key);
    const char *argv[2] = {"DEL", key->buf};
    size_t lens[2] = {3, key->len};
    fr_propagate_cstr(ctx, 2, argv, lens);
}

/* Few members go: draw and remove them one by one. */
static void spop_draw(fr_ctx *ctx, const fr_str *key, setval *s, unsigned long long count) {
    st_member m;
    fr_reply_set(ctx, (long)count);
    while (count--) {
        st_random(s, &m);
        fr_str *t = fr_str_new(m.p, m.len);
        set_reply_member(ctx, &m);
        st_member tm = {.is_int = 0, .p = t->buf, .len = t->len};
        propagate_srem(ctx, key, &tm);
        st_remove(s, t->buf, t->len);
        fr_str_free(t);
    }
}

/* Most members go: move the ones that stay to a new set, then reply what
 * is left in the old one and let the new set replace it. */
static void spop_keep(fr_ctx *ctx, const fr_str *key, fr_value *v, setval *s,
                      unsigned long long count) {
    unsigned long long remaining = st_size(s) - count;
    setval *keep = NULL;
    st_member m;
    while (remaining--) {
        st_random(s, &m);
        fr_str *t = fr_str_new(m.p, m.len);
        if (!keep) keep = st_new_for(t->buf, t->len);
        st_add(keep, t->buf, t->len);
        st_remove(s, t->buf, t->len);
        fr_str_free(t);
    }
    fr_reply_set(ctx, (long)count);
    st_iter it;
    st_iter_init(&it, s);
    while (st_next(&it, &m)) {
        set_reply_member(ctx, &m);
        propagate_srem(ctx, key, &m);
    }
    fr_value_set_payload(v, keep);
    st_free(s);
}

static void spop_count(fr_ctx *ctx) {
    long long l;
    if (fr_arg_range_or_reply(ctx, 2, 0, LLONG_MAX, "value is out of range, must be positive", &l) != FR_OK)
        return;
    const fr_str *key = fr_arg(ctx, 1);
    fr_db *db = fr_ctx_db(ctx);
    fr_value *v = fr_key_lookup(ctx, db, key, FR_LOOKUP_WRITE | FR_LOOKUP_NOSTATS);
    if (v && fr_value_type(v) != g_set_type) {
        fr_reply_wrongtype(ctx);
        return;
    }
    if (!v || l == 0) {
        set_reply_empty_set(ctx);
        return;
    }
    setval *s = fr_value_payload(v);
    unsigned long long count = (unsigned long long)l, size = st_size(s);
    set_notify(ctx, FR_NOTIFY_SET, "spop", key);
    fr_dirty(ctx, (long long)(count >= size ? size : count));
    if (count >= size) {
        spop_all(ctx, key, s);
        return;
    }
    if ((size - count) * 5 > count) spop_draw(ctx, key, s, count);
    else spop_keep(ctx, key, v, s, count);
    fr_key_touched_write(ctx, db, key);
}

void cmd_spop(fr_ctx *ctx) {
    if (fr_argc(ctx) == 3) {
        spop_count(ctx);
        return;
    }
    if (fr_argc(ctx) > 3) {
        fr_reply_syntax_error(ctx);
        return;
    }
    const fr_str *key = fr_arg(ctx, 1);
    setval *s;
    if (set_lookup_write(ctx, key, &s) != FR_OK) return;
    if (!s) {
        fr_reply_null(ctx);
        return;
    }
    st_member m;
    st_random(s, &m);
    fr_str *t = fr_str_new(m.p, m.len);
    st_remove(s, t->buf, t->len);
    set_notify(ctx, FR_NOTIFY_SET, "spop", key);
    st_member tm = {.is_int = 0, .p = t->buf, .len = t->len};
    propagate_srem(ctx, key, &tm);
    fr_reply_bulk(ctx, t->buf, t->len);
    fr_str_free(t);
    if (st_size(s) == 0) set_delete_emptied(ctx, key);
    else fr_key_touched_write(ctx, fr_ctx_db(ctx), key);
    fr_dirty(ctx, 1);
}

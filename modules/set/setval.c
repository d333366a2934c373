/* setval.c -- the set payload's two encodings behind one interface (see
 * setval.h).
 *
 * Owns the encoding rules: which members an intset may hold (canonical
 * integers, as fr_string2ll reads them), when a set converts (a
 * non-integer member, or one member more than set-max-intset-entries),
 * and the random source SRANDMEMBER and SPOP draw from (splitmix64, seeded
 * from the clock: like Redis's random(), not reproducible, and well mixed
 * enough that consecutive draws are independent). */
#include "set_internal.h"

#include <stdio.h>
#include <string.h>

/* Redis caps the directive: an intset never grows past 2^30 members. */
#define ST_INTSET_HARD_CAP ((size_t)1 << 30)

size_t st_max_intset_entries(void) {
    long long n = set_conf_set_max_intset_entries();
    return (size_t)n > ST_INTSET_HARD_CAP ? ST_INTSET_HARD_CAP : (size_t)n;
}

static int as_int(const void *p, size_t len, int64_t *v) {
    long long ll;
    if (!fr_string2ll(p, len, &ll)) return 0;
    *v = ll;
    return 1;
}

setval *st_new_intset(void) {
    setval *s = fr_malloc(sizeof(*s));
    s->enc = ST_INTSET;
    s->u.is = iset_new();
    return s;
}

setval *st_new_hashtable(size_t expected) {
    setval *s = fr_malloc(sizeof(*s));
    s->enc = ST_HASHTABLE;
    s->u.h = sh_new(expected);
    return s;
}

setval *st_new_for(const void *p, size_t len) {
    int64_t v;
    return as_int(p, len, &v) ? st_new_intset() : st_new_hashtable(0);
}

void st_free(void *payload) {
    setval *s = payload;
    if (!s) return;
    if (s->enc == ST_INTSET) iset_free(s->u.is);
    else sh_free(s->u.h);
    fr_free_sized(s, sizeof(*s));
}

/* A hash table's members are one allocation each; an intset is one. */
size_t st_free_effort(const void *payload) {
    const setval *s = payload;
    return s->enc == ST_INTSET ? 1 : sh_count(s->u.h);
}

void *st_dup(const void *payload) {
    const setval *s = payload;
    if (s->enc == ST_INTSET) {
        setval *c = st_new_intset();
        iset_free(c->u.is);
        c->u.is = iset_dup(s->u.is);
        return c;
    }
    setval *c = st_new_hashtable(sh_count(s->u.h));
    sh_iter it = {0, NULL};
    const sh_entry *e;
    while ((e = sh_next(s->u.h, &it))) {
        size_t len;
        const char *m = sh_member(e, &len);
        sh_add(c->u.h, m, len);
    }
    return c;
}

size_t st_size(const setval *s) {
    return s->enc == ST_INTSET ? iset_len(s->u.is) : sh_count(s->u.h);
}

void st_member_text(st_member *m) {
    if (!m->is_int) return;
    m->len = (size_t)snprintf(m->buf, sizeof(m->buf), "%lld", (long long)m->v);
    m->p = m->buf;
}

void st_convert_to_hashtable(setval *s) {
    if (s->enc != ST_INTSET) return;
    intset *is = s->u.is;
    sethash *h = sh_new(iset_len(is));
    for (uint32_t i = 0; i < iset_len(is); i++) {
        st_member m = {.is_int = 1, .v = iset_get(is, i)};
        st_member_text(&m);
        sh_add(h, m.p, m.len);
    }
    iset_free(is);
    s->enc = ST_HASHTABLE;
    s->u.h = h;
}

int st_add(setval *s, const void *p, size_t len) {
    int64_t v;
    if (s->enc == ST_INTSET) {
        if (!as_int(p, len, &v)) {
            st_convert_to_hashtable(s);
            return sh_add(s->u.h, p, len);
        }
        int added;
        s->u.is = iset_add(s->u.is, v, &added);
        if (added && iset_len(s->u.is) > st_max_intset_entries()) st_convert_to_hashtable(s);
        return added;
    }
    return sh_add(s->u.h, p, len);
}

int st_remove(setval *s, const void *p, size_t len) {
    int64_t v;
    if (s->enc == ST_HASHTABLE) return sh_remove(s->u.h, p, len);
    if (!as_int(p, len, &v)) return 0;
    int removed;
    s->u.is = iset_remove(s->u.is, v, &removed);
    return removed;
}

int st_contains(const setval *s, const void *p, size_t len) {
    int64_t v;
    if (s->enc == ST_HASHTABLE) return sh_contains(s->u.h, p, len);
    return as_int(p, len, &v) && iset_find(s->u.is, v);
}

/* Members from an iteration: integers avoid the text round trip when the
 * other set is an intset too. */
int st_contains_member(const setval *s, const st_member *m) {
    if (m->is_int && s->enc == ST_INTSET) return iset_find(s->u.is, m->v);
    st_member t = *m;
    st_member_text(&t);
    return st_contains(s, t.p, t.len);
}

int st_add_member(setval *s, const st_member *m) {
    st_member t = *m;
    st_member_text(&t);
    return st_add(s, t.p, t.len);
}

int st_remove_member(setval *s, const st_member *m) {
    st_member t = *m;
    st_member_text(&t);
    return st_remove(s, t.p, t.len);
}

void st_iter_init(st_iter *it, const setval *s) {
    it->s = s;
    it->pos = 0;
    it->hi.bucket = 0;
    it->hi.entry = NULL;
}

int st_next(st_iter *it, st_member *m) {
    if (it->s->enc == ST_INTSET) {
        if (it->pos >= iset_len(it->s->u.is)) return 0;
        m->is_int = 1;
        m->v = iset_get(it->s->u.is, it->pos++);
        st_member_text(m);
        return 1;
    }
    const sh_entry *e = sh_next(it->s->u.h, &it->hi);
    if (!e) return 0;
    m->is_int = 0;
    m->p = sh_member(e, &m->len);
    return 1;
}

static uint64_t g_rng;

/* splitmix64: every output bit depends on every state bit, so draws made
 * one after the other (a bucket, then a depth in sh_random) are not
 * correlated, which a linear generator's low bits would be. */
uint64_t st_rand64(void) {
    if (!g_rng) g_rng = fr_ustime();
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void st_random(const setval *s, st_member *m) {
    if (s->enc == ST_INTSET) {
        m->is_int = 1;
        m->v = iset_get(s->u.is, (uint32_t)(st_rand64() % iset_len(s->u.is)));
        st_member_text(m);
        return;
    }
    const sh_entry *e = sh_random(s->u.h, st_rand64);
    m->is_int = 0;
    m->p = sh_member(e, &m->len);
}

const char *st_encoding(const void *payload) {
    return ((const setval *)payload)->enc == ST_INTSET ? "intset" : "hashtable";
}

size_t st_mem_usage(const void *payload) {
    const setval *s = payload;
    size_t n = sizeof(*s);
    return n + (s->enc == ST_INTSET ? iset_blob_len(s->u.is) : sh_mem_usage(s->u.h));
}

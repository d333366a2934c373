/* zset_value.c -- the sorted set payload over its two encodings.
 *
 * Owns Redis's zsetAdd rules (NX XX GT LT INCR, NaN refused), ordered
 * insertion into a listpack (before the first element with a higher score,
 * or the same score and a greater member), the conversions between
 * encodings and when they happen, rank-ordered iteration both ways, and
 * the type callbacks (free, dup, encoding, memory, digest).  Scores in a
 * listpack are written with Redis's d2string, which the listpack then
 * stores as an integer when the text is one: the bytes equal Redis's. */
#include "zset_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration and randomness ----------------------------------------- */

size_t zv_max_value(void) {
    return (size_t)zset_conf_zset_max_listpack_value();
}

unsigned long long zv_max_entries(void) {
    return (unsigned long long)zset_conf_zset_max_listpack_entries();
}

static uint64_t g_rng = 0x2545F4914F6CDD1Dull;

uint64_t zv_rand(void) {
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void zv_seed(uint64_t seed) {
    g_rng ^= seed;
    zsl_seed(seed * 0x9E3779B97F4A7C15ull);
}

int zv_score_text(char *buf, size_t len, double score) {
    if (isnan(score)) return snprintf(buf, len, "nan");
    if (isinf(score)) return snprintf(buf, len, score < 0 ? "-inf" : "inf");
    /* Integral and well inside the long long range (-0 included, which
     * so becomes 0 in a listpack, as in Redis): print it as one. */
    if (score > (double)(-(9223372036854775807LL / 2)) && score < (double)(9223372036854775807LL / 2)) {
        long long ll = (long long)score;
        if ((double)ll == score) return fr_ll2string(buf, len, ll);
    }
    return snprintf(buf, len, "%.17g", score);
}

/* ---- listpack helpers --------------------------------------------------- */

/* A listpack score: an integer entry, or text read as strtod reads it
 * (at most 127 bytes, as Redis's zzlStrtod). */
static double lp_score_at(const unsigned char *sp) {
    lp_entry e;
    lp_get(sp, &e);
    if (!e.s) return (double)e.v;
    char buf[128];
    size_t n = e.len < sizeof(buf) - 1 ? e.len : sizeof(buf) - 1;
    memcpy(buf, e.s, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

static const char *lp_member_at(const unsigned char *p, char buf[LP_INT_BUF], size_t *len) {
    lp_entry e;
    lp_get(p, &e);
    return lp_entry_text(&e, buf, len);
}

static unsigned char *lp_insert_sorted(unsigned char *lp, const void *m, size_t len, double score) {
    char sbuf[ZSET_SCORE_BUF];
    int sl = zv_score_text(sbuf, sizeof(sbuf), score);
    unsigned char *p = lp_first(lp);
    while (p) {
        unsigned char *sp = lp_next(lp, p);
        double s = lp_score_at(sp);
        if (s > score) break;
        if (s == score) {
            char b[LP_INT_BUF];
            size_t el;
            const char *t = lp_member_at(p, b, &el);
            if (zsl_memcmp(t, el, m, len) > 0) break;
        }
        p = lp_next(lp, sp);
    }
    lp = lp_insert(lp, &p, m, len);
    unsigned char *q = lp_next(lp, p);
    return lp_insert(lp, &q, sbuf, (size_t)sl);
}

/* ---- creation and size ---------------------------------------------------- */

zset_obj *zv_new_listpack(void) {
    zset_obj *z = fr_malloc(sizeof(*z));
    z->enc = ZSET_ENC_LISTPACK;
    z->lp = lp_new();
    return z;
}

zset_obj *zv_new_skiplist(unsigned long expected) {
    zset_obj *z = fr_malloc(sizeof(*z));
    z->enc = ZSET_ENC_SKIPLIST;
    z->sl = zsl_new(expected);
    return z;
}

zset_obj *zv_new_for(size_t mlen) {
    if (zv_max_entries() == 0 || zv_max_value() < mlen) return zv_new_skiplist(0);
    return zv_new_listpack();
}

unsigned long zv_len(const zset_obj *z) {
    return z->enc == ZSET_ENC_LISTPACK ? lp_count(z->lp) / 2 : z->sl->length;
}

int zv_score(const zset_obj *z, const void *m, size_t len, double *score) {
    if (z->enc == ZSET_ENC_LISTPACK) {
        unsigned char *p = lp_find_field(z->lp, m, len);
        if (!p) return 0;
        if (score) *score = lp_score_at(lp_next(z->lp, p));
        return 1;
    }
    zsl_node *n = zsl_find(z->sl, m, len);
    if (!n) return 0;
    if (score) *score = n->score;
    return 1;
}

/* ---- conversions ---------------------------------------------------------- */

void zv_convert(zset_obj *z, int enc) {
    if (z->enc == enc) return;
    if (enc == ZSET_ENC_SKIPLIST) {
        unsigned char *lp = z->lp;
        zsl *sl = zsl_new(lp_count(lp) / 2);
        for (unsigned char *p = lp_first(lp); p;) {
            unsigned char *sp = lp_next(lp, p);
            char b[LP_INT_BUF];
            size_t len;
            const char *m = lp_member_at(p, b, &len);
            zsl_insert(sl, lp_score_at(sp), m, len);
            p = lp_next(lp, sp);
        }
        lp_free(lp);
        z->sl = sl;
    } else {
        zsl *sl = z->sl;
        unsigned char *lp = lp_new();
        for (zsl_node *n = zsl_first(sl); n; n = n->level[0].forward) {
            char sbuf[ZSET_SCORE_BUF];
            int slen = zv_score_text(sbuf, sizeof(sbuf), n->score);
            lp = lp_append(lp, zsl_member(n), n->mlen);
            lp = lp_append(lp, sbuf, (size_t)slen);
        }
        zsl_free(sl);
        z->lp = lp;
    }
    z->enc = enc;
}

void zv_shrink_if_small(zset_obj *z, size_t maxelelen, size_t totelelen) {
    if (z->enc != ZSET_ENC_SKIPLIST) return;
    if (z->sl->length <= zv_max_entries() && maxelelen <= zv_max_value() &&
        totelelen <= ZSET_LP_SAFETY_SIZE)
        zv_convert(z, ZSET_ENC_LISTPACK);
}

/* ---- add and delete --------------------------------------------------------- */

/* What an existing member's update does under the flags: 0 when nothing
 * is to change (NX, GT/LT not met), -1 on NaN; *score the final score. */
static int update_existing(int in, double cur, double *score, int *out) {
    if (in & ZADD_IN_NX) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    if (in & ZADD_IN_INCR) {
        *score += cur;
        if (isnan(*score)) {
            *out |= ZADD_OUT_NAN;
            return -1;
        }
    }
    if (((in & ZADD_IN_LT) && *score >= cur) || ((in & ZADD_IN_GT) && *score <= cur)) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    return 1;
}

static int add_listpack(zset_obj *z, double score, const void *m, size_t len, int in, int *out,
                        double *newscore) {
    unsigned char *p = lp_find_field(z->lp, m, len);
    if (p) {
        double cur = lp_score_at(lp_next(z->lp, p));
        int rc = update_existing(in, cur, &score, out);
        if (rc <= 0) return rc == 0;
        if (newscore) *newscore = score;
        if (score != cur) {
            z->lp = lp_delete(z->lp, p, 2);
            z->lp = lp_insert_sorted(z->lp, m, len, score);
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    if (lp_count(z->lp) / 2 + 1 > zv_max_entries() || len > zv_max_value() ||
        lp_bytes(z->lp) + len > ZSET_LP_SAFETY_SIZE) {
        zv_convert(z, ZSET_ENC_SKIPLIST);
        return -1; /* go on as a skiplist */
    }
    z->lp = lp_insert_sorted(z->lp, m, len, score);
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 1;
}

int zv_add(zset_obj *z, double score, const void *m, size_t len, int in, int *out, double *newscore) {
    *out = 0;
    if (isnan(score)) {
        *out = ZADD_OUT_NAN;
        return 0;
    }
    if (z->enc == ZSET_ENC_LISTPACK) {
        int rc = add_listpack(z, score, m, len, in, out, newscore);
        if (rc >= 0) return rc;
    }
    zsl_node *n = zsl_find(z->sl, m, len);
    if (n) {
        int rc = update_existing(in, n->score, &score, out);
        if (rc <= 0) return rc == 0;
        if (newscore) *newscore = score;
        if (score != n->score) {
            zsl_update_score(z->sl, n, score);
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    zsl_insert(z->sl, score, m, len);
    *out |= ZADD_OUT_ADDED;
    if (newscore) *newscore = score;
    return 1;
}

int zv_delete(zset_obj *z, const void *m, size_t len) {
    if (z->enc == ZSET_ENC_LISTPACK) {
        unsigned char *p = lp_find_field(z->lp, m, len);
        if (!p) return 0;
        z->lp = lp_delete(z->lp, p, 2);
        return 1;
    }
    zsl_node *n = zsl_find(z->sl, m, len);
    if (!n) return 0;
    zsl_delete_node(z->sl, n);
    return 1;
}

long zv_rank(const zset_obj *z, const void *m, size_t len, int reverse) {
    unsigned long llen = zv_len(z), rank;
    if (z->enc == ZSET_ENC_LISTPACK) {
        unsigned char *p = lp_find_field(z->lp, m, len);
        if (!p) return -1;
        rank = 0;
        for (unsigned char *q = lp_first(z->lp); q != p; q = lp_next(z->lp, lp_next(z->lp, q))) rank++;
    } else {
        zsl_node *n = zsl_find(z->sl, m, len);
        if (!n) return -1;
        rank = zsl_rank(z->sl, n) - 1;
    }
    return (long)(reverse ? llen - 1 - rank : rank);
}

unsigned long zv_delete_ranks(zset_obj *z, unsigned long start, unsigned long end) {
    unsigned long n = end - start + 1;
    if (z->enc == ZSET_ENC_LISTPACK) {
        z->lp = lp_delete(z->lp, lp_seek(z->lp, 2 * start), 2 * n);
        return n;
    }
    return zsl_delete_rank_range(z->sl, start + 1, end + 1);
}

/* ---- iteration ----------------------------------------------------------------- */

int zi_seek(zs_iter *it, zset_obj *z, unsigned long rank) {
    it->z = z;
    it->ep = NULL;
    it->node = NULL;
    if (z->enc == ZSET_ENC_LISTPACK) it->ep = rank < zv_len(z) ? lp_seek(z->lp, 2 * rank) : NULL;
    else it->node = zsl_by_rank(z->sl, rank + 1);
    return zi_valid(it);
}

int zi_valid(const zs_iter *it) {
    return it->ep != NULL || it->node != NULL;
}

void zi_get(const zs_iter *it, zs_elem *e) {
    if (it->ep) {
        e->m = lp_member_at(it->ep, e->buf, &e->mlen);
        e->score = lp_score_at(lp_next(it->z->lp, it->ep));
    } else {
        e->m = zsl_member(it->node);
        e->mlen = it->node->mlen;
        e->score = it->node->score;
    }
}

void zi_next(zs_iter *it) {
    if (it->ep) {
        unsigned char *sp = lp_next(it->z->lp, it->ep);
        it->ep = lp_next(it->z->lp, sp);
    } else if (it->node) {
        it->node = it->node->level[0].forward;
    }
}

void zi_prev(zs_iter *it) {
    if (it->ep) {
        unsigned char *sp = lp_prev(it->z->lp, it->ep);
        it->ep = sp ? lp_prev(it->z->lp, sp) : NULL;
    } else if (it->node) {
        it->node = it->node->backward;
    }
}

void zv_foreach(zset_obj *z, zs_elem_fn fn, void *priv) {
    zs_iter it;
    for (zi_seek(&it, z, 0); zi_valid(&it); zi_next(&it)) {
        zs_elem e;
        zi_get(&it, &e);
        fn(priv, &e);
    }
}

/* ---- type callbacks ----------------------------------------------------------- */

/* Members of ranks [first, first + count) for another module
 * (fr_type_def.foreach_member_range); the set's size.  Iterating does not
 * change the payload; the cast only meets zi_seek's signature. */
size_t zv_foreach_member_range(const void *p, size_t first, size_t count,
                               void (*fn)(void *priv, const char *member, size_t len), void *priv) {
    zset_obj *z = (zset_obj *)p;
    zs_iter it;
    if (count && first < zv_len(z)) {
        for (zi_seek(&it, z, first); count && zi_valid(&it); count--, zi_next(&it)) {
            zs_elem e;
            zi_get(&it, &e);
            fn(priv, e.m, e.mlen);
        }
    }
    return zv_len(z);
}

/* fr_type_def.expand: Redis's SORT turns a sorted set into a skiplist
 * before reading it. */
void zv_expand(void *p) { zv_convert(p, ZSET_ENC_SKIPLIST); }

typedef struct member_cb {
    void (*fn)(void *priv, const char *member, size_t len);
    void *priv;
} member_cb;

static void member_of(void *priv, const zs_elem *e) {
    const member_cb *cb = priv;
    cb->fn(cb->priv, e->m, e->mlen);
}

/* The members for another module (SORT reads a sorted set through the
 * type, fr_type_def.foreach_member), in rank order, scores left out.
 * Iterating does not change the payload; the cast only meets
 * zv_foreach's signature. */
void zv_foreach_member(const void *p, void (*fn)(void *priv, const char *member, size_t len),
                       void *priv) {
    member_cb cb = {fn, priv};
    zv_foreach((zset_obj *)p, member_of, &cb);
}

void zv_free(void *p) {
    zset_obj *z = p;
    if (!z) return;
    if (z->enc == ZSET_ENC_LISTPACK) lp_free(z->lp);
    else zsl_free(z->sl);
    fr_free(z);
}

/* A skiplist's nodes are one allocation each; a listpack is one. */
size_t zv_free_effort(const void *p) {
    const zset_obj *z = p;
    return z->enc == ZSET_ENC_LISTPACK ? 1 : z->sl->length;
}

void *zv_dup(const void *p) {
    const zset_obj *src = p;
    if (src->enc == ZSET_ENC_LISTPACK) {
        zset_obj *z = zv_new_listpack();
        lp_free(z->lp);
        z->lp = lp_from_bytes(src->lp, lp_bytes(src->lp));
        return z;
    }
    zset_obj *z = zv_new_skiplist(src->sl->length);
    for (zsl_node *n = zsl_first(src->sl); n; n = n->level[0].forward)
        zsl_insert(z->sl, n->score, zsl_member(n), n->mlen);
    return z;
}

const char *zv_encoding(const void *p) {
    return ((const zset_obj *)p)->enc == ZSET_ENC_LISTPACK ? "listpack" : "skiplist";
}

size_t zv_mem_usage(const void *p) {
    const zset_obj *z = p;
    size_t base = fr_malloc_size((void *)z);
    if (z->enc == ZSET_ENC_LISTPACK) return base + fr_malloc_size(z->lp);
    return base + zsl_mem_usage(z->sl);
}

int zv_rdb_type_of(const void *p) {
    return ((const zset_obj *)p)->enc == ZSET_ENC_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
}

/* Each element digested alone (member, then the score as %.17g) and
 * xor-ed in, so the digest does not depend on the encoding. */
static void digest_elem(void *priv, const zs_elem *e) {
    unsigned char ed[20] = {0};
    char buf[ZSET_SCORE_BUF];
    int n = snprintf(buf, sizeof(buf), "%.17g", e->score);
    fr_digest_mix(ed, e->m, e->mlen);
    fr_digest_mix(ed, buf, (size_t)n);
    fr_digest_xor(priv, ed, sizeof(ed));
}

void zv_digest(unsigned char digest[20], const void *p) {
    static const unsigned char type_zset[4] = {0, 0, 0, 3};
    fr_digest_mix(digest, type_zset, sizeof(type_zset));
    zv_foreach((zset_obj *)p, digest_elem, digest);
}

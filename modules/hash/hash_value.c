/* hash_value.c -- the hash payload over its two encodings, and the type's
 * callbacks (free, dup, OBJECT ENCODING, memory, digest, RDB id).
 *
 * Owns the conversion rules of Redis 7.0's t_hash.c: a listpack converts
 * to a hashtable before storing a field or value longer than
 * hash-max-listpack-value, or arguments that would push it past 1 GB, and
 * after an insert leaves it with more than hash-max-listpack-entries
 * fields.  Nothing converts back.  Also owns the module's random source
 * (HRANDFIELD, hashtable sampling): a splitmix64 stream seeded at init. */
#include "hash_internal.h"

#include <string.h>

/* ---- directives --------------------------------------------------------- */

size_t hv_max_value(void) {
    return (size_t)hash_conf_hash_max_listpack_value();
}

unsigned long long hv_max_entries(void) {
    return (unsigned long long)hash_conf_hash_max_listpack_entries();
}

/* ---- randomness --------------------------------------------------------- */

static uint64_t g_rand_state = 0x853c49e6748fea9bull;

void hv_seed(uint64_t seed) {
    g_rand_state = seed;
    ht_seed(seed * 0x9e3779b97f4a7c15ull + 1);
}

uint64_t hv_rand(void) {
    uint64_t z = (g_rand_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- construction ------------------------------------------------------- */

hash_obj *hv_new(void) {
    return hv_from_lp(lp_new());
}

hash_obj *hv_from_lp(unsigned char *lp) {
    hash_obj *h = fr_malloc(sizeof(*h));
    h->enc = HASH_ENC_LISTPACK;
    h->lp = lp;
    return h;
}

hash_obj *hv_new_ht(unsigned long expected) {
    hash_obj *h = fr_malloc(sizeof(*h));
    h->enc = HASH_ENC_HT;
    h->ht = ht_new(expected);
    return h;
}

static void text_of_entry(const unsigned char *p, hash_text *t) {
    lp_entry e;
    lp_get(p, &e);
    t->p = lp_entry_text(&e, t->buf, &t->len);
}

static void text_of(const char *p, size_t len, hash_text *t) {
    t->p = p;
    t->len = len;
}

/* ---- access ------------------------------------------------------------- */

unsigned long hv_len(const hash_obj *h) {
    return h->enc == HASH_ENC_LISTPACK ? lp_count(h->lp) / 2 : ht_len(h->ht);
}

int hv_get(const hash_obj *h, const void *f, size_t flen, hash_text *out) {
    if (h->enc == HASH_ENC_HT) {
        const ht_node *n = ht_find(h->ht, f, flen);
        if (n && out) text_of(ht_value(n), ht_vlen(n), out);
        return n != NULL;
    }
    unsigned char *p = lp_find_field(h->lp, f, flen);
    if (p && out) text_of_entry(lp_next(h->lp, p), out);
    return p != NULL;
}

/* One field's value for another module (SORT's "key->field" patterns,
 * fr_type_def.field_value): a view into the payload, or the text of a
 * listpack integer in scratch; NULL when the field is absent. */
const char *hv_field_value(const void *p, const char *f, size_t flen, size_t *len,
                           char scratch[FR_INT_TEXT_MAX]) {
    hash_text t;
    if (!hv_get(p, f, flen, &t)) return NULL;
    *len = t.len;
    if (t.p != t.buf) return t.p;
    memcpy(scratch, t.buf, t.len);
    return scratch;
}

void hv_convert_to_ht(hash_obj *h) {
    if (h->enc != HASH_ENC_LISTPACK) return;
    ht_table *t = ht_new(lp_count(h->lp) / 2);
    for (unsigned char *p = lp_first(h->lp); p;) {
        hash_text f, v;
        unsigned char *vp = lp_next(h->lp, p);
        text_of_entry(p, &f);
        text_of_entry(vp, &v);
        ht_set(t, f.p, f.len, v.p, v.len);
        p = lp_next(h->lp, vp);
    }
    lp_free(h->lp);
    h->ht = t;
    h->enc = HASH_ENC_HT;
}

void hv_try_conversion(hash_obj *h, const size_t *lens, int n) {
    if (h->enc != HASH_ENC_LISTPACK) return;
    size_t sum = 0, max = hv_max_value();
    for (int i = 0; i < n; i++) {
        if (lens[i] > max) {
            hv_convert_to_ht(h);
            return;
        }
        sum += lens[i];
    }
    if (lp_bytes(h->lp) + sum > HASH_LP_SAFETY_SIZE) hv_convert_to_ht(h);
}

void hv_convert_if_too_long(hash_obj *h) {
    if (h->enc == HASH_ENC_LISTPACK && hv_len(h) > hv_max_entries()) hv_convert_to_ht(h);
}

int hv_set(hash_obj *h, const void *f, size_t flen, const void *v, size_t vlen) {
    if (h->enc == HASH_ENC_LISTPACK && (flen > hv_max_value() || vlen > hv_max_value()))
        hv_convert_to_ht(h);
    if (h->enc == HASH_ENC_HT) return ht_set(h->ht, f, flen, v, vlen);
    unsigned char *p = lp_find_field(h->lp, f, flen);
    if (p) {
        unsigned char *vp = lp_next(h->lp, p);
        h->lp = lp_replace(h->lp, &vp, v, vlen);
        return 0;
    }
    h->lp = lp_append(h->lp, f, flen);
    h->lp = lp_append(h->lp, v, vlen);
    hv_convert_if_too_long(h);
    return 1;
}

int hv_delete(hash_obj *h, const void *f, size_t flen) {
    if (h->enc == HASH_ENC_HT) return ht_delete(h->ht, f, flen);
    unsigned char *p = lp_find_field(h->lp, f, flen);
    if (!p) return 0;
    h->lp = lp_delete(h->lp, p, 2);
    return 1;
}

typedef struct foreach_ctx {
    hash_pair_fn fn;
    void *priv;
} foreach_ctx;

static void visit_node(void *priv, const ht_node *n) {
    foreach_ctx *c = priv;
    hash_text f, v;
    text_of(ht_field(n), ht_flen(n), &f);
    text_of(ht_value(n), ht_vlen(n), &v);
    c->fn(c->priv, &f, &v);
}

void hv_foreach(const hash_obj *h, hash_pair_fn fn, void *priv) {
    if (h->enc == HASH_ENC_HT) {
        foreach_ctx c = {fn, priv};
        ht_foreach(h->ht, visit_node, &c);
        return;
    }
    for (unsigned char *p = lp_first(h->lp); p;) {
        hash_text f, v;
        unsigned char *vp = lp_next(h->lp, p);
        text_of_entry(p, &f);
        text_of_entry(vp, &v);
        fn(priv, &f, &v);
        p = lp_next(h->lp, vp);
    }
}

/* ---- type callbacks ----------------------------------------------------- */

void hv_free(void *p) {
    hash_obj *h = p;
    if (!h) return;
    if (h->enc == HASH_ENC_LISTPACK) lp_free(h->lp);
    else ht_free(h->ht);
    fr_free(h);
}

/* A table's fields are one allocation each; a listpack is one. */
size_t hv_free_effort(const void *p) {
    const hash_obj *h = p;
    return h->enc == HASH_ENC_LISTPACK ? 1 : ht_len(h->ht);
}

static void copy_pair(void *priv, const hash_text *f, const hash_text *v) {
    ht_set(priv, f->p, f->len, v->p, v->len);
}

void *hv_dup(const void *p) {
    const hash_obj *h = p;
    if (h->enc == HASH_ENC_LISTPACK) return hv_from_lp(lp_from_bytes(h->lp, lp_bytes(h->lp)));
    hash_obj *c = hv_new_ht(ht_len(h->ht));
    hv_foreach(h, copy_pair, c->ht);
    return c;
}

const char *hv_encoding(const void *p) {
    return ((const hash_obj *)p)->enc == HASH_ENC_LISTPACK ? "listpack" : "hashtable";
}

size_t hv_mem_usage(const void *p) {
    const hash_obj *h = p;
    if (h->enc == HASH_ENC_LISTPACK) return sizeof(*h) + fr_malloc_size(h->lp);
    return sizeof(*h) + ht_mem_usage(h->ht);
}

int hv_rdb_type_of(const void *p) {
    return ((const hash_obj *)p)->enc == HASH_ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
}

/* Redis's hash digest: each pair gets its own digest (field mixed, then
 * value mixed, from zero), and the pairs are XORed in, so order does not
 * matter and both encodings agree. */
static void digest_pair(void *priv, const hash_text *f, const hash_text *v) {
    unsigned char ele[20];
    memset(ele, 0, sizeof(ele));
    fr_digest_mix(ele, f->p, f->len);
    fr_digest_mix(ele, v->p, v->len);
    fr_digest_xor(priv, ele, sizeof(ele));
}

void hv_digest(unsigned char digest[20], const void *p) {
    static const unsigned char type_hash[4] = {0, 0, 0, 4};
    fr_digest_mix(digest, type_hash, sizeof(type_hash));
    hv_foreach(p, digest_pair, digest);
}

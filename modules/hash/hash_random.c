/* hash_random.c -- HRANDFIELD.
 *
 * Owns Redis 7.0's count semantics: no count, one field (null for an
 * absent key); a negative count, that many independent draws (repeats
 * allowed, any order); a positive count, that many distinct fields, the
 * whole hash when it has no more.  The count is checked against
 * -LONG_MAX..LONG_MAX, and against half of that with WITHVALUES, before
 * the key.  WITHVALUES pairs are flat in RESP2 and two-element arrays in
 * RESP3.  Randomness contracts: each draw is uniform over the fields; a
 * distinct sample is uniform over the subsets of its size (selection
 * sampling, in the hash's order).  Hardened mode refuses a negative
 * count past RAND_HARDENED_MAX_DRAWS, which in Redis keeps the server writing a
 * reply for minutes while its memory grows. */
#include "hash_internal.h"
#include "rand_count.h"

#include <limits.h>


typedef struct rand_reply {
    fr_ctx *ctx;
    int withvalues;
    int resp3;
} rand_reply;

static void reply_one(const rand_reply *r, const hash_text *f, const hash_text *v) {
    if (r->withvalues && r->resp3) fr_reply_array(r->ctx, 2);
    hash_reply_text(r->ctx, f);
    if (r->withvalues) hash_reply_text(r->ctx, v);
}

static uint64_t below(uint64_t n) {
    return hv_rand() % n;
}

/* One uniformly drawn pair. */
static void draw_pair(const hash_obj *h, hash_text *f, hash_text *v) {
    if (h->enc == HASH_ENC_HT) {
        const ht_node *n = ht_random(h->ht, hv_rand);
        f->p = ht_field(n);
        f->len = ht_flen(n);
        v->p = ht_value(n);
        v->len = ht_vlen(n);
        return;
    }
    unsigned char *p = lp_seek(h->lp, 2 * below(hv_len(h)));
    lp_entry e;
    lp_get(p, &e);
    f->p = lp_entry_text(&e, f->buf, &f->len);
    lp_get(lp_next(h->lp, p), &e);
    v->p = lp_entry_text(&e, v->buf, &v->len);
}

/* Selection sampling: pair i of n is taken with chance needed/remaining. */
typedef struct sample {
    const rand_reply *r;
    unsigned long needed, remaining;
} sample;

static void maybe_take(void *priv, const hash_text *f, const hash_text *v) {
    sample *s = priv;
    if (s->needed && below(s->remaining) < s->needed) {
        reply_one(s->r, f, v);
        s->needed--;
    }
    s->remaining--;
}

static void reply_all(void *priv, const hash_text *f, const hash_text *v) {
    reply_one(priv, f, v);
}

static void with_count(fr_ctx *ctx, long long l, int withvalues) {
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    if (!h || l == 0) {
        fr_reply_array(ctx, 0);
        return;
    }
    rand_reply r = {ctx, withvalues, fr_ctx_resp(ctx) == 3};
    unsigned long long count = l < 0 ? (unsigned long long)(-l) : (unsigned long long)l;
    unsigned long size = hv_len(h);
    int flat_pairs = withvalues && !r.resp3;
    if (l < 0 || count == 1) {
        fr_reply_array(ctx, (long)(flat_pairs ? count * 2 : count));
        while (count--) {
            hash_text f, v;
            draw_pair(h, &f, &v);
            reply_one(&r, &f, &v);
        }
        return;
    }
    unsigned long take = count < size ? (unsigned long)count : size;
    fr_reply_array(ctx, (long)(flat_pairs ? take * 2 : take));
    if (take == size) {
        hv_foreach(h, reply_all, &r);
        return;
    }
    sample s = {&r, take, size};
    hv_foreach(h, maybe_take, &s);
}

void cmd_hrandfield(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    if (argc >= 3) {
        long long l;
        int with;
        if (rand_count_args(ctx, "withvalues", "hrandfield-huge-count", &l, &with) != FR_OK) return;
        with_count(ctx, l, with);
        return;
    }
    hash_obj *h;
    if (!hash_lookup_read(ctx, fr_arg(ctx, 1), &h)) return;
    if (!h) {
        fr_reply_null(ctx);
        return;
    }
    hash_text f, v;
    draw_pair(h, &f, &v);
    hash_reply_text(ctx, &f);
}

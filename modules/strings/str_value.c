/* str_value.c -- the "string" type's payload: creation, access, callbacks.
 *
 * Owns every interpretation of the tagged payload word described in
 * strings_internal.h; no other file looks at its bits except through the
 * inline helpers of str_pure.h.  Invariants: a payload built here is never 0;
 * the block a payload points to (fr_str or sv_emb) belongs to that payload
 * alone; values that Redis would embed (<= 44 bytes) live in a tight
 * sv_emb (sv_emb_size), every other pointer payload in an fr_str. */
#include "strings_internal.h"

#include <string.h>

/* Arguments at least this big are adopted instead of copied: like Redis's
 * own big-argument path (32 KB), this is where copying starts to cost more
 * than the slack a taken buffer may carry. */
#define SV_TAKE_MIN (32 * 1024)

/* Only for pointer payloads of kind RAW or INTTEXT. */
static fr_str *sv_str(const void *p) {
    return (fr_str *)sv_untag(p);
}

/* Only for pointer payloads of kind EMBSTR. */
static sv_emb *sv_emb_of(const void *p) {
    return (sv_emb *)sv_untag(p);
}

static int sv_is_emb(const void *p) {
    return !sv_is_inline(p) && sv_kind(p) == SV_KIND_EMBSTR;
}

/* An embstr payload holding p[0..len), len <= SR_EMBSTR_LIMIT.  fr_malloc is
 * jemalloc's malloc (ASan's in sanitizer builds), whose blocks are all
 * aligned to at least 8 bytes, so bits 0-2 of the address are free for the
 * tag whatever the block's size. */
static void *sv_emb_new(const char *p, size_t len) {
    sv_emb *e = sv_emb_init(fr_malloc(sv_emb_size(len)), p, len);
    return sv_tag(e, SV_KIND_EMBSTR);
}

/* The bytes of a pointer payload (not inline). */
static const char *sv_ptr_bytes(const void *p, size_t *len) {
    if (sv_kind(p) == SV_KIND_EMBSTR) {
        const sv_emb *e = sv_emb_of(p);
        *len = e->len;
        return e->buf;
    }
    const fr_str *s = sv_str(p);
    *len = s->len;
    return s->buf;
}

/* An integer Redis would int-encode: inline if it fits, else its text. */
static void *sv_int(long long v, int private_int) {
    if (sv_fits_inline(v)) return sv_inline_make(v, private_int);
    char buf[SR_LL_CHARS];
    int n = sr_ll2str(buf, v);
    return sv_tag(fr_str_new(buf, (size_t)n), SV_KIND_INTTEXT);
}

/* Redis stops sharing small integers when every key needs its own
 * access record (maxmemory under an LRU or LFU policy). */
static int sv_private_ints(void) {
    return (fr_keyspace_access() & FR_ACCESS_UNSHARED) != 0;
}

void *sv_from_ll(long long v) {
    return sv_int(v, sv_private_ints());
}

void *sv_from_plain(const char *p, size_t len) {
    if (sr_plain_enc(len) == SR_ENC_EMBSTR) return sv_emb_new(p, len);
    return sv_tag(fr_str_new(p, len), SV_KIND_RAW);
}

void *sv_from_raw_str(fr_str *s) {
    return sv_tag(s, SV_KIND_RAW);
}

void *sv_from_bytes(const char *p, size_t len) {
    long long v;
    if (sr_classify(p, len, &v) == SR_ENC_INT) return sv_int(v, sv_private_ints());
    return sv_from_plain(p, len);
}

void *sv_from_arg(fr_ctx *ctx, int i) {
    const fr_str *a = fr_arg(ctx, i);
    if (a->len < SV_TAKE_MIN) return sv_from_bytes(a->buf, a->len);
    /* Too long to be an integer or embstr: always raw. */
    fr_str *s = fr_str_shrink(fr_arg_take(ctx, i));
    return sv_tag(s, SV_KIND_RAW);
}

const char *sv_bytes(const void *p, char *tmp, size_t *len) {
    if (sv_is_inline(p)) {
        *len = (size_t)sr_ll2str(tmp, sv_inline_value(p));
        return tmp;
    }
    return sv_ptr_bytes(p, len);
}

size_t sv_len(const void *p) {
    if (sv_is_inline(p)) return (size_t)sr_ll_len(sv_inline_value(p));
    size_t len;
    sv_ptr_bytes(p, &len);
    return len;
}

int sv_get_ll(const void *p, long long *out) {
    if (sv_is_inline(p)) {
        *out = sv_inline_value(p);
        return 1;
    }
    size_t len;
    const char *b = sv_ptr_bytes(p, &len);
    return sr_str2ll(b, len, out);
}

int sv_get_ld(const void *p, long double *out) {
    if (sv_is_inline(p)) {
        *out = (long double)sv_inline_value(p);
        return 1;
    }
    size_t len;
    const char *b = sv_ptr_bytes(p, &len);
    return fr_string2ld(b, len, out);
}

/* An embstr cannot grow in place: its bytes move to a new fr_str (room
 * rounded up to the size class, as every fr_str) and the block is freed,
 * as Redis turns an embstr raw before editing it. */
fr_str *sv_take_raw(void *p) {
    if (sv_is_inline(p)) return fr_str_from_ll(sv_inline_value(p));
    if (!sv_is_emb(p)) return sv_str(p);
    sv_emb *e = sv_emb_of(p);
    fr_str *s = fr_str_new(e->buf, e->len);
    fr_free_sized(e, sv_emb_size(e->len));
    return s;
}

int sv_refcount(const void *p) {
    if (!sv_is_inline(p) || sv_inline_private(p)) return 1;
    long long v = sv_inline_value(p);
    return (v >= 0 && v < SR_SHARED_INTEGERS) ? SR_SHARED_REFCOUNT : 1;
}

void sv_free(void *p) {
    if (sv_is_inline(p)) return;
    if (sv_is_emb(p))
        fr_free_sized(sv_emb_of(p), sv_emb_size(sv_emb_of(p)->len));
    else
        fr_str_free(sv_str(p));
}

void *sv_dup(const void *p) {
    /* A copy is never a shared integer (Redis gives it refcount 1). */
    if (sv_is_inline(p)) return sv_inline_make(sv_inline_value(p), 1);
    if (sv_is_emb(p)) {
        const sv_emb *e = sv_emb_of(p);
        return sv_emb_new(e->buf, e->len);
    }
    const fr_str *s = sv_str(p);
    return sv_tag(fr_str_new(s->buf, s->len), sv_kind(p));
}

const char *sv_encoding(const void *p) {
    if (sv_is_inline(p)) return "int";
    switch (sv_kind(p)) {
    case SV_KIND_EMBSTR: return "embstr";
    case SV_KIND_INTTEXT: return "int";
    default: return "raw";
    }
}

/* The allocation's real size: the jemalloc class an sv_emb landed in, or
 * the fr_str's header plus capacity (which already fills its class). */
size_t sv_mem_usage(const void *p) {
    if (sv_is_inline(p)) return 0;
    if (sv_is_emb(p)) return fr_malloc_size(sv_emb_of(p));
    return fr_str_alloc_size(sv_str(p));
}

/* ---- The SDK's byte-string view (fr_type_def.bytes & co, SDK 4.3) ----
 * Other modules edit strings (SETBIT, PFADD) without knowing this payload:
 * they read through sv_view, or take the bytes as an fr_str they own and
 * hand the result back as raw, as Redis turns a string it edits raw. */
_Static_assert(FR_INT_TEXT_MAX >= SR_LL_CHARS, "scratch too small for an inline integer");

const char *sv_view(const void *p, size_t *len, char scratch[FR_INT_TEXT_MAX]) {
    return sv_bytes(p, scratch, len);
}

fr_str *sv_take_bytes(void *p) {
    return sv_take_raw(p);
}

void *sv_adopt_bytes(fr_str *s) {
    return sv_from_raw_str(s);
}

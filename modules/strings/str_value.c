/* str_value.c -- the "string" type's payload: creation, access, callbacks.
 *
 * Owns every interpretation of the tagged payload word described in
 * strings_internal.h; no other file looks at its bits except through the
 * inline helpers of str_pure.h.  Invariants: a payload built here is never 0;
 * an fr_str referenced by a payload belongs to that payload alone; values
 * that Redis would embed (<= 44 bytes) are allocated tight. */
#include "strings_internal.h"

#include <string.h>

/* Arguments at least this big are adopted instead of copied: like Redis's
 * own big-argument path (32 KB), this is where copying starts to cost more
 * than the slack a taken buffer may carry. */
#define SV_TAKE_MIN (32 * 1024)

static fr_str *sv_str(const void *p) {
    return (fr_str *)sv_untag(p);
}

/* An integer Redis would int-encode: inline if it fits, else its text. */
static void *sv_int(long long v, int private_int) {
    if (sv_fits_inline(v)) return sv_inline_make(v, private_int);
    char buf[SR_LL_CHARS];
    int n = sr_ll2str(buf, v);
    return sv_tag(fr_str_new(buf, (size_t)n), SV_KIND_INTTEXT);
}

void *sv_from_ll(long long v) {
    return sv_int(v, 0);
}

void *sv_from_plain(const char *p, size_t len) {
    unsigned kind = sr_plain_enc(len) == SR_ENC_EMBSTR ? SV_KIND_EMBSTR
                                                       : SV_KIND_RAW;
    return sv_tag(fr_str_new(p, len), kind);
}

void *sv_from_raw_str(fr_str *s) {
    return sv_tag(s, SV_KIND_RAW);
}

void *sv_from_bytes(const char *p, size_t len) {
    long long v;
    if (sr_classify(p, len, &v) == SR_ENC_INT) return sv_int(v, 0);
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
    const fr_str *s = sv_str(p);
    *len = s->len;
    return s->buf;
}

size_t sv_len(const void *p) {
    if (sv_is_inline(p)) return (size_t)sr_ll_len(sv_inline_value(p));
    return sv_str(p)->len;
}

int sv_get_ll(const void *p, long long *out) {
    if (sv_is_inline(p)) {
        *out = sv_inline_value(p);
        return 1;
    }
    const fr_str *s = sv_str(p);
    return sr_str2ll(s->buf, s->len, out);
}

int sv_get_ld(const void *p, long double *out) {
    if (sv_is_inline(p)) {
        *out = (long double)sv_inline_value(p);
        return 1;
    }
    const fr_str *s = sv_str(p);
    return fr_string2ld(s->buf, s->len, out);
}

fr_str *sv_take_raw(void *p) {
    if (!sv_is_inline(p)) return sv_str(p);
    return fr_str_from_ll(sv_inline_value(p));
}

int sv_refcount(const void *p) {
    if (!sv_is_inline(p) || sv_inline_private(p)) return 1;
    long long v = sv_inline_value(p);
    return (v >= 0 && v < SR_SHARED_INTEGERS) ? SR_SHARED_REFCOUNT : 1;
}

void sv_free(void *p) {
    if (!sv_is_inline(p)) fr_str_free(sv_str(p));
}

void *sv_dup(const void *p) {
    /* A copy is never a shared integer (Redis gives it refcount 1). */
    if (sv_is_inline(p)) return sv_inline_make(sv_inline_value(p), 1);
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

size_t sv_mem_usage(const void *p) {
    if (sv_is_inline(p)) return 0;
    return fr_str_alloc_size(sv_str(p));
}

/* sort_pattern.c -- the keys SORT's BY and GET patterns name.
 *
 * Redis's rules, C-string ones included: "#" (compared as a C string) is
 * the element itself; a pattern without '*' (before any NUL) names
 * nothing; otherwise the first '*' becomes the element, and a "->" after
 * it followed by at least one byte splits off a hash field (the rest of
 * the pattern, whatever its bytes).  The key is read with an ordinary
 * read lookup (hits, misses, lazy expiry) and must hold a string, or a
 * hash having the field; anything else names nothing.  Values are read
 * through the owning types' SDK callbacks (bytes, field_value). */
#include "sort_internal.h"

#include <string.h>

/* The key: pattern[0..star) + e[0..elen) + pattern(star..star+1+postlen). */
static fr_str *build_key(fr_str *key, const fr_str *pat, size_t star, const char *e, size_t elen,
                         size_t postlen) {
    size_t need = star + elen + postlen;
    if (!key) key = fr_str_new_empty(need);
    key->len = 0;
    key = fr_str_reserve(key, need);
    memcpy(key->buf, pat->buf, star);
    memcpy(key->buf + star, e, elen);
    memcpy(key->buf + star + elen, pat->buf + star + 1, postlen);
    key->len = need;
    key->buf[need] = '\0';
    return key;
}

static int read_string(const fr_type *t, const fr_value *v, sort_found *out) {
    const fr_type_def *d = fr_type_def_of(t);
    if (strcmp(fr_type_name(t), "string") != 0 || !d || !d->bytes) return 0;
    out->p = d->bytes(fr_value_payload(v), &out->len, out->scratch);
    return 1;
}

static int read_field(const fr_type *t, const fr_value *v, const char *f, size_t flen,
                      sort_found *out) {
    const fr_type_def *d = fr_type_def_of(t);
    if (strcmp(fr_type_name(t), "hash") != 0 || !d || !d->field_value) return 0;
    out->p = d->field_value(fr_value_payload(v), f, flen, &out->len, out->scratch);
    return out->p != NULL;
}

int sort_pattern_get(fr_ctx *ctx, const fr_str *pattern, const char *e, size_t elen, fr_str **key,
                     sort_found *out) {
    const char *pat = pattern->buf;
    if (pat[0] == '#' && pat[1] == '\0') {
        out->p = e;
        out->len = elen;
        return 1;
    }
    const char *star = strchr(pat, '*');
    if (!star) return 0;
    const char *arrow = strstr(star + 1, "->");
    size_t flen = 0;
    if (arrow && arrow[2] != '\0') flen = pattern->len - (size_t)(arrow - pat) - 2;
    size_t pre = (size_t)(star - pat);
    size_t post = pattern->len - pre - 1 - (flen ? flen + 2 : 0);
    *key = build_key(*key, pattern, pre, e, elen, post);
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), *key, FR_LOOKUP_NONE);
    if (!v) return 0;
    const fr_type *t = fr_value_type(v);
    return flen ? read_field(t, v, arrow + 2, flen, out) : read_string(t, v, out);
}

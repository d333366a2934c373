/* str.c -- fr_str, the binary-safe string of the SDK.
 *
 * Layout: {len, cap, buf[cap+1]}; buf[len] is always '\0' so buffers can be
 * handed to C string functions when the content has no NUL.  Growth doubles
 * below 1 MB and adds 1 MB above it (as sds does), so repeated appends cost
 * amortised O(1) per byte without doubling huge values.  The usable size that
 * jemalloc gives us is folded into `cap` so no slack is wasted. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

#define FR_STR_PREALLOC_MAX (1024 * 1024)
#define FR_STR_HDR (sizeof(fr_str) + 1)

static fr_str *str_alloc(size_t cap)
{
    size_t usable;
    fr_str *s = fr_malloc_usable(FR_STR_HDR + cap, &usable);
    s->cap = usable - FR_STR_HDR;
    s->len = 0;
    return s;
}

fr_str *fr_str_new(const void *p, size_t len)
{
    fr_str *s = str_alloc(len);
    if (len) memcpy(s->buf, p, len);
    s->len = len;
    s->buf[len] = '\0';
    return s;
}

fr_str *fr_str_new_empty(size_t cap)
{
    fr_str *s = str_alloc(cap);
    s->buf[0] = '\0';
    return s;
}

fr_str *fr_str_from_ll(long long v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", v);
    return fr_str_new(tmp, (size_t)n);
}

fr_str *fr_str_dup(const fr_str *s)
{
    return fr_str_new(s->buf, s->len);
}

/* cap always lies between the size asked for and the block's usable size,
 * which is all sized deallocation needs. */
void fr_str_free(fr_str *s)
{
    if (s) fr_free_usable(s, FR_STR_HDR + s->cap);
}

fr_str *fr_str_reserve(fr_str *s, size_t addlen)
{
    if (s->cap - s->len >= addlen) return s;
    size_t need = s->len + addlen;
    if (need < s->len) fr_panic("fr_str: length overflow");
    size_t newcap = need < FR_STR_PREALLOC_MAX ? need * 2 : need + FR_STR_PREALLOC_MAX;
    s = fr_realloc(s, FR_STR_HDR + newcap);
    s->cap = fr_malloc_size(s) - FR_STR_HDR;
    return s;
}

fr_str *fr_str_cat(fr_str *s, const void *p, size_t len)
{
    s = fr_str_reserve(s, len);
    memcpy(s->buf + s->len, p, len);
    s->len += len;
    s->buf[s->len] = '\0';
    return s;
}

fr_str *fr_str_set_len(fr_str *s, size_t len)
{
    if (len > s->len) {
        s = fr_str_reserve(s, len - s->len);
        memset(s->buf + s->len, 0, len - s->len);
    }
    s->len = len;
    s->buf[len] = '\0';
    return s;
}

/* Worth it only when more than a tenth of the allocation is slack, the same
 * threshold Redis uses before trimming a raw string. */
fr_str *fr_str_shrink(fr_str *s)
{
    if (s->cap - s->len <= s->len / 10) return s;
    s = fr_realloc(s, FR_STR_HDR + s->len);
    s->cap = fr_malloc_size(s) - FR_STR_HDR;
    return s;
}

size_t fr_str_alloc_size(const fr_str *s)
{
    return FR_STR_HDR + s->cap;
}

/* Append printf-style text of any length (INFO lines, error replies that
 * quote user input): one formatting pass when it fits, two otherwise. */
fr_str *fr_str_catvprintf(fr_str *s, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(s->buf + s->len, s->cap - s->len + 1, fmt, cp);
    va_end(cp);
    if (n < 0) {
        s->buf[s->len] = '\0';
        return s;
    }
    if ((size_t)n > s->cap - s->len) {
        s = fr_str_reserve(s, (size_t)n);
        vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    }
    s->len += (size_t)n;
    return s;
}

char *fr_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = fr_malloc(n);
    memcpy(p, s, n);
    return p;
}

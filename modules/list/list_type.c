/* list_type.c -- the "list" type's callbacks: free, copy, encoding,
 * memory, digest, and creation with the directives in force.
 *
 * Redis 7.0 reports "quicklist" for every list, whatever its size. */
#include "list_internal.h"

#include <string.h>

ql *lt_new(void) {
    return ql_new((int)list_conf_list_max_listpack_size(),
                  (int)list_conf_list_compress_depth());
}

void lt_free(void *p) { ql_free(p); }

/* One allocation per quicklist node, as Redis counts a list. */
size_t lt_free_effort(const void *p) { return ((const ql *)p)->nodes; }
void *lt_dup(const void *p) { return ql_dup(p); }

const char *lt_encoding(const void *p) {
    (void)p;
    return "quicklist";
}

size_t lt_mem_usage(const void *p) { return ql_mem(p); }

/* Redis's object type 1, then each element in order. */
void lt_digest(unsigned char digest[20], const void *p) {
    static const unsigned char type_list[4] = {0, 0, 0, 1};
    const ql *q = p;
    fr_digest_mix(digest, type_list, sizeof(type_list));
    ql_pos pos;
    if (!ql_seek(q, 0, &pos)) return;
    do {
        char buf[LP_INTBUF];
        size_t len;
        const char *e = ql_get(&pos, buf, &len);
        fr_digest_mix(digest, e, len);
    } while (ql_next(&pos));
}

/* The elements for another module (SORT reads a list through the type,
 * fr_type_def.foreach_member), head to tail. */
void lt_foreach_member(const void *p, void (*fn)(void *priv, const char *member, size_t len),
                       void *priv) {
    ql_pos pos;
    if (!ql_seek(p, 0, &pos)) return;
    do {
        char buf[LP_INTBUF];
        size_t len;
        const char *e = ql_get(&pos, buf, &len);
        fn(priv, e, len);
    } while (ql_next(&pos));
}

/* Elements [first, first + count), head to tail, for another module
 * (fr_type_def.foreach_member_range); the list's length. */
size_t lt_foreach_member_range(const void *p, size_t first, size_t count,
                               void (*fn)(void *priv, const char *member, size_t len), void *priv) {
    const ql *q = p;
    ql_pos pos;
    if (count && first < q->len && ql_seek(q, (long long)first, &pos)) {
        do {
            char buf[LP_INTBUF];
            size_t len;
            const char *e = ql_get(&pos, buf, &len);
            fn(priv, e, len);
        } while (--count && ql_next(&pos));
    }
    return q->len;
}

/* A new list of members[0..n), built as RPUSH would build it (SORT ...
 * STORE, fr_type_def.from_members). */
void *lt_from_members(size_t n, const char *const *members, const size_t *lens) {
    ql *q = lt_new();
    for (size_t i = 0; i < n; i++) ql_push(q, members[i], lens[i], 0);
    return q;
}

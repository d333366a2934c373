/* list_rdb.c -- the "list" type's RDB callbacks.
 *
 * Saves as Redis 7.0 does, RDB type 18: the node count, then per node its
 * container (2, packed) and its listpack as one string (the rdb module
 * compresses it with LZF when Redis would).  Loads type 18 (packed and
 * plain nodes), 14 (one ziplist per node), 10 (one ziplist) and 1 (one
 * string per element).  Every listpack and ziplist is fully validated
 * before use, because RESTORE hands us untrusted bytes; a list that would
 * load empty is refused, as Redis refuses an empty key. */
#include "list_internal.h"
#include "ziplist.h"

#include <string.h>

#define QL_CONTAINER_PLAIN 1
#define QL_CONTAINER_PACKED 2

int lt_rdb_save(fr_rdb_io *io, const void *p) {
    const ql *q = p;
    if (io->ops->save_len(io, q->nodes) != FR_OK) return FR_ERR;
    for (const ql_node *n = q->head; n; n = n->next) {
        if (io->ops->save_len(io, QL_CONTAINER_PACKED) != FR_OK) return FR_ERR;
        if (io->ops->save_string(io, n->lp, qlp_bytes(n->lp)) != FR_OK) return FR_ERR;
    }
    return FR_OK;
}

static void *load_fail(fr_rdb_io *io, ql *q, const char *what) {
    io->ops->error(io, "%s", what);
    if (q) ql_free(q);
    return NULL;
}

/* A listpack node from untrusted bytes; empty ones are skipped. */
static int add_listpack(fr_rdb_io *io, ql *q, fr_str *s) {
    uint32_t count;
    if (!qlp_validate((const unsigned char *)s->buf, s->len, &count)) {
        io->ops->error(io, "Listpack integrity check failed.");
        return FR_ERR;
    }
    if (count) {
        qlp_t *lp = fr_malloc(s->len);
        memcpy(lp, s->buf, s->len);
        ql_append_node(q, lp, count);
    }
    return FR_OK;
}

static void append_to_lp(void *priv, const char *s, size_t len) {
    qlp_t **lp = priv;
    *lp = qlp_append(*lp, s, len);
}

static int add_ziplist_node(fr_rdb_io *io, ql *q, fr_str *s) {
    qlp_t *lp = qlp_new();
    if (!zl_walk((const unsigned char *)s->buf, s->len, append_to_lp, &lp)) {
        qlp_free(lp);
        io->ops->error(io, "Ziplist integrity check failed.");
        return FR_ERR;
    }
    uint32_t count = qlp_count(lp);
    if (count) ql_append_node(q, lp, count);
    else qlp_free(lp);
    return FR_OK;
}

static void push_tail(void *priv, const char *s, size_t len) {
    ql_push(priv, s, len, 0);
}

static void *load_quicklist(fr_rdb_io *io, int rdb_type) {
    uint64_t nodes;
    if (io->ops->load_len(io, &nodes) != FR_OK) return NULL;
    if (nodes == 0) return load_fail(io, NULL, "empty list");
    ql *q = lt_new();
    while (nodes--) {
        uint64_t container = QL_CONTAINER_PACKED;
        if (rdb_type == 18) {
            if (io->ops->load_len(io, &container) != FR_OK) return load_fail(io, q, "short read");
            if (container != QL_CONTAINER_PACKED && container != QL_CONTAINER_PLAIN)
                return load_fail(io, q, "Quicklist integrity check failed.");
        }
        fr_str *s = io->ops->load_string(io);
        if (!s || s->len == 0) {
            fr_str_free(s);
            return load_fail(io, q, "bad quicklist node");
        }
        int rc = FR_OK;
        if (container == QL_CONTAINER_PLAIN) ql_append_node(q, qlp_append(qlp_new(), s->buf, s->len), 1);
        else if (rdb_type == 18) rc = add_listpack(io, q, s);
        else rc = add_ziplist_node(io, q, s);
        fr_str_free(s);
        if (rc != FR_OK) {
            ql_free(q);
            return NULL;
        }
    }
    if (!q->len) return load_fail(io, q, "empty list");
    return q;
}

static void *load_ziplist(fr_rdb_io *io) {
    fr_str *s = io->ops->load_string(io);
    if (!s) return NULL;
    ql *q = lt_new();
    int ok = zl_walk((const unsigned char *)s->buf, s->len, push_tail, q);
    fr_str_free(s);
    if (!ok) return load_fail(io, q, "List ziplist integrity check failed.");
    if (!q->len) return load_fail(io, q, "empty list");
    return q;
}

static void *load_linked(fr_rdb_io *io) {
    uint64_t len;
    if (io->ops->load_len(io, &len) != FR_OK) return NULL;
    if (len == 0) return load_fail(io, NULL, "empty list");
    ql *q = lt_new();
    while (len--) {
        fr_str *s = io->ops->load_string(io);
        if (!s) {
            ql_free(q);
            return NULL;
        }
        ql_push(q, s->buf, s->len, 0);
        fr_str_free(s);
    }
    return q;
}

void *lt_rdb_load(fr_rdb_io *io, int rdb_type) {
    switch (rdb_type) {
    case 18:
    case 14: return load_quicklist(io, rdb_type);
    case 10: return load_ziplist(io);
    case 1: return load_linked(io);
    default:
        io->ops->error(io, "the list type cannot load RDB type %d", rdb_type);
        return NULL;
    }
}

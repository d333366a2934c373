/* zset_rdb.c -- the "zset" type's RDB callbacks.
 *
 * Owns how a sorted set is written to and read from an fr_rdb_io (the rdb
 * module owns the byte format of strings and lengths).  A listpack zset is
 * saved as RDB_TYPE_ZSET_LISTPACK (17): its bytes as one string, exactly
 * Redis's layout; a skiplist as RDB_TYPE_ZSET_2 (5): the count, then
 * member and 8-byte binary score from the greatest to the smallest, as
 * Redis writes it.  Loading reads those two, RDB_TYPE_ZSET (3, scores as
 * length-prefixed text) and the ziplist form (12), and gives the value the
 * encoding Redis 7.0 gives it.  Every blob is deep-checked (as Redis with
 * sanitize-dump-payload yes): bad bytes, an odd count, a repeated member,
 * a NaN score or an empty set are refused with an error on the stream. */
#include "zset_internal.h"

#include "ziplist_pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int zv_rdb_save(fr_rdb_io *io, const void *p) {
    const zset_obj *z = p;
    if (z->enc == ZSET_ENC_LISTPACK) return io->ops->save_string(io, z->lp, lp_bytes(z->lp));
    if (io->ops->save_len(io, z->sl->length) != FR_OK) return FR_ERR;
    for (const zsl_node *n = z->sl->tail; n; n = n->backward)
        if (io->ops->save_string(io, zsl_member(n), n->mlen) != FR_OK ||
            io->ops->save_double(io, n->score) != FR_OK)
            return FR_ERR;
    return FR_OK;
}

/* ---- loading ------------------------------------------------------------ */

/* RDB_TYPE_ZSET's score: a length byte (253 nan, 254 +inf, 255 -inf) and
 * that many bytes of text, read as Redis reads it (sscanf "%lg"). */
static int load_text_double(fr_rdb_io *io, double *d) {
    unsigned char len;
    char buf[256];
    if (io->ops->load_raw(io, &len, 1) != FR_OK) return FR_ERR;
    switch (len) {
    case 253: *d = NAN; return FR_OK;
    case 254: *d = INFINITY; return FR_OK;
    case 255: *d = -INFINITY; return FR_OK;
    default:
        if (io->ops->load_raw(io, buf, len) != FR_OK) return FR_ERR;
        buf[len] = '\0';
        /* As sscanf's %lg: a number must start the text (after spaces);
         * what follows it is ignored. */
        char *end;
        *d = strtod(buf, &end);
        if (end == buf) {
            io->ops->error(io, "Zset score is not a number");
            return FR_ERR;
        }
        return FR_OK;
    }
}

static void *load_plain(fr_rdb_io *io, int rdb_type) {
    uint64_t len;
    if (io->ops->load_len(io, &len) != FR_OK) return NULL;
    if (len == 0) {
        io->ops->error(io, "Empty zset (RDB type %d)", rdb_type);
        return NULL;
    }
    /* The count is untrusted: the index grows as members really arrive. */
    zset_obj *z = zv_new_skiplist(len < (1u << 16) ? (unsigned long)len : 1u << 16);
    size_t maxelelen = 0, totelelen = 0;
    while (len--) {
        fr_str *m = io->ops->load_string(io);
        double score;
        if (!m) goto bad;
        int rc = rdb_type == RDB_TYPE_ZSET_2 ? io->ops->load_double(io, &score) : load_text_double(io, &score);
        if (rc != FR_OK) {
            fr_str_free(m);
            goto bad;
        }
        if (isnan(score)) {
            fr_str_free(m);
            io->ops->error(io, "Zset with NAN score detected");
            goto bad;
        }
        if (zsl_find(z->sl, m->buf, m->len)) {
            fr_str_free(m);
            io->ops->error(io, "Duplicate zset fields detected");
            goto bad;
        }
        if (m->len > maxelelen) maxelelen = m->len;
        totelelen += m->len;
        zsl_insert(z->sl, score, m->buf, m->len);
        fr_str_free(m);
    }
    zv_shrink_if_small(z, maxelelen, totelelen);
    return z;
bad:
    zv_free(z);
    return NULL;
}

int zset_lp_validate(const unsigned char *buf, size_t size) {
    return lp_validate(buf, size, 1);
}

/* A listpack or ziplist blob turned into a listpack zset. */
static void *load_blob(fr_rdb_io *io, int rdb_type) {
    fr_str *blob = io->ops->load_string(io);
    if (!blob) return NULL;
    unsigned char *lp = NULL;
    if (rdb_type == RDB_TYPE_ZSET_LISTPACK) {
        if (zset_lp_validate((const unsigned char *)blob->buf, blob->len))
            lp = lp_from_bytes(blob->buf, blob->len);
    } else {
        lp = lp_from_ziplist_pairs((const unsigned char *)blob->buf, blob->len);
    }
    fr_str_free(blob);
    if (!lp) {
        io->ops->error(io, "Zset %s integrity check failed.",
                       rdb_type == RDB_TYPE_ZSET_LISTPACK ? "listpack" : "ziplist");
        return NULL;
    }
    if (lp_count(lp) == 0) {
        lp_free(lp);
        io->ops->error(io, "Empty zset (RDB type %d)", rdb_type);
        return NULL;
    }
    zset_obj *z = zv_new_listpack();
    lp_free(z->lp);
    z->lp = lp;
    if (zv_len(z) > zv_max_entries()) zv_convert(z, ZSET_ENC_SKIPLIST);
    return z;
}

void *zv_rdb_load(fr_rdb_io *io, int rdb_type) {
    switch (rdb_type) {
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
        return load_plain(io, rdb_type);
    case RDB_TYPE_ZSET_LISTPACK:
    case RDB_TYPE_ZSET_ZIPLIST:
        return load_blob(io, rdb_type);
    default:
        io->ops->error(io, "the zset type cannot load RDB type %d", rdb_type);
        return NULL;
    }
}

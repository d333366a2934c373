/* hash_rdb.c -- the "hash" type's RDB callbacks.
 *
 * Owns how a hash is written to and read from an fr_rdb_io (the rdb module
 * owns the byte format of strings and lengths).  A listpack hash is saved
 * as RDB_TYPE_HASH_LISTPACK (16): its bytes as one string, exactly Redis's
 * layout; a hashtable as RDB_TYPE_HASH (4): the count, then field and
 * value strings.  Loading reads those two and the older ziplist (13) and
 * zipmap (9) forms, and gives the value the encoding Redis 7.0 gives it.
 * Every blob is deep-checked (as Redis with sanitize-dump-payload yes):
 * bad bytes, an odd count, a repeated field or an empty hash are refused
 * with an error on the stream, never trusted. */
#include "hash_internal.h"

#include "hash_legacy.h"
#include "ziplist_pairs.h"

#include <string.h>

#define HASH_LOAD_PRESIZE_MAX (1ul << 16)

typedef struct save_ctx {
    fr_rdb_io *io;
    int rc;
} save_ctx;

static void save_pair(void *priv, const hash_text *f, const hash_text *v) {
    save_ctx *s = priv;
    if (s->rc != FR_OK) return;
    if (s->io->ops->save_string(s->io, f->p, f->len) != FR_OK ||
        s->io->ops->save_string(s->io, v->p, v->len) != FR_OK)
        s->rc = FR_ERR;
}

int hv_rdb_save(fr_rdb_io *io, const void *p) {
    const hash_obj *h = p;
    if (h->enc == HASH_ENC_LISTPACK) return io->ops->save_string(io, h->lp, lp_bytes(h->lp));
    if (io->ops->save_len(io, ht_len(h->ht)) != FR_OK) return FR_ERR;
    save_ctx s = {io, FR_OK};
    hv_foreach(h, save_pair, &s);
    return s.rc;
}

/* ---- loading ------------------------------------------------------------ */

static hash_obj *load_pairs_into_table(fr_rdb_io *io, hash_obj *h, uint64_t left) {
    while (left--) {
        fr_str *f = io->ops->load_string(io), *v = f ? io->ops->load_string(io) : NULL;
        if (!v) {
            fr_str_free(f);
            hv_free(h);
            return NULL;
        }
        int added = ht_set(h->ht, f->buf, f->len, v->buf, v->len);
        fr_str_free(f);
        fr_str_free(v);
        if (!added) {
            io->ops->error(io, "Duplicate hash fields detected");
            hv_free(h);
            return NULL;
        }
    }
    return h;
}

/* RDB_TYPE_HASH: a listpack while it stays small, as Redis builds it. */
static void *load_plain(fr_rdb_io *io) {
    uint64_t len;
    if (io->ops->load_len(io, &len) != FR_OK) return NULL;
    if (len == 0) {
        io->ops->error(io, "Empty hash (RDB type 4)");
        return NULL;
    }
    /* The count is untrusted: size the table for it only up to a bound,
     * it grows from there as pairs really arrive. */
    if (len > hv_max_entries())
        return load_pairs_into_table(io, hv_new_ht(len < HASH_LOAD_PRESIZE_MAX ? len : HASH_LOAD_PRESIZE_MAX), len);
    hash_obj *h = hv_new();
    while (len > 0) {
        len--;
        fr_str *f = io->ops->load_string(io), *v = f ? io->ops->load_string(io) : NULL;
        if (!v) {
            fr_str_free(f);
            hv_free(h);
            return NULL;
        }
        int dup = hv_get(h, f->buf, f->len, NULL);
        size_t max = hv_max_value();
        if (!dup && (f->len > max || v->len > max ||
                     lp_bytes(h->lp) + f->len + v->len > HASH_LP_SAFETY_SIZE)) {
            hv_convert_to_ht(h);
            ht_set(h->ht, f->buf, f->len, v->buf, v->len);
            fr_str_free(f);
            fr_str_free(v);
            return load_pairs_into_table(io, h, len);
        }
        if (!dup) {
            h->lp = lp_append(h->lp, f->buf, f->len);
            h->lp = lp_append(h->lp, v->buf, v->len);
        }
        fr_str_free(f);
        fr_str_free(v);
        if (dup) {
            io->ops->error(io, "Hash with dup elements");
            hv_free(h);
            return NULL;
        }
    }
    return h;
}

/* A listpack, ziplist or zipmap blob turned into a listpack hash. */
static void *load_blob(fr_rdb_io *io, int rdb_type) {
    fr_str *blob = io->ops->load_string(io);
    if (!blob) return NULL;
    unsigned char *lp = NULL;
    size_t maxlen = 0;
    const char *what = "listpack";
    if (rdb_type == RDB_TYPE_HASH_LISTPACK) {
        if (lp_validate((const unsigned char *)blob->buf, blob->len, 1))
            lp = lp_from_bytes(blob->buf, blob->len);
    } else if (rdb_type == RDB_TYPE_HASH_ZIPLIST) {
        what = "ziplist";
        lp = lp_from_ziplist_pairs((const unsigned char *)blob->buf, blob->len);
    } else {
        what = "zipmap";
        lp = hash_lp_from_zipmap((const unsigned char *)blob->buf, blob->len, HASH_LP_SAFETY_SIZE,
                                 &maxlen);
    }
    fr_str_free(blob);
    if (!lp) {
        io->ops->error(io, "Hash %s integrity check failed.", what);
        return NULL;
    }
    if (lp_count(lp) == 0) {
        lp_free(lp);
        io->ops->error(io, "Empty hash (RDB type %d)", rdb_type);
        return NULL;
    }
    hash_obj *h = hv_from_lp(lp);
    hv_convert_if_too_long(h);
    if (maxlen > hv_max_value()) hv_convert_to_ht(h);
    return h;
}

void *hv_rdb_load(fr_rdb_io *io, int rdb_type) {
    switch (rdb_type) {
    case RDB_TYPE_HASH:
        return load_plain(io);
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_ZIPMAP:
        return load_blob(io, rdb_type);
    default:
        io->ops->error(io, "the hash type cannot load RDB type %d", rdb_type);
        return NULL;
    }
}

/* set_rdb.c -- the "set" type's RDB callbacks.
 *
 * An intset-encoded set saves as RDB type 11: its blob as one string (the
 * RDB module may LZF-compress it, as Redis does), so DUMP of an intset is
 * byte for byte Redis's.  A hashtable-encoded set saves as type 2: the
 * member count, then each member as a string.
 *
 * Loading never trusts the payload: an intset blob must pass the full
 * check (encoding 2/4/8, length matching the size, not empty, strictly
 * increasing) whatever sanitize-dump-payload says, a type-2 set must have
 * members and no duplicates; anything else is refused with Redis's
 * message, which RESTORE turns into "Bad data format".  A loaded set gets
 * the encoding Redis gives it: an intset above set-max-intset-entries
 * becomes a hashtable, a type-2 set of few integers an intset. */
#include "set_internal.h"

/* Pre-size a loaded hashtable from the declared count, but never trust a
 * corrupt count with a huge allocation: the table grows as members come. */
#define SET_RDB_PRESIZE_MAX 65536u

int set_rdb_type_of(const void *payload) {
    return ((const setval *)payload)->enc == ST_INTSET ? SET_RDB_TYPE_SET_INTSET
                                                       : SET_RDB_TYPE_SET;
}

int set_rdb_save(fr_rdb_io *io, const void *payload) {
    const setval *s = payload;
    if (s->enc == ST_INTSET) return io->ops->save_string(io, iset_blob(s->u.is), iset_blob_len(s->u.is));
    if (io->ops->save_len(io, sh_count(s->u.h)) != FR_OK) return FR_ERR;
    sh_iter it = {0, NULL};
    const sh_entry *e;
    while ((e = sh_next(s->u.h, &it))) {
        size_t len;
        const char *m = sh_member(e, &len);
        if (io->ops->save_string(io, m, len) != FR_OK) return FR_ERR;
    }
    return FR_OK;
}

static void *load_intset(fr_rdb_io *io) {
    fr_str *blob = io->ops->load_string(io);
    if (!blob) return NULL;
    if (!iset_validate(blob->buf, blob->len)) {
        fr_str_free(blob);
        io->ops->error(io, "Intset integrity check failed.");
        return NULL;
    }
    setval *s = st_new_intset();
    iset_free(s->u.is);
    s->u.is = iset_from_blob(blob->buf, blob->len);
    fr_str_free(blob);
    if (iset_len(s->u.is) > st_max_intset_entries()) st_convert_to_hashtable(s);
    return s;
}

static void *load_members(fr_rdb_io *io) {
    uint64_t len;
    if (io->ops->load_len(io, &len) != FR_OK) return NULL;
    if (len == 0) {
        io->ops->error(io, "empty set (Redis skips such a key)");
        return NULL;
    }
    setval *s = len > st_max_intset_entries()
                    ? st_new_hashtable(len < SET_RDB_PRESIZE_MAX ? (size_t)len : SET_RDB_PRESIZE_MAX)
                    : st_new_intset();
    for (uint64_t i = 0; i < len; i++) {
        fr_str *m = io->ops->load_string(io);
        if (!m) goto fail;
        int added = st_add(s, m->buf, m->len);
        fr_str_free(m);
        if (!added) {
            io->ops->error(io, "Duplicate set members detected");
            goto fail;
        }
    }
    return s;
fail:
    st_free(s);
    return NULL;
}

void *set_rdb_load(fr_rdb_io *io, int rdb_type) {
    if (rdb_type == SET_RDB_TYPE_SET_INTSET) return load_intset(io);
    if (rdb_type == SET_RDB_TYPE_SET) return load_members(io);
    io->ops->error(io, "the set type cannot load RDB type %d", rdb_type);
    return NULL;
}

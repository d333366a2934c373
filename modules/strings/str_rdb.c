/* str_rdb.c -- the "string" type's RDB callbacks.
 *
 * Owns how a string payload is written to and read from an fr_rdb_io (the
 * RDB module owns the byte format).  Saving: a value Redis holds
 * int-encoded goes through save_ll_string, every other one through
 * save_string, which picks the integer, LZF or raw form as Redis does for
 * raw strings.  Loading gives the value the encoding Redis's
 * tryObjectEncoding gives it: int for canonical integer text (shared
 * 0..9999), embstr up to 44 bytes (copied into its compact block), raw
 * beyond (the loaded fr_str, exact in size, is adopted, not copied).
 * Reads the payload only through str_value.c and str_pure.h's helpers.
 * Invariant: only RDB type 0 (RDB_TYPE_STRING) is read here. */
#include "strings_internal.h"

int sv_rdb_save(fr_rdb_io *io, const void *p) {
    long long v;
    if (sv_is_inline(p)) return io->ops->save_ll_string(io, sv_inline_value(p));
    if (sv_kind(p) == SV_KIND_INTTEXT && sv_get_ll(p, &v))
        return io->ops->save_ll_string(io, v);
    char tmp[SR_LL_CHARS];
    size_t len;
    const char *b = sv_bytes(p, tmp, &len);
    return io->ops->save_string(io, b, len);
}

void *sv_rdb_load(fr_rdb_io *io, int rdb_type) {
    if (rdb_type != 0) {
        io->ops->error(io, "the string type cannot load RDB type %d", rdb_type);
        return NULL;
    }
    fr_str *s = io->ops->load_string(io);
    if (!s) return NULL;
    long long v;
    void *p;
    switch (sr_classify(s->buf, s->len, &v)) {
    case SR_ENC_INT:
        fr_str_free(s);
        return sv_from_ll(v);
    case SR_ENC_EMBSTR:
        p = sv_from_plain(s->buf, s->len);
        fr_str_free(s);
        return p;
    default:
        return sv_from_raw_str(fr_str_shrink(s));
    }
}

/* module.c -- the set module's value type.
 *
 * Owns the "set" type's registration: RDB type 2 (a list of members) is
 * its main id and 11 (an intset blob) the other one; a payload saves under
 * the id of its encoding (set_rdb_type_of).  The command table and the
 * descriptor are generated from set.yaml (glue.c).  Invariant: g_set_type
 * is non-NULL from a successful init until deinit.  Other modules read a
 * set's members through foreach_member only. */
#include "set_internal.h"

const fr_type *g_set_type;

static const int set_rdb_load_types[] = {SET_RDB_TYPE_SET_INTSET, -1};

static const fr_type_def set_def = {
    .name = "set",
    .rdb_type = SET_RDB_TYPE_SET,
    .free = st_free,
    .free_effort = st_free_effort,
    .dup = st_dup,
    .encoding = st_encoding,
    .mem_usage = st_mem_usage,
    .rdb_save = set_rdb_save,
    .rdb_load = set_rdb_load,
    .rdb_load_types = set_rdb_load_types,
    .rdb_type_of = set_rdb_type_of,
    .foreach_member = set_foreach_member,
};

/* DEBUG DIGEST: Redis's object type 2, then each member's text xor-ed in,
 * so the digest does not depend on the iteration order. */
void set_digest(unsigned char digest[20], const void *payload) {
    static const unsigned char type_set[4] = {0, 0, 0, 2};
    fr_digest_mix(digest, type_set, sizeof(type_set));
    st_iter it;
    st_member m;
    st_iter_init(&it, payload);
    while (st_next(&it, &m)) fr_digest_xor(digest, m.p, m.len);
}

/* The members for another module (ZUNIONSTORE & co read a set through
 * the type, fr_type_def.foreach_member), in the encoding's order. */
void set_foreach_member(const void *payload, void (*fn)(void *priv, const char *member, size_t len),
                        void *priv) {
    st_iter it;
    st_member m;
    st_iter_init(&it, payload);
    while (st_next(&it, &m)) fn(priv, m.p, m.len);
}

int set_init(fr_module *m) {
    fr_type *t = fr_type_register(m, &set_def);
    g_set_type = t;
    return t && fr_type_set_digest(t, set_digest) == FR_OK ? FR_OK : FR_ERR;
}

void set_deinit(fr_module *m) {
    (void)m;
    g_set_type = NULL;
}

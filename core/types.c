/* types.c -- the registry of value types modules add (string, later list,
 * hash...).
 *
 * A type is what TYPE and OBJECT ENCODING report and what persistence
 * modules (RDB, AOF rewrite) dispatch on through its RDB type ids, so the
 * RDB module needs no knowledge of any type.  Names and RDB type ids are
 * unique across modules; a module's types leave with it on rollback. */
#include <stddef.h>
#include <string.h>

#include "keyspace.h"

struct fr_type {
    const fr_type_def *def;
    fr_module *owner;
    struct fr_type *next;
    unsigned id;        /* 1..FR_TYPE_MAX_ID: what a key entry stores */
    fr_type_digest_fn digest;   /* DEBUG DIGEST's view of a value, or NULL */
    fr_type_def *own_def;       /* def's zero-extended copy, or NULL */
};

static fr_type *types;
/* A key entry stores its type as a one-byte id (see kv.h), so ids index
 * this table; 0 is never used. */
static fr_type *types_by_id[FR_TYPE_MAX_ID + 1];

static unsigned free_type_id(void)
{
    for (unsigned id = 1; id <= FR_TYPE_MAX_ID; id++)
        if (!types_by_id[id]) return id;
    return 0;
}

/* How much of fr_type_def a module built for SDK 4.<minor> knows: the
 * first member each minor added marks where the older struct ended. */
static size_t def_size_for_minor(int minor)
{
    if (minor < 4) return offsetof(fr_type_def, size_allowed_or_reply);
    if (minor < 5) return offsetof(fr_type_def, free_effort);
    return sizeof(fr_type_def);
}

fr_type *fr_type_register(fr_module *m, const fr_type_def *def)
{
    if (!def || !def->name || !def->free) {
        fr_log(FR_LOG_WARNING, "module %s: a type needs a name and a free callback", fr_type_owner_name(m));
        return NULL;
    }
    for (fr_type *t = types; t; t = t->next) {
        if (!strcmp(t->def->name, def->name)) {
            fr_log(FR_LOG_WARNING, "module %s: type '%s' is already registered by module %s",
                   fr_type_owner_name(m), def->name, fr_type_owner_name(t->owner));
            return NULL;
        }
        if (def->rdb_type >= 0 && t->def->rdb_type == def->rdb_type) {
            fr_log(FR_LOG_WARNING, "module %s: RDB type %d of '%s' is already used by type '%s'",
                   fr_type_owner_name(m), def->rdb_type, def->name, t->def->name);
            return NULL;
        }
    }
    unsigned id = free_type_id();
    if (!id) {
        fr_log(FR_LOG_WARNING, "module %s: type '%s' refused: all %d type ids are in use",
               fr_type_owner_name(m), def->name, FR_TYPE_MAX_ID);
        return NULL;
    }
    fr_type *t = fr_calloc(sizeof(*t));
    t->def = def;
    /* A module built for an older SDK hands in a shorter struct: the
     * callbacks added since are read as absent from a zeroed copy rather
     * than past the end of its definition. */
    size_t known = def_size_for_minor(fr_type_owner_sdk_minor(m));
    if (known < sizeof(fr_type_def)) {
        t->own_def = fr_calloc(sizeof(*t->own_def));
        memcpy(t->own_def, def, known);
        t->def = t->own_def;
    }
    t->owner = m;
    t->id = id;
    t->next = types;
    types = t;
    types_by_id[id] = t;
    return t;
}

unsigned fr_type_id(const fr_type *t)
{
    return t->id;
}

const fr_type *fr_type_by_id(unsigned id)
{
    return id <= FR_TYPE_MAX_ID ? types_by_id[id] : NULL;
}

const char *fr_type_name(const fr_type *t)
{
    return t ? t->def->name : "none";
}

const fr_type_def *fr_type_def_of(const fr_type *t)
{
    return t ? t->def : NULL;
}

/* The type that loads RDB type id `rdb_type`, main or legacy encoding. */
const fr_type *fr_type_by_rdb(int rdb_type)
{
    for (fr_type *t = types; t; t = t->next) {
        if (t->def->rdb_type == rdb_type) return t;
        for (const int *p = t->def->rdb_load_types; p && *p >= 0; p++)
            if (*p == rdb_type) return t;
    }
    return NULL;
}

void fr_types_remove_module(fr_module *m)
{
    fr_lazyfree_drain(); /* no queued free may call the leaving code */
    fr_type **pp = &types;
    while (*pp) {
        if ((*pp)->owner == m) {
            fr_type *dead = *pp;
            *pp = dead->next;
            types_by_id[dead->id] = NULL;
            fr_free(dead->own_def);
            fr_free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
}

FR_API int fr_type_set_digest(fr_type *t, fr_type_digest_fn fn)
{
    if (!t) return FR_ERR;
    t->digest = fn;
    return FR_OK;
}

fr_type_digest_fn fr_type_digest_of(const fr_type *t)
{
    return t ? t->digest : NULL;
}

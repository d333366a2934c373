/* cmdtable.c -- the table of top-level commands, by case-insensitive name.
 *
 * Entries point into the owning module's manifest (names and metadata are
 * never copied: the manifest is the single source of truth).  Keys are
 * (pointer, length) pairs, so a lookup hashes the client's bytes where they
 * are, with no copy and no strlen; a stored key is a small cmd_name that
 * points at the manifest's name and is freed with the entry.  Subcommands
 * are found through their container, so a name appears here once. */
#include <stdio.h>
#include <string.h>

#include "hist.h"
#include "runtime.h"

#define CMD_NAME_MAX 128 /* longer names are never commands */

typedef struct cmd_name {
    const char *p;
    size_t len;
} cmd_name;

/* FNV-1a over the lower-cased bytes.  No keyed hash needed: clients only
 * look names up, the table holds the manifests' names alone and never
 * grows with client input, so colliding names cost nothing but a compare. */
static uint64_t name_hash(const void *key)
{
    const cmd_name *k = key;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < k->len; i++) {
        unsigned char c = (unsigned char)k->p[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c | 0x20 : c)) * 0x100000001b3ULL;
    }
    return h;
}

static int name_equal(const void *a, const void *b)
{
    const cmd_name *x = a, *y = b;
    return x->len == y->len && fr_dict_bytes_equal_nocase(x->p, y->p, x->len);
}

static const fr_dict_type cmd_dict_type = {
    .hash = name_hash,
    .key_compare = name_equal,
    .key_free = fr_free,
};

static fr_dict *commands;

/* The last top-level command resolved by name (pipelines repeat one command
 * over and over).  Only commands without subcommands are cached, keyed by
 * the exact bytes the client sent; any change to the table clears it. */
static struct {
    char name[32];
    size_t len;
    const fr_cmd_meta *cmd;
} last;

static void forget_last(void)
{
    last.cmd = NULL;
}

int fr_cmdtable_init(void)
{
    commands = fr_dict_create(&cmd_dict_type);
    return commands ? 0 : -1;
}

int fr_cmdtable_add_manifest(const fr_manifest *mf, void *owner, char *err, size_t errlen)
{
    for (int i = 0; i < mf->ncmds; i++) {
        const char *name = mf->cmds[i].name;
        const fr_cmd_meta *c = fr_cmdtable_lookup(name, strlen(name));
        if (!c) continue;
        snprintf(err, errlen, "%s:%d: command '%s' is already declared by module '%s'", mf->path, mf->cmds[i].line,
                 mf->cmds[i].name, fr_cmd_module_name(c) ? fr_cmd_module_name(c) : "core");
        return -1;
    }
    forget_last();
    for (int i = 0; i < mf->ncmds; i++) {
        fr_cmd_meta *c = &mf->cmds[i];
        c->owner = owner;
        for (int j = 0; j < c->nsubcmds; j++) c->subcmds[j].owner = owner;
        cmd_name *key = fr_malloc(sizeof(*key));
        key->p = c->name;
        key->len = strlen(c->name);
        fr_dict_add(commands, key, c);
    }
    return 0;
}

void fr_cmdtable_remove_owner(void *owner)
{
    forget_last();
    if (!commands) return;
    fr_dict_iter it;
    fr_dict_iter_init_safe(&it, commands);
    fr_dict_entry *e;
    while ((e = fr_dict_iter_next(&it)) != NULL) {
        fr_cmd_meta *c = e->v.val;
        if (c->owner == owner) fr_dict_delete(commands, e->key);
    }
    fr_dict_iter_release(&it);
}

/* A name with a NUL byte matches nothing: manifest names have none. */
const fr_cmd_meta *fr_cmdtable_lookup(const char *name, size_t len)
{
    if (len >= CMD_NAME_MAX) return NULL;
    cmd_name key = {name, len};
    return fr_dict_fetch_value(commands, &key);
}

fr_cmd_meta *fr_cmdtable_lookup_mut(const char *fullname)
{
    const char *bar = strchr(fullname, '|');
    const fr_cmd_meta *base = fr_cmdtable_lookup(fullname, bar ? (size_t)(bar - fullname) : strlen(fullname));
    if (!base || !bar) return (fr_cmd_meta *)base;
    return (fr_cmd_meta *)fr_cmd_find_subcmd(base, bar + 1, strlen(bar + 1));
}

/* Redis's lookupCommand: a container with arguments resolves its
 * subcommand (NULL when unknown); alone, it is the container itself. */
const fr_cmd_meta *fr_cmdtable_lookup_argv(int argc, const fr_str *const *argv)
{
    const fr_str *name = argv[0];
    if (last.cmd && name->len == last.len && !memcmp(name->buf, last.name, last.len)) return last.cmd;
    const fr_cmd_meta *base = fr_cmdtable_lookup(name->buf, name->len);
    if (base && base->nsubcmds == 0 && name->len < sizeof(last.name)) {
        memcpy(last.name, name->buf, name->len);
        last.len = name->len;
        last.cmd = base;
    }
    if (!base || argc == 1 || base->nsubcmds == 0) return base;
    if (memchr(argv[1]->buf, '\0', argv[1]->len)) return NULL;
    return fr_cmd_find_subcmd(base, argv[1]->buf, argv[1]->len);
}

void fr_cmdtable_foreach(void (*fn)(const fr_cmd_meta *c, void *priv), void *priv)
{
    fr_dict_iter it;
    fr_dict_iter_init(&it, commands);
    fr_dict_entry *e;
    while ((e = fr_dict_iter_next(&it)) != NULL) fn(e->v.val, priv);
    fr_dict_iter_release(&it);
}

size_t fr_cmdtable_count(void)
{
    return fr_dict_size(commands);
}

/* NULL for the core's own commands: COMMAND LIST FILTERBY MODULE lists
 * module commands only, as Redis does. */
const char *fr_cmd_module_name(const fr_cmd_meta *c)
{
    fr_module *m = c->owner;
    if (!m || fr_module_is_builtin(m)) return NULL;
    return fr_module_name(m);
}

static void reset_one(fr_cmd_meta *c)
{
    memset(&c->stats, 0, sizeof(c->stats));
    fr_hist_free(c->latency_hist);
    c->latency_hist = NULL;
    for (int i = 0; i < c->nsubcmds; i++) reset_one(&c->subcmds[i]);
}

static void reset_cb(const fr_cmd_meta *c, void *priv)
{
    (void)priv;
    reset_one((fr_cmd_meta *)c);
}

void fr_cmdtable_reset_stats(void)
{
    fr_cmdtable_foreach(reset_cb, NULL);
}

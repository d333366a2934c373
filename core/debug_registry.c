/* debug_registry.c -- who serves what in DEBUG: the subcommands modules
 * serve (declared in their manifest's `debug:` list, registered by the
 * generated glue), the provider of DEBUG OBJECT's serializedlength, and
 * the enable-debug-command gate.
 *
 * Invariants: a subcommand name is served by one module at most, and only
 * if that module's manifest lists it; a module's entries leave with it
 * (rollback).  The core's own subcommands (cmd_debug.c) are looked up
 * first and are not in this table. */
#include <string.h>
#include <strings.h>

#include "runtime.h"

typedef struct debug_entry {
    struct debug_entry *next;
    char *name;
    fr_command_fn fn;
    fr_module *owner;
} debug_entry;

static debug_entry *entries;
static fr_serialized_len_fn serialized_len;
static fr_module *serialized_len_owner;

static int declared(const fr_module *m, const char *name)
{
    const fr_manifest *mf = fr_module_manifest(m);
    for (int i = 0; mf && i < mf->ndebug; i++)
        if (!strcasecmp(mf->debug[i], name)) return 1;
    return 0;
}

FR_API int fr_debug_register(fr_module *m, const char *name, fr_command_fn fn)
{
    if (!m || !name || !fn || !declared(m, name)) {
        fr_log(FR_LOG_WARNING, "module %s: DEBUG %s is not declared in its manifest", m ? fr_module_name(m) : "?",
               name ? name : "?");
        return FR_ERR;
    }
    for (debug_entry *e = entries; e; e = e->next)
        if (!strcasecmp(e->name, name)) {
            fr_log(FR_LOG_WARNING, "module %s: DEBUG %s is already served by module %s", fr_module_name(m), name,
                   fr_module_name(e->owner));
            return FR_ERR;
        }
    debug_entry *e = fr_calloc(sizeof(*e));
    e->name = fr_strdup(name);
    e->fn = fn;
    e->owner = m;
    e->next = entries;
    entries = e;
    return FR_OK;
}

fr_command_fn fr_debug_find(const char *name, fr_module **owner)
{
    for (debug_entry *e = entries; e; e = e->next)
        if (!strcasecmp(e->name, name)) {
            if (owner) *owner = e->owner;
            return e->fn;
        }
    return NULL;
}

FR_API int fr_serialized_len_register(fr_module *m, fr_serialized_len_fn fn)
{
    if (serialized_len_owner && serialized_len_owner != m) return FR_ERR;
    serialized_len = fn;
    serialized_len_owner = fn ? m : NULL;
    return FR_OK;
}

size_t fr_serialized_len(const fr_value *v)
{
    return serialized_len ? serialized_len(v) : 0;
}

void fr_debug_remove_module(fr_module *m)
{
    debug_entry **pp = &entries;
    while (*pp) {
        debug_entry *e = *pp;
        if (e->owner != m) {
            pp = &e->next;
            continue;
        }
        *pp = e->next;
        fr_free(e->name);
        fr_free(e);
    }
    if (serialized_len_owner == m) serialized_len = NULL, serialized_len_owner = NULL;
}

/* Redis's processCommand refuses DEBUG (a PROTECTED command) unless
 * enable-debug-command is yes, or local and the client is local. */
const char *fr_debug_refusal(const fr_cmd_meta *cmd, const fr_client *c)
{
    if (!(cmd->flags & FR_CMD_PROTECTED) || strcmp(cmd->fullname, "debug")) return NULL;
    int mode = fr_cfg.enable_debug_command;
    if (mode == 1 || (mode == 2 && c->is_local)) return NULL;
    return "DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from "
           "a local connection, otherwise you need to set this option in the configuration file, and then restart "
           "the server.";
}

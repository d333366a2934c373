/* cmdtable.h -- the table of every command the loaded manifests declare.
 *
 * Commands are keyed by lower-case name; subcommands hang off their container
 * (fr_cmd_meta.subcmds).  A command enters the table when its module's
 * manifest is accepted and leaves it when the module is rolled back; the core's
 * dispatcher, COMMAND and INFO commandstats all read this one table. */
#ifndef FR_CMDTABLE_H
#define FR_CMDTABLE_H

#include "frankenredis.h"
#include "manifest.h"

int fr_cmdtable_init(void);
/* Adds every command of `m`'s manifest; on a name clash nothing is added and
 * err names both owners. */
int fr_cmdtable_add_manifest(const fr_manifest *mf, void *owner, char *err,
                             size_t errlen);
void fr_cmdtable_remove_owner(void *owner);
const fr_cmd_meta *fr_cmdtable_lookup(const char *name, size_t len);
const fr_cmd_meta *fr_cmdtable_lookup_argv(int argc, const fr_str *const *argv);
fr_cmd_meta *fr_cmdtable_lookup_mut(const char *fullname);
void fr_cmdtable_foreach(void (*fn)(const fr_cmd_meta *c, void *priv), void *priv);
size_t fr_cmdtable_count(void);
const char *fr_cmd_module_name(const fr_cmd_meta *c);
void fr_cmdtable_reset_stats(void);

#endif

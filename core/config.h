/* config.h -- directive table shared by the config file, the command line,
 * CONFIG GET/SET and the directives that module manifests declare. */
#ifndef FR_CONFIG_H
#define FR_CONFIG_H

#include "frankenredis.h"
#include "manifest.h"

/* Adds a directive a module's manifest declares; returns its handle (owned
 * by the table until fr_config_remove_module) or NULL with *err. */
typedef struct conf_def fr_conf_handle;
fr_conf_handle *fr_config_add_module_directive(const char *module, const fr_conf_def *decl,
                                               char *err, size_t errlen);
/* The current value of a module directive: numbers and yes/no (yes = 1). */
long long fr_config_handle_ll(const fr_conf_handle *h);
/* The text of a module string directive ("" for other types). */
const char *fr_config_handle_str(const fr_conf_handle *h);
void fr_config_handle_set_check(fr_conf_handle *h, fr_conf_check_fn fn);
void fr_config_remove_module(const char *module);
int fr_config_apply_pending(char *err, size_t errlen);
int fr_config_set_many(int n, const char *const *names, const char *const *values,
                       const char **bad_name, const char **err);
int fr_config_is_core(const char *name);

#endif

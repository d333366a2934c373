/* manifest-glue.c -- writes a module's C glue from its manifest, so that what
 * the manifest declares and what the C code provides cannot drift apart.
 *
 * glue.h declares, for module M:
 *   - one handler per command and subcommand: cmd_<name> (fr_cmd_<name> for
 *     the built-in core), with '|', '.' and '-' turned into '_';
 *   - one callback per hook the manifest lists: M_on_<hook>;
 *   - optional M_init / M_deinit (weak: a module defines them or not), run
 *     after the commands are registered and before the hooks are;
 *   - one typed accessor per config directive: M_conf_<name>(), reading the
 *     directive by its position, so an undeclared name does not compile;
 *   - fr_module *M_module, the module's handle from init to deinit.
 * glue.c defines the registration tables, the accessors, the manifest
 * digest and the descriptor (FR_MODULE) whose init/deinit do the wiring.
 * A handler or hook the module forgets is a link error at dlopen time (the
 * loader refuses the module, naming the symbol); a name the module misspells
 * is a compile error against the generated prototypes. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "manifest-glue.h"

/* Writes `s` as a C identifier fragment: a-z0-9 kept, others '_'. */
static void put_ident(FILE *f, const char *s)
{
    for (; *s; s++) fputc(isalnum((unsigned char)*s) ? tolower((unsigned char)*s) : '_', f);
}

static void put_upper_ident(FILE *f, const char *s)
{
    for (; *s; s++) fputc(isalnum((unsigned char)*s) ? toupper((unsigned char)*s) : '_', f);
}

static int is_core(const fr_manifest *m)
{
    return !strcmp(m->name, "core");
}

static void put_handler_name(FILE *f, const fr_manifest *m, const fr_cmd_meta *c)
{
    fputs(is_core(m) ? "fr_cmd_" : "cmd_", f);
    put_ident(f, c->fullname);
}

/* Calls fn for every command that has a handler: top-level commands without
 * subcommands, and every subcommand.  A container with subcommands has no
 * handler of its own unless the manifest gives it an arity of its own
 * (COMMAND with no subcommand). */
static void foreach_handler(const fr_manifest *m, void (*fn)(FILE *, const fr_manifest *, const fr_cmd_meta *),
                            FILE *f)
{
    for (int i = 0; i < m->ncmds; i++) {
        const fr_cmd_meta *c = &m->cmds[i];
        if (!c->nsubcmds || glue_container_has_handler(c)) fn(f, m, c);
        for (int j = 0; j < c->nsubcmds; j++) fn(f, m, &c->subcmds[j]);
    }
}

/* COMMAND (no subcommand) runs a handler; CONFIG or CLIENT alone is an
 * arity error.  Redis marks the difference with the container's arity:
 * -2 and beyond need a subcommand, a container that accepts none has -1. */
int glue_container_has_handler(const fr_cmd_meta *c)
{
    return c->nsubcmds && c->arity == -1;
}

static void put_prototype(FILE *f, const fr_manifest *m, const fr_cmd_meta *c)
{
    fputs("void ", f);
    put_handler_name(f, m, c);
    fputs("(fr_ctx *ctx);\n", f);
}

static void put_table_entry(FILE *f, const fr_manifest *m, const fr_cmd_meta *c)
{
    fprintf(f, "    {\"%s\", ", c->fullname);
    put_handler_name(f, m, c);
    fputs("},\n", f);
}

static void put_hook_fn(FILE *f, const fr_manifest *m, int id)
{
    put_ident(f, m->name);
    fputs("_on_", f);
    put_ident(f, fr_hook_name(id));
}

static void put_conf_fn(FILE *f, const fr_manifest *m, const fr_conf_def *d)
{
    put_ident(f, m->name);
    fputs("_conf_", f);
    put_ident(f, d->name);
}

static const char *conf_comment(const fr_conf_def *d)
{
    switch (d->type) {
    case FR_CONF_BOOL: return "yes = 1, no = 0";
    case FR_CONF_ENUM: return "position in the manifest's values";
    default: return "current value";
    }
}

int glue_write_header(const fr_manifest *m, FILE *f)
{
    fprintf(f, "/* generated from %s by fr-manifest-tool: do not edit.\n"
               " * What module '%s' must define (see tools/manifest-glue.c). */\n",
            m->path, m->name);
    fputs("#ifndef FR_GLUE_", f);
    put_upper_ident(f, m->name);
    fputs("_H\n#define FR_GLUE_", f);
    put_upper_ident(f, m->name);
    fputs("_H\n\n#include \"frankenredis.h\"\n\n/* command handlers */\n", f);
    foreach_handler(m, put_prototype, f);
    if (m->hooks_mask) fputs("\n/* hook callbacks */\n", f);
    for (int id = 0; id < FR_HOOK__COUNT; id++) {
        if (!(m->hooks_mask & (1u << id))) continue;
        fputs("int ", f);
        put_hook_fn(f, m, id);
        fputs("(const fr_hook_event *ev, void *priv);\n", f);
    }
    if (m->nconfig) fputs("\n/* config directives, read when called (CONFIG SET applies at once) */\n", f);
    for (int i = 0; i < m->nconfig; i++) {
        fputs("long long ", f);
        put_conf_fn(f, m, &m->config[i]);
        fprintf(f, "(void); /* %s: %s */\n", m->config[i].name, conf_comment(&m->config[i]));
    }
    if (!is_core(m)) {
        fputs("\n/* optional: run after the commands are registered, before the hooks */\n", f);
        fputs("int ", f);
        put_ident(f, m->name);
        fputs("_init(fr_module *m) __attribute__((weak));\nvoid ", f);
        put_ident(f, m->name);
        fputs("_deinit(fr_module *m) __attribute__((weak));\n\n/* the module's handle from init to deinit */\n"
              "extern fr_module *",
              f);
        put_ident(f, m->name);
        fputs("_module;\n", f);
    } else {
        fputs("\nint fr_core_commands_register(fr_module *m);\n", f);
    }
    fputs("\n#endif\n", f);
    return ferror(f) ? -1 : 0;
}

static void put_register_commands(const fr_manifest *m, FILE *f)
{
    fputs("static const struct {\n    const char *name;\n    fr_command_fn fn;\n} commands[] = {\n", f);
    foreach_handler(m, put_table_entry, f);
    fputs("};\n\nstatic int register_commands(fr_module *m)\n{\n"
          "    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)\n"
          "        if (fr_command_register(m, commands[i].name, commands[i].fn) != FR_OK) {\n",
          f);
    fprintf(f, "            fr_log(FR_LOG_WARNING, \"%s: cannot register command '%%s'\", commands[i].name);\n"
               "            return FR_ERR;\n        }\n    return FR_OK;\n}\n",
            m->name);
}

static void put_register_hooks(const fr_manifest *m, FILE *f)
{
    fputs("\nstatic int register_hooks(fr_module *m)\n{\n", f);
    if (!m->hooks_mask) fputs("    (void)m;\n", f);
    for (int id = 0; id < FR_HOOK__COUNT; id++) {
        if (!(m->hooks_mask & (1u << id))) continue;
        fputs("    if (fr_hook_register(m, FR_HOOK_", f);
        put_upper_ident(f, fr_hook_name(id));
        fputs(", FR_HOOK_MIDDLE, ", f);
        put_hook_fn(f, m, id);
        fprintf(f, ", NULL) != FR_OK) {\n        fr_log(FR_LOG_WARNING, \"%s: cannot register hook '%s'\");\n"
                   "        return FR_ERR;\n    }\n",
                m->name, fr_hook_name(id));
    }
    fputs("    return FR_OK;\n}\n", f);
}

static void put_conf_accessors(const fr_manifest *m, FILE *f)
{
    for (int i = 0; i < m->nconfig; i++) {
        fputs("\nlong long ", f);
        put_conf_fn(f, m, &m->config[i]);
        fputs("(void)\n{\n    return fr_config_ll_at(", f);
        put_ident(f, m->name);
        fprintf(f, "_module, %d);\n}\n", i);
    }
}

/* init: handle, commands, the module's own init, hooks (undoing the
 * module's init if a hook cannot be registered; the core rolls back the
 * rest). */
static void put_descriptor(const fr_manifest *m, FILE *f)
{
    const char *n = m->name;
    fputs("\nstatic int glue_init(fr_module *m)\n{\n    ", f);
    put_ident(f, n);
    fputs("_module = m;\n    if (register_commands(m) != FR_OK) return FR_ERR;\n    if (", f);
    put_ident(f, n);
    fputs("_init && ", f);
    put_ident(f, n);
    fputs("_init(m) != FR_OK) return FR_ERR;\n    if (register_hooks(m) != FR_OK) {\n        if (", f);
    put_ident(f, n);
    fputs("_deinit) ", f);
    put_ident(f, n);
    fputs("_deinit(m);\n        return FR_ERR;\n    }\n    return FR_OK;\n}\n\n"
          "static void glue_deinit(fr_module *m)\n{\n    if (",
          f);
    put_ident(f, n);
    fputs("_deinit) ", f);
    put_ident(f, n);
    fputs("_deinit(m);\n    ", f);
    put_ident(f, n);
    fprintf(f, "_module = NULL;\n}\n\nFR_MODULE(\"%s\", glue_init, glue_deinit);\n", n);
}

static int write_core_source(const fr_manifest *m, FILE *f)
{
    put_register_commands(m, f);
    fputs("\nint fr_core_commands_register(fr_module *m)\n{\n    return register_commands(m);\n}\n", f);
    return ferror(f) ? -1 : 0;
}

int glue_write_source(const fr_manifest *m, const char *digest, FILE *f)
{
    fprintf(f, "/* generated from %s by fr-manifest-tool: do not edit. */\n#include \"%s\"\n\n", m->path,
            is_core(m) ? "core_glue.h" : "glue.h");
    if (is_core(m)) return write_core_source(m, f);
    fprintf(f, "/* the SHA-256 of the manifest this module is built from; the core\n"
               " * recomputes it when loading and refuses a mismatch */\n"
               "__attribute__((visibility(\"default\"))) const char fr_manifest_digest[] = \"%s\";\n\n"
               "fr_module *",
            digest);
    put_ident(f, m->name);
    fputs("_module;\n\n", f);
    put_register_commands(m, f);
    put_register_hooks(m, f);
    put_conf_accessors(m, f);
    put_descriptor(m, f);
    return ferror(f) ? -1 : 0;
}

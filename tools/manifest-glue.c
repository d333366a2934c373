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
 *     directive by its position, so an undeclared name does not compile,
 *     and M_conf_<name>_check for a directive declared `check: true`;
 *   - per INFO group: a struct of its fields (M_info_<group>_fields) and
 *     the function M_info_<group> that fills it when INFO shows it;
 *   - per DEBUG subcommand the manifest lists (`debug:`): M_debug_<name>,
 *     the handler of DEBUG <name> (it gets the whole DEBUG call);
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

static int conf_is_text(const fr_conf_def *d)
{
    return d->type == FR_CONF_STRING;
}

static const char *conf_comment(const fr_conf_def *d)
{
    switch (d->type) {
    case FR_CONF_BOOL: return "yes = 1, no = 0";
    case FR_CONF_ENUM: return "position in the manifest's values";
    case FR_CONF_STRING: return "text in force, valid until it changes";
    default: return "current value";
    }
}

static void put_conf_prototypes(const fr_manifest *m, FILE *f)
{
    if (m->nconfig) fputs("\n/* config directives, read when called (CONFIG SET applies at once) */\n", f);
    for (int i = 0; i < m->nconfig; i++) {
        const fr_conf_def *d = &m->config[i];
        fputs(conf_is_text(d) ? "const char *" : "long long ", f);
        put_conf_fn(f, m, d);
        fprintf(f, "(void); /* %s: %s */\n", d->name, conf_comment(d));
        if (!d->check) continue;
        fputs("/* checks a new value of ", f);
        fprintf(f, "%s (fr_conf_check_fn): NULL and the text to store in out, or the error */\nconst char *", d->name);
        put_conf_fn(f, m, d);
        fputs("_check(const fr_conf_update *u, char *out, size_t outlen);\n", f);
    }
}

/* <module>_info_<group>: the struct of one INFO group's fields and the
 * function the module writes to fill it (0: leave the group out). */
static void put_info_struct_name(FILE *f, const fr_manifest *m, const fr_info_decl *g)
{
    put_ident(f, m->name);
    fputs("_info_", f);
    put_ident(f, g->id);
}

static void put_info_types(const fr_manifest *m, FILE *f)
{
    for (int i = 0; i < m->ninfo; i++) {
        const fr_info_decl *g = &m->info[i];
        fprintf(f, "\n/* INFO %s fields, after %s: filled when INFO shows them */\ntypedef struct ", g->section,
                g->after ? g->after : "the section's other fields");
        put_info_struct_name(f, m, g);
        fputs("_fields {\n", f);
        for (int j = 0; j < g->nfields; j++)
            fprintf(f, "    %s%s;\n", g->fields[j].type == FR_INFO_INT ? "long long " : "const char *",
                    g->fields[j].name);
        fputs("} ", f);
        put_info_struct_name(f, m, g);
        fputs("_fields;\n/* returns 1 to show the fields, 0 to leave them out */\nint ", f);
        put_info_struct_name(f, m, g);
        fputs("(", f);
        put_info_struct_name(f, m, g);
        fputs("_fields *out);\n", f);
    }
}

static void put_debug_fn(FILE *f, const fr_manifest *m, const char *name)
{
    put_ident(f, m->name);
    fputs("_debug_", f);
    put_ident(f, name);
}

static void put_debug_prototypes(const fr_manifest *m, FILE *f)
{
    if (m->ndebug) fputs("\n/* DEBUG subcommands the module serves: the whole DEBUG call, argument 1 the name */\n", f);
    for (int i = 0; i < m->ndebug; i++) {
        fputs("void ", f);
        put_debug_fn(f, m, m->debug[i]);
        fputs("(fr_ctx *ctx);\n", f);
    }
}

static void put_register_debug(const fr_manifest *m, FILE *f)
{
    fputs("\nstatic int register_debug(fr_module *m)\n{\n", f);
    if (!m->ndebug) fputs("    (void)m;\n", f);
    for (int i = 0; i < m->ndebug; i++) {
        fprintf(f, "    if (fr_debug_register(m, \"%s\", ", m->debug[i]);
        put_debug_fn(f, m, m->debug[i]);
        fputs(") != FR_OK) return FR_ERR;\n", f);
    }
    fputs("    return FR_OK;\n}\n", f);
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
    put_conf_prototypes(m, f);
    put_info_types(m, f);
    put_debug_prototypes(m, f);
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
    if (m->ncmds == 0) { /* no table: an empty one is a GNU extension and warns */
        fputs("static int register_commands(fr_module *m)\n{\n    (void)m;\n    return FR_OK;\n}\n", f);
        return;
    }
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

static const char *hook_order_name(int order)
{
    return order == FR_HOOK_FIRST ? "FR_HOOK_FIRST" : order == FR_HOOK_LAST ? "FR_HOOK_LAST" : "FR_HOOK_MIDDLE";
}

static void put_register_hooks(const fr_manifest *m, FILE *f)
{
    fputs("\nstatic int register_hooks(fr_module *m)\n{\n", f);
    if (!m->hooks_mask) fputs("    (void)m;\n", f);
    for (int id = 0; id < FR_HOOK__COUNT; id++) {
        if (!(m->hooks_mask & (1u << id))) continue;
        fputs("    if (fr_hook_register(m, FR_HOOK_", f);
        put_upper_ident(f, fr_hook_name(id));
        fprintf(f, ", %s, ", hook_order_name(m->hook_order[id]));
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
        int text = conf_is_text(&m->config[i]);
        fputs(text ? "\nconst char *" : "\nlong long ", f);
        put_conf_fn(f, m, &m->config[i]);
        fputs(text ? "(void)\n{\n    return fr_config_str_at(" : "(void)\n{\n    return fr_config_ll_at(", f);
        put_ident(f, m->name);
        fprintf(f, "_module, %d);\n}\n", i);
    }
    fputs("\nstatic int register_checks(fr_module *m)\n{\n", f);
    int any = 0;
    for (int i = 0; i < m->nconfig; i++) {
        if (!m->config[i].check) continue;
        any = 1;
        fprintf(f, "    if (fr_config_check_at(m, %d, ", i);
        put_conf_fn(f, m, &m->config[i]);
        fputs("_check) != FR_OK) return FR_ERR;\n", f);
    }
    if (!any) fputs("    (void)m;\n", f);
    fputs("    return FR_OK;\n}\n", f);
}

/* One callback per INFO group: fill the module's struct, then write the
 * fields in the manifest's order. */
static void put_info_callbacks(const fr_manifest *m, FILE *f)
{
    for (int i = 0; i < m->ninfo; i++) {
        const fr_info_decl *g = &m->info[i];
        fprintf(f, "\nstatic void info_%d(fr_info_out *o, void *priv)\n{\n    (void)priv;\n    ", i);
        put_info_struct_name(f, m, g);
        fputs("_fields v;\n    memset(&v, 0, sizeof(v));\n    if (!", f);
        put_info_struct_name(f, m, g);
        fputs("(&v)) return;\n", f);
        for (int j = 0; j < g->nfields; j++)
            fprintf(f, "    fr_info_add_%s(o, \"%s\", v.%s);\n", g->fields[j].type == FR_INFO_INT ? "ll" : "text",
                    g->fields[j].name, g->fields[j].name);
        fputs("}\n", f);
    }
    fputs("\nstatic int register_info(fr_module *m)\n{\n", f);
    if (!m->ninfo) fputs("    (void)m;\n", f);
    for (int i = 0; i < m->ninfo; i++) {
        const fr_info_decl *g = &m->info[i];
        fprintf(f, "    if (fr_info_register(m, \"%s\", ", g->section);
        if (g->after) fprintf(f, "\"%s\"", g->after);
        else fputs("NULL", f);
        fprintf(f, ", info_%d, NULL) != FR_OK) return FR_ERR;\n", i);
    }
    fputs("    return FR_OK;\n}\n", f);
}

/* init: handle, commands, config checks, INFO groups, the module's own
 * init, hooks in the manifest's order (undoing the
 * module's init if a hook cannot be registered; the core rolls back the
 * rest). */
static void put_descriptor(const fr_manifest *m, FILE *f)
{
    const char *n = m->name;
    fputs("\nstatic int glue_init(fr_module *m)\n{\n    ", f);
    put_ident(f, n);
    fputs("_module = m;\n    if (register_commands(m) != FR_OK || register_checks(m) != FR_OK ||\n"
          "        register_info(m) != FR_OK || register_debug(m) != FR_OK)\n        return FR_ERR;\n    if (", f);
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
    if (!is_core(m)) fputs("#include <string.h>\n\n", f);
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
    put_info_callbacks(m, f);
    put_register_debug(m, f);
    put_descriptor(m, f);
    return ferror(f) ? -1 : 0;
}

/* fr-manifest-tool.c -- build-time companion of core/manifest.c.
 *
 *   fr-manifest-tool digest FILE   SHA-256 hex of the manifest's bytes; the
 *                                  build embeds it in the module's .so and the
 *                                  core compares it with the file it loads.
 *   fr-manifest-tool check FILE    load and validate; errors as file:line.
 *   fr-manifest-tool docs FILE     Markdown reference of the module.
 *   fr-manifest-tool glue-h FILE   the module's generated glue.h
 *   fr-manifest-tool glue-c FILE   the module's generated glue.c (handler
 *                                  and hook tables, config accessors,
 *                                  digest, descriptor): manifest-glue.c.
 *   fr-manifest-tool grammar FILE...
 *                                  the live fuzzer's command grammar of all
 *                                  the manifests, in the order given
 *                                  (manifest-grammar.c, docs/fuzz-grammar.md).
 *
 * Exit status: 0 success, 1 invalid manifest or I/O error, 2 usage.  Links
 * manifest.c, sha256.c and manifest-glue.c only, so it runs before the
 * server is built. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-glue.h"
#include "manifest-grammar.h"
#include "manifest.h"
#include "sha256.h"

static int usage(void) {
    fprintf(stderr, "usage: fr-manifest-tool digest|check|docs|glue-h|glue-c FILE\n"
                    "       fr-manifest-tool grammar FILE...\n");
    return 2;
}

static int cmd_digest(const char *path) {
    char hex[FR_SHA256_HEX_LEN + 1];
    if (fr_sha256_file_hex(path, hex)) {
        perror(path);
        return 1;
    }
    printf("%s\n", hex);
    return 0;
}

static fr_manifest *load_or_report(const char *path) {
    char err[1024];
    fr_manifest *m = fr_manifest_load(path, err, sizeof(err));
    if (!m) fprintf(stderr, "%s\n", err);
    return m;
}

static int cmd_check(const char *path) {
    fr_manifest *m = load_or_report(path);
    if (!m) return 1;
    int subs = 0;
    for (int i = 0; i < m->ncmds; i++) subs += m->cmds[i].nsubcmds;
    printf("%s: ok (module %s, %d commands, %d subcommands)\n", path, m->name,
           m->ncmds, subs);
    fr_manifest_free(m);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Markdown reference                                                        */
/* ------------------------------------------------------------------------ */

/* Text inside a table cell: pipes would end the cell, newlines the row. */
static void put_cell(const char *s) {
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else if (*s == '\n')
            putchar(' ');
        else
            putchar(*s);
    }
}

static void put_upper(const char *s) {
    for (; *s; s++)
        putchar(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

/* The command's words: "OBJECT ENCODING". */
static void put_cmd_words(const fr_cmd_meta *c) {
    if (c->parent) {
        put_upper(c->parent->name);
        putchar(' ');
    }
    put_upper(c->name);
}

static void put_arg(const fr_cmd_arg *a);

/* The argument without its optional brackets and repetition. */
static void put_arg_base(const fr_cmd_arg *a) {
    if (a->type == FR_ARG_PURE_TOKEN) {
        fputs(a->token ? a->token : a->name, stdout);
        return;
    }
    if (a->token) printf("%s ", a->token);
    if (a->type != FR_ARG_ONEOF && a->type != FR_ARG_BLOCK) {
        fputs(a->name, stdout);
        return;
    }
    /* Alternatives need their own brackets unless [..] already holds them. */
    int group = a->type == FR_ARG_ONEOF &&
                (!(a->flags & FR_ARG_OPTIONAL) || a->token);
    if (group) putchar('<');
    for (int i = 0; i < a->nsubargs; i++) {
        if (i) fputs(a->type == FR_ARG_ONEOF ? " | " : " ", stdout);
        put_arg(&a->subargs[i]);
    }
    if (group) putchar('>');
}

/* Redis's documentation notation: [optional], x [x ...], <a | b>. */
static void put_arg(const fr_cmd_arg *a) {
    if (a->flags & FR_ARG_OPTIONAL) putchar('[');
    put_arg_base(a);
    if (a->flags & FR_ARG_MULTIPLE) {
        fputs(" [", stdout);
        if (a->flags & FR_ARG_MULTIPLE_TOKEN || !a->token) {
            put_arg_base(a);
        } else {
            fr_cmd_arg bare = *a;
            bare.token = NULL;
            put_arg_base(&bare);
        }
        fputs(" ...]", stdout);
    }
    if (a->flags & FR_ARG_OPTIONAL) putchar(']');
}

static void put_flag_list(uint64_t flags, const fr_flag_name *t,
                          const char *prefix) {
    int n = 0;
    for (; t->name || t->reply; t++) {
        if (!t->reply || !(flags & t->flag)) continue;
        printf("%s%s%s", n++ ? ", " : "", prefix, t->reply);
    }
    if (!n) fputs("none", stdout);
}

static void put_key_specs(const fr_cmd_meta *c) {
    printf("| Key positions (first, last, step) | %d, %d, %d |\n",
           c->first_key, c->last_key, c->key_step);
    for (int i = 0; i < c->nkey_specs; i++) {
        printf("| Key spec %d | ", i);
        put_flag_list(c->key_specs[i].flags, fr_key_flag_names, "");
        if (c->key_specs[i].notes) {
            fputs(" (", stdout);
            put_cell(c->key_specs[i].notes);
            putchar(')');
        }
        fputs(" |\n", stdout);
    }
}

static void put_command(const fr_cmd_meta *c) {
    printf("### ");
    put_cmd_words(c);
    printf("\n\n");
    put_cell(c->summary);
    printf("\n\n```\n");
    put_cmd_words(c);
    for (int i = 0; i < c->nargs; i++) {
        putchar(' ');
        put_arg(&c->args[i]);
    }
    printf("\n```\n\n| | |\n|---|---|\n");
    printf("| Arity | %d |\n| Flags | ", c->arity);
    put_flag_list(c->flags, fr_cmd_flag_names, "");
    printf(" |\n| ACL categories | ");
    put_flag_list(c->acl_categories, fr_acl_category_names, "@");
    printf(" |\n");
    put_key_specs(c);
    printf("| Group | %s |\n| Since | %s |\n", fr_cmd_group_name(c->group),
           c->since);
    if (c->complexity) {
        printf("| Complexity | ");
        put_cell(c->complexity);
        printf(" |\n");
    }
    if (c->deprecated_since)
        printf("| Deprecated since | %s |\n", c->deprecated_since);
    if (c->replaced_by) {
        printf("| Replaced by | ");
        put_cell(c->replaced_by);
        printf(" |\n");
    }
    if (c->nhistory) {
        printf("\nHistory:\n\n");
        for (int i = 0; i < c->nhistory; i++)
            printf("- %s: %s\n", c->history[i].since, c->history[i].changes);
    }
    printf("\n");
    for (int i = 0; i < c->nsubcmds; i++) put_command(&c->subcmds[i]);
}

static void put_name_list(const char *label, char **names, int n) {
    printf("- %s: ", label);
    for (int i = 0; i < n; i++) printf("%s%s", i ? ", " : "", names[i]);
    printf("%s\n", n ? "" : "none");
}

static void put_config(const fr_manifest *m) {
    static const char *const types[] = {"bool", "int", "memory", "string",
                                        "enum"};
    if (!m->nconfig) return;
    printf("## Config directives\n\n| Name | Type | Default | Summary |\n"
           "|---|---|---|---|\n");
    static const char *const flag_names[] = {"immutable", "protected", "multi-arg", "sensitive"};
    for (int i = 0; i < m->nconfig; i++) {
        const fr_conf_def *d = &m->config[i];
        printf("| %s | %s", d->name, types[d->type]);
        for (int v = 0; v < d->nvalues; v++)
            printf("%s%s", v ? "\\|" : " (", d->values[v]);
        printf("%s | ", d->nvalues ? ")" : "");
        put_cell(d->default_text);
        printf(" | ");
        put_cell(d->summary ? d->summary : "");
        for (int b = 0; b < 4; b++)
            if (d->flags & (1u << b)) printf(" (%s)", flag_names[b]);
        printf(" |\n");
    }
    printf("\n");
}

static void put_info(const fr_manifest *m) {
    if (!m->ninfo) return;
    printf("## INFO fields\n\n| Section | After | Fields |\n|---|---|---|\n");
    for (int i = 0; i < m->ninfo; i++) {
        const fr_info_decl *g = &m->info[i];
        printf("| %s | %s | ", g->section, g->after ? g->after : "(end)");
        for (int j = 0; j < g->nfields; j++)
            printf("%s%s", j ? ", " : "", g->fields[j].name);
        printf(" |\n");
    }
    printf("\n");
}

static void put_header(const fr_manifest *m) {
    printf("# Module `%s` %s\n\n", m->name, m->version);
    printf("%s\n\n", m->description);
    printf("- Default mode: %s\n", m->default_hardened ? "hardened" : "strict");
    put_name_list("Depends on", m->depends, m->ndepends);
    put_name_list("Provides", m->provides, m->nprovides);
    printf("- Hooks: ");
    int n = 0;
    for (int id = 0; fr_hook_name(id); id++)
        if (m->hooks_mask & (1u << id))
            printf("%s%s%s", n++ ? ", " : "", fr_hook_name(id),
                   m->hook_order[id] == FR_HOOK_FIRST ? " (first)"
                   : m->hook_order[id] == FR_HOOK_LAST ? " (last)" : "");
    printf("%s\n\n", n ? "" : "none");
}

static int cmd_docs(const char *path) {
    fr_manifest *m = load_or_report(path);
    if (!m) return 1;
    put_header(m);
    put_config(m);
    put_info(m);
    printf("## Commands\n\n");
    for (int i = 0; i < m->ncmds; i++) put_command(&m->cmds[i]);
    printf("_Generated from %s by fr-manifest-tool._\n", path);
    fr_manifest_free(m);
    return fflush(stdout) ? 1 : 0;
}

static int cmd_glue(const char *path, int source) {
    fr_manifest *m = load_or_report(path);
    if (!m) return 1;
    char hex[FR_SHA256_HEX_LEN + 1];
    int rc = source && fr_sha256_file_hex(path, hex) ? -1 : 0;
    if (rc == 0) rc = source ? glue_write_source(m, hex, stdout) : glue_write_header(m, stdout);
    fr_manifest_free(m);
    if (rc) perror(path);
    return rc ? 1 : 0;
}

/* Every manifest must load before anything is written: a partial grammar
 * would silently drop a module's commands from the fuzzer. */
static int cmd_grammar(int n, char **paths) {
    fr_manifest **ms = calloc((size_t)n, sizeof *ms);
    int rc = ms ? 0 : 1;
    for (int i = 0; i < n && !rc; i++)
        if (!(ms[i] = load_or_report(paths[i]))) rc = 1;
    if (!rc && (grammar_write(ms, n, paths, stdout) || fflush(stdout))) rc = 1;
    for (int i = 0; ms && i < n; i++)
        if (ms[i]) fr_manifest_free(ms[i]);
    free(ms);
    return rc;
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "grammar")) return cmd_grammar(argc - 2, argv + 2);
    if (argc != 3) return usage();
    if (!strcmp(argv[1], "digest")) return cmd_digest(argv[2]);
    if (!strcmp(argv[1], "check")) return cmd_check(argv[2]);
    if (!strcmp(argv[1], "docs")) return cmd_docs(argv[2]);
    if (!strcmp(argv[1], "glue-h")) return cmd_glue(argv[2], 0);
    if (!strcmp(argv[1], "glue-c")) return cmd_glue(argv[2], 1);
    return usage();
}

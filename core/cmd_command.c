/* cmd_command.c -- COMMAND, COMMAND COUNT/INFO/DOCS/LIST/GETKEYS/
 * GETKEYSANDFLAGS/HELP.
 *
 * Reads the command table (cmdtable.h) and renders entries with
 * command_docs.c; keeps no state.  Texts, errors and reply shapes are Redis
 * 7.0.15's.  Top-level commands come in the table's order and subcommands in
 * manifest order (Redis's orders come from randomly seeded hash tables).
 * COMMAND LIST FILTERBY MODULE matches the FrankenRedis module that declares
 * a command, since every command here belongs to one. */
#include "cmd_command.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmdtable.h"
#include "command_docs.h"

const fr_cmd_meta *fr_cmd_lookup_fullname(const char *name, size_t len) {
    const char *bar = memchr(name, '|', len);
    if (!bar) return len ? fr_cmdtable_lookup(name, len) : NULL;
    const char *sub = bar + 1;
    size_t sublen = len - (size_t)(sub - name);
    /* One level of subcommands only, and only under a container. */
    if (memchr(sub, '|', sublen)) return NULL;
    const fr_cmd_meta *top = fr_cmdtable_lookup(name, (size_t)(bar - name));
    if (!top || !top->nsubcmds) return NULL;
    return fr_cmd_find_subcmd(top, sub, sublen);
}

static void count_cb(const fr_cmd_meta *c, void *priv) {
    (void)c;
    (*(long *)priv)++;
}

static long top_level_count(void) {
    long n = 0;
    fr_cmdtable_foreach(count_cb, &n);
    return n;
}

static void info_cb(const fr_cmd_meta *c, void *priv) {
    fr_command_reply_info(priv, c);
}

/* The array is counted with the same walk that fills it, so the two agree. */
static void reply_all_info(fr_ctx *ctx) {
    fr_reply_array(ctx, top_level_count());
    fr_cmdtable_foreach(info_cb, ctx);
}

void fr_cmd_command(fr_ctx *ctx) { reply_all_info(ctx); }

void fr_cmd_command_count(fr_ctx *ctx) {
    fr_reply_long_long(ctx, (long long)fr_cmdtable_count());
}

void fr_cmd_command_info(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    if (argc == 2) {
        reply_all_info(ctx);
        return;
    }
    fr_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++) {
        const fr_str *name = fr_arg(ctx, i);
        fr_command_reply_info(ctx, fr_cmd_lookup_fullname(name->buf, name->len));
    }
}

static void docs_cb(const fr_cmd_meta *c, void *priv) {
    fr_reply_bulk_cstr(priv, c->fullname);
    fr_command_reply_docs(priv, c);
}

void fr_cmd_command_docs(fr_ctx *ctx) {
    int argc = fr_argc(ctx);
    if (argc == 2) {
        fr_reply_map(ctx, top_level_count());
        fr_cmdtable_foreach(docs_cb, ctx);
        return;
    }
    /* Unknown names are skipped, so the count is known only at the end. */
    void *len = fr_reply_deferred_len(ctx);
    long found = 0;
    for (int i = 2; i < argc; i++) {
        const fr_str *name = fr_arg(ctx, i);
        const fr_cmd_meta *c = fr_cmd_lookup_fullname(name->buf, name->len);
        if (!c) continue;
        docs_cb(c, ctx);
        found++;
    }
    fr_reply_set_deferred_map(ctx, len, found);
}

/* ------------------------------------------------------------------------ */
/* COMMAND LIST                                                              */
/* ------------------------------------------------------------------------ */

typedef enum { LIST_ALL, LIST_MODULE, LIST_ACLCAT, LIST_PATTERN } list_filter;

typedef struct list_state {
    fr_ctx *ctx;
    list_filter filter;
    const fr_str *arg;
    uint64_t aclcat;
    long count;
} list_state;

static const char *module_of(const fr_cmd_meta *c) {
    while (c->parent) c = c->parent;
    return fr_cmd_module_name(c);
}

static int list_match(const list_state *st, const fr_cmd_meta *c) {
    const char *mod;
    switch (st->filter) {
    case LIST_MODULE:
        mod = module_of(c);
        return mod && !strcasecmp(mod, st->arg->buf);
    case LIST_ACLCAT:
        return st->aclcat && (c->acl_categories & st->aclcat);
    case LIST_PATTERN:
        return fr_stringmatch(st->arg->buf, st->arg->len, c->fullname,
                              strlen(c->fullname), 1);
    default:
        return 1;
    }
}

static void list_cb(const fr_cmd_meta *c, void *priv) {
    list_state *st = priv;
    if (list_match(st, c)) {
        fr_reply_bulk_cstr(st->ctx, c->fullname);
        st->count++;
    }
    for (int i = 0; i < c->nsubcmds; i++) list_cb(&c->subcmds[i], priv);
}

/* Parses [FILTERBY MODULE|ACLCAT|PATTERN arg]; 0 ok, -1 syntax error. */
static int list_parse(fr_ctx *ctx, list_state *st) {
    int argc = fr_argc(ctx);
    for (int i = 2; i < argc; i++) {
        if (!fr_arg_is(ctx, i, "filterby") || argc - 1 - i != 2) return -1;
        if (fr_arg_is(ctx, i + 1, "module"))
            st->filter = LIST_MODULE;
        else if (fr_arg_is(ctx, i + 1, "aclcat"))
            st->filter = LIST_ACLCAT;
        else if (fr_arg_is(ctx, i + 1, "pattern"))
            st->filter = LIST_PATTERN;
        else
            return -1;
        st->arg = fr_arg(ctx, i + 2);
        i += 2;
    }
    if (st->filter == LIST_ACLCAT)
        st->aclcat = fr_acl_category_from_name(st->arg->buf);
    return 0;
}

void fr_cmd_command_list(fr_ctx *ctx) {
    list_state st = {ctx, LIST_ALL, NULL, 0, 0};
    if (list_parse(ctx, &st)) {
        fr_reply_syntax_error(ctx);
        return;
    }
    void *len = fr_reply_deferred_len(ctx);
    fr_cmdtable_foreach(list_cb, &st);
    fr_reply_set_deferred_array(ctx, len, st.count);
}

/* ------------------------------------------------------------------------ */
/* COMMAND GETKEYS / GETKEYSANDFLAGS                                         */
/* ------------------------------------------------------------------------ */

/* Key positions of the command line in argv (argc > 0): *out is fr_malloc'ed
 * (positions, then flags); returns the count as fr_cmd_getkeys() does. */
static int find_keys(const fr_cmd_meta *cmd, int argc,
                     const fr_str *const *argv, int **out) {
    int max = argc + 8, n;
    for (;;) {
        *out = fr_malloc(sizeof(int) * 2 * (size_t)max);
        n = fr_cmd_getkeys(cmd, argc, argv, *out, *out + max, max);
        if (n <= max) break;
        fr_free(*out);
        max = n;
    }
    /* Flags follow the positions directly for the caller's convenience. */
    if (n > 0) memmove(*out + n, *out + max, sizeof(int) * (size_t)n);
    return n;
}

static void reply_keys(fr_ctx *ctx, const int *keys, int n, int with_flags) {
    fr_reply_array(ctx, n);
    for (int i = 0; i < n; i++) {
        const fr_str *key = fr_arg(ctx, keys[i] + 2);
        if (!with_flags) {
            fr_reply_bulk_str(ctx, key);
            continue;
        }
        fr_reply_array(ctx, 2);
        fr_reply_bulk_str(ctx, key);
        fr_command_reply_key_flags(ctx, (uint64_t)(unsigned)keys[n + i]);
    }
}

static void getkeys(fr_ctx *ctx, int with_flags) {
    int argc = fr_argc(ctx) - 2;
    const fr_str **argv = fr_malloc(sizeof(*argv) * (size_t)argc);
    for (int i = 0; i < argc; i++) argv[i] = fr_arg(ctx, i + 2);
    const fr_cmd_meta *cmd = fr_cmdtable_lookup_argv(argc, argv);
    int *keys = NULL;
    if (!cmd) {
        fr_reply_error(ctx, "Invalid command specified");
    } else if (!fr_cmd_has_keys(cmd)) {
        fr_reply_error(ctx, "The command has no key arguments");
    } else if (!fr_cmd_arity_ok(cmd, argc)) {
        fr_reply_error(ctx,
                       "Invalid number of arguments specified for command");
    } else {
        int n = find_keys(cmd, argc, argv, &keys);
        if (n > 0)
            reply_keys(ctx, keys, n, with_flags);
        else if (cmd->flags & FR_CMD_NO_MANDATORY_KEYS)
            fr_reply_array(ctx, 0);
        else
            fr_reply_error(ctx, "Invalid arguments specified for command");
    }
    fr_free(keys);
    fr_free(argv);
}

void fr_cmd_command_getkeys(fr_ctx *ctx) { getkeys(ctx, 0); }

void fr_cmd_command_getkeysandflags(fr_ctx *ctx) { getkeys(ctx, 1); }

/* ------------------------------------------------------------------------ */
/* COMMAND HELP                                                              */
/* ------------------------------------------------------------------------ */

static const char *const help_lines[] = {
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    NULL};

void fr_cmd_command_help(fr_ctx *ctx) { fr_reply_help(ctx, help_lines); }

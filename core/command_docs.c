/* command_docs.c -- render COMMAND INFO and COMMAND DOCS entries.
 *
 * Owns nothing: it reads fr_cmd_meta (already complete, see manifest.h) and
 * writes replies through the SDK.  Every aggregate length is counted before
 * it is sent, so no deferred lengths are needed and the bytes match Redis
 * 7.0.15 in both protocols.  Field order and presence follow Redis exactly:
 * optional fields appear only when set, the group always appears. */
#include "command_docs.h"

#include <stdio.h>

#include "cmdtable.h"

/* A set of status strings for the flags in `table` that are set in `flags`
 * and have a reply spelling (Redis hides a few). */
static void reply_flag_set(fr_ctx *ctx, uint64_t flags,
                           const fr_flag_name *table) {
    long count = 0;
    for (const fr_flag_name *f = table; f->name || f->reply; f++)
        if (f->reply && (flags & f->flag)) count++;
    fr_reply_set(ctx, count);
    for (const fr_flag_name *f = table; f->name || f->reply; f++)
        if (f->reply && (flags & f->flag)) fr_reply_status(ctx, f->reply);
}

void fr_command_reply_key_flags(fr_ctx *ctx, uint64_t flags) {
    reply_flag_set(ctx, flags, fr_key_flag_names);
}

static void reply_acl_categories(fr_ctx *ctx, uint64_t cats) {
    long count = 0;
    const fr_flag_name *f;
    for (f = fr_acl_category_names; f->name; f++)
        if (cats & f->flag) count++;
    fr_reply_set(ctx, count);
    for (f = fr_acl_category_names; f->name; f++) {
        if (!(cats & f->flag)) continue;
        char buf[64];
        snprintf(buf, sizeof(buf), "@%s", f->reply);
        fr_reply_status(ctx, buf);
    }
}

static void reply_tips(fr_ctx *ctx, const fr_cmd_meta *cmd) {
    fr_reply_set(ctx, cmd->ntips);
    for (int i = 0; i < cmd->ntips; i++) fr_reply_bulk_cstr(ctx, cmd->tips[i]);
}

static void reply_begin_search(fr_ctx *ctx, const fr_key_spec *ks) {
    fr_reply_map(ctx, 2);
    fr_reply_bulk_cstr(ctx, "type");
    switch (ks->bs_type) {
    case FR_BS_INDEX:
        fr_reply_bulk_cstr(ctx, "index");
        fr_reply_bulk_cstr(ctx, "spec");
        fr_reply_map(ctx, 1);
        fr_reply_bulk_cstr(ctx, "index");
        fr_reply_long_long(ctx, ks->bs_index_pos);
        break;
    case FR_BS_KEYWORD:
        fr_reply_bulk_cstr(ctx, "keyword");
        fr_reply_bulk_cstr(ctx, "spec");
        fr_reply_map(ctx, 2);
        fr_reply_bulk_cstr(ctx, "keyword");
        fr_reply_bulk_cstr(ctx, ks->bs_keyword);
        fr_reply_bulk_cstr(ctx, "startfrom");
        fr_reply_long_long(ctx, ks->bs_keyword_startfrom);
        break;
    default:
        fr_reply_bulk_cstr(ctx, "unknown");
        fr_reply_bulk_cstr(ctx, "spec");
        fr_reply_map(ctx, 0);
        break;
    }
}

static void reply_find_keys(fr_ctx *ctx, const fr_key_spec *ks) {
    fr_reply_map(ctx, 2);
    fr_reply_bulk_cstr(ctx, "type");
    switch (ks->fk_type) {
    case FR_FK_RANGE:
        fr_reply_bulk_cstr(ctx, "range");
        fr_reply_bulk_cstr(ctx, "spec");
        fr_reply_map(ctx, 3);
        fr_reply_bulk_cstr(ctx, "lastkey");
        fr_reply_long_long(ctx, ks->fk_range_lastkey);
        fr_reply_bulk_cstr(ctx, "keystep");
        fr_reply_long_long(ctx, ks->fk_range_keystep);
        fr_reply_bulk_cstr(ctx, "limit");
        fr_reply_long_long(ctx, ks->fk_range_limit);
        break;
    case FR_FK_KEYNUM:
        fr_reply_bulk_cstr(ctx, "keynum");
        fr_reply_bulk_cstr(ctx, "spec");
        fr_reply_map(ctx, 3);
        fr_reply_bulk_cstr(ctx, "keynumidx");
        fr_reply_long_long(ctx, ks->fk_keynum_keynumidx);
        fr_reply_bulk_cstr(ctx, "firstkey");
        fr_reply_long_long(ctx, ks->fk_keynum_firstkey);
        fr_reply_bulk_cstr(ctx, "keystep");
        fr_reply_long_long(ctx, ks->fk_keynum_keystep);
        break;
    default:
        fr_reply_bulk_cstr(ctx, "unknown");
        fr_reply_bulk_cstr(ctx, "spec");
        fr_reply_map(ctx, 0);
        break;
    }
}

static void reply_key_specs(fr_ctx *ctx, const fr_cmd_meta *cmd) {
    fr_reply_set(ctx, cmd->nkey_specs);
    for (int i = 0; i < cmd->nkey_specs; i++) {
        const fr_key_spec *ks = &cmd->key_specs[i];
        fr_reply_map(ctx, ks->notes ? 4 : 3);
        if (ks->notes) {
            fr_reply_bulk_cstr(ctx, "notes");
            fr_reply_bulk_cstr(ctx, ks->notes);
        }
        fr_reply_bulk_cstr(ctx, "flags");
        fr_command_reply_key_flags(ctx, ks->flags);
        fr_reply_bulk_cstr(ctx, "begin_search");
        reply_begin_search(ctx, ks);
        fr_reply_bulk_cstr(ctx, "find_keys");
        reply_find_keys(ctx, ks);
    }
}

void fr_command_reply_info(fr_ctx *ctx, const fr_cmd_meta *cmd) {
    if (!cmd) {
        fr_reply_null(ctx);
        return;
    }
    fr_reply_array(ctx, 10);
    fr_reply_bulk_cstr(ctx, cmd->fullname);
    fr_reply_long_long(ctx, cmd->arity);
    reply_flag_set(ctx, cmd->flags, fr_cmd_flag_names);
    fr_reply_long_long(ctx, cmd->first_key);
    fr_reply_long_long(ctx, cmd->last_key);
    fr_reply_long_long(ctx, cmd->key_step);
    reply_acl_categories(ctx, cmd->acl_categories);
    reply_tips(ctx, cmd);
    reply_key_specs(ctx, cmd);
    if (!cmd->nsubcmds) {
        fr_reply_set(ctx, 0);
        return;
    }
    fr_reply_array(ctx, cmd->nsubcmds);
    for (int i = 0; i < cmd->nsubcmds; i++)
        fr_command_reply_info(ctx, &cmd->subcmds[i]);
}

static void reply_bulk_field(fr_ctx *ctx, const char *name, const char *v) {
    fr_reply_bulk_cstr(ctx, name);
    fr_reply_bulk_cstr(ctx, v);
}

static long arg_map_len(const fr_cmd_arg *a) {
    long len = 2;
    len += a->key_spec_index != -1;
    len += a->token != NULL;
    len += a->summary != NULL;
    len += a->since != NULL;
    len += a->deprecated_since != NULL;
    len += a->flags != 0;
    len += a->type == FR_ARG_ONEOF || a->type == FR_ARG_BLOCK;
    return len;
}

static void reply_args(fr_ctx *ctx, const fr_cmd_arg *args, int n) {
    fr_reply_array(ctx, n);
    for (int i = 0; i < n; i++) {
        const fr_cmd_arg *a = &args[i];
        fr_reply_map(ctx, arg_map_len(a));
        reply_bulk_field(ctx, "name", a->name);
        reply_bulk_field(ctx, "type", fr_arg_type_name(a->type));
        if (a->key_spec_index != -1) {
            fr_reply_bulk_cstr(ctx, "key_spec_index");
            fr_reply_long_long(ctx, a->key_spec_index);
        }
        if (a->token) reply_bulk_field(ctx, "token", a->token);
        if (a->summary) reply_bulk_field(ctx, "summary", a->summary);
        if (a->since) reply_bulk_field(ctx, "since", a->since);
        if (a->deprecated_since)
            reply_bulk_field(ctx, "deprecated_since", a->deprecated_since);
        if (a->flags) {
            fr_reply_bulk_cstr(ctx, "flags");
            reply_flag_set(ctx, a->flags, fr_arg_flag_names);
        }
        if (a->type == FR_ARG_ONEOF || a->type == FR_ARG_BLOCK) {
            fr_reply_bulk_cstr(ctx, "arguments");
            reply_args(ctx, a->subargs, a->nsubargs);
        }
    }
}

static void reply_history(fr_ctx *ctx, const fr_cmd_meta *cmd) {
    fr_reply_set(ctx, cmd->nhistory);
    for (int i = 0; i < cmd->nhistory; i++) {
        fr_reply_array(ctx, 2);
        fr_reply_bulk_cstr(ctx, cmd->history[i].since);
        fr_reply_bulk_cstr(ctx, cmd->history[i].changes);
    }
}

static long docs_map_len(const fr_cmd_meta *cmd) {
    long len = 1; /* the group is always there */
    len += cmd->summary != NULL;
    len += cmd->since != NULL;
    len += (cmd->flags & FR_CMD_MODULE) != 0;
    len += cmd->complexity != NULL;
    len += cmd->doc_flags != 0;
    len += cmd->deprecated_since != NULL;
    len += cmd->replaced_by != NULL;
    len += cmd->nhistory > 0;
    len += cmd->nargs > 0;
    len += cmd->nsubcmds > 0;
    return len;
}

void fr_command_reply_docs(fr_ctx *ctx, const fr_cmd_meta *cmd) {
    fr_reply_map(ctx, docs_map_len(cmd));
    if (cmd->summary) reply_bulk_field(ctx, "summary", cmd->summary);
    if (cmd->since) reply_bulk_field(ctx, "since", cmd->since);
    reply_bulk_field(ctx, "group", fr_cmd_group_name(cmd->group));
    if (cmd->complexity) reply_bulk_field(ctx, "complexity", cmd->complexity);
    if (cmd->flags & FR_CMD_MODULE) {
        const char *mod = fr_cmd_module_name(cmd);
        reply_bulk_field(ctx, "module", mod ? mod : "");
    }
    if (cmd->doc_flags) {
        fr_reply_bulk_cstr(ctx, "doc_flags");
        reply_flag_set(ctx, cmd->doc_flags, fr_doc_flag_names);
    }
    if (cmd->deprecated_since)
        reply_bulk_field(ctx, "deprecated_since", cmd->deprecated_since);
    if (cmd->replaced_by) reply_bulk_field(ctx, "replaced_by", cmd->replaced_by);
    if (cmd->nhistory) {
        fr_reply_bulk_cstr(ctx, "history");
        reply_history(ctx, cmd);
    }
    if (cmd->nargs) {
        fr_reply_bulk_cstr(ctx, "arguments");
        reply_args(ctx, cmd->args, cmd->nargs);
    }
    if (cmd->nsubcmds) {
        fr_reply_bulk_cstr(ctx, "subcommands");
        fr_reply_map(ctx, cmd->nsubcmds);
        for (int i = 0; i < cmd->nsubcmds; i++) {
            fr_reply_bulk_cstr(ctx, cmd->subcmds[i].fullname);
            fr_command_reply_docs(ctx, &cmd->subcmds[i]);
        }
    }
}

/* propagate.c -- what a command hands to AOF and replicas.
 *
 * A command that changed data (fr_dirty > 0) is propagated as it was
 * received, unless its handler replaced that with other commands (SET EX ->
 * SET PXAT, INCRBYFLOAT -> SET KEEPTTL) or asked for none.  Several
 * replacement commands are wrapped in MULTI/EXEC so a replica applies them
 * atomically, as Redis 7.0 does.  Subscribers (AOF before replication, by
 * hook order) see each command through FR_HOOK_COMMAND_PROPAGATED. */
#include <string.h>

#include "runtime.h"

enum { PROP_ASIS = 0, PROP_REPLACED = 1, PROP_NONE = 2 };

void fr_dirty(fr_ctx *ctx, long long n)
{
    if (ctx) ctx->dirty += n;
    else fr_runtime.dirty += n;
}

long long fr_dirty_count(void)
{
    return fr_runtime.dirty;
}

/* A save captured the first n changes; later ones still count. */
void fr_dirty_forget(long long n)
{
    fr_runtime.dirty = fr_runtime.dirty > n ? fr_runtime.dirty - n : 0;
}

static void push_db(fr_ctx *ctx, int dbid, int argc, fr_str **argv)
{
    if (ctx->nprops == ctx->props_cap) {
        ctx->props_cap = ctx->props_cap ? ctx->props_cap * 2 : 2;
        ctx->props = fr_realloc(ctx->props, sizeof(fr_prop_cmd) * (size_t)ctx->props_cap);
    }
    fr_prop_cmd *p = &ctx->props[ctx->nprops++];
    p->argc = argc;
    p->argv = argv;
    p->dbid = dbid;
}

static void push(fr_ctx *ctx, int argc, fr_str **argv)
{
    push_db(ctx, ctx->client ? ctx->client->dbid : 0, argc, argv);
}

void fr_propagate_replace(fr_ctx *ctx, int argc, const fr_str *const *argv)
{
    fr_str **copy = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    for (int i = 0; i < argc; i++) copy[i] = fr_str_dup(argv[i]);
    ctx->prop_mode = PROP_REPLACED;
    push(ctx, argc, copy);
}

void fr_propagate_cstr(fr_ctx *ctx, int argc, const char *const *argv, const size_t *lens)
{
    fr_str **copy = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    for (int i = 0; i < argc; i++) copy[i] = fr_str_new(argv[i], lens ? lens[i] : strlen(argv[i]));
    ctx->prop_mode = PROP_REPLACED;
    push(ctx, argc, copy);
}

void fr_propagate_none(fr_ctx *ctx)
{
    ctx->prop_mode = PROP_NONE;
}

/* Fire the hook for one command, outside any command context if needed
 * (active expiry deletes from cron). */
static void propagate_word(int dbid, const char *w);

/* Inside EXEC the first propagated command is preceded by MULTI, so the
 * whole transaction reaches AOF and replicas as one. */
void fr_propagate_now(int dbid, int argc, fr_str **argv)
{
    if (!fr_hooks_count(FR_HOOK_COMMAND_PROPAGATED)) return;
    fr_ctx *script = fr_runtime.script_capture;
    if (script) { /* a script's effect: it goes out with the script's others */
        fr_str **copy = fr_malloc(sizeof(fr_str *) * (size_t)argc);
        for (int i = 0; i < argc; i++) copy[i] = fr_str_dup(argv[i]);
        script->prop_mode = PROP_REPLACED;
        push_db(script, dbid, argc, copy);
        return;
    }
    if (fr_runtime.in_exec && !fr_runtime.exec_multi_emitted) {
        fr_runtime.exec_multi_emitted = 1;
        propagate_word(dbid, "MULTI");
    }
    fr_hook_event ev = {.id = FR_HOOK_COMMAND_PROPAGATED, .dbid = dbid, .argc = argc,
                        .argv = (const fr_str *const *)argv};
    fr_hooks_fire(&ev);
}

static void propagate_word(int dbid, const char *w)
{
    fr_str *s = fr_str_new(w, strlen(w));
    fr_propagate_now(dbid, 1, &s);
    fr_str_free(s);
}

void fr_propagate_finish(fr_ctx *ctx)
{
    if (ctx->prop_mode == PROP_NONE) return;
    if (ctx->prop_mode == PROP_ASIS) {
        if ((ctx->dirty > 0 || ctx->force_propagate) && ctx->argv)
            fr_propagate_now(ctx->client ? ctx->client->dbid : 0, ctx->argc, ctx->argv);
        return;
    }
    if (ctx->nprops == 0) return;
    int dbid = ctx->props[0].dbid;
    /* EXEC wraps already; a script's command joins the script's effects */
    int wrap = ctx->nprops > 1 && !fr_runtime.in_exec && !fr_runtime.script_capture;
    if (wrap) propagate_word(dbid, "MULTI");
    for (int i = 0; i < ctx->nprops; i++)
        fr_propagate_now(ctx->props[i].dbid, ctx->props[i].argc, ctx->props[i].argv);
    if (wrap) propagate_word(dbid, "EXEC");
}

void fr_ctx_release(fr_ctx *ctx)
{
    for (int i = 0; i < ctx->nprops; i++) {
        for (int j = 0; j < ctx->props[i].argc; j++) fr_str_free(ctx->props[i].argv[j]);
        fr_free(ctx->props[i].argv);
    }
    fr_free(ctx->props);
    ctx->props = NULL;
    ctx->nprops = ctx->props_cap = 0;
}

void fr_propagate_exec_end(int dbid)
{
    if (!fr_runtime.exec_multi_emitted) return;
    fr_runtime.exec_multi_emitted = 0;
    propagate_word(dbid, "EXEC");
}

/* propagate.c -- what a command hands to AOF and replicas.
 *
 * A command that changed data (fr_dirty > 0) is propagated as it was
 * received, unless its handler replaced that with other commands (SET EX ->
 * SET PXAT, INCRBYFLOAT -> SET KEEPTTL) or asked for none.  Several
 * replacement commands are wrapped in MULTI/EXEC so a replica applies them
 * atomically, as Redis 7.0 does; so are the effects of an EXEC, held in
 * exec_effects until it ends, but only when there are several (a lone
 * write needs no transaction: Redis's propagatePendingCommands).  What
 * happens to other keys while a command runs (a key it finds expired goes
 * out as DEL) is an effect of that command: collected in its props in
 * order, marked `effect`, and sent with the command, the lot wrapped in
 * MULTI/EXEC when there are several -- Redis's alsoPropagate puts
 * propagateDeletion's DEL in the same array as the command -- except for a
 * command that touches arbitrary keys (SCAN, RANDOMKEY), whose deletions
 * go out unwrapped, as Redis's active expiry's do.  An effect goes out even
 * when the command itself does not.  Subscribers (AOF before replication, by
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

static fr_prop_cmd *push_db(fr_ctx *ctx, int dbid, int argc, fr_str **argv, int repl_only)
{
    if (ctx->nprops == ctx->props_cap) {
        ctx->props_cap = ctx->props_cap ? ctx->props_cap * 2 : 2;
        ctx->props = fr_realloc(ctx->props, sizeof(fr_prop_cmd) * (size_t)ctx->props_cap);
    }
    fr_prop_cmd *p = &ctx->props[ctx->nprops++];
    p->argc = argc;
    p->argv = argv;
    p->dbid = dbid;
    p->repl_only = repl_only;
    p->effect = 0;
    return p;
}

static void push(fr_ctx *ctx, int argc, fr_str **argv)
{
    push_db(ctx, ctx->client ? ctx->client->dbid : 0, argc, argv, 0);
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

void fr_propagate_force_replicas(fr_ctx *ctx)
{
    ctx->force_replicas = 1;
}

/* The effects of the EXEC running (props only); emitted by
 * fr_propagate_exec_end. */
static fr_ctx exec_effects;

/* The hook for one command, outside any command context if needed
 * (active expiry deletes from cron). */
static void fire(int dbid, int argc, fr_str **argv, int repl_only)
{
    fr_hook_event ev = {.id = FR_HOOK_COMMAND_PROPAGATED, .dbid = dbid, .argc = argc,
                        .argv = (const fr_str *const *)argv, .repl_only = repl_only};
    fr_hooks_fire(&ev);
}

static fr_str **argv_dup(int argc, fr_str *const *argv)
{
    fr_str **copy = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    for (int i = 0; i < argc; i++) copy[i] = fr_str_dup(argv[i]);
    return copy;
}

/* To the AOF and replicas, or replicas only: now, or with the effects of
 * the running script or EXEC. */
static void propagate_to(int dbid, int argc, fr_str **argv, int repl_only)
{
    if (!fr_hooks_count(FR_HOOK_COMMAND_PROPAGATED)) return;
    fr_ctx *script = fr_runtime.script_capture;
    if (script) { /* a script's effect: it goes out with the script's others */
        script->prop_mode = PROP_REPLACED;
        push_db(script, dbid, argc, argv_dup(argc, argv), repl_only);
        return;
    }
    if (fr_runtime.in_exec) {
        push_db(&exec_effects, dbid, argc, argv_dup(argc, argv), repl_only);
        return;
    }
    if (fr_runtime.cmd_capture) { /* goes out with the command running */
        push_db(fr_runtime.cmd_capture, dbid, argc, argv_dup(argc, argv), repl_only)->effect = 1;
        return;
    }
    fire(dbid, argc, argv, repl_only);
}

void fr_propagate_now(int dbid, int argc, fr_str **argv)
{
    propagate_to(dbid, argc, argv, 0);
}

void fr_propagate_replicas_only(int dbid, int argc, const fr_str *const *argv)
{
    propagate_to(dbid, argc, (fr_str **)argv, 1);
}

static void propagate_word(int dbid, const char *w)
{
    fr_str *s = fr_str_new(w, strlen(w));
    fr_propagate_now(dbid, 1, &s);
    fr_str_free(s);
}

/* The command as received, when it goes out: now (`into` NULL), or into
 * `into`'s props to join the effects it had (copied: the props own theirs). */
static void as_is(fr_ctx *ctx, fr_ctx *into)
{
    if (ctx->prop_mode != PROP_ASIS || !ctx->argv) return;
    int repl_only;
    if (ctx->dirty > 0 || ctx->force_propagate) repl_only = 0;
    else if (ctx->force_replicas) repl_only = 1;
    else return;
    int dbid = ctx->client ? ctx->client->dbid : 0;
    if (into) push_db(into, dbid, ctx->argc, argv_dup(ctx->argc, ctx->argv), repl_only);
    else propagate_to(dbid, ctx->argc, ctx->argv, repl_only);
}

void fr_propagate_finish(fr_ctx *ctx)
{
    /* Nobody listens: and fr_arg_take may have moved arguments out. */
    if (!fr_hooks_count(FR_HOOK_COMMAND_PROPAGATED)) return;
    if (ctx->nprops == 0) { /* the usual case: no effects, nothing copied */
        as_is(ctx, NULL);
        return;
    }
    as_is(ctx, ctx);
    int n = 0; /* what goes out: with PROP_NONE, the effects only */
    for (int i = 0; i < ctx->nprops; i++) n += ctx->prop_mode != PROP_NONE || ctx->props[i].effect;
    if (n == 0) return;
    /* EXEC wraps already; a script's command joins the script's effects */
    int wrap = n > 1 && !fr_runtime.in_exec && !fr_runtime.script_capture &&
               !(ctx->cmd && ctx->cmd->flags & FR_CMD_TOUCHES_ARBITRARY_KEYS);
    int first = 1, last_db = 0;
    for (int i = 0; i < ctx->nprops; i++) {
        fr_prop_cmd *p = &ctx->props[i];
        if (ctx->prop_mode == PROP_NONE && !p->effect) continue;
        if (wrap && first) propagate_word(p->dbid, "MULTI");
        first = 0;
        propagate_to(p->dbid, p->argc, p->argv, p->repl_only);
        last_db = p->dbid;
    }
    if (wrap) propagate_word(last_db, "EXEC");
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

/* One effect goes out alone, several inside MULTI ... EXEC. */
void fr_propagate_exec_end(void)
{
    fr_ctx *e = &exec_effects;
    int wrap = e->nprops > 1;
    fr_str *w;
    if (wrap) {
        w = fr_str_new("MULTI", 5);
        fire(e->props[0].dbid, 1, &w, 0);
        fr_str_free(w);
    }
    for (int i = 0; i < e->nprops; i++) fire(e->props[i].dbid, e->props[i].argc, e->props[i].argv, e->props[i].repl_only);
    if (wrap) {
        w = fr_str_new("EXEC", 4);
        fire(e->props[e->nprops - 1].dbid, 1, &w, 0);
        fr_str_free(w);
    }
    fr_ctx_release(e);
}

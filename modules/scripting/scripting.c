/* scripting.c -- EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT, as Redis
 * 7.0.15's eval.c.
 *
 * Owns the EVAL interpreter and its script cache: every script EVAL or
 * SCRIPT LOAD compiled stays until SCRIPT FLUSH, which starts a fresh
 * interpreter.  The cache is a table in the interpreter's registry, sha ->
 * {fn = compiled chunk, flags = shebang flags}; `ncached` counts it.
 * Scripts are never propagated: their writes are, as the commands they
 * ran (fr_script_call collects them). */
#include "glue.h"
#include "lua_engine.h"

#include <lauxlib.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REG_CACHE "__fr_eval_scripts"

static lua_State *L;
static long long ncached;
static long long code_bytes;     /* bodies of the cached scripts */

static void report(void)
{
    fr_scripts_report(FR_SCRIPTS_EVAL, L ? eng_memory(L) : 0, code_bytes, ncached, 0);
}

static void state_new(void)
{
    L = eng_new(0);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_CACHE);
    ncached = 0;
    code_bytes = 0;
    report();
}

static int shebang_flags(const fr_str *body, int *flags, size_t *skip, char *err, size_t errlen);
static void cache_get(const char *sha);

/* The dispatcher's view of an EVAL: a cached script's flags, or those of
 * the body's shebang (Redis's evalGetCommandFlags). */
static unsigned long long eval_flags(int argc, const fr_str *const *argv, unsigned long long flags)
{
    if (argc < 2 || !L) return flags;
    int evalsha = !strncasecmp(argv[0]->buf, "evalsha", 7);
    char sha[41];
    if (evalsha) {
        if (argv[1]->len != 40) return flags;
        for (int i = 0; i < 40; i++) sha[i] = (char)tolower((unsigned char)argv[1]->buf[i]);
        sha[40] = '\0';
    } else {
        fr_sha1_hex(sha, argv[1]->buf, argv[1]->len);
    }
    int sf;
    cache_get(sha);
    if (!lua_isnil(L, -1)) {
        lua_getfield(L, -1, "flags");
        sf = (int)lua_tointeger(L, -1);
        lua_pop(L, 2);
    } else {
        lua_pop(L, 1);
        size_t skip;
        char err[256];
        if (evalsha || shebang_flags(argv[1], &sf, &skip, err, sizeof(err)) != FR_OK) return flags;
    }
    return eng_cmd_flags(flags, sf);
}

int scripting_init(fr_module *m)
{
    state_new();
    static const char *const cmds[] = {"eval", "evalsha", "eval_ro", "evalsha_ro", NULL};
    for (int i = 0; cmds[i]; i++)
        if (fr_command_set_flags_fn(m, cmds[i], eval_flags) != FR_OK) return FR_ERR;
    return FR_OK;
}

void scripting_deinit(fr_module *m)
{
    (void)m;
    eng_free(L);
    L = NULL;
    fr_scripts_report(FR_SCRIPTS_EVAL, 0, 0, 0, 0);
}

/* Redis's evalExtractShebangFlags: FR_OK with *flags and *skip (the
 * shebang's length, its line feed kept so line numbers hold), or FR_ERR
 * with the error text in err. */
static int shebang_flags(const fr_str *body, int *flags, size_t *skip, char *err, size_t errlen)
{
    *flags = ENG_FLAG_EVAL_COMPAT;
    *skip = 0;
    if (body->len < 2 || memcmp(body->buf, "#!", 2)) return FR_OK;
    const char *eol = memchr(body->buf, '\n', body->len);
    if (!eol || strlen(body->buf) < (size_t)(eol - body->buf)) {
        snprintf(err, errlen, "Invalid script shebang");
        return FR_ERR;
    }
    *skip = (size_t)(eol - body->buf);
    int n = 0;
    fr_str **parts = fr_splitargs(body->buf, *skip, &n);
    int rc = FR_OK;
    if (!parts || n == 0) {
        snprintf(err, errlen, "Invalid engine in script shebang");
        rc = FR_ERR;
    } else if (strcmp(parts[0]->buf, "#!lua")) {
        snprintf(err, errlen, "Unexpected engine in script shebang: %s", parts[0]->buf);
        rc = FR_ERR;
    } else {
        *flags = 0;
        for (int j = 1; j < n && rc == FR_OK; j++) {
            if (strncmp(parts[j]->buf, "flags=", 6)) {
                snprintf(err, errlen, "Unknown lua shebang option: %s", parts[j]->buf);
                rc = FR_ERR;
                break;
            }
            const char *p = parts[j]->buf + 6, *end = parts[j]->buf + parts[j]->len;
            /* "flags=" alone has no flags; "a,,b" has an empty one */
            while (p < end || (p == end && p[-1] == ',')) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                const char *stop = comma ? comma : end;
                int f;
                if (eng_flag_from_name(p, (size_t)(stop - p), &f) != FR_OK) {
                    snprintf(err, errlen, "Unexpected flag in script shebang: %.*s", (int)(stop - p), p);
                    rc = FR_ERR;
                    break;
                }
                *flags |= f;
                if (!comma) break;
                p = comma + 1;
            }
        }
    }
    fr_splitargs_free(parts, n);
    return rc;
}

/* Pushes the cache entry of sha (a table) or nil. */
static void cache_get(const char *sha)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_CACHE);
    lua_getfield(L, -1, sha);
    lua_remove(L, -2);
}

/* Compiles body and caches it under sha; replies the error and returns
 * FR_ERR on failure. */
static int cache_add(fr_ctx *ctx, const fr_str *body, const char *sha)
{
    cache_get(sha);
    int have = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (have) return FR_OK;
    int flags;
    size_t skip;
    char err[512];
    if (shebang_flags(body, &flags, &skip, err, sizeof(err)) != FR_OK) {
        fr_reply_error(ctx, err);
        return FR_ERR;
    }
    const char *cerr = eng_compile(L, body->buf + skip, body->len - skip, "@user_script");
    if (cerr) {
        fr_reply_errorf(ctx, "Error compiling script (new function): %s", cerr);
        return FR_ERR;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, REG_CACHE);
    lua_newtable(L);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "fn");
    lua_pushinteger(L, flags);
    lua_setfield(L, -2, "flags");
    lua_setfield(L, -2, sha);
    lua_pop(L, 2);
    ncached++;
    code_bytes += (long long)body->len;
    report();
    return FR_OK;
}

static void lower_sha(char out[41], const fr_str *s)
{
    for (int i = 0; i < 40; i++) out[i] = (char)tolower((unsigned char)s->buf[i]);
    out[40] = '\0';
}

static void eval_generic(fr_ctx *ctx, int evalsha)
{
    fr_monitor_feed_self(ctx);
    if (evalsha && fr_arg(ctx, 1)->len != 40) { /* before anything else, as Redis's evalShaCommand */
        fr_reply_error(ctx, "-NOSCRIPT No matching script. Please use EVAL.");
        return;
    }
    long long numkeys;
    if (fr_arg_ll_or_reply(ctx, 2, &numkeys) != FR_OK) return;
    int argc = fr_argc(ctx);
    if (numkeys > argc - 3) {
        fr_reply_error(ctx, "Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        fr_reply_error(ctx, "Number of keys can't be negative");
        return;
    }
    const fr_str *script = fr_arg(ctx, 1);
    char sha[41];
    if (evalsha) {
        if (script->len != 40) {
            fr_reply_error(ctx, "-NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
        lower_sha(sha, script);
    } else {
        fr_sha1_hex(sha, script->buf, script->len);
    }
    cache_get(sha);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        if (evalsha) {
            fr_reply_error(ctx, "-NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
        if (cache_add(ctx, script, sha) != FR_OK) return;
        cache_get(sha);
    }
    lua_getfield(L, -1, "flags");
    eng_run run = {0};
    run.flags = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    const char *name = fr_ctx_command_name(ctx);
    run.read_only = !strcmp(name, "eval_ro") || !strcmp(name, "evalsha_ro");
    run.eval_mode = 1;
    run.funcname = sha;
    if (eng_prepare(&run, ctx) != FR_OK) {
        lua_pop(L, 1);
        return;
    }
    eng_push_error_handler(L);
    lua_getfield(L, -2, "fn");
    fr_str **kv = fr_malloc(sizeof(fr_str *) * (size_t)(argc > 3 ? argc - 3 : 1));
    for (int i = 3; i < argc; i++) kv[i - 3] = (fr_str *)fr_arg(ctx, i);
    eng_push_array(L, (const fr_str *const *)kv, (int)numkeys);
    eng_set_global(L, "KEYS");
    eng_push_array(L, (const fr_str *const *)kv + numkeys, argc - 3 - (int)numkeys);
    eng_set_global(L, "ARGV");
    fr_free(kv);
    eng_call(L, &run, 0);
    lua_pop(L, 2); /* the error handler and the cache entry */
    report();
}

void cmd_eval(fr_ctx *ctx)
{
    eval_generic(ctx, 0);
}

void cmd_eval_ro(fr_ctx *ctx)
{
    eval_generic(ctx, 0);
}

void cmd_evalsha(fr_ctx *ctx)
{
    eval_generic(ctx, 1);
}

void cmd_evalsha_ro(fr_ctx *ctx)
{
    eval_generic(ctx, 1);
}

void cmd_script_load(fr_ctx *ctx)
{
    const fr_str *body = fr_arg(ctx, 2);
    char sha[41];
    fr_sha1_hex(sha, body->buf, body->len);
    if (cache_add(ctx, body, sha) != FR_OK) return;
    fr_reply_bulk(ctx, sha, 40);
}

void cmd_script_exists(fr_ctx *ctx)
{
    fr_reply_array(ctx, fr_argc(ctx) - 2);
    for (int j = 2; j < fr_argc(ctx); j++) {
        const fr_str *a = fr_arg(ctx, j);
        int found = 0;
        if (a->len == 40) {
            char sha[41];
            lower_sha(sha, a);
            cache_get(sha);
            found = !lua_isnil(L, -1);
            lua_pop(L, 1);
        }
        fr_reply_long_long(ctx, found);
    }
}

void cmd_script_flush(fr_ctx *ctx)
{
    int argc = fr_argc(ctx);
    if (argc > 3 || (argc == 3 && !fr_arg_is(ctx, 2, "sync") && !fr_arg_is(ctx, 2, "async"))) {
        fr_reply_error(ctx, "SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    eng_free(L);
    state_new();
    fr_reply_ok(ctx);
}

void cmd_script_kill(fr_ctx *ctx)
{
    eng_kill(ctx, 1);
}

/* The step debugger (LDB) is not implemented: NO is accepted, YES and
 * SYNC are refused (docs/modules/scripting.md). */
void cmd_script_debug(fr_ctx *ctx)
{
    if (fr_ctx_in_exec(ctx)) {
        fr_reply_error(ctx, "SCRIPT DEBUG must be called outside MULTI");
        return;
    }
    if (fr_arg_is(ctx, 2, "no")) {
        fr_reply_ok(ctx);
    } else if (fr_arg_is(ctx, 2, "yes") || fr_arg_is(ctx, 2, "sync")) {
        fr_reply_error(ctx, "SCRIPT DEBUG is not supported by this server (no Lua debugger)");
    } else {
        fr_reply_error(ctx, "Use SCRIPT DEBUG YES/SYNC/NO");
    }
}

static const char *const script_help[] = {
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    NULL,
};

void cmd_script_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, script_help);
}

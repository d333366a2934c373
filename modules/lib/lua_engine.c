/* lua_engine.c -- see lua_engine.h.  Runs on the system's Lua 5.1 (the
 * version Redis embeds), with Debian's lua-cjson and lua-bitop, and this
 * tree's own cmsgpack and struct (lua_cmsgpack.c, lua_struct.c): the
 * libraries Redis embeds.
 *
 * Redis's own Lua has read-only tables built into the VM; the system Lua
 * does not, so the sandbox here reaches the same observable rules with
 * proxies: the globals a script sees, and every library table in them,
 * are empty tables whose metatable reads through to the real one and
 * refuses writes ("Attempt to modify a readonly table"); a missing global
 * is an error ("Script attempted to access nonexistent global variable");
 * rawset on a protected table is refused too.  KEYS and ARGV are written
 * into the real globals before each EVAL.
 *
 * Invariants: one script runs at a time (the `running` run); the error
 * handler is always just below the called function on the stack. */
#include "lua_engine.h"
#include "lua_cmsgpack.h"
#include "lua_struct.h"

#include <lauxlib.h>
#include <lualib.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int luaopen_cjson(lua_State *L);
int luaopen_bit(lua_State *L);

#define REG_PROTECTED "__fr_protected"   /* proxies (weak set) */
#define REG_REAL_G "__fr_real_globals"
#define REG_SOURCE "__fr_globals_source"  /* what globals read: real or load API */
#define REG_LOAD_API "__fr_load_api"
#define REG_GLOBALS_META "__fr_globals_meta"   /* what getmetatable(_G) shows */

/* The run of this module's interpreter, while one runs; the server's one
 * running script (either module's) is fr_script_current(). */
static eng_run *running;
static fr_script_client *script_client;

eng_run *eng_running(void)
{
    return fr_script_current();
}

void eng_sha1hex(char out[41], const char *p, size_t len)
{
    fr_sha1_hex(out, p, len);
}

/* ------------------------------------------------------------- errors */

/* Redis's error table: {err = "<CODE> <message>"}.  "-CODE msg" keeps its
 * code, any other text gets ERR; CR/LF around the message go. */
static void push_error_text(lua_State *L, const char *text, size_t len)
{
    const char *code = "ERR", *msg = text;
    size_t codelen = 3, msglen = len;
    if (len && text[0] == '-') {
        const char *sp = memchr(text, ' ', len);
        if (!sp) {
            msg = text + 1;
            msglen = len - 1;
        } else {
            code = text + 1;
            codelen = (size_t)(sp - text) - 1;
            msg = sp + 1;
            msglen = len - (size_t)(sp + 1 - text);
        }
    }
    while (msglen && (msg[0] == '\r' || msg[0] == '\n')) msg++, msglen--;
    while (msglen && (msg[msglen - 1] == '\r' || msg[msglen - 1] == '\n')) msglen--;
    lua_newtable(L);
    lua_pushstring(L, "err");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, code, codelen);
    luaL_addchar(&b, ' ');
    luaL_addlstring(&b, msg, msglen);
    luaL_pushresult(&b);
    lua_settable(L, -3);
}

static void push_error(lua_State *L, const char *text)
{
    push_error_text(L, text, strlen(text));
}

static int raise_error(lua_State *L, const char *text)
{
    push_error(L, text);
    return lua_error(L);
}

/* An error raised by a C function Lua called (a metamethod), with the
 * position of that Lua code, as Redis's VM reports it. */
static int error_at_caller(lua_State *L, const char *fmt, const char *arg)
{
    luaL_where(L, 1);
    lua_pushfstring(L, fmt, arg);
    lua_concat(L, 2);
    return lua_error(L);
}

/* Redis's error handler: the error as a table, with the script position
 * of where it happened (the caller, when a C function raised it). */
static int error_handler(lua_State *L)
{
    lua_Debug ar;
    int have = 0;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar)) {
        have = 1;
        if (ar.what[0] == 'C') have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
    }
    if (!lua_istable(L, 1)) {
        const char *s;
        if (lua_isstring(L, 1)) s = lua_tostring(L, 1);
        else if (lua_isnil(L, 1)) s = "nil";
        else if (lua_isboolean(L, 1)) s = lua_toboolean(L, 1) ? "true" : "false";
        else s = lua_pushfstring(L, "%s: %p", luaL_typename(L, 1), lua_topointer(L, 1));
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushfstring(L, "ERR %s", s);
        lua_settable(L, -3);
        lua_replace(L, 1);
        lua_settop(L, 1);
    }
    if (have) {
        lua_pushstring(L, ar.source);
        lua_setfield(L, 1, "source");
        lua_pushinteger(L, ar.currentline);
        lua_setfield(L, 1, "line");
    }
    lua_settop(L, 1);
    return 1;
}

void eng_push_error_handler(lua_State *L)
{
    lua_pushcfunction(L, error_handler);
}

/* ------------------------------------------------- RESP reply -> Lua */

typedef struct rparser {
    const char *p, *end;
} rparser;

static const char *line_end(rparser *r)
{
    const char *e = r->p;
    while (e + 1 < r->end && !(e[0] == '\r' && e[1] == '\n')) e++;
    return e;
}

static long long line_ll(const char *p, const char *e)
{
    char buf[64];
    size_t n = (size_t)(e - p) < sizeof(buf) - 1 ? (size_t)(e - p) : sizeof(buf) - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return strtoll(buf, NULL, 10);
}

/* One reply at r->p; pushes its Lua value when keep (attributes are
 * parsed and dropped, as Redis does). */
static void parse_reply(lua_State *L, rparser *r, int keep)
{
    if (r->p >= r->end) {
        if (keep) lua_pushnil(L);
        return;
    }
    luaL_checkstack(L, 5, "reply too deep");
    char t = *r->p;
    const char *s = r->p + 1, *e = line_end(r);
    r->p = e + 2;
    switch (t) {
    case ':':
        if (keep) lua_pushnumber(L, (lua_Number)line_ll(s, e));
        return;
    case '+':
        if (!keep) return;
        lua_newtable(L);
        lua_pushstring(L, "ok");
        lua_pushlstring(L, s, (size_t)(e - s));
        lua_settable(L, -3);
        return;
    case '-':
        if (!keep) return;
        lua_pushliteral(L, "-");
        lua_pushlstring(L, s, (size_t)(e - s));
        lua_concat(L, 2);
        {
            size_t n;
            const char *txt = lua_tolstring(L, -1, &n);
            push_error_text(L, txt, n);
        }
        lua_remove(L, -2);
        lua_pushstring(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
        return;
    case '$':
    case '=': {
        long long len = line_ll(s, e);
        if (len < 0) {
            if (keep) lua_pushboolean(L, 0);
            return;
        }
        const char *data = r->p;
        r->p += len + 2;
        if (!keep) return;
        if (t == '$') {
            lua_pushlstring(L, data, (size_t)len);
        } else {
            lua_newtable(L);
            lua_pushstring(L, "verbatim_string");
            lua_newtable(L);
            lua_pushstring(L, "string");
            lua_pushlstring(L, data + 4, (size_t)(len >= 4 ? len - 4 : 0));
            lua_settable(L, -3);
            lua_pushstring(L, "format");
            lua_pushlstring(L, data, 3);
            lua_settable(L, -3);
            lua_settable(L, -3);
        }
        return;
    }
    case '*':
    case '>': {
        long long n = line_ll(s, e);
        if (n < 0) {
            if (keep) lua_pushboolean(L, 0);
            return;
        }
        if (keep) lua_newtable(L);
        for (long long i = 0; i < n; i++) {
            if (keep) lua_pushnumber(L, (lua_Number)(i + 1));
            parse_reply(L, r, keep);
            if (keep) lua_settable(L, -3);
        }
        return;
    }
    case '%':
    case '~': {
        long long n = line_ll(s, e);
        if (keep) {
            lua_newtable(L);
            lua_pushstring(L, t == '%' ? "map" : "set");
            lua_newtable(L);
        }
        for (long long i = 0; i < n; i++) {
            parse_reply(L, r, keep);
            if (t == '%') parse_reply(L, r, keep);
            else if (keep) lua_pushboolean(L, 1);
            if (keep) lua_settable(L, -3);
        }
        if (keep) lua_settable(L, -3);
        return;
    }
    case '|': {
        long long n = line_ll(s, e);
        for (long long i = 0; i < 2 * n; i++) parse_reply(L, r, 0);
        parse_reply(L, r, keep);
        return;
    }
    case '_':
        if (keep) lua_pushnil(L);
        return;
    case '#':
        if (keep) lua_pushboolean(L, *s == 't');
        return;
    case ',': {
        if (!keep) return;
        char buf[128];
        size_t n = (size_t)(e - s) < sizeof(buf) - 1 ? (size_t)(e - s) : sizeof(buf) - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        lua_newtable(L);
        lua_pushstring(L, "double");
        lua_pushnumber(L, strtod(buf, NULL));
        lua_settable(L, -3);
        return;
    }
    case '(':
        if (!keep) return;
        lua_newtable(L);
        lua_pushstring(L, "big_number");
        lua_pushlstring(L, s, (size_t)(e - s));
        lua_settable(L, -3);
        return;
    default:
        if (keep) lua_pushnil(L);
        return;
    }
}

/* ------------------------------------------------- Lua -> reply */

/* Pushes t[name] (raw) of the table on the top; returns its type. */
static int field_type(lua_State *L, const char *name)
{
    lua_pushstring(L, name);
    lua_rawget(L, -2);
    return lua_type(L, -1);
}

static long count_pairs(lua_State *L)
{
    long n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        n++;
    }
    return n;
}

static void reply_value(fr_ctx *ctx, lua_State *L, int script_resp);

/* An error table marked ignore_error_stats_update (a command's error,
 * counted when the command replied or was refused) is sent uncounted. */
static void reply_error_table(fr_ctx *ctx, lua_State *L, int table, const char *msg)
{
    lua_getfield(L, table, "ignore_error_stats_update");
    int counted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (counted) fr_reply_error_uncounted(ctx, msg);
    else fr_reply_error(ctx, msg);
}

/* The special tables: error, status, double, big number, verbatim, map,
 * set.  1 when the table was one of them (and is consumed). */
static int reply_special(fr_ctx *ctx, lua_State *L, int script_resp)
{
    if (field_type(L, "err") == LUA_TSTRING) {
        lua_pushfstring(L, "-%s", lua_tostring(L, -1));
        reply_error_table(ctx, L, -3, lua_tostring(L, -1));
        lua_pop(L, 3);
        return 1;
    }
    lua_pop(L, 1);
    if (field_type(L, "ok") == LUA_TSTRING) {
        fr_reply_status(ctx, lua_tostring(L, -1));
        lua_pop(L, 2);
        return 1;
    }
    lua_pop(L, 1);
    if (field_type(L, "double") == LUA_TNUMBER) {
        fr_reply_double(ctx, lua_tonumber(L, -1));
        lua_pop(L, 2);
        return 1;
    }
    lua_pop(L, 1);
    if (field_type(L, "big_number") == LUA_TSTRING) {
        size_t n;
        const char *p = lua_tolstring(L, -1, &n);
        char *b = fr_malloc(n + 1);
        for (size_t i = 0; i < n; i++) b[i] = (p[i] == '\r' || p[i] == '\n') ? ' ' : p[i];
        fr_reply_big_number(ctx, b, n);
        fr_free(b);
        lua_pop(L, 2);
        return 1;
    }
    lua_pop(L, 1);
    if (field_type(L, "verbatim_string") == LUA_TTABLE) {
        if (field_type(L, "format") == LUA_TSTRING) {
            const char *fmt = lua_tostring(L, -1);
            lua_pushstring(L, "string");
            lua_rawget(L, -3);
            if (lua_type(L, -1) == LUA_TSTRING) {
                size_t n;
                const char *p = lua_tolstring(L, -1, &n);
                fr_reply_verbatim(ctx, p, n, fmt);
                lua_pop(L, 4);
                return 1;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (field_type(L, "map") == LUA_TTABLE) {
        fr_reply_map(ctx, count_pairs(L));
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            reply_value(ctx, L, script_resp); /* the key */
            reply_value(ctx, L, script_resp); /* the value */
        }
        lua_pop(L, 2);
        return 1;
    }
    lua_pop(L, 1);
    if (field_type(L, "set") == LUA_TTABLE) {
        fr_reply_set(ctx, count_pairs(L));
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            reply_value(ctx, L, script_resp);
        }
        lua_pop(L, 2);
        return 1;
    }
    lua_pop(L, 1);
    return 0;
}

/* Converts and pops the value on the top of the stack, as Redis's
 * luaReplyToRedisReply: a table is an array up to its first nil. */
static void reply_value(fr_ctx *ctx, lua_State *L, int script_resp)
{
    if (!lua_checkstack(L, 4)) {
        fr_reply_error(ctx, "reached lua stack limit");
        lua_pop(L, 1);
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t n;
        const char *p = lua_tolstring(L, -1, &n);
        fr_reply_bulk(ctx, p, n);
        break;
    }
    case LUA_TBOOLEAN:
        if (script_resp == 2) {
            if (lua_toboolean(L, -1)) fr_reply_long_long(ctx, 1);
            else fr_reply_null(ctx);
        } else {
            fr_reply_bool(ctx, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER:
        fr_reply_long_long(ctx, (long long)lua_tonumber(L, -1));
        break;
    case LUA_TTABLE: {
        if (reply_special(ctx, L, script_resp)) return;
        long n = 0;
        for (;;) {
            lua_rawgeti(L, -1, (int)(n + 1));
            int t = lua_type(L, -1);
            lua_pop(L, 1);
            if (t == LUA_TNIL) break;
            n++;
        }
        fr_reply_array(ctx, n);
        for (long j = 1; j <= n; j++) {
            lua_rawgeti(L, -1, (int)j);
            reply_value(ctx, L, script_resp);
        }
        break;
    }
    default:
        fr_reply_null(ctx);
    }
    lua_pop(L, 1);
}

/* ------------------------------------------------- redis.* */

static int script_resp = 2;

static fr_str **args_to_argv(lua_State *L, int *argc_out)
{
    int argc = lua_gettop(L);
    *argc_out = argc;
    if (argc == 0) {
        push_error(L, "Please specify at least one argument for this redis lib call");
        return NULL;
    }
    fr_str **argv = fr_malloc(sizeof(*argv) * (size_t)argc);
    int j;
    for (j = 0; j < argc; j++) {
        if (lua_type(L, j + 1) == LUA_TNUMBER) {
            /* %.17g: Lua's own conversion would lose precision */
            char buf[64];
            int n = snprintf(buf, sizeof(buf), "%.17g", (double)lua_tonumber(L, j + 1));
            argv[j] = fr_str_new(buf, (size_t)n);
        } else {
            size_t n;
            const char *p = lua_tolstring(L, j + 1, &n);
            if (!p) break;
            argv[j] = fr_str_new(p, n);
        }
    }
    lua_pop(L, argc);
    if (j != argc) {
        for (int i = 0; i < j; i++) fr_str_free(argv[i]);
        fr_free(argv);
        push_error(L, "Lua redis lib command arguments must be strings or integers");
        return NULL;
    }
    return argv;
}

static void free_argv(fr_str **argv, int argc)
{
    for (int i = 0; i < argc; i++) fr_str_free(argv[i]);
    fr_free(argv);
}

/* Redis's scriptCall checks after arity, in its order; NULL when the
 * command may run. */
static const char *refusal(eng_run *run, unsigned long long f, int argc, fr_str **argv)
{
    if ((f & FR_CMDF_NOSCRIPT) && !fr_script_deny_disabled()) return "This Redis command is not allowed from script";
    if (fr_replica_stale_refuses(f)) return "Can not execute the command on a stale replica";
    const char *acl = fr_script_acl_refusal(script_client, argc, argv);
    if (acl) return acl;
    if (run->read_only && (f & (FR_CMDF_WRITE | FR_CMDF_MAY_REPLICATE)))
        return "Write commands are not allowed from read-only scripts.";
    if ((f & FR_CMDF_WRITE) && !run->write_dirty) {
        const char *w = fr_write_refusal();
        if (w) return w;
    }
    if (!(run->flags & ENG_FLAG_ALLOW_OOM) && !run->write_dirty && (f & FR_CMDF_DENYOOM) && fr_ctx_oom(run->ctx))
        return "-OOM command not allowed when used memory > 'maxmemory'.";
    return NULL;
}

static int redis_generic_call(lua_State *L, int raise)
{
    eng_run *run = running;
    if (!run) return raise_error(L, "redis.call/pcall can only be called inside a script invocation");
    int argc;
    fr_str **argv = args_to_argv(L, &argc);
    if (!argv) return raise ? lua_error(L) : 1;
    static int inuse;
    if (inuse) {
        free_argv(argv, argc);
        const char *w = "luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua "
                        "debug hooks?";
        fr_log(FR_LOG_WARNING, "%s", w);
        push_error(L, w);
        return 1;
    }
    unsigned long long f = 0;
    int found = fr_command_flags(argc, (const fr_str *const *)argv, &f);
    const char *err;
    if (found == 0) err = "Unknown Redis command called from script";
    else if (found < 0) err = "Wrong number of args calling Redis command from script";
    else err = refusal(run, f, argc, argv);
    if (err) {
        fr_script_rejected(argc, argv, err);
        free_argv(argv, argc);
        push_error(L, err);
        lua_pushstring(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
        return raise ? lua_error(L) : 1;
    }
    if (f & FR_CMDF_WRITE) run->write_dirty = 1;
    inuse++;
    fr_str *reply = fr_script_call(script_client, argc, argv);
    inuse--;
    free_argv(argv, argc);
    rparser r = {reply->buf, reply->buf + reply->len};
    int is_error = reply->len > 0 && reply->buf[0] == '-';
    parse_reply(L, &r, 1);
    fr_str_free(reply);
    if (raise && is_error) return lua_error(L);
    return 1;
}

static int redis_call(lua_State *L)
{
    return redis_generic_call(L, 1);
}

static int redis_pcall_cmd(lua_State *L)
{
    return redis_generic_call(L, 0);
}

/* pcall as Redis replaces it: an error table gives its message. */
static int lua_pcall_compat(lua_State *L)
{
    int argc = lua_gettop(L);
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
        lua_remove(L, 1);
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            if (lua_isstring(L, -1)) lua_replace(L, -2);
            else lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

static int redis_sha1hex(lua_State *L)
{
    if (lua_gettop(L) != 1) return raise_error(L, "wrong number of arguments");
    size_t n = 0;
    const char *s = lua_tolstring(L, 1, &n);
    char hex[41];
    fr_sha1_hex(hex, s ? s : "", s ? n : 0);
    lua_pushstring(L, hex);
    return 1;
}

/* redis.error_reply and redis.status_reply take one string; otherwise
 * they return (not raise) an error table, as Redis's. */
static int one_string_or_error(lua_State *L)
{
    if (lua_gettop(L) == 1 && lua_type(L, -1) == LUA_TSTRING) return 1;
    push_error(L, "wrong number or type of arguments");
    return 0;
}

static int redis_error_reply(lua_State *L)
{
    if (!one_string_or_error(L)) return 1;
    const char *e = lua_tostring(L, -1);
    if (e[0] != '-') e = lua_pushfstring(L, "-%s", e);
    push_error(L, e);
    return 1;
}

static int redis_status_reply(lua_State *L)
{
    if (!one_string_or_error(L)) return 1;
    lua_newtable(L);
    lua_pushstring(L, "ok");
    lua_pushvalue(L, -3);
    lua_settable(L, -3);
    return 1;
}

/* 7.0 always propagates a script's effects: the flags are checked only. */
static int redis_set_repl(lua_State *L)
{
    if (!running) return raise_error(L, "redis.set_repl can only be called inside a script invocation");
    if (lua_gettop(L) != 1) return raise_error(L, "redis.set_repl() requires two arguments.");
    int flags = (int)lua_tonumber(L, -1);
    if (flags & ~3) return raise_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return 0;
}

static int redis_replicate_commands(lua_State *L)
{
    lua_pushboolean(L, 1);
    return 1;
}

static int redis_noop(lua_State *L)
{
    (void)L;
    return 0;
}

static int redis_log(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc < 2) return raise_error(L, "redis.log() requires two arguments or more.");
    if (!lua_isnumber(L, -argc)) return raise_error(L, "First argument must be a number (log level).");
    int level = (int)lua_tonumber(L, -argc);
    if (level < FR_LOG_DEBUG || level > FR_LOG_WARNING) return raise_error(L, "Invalid debug level.");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int first = 1;
    for (int j = 2; j <= argc; j++) {
        size_t n;
        const char *s = lua_tolstring(L, j, &n);
        if (!s) continue;
        if (!first) luaL_addchar(&b, ' ');
        first = 0;
        luaL_addlstring(&b, s, n);
    }
    luaL_pushresult(&b);
    fr_log(level, "%s", lua_tostring(L, -1));
    return 0;
}

static int redis_setresp(lua_State *L)
{
    if (!running) return raise_error(L, "redis.setresp can only be called inside a script invocation");
    if (lua_gettop(L) != 1) return raise_error(L, "redis.setresp() requires one argument.");
    int resp = (int)lua_tonumber(L, -1);
    if (resp != 2 && resp != 3) return raise_error(L, "RESP version must be 2 or 3.");
    script_resp = resp;
    fr_script_set_resp(script_client, resp);
    return 0;
}

/* Whether the script's caller's ACL user may run the command. */
static int redis_acl_check_cmd(lua_State *L)
{
    if (!running) return raise_error(L, "redis.acl_check_cmd can only be called inside a script invocation");
    int argc;
    fr_str **argv = args_to_argv(L, &argc);
    if (!argv) return lua_error(L);
    unsigned long long f;
    int found = fr_command_flags(argc, (const fr_str *const *)argv, &f);
    int allowed = found != 0 && fr_script_acl_allows(script_client, argc, argv);
    free_argv(argv, argc);
    if (found == 0) return raise_error(L, "Invalid command passed to redis.acl_check_cmd()");
    lua_pushboolean(L, allowed);
    return 1;
}

/* Redis's math.random: a 48-bit linear congruential generator (the
 * rand48 family's constants and start), the same sequence everywhere. */
static unsigned long long rand48_state = 0x1234ABCD330EULL;

static long rand48_next(void)
{
    rand48_state = (0x5DEECE66DULL * rand48_state + 0xB) & ((1ULL << 48) - 1);
    return (long)(rand48_state >> 17);
}

static int math_random(lua_State *L)
{
    if (!running) return luaL_error(L, "math.random can only be called inside a script invocation");
    lua_Number r = (lua_Number)(rand48_next() % 0x7fffffff) / (lua_Number)0x7fffffff;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, r);
        break;
    case 1: {
        int u = luaL_checkint(L, 1);
        luaL_argcheck(L, 1 <= u, 1, "interval is empty");
        lua_pushnumber(L, floor(r * u) + 1);
        break;
    }
    case 2: {
        int l = luaL_checkint(L, 1);
        int u = luaL_checkint(L, 2);
        luaL_argcheck(L, l <= u, 2, "interval is empty");
        lua_pushnumber(L, floor(r * (u - l + 1)) + l);
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int math_randomseed(lua_State *L)
{
    if (!running) return luaL_error(L, "math.randomseed can only be called inside a script invocation");
    rand48_state = (((unsigned long long)(unsigned int)luaL_checkint(L, 1)) << 16) | 0x330E;
    return 0;
}

/* bit.tohex with Redis's fix: Debian's LuaBitOp 1.0.2 negates a count of
 * -2^31 and writes past its buffer (Redis's "lua bit.tohex bug" test). */
static uint32_t bit_arg(lua_State *L, int i)
{
    union {
        lua_Number n;
        uint64_t b;
    } u;
    u.n = luaL_checknumber(L, i) + 6755399441055744.0; /* 2^52 + 2^51: the low 32 bits, wrapped */
    return (uint32_t)u.b;
}

static int bit_tohex_checked(lua_State *L)
{
    uint32_t b = bit_arg(L, 1);
    int32_t n = lua_isnone(L, 2) ? 8 : (int32_t)bit_arg(L, 2);
    const char *digits = "0123456789abcdef";
    char buf[8];
    if (n == INT32_MIN) n = INT32_MIN + 1;
    if (n < 0) {
        n = -n;
        digits = "0123456789ABCDEF";
    }
    if (n > 8) n = 8;
    for (int i = n; --i >= 0;) {
        buf[i] = digits[b & 15];
        b >>= 4;
    }
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

/* Code is always text, as in Redis's Lua, which has no bytecode loader:
 * a chunk starting with the bytecode signature's ESC is parsed (and
 * refused by the parser, "unexpected symbol near 'char(27)'") behind a
 * leading space, which changes no line number. */
static int load_text(lua_State *L, const char *code, size_t len, const char *name)
{
    if (len == 0 || code[0] != '\033') return luaL_loadbuffer(L, code, len, name);
    char *buf = fr_malloc(len + 1);
    buf[0] = ' ';
    memcpy(buf + 1, code, len);
    int rc = luaL_loadbuffer(L, buf, len + 1, name);
    fr_free(buf);
    return rc;
}

/* loadstring that never loads bytecode. */
static int loadstring_text(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *name = luaL_optstring(L, 2, s);
    if (load_text(L, s, n, name) == 0) return 1;
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
}

/* ------------------------------------------------- sandbox */

static int proxy_newindex(lua_State *L)
{
    return error_at_caller(L, "%s", "Attempt to modify a readonly table");
}

static int globals_index(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_SOURCE);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
    const char *name = lua_isstring(L, 2) ? lua_tostring(L, 2) : "?";
    return error_at_caller(L, "Script attempted to access nonexistent global variable '%s'", name);
}

/* Reading a missing field of the load API (redis.call while loading). */
static int missing_field(lua_State *L)
{
    const char *name = lua_isstring(L, 2) ? lua_tostring(L, 2) : "?";
    return error_at_caller(L, "Script attempted to access nonexistent global variable '%s'", name);
}

static int is_protected(lua_State *L, int idx)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_PROTECTED);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    int p = lua_toboolean(L, -1);
    lua_pop(L, 2);
    return p;
}

static int rawset_guarded(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_protected(L, 1)) return raise_error(L, "Attempt to modify a readonly table");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* unpack with the bound checks of Redis's fix for CVE-2025-46817: a
 * range too large to push is an error, never an overflowed count. */
static int unpack_checked(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int i = luaL_optint(L, 2, 1);
    int e = luaL_opt(L, luaL_checkint, 3, (int)lua_objlen(L, 1));
    if (i > e) return 0;
    unsigned int n = (unsigned int)e - (unsigned int)i;
    if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)++n)) return luaL_error(L, "too many results to unpack");
    for (; i <= e; i++) {
        lua_rawgeti(L, 1, i);
        if (i == e) break; /* e may be INT_MAX: no overflow of i */
    }
    return (int)n;
}

/* getmetatable/setmetatable on a protected table: none to see, none to
 * change ("Attempt to modify a readonly table"), as Redis's read-only
 * tables answer. */
static int getmetatable_guarded(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_istable(L, 1) && is_protected(L, 1)) {
        /* Redis's globals carry a read-only metatable (its __index
         * raises the missing-global error), its library tables none */
        lua_getfield(L, LUA_REGISTRYINDEX, "__fr_globals_proxy");
        if (lua_rawequal(L, 1, -1)) lua_getfield(L, LUA_REGISTRYINDEX, REG_GLOBALS_META);
        else lua_pushnil(L);
        return 1;
    }
    if (!lua_getmetatable(L, 1)) {
        lua_pushnil(L);
        return 1;
    }
    luaL_getmetafield(L, 1, "__metatable");
    return 1;
}

static int setmetatable_guarded(lua_State *L)
{
    if (lua_istable(L, 1) && is_protected(L, 1)) return raise_error(L, "Attempt to modify a readonly table");
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
    if (luaL_getmetafield(L, 1, "__metatable")) return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* Replaces the table at the top with a read-only proxy of it, whose
 * reads go to `index` (NULL: the table itself). */
static void make_proxy(lua_State *L, lua_CFunction index)
{
    int real = lua_gettop(L);
    lua_newtable(L);
    lua_newtable(L);
    if (index) lua_pushcfunction(L, index);
    else lua_pushvalue(L, real);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, proxy_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_getfield(L, LUA_REGISTRYINDEX, REG_PROTECTED);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_replace(L, real);
}

static const char *const allowed_globals[] = {
    "string", "cjson", "bit", "cmsgpack", "math", "table", "struct", "redis", "xpcall", "tostring",
    "setmetatable", "next", "assert", "tonumber", "rawequal", "collectgarbage", "getmetatable", "rawset",
    "pcall", "coroutine", "type", "_G", "select", "unpack", "gcinfo", "pairs", "rawget", "loadstring",
    "ipairs", "_VERSION", "load", "error", NULL};

static int allowed(const char *name)
{
    for (int i = 0; allowed_globals[i]; i++)
        if (!strcmp(allowed_globals[i], name)) return 1;
    return 0;
}

static void set_fn(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
}

static void set_num(lua_State *L, const char *name, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, name);
}

/* Opens a library; one that returns its table without setting a global
 * (Debian's cjson) gets the global here. */
static void open_lib(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(L, fn);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (name[0] && lua_istable(L, -1)) {
        lua_getglobal(L, name);
        int missing = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (missing) {
            lua_pushvalue(L, -1);
            lua_setglobal(L, name);
        }
    }
    lua_pop(L, 1);
}

static void register_redis_api(lua_State *L)
{
    lua_newtable(L);
    set_fn(L, "call", redis_call);
    set_fn(L, "pcall", redis_pcall_cmd);
    set_fn(L, "log", redis_log);
    set_num(L, "LOG_DEBUG", FR_LOG_DEBUG);
    set_num(L, "LOG_VERBOSE", FR_LOG_VERBOSE);
    set_num(L, "LOG_NOTICE", FR_LOG_NOTICE);
    set_num(L, "LOG_WARNING", FR_LOG_WARNING);
    set_num(L, "REDIS_VERSION_NUM", 0x07000f);
    lua_pushstring(L, "7.0.15");
    lua_setfield(L, -2, "REDIS_VERSION");
    set_fn(L, "setresp", redis_setresp);
    set_fn(L, "sha1hex", redis_sha1hex);
    set_fn(L, "error_reply", redis_error_reply);
    set_fn(L, "status_reply", redis_status_reply);
    set_fn(L, "set_repl", redis_set_repl);
    set_fn(L, "replicate_commands", redis_replicate_commands);
    set_fn(L, "breakpoint", redis_noop);
    set_fn(L, "debug", redis_noop);
    set_num(L, "REPL_NONE", 0);
    set_num(L, "REPL_AOF", 1);
    set_num(L, "REPL_SLAVE", 2);
    set_num(L, "REPL_REPLICA", 2);
    set_num(L, "REPL_ALL", 3);
    set_fn(L, "acl_check_cmd", redis_acl_check_cmd);
    lua_setglobal(L, "redis");
}

/* Keeps only the allowed globals (Redis's allow lists). */
static void drop_unlisted_globals(lua_State *L)
{
    lua_newtable(L);
    int drop = lua_gettop(L), ndrop = 0;
    lua_pushnil(L);
    while (lua_next(L, LUA_GLOBALSINDEX)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING && !allowed(lua_tostring(L, -1))) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, drop, ++ndrop);
        }
    }
    for (int i = 1; i <= ndrop; i++) {
        lua_rawgeti(L, drop, i);
        lua_pushnil(L);
        lua_rawset(L, LUA_GLOBALSINDEX);
    }
    lua_pop(L, 1);
}

/* Library tables and the globals become read-only proxies. */
static void protect(lua_State *L)
{
    lua_newtable(L);
    lua_newtable(L);
    lua_pushstring(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_PROTECTED);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_REAL_G);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_SOURCE);
    static const char *const libs[] = {"string", "math", "table", "cjson", "struct", "cmsgpack", "bit", "redis",
                                       "coroutine", NULL};
    for (int i = 0; libs[i]; i++) {
        lua_getglobal(L, libs[i]);
        if (!lua_istable(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        make_proxy(L, NULL);
        lua_setglobal(L, libs[i]);
    }
    /* Strings keep their methods; getmetatable('') shows a read-only
     * table whose __index is the read-only string library (CVE-2025-46818:
     * basic types' metatables cannot be changed). */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_newtable(L);
        lua_getglobal(L, "string");
        lua_setfield(L, -2, "__index");
        make_proxy(L, NULL);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushcfunction(L, missing_field);
    lua_setfield(L, -2, "__index");
    make_proxy(L, NULL);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_GLOBALS_META);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    make_proxy(L, globals_index);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "__fr_globals_proxy");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_GLOBALSINDEX, "_G");
    lua_replace(L, LUA_GLOBALSINDEX);
}

static int register_function(lua_State *L);

/* The globals a library's code sees while it loads: redis with
 * register_function, log and the version fields; anything else is a
 * missing global. */
static void make_load_api(lua_State *L)
{
    lua_newtable(L);
    lua_newtable(L);
    set_fn(L, "register_function", register_function);
    set_fn(L, "log", redis_log);
    set_num(L, "LOG_DEBUG", FR_LOG_DEBUG);
    set_num(L, "LOG_VERBOSE", FR_LOG_VERBOSE);
    set_num(L, "LOG_NOTICE", FR_LOG_NOTICE);
    set_num(L, "LOG_WARNING", FR_LOG_WARNING);
    set_num(L, "REDIS_VERSION_NUM", 0x07000f);
    lua_pushstring(L, "7.0.15");
    lua_setfield(L, -2, "REDIS_VERSION");
    make_proxy(L, NULL);
    lua_getmetatable(L, -1);
    lua_getfield(L, -1, "__index");     /* the real redis table */
    lua_newtable(L);
    lua_pushcfunction(L, missing_field);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pop(L, 2);
    lua_setfield(L, -2, "redis");
    lua_newtable(L);
    lua_pushcfunction(L, missing_field);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_LOAD_API);
}

lua_State *eng_new(int functions)
{
    if (!script_client) script_client = fr_script_client_new();
    lua_State *L = luaL_newstate();
    open_lib(L, "", luaopen_base);
    open_lib(L, LUA_TABLIBNAME, luaopen_table);
    open_lib(L, LUA_STRLIBNAME, luaopen_string);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math);
    open_lib(L, "cjson", luaopen_cjson);
    open_lib(L, "struct", fr_luaopen_struct);
    open_lib(L, "cmsgpack", fr_luaopen_cmsgpack);
    open_lib(L, "bit", luaopen_bit);
    lua_pushcfunction(L, lua_pcall_compat);
    lua_setglobal(L, "pcall");
    lua_pushcfunction(L, loadstring_text);
    lua_setglobal(L, "loadstring");
    lua_pushcfunction(L, rawset_guarded);
    lua_setglobal(L, "rawset");
    lua_pushcfunction(L, unpack_checked);
    lua_setglobal(L, "unpack");
    lua_pushcfunction(L, getmetatable_guarded);
    lua_setglobal(L, "getmetatable");
    lua_pushcfunction(L, setmetatable_guarded);
    lua_setglobal(L, "setmetatable");
    register_redis_api(L);
    lua_getglobal(L, "bit");
    if (lua_istable(L, -1)) set_fn(L, "tohex", bit_tohex_checked);
    lua_pop(L, 1);
    lua_getglobal(L, "math");
    set_fn(L, "random", math_random);
    set_fn(L, "randomseed", math_randomseed);
    lua_pop(L, 1);
    drop_unlisted_globals(L);
    protect(L);
    if (functions) make_load_api(L);
    return L;
}

void eng_free(lua_State *L)
{
    if (L) lua_close(L);
}

long long eng_memory(lua_State *L)
{
    return (long long)lua_gc(L, LUA_GCCOUNT, 0) * 1024LL + lua_gc(L, LUA_GCCOUNTB, 0);
}

void eng_set_global(lua_State *L, const char *name)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_REAL_G);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

void eng_push_array(lua_State *L, const fr_str *const *argv, int n)
{
    lua_createtable(L, n, 0);
    for (int j = 0; j < n; j++) {
        lua_pushlstring(L, argv[j]->buf, argv[j]->len);
        lua_rawseti(L, -2, j + 1);
    }
}

const char *eng_compile(lua_State *L, const char *code, size_t len, const char *chunkname)
{
    static char msg[1024];
    if (load_text(L, code, len, chunkname) == 0) return NULL;
    snprintf(msg, sizeof(msg), "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return msg;
}

int eng_flag_from_name(const char *name, size_t len, int *flag)
{
    static const struct {
        const char *name;
        int flag;
    } names[] = {{"no-writes", ENG_FLAG_NO_WRITES}, {"allow-oom", ENG_FLAG_ALLOW_OOM},
                 {"allow-stale", ENG_FLAG_ALLOW_STALE}, {"no-cluster", ENG_FLAG_NO_CLUSTER},
                 {"allow-cross-slot-keys", ENG_FLAG_ALLOW_CROSS_SLOT}, {NULL, 0}};
    for (int i = 0; names[i].name; i++)
        if (strlen(names[i].name) == len && !memcmp(names[i].name, name, len)) {
            *flag = names[i].flag;
            return FR_OK;
        }
    return FR_ERR;
}

/* ------------------------------------------------- running */

/* Redis's scriptPrepareForRun refusals for a script with flags. */
int eng_prepare(eng_run *run, fr_ctx *ctx)
{
    run->ctx = ctx;
    int flags = run->flags;
    int stale = fr_replica_stale_refuses(0); /* a replica serving no stale data */
    if (flags & ENG_FLAG_EVAL_COMPAT) {
        if (!stale) return FR_OK;
        fr_reply_error(ctx, "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
        return FR_ERR;
    }
    if (stale && !(flags & ENG_FLAG_ALLOW_STALE)) {
        fr_reply_error(ctx, "-MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and "
                            "'allow-stale' flag is not set on the script.");
        return FR_ERR;
    }
    if (!(flags & ENG_FLAG_NO_WRITES)) {
        /* MISCONF, else NOREPLICAS on a master or READONLY on a replica */
        const char *w = fr_write_refusal();
        if (w && !strncmp(w, "-READONLY", 9)) {
            fr_reply_error(ctx, "-READONLY Can not run script with write flag on readonly replica");
            return FR_ERR;
        }
        if (w && !strncmp(w, "-MISCONF", 8)) {
            fr_reply_error(ctx, "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
                                "persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only "
                                "scripts.");
            return FR_ERR;
        }
        if (run->read_only) {
            fr_reply_error(ctx, "Can not execute a script with write flag using *_ro command.");
            return FR_ERR;
        }
        if (w) {
            fr_reply_error(ctx, w);
            return FR_ERR;
        }
    }
    if (fr_ctx_oom(ctx) && !(flags & (ENG_FLAG_ALLOW_OOM | ENG_FLAG_NO_WRITES))) {
        fr_reply_error(ctx, "-OOM allow-oom flag is not set on the script, can not run it when used memory > "
                            "'maxmemory'");
        return FR_ERR;
    }
    if (flags & ENG_FLAG_NO_WRITES) run->read_only = 1;
    return FR_OK;
}

static const char *busy_text(const eng_run *run)
{
    return run->eval_mode ? "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
                          : "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
                            "NOSAVE.";
}

/* Every 100000 instructions: past busy-reply-threshold the loop serves
 * the other clients (who get -BUSY), and SCRIPT KILL can stop us. */
static void timeout_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    eng_run *run = running;
    if (!run) return;
    long long threshold = fr_config_server_ll("busy-reply-threshold", 5000);
    long long elapsed = (long long)fr_mstime() - run->start_ms;
    if (!run->timedout && threshold > 0 && elapsed >= threshold) {
        run->timedout = 1;
        fr_log(FR_LOG_WARNING,
               "Slow script detected: still in execution after %lld milliseconds. You can try killing the script "
               "using the %s command. Script name is: %s.",
               elapsed, run->eval_mode ? "SCRIPT KILL" : "FUNCTION KILL", run->funcname);
    }
    if (run->timedout) fr_busy_process_events(run->ctx, busy_text(run));
    if (run->killed) {
        fr_log(FR_LOG_WARNING, "Lua script killed by user with SCRIPT KILL.");
        /* on every line from now on, so a pcall cannot swallow it for good */
        lua_sethook(L, timeout_hook, LUA_MASKLINE, 0);
        raise_error(L, "Script killed by user with SCRIPT KILL...");
    }
}

void eng_kill(fr_ctx *ctx, int eval)
{
    eng_run *run = fr_script_current();
    if (!run) {
        fr_reply_error(ctx, "-NOTBUSY No scripts in execution right now.");
        return;
    }
    if (run->write_dirty) {
        fr_reply_error(ctx, "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
                            "You can either wait the script termination or kill the server in a hard way using "
                            "the SHUTDOWN NOSAVE command.");
        return;
    }
    if (eval != run->eval_mode) {
        fr_reply_error(ctx, busy_text(run));
        return;
    }
    run->killed = 1;
    fr_reply_ok(ctx);
}

static void reply_error_object(eng_run *run, lua_State *L)
{
    fr_ctx *ctx = run->ctx;
    if (!lua_istable(L, -1)) {
        const char *msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
        fr_reply_errorf(ctx, "Error running script %s, %.100s\n", run->funcname, msg);
        return;
    }
    lua_getfield(L, -1, "err");
    const char *err = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    lua_getfield(L, -2, "source");
    const char *source = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
    lua_getfield(L, -3, "line");
    const char *line = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
    size_t n = strlen(err) + strlen(run->funcname) + (source ? strlen(source) : 0) + (line ? strlen(line) : 0) + 32;
    char *msg = fr_malloc(n);
    if (line && source) snprintf(msg, n, "-%s script: %s, on %s:%s.", err, run->funcname, source, line);
    else snprintf(msg, n, "-%s", err);
    reply_error_table(ctx, L, -4, msg);
    fr_free(msg);
    lua_pop(L, 3);
}

void eng_call(lua_State *L, eng_run *run, int nargs)
{
    fr_ctx *ctx = run->ctx;
    running = run;
    script_resp = 2;
    run->start_ms = (long long)fr_mstime();
    fr_script_begin(script_client, ctx, run);
    if (fr_config_server_ll("busy-reply-threshold", 5000) > 0) lua_sethook(L, timeout_hook, LUA_MASKCOUNT, 100000);
    int errfunc = lua_gettop(L) - nargs - 1;
    int err = lua_pcall(L, nargs, 1, errfunc);
    /* a small GC step now and then rather than a full cycle at a bad time */
    static long gc_count;
    if (++gc_count == 50) {
        lua_gc(L, LUA_GCSTEP, 50);
        gc_count = 0;
    }
    if (err) {
        reply_error_object(run, L);
        lua_pop(L, 1);
    } else {
        reply_value(ctx, L, script_resp);
    }
    lua_sethook(L, NULL, 0, 0);
    fr_script_end(script_client);
    if (run->timedout) fr_busy_end();
    running = NULL;
}

/* ------------------------------------------------- functions */

const char *const eng_flag_names[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                      "allow-cross-slot-keys", NULL};
const int eng_flag_values[] = {ENG_FLAG_NO_WRITES, ENG_FLAG_ALLOW_OOM, ENG_FLAG_ALLOW_STALE, ENG_FLAG_NO_CLUSTER,
                               ENG_FLAG_ALLOW_CROSS_SLOT, 0};

typedef struct load_ctx {
    eng_register_fn add;
    void *priv;
    long long start_ms;
} load_ctx;

static load_ctx *loading;

static int read_flags(lua_State *L, int *flags)
{
    int f = 0;
    for (int j = 1;; j++) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (!lua_isstring(L, -1)) {
            lua_pop(L, 1);
            return FR_ERR;
        }
        const char *name = lua_tostring(L, -1);
        int found = 0;
        for (int i = 0; eng_flag_names[i]; i++)
            if (!strcasecmp(eng_flag_names[i], name)) {
                f |= eng_flag_values[i];
                found = 1;
            }
        lua_pop(L, 1);
        if (!found) return FR_ERR;
    }
    *flags = f;
    return FR_OK;
}

/* register_function{function_name=, callback=, flags=, description=}:
 * pushes the error text and returns FR_ERR on bad arguments. */
static int named_args(lua_State *L, const char **name, const char **desc, int *flags, int *ref)
{
    if (!lua_istable(L, 1)) {
        lua_pushstring(L, "calling redis.register_function with a single argument is only applicable to Lua "
                          "table (representing named arguments).");
        return FR_ERR;
    }
    const char *err = NULL;
    lua_pushnil(L);
    while (!err && lua_next(L, 1)) {
        if (!lua_isstring(L, -2)) {
            err = "named argument key given to redis.register_function is not a string";
            break;
        }
        const char *key = lua_tostring(L, -2);
        if (!strcasecmp(key, "function_name")) {
            if (!lua_isstring(L, -1)) err = "function_name argument given to redis.register_function must be a string";
            else *name = lua_tostring(L, -1), lua_setfield(L, LUA_REGISTRYINDEX, "__fr_load_name");
            if (!err) continue;
        } else if (!strcasecmp(key, "description")) {
            if (!lua_isstring(L, -1)) err = "description argument given to redis.register_function must be a string";
            else *desc = lua_tostring(L, -1), lua_setfield(L, LUA_REGISTRYINDEX, "__fr_load_desc");
            if (!err) continue;
        } else if (!strcasecmp(key, "callback")) {
            if (!lua_isfunction(L, -1)) {
                err = "callback argument given to redis.register_function must be a function";
            } else {
                if (*ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, *ref);
                *ref = luaL_ref(L, LUA_REGISTRYINDEX);
                continue;
            }
        } else if (!strcasecmp(key, "flags")) {
            if (!lua_istable(L, -1)) err = "flags argument to redis.register_function must be a table representing "
                                           "function flags";
            else if (read_flags(L, flags) != FR_OK) err = "unknown flag given";
        } else {
            err = "unknown argument given to redis.register_function";
        }
        if (!err) lua_pop(L, 1);
    }
    if (!err && !*name) err = "redis.register_function must get a function name argument";
    if (!err && *ref == LUA_NOREF) err = "redis.register_function must get a callback argument";
    if (err) {
        if (*ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, *ref);
        lua_pushstring(L, err);
        return FR_ERR;
    }
    return FR_OK;
}

static int register_function(lua_State *L)
{
    if (!loading) return raise_error(L, "redis.register_function can only be called on FUNCTION LOAD command");
    int argc = lua_gettop(L);
    const char *name = NULL, *desc = NULL;
    int flags = 0, ref = LUA_NOREF;
    if (argc < 1 || argc > 2) return raise_error(L, "wrong number of arguments to redis.register_function");
    if (argc == 1) {
        if (named_args(L, &name, &desc, &flags, &ref) != FR_OK) return raise_error(L, lua_tostring(L, -1));
    } else {
        if (!lua_isstring(L, 1)) return raise_error(L, "first argument to redis.register_function must be a string");
        if (!lua_isfunction(L, 2)) return raise_error(L, "second argument to redis.register_function must be a function");
        size_t len;
        name = lua_tolstring(L, 1, &len);
        if (strlen(name) != len) /* a NUL inside: not a valid name */
            return raise_error(L, "Library names can only contain letters, numbers, or underscores(_) and must be "
                                  "at least one character long");
        lua_pushvalue(L, 2);
        ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    const char *err = loading->add(loading->priv, name, desc, flags, ref);
    if (err) {
        luaL_unref(L, LUA_REGISTRYINDEX, ref);
        return raise_error(L, err);
    }
    return 0;
}

static void load_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    if (loading && (long long)fr_mstime() - loading->start_ms > 500) {
        lua_sethook(L, load_hook, LUA_MASKLINE, 0);
        raise_error(L, "FUNCTION LOAD timeout");
    }
}

static void set_source(lua_State *L, const char *reg)
{
    lua_getfield(L, LUA_REGISTRYINDEX, reg);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_SOURCE);
}

const char *eng_load_library(lua_State *L, const char *code, size_t len, eng_register_fn add, void *priv)
{
    static char msg[1024];
    if (load_text(L, code, len, "@user_function")) {
        snprintf(msg, sizeof(msg), "Error compiling function: %s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return msg;
    }
    load_ctx lc = {add, priv, (long long)fr_mstime()};
    loading = &lc;
    set_source(L, REG_LOAD_API);
    lua_sethook(L, load_hook, LUA_MASKCOUNT, 100000);
    const char *ret = NULL;
    if (lua_pcall(L, 0, 0, 0)) {
        const char *e;
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            e = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
            snprintf(msg, sizeof(msg), "Error registering functions: %s", e);
            lua_pop(L, 1);
        } else {
            e = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
            snprintf(msg, sizeof(msg), "Error registering functions: ERR %s", e);
        }
        lua_pop(L, 1);
        ret = msg;
    }
    lua_sethook(L, NULL, 0, 0);
    set_source(L, REG_REAL_G);
    loading = NULL;
    return ret;
}

void eng_unref(lua_State *L, int ref)
{
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
}

void eng_call_ref(lua_State *L, eng_run *run, int ref, const fr_str *const *keys, int nkeys,
                  const fr_str *const *args, int nargs)
{
    eng_push_error_handler(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    eng_push_array(L, keys, nkeys);
    eng_push_array(L, args, nargs);
    eng_call(L, run, 2);
    lua_pop(L, 1); /* the error handler */
}

unsigned long long eng_cmd_flags(unsigned long long f, int sf)
{
    if (sf & ENG_FLAG_EVAL_COMPAT) return f;
    f &= ~(FR_CMDF_STALE | FR_CMDF_DENYOOM | FR_CMDF_WRITE | FR_CMDF_MAY_REPLICATE);
    if (!(sf & (ENG_FLAG_ALLOW_OOM | ENG_FLAG_NO_WRITES))) f |= FR_CMDF_DENYOOM;
    if (!(sf & ENG_FLAG_NO_WRITES)) f |= FR_CMDF_WRITE;
    if (sf & ENG_FLAG_ALLOW_STALE) f |= FR_CMDF_STALE;
    return f;
}

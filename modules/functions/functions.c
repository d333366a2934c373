/* functions.c -- FUNCTION and FCALL with the Lua engine, as Redis 7.0.15's
 * functions.c and function_lua.c.
 *
 * Owns the libraries: a list in load order, each with its code and its
 * functions (name, description, flags, and a reference to the callback
 * in this module's Lua interpreter).  Function names are unique across
 * libraries and found without regard to case; library names are exact.
 * A library is replaced or added only once its code loaded and every
 * check passed, so a failed FUNCTION LOAD leaves everything as it was.
 * FUNCTION LOAD/DELETE/FLUSH/RESTORE count as changes (propagated as
 * received); FCALL propagates the writes its function made.
 * Libraries go into snapshots (RDB files, AOF bases, full syncs) through
 * the rdb module, which this module lends them to (fr_library_ops). */
#include "glue.h"
#include "functions_dump.h"
#include "lua_engine.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct func {
    char *name;
    char *desc;                 /* NULL: none */
    int flags;
    int ref;                    /* the callback in the registry */
} func;

typedef struct library {
    char *name;
    fr_str *code;
    func *fns;
    int nfns, cap;
    struct library *next;
} library;

static lua_State *L;
static library *libs;           /* load order */

/* INFO memory's function figures. */
static void report(void)
{
    long long nfn = 0, nlib = 0, bytes = 0;
    for (library *l = libs; l; l = l->next) {
        nlib++;
        nfn += l->nfns;
        bytes += (long long)l->code->len;
    }
    fr_scripts_report(FR_SCRIPTS_FUNCTIONS, L ? eng_memory(L) : 0, bytes, nfn, nlib);
}

static func *func_find(const char *name, const library *skip);

/* The dispatcher's view of an FCALL: the function's flags (Redis's
 * fcallGetCommandFlags). */
static unsigned long long fcall_flags(int argc, const fr_str *const *argv, unsigned long long flags)
{
    if (argc < 2 || strlen(argv[1]->buf) != argv[1]->len) return flags;
    func *f = func_find(argv[1]->buf, NULL);
    return f ? eng_cmd_flags(flags, f->flags) : flags;
}

static library *build_library(const fr_str *code, int replace, const char **err);
static void install(library *l);
static void clear_all(void);

/* Libraries in snapshots (the rdb module saves and loads them). */
static void libs_foreach(void (*fn)(void *priv, const fr_str *code), void *priv)
{
    for (library *l = libs; l; l = l->next) fn(priv, l->code);
}

static const char *libs_load(const fr_str *code, int replace)
{
    const char *err;
    library *l = build_library(code, replace, &err);
    if (!l) return err;
    install(l);
    return NULL;
}

static const fr_library_ops library_ops = {libs_foreach, libs_load, clear_all};

int functions_init(fr_module *m)
{
    L = eng_new(1);
    report();
    if (fr_library_provider_register(m, &library_ops) != FR_OK) return FR_ERR;
    if (fr_command_set_flags_fn(m, "fcall", fcall_flags) != FR_OK) return FR_ERR;
    if (fr_command_set_flags_fn(m, "fcall_ro", fcall_flags) != FR_OK) return FR_ERR;
    return FR_OK;
}

static void lib_free(library *lib, int unref)
{
    if (!lib) return;
    for (int i = 0; i < lib->nfns; i++) {
        if (unref) eng_unref(L, lib->fns[i].ref);
        fr_free(lib->fns[i].name);
        fr_free(lib->fns[i].desc);
    }
    fr_free(lib->fns);
    fr_free(lib->name);
    fr_str_free(lib->code);
    fr_free(lib);
}

void functions_deinit(fr_module *m)
{
    (void)m;
    while (libs) {
        library *n = libs->next;
        lib_free(libs, 0);
        libs = n;
    }
    eng_free(L);
    L = NULL;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s);
    char *d = fr_malloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

static library *lib_find(const char *name, library ***link)
{
    library **pp = &libs;
    for (; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) break;
    if (link) *link = pp;
    return *pp;
}

/* The function named `name` in any library except `skip`. */
static func *func_find(const char *name, const library *skip)
{
    for (library *l = libs; l; l = l->next) {
        if (l == skip) continue;
        for (int i = 0; i < l->nfns; i++)
            if (!strcasecmp(l->fns[i].name, name)) return &l->fns[i];
    }
    return NULL;
}

static int valid_name(const char *s, size_t len)
{
    if (!len) return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

static void clear_all(void)
{
    while (libs) {
        library *n = libs->next;
        lib_free(libs, 1);
        libs = n;
    }
    report();
}

/* FUNCTION FLUSH [ASYNC|SYNC] */
void cmd_function_flush(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    if (fr_argc(ctx) == 3 && !fr_arg_is(ctx, 2, "sync") && !fr_arg_is(ctx, 2, "async")) {
        fr_reply_error(ctx, "FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    clear_all();
    fr_dirty(ctx, 1);
    fr_reply_ok(ctx);
}

/* "Unknown argument <arg>" as Redis builds it: the argument up to its first
 * NUL, and CR/LF turned into spaces (not trimmed). */
static void reply_unknown_argument(fr_ctx *ctx, const fr_str *arg)
{
    size_t n = strlen(arg->buf);
    char *msg = fr_malloc(n + 32);
    int off = snprintf(msg, 32, "Unknown argument ");
    for (size_t i = 0; i < n; i++) {
        char ch = arg->buf[i];
        msg[off + (int)i] = (ch == '\r' || ch == '\n') ? ' ' : ch;
    }
    msg[off + (int)n] = '\0';
    fr_reply_error(ctx, msg);
    fr_free(msg);
}

static void reply_flags(fr_ctx *ctx, int flags)
{
    long n = 0;
    for (int i = 0; eng_flag_names[i]; i++)
        if (flags & eng_flag_values[i]) n++;
    fr_reply_set(ctx, n);
    for (int i = 0; eng_flag_names[i]; i++)
        if (flags & eng_flag_values[i]) fr_reply_status(ctx, eng_flag_names[i]);
}

static void reply_library(fr_ctx *ctx, const library *l, int with_code)
{
    fr_reply_map(ctx, with_code ? 4 : 3);
    fr_reply_bulk_cstr(ctx, "library_name");
    fr_reply_bulk_cstr(ctx, l->name);
    fr_reply_bulk_cstr(ctx, "engine");
    fr_reply_bulk_cstr(ctx, "LUA");
    fr_reply_bulk_cstr(ctx, "functions");
    fr_reply_array(ctx, l->nfns);
    for (int i = 0; i < l->nfns; i++) {
        fr_reply_map(ctx, 3);
        fr_reply_bulk_cstr(ctx, "name");
        fr_reply_bulk_cstr(ctx, l->fns[i].name);
        fr_reply_bulk_cstr(ctx, "description");
        if (l->fns[i].desc) fr_reply_bulk_cstr(ctx, l->fns[i].desc);
        else fr_reply_null(ctx);
        fr_reply_bulk_cstr(ctx, "flags");
        reply_flags(ctx, l->fns[i].flags);
    }
    if (with_code) {
        fr_reply_bulk_cstr(ctx, "library_code");
        fr_reply_bulk_str(ctx, l->code);
    }
}

/* FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: each option once. */
void cmd_function_list(fr_ctx *ctx)
{
    int with_code = 0;
    const fr_str *pattern = NULL;
    for (int i = 2; i < fr_argc(ctx); i++) {
        if (!with_code && fr_arg_is(ctx, i, "withcode")) {
            with_code = 1;
            continue;
        }
        if (!pattern && fr_arg_is(ctx, i, "libraryname")) {
            if (i >= fr_argc(ctx) - 1) {
                fr_reply_error(ctx, "library name argument was not given");
                return;
            }
            pattern = fr_arg(ctx, ++i);
            continue;
        }
        reply_unknown_argument(ctx, fr_arg(ctx, i));
        return;
    }
    long n = 0;
    for (library *l = libs; l; l = l->next)
        if (!pattern || fr_stringmatch(pattern->buf, pattern->len, l->name, strlen(l->name), 1)) n++;
    fr_reply_array(ctx, n);
    for (library *l = libs; l; l = l->next)
        if (!pattern || fr_stringmatch(pattern->buf, pattern->len, l->name, strlen(l->name), 1))
            reply_library(ctx, l, with_code);
}

void cmd_function_stats(fr_ctx *ctx)
{
    eng_run *run = eng_running();
    if (run && run->eval_mode) {
        fr_reply_error(ctx, "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
        return;
    }
    fr_reply_map(ctx, 2);
    fr_reply_bulk_cstr(ctx, "running_script");
    if (!run) {
        fr_reply_null(ctx);
    } else {
        fr_reply_map(ctx, 3);
        fr_reply_bulk_cstr(ctx, "name");
        fr_reply_bulk_cstr(ctx, run->funcname);
        fr_reply_bulk_cstr(ctx, "command");
        fr_reply_array(ctx, fr_argc(run->ctx));
        for (int i = 0; i < fr_argc(run->ctx); i++) fr_reply_bulk_str(ctx, fr_arg(run->ctx, i));
        fr_reply_bulk_cstr(ctx, "duration_ms");
        fr_reply_long_long(ctx, (long long)fr_mstime() - run->start_ms);
    }
    fr_reply_bulk_cstr(ctx, "engines");
    fr_reply_map(ctx, 1);
    fr_reply_bulk_cstr(ctx, "LUA");
    fr_reply_map(ctx, 2);
    long long nlib = 0, nfn = 0;
    for (library *l = libs; l; l = l->next) nlib++, nfn += l->nfns;
    fr_reply_bulk_cstr(ctx, "libraries_count");
    fr_reply_long_long(ctx, nlib);
    fr_reply_bulk_cstr(ctx, "functions_count");
    fr_reply_long_long(ctx, nfn);
}

void cmd_function_delete(fr_ctx *ctx)
{
    library **link;
    library *l = lib_find(fr_arg(ctx, 2)->buf, &link);
    if (!l || strlen(fr_arg(ctx, 2)->buf) != fr_arg(ctx, 2)->len) {
        fr_reply_error(ctx, "Library not found");
        return;
    }
    *link = l->next;
    lib_free(l, 1);
    report();
    fr_dirty(ctx, 1);
    fr_reply_ok(ctx);
}

void cmd_function_kill(fr_ctx *ctx)
{
    eng_kill(ctx, 0);
}

/* The first line "#!<engine> name=<lib>": Redis's checks, in its order.
 * Returns the error text, or NULL with engine and name set. */
static const char *check_metadata(const fr_str *code, char *engine, size_t elen, char *name, size_t nlen)
{
    static char msg[512];
    if (code->len < 2 || memcmp(code->buf, "#!", 2)) return "Missing library metadata";
    const char *eol = memchr(code->buf, '\n', code->len);
    if (!eol) return "Invalid library metadata";
    int n = 0;
    fr_str **parts = fr_splitargs(code->buf, (size_t)(eol - code->buf), &n);
    if (!parts || n == 0) {
        fr_splitargs_free(parts, n);
        return "Invalid library metadata";
    }
    const fr_str *nm = NULL;
    const char *err = NULL;
    for (int i = 1; i < n && !err; i++) {
        if (parts[i]->len >= 5 && !strncasecmp(parts[i]->buf, "name=", 5)) {
            if (nm) err = "Invalid metadata value, name argument was given multiple times";
            nm = parts[i];
        } else {
            snprintf(msg, sizeof(msg), "Invalid metadata value given: %s", parts[i]->buf);
            err = msg;
        }
    }
    if (!err && !nm) err = "Library name was not given";
    if (!err && !valid_name(nm->buf + 5, nm->len - 5))
        err = "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
              "character long";
    if (!err) {
        snprintf(engine, elen, "%s", parts[0]->buf + 2);
        snprintf(name, nlen, "%s", nm->buf + 5);
    }
    fr_splitargs_free(parts, n);
    return err;
}

/* register_function's callback: adds to the library being built. */
static const char *add_function(void *priv, const char *name, const char *desc, int flags, int ref)
{
    library *l = priv;
    if (!valid_name(name, strlen(name)))
        return "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
               "character long";
    for (int i = 0; i < l->nfns; i++)
        if (!strcasecmp(l->fns[i].name, name)) return "Function already exists in the library";
    if (l->nfns == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->fns = fr_realloc(l->fns, sizeof(func) * (size_t)l->cap);
    }
    l->fns[l->nfns++] = (func){dupstr(name), desc ? dupstr(desc) : NULL, flags, ref};
    return NULL;
}

/* Builds a library from its code, as Redis's functionsCreateWithLibraryCtx;
 * NULL with *err set on failure.  `replace` allows replacing a library of
 * the same name; `others_skip` is a library being replaced (its function
 * names may be reused). */
static library *build_library(const fr_str *code, int replace, const char **err)
{
    static char msg[1024];
    char engine[256], name[256];
    *err = check_metadata(code, engine, sizeof(engine), name, sizeof(name));
    if (*err) return NULL;
    if (strcasecmp(engine, "lua")) {
        snprintf(msg, sizeof(msg), "Engine '%s' not found", engine);
        *err = msg;
        return NULL;
    }
    library *old = lib_find(name, NULL);
    if (old && !replace) {
        snprintf(msg, sizeof(msg), "Library '%s' already exists", name);
        *err = msg;
        return NULL;
    }
    library *l = fr_calloc(sizeof(*l));
    l->name = dupstr(name);
    l->code = fr_str_dup(code);
    /* the code after the metadata line, its line feed kept for line numbers */
    const char *body = memchr(code->buf, '\n', code->len);
    const char *e = eng_load_library(L, body, code->len - (size_t)(body - code->buf), add_function, l);
    if (!e && l->nfns == 0) e = "No functions registered";
    for (int i = 0; !e && i < l->nfns; i++)
        if (func_find(l->fns[i].name, old)) {
            snprintf(msg, sizeof(msg), "Function %s already exists", l->fns[i].name);
            e = msg;
        }
    if (e) {
        lib_free(l, 1);
        *err = e;
        return NULL;
    }
    return l;
}

/* Puts l in place of the library of the same name, or at the end. */
static void install_one(library *l);

static void install(library *l)
{
    install_one(l);
    report();
}

static void install_one(library *l)
{
    library **link;
    library *old = lib_find(l->name, &link);
    if (old) {
        l->next = old->next;
        *link = l;
        lib_free(old, 1);
    } else {
        l->next = NULL;
        *link = l;
    }
}

/* FUNCTION LOAD [REPLACE] code */
void cmd_function_load(fr_ctx *ctx)
{
    int pos = 2, replace = 0;
    while (pos < fr_argc(ctx) - 1) {
        if (fr_arg_is(ctx, pos, "replace")) {
            replace = 1;
            pos++;
            continue;
        }
        fr_reply_errorf(ctx, "Unknown option given: %s", fr_arg(ctx, pos)->buf);
        return;
    }
    if (pos >= fr_argc(ctx)) {
        fr_reply_error(ctx, "Function code is missing");
        return;
    }
    const char *err;
    library *l = build_library(fr_arg(ctx, pos), replace, &err);
    if (!l) {
        fr_reply_error(ctx, err);
        return;
    }
    install(l);
    fr_dirty(ctx, 1);
    fr_reply_bulk_cstr(ctx, l->name);
}

void cmd_function_dump(fr_ctx *ctx)
{
    fr_str *out = NULL;
    for (library *l = libs; l; l = l->next) fdump_add_library(&out, l->code);
    fdump_finish(&out);
    fr_reply_bulk_str(ctx, out);
    fr_str_free(out);
}

/* FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: every library is built
 * first; then FLUSH swaps the whole set, APPEND refuses any name clash,
 * REPLACE replaces libraries of the same name. */
void cmd_function_restore(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 4) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    int policy = 0; /* 0 append, 1 replace, 2 flush */
    if (fr_argc(ctx) == 4) {
        if (fr_arg_is(ctx, 3, "append")) policy = 0;
        else if (fr_arg_is(ctx, 3, "replace")) policy = 1;
        else if (fr_arg_is(ctx, 3, "flush")) policy = 2;
        else {
            fr_reply_error(ctx, "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return;
        }
    }
    const fr_str *payload = fr_arg(ctx, 2);
    if (fdump_verify(payload) != FR_OK) {
        fr_reply_error(ctx, "DUMP payload version or checksum are wrong");
        return;
    }
    /* Build into a separate list: take the current set aside meanwhile,
     * so the new libraries are checked against each other only. */
    library *current = libs, *built = NULL, **tail = &built;
    libs = NULL;
    size_t pos = 0;
    const char *err = NULL;
    while (!err && payload->len - pos > 10) {
        fr_str *code = fdump_next_library(payload, &pos, &err);
        if (!code) break;
        library *l = build_library(code, 0, &err);
        fr_str_free(code);
        if (!l) break;
        l->next = NULL;
        *tail = l;
        tail = &l->next;
        libs = built;
    }
    libs = current;
    static char msg[512];
    if (!err && policy != 2) {
        for (library *l = built; l && !err; l = l->next) {
            library *old = lib_find(l->name, NULL);
            if (old && policy == 0) {
                snprintf(msg, sizeof(msg), "Library %s already exists", l->name);
                err = msg;
            }
            for (int i = 0; !err && i < l->nfns; i++) {
                func *f = func_find(l->fns[i].name, policy == 1 ? old : NULL);
                if (f) {
                    snprintf(msg, sizeof(msg), "Function %s already exists", l->fns[i].name);
                    err = msg;
                }
            }
        }
    }
    if (err) {
        while (built) {
            library *n = built->next;
            lib_free(built, 1);
            built = n;
        }
        fr_reply_error(ctx, err);
        return;
    }
    if (policy == 2) clear_all();
    while (built) {
        library *n = built->next;
        install(built);
        built = n;
    }
    fr_dirty(ctx, 1);
    fr_reply_ok(ctx);
}

/* Redis's lines for the subcommands this module has, in Redis's order. */
static const char *const function_help[] = {
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    NULL,
};

void cmd_function_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, function_help);
}

static void fcall_generic(fr_ctx *ctx, int ro)
{
    fr_monitor_feed_self(ctx);
    const fr_str *fname = fr_arg(ctx, 1);
    func *f = strlen(fname->buf) == fname->len ? func_find(fname->buf, NULL) : NULL;
    if (!f) {
        fr_reply_error(ctx, "Function not found");
        return;
    }
    long long numkeys;
    const fr_str *nk = fr_arg(ctx, 2);
    if (!fr_string2ll(nk->buf, nk->len, &numkeys)) {
        fr_reply_error(ctx, "Bad number of keys provided");
        return;
    }
    int argc = fr_argc(ctx);
    if (numkeys > argc - 3) {
        fr_reply_error(ctx, "Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        fr_reply_error(ctx, "Number of keys can't be negative");
        return;
    }
    eng_run run = {0};
    run.flags = f->flags;
    run.read_only = ro;
    run.funcname = f->name;
    if (eng_prepare(&run, ctx) != FR_OK) return;
    const fr_str **av = fr_malloc(sizeof(*av) * (size_t)(argc > 3 ? argc - 3 : 1));
    for (int i = 3; i < argc; i++) av[i - 3] = fr_arg(ctx, i);
    eng_call_ref(L, &run, f->ref, (const fr_str *const *)av, (int)numkeys,
                 (const fr_str *const *)av + numkeys, argc - 3 - (int)numkeys);
    fr_free(av);
    report();
}

void cmd_fcall(fr_ctx *ctx)
{
    fcall_generic(ctx, 0);
}

void cmd_fcall_ro(fr_ctx *ctx)
{
    fcall_generic(ctx, 1);
}

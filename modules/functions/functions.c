/* functions.c -- FUNCTION and FCALL on a server whose set of scripting
 * engines is empty (no Lua yet): the libraries are always empty, and the
 * commands answer what Redis 7.0.15 answers for empty libraries and an
 * engine it does not have.
 *
 * Owns nothing but that rule.  FUNCTION FLUSH empties the (empty) set and,
 * as in Redis, counts as a change, so it is propagated; FUNCTION LOAD
 * checks the library's "#!<engine> name=<lib>" line as Redis does and then
 * refuses it with Redis's "Engine '<engine>' not found"; FCALL finds no
 * function.  When an engine exists this module is where libraries will
 * live. */
#include "glue.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: each option once. */
void cmd_function_list(fr_ctx *ctx)
{
    int with_code = 0, named = 0;
    for (int i = 2; i < fr_argc(ctx); i++) {
        if (!with_code && fr_arg_is(ctx, i, "withcode")) {
            with_code = 1;
            continue;
        }
        if (!named && fr_arg_is(ctx, i, "libraryname")) {
            if (i >= fr_argc(ctx) - 1) {
                fr_reply_error(ctx, "library name argument was not given");
                return;
            }
            named = 1;
            i++;
            continue;
        }
        reply_unknown_argument(ctx, fr_arg(ctx, i));
        return;
    }
    fr_reply_array(ctx, 0);
}

/* No script is running and no engine exists. */
void cmd_function_stats(fr_ctx *ctx)
{
    fr_reply_map(ctx, 2);
    fr_reply_bulk_cstr(ctx, "running_script");
    fr_reply_null(ctx);
    fr_reply_bulk_cstr(ctx, "engines");
    fr_reply_map(ctx, 0);
}

void cmd_function_delete(fr_ctx *ctx)
{
    fr_reply_error(ctx, "Library not found");
}

void cmd_function_kill(fr_ctx *ctx)
{
    fr_reply_error(ctx, "-NOTBUSY No scripts in execution right now.");
}

static int valid_library_name(const char *s, size_t len)
{
    if (!len) return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

/* The first line "#!<engine> name=<lib>": Redis's checks, in its order.
 * Returns the error text, or NULL with engine set (a static copy). */
static const char *check_metadata(const fr_str *code, char *engine, size_t elen)
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
    const fr_str *name = NULL;
    const char *err = NULL;
    for (int i = 1; i < n && !err; i++) {
        if (parts[i]->len >= 5 && !strncasecmp(parts[i]->buf, "name=", 5)) {
            if (name) err = "Invalid metadata value, name argument was given multiple times";
            name = parts[i];
        } else {
            snprintf(msg, sizeof(msg), "Invalid metadata value given: %s", parts[i]->buf);
            err = msg;
        }
    }
    if (!err && !name) err = "Library name was not given";
    if (!err && !valid_library_name(name->buf + 5, name->len - 5))
        err = "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
              "character long";
    if (!err) snprintf(engine, elen, "%s", parts[0]->buf + 2);
    fr_splitargs_free(parts, n);
    return err;
}

/* FUNCTION LOAD [REPLACE] code */
void cmd_function_load(fr_ctx *ctx)
{
    int pos = 2;
    while (pos < fr_argc(ctx) - 1) {
        if (fr_arg_is(ctx, pos, "replace")) {
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
    char engine[256];
    const char *err = check_metadata(fr_arg(ctx, pos), engine, sizeof(engine));
    if (err) fr_reply_error(ctx, err);
    else fr_reply_errorf(ctx, "Engine '%s' not found", engine);
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
    NULL,
};

void cmd_function_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, function_help);
}

/* No library, so no function: Redis looks the name up first. */
void cmd_fcall(fr_ctx *ctx)
{
    fr_reply_error(ctx, "Function not found");
}

void cmd_fcall_ro(fr_ctx *ctx)
{
    fr_reply_error(ctx, "Function not found");
}

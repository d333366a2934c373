/* lua_engine.h -- the Lua engine shared by EVAL (the scripting module) and
 * FUNCTION/FCALL (the functions module): each module compiles it in and
 * keeps its own interpreter, as Redis keeps one Lua state for EVAL and one
 * for functions.
 *
 * The engine owns: the sandbox (Redis's globals allow list, read-only
 * globals and library tables, no bytecode), the redis.* API, the
 * conversions between RESP replies and Lua values both ways, running a
 * script's function with Redis's error handler and error texts, and the
 * timeout hook (busy-reply-threshold, SCRIPT KILL / FUNCTION KILL). */
#ifndef FR_LUA_ENGINE_H
#define FR_LUA_ENGINE_H

#include <lua.h>

#include "frankenredis.h"

/* Script flags (shebang "#!lua flags=..." or register_function's flags),
 * Redis's SCRIPT_FLAG_* meaning. */
#define ENG_FLAG_NO_WRITES (1 << 0)
#define ENG_FLAG_ALLOW_OOM (1 << 1)
#define ENG_FLAG_ALLOW_STALE (1 << 2)
#define ENG_FLAG_NO_CLUSTER (1 << 3)
#define ENG_FLAG_ALLOW_CROSS_SLOT (1 << 4)
#define ENG_FLAG_EVAL_COMPAT (1 << 5)    /* an EVAL script with no shebang */

/* One run of a script (Redis's scriptRunCtx).  Both modules' copies of
 * the engine see the running one through fr_script_current(), so its
 * layout is this header's, shared. */
typedef struct eng_run {
    fr_ctx *ctx;                 /* EVAL/FCALL's call */
    const char *funcname;        /* the sha (EVAL) or function name (FCALL) */
    int flags;                   /* ENG_FLAG_* */
    int read_only;               /* *_RO command or no-writes */
    int eval_mode;               /* EVAL (1) or FCALL (0): kill and busy texts */
    int write_dirty;             /* a write command ran */
    int killed;
    int timedout;
    long long start_ms;
} eng_run;

/* Creates the interpreter with the sandbox; `functions` selects the
 * FUNCTION flavour (register_function at load time, no KEYS/ARGV
 * globals). */
lua_State *eng_new(int functions);
void eng_free(lua_State *L);
/* Parses the flags of a "flags=a,b" list; FR_ERR with Redis's error. */
int eng_flag_from_name(const char *name, size_t len, int *flag);
/* Validates a script's run against Redis's scriptPrepareForRun; replies
 * and returns FR_ERR when it may not run. */
int eng_prepare(eng_run *run, fr_ctx *ctx);
/* Calls the function on the top of the stack (the error handler below it)
 * with `nargs` arguments already pushed after it, and replies to the
 * caller.  For EVAL, KEYS and ARGV are globals and nargs is 0. */
void eng_call(lua_State *L, eng_run *run, int nargs);
/* Pushes a Lua array of the strings argv[0..n). */
void eng_push_array(lua_State *L, const fr_str *const *argv, int n);
/* Sets KEYS and ARGV in the sandbox's globals (EVAL). */
void eng_set_global(lua_State *L, const char *name);
/* The running script (NULL: none): SCRIPT KILL, FUNCTION KILL, STATS. */
eng_run *eng_running(void);
/* SCRIPT KILL / FUNCTION KILL: eval = 1 for SCRIPT KILL. */
void eng_kill(fr_ctx *ctx, int eval);
/* Memory used by the interpreter, in bytes (INFO used_memory_lua). */
long long eng_memory(lua_State *L);
/* The error handler function, pushed. */
void eng_push_error_handler(lua_State *L);
/* Compiles `code` as chunk "@<chunkname>"; on error pushes nothing and
 * returns the message (static buffer). */
const char *eng_compile(lua_State *L, const char *code, size_t len, const char *chunkname);
void eng_sha1hex(char out[41], const char *p, size_t len);
/* FUNCTION LOAD: runs a library's code, where only redis.register_function,
 * redis.log and the version fields exist; each registered function is
 * handed to `add` (name, description or NULL, flags, a registry reference
 * to the callback), which returns NULL or an error text.  Returns NULL,
 * or Redis's error text (static buffer). */
typedef const char *(*eng_register_fn)(void *priv, const char *name, const char *desc, int flags, int ref);
const char *eng_load_library(lua_State *L, const char *code, size_t len, eng_register_fn add, void *priv);
/* Drops a registered callback (a replaced or deleted library). */
void eng_unref(lua_State *L, int ref);
/* FCALL: runs the callback `ref` with KEYS and ARGV as its arguments. */
void eng_call_ref(lua_State *L, eng_run *run, int ref, const fr_str *const *keys, int nkeys,
                  const fr_str *const *args, int nargs);
/* A command's flags for a script with these flags (Redis's
 * scriptFlagsToCmdFlags); compat (no shebang) scripts keep the command's. */
unsigned long long eng_cmd_flags(unsigned long long cmd_flags, int script_flags);
/* The flag names in Redis's order (FUNCTION LIST). */
extern const char *const eng_flag_names[];
extern const int eng_flag_values[];

#endif

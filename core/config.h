/* config.h -- directive table shared by the config file, the command line,
 * CONFIG GET/SET and the directives that module manifests declare. */
#ifndef FR_CONFIG_H
#define FR_CONFIG_H

#include "frankenredis.h"
#include "manifest.h"

/* Adds a directive a module's manifest declares; returns its handle (owned
 * by the table until fr_config_remove_module) or NULL with *err. */
typedef struct conf_def fr_conf_handle;
fr_conf_handle *fr_config_add_module_directive(const char *module, const fr_conf_def *decl,
                                               char *err, size_t errlen);
/* The current value of a module directive: numbers and yes/no (yes = 1). */
long long fr_config_handle_ll(const fr_conf_handle *h);
/* The text of a module string directive ("" for other types). */
const char *fr_config_handle_str(const fr_conf_handle *h);
void fr_config_handle_set_check(fr_conf_handle *h, fr_conf_check_fn fn);
/* <module>.mode (strict|hardened), the module's mode as a directive of the
 * table: stored in *mode, which the module registry (and, for "core", the
 * protocol caps) read on every use, so CONFIG SET takes effect at the next
 * read; its default is the manifest's default_mode.  *mode is left as the
 * registry set it from the `module` line. */
fr_conf_handle *fr_config_add_mode_directive(const char *module, int *mode, int default_hardened, char *err,
                                             size_t errlen);
void fr_config_remove_module(const char *module);
int fr_config_apply_pending(char *err, size_t errlen);
int fr_config_set_many(int n, const char *const *names, const char *const *values,
                       const char **bad_name, const char **err);
/* requirepass, masterauth...: values kept out of the slow log. */
int fr_config_is_sensitive(const char *name);
/* CONFIG REWRITE of `path`: 0, or -1 with errno set. */
int fr_config_rewrite(const char *path);

/* ---- config_vocab.c: every parameter of Redis 7.0.15 ----
 *
 * The facts config.c needs about a Redis parameter that neither the core
 * nor a loaded module implements: it is then accepted, validated as Redis
 * validates it, stored and shown, with no effect.  The core's and modules'
 * own directives shadow their entry (which still gives CONFIG REWRITE the
 * Redis format, and the alias). */
typedef struct fr_conf_enum {
    const char *name;
    int value;
} fr_conf_enum;

typedef enum {
    FR_VT_BOOL,     /* yes / no */
    FR_VT_INT,      /* integer (FR_VF_OCTAL: written in octal) */
    FR_VT_MEMORY,   /* Redis memory notation (FR_VF_PERCENT: or "N%") */
    FR_VT_STRING,   /* one word; `norm` validates it */
    FR_VT_ENUM,     /* one of `words` */
    FR_VT_SPECIAL   /* own syntax: `norm` parses it into the text stored */
} fr_vocab_type;

#define FR_VF_IMMUTABLE (1 << 0)
#define FR_VF_PROTECTED (1 << 1)
#define FR_VF_SENSITIVE (1 << 2)
#define FR_VF_MULTI_ARG (1 << 3)  /* several words (CONFIG SET: split at spaces) */
#define FR_VF_HIDDEN (1 << 4)     /* CONFIG GET answers it by exact name only */
#define FR_VF_DENY_LOADING (1 << 5)
#define FR_VF_UNSIGNED (1 << 6)   /* bounds checked as unsigned, as Redis does */
#define FR_VF_PERCENT (1 << 7)    /* "N%" stored as -N */
#define FR_VF_OCTAL (1 << 8)
#define FR_VF_EMPTY_IS_NULL (1 << 9) /* "" means unset: CONFIG REWRITE drops it */

/* How CONFIG REWRITE writes a directive whose text is not "name value". */
typedef enum {
    FR_RW_PLAIN,       /* by type: quoted string, memory units, words */
    FR_RW_SAVE,        /* one line per save point; `save ""` when none; always */
    FR_RW_DIR,         /* always, as an absolute path */
    FR_RW_BIND,        /* dropped when at the default */
    FR_RW_OBUF,        /* one line per client class */
    FR_RW_REPLICAOF,   /* dropped when not a replica */
    FR_RW_ALWAYS,      /* always written; `""` when empty */
    FR_RW_QUOTED       /* a quoted string, though the directive is special */
} fr_vocab_rewrite;

/* Parses argv (one word unless FR_VF_MULTI_ARG) into the text to store in
 * out; NULL, or Redis's error text.  u->current and u->again_in_config as
 * for module checks. */
typedef const char *(*fr_vocab_norm_fn)(int argc, char **argv, const fr_conf_update *u, char *out,
                                        size_t outlen);

typedef struct fr_vocab {
    const char *name;
    const char *alias;           /* Redis's other name, or NULL */
    fr_vocab_type type;
    int flags;                   /* FR_VF_* */
    long long min, max;          /* numbers */
    const char *deflt;           /* as CONFIG GET shows it; NULL: "" and not valid input */
    const fr_conf_enum *words;   /* FR_VT_ENUM */
    fr_vocab_norm_fn norm;       /* FR_VT_SPECIAL, optional for FR_VT_STRING */
    const char *refuse;          /* non-NULL: only the default is accepted, other values get this error */
    fr_vocab_rewrite rewrite;
    long long floor;             /* numbers: a smaller value is raised to it, as Redis silently does */
} fr_vocab;

extern const fr_vocab fr_config_vocab[];
extern const int fr_config_vocab_len;
const fr_vocab *fr_config_vocab_find(const char *name_or_alias);
/* notify-keyspace-events letters <-> FR_NOTIFY_* bits (-1: a bad letter);
 * the format needs 16 bytes. */
int fr_notify_flags_parse(const char *s);
void fr_notify_flags_format(int flags, char *out);

#endif

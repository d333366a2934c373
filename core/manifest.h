/* manifest.h -- module manifests: the single source of command metadata.
 *
 * A manifest (YAML, see docs/manifest-format.md) declares a module's
 * identity, dependencies, hooks, config directives and commands with all the
 * per-command metadata Redis 7.0 keeps.  fr_manifest_load() parses and
 * validates one file into the structs below; arity checks, COMMAND, COMMAND
 * DOCS and generated docs all read these structs and nothing else.
 *
 * Invariants of a loaded manifest:
 *  - every string is a private heap copy owned by the manifest and released
 *    by fr_manifest_free(); the core may only fill handler/owner/stats and
 *    getkeys_proc of a command;
 *  - arrays are allocated to their exact size once, so pointers into them
 *    (subcommand->parent, a command the core keeps in its table) stay valid
 *    until fr_manifest_free();
 *  - flags and ACL categories already include what Redis derives (implicit
 *    ACL categories, FR_CMD_MOVABLE_KEYS) and first/last/step hold the legacy
 *    key range exactly as COMMAND INFO shows it.
 *
 * This file and manifest.c depend on libyaml and libc only (and on the SDK
 * header for fr_str and the hook ids), so build-time tools can link them
 * without the server. */
#ifndef FR_MANIFEST_H
#define FR_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"

/* Command flags: same bits and names as Redis 7.0 (server.h). */
#define FR_CMD_WRITE (1ULL << 0)
#define FR_CMD_READONLY (1ULL << 1)
#define FR_CMD_DENYOOM (1ULL << 2)
#define FR_CMD_MODULE (1ULL << 3)
#define FR_CMD_ADMIN (1ULL << 4)
#define FR_CMD_PUBSUB (1ULL << 5)
#define FR_CMD_NOSCRIPT (1ULL << 6)
#define FR_CMD_BLOCKING (1ULL << 8)
#define FR_CMD_LOADING (1ULL << 9)
#define FR_CMD_STALE (1ULL << 10)
#define FR_CMD_SKIP_MONITOR (1ULL << 11)
#define FR_CMD_SKIP_SLOWLOG (1ULL << 12)
#define FR_CMD_ASKING (1ULL << 13)
#define FR_CMD_FAST (1ULL << 14)
#define FR_CMD_NO_AUTH (1ULL << 15)
#define FR_CMD_MAY_REPLICATE (1ULL << 16)
#define FR_CMD_SENTINEL (1ULL << 17)
#define FR_CMD_ONLY_SENTINEL (1ULL << 18)
#define FR_CMD_NO_MANDATORY_KEYS (1ULL << 19)
#define FR_CMD_PROTECTED (1ULL << 20)
#define FR_CMD_NO_ASYNC_LOADING (1ULL << 23)
#define FR_CMD_NO_MULTI (1ULL << 24)
#define FR_CMD_MOVABLE_KEYS (1ULL << 25) /* derived, never written */
#define FR_CMD_ALLOW_BUSY (1ULL << 26)
#define FR_CMD_TOUCHES_ARBITRARY_KEYS (1ULL << 28)

/* ACL categories: same bits and order as Redis 7.0. */
#define FR_ACL_KEYSPACE (1ULL << 0)
#define FR_ACL_READ (1ULL << 1)
#define FR_ACL_WRITE (1ULL << 2)
#define FR_ACL_SET (1ULL << 3)
#define FR_ACL_SORTEDSET (1ULL << 4)
#define FR_ACL_LIST (1ULL << 5)
#define FR_ACL_HASH (1ULL << 6)
#define FR_ACL_STRING (1ULL << 7)
#define FR_ACL_BITMAP (1ULL << 8)
#define FR_ACL_HYPERLOGLOG (1ULL << 9)
#define FR_ACL_GEO (1ULL << 10)
#define FR_ACL_STREAM (1ULL << 11)
#define FR_ACL_PUBSUB (1ULL << 12)
#define FR_ACL_ADMIN (1ULL << 13)
#define FR_ACL_FAST (1ULL << 14)
#define FR_ACL_SLOW (1ULL << 15)
#define FR_ACL_BLOCKING (1ULL << 16)
#define FR_ACL_DANGEROUS (1ULL << 17)
#define FR_ACL_CONNECTION (1ULL << 18)
#define FR_ACL_TRANSACTION (1ULL << 19)
#define FR_ACL_SCRIPTING (1ULL << 20)

/* Key spec flags (Redis's CMD_KEY_*). */
#define FR_KEY_RO (1ULL << 0)
#define FR_KEY_RW (1ULL << 1)
#define FR_KEY_OW (1ULL << 2)
#define FR_KEY_RM (1ULL << 3)
#define FR_KEY_ACCESS (1ULL << 4)
#define FR_KEY_UPDATE (1ULL << 5)
#define FR_KEY_INSERT (1ULL << 6)
#define FR_KEY_DELETE (1ULL << 7)
#define FR_KEY_NOT_KEY (1ULL << 8)
#define FR_KEY_INCOMPLETE (1ULL << 9)
#define FR_KEY_VARIABLE_FLAGS (1ULL << 10)

/* Argument flags and documentation flags. */
#define FR_ARG_OPTIONAL (1u << 0)
#define FR_ARG_MULTIPLE (1u << 1)
#define FR_ARG_MULTIPLE_TOKEN (1u << 2)
#define FR_DOC_DEPRECATED (1u << 0)
#define FR_DOC_SYSCMD (1u << 1)

typedef enum fr_arg_type {
    FR_ARG_STRING = 0,
    FR_ARG_INTEGER,
    FR_ARG_DOUBLE,
    FR_ARG_KEY,
    FR_ARG_PATTERN,
    FR_ARG_UNIX_TIME,
    FR_ARG_PURE_TOKEN,
    FR_ARG_ONEOF,
    FR_ARG_BLOCK,
    FR_ARG__COUNT
} fr_arg_type;

typedef enum fr_cmd_group {
    FR_GROUP_GENERIC = 0,
    FR_GROUP_STRING,
    FR_GROUP_LIST,
    FR_GROUP_SET,
    FR_GROUP_SORTED_SET,
    FR_GROUP_HASH,
    FR_GROUP_PUBSUB,
    FR_GROUP_TRANSACTIONS,
    FR_GROUP_CONNECTION,
    FR_GROUP_SERVER,
    FR_GROUP_SCRIPTING,
    FR_GROUP_HYPERLOGLOG,
    FR_GROUP_CLUSTER,
    FR_GROUP_SENTINEL,
    FR_GROUP_GEO,
    FR_GROUP_STREAM,
    FR_GROUP_BITMAP,
    FR_GROUP_MODULE,
    FR_GROUP__COUNT
} fr_cmd_group;

typedef struct fr_cmd_arg {
    char *name;            /* lower case as in Redis */
    fr_arg_type type;
    int key_spec_index;    /* -1 when none */
    char *token;           /* NULL when none */
    char *summary;         /* NULL when none */
    char *since;           /* NULL when none */
    char *deprecated_since;/* NULL when none */
    unsigned flags;        /* FR_ARG_* */
    struct fr_cmd_arg *subargs; /* oneof / block only */
    int nsubargs;
    int line;
} fr_cmd_arg;

typedef enum { FR_BS_UNKNOWN = 0, FR_BS_INDEX, FR_BS_KEYWORD } fr_bs_type;
typedef enum { FR_FK_UNKNOWN = 0, FR_FK_RANGE, FR_FK_KEYNUM } fr_fk_type;

typedef struct fr_key_spec {
    char *notes;           /* NULL when none */
    uint64_t flags;        /* FR_KEY_* */
    fr_bs_type bs_type;
    int bs_index_pos;      /* FR_BS_INDEX */
    char *bs_keyword;      /* FR_BS_KEYWORD */
    int bs_keyword_startfrom;
    fr_fk_type fk_type;
    int fk_range_lastkey, fk_range_keystep, fk_range_limit;       /* RANGE */
    int fk_keynum_keynumidx, fk_keynum_firstkey, fk_keynum_keystep; /* KEYNUM */
    int line;
} fr_key_spec;

typedef struct fr_cmd_history {
    char *since;
    char *changes;
} fr_cmd_history;

struct fr_cmd_meta;
/* Finds key positions when the key specs cannot (VARIABLE_FLAGS or an
 * incomplete spec); same contract as fr_cmd_getkeys(). */
typedef int (*fr_getkeys_fn)(const struct fr_cmd_meta *cmd, int argc,
                             const fr_str *const *argv, int *keys,
                             int *key_flags, int max);

typedef struct fr_cmd_meta {
    char *name;            /* lower case; for a subcommand the sub part */
    char *fullname;        /* "get", "object|encoding" */
    struct fr_cmd_meta *parent; /* container, NULL at top level */
    int arity;
    uint64_t flags;        /* FR_CMD_*, with MOVABLE_KEYS derived */
    uint64_t acl_categories; /* FR_ACL_*, with the implicit ones */
    int first_key, last_key, key_step; /* legacy range as COMMAND INFO shows */

    char *summary;
    char *complexity;      /* NULL when none */
    char *since;
    char *deprecated_since;/* NULL when none */
    char *replaced_by;     /* NULL when none */
    fr_cmd_group group;
    unsigned doc_flags;    /* FR_DOC_* */
    fr_cmd_history *history;
    int nhistory;
    char **tips;           /* as written (Redis sends them lower case) */
    int ntips;
    fr_key_spec *key_specs;
    int nkey_specs;
    fr_cmd_arg *args;
    int nargs;
    char *getkeys_name;    /* built-in key finder named by `getkeys`, or NULL */
    fr_getkeys_fn getkeys_proc; /* resolved from getkeys_name; core may set */

    struct fr_cmd_meta *subcmds;
    int nsubcmds;
    int line;              /* manifest line of the command's name */

    void *handler;         /* set later by the core */
    /* SDK 4.4: the module's per-call flags (EVAL of a script with a
     * shebang), consulted by the dispatcher's checks; NULL: `flags`. */
    void *flags_fn;
    void *owner;           /* set later by the core: the module */
    struct {
        long long calls, usec, rejected_calls, failed_calls;
    } stats;
    void *latency_hist;    /* latency-tracking's fr_hist (latency.c), NULL until called */
    int acl_id;            /* ACL bitmap index + 1 (acl.c gives it on first use), 0: none yet */
} fr_cmd_meta;

typedef enum fr_conf_type {
    FR_CONF_BOOL = 0,
    FR_CONF_INT,
    FR_CONF_MEMORY,
    FR_CONF_STRING,
    FR_CONF_ENUM
} fr_conf_type;

typedef struct fr_conf_def {
    char *name;
    fr_conf_type type;
    char *default_text;    /* as written; validated against type/min/max */
    long long min, max;    /* int/memory; LLONG_MIN/LLONG_MAX when absent */
    char **values;         /* enum only */
    int nvalues;
    char *summary;         /* NULL when none */
    unsigned flags;        /* FR_CONF_F_* */
    int check;             /* string only: the module checks new values */
    int line;
} fr_conf_def;

/* Directive flags a manifest may set (`flags: [...]`), Redis's meanings. */
#define FR_CONF_F_IMMUTABLE (1u << 0)  /* read from the config only, CONFIG SET refused */
#define FR_CONF_F_PROTECTED (1u << 1)  /* CONFIG SET only with enable-protected-configs */
#define FR_CONF_F_MULTI_ARG (1u << 2)  /* string: several words, joined by one space */
#define FR_CONF_F_SENSITIVE (1u << 3)  /* value kept out of logs */

/* INFO fields a module prints (`info:`): one group of fields placed in a
 * section right after a named field (the core's or another module's), or
 * at the section's end when `after` is NULL or that field is not shown. */
typedef enum fr_info_type { FR_INFO_INT = 0, FR_INFO_TEXT } fr_info_type;

typedef struct fr_info_field_decl {
    char *name;
    fr_info_type type;
} fr_info_field_decl;

typedef struct fr_info_decl {
    char *id;              /* C name of the group: `name`, else the section */
    char *section;         /* lower-case, as INFO selects it */
    char *after;           /* NULL: at the end of the section */
    fr_info_field_decl *fields;
    int nfields;
    int line;
} fr_info_decl;

typedef struct fr_manifest {
    char *path;
    char *name;
    char *version;
    char *description;
    int default_hardened;
    char **depends;
    int ndepends;
    char **provides;
    int nprovides;
    unsigned hooks_mask;   /* 1u << fr_hook_id */
    int hook_order[FR_HOOK__COUNT]; /* FR_HOOK_FIRST/MIDDLE/LAST per hook */
    fr_conf_def *config;
    int nconfig;
    fr_info_decl *info;
    int ninfo;
    char **debug;          /* DEBUG subcommands the module serves (lower case) */
    int ndebug;
    fr_cmd_meta *cmds;
    int ncmds;
} fr_manifest;

/* Load and validate; on failure return NULL with "path:line: message" in
 * err.  Every refusal names the line of the offending node. */
fr_manifest *fr_manifest_load(const char *path, char *err, size_t errlen);
/* The same from memory (a manifest compiled into the binary). */
fr_manifest *fr_manifest_load_mem(const char *path, const char *text, size_t len,
                                  char *err, size_t errlen);
void fr_manifest_free(fr_manifest *m);

/* A command by full name ("get", "object|encoding"), case-insensitive. */
fr_cmd_meta *fr_manifest_find_cmd(fr_manifest *m, const char *fullname);
/* A subcommand of a container by name, case-insensitive; NULL if none. */
const fr_cmd_meta *fr_cmd_find_subcmd(const fr_cmd_meta *container,
                                      const char *name, size_t len);

int fr_hook_id_from_name(const char *name);   /* -1 when unknown */
const char *fr_hook_name(int id);             /* NULL when out of range */

/* 1 when argc satisfies the command's arity (Redis's dispatch rule). */
int fr_cmd_arity_ok(const fr_cmd_meta *cmd, int argc);
/* Redis's doesCommandHaveKeys(): a key finder or a spec that is not NOT_KEY. */
int fr_cmd_has_keys(const fr_cmd_meta *cmd);
/* Key positions of a full command line (argv[0] is the command name, a
 * subcommand's name is argv[1]) the way Redis's getKeysFromCommandWithSpecs
 * finds them: key specs first unless one has VARIABLE_FLAGS, then the key
 * finder.  Fills at most `max` positions (and FR_KEY_* flags when key_flags
 * is not NULL) and returns the total found: call again with a larger buffer
 * when it exceeds max.  Returns -1 when the arguments do not match the specs
 * and no key finder exists; COMMAND GETKEYS treats -1 and 0 alike. */
int fr_cmd_getkeys(const fr_cmd_meta *cmd, int argc, const fr_str *const *argv,
                   int *keys, int *key_flags, int max);

/* Name tables shared by the loader, COMMAND replies and the docs tool.
 * `name` is the manifest spelling; `reply` the COMMAND spelling, NULL for
 * flags Redis hides.  Each table ends with a NULL name and NULL reply. */
typedef struct fr_flag_name {
    uint64_t flag;
    const char *name;
    const char *reply;
} fr_flag_name;
extern const fr_flag_name fr_cmd_flag_names[];
extern const fr_flag_name fr_acl_category_names[];
extern const fr_flag_name fr_key_flag_names[];
extern const fr_flag_name fr_doc_flag_names[];
extern const fr_flag_name fr_arg_flag_names[];
const char *fr_arg_type_name(fr_arg_type t);     /* "pure-token" */
const char *fr_cmd_group_name(fr_cmd_group g);   /* reply form: "sorted-set" */
uint64_t fr_acl_category_from_name(const char *name); /* 0 when unknown */

/* Redis's memory notation ("100", "1kb", "5mb", "1g"): 1 ok, 0 invalid. */
int fr_manifest_parse_memory(const char *s, long long *out);

/* A module name: a-z 0-9 - _ only, never empty (so never a path: no '/', no
 * '..'); checked before any file named after it is opened. */
int fr_manifest_valid_module_name(const char *s);

#endif /* FR_MANIFEST_H */

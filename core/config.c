/* config.c -- directives: parsing redis.conf syntax, CONFIG GET/SET values.
 *
 * One table describes every directive: the core's own (Redis's names, types,
 * ranges and defaults) and, once modules are loaded, those their manifests
 * declare.  The file, the command line and CONFIG SET all go through the same
 * typed setters, so a value is validated the same way wherever it comes from.
 *
 * Loading is two-pass because modules are chosen by the config itself:
 * fr_config_load() applies core directives and keeps lines it does not know
 * (with file:line); after the modules' manifests are loaded,
 * fr_config_apply_pending() matches them against module directives and
 * refuses start-up, naming file:line, for any left over. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "manifest.h"
#include "obuf_limit.h"
#include "runtime.h"
#include "splitargs.h"


fr_module_conf *fr_module_confs;
int fr_module_nconfs;

typedef enum { CT_BOOL, CT_LL, CT_MEM, CT_STR, CT_ENUM, CT_SPECIAL } conf_type;

#define CF_IMMUTABLE (1 << 0)
#define CF_SENSITIVE (1 << 1)
#define CF_MODULE (1 << 2)
#define CF_EMPTY_IS_NULL (1 << 3)
#define CF_PROTECTED (1 << 4)   /* dir, and module ones: see enable-protected-configs */
#define CF_MULTI_ARG (1 << 5)   /* one quoted value is split at spaces, as Redis does */

typedef struct conf_def conf_def;
typedef int (*special_set_fn)(conf_def *d, int argc, char **argv, const char **err);
typedef void (*special_get_fn)(conf_def *d, char *buf, size_t len);

typedef struct conf_enum {
    const char *name;
    int value;
} conf_enum;

struct conf_def {
    char *name;
    conf_type type;
    int flags;
    void *ptr;                 /* int*, long long*, char** */
    long long min, max;
    const char *deflt;         /* textual default, set at init */
    const conf_enum *enums;
    special_set_fn sset;
    special_get_fn sget;
    /* module directives: owner name and the storage we own */
    char *module;
    long long mod_ll;
    char *mod_str;
    conf_enum *mod_enums;
    /* Core numeric directives: runs after a new value is stored, to act on
     * it or refuse it (-1 with *err: the old value is put back). */
    int (*apply)(conf_def *d, const char **err);
    /* module string directives declared `check: true` */
    fr_conf_check_fn check;
    int seen_in_config;        /* set by a line of the config already */
};

static const conf_enum protected_enum[] = {{"no", 0}, {"yes", 1}, {"local", 2}, {NULL, 0}};
static const conf_enum maxmemory_policy_enum[] = {
    {"volatile-lru", 0}, {"volatile-lfu", 1}, {"volatile-random", 2}, {"volatile-ttl", 3},
    {"allkeys-lru", 4}, {"allkeys-lfu", 5}, {"allkeys-random", 6}, {"noeviction", 7}, {NULL, 0}};
static const conf_enum loglevel_enum[] = {
    {"debug", FR_LOG_DEBUG}, {"verbose", FR_LOG_VERBOSE},
    {"notice", FR_LOG_NOTICE}, {"warning", FR_LOG_WARNING}, {NULL, 0}};

static int set_bind(conf_def *d, int argc, char **argv, const char **err);
static void get_bind(conf_def *d, char *buf, size_t len);
static int set_dir(conf_def *d, int argc, char **argv, const char **err);
static void get_dir(conf_def *d, char *buf, size_t len);
static int set_appendonly(conf_def *d, int argc, char **argv, const char **err);
static int apply_maxmemory(conf_def *d, const char **err);
static int apply_maxclients(conf_def *d, const char **err);
static int apply_hz(conf_def *d, const char **err);
static void get_appendonly(conf_def *d, char *buf, size_t len);
static int set_obuf_limit(conf_def *d, int argc, char **argv, const char **err);
static void get_obuf_limit(conf_def *d, char *buf, size_t len);

/* Core directives; special ones parse their own words (sset/sget), and
 * `apply` acts on (or refuses) a new numeric value. */
#define C(n, t, f, p, mi, ma, de) {.name = (char *)(n), .type = (t), .flags = (f), .ptr = (p), .min = (mi), .max = (ma), .deflt = (de)}
#define ENUM(n, f, p, de, e) {.name = (char *)(n), .type = CT_ENUM, .flags = (f), .ptr = (p), .deflt = (de), .enums = (e)}
#define SPECIAL(n, f, de, set, get) {.name = (char *)(n), .type = CT_SPECIAL, .flags = (f), .deflt = (de), .sset = (set), .sget = (get)}
static conf_def core_defs[] = {
    C("port", CT_LL, 0, &fr_cfg.port, 0, 65535, "6379"),
    C("protected-mode", CT_BOOL, 0, &fr_cfg.protected_mode, 0, 0, "yes"),
    C("requirepass", CT_STR, CF_SENSITIVE | CF_EMPTY_IS_NULL, &fr_cfg.requirepass, 0, 0, ""),
    C("databases", CT_LL, CF_IMMUTABLE, &fr_cfg.databases, 1, INT_MAX, "16"),
    {.name = (char *)"maxclients", .type = CT_LL, .ptr = &fr_cfg.maxclients, .min = 1, .max = UINT_MAX,
     .deflt = "10000", .apply = apply_maxclients},
    C("timeout", CT_LL, 0, &fr_cfg.timeout, 0, INT_MAX, "0"),
    C("tcp-keepalive", CT_LL, 0, &fr_cfg.tcp_keepalive, 0, INT_MAX, "300"),
    C("tcp-backlog", CT_LL, CF_IMMUTABLE, &fr_cfg.tcp_backlog, 0, INT_MAX, "511"),
    C("proto-max-bulk-len", CT_MEM, 0, &fr_cfg.proto_max_bulk_len, 1024 * 1024, LONG_MAX, "536870912"),
    C("client-query-buffer-limit", CT_MEM, 0, &fr_cfg.client_query_buffer_limit, 1024 * 1024, LONG_MAX, "1073741824"),
    ENUM("loglevel", 0, &fr_cfg.loglevel, "notice", loglevel_enum),
    C("logfile", CT_STR, CF_IMMUTABLE, &fr_cfg.logfile, 0, 0, ""),
    C("daemonize", CT_BOOL, CF_IMMUTABLE, &fr_cfg.daemonize, 0, 0, "no"),
    C("pidfile", CT_STR, CF_IMMUTABLE | CF_EMPTY_IS_NULL, &fr_cfg.pidfile, 0, 0, ""),
    {.name = (char *)"hz", .type = CT_LL, .ptr = &fr_cfg.hz, .max = INT_MAX, .deflt = "10", .apply = apply_hz},
    ENUM("enable-protected-configs", CF_IMMUTABLE, &fr_cfg.enable_protected_configs, "no", protected_enum),
    ENUM("maxmemory-policy", 0, &fr_cfg.maxmemory_policy, "noeviction", maxmemory_policy_enum),
    C("syslog-enabled", CT_BOOL, CF_IMMUTABLE, &fr_cfg.syslog_enabled, 0, 0, "no"),
    {.name = (char *)"maxmemory", .type = CT_MEM, .ptr = &fr_cfg.maxmemory, .max = LLONG_MAX, .deflt = "0",
     .apply = apply_maxmemory},
    C("lazyfree-lazy-user-del", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_user_del, 0, 0, "no"),
    C("lazyfree-lazy-user-flush", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_user_flush, 0, 0, "no"),
    C("lazyfree-lazy-expire", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_expire, 0, 0, "no"),
    C("lazyfree-lazy-server-del", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_server_del, 0, 0, "no"),
    C("module-dir", CT_STR, CF_IMMUTABLE, &fr_cfg.module_dir, 0, 0, ""),
    C("slowlog-log-slower-than", CT_LL, 0, &fr_cfg.slowlog_log_slower_than, -1, LLONG_MAX, "10000"),
    C("slowlog-max-len", CT_LL, 0, &fr_cfg.slowlog_max_len, 0, LONG_MAX, "128"),
    SPECIAL("bind", CF_MULTI_ARG, "* -::*", set_bind, get_bind),
    SPECIAL("dir", CF_PROTECTED, NULL, set_dir, get_dir),
    SPECIAL("appendonly", 0, "no", set_appendonly, get_appendonly),
    SPECIAL("client-output-buffer-limit", CF_MULTI_ARG,
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", set_obuf_limit, get_obuf_limit),
};
#undef C
#undef ENUM
#undef SPECIAL

/* The table: core definitions first, then module directives appended. */
static conf_def **defs;
static int ndefs;

/* Lines of the config that named no core directive, kept for pass two. */
typedef struct pending_line {
    char *file;
    int line;
    char *text;
    int argc;
    char **argv;
} pending_line;
static pending_line *pending;
static int npending;

static conf_def *lookup(const char *name)
{
    for (int i = 0; i < ndefs; i++)
        if (!strcasecmp(defs[i]->name, name)) return defs[i];
    return NULL;
}

/* ---------------------------------------------------------------- parsing */

/* Redis's memtoull notation, shared with manifest defaults. */
static int parse_memory(const char *p, long long *out)
{
    return fr_manifest_parse_memory(p, out) ? 0 : -1;
}

static int parse_ll(const char *p, long long *out)
{
    return fr_string2ll(p, strlen(p), out) ? 0 : -1;
}

static int range_error(conf_def *d, long long v, const char **err)
{
    static char msg[128];
    if (v >= d->min && v <= d->max) return 0;
    snprintf(msg, sizeof(msg), "argument must be between %lld and %lld inclusive",
             d->min, d->max);
    *err = msg;
    return -1;
}

static int enum_parse(const conf_enum *e, const char *v, int *out, const char **err)
{
    static char msg[256];
    for (int i = 0; e[i].name; i++)
        if (!strcasecmp(e[i].name, v)) {
            *out = e[i].value;
            return 0;
        }
    size_t off = (size_t)snprintf(msg, sizeof(msg), "argument(s) must be one of the following: ");
    for (int i = 0; e[i].name && off < sizeof(msg); i++)
        off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s", i ? ", " : "", e[i].name);
    *err = msg;
    return -1;
}

static char **str_slot(conf_def *d)
{
    return d->module ? &d->mod_str : (char **)d->ptr;
}

static int def_set_raw(conf_def *d, int argc, char **argv, const char **err);
static int def_set_raw_one(conf_def *d, const char *v, const char **err);

/* 1 while a line of the config sets a directive it already set (Redis
 * appends such "save" lines instead of replacing). */
static int config_again;

static int store_str(conf_def *d, const char *v)
{
    char **slot = str_slot(d);
    fr_free(*slot);
    *slot = (!v[0] && (d->flags & CF_EMPTY_IS_NULL)) ? NULL : fr_strdup(v);
    return 0;
}

/* The owning module checks (and may normalise) the value first. */
static int set_checked_str(conf_def *d, const char *v, const char **err)
{
    char out[4096] = "";
    char **slot = str_slot(d);
    fr_conf_update u = {v, *slot ? *slot : "", config_again};
    const char *why = d->check(&u, out, sizeof(out));
    if (why) {
        *err = why;
        return -1;
    }
    return store_str(d, out);
}

/* The words of a multi-argument string directive, joined by one space. */
static char *join_words(int argc, char **argv)
{
    fr_str *s = fr_str_new_empty(64);
    for (int i = 0; i < argc; i++) {
        if (i) s = fr_str_cat(s, " ", 1);
        s = fr_str_cat(s, argv[i], strlen(argv[i]));
    }
    char *out = fr_strdup(s->buf);
    fr_str_free(s);
    return out;
}

/* Set one directive from its textual arguments.  Returns 0 or -1 with *err. */
static int def_set(conf_def *d, int argc, char **argv, const char **err)
{
    long long old = d->apply ? *(long long *)d->ptr : 0;
    if (def_set_raw(d, argc, argv, err) != 0) return -1;
    if (d->apply && d->apply(d, err) != 0) {
        *(long long *)d->ptr = old;
        return -1;
    }
    return 0;
}

static int def_set_raw(conf_def *d, int argc, char **argv, const char **err)
{
    if (d->type == CT_SPECIAL) return d->sset(d, argc, argv, err);
    if (d->type == CT_STR && (d->flags & CF_MULTI_ARG)) {
        char *joined = join_words(argc, argv);
        int rc = def_set_raw_one(d, joined, err);
        fr_free(joined);
        return rc;
    }
    if (argc != 1) {
        *err = "wrong number of arguments";
        return -1;
    }
    return def_set_raw_one(d, argv[0], err);
}

static int def_set_raw_one(conf_def *d, const char *v, const char **err)
{
    long long ll;
    int iv;
    switch (d->type) {
    case CT_BOOL:
        if (!strcasecmp(v, "yes")) iv = 1;
        else if (!strcasecmp(v, "no")) iv = 0;
        else {
            *err = "argument must be 'yes' or 'no'";
            return -1;
        }
        if (d->module) d->mod_ll = iv;
        else *(int *)d->ptr = iv;
        return 0;
    case CT_LL:
    case CT_MEM:
        if ((d->type == CT_MEM ? parse_memory(v, &ll) : parse_ll(v, &ll)) != 0) {
            *err = d->type == CT_MEM ? "argument must be a memory value"
                                     : "argument couldn't be parsed into an integer";
            return -1;
        }
        if (range_error(d, ll, err)) return -1;
        if (d->module) d->mod_ll = ll;
        else *(long long *)d->ptr = ll;
        return 0;
    case CT_ENUM:
        if (enum_parse(d->module ? d->mod_enums : d->enums, v, &iv, err)) return -1;
        if (d->module) d->mod_ll = iv;
        else *(int *)d->ptr = iv;
        return 0;
    case CT_STR:
        return d->check ? set_checked_str(d, v, err) : store_str(d, v);
    default:
        return -1;
    }
}

static void def_get(conf_def *d, char *buf, size_t len)
{
    long long ll = 0;
    int iv = 0;
    const conf_enum *e;
    switch (d->type) {
    case CT_SPECIAL:
        d->sget(d, buf, len);
        return;
    case CT_BOOL:
        iv = d->module ? (int)d->mod_ll : *(int *)d->ptr;
        snprintf(buf, len, "%s", iv ? "yes" : "no");
        return;
    case CT_LL:
    case CT_MEM:
        ll = d->module ? d->mod_ll : *(long long *)d->ptr;
        snprintf(buf, len, "%lld", ll);
        return;
    case CT_ENUM:
        iv = d->module ? (int)d->mod_ll : *(int *)d->ptr;
        e = d->module ? d->mod_enums : d->enums;
        for (int i = 0; e[i].name; i++)
            if (e[i].value == iv) {
                snprintf(buf, len, "%s", e[i].name);
                return;
            }
        buf[0] = '\0';
        return;
    case CT_STR: {
        char *s = *str_slot(d);
        snprintf(buf, len, "%s", s ? s : "");
        return;
    }
    }
}

/* ---------------------------------------------------------- special ones */

static int set_bind(conf_def *d, int argc, char **argv, const char **err)
{
    (void)d;
    if (argc > FR_MAX_BINDADDR) {
        *err = "Too many bind addresses specified.";
        return -1;
    }
    for (int i = 0; i < fr_cfg.bind_count; i++) fr_free(fr_cfg.bind[i]);
    /* "bind" with one empty argument means no TCP listener at all. */
    fr_cfg.bind_count = 0;
    for (int i = 0; i < argc; i++) {
        if (argc == 1 && !argv[0][0]) break;
        fr_cfg.bind[fr_cfg.bind_count++] = fr_strdup(argv[i]);
    }
    return 0;
}

static void get_bind(conf_def *d, char *buf, size_t len)
{
    (void)d;
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < fr_cfg.bind_count && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", fr_cfg.bind[i]);
}

static int set_dir(conf_def *d, int argc, char **argv, const char **err)
{
    (void)d;
    if (argc != 1) {
        *err = "wrong number of arguments";
        return -1;
    }
    if (chdir(argv[0]) == -1) {
        *err = strerror(errno);
        return -1;
    }
    return 0;
}

static void get_dir(conf_def *d, char *buf, size_t len)
{
    (void)d;
    if (!getcwd(buf, len)) buf[0] = '\0';
}

/* Clients (redis-benchmark among them) read appendonly; turning it on needs
 * a module that provides AOF, so without one "yes" is refused rather than
 * silently ignored. */
static int set_appendonly(conf_def *d, int argc, char **argv, const char **err)
{
    (void)d;
    if (argc != 1 || (strcasecmp(argv[0], "yes") && strcasecmp(argv[0], "no"))) {
        *err = "argument must be 'yes' or 'no'";
        return -1;
    }
    int on = !strcasecmp(argv[0], "yes");
    if (on && !fr_runtime.aof_available) {
        *err = "appendonly needs the aof module, which is not loaded";
        return -1;
    }
    fr_cfg.appendonly = on;
    return 0;
}

static void get_appendonly(conf_def *d, char *buf, size_t len)
{
    (void)d;
    snprintf(buf, len, "%s", fr_cfg.appendonly ? "yes" : "no");
}

/* No module evicts keys yet: a memory limit that nothing enforces would be
 * a silent lie, so only 0 (no limit) is accepted until one does. */
static int apply_maxmemory(conf_def *d, const char **err)
{
    (void)d;
    if (fr_cfg.maxmemory == 0) return 0;
    *err = "maxmemory needs an eviction module, which is not loaded";
    return -1;
}

/* Redis treats hz as a hint and keeps it within 1..500. */
static int apply_hz(conf_def *d, const char **err)
{
    (void)d;
    (void)err;
    if (fr_cfg.hz < 1) fr_cfg.hz = 1;
    if (fr_cfg.hz > 500) fr_cfg.hz = 500;
    return 0;
}

static int set_obuf_limit(conf_def *d, int argc, char **argv, const char **err)
{
    (void)d;
    return fr_obuf_limits_set(argc, argv, err);
}

static void get_obuf_limit(conf_def *d, char *buf, size_t len)
{
    (void)d;
    fr_obuf_limits_format(buf, len);
}

/* While the config is read the file-descriptor limit is not known yet:
 * start-up fits maxclients to it once (fr_net_fit_maxclients).  Later a
 * value the process cannot get descriptors for is refused, as Redis
 * refuses it, naming the most it could have. */
static int apply_maxclients(conf_def *d, const char **err)
{
    static char msg[128];
    (void)d;
    if (!fr_proto.loop) return 0;
    long long most = fr_net_maxclients_possible(fr_cfg.maxclients);
    if (most >= fr_cfg.maxclients) return 0;
    snprintf(msg, sizeof(msg),
             "The operating system is not able to handle the specified number of clients, try with %lld", most);
    *err = msg;
    return -1;
}

/* -------------------------------------------------------------- defaults */

/* Words of a multi-argument value ("bind"); an empty value is one
 * empty word, which the setters read as "none". */
static int split_spaces(const char *s, char ***argv)
{
    int n = 0;
    fr_str **a = fr_splitargs(s, strlen(s), &n);
    if (!a) n = 0;
    *argv = fr_malloc(sizeof(char *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) (*argv)[i] = fr_strdup(a[i]->buf);
    if (a) fr_splitargs_free(a, n);
    if (n == 0) (*argv)[n++] = fr_strdup("");
    return n;
}

static void free_argv(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) fr_free(argv[i]);
    fr_free(argv);
}

void fr_config_init_defaults(void)
{
    if (defs) return; /* once per process */
    int n = (int)(sizeof(core_defs) / sizeof(core_defs[0]));
    defs = fr_malloc(sizeof(conf_def *) * (size_t)n);
    ndefs = 0;
    for (int i = 0; i < n; i++) {
        conf_def *d = &core_defs[i];
        defs[ndefs++] = d;
        if (!d->deflt) continue;
        char **argv;
        int argc = d->type == CT_SPECIAL ? split_spaces(d->deflt, &argv) : 1;
        if (d->type != CT_SPECIAL) {
            argv = fr_malloc(sizeof(char *));
            argv[0] = fr_strdup(d->deflt);
        }
        const char *err = NULL;
        if (def_set(d, argc, argv, &err) != 0) fr_panic("bad default for %s", d->name);
        free_argv(argc, argv);
    }
}

/* ------------------------------------------------------------ file load */

static int module_line(const char *file, int line, int argc, char **argv,
                       char *err, size_t errlen)
{
    if (argc < 2 || argc > 3) {
        snprintf(err, errlen, "%s:%d: 'module' takes a name and an optional mode (strict|hardened)", file, line);
        return -1;
    }
    int mode = -1;
    if (argc == 3) {
        if (!strcasecmp(argv[2], "strict")) mode = 0;
        else if (!strcasecmp(argv[2], "hardened")) mode = 1;
        else {
            snprintf(err, errlen, "%s:%d: module mode must be 'strict' or 'hardened', got '%s'", file, line, argv[2]);
            return -1;
        }
    }
    for (int i = 0; i < fr_module_nconfs; i++)
        if (!strcmp(fr_module_confs[i].name, argv[1])) {
            snprintf(err, errlen, "%s:%d: module '%s' listed twice (first at %s:%d)", file, line,
                     argv[1], fr_module_confs[i].file, fr_module_confs[i].line);
            return -1;
        }
    fr_module_confs = fr_realloc(fr_module_confs, sizeof(*fr_module_confs) * (size_t)(fr_module_nconfs + 1));
    fr_module_conf *mc = &fr_module_confs[fr_module_nconfs++];
    memset(mc, 0, sizeof(*mc));
    mc->name = fr_strdup(argv[1]);
    mc->mode = mode;
    mc->file = fr_strdup(file);
    mc->line = line;
    return 0;
}

static void keep_pending(const char *file, int line, const char *text, int argc, char **argv)
{
    pending = fr_realloc(pending, sizeof(*pending) * (size_t)(npending + 1));
    pending_line *p = &pending[npending++];
    p->file = fr_strdup(file);
    p->line = line;
    p->text = fr_strdup(text);
    p->argc = argc;
    p->argv = fr_malloc(sizeof(char *) * (size_t)argc);
    for (int i = 0; i < argc; i++) p->argv[i] = fr_strdup(argv[i]);
}

static int apply_line(const char *file, int line, const char *text, int argc,
                      char **argv, int final, char *err, size_t errlen)
{
    for (char *p = argv[0]; *p; p++) *p = (char)tolower((unsigned char)*p);
    if (!strcmp(argv[0], "module")) return module_line(file, line, argc, argv, err, errlen);
    conf_def *d = lookup(argv[0]);
    if (!d) {
        if (!final) {
            keep_pending(file, line, text, argc, argv);
            return 0;
        }
        snprintf(err, errlen, "%s:%d: >>> '%s' Bad directive or wrong number of arguments", file, line, text);
        return -1;
    }
    const char *why = NULL;
    int rc;
    config_again = d->seen_in_config;
    if ((d->flags & CF_MULTI_ARG) && argc == 2 && argv[1][0]) {
        /* `--client-output-buffer-limit "normal 0 0 0"`: one word holding
         * them all (an empty one still means "none"). */
        char **words;
        int n = split_spaces(argv[1], &words);
        rc = def_set(d, n, words, &why);
        free_argv(n, words);
    } else {
        rc = def_set(d, argc - 1, argv + 1, &why);
    }
    config_again = 0;
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: >>> '%s' %s", file, line, text, why ? why : "invalid value");
        return -1;
    }
    d->seen_in_config = 1;
    return 0;
}

/* Parse a whole config text (file contents plus command-line options). */
static int load_text(const char *file, const char *text, char *err, size_t errlen)
{
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        lineno++;
        char *line = fr_malloc(len + 1);
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (eol ? 1 : 0);
        char *t = line;
        while (isspace((unsigned char)*t)) t++;
        size_t tl = strlen(t);
        while (tl && isspace((unsigned char)t[tl - 1])) t[--tl] = '\0';
        if (!*t || *t == '#') {
            fr_free(line);
            continue;
        }
        int argc = 0;
        fr_str **sa = fr_splitargs(t, tl, &argc);
        if (!sa) {
            snprintf(err, errlen, "%s:%d: >>> '%s' Unbalanced quotes in configuration line", file, lineno, t);
            fr_free(line);
            return -1;
        }
        char **argv = fr_malloc(sizeof(char *) * (size_t)(argc ? argc : 1));
        for (int i = 0; i < argc; i++) argv[i] = fr_strdup(sa[i]->buf);
        fr_splitargs_free(sa, argc);
        int rc = argc ? apply_line(file, lineno, t, argc, argv, 0, err, errlen) : 0;
        free_argv(argc, argv);
        fr_free(line);
        if (rc) return -1;
    }
    return 0;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "Fatal error, can't open config file '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = fr_malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) buf = fr_realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* Command-line options become config lines, as redis-server does: each
 * "--name" starts a line and the following words are its arguments. */
static char *argv_to_text(int argc, char **argv)
{
    fr_str *s = fr_str_new_empty(256);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            if (s->len) s = fr_str_cat(s, "\n", 1);
            s = fr_str_cat(s, a + 2, strlen(a + 2));
        } else {
            /* quote so that values with spaces survive the split */
            s = fr_str_cat(s, " \"", 2);
            for (const char *c = a; *c; c++) {
                if (*c == '"' || *c == '\\') s = fr_str_cat(s, "\\", 1);
                s = fr_str_cat(s, c, 1);
            }
            s = fr_str_cat(s, "\"", 1);
        }
    }
    char *out = fr_strdup(s->buf);
    fr_str_free(s);
    return out;
}

int fr_config_load(const char *path, int argc, char **argv, char *err, size_t errlen)
{
    if (path) {
        char *text = read_file(path, err, errlen);
        if (!text) return -1;
        int rc = load_text(path, text, err, errlen);
        fr_free(text);
        if (rc) return -1;
    }
    if (argc > 0) {
        char *text = argv_to_text(argc, argv);
        int rc = load_text("(command line)", text, err, errlen);
        fr_free(text);
        if (rc) return -1;
    }
    return 0;
}

/* ------------------------------------------------------ module directives */

static const char *mod_type_name(int t)
{
    switch (t) {
    case FR_CONF_BOOL: return "bool";
    case FR_CONF_INT: return "int";
    case FR_CONF_MEMORY: return "memory";
    case FR_CONF_ENUM: return "enum";
    default: return "string";
    }
}

fr_conf_handle *fr_config_add_module_directive(const char *module, const fr_conf_def *decl,
                                               char *err, size_t errlen)
{
    if (lookup(decl->name)) {
        snprintf(err, errlen, "config directive '%s' (%s) is already defined", decl->name, module);
        return NULL;
    }
    conf_def *d = fr_calloc(sizeof(*d));
    d->name = fr_strdup(decl->name);
    d->flags = CF_MODULE;
    if (decl->flags & FR_CONF_F_IMMUTABLE) d->flags |= CF_IMMUTABLE;
    if (decl->flags & FR_CONF_F_PROTECTED) d->flags |= CF_PROTECTED;
    if (decl->flags & FR_CONF_F_MULTI_ARG) d->flags |= CF_MULTI_ARG;
    if (decl->flags & FR_CONF_F_SENSITIVE) d->flags |= CF_SENSITIVE;
    d->module = fr_strdup(module);
    d->min = decl->min;
    d->max = decl->max;
    switch (decl->type) {
    case FR_CONF_BOOL: d->type = CT_BOOL; break;
    case FR_CONF_INT: d->type = CT_LL; break;
    case FR_CONF_MEMORY: d->type = CT_MEM; break;
    case FR_CONF_ENUM:
        d->type = CT_ENUM;
        d->mod_enums = fr_calloc(sizeof(conf_enum) * (size_t)(decl->nvalues + 1));
        for (int i = 0; i < decl->nvalues; i++) {
            d->mod_enums[i].name = fr_strdup(decl->values[i]);
            d->mod_enums[i].value = i;
        }
        break;
    default: d->type = CT_STR; break;
    }
    char *argv[1] = {(char *)(decl->default_text ? decl->default_text : "")};
    const char *why = NULL;
    if (def_set(d, 1, argv, &why) != 0) {
        snprintf(err, errlen, "default of %s directive '%s' is invalid: %s", mod_type_name(decl->type),
                 decl->name, why);
        fr_free(d->name);
        fr_free(d->module);
        fr_free(d);
        return NULL;
    }
    defs = fr_realloc(defs, sizeof(conf_def *) * (size_t)(ndefs + 1));
    defs[ndefs++] = d;
    return d;
}

long long fr_config_handle_ll(const fr_conf_handle *h)
{
    return h->type == CT_STR ? 0 : h->mod_ll;
}

const char *fr_config_handle_str(const fr_conf_handle *h)
{
    return h->type == CT_STR && h->mod_str ? h->mod_str : "";
}

void fr_config_handle_set_check(fr_conf_handle *h, fr_conf_check_fn fn)
{
    h->check = fn;
}

static void free_def(conf_def *d)
{
    fr_free(d->name);
    fr_free(d->module);
    fr_free(d->mod_str);
    if (d->mod_enums) {
        for (int i = 0; d->mod_enums[i].name; i++) fr_free((char *)d->mod_enums[i].name);
        fr_free(d->mod_enums);
    }
    fr_free(d);
}

void fr_config_remove_module(const char *module)
{
    int j = 0;
    for (int i = 0; i < ndefs; i++) {
        if (defs[i]->module && !strcmp(defs[i]->module, module)) free_def(defs[i]);
        else defs[j++] = defs[i];
    }
    ndefs = j;
}

/* Pass two: lines that named no core directive must name a module's. */
int fr_config_apply_pending(char *err, size_t errlen)
{
    for (int i = 0; i < npending; i++) {
        pending_line *p = &pending[i];
        if (apply_line(p->file, p->line, p->text, p->argc, p->argv, 1, err, errlen)) return -1;
    }
    return 0;
}

long long fr_config_server_ll(const char *name, long long dflt)
{
    conf_def *d = lookup(name);
    if (!d) return dflt;
    switch (d->type) {
    case CT_BOOL:
    case CT_ENUM:
        return d->module ? d->mod_ll : *(int *)d->ptr;
    case CT_LL:
    case CT_MEM:
        return d->module ? d->mod_ll : *(long long *)d->ptr;
    default:
        return dflt;
    }
}

/* ----------------------------------------------------- CONFIG GET / SET */

void fr_config_get_matching(const char *pattern, fr_config_kv_fn fn, void *priv)
{
    char buf[4096];
    int glob = strpbrk(pattern, "[*?") != NULL;
    for (int i = 0; i < ndefs; i++) {
        conf_def *d = defs[i];
        int match = glob ? fr_stringmatch(pattern, strlen(pattern), d->name, strlen(d->name), 1)
                         : !strcasecmp(pattern, d->name);
        if (!match) continue;
        def_get(d, buf, sizeof(buf));
        fn(d->name, buf, priv);
    }
}

/* enable-protected-configs: no (default), yes, or local (loopback only). */
static int protected_allowed(void)
{
    int mode = fr_cfg.enable_protected_configs;
    return mode == 1 || (mode == 2 && fr_proto.current_client && fr_proto.current_client->is_local);
}

/* Set several directives atomically: either all change or none does. */
int fr_config_set_many(int n, const char *const *names, const char *const *values,
                       const char **bad_name, const char **err)
{
    conf_def **ds = fr_calloc(sizeof(conf_def *) * (size_t)n);
    char **olds = fr_calloc(sizeof(char *) * (size_t)n);
    int rc = -1;
    *err = NULL;
    *bad_name = NULL;
    /* Checked pair by pair, left to right: the first bad pair decides the
     * error, as in Redis. */
    for (int i = 0; i < n; i++) {
        ds[i] = lookup(names[i]);
        *bad_name = names[i];
        if (!ds[i]) {
            *err = "unknown";
            goto out;
        }
        if (ds[i]->flags & CF_IMMUTABLE) {
            *err = "can't set immutable config";
            goto out;
        }
        if ((ds[i]->flags & CF_PROTECTED) && !protected_allowed()) {
            *err = "can't set protected config";
            goto out;
        }
        for (int j = 0; j < i; j++)
            if (ds[j] == ds[i]) {
                *err = "duplicate parameter";
                goto out;
            }
    }
    *bad_name = NULL;
    char buf[4096];
    for (int i = 0; i < n; i++) {
        def_get(ds[i], buf, sizeof(buf));
        olds[i] = fr_strdup(buf);
    }
    for (int i = 0; i < n; i++) {
        char **argv;
        int argc;
        if (ds[i]->type == CT_SPECIAL) argc = split_spaces(values[i], &argv);
        else {
            argc = 1;
            argv = fr_malloc(sizeof(char *));
            argv[0] = fr_strdup(values[i]);
        }
        int r = def_set(ds[i], argc, argv, err);
        free_argv(argc, argv);
        if (r != 0) {
            *bad_name = ds[i]->name;
            for (int j = 0; j < i; j++) { /* roll back what was set */
                const char *ignored;
                char **oa;
                int oc = split_spaces(olds[j], &oa);
                if (ds[j]->type != CT_SPECIAL) {
                    free_argv(oc, oa);
                    oc = 1;
                    oa = fr_malloc(sizeof(char *));
                    oa[0] = fr_strdup(olds[j]);
                }
                def_set(ds[j], oc, oa, &ignored);
                free_argv(oc, oa);
            }
            goto out;
        }
    }
    rc = 0;
out:
    for (int i = 0; i < n; i++) fr_free(olds[i]);
    fr_free(olds);
    fr_free(ds);
    return rc;
}

/* Current value of one directive as CONFIG GET shows it ("" if unknown). */
const char *fr_config_server_str(const char *name, char *buf, size_t len)
{
    conf_def *d = lookup(name);
    buf[0] = '\0';
    if (d) def_get(d, buf, len);
    return buf;
}

int fr_config_is_core(const char *name)
{
    conf_def *d = lookup(name);
    return d && !d->module;
}

void fr_config_free_all(void)
{
    for (int i = 0; i < npending; i++) {
        free_argv(pending[i].argc, pending[i].argv);
        fr_free(pending[i].file);
        fr_free(pending[i].text);
    }
    fr_free(pending);
    pending = NULL;
    npending = 0;
}

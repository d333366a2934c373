/* config.c -- directives: parsing redis.conf syntax, CONFIG GET/SET/REWRITE.
 *
 * One table describes every directive: the core's own (Redis's names, types,
 * ranges and defaults) and, once modules are loaded, those their manifests
 * declare.  A name is looked up there first; a Redis parameter that neither
 * implements is answered from Redis's vocabulary (config_vocab.c): accepted,
 * validated and stored with no effect.  The file, the command line and
 * CONFIG SET all go through the same typed setters, so a value is validated
 * the same way wherever it comes from.
 *
 * Loading is two-pass because modules are chosen by the config itself:
 * fr_config_load() applies core directives and keeps lines it does not know
 * (with file:line); after the modules' manifests are loaded,
 * fr_config_apply_pending() matches them against module directives and
 * refuses start-up, naming file:line, for any left over.
 *
 * Each loaded module (the core too) also has `<module>.mode` (strict|
 * hardened), a directive stored in the registry's own field for the mode,
 * so CONFIG SET switches it for the next command; its home in a file is
 * the `module NAME MODE` line, which CONFIG REWRITE updates. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
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
#define CF_HIDDEN (1 << 6)      /* CONFIG GET by exact name only */
#define CF_UNSIGNED (1 << 7)    /* numbers: bounds compared unsigned, shown unsigned */
#define CF_PERCENT (1 << 8)     /* memory: or "N%", stored as -N */
#define CF_OCTAL (1 << 9)
#define CF_VOCAB (1 << 10)      /* from the vocabulary: stored, no effect */
#define CF_MODE (1 << 11)       /* <module>.mode: its home in a file is the `module` line */

typedef struct conf_def conf_def;
typedef int (*special_set_fn)(conf_def *d, int argc, char **argv, const char **err);
typedef void (*special_get_fn)(conf_def *d, char *buf, size_t len);

typedef fr_conf_enum conf_enum;

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
    /* Redis's facts about this name (alias, CONFIG REWRITE format), NULL
     * for a directive Redis does not have */
    const fr_vocab *vocab;
    fr_vocab_norm_fn norm;     /* vocabulary specials: parse into the stored text */
    const char *refuse;        /* vocabulary: non-default values refused with this */
    char *deflt_text;          /* the default as CONFIG GET shows it */
};

/* Storage the table owns (modules' and the vocabulary's directives) rather
 * than a field of fr_cfg. */
static int owned(const conf_def *d)
{
    return d->ptr == NULL;
}

static const conf_enum protected_enum[] = {{"no", 0}, {"yes", 1}, {"local", 2}, {NULL, 0}};
/* In the vocabulary's order, which CONFIG SET's error lists. */
static const conf_enum supervised_enum[] = {{"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}, {NULL, 0}};
/* The values are syslog.h's, which log.c hands to openlog. */
static const conf_enum facility_enum[] = {
    {"user", LOG_USER}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7}, {NULL, 0}};
static const conf_enum loglevel_enum[] = {
    {"debug", FR_LOG_DEBUG}, {"verbose", FR_LOG_VERBOSE},
    {"notice", FR_LOG_NOTICE}, {"warning", FR_LOG_WARNING}, {NULL, 0}};

static int set_bind(conf_def *d, int argc, char **argv, const char **err);
static void get_bind(conf_def *d, char *buf, size_t len);
static int set_dir(conf_def *d, int argc, char **argv, const char **err);
static void get_dir(conf_def *d, char *buf, size_t len);
static int apply_maxclients(conf_def *d, const char **err);
static int apply_hz(conf_def *d, const char **err);
static int apply_requirepass(conf_def *d, const char **err);
static int set_obuf_limit(conf_def *d, int argc, char **argv, const char **err);
static void get_obuf_limit(conf_def *d, char *buf, size_t len);
static int set_notify(conf_def *d, int argc, char **argv, const char **err);
static void get_notify(conf_def *d, char *buf, size_t len);

/* Core directives; special ones parse their own words (sset/sget), and
 * `apply` acts on (or refuses) a new numeric value. */
#define C(n, t, f, p, mi, ma, de) {.name = (char *)(n), .type = (t), .flags = (f), .ptr = (p), .min = (mi), .max = (ma), .deflt = (de)}
#define ENUM(n, f, p, de, e) {.name = (char *)(n), .type = CT_ENUM, .flags = (f), .ptr = (p), .deflt = (de), .enums = (e)}
#define SPECIAL(n, f, de, set, get) {.name = (char *)(n), .type = CT_SPECIAL, .flags = (f), .deflt = (de), .sset = (set), .sget = (get)}
static conf_def core_defs[] = {
    C("port", CT_LL, 0, &fr_cfg.port, 0, 65535, "6379"),
    C("protected-mode", CT_BOOL, 0, &fr_cfg.protected_mode, 0, 0, "yes"),
    {.name = (char *)"requirepass", .type = CT_STR, .flags = CF_SENSITIVE | CF_EMPTY_IS_NULL,
     .ptr = &fr_cfg.requirepass, .deflt = "", .apply = apply_requirepass},
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
    /* read before the modules load (a supervised server never daemonizes) */
    ENUM("supervised", CF_IMMUTABLE, &fr_cfg.supervised, "no", supervised_enum),
    C("pidfile", CT_STR, CF_IMMUTABLE | CF_EMPTY_IS_NULL, &fr_cfg.pidfile, 0, 0, ""),
    C("unixsocket", CT_STR, CF_IMMUTABLE | CF_EMPTY_IS_NULL, &fr_cfg.unixsocket, 0, 0, ""),
    C("unixsocketperm", CT_LL, CF_IMMUTABLE | CF_OCTAL | CF_UNSIGNED, &fr_cfg.unixsocketperm, 0, 0777, "0"),
    {.name = (char *)"hz", .type = CT_LL, .ptr = &fr_cfg.hz, .max = INT_MAX, .deflt = "10", .apply = apply_hz},
    ENUM("enable-protected-configs", CF_IMMUTABLE, &fr_cfg.enable_protected_configs, "no", protected_enum),
    C("syslog-enabled", CT_BOOL, CF_IMMUTABLE, &fr_cfg.syslog_enabled, 0, 0, "no"),
    C("syslog-ident", CT_STR, CF_IMMUTABLE, &fr_cfg.syslog_ident, 0, 0, "redis"),
    ENUM("syslog-facility", CF_IMMUTABLE, &fr_cfg.syslog_facility, "local0", facility_enum),
    C("lazyfree-lazy-user-del", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_user_del, 0, 0, "no"),
    C("lazyfree-lazy-user-flush", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_user_flush, 0, 0, "no"),
    C("lazyfree-lazy-expire", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_expire, 0, 0, "no"),
    C("lazyfree-lazy-server-del", CT_BOOL, 0, &fr_cfg.lazyfree_lazy_server_del, 0, 0, "no"),
    C("replica-read-only", CT_BOOL, 0, &fr_cfg.replica_read_only, 0, 0, "yes"),
    /* hidden from patterns: a tool setting back every CONFIG GET * value
     * (Redis's own "CONFIG sanity") knows Redis's immutable names only */
    C("module-dir", CT_STR, CF_IMMUTABLE | CF_HIDDEN, &fr_cfg.module_dir, 0, 0, ""),
    C("slowlog-log-slower-than", CT_LL, 0, &fr_cfg.slowlog_log_slower_than, -1, LLONG_MAX, "10000"),
    C("slowlog-max-len", CT_LL, 0, &fr_cfg.slowlog_max_len, 0, LONG_MAX, "128"),
    ENUM("enable-debug-command", CF_IMMUTABLE, &fr_cfg.enable_debug_command, "no", protected_enum),
    C("latency-monitor-threshold", CT_LL, 0, &fr_cfg.latency_monitor_threshold, 0, LLONG_MAX, "0"),
    C("latency-tracking", CT_BOOL, 0, &fr_cfg.latency_tracking, 0, 0, "yes"),
    C("tracking-table-max-keys", CT_LL, CF_UNSIGNED, &fr_cfg.tracking_table_max_keys, 0, LONG_MAX, "1000000"),
    C("hardened-log-capacity", CT_LL, 0, &fr_cfg.hardened_log_capacity, 0, LONG_MAX, "128"),
    C("hardened-log-file", CT_STR, CF_EMPTY_IS_NULL, &fr_cfg.hardened_log_file, 0, 0, ""),
    C("hardened-proto-max-multibulk-len", CT_LL, 0, &fr_cfg.hardened_proto_max_multibulk_len, 1, INT_MAX, "65536"),
    C("hardened-proto-max-bulk-len", CT_MEM, 0, &fr_cfg.hardened_proto_max_bulk_len, 1024, LONG_MAX, "67108864"),
    C("hardened-partial-request-timeout", CT_LL, 0, &fr_cfg.hardened_partial_request_timeout, 0, INT_MAX, "30"),
    C("latency-tracking-info-percentiles", CT_STR, CF_MULTI_ARG, &fr_cfg.latency_tracking_info_percentiles, 0, 0,
      "50 99 99.9"),
    SPECIAL("bind", CF_MULTI_ARG, "* -::*", set_bind, get_bind),
    SPECIAL("dir", CF_PROTECTED, NULL, set_dir, get_dir),
    SPECIAL("client-output-buffer-limit", CF_MULTI_ARG,
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", set_obuf_limit, get_obuf_limit),
    SPECIAL("notify-keyspace-events", 0, "", set_notify, get_notify),
};
#undef C
#undef ENUM
#undef SPECIAL

/* The table: core definitions first, then module directives appended. */
static conf_def **defs;
static int ndefs;
/* The vocabulary's directives for the parameters the core does not
 * implement (one per entry, in the vocabulary's order); a module's
 * directive of the same name hides one while the module is loaded. */
static conf_def **vocab_defs;
static int nvocab_defs;

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

/* The core's or a loaded module's directive of that exact name. */
static conf_def *lookup_owned(const char *name)
{
    for (int i = 0; i < ndefs; i++)
        if (!strcasecmp(defs[i]->name, name)) return defs[i];
    return NULL;
}

static conf_def *vocab_def(const fr_vocab *v)
{
    for (int i = 0; i < nvocab_defs; i++)
        if (vocab_defs[i]->vocab == v) return vocab_defs[i];
    return NULL;
}

/* A name or an alias: the core's or a module's directive, else the
 * vocabulary's.  *shown is the name Redis reports it under (the alias when
 * asked by the alias), lower case. */
static conf_def *lookup_shown(const char *name, const char **shown)
{
    conf_def *d = lookup_owned(name);
    if (d) {
        if (shown) *shown = d->name;
        return d;
    }
    const fr_vocab *v = fr_config_vocab_find(name);
    if (!v) return NULL;
    if (shown) *shown = strcasecmp(v->name, name) ? v->alias : v->name;
    d = lookup_owned(v->name);
    return d ? d : vocab_def(v);
}

static conf_def *lookup(const char *name)
{
    return lookup_shown(name, NULL);
}

/* ---------------------------------------------------------------- parsing */

/* Redis's memory notation as Redis reads it: digits and an optional unit
 * (b k kb m mb g gb); no sign; an empty number is 0; a number too large
 * saturates and is then refused by the range, as in Redis. */
static int parse_memory(const char *p, long long *out)
{
    static const struct { const char *unit; unsigned long long mul; } units[] = {
        {"", 1}, {"b", 1}, {"k", 1000}, {"kb", 1024}, {"m", 1000 * 1000},
        {"mb", 1024 * 1024}, {"g", 1000ULL * 1000 * 1000}, {"gb", 1024ULL * 1024 * 1024}};
    const char *u = p;
    if (*u == '-') return -1;
    while (isdigit((unsigned char)*u)) u++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(u, units[i].unit)) continue;
        char digits[128];
        size_t n = (size_t)(u - p);
        if (n >= sizeof(digits)) return -1;
        memcpy(digits, p, n);
        digits[n] = '\0';
        *out = (long long)(strtoull(digits, NULL, 10) * units[i].mul);
        return 0;
    }
    return -1;
}

/* A number as Redis parses the directive's kind: memory (or a percentage),
 * octal, or a plain integer. */
static int parse_number(conf_def *d, const char *v, long long *out, const char **err)
{
    if (d->type == CT_MEM) {
        if (parse_memory(v, out) == 0) return 0;
        size_t len = strlen(v);
        if ((d->flags & CF_PERCENT) && len > 1 && v[len - 1] == '%' && fr_string2ll(v, len - 1, out) &&
            *out >= 0) {
            *out = -*out;
            return 0;
        }
        *err = (d->flags & CF_PERCENT) ? "argument must be a memory or percent value"
                                       : "argument must be a memory value";
        return -1;
    }
    if (d->flags & CF_OCTAL) {
        char *end;
        errno = 0;
        *out = strtoll(v, &end, 8);
        if (errno == 0 && *end == '\0') return 0;
        *err = "argument couldn't be parsed as an octal number";
        return -1;
    }
    if (fr_string2ll(v, strlen(v), out)) return 0;
    *err = "argument couldn't be parsed into an integer";
    return -1;
}

static int range_error(conf_def *d, long long v, const char **err)
{
    static char msg[128];
    if (d->flags & CF_UNSIGNED) {
        unsigned long long u = (unsigned long long)v, lo = (unsigned long long)d->min,
                           hi = (unsigned long long)d->max;
        if (u >= lo && u <= hi) return 0;
        snprintf(msg, sizeof(msg),
                 (d->flags & CF_OCTAL) ? "argument must be between %llo and %llo inclusive"
                                       : "argument must be between %llu and %llu inclusive",
                 lo, hi);
    } else if ((d->flags & CF_PERCENT) && v < 0) {
        if (v >= d->min) return 0;
        snprintf(msg, sizeof(msg), "percentage argument must be less or equal to %lld", -d->min);
    } else {
        if (v >= d->min && v <= d->max) return 0;
        snprintf(msg, sizeof(msg), "argument must be between %lld and %lld inclusive", d->min, d->max);
    }
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
    return owned(d) ? &d->mod_str : (char **)d->ptr;
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

/* What a directive held before a change, to put it back: the text for
 * the core's own fields, the owned storage itself otherwise (a
 * vocabulary special's stored text need not be valid input, e.g. the
 * "" of replicaof). */
typedef struct conf_snap {
    char *text;
    long long ll;
    char *str;
} conf_snap;

static void def_get(conf_def *d, char *buf, size_t len);
static int def_set(conf_def *d, int argc, char **argv, const char **err);
static int split_spaces(const char *s, char ***argv);
static void free_argv(int argc, char **argv);

static void snap_take(conf_def *d, conf_snap *s)
{
    char buf[4096];
    memset(s, 0, sizeof(*s));
    if (owned(d) && d->type != CT_SPECIAL) {
        s->ll = d->mod_ll;
        s->str = d->mod_str ? fr_strdup(d->mod_str) : NULL;
        return;
    }
    def_get(d, buf, sizeof(buf));
    s->text = fr_strdup(buf);
}

static void snap_restore(conf_def *d, conf_snap *s)
{
    if (owned(d) && d->type != CT_SPECIAL) {
        d->mod_ll = s->ll;
        fr_free(d->mod_str);
        d->mod_str = s->str ? fr_strdup(s->str) : NULL;
        return;
    }
    const char *ignored;
    char **argv;
    int argc;
    if (d->type == CT_SPECIAL) {
        argc = split_spaces(s->text, &argv);
    } else {
        argc = 1;
        argv = fr_malloc(sizeof(char *));
        argv[0] = fr_strdup(s->text);
    }
    def_set(d, argc, argv, &ignored);
    free_argv(argc, argv);
}

static void snap_free(conf_snap *s)
{
    fr_free(s->text);
    fr_free(s->str);
}

/* A vocabulary parameter that would be a lie if it took a value nothing
 * acts on keeps its default: -1 with *err for any other value. */
static int refused(conf_def *d, const char **err)
{
    char now[4096];
    if (!d->refuse || !d->deflt_text) return 0;
    def_get(d, now, sizeof(now));
    if (!strcmp(now, d->deflt_text)) return 0;
    *err = d->refuse;
    return -1;
}

/* Set one directive from its textual arguments.  Returns 0 or -1 with *err
 * (and the old value in place). */
static int def_set(conf_def *d, int argc, char **argv, const char **err)
{
    long long old = d->apply ? *(long long *)d->ptr : 0;
    conf_snap snap;
    int guarded = d->refuse && d->deflt_text;
    if (guarded) snap_take(d, &snap);
    int rc = def_set_raw(d, argc, argv, err);
    if (rc == 0 && d->apply && d->apply(d, err) != 0) {
        *(long long *)d->ptr = old;
        rc = -1;
    }
    if (rc == 0 && guarded && refused(d, err)) {
        snap_restore(d, &snap);
        rc = -1;
    }
    if (guarded) snap_free(&snap);
    return rc;
}

/* A vocabulary special: its parser turns the words into the text stored. */
static int set_normalised(conf_def *d, int argc, char **argv, const char **err)
{
    static char why[256];
    char out[4096] = "";
    if (!(d->flags & CF_MULTI_ARG) && argc != 1) {
        *err = "wrong number of arguments";
        return -1;
    }
    char **slot = str_slot(d);
    fr_conf_update u = {argc ? argv[0] : "", *slot ? *slot : "", config_again};
    const char *e = d->norm(argc, argv, &u, out, sizeof(out));
    if (e) {
        snprintf(why, sizeof(why), "%s", e);
        *err = why;
        return -1;
    }
    return d->check ? set_checked_str(d, out, err) : store_str(d, out);
}

static int def_set_raw(conf_def *d, int argc, char **argv, const char **err)
{
    if (d->type == CT_SPECIAL) return d->sset(d, argc, argv, err);
    if (d->norm) return set_normalised(d, argc, argv, err);
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

static const conf_enum *enum_words(const conf_def *d)
{
    return d->mod_enums ? d->mod_enums : d->enums;
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
        if (owned(d)) d->mod_ll = iv;
        else *(int *)d->ptr = iv;
        return 0;
    case CT_LL:
    case CT_MEM:
        if (parse_number(d, v, &ll, err) != 0) return -1;
        if (range_error(d, ll, err)) return -1;
        if (d->vocab && d->vocab->floor && ll < d->vocab->floor) ll = d->vocab->floor;
        if (owned(d)) d->mod_ll = ll;
        else *(long long *)d->ptr = ll;
        return 0;
    case CT_ENUM:
        if (enum_parse(enum_words(d), v, &iv, err)) return -1;
        if (owned(d)) d->mod_ll = iv;
        else *(int *)d->ptr = iv;
        return 0;
    case CT_STR:
        return d->check ? set_checked_str(d, v, err) : store_str(d, v);
    default:
        return -1;
    }
}

/* A number as CONFIG GET shows it: percentages with '%', memory unsigned. */
static void number_text(const conf_def *d, long long ll, char *buf, size_t len)
{
    if ((d->flags & CF_PERCENT) && ll < 0) snprintf(buf, len, "%lld%%", -ll);
    else if (d->flags & CF_OCTAL) snprintf(buf, len, "%llo", (unsigned long long)ll);
    else if (d->type == CT_MEM || (d->flags & CF_UNSIGNED)) snprintf(buf, len, "%llu", (unsigned long long)ll);
    else snprintf(buf, len, "%lld", ll);
}

static void def_get(conf_def *d, char *buf, size_t len)
{
    int iv = 0;
    const conf_enum *e;
    switch (d->type) {
    case CT_SPECIAL:
        d->sget(d, buf, len);
        return;
    case CT_BOOL:
        iv = owned(d) ? (int)d->mod_ll : *(int *)d->ptr;
        snprintf(buf, len, "%s", iv ? "yes" : "no");
        return;
    case CT_LL:
    case CT_MEM:
        number_text(d, owned(d) ? d->mod_ll : *(long long *)d->ptr, buf, len);
        return;
    case CT_ENUM:
        iv = owned(d) ? (int)d->mod_ll : *(int *)d->ptr;
        e = enum_words(d);
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

/* requirepass is the ACL default user's password (nopass when empty), as
 * Redis's ACLUpdateDefaultUserPassword. */
static int apply_requirepass(conf_def *d, const char **err)
{
    (void)d;
    (void)err;
    fr_acl_set_default_password(fr_cfg.requirepass);
    return 0;
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

/* The classes keyspace notifications are sent for (notify.c filters). */
static int set_notify(conf_def *d, int argc, char **argv, const char **err)
{
    (void)d;
    int flags = argc == 1 ? fr_notify_flags_parse(argv[0]) : -1;
    if (argc != 1) *err = "wrong number of arguments";
    else if (flags < 0) *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    if (flags < 0) return -1;
    fr_cfg.notify_keyspace_events = flags;
    return 0;
}

static void get_notify(conf_def *d, char *buf, size_t len)
{
    (void)d;
    if (len >= 16) fr_notify_flags_format(fr_cfg.notify_keyspace_events, buf);
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

/* Puts a directive at its default and remembers the default's text. */
static void set_default(conf_def *d)
{
    char buf[4096];
    if (d->deflt) {
        char **argv;
        int argc = 1;
        if (d->type == CT_SPECIAL || (d->norm && (d->flags & CF_MULTI_ARG))) {
            argc = split_spaces(d->deflt, &argv);
        } else { /* one word, even with spaces */
            argv = fr_malloc(sizeof(char *));
            argv[0] = fr_strdup(d->deflt);
        }
        const char *err = NULL;
        if (def_set(d, argc, argv, &err) != 0) fr_panic("bad default for %s: %s", d->name, err ? err : "?");
        free_argv(argc, argv);
    }
    def_get(d, buf, sizeof(buf));
    fr_free(d->deflt_text);
    d->deflt_text = fr_strdup(buf);
}

static const int vocab_flags[][2] = {
    {FR_VF_IMMUTABLE, CF_IMMUTABLE}, {FR_VF_PROTECTED, CF_PROTECTED}, {FR_VF_SENSITIVE, CF_SENSITIVE},
    {FR_VF_MULTI_ARG, CF_MULTI_ARG}, {FR_VF_HIDDEN, CF_HIDDEN},       {FR_VF_UNSIGNED, CF_UNSIGNED},
    {FR_VF_PERCENT, CF_PERCENT},     {FR_VF_OCTAL, CF_OCTAL},         {FR_VF_EMPTY_IS_NULL, CF_EMPTY_IS_NULL}};
static const int module_flags[][2] = {
    {FR_CONF_F_IMMUTABLE, CF_IMMUTABLE}, {FR_CONF_F_PROTECTED, CF_PROTECTED},
    {FR_CONF_F_MULTI_ARG, CF_MULTI_ARG}, {FR_CONF_F_SENSITIVE, CF_SENSITIVE}};

/* The CF_* flags a vocabulary entry's or a manifest's flags stand for. */
static int table_flags(const int (*table)[2], size_t n, unsigned flags)
{
    int out = 0;
    for (size_t i = 0; i < n; i++)
        if (flags & (unsigned)table[i][0]) out |= table[i][1];
    return out;
}

/* The directive that answers for a Redis parameter nobody implements. */
static conf_def *vocab_new(const fr_vocab *v)
{
    conf_def *d = fr_calloc(sizeof(*d));
    d->name = (char *)v->name;
    d->vocab = v;
    d->flags = CF_VOCAB | table_flags(vocab_flags, sizeof(vocab_flags) / sizeof(vocab_flags[0]), (unsigned)v->flags);
    d->min = v->min;
    d->max = v->max;
    d->deflt = v->deflt;
    d->enums = v->words;
    d->norm = v->norm;
    switch (v->type) {
    case FR_VT_BOOL: d->type = CT_BOOL; break;
    case FR_VT_INT: d->type = CT_LL; break;
    case FR_VT_MEMORY: d->type = CT_MEM; break;
    case FR_VT_ENUM: d->type = CT_ENUM; break;
    default: d->type = CT_STR; break;
    }
    set_default(d);
    d->refuse = v->refuse; /* after the default: the guard compares with it */
    return d;
}

/* Core directives get their vocabulary entry (alias, CONFIG REWRITE
 * format); the other entries become directives of their own. */
static void vocab_init(void)
{
    vocab_defs = fr_malloc(sizeof(conf_def *) * (size_t)fr_config_vocab_len);
    for (int i = 0; i < fr_config_vocab_len; i++) {
        const fr_vocab *v = &fr_config_vocab[i];
        conf_def *core = lookup_owned(v->name);
        if (core) {
            core->vocab = v;
            if (core->type == CT_STR) core->norm = v->norm; /* Redis's syntax, parsed once */
        } else if (v->type != FR_VT_SPECIAL || v->norm) vocab_defs[nvocab_defs++] = vocab_new(v);
        else fr_panic("vocabulary entry %s has no parser and no core directive", v->name);
    }
}

void fr_config_init_defaults(void)
{
    if (defs) return; /* once per process */
    int n = (int)(sizeof(core_defs) / sizeof(core_defs[0]));
    defs = fr_malloc(sizeof(conf_def *) * (size_t)n);
    ndefs = 0;
    for (int i = 0; i < n; i++) {
        defs[ndefs++] = &core_defs[i];
        set_default(&core_defs[i]);
    }
    vocab_init();
}

/* ------------------------------------------------------------ file load */

/* `module core MODE`: the built-in module has no entry in fr_module_confs
 * (which lists the modules to load), only a mode and the line giving it. */
static fr_module_conf core_conf = {.name = (char *)"core", .mode = -1};

static const fr_module_conf *module_conf(const char *name)
{
    if (!strcmp(name, "core")) return &core_conf;
    for (int i = 0; i < fr_module_nconfs; i++)
        if (!strcmp(fr_module_confs[i].name, name)) return &fr_module_confs[i];
    return NULL;
}

static int module_line(const char *file, int line, int argc, char **argv,
                       char *err, size_t errlen)
{
    if (argc < 2 || argc > 3) {
        snprintf(err, errlen, "%s:%d: 'module' takes a name and an optional mode (strict|hardened)", file, line);
        return -1;
    }
    if (!fr_manifest_valid_module_name(argv[1])) {
        snprintf(err, errlen, "%s:%d: module name '%s' may use only a-z 0-9 - _ (a name, not a path)", file,
                 line, argv[1]);
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
    const fr_module_conf *first = module_conf(argv[1]);
    if (first && first->file) {
        snprintf(err, errlen, "%s:%d: module '%s' listed twice (first at %s:%d)", file, line, argv[1], first->file,
                 first->line);
        return -1;
    }
    if (!strcmp(argv[1], "core")) { /* the built-in module: only its mode */
        fr_cfg.core_hardened = mode == 1;
        core_conf.mode = mode;
        fr_free(core_conf.file);
        core_conf.file = fr_strdup(file);
        core_conf.line = line;
        return 0;
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

/* Directives Redis 7.0.15 still reads, with this many words, and ignores. */
static int deprecated_line(int argc, char **argv)
{
    static const char *const names[] = {"list-max-ziplist-entries", "list-max-ziplist-value",
                                        "lua-replicate-commands", NULL};
    for (int i = 0; names[i]; i++)
        if (!strcmp(argv[0], names[i]) && argc == 2) return 1;
    return 0;
}

/* A module's mode changed (by: what changed it): one NOTICE line. */
static void mode_changed(conf_def *d, const char *old, const char *by)
{
    char now[16];
    def_get(d, now, sizeof(now));
    if (strcmp(old, now)) fr_log(FR_LOG_NOTICE, "Module '%s' switched from %s to %s mode (%s)", d->module, old, now, by);
}

/* A `<module>.mode` line of the config (pass two, once the module is
 * loaded), already applied: refused when the module's `module` line names
 * the other mode, since which of the two holds must not depend on their
 * order; else logged if it changed the mode the module was loaded in. */
static int mode_line(conf_def *d, const char *file, int line, const char *text, const char *old, char *err,
                     size_t errlen)
{
    const fr_module_conf *mc = module_conf(d->module);
    if (mc && mc->mode >= 0 && mc->mode != *(int *)d->ptr) {
        snprintf(err, errlen, "%s:%d: >>> '%s' conflicts with 'module %s %s' at %s:%d (give a module's mode once)",
                 file, line, text, d->module, mc->mode ? "hardened" : "strict", mc->file, mc->line);
        return -1;
    }
    char by[4200];
    snprintf(by, sizeof(by), "%s:%d", file, line);
    mode_changed(d, old, by);
    return 0;
}

/* Pass one (final = 0) applies the core's directives and keeps the other
 * lines; pass two, once the modules are loaded, applies those to a
 * module's directive or else to the vocabulary's. */
static int apply_line(const char *file, int line, const char *text, int argc,
                      char **argv, int final, char *err, size_t errlen)
{
    for (char *p = argv[0]; *p; p++) *p = (char)tolower((unsigned char)*p);
    if (!strcmp(argv[0], "module")) return module_line(file, line, argc, argv, err, errlen);
    if (!strcmp(argv[0], "user") && argc >= 2 && !final) {
        char why[1024];
        if (fr_acl_config_user_line(argc, argv, why, sizeof(why)) == 0) return 0;
        snprintf(err, errlen, "%s:%d: >>> '%s' %s", file, line, text, why);
        return -1;
    }
    conf_def *d = final ? lookup(argv[0]) : lookup_owned(argv[0]);
    if (!d) {
        if (!final) {
            keep_pending(file, line, text, argc, argv);
            return 0;
        }
        if (deprecated_line(argc, argv)) return 0;
        snprintf(err, errlen, "%s:%d: >>> '%s' Bad directive or wrong number of arguments", file, line, text);
        return -1;
    }
    const char *why = NULL;
    int rc;
    char old[16] = "";
    if (d->flags & CF_MODE) def_get(d, old, sizeof(old));
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
    if ((d->flags & CF_MODE) && mode_line(d, file, line, text, old, err, errlen)) return -1;
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
    if (lookup_owned(decl->name)) {
        snprintf(err, errlen, "config directive '%s' (%s) is already defined", decl->name, module);
        return NULL;
    }
    conf_def *d = fr_calloc(sizeof(*d));
    d->name = fr_strdup(decl->name);
    d->flags = CF_MODULE | table_flags(module_flags, sizeof(module_flags) / sizeof(module_flags[0]), decl->flags);
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
    char buf[4096];
    def_get(d, buf, sizeof(buf));
    d->deflt_text = fr_strdup(buf);
    /* A Redis parameter the module implements: the vocabulary's entry is
     * hidden while the module is loaded, and lends its alias, its format,
     * the floor Redis silently raises a small number to (repl-backlog-size)
     * and, for a parameter with a syntax of its own (save, dbfilename),
     * its parser: Redis's rules stay in one place, the module's check (if
     * any) runs on the parsed text. */
    const fr_vocab *v = fr_config_vocab_find(decl->name);
    if (v && !strcasecmp(v->name, decl->name)) {
        d->vocab = v;
        if (d->type == CT_STR) d->norm = v->norm;
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

static const conf_enum mode_enum[] = {{"strict", 0}, {"hardened", 1}, {NULL, 0}};

fr_conf_handle *fr_config_add_mode_directive(const char *module, int *mode, int default_hardened, char *err,
                                             size_t errlen)
{
    char name[256];
    snprintf(name, sizeof(name), "%s.mode", module);
    if (lookup_owned(name)) {
        snprintf(err, errlen, "config directive '%s' (%s) is already defined", name, module);
        return NULL;
    }
    conf_def *d = fr_calloc(sizeof(*d));
    d->name = fr_strdup(name);
    d->type = CT_ENUM;
    d->flags = CF_MODULE | CF_MODE;
    d->ptr = mode; /* not set here: the registry has put the configured mode there */
    d->enums = mode_enum;
    d->module = fr_strdup(module);
    d->deflt_text = fr_strdup(mode_enum[default_hardened != 0].name);
    defs = fr_realloc(defs, sizeof(conf_def *) * (size_t)(ndefs + 1));
    defs[ndefs++] = d;
    return d;
}

static void free_def(conf_def *d)
{
    fr_free(d->deflt_text);
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
        return owned(d) ? d->mod_ll : *(int *)d->ptr;
    case CT_LL:
    case CT_MEM:
        return owned(d) ? d->mod_ll : *(long long *)d->ptr;
    default:
        return dflt;
    }
}

/* ----------------------------------------------------- CONFIG GET / SET */

static int name_matches(const char *pattern, const char *name)
{
    return fr_stringmatch(pattern, strlen(pattern), name, strlen(name), 1);
}

static void report(conf_def *d, const char *shown, fr_config_kv_fn fn, void *priv)
{
    char buf[4096];
    def_get(d, buf, sizeof(buf));
    fn(shown, buf, priv);
}

/* A pattern matches names and aliases alike, as in Redis (both are keys of
 * its table), but never a hidden parameter; an exact name (or alias) is
 * reported as it is spelt in the table. */
void fr_config_get_matching(const char *pattern, fr_config_kv_fn fn, void *priv)
{
    if (!strpbrk(pattern, "[*?")) {
        const char *shown;
        conf_def *d = lookup_shown(pattern, &shown);
        if (d) report(d, shown, fn, priv);
        return;
    }
    for (int i = 0; i < ndefs; i++)
        if (!(defs[i]->flags & CF_HIDDEN) && name_matches(pattern, defs[i]->name))
            report(defs[i], defs[i]->name, fn, priv);
    for (int i = 0; i < fr_config_vocab_len; i++) {
        const fr_vocab *v = &fr_config_vocab[i];
        conf_def *d = lookup_owned(v->name);
        int shadowed = d != NULL;
        if (!d) d = vocab_def(v);
        if (!d || (d->flags & CF_HIDDEN)) continue;
        if (!shadowed && name_matches(pattern, v->name)) report(d, v->name, fn, priv);
        if (v->alias && name_matches(pattern, v->alias)) report(d, v->alias, fn, priv);
    }
}

/* enable-protected-configs: no (default), yes, or local (loopback only). */
static int protected_allowed(void)
{
    int mode = fr_cfg.enable_protected_configs;
    return mode == 1 || (mode == 2 && fr_proto.current_client && fr_proto.current_client->is_local);
}

/* CONFIG SET's words of a multi-argument vocabulary value: split at every
 * single space, as Redis splits them ("" is no word at all). */
static int split_single_spaces(const char *s, char ***argv)
{
    int n = 0;
    *argv = fr_malloc(sizeof(char *) * (strlen(s) + 1));
    if (!*s) return 0;
    for (const char *p = s;;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        char *w = fr_malloc(len + 1);
        memcpy(w, p, len);
        w[len] = '\0';
        (*argv)[n++] = w;
        if (!sp) break;
        p = sp + 1;
    }
    return n;
}

/* CONFIG SET's value as the directive's words. */
static int value_words(conf_def *d, const char *value, char ***argv)
{
    if (d->type == CT_SPECIAL) return split_spaces(value, argv);
    if (d->norm && (d->flags & CF_MULTI_ARG)) return split_single_spaces(value, argv);
    *argv = fr_malloc(sizeof(char *));
    (*argv)[0] = fr_strdup(value);
    return 1;
}

/* Why CONFIG SET may not touch the directive at all, or NULL. */
static const char *set_refusal(const conf_def *d)
{
    if (d->flags & CF_IMMUTABLE) return "can't set immutable config";
    if ((d->flags & CF_PROTECTED) && !protected_allowed()) return "can't set protected config";
    return NULL;
}

/* Who ran CONFIG SET, for the log. */
static const char *set_by(char *buf, size_t len)
{
    const fr_client *c = fr_proto.current_client;
    if (!c) return "CONFIG SET";
    char who[128];
    snprintf(buf, len, "CONFIG SET by client %s", fr_client_id_addr(c, who, sizeof(who)));
    return buf;
}

/* Set several directives atomically: either all change or none does.  A
 * name and its alias count as two parameters, as in Redis.  A module's
 * mode that changed is logged once all are set. */
int fr_config_set_many(int n, const char *const *names, const char *const *values,
                       const char **bad_name, const char **err)
{
    char by[512];
    conf_def **ds = fr_calloc(sizeof(conf_def *) * (size_t)n);
    const char **shown = fr_calloc(sizeof(char *) * (size_t)n);
    conf_snap *olds = fr_calloc(sizeof(conf_snap) * (size_t)n);
    int rc = -1, taken = 0;
    *err = NULL;
    *bad_name = NULL;
    /* Checked pair by pair, left to right: the first bad pair decides the
     * error, as in Redis. */
    for (int i = 0; i < n; i++) {
        ds[i] = lookup_shown(names[i], &shown[i]);
        *bad_name = names[i];
        if (!ds[i]) {
            *err = "unknown";
            goto out;
        }
        if ((*err = set_refusal(ds[i]))) goto out;
        for (int j = 0; j < i; j++)
            if (ds[j] == ds[i] && shown[j] == shown[i]) {
                *err = "duplicate parameter";
                goto out;
            }
    }
    *bad_name = NULL;
    for (taken = 0; taken < n; taken++) snap_take(ds[taken], &olds[taken]);
    for (int i = 0; i < n; i++) {
        char **argv;
        int argc = value_words(ds[i], values[i], &argv);
        int r = def_set(ds[i], argc, argv, err);
        free_argv(argc, argv);
        if (r != 0) {
            *bad_name = shown[i];
            for (int j = 0; j < i; j++) snap_restore(ds[j], &olds[j]); /* roll back what was set */
            goto out;
        }
    }
    rc = 0;
    for (int i = 0; i < n; i++)
        if (ds[i]->flags & CF_MODE) mode_changed(ds[i], olds[i].text, set_by(by, sizeof(by)));
out:
    for (int i = 0; i < taken; i++) snap_free(&olds[i]);
    fr_free(olds);
    fr_free(shown);
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

int fr_config_is_sensitive(const char *name)
{
    conf_def *d = lookup(name);
    return d && (d->flags & CF_SENSITIVE);
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
    fr_free(core_conf.file);
    core_conf.file = NULL;
    core_conf.mode = -1;
}

/* ---------------------------------------------------------- CONFIG REWRITE
 *
 * As Redis rewrites its file: every line is kept in place (comments too);
 * a directive's lines are replaced by its current value, one by one; a
 * value that differs from the default and has no line left is appended
 * under "# Generated by CONFIG REWRITE"; the extra lines of a rewritten
 * directive (and those of one that must now be absent) become blank; a
 * line naming no directive is kept as a "# ??? " comment. */

#define REWRITE_SIGNATURE "# Generated by CONFIG REWRITE"

typedef struct rewrite_state {
    char **lines;
    char **option;     /* per line: the directive it sets (canonical), or NULL */
    int *reused;       /* per line: already replaced by a new value */
    int nlines;
    char **done;       /* directives processed */
    int ndone;
    int needs_signature;
} rewrite_state;

static void rw_append(rewrite_state *st, char *line, const char *option)
{
    st->lines = fr_realloc(st->lines, sizeof(char *) * (size_t)(st->nlines + 1));
    st->option = fr_realloc(st->option, sizeof(char *) * (size_t)(st->nlines + 1));
    st->reused = fr_realloc(st->reused, sizeof(int) * (size_t)(st->nlines + 1));
    st->lines[st->nlines] = line;
    st->option[st->nlines] = option ? fr_strdup(option) : NULL;
    st->reused[st->nlines++] = 0;
}

static void rw_mark_done(rewrite_state *st, const char *option)
{
    for (int i = 0; i < st->ndone; i++)
        if (!strcmp(st->done[i], option)) return;
    st->done = fr_realloc(st->done, sizeof(char *) * (size_t)(st->ndone + 1));
    st->done[st->ndone++] = fr_strdup(option);
}

static int rw_is_done(const rewrite_state *st, const char *option)
{
    for (int i = 0; i < st->ndone; i++)
        if (!strcmp(st->done[i], option)) return 1;
    return 0;
}

/* Words the config understands that are not directives of the table. */
static int rw_other_keyword(const char *w)
{
    static const char *const words[] = {"module", "include", "rename-command", "user", "loadmodule", "sentinel",
                                        NULL};
    for (int i = 0; words[i]; i++)
        if (!strcasecmp(w, words[i])) return 1;
    return 0;
}

static char *trim_dup(const char *p, size_t len)
{
    while (len && strchr("\r\n\t ", *p)) p++, len--;
    while (len && strchr("\r\n\t ", p[len - 1])) len--;
    char *out = fr_malloc(len + 1);
    memcpy(out, p, len);
    out[len] = '\0';
    return out;
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = fr_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* One line of the old file into the state. */
static void rw_read_line(rewrite_state *st, char *line)
{
    if (line[0] == '#' || line[0] == '\0') {
        if (st->needs_signature && !strcmp(line, REWRITE_SIGNATURE)) st->needs_signature = 0;
        rw_append(st, line, NULL);
        return;
    }
    int argc = 0;
    fr_str **argv = fr_splitargs(line, strlen(line), &argc);
    const char *shown;
    conf_def *d = argv && argc ? lookup_shown(argv[0]->buf, &shown) : NULL;
    if (!argv || !argc || (!d && !rw_other_keyword(argv[0]->buf))) {
        rw_append(st, str_printf("# ??? %s", line), NULL);
        fr_free(line);
    } else if (d) {
        rw_append(st, line, d->name); /* an alias's line belongs to its directive */
    } else {
        for (char *p = argv[0]->buf; *p; p++) *p = (char)tolower((unsigned char)*p);
        rw_append(st, line, argv[0]->buf);
    }
    if (argv) fr_splitargs_free(argv, argc);
}

/* The old file's lines; a missing file is an empty one.  -1 on error. */
static int rw_read_old(rewrite_state *st, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : -1;
    fr_str *text = fr_str_new_empty(4096);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text = fr_str_cat(text, buf, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fr_str_free(text);
        return -1;
    }
    if (text->len) {
        const char *p = text->buf, *end = text->buf + text->len;
        for (;;) { /* split at every newline, as Redis does: "a\n" is "a" and "" */
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            rw_read_line(st, trim_dup(p, len));
            if (!nl) break;
            p = nl + 1;
        }
    }
    fr_str_free(text);
    return 0;
}

/* Reuses the directive's next old line for `line`, or appends it when
 * `force` (the value is not the default). */
static void rw_line(rewrite_state *st, const char *option, char *line, int force)
{
    rw_mark_done(st, option);
    for (int i = 0; i < st->nlines; i++)
        if (st->option[i] && !st->reused[i] && !strcmp(st->option[i], option)) {
            fr_free(st->lines[i]);
            st->lines[i] = line;
            st->reused[i] = 1;
            return;
        }
    if (!force) {
        fr_free(line);
        return;
    }
    if (st->needs_signature) {
        rw_append(st, fr_strdup(REWRITE_SIGNATURE), NULL);
        st->needs_signature = 0;
    }
    rw_append(st, line, NULL);
    st->reused[st->nlines - 1] = 1;
}

/* Bytes as a config file says them: in gb, mb or kb when exact. */
static void memory_words(unsigned long long v, char *buf, size_t len)
{
    static const struct { unsigned long long mul; const char *unit; } units[] = {
        {1024ULL * 1024 * 1024, "gb"}, {1024 * 1024, "mb"}, {1024, "kb"}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (v && v % units[i].mul == 0) {
            snprintf(buf, len, "%llu%s", v / units[i].mul, units[i].unit);
            return;
        }
    snprintf(buf, len, "%llu", v);
}

/* A string quoted as a config line reads it back. */
static char *quoted(const char *s)
{
    fr_str *q = fr_str_new_empty(strlen(s) + 2);
    q = fr_str_cat(q, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '\\': q = fr_str_cat(q, "\\\\", 2); break;
        case '"': q = fr_str_cat(q, "\\\"", 2); break;
        case '\n': q = fr_str_cat(q, "\\n", 2); break;
        case '\r': q = fr_str_cat(q, "\\r", 2); break;
        case '\t': q = fr_str_cat(q, "\\t", 2); break;
        case '\a': q = fr_str_cat(q, "\\a", 2); break;
        case '\b': q = fr_str_cat(q, "\\b", 2); break;
        default:
            if (isprint(*p)) q = fr_str_cat(q, (const char *)p, 1);
            else q = fr_str_cat(q, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p));
        }
    }
    q = fr_str_cat(q, "\"", 1);
    char *out = fr_strdup(q->buf);
    fr_str_free(q);
    return out;
}

static void rw_save(rewrite_state *st, const char *name, const char *text)
{
    char **w;
    int n = split_spaces(text, &w);
    if (n < 2) rw_line(st, name, str_printf("%s \"\"", name), 1);
    for (int i = 0; i + 1 < n; i += 2) rw_line(st, name, str_printf("%s %s %s", name, w[i], w[i + 1]), 1);
    free_argv(n, w);
    rw_mark_done(st, name);
}

/* client-output-buffer-limit: a line per class, forced where it differs. */
static void rw_obuf(rewrite_state *st, const char *name, const char *text, const char *deflt)
{
    char **w, **dw;
    int n = split_spaces(text, &w), dn = split_spaces(deflt, &dw);
    for (int i = 0; i + 3 < n; i += 4) {
        char hard[64], soft[64];
        int force = i + 3 >= dn || strcmp(w[i + 1], dw[i + 1]) || strcmp(w[i + 2], dw[i + 2]) ||
                    strcmp(w[i + 3], dw[i + 3]);
        memory_words(strtoull(w[i + 1], NULL, 10), hard, sizeof(hard));
        memory_words(strtoull(w[i + 2], NULL, 10), soft, sizeof(soft));
        rw_line(st, name,
                str_printf("%s %s %s %s %s", name, strcmp(w[i], "slave") ? w[i] : "replica", hard, soft, w[i + 3]),
                force);
    }
    free_argv(n, w);
    free_argv(dn, dw);
}

/* "name "value"", written when not at the default. */
static void rw_quoted(rewrite_state *st, conf_def *d, const char *text)
{
    int force = !d->deflt_text || strcmp(text, d->deflt_text) != 0;
    if (!text[0] && (d->flags & CF_EMPTY_IS_NULL)) { /* unset: no line at all */
        rw_mark_done(st, d->name);
        return;
    }
    char *q = quoted(text);
    rw_line(st, d->name, str_printf("%s %s", d->name, q), force);
    fr_free(q);
}

/* The usual "name value" line, written by the directive's type. */
static void rw_plain(rewrite_state *st, conf_def *d, const char *text)
{
    int force = !d->deflt_text || strcmp(text, d->deflt_text) != 0;
    char *line;
    if (d->type == CT_MEM && text[0] && text[strlen(text) - 1] != '%') {
        char mem[64];
        memory_words(strtoull(text, NULL, 10), mem, sizeof(mem));
        line = str_printf("%s %s", d->name, mem);
    } else if (d->type == CT_STR && !(d->flags & CF_MULTI_ARG)) {
        rw_quoted(st, d, text);
        return;
    } else {
        line = str_printf("%s %s", d->name, text);
    }
    rw_line(st, d->name, line, force);
}

/* <module>.mode goes on the module's `module NAME` line when the file has
 * one (a line without a mode word keeps none while the mode is the
 * manifest's default), and any `<module>.mode` line beside it goes; with
 * no such line, it is a directive like the others. */
static void rw_mode(rewrite_state *st, conf_def *d, const char *text)
{
    for (int i = 0; i < st->nlines; i++) {
        if (!st->option[i] || strcmp(st->option[i], "module")) continue;
        int argc = 0;
        fr_str **argv = fr_splitargs(st->lines[i], strlen(st->lines[i]), &argc);
        int mine = argv && argc >= 2 && !strcmp(argv[1]->buf, d->module), worded = argc >= 3;
        if (argv) fr_splitargs_free(argv, argc);
        if (!mine) continue;
        if (worded || strcmp(text, d->deflt_text)) {
            fr_free(st->lines[i]);
            st->lines[i] = str_printf("module %s %s", d->module, text);
        }
        rw_mark_done(st, d->name);
        return;
    }
    rw_plain(st, d, text);
}

static void rw_def(rewrite_state *st, conf_def *d)
{
    char text[4096];
    def_get(d, text, sizeof(text));
    if (d->flags & CF_MODE) {
        rw_mode(st, d, text);
        return;
    }
    fr_vocab_rewrite style = d->vocab ? d->vocab->rewrite : FR_RW_PLAIN;
    char *q;
    switch (style) {
    case FR_RW_SAVE: rw_save(st, d->name, text); return;
    case FR_RW_OBUF: rw_obuf(st, d->name, text, d->deflt_text ? d->deflt_text : ""); return;
    case FR_RW_DIR:
        q = quoted(text);
        rw_line(st, d->name, str_printf("%s %s", d->name, q), 1);
        fr_free(q);
        return;
    case FR_RW_BIND:
    case FR_RW_REPLICAOF:
        if (style == FR_RW_BIND ? !strcmp(text, d->vocab->deflt) : !text[0]) {
            rw_mark_done(st, d->name);
            return;
        }
        rw_line(st, d->name, str_printf("%s %s", d->name, text[0] ? text : "\"\""), 1);
        return;
    case FR_RW_ALWAYS: rw_line(st, d->name, str_printf("%s %s", d->name, text[0] ? text : "\"\""), 1); return;
    case FR_RW_QUOTED: rw_quoted(st, d, text); return;
    default: rw_plain(st, d, text); return;
    }
}

/* The new text: blank lines of processed directives not reused, runs of
 * blank lines folded into one. */
static fr_str *rw_content(rewrite_state *st)
{
    fr_str *out = fr_str_new_empty(4096);
    int was_empty = 0;
    for (int i = 0; i < st->nlines; i++) {
        const char *l = st->lines[i];
        if (st->option[i] && !st->reused[i] && rw_is_done(st, st->option[i])) l = "";
        if (!l[0]) {
            if (was_empty) continue;
            was_empty = 1;
        } else {
            was_empty = 0;
        }
        out = fr_str_cat(out, l, strlen(l));
        out = fr_str_cat(out, "\n", 1);
    }
    return out;
}

static void rw_free(rewrite_state *st)
{
    for (int i = 0; i < st->nlines; i++) {
        fr_free(st->lines[i]);
        fr_free(st->option[i]);
    }
    for (int i = 0; i < st->ndone; i++) fr_free(st->done[i]);
    fr_free(st->lines);
    fr_free(st->option);
    fr_free(st->reused);
    fr_free(st->done);
}

/* Written to a temporary file beside it, then renamed over it. */
static int rw_write(const char *path, const fr_str *content)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd == -1) return -1;
    size_t off = 0;
    while (off < content->len) {
        ssize_t w = write(fd, content->buf + off, content->len - off);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            goto fail;
        }
        off += (size_t)w;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fsync(fd) == -1 || fchmod(fd, 0644 & ~mask) == -1 || rename(tmp, path) == -1) goto fail;
    close(fd);
    return 0;
fail:;
    int saved = errno;
    close(fd);
    unlink(tmp);
    errno = saved;
    return -1;
}

int fr_config_rewrite(const char *path)
{
    rewrite_state st;
    memset(&st, 0, sizeof(st));
    st.needs_signature = 1;
    if (rw_read_old(&st, path) != 0) {
        int saved = errno;
        rw_free(&st);
        errno = saved;
        return -1;
    }
    for (int i = 0; i < ndefs; i++) rw_def(&st, defs[i]);
    for (int i = 0; i < nvocab_defs; i++)
        if (!lookup_owned(vocab_defs[i]->name)) rw_def(&st, vocab_defs[i]);
    fr_str *content = rw_content(&st);
    int rc = rw_write(path, content);
    int saved = errno;
    fr_str_free(content);
    rw_free(&st);
    errno = saved;
    return rc;
}

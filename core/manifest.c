/* manifest.c -- load and validate a module manifest (YAML) into fr_manifest.
 *
 * The file is read whole into a libyaml document tree, then walked once;
 * every mapping is checked against a field table first (unknown, duplicate
 * and missing fields), so the converters below can assume the shape.  The
 * first problem stops the load: its message names the file and the 1-based
 * line of the offending node.  Nothing is kept from a failed load.
 *
 * After parsing, the loader derives what Redis derives at start-up (implicit
 * ACL categories, the legacy first/last/step range and MOVABLE_KEYS) so the
 * structs are ready for COMMAND without further processing.
 *
 * Also here: key extraction from key specs (fr_cmd_getkeys), because it
 * needs only the structs, and the name tables shared with the reply code. */
#include "manifest.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* ------------------------------------------------------------------------ */
/* Name tables                                                               */
/* ------------------------------------------------------------------------ */

/* Order is COMMAND INFO's order; hidden flags have no reply name. */
const fr_flag_name fr_cmd_flag_names[] = {
    {FR_CMD_WRITE, "WRITE", "write"},
    {FR_CMD_READONLY, "READONLY", "readonly"},
    {FR_CMD_DENYOOM, "DENYOOM", "denyoom"},
    {FR_CMD_MODULE, "MODULE", "module"},
    {FR_CMD_ADMIN, "ADMIN", "admin"},
    {FR_CMD_PUBSUB, "PUBSUB", "pubsub"},
    {FR_CMD_NOSCRIPT, "NOSCRIPT", "noscript"},
    {FR_CMD_BLOCKING, "BLOCKING", "blocking"},
    {FR_CMD_LOADING, "LOADING", "loading"},
    {FR_CMD_STALE, "STALE", "stale"},
    {FR_CMD_SKIP_MONITOR, "SKIP_MONITOR", "skip_monitor"},
    {FR_CMD_SKIP_SLOWLOG, "SKIP_SLOWLOG", "skip_slowlog"},
    {FR_CMD_ASKING, "ASKING", "asking"},
    {FR_CMD_FAST, "FAST", "fast"},
    {FR_CMD_NO_AUTH, "NO_AUTH", "no_auth"},
    {FR_CMD_MAY_REPLICATE, "MAY_REPLICATE", NULL},
    {FR_CMD_SENTINEL, "SENTINEL", NULL},
    {FR_CMD_ONLY_SENTINEL, "ONLY_SENTINEL", NULL},
    {FR_CMD_NO_MANDATORY_KEYS, "NO_MANDATORY_KEYS", "no_mandatory_keys"},
    {FR_CMD_PROTECTED, "PROTECTED", NULL},
    {FR_CMD_NO_ASYNC_LOADING, "NO_ASYNC_LOADING", "no_async_loading"},
    {FR_CMD_NO_MULTI, "NO_MULTI", "no_multi"},
    /* Derived from the key specs: accepted from no manifest. */
    {FR_CMD_MOVABLE_KEYS, NULL, "movablekeys"},
    {FR_CMD_ALLOW_BUSY, "ALLOW_BUSY", "allow_busy"},
    {FR_CMD_TOUCHES_ARBITRARY_KEYS, "TOUCHES_ARBITRARY_KEYS", NULL},
    {0, NULL, NULL}};

const fr_flag_name fr_acl_category_names[] = {
    {FR_ACL_KEYSPACE, "KEYSPACE", "keyspace"},
    {FR_ACL_READ, "READ", "read"},
    {FR_ACL_WRITE, "WRITE", "write"},
    {FR_ACL_SET, "SET", "set"},
    {FR_ACL_SORTEDSET, "SORTEDSET", "sortedset"},
    {FR_ACL_LIST, "LIST", "list"},
    {FR_ACL_HASH, "HASH", "hash"},
    {FR_ACL_STRING, "STRING", "string"},
    {FR_ACL_BITMAP, "BITMAP", "bitmap"},
    {FR_ACL_HYPERLOGLOG, "HYPERLOGLOG", "hyperloglog"},
    {FR_ACL_GEO, "GEO", "geo"},
    {FR_ACL_STREAM, "STREAM", "stream"},
    {FR_ACL_PUBSUB, "PUBSUB", "pubsub"},
    {FR_ACL_ADMIN, "ADMIN", "admin"},
    {FR_ACL_FAST, "FAST", "fast"},
    {FR_ACL_SLOW, "SLOW", "slow"},
    {FR_ACL_BLOCKING, "BLOCKING", "blocking"},
    {FR_ACL_DANGEROUS, "DANGEROUS", "dangerous"},
    {FR_ACL_CONNECTION, "CONNECTION", "connection"},
    {FR_ACL_TRANSACTION, "TRANSACTION", "transaction"},
    {FR_ACL_SCRIPTING, "SCRIPTING", "scripting"},
    {0, NULL, NULL}};

const fr_flag_name fr_key_flag_names[] = {
    {FR_KEY_RO, "RO", "RO"},
    {FR_KEY_RW, "RW", "RW"},
    {FR_KEY_OW, "OW", "OW"},
    {FR_KEY_RM, "RM", "RM"},
    {FR_KEY_ACCESS, "ACCESS", "access"},
    {FR_KEY_UPDATE, "UPDATE", "update"},
    {FR_KEY_INSERT, "INSERT", "insert"},
    {FR_KEY_DELETE, "DELETE", "delete"},
    {FR_KEY_NOT_KEY, "NOT_KEY", "not_key"},
    {FR_KEY_INCOMPLETE, "INCOMPLETE", "incomplete"},
    {FR_KEY_VARIABLE_FLAGS, "VARIABLE_FLAGS", "variable_flags"},
    {0, NULL, NULL}};

const fr_flag_name fr_doc_flag_names[] = {
    {FR_DOC_DEPRECATED, "DEPRECATED", "deprecated"},
    {FR_DOC_SYSCMD, "SYSCMD", "syscmd"},
    {0, NULL, NULL}};

const fr_flag_name fr_arg_flag_names[] = {
    {FR_ARG_OPTIONAL, "optional", "optional"},
    {FR_ARG_MULTIPLE, "multiple", "multiple"},
    {FR_ARG_MULTIPLE_TOKEN, "multiple_token", "multiple_token"},
    {0, NULL, NULL}};

static const char *const arg_type_names[FR_ARG__COUNT] = {
    "string", "integer", "double", "key", "pattern",
    "unix-time", "pure-token", "oneof", "block"};

/* Manifest spelling (Redis's JSON) and reply spelling differ for one group. */
static const char *const group_names[FR_GROUP__COUNT] = {
    "generic", "string", "list", "set", "sorted_set", "hash",
    "pubsub", "transactions", "connection", "server", "scripting",
    "hyperloglog", "cluster", "sentinel", "geo", "stream", "bitmap",
    "module"};

static const char *const hook_names[FR_HOOK__COUNT] = {
    "command-executed", "command-propagated", "key-read", "key-written",
    "key-deleted", "cron", "startup-load", "shutdown", "fork-child", "before-sleep",
    "flushed", "client-reset", "keyspace-event", "sync-load"};

static const char *const conf_type_names[] = {
    "bool", "int", "memory", "string", "enum"};

const char *fr_arg_type_name(fr_arg_type t) {
    return (unsigned)t < FR_ARG__COUNT ? arg_type_names[t] : NULL;
}

const char *fr_cmd_group_name(fr_cmd_group g) {
    if (g == FR_GROUP_SORTED_SET) return "sorted-set";
    return (unsigned)g < FR_GROUP__COUNT ? group_names[g] : NULL;
}

int fr_hook_id_from_name(const char *name) {
    for (int i = 0; i < FR_HOOK__COUNT; i++)
        if (!strcmp(name, hook_names[i])) return i;
    return -1;
}

const char *fr_hook_name(int id) {
    return id >= 0 && id < FR_HOOK__COUNT ? hook_names[id] : NULL;
}

static uint64_t flag_by_name(const fr_flag_name *t, const char *name) {
    for (; t->name || t->reply; t++)
        if (t->name && !strcasecmp(t->name, name)) return t->flag;
    return 0;
}

uint64_t fr_acl_category_from_name(const char *name) {
    return flag_by_name(fr_acl_category_names, name);
}

int fr_manifest_parse_memory(const char *s, long long *out) {
    return fr_parse_memory(s, out);
}

/* ------------------------------------------------------------------------ */
/* Allocation: the manifest is loaded at start-up; out of memory is fatal.   */
/* ------------------------------------------------------------------------ */

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "manifest: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s) {
    size_t len = strlen(s);
    char *p = xcalloc(len + 1, 1);
    memcpy(p, s, len);
    return p;
}

/* ------------------------------------------------------------------------ */
/* Parse context and error reporting                                         */
/* ------------------------------------------------------------------------ */

typedef struct pctx {
    const char *path;
    yaml_document_t *doc;
    char *err;
    size_t errlen;
} pctx;

static int node_line(const yaml_node_t *n) {
    return n ? (int)n->start_mark.line + 1 : 1;
}

/* Writes "path:line: where: message"; always returns -1 for `return fail()`. */
static int fail(pctx *p, const yaml_node_t *n, const char *where,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(pctx *p, const yaml_node_t *n, const char *where,
                const char *fmt, ...) {
    if (!p->err || !p->errlen) return -1;
    int off = snprintf(p->err, p->errlen, "%s:%d: %s%s", p->path,
                       node_line(n), where ? where : "",
                       where && *where ? ": " : "");
    if (off >= 0 && (size_t)off < p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + off, p->errlen - off, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static yaml_node_t *node_at(pctx *p, int id) {
    return yaml_document_get_node(p->doc, id);
}

static const char *scalar_text(const yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                            : NULL;
}

static int map_len(const yaml_node_t *n) {
    return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static int seq_len(const yaml_node_t *n) {
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* A plain scalar spelling YAML's null (or nothing at all). */
static int is_null(const yaml_node_t *n) {
    if (!n || n->type != YAML_SCALAR_NODE) return 0;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = scalar_text(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
           !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* ------------------------------------------------------------------------ */
/* Field tables: shape checks done before any conversion                     */
/* ------------------------------------------------------------------------ */

typedef struct field {
    const char *name;
    int required;
} field;

static const field *field_find(const field *fields, const char *name) {
    for (; fields->name; fields++)
        if (!strcmp(fields->name, name)) return fields;
    return NULL;
}

/* `anchor` is where a missing field is reported (the key naming the map). */
static int check_map(pctx *p, const yaml_node_t *map, const yaml_node_t *anchor,
                     const char *where, const char *what, const field *fields) {
    if (!map || map->type != YAML_MAPPING_NODE)
        return fail(p, map ? map : anchor, where, "%s must be a mapping", what);
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    for (yaml_node_pair_t *pr = start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node_at(p, pr->key);
        const char *name = scalar_text(k);
        if (!name) return fail(p, k, where, "field names must be strings");
        if (!field_find(fields, name))
            return fail(p, k, where, "unknown field '%s'", name);
        for (yaml_node_pair_t *q = start; q < pr; q++)
            if (!strcmp(scalar_text(node_at(p, q->key)), name))
                return fail(p, k, where, "duplicate field '%s'", name);
    }
    for (const field *f = fields; f->name; f++) {
        if (!f->required) continue;
        int found = 0;
        for (yaml_node_pair_t *pr = start; pr < map->data.mapping.pairs.top; pr++)
            if (!strcmp(scalar_text(node_at(p, pr->key)), f->name)) found = 1;
        if (!found)
            return fail(p, anchor ? anchor : map, where,
                        "missing required field '%s'", f->name);
    }
    return 0;
}

/* The value of `name` in a mapping; NULL when absent, or when `map` is no
 * mapping at all: callers may ask before check_map has judged the node
 * (fuzz_manifest found a list item read as a mapping). */
static yaml_node_t *get(pctx *p, const yaml_node_t *map, const char *name) {
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top; pr++) {
        const char *key = scalar_text(node_at(p, pr->key));
        if (key && !strcmp(key, name)) return node_at(p, pr->value);
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Scalar conversions                                                        */
/* ------------------------------------------------------------------------ */

static int conv_str(pctx *p, const yaml_node_t *n, const char *where,
                    const char *what, char **out) {
    if (!n || n->type != YAML_SCALAR_NODE || is_null(n))
        return fail(p, n, where, "%s must be a string", what);
    *out = xstrdup(scalar_text(n));
    return 0;
}

static int opt_str(pctx *p, const yaml_node_t *map, const char *name,
                   const char *where, char **out) {
    yaml_node_t *n = get(p, map, name);
    return n ? conv_str(p, n, where, name, out) : 0;
}

static int parse_ll(const char *s, long long *out) {
    const char *d = (*s == '-' || *s == '+') ? s + 1 : s;
    if (!isdigit((unsigned char)*d)) return 0;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return 0;
    *out = v;
    return 1;
}

/* Integers must be plain scalars: a quoted "3" is a string in YAML. */
static int conv_int(pctx *p, const yaml_node_t *n, const char *where,
                    const char *what, int *out) {
    long long v;
    if (!n || n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        !parse_ll(scalar_text(n), &v) || v < INT_MIN || v > INT_MAX)
        return fail(p, n, where, "%s must be an integer", what);
    *out = (int)v;
    return 0;
}

static int conv_bool(pctx *p, const yaml_node_t *n, const char *where,
                     const char *what, int *out) {
    const char *s = scalar_text(n);
    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        (strcmp(s, "true") && strcmp(s, "false")))
        return fail(p, n, where, "%s must be true or false", what);
    *out = !strcmp(s, "true");
    return 0;
}

/* A list of strings (absent means empty). */
static int conv_str_list(pctx *p, const yaml_node_t *n, const char *where,
                         const char *what, char ***out, int *count) {
    *out = NULL;
    *count = 0;
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, where, "%s must be a list of strings", what);
    int len = seq_len(n);
    char **v = xcalloc(len, sizeof(*v));
    *out = v;
    for (int i = 0; i < len; i++) {
        yaml_node_t *it = node_at(p, n->data.sequence.items.start[i]);
        if (!it || it->type != YAML_SCALAR_NODE || is_null(it))
            return fail(p, it, where, "%s must be a list of strings", what);
        v[i] = xstrdup(scalar_text(it));
        *count = i + 1;
    }
    return 0;
}

/* A list of names from a table, OR-ed; `kind` names the table in errors. */
static int conv_flags(pctx *p, const yaml_node_t *n, const char *where,
                      const char *what, const char *kind,
                      const fr_flag_name *table, uint64_t *out) {
    *out = 0;
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, where, "%s must be a list of names", what);
    for (yaml_node_item_t *i = n->data.sequence.items.start;
         i < n->data.sequence.items.top; i++) {
        yaml_node_t *it = node_at(p, *i);
        const char *s = scalar_text(it);
        if (!s || is_null(it))
            return fail(p, it, where, "%s must be a list of names", what);
        uint64_t f = flag_by_name(table, s);
        if (!f) return fail(p, it, where, "unknown %s '%s'", kind, s);
        if (*out & f) return fail(p, it, where, "duplicate %s '%s'", kind, s);
        *out |= f;
    }
    return 0;
}

static void free_strv(char **v, int n) {
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* ------------------------------------------------------------------------ */
/* Key specs                                                                 */
/* ------------------------------------------------------------------------ */

static const field keyspec_fields[] = {
    {"notes", 0}, {"flags", 1}, {"begin_search", 1}, {"find_keys", 1}, {NULL, 0}};
static const field bs_fields[] = {
    {"index", 0}, {"keyword", 0}, {"unknown", 0}, {NULL, 0}};
static const field bs_index_fields[] = {{"pos", 1}, {NULL, 0}};
static const field bs_keyword_fields[] = {
    {"keyword", 1}, {"startfrom", 1}, {NULL, 0}};
static const field fk_fields[] = {
    {"range", 0}, {"keynum", 0}, {"unknown", 0}, {NULL, 0}};
static const field fk_range_fields[] = {
    {"lastkey", 1}, {"step", 1}, {"limit", 1}, {NULL, 0}};
static const field fk_keynum_fields[] = {
    {"keynumidx", 1}, {"firstkey", 1}, {"step", 1}, {NULL, 0}};

/* "unknown" takes no parameters: null or an empty mapping. */
static int check_unknown(pctx *p, const yaml_node_t *n, const char *where) {
    if (is_null(n) || (n->type == YAML_MAPPING_NODE && map_len(n) == 0))
        return 0;
    return fail(p, n, where, "'unknown' takes no parameters");
}

/* The one variant a begin_search/find_keys mapping selects. */
static int single_variant(pctx *p, const yaml_node_t *map, const char *where,
                          const char *what, const char *choices,
                          yaml_node_t **key) {
    if (map_len(map) != 1)
        return fail(p, map, where, "%s must have exactly one of %s", what,
                    choices);
    *key = node_at(p, map->data.mapping.pairs.start[0].key);
    return 0;
}

static int parse_begin_search(pctx *p, const yaml_node_t *n,
                              const yaml_node_t *anchor, const char *where,
                              fr_key_spec *ks) {
    yaml_node_t *k = NULL;
    if (check_map(p, n, anchor, where, "begin_search", bs_fields) ||
        single_variant(p, n, where, "begin_search", "index, keyword, unknown",
                       &k))
        return -1;
    const char *kind = scalar_text(k);
    yaml_node_t *v = get(p, n, kind);
    if (!strcmp(kind, "unknown")) {
        ks->bs_type = FR_BS_UNKNOWN;
        return check_unknown(p, v, where);
    }
    if (!strcmp(kind, "index")) {
        ks->bs_type = FR_BS_INDEX;
        if (check_map(p, v, k, where, "index", bs_index_fields) ||
            conv_int(p, get(p, v, "pos"), where, "pos", &ks->bs_index_pos))
            return -1;
        if (ks->bs_index_pos < 1)
            return fail(p, get(p, v, "pos"), where, "pos must be at least 1");
        return 0;
    }
    ks->bs_type = FR_BS_KEYWORD;
    if (check_map(p, v, k, where, "keyword", bs_keyword_fields) ||
        conv_str(p, get(p, v, "keyword"), where, "keyword", &ks->bs_keyword) ||
        conv_int(p, get(p, v, "startfrom"), where, "startfrom",
                 &ks->bs_keyword_startfrom))
        return -1;
    if (!*ks->bs_keyword)
        return fail(p, get(p, v, "keyword"), where, "keyword must not be empty");
    if (ks->bs_keyword_startfrom == 0)
        return fail(p, get(p, v, "startfrom"), where,
                    "startfrom must not be 0");
    return 0;
}

static int parse_range(pctx *p, const yaml_node_t *v, const yaml_node_t *k,
                       const char *where, fr_key_spec *ks) {
    if (check_map(p, v, k, where, "range", fk_range_fields) ||
        conv_int(p, get(p, v, "lastkey"), where, "lastkey",
                 &ks->fk_range_lastkey) ||
        conv_int(p, get(p, v, "step"), where, "step", &ks->fk_range_keystep) ||
        conv_int(p, get(p, v, "limit"), where, "limit", &ks->fk_range_limit))
        return -1;
    if (ks->fk_range_keystep < 1)
        return fail(p, get(p, v, "step"), where, "step must be at least 1");
    if (ks->fk_range_limit < 0)
        return fail(p, get(p, v, "limit"), where, "limit must not be negative");
    /* The key finder divides the tail by limit only from the last argument. */
    if (ks->fk_range_limit > 0 && ks->fk_range_lastkey != -1)
        return fail(p, get(p, v, "limit"), where,
                    "limit requires lastkey -1");
    return 0;
}

static int parse_keynum(pctx *p, const yaml_node_t *v, const yaml_node_t *k,
                        const char *where, fr_key_spec *ks) {
    if (check_map(p, v, k, where, "keynum", fk_keynum_fields) ||
        conv_int(p, get(p, v, "keynumidx"), where, "keynumidx",
                 &ks->fk_keynum_keynumidx) ||
        conv_int(p, get(p, v, "firstkey"), where, "firstkey",
                 &ks->fk_keynum_firstkey) ||
        conv_int(p, get(p, v, "step"), where, "step", &ks->fk_keynum_keystep))
        return -1;
    if (ks->fk_keynum_keynumidx < 0)
        return fail(p, get(p, v, "keynumidx"), where,
                    "keynumidx must not be negative");
    if (ks->fk_keynum_firstkey < 1)
        return fail(p, get(p, v, "firstkey"), where,
                    "firstkey must be at least 1");
    if (ks->fk_keynum_keystep < 1)
        return fail(p, get(p, v, "step"), where, "step must be at least 1");
    return 0;
}

static int parse_find_keys(pctx *p, const yaml_node_t *n,
                           const yaml_node_t *anchor, const char *where,
                           fr_key_spec *ks) {
    yaml_node_t *k = NULL;
    if (check_map(p, n, anchor, where, "find_keys", fk_fields) ||
        single_variant(p, n, where, "find_keys", "range, keynum, unknown", &k))
        return -1;
    const char *kind = scalar_text(k);
    yaml_node_t *v = get(p, n, kind);
    if (!strcmp(kind, "unknown")) {
        ks->fk_type = FR_FK_UNKNOWN;
        return check_unknown(p, v, where);
    }
    if (!strcmp(kind, "range")) {
        ks->fk_type = FR_FK_RANGE;
        return parse_range(p, v, k, where, ks);
    }
    ks->fk_type = FR_FK_KEYNUM;
    return parse_keynum(p, v, k, where, ks);
}

static int is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

/* The access and write groups Redis validates for module key specs. */
static int check_key_flags(pctx *p, const yaml_node_t *n, const char *where,
                           uint64_t f) {
    uint64_t access = f & (FR_KEY_RO | FR_KEY_RW | FR_KEY_OW | FR_KEY_RM);
    uint64_t write = f & (FR_KEY_INSERT | FR_KEY_DELETE | FR_KEY_UPDATE);
    if (!(f & FR_KEY_NOT_KEY) ? !is_power_of_two(access)
                              : (access && !is_power_of_two(access)))
        return fail(p, n, where, "exactly one of the flags RO, RW, OW, RM "
                                 "is required");
    if (write && !is_power_of_two(write))
        return fail(p, n, where,
                    "INSERT, DELETE and UPDATE are mutually exclusive");
    return 0;
}

static int parse_key_spec(pctx *p, const yaml_node_t *n, const char *cmdwhere,
                          int idx, fr_key_spec *ks) {
    char where[300];
    snprintf(where, sizeof(where), "%.250s: key_specs[%d]", cmdwhere, idx);
    ks->line = node_line(n);
    if (check_map(p, n, n, where, "a key spec", keyspec_fields) ||
        opt_str(p, n, "notes", where, &ks->notes))
        return -1;
    yaml_node_t *fl = get(p, n, "flags");
    if (conv_flags(p, fl, where, "flags", "key spec flag", fr_key_flag_names,
                   &ks->flags) ||
        check_key_flags(p, fl, where, ks->flags))
        return -1;
    if (parse_begin_search(p, get(p, n, "begin_search"), n, where, ks) ||
        parse_find_keys(p, get(p, n, "find_keys"), n, where, ks))
        return -1;
    return 0;
}

static void free_key_specs(fr_key_spec *ks, int n) {
    for (int i = 0; i < n; i++) {
        free(ks[i].notes);
        free(ks[i].bs_keyword);
    }
    free(ks);
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                 */
/* ------------------------------------------------------------------------ */

#define MAX_ARG_DEPTH 8

static const field arg_fields[] = {
    {"name", 1}, {"type", 1}, {"key_spec_index", 0}, {"token", 0},
    {"summary", 0}, {"since", 0}, {"deprecated_since", 0}, {"optional", 0},
    {"multiple", 0}, {"multiple_token", 0}, {"arguments", 0}, {NULL, 0}};

static int parse_args(pctx *p, const yaml_node_t *n, const char *where,
                      int depth, int nspecs, fr_cmd_arg **out, int *count);

static int arg_type_from_name(const char *s) {
    for (int t = 0; t < FR_ARG__COUNT; t++)
        if (!strcmp(s, arg_type_names[t])) return t;
    return -1;
}

/* optional / multiple / multiple_token booleans into FR_ARG_* flags. */
static int parse_arg_flags(pctx *p, const yaml_node_t *n, const char *where,
                           fr_cmd_arg *a) {
    for (const fr_flag_name *f = fr_arg_flag_names; f->name; f++) {
        yaml_node_t *v = get(p, n, f->name);
        int on = 0;
        if (v && conv_bool(p, v, where, f->name, &on)) return -1;
        if (on) a->flags |= (unsigned)f->flag;
    }
    if ((a->flags & FR_ARG_MULTIPLE_TOKEN) && !(a->flags & FR_ARG_MULTIPLE))
        return fail(p, get(p, n, "multiple_token"), where,
                    "multiple_token requires multiple");
    return 0;
}

static int parse_arg_type(pctx *p, const yaml_node_t *n, const char *where,
                          int depth, int nspecs, fr_cmd_arg *a) {
    yaml_node_t *tn = get(p, n, "type");
    const char *ts = scalar_text(tn);
    int t = ts ? arg_type_from_name(ts) : -1;
    if (t < 0)
        return fail(p, tn, where, "unknown argument type '%s'", ts ? ts : "");
    a->type = (fr_arg_type)t;
    yaml_node_t *sub = get(p, n, "arguments");
    int container = a->type == FR_ARG_ONEOF || a->type == FR_ARG_BLOCK;
    if (!container && sub)
        return fail(p, sub, where, "only oneof and block arguments have "
                                   "arguments");
    if (!container) return 0;
    if (!sub || sub->type != YAML_SEQUENCE_NODE || seq_len(sub) == 0)
        return fail(p, sub ? sub : tn, where,
                    "a %s argument needs a non-empty list of arguments", ts);
    if (depth >= MAX_ARG_DEPTH)
        return fail(p, sub, where, "arguments nested too deeply");
    return parse_args(p, sub, where, depth + 1, nspecs, &a->subargs,
                      &a->nsubargs);
}

static int parse_arg(pctx *p, const yaml_node_t *n, const char *cmdwhere,
                     int depth, int nspecs, fr_cmd_arg *a) {
    char where[400];
    a->key_spec_index = -1;
    a->line = node_line(n);
    if (check_map(p, n, n, cmdwhere, "an argument", arg_fields) ||
        conv_str(p, get(p, n, "name"), cmdwhere, "argument name", &a->name))
        return -1;
    snprintf(where, sizeof(where), "%.250s: argument '%.100s'", cmdwhere,
             a->name);
    yaml_node_t *ksi = get(p, n, "key_spec_index");
    if (ksi && conv_int(p, ksi, where, "key_spec_index", &a->key_spec_index))
        return -1;
    /* Key specs are parsed before arguments, so the index can be checked. */
    if (ksi && (a->key_spec_index < 0 || a->key_spec_index >= nspecs))
        return fail(p, ksi, where, "key_spec_index %d does not name a key "
                                   "spec (the command has %d)",
                    a->key_spec_index, nspecs);
    if (opt_str(p, n, "token", where, &a->token) ||
        opt_str(p, n, "summary", where, &a->summary) ||
        opt_str(p, n, "since", where, &a->since) ||
        opt_str(p, n, "deprecated_since", where, &a->deprecated_since) ||
        parse_arg_flags(p, n, where, a) ||
        parse_arg_type(p, n, where, depth, nspecs, a))
        return -1;
    if (a->type == FR_ARG_KEY && a->key_spec_index < 0)
        return fail(p, n, where, "a key argument needs key_spec_index");
    if (ksi && a->type != FR_ARG_KEY && a->type != FR_ARG_PATTERN)
        return fail(p, ksi, where,
                    "key_spec_index applies to key and pattern arguments");
    return 0;
}

static int parse_args(pctx *p, const yaml_node_t *n, const char *where,
                      int depth, int nspecs, fr_cmd_arg **out, int *count) {
    *out = NULL;
    *count = 0;
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, where, "arguments must be a list");
    int len = seq_len(n);
    *out = xcalloc(len, sizeof(fr_cmd_arg));
    for (int i = 0; i < len; i++) {
        *count = i + 1;
        if (parse_arg(p, node_at(p, n->data.sequence.items.start[i]), where,
                      depth, nspecs, &(*out)[i]))
            return -1;
    }
    return 0;
}

static void free_args(fr_cmd_arg *a, int n) {
    for (int i = 0; i < n; i++) {
        free(a[i].name);
        free(a[i].token);
        free(a[i].summary);
        free(a[i].since);
        free(a[i].deprecated_since);
        free_args(a[i].subargs, a[i].nsubargs);
    }
    free(a);
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                  */
/* ------------------------------------------------------------------------ */

static const field cmd_fields[] = {
    {"summary", 1}, {"complexity", 0}, {"group", 1}, {"since", 1},
    {"arity", 1}, {"command_flags", 0}, {"acl_categories", 0},
    {"key_specs", 0}, {"arguments", 0}, {"history", 0}, {"doc_flags", 0},
    {"deprecated_since", 0}, {"replaced_by", 0}, {"command_tips", 0},
    {"subcommands", 0}, {"getkeys", 0}, {NULL, 0}};
static const field history_fields[] = {{"since", 1}, {"changes", 1}, {NULL, 0}};

/* The built-in key finders a manifest may name with `getkeys`. */
static int getkeys_set(const fr_cmd_meta *cmd, int argc,
                       const fr_str *const *argv, int *keys, int *key_flags,
                       int max);
static int getkeys_bitfield(const fr_cmd_meta *cmd, int argc,
                            const fr_str *const *argv, int *keys, int *key_flags,
                            int max);
static int getkeys_georadius(const fr_cmd_meta *cmd, int argc,
                             const fr_str *const *argv, int *keys, int *key_flags,
                             int max);
static int getkeys_sort(const fr_cmd_meta *cmd, int argc,
                        const fr_str *const *argv, int *keys, int *key_flags,
                        int max);
static int getkeys_sortro(const fr_cmd_meta *cmd, int argc,
                          const fr_str *const *argv, int *keys, int *key_flags,
                          int max);
static int getkeys_xread(const fr_cmd_meta *cmd, int argc,
                         const fr_str *const *argv, int *keys, int *key_flags,
                         int max);
static int getkeys_migrate(const fr_cmd_meta *cmd, int argc,
                           const fr_str *const *argv, int *keys, int *key_flags,
                           int max);
static const struct {
    const char *name;
    fr_getkeys_fn fn;
} getkeys_table[] = {{"set", getkeys_set},         {"bitfield", getkeys_bitfield},
                     {"georadius", getkeys_georadius}, {"sort", getkeys_sort},
                     {"sortro", getkeys_sortro},   {"xread", getkeys_xread},
                     {"migrate", getkeys_migrate},
                     {NULL, NULL}};

static int valid_cmd_name(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-_.:", *s)) return 0;
    return 1;
}

static char *lower_dup(const char *s) {
    char *d = xstrdup(s);
    for (char *q = d; *q; q++) *q = (char)tolower((unsigned char)*q);
    return d;
}

static int parse_group(pctx *p, const yaml_node_t *n, const char *where,
                       fr_cmd_meta *c) {
    const char *s = scalar_text(n);
    for (int g = 0; s && g < FR_GROUP__COUNT; g++) {
        if (!strcmp(s, group_names[g])) {
            c->group = (fr_cmd_group)g;
            return 0;
        }
    }
    return fail(p, n, where, "unknown group '%s'", s ? s : "");
}

static int parse_history(pctx *p, const yaml_node_t *n, const char *where,
                         fr_cmd_meta *c) {
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, where, "history must be a list");
    int len = seq_len(n);
    c->history = xcalloc(len, sizeof(fr_cmd_history));
    for (int i = 0; i < len; i++) {
        yaml_node_t *e = node_at(p, n->data.sequence.items.start[i]);
        char w[300];
        snprintf(w, sizeof(w), "%.250s: history[%d]", where, i);
        c->nhistory = i + 1;
        if (check_map(p, e, e, w, "a history entry", history_fields) ||
            conv_str(p, get(p, e, "since"), w, "since", &c->history[i].since) ||
            conv_str(p, get(p, e, "changes"), w, "changes",
                     &c->history[i].changes))
            return -1;
    }
    return 0;
}

static int parse_key_specs(pctx *p, const yaml_node_t *n, const char *where,
                           fr_cmd_meta *c) {
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, where, "key_specs must be a list");
    int len = seq_len(n);
    c->key_specs = xcalloc(len, sizeof(fr_key_spec));
    for (int i = 0; i < len; i++) {
        c->nkey_specs = i + 1;
        if (parse_key_spec(p, node_at(p, n->data.sequence.items.start[i]),
                           where, i, &c->key_specs[i]))
            return -1;
    }
    return 0;
}

static int parse_getkeys(pctx *p, const yaml_node_t *n, const char *where,
                         fr_cmd_meta *c) {
    if (!n) return 0;
    if (conv_str(p, n, where, "getkeys", &c->getkeys_name)) return -1;
    for (int i = 0; getkeys_table[i].name; i++) {
        if (!strcmp(getkeys_table[i].name, c->getkeys_name)) {
            c->getkeys_proc = getkeys_table[i].fn;
            return 0;
        }
    }
    return fail(p, n, where, "unknown key finder '%s'", c->getkeys_name);
}

static int parse_cmd_flags(pctx *p, const yaml_node_t *map, const char *where,
                           fr_cmd_meta *c) {
    uint64_t doc = 0;
    if (conv_flags(p, get(p, map, "command_flags"), where, "command_flags",
                   "command flag", fr_cmd_flag_names, &c->flags) ||
        conv_flags(p, get(p, map, "acl_categories"), where, "acl_categories",
                   "ACL category", fr_acl_category_names, &c->acl_categories) ||
        conv_flags(p, get(p, map, "doc_flags"), where, "doc_flags", "doc flag",
                   fr_doc_flag_names, &doc))
        return -1;
    c->doc_flags = (unsigned)doc;
    return 0;
}

/* Redis's setImplicitACLCategories(). */
static void add_implicit_acl(fr_cmd_meta *c) {
    if (c->flags & FR_CMD_WRITE) c->acl_categories |= FR_ACL_WRITE;
    if ((c->flags & FR_CMD_READONLY) && !(c->acl_categories & FR_ACL_SCRIPTING))
        c->acl_categories |= FR_ACL_READ;
    if (c->flags & FR_CMD_ADMIN)
        c->acl_categories |= FR_ACL_ADMIN | FR_ACL_DANGEROUS;
    if (c->flags & FR_CMD_PUBSUB) c->acl_categories |= FR_ACL_PUBSUB;
    if (c->flags & FR_CMD_FAST) c->acl_categories |= FR_ACL_FAST;
    if (c->flags & FR_CMD_BLOCKING) c->acl_categories |= FR_ACL_BLOCKING;
    if (!(c->acl_categories & FR_ACL_FAST)) c->acl_categories |= FR_ACL_SLOW;
}

static int is_plain_range(const fr_key_spec *ks) {
    return ks->bs_type == FR_BS_INDEX && ks->fk_type == FR_FK_RANGE;
}

/* The legacy (first, last, step) triple, glued from consecutive step-1 range
 * specs the way Redis 7.0 does it, so COMMAND INFO matches; anything the
 * triple cannot describe sets MOVABLE_KEYS.  Stores the triple as COMMAND
 * INFO prints it (last absolute, or negative from the end). */
static void derive_legacy_range(fr_cmd_meta *c) {
    int pos = 0, rel_last = 0, step = 0;
    c->first_key = c->last_key = c->key_step = 0;
    if (c->nkey_specs == 0) return;
    if (c->nkey_specs == 1 && is_plain_range(&c->key_specs[0])) {
        const fr_key_spec *ks = &c->key_specs[0];
        if (ks->flags & FR_KEY_INCOMPLETE) c->flags |= FR_CMD_MOVABLE_KEYS;
        pos = ks->bs_index_pos;
        rel_last = ks->fk_range_lastkey;
        step = ks->fk_range_keystep;
    } else {
        int first = INT_MAX, last = 0, prev_last = 0;
        for (int i = 0; i < c->nkey_specs; i++) {
            const fr_key_spec *ks = &c->key_specs[i];
            if (!is_plain_range(ks) || ks->fk_range_keystep != 1 ||
                (prev_last && prev_last != ks->bs_index_pos - 1)) {
                c->flags |= FR_CMD_MOVABLE_KEYS;
                continue;
            }
            if (ks->flags & FR_KEY_INCOMPLETE) c->flags |= FR_CMD_MOVABLE_KEYS;
            if (ks->bs_index_pos < first) first = ks->bs_index_pos;
            int abs_last = ks->fk_range_lastkey;
            if (abs_last >= 0) abs_last += ks->bs_index_pos;
            /* Unsigned compare: a negative (from the end) last key wins. */
            if ((unsigned)abs_last > (unsigned)last) last = abs_last;
            prev_last = last;
        }
        if (first == INT_MAX) {
            c->flags |= FR_CMD_MOVABLE_KEYS;
            return;
        }
        pos = first;
        rel_last = last < 0 ? last : last - first;
        step = 1;
    }
    c->first_key = pos;
    c->last_key = rel_last >= 0 ? rel_last + pos : rel_last;
    c->key_step = step;
}

static int parse_cmd(pctx *p, const yaml_node_t *key, const yaml_node_t *val,
                     fr_cmd_meta *c, fr_cmd_meta *parent);

static int parse_subcmds(pctx *p, const yaml_node_t *n, const char *where,
                         fr_cmd_meta *c) {
    if (!n) return 0;
    if (c->parent)
        return fail(p, n, where, "subcommands cannot have subcommands");
    if (n->type != YAML_MAPPING_NODE || map_len(n) == 0)
        return fail(p, n, where, "subcommands must be a non-empty mapping");
    int len = map_len(n);
    c->subcmds = xcalloc(len, sizeof(fr_cmd_meta));
    for (int i = 0; i < len; i++) {
        yaml_node_pair_t *pr = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(p, pr->key);
        c->nsubcmds = i + 1;
        if (parse_cmd(p, k, node_at(p, pr->value), &c->subcmds[i], c))
            return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(c->subcmds[j].name, c->subcmds[i].name))
                return fail(p, k, where, "duplicate subcommand '%s'",
                            c->subcmds[i].name);
    }
    return 0;
}

static int parse_cmd_names(pctx *p, const yaml_node_t *key, fr_cmd_meta *c,
                           fr_cmd_meta *parent) {
    const char *raw = scalar_text(key);
    if (!raw || !valid_cmd_name(raw))
        return fail(p, key, NULL, "invalid command name '%s'", raw ? raw : "");
    c->name = lower_dup(raw);
    c->parent = parent;
    c->line = node_line(key);
    if (!parent) {
        c->fullname = xstrdup(c->name);
        return 0;
    }
    size_t len = strlen(parent->name) + strlen(c->name) + 2;
    c->fullname = xcalloc(len, 1);
    snprintf(c->fullname, len, "%s|%s", parent->name, c->name);
    return 0;
}

static int parse_cmd_arity(pctx *p, const yaml_node_t *n, const char *where,
                           fr_cmd_meta *c) {
    if (conv_int(p, n, where, "arity", &c->arity)) return -1;
    if (c->arity == 0) return fail(p, n, where, "arity must not be 0");
    /* A subcommand line has at least the container and the subcommand. */
    if (c->parent && c->arity > -2 && c->arity < 2)
        return fail(p, n, where, "a subcommand's arity must be at least 2 "
                                 "or at most -2");
    return 0;
}

static int parse_cmd(pctx *p, const yaml_node_t *key, const yaml_node_t *val,
                     fr_cmd_meta *c, fr_cmd_meta *parent) {
    char where[300];
    if (parse_cmd_names(p, key, c, parent)) return -1;
    snprintf(where, sizeof(where), "command '%s'", c->fullname);
    if (check_map(p, val, key, where, "a command", cmd_fields) ||
        conv_str(p, get(p, val, "summary"), where, "summary", &c->summary) ||
        opt_str(p, val, "complexity", where, &c->complexity) ||
        parse_group(p, get(p, val, "group"), where, c) ||
        conv_str(p, get(p, val, "since"), where, "since", &c->since) ||
        parse_cmd_arity(p, get(p, val, "arity"), where, c) ||
        parse_cmd_flags(p, val, where, c) ||
        opt_str(p, val, "deprecated_since", where, &c->deprecated_since) ||
        opt_str(p, val, "replaced_by", where, &c->replaced_by) ||
        conv_str_list(p, get(p, val, "command_tips"), where, "command_tips",
                      &c->tips, &c->ntips) ||
        parse_history(p, get(p, val, "history"), where, c) ||
        parse_key_specs(p, get(p, val, "key_specs"), where, c) ||
        parse_args(p, get(p, val, "arguments"), where, 0, c->nkey_specs,
                   &c->args, &c->nargs) ||
        parse_getkeys(p, get(p, val, "getkeys"), where, c) ||
        parse_subcmds(p, get(p, val, "subcommands"), where, c))
        return -1;
    add_implicit_acl(c);
    derive_legacy_range(c);
    return 0;
}

static void free_cmd(fr_cmd_meta *c) {
    free(c->name);
    free(c->fullname);
    free(c->summary);
    free(c->complexity);
    free(c->since);
    free(c->deprecated_since);
    free(c->replaced_by);
    for (int i = 0; i < c->nhistory; i++) {
        free(c->history[i].since);
        free(c->history[i].changes);
    }
    free(c->history);
    free_strv(c->tips, c->ntips);
    free_key_specs(c->key_specs, c->nkey_specs);
    free_args(c->args, c->nargs);
    free(c->getkeys_name);
    for (int i = 0; i < c->nsubcmds; i++) free_cmd(&c->subcmds[i]);
    free(c->subcmds);
}

static int parse_cmds(pctx *p, const yaml_node_t *n, fr_manifest *m) {
    if (n->type != YAML_MAPPING_NODE)
        return fail(p, n, NULL, "commands must be a mapping");
    int len = map_len(n);
    m->cmds = xcalloc(len, sizeof(fr_cmd_meta));
    for (int i = 0; i < len; i++) {
        yaml_node_pair_t *pr = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(p, pr->key);
        m->ncmds = i + 1;
        if (parse_cmd(p, k, node_at(p, pr->value), &m->cmds[i], NULL))
            return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(m->cmds[j].name, m->cmds[i].name))
                return fail(p, k, NULL, "duplicate command '%s'",
                            m->cmds[i].name);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Config directives                                                         */
/* ------------------------------------------------------------------------ */

static const field conf_fields[] = {
    {"name", 1}, {"type", 1}, {"default", 1}, {"min", 0}, {"max", 0},
    {"values", 0}, {"summary", 0}, {"flags", 0}, {"check", 0}, {NULL, 0}};

static const fr_flag_name conf_flag_names[] = {
    {FR_CONF_F_IMMUTABLE, "immutable", NULL},
    {FR_CONF_F_PROTECTED, "protected", NULL},
    {FR_CONF_F_MULTI_ARG, "multi-arg", NULL},
    {FR_CONF_F_SENSITIVE, "sensitive", NULL},
    {0, NULL, NULL}};

/* flags and check: multi-arg and check only make sense for text values the
 * core cannot validate by type alone. */
static int parse_conf_extras(pctx *p, const yaml_node_t *n, const char *where,
                             fr_conf_def *d) {
    uint64_t flags;
    yaml_node_t *fl = get(p, n, "flags");
    yaml_node_t *ck = get(p, n, "check");
    if (conv_flags(p, fl, where, "flags", "config flag", conf_flag_names, &flags))
        return -1;
    d->flags = (unsigned)flags;
    if (ck && conv_bool(p, ck, where, "check", &d->check)) return -1;
    if ((d->flags & FR_CONF_F_MULTI_ARG) && d->type != FR_CONF_STRING)
        return fail(p, fl, where, "multi-arg applies to string directives");
    if (d->check && d->type != FR_CONF_STRING)
        return fail(p, ck, where, "check applies to string directives");
    return 0;
}

static int conf_number(const fr_conf_def *d, const char *s, long long *v) {
    return d->type == FR_CONF_MEMORY ? fr_manifest_parse_memory(s, v)
                                     : parse_ll(s, v);
}

static int parse_conf_bound(pctx *p, const yaml_node_t *map, const char *name,
                            const char *where, fr_conf_def *d, long long *out) {
    yaml_node_t *n = get(p, map, name);
    if (!n) return 0;
    if (d->type != FR_CONF_INT && d->type != FR_CONF_MEMORY)
        return fail(p, n, where, "%s applies to int and memory directives",
                    name);
    const char *s = scalar_text(n);
    if (!s || !conf_number(d, s, out))
        return fail(p, n, where, "%s must be %s", name,
                    d->type == FR_CONF_INT ? "an integer" : "a memory amount");
    return 0;
}

static int check_conf_default(pctx *p, const yaml_node_t *n, const char *where,
                              const fr_conf_def *d) {
    const char *s = d->default_text;
    long long v;
    switch (d->type) {
    case FR_CONF_BOOL:
        if (strcmp(s, "yes") && strcmp(s, "no"))
            return fail(p, n, where, "default must be yes or no");
        return 0;
    case FR_CONF_INT:
    case FR_CONF_MEMORY:
        if (!conf_number(d, s, &v))
            return fail(p, n, where, "default must be %s",
                        d->type == FR_CONF_INT ? "an integer"
                                               : "a memory amount");
        if (v < d->min || v > d->max)
            return fail(p, n, where, "default is out of range");
        return 0;
    case FR_CONF_ENUM:
        for (int i = 0; i < d->nvalues; i++)
            if (!strcmp(d->values[i], s)) return 0;
        return fail(p, n, where, "default must be one of the values");
    case FR_CONF_STRING:
        return 0;
    }
    return 0;
}

static int parse_conf_type(pctx *p, const yaml_node_t *n, const char *where,
                           fr_conf_def *d) {
    const char *s = scalar_text(n);
    for (int t = 0; s && t <= FR_CONF_ENUM; t++) {
        if (!strcmp(s, conf_type_names[t])) {
            d->type = (fr_conf_type)t;
            return 0;
        }
    }
    return fail(p, n, where, "unknown type '%s' (bool, int, memory, string "
                             "or enum)", s ? s : "");
}

static int parse_conf(pctx *p, const yaml_node_t *n, fr_conf_def *d) {
    char where[300];
    d->line = node_line(n);
    d->min = LLONG_MIN;
    d->max = LLONG_MAX;
    if (check_map(p, n, n, "config", "a config directive", conf_fields) ||
        conv_str(p, get(p, n, "name"), "config", "name", &d->name))
        return -1;
    snprintf(where, sizeof(where), "config '%s'", d->name);
    yaml_node_t *def = get(p, n, "default");
    yaml_node_t *vals = get(p, n, "values");
    if (parse_conf_type(p, get(p, n, "type"), where, d) ||
        opt_str(p, n, "summary", where, &d->summary) ||
        parse_conf_bound(p, n, "min", where, d, &d->min) ||
        parse_conf_bound(p, n, "max", where, d, &d->max) ||
        parse_conf_extras(p, n, where, d))
        return -1;
    /* A string directive may default to the empty string. */
    if (!def || def->type != YAML_SCALAR_NODE ||
        (is_null(def) && d->type != FR_CONF_STRING))
        return fail(p, def, where, "default must be a scalar");
    d->default_text = xstrdup(is_null(def) ? "" : scalar_text(def));
    if (vals && d->type != FR_CONF_ENUM)
        return fail(p, vals, where, "values applies to enum directives");
    if (conv_str_list(p, vals, where, "values", &d->values, &d->nvalues))
        return -1;
    if (d->type == FR_CONF_ENUM && d->nvalues == 0)
        return fail(p, n, where, "an enum directive needs values");
    return check_conf_default(p, def, where, d);
}

static int parse_config(pctx *p, const yaml_node_t *n, fr_manifest *m) {
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, NULL, "config must be a list");
    int len = seq_len(n);
    m->config = xcalloc(len, sizeof(fr_conf_def));
    for (int i = 0; i < len; i++) {
        yaml_node_t *e = node_at(p, n->data.sequence.items.start[i]);
        m->nconfig = i + 1;
        if (parse_conf(p, e, &m->config[i])) return -1;
        for (int j = 0; j < i; j++)
            if (!strcasecmp(m->config[j].name, m->config[i].name))
                return fail(p, e, NULL, "duplicate config directive '%s'",
                            m->config[i].name);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* INFO fields                                                               */
/* ------------------------------------------------------------------------ */

static const field info_fields[] = {
    {"section", 1}, {"after", 0}, {"name", 0}, {"fields", 1}, {NULL, 0}};
static const field info_field_fields[] = {{"name", 1}, {"type", 1}, {NULL, 0}};

/* INFO field and section names: what Redis uses (a-z, 0-9, '_'), which is
 * also a C identifier fragment for the generated struct. */
static int valid_info_name(const char *s) {
    if (!*s || isdigit((unsigned char)*s)) return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static int conv_info_name(pctx *p, const yaml_node_t *n, const char *where,
                          const char *what, char **out) {
    if (conv_str(p, n, where, what, out)) return -1;
    if (!valid_info_name(*out))
        return fail(p, n, where, "%s '%s' must use a-z, 0-9 and '_'", what, *out);
    return 0;
}

static int parse_info_field(pctx *p, const yaml_node_t *n, const char *where,
                            fr_info_field_decl *f) {
    char *type = NULL;
    if (check_map(p, n, n, where, "an INFO field", info_field_fields) ||
        conv_info_name(p, get(p, n, "name"), where, "name", &f->name) ||
        conv_str(p, get(p, n, "type"), where, "type", &type))
        return -1;
    int bad = strcmp(type, "int") && strcmp(type, "text");
    f->type = strcmp(type, "int") ? FR_INFO_TEXT : FR_INFO_INT;
    free(type);
    if (bad) return fail(p, get(p, n, "type"), where, "type must be int or text");
    return 0;
}

static int parse_info_group(pctx *p, const yaml_node_t *n, fr_info_decl *g) {
    char where[300];
    g->line = node_line(n);
    yaml_node_t *after = get(p, n, "after");
    if (check_map(p, n, n, "info", "an INFO group", info_fields) ||
        conv_info_name(p, get(p, n, "section"), "info", "section", &g->section) ||
        (after && conv_info_name(p, after, "info", "after", &g->after)))
        return -1;
    yaml_node_t *name = get(p, n, "name");
    if (name ? conv_info_name(p, name, "info", "name", &g->id) : 0) return -1;
    if (!g->id) g->id = xstrdup(g->section);
    snprintf(where, sizeof(where), "info '%s'", g->id);
    yaml_node_t *fs = get(p, n, "fields");
    if (fs->type != YAML_SEQUENCE_NODE || seq_len(fs) == 0)
        return fail(p, fs, where, "fields must be a non-empty list");
    g->fields = xcalloc(seq_len(fs), sizeof(fr_info_field_decl));
    for (int i = 0; i < seq_len(fs); i++) {
        yaml_node_t *e = node_at(p, fs->data.sequence.items.start[i]);
        g->nfields = i + 1;
        if (parse_info_field(p, e, where, &g->fields[i])) return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(g->fields[j].name, g->fields[i].name))
                return fail(p, e, where, "duplicate field '%s'", g->fields[i].name);
    }
    return 0;
}

static int parse_info(pctx *p, const yaml_node_t *n, fr_manifest *m) {
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE) return fail(p, n, NULL, "info must be a list");
    m->info = xcalloc(seq_len(n), sizeof(fr_info_decl));
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *e = node_at(p, n->data.sequence.items.start[i]);
        m->ninfo = i + 1;
        if (parse_info_group(p, e, &m->info[i])) return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(m->info[j].id, m->info[i].id))
                return fail(p, e, NULL, "two info groups named '%s': give one a name",
                            m->info[i].id);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Top level                                                                 */
/* ------------------------------------------------------------------------ */

static const field top_fields[] = {
    {"name", 1}, {"version", 1}, {"description", 1},
    {"default_mode", 1}, {"depends", 0}, {"provides", 0}, {"hooks", 0},
    {"config", 0}, {"info", 0}, {"debug", 0}, {"commands", 1}, {NULL, 0}};

int fr_manifest_valid_module_name(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
            *s != '-' && *s != '_')
            return 0;
    return 1;
}

static int parse_name_list(pctx *p, const yaml_node_t *n, const char *what,
                           char ***out, int *count) {
    if (conv_str_list(p, n, NULL, what, out, count)) return -1;
    for (int i = 0; i < *count; i++) {
        yaml_node_t *it = node_at(p, n->data.sequence.items.start[i]);
        if (!fr_manifest_valid_module_name((*out)[i]))
            return fail(p, it, NULL, "invalid name '%s' in %s", (*out)[i],
                        what);
        for (int j = 0; j < i; j++)
            if (!strcmp((*out)[i], (*out)[j]))
                return fail(p, it, NULL, "duplicate name '%s' in %s",
                            (*out)[i], what);
    }
    return 0;
}

static const field hook_fields[] = {{"name", 1}, {"order", 1}, {NULL, 0}};

/* "first", "middle" or "last": where the module runs among a hook's
 * callbacks (registration order breaks ties). */
static int parse_hook_order(pctx *p, const yaml_node_t *n, const char *where,
                            int *order) {
    static const struct { const char *name; int order; } orders[] = {
        {"first", FR_HOOK_FIRST}, {"middle", FR_HOOK_MIDDLE}, {"last", FR_HOOK_LAST}};
    const char *s = scalar_text(n);
    for (size_t i = 0; s && i < sizeof(orders) / sizeof(orders[0]); i++)
        if (!strcmp(s, orders[i].name)) {
            *order = orders[i].order;
            return 0;
        }
    return fail(p, n, where, "order must be first, middle or last");
}

/* One entry of `hooks`: a name, or {name: ..., order: first|middle|last}. */
static int parse_hook(pctx *p, const yaml_node_t *it, fr_manifest *m) {
    const yaml_node_t *name = it;
    int order = FR_HOOK_MIDDLE;
    if (it && it->type == YAML_MAPPING_NODE) {
        if (check_map(p, it, it, "hooks", "a hook", hook_fields)) return -1;
        name = get(p, it, "name");
        if (parse_hook_order(p, get(p, it, "order"), "hooks", &order)) return -1;
    }
    const char *s = scalar_text(name);
    if (!s || is_null(name))
        return fail(p, it, NULL, "hooks must be names or {name, order} mappings");
    int id = fr_hook_id_from_name(s);
    if (id < 0) return fail(p, name, NULL, "unknown hook '%s'", s);
    if (m->hooks_mask & (1u << id))
        return fail(p, name, NULL, "duplicate hook '%s'", s);
    m->hooks_mask |= 1u << id;
    m->hook_order[id] = order;
    return 0;
}

static int parse_hooks(pctx *p, const yaml_node_t *n, fr_manifest *m) {
    if (!n) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, n, NULL, "hooks must be a list");
    for (int i = 0; i < seq_len(n); i++)
        if (parse_hook(p, node_at(p, n->data.sequence.items.start[i]), m))
            return -1;
    return 0;
}

static int parse_identity(pctx *p, const yaml_node_t *root, fr_manifest *m) {
    yaml_node_t *name = get(p, root, "name");
    yaml_node_t *mode = get(p, root, "default_mode");
    if (conv_str(p, name, NULL, "name", &m->name)) return -1;
    if (!fr_manifest_valid_module_name(m->name))
        return fail(p, name, NULL, "invalid module name '%s' (use a-z, 0-9, "
                                   "'-' and '_')", m->name);
    const char *ms = scalar_text(mode);
    if (!ms || (strcmp(ms, "strict") && strcmp(ms, "hardened")))
        return fail(p, mode, NULL, "default_mode must be strict or hardened");
    m->default_hardened = !strcmp(ms, "hardened");
    if (conv_str(p, get(p, root, "version"), NULL, "version", &m->version) ||
        conv_str(p, get(p, root, "description"), NULL, "description",
                 &m->description))
        return -1;
    return 0;
}

static int parse_root(pctx *p, const yaml_node_t *root, fr_manifest *m) {
    if (check_map(p, root, root, NULL, "a manifest", top_fields) ||
        parse_identity(p, root, m) ||
        parse_name_list(p, get(p, root, "depends"), "depends", &m->depends,
                        &m->ndepends) ||
        parse_name_list(p, get(p, root, "provides"), "provides", &m->provides,
                        &m->nprovides) ||
        parse_hooks(p, get(p, root, "hooks"), m) ||
        parse_config(p, get(p, root, "config"), m) ||
        parse_info(p, get(p, root, "info"), m) ||
        parse_name_list(p, get(p, root, "debug"), "debug", &m->debug, &m->ndebug) ||
        parse_cmds(p, get(p, root, "commands"), m))
        return -1;
    return 0;
}

static void yaml_problem(pctx *p, const yaml_parser_t *ps) {
    yaml_node_t at = {0};
    at.start_mark = ps->problem_mark;
    if (ps->error == YAML_READER_ERROR) at.start_mark.line = 0;
    if (ps->context)
        fail(p, &at, NULL, "malformed YAML: %s %s", ps->problem, ps->context);
    else
        fail(p, &at, NULL, "malformed YAML: %s",
             ps->problem ? ps->problem : "parse error");
}

/* Parses the file into doc; 0 on success with a root node. */
static int load_document(pctx *p, FILE *f, yaml_document_t *doc) {
    yaml_parser_t ps;
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_file(&ps, f);
    int rc = -1;
    if (!yaml_parser_load(&ps, doc)) {
        yaml_problem(p, &ps);
    } else if (!yaml_document_get_root_node(doc)) {
        yaml_document_delete(doc);
        fail(p, NULL, NULL, "empty manifest");
    } else {
        yaml_document_t extra;
        rc = 0;
        if (!yaml_parser_load(&ps, &extra)) {
            yaml_problem(p, &ps);
            rc = -1;
        } else {
            if (yaml_document_get_root_node(&extra)) {
                yaml_node_t *r = yaml_document_get_root_node(&extra);
                rc = fail(p, r, NULL, "only one YAML document is allowed");
            }
            yaml_document_delete(&extra);
        }
        if (rc) yaml_document_delete(doc);
    }
    yaml_parser_delete(&ps);
    return rc;
}

/* Parse an open stream; `path` names it in errors and in m->path. */
static fr_manifest *load_stream(const char *path, FILE *f, char *err, size_t errlen) {
    pctx p = {path, NULL, err, errlen};
    yaml_document_t doc;
    int rc = load_document(&p, f, &doc);
    fclose(f);
    if (rc) return NULL;
    p.doc = &doc;
    fr_manifest *m = xcalloc(1, sizeof(*m));
    m->path = xstrdup(path);
    rc = parse_root(&p, yaml_document_get_root_node(&doc), m);
    yaml_document_delete(&doc);
    if (rc) {
        fr_manifest_free(m);
        return NULL;
    }
    return m;
}

fr_manifest *fr_manifest_load(const char *path, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    return load_stream(path, f, err, errlen);
}

/* A manifest compiled into a binary (the core's own); `path` is the name
 * its errors and docs use. */
fr_manifest *fr_manifest_load_mem(const char *path, const char *text, size_t len,
                                  char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    FILE *f = fmemopen((void *)text, len, "rb");
    if (!f) {
        if (err && errlen) snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    return load_stream(path, f, err, errlen);
}

void fr_manifest_free(fr_manifest *m) {
    if (!m) return;
    free(m->path);
    free(m->name);
    free(m->version);
    free(m->description);
    free_strv(m->depends, m->ndepends);
    free_strv(m->provides, m->nprovides);
    free_strv(m->debug, m->ndebug);
    for (int i = 0; i < m->nconfig; i++) {
        free(m->config[i].name);
        free(m->config[i].default_text);
        free(m->config[i].summary);
        free_strv(m->config[i].values, m->config[i].nvalues);
    }
    free(m->config);
    for (int i = 0; i < m->ninfo; i++) {
        free(m->info[i].id);
        free(m->info[i].section);
        free(m->info[i].after);
        for (int j = 0; j < m->info[i].nfields; j++) free(m->info[i].fields[j].name);
        free(m->info[i].fields);
    }
    free(m->info);
    for (int i = 0; i < m->ncmds; i++) free_cmd(&m->cmds[i]);
    free(m->cmds);
    free(m);
}

/* ------------------------------------------------------------------------ */
/* Lookups and key extraction                                                */
/* ------------------------------------------------------------------------ */

const fr_cmd_meta *fr_cmd_find_subcmd(const fr_cmd_meta *container,
                                      const char *name, size_t len) {
    for (int i = 0; container && i < container->nsubcmds; i++) {
        const fr_cmd_meta *s = &container->subcmds[i];
        if (strlen(s->name) == len && !strncasecmp(s->name, name, len))
            return s;
    }
    return NULL;
}

fr_cmd_meta *fr_manifest_find_cmd(fr_manifest *m, const char *fullname) {
    const char *bar = strchr(fullname, '|');
    size_t toplen = bar ? (size_t)(bar - fullname) : strlen(fullname);
    for (int i = 0; i < m->ncmds; i++) {
        fr_cmd_meta *c = &m->cmds[i];
        if (strlen(c->name) != toplen || strncasecmp(c->name, fullname, toplen))
            continue;
        if (!bar) return c;
        return (fr_cmd_meta *)fr_cmd_find_subcmd(c, bar + 1, strlen(bar + 1));
    }
    return NULL;
}

int fr_cmd_arity_ok(const fr_cmd_meta *cmd, int argc) {
    return !((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity);
}

int fr_cmd_has_keys(const fr_cmd_meta *cmd) {
    if (cmd->getkeys_proc) return 1;
    for (int i = 0; i < cmd->nkey_specs; i++)
        if (!(cmd->key_specs[i].flags & FR_KEY_NOT_KEY)) return 1;
    return 0;
}

/* Redis's SET key finder: the key is read too only when GET is present. */
static int getkeys_set(const fr_cmd_meta *cmd, int argc,
                       const fr_str *const *argv, int *keys, int *key_flags,
                       int max) {
    (void)cmd;
    if (argc < 2) return 0;
    uint64_t flags = FR_KEY_OW | FR_KEY_UPDATE;
    for (int i = 3; i < argc; i++) {
        if (!strcasecmp(argv[i]->buf, "get")) {
            flags = FR_KEY_RW | FR_KEY_ACCESS | FR_KEY_UPDATE;
            break;
        }
    }
    if (max > 0) {
        keys[0] = 1;
        if (key_flags) key_flags[0] = (int)flags;
    }
    return 1;
}

/* BITFIELD's key is RO ACCESS while only GET and OVERFLOW come before the
 * first SET or INCRBY, RW ACCESS UPDATE otherwise (a word that is none of
 * them ends the scan as a write, as Redis's bitfieldGetKeys decides). */
static int getkeys_bitfield(const fr_cmd_meta *cmd, int argc,
                            const fr_str *const *argv, int *keys, int *key_flags,
                            int max) {
    (void)cmd;
    if (argc < 2) return 0;
    int readonly = 1;
    for (int i = 2; i < argc && readonly; i++) {
        int rem = argc - i - 1;
        const char *w = argv[i]->buf;
        if (!strcasecmp(w, "get") && rem >= 2)
            i += 2;
        else if (!strcasecmp(w, "overflow") && rem >= 1)
            i += 1;
        else
            readonly = 0;
    }
    if (max > 0) {
        keys[0] = 1;
        if (key_flags)
            key_flags[0] = (int)(readonly ? FR_KEY_RO | FR_KEY_ACCESS : FR_KEY_RW | FR_KEY_ACCESS | FR_KEY_UPDATE);
    }
    return 1;
}

/* One key found by a finder: position i with `flags`, when there is room. */
static void finder_key(int n, int i, uint64_t flags, int *keys, int *key_flags, int max) {
    if (n >= max) return;
    keys[n] = i;
    if (key_flags) key_flags[n] = (int)flags;
}

/* GEORADIUS and GEORADIUSBYMEMBER: the source key, and the destination
 * of the last STORE or STOREDIST from argument 5 on, both without flags, as
 * Redis's georadiusGetKeys reports them. */
static int getkeys_georadius(const fr_cmd_meta *cmd, int argc,
                             const fr_str *const *argv, int *keys, int *key_flags,
                             int max) {
    (void)cmd;
    if (argc < 2) return 0;
    int stored = -1;
    for (int i = 5; i < argc; i++) {
        if ((!strcasecmp(argv[i]->buf, "store") || !strcasecmp(argv[i]->buf, "storedist")) && i + 1 < argc) {
            stored = i + 1;
            i++;
        }
    }
    finder_key(0, 1, 0, keys, key_flags, max);
    if (stored > 0) finder_key(1, stored, 0, keys, key_flags, max);
    return stored < 0 ? 1 : 2;
}

/* Redis's sortGetKeys: the sorted key (RO ACCESS), then the destination
 * of the last STORE (OW UPDATE).  The BY/GET patterns name keys only
 * through the sorted elements, so they are not reported.  LIMIT skips two
 * words and GET and BY one, so "BY store" is a pattern, not a STORE. */
static int getkeys_sort(const fr_cmd_meta *cmd, int argc,
                        const fr_str *const *argv, int *keys, int *key_flags,
                        int max) {
    (void)cmd;
    if (argc < 2) return 0;
    int store = 0;
    for (int i = 2; i < argc; i++) {
        const char *w = argv[i]->buf;
        if (!strcasecmp(w, "limit"))
            i += 2;
        else if (!strcasecmp(w, "get") || !strcasecmp(w, "by"))
            i += 1;
        else if (!strcasecmp(w, "store") && i + 1 < argc)
            store = i + 1;
    }
    finder_key(0, 1, FR_KEY_RO | FR_KEY_ACCESS, keys, key_flags, max);
    if (store) finder_key(1, store, FR_KEY_OW | FR_KEY_UPDATE, keys, key_flags, max);
    return store ? 2 : 1;
}

/* Redis's sortROGetKeys: the sorted key only. */
static int getkeys_sortro(const fr_cmd_meta *cmd, int argc,
                          const fr_str *const *argv, int *keys, int *key_flags,
                          int max) {
    (void)cmd, (void)argv;
    if (argc < 2) return 0;
    finder_key(0, 1, FR_KEY_RO | FR_KEY_ACCESS, keys, key_flags, max);
    return 1;
}

/* Redis's xreadGetKeys (XREAD and XREADGROUP): the options are skipped
 * up to STREAMS (a group or key may be named "streams"), then the first
 * half of what follows are the keys, without flags; nothing on a syntax
 * error. */
static int getkeys_xread(const fr_cmd_meta *cmd, int argc,
                         const fr_str *const *argv, int *keys, int *key_flags,
                         int max) {
    (void)cmd;
    int pos = -1;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i]->buf;
        if (!strcasecmp(w, "block") || !strcasecmp(w, "count")) i++;
        else if (!strcasecmp(w, "group")) i += 2;
        else if (!strcasecmp(w, "noack")) continue;
        else if (!strcasecmp(w, "streams")) {
            pos = i;
            break;
        } else break;
    }
    int num = pos < 0 ? 0 : argc - pos - 1;
    if (pos < 0 || num == 0 || num % 2) return 0;
    num /= 2;
    for (int k = 0; k < num; k++) finder_key(k, pos + 1 + k, 0, keys, key_flags, max);
    return num;
}

/* Redis's migrateGetKeys: the key at argument 3, or every argument after
 * KEYS when KEYS comes among the options (from argument 6 on, skipping the
 * values of AUTH and AUTH2) -- none at all when argument 3 is not empty
 * then, MIGRATE's own syntax error.  All RW ACCESS DELETE. */
static int getkeys_migrate(const fr_cmd_meta *cmd, int argc,
                           const fr_str *const *argv, int *keys, int *key_flags,
                           int max) {
    (void)cmd;
    int first = 3, num = 1;
    for (int i = 6; i < argc; i++) {
        const char *w = argv[i]->buf;
        if (!strcasecmp(w, "keys")) {
            if (argv[3]->len > 0) {
                num = 0;
            } else {
                first = i + 1;
                num = argc - first;
            }
            break;
        }
        if (!strcasecmp(w, "auth"))
            i += 1;
        else if (!strcasecmp(w, "auth2"))
            i += 2;
    }
    if (argc < 4) num = 0;
    for (int n = 0; n < num; n++)
        finder_key(n, first + n, FR_KEY_RW | FR_KEY_ACCESS | FR_KEY_DELETE, keys, key_flags, max);
    return num;
}

/* Position after the keyword a keyword spec searches for; 0 if absent.  The
 * search stops before the far end, as Redis's does. */
static int keyword_first(const fr_key_spec *ks, int argc,
                         const fr_str *const *argv) {
    int from = ks->bs_keyword_startfrom;
    int start = from > 0 ? from : argc + from;
    int end = from > 0 ? argc - 1 : 1;
    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (!strcasecmp(argv[i]->buf, ks->bs_keyword)) return i + 1;
    }
    return 0;
}

/* Redis's strict integer syntax for a numkeys argument: optional '-', no
 * '+', no leading zeros, no spaces, no embedded NUL. */
static int parse_numkeys(const fr_str *s, long long *out) {
    size_t neg = s->len > 0 && s->buf[0] == '-';
    if (s->len == neg || s->len > 20 || strlen(s->buf) != s->len) return 0;
    for (size_t i = neg; i < s->len; i++)
        if (!isdigit((unsigned char)s->buf[i])) return 0;
    if (s->buf[neg] == '0' && (s->len > neg + 1 || neg)) return 0;
    return parse_ll(s->buf, out);
}

/* Last key position of one spec starting at `first`, or -1 when invalid. */
static long long spec_last(const fr_key_spec *ks, int argc,
                           const fr_str *const *argv, int *first, int *step) {
    if (ks->fk_type == FR_FK_RANGE) {
        *step = ks->fk_range_keystep;
        if (ks->fk_range_lastkey >= 0)
            return (long long)*first + ks->fk_range_lastkey;
        if (!ks->fk_range_limit) return (long long)argc + ks->fk_range_lastkey;
        return *first + ((argc - *first) / ks->fk_range_limit +
                         ks->fk_range_lastkey);
    }
    if (ks->fk_type != FR_FK_KEYNUM) return -1;
    long long numkeys;
    int idx = *first + ks->fk_keynum_keynumidx;
    *step = ks->fk_keynum_keystep;
    if (ks->fk_keynum_keynumidx >= argc || idx >= argc ||
        !parse_numkeys(argv[idx], &numkeys) || numkeys < 0)
        return -1;
    /* More keys than arguments can never fit; saying so here keeps a
     * numkeys near LLONG_MAX from overflowing the sum below. */
    if (numkeys > argc) return -1;
    *first += ks->fk_keynum_firstkey;
    return *first + numkeys - 1;
}

/* Redis's getKeysUsingKeySpecs() without partial results. */
static int keys_from_specs(const fr_cmd_meta *cmd, int argc,
                           const fr_str *const *argv, int *keys,
                           int *key_flags, int max) {
    int n = 0;
    for (int j = 0; j < cmd->nkey_specs; j++) {
        const fr_key_spec *ks = &cmd->key_specs[j];
        int first = 0, step = 1;
        if (ks->flags & FR_KEY_NOT_KEY) continue;
        if (ks->bs_type == FR_BS_INDEX)
            first = ks->bs_index_pos;
        else if (ks->bs_type == FR_BS_KEYWORD)
            first = keyword_first(ks, argc, argv);
        else
            return -1;
        if (!first) continue;
        long long last = spec_last(ks, argc, argv, &first, &step);
        if (last < 0 || last >= argc || last < first || first >= argc)
            return -1;
        for (long long i = first; i <= last; i += step, n++) {
            if (n >= max) continue;
            keys[n] = (int)i;
            if (key_flags) key_flags[n] = (int)ks->flags;
        }
        if (ks->flags & FR_KEY_INCOMPLETE) return -1;
    }
    return n;
}

int fr_cmd_getkeys(const fr_cmd_meta *cmd, int argc, const fr_str *const *argv,
                   int *keys, int *key_flags, int max) {
    int has_spec = 0, varflags = 0, rc = 0;
    for (int i = 0; i < cmd->nkey_specs; i++) {
        if (!(cmd->key_specs[i].flags & FR_KEY_NOT_KEY)) has_spec = 1;
        if (cmd->key_specs[i].flags & FR_KEY_VARIABLE_FLAGS) varflags = 1;
    }
    if (has_spec && !varflags) {
        rc = keys_from_specs(cmd, argc, argv, keys, key_flags, max);
        if (rc >= 0) return rc;
    }
    if (cmd->getkeys_proc)
        return cmd->getkeys_proc(cmd, argc, argv, keys, key_flags, max);
    return rc;
}

/* cmd_config.c -- CONFIG GET/SET/RESETSTAT/REWRITE/HELP.
 *
 * The directive table, its types and its validation belong to config.c;
 * this file turns arguments into calls on it and results into Redis 7.0.15's
 * replies and error texts.  Most directives take effect by being stored (the
 * core reads fr_cfg each time it needs a value); port and bind also
 * need the listeners rebuilt, which is done here, after the values are
 * stored, the way Redis applies them: close, listen again, and on failure
 * restore every directive of the command and listen as before.
 *
 * Invariants: CONFIG GET never lists a directive twice (names compare
 * case-insensitively); CONFIG SET changes all its directives or none. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "info.h"
#include "commands.h"

/* ------------------------------------------------------------ lookups */

typedef struct one_value {
    const char *want;  /* exact name looked up */
    char *value;       /* copy of its value, NULL when unknown */
} one_value;

static void one_value_cb(const char *name, const char *value, void *priv)
{
    one_value *o = priv;
    if (!o->value && !strcasecmp(name, o->want)) o->value = fr_strdup(value);
}

static int has_glob(const char *s)
{
    return strpbrk(s, "[*?") != NULL;
}

/* A directive's current value by exact (case-insensitive) name; NULL when
 * there is no such directive.  Caller frees. */
static char *config_value(const char *name)
{
    one_value o = {name, NULL};
    if (!has_glob(name)) fr_config_get_matching(name, one_value_cb, &o);
    return o.value;
}

static int config_exists(const char *name)
{
    char *v = config_value(name);
    fr_free(v);
    return v != NULL;
}

/* ---------------------------------------------------------------- GET */

typedef struct kv_list {
    fr_str **names, **values;
    size_t n, cap;
} kv_list;

static int kv_has(const kv_list *kv, const char *name)
{
    for (size_t i = 0; i < kv->n; i++)
        if (!strcasecmp(kv->names[i]->buf, name)) return 1;
    return 0;
}

static void kv_add(kv_list *kv, const char *name, size_t namelen, const char *value)
{
    if (kv->n == kv->cap) {
        kv->cap = kv->cap ? kv->cap * 2 : 8;
        kv->names = fr_realloc(kv->names, kv->cap * sizeof(fr_str *));
        kv->values = fr_realloc(kv->values, kv->cap * sizeof(fr_str *));
    }
    kv->names[kv->n] = fr_str_new(name, namelen);
    kv->values[kv->n++] = fr_str_new(value, strlen(value));
}

static void kv_free(kv_list *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        fr_str_free(kv->names[i]);
        fr_str_free(kv->values[i]);
    }
    fr_free(kv->names);
    fr_free(kv->values);
}

static void glob_cb(const char *name, const char *value, void *priv)
{
    kv_list *kv = priv;
    if (!kv_has(kv, name)) kv_add(kv, name, strlen(name), value);
}

/* An exact name is answered under the spelling it was asked with, as
 * Redis does ("CONFIG GET DATABASES" -> "DATABASES"); a pattern's matches
 * under their own names. */
static void get_one(kv_list *kv, const fr_str *arg)
{
    if (has_glob(arg->buf)) {
        fr_config_get_matching(arg->buf, glob_cb, kv);
        return;
    }
    if (memchr(arg->buf, '\0', arg->len) || kv_has(kv, arg->buf)) return;
    char *v = config_value(arg->buf);
    if (v) kv_add(kv, arg->buf, arg->len, v);
    fr_free(v);
}

void fr_cmd_config_get(fr_ctx *ctx)
{
    kv_list kv = {NULL, NULL, 0, 0};
    for (int i = 2; i < fr_argc(ctx); i++) get_one(&kv, fr_arg(ctx, i));
    fr_reply_map(ctx, (long)kv.n);
    for (size_t i = 0; i < kv.n; i++) {
        fr_reply_bulk_str(ctx, kv.names[i]);
        fr_reply_bulk_str(ctx, kv.values[i]);
    }
    kv_free(&kv);
}

/* ---------------------------------------------------------------- SET */

typedef struct set_req {
    int n;
    const char **names, **values;
    char **olds; /* values before the command, NULL for unknown names */
} set_req;

static void set_error(fr_ctx *ctx, const char *name, const char *why)
{
    if (why) fr_reply_errorf(ctx, "CONFIG SET failed (possibly related to argument '%s') - %s", name, why);
    else fr_reply_errorf(ctx, "CONFIG SET failed (possibly related to argument '%s')", name);
}

static void set_many_error(fr_ctx *ctx, const char *bad, const char *why)
{
    if (!bad) bad = "";
    if (!config_exists(bad))
        fr_reply_errorf(ctx, "Unknown option or number of arguments for CONFIG SET - '%s'", bad);
    else
        set_error(ctx, bad, why);
}

/* The first of port/bind (in argument order) whose value really changed,
 * or NULL: Redis applies a directive only when its value differs. */
static const char *listener_change(const set_req *r)
{
    for (int i = 0; i < r->n; i++) {
        const char *canon = !strcasecmp(r->names[i], "port") ? "port"
                            : !strcasecmp(r->names[i], "bind") ? "bind" : NULL;
        if (!canon || !r->olds[i]) continue;
        char *now = config_value(canon);
        int changed = now && strcmp(now, r->olds[i]);
        fr_free(now);
        if (changed) return canon;
    }
    return NULL;
}

static void restore_old_values(const set_req *r)
{
    const char *bad = NULL, *err = NULL;
    if (fr_config_set_many(r->n, r->names, (const char **)r->olds, &bad, &err))
        fr_log(FR_LOG_WARNING, "Failed restoring failed CONFIG SET command. Error setting %s: %s", bad ? bad : "?",
               err ? err : "unknown error");
    char why[512];
    fr_net_close_listeners();
    if (fr_net_listen(why, sizeof(why)))
        fr_log(FR_LOG_WARNING, "Failed applying restored failed CONFIG SET command: %s", why);
}

/* Rebuild the listeners after a port/bind change.  Replies and returns -1
 * (everything restored) when the new addresses cannot be listened on. */
static int apply_listeners(fr_ctx *ctx, const set_req *r)
{
    const char *which = listener_change(r);
    if (!which) return 0;
    char why[512];
    fr_net_close_listeners();
    if (fr_net_listen(why, sizeof(why)) == 0) return 0;
    fr_log(FR_LOG_WARNING, "%s", why);
    fr_log(FR_LOG_WARNING,
           "Failed applying new configuration. Possibly related to new %s setting. Restoring previous settings.",
           which);
    restore_old_values(r);
    set_error(ctx, which,
              !strcmp(which, "port") ? "Unable to listen on this port. Check server logs."
                                     : "Failed to bind to specified addresses.");
    return -1;
}

static void set_req_init(fr_ctx *ctx, set_req *r)
{
    r->n = (fr_argc(ctx) - 2) / 2;
    r->names = fr_malloc(sizeof(char *) * (size_t)r->n);
    r->values = fr_malloc(sizeof(char *) * (size_t)r->n);
    r->olds = fr_malloc(sizeof(char *) * (size_t)r->n);
    for (int i = 0; i < r->n; i++) {
        r->names[i] = fr_arg(ctx, 2 + 2 * i)->buf;
        r->values[i] = fr_arg(ctx, 3 + 2 * i)->buf;
        r->olds[i] = config_value(r->names[i]);
    }
}

static void set_req_free(set_req *r)
{
    for (int i = 0; i < r->n; i++) fr_free(r->olds[i]);
    fr_free(r->olds);
    fr_free(r->names);
    fr_free(r->values);
}

/* A name with a NUL byte cannot be a directive (config.c sees C strings,
 * so it would otherwise find the name's prefix). */
static const fr_str *name_with_nul(fr_ctx *ctx)
{
    for (int i = 2; i < fr_argc(ctx); i += 2) {
        const fr_str *a = fr_arg(ctx, i);
        if (memchr(a->buf, '\0', a->len)) return a;
    }
    return NULL;
}

void fr_cmd_config_set(fr_ctx *ctx)
{
    if (fr_argc(ctx) % 2) { /* name/value pairs only */
        fr_reply_syntax_error(ctx);
        return;
    }
    /* Every sensitive value is hidden from the slow log, even when the
     * command fails, as Redis does. */
    for (int i = 2; i + 1 < fr_argc(ctx); i += 2)
        if (fr_config_is_sensitive(fr_arg(ctx, i)->buf)) fr_ctx_redact(ctx, i + 1);
    const fr_str *nul = name_with_nul(ctx);
    if (nul) {
        fr_reply_errorf(ctx, "Unknown option or number of arguments for CONFIG SET - '%s'", nul->buf);
        return;
    }
    set_req r;
    set_req_init(ctx, &r);
    const char *bad = NULL, *why = NULL;
    if (fr_config_set_many(r.n, r.names, r.values, &bad, &why))
        set_many_error(ctx, bad, why);
    else if (apply_listeners(ctx, &r) == 0)
        fr_reply_ok(ctx);
    set_req_free(&r);
}

/* ----------------------------------------------------------- RESETSTAT */

/* Every INFO stats counter goes back to zero, the instantaneous samples
 * too (their baseline restarts now).  Kept: the hardened-mode divergence
 * count, which INFO modules reports per module and RESETSTAT does not
 * touch there either. */
static void reset_server_stats(void)
{
    long long divergences = fr_runtime.stats.divergences;
    memset(&fr_proto.stats, 0, sizeof(fr_proto.stats));
    memset(&fr_keyspace.stats, 0, sizeof(fr_keyspace.stats));
    memset(&fr_runtime.stats, 0, sizeof(fr_runtime.stats));
    memset(&fr_runtime.fork, 0, sizeof(fr_runtime.fork));
    fr_runtime.stats.divergences = divergences;
    fr_lazyfree_reset_stats();
    fr_info_reset_samples((long long)fr_clock_wall_ms());
}

void fr_cmd_config_resetstat(fr_ctx *ctx)
{
    reset_server_stats();
    fr_cmdtable_reset_stats();
    fr_error_stats_reset();
    fr_reply_ok(ctx);
}

/* ------------------------------------------------------------- REWRITE */

/* The file the server was started with, rewritten in place (config.c). */
void fr_cmd_config_rewrite(fr_ctx *ctx)
{
    if (!fr_proc.config_file) {
        fr_reply_error(ctx, "The server is running without a config file");
        return;
    }
    if (fr_config_rewrite(fr_proc.config_file) != 0) {
        const char *why = strerror(errno);
        fr_log(FR_LOG_WARNING, "CONFIG REWRITE failed: %s", why);
        fr_reply_errorf(ctx, "Rewriting config file: %s", why);
        return;
    }
    fr_log(FR_LOG_WARNING, "CONFIG REWRITE executed with success.");
    fr_reply_ok(ctx);
}

/* ---------------------------------------------------------------- HELP */

/* Redis's lines, in Redis's order. */
static const char *const config_help[] = {
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    NULL,
};

void fr_cmd_config_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, config_help);
}

/* cmd_debug.c -- DEBUG: the subcommands Redis 7.0.15's own tests use, with
 * Redis's replies.
 *
 * DEBUG is one command (arity -2) for COMMAND, as in Redis; the subcommand
 * is resolved here.  The core's own subcommands are in `table` below, each
 * with the argument counts Redis accepts; a subcommand a module serves
 * (RELOAD: rdb, SET-ACTIVE-EXPIRE: ttl, POPULATE: strings, ...) is looked
 * up in the registry its manifest's `debug:` list fills
 * (debug_registry.c); anything else, or a wrong argument count, is Redis's
 * subcommand syntax error.  Whether DEBUG may run at all
 * (enable-debug-command) is decided before, by the dispatcher. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "commands.h"
#include "kv.h"

static const char *const debug_help[] = {
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
    NULL,
};

/* Settings DEBUG changes that no module acts on yet (the list type's
 * packed threshold, the reply buffers' peak reset and resizing). */
#define PACKED_THRESHOLD_DEFAULT (1LL << 30)
static long long packed_threshold = PACKED_THRESHOLD_DEFAULT;
static long long reply_peak_reset_ms = 5000;
static int reply_resizing = 1;

static void hex20(const unsigned char d[20], char out[41])
{
    for (int i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const char *arg_text(fr_ctx *ctx, int i)
{
    return fr_arg(ctx, i)->buf;
}

static void debug_sleep(fr_ctx *ctx)
{
    double secs = strtod(arg_text(ctx, 2), NULL);
    long long us = (long long)(secs * 1000000);
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
    fr_reply_ok(ctx);
}

/* DEBUG HTSTATS dbid: the keys and expires tables' shape, as text. */
static void debug_htstats(fr_ctx *ctx)
{
    long long id;
    if (fr_arg_ll_or_reply(ctx, 2, &id) != FR_OK) return;
    fr_db *db = id >= 0 && id < fr_db_count() ? fr_db_by_id(ctx, (long)id) : NULL;
    if (!db) {
        fr_reply_error(ctx, "Out of range database");
        return;
    }
    char buf[4096];
    fr_str *out = fr_str_new("[Dictionary HT]\n", 16);
    out = fr_str_cat(out, buf, fr_dict_get_stats(db->keys, buf, sizeof(buf)));
    out = fr_str_cat(out, "[Expires HT]\n", 13);
    out = fr_str_cat(out, buf, fr_dict_get_stats(db->expires, buf, sizeof(buf)));
    fr_reply_verbatim(ctx, out->buf, out->len, "txt");
    fr_str_free(out);
}

/* RESP3 types the SDK has no call for: written as Redis writes them. */
static void raw(fr_ctx *ctx, const char *s)
{
    fr_client_add_reply(ctx->client, s, strlen(s));
}

static void protocol_aggregates(fr_ctx *ctx, const char *name)
{
    if (!strcasecmp(name, "array") || !strcasecmp(name, "set")) {
        if (!strcasecmp(name, "array")) fr_reply_array(ctx, 3);
        else fr_reply_set(ctx, 3);
        for (int j = 0; j < 3; j++) fr_reply_long_long(ctx, j);
    } else if (!strcasecmp(name, "map")) {
        fr_reply_map(ctx, 3);
        for (int j = 0; j < 3; j++) {
            fr_reply_long_long(ctx, j);
            fr_reply_bool(ctx, j == 1);
        }
    } else if (!strcasecmp(name, "attrib")) {
        if (fr_ctx_resp(ctx) >= 3) raw(ctx, "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n");
        fr_reply_bulk_cstr(ctx, "Some real reply following the attribute");
    } else if (!strcasecmp(name, "push")) {
        if (fr_ctx_resp(ctx) < 3) {
            fr_reply_error(ctx, "RESP2 is not supported by this command");
            return;
        }
        raw(ctx, ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n");
        fr_reply_bulk_cstr(ctx, "Some real reply following the push reply");
    } else {
        fr_reply_error(ctx, "Wrong protocol type name. Please use one of the following: "
                            "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
    }
}

static void debug_protocol(fr_ctx *ctx)
{
    const char *name = arg_text(ctx, 2);
    static const char bignum[] = "1234567999999999999999999999999999999";
    if (!strcasecmp(name, "string")) fr_reply_bulk_cstr(ctx, "Hello World");
    else if (!strcasecmp(name, "integer")) fr_reply_long_long(ctx, 12345);
    else if (!strcasecmp(name, "double")) fr_reply_double(ctx, 3.141);
    else if (!strcasecmp(name, "bignum") && fr_ctx_resp(ctx) >= 3) raw(ctx, "(1234567999999999999999999999999999999\r\n");
    else if (!strcasecmp(name, "bignum")) fr_reply_bulk(ctx, bignum, sizeof(bignum) - 1);
    else if (!strcasecmp(name, "null")) fr_reply_null(ctx);
    else if (!strcasecmp(name, "true")) fr_reply_bool(ctx, 1);
    else if (!strcasecmp(name, "false")) fr_reply_bool(ctx, 0);
    else if (!strcasecmp(name, "verbatim")) fr_reply_verbatim(ctx, "This is a verbatim\nstring", 25, "txt");
    else protocol_aggregates(ctx, name);
}

/* The entry of argument 2 in the client's DB, as stored (expired too). */
static fr_value *raw_value(fr_ctx *ctx)
{
    return fr_db_find_raw(fr_ctx_db(ctx), fr_arg(ctx, 2));
}

static void debug_object(fr_ctx *ctx)
{
    fr_value *v = raw_value(ctx);
    if (!v) {
        fr_reply_error(ctx, "no such key");
        return;
    }
    const fr_type_def *def = fr_type_def_of(fr_value_type(v));
    int refcount = def && def->refcount ? def->refcount(v->payload) : fr_value_refcount(v);
    const char *enc = def && def->encoding ? def->encoding(v->payload) : "unknown";
    char line[512];
    snprintf(line, sizeof(line),
             "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%d lru_seconds_idle:%llu", (void *)v,
             refcount, enc, fr_serialized_len(v), (int)v->lru, fr_value_idle_ms(v) / 1000);
    fr_reply_status(ctx, line);
}

/* LISTPACK / QUICKLIST <key>: the key read as OBJECT reads it; the dump
 * itself goes to stdout in Redis, here only the reply is given. */
static void encoding_check(fr_ctx *ctx, const char *enc, const char *refusal, const char *done)
{
    fr_value *v = fr_key_lookup(ctx, fr_ctx_db(ctx), fr_arg(ctx, 2), FR_LOOKUP_NOTOUCH | FR_LOOKUP_NOSTATS);
    if (!v) {
        fr_reply_error(ctx, "no such key");
        return;
    }
    const fr_type_def *def = fr_type_def_of(fr_value_type(v));
    const char *have = def && def->encoding ? def->encoding(v->payload) : "";
    if (strcmp(have, enc)) fr_reply_error(ctx, refusal);
    else fr_reply_status(ctx, done);
}

static void debug_listpack(fr_ctx *ctx)
{
    encoding_check(ctx, "listpack", "Not a listpack encoded object.", "Listpack structure printed on stdout");
}

static void debug_quicklist(fr_ctx *ctx)
{
    encoding_check(ctx, "quicklist", "Not a quicklist encoded object.", "Quicklist structure printed on stdout");
}

static void debug_digest(fr_ctx *ctx)
{
    unsigned char d[20];
    char hex[41];
    fr_digest_dataset(d);
    hex20(d, hex);
    fr_reply_status(ctx, hex);
}

static void debug_digest_value(fr_ctx *ctx)
{
    fr_reply_array(ctx, fr_argc(ctx) - 2);
    for (int j = 2; j < fr_argc(ctx); j++) {
        unsigned char d[20];
        char hex[41];
        fr_db *db = fr_ctx_db(ctx);
        fr_digest_value(db, fr_db_find_raw(db, fr_arg(ctx, j)), d);
        hex20(d, hex);
        fr_reply_status(ctx, hex);
    }
}

/* "-<text>" written raw, newlines made spaces: like Redis, not counted as
 * an error reply (no errorstats, no failed call). */
static void debug_error(fr_ctx *ctx)
{
    const fr_str *a = fr_arg(ctx, 2);
    fr_str *e = fr_str_new("-", 1);
    e = fr_str_cat(e, a->buf, a->len);
    for (size_t i = 0; i < e->len; i++)
        if (e->buf[i] == '\r' || e->buf[i] == '\n') e->buf[i] = ' ';
    e = fr_str_cat(e, "\r\n", 2);
    fr_client_add_reply(ctx->client, e->buf, e->len);
    fr_str_free(e);
}

static void debug_log(fr_ctx *ctx)
{
    fr_log(FR_LOG_WARNING, "DEBUG LOG: %s", arg_text(ctx, 2));
    fr_reply_ok(ctx);
}

/* Random patterns against random strings: it must not crash or hang. */
static void debug_stringmatch_test(fr_ctx *ctx)
{
    static const char alphabet[] = "*?[]\\^-ab";
    char pat[32], str[32];
    for (int i = 0; i < 100000; i++) {
        size_t pl = (size_t)(random() % (long)sizeof(pat)), sl = (size_t)(random() % (long)sizeof(str));
        for (size_t j = 0; j < pl; j++) pat[j] = alphabet[random() % (long)(sizeof(alphabet) - 1)];
        for (size_t j = 0; j < sl; j++) str[j] = alphabet[random() % (long)(sizeof(alphabet) - 1)];
        fr_stringmatch(pat, pl, str, sl, 0);
    }
    fr_reply_status(ctx, "Apparently Redis did not crash: test passed");
}

static void debug_packed_threshold(fr_ctx *ctx)
{
    long long sz;
    if (!fr_manifest_parse_memory(arg_text(ctx, 2), &sz) || sz < 0 ||
        (unsigned long long)sz > (1ULL << 32) - (1ULL << 20)) {
        fr_reply_error(ctx, "argument must be a memory value bigger than 1 and smaller than 4gb");
        return;
    }
    packed_threshold = sz ? sz : PACKED_THRESHOLD_DEFAULT;
    fr_reply_ok(ctx);
}

static void debug_pause_cron(fr_ctx *ctx)
{
    fr_runtime.pause_cron = atoi(arg_text(ctx, 2));
    fr_reply_ok(ctx);
}

static void debug_replybuffer(fr_ctx *ctx)
{
    const char *what = arg_text(ctx, 2), *val = arg_text(ctx, 3);
    if (!strcasecmp(what, "peak-reset-time")) {
        if (!strcasecmp(val, "never")) reply_peak_reset_ms = -1;
        else if (!strcasecmp(val, "reset")) reply_peak_reset_ms = 5000;
        else if (fr_arg_ll_or_reply(ctx, 3, &reply_peak_reset_ms) != FR_OK) return;
    } else if (!strcasecmp(what, "resizing")) {
        reply_resizing = atoi(val);
    } else {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    fr_reply_ok(ctx);
}

/* Accepted and answered OK, as Redis does, with nothing to act on here. */
static void debug_ok(fr_ctx *ctx)
{
    fr_reply_ok(ctx);
}

/* Redis reads the flag with atoi: any text is a number. */
static void debug_deny_scripts(fr_ctx *ctx)
{
    fr_runtime.script_deny_disabled = atoi(arg_text(ctx, 2));
    fr_reply_ok(ctx);
}

static void debug_help_reply(fr_ctx *ctx)
{
    fr_reply_help(ctx, debug_help);
}

/* Core subcommands: name, argument counts accepted (whole DEBUG call). */
static const struct {
    const char *name;
    int min_argc, max_argc;
    fr_command_fn fn;
} table[] = {
    {"help", 2, 2, debug_help_reply},
    {"sleep", 3, 3, debug_sleep},
    {"protocol", 3, 3, debug_protocol},
    {"object", 3, 3, debug_object},
    {"listpack", 3, 3, debug_listpack},
    {"quicklist", 3, 4, debug_quicklist},
    {"digest", 2, 2, debug_digest},
    {"htstats", 3, 3, debug_htstats},
    {"digest-value", 2, 1 << 30, debug_digest_value},
    {"error", 3, 3, debug_error},
    {"log", 3, 3, debug_log},
    {"leak", 3, 3, debug_ok},
    {"stringmatch-test", 2, 2, debug_stringmatch_test},
    {"quicklist-packed-threshold", 3, 3, debug_packed_threshold},
    {"pause-cron", 3, 3, debug_pause_cron},
    {"replybuffer", 4, 4, debug_replybuffer},
    {"aof-flush-sleep", 3, 3, debug_ok},
    {"set-disable-deny-scripts", 3, 3, debug_deny_scripts},
};

void fr_cmd_debug(fr_ctx *ctx)
{
    const char *sub = arg_text(ctx, 1);
    int argc = fr_argc(ctx);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcasecmp(table[i].name, sub)) continue;
        if (argc < table[i].min_argc || argc > table[i].max_argc) break;
        table[i].fn(ctx);
        return;
    }
    fr_module *owner, *caller = ctx->module;
    fr_command_fn fn = fr_debug_find(sub, &owner);
    if (!fn) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    ctx->module = owner; /* the serving module's mode applies */
    fn(ctx);
    ctx->module = caller;
}

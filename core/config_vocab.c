/* config_vocab.c -- Redis 7.0.15's configuration vocabulary.
 *
 * Owns the table of every parameter Redis 7.0.15 has (names, aliases,
 * types, flags, ranges, defaults as CONFIG GET shows them, enum words) and
 * the parsers of the ones with a syntax of their own (save, replicaof,
 * notify-keyspace-events's letters, ...), which reproduce Redis's validation and
 * error texts.  config.c looks a directive up in the core's table, then in
 * the loaded modules' directives, and only then here: an entry answers for
 * a parameter nobody implements (accepted, validated, stored, no effect),
 * and otherwise lends its alias and its CONFIG REWRITE format to the
 * directive that shadows it.
 *
 * Invariants: names and aliases are lower case and unique across the
 * table; every default is valid for its own entry (config.c panics at
 * start-up otherwise); an entry with `refuse` accepts only its default,
 * because accepting another value without acting on it would be a lie the
 * user relies on (docs/config.md lists them). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "runtime.h"

/* ---------------------------------------------------------- enum words */

static const fr_conf_enum words_protected[] = {{"no", 0}, {"yes", 1}, {"local", 2}, {NULL, 0}};
static const fr_conf_enum words_policy[] = {
    {"volatile-lru", 0}, {"volatile-lfu", 1}, {"volatile-random", 2}, {"volatile-ttl", 3},
    {"allkeys-lru", 4}, {"allkeys-lfu", 5}, {"allkeys-random", 6}, {"noeviction", 7}, {NULL, 0}};
static const fr_conf_enum words_loglevel[] = {
    {"debug", 0}, {"verbose", 1}, {"notice", 2}, {"warning", 3}, {NULL, 0}};
static const fr_conf_enum words_supervised[] = {
    {"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}, {NULL, 0}};
static const fr_conf_enum words_facility[] = {
    {"user", 0}, {"local0", 1}, {"local1", 2}, {"local2", 3}, {"local3", 4},
    {"local4", 5}, {"local5", 6}, {"local6", 7}, {"local7", 8}, {NULL, 0}};
static const fr_conf_enum words_diskless_load[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {NULL, 0}};
static const fr_conf_enum words_fsync[] = {{"everysec", 0}, {"always", 1}, {"no", 2}, {NULL, 0}};
/* "yes" and "relative" are one value: CONFIG GET shows the first, "yes". */
static const fr_conf_enum words_oom[] = {
    {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}, {NULL, 0}};
static const fr_conf_enum words_pubsub[] = {{"allchannels", 1}, {"resetchannels", 0}, {NULL, 0}};
static const fr_conf_enum words_sanitize[] = {{"no", 0}, {"yes", 1}, {"clients", 2}, {NULL, 0}};
static const fr_conf_enum words_endpoint[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {NULL, 0}};
static const fr_conf_enum words_propagation[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {NULL, 0}};
static const fr_conf_enum words_tls_auth[] = {{"no", 0}, {"yes", 1}, {"optional", 2}, {NULL, 0}};

/* ------------------------------------------------------------- parsers */

static const char *norm_save(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_oom_values(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_replicaof(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_percentiles(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_shutdown_sig(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_dbfilename(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_aof_filename(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_aof_dirname(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_hostname(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);
static const char *norm_proc_title(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen);

/* ----------------------------------------------------------- the table */

#define IMM FR_VF_IMMUTABLE
#define PROT FR_VF_PROTECTED
#define SENS FR_VF_SENSITIVE
#define MULTI FR_VF_MULTI_ARG
#define HID FR_VF_HIDDEN
#define DENY FR_VF_DENY_LOADING
#define UNS FR_VF_UNSIGNED
#define NUL FR_VF_EMPTY_IS_NULL

#define BOOL(n, a, f, d) {n, a, FR_VT_BOOL, f, 0, 0, d, NULL, NULL, NULL, FR_RW_PLAIN, 0}
#define INT(n, a, f, mi, ma, d) {n, a, FR_VT_INT, f, mi, ma, d, NULL, NULL, NULL, FR_RW_PLAIN, 0}
#define MEM(n, a, f, mi, ma, d) {n, a, FR_VT_MEMORY, f, mi, ma, d, NULL, NULL, NULL, FR_RW_PLAIN, 0}
#define STR(n, a, f, d, chk) {n, a, FR_VT_STRING, f, 0, 0, d, NULL, chk, NULL, FR_RW_PLAIN, 0}
#define ENUM(n, a, f, w, d) {n, a, FR_VT_ENUM, f, 0, 0, d, w, NULL, NULL, FR_RW_PLAIN, 0}
#define SPECIAL(n, a, f, d, fn, rw) {n, a, FR_VT_SPECIAL, f, 0, 0, d, NULL, fn, NULL, rw, 0}
#define NOT_IMPLEMENTED(what) what ", which FrankenRedis does not implement"

#define LMAX LONG_MAX
#define ULLMAX ((long long)-1) /* ULLONG_MAX, compared unsigned (FR_VF_UNSIGNED) */

const fr_vocab fr_config_vocab[] = {
    /* yes/no */
    BOOL("rdbchecksum", NULL, IMM, "yes"),
    BOOL("daemonize", NULL, IMM, "no"),
    BOOL("io-threads-do-reads", NULL, IMM, "no"),
    BOOL("always-show-logo", NULL, IMM, "no"),
    BOOL("protected-mode", NULL, 0, "yes"),
    BOOL("rdbcompression", NULL, 0, "yes"),
    BOOL("rdb-del-sync-files", NULL, 0, "no"),
    BOOL("activerehashing", NULL, 0, "yes"),
    BOOL("stop-writes-on-bgsave-error", NULL, 0, "yes"),
    BOOL("set-proc-title", NULL, IMM, "yes"),
    BOOL("dynamic-hz", NULL, 0, "yes"),
    BOOL("lazyfree-lazy-eviction", NULL, 0, "no"),
    BOOL("lazyfree-lazy-expire", NULL, 0, "no"),
    BOOL("lazyfree-lazy-server-del", NULL, 0, "no"),
    BOOL("lazyfree-lazy-user-del", NULL, 0, "no"),
    BOOL("lazyfree-lazy-user-flush", NULL, 0, "no"),
    BOOL("repl-disable-tcp-nodelay", NULL, 0, "no"),
    BOOL("repl-diskless-sync", NULL, 0, "yes"),
    BOOL("aof-rewrite-incremental-fsync", NULL, 0, "yes"),
    BOOL("no-appendfsync-on-rewrite", NULL, 0, "no"),
    BOOL("cluster-require-full-coverage", NULL, 0, "yes"),
    BOOL("rdb-save-incremental-fsync", NULL, 0, "yes"),
    BOOL("aof-load-truncated", NULL, 0, "yes"),
    BOOL("aof-use-rdb-preamble", NULL, 0, "yes"),
    BOOL("aof-timestamp-enabled", NULL, 0, "no"),
    BOOL("cluster-replica-no-failover", "cluster-slave-no-failover", 0, "no"),
    BOOL("replica-lazy-flush", "slave-lazy-flush", 0, "no"),
    BOOL("replica-serve-stale-data", "slave-serve-stale-data", 0, "yes"),
    BOOL("replica-read-only", "slave-read-only", 0, "yes"),
    BOOL("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, "yes"),
    BOOL("jemalloc-bg-thread", NULL, 0, "yes"),
    /* Redis's own refusal when built without active defragmentation. */
    {"activedefrag", NULL, FR_VT_BOOL, 0, 0, 0, "no", NULL, NULL,
     "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc "
     "like the one shipped by default with the Redis source distribution", FR_RW_PLAIN, 0},
    BOOL("syslog-enabled", NULL, IMM, "no"),
    {"cluster-enabled", NULL, FR_VT_BOOL, IMM, 0, 0, "no", NULL, NULL,
     NOT_IMPLEMENTED("cluster-enabled needs Redis Cluster"), FR_RW_PLAIN, 0},
    /* Clients (redis-benchmark among them) read it; the aof module owns
     * it when loaded, and without that module "yes" would be a lie. */
    {"appendonly", NULL, FR_VT_BOOL, DENY, 0, 0, "no", NULL, NULL,
     "appendonly needs the aof module, which is not loaded", FR_RW_PLAIN, 0},
    BOOL("cluster-allow-reads-when-down", NULL, 0, "no"),
    BOOL("cluster-allow-pubsubshard-when-down", NULL, 0, "yes"),
    BOOL("crash-log-enabled", NULL, 0, "yes"),
    BOOL("crash-memcheck-enabled", NULL, 0, "yes"),
    BOOL("use-exit-on-panic", NULL, HID, "no"),
    BOOL("disable-thp", NULL, IMM, "yes"),
    BOOL("cluster-allow-replica-migration", NULL, 0, "yes"),
    BOOL("replica-announced", NULL, 0, "yes"),
    BOOL("latency-tracking", NULL, 0, "yes"),
    BOOL("aof-disable-auto-gc", NULL, 0, "no"),
    BOOL("replica-ignore-disk-write-errors", NULL, 0, "no"),
    BOOL("lua-enable-deprecated-api", NULL, IMM | HID, "no"),

    /* strings */
    {"aclfile", NULL, FR_VT_STRING, IMM, 0, 0, "", NULL, NULL, NULL, FR_RW_PLAIN, 0},
    STR("unixsocket", NULL, IMM | NUL, "", NULL),
    STR("pidfile", NULL, IMM | NUL, "", NULL),
    STR("replica-announce-ip", "slave-announce-ip", NUL, "", NULL),
    STR("masteruser", NULL, SENS | NUL, "", NULL),
    STR("cluster-announce-ip", NULL, NUL, "", NULL),
    STR("cluster-config-file", NULL, IMM, "nodes.conf", NULL),
    STR("cluster-announce-hostname", NULL, NUL, "", norm_hostname),
    STR("syslog-ident", NULL, IMM, "redis", NULL),
    STR("dbfilename", NULL, PROT, "dump.rdb", norm_dbfilename),
    STR("appendfilename", NULL, IMM, "appendonly.aof", norm_aof_filename),
    STR("appenddirname", NULL, IMM, "appendonlydir", norm_aof_dirname),
    STR("server_cpulist", NULL, IMM | NUL, "", NULL),
    STR("bio_cpulist", NULL, IMM | NUL, "", NULL),
    STR("aof_rewrite_cpulist", NULL, IMM | NUL, "", NULL),
    STR("bgsave_cpulist", NULL, IMM | NUL, "", NULL),
    STR("ignore-warnings", NULL, 0, "", NULL),
    STR("proc-title-template", NULL, 0, "{title} {listen-addr} {server-mode}", norm_proc_title),
    STR("bind-source-addr", NULL, NUL, "", NULL),
    STR("logfile", NULL, IMM, "", NULL),
    STR("masterauth", NULL, SENS | NUL, "", NULL),
    STR("requirepass", NULL, SENS | NUL, "", NULL),

    /* one word of a list */
    ENUM("supervised", NULL, IMM, words_supervised, "no"),
    ENUM("syslog-facility", NULL, IMM, words_facility, "local0"),
    ENUM("repl-diskless-load", NULL, DENY, words_diskless_load, "disabled"),
    ENUM("loglevel", NULL, 0, words_loglevel, "notice"),
    ENUM("maxmemory-policy", NULL, 0, words_policy, "noeviction"),
    ENUM("appendfsync", NULL, 0, words_fsync, "everysec"),
    ENUM("oom-score-adj", NULL, 0, words_oom, "no"),
    ENUM("acl-pubsub-default", NULL, 0, words_pubsub, "resetchannels"),
    ENUM("sanitize-dump-payload", NULL, 0, words_sanitize, "no"),
    ENUM("enable-protected-configs", NULL, IMM, words_protected, "no"),
    ENUM("enable-debug-command", NULL, IMM, words_protected, "no"),
    ENUM("enable-module-command", NULL, IMM, words_protected, "no"),
    ENUM("cluster-preferred-endpoint-type", NULL, 0, words_endpoint, "ip"),
    ENUM("propagation-error-behavior", NULL, 0, words_propagation, "ignore"),
    SPECIAL("shutdown-on-sigint", NULL, MULTI, "default", norm_shutdown_sig, FR_RW_PLAIN),
    SPECIAL("shutdown-on-sigterm", NULL, MULTI, "default", norm_shutdown_sig, FR_RW_PLAIN),

    /* integers */
    INT("databases", NULL, IMM, 1, INT_MAX, "16"),
    INT("port", NULL, 0, 0, 65535, "6379"),
    INT("io-threads", NULL, IMM, 1, 128, "1"),
    INT("auto-aof-rewrite-percentage", NULL, 0, 0, INT_MAX, "100"),
    INT("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, 0, INT_MAX, "10"),
    INT("list-max-listpack-size", "list-max-ziplist-size", 0, INT_MIN, INT_MAX, "-2"),
    INT("tcp-keepalive", NULL, 0, 0, INT_MAX, "300"),
    INT("cluster-migration-barrier", NULL, 0, 0, INT_MAX, "1"),
    INT("active-defrag-cycle-min", NULL, 0, 1, 99, "1"),
    INT("active-defrag-cycle-max", NULL, 0, 1, 99, "25"),
    INT("active-defrag-threshold-lower", NULL, 0, 0, 1000, "10"),
    INT("active-defrag-threshold-upper", NULL, 0, 0, 1000, "100"),
    INT("lfu-log-factor", NULL, 0, 0, INT_MAX, "10"),
    INT("lfu-decay-time", NULL, 0, 0, INT_MAX, "1"),
    INT("replica-priority", "slave-priority", 0, 0, INT_MAX, "100"),
    INT("repl-diskless-sync-delay", NULL, 0, 0, INT_MAX, "5"),
    INT("maxmemory-samples", NULL, 0, 1, INT_MAX, "5"),
    INT("maxmemory-eviction-tenacity", NULL, 0, 0, 100, "10"),
    INT("timeout", NULL, 0, 0, INT_MAX, "0"),
    INT("replica-announce-port", "slave-announce-port", 0, 0, 65535, "0"),
    INT("tcp-backlog", NULL, IMM, 0, INT_MAX, "511"),
    INT("cluster-port", NULL, IMM, 0, 65535, "0"),
    INT("cluster-announce-bus-port", NULL, 0, 0, 65535, "0"),
    INT("cluster-announce-port", NULL, 0, 0, 65535, "0"),
    INT("cluster-announce-tls-port", NULL, 0, 0, 65535, "0"),
    INT("repl-timeout", NULL, 0, 1, INT_MAX, "60"),
    INT("repl-ping-replica-period", "repl-ping-slave-period", 0, 1, INT_MAX, "10"),
    INT("list-compress-depth", NULL, 0, 0, INT_MAX, "0"),
    INT("rdb-key-save-delay", NULL, HID, INT_MIN, INT_MAX, "0"),
    INT("key-load-delay", NULL, HID, INT_MIN, INT_MAX, "0"),
    INT("active-expire-effort", NULL, 0, 1, 10, "1"),
    INT("hz", NULL, 0, 0, INT_MAX, "10"),
    {"min-replicas-to-write", "min-slaves-to-write", FR_VT_INT, 0, 0, INT_MAX, "0", NULL, NULL,
     NOT_IMPLEMENTED("min-replicas-to-write needs replication"), FR_RW_PLAIN, 0},
    INT("min-replicas-max-lag", "min-slaves-max-lag", 0, 0, INT_MAX, "10"),
    INT("watchdog-period", NULL, HID, 0, INT_MAX, "0"),
    INT("shutdown-timeout", NULL, 0, 0, INT_MAX, "10"),
    INT("repl-diskless-sync-max-replicas", NULL, 0, 0, INT_MAX, "0"),
    INT("maxclients", NULL, UNS, 1, UINT_MAX, "10000"),
    INT("unixsocketperm", NULL, IMM | UNS | FR_VF_OCTAL, 0, 0777, "0"),
    INT("socket-mark-id", NULL, IMM | UNS, 0, UINT_MAX, "0"),
    INT("active-defrag-max-scan-fields", NULL, 0, 1, LMAX, "1000"),
    INT("slowlog-max-len", NULL, 0, 0, LMAX, "128"),
    INT("acllog-max-len", NULL, 0, 0, LMAX, "128"),
    INT("busy-reply-threshold", "lua-time-limit", 0, 0, LMAX, "5000"),
    INT("cluster-node-timeout", NULL, 0, 0, LLONG_MAX, "15000"),
    INT("slowlog-log-slower-than", NULL, 0, -1, LLONG_MAX, "10000"),
    INT("latency-monitor-threshold", NULL, 0, 0, LLONG_MAX, "0"),
    MEM("proto-max-bulk-len", NULL, 0, 1024 * 1024, LLONG_MAX, "536870912"),
    INT("stream-node-max-entries", NULL, 0, 0, LLONG_MAX, "100"),
    /* Redis raises a smaller backlog to its 16 kB minimum. */
    {"repl-backlog-size", NULL, FR_VT_MEMORY, 0, 1, LLONG_MAX, "1048576", NULL, NULL, NULL, FR_RW_PLAIN, 16384},
    /* A limit nothing enforces would be a silent lie: without the evict
     * module (which then owns the directive) only 0 is accepted. */
    {"maxmemory", NULL, FR_VT_MEMORY, UNS, 0, ULLMAX, "0", NULL, NULL,
     "maxmemory needs an eviction module, which is not loaded", FR_RW_PLAIN, 0},
    MEM("cluster-link-sendbuf-limit", NULL, UNS, 0, ULLMAX, "0"),
    INT("hash-max-listpack-entries", "hash-max-ziplist-entries", UNS, 0, LMAX, "512"),
    INT("set-max-intset-entries", NULL, UNS, 0, LMAX, "512"),
    INT("zset-max-listpack-entries", "zset-max-ziplist-entries", UNS, 0, LMAX, "128"),
    MEM("active-defrag-ignore-bytes", NULL, UNS, 1, LLONG_MAX, "104857600"),
    MEM("hash-max-listpack-value", "hash-max-ziplist-value", UNS, 0, LMAX, "64"),
    MEM("stream-node-max-bytes", NULL, UNS, 0, LMAX, "4096"),
    MEM("zset-max-listpack-value", "zset-max-ziplist-value", UNS, 0, LMAX, "64"),
    MEM("hll-sparse-max-bytes", NULL, UNS, 0, LMAX, "3000"),
    INT("tracking-table-max-keys", NULL, UNS, 0, LMAX, "1000000"),
    MEM("client-query-buffer-limit", NULL, UNS, 1024 * 1024, LMAX, "1073741824"),
    {"maxmemory-clients", NULL, FR_VT_MEMORY, FR_VF_PERCENT, -100, SSIZE_MAX, "0", NULL, NULL,
     NOT_IMPLEMENTED("maxmemory-clients needs client eviction"), FR_RW_PLAIN, 0},
    INT("repl-backlog-ttl", NULL, 0, 0, LMAX, "3600"),
    MEM("auto-aof-rewrite-min-size", NULL, 0, 0, LLONG_MAX, "67108864"),
    INT("loading-process-events-interval-bytes", NULL, HID, 1024, INT_MAX, "2097152"),

    /* TLS (redis-server built with it, as Debian's is) */
    {"tls-port", NULL, FR_VT_INT, 0, 0, 65535, "0", NULL, NULL, NOT_IMPLEMENTED("tls-port needs TLS"),
     FR_RW_PLAIN, 0},
    INT("tls-session-cache-size", NULL, 0, 0, INT_MAX, "20480"),
    INT("tls-session-cache-timeout", NULL, 0, 0, INT_MAX, "300"),
    {"tls-cluster", NULL, FR_VT_BOOL, 0, 0, 0, "no", NULL, NULL, NOT_IMPLEMENTED("tls-cluster needs TLS"),
     FR_RW_PLAIN, 0},
    {"tls-replication", NULL, FR_VT_BOOL, 0, 0, 0, "no", NULL, NULL,
     NOT_IMPLEMENTED("tls-replication needs TLS"), FR_RW_PLAIN, 0},
    ENUM("tls-auth-clients", NULL, 0, words_tls_auth, "yes"),
    BOOL("tls-prefer-server-ciphers", NULL, 0, "no"),
    BOOL("tls-session-caching", NULL, 0, "yes"),
    STR("tls-cert-file", NULL, NUL, "", NULL),
    STR("tls-key-file", NULL, NUL, "", NULL),
    STR("tls-key-file-pass", NULL, NUL, "", NULL),
    STR("tls-client-cert-file", NULL, NUL, "", NULL),
    STR("tls-client-key-file", NULL, NUL, "", NULL),
    STR("tls-client-key-file-pass", NULL, NUL, "", NULL),
    STR("tls-dh-params-file", NULL, NUL, "", NULL),
    STR("tls-ca-cert-file", NULL, NUL, "", NULL),
    STR("tls-ca-cert-dir", NULL, NUL, "", NULL),
    STR("tls-protocols", NULL, NUL, "", NULL),
    STR("tls-ciphers", NULL, NUL, "", NULL),
    STR("tls-ciphersuites", NULL, NUL, "", NULL),

    /* own syntax */
    SPECIAL("dir", NULL, PROT | DENY, NULL, NULL, FR_RW_DIR),
    SPECIAL("save", NULL, MULTI, "3600 1 300 100 60 10000", norm_save, FR_RW_SAVE),
    SPECIAL("client-output-buffer-limit", NULL, MULTI,
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", NULL, FR_RW_OBUF),
    SPECIAL("oom-score-adj-values", NULL, MULTI, "0 200 800", norm_oom_values, FR_RW_PLAIN),
    SPECIAL("notify-keyspace-events", NULL, 0, "", NULL, FR_RW_QUOTED),
    SPECIAL("bind", NULL, MULTI, "* -::*", NULL, FR_RW_BIND),
    {"replicaof", "slaveof", FR_VT_SPECIAL, IMM | MULTI, 0, 0, NULL, NULL, norm_replicaof,
     NOT_IMPLEMENTED("replicaof needs replication"), FR_RW_REPLICAOF, 0},
    SPECIAL("latency-tracking-info-percentiles", NULL, MULTI, "50 99 99.9", norm_percentiles, FR_RW_ALWAYS),
};
const int fr_config_vocab_len = (int)(sizeof(fr_config_vocab) / sizeof(fr_config_vocab[0]));

const fr_vocab *fr_config_vocab_find(const char *name)
{
    for (int i = 0; i < fr_config_vocab_len; i++) {
        const fr_vocab *v = &fr_config_vocab[i];
        if (!strcasecmp(v->name, name) || (v->alias && !strcasecmp(v->alias, name))) return v;
    }
    return NULL;
}

/* ------------------------------------------------------- the parsers */

/* strtoll over the whole word, as Redis reads these numbers (so leading
 * blanks and '+' pass, and an empty word is 0). */
static int whole_ll(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

/* save: pairs of <seconds >= 1> <changes >= 0>; "" for none.  A later
 * line of the config adds its points to the earlier ones. */
static const char *norm_save(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    static const char *invalid = "Invalid save parameters";
    if (argc == 1 && !argv[0][0]) argc = 0;
    if (argc & 1) return invalid;
    size_t off = 0;
    out[0] = '\0';
    if (u->again_in_config && argc && u->current[0])
        off = (size_t)snprintf(out, outlen, "%s", u->current);
    for (int j = 0; j < argc; j += 2) {
        long long secs, changes;
        if (!whole_ll(argv[j], &secs) || secs < 1 || !whole_ll(argv[j + 1], &changes) || changes < 0)
            return invalid;
        if (off < outlen)
            off += (size_t)snprintf(out + off, outlen - off, "%s%lld %d", off ? " " : "", secs, (int)changes);
    }
    return off < outlen ? NULL : invalid;
}

/* notify-keyspace-events: class letters (Redis's keyspaceEventsStringToFlags
 * and its reverse), for the core's directive (config.c).  The bits are the
 * SDK's FR_NOTIFY_* values. */
enum { K = FR_NOTIFY_KEYSPACE, E = FR_NOTIFY_KEYEVENT, G = FR_NOTIFY_GENERIC, S_ = FR_NOTIFY_STRING,
       L = FR_NOTIFY_LIST, SET = FR_NOTIFY_SET, H = FR_NOTIFY_HASH, Z = FR_NOTIFY_ZSET, X = FR_NOTIFY_EXPIRED,
       EV = FR_NOTIFY_EVICTED, T = FR_NOTIFY_STREAM, M = FR_NOTIFY_KEY_MISS, D = FR_NOTIFY_MODULE,
       N = FR_NOTIFY_NEW, ALL = G | S_ | L | SET | H | Z | X | EV | T | D };

int fr_notify_flags_parse(const char *s)
{
    static const char letters[] = "AgslhzxeKEtmdn$";
    static const int bits[] = {ALL, G, SET, L, H, Z, X, EV, K, E, T, M, D, N, S_};
    int flags = 0;
    for (const char *p = s; *p; p++) {
        const char *at = strchr(letters, *p);
        if (!at) return -1;
        flags |= bits[at - letters];
    }
    return flags;
}

/* In Redis's canonical order; out needs 16 bytes. */
void fr_notify_flags_format(int flags, char *out)
{
    static const struct { int bit; char c; } order[] = {
        {G, 'g'}, {S_, '$'}, {L, 'l'}, {SET, 's'}, {H, 'h'}, {Z, 'z'}, {X, 'x'}, {EV, 'e'}, {T, 't'},
        {D, 'd'}, {N, 'n'}};
    size_t n = 0;
    if ((flags & ALL) == ALL) out[n++] = 'A';
    else
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
            if (flags & order[i].bit) out[n++] = order[i].c;
    if (flags & K) out[n++] = 'K';
    if (flags & E) out[n++] = 'E';
    if (flags & M) out[n++] = 'm';
    out[n] = '\0';
}

static const char *norm_oom_values(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)u;
    long long v[3];
    if (argc != 3) return "wrong number of arguments";
    for (int i = 0; i < 3; i++)
        if (!whole_ll(argv[i], &v[i]) || v[i] < -2000 || v[i] > 2000)
            return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
    snprintf(out, outlen, "%d %d %d", (int)v[0], (int)v[1], (int)v[2]);
    return NULL;
}

/* replicaof <host> <port> | no one.  Stored as CONFIG GET shows it. */
static const char *norm_replicaof(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)u;
    if (argc != 2) return "wrong number of arguments";
    out[0] = '\0';
    if (!strcasecmp(argv[0], "no") && !strcasecmp(argv[1], "one")) return NULL;
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (port < 0 || port > 65535 || *end) return "Invalid master port";
    snprintf(out, outlen, "%s %d", argv[0], (int)port);
    return NULL;
}

/* "%f" without the zeros after the point (and the point if nothing is left). */
static void trim_double(char *buf)
{
    if (!strchr(buf, '.')) return;
    size_t len = strlen(buf);
    while (buf[len - 1] == '0') len--;
    if (buf[len - 1] == '.') len--;
    buf[len] = '\0';
}

static const char *norm_percentiles(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)u;
    if (argc == 1 && !argv[0][0]) argc = 0;
    size_t off = 0;
    out[0] = '\0';
    for (int j = 0; j < argc; j++) {
        double p;
        char num[128];
        if (!fr_string2d(argv[j], strlen(argv[j]), &p)) return "Invalid latency-tracking-info-percentiles parameters";
        if (p > 100.0 || p < 0.0)
            return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
        snprintf(num, sizeof(num), "%f", p);
        trim_double(num);
        if (off < outlen) off += (size_t)snprintf(out + off, outlen - off, "%s%s", j ? " " : "", num);
    }
    return NULL;
}

/* shutdown-on-sigint/sigterm: any of save nosave now force, or default. */
static const char *norm_shutdown_sig(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)u;
    static const fr_conf_enum words[] = {
        {"default", 0}, {"save", 1}, {"nosave", 2}, {"now", 4}, {"force", 8}, {NULL, 0}};
    int flags = 0;
    if (argc == 0) return "argument(s) must be one of the following: default, save, nosave, now, force";
    for (int i = 0; i < argc; i++) {
        int matched = 0;
        for (int w = 0; words[w].name; w++)
            if (!strcasecmp(argv[i], words[w].name)) {
                flags |= words[w].value;
                matched = 1;
            }
        if (!matched) return "argument(s) must be one of the following: default, save, nosave, now, force";
    }
    if ((flags & 1) && (flags & 2)) return "shutdown options SAVE and NOSAVE can't be used simultaneously";
    if (!flags) {
        snprintf(out, outlen, "default");
        return NULL;
    }
    size_t off = 0;
    out[0] = '\0';
    for (int w = 1; words[w].name; w++)
        if (flags & words[w].value)
            off += (size_t)snprintf(out + off, outlen - off, "%s%s", off ? " " : "", words[w].name);
    return NULL;
}

static int is_basename(const char *s)
{
    return !strchr(s, '/') && !strchr(s, '\\');
}

static const char *keep_word(const char *v, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", v);
    return NULL;
}

static const char *norm_dbfilename(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)argc, (void)u;
    if (!is_basename(argv[0])) return "dbfilename can't be a path, just a filename";
    return keep_word(argv[0], out, outlen);
}

static const char *norm_aof_filename(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)argc, (void)u;
    if (!argv[0][0]) return "appendfilename can't be empty";
    if (!is_basename(argv[0])) return "appendfilename can't be a path, just a filename";
    return keep_word(argv[0], out, outlen);
}

static const char *norm_aof_dirname(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)argc, (void)u;
    if (!argv[0][0]) return "appenddirname can't be empty";
    if (!is_basename(argv[0])) return "appenddirname can't be a path, just a dirname";
    return keep_word(argv[0], out, outlen);
}

static const char *norm_hostname(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)argc, (void)u;
    const char *v = argv[0];
    if (strlen(v) >= 256) return "Hostnames must be less than 256 characters";
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return "Hostnames may only contain alphanumeric characters, hyphens or dots";
    return keep_word(v, out, outlen);
}

/* A template is valid when its variables are known and it does not expand
 * to blanks only; {listen-addr}, {config-file}, {port} and {tls-port} never
 * expand to nothing, {title}, {server-mode} and {unixsocket} do here. */
static const char *norm_proc_title(int argc, char **argv, const fr_conf_update *u, char *out, size_t outlen)
{
    (void)argc, (void)u;
    /* as Redis: valid when it expands (known variables, the title empty)
     * to something not blank */
    char title[256];
    if (fr_proctitle_expand(argv[0], "", title, sizeof(title)) || !title[0])
        return "template format is invalid or contains unknown variables";
    return keep_word(argv[0], out, outlen);
}

/* server.h -- the core's shared internal state and cross-file declarations.
 *
 * One process-wide `fr_server` holds configuration values, statistics, the
 * databases, the client list and the event loop.  Only the core includes this
 * header; modules see none of it (they use include/frankenredis.h).
 *
 * Threading: everything runs on the libev default loop thread.  A forked
 * child (BGSAVE later) touches only what it was handed. */
#ifndef FR_SERVER_H
#define FR_SERVER_H

#include <ev.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "frankenredis.h"
#include "dict.h"
#include "resp.h"
#include "manifest.h"

#define FR_VERSION "7.0.15"          /* the Redis version we answer as */
#define FR_OWN_VERSION "0.1.0"       /* FrankenRedis's own version */
#define FR_MAX_BINDADDR 16
#define FR_IOBUF_LEN (16 * 1024)
#define FR_REPLY_CHUNK (16 * 1024)
#define FR_MAX_CLIENT_NAME 256

/* ---- configuration values (core directives; see config.c) ---- */
typedef struct fr_config {
    long long port;
    char *bind[FR_MAX_BINDADDR];
    int bind_count;
    int protected_mode;
    char *requirepass;              /* NULL: default user has nopass */
    long long databases;
    long long maxclients;
    long long timeout;              /* client idle timeout, seconds, 0 = off */
    long long tcp_keepalive;
    long long tcp_backlog;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    int loglevel;                   /* FR_LOG_* */
    char *logfile;                  /* "" = stdout */
    int daemonize;
    char *pidfile;
    char *dir;
    long long hz;
    int syslog_enabled;
    char *module_dir;               /* where modules/<name>/ live */
    long long maxmemory;
    int maxmemory_policy;           /* index in config.c's enum */
    int enable_protected_configs;   /* 0 no, 1 yes, 2 local */
    int lazyfree_lazy_user_del;
    int lazyfree_lazy_user_flush;
    int lazyfree_lazy_expire;
    int lazyfree_lazy_server_del;
    char *dbfilename;
    char *save_params;
    int appendonly;
} fr_config;

/* ---- one client output block (the list used when `buf` is full) ---- */
typedef struct fr_reply_block {
    struct fr_reply_block *next;
    size_t size, used;
    int deferred;                 /* reserved for a length not known yet */
    char data[];
} fr_reply_block;

#define FR_CLIENT_CLOSE_AFTER_REPLY (1 << 0)
#define FR_CLIENT_CLOSE_ASAP (1 << 1)
#define FR_CLIENT_PENDING_WRITE (1 << 2)
#define FR_CLIENT_PROTECTED (1 << 3)   /* running a command: do not free */

/* MULTI state: the queued commands (multi.c owns the layout). */
typedef struct fr_multi_state {
    void *cmds;
    int n, cap;
} fr_multi_state;

typedef struct fr_client {
    uint64_t id;
    int fd;
    int flags;
    ev_io rio, wio;
    struct fr_client *prev, *next;         /* all clients */
    struct fr_client *pending_next;        /* clients with output to flush */
    /* input */
    char *qbuf;                            /* owned; fr_malloc */
    size_t qlen, qpos, qcap;
    fr_reqparser parser;
    /* session */
    int resp;                              /* 2 or 3 */
    int authenticated;
    int dbid;
    fr_str *name;                          /* owned, NULL if none */
    char addr[64], laddr[64];
    int is_local;                          /* loopback or unix */
    time_t ctime, last_interaction;
    const fr_cmd_meta *lastcmd;
    unsigned long long commands_processed;
    /* transactions (multi.c) */
    fr_multi_state *multi;                 /* non-NULL between MULTI and EXEC */
    int multi_dirty_exec;                  /* a command was refused: EXECABORT */
    int multi_dirty_cas;                   /* a watched key changed */
    void *watches;                         /* watched keys, multi.c's layout */
    int nwatch, watch_cap;
    /* output: `buf` first, then the block list (reply.c).  `sentlen`
     * counts the written bytes of `buf`, `reply_head_sent` those of the
     * head block; the head is written only once `buf` is empty, so at most
     * one of the two is non-zero. */
    char buf[FR_IOBUF_LEN];
    size_t bufpos, sentlen;
    fr_reply_block *reply_head, *reply_tail;
    size_t reply_head_sent;
    size_t reply_bytes;                    /* data bytes held in blocks */
    size_t reply_mem;                      /* their allocations: omem */
    size_t reply_nblocks;                  /* oll */
    time_t obuf_soft_since;                /* soft limit first seen, or 0 */
} fr_client;

/* ---- per-call context handed to command handlers (fr_ctx in the SDK) ---- */
typedef struct fr_prop_cmd {
    int argc;
    fr_str **argv;                         /* owned */
    int dbid;
} fr_prop_cmd;

struct fr_ctx {
    fr_client *client;
    const fr_cmd_meta *cmd;
    fr_module *module;       /* owner of cmd */
    int argc;
    fr_str **argv;                         /* client's parser args */
    long long dirty;                       /* changes made by this call */
    int prop_mode;                         /* 0 as-is, 1 replaced, 2 none */
    int force_propagate;   /* as-is even without changes (FLUSHALL on empty) */
    fr_prop_cmd *props;
    int nprops, props_cap;
    int replied_error;
};

/* ---- statistics (INFO stats, CONFIG RESETSTAT) ---- */
typedef struct fr_stats {
    long long numcommands, numconnections, rejected_conn;
    long long expiredkeys, evictedkeys, keyspace_hits, keyspace_misses;
    long long net_input_bytes, net_output_bytes;
    long long unexpected_error_replies, total_error_replies;
    long long total_reads_processed, total_writes_processed;
    long long client_qbuf_limit_disconnections, client_outbuf_limit_disconnections;
    long long divergences;
    double expired_stale_perc;       /* set by the active expire cycle */
    long long expired_time_cap_reached_count;
    long long expire_cycle_cpu_us;
    /* instantaneous metrics samples (see cron) */
    long long inst_last_time, inst_last_cmds, inst_last_in, inst_last_out;
    long long inst_cmds[16], inst_in[16], inst_out[16];
    int inst_idx;
} fr_stats;

struct fr_db {
    int id;
    fr_dict *keys;    /* embedded entries: each is an fr_value (kv.h) */
    fr_dict *expires; /* no-value set of the fr_values that have a TTL */
    long long avg_ttl;
};

typedef struct fr_server {
    fr_config cfg;
    struct ev_loop *loop;
    ev_io listeners[FR_MAX_BINDADDR * 2];
    int listen_fds[FR_MAX_BINDADDR * 2];
    int nlisteners;
    ev_timer cron;
    ev_prepare before_sleep;
    ev_signal sigterm, sigint;
    pid_t pid;
    char *config_file;        /* absolute path or NULL */
    char *exec_path;
    time_t start_time;
    long long start_ms;
    long long cronloops;
    char runid[41];
    fr_db *db;
    fr_client *clients;       /* doubly linked, newest first */
    unsigned long numclients;
    fr_client *pending_writes;
    uint64_t next_client_id;
    fr_client *current_client;
    long long dirty;          /* changes since last save */
    fr_stats stats;
    int shutdown_asap;
    int in_exec;              /* running EXEC's queued commands */
    int exec_multi_emitted;   /* MULTI already propagated for this EXEC */
    pid_t child_pid;          /* a background job's child, 0 if none */
    char *deny_writes_error;  /* fr_deny_writes(): refuse writes with this */
    int loading;
    int expire_available;
    int aof_available;        /* a loaded module provides "aof" */
    fr_module *expire_provider;
    long long lruclock;
} fr_server;

extern fr_server server;

/* core/log.c */
void fr_log_raw(int level, const char *msg);
void fr_log_open(void);
#define fr_panic(...) fr_panic_impl(__FILE__, __LINE__, __VA_ARGS__)
void fr_panic_impl(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* core/str.c */
fr_str *fr_str_catvprintf(fr_str *s, const char *fmt, va_list ap);

/* core/zmalloc.c */
size_t fr_used_memory(void);
void *fr_malloc_usable(size_t n, size_t *usable);
void fr_free_usable(void *p, size_t usable);
const char *fr_malloc_lib(void);
size_t fr_rss(void);

/* core/config.c */
void fr_config_init_defaults(void);
int fr_config_load(const char *path, int argc, char **argv, char *err,
                   size_t errlen);
int fr_config_set(const char *name, const char *value, char *err, size_t errlen);
typedef void (*fr_config_kv_fn)(const char *name, const char *value, void *priv);
void fr_config_get_matching(const char *pattern, fr_config_kv_fn fn, void *priv);
void fr_config_free_all(void);
/* module section of the config: "module NAME [strict|hardened]" lines */
typedef struct fr_module_conf {
    char *name;
    int mode;            /* -1 = manifest default, 0 strict, 1 hardened */
    char *file; int line;
    char **directive_names;  /* "name value" for the module's own directives */
    char **directive_values;
    int ndirectives;
} fr_module_conf;
extern fr_module_conf *fr_module_confs;
extern int fr_module_nconfs;

/* core/net.c */
int fr_net_listen(char *err, size_t errlen);
void fr_net_close_listeners(void);
void fr_net_close_listeners_in_child(void);
void fr_net_fit_maxclients(void);
long long fr_net_maxclients_possible(long long want);

/* core/client.c */
fr_client *fr_client_create(int fd, const char *addr, const char *laddr, int is_local);
void fr_client_free(fr_client *c);
void fr_client_close_async(fr_client *c);
void fr_client_flush_pending(void);
void fr_clients_cron(void);
fr_client *fr_client_by_id(uint64_t id);
size_t fr_client_output_bytes(const fr_client *c);

/* core/reply.c */
struct iovec;
void fr_client_mark_pending(fr_client *c);
void fr_reply_array_client(fr_client *c, long len);
void fr_reply_consume(fr_client *c, size_t n);
void fr_client_free_replies(fr_client *c);
size_t fr_iov_total(const struct iovec *iov, int n);
void fr_error_count(const char *code, size_t len);
void fr_error_stats_foreach(void (*fn)(const char *code, long long count, void *priv), void *priv);
void fr_error_stats_reset(void);
void fr_client_add_reply(fr_client *c, const char *p, size_t len);
void fr_client_add_error(fr_client *c, const char *err, size_t len);
void fr_client_add_errorf(fr_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* core/command.c */
void fr_command_process(fr_client *c);
void fr_command_call(fr_ctx *ctx);

/* core/cmdtable.c (declared in cmdtable.h too) */
#include "cmdtable.h"

/* core/db.c */
int fr_db_init(void);
void fr_db_free_all(void);
void fr_db_flush(fr_db *db);            /* fires key-deleted? no: flush event */
void fr_db_flush_all(void);
void fr_db_swap(int a, int b);
void fr_db_cron(void);
unsigned int fr_lru_clock(void);

/* core/hooks.c */
int fr_hooks_fire(const fr_hook_event *ev);
void fr_hooks_remove_module(fr_module *m);
int fr_hooks_count(fr_hook_id id);

/* core/module.c */

int fr_modules_load_all(char *err, size_t errlen);
void fr_modules_unload_all(void);
fr_module *fr_module_find(const char *name);
int fr_module_is_hardened(const fr_module *m);
void fr_modules_info(fr_str **out);
int fr_sdk_compatible(unsigned mod_major, unsigned mod_minor, unsigned major, unsigned minor);
long long fr_module_divergences(const fr_module *m);
void fr_module_count_divergence(fr_module *m);
int fr_module_declares_hook(const fr_module *m, fr_hook_id id);
int fr_module_is_builtin(const fr_module *m);

/* core/multi.c */
int fr_multi_runs_now(const fr_cmd_meta *cmd);
void fr_multi_queue(fr_client *c, const fr_cmd_meta *cmd); /* the parsed command */
void fr_multi_flag_error(fr_client *c);
void fr_multi_touch_key(const fr_db *db, const fr_str *key);
void fr_multi_touch_db(const fr_db *emptied, const fr_db *replaced_with);
void fr_multi_client_gone(fr_client *c);
void fr_unwatch_all(fr_client *c);

/* core/db.c: one clock reading per command (expiry consistency) */
void fr_cmd_clock_start(void);
void fr_cmd_clock_start_at(long long ms);
void fr_cmd_clock_stop(void);
long long fr_cmd_now_ms(void);
void fr_db_delete_expired(fr_ctx *ctx, fr_db *db, const fr_str *key);

/* core/propagate.c */
void fr_propagate_now(int dbid, int argc, fr_str **argv);
void fr_propagate_exec_end(int dbid);
void fr_propagate_finish(fr_ctx *ctx);
void fr_ctx_release(fr_ctx *ctx);

/* core/types.c */
const fr_type_def *fr_type_def_of(const fr_type *t);
const fr_type *fr_type_by_rdb(int rdb_type);
void fr_types_remove_module(fr_module *m);
#define FR_TYPE_MAX_ID 255
unsigned fr_type_id(const fr_type *t);          /* 1..FR_TYPE_MAX_ID */
const fr_type *fr_type_by_id(unsigned id);      /* NULL if free */

/* core/shutdown.c: exits on success; FR_ERR if a shutdown hook refused */
int fr_server_shutdown(int flags);

#endif

/* runtime.h -- layer 4 of the core, "runtime": command dispatch (command.c,
 * cmdtable.h), the per-call context (ctx.c, sdk_reply.c), transactions
 * (multi.c), propagation (propagate.c), hooks (hooks.c), the module
 * registry and loader (module.c), manifests (manifest.h), config parsing and
 * CONFIG SET's side effects (config.c, config.h), fork and shutdown.
 *
 * Owns the dirty counter, the EXEC and fork flags, the write refusal set by
 * fr_deny_writes, the module capabilities and the command statistics
 * (fr_runtime).  fr_runtime_init registers the runtime's callbacks with the
 * lower layers (fr_proto_set_upcalls, fr_keyspace_set_upcalls); nothing
 * below calls the runtime any other way.  The built-in commands (layer 5)
 * are handed in by main through fr_modules_set_builtin, so the loader does
 * not reach up either.  Includes keyspace.h and lower. */
#ifndef FR_RUNTIME_H
#define FR_RUNTIME_H

#include "keyspace.h"
#include "cmdtable.h"
#include "config.h"
#include "manifest.h"

/* ---- per-call context handed to command handlers (fr_ctx in the SDK) ---- */
typedef struct fr_prop_cmd {
    int argc;
    fr_str **argv;                         /* owned */
    int dbid;
    int repl_only;                         /* replicas only, not the AOF */
    int effect;    /* not the command's own: a DEL of a key it found expired */
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
    int force_replicas;    /* as-is to replicas only, when not above (PUBLISH) */
    fr_prop_cmd *props;
    int nprops, props_cap;
    int replied_error;
    unsigned long long redacted;           /* argv[i] hidden from logs: bit i (63: and after) */
    struct fr_ctx *script_caller; /* a script's command: the EVAL/FCALL call
                                   * (tracking remembers its keys) */
};

/* ---- command statistics (INFO stats; divergences survive RESETSTAT) ---- */
typedef struct fr_runtime_stats {
    long long numcommands;
    long long divergences;
} fr_runtime_stats;
/* The last fork (INFO stats, LATENCY DOCTOR); CONFIG RESETSTAT zeroes it. */
typedef struct fr_runtime_fork_stats {
    long long total_forks;
    long long latest_fork_usec;
    double rate_gb_per_s;       /* memory "copied" per second */
} fr_runtime_fork_stats;

/* ---- the runtime's state (command.c) ---- */
typedef struct fr_runtime_state {
    long long dirty;          /* changes since last save */
    int in_exec;              /* running EXEC's queued commands */
    pid_t child_pid;          /* a background job's child, 0 if none */
    char *deny_writes_error;  /* fr_deny_writes(): refuse writes with this */
    char *replica_ro_error;   /* fr_replica_read_only(): -READONLY, or NULL */
    fr_module *expire_provider;
    int pause_cron;           /* DEBUG PAUSE-CRON: the cron does nothing */
    /* script_call.c: while a script's command runs, what it propagates is
     * collected into the script's call (EVAL's ctx) instead of going out,
     * and the command clock stays the script's. */
    fr_ctx *script_capture;
    /* command.c: the top-level command running (not in EXEC or a script),
     * whose props collect what propagates meanwhile (propagate.c) */
    fr_ctx *cmd_capture;
    int script_depth;
    int script_deny_disabled;   /* DEBUG SET-DISABLE-DENY-SCRIPTS */
    int oom_before_command;   /* the memory guard's verdict before this command */
    fr_runtime_fork_stats fork;
    fr_runtime_stats stats;
} fr_runtime_state;

extern fr_runtime_state fr_runtime;

/* Registers the runtime's upcalls with the protocol and keyspace layers
 * (runtime.c); main calls it once, before any client or key exists, passing
 * the commands layer's CLIENT LIST formatter for log lines. */
void fr_runtime_init(fr_str *(*describe_client)(fr_client *c));

/* ---- config.c ---- */
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

/* ---- sdk_client.c: the client-reset hook (RESET, or a client freed) ---- */
void fr_client_reset_modules(fr_client *c, int why);
/* The backlog's bytes as the replication module last reported them
 * (fr_repl_report_backlog): INFO's mem_replication_backlog. */
long long fr_repl_backlog_memory(void);
/* The stream the replication module holds for replicas outside their
 * output buffers, as it last reported (fr_repl_report_replica_held). */
long long fr_repl_replica_held_memory(void);

/* ---- memory_guard.c ---- */
/* Memory maxmemory does not count: the replicas' buffers (their reply
 * blocks and the stream held for them), INFO mem_not_counted_for_evict. */
size_t fr_memory_not_counted(void);

/* ---- command.c ---- */
void fr_command_process(fr_client *c);
void fr_command_call(fr_ctx *ctx);
void fr_command_claim_error(void);

/* ---- hooks.c ---- */
int fr_hooks_fire(const fr_hook_event *ev);
void fr_hooks_remove_module(fr_module *m);
int fr_hooks_count(fr_hook_id id);
/* runtime.c: recompute fr_keyspace.key_events_wanted (hooks or WATCHes
 * changed). */
void fr_runtime_key_interest_changed(void);

/* ---- tracking.c: CLIENT TRACKING (client-side caching) ---- */
typedef struct fr_tracking_opts {
    int bcast, optin, optout, noloop;
    fr_str **prefixes;          /* BCAST prefixes (borrowed) */
    int nprefixes;
} fr_tracking_opts;
typedef struct fr_tracking_info {
    long long clients, keys, items, prefixes;
} fr_tracking_info;
void fr_tracking_enable(fr_client *c, uint64_t redirect, const fr_tracking_opts *o);
void fr_tracking_disable(fr_client *c);            /* OFF, RESET, client gone */
int fr_tracking_is_on(const fr_client *c);
/* 0 when not tracking; else 1 and the mode flags. */
int fr_tracking_mode(const fr_client *c, int *bcast, int *optin, int *optout);
const fr_str *fr_tracking_prefix_overlap(const fr_client *c, const fr_str *p);
int fr_tracking_set_caching(fr_client *c, int yes);  /* FR_ERR: wrong mode */
int fr_tracking_flag_words(const fr_client *c, const char **out); /* <= 7 */
char *fr_tracking_flag_letters(const fr_client *c, char *p);      /* t R B */
long long fr_tracking_redirect(const fr_client *c);               /* -1: off */
int fr_tracking_prefixes(const fr_client *c, fr_str *const **out);
void fr_tracking_stats(fr_tracking_info *out);
/* Wiring: keyspace changes, commands, flushes, the loop and cron. */
int fr_tracking_wants_key_events(void);
void fr_tracking_key_changed(fr_ctx *ctx, const fr_str *key);
void fr_tracking_flushed(void);
void fr_tracking_command_done(fr_ctx *ctx);        /* after each call */
void fr_tracking_after_command(fr_client *c);      /* after a top-level one */
void fr_tracking_flush_pending(void);
void fr_tracking_broadcast(void);                  /* before sleeping */
void fr_tracking_limit(void);                      /* tracking-table-max-keys */

/* ---- slowlog.c ---- */
typedef struct fr_slowlog_entry {
    struct fr_slowlog_entry *older, *newer;
    long long id, time, duration;   /* duration in microseconds */
    int argc;
    fr_str **argv;                  /* owned copies, trimmed */
    fr_str *peer, *cname;           /* "ip:port", client name or "" */
} fr_slowlog_entry;
/* After a command ran: log it if it took at least the threshold. */
void fr_slowlog_push(const fr_ctx *ctx, long long duration);
long long fr_slowlog_len(void);
void fr_slowlog_reset(void);
const fr_slowlog_entry *fr_slowlog_newest(void);   /* then ->older */
/* ctx.c: fr_ctx_redact (SDK) hides argv[i] from the slow log and MONITOR;
 * fr_ctx_is_redacted tells whether argv[i] is hidden. */
int fr_ctx_is_redacted(const fr_ctx *ctx, int i);

/* ---- latency.c: latency monitor events and latency tracking ---- */
#define FR_LATENCY_TS_LEN 160
typedef struct fr_latency_series {
    struct fr_latency_series *next;
    char *event;
    int idx;                        /* next sample slot */
    long long max;                  /* all-time maximum, ms */
    struct { long long time, latency; } samples[FR_LATENCY_TS_LEN];
} fr_latency_series;
void fr_latency_add(const char *event, long long ms);   /* unconditional */
int fr_latency_reset(const char *event);                /* NULL: all; count */
const fr_latency_series *fr_latency_series_first(void); /* then ->next */
const fr_latency_series *fr_latency_series_find(const char *event);
void fr_latency_command_done(fr_cmd_meta *cmd, long long dur_us);

/* ---- debug_registry.c: DEBUG subcommands modules serve ---- */
fr_command_fn fr_debug_find(const char *name, fr_module **owner);
size_t fr_serialized_len(const fr_value *v);
void fr_debug_remove_module(fr_module *m);
/* The refusal of a protected command (DEBUG) for this client, or NULL. */
const char *fr_debug_refusal(const fr_cmd_meta *cmd, const fr_client *c);

/* memory_guard.c: the eviction module's guard, run before each command
 * (NULL to go on, else the -OOM error), and its removal with its module. */
const char *fr_memory_guard_refusal(const fr_client *c, const fr_cmd_meta *cmd);
void fr_memory_guard_remove_module(fr_module *m);
/* elf_peek.c: the first fields of a module's descriptor, read from its
 * file without loading it (they keep their place in every SDK version).
 * 0, or -1 with why in err. */
typedef struct fr_descriptor_head {
    uint32_t magic;
    uint16_t sdk_major;
    uint16_t sdk_minor;
} fr_descriptor_head;
int fr_elf_peek_descriptor(const char *path, fr_descriptor_head *out, char *err, size_t errlen);
/* ledger.c: hardened mode's evidence ledger (HARDENED LOG, INFO hardened,
 * hardened-log-file).  Strings are copied; NULL reads as "". */
typedef struct fr_ledger_entry {
    struct fr_ledger_entry *older, *newer;
    long long id, time;
    fr_str *module, *rule, *command, *client, *detail;
} fr_ledger_entry;
void fr_ledger_record(const char *module, const char *rule, const char *command, const char *client,
                      const char *detail);
long long fr_ledger_len(void);
void fr_ledger_reset(void);
const fr_ledger_entry *fr_ledger_newest(void);      /* then ->older */
void fr_ledger_foreach_rule(void (*fn)(void *priv, const char *module, const char *rule, long long count),
                            void *priv);
/* expire_policy.c: forget the policy of an unloading module. */
void fr_expire_policy_remove_module(fr_module *m);
/* snapshot.c: forget the snapshot provider of an unloading module. */
void fr_snapshot_remove_module(fr_module *m);

/* ---- monitor.c: MONITOR clients ---- */
void fr_monitor_add(fr_client *c);
void fr_monitor_client_gone(fr_client *c);
void fr_monitor_feed(const fr_ctx *ctx);   /* after a command ran */
const char *fr_monitor_refusal(const fr_cmd_meta *cmd, const fr_client *c);

/* ---- info_fields.c ---- */
/* One INFO section being written: the text so far and which module groups
 * it has written.  info.c opens one per section it shows. */
struct fr_info_out {
    fr_str *s;
    const char *section;
    unsigned char *done;   /* per registered group */
    int ngroups;
};
void fr_info_out_begin(fr_info_out *o, fr_str *s, const char *section);
fr_str *fr_info_out_end(fr_info_out *o);   /* writes groups still due */
void fr_info_catf(fr_info_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fr_info_remove_module(fr_module *m);

/* ---- module.c ---- */
/* The built-in module "core": its manifest text and registration function
 * live in the commands layer; main hands them over before loading. */
typedef int (*fr_module_register_fn)(fr_module *m);
void fr_modules_set_builtin(const char *manifest, size_t len, fr_module_register_fn reg);
int fr_modules_load_all(char *err, size_t errlen);
void fr_modules_unload_all(void);
fr_module *fr_module_find(const char *name);
/* The SDK minor version module m was built for (the core's own for the
 * built-in module): what parts of the SDK's structs it knows. */
int fr_module_sdk_minor(const fr_module *m);
int fr_module_is_hardened(const fr_module *m);
/* The mode after loading (`module NAME hardened` sets it at load, the
 * NAME.mode directive later, CONFIG SET at run time): what a module reads
 * through fr_module_hardened on every use.  The fuzz targets use it to
 * reach both modes in one process. */
void fr_module_set_hardened(fr_module *m, int on);
void fr_modules_info(fr_str **out);
int fr_sdk_compatible(unsigned mod_major, unsigned mod_minor, unsigned major, unsigned minor);
long long fr_module_divergences(const fr_module *m);
void fr_module_count_divergence(fr_module *m);
int fr_module_declares_hook(const fr_module *m, fr_hook_id id);
int fr_module_is_builtin(const fr_module *m);
const fr_manifest *fr_module_manifest(const fr_module *m);

/* ---- multi.c ---- */
int fr_multi_runs_now(const fr_cmd_meta *cmd);
void fr_multi_queue(fr_client *c, const fr_cmd_meta *cmd, unsigned long long flags); /* the parsed command */
void fr_multi_flag_error(fr_client *c);
void fr_multi_touch_key(const fr_db *db, const fr_str *key);
long long fr_multi_watched_keys(void);   /* distinct (db, key) WATCHed now */
void fr_multi_touch_db(const fr_db *emptied, const fr_db *replaced_with);
void fr_multi_client_gone(fr_client *c);
void fr_unwatch_all(fr_client *c);

/* ---- propagate.c ---- */
void fr_propagate_now(int dbid, int argc, fr_str **argv);
void fr_propagate_exec_end(void);
const char *fr_replication_gate_refusal(unsigned long long flags); /* -NOREPLICAS/-MASTERDOWN or NULL */
void fr_replication_gate_remove_module(fr_module *m);
void fr_propagate_finish(fr_ctx *ctx);
void fr_ctx_release(fr_ctx *ctx);

/* ---- blocked.c: clients whose command cannot run now ---- */
typedef enum fr_blocked_type {
    FR_BLOCKED_POSTPONE = 0,   /* held by a pause, runs again from scratch */
    FR_BLOCKED_KEYS,           /* waits for keys (fr_block_on_keys) */
    FR_BLOCKED_WAKE,           /* waits for a module's wake-up (fr_block_until) */
    FR_BLOCKED__COUNT
} fr_blocked_type;
void fr_block_postpone(fr_client *c);
void fr_unblock_postponed_all(void);
int fr_client_is_blocked(const fr_client *c);
int fr_client_unblock_by_id(uint64_t id, int with_error);  /* 1 if unblocked */
void fr_blocked_client_gone(fr_client *c);
long fr_blocked_count(void);                               /* blocked_clients */
long fr_blocked_on_keys_count(void);      /* clients waiting for keys */
void fr_blocked_key_written(fr_db *db, const fr_str *key); /* maybe ready */
void fr_blocked_key_deleted(fr_db *db, const fr_str *key); /* ready for WAKE_ON_GONE */
void fr_blocked_db_flushed(fr_db *db);                     /* NULL: every DB */
int fr_blocked_rerunning(const fr_client *c);              /* held command runs again */
void fr_blocked_db_swapped(fr_db *db);    /* SWAPDB: waited keys now there */
void fr_blocked_serve_ready(void);        /* after a command; not reentrant */
void fr_blocked_check_timeouts(void);     /* before the loop sleeps */

/* ---- pause.c: CLIENT PAUSE ---- */
typedef enum fr_pause_type { FR_PAUSE_OFF = 0, FR_PAUSE_WRITE, FR_PAUSE_ALL } fr_pause_type;
typedef enum fr_pause_purpose {
    FR_PAUSE_BY_CLIENT = 0, FR_PAUSE_DURING_SHUTDOWN, FR_PAUSE_DURING_FAILOVER, FR_PAUSE_PURPOSE__COUNT
} fr_pause_purpose;
void fr_pause_start(fr_pause_purpose why, long long end_ms, fr_pause_type type);
void fr_pause_end(fr_pause_purpose why);
fr_pause_type fr_pause_current(void);   /* lifts an expired pause */
int fr_pause_holds(const fr_cmd_meta *cmd);

/* ---- script_call.c: INFO memory's script figures (fr_scripts_report) ---- */
typedef struct fr_scripts_stats {
    long long vm[2], overhead[2], n[2], nlibs;   /* [FR_SCRIPTS_EVAL], [FR_SCRIPTS_FUNCTIONS] */
} fr_scripts_stats;
const fr_scripts_stats *fr_scripts_stats_get(void);

/* ---- busy.c: a long script serves the event loop ---- */
/* The -BUSY refusal in force for commands of other clients, or NULL. */
const char *fr_busy_refusal(const fr_client *c, const fr_cmd_meta *cmd);

/* ---- shutdown.c: exits on success; FR_ERR if a shutdown hook refused,
 * FR_SHUTDOWN_WAITING while it waits for replicas (the cron ends it) ---- */
#define FR_SHUTDOWN_WAITING 2
int fr_server_shutdown(int flags);
void fr_shutdown_cron(void);
int fr_shutdown_abort(void);              /* FR_ERR: none waiting */
long long fr_shutdown_remaining_ms(void); /* -1: none waiting */
void fr_shutdown_hold_client(fr_client *c); /* a SHUTDOWN blocked on the wait */
void fr_shutdown_wait_remove_module(fr_module *m);
void fr_shutdown_signal(int signum);      /* SIGTERM/SIGINT arrived */
void fr_shutdown_run_signalled(void);     /* after the loop breaks */

/* ---- oom_score.c: oom-score-adj (/proc/self/oom_score_adj) ---- */
void fr_oom_score_apply(int in_child);         /* each cron tick; in a forked child, 1 */

/* ---- proctitle.c: the title `ps` shows (set-proc-title) ---- */
void fr_proctitle_init(int argc, char **argv); /* first thing in main */
void fr_proctitle_update(void);                /* after start-up, then each second */
/* proc-title-template expanded with `title`; -1 when it is malformed or
 * names an unknown variable. */
int fr_proctitle_expand(const char *tmpl, const char *title, char *out, size_t outlen);

/* ---- supervise.c: the `supervised` directive (systemd, upstart) ---- */
/* Decides the mode and reaches the manager; 1 when supervised (then the
 * server must not daemonize).  Once, after the config is loaded. */
int fr_supervise_start(void);
/* INFO server's process_supervised: "systemd", "upstart" or "no". */
const char *fr_supervise_info(void);

/* ---- acl.c: ACL users, rules and permission checks ---- */
typedef struct fr_acl_user fr_acl_user;
#define FR_ACL_OK 0
#define FR_ACL_DENIED_CMD 1
#define FR_ACL_DENIED_KEY 2
#define FR_ACL_DENIED_AUTH 3     /* log entries only */
#define FR_ACL_DENIED_CHANNEL 4
#define FR_ACL_CTX_TOPLEVEL 0
#define FR_ACL_CTX_MULTI 1
#define FR_ACL_CTX_LUA 2
void fr_acl_init(void);                         /* idempotent: the default user */
void fr_acl_set_default_password(const char *pass);  /* requirepass; NULL: nopass */
int fr_acl_default_nopass(void);
/* FR_ACL_OK or FR_ACL_DENIED_*; *errpos: the denied key or channel's argument. */
int fr_acl_check(fr_client *c, const fr_cmd_meta *cmd, int argc, fr_str **argv, int *errpos);
int fr_acl_check_user(const fr_acl_user *u, const fr_cmd_meta *cmd, int argc, fr_str **argv, int *errpos);
const char *fr_acl_denial_text(int reason);     /* dispatch's -NOPERM (DENIED_CMD: a %s format) */
int fr_acl_user_channel_allowed(const fr_acl_user *u, const char *ch, size_t len, int is_pattern);
void fr_acl_log_add(fr_client *c, int reason, int context, const char *username, size_t ulen,
                    const char *object, size_t olen);
void fr_acl_log_denied(fr_client *c, int reason, int context, const fr_cmd_meta *cmd, fr_str **argv, int pos);
void fr_acl_log_clear(void);
/* Sessions: AUTH/HELLO (0, or -1 logged as an auth denial), RESET. */
int fr_acl_authenticate(fr_client *c, const fr_str *user, const fr_str *pass, const char *cmdname);
void fr_acl_client_default_auth(fr_client *c);
const char *fr_acl_client_username(const fr_client *c, size_t *len);
fr_acl_user *fr_acl_client_user(const fr_client *c);
fr_acl_user *fr_acl_user_by_name(const char *name, size_t len);
const fr_str *fr_acl_user_name(const fr_acl_user *u);
int fr_acl_user_count(void);
fr_acl_user *fr_acl_user_at(int i);             /* sorted by name */
fr_str *fr_acl_describe(const fr_acl_user *u);  /* ACL LIST's rules; caller frees */
/* ACL SETUSER: NULL, or the error text (caller frees). */
char *fr_acl_setuser(const fr_str *name, int argc, fr_str *const *argv);
/* 1 if deleted; its clients are closed, *current_hit set for `current`. */
int fr_acl_deluser(const fr_str *name, fr_client *current, int *current_hit);
void fr_acl_reply_getuser(fr_ctx *ctx, const fr_acl_user *u);
void fr_acl_reply_category(fr_ctx *ctx, uint64_t flag);
void fr_acl_reply_log(fr_ctx *ctx, long count);
int fr_acl_has_file(void);
char *fr_acl_load_file(fr_client *current, int *current_hit); /* NULL or errors (caller frees) */
int fr_acl_save_file(void);
int fr_acl_config_user_line(int argc, char **argv, char *err, size_t errlen);
int fr_acl_load_at_startup(char *err, size_t errlen);

#endif /* FR_RUNTIME_H */

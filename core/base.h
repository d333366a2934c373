/* base.h -- layer 1 of the core, "base": allocation (zmalloc.c), strings
 * (str.c), the hash table (dict.h), conversions and glob (util.h),
 * splitargs, hashing (siphash.h, sha256.h), logging (log.c), the clock
 * (clock.c) and the process-wide facts and config values (state.c).
 *
 * Layers (docs/architecture.md): base -> protocol -> keyspace -> runtime ->
 * commands.  A file includes its own layer's header and lower ones only;
 * tests/layers-check.sh enforces it.  Base knows nothing of clients,
 * keys or commands: it is what every other layer may use.
 *
 * Why the config values live here: every layer reads a few of them (port in
 * protocol, databases in keyspace, requirepass in both protocol and
 * runtime), and config.c, which parses and applies them, belongs to the
 * runtime.  Keeping only the plain values low lets each layer read its
 * settings without an upward include; the table of directives, their
 * parsing and their side effects stay in config.c.
 *
 * Threading: everything runs on the event-loop thread; a forked child
 * touches only what it was handed. */
#ifndef FR_BASE_H
#define FR_BASE_H

/* Built with AddressSanitizer: GCC says so with __SANITIZE_ADDRESS__,
 * clang (the fuzzing build) with __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define FR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FR_ASAN 1
#endif
#endif

/* The allocator calls plain malloc/free (zmalloc.c), not jemalloc's sized
 * API: under ASan, whose malloc is not jemalloc's, and in a build for
 * valgrind (configure --enable-valgrind), which replaces malloc and free
 * but not jemalloc's extensions. */
#if defined(FR_ASAN) || defined(FR_VALGRIND)
#define FR_PLAIN_MALLOC 1
#endif

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "frankenredis.h"
#include "dict.h"
#include "util.h"

#define FR_VERSION "7.0.15"          /* the Redis version we answer as */
#define FR_OWN_VERSION "0.1.0"       /* FrankenRedis's own version */
#define FR_MAX_BINDADDR 16

/* ---- configuration values (core directives; parsed by config.c) ---- */
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
    int supervised;                 /* 0 no, 1 upstart, 2 systemd, 3 auto (supervise.c) */
    char *pidfile;
    char *dir;
    long long hz;
    int syslog_enabled;
    char *syslog_ident;             /* openlog's ident (log.c) */
    int syslog_facility;            /* LOG_USER, LOG_LOCAL0..7 */
    char *module_dir;               /* where modules/<name>/ live */
    int enable_protected_configs;   /* 0 no, 1 yes, 2 local */
    int lazyfree_lazy_user_del;
    int lazyfree_lazy_user_flush;
    int lazyfree_lazy_expire;
    int lazyfree_lazy_server_del;
    int replica_read_only;    /* applies while fr_replica_read_only() is set */
    long long slowlog_log_slower_than;   /* microseconds; negative: off */
    long long slowlog_max_len;
    char *unixsocket;               /* NULL: none */
    long long unixsocketperm;       /* 0: as created */
    int notify_keyspace_events;     /* FR_NOTIFY_* classes and K/E */
    int enable_debug_command;       /* 0 no, 1 yes, 2 local */
    long long latency_monitor_threshold;  /* ms; 0: the monitor is off */
    long long tracking_table_max_keys;    /* 0: no limit */
    int latency_tracking;
    char *latency_tracking_info_percentiles;  /* "50 99 99.9" */
    long long hardened_log_capacity;      /* ledger entries kept (ledger.c) */
    char *hardened_log_file;              /* JSON lines; NULL or "": none */
    /* the core's own mode (`module core hardened`, core.mode): protocol
     * caps; the core module's mode directive stores here */
    int core_hardened;
    long long hardened_proto_max_multibulk_len;
    long long hardened_proto_max_bulk_len;
    long long hardened_partial_request_timeout;   /* seconds; 0: none */
} fr_config;

extern fr_config fr_cfg;

/* ---- facts about the process, set once by main (state.c) ---- */
typedef struct fr_process {
    pid_t pid;                /* the server's; a log line from another is a child's */
    char *exec_path;          /* the binary, for module-dir's default */
    char *config_file;        /* absolute path or NULL */
    time_t start_time;
    long long start_ms;
    char runid[41];
} fr_process;

extern fr_process fr_proc;

/* ---- log.c ---- */
void fr_log_raw(int level, const char *msg);
void fr_log_open(void);
#define fr_panic(...) fr_panic_impl(__FILE__, __LINE__, __VA_ARGS__)
void fr_panic_impl(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* ---- str.c ---- */
fr_str *fr_str_catvprintf(fr_str *s, const char *fmt, va_list ap);
char *fr_strdup(const char *s);

/* ---- zmalloc.c ---- */
size_t fr_used_memory(void);
/* The calling thread is not the main one: its allocations are counted
 * atomically (zmalloc.c). */
void fr_alloc_thread_is_helper(void);
void *fr_malloc_usable(size_t n, size_t *usable);
void fr_free_usable(void *p, size_t usable);
const char *fr_malloc_lib(void);
size_t fr_rss(void);

/* ---- clock.c: the core's one clock ----
 *
 * Which to use when:
 *  - fr_clock_wall_us / fr_clock_wall_ms: a fresh read of the wall clock;
 *    for durations (command latency, cron periods, expiry cycle budgets)
 *    and timestamps that must be exact (server_time_usec, log lines).
 *  - fr_clock_mono_us: a monotonic read, for time budgets that must not
 *    jump with the wall clock (incremental rehash steps).
 *  - fr_clock_cmd_ms: "now" for the keyspace.  Frozen while a command runs
 *    (fr_clock_cmd_start .. fr_clock_cmd_stop) so that a key cannot expire
 *    half way through a command or an EXEC; a fresh read otherwise.  The
 *    SDK's fr_now_ms is this one.
 *  - fr_clock_unix: seconds as of the event loop's last wakeup: the
 *    protocol layer hands its loop time in with fr_clock_set_loop_source
 *    (libev refreshes it after each poll, so reading it costs no clock
 *    call); before that, and in the unit tests, a cached wall-clock read
 *    refreshed by the cron.  For client ages and idle times, where a
 *    second's precision is what Redis gives (its server.unixtime).
 *  - fr_clock_lru: the 24-bit LRU clock stored in each key (OBJECT
 *    IDLETIME), advanced by the cron (fr_clock_cron_tick).
 * The SDK's fr_mstime / fr_ustime stay what they were: wall-clock reads. */
uint64_t fr_clock_wall_us(void);
uint64_t fr_clock_wall_ms(void);
uint64_t fr_clock_mono_us(void);
time_t fr_clock_unix(void);
void fr_clock_set_loop_source(double (*loop_now)(void));
void fr_clock_cron_tick(long long now_ms);
unsigned int fr_clock_lru(void);
void fr_clock_cmd_start(void);
void fr_clock_cmd_start_at(long long ms);
void fr_clock_cmd_stop(void);
long long fr_clock_cmd_ms(void);
int fr_clock_cmd_fixed(void);            /* a command handler runs */

#endif /* FR_BASE_H */

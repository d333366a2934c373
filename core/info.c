/* info.c -- INFO: the report of server state, section by section.
 *
 * Owns the section table (names, the order Redis 7.0.15 prints them in,
 * which ones "default" includes) and the text of each section.  Reads the
 * rest of the core (server, statistics, command table, error table,
 * modules, keyspace) without changing it; its only state is the memory
 * peak and the start-up memory figure INFO memory reports.
 *
 * Format invariants, as Redis's genRedisInfoString: each section is
 * "# Title\r\n" then "field:value\r\n" lines; sections are separated by an
 * empty "\r\n"; the reply is a verbatim "txt" string (a bulk in RESP2).
 * Field names and number formats are Redis's.  Fields about features we do
 * not have (Lua, replication, defrag...) hold the value an idle Redis
 * without them shows, never a made-up figure.  Fields of a feature a module
 * provides (rdb_*) are that module's INFO groups, written where its
 * manifest places them (info_fields.c).  One field of ours is added:
 * frankenredis_version, last in # Server. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RUSAGE_THREAD */
#endif
#include <jemalloc/jemalloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "kv.h"
#include "hist.h"

static size_t peak_memory;    /* highest used_memory seen by cron or INFO */
static size_t startup_memory; /* used_memory when clients were first let in */

void fr_info_cron(void)
{
    size_t used = fr_used_memory();
    if (used > peak_memory) peak_memory = used;
}

void fr_info_mark_startup(void)
{
    startup_memory = fr_used_memory();
    fr_info_cron();
}

/* ------------------------------------------------------- text helpers */

#define catf fr_info_catf

static void add_ll(fr_info_out *o, const char *key, long long v)
{
    fr_info_add_ll(o, key, v);
}

static void add_str(fr_info_out *o, const char *key, const char *v)
{
    fr_info_add_text(o, key, v);
}

static void add_f2(fr_info_out *o, const char *key, double v)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.2f", v);
    fr_info_add_text(o, key, buf);
}

/* Redis's bytesToHuman: 1023B, 1.00K, 2.50M ... up to P. */
static void bytes_to_human(char *buf, size_t len, unsigned long long n)
{
    static const char units[] = "KMGTP";
    if (n < 1024) {
        snprintf(buf, len, "%lluB", n);
        return;
    }
    double scale = 1024.0;
    for (int i = 0; units[i]; i++, scale *= 1024.0) {
        if ((double)n < scale * 1024.0) {
            snprintf(buf, len, "%.2f%c", (double)n / scale, units[i]);
            return;
        }
    }
    snprintf(buf, len, "%lluB", n);
}

static void add_human(fr_info_out *o, const char *key, unsigned long long n)
{
    char h[64];
    bytes_to_human(h, sizeof(h), n);
    add_str(o, key, h);
}

/* The characters INFO replaces in names it prints (they would break the
 * "field:value" lines). */
static void safe_name(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src);
    for (char *p = dst; *p; p++)
        if (*p == '#' || *p == ':' || *p == '\n' || *p == '\r') *p = '_';
}

/* ------------------------------------------------------------- server */

static const char *backend_name(void)
{
    if (!fr_proto.loop) return "";
    switch (ev_backend(fr_proto.loop)) {
    case EVBACKEND_EPOLL: return "epoll";
    case EVBACKEND_KQUEUE: return "kqueue";
    case EVBACKEND_PORT: return "evport";
    case EVBACKEND_POLL: return "poll";
    case EVBACKEND_SELECT: return "select";
    case EVBACKEND_LINUXAIO: return "linuxaio";
    case EVBACKEND_IOURING: return "io_uring";
    default: return "unknown";
    }
}

/* A stable hex id of what was built (Redis prints a hash of its build). */
static const char *build_id(void)
{
    static char id[20];
    if (id[0]) return id;
    const char *what = FR_VERSION "-" FR_OWN_VERSION "-" FR_BUILD_SIGNATURE;
    unsigned long long h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = what; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(id, sizeof(id), "%llx", h);
    return id;
}

/* What the cron really runs at: config.c takes any hz, the loop clamps. */
static long long effective_hz(void)
{
    long long hz = fr_cfg.hz;
    return hz < 1 ? 1 : hz > 500 ? 500 : hz;
}

static void section_server(fr_info_out *o)
{
    static struct utsname un;
    static int have_un;
    if (!have_un) have_un = uname(&un) == 0; /* never changes: ask once */
    long long uptime = (long long)(fr_clock_wall_ms() / 1000) - (long long)fr_proc.start_time;
    catf(o, "# Server\r\n");
    add_str(o, "redis_version", FR_VERSION);
    add_str(o, "redis_git_sha1", "00000000");
    add_ll(o, "redis_git_dirty", 0);
    add_str(o, "redis_build_id", build_id());
    add_str(o, "redis_mode", "standalone");
    catf(o, "os:%s %s %s\r\n", un.sysname, un.release, un.machine);
    add_ll(o, "arch_bits", (long long)sizeof(long) * 8);
    add_str(o, "monotonic_clock", "POSIX clock_gettime"); /* libev's timers */
    add_str(o, "multiplexing_api", backend_name());
    add_str(o, "atomicvar_api", "c11-builtin");
#ifdef __GNUC__
    catf(o, "gcc_version:%d.%d.%d\r\n", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
    catf(o, "gcc_version:0.0.0\r\n");
#endif
    add_ll(o, "process_id", (long long)getpid());
    add_str(o, "process_supervised", fr_supervise_info());
    add_str(o, "run_id", fr_proc.runid);
    add_ll(o, "tcp_port", fr_cfg.port);
    add_ll(o, "server_time_usec", (long long)fr_clock_wall_us());
    add_ll(o, "uptime_in_seconds", uptime);
    add_ll(o, "uptime_in_days", uptime / (3600 * 24));
    add_ll(o, "hz", effective_hz());
    add_ll(o, "configured_hz", effective_hz());
    add_ll(o, "lru_clock", (long long)fr_clock_lru());
    add_str(o, "executable", fr_proc.exec_path ? fr_proc.exec_path : "");
    add_str(o, "config_file", fr_proc.config_file ? fr_proc.config_file : "");
    add_ll(o, "io_threads_active", 0);
    long long left = fr_shutdown_remaining_ms();
    if (left >= 0) add_ll(o, "shutdown_in_milliseconds", left); /* only while one waits */
    add_str(o, "frankenredis_version", FR_OWN_VERSION);
}

/* ------------------------------------------------------------ clients */

/* Redis reports the largest input and output buffer memory of the last
 * few seconds; we report the largest held now.  Input is the query buffer
 * allocation plus what the parser keeps aside (and its spare buffer); output counts the reply
 * blocks only, not the fixed buffer, as Redis leaves out its static one. */
static void largest_buffers(size_t *in, size_t *out)
{
    *in = *out = 0;
    for (fr_client *c = fr_proto.clients; c; c = c->next) {
        size_t qin = fr_malloc_size(c->qbuf) + fr_reqparser_pending(&c->parser) + fr_reqparser_spare_size(&c->parser);
        if (qin > *in) *in = qin;
        if (fr_obuf_memory(c) > *out) *out = fr_obuf_memory(c);
    }
}

static void section_clients(fr_info_out *o)
{
    size_t in, out;
    largest_buffers(&in, &out);
    catf(o, "# Clients\r\n");
    add_ll(o, "connected_clients", (long long)fr_proto.numclients);
    add_ll(o, "cluster_connections", 0);
    add_ll(o, "maxclients", fr_cfg.maxclients);
    add_ll(o, "client_recent_max_input_buffer", (long long)in);
    add_ll(o, "client_recent_max_output_buffer", (long long)out);
    add_ll(o, "blocked_clients", fr_blocked_count());
    fr_tracking_info t;
    fr_tracking_stats(&t);
    add_ll(o, "tracking_clients", t.clients);
    add_ll(o, "clients_in_timeout_table", 0);
}

/* ------------------------------------------------------------- memory */

typedef fr_mem_facts mem_facts;

static void allocator_stats(mem_facts *m)
{
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz); /* refresh jemalloc's stats */
    sz = sizeof(size_t);
    if (mallctl("stats.allocated", &m->allocated, &sz, NULL, 0)) m->allocated = 0;
    sz = sizeof(size_t);
    if (mallctl("stats.active", &m->active, &sz, NULL, 0)) m->active = 0;
    sz = sizeof(size_t);
    if (mallctl("stats.resident", &m->resident, &sz, NULL, 0)) m->resident = 0;
}

/* Normal clients' memory; replicas are counted by their buffers instead
 * (fr_memory_not_counted), as Redis's mem_clients_slaves. */
static size_t clients_memory(long *nreplicas)
{
    size_t sum = 0;
    *nreplicas = 0;
    for (fr_client *c = fr_proto.clients; c; c = c->next) {
        if (c->flags & FR_CLIENT_REPLICA) (*nreplicas)++;
        else sum += fr_client_memory(c, NULL);
    }
    return sum;
}

/* Table and entry bytes of the keyspace, plus the value headers: Redis's
 * per-DB overhead, counted only for DBs that hold keys. */
static size_t keyspace_overhead(void)
{
    size_t sum = 0;
    for (long j = 0; fr_keyspace.db && j < fr_cfg.databases; j++) {
        fr_db *db = &fr_keyspace.db[j];
        if (fr_dict_size(db->keys) == 0) continue;
        sum += fr_dict_mem_overhead(db->keys) + fr_dict_mem_overhead(db->expires);
        sum += fr_dict_size(db->keys) * sizeof(fr_value);
    }
    return sum;
}

static void mem_collect(mem_facts *m)
{
    memset(m, 0, sizeof(*m));
    m->used = fr_used_memory();
    fr_info_cron(); /* as Redis: the peak is never below what INFO shows */
    m->peak = peak_memory;
    m->rss = fr_rss();
    m->startup = startup_memory;
    m->clients = clients_memory(&m->nreplicas);
    m->replica_buffers = fr_memory_not_counted();
    m->backlog = (size_t)fr_repl_backlog_memory();
    m->overhead = m->startup + m->clients + m->replica_buffers + m->backlog + keyspace_overhead();
    m->dataset = m->used > m->overhead ? m->used - m->overhead : 0;
    size_t net = m->used > m->startup ? m->used - m->startup : 1;
    m->dataset_perc = (double)((float)m->dataset * 100 / (float)net);
    allocator_stats(m);
}

void fr_info_memory_facts(fr_mem_facts *m)
{
    mem_collect(m);
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)((float)a / (float)b) : 0;
}

static void mem_usage_fields(fr_info_out *o, const mem_facts *m)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    unsigned long long sysmem = pages > 0 && page > 0 ? (unsigned long long)pages * (unsigned long long)page : 0;
    add_ll(o, "used_memory", (long long)m->used);
    add_human(o, "used_memory_human", m->used);
    add_ll(o, "used_memory_rss", (long long)m->rss);
    add_human(o, "used_memory_rss_human", m->rss);
    add_ll(o, "used_memory_peak", (long long)m->peak);
    add_human(o, "used_memory_peak_human", m->peak);
    catf(o, "used_memory_peak_perc:%.2f%%\r\n", (double)((float)m->used * 100 / (float)(m->peak ? m->peak : 1)));
    add_ll(o, "used_memory_overhead", (long long)m->overhead);
    add_ll(o, "used_memory_startup", (long long)m->startup);
    add_ll(o, "used_memory_dataset", (long long)m->dataset);
    catf(o, "used_memory_dataset_perc:%.2f%%\r\n", m->dataset_perc);
    add_ll(o, "allocator_allocated", (long long)m->allocated);
    add_ll(o, "allocator_active", (long long)m->active);
    add_ll(o, "allocator_resident", (long long)m->resident);
    add_ll(o, "total_system_memory", (long long)sysmem);
    add_human(o, "total_system_memory_human", sysmem);
}

/* The script figures the scripting and functions modules report (zero
 * without them), in Redis's order. */
static void mem_script_fields(fr_info_out *o)
{
    const fr_scripts_stats *st = fr_scripts_stats_get();
    long long ev = st->vm[FR_SCRIPTS_EVAL], fv = st->vm[FR_SCRIPTS_FUNCTIONS];
    long long eo = st->overhead[FR_SCRIPTS_EVAL], fo = st->overhead[FR_SCRIPTS_FUNCTIONS];
    add_ll(o, "used_memory_lua", ev);
    add_ll(o, "used_memory_vm_eval", ev);
    add_human(o, "used_memory_lua_human", (unsigned long long)ev);
    add_ll(o, "used_memory_scripts_eval", eo);
    add_ll(o, "number_of_cached_scripts", st->n[FR_SCRIPTS_EVAL]);
    add_ll(o, "number_of_functions", st->n[FR_SCRIPTS_FUNCTIONS]);
    add_ll(o, "number_of_libraries", st->nlibs);
    add_ll(o, "used_memory_vm_functions", fv);
    add_ll(o, "used_memory_vm_total", ev + fv);
    add_human(o, "used_memory_vm_total_human", (unsigned long long)(ev + fv));
    add_ll(o, "used_memory_functions", fo);
    add_ll(o, "used_memory_scripts", eo + fo);
    add_human(o, "used_memory_scripts_human", (unsigned long long)(eo + fo));
}

static void mem_limit_fields(fr_info_out *o, const mem_facts *m)
{
    long long maxmemory = fr_config_server_ll("maxmemory", 0);
    add_ll(o, "maxmemory", maxmemory);
    add_human(o, "maxmemory_human", (unsigned long long)maxmemory);
    char policy[32];
    add_str(o, "maxmemory_policy", fr_config_server_str("maxmemory-policy", policy, sizeof(policy)));
    add_f2(o, "allocator_frag_ratio", ratio(m->active, m->allocated));
    add_ll(o, "allocator_frag_bytes", (long long)m->active - (long long)m->allocated);
    add_f2(o, "allocator_rss_ratio", ratio(m->resident, m->active));
    add_ll(o, "allocator_rss_bytes", (long long)m->resident - (long long)m->active);
    add_f2(o, "rss_overhead_ratio", ratio(m->rss, m->resident));
    add_ll(o, "rss_overhead_bytes", (long long)m->rss - (long long)m->resident);
    add_f2(o, "mem_fragmentation_ratio", ratio(m->rss, m->used));
    add_ll(o, "mem_fragmentation_bytes", (long long)m->rss - (long long)m->used);
    add_ll(o, "mem_not_counted_for_evict", (long long)m->replica_buffers);
    add_ll(o, "mem_replication_backlog", (long long)m->backlog);
    add_ll(o, "mem_total_replication_buffers", (long long)(m->backlog + m->replica_buffers));
    add_ll(o, "mem_clients_slaves", (long long)m->replica_buffers);
    add_ll(o, "mem_clients_normal", (long long)m->clients);
    add_ll(o, "mem_cluster_links", 0);
    add_ll(o, "mem_aof_buffer", 0);
    add_str(o, "mem_allocator", fr_malloc_lib());
    add_ll(o, "active_defrag_running", 0);
    add_ll(o, "lazyfree_pending_objects", fr_lazyfree_pending());
    add_ll(o, "lazyfreed_objects", fr_lazyfree_freed());
}

static void section_memory(fr_info_out *o)
{
    mem_facts m;
    mem_collect(&m);
    catf(o, "# Memory\r\n");
    mem_usage_fields(o, &m);
    mem_script_fields(o);
    mem_limit_fields(o, &m);
}

/* -------------------------------------------------------- persistence */

/* The core's part of Redis's persistence section; the RDB and AOF fields
 * (rdb_*, aof_*) are the persistence modules' INFO groups, placed after
 * current_save_keys_total. */
static void section_persistence(fr_info_out *o)
{
    catf(o, "# Persistence\r\n");
    add_ll(o, "loading", fr_keyspace.loading ? 1 : 0);
    add_ll(o, "async_loading", 0);
    add_ll(o, "current_cow_peak", 0);
    add_ll(o, "current_cow_size", 0);
    add_ll(o, "current_cow_size_age", 0);
    add_f2(o, "current_fork_perc", 0);
    add_ll(o, "current_save_keys_processed", 0);
    add_ll(o, "current_save_keys_total", 0);
    add_ll(o, "module_fork_in_progress", 0);
    add_ll(o, "module_fork_last_cow_size", 0);
}

/* -------------------------------------------------------------- stats */

/* Redis's getInstantaneousMetric: the mean of the last 16 samples. */
static long long inst_mean(const long long *samples)
{
    long long sum = 0;
    for (int i = 0; i < 16; i++) sum += samples[i];
    return sum / 16;
}

/* Instantaneous metrics: per-second rates over the last 16 samples, one
 * sample every 100 ms (fr_info_sample_stats, from the cron). */
static struct {
    long long last_time, last_cmds, last_in, last_out, last_repl_in, last_repl_out;
    long long cmds[16], in[16], out[16], repl_in[16], repl_out[16];
    int idx;
} inst;

void fr_info_sample_stats(long long now_ms)
{
    long long dt = now_ms - inst.last_time;
    if (dt <= 0) dt = 1;
    int i = inst.idx;
    const fr_proto_stats *net = &fr_proto.stats;
    inst.cmds[i] = (fr_runtime.stats.numcommands - inst.last_cmds) * 1000 / dt;
    /* as Redis's, the totals include the replication traffic */
    long long in = net->net_input_bytes + net->net_repl_input_bytes;
    long long out = net->net_output_bytes + net->net_repl_output_bytes;
    inst.in[i] = (in - inst.last_in) * 1000 / dt;
    inst.out[i] = (out - inst.last_out) * 1000 / dt;
    inst.repl_in[i] = (net->net_repl_input_bytes - inst.last_repl_in) * 1000 / dt;
    inst.repl_out[i] = (net->net_repl_output_bytes - inst.last_repl_out) * 1000 / dt;
    inst.idx = (i + 1) % 16;
    inst.last_time = now_ms;
    inst.last_cmds = fr_runtime.stats.numcommands;
    inst.last_in = in;
    inst.last_out = out;
    inst.last_repl_in = net->net_repl_input_bytes;
    inst.last_repl_out = net->net_repl_output_bytes;
}

/* Start-up and CONFIG RESETSTAT: no samples yet, and the next one measures
 * from now, over counters that have just been zeroed. */
void fr_info_reset_samples(long long now_ms)
{
    memset(&inst, 0, sizeof(inst));
    inst.last_time = now_ms;
}

static void stats_traffic(fr_info_out *o, const fr_proto_stats *st)
{
    add_ll(o, "total_connections_received", st->numconnections);
    add_ll(o, "total_commands_processed", fr_runtime.stats.numcommands);
    add_ll(o, "instantaneous_ops_per_sec", inst_mean(inst.cmds));
    add_ll(o, "total_net_input_bytes", st->net_input_bytes + st->net_repl_input_bytes);
    add_ll(o, "total_net_output_bytes", st->net_output_bytes + st->net_repl_output_bytes);
    add_ll(o, "total_net_repl_input_bytes", st->net_repl_input_bytes);
    add_ll(o, "total_net_repl_output_bytes", st->net_repl_output_bytes);
    add_f2(o, "instantaneous_input_kbps", (double)((float)inst_mean(inst.in) / 1024));
    add_f2(o, "instantaneous_output_kbps", (double)((float)inst_mean(inst.out) / 1024));
    add_f2(o, "instantaneous_input_repl_kbps", (double)((float)inst_mean(inst.repl_in) / 1024));
    add_f2(o, "instantaneous_output_repl_kbps", (double)((float)inst_mean(inst.repl_out) / 1024));
    add_ll(o, "rejected_connections", st->rejected_conn);
}

static void stats_keys(fr_info_out *o, const fr_keyspace_stats *st)
{
    add_ll(o, "expired_keys", st->expiredkeys);
    add_f2(o, "expired_stale_perc", st->expired_stale_perc);
    add_ll(o, "expired_time_cap_reached_count", st->expired_time_cap_reached_count);
    add_ll(o, "expire_cycle_cpu_milliseconds", st->expire_cycle_cpu_us / 1000);
    add_ll(o, "evicted_keys", st->evictedkeys);
    add_ll(o, "evicted_clients", 0);
    add_ll(o, "total_eviction_exceeded_time", 0);
    add_ll(o, "current_eviction_exceeded_time", 0);
    add_ll(o, "keyspace_hits", st->keyspace_hits);
    add_ll(o, "keyspace_misses", st->keyspace_misses);
}

/* The fork statistics, a writable replica's keys with a TTL of its own,
 * then features we do not have, in Redis's order: all zero.  (pubsub_channels, pubsub_patterns and pubsubshard_channels,
 * before latest_fork_usec, are the pub/sub module's INFO group, and
 * migrate_cached_sockets, after total_forks, the rdb module's.) */
static void stats_absent(fr_info_out *o)
{
    add_ll(o, "latest_fork_usec", fr_runtime.fork.latest_fork_usec);
    add_ll(o, "total_forks", fr_runtime.fork.total_forks);
    add_ll(o, "slave_expires_tracked_keys", (long long)fr_replica_keys_count());
    static const char *const names[] = {
        "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
        "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time", NULL};
    for (int i = 0; names[i]; i++) add_ll(o, names[i], 0);
}

static void stats_tracking(fr_info_out *o)
{
    fr_tracking_info t;
    fr_tracking_stats(&t);
    add_ll(o, "tracking_total_keys", t.keys);
    add_ll(o, "tracking_total_items", t.items);
    add_ll(o, "tracking_total_prefixes", t.prefixes);
}

static void stats_io(fr_info_out *o, const fr_proto_stats *st)
{
    add_ll(o, "unexpected_error_replies", st->unexpected_error_replies);
    add_ll(o, "total_error_replies", st->total_error_replies);
    add_ll(o, "dump_payload_sanitizations", 0);
    add_ll(o, "total_reads_processed", st->total_reads_processed);
    add_ll(o, "total_writes_processed", st->total_writes_processed);
    add_ll(o, "io_threaded_reads_processed", 0);
    add_ll(o, "io_threaded_writes_processed", 0);
    add_ll(o, "reply_buffer_shrinks", 0);
    add_ll(o, "reply_buffer_expands", 0);
}

static void section_stats(fr_info_out *o)
{
    catf(o, "# Stats\r\n");
    stats_traffic(o, &fr_proto.stats);
    stats_keys(o, &fr_keyspace.stats);
    stats_absent(o);
    stats_tracking(o);
    stats_io(o, &fr_proto.stats);
}

/* -------------------------------------------------------- replication */

/* Every field is the replication module's (role, replicas, replication
 * IDs and offsets, the backlog): the core prints the header only. */
static void section_replication(fr_info_out *o)
{
    catf(o, "# Replication\r\n");
}

/* ---------------------------------------------------------------- cpu */

static void add_tv(fr_info_out *o, const char *key, struct timeval tv)
{
    catf(o, "%s:%ld.%06ld\r\n", key, (long)tv.tv_sec, (long)tv.tv_usec);
}

static void section_cpu(fr_info_out *o)
{
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    catf(o, "# CPU\r\n");
    add_tv(o, "used_cpu_sys", self.ru_stime);
    add_tv(o, "used_cpu_user", self.ru_utime);
    add_tv(o, "used_cpu_sys_children", children.ru_stime);
    add_tv(o, "used_cpu_user_children", children.ru_utime);
#ifdef RUSAGE_THREAD
    struct rusage main_thread;
    getrusage(RUSAGE_THREAD, &main_thread);
    add_tv(o, "used_cpu_sys_main_thread", main_thread.ru_stime);
    add_tv(o, "used_cpu_user_main_thread", main_thread.ru_utime);
#endif
}

/* ------------------------------------------------ modules, statistics */

static void section_modules(fr_info_out *o)
{
    catf(o, "# Modules\r\n");
    fr_modules_info(&o->s);
}

/* Only commands that were called, rejected or failed; a container's
 * subcommands follow it, each on its own line ("cmdstat_client|list"). */
static void cmdstat_one(fr_info_out *o, const fr_cmd_meta *c)
{
    long long calls = c->stats.calls;
    if (calls || c->stats.failed_calls || c->stats.rejected_calls) {
        char name[256];
        safe_name(name, sizeof(name), c->fullname);
        /* Redis divides in single precision; so do we, for equal digits. */
        float per_call = calls ? (float)c->stats.usec / (float)calls : 0;
        catf(o, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,failed_calls=%lld\r\n",
             name, calls, c->stats.usec, (double)per_call, c->stats.rejected_calls, c->stats.failed_calls);
    }
    for (int i = 0; i < c->nsubcmds; i++) cmdstat_one(o, &c->subcmds[i]);
}

static void cmdstat_cb(const fr_cmd_meta *c, void *priv)
{
    cmdstat_one(priv, c);
}

static void section_commandstats(fr_info_out *o)
{
    catf(o, "# Commandstats\r\n");
    fr_cmdtable_foreach(cmdstat_cb, o);
}

typedef struct err_row {
    char code[64];
    long long count;
} err_row;

typedef struct err_rows {
    err_row *rows;
    size_t n, cap;
} err_rows;

static void err_collect(const char *code, long long count, void *priv)
{
    err_rows *r = priv;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->rows = fr_realloc(r->rows, r->cap * sizeof(err_row));
    }
    snprintf(r->rows[r->n].code, sizeof(r->rows[r->n].code), "%s", code);
    r->rows[r->n++].count = count;
}

static int err_cmp(const void *a, const void *b)
{
    return strcmp(((const err_row *)a)->code, ((const err_row *)b)->code);
}

/* Sorted by code, byte-wise: Redis keeps them in a radix tree. */
static void section_errorstats(fr_info_out *o)
{
    err_rows r = {NULL, 0, 0};
    fr_error_stats_foreach(err_collect, &r);
    if (r.n) qsort(r.rows, r.n, sizeof(err_row), err_cmp);
    catf(o, "# Errorstats\r\n");
    for (size_t i = 0; i < r.n; i++) {
        char name[64];
        safe_name(name, sizeof(name), r.rows[i].code);
        catf(o, "errorstat_%s:count=%lld\r\n", name, r.rows[i].count);
    }
    fr_free(r.rows);
}

/* One line per command with a latency histogram: the percentiles of
 * latency-tracking-info-percentiles (stored as Redis prints them) in
 * microseconds, "%.3f" as Redis. */
static void latency_one(fr_info_out *o, const fr_cmd_meta *c)
{
    if (c->latency_hist) {
        char name[256];
        safe_name(name, sizeof(name), c->fullname);
        catf(o, "latency_percentiles_usec_%s:", name);
        const char *p = fr_cfg.latency_tracking_info_percentiles ? fr_cfg.latency_tracking_info_percentiles : "";
        for (int first = 1; *p; first = 0) {
            size_t n = strcspn(p, " ");
            double pct = strtod(p, NULL);
            catf(o, "%sp%.*s=%.3f", first ? "" : ",", (int)n, p,
                 (double)fr_hist_percentile(c->latency_hist, pct) / 1000.0);
            p += n;
            while (*p == ' ') p++;
        }
        catf(o, "\r\n");
    }
    for (int i = 0; i < c->nsubcmds; i++) latency_one(o, &c->subcmds[i]);
}

static void latency_cb(const fr_cmd_meta *c, void *priv)
{
    latency_one(priv, c);
}

static void section_latencystats(fr_info_out *o)
{
    catf(o, "# Latencystats\r\n");
    if (fr_cfg.latency_tracking) fr_cmdtable_foreach(latency_cb, o);
}

static void section_cluster(fr_info_out *o)
{
    catf(o, "# Cluster\r\n");
    add_ll(o, "cluster_enabled", 0);
}

static void section_keyspace(fr_info_out *o)
{
    catf(o, "# Keyspace\r\n");
    for (long j = 0; fr_keyspace.db && j < fr_cfg.databases; j++) {
        fr_db *db = fr_db_by_id(NULL, j);
        long long keys = (long long)fr_db_size(db), expires = fr_db_expires_count(db);
        if (keys || expires)
            catf(o, "db%ld:keys=%lld,expires=%lld,avg_ttl=%lld\r\n", j, keys, expires, db->avg_ttl);
    }
}

/* ------------------------------------------------------------ hardened */

static void rule_line(void *priv, const char *module, const char *rule, long long count)
{
    catf(priv, "hardened_rule_%s:module=%s,count=%lld\r\n", rule, module, count);
}

/* FrankenRedis's own section (not in INFO's default): hardened mode's
 * divergences, in total and per rule, and the ledger's length. */
static void section_hardened(fr_info_out *o)
{
    catf(o, "# Hardened\r\n");
    add_ll(o, "hardened_divergences", fr_runtime.stats.divergences);
    add_ll(o, "hardened_log_len", fr_ledger_len());
    fr_ledger_foreach_rule(rule_line, o);
}

/* ----------------------------------------------------------- selection */

/* Redis 7.0.15's order.  `alias` is a second name selecting the section;
 * `in_default` marks what INFO without arguments (or "default") shows. */
static const struct info_section {
    const char *name, *alias;
    int in_default;
    void (*gen)(fr_info_out *o);
} sections[] = {
    {"server", NULL, 1, section_server},
    {"clients", NULL, 1, section_clients},
    {"memory", NULL, 1, section_memory},
    {"persistence", NULL, 1, section_persistence},
    {"stats", NULL, 1, section_stats},
    {"replication", NULL, 1, section_replication},
    {"cpu", NULL, 1, section_cpu},
    {"module_list", "modules", 1, section_modules},
    {"commandstats", NULL, 0, section_commandstats},
    {"errorstats", NULL, 1, section_errorstats},
    {"latencystats", NULL, 0, section_latencystats},
    {"cluster", NULL, 1, section_cluster},
    {"keyspace", NULL, 1, section_keyspace},
    {"hardened", NULL, 0, section_hardened},
};

typedef struct info_sel {
    int all;      /* "all" or "everything" */
    int dflt;     /* no argument, or "default" */
    int argc;
    fr_str **argv;
} info_sel;

static int sel_named(const info_sel *q, const char *name)
{
    if (!name) return 0;
    for (int i = 0; i < q->argc; i++)
        if (q->argv[i] && !strcasecmp(q->argv[i]->buf, name)) return 1;
    return 0;
}

static int sel_wants(const info_sel *q, const struct info_section *sec)
{
    return q->all || (q->dflt && sec->in_default) || sel_named(q, sec->name) || sel_named(q, sec->alias);
}

/* Section names are case-insensitive; repeats and unknown names add
 * nothing ("everything" equals "all": we have no module info sections). */
static fr_str *info_render(fr_client *c, int argc, fr_str **argv)
{
    (void)c;
    info_sel q = {0, argc == 0, argc, argv};
    q.dflt = q.dflt || sel_named(&q, "default");
    q.all = sel_named(&q, "all") || sel_named(&q, "everything");
    /* Grown as sections are added, as Redis's reply is: used_memory is
     * read half way, and a big buffer up front would count in it (the
     * maxmemory tests allow 4 kB between the limit and what INFO says). */
    fr_str *s = fr_str_new_empty(512);
    fr_info_out o;
    int shown = 0;
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        if (!sel_wants(&q, &sections[i])) continue;
        if (shown++) s = fr_str_cat(s, "\r\n", 2);
        fr_info_out_begin(&o, s, sections[i].name);
        sections[i].gen(&o);
        s = fr_info_out_end(&o);
    }
    return s;
}

void fr_cmd_info(fr_ctx *ctx)
{
    fr_str *s = info_render(ctx->client, ctx->argc - 1, ctx->argv + 1);
    fr_reply_verbatim(ctx, s->buf, s->len, "txt");
    fr_str_free(s);
}

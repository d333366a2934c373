/* cmd_memory.c -- MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP with
 * Redis 7.0.15's replies, over INFO memory's figures (info.c) and jemalloc.
 *
 * The figures are ours, not Redis's: USAGE is what the key's entry and its
 * payload really take here (our key entry holds key, value header and
 * expire time in one allocation, which Redis spreads over several), and
 * STATS's per-DB overheads are our tables'.  The shape of every reply, the
 * options, the errors and DOCTOR's texts and thresholds are Redis's.
 * Nothing here changes the keyspace or any access time. */
#include <jemalloc/jemalloc.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "info.h"
#include "kv.h"

static const char *const memory_help[] = {
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    NULL,
};

void fr_cmd_memory_help(fr_ctx *ctx)
{
    fr_reply_help(ctx, memory_help);
}

/* SAMPLES is checked as Redis checks it; our types measure their payloads
 * exactly, so the count itself changes nothing. */
static int usage_options(fr_ctx *ctx)
{
    for (int j = 3; j < fr_argc(ctx); j++) {
        if (!fr_arg_is(ctx, j, "samples") || j + 1 >= fr_argc(ctx)) {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
        long long samples;
        if (fr_arg_ll_or_reply(ctx, ++j, &samples) != FR_OK) return FR_ERR;
        if (samples < 0) {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

/* As Redis, the entry is found as stored: an expired key not yet deleted
 * is still measured. */
void fr_cmd_memory_usage(fr_ctx *ctx)
{
    if (usage_options(ctx) != FR_OK) return;
    const fr_value *v = fr_db_find_raw(fr_ctx_db(ctx), fr_arg(ctx, 2));
    if (!v) {
        fr_reply_null(ctx);
        return;
    }
    const fr_type_def *def = fr_type_def_of(fr_value_type(v));
    size_t usage = fr_kv_alloc_size(v) + sizeof(void *); /* the entry and its bucket slot */
    if (def && def->mem_usage) usage += def->mem_usage(fr_value_payload(v));
    fr_reply_long_long(ctx, (long long)usage);
}

/* ---------------------------------------------------------------- STATS */

static double fratio(size_t a, size_t b)
{
    return b ? (double)((float)a / (float)b) : 0;
}

static void pair_ll(fr_ctx *ctx, const char *name, long long v)
{
    fr_reply_bulk_cstr(ctx, name);
    fr_reply_long_long(ctx, v);
}

static void pair_double(fr_ctx *ctx, const char *name, double v)
{
    fr_reply_bulk_cstr(ctx, name);
    fr_reply_double(ctx, v);
}

static void db_overheads(fr_ctx *ctx, int id)
{
    fr_db *db = fr_db_at(id);
    char name[32];
    snprintf(name, sizeof(name), "db.%d", id);
    fr_reply_bulk_cstr(ctx, name);
    fr_reply_map(ctx, 3);
    pair_ll(ctx, "overhead.hashtable.main",
            (long long)(fr_dict_mem_overhead(db->keys) + fr_dict_size(db->keys) * sizeof(fr_value)));
    pair_ll(ctx, "overhead.hashtable.expires", (long long)fr_dict_mem_overhead(db->expires));
    pair_ll(ctx, "overhead.hashtable.slot-to-keys", 0);
}

/* Redis's 27 fields and one map per DB that holds keys, in its order;
 * cluster, AOF and scripting figures are 0 (none here). */
void fr_cmd_memory_stats(fr_ctx *ctx)
{
    fr_mem_facts m;
    fr_info_memory_facts(&m);
    long dbs = 0;
    unsigned long long keys = 0;
    for (int j = 0; j < fr_cfg.databases; j++) {
        unsigned long long n = fr_dict_size(fr_db_at(j)->keys);
        if (n) dbs++, keys += n;
    }
    size_t net = m.used > m.startup ? m.used - m.startup : 1;
    fr_reply_map(ctx, 27 + dbs);
    pair_ll(ctx, "peak.allocated", (long long)m.peak);
    pair_ll(ctx, "total.allocated", (long long)m.used);
    pair_ll(ctx, "startup.allocated", (long long)m.startup);
    pair_ll(ctx, "replication.backlog", (long long)m.backlog);
    pair_ll(ctx, "clients.slaves", (long long)m.replica_buffers);
    pair_ll(ctx, "clients.normal", (long long)m.clients);
    pair_ll(ctx, "cluster.links", 0);
    pair_ll(ctx, "aof.buffer", 0);
    pair_ll(ctx, "lua.caches", 0);
    pair_ll(ctx, "functions.caches", 0);
    for (int j = 0; j < fr_cfg.databases; j++)
        if (fr_dict_size(fr_db_at(j)->keys)) db_overheads(ctx, j);
    pair_ll(ctx, "overhead.total", (long long)m.overhead);
    pair_ll(ctx, "keys.count", (long long)keys);
    pair_ll(ctx, "keys.bytes-per-key", keys ? (long long)(net / keys) : 0);
    pair_ll(ctx, "dataset.bytes", (long long)m.dataset);
    pair_double(ctx, "dataset.percentage", m.dataset_perc);
    pair_double(ctx, "peak.percentage", (double)((float)m.used * 100 / (float)(m.peak ? m.peak : 1)));
    pair_ll(ctx, "allocator.allocated", (long long)m.allocated);
    pair_ll(ctx, "allocator.active", (long long)m.active);
    pair_ll(ctx, "allocator.resident", (long long)m.resident);
    pair_double(ctx, "allocator-fragmentation.ratio", fratio(m.active, m.allocated));
    pair_ll(ctx, "allocator-fragmentation.bytes", (long long)m.active - (long long)m.allocated);
    pair_double(ctx, "allocator-rss.ratio", fratio(m.resident, m.active));
    pair_ll(ctx, "allocator-rss.bytes", (long long)m.resident - (long long)m.active);
    pair_double(ctx, "rss-overhead.ratio", fratio(m.rss, m.resident));
    pair_ll(ctx, "rss-overhead.bytes", (long long)m.rss - (long long)m.resident);
    pair_double(ctx, "fragmentation", fratio(m.rss, m.used));
    pair_ll(ctx, "fragmentation.bytes", (long long)m.rss - (long long)m.used);
}

/* --------------------------------------------------------------- DOCTOR */

#define MB10 (10LL << 20)

static const char *const doctor_text[] = {
    " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The "
    "allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation "
    "ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance "
    "Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the "
    "Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, "
    "please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the "
    "instance.\n\n",
    " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means "
    "that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis "
    "performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry "
    "above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If "
    "the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc "
    "allocator and not the default libc malloc. Note: The currently used allocator is \"%s\".\n\n",
    " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. "
    "This problem is usually due either to a large peak memory (check if there is a peak memory entry above in "
    "the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try "
    "enabling 'activedefrag' config option.\n\n",
    " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means "
    "that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). "
    "This problem is usually due to a large peak memory (check if there is a peak memory entry above in the "
    "report), you can try the MEMORY PURGE command to reclaim it.\n\n",
    " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this "
    "means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This "
    "problem may be due to Lua scripts or Modules.\n\n",
    " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica "
    "(on average). This likely means that there is some replica instance that is struggling receiving data, "
    "either because it is too slow or because of networking issues. As a result, data piles on the master "
    "output buffers. Please try to identify what replica is not receiving data correctly and why. You can use "
    "the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output "
    "buffers of each replica.\n\n",
    " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on "
    "average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not "
    "receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending "
    "commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT "
    "LIST command in order to investigate the issue if it causes problems in your instance, or to understand "
    "better why certain clients are using a big amount of memory.\n\n",
    " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because "
    "scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and "
    "`EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of "
    "your memory.\n\n",
};
#define DOCTOR_FINDINGS ((int)(sizeof(doctor_text) / sizeof(doctor_text[0])))

/* Redis's detectors, in its order; a flag per finding. */
static int doctor_findings(const fr_mem_facts *m, int found[DOCTOR_FINDINGS])
{
    long long frag_bytes = (long long)m->rss - (long long)m->used;
    long long alloc_frag = (long long)m->active - (long long)m->allocated;
    long long alloc_rss = (long long)m->resident - (long long)m->active;
    long long rss_extra = (long long)m->rss - (long long)m->resident;
    long clients = (long)fr_proto.numclients - m->nreplicas;
    if (clients < 1) clients = 1;
    found[0] = (float)m->peak / (float)m->used > 1.5;
    found[1] = fratio(m->rss, m->used) > 1.4 && frag_bytes > MB10;
    found[2] = fratio(m->active, m->allocated) > 1.1 && alloc_frag > MB10;
    found[3] = fratio(m->resident, m->active) > 1.1 && alloc_rss > MB10;
    found[4] = fratio(m->rss, m->resident) > 1.1 && rss_extra > MB10;
    /* Redis compares all replicas' buffers with 10 MB, whatever it says */
    found[5] = m->nreplicas > 0 && m->replica_buffers > (size_t)MB10;
    found[6] = (long)m->clients / clients > 1024 * 200;
    found[7] = fr_scripts_stats_get()->n[FR_SCRIPTS_EVAL] > 1000;
    int n = 0;
    for (int i = 0; i < DOCTOR_FINDINGS; i++) n += found[i];
    return n;
}

void fr_cmd_memory_doctor(fr_ctx *ctx)
{
    fr_mem_facts m;
    fr_info_memory_facts(&m);
    if (m.used < 5 * 1024 * 1024) {
        const char *empty = "Hi Sam, this instance is empty or is using very little memory, my issues detector "
                            "can't be used in these conditions. Please, leave for your mission on Earth and fill "
                            "it with some data. The new Sam and I will be back to our programming as soon as I "
                            "finished rebooting.\n";
        fr_reply_verbatim(ctx, empty, strlen(empty), "txt");
        return;
    }
    int found[DOCTOR_FINDINGS];
    if (!doctor_findings(&m, found)) {
        const char *fine = "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
                           "occurs on this base.\n";
        fr_reply_verbatim(ctx, fine, strlen(fine), "txt");
        return;
    }
    fr_str *s = fr_str_new_empty(1024);
    const char *head = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
    s = fr_str_cat(s, head, strlen(head));
    for (int i = 0; i < DOCTOR_FINDINGS; i++) {
        if (!found[i]) continue;
        char text[1024];
        int n = snprintf(text, sizeof(text), i == 1 ? doctor_text[1] : "%s", i == 1 ? fr_malloc_lib() : doctor_text[i]);
        s = fr_str_cat(s, text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1);
    }
    const char *end = "I'm here to keep you safe, Sam. I want to help you.\n";
    s = fr_str_cat(s, end, strlen(end));
    fr_reply_verbatim(ctx, s->buf, s->len, "txt");
    fr_str_free(s);
}

/* ------------------------------------------------- the allocator's own */

static void collect_stats(void *priv, const char *text)
{
    fr_str **s = priv;
    *s = fr_str_cat(*s, text, strlen(text));
}

void fr_cmd_memory_malloc_stats(fr_ctx *ctx)
{
    fr_str *s = fr_str_new_empty(16384);
    malloc_stats_print(collect_stats, &s, NULL);
    fr_reply_verbatim(ctx, s->buf, s->len, "txt");
    fr_str_free(s);
}

/* Dirty pages of every arena back to the system ("arena.<narenas>" names
 * them all). */
void fr_cmd_memory_purge(fr_ctx *ctx)
{
    unsigned narenas = 0;
    size_t sz = sizeof(narenas);
    char name[48];
    if (mallctl("arenas.narenas", &narenas, &sz, NULL, 0) == 0) {
        snprintf(name, sizeof(name), "arena.%u.purge", narenas);
        if (mallctl(name, NULL, 0, NULL, 0) == 0) {
            fr_reply_ok(ctx);
            return;
        }
    }
    fr_reply_error(ctx, "Error purging dirty pages");
}

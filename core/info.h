/* info.h -- what INFO, CLIENT and CONFIG share with the rest of the
 * commands layer.  Their handlers' prototypes are generated from
 * core/commands.yaml (core_glue.h), not repeated here.  Replies, field lists
 * and error texts are Redis 7.0.15's (docs/spec/server-commands.md).
 * Commands layer: includes runtime.h and lower. */
#ifndef FR_INFO_H
#define FR_INFO_H

#include <stddef.h>

#include "runtime.h"

/* core/info.c */
/* Call from the cron (Redis does it every cron tick): keeps the peak of
 * used_memory that INFO memory reports. */
void fr_info_cron(void);
/* Call once, right before the server accepts clients: the memory in use
 * then is INFO's used_memory_startup. */
void fr_info_mark_startup(void);
void fr_info_sample_stats(long long now_ms);   /* cron, every 100 ms */
void fr_info_reset_samples(long long now_ms);  /* start-up, RESETSTAT */
/* The memory figures INFO memory shows, for MEMORY STATS and DOCTOR:
 * used, rss, peak and startup memory, the overhead (startup + clients +
 * replication backlog + keyspace tables and entry headers), the dataset,
 * the clients' buffers, the backlog, jemalloc's allocated/active/resident. */
typedef struct fr_mem_facts {
    size_t used, rss, peak, startup, overhead, dataset, backlog;
    size_t clients;          /* normal clients (and a master's link), not replicas */
    size_t replica_buffers;  /* what replicas hold: mem_clients_slaves, not counted for eviction */
    long nreplicas;
    size_t allocated, active, resident; /* jemalloc's view */
    double dataset_perc;
} fr_mem_facts;
void fr_info_memory_facts(fr_mem_facts *m);

/* core/cmd_client.c */
/* CLIENT SETNAME's and HELLO SETNAME's rule: printable ASCII without
 * space, "" removes the name.  0, or -1 after replying the error. */
int fr_client_set_name(fr_ctx *ctx, const fr_str *name);
/* One CLIENT LIST line for c, without the trailing "\n"; caller frees. */
fr_str *fr_client_info_line(fr_client *c);
/* Bytes a client holds (CLIENT LIST tot-mem); *omem, when not NULL,
 * receives the reply-block part (CLIENT LIST omem). */
size_t fr_client_memory(const fr_client *c, size_t *omem);

#endif /* FR_INFO_H */

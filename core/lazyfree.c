/* lazyfree.c -- the background thread that frees large values (Redis's lazy
 * free: UNLINK, FLUSHDB/FLUSHALL ASYNC and the lazyfree-lazy-* settings),
 * so that deleting a value of a million members costs the event loop a
 * queue push instead of a million frees.
 *
 * Only what nothing else can reach is queued: a key entry already out of
 * its DB's tables, a payload already replaced in its entry, a DB's old
 * tables already swapped for empty ones.  The thread (a bio.c queue) only
 * releases memory: a type that reports a free effort promises its free
 * callback is safe off the main thread (frankenredis.h).
 *
 * Invariants: `pending` counts the objects queued and not yet freed (INFO
 * lazyfree_pending_objects; a DB's tables count as their keys); `freed`
 * counts what the thread freed since start or CONFIG RESETSTAT
 * (lazyfreed_objects).  fr_lazyfree_drain() returns once the queue is empty
 * and no job runs: a module's types are removed only after it, so no free
 * callback outlives its module's code. */
#include <stdatomic.h>

#include "keyspace.h"
#include "kv.h"

/* Redis's LAZYFREE_THRESHOLD: below this many allocations a free is
 * cheaper than the hand-over. */
#define LAZYFREE_THRESHOLD 64

static fr_bg_queue *queue;      /* created with the first job */
static _Atomic long long pending, freed;

/* What one job frees, owned by the job from submit to its end. */
typedef struct lazy_job {
    size_t objects;                 /* what it adds to `pending` */
    void (*free_it)(struct lazy_job *);
    union {
        fr_value *entry;
        struct { const fr_type *type; void *p; } payload;
        struct { fr_dict *keys, *expires; } tables;
    } u;
} lazy_job;

static void free_entry(lazy_job *j)
{
    fr_kv_free(j->u.entry);
}

static void free_payload(lazy_job *j)
{
    fr_type_def_of(j->u.payload.type)->free(j->u.payload.p);
}

static void free_tables(lazy_job *j)
{
    fr_dict_release(j->u.tables.expires); /* pointers only: first */
    fr_dict_release(j->u.tables.keys);
}

/* On the thread.  `freed` first: whoever sees `pending` reach 0 sees the
 * count too. */
static void run_job(void *arg)
{
    lazy_job *j = arg;
    j->free_it(j);
    atomic_fetch_add(&freed, (long long)j->objects);
    atomic_fetch_sub(&pending, (long long)j->objects);
    fr_free(j);
}

static void submit(lazy_job *j)
{
    if (!queue) queue = fr_bg_queue_new("fr-lazyfree");
    atomic_fetch_add(&pending, (long long)j->objects);
    fr_bg_submit(queue, run_job, j);
}

static lazy_job *new_job(void (*free_it)(lazy_job *), size_t objects)
{
    lazy_job *j = fr_malloc(sizeof(*j));
    j->free_it = free_it;
    j->objects = objects;
    return j;
}

/* Redis's freeObjAsync test: worth the hand-over, and not shared. */
static int worth_lazy(const fr_type *t, const void *payload)
{
    const fr_type_def *def = fr_type_def_of(t);
    if (!def || !def->free_effort || !payload) return 0;
    if (def->refcount && def->refcount(payload) != 1) return 0;
    return def->free_effort(payload) > LAZYFREE_THRESHOLD;
}

void fr_lazyfree_entry(fr_value *v, int lazy)
{
    if (!v) return;
    if (!lazy || !worth_lazy(fr_value_type(v), v->payload)) {
        fr_kv_free(v);
        return;
    }
    lazy_job *j = new_job(free_entry, 1);
    j->u.entry = v;
    submit(j);
}

int fr_lazyfree_payload(const fr_type *t, void *payload)
{
    if (!worth_lazy(t, payload)) return 0;
    lazy_job *j = new_job(free_payload, 1);
    j->u.payload.type = t;
    j->u.payload.p = payload;
    submit(j);
    return 1;
}

void fr_lazyfree_tables(fr_dict *keys, fr_dict *expires)
{
    lazy_job *j = new_job(free_tables, fr_dict_size(keys));
    j->u.tables.keys = keys;
    j->u.tables.expires = expires;
    submit(j);
}

void fr_lazyfree_drain(void)
{
    fr_bg_drain(queue);
}

/* What is queued is freed, then the thread ends; later frees start a new
 * one. */
void fr_lazyfree_stop(void)
{
    fr_bg_queue_free(queue);
    queue = NULL;
}

long long fr_lazyfree_pending(void)
{
    return atomic_load(&pending);
}

long long fr_lazyfree_freed(void)
{
    return atomic_load(&freed);
}

void fr_lazyfree_reset_stats(void)
{
    atomic_store(&freed, 0);
}

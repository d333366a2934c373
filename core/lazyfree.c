/* lazyfree.c -- the background thread that frees large values (Redis's lazy
 * free: UNLINK, FLUSHDB/FLUSHALL ASYNC and the lazyfree-lazy-* settings),
 * so that deleting a value of a million members costs the event loop a
 * queue push instead of a million frees.
 *
 * Only what nothing else can reach is queued: a key entry already out of
 * its DB's tables, a payload already replaced in its entry, a DB's old
 * tables already swapped for empty ones.  The thread only releases memory
 * (a type that reports a free effort promises its free callback is safe
 * off the main thread, frankenredis.h), and its allocator traffic is
 * counted apart (zmalloc.c).
 *
 * Invariants: `pending` counts the objects queued and not yet freed (INFO
 * lazyfree_pending_objects; a DB's tables count as their keys); `freed`
 * counts what the thread freed since start or CONFIG RESETSTAT
 * (lazyfreed_objects).  fr_lazyfree_drain() returns once the queue is empty
 * and no job runs: a module's types are removed, and the server exits,
 * only after it, so no free callback outlives its module's code. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "keyspace.h"
#include "kv.h"

/* Redis's LAZYFREE_THRESHOLD: below this many allocations a free is
 * cheaper than the hand-over. */
#define LAZYFREE_THRESHOLD 64

typedef enum { JOB_ENTRY, JOB_PAYLOAD, JOB_TABLES } job_kind;

typedef struct job {
    struct job *next;
    job_kind kind;
    size_t objects;            /* what it adds to `pending` */
    union {
        fr_value *entry;                                   /* JOB_ENTRY */
        struct { const fr_type *type; void *p; } payload;  /* JOB_PAYLOAD */
        struct { fr_dict *keys, *expires; } tables;        /* JOB_TABLES */
    } u;
} job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;      /* signalled when a job is queued or on stop */
    pthread_cond_t idle;      /* signalled when the queue empties */
    job *head, *tail;         /* FIFO, under lock */
    int running;              /* a job is being freed, under lock */
    int started, stopping;
    pthread_t thread;
    _Atomic long long pending, freed;
} lf = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER,
    .idle = PTHREAD_COND_INITIALIZER,
};

static void run_job(job *j)
{
    switch (j->kind) {
    case JOB_ENTRY:
        fr_kv_free(j->u.entry);
        break;
    case JOB_PAYLOAD:
        fr_type_def_of(j->u.payload.type)->free(j->u.payload.p);
        break;
    case JOB_TABLES:
        fr_dict_release(j->u.tables.expires); /* pointers only: first */
        fr_dict_release(j->u.tables.keys);
        break;
    }
}

static void *thread_main(void *arg)
{
    (void)arg;
    fr_alloc_thread_is_helper();
    pthread_mutex_lock(&lf.lock);
    for (;;) {
        while (!lf.head && !lf.stopping) pthread_cond_wait(&lf.work, &lf.lock);
        job *j = lf.head;
        if (!j) break; /* stopping with nothing left */
        lf.head = j->next;
        if (!lf.head) lf.tail = NULL;
        lf.running = 1;
        pthread_mutex_unlock(&lf.lock);
        run_job(j);
        /* freed first: whoever sees pending reach 0 sees the count too */
        atomic_fetch_add(&lf.freed, (long long)j->objects);
        atomic_fetch_sub(&lf.pending, (long long)j->objects);
        fr_free(j);
        pthread_mutex_lock(&lf.lock);
        lf.running = 0;
        if (!lf.head) pthread_cond_broadcast(&lf.idle);
    }
    pthread_mutex_unlock(&lf.lock);
    return NULL;
}

/* A forked child (a snapshot, a rewrite) has no thread: what it would
 * free it frees itself, and it never waits for the parent's queue. */
static void forget_thread_in_child(void)
{
    pthread_mutex_init(&lf.lock, NULL);
    pthread_cond_init(&lf.work, NULL);
    pthread_cond_init(&lf.idle, NULL);
    lf.head = lf.tail = NULL;
    lf.running = lf.started = 0;
    lf.stopping = 1;
}

/* Started on first use, with every signal blocked: signals are the event
 * loop's business. */
static int start_thread(void)
{
    static int atfork_set;
    if (!atfork_set && pthread_atfork(NULL, NULL, forget_thread_in_child) == 0) atfork_set = 1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&lf.thread, NULL, thread_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        fr_log(FR_LOG_WARNING, "lazyfree: cannot start the background thread; freeing at once");
        return FR_ERR;
    }
    lf.started = 1;
    return FR_OK;
}

/* Queue j, or run it here when the thread cannot run (never started and
 * cannot be, or stopped at shutdown). */
static void submit(job *j)
{
    if (lf.stopping || (!lf.started && start_thread() != FR_OK)) {
        run_job(j);
        fr_free(j);
        return;
    }
    atomic_fetch_add(&lf.pending, (long long)j->objects);
    j->next = NULL;
    pthread_mutex_lock(&lf.lock);
    if (lf.tail) lf.tail->next = j;
    else lf.head = j;
    lf.tail = j;
    pthread_cond_signal(&lf.work);
    pthread_mutex_unlock(&lf.lock);
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
    job *j = fr_malloc(sizeof(*j));
    j->kind = JOB_ENTRY;
    j->objects = 1;
    j->u.entry = v;
    submit(j);
}

int fr_lazyfree_payload(const fr_type *t, void *payload)
{
    if (!worth_lazy(t, payload)) return 0;
    job *j = fr_malloc(sizeof(*j));
    j->kind = JOB_PAYLOAD;
    j->objects = 1;
    j->u.payload.type = t;
    j->u.payload.p = payload;
    submit(j);
    return 1;
}

void fr_lazyfree_tables(fr_dict *keys, fr_dict *expires)
{
    job *j = fr_malloc(sizeof(*j));
    j->kind = JOB_TABLES;
    j->objects = fr_dict_size(keys);
    j->u.tables.keys = keys;
    j->u.tables.expires = expires;
    submit(j);
}

void fr_lazyfree_drain(void)
{
    if (!lf.started) return;
    pthread_mutex_lock(&lf.lock);
    while (lf.head || lf.running) pthread_cond_wait(&lf.idle, &lf.lock);
    pthread_mutex_unlock(&lf.lock);
}

/* Shutdown: what is queued is freed, then the thread ends; later frees
 * happen at once (submit). */
void fr_lazyfree_stop(void)
{
    if (!lf.started) return;
    pthread_mutex_lock(&lf.lock);
    lf.stopping = 1;
    pthread_cond_signal(&lf.work);
    pthread_mutex_unlock(&lf.lock);
    pthread_join(lf.thread, NULL);
    lf.started = 0;
}

long long fr_lazyfree_pending(void)
{
    return atomic_load(&lf.pending);
}

long long fr_lazyfree_freed(void)
{
    return atomic_load(&lf.freed);
}

void fr_lazyfree_reset_stats(void)
{
    atomic_store(&lf.freed, 0);
}

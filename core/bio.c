/* bio.c -- background job queues (Redis's bio): each queue is one thread
 * that runs its jobs in the order they were submitted, so the event loop
 * can hand slow work (freeing a huge value, an fsync, closing a file) to
 * it and go on.  The core's lazy free and the aof module's fsyncs use it.
 *
 * A queue's thread starts with its first job, with every signal blocked
 * (signals are the event loop's business), and counts its allocations
 * apart (fr_alloc_thread_is_helper).  Invariants: `pending` counts the
 * jobs queued plus the one running, so 0 means nothing of this queue is in
 * flight, and fr_bg_drain returns only then; a job node is owned by the
 * queue from submit until its job has run.  A forked child has no threads:
 * there every queue runs each job inline at submit. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

typedef struct bg_job {
    struct bg_job *next;
    fr_bg_job_fn fn;
    void *arg;
} bg_job;

struct fr_bg_queue {
    char name[16];             /* the thread's name (ps, gdb, perf) */
    pthread_mutex_t lock;
    pthread_cond_t work;       /* a job was queued, or stop */
    pthread_cond_t idle;       /* pending reached 0 */
    bg_job *head, *tail;       /* FIFO, under lock */
    long long pending;         /* under lock */
    int started, stopping, inline_only;
    pthread_t thread;
    struct fr_bg_queue *next;  /* every queue, for the fork handler */
};

static fr_bg_queue *queues;

static void *bg_main(void *arg)
{
    fr_bg_queue *q = arg;
    fr_alloc_thread_is_helper();
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping) pthread_cond_wait(&q->work, &q->lock);
        bg_job *j = q->head;
        if (!j) break; /* stopping, nothing left */
        q->head = j->next;
        if (!q->head) q->tail = NULL;
        pthread_mutex_unlock(&q->lock);
        j->fn(j->arg);
        fr_free(j);
        pthread_mutex_lock(&q->lock);
        if (--q->pending == 0) pthread_cond_broadcast(&q->idle);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* In a forked child: fresh locks (the parent's threads may have held
 * them), nothing queued, every job inline from now on. */
static void forget_threads_in_child(void)
{
    for (fr_bg_queue *q = queues; q; q = q->next) {
        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->work, NULL);
        pthread_cond_init(&q->idle, NULL);
        q->head = q->tail = NULL;
        q->pending = 0;
        q->started = 0;
        q->inline_only = 1;
    }
}

FR_API fr_bg_queue *fr_bg_queue_new(const char *name)
{
    static int atfork_set;
    if (!atfork_set && pthread_atfork(NULL, NULL, forget_threads_in_child) == 0) atfork_set = 1;
    fr_bg_queue *q = fr_calloc(sizeof(*q));
    snprintf(q->name, sizeof(q->name), "%s", name ? name : "bio");
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->idle, NULL);
    q->next = queues;
    queues = q;
    return q;
}

static int start_thread(fr_bg_queue *q)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&q->thread, NULL, bg_main, q);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        fr_log(FR_LOG_WARNING, "cannot start the %s background thread: running its jobs inline", q->name);
        q->inline_only = 1;
        return FR_ERR;
    }
    pthread_setname_np(q->thread, q->name);
    q->started = 1;
    return FR_OK;
}

FR_API void fr_bg_submit(fr_bg_queue *q, fr_bg_job_fn fn, void *arg)
{
    if (!q || q->inline_only || q->stopping || (!q->started && start_thread(q) != FR_OK)) {
        fn(arg);
        return;
    }
    bg_job *j = fr_malloc(sizeof(*j));
    j->next = NULL;
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&q->lock);
    if (q->tail) q->tail->next = j;
    else q->head = j;
    q->tail = j;
    q->pending++;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->lock);
}

FR_API long long fr_bg_pending(fr_bg_queue *q)
{
    if (!q) return 0;
    pthread_mutex_lock(&q->lock);
    long long n = q->pending;
    pthread_mutex_unlock(&q->lock);
    return n;
}

FR_API void fr_bg_drain(fr_bg_queue *q)
{
    if (!q || !q->started) return;
    pthread_mutex_lock(&q->lock);
    while (q->pending) pthread_cond_wait(&q->idle, &q->lock);
    pthread_mutex_unlock(&q->lock);
}

FR_API void fr_bg_queue_free(fr_bg_queue *q)
{
    if (!q) return;
    if (q->started) {
        pthread_mutex_lock(&q->lock);
        q->stopping = 1;
        pthread_cond_signal(&q->work);
        pthread_mutex_unlock(&q->lock);
        pthread_join(q->thread, NULL);
    }
    for (fr_bg_queue **pp = &queues; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->idle);
    fr_free(q);
}

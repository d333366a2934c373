/* aof_fsync.c -- the background thread that fsyncs the AOF (appendfsync
 * everysec) and closes the files a rewrite switched away from, so the
 * event loop never waits on the disk for them (Redis's bio jobs).
 *
 * Owns a small FIFO of jobs under one mutex.  Invariant: `pending` counts
 * the jobs queued plus the one running, so aof_fsync_pending() is 0 only
 * when no fsync of ours is in flight; that is what the everysec rule
 * ("do not write while an fsync runs, for up to two seconds") reads. */
#include "aof_internal.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define JOBS_MAX 64

typedef struct fsync_job {
    int fd;
    int close_after;
} fsync_job;

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    fsync_job jobs[JOBS_MAX];
    int head, count;
    int pending;
    int running, stop;
} fq = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *fsync_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&fq.lock);
    for (;;) {
        while (!fq.count && !fq.stop) pthread_cond_wait(&fq.wake, &fq.lock);
        if (!fq.count && fq.stop) break;
        fsync_job job = fq.jobs[fq.head];
        fq.head = (fq.head + 1) % JOBS_MAX;
        fq.count--;
        pthread_mutex_unlock(&fq.lock);
        fdatasync(job.fd);
        if (job.close_after) close(job.fd);
        pthread_mutex_lock(&fq.lock);
        fq.pending--;
    }
    pthread_mutex_unlock(&fq.lock);
    return NULL;
}

int aof_fsync_start(void) {
    if (fq.running) return FR_OK;
    fq.stop = 0;
    if (pthread_create(&fq.thread, NULL, fsync_main, NULL) != 0) return FR_ERR;
    fq.running = 1;
    return FR_OK;
}

/* Runs what is queued, then joins the thread. */
void aof_fsync_stop(void) {
    if (!fq.running) return;
    pthread_mutex_lock(&fq.lock);
    fq.stop = 1;
    pthread_cond_signal(&fq.wake);
    pthread_mutex_unlock(&fq.lock);
    pthread_join(fq.thread, NULL);
    fq.running = 0;
}

/* When the queue is full (the disk is far behind) the job runs here:
 * slower, never lost. */
void aof_fsync_submit(int fd, int close_after) {
    pthread_mutex_lock(&fq.lock);
    if (!fq.running || fq.count == JOBS_MAX) {
        pthread_mutex_unlock(&fq.lock);
        fdatasync(fd);
        if (close_after) close(fd);
        return;
    }
    fq.jobs[(fq.head + fq.count) % JOBS_MAX] = (fsync_job){fd, close_after};
    fq.count++;
    fq.pending++;
    pthread_cond_signal(&fq.wake);
    pthread_mutex_unlock(&fq.lock);
}

int aof_fsync_pending(void) {
    pthread_mutex_lock(&fq.lock);
    int n = fq.pending;
    pthread_mutex_unlock(&fq.lock);
    return n;
}

/* aof_fsync.c -- the background thread that fsyncs the AOF (appendfsync
 * everysec) and closes the files a rewrite switched away from, so the
 * event loop never waits on the disk for them (Redis's bio jobs).
 *
 * Owns the module's job queue on the core's background threads (fr_bg_*).
 * Its pending count is the jobs queued plus the one running, so
 * aof_fsync_pending() is 0 only when no fsync of ours is in flight; that is
 * what the everysec rule ("do not write while an fsync runs, for up to two
 * seconds") reads. */
#include "aof_internal.h"

#include <stdint.h>
#include <unistd.h>

static fr_bg_queue *fsync_queue;

/* The job's argument is the descriptor and close_after packed in one word:
 * nothing to allocate per fsync. */
static void fsync_job(void *arg) {
    intptr_t v = (intptr_t)arg;
    int fd = (int)(v >> 1);
    fdatasync(fd);
    if (v & 1) close(fd);
}

int aof_fsync_start(void) {
    if (!fsync_queue) fsync_queue = fr_bg_queue_new("fr-aof-fsync");
    return FR_OK;
}

/* Runs what is queued, then ends the thread. */
void aof_fsync_stop(void) {
    fr_bg_queue_free(fsync_queue);
    fsync_queue = NULL;
}

void aof_fsync_submit(int fd, int close_after) {
    fr_bg_submit(fsync_queue, fsync_job, (void *)(((intptr_t)fd << 1) | (close_after ? 1 : 0)));
}

int aof_fsync_pending(void) {
    return (int)fr_bg_pending(fsync_queue);
}

/* aof_write.c -- what goes into the append-only file and when it reaches
 * the disk.
 *
 * Every command the core propagates is appended to aof_g.buf in RESP (an
 * array of bulk strings), preceded by SELECT when its DB differs from the
 * file's; the core already turned relative expiries into absolute ones and
 * wrapped transactions in MULTI/EXEC, so the file gets exactly what a
 * replica gets.  The buffer is written once per event-loop iteration, from
 * the before-sleep hook, which the core runs before any reply leaves: under
 * appendfsync always a client never hears of a write that is not on disk.
 *
 * Invariants: aof_g.incr_size is the size of the current incremental file
 * (a failed or short write is truncated away, or counted); bytes leave
 * aof_g.buf only once written; aof_g.write_refused mirrors what we asked
 * of the core (fr_deny_writes). */
#include "aof_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FSYNC_EVERYSEC = 0, FSYNC_ALWAYS = 1, FSYNC_NO = 2 }; /* the manifest's order, Redis's */

static void cat_bulk_count(char prefix, long long n) {
    char b[32];
    int len = snprintf(b, sizeof(b), "%c%lld\r\n", prefix, n);
    aof_g.buf = fr_str_cat(aof_g.buf, b, (size_t)len);
}

static void cat_command(int argc, const fr_str *const *argv) {
    cat_bulk_count('*', argc);
    for (int i = 0; i < argc; i++) {
        cat_bulk_count('$', (long long)argv[i]->len);
        aof_g.buf = fr_str_cat(aof_g.buf, argv[i]->buf, argv[i]->len);
        aof_g.buf = fr_str_cat(aof_g.buf, "\r\n", 2);
    }
}

static void cat_select(int dbid) {
    char num[24];
    int n = snprintf(num, sizeof(num), "%d", dbid);
    fr_str *db = fr_str_new(num, (size_t)n);
    fr_str *word = fr_str_new("SELECT", 6);
    const fr_str *argv[2] = {word, db};
    cat_command(2, argv);
    fr_str_free(word);
    fr_str_free(db);
}

/* Logged while on, and while a rewrite started by "appendonly yes" runs
 * (into the temp incremental file); before that rewrite forks, its
 * snapshot will hold these writes anyway. */
int aof_on_propagated(int dbid, int argc, const fr_str *const *argv) {
    if (aof_g.loading || aof_g.fd < 0) return FR_OK;
    if (dbid != aof_g.selected_db) {
        cat_select(dbid);
        aof_g.selected_db = dbid;
    }
    cat_command(argc, argv);
    return FR_OK;
}

/* ---- Write errors ------------------------------------------------------- */

static void refuse_writes(int on) {
    if (on == aof_g.write_refused) return;
    char msg[256];
    snprintf(msg, sizeof(msg), "-MISCONF Errors writing to the AOF file: %s", strerror(aof_g.last_write_errno));
    fr_deny_writes(on ? msg : NULL);
    aof_g.write_refused = on;
}

/* Redis's rule: a partial write is cut off again when possible, so the
 * file never ends in half a command we will write again. */
static void write_failed(ssize_t nwritten, size_t expected) {
    if (nwritten < 0) {
        aof_g.last_write_errno = errno;
        fr_log(FR_LOG_WARNING, "Error writing to the AOF file: %s", strerror(errno));
    } else {
        fr_log(FR_LOG_WARNING, "Short write while writing to the AOF file: (nwritten=%lld, expected=%lld)",
               (long long)nwritten, (long long)expected);
        aof_g.last_write_errno = ENOSPC;
        if (ftruncate(aof_g.fd, aof_g.incr_size) == -1) {
            fr_log(FR_LOG_WARNING, "Could not remove short write from the append-only file.  Redis may "
                   "refuse to load the AOF the next time it starts.  ftruncate: %s", strerror(errno));
            aof_g.incr_size += nwritten;
            aof_g.current_size += nwritten;
            size_t rest = expected - (size_t)nwritten;
            memmove(aof_g.buf->buf, aof_g.buf->buf + nwritten, rest);
            aof_g.buf = fr_str_set_len(aof_g.buf, rest);
        }
    }
    if (aof_conf_appendfsync() == FSYNC_ALWAYS) {
        fr_log(FR_LOG_WARNING, "Can't recover from AOF write error when the AOF fsync policy is 'always'. "
               "Exiting...");
        exit(1);
    }
    aof_g.last_write_ok = 0;
    refuse_writes(1);
}

/* ---- Flushing ------------------------------------------------------------- */

static void fsync_as_configured(time_t now) {
    if (aof_conf_no_appendfsync_on_rewrite() && fr_fork_active()) return;
    long policy = (long)aof_conf_appendfsync();
    if (policy == FSYNC_ALWAYS) {
        uint64_t start = fr_ustime();
        if (fdatasync(aof_g.fd) == -1) {
            fr_log(FR_LOG_WARNING, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                   "%s. Exiting...", strerror(errno));
            exit(1);
        }
        fr_latency_sample("aof-fsync-always", (long long)(fr_ustime() - start) / 1000);
    } else if (policy == FSYNC_EVERYSEC && now > aof_g.last_fsync) {
        if (!aof_fsync_pending()) aof_fsync_submit(aof_g.fd, 0);
    } else {
        return;
    }
    aof_g.incr_fsynced = aof_g.incr_size;
    aof_g.last_fsync = now;
}

/* everysec: while the background fsync runs, a write would block behind
 * it, so it waits -- at most two seconds, then it goes anyway and counts
 * as a delayed fsync.  1 when this flush should wait. */
static int wait_for_fsync(int force) {
    if (force || aof_conf_appendfsync() != FSYNC_EVERYSEC || !aof_fsync_pending()) return 0;
    long long now = (long long)fr_mstime();
    if (!aof_g.postponed_since) {
        aof_g.postponed_since = now;
        return 1;
    }
    if (now - aof_g.postponed_since < 2000) return 1;
    aof_g.delayed_fsync++;
    fr_log(FR_LOG_NOTICE, "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
           "without waiting for fsync to complete, this may slow down Redis.");
    return 0;
}

void aof_flush(int force) {
    if (aof_g.fd < 0) return;
    time_t now = time(NULL);
    if (!aof_g.buf->len) {
        /* written earlier, but the fsync was skipped (it was busy) */
        if (aof_conf_appendfsync() == FSYNC_EVERYSEC && aof_g.incr_fsynced != aof_g.incr_size &&
            now > aof_g.last_fsync && !aof_fsync_pending())
            fsync_as_configured(now);
        return;
    }
    if (wait_for_fsync(force)) return;
    aof_g.postponed_since = 0;
    size_t len = aof_g.buf->len;
    uint64_t start = fr_ustime();
    ssize_t n = write(aof_g.fd, aof_g.buf->buf, len);
    fr_latency_sample(fr_fork_active() ? "aof-write-active-child" : "aof-write-alone",
                      (long long)(fr_ustime() - start) / 1000);
    if (n != (ssize_t)len) {
        write_failed(n, len);
        return;
    }
    if (!aof_g.last_write_ok) {
        fr_log(FR_LOG_WARNING, "AOF write error looks solved, Redis can write again.");
        aof_g.last_write_ok = 1;
        refuse_writes(0);
    }
    aof_g.incr_size += n;
    aof_g.current_size += n;
    aof_g.buf = fr_str_set_len(aof_g.buf, 0);
    if (aof_g.buf->cap > 4000 * 1024) {
        fr_str_free(aof_g.buf);
        aof_g.buf = fr_str_new_empty(1024);
    }
    fsync_as_configured(now);
}

void aof_switch_fd(int fd, long long size) {
    if (aof_g.fd >= 0) aof_fsync_submit(aof_g.fd, 1);
    aof_g.fd = fd;
    aof_g.incr_size = aof_g.incr_fsynced = size;
    aof_g.selected_db = -1;
    aof_g.last_fsync = time(NULL);
}

/* Stop appending: what is buffered is written and fsynced first. */
void aof_close_fd(void) {
    if (aof_g.fd < 0) return;
    aof_flush(1);
    if (fdatasync(aof_g.fd) == 0) aof_g.last_fsync = time(NULL);
    else fr_log(FR_LOG_WARNING, "Fail to fsync the AOF file: %s", strerror(errno));
    close(aof_g.fd);
    aof_g.fd = -1;
    aof_g.selected_db = -1;
    aof_g.incr_size = aof_g.incr_fsynced = 0;
    aof_g.buf = fr_str_set_len(aof_g.buf, 0);
}

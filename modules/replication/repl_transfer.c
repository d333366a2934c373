/* repl_transfer.c -- a replica receiving its master's snapshot: the bulk
 * header ("$<len>", or diskless "$EOF:<40-byte mark>"), the payload, and
 * where it goes before repl_replica_load() replaces the dataset.
 *
 * repl-diskless-load disabled (the default), or on-empty-db with keys
 * present: the payload goes to temp-<time>.<pid>.rdb as it arrives, so the
 * link's input never holds more than one read; complete, it is fsynced
 * and renamed over the RDB file (dbfilename, in dir), which is then
 * loaded from a read-only mapping -- the page cache, not the heap, holds
 * it -- as Redis's readSyncBulkPayload does.  Otherwise (swapdb, or
 * on-empty-db with an empty keyspace) the payload stays in the link's
 * input until complete and is loaded from there.
 *
 * Invariants: st.fd >= 0 exactly while a temp file is open, and then
 * st.tmpfile names it; a temp file outlives its transfer only by being
 * renamed over the RDB file (repl_transfer_abort unlinks it otherwise);
 * nothing after an EOF mark is read before the mark (a diskless master
 * sends the stream only after our first ACK), so the mark is the last 40
 * bytes received when it has arrived. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repl_internal.h"

#define EOF_MARK_LEN 40
#define FSYNC_EVERY (8LL * 1024 * 1024) /* Redis's REPL_MAX_WRITTEN_BEFORE_FSYNC */

static struct {
    int to_disk;
    int header_seen;
    long long size;              /* payload bytes, 0 with an EOF mark */
    char eofmark[EOF_MARK_LEN + 1];  /* "" unless diskless */
    long long read;              /* payload bytes received (the mark too) */
    time_t lastio;
    int fd;
    char tmpfile[64];
    long long written, fsynced;  /* bytes in the temp file; synced range */
    char last[EOF_MARK_LEN];     /* the last bytes received, to spot the mark */
} st = {.fd = -1};

static int keyspace_empty(void)
{
    for (int i = 0; i < fr_db_count(); i++)
        if (fr_db_size(fr_db_by_id(NULL, i))) return 0;
    return 1;
}

/* Redis's useDisklessLoad. */
static int load_through_disk(void)
{
    char mode[32];
    fr_config_server_str("repl-diskless-load", mode, sizeof(mode));
    if (!strcmp(mode, "swapdb")) return 0;
    if (!strcmp(mode, "on-empty-db")) return !keyspace_empty();
    return 1;
}

int repl_transfer_begin(void)
{
    repl_transfer_abort();
    memset(&st, 0, sizeof(st));
    st.fd = -1;
    st.lastio = time(NULL);
    st.to_disk = load_through_disk();
    if (!st.to_disk) return FR_OK;
    for (int tries = 0; tries < 5 && st.fd < 0; tries++) {
        snprintf(st.tmpfile, sizeof(st.tmpfile), "temp-%d.%ld.rdb", (int)time(NULL), (long)getpid());
        st.fd = open(st.tmpfile, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0644);
        if (st.fd < 0 && errno != EEXIST) break;
        if (st.fd < 0) usleep(1000);
    }
    if (st.fd < 0) {
        fr_log(FR_LOG_WARNING, "Opening the temp file needed for MASTER <-> REPLICA synchronization: %s",
               strerror(errno));
        st.tmpfile[0] = 0;
        return FR_ERR;
    }
    return FR_OK;
}

void repl_transfer_abort(void)
{
    if (st.fd < 0) return;
    close(st.fd);
    st.fd = -1;
    unlink(st.tmpfile);
    st.tmpfile[0] = 0;
}

/* ---- the payload ------------------------------------------------------------ */

static long long header(const char *p, size_t len)
{
    const char *nl = memchr(p, '\n', len);
    if (!nl) return 0;
    size_t ll = (size_t)(nl - p) + 1;
    if (ll == 1 || (ll == 2 && p[0] == '\r')) return (long long)ll; /* keep-alive newline */
    if (p[0] != '$') {
        fr_log(FR_LOG_WARNING, "Bad protocol from MASTER, the first byte is not '$' (we received '%.*s'), are you "
               "sure the host and port are right?", (int)(ll > 64 ? 64 : ll - 1), p);
        return -1;
    }
    const char *where = st.to_disk ? "to disk" : "to parser";
    if (ll >= 5 + EOF_MARK_LEN && !strncmp(p, "$EOF:", 5)) {
        memcpy(st.eofmark, p + 5, EOF_MARK_LEN);
        st.eofmark[EOF_MARK_LEN] = 0;
        st.size = 0;
        fr_log(FR_LOG_NOTICE, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF %s", where);
    } else {
        st.size = strtoll(p + 1, NULL, 10);
        if (st.size <= 0) return -1;
        fr_log(FR_LOG_NOTICE, "MASTER <-> REPLICA sync: receiving %lld bytes from master %s", st.size, where);
    }
    st.header_seen = 1;
    return (long long)ll;
}

static int write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(st.fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fr_log(FR_LOG_WARNING, "Write error or short write writing to the DB dump file needed for MASTER <-> "
                   "REPLICA synchronization: %s", n < 0 ? strerror(errno) : "short write");
            return FR_ERR;
        }
        p += n;
        len -= (size_t)n;
        st.written += n;
    }
    /* flush as we go, so the final fsync does not stall on gigabytes */
    if (st.written - st.fsynced >= FSYNC_EVERY) {
        sync_file_range(st.fd, st.fsynced, st.written - st.fsynced,
                        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE);
        st.fsynced = st.written;
    }
    return FR_OK;
}

/* The temp file becomes the RDB file, mapped for the loader. */
static long long load_file(const char *rdbname, char *why, size_t whylen)
{
    int fd = open(rdbname, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    size_t len = (size_t)sb.st_size;
    void *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (len && map == MAP_FAILED) {
        snprintf(why, whylen, "mmap: %s", strerror(errno));
        return -1;
    }
    if (len) madvise(map, len, MADV_SEQUENTIAL);
    const fr_snapshot_ops *ops = fr_snapshot_provider();
    long long took = ops ? ops->load_mem(map, len, why, whylen) : -1;
    if (len) munmap(map, len);
    return took;
}

static int fsync_dir_of(const char *path)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Redis's order: the file is made durable and renamed only after the old
 * dataset is gone (repl_replica_load empties first, then calls this). */
static long long disk_loader(const void *payload, size_t len, char *why, size_t whylen)
{
    (void)payload, (void)len; /* the temp file holds it */
    char rdbname[1024];
    fr_config_server_str("dbfilename", rdbname, sizeof(rdbname));
    if (!rdbname[0]) snprintf(rdbname, sizeof(rdbname), "dump.rdb");
    if (fsync(st.fd) == -1) {
        snprintf(why, whylen, "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: %s",
                 strerror(errno));
        return -1;
    }
    if (rename(st.tmpfile, rdbname) == -1) {
        snprintf(why, whylen, "Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %s",
                 rdbname, strerror(errno));
        return -1;
    }
    close(st.fd);
    st.fd = -1;
    st.tmpfile[0] = 0;
    if (fsync_dir_of(rdbname) == -1) {
        snprintf(why, whylen, "Failed trying to sync DB directory %s in MASTER <-> REPLICA synchronization: %s",
                 rdbname, strerror(errno));
        return -1;
    }
    char reason[512] = "no module provides the RDB format (rdb)";
    long long took = load_file(rdbname, reason, sizeof(reason));
    if (took < 0) snprintf(why, whylen, "Failed trying to load the MASTER synchronization DB from disk: %s", reason);
    /* a replica that persists nothing need not keep its master's file */
    if (fr_config_server_ll("rdb-del-sync-files", 0) && !fr_config_server_ll("appendonly", 0)) {
        char save[64];
        if (!fr_config_server_str("save", save, sizeof(save))[0]) {
            fr_log(FR_LOG_NOTICE, "Removing the RDB file obtained from the master. This replica has persistence "
                   "disabled");
            unlink(rdbname);
        }
    }
    return took;
}

static long long mem_loader(const void *payload, size_t len, char *why, size_t whylen)
{
    const fr_snapshot_ops *ops = fr_snapshot_provider();
    if (!ops) {
        snprintf(why, whylen, "no module provides the RDB format (rdb)");
        return -1;
    }
    char reason[512] = "";
    long long took = ops->load_mem(payload, len, reason, sizeof(reason));
    if (took < 0) snprintf(why, whylen, "Failed trying to load the MASTER synchronization DB: %s", reason);
    else fr_dirty(NULL, 1); /* no file was saved: the dataset changed since the last save, as Redis counts */
    return took;
}

/* In memory: nothing is consumed until the payload is whole. */
static long long payload_to_memory(const char *p, size_t len)
{
    st.read = (long long)len;
    if (st.size > 0) {
        if ((long long)len < st.size) return 0;
        st.read = st.size;
        return repl_replica_load(mem_loader, p, (size_t)st.size, 0) == FR_OK ? st.size : -1;
    }
    if (len < EOF_MARK_LEN || memcmp(p + len - EOF_MARK_LEN, st.eofmark, EOF_MARK_LEN)) return 0;
    return repl_replica_load(mem_loader, p, len - EOF_MARK_LEN, 1) == FR_OK ? (long long)len : -1;
}

/* The last 40 bytes received so far, p[0..len) being the newest. */
static void remember_tail(const char *p, size_t len)
{
    if (len >= EOF_MARK_LEN) {
        memcpy(st.last, p + len - EOF_MARK_LEN, EOF_MARK_LEN);
    } else {
        memmove(st.last, st.last + len, EOF_MARK_LEN - len);
        memcpy(st.last + EOF_MARK_LEN - len, p, len);
    }
}

/* To disk: written as it comes, the mark too (as Redis does, so the temp
 * file's size is what was received), then cut off once recognised. */
static long long payload_to_disk(const char *p, size_t len)
{
    if (st.size > 0) {
        long long n = st.size - st.read;
        if ((long long)len < n) n = (long long)len;
        if (write_all(p, (size_t)n) != FR_OK) return -1;
        st.read += n;
        if (st.read < st.size) return n;
        return repl_replica_load(disk_loader, NULL, 0, 0) == FR_OK ? n : -1;
    }
    if (write_all(p, len) != FR_OK) return -1;
    st.read += (long long)len;
    remember_tail(p, len);
    if (st.read < EOF_MARK_LEN || memcmp(st.last, st.eofmark, EOF_MARK_LEN)) return (long long)len;
    if (ftruncate(st.fd, st.written - EOF_MARK_LEN) == -1) {
        fr_log(FR_LOG_WARNING, "Error truncating the RDB file received from the master for SYNC: %s",
               strerror(errno));
        return -1;
    }
    return repl_replica_load(disk_loader, NULL, 0, 1) == FR_OK ? (long long)len : -1;
}

long long repl_transfer_feed(const char *p, size_t len)
{
    if (len) st.lastio = time(NULL);
    if (!st.header_seen) return header(p, len);
    return st.to_disk ? payload_to_disk(p, len) : payload_to_memory(p, len);
}

/* INFO replication while the payload comes, with Redis's figures: the
 * size is -1 before the header and 0 with an EOF mark. */
void repl_transfer_info(fr_info_out *o)
{
    long long size = st.header_seen ? st.size : -1;
    double perc = size ? (double)st.read / (double)size * 100 : 0;
    char p[32];
    snprintf(p, sizeof(p), "%.2f", perc);
    fr_info_add_ll(o, "master_sync_total_bytes", size);
    fr_info_add_ll(o, "master_sync_read_bytes", st.read);
    fr_info_add_ll(o, "master_sync_left_bytes", size - st.read);
    fr_info_add_text(o, "master_sync_perc", p);
    fr_info_add_ll(o, "master_sync_last_io_seconds_ago", (long long)(time(NULL) - st.lastio));
}

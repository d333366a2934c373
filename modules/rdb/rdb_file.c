/* rdb_file.c -- snapshot files: crash-safe writing and start-up loading.
 *
 * Owns the file protocol: a snapshot is written to "temp-<pid>.rdb" in the
 * working directory (the core chdir()s to `dir`), fsync'ed, renamed over
 * dbfilename, and the directory is fsync'ed, so a crash at any moment
 * leaves the old file or the new one, never a torn one.  Loading maps the
 * whole file read-only and parses it in place.
 *
 * Invariants: a failed save removes its temp file and leaves dbfilename
 * untouched; every failure is logged with the operation and the reason. */
#include "rdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void rdb_temp_name(char *buf, size_t len, long pid) {
    snprintf(buf, len, "temp-%ld.rdb", pid);
}

const char *rdb_filename(char *buf, size_t len) {
    snprintf(buf, len, "%s", rdb_conf_dbfilename());
    return buf;
}

static const char *cwd_or_unknown(char *buf, size_t len) {
    return getcwd(buf, len) ? buf : "unknown";
}

static int fsync_dir_of(const char *filename) {
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", filename);
    int fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* ---- Saving ---------------------------------------------------------------- */

static int write_temp(const char *tmp, long long *keys, char *why, size_t whylen) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        char cwd[1024];
        fr_log(FR_LOG_WARNING, "Failed opening the temp RDB file %s (in server root "
               "dir %s) for saving: %s", tmp, cwd_or_unknown(cwd, sizeof(cwd)),
               strerror(errno));
        return -1;
    }
    rdb_stream s;
    rdb_writer_file(&s, fd, (rdb_conf_rdbcompression() != 0), (rdb_conf_rdbchecksum() != 0));
    int rc = rdb_save_snapshot(&s, keys);
    if (rc != FR_OK) rdb_stream_message(&s, why, whylen);
    else if (fsync(fd) != 0) snprintf(why, whylen, "fsync: %s", strerror(errno));
    rdb_stream_release(&s);
    if (close(fd) != 0 && rc == FR_OK && !why[0])
        snprintf(why, whylen, "close: %s", strerror(errno));
    return why[0] ? -2 : 0;
}

int rdb_save_file(const char *filename, long long *keys) {
    char tmp[64], why[700] = "";
    rdb_temp_name(tmp, sizeof(tmp), (long)getpid());
    int rc = write_temp(tmp, keys, why, sizeof(why));
    if (rc == -1) return FR_ERR;
    if (rc == -2) {
        fr_log(FR_LOG_WARNING, "Write error saving DB on disk: %s", why);
        unlink(tmp);
        return FR_ERR;
    }
    if (rename(tmp, filename) == -1) {
        char cwd[1024];
        fr_log(FR_LOG_WARNING, "Error moving temp DB file %s on the final destination "
               "%s (in server root dir %s): %s", tmp, filename,
               cwd_or_unknown(cwd, sizeof(cwd)), strerror(errno));
        unlink(tmp);
        return FR_ERR;
    }
    if (fsync_dir_of(filename) == -1) {
        fr_log(FR_LOG_WARNING, "Write error saving DB on disk(fsyncFileDir): %s",
               strerror(errno));
        return FR_ERR;
    }
    fr_log(FR_LOG_NOTICE, "DB saved on disk");
    return FR_OK;
}

/* ---- Loading --------------------------------------------------------------- */

static int load_mapped(const char *filename, const void *p, size_t len,
                       rdb_load_stats *st) {
    rdb_stream s;
    rdb_reader_mem(&s, p, len, fr_module_hardened(rdb_g.m));
    int rc = rdb_load_snapshot(&s, rdb_conf_rdbchecksum() != 0 && !rdb_g.skip_checksum,
                               RDB_LOAD_DROP_EXPIRED, st);
    if (rc != FR_OK) {
        char msg[800];
        rdb_stream_message(&s, msg, sizeof(msg));
        fr_log(FR_LOG_WARNING, "Fatal error loading the DB from %s: %s. Refusing to "
               "start rather than serve a partial dataset.", filename, msg);
        /* a refusal only hardened mode makes goes to the ledger too */
        if (s.divergence) fr_module_divergence(rdb_g.m, s.divergence, msg);
    }
    rdb_stream_release(&s);
    return rc;
}

int rdb_load_file(const char *filename, int *found, rdb_load_stats *st) {
    memset(st, 0, sizeof(*st));
    *found = 0;
    int fd = open(filename, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return FR_OK;
        fr_log(FR_LOG_WARNING, "Fatal error loading the DB: %s. Exiting.", strerror(errno));
        return FR_ERR;
    }
    *found = 1;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        fr_log(FR_LOG_WARNING, "Fatal error loading the DB: %s. Exiting.", strerror(errno));
        close(fd);
        return FR_ERR;
    }
    size_t len = (size_t)sb.st_size;
    void *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (map == MAP_FAILED) {
        fr_log(FR_LOG_WARNING, "Fatal error loading the DB: mmap: %s. Exiting.", strerror(errno));
        return FR_ERR;
    }
    if (map) madvise(map, len, MADV_SEQUENTIAL);
    int rc = load_mapped(filename, map ? map : "", len, st);
    if (map) munmap(map, len);
    return rc;
}

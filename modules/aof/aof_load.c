/* aof_load.c -- start-up with appendonly yes: the manifest, an old
 * single-file AOF upgraded into the directory, the replay of the base and
 * incremental files in order, and the files opened for appending.
 *
 * Files are mapped (read into the heap under ASan) and parsed in memory,
 * line by line as Redis's fgets-based loader reads them.  A base in RDB format (or an old
 * AOF with an RDB preamble) goes through the snapshot provider; commands
 * go through the SDK's replayer, which keeps MULTI blocks whole.
 *
 * Only the last file may end early (a torn last command, or a MULTI never
 * closed): with aof-load-truncated it is cut back to its last whole
 * command, as Redis does; any other damage refuses the start, naming the
 * file and the offset -- except, in hardened mode only, damage within the
 * last aof-tail-repair-limit of the last file, which is cut off the
 * same way and counted as a divergence (Redis has no such repair). */
#include "aof_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { LOAD_OK = 0, LOAD_EMPTY, LOAD_TRUNCATED, LOAD_FAILED };

typedef struct cmd_reader {
    const char *p;
    size_t len, pos;
} cmd_reader;

/* A line at pos, as fgets reads it in Redis's loader: up to and with its
 * "\n" (a "\r" before it is not part of the content).  Its content length,
 * with *next the position after the "\n"; -1 when the data ends first. */
static long line_at(const cmd_reader *r, size_t pos, size_t *next) {
    const char *nl = memchr(r->p + pos, '\n', r->len - pos);
    if (!nl) return -1;
    long n = (long)(nl - (r->p + pos));
    *next = pos + (size_t)n + 1;
    return n > 0 && r->p[pos + (size_t)n - 1] == '\r' ? n - 1 : n;
}

/* Parse "<prefix><number>" lines as Redis's loader does (atoi/strtol
 * rules: a non-number reads as 0). */
static long long line_number(const cmd_reader *r, size_t pos, long n) {
    char buf[32];
    size_t k = (size_t)(n - 1) < sizeof(buf) - 1 ? (size_t)(n - 1) : sizeof(buf) - 1;
    memcpy(buf, r->p + pos + 1, k);
    buf[k] = '\0';
    return strtoll(buf, NULL, 10);
}

static void argv_free(fr_str **argv, int n) {
    for (int i = 0; i < n; i++) fr_str_free(argv[i]);
    fr_free(argv);
}

/* One command at r->pos.  1 read (argv filled, pos moved), 0 the data ends
 * inside it, -1 a format error.  Each bulk is followed by two bytes that
 * are skipped unread, as Redis does. */
static int read_command(cmd_reader *r, int *argcp, fr_str ***argvp) {
    size_t pos = r->pos, next;
    long n = line_at(r, pos, &next);
    if (n < 0) return 0;
    if (r->p[pos] != '*') return -1;
    long long argc = line_number(r, pos, n);
    if (argc < 1 || argc > 1024 * 1024) return -1;
    pos = next;
    fr_str **argv = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    for (long long i = 0; i < argc; i++) {
        if (pos >= r->len || (n = line_at(r, pos, &next)) < 0) return argv_free(argv, (int)i), 0;
        if (r->p[pos] != '$') return argv_free(argv, (int)i), -1;
        long long len = line_number(r, pos, n);
        if (len < 0) return argv_free(argv, (int)i), -1;
        pos = next;
        if ((unsigned long long)len + 2 > r->len - pos) return argv_free(argv, (int)i), 0;
        argv[i] = fr_str_new(r->p + pos, (size_t)len);
        pos += (size_t)len + 2;
    }
    *argcp = (int)argc;
    *argvp = argv;
    r->pos = pos;
    return 1;
}

/* Annotations ("#..." lines, Redis's timestamps) are skipped; one that the
 * file ends inside is skipped to the end, as fgets returns it. */
static void skip_annotation(cmd_reader *r) {
    size_t next;
    r->pos = line_at(r, r->pos, &next) < 0 ? r->len : next;
}

static int truncated(const char *name, const char *path, size_t valid_up_to, int last) {
    if (!last) {
        fr_log(FR_LOG_WARNING, "Fatal error: the truncated file is not the last file");
        return LOAD_FAILED;
    }
    if (aof_conf_aof_load_truncated()) {
        fr_log(FR_LOG_WARNING, "!!! Warning: short read while loading the AOF file %s!!!", name);
        fr_log(FR_LOG_WARNING, "!!! Truncating the AOF %s at offset %llu !!!", name,
               (unsigned long long)valid_up_to);
        if (truncate(path, (off_t)valid_up_to) == -1) {
            fr_log(FR_LOG_WARNING, "Error truncating the AOF file %s: %s", name, strerror(errno));
            return LOAD_FAILED;
        }
        fr_log(FR_LOG_WARNING, "AOF %s loaded anyway because aof-load-truncated is enabled", name);
        return LOAD_TRUNCATED;
    }
    fr_log(FR_LOG_WARNING, "Unexpected end of file reading the append only file %s. You can: 1) Make a "
           "backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively "
           "you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name);
    return LOAD_FAILED;
}

static int format_error(const char *name, size_t offset) {
    fr_log(FR_LOG_WARNING, "Bad file format reading the append only file %s (at offset %llu): make a backup "
           "of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name,
           (unsigned long long)offset);
    return LOAD_FAILED;
}

/* Hardened mode's bounded repair of a corrupt tail: LOAD_TRUNCATED when
 * the damage is in the last file, close enough to its end. */
static int repair_tail(const char *name, const char *path, const cmd_reader *r, size_t valid_up_to,
                       int last) {
    size_t cut = r->len - valid_up_to;
    if (!last || !fr_module_hardened(aof_g.m) || cut > (size_t)aof_conf_aof_tail_repair_limit())
        return LOAD_FAILED;
    if (truncate(path, (off_t)valid_up_to) == -1) {
        fr_log(FR_LOG_WARNING, "Error truncating the AOF file %s: %s", name, strerror(errno));
        return LOAD_FAILED;
    }
    char what[600];
    snprintf(what, sizeof(what), "corrupt AOF tail repaired: %zu bytes of %s cut at offset %zu", cut, name,
             valid_up_to);
    fr_module_divergence(aof_g.m, "aof-tail-repair", what);
    return LOAD_TRUNCATED;
}

/* The commands of one file from r->pos on. */
static int replay_commands(cmd_reader *r, const char *name, const char *path, int last) {
    fr_replay *rp = fr_replay_new();
    size_t valid_up_to = r->pos, valid_before_multi = r->pos;
    int rc = LOAD_OK, corrupt = 0;
    while (r->pos < r->len && rc == LOAD_OK) {
        if (r->p[r->pos] == '#') {
            /* valid_up_to stays: as Redis's, a torn tail is cut back to
             * the end of the last command, annotations after it too */
            skip_annotation(r);
            continue;
        }
        int argc;
        fr_str **argv;
        size_t at = r->pos;
        int got = read_command(r, &argc, &argv);
        if (got == 0) {
            rc = truncated(name, path, fr_replay_in_multi(rp) ? valid_before_multi : valid_up_to, last);
            break;
        }
        if (got < 0) {
            rc = format_error(name, at);
            corrupt = 1;
            break;
        }
        int multi = argc == 1 && argv[0]->len == 5 && !strncasecmp(argv[0]->buf, "multi", 5);
        if (multi) valid_before_multi = valid_up_to;
        char why[256];
        if (fr_replay_call(rp, argc, argv, why, sizeof(why)) != FR_OK) {
            fr_log(FR_LOG_WARNING, "%s reading the append only file %s (at offset %llu)", why, name,
                   (unsigned long long)at);
            rc = LOAD_FAILED;
            corrupt = 1;
            break;
        }
        if (!fr_replay_in_multi(rp)) valid_up_to = r->pos;
    }
    if (corrupt)
        rc = repair_tail(name, path, r, fr_replay_in_multi(rp) ? valid_before_multi : valid_up_to, last);
    if (rc == LOAD_OK && fr_replay_in_multi(rp)) {
        fr_log(FR_LOG_WARNING, "Revert incomplete MULTI/EXEC transaction in AOF file %s", name);
        rc = truncated(name, path, valid_before_multi, last);
    }
    fr_replay_free(rp);
    return rc;
}

/* A base in RDB format, or an old AOF's RDB preamble: loaded by the
 * snapshot provider, which says where the snapshot ended. */
static int load_rdb_part(cmd_reader *r, const char *name) {
    int old_style = !strcmp(name, aof_conf_appendfilename());
    fr_log(FR_LOG_NOTICE, old_style ? "Reading RDB preamble from AOF file..."
                                    : "Reading RDB base file on AOF loading...");
    const fr_snapshot_ops *ops = fr_snapshot_provider();
    char why[800] = "no module provides the RDB format (rdb)";
    long long taken = ops ? ops->load_mem(r->p, r->len, why, sizeof(why)) : -1;
    if (taken < 0) {
        fr_log(FR_LOG_WARNING, old_style ? "Error reading the RDB preamble of the AOF file %s, AOF loading "
               "aborted: %s" : "Error reading the RDB base file %s, AOF loading aborted: %s", name, why);
        return LOAD_FAILED;
    }
    r->pos = (size_t)taken;
    if (old_style) fr_log(FR_LOG_NOTICE, "Reading the remaining AOF tail...");
    return LOAD_OK;
}

/* The file's bytes: mapped, or, under AddressSanitizer, read into the
 * heap, where a read past the end is reported instead of landing in the
 * rest of the mapping's last page (the fuzz target relies on it).  NULL
 * with errno on failure. */
#if defined(__SANITIZE_ADDRESS__)
#define AOF_READ_TO_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AOF_READ_TO_HEAP 1
#endif
#endif

#ifdef AOF_READ_TO_HEAP
static void *file_bytes(int fd, size_t len) {
    char *p = fr_malloc(len);
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n <= 0) {
            if (n == 0) errno = EIO; /* shrank since fstat */
            fr_free(p);
            return NULL;
        }
        got += (size_t)n;
    }
    return p;
}

static void file_bytes_release(void *p, size_t len) {
    (void)len;
    fr_free(p);
}
#else
static void *file_bytes(int fd, size_t len) {
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) return NULL;
    madvise(map, len, MADV_SEQUENTIAL);
    return map;
}

static void file_bytes_release(void *p, size_t len) {
    munmap(p, len);
}
#endif

static int load_file(const char *name, int last) {
    char path[1100];
    aof_path(path, sizeof(path), name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fr_log(FR_LOG_WARNING, errno == ENOENT ? "The append log file %s doesn't exist: %s"
               : "Fatal error: can't open the append log file %s for reading: %s", name, strerror(errno));
        return LOAD_FAILED;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) st.st_size = -1;
    if (st.st_size <= 0) {
        close(fd);
        return st.st_size == 0 ? LOAD_EMPTY : LOAD_FAILED;
    }
    size_t len = (size_t)st.st_size;
    void *bytes = file_bytes(fd, len);
    close(fd);
    if (!bytes) {
        fr_log(FR_LOG_WARNING, "Unrecoverable error reading the append only file %s: %s", name, strerror(errno));
        return LOAD_FAILED;
    }
    cmd_reader r = {bytes, len, 0};
    int rc = len >= 5 && !memcmp(bytes, "REDIS", 5) ? load_rdb_part(&r, name) : LOAD_OK;
    if (rc == LOAD_OK) rc = replay_commands(&r, name, path, last);
    file_bytes_release(bytes, len);
    return rc;
}

static int load_one(const char *name, int last, const char *kind) {
    uint64_t start = fr_ustime();
    int rc = load_file(name, last);
    if (rc == LOAD_OK || rc == LOAD_TRUNCATED)
        fr_log(FR_LOG_NOTICE, "DB loaded from %s file %s: %.3f seconds", kind, name,
               (double)(fr_ustime() - start) / 1e6);
    return rc == LOAD_FAILED ? FR_ERR : FR_OK;
}

static int load_all(const aof_manifest *am) {
    int total = (am->base ? 1 : 0) + am->nincr, n = 0;
    if (am->base && load_one(am->base->name, ++n == total, "base") != FR_OK) return FR_ERR;
    for (int i = 0; i < am->nincr; i++)
        if (load_one(am->incr[i].name, ++n == total, "incr") != FR_OK) return FR_ERR;
    return FR_OK;
}

/* ---- The manifest on disk and the old single file ---------------------- */

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int make_dir(void) {
    if (mkdir(aof_conf_appenddirname(), 0755) == 0 || errno == EEXIST) return FR_OK;
    fr_log(FR_LOG_WARNING, "Can't open or create append-only dir %s: %s", aof_conf_appenddirname(),
           strerror(errno));
    return FR_ERR;
}

static aof_manifest *read_manifest(int *failed) {
    char name[600], path[1100];
    *failed = 0;
    aof_manifest_name(name, sizeof(name));
    aof_path(path, sizeof(path), name);
    if (!is_dir(aof_conf_appenddirname()) || !is_file(path)) return aof_manifest_new();
    FILE *f = fopen(path, "r");
    fr_str *text = fr_str_new_empty(1024);
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) text = fr_str_cat(text, chunk, n);
    if (f) fclose(f);
    char why[512] = "";
    aof_manifest *am = f ? aof_manifest_parse(text->buf, text->len, why, sizeof(why)) : NULL;
    fr_str_free(text);
    if (!am) {
        fr_log(FR_LOG_WARNING, "*** FATAL AOF MANIFEST FILE ERROR *** in %s: %s", path,
               f ? why : strerror(errno));
        *failed = 1;
    }
    return am;
}

/* Redis's three cases for an old appendonly.aof next to the directory. */
static int needs_upgrade(const aof_manifest *am) {
    const char *legacy = aof_conf_appendfilename();
    if (!is_file(legacy)) return 0;
    if (!is_dir(aof_conf_appenddirname())) return 1;
    if (!am->base && !am->nincr) return 1;
    char in_dir[1100];
    aof_path(in_dir, sizeof(in_dir), legacy);
    return am->base && !am->nincr && !strcmp(am->base->name, legacy) && !is_file(in_dir);
}

static int upgrade(aof_manifest *am) {
    const char *legacy = aof_conf_appendfilename();
    if (make_dir() != FR_OK) return FR_ERR;
    aof_manifest *next = aof_manifest_dup(am);
    if (next->base) {
        fr_free(next->base->name);
        fr_free(next->base);
    }
    next->base = fr_malloc(sizeof(aof_file));
    *next->base = (aof_file){NULL, 1, AOF_TYPE_BASE};
    next->base->name = fr_malloc(strlen(legacy) + 1);
    memcpy(next->base->name, legacy, strlen(legacy) + 1);
    next->base_seq = 1;
    if (aof_manifest_persist(next) != FR_OK) {
        aof_manifest_free(next);
        return FR_ERR;
    }
    char path[1100];
    aof_path(path, sizeof(path), legacy);
    if (rename(legacy, path) == -1) {
        fr_log(FR_LOG_WARNING, "Error trying to move the old AOF file %s into dir %s: %s", legacy,
               aof_conf_appenddirname(), strerror(errno));
        aof_manifest_free(next);
        return FR_ERR;
    }
    fr_log(FR_LOG_NOTICE, "Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).",
           legacy, aof_conf_appenddirname());
    aof_manifest *old = aof_g.manifest;
    aof_g.manifest = next;
    aof_manifest_free(old);
    return FR_OK;
}

/* ---- Opening for append ------------------------------------------------ */

static int open_for_append(void) {
    aof_manifest *am = aof_g.manifest;
    if (make_dir() != FR_OK) return FR_ERR;
    if (!am->base && !am->nincr) {
        const char *base = aof_manifest_new_base(am, 1);
        if (aof_write_base_now(base) != FR_OK) return FR_ERR;
        fr_log(FR_LOG_NOTICE, "Creating AOF base file %s on server start", base);
    }
    int existed = am->nincr > 0;
    const char *incr = existed ? am->incr[am->nincr - 1].name : aof_manifest_new_incr(am);
    char path[1100];
    aof_path(path, sizeof(path), incr);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fr_log(FR_LOG_WARNING, "Can't open the append-only file %s: %s", incr, strerror(errno));
        return FR_ERR;
    }
    if (aof_manifest_persist(am) != FR_OK) {
        close(fd);
        return FR_ERR;
    }
    aof_switch_fd(fd, aof_file_size(incr));
    fr_log(FR_LOG_NOTICE, existed ? "Opening AOF incr file %s on server start"
                                  : "Creating AOF incr file %s on server start", incr);
    return FR_OK;
}

static void measure(void) {
    aof_manifest *am = aof_g.manifest;
    aof_g.base_size = am->base ? aof_file_size(am->base->name) : 0;
    aof_g.current_size = aof_g.base_size;
    for (int i = 0; i < am->nincr; i++) aof_g.current_size += aof_file_size(am->incr[i].name);
    aof_g.rewrite_base_size = aof_g.current_size;
}

/* DEBUG LOADAOF: the data set again from the files, as Redis does it --
 * whatever is buffered written first, every DB emptied, the manifest read
 * again and its history deleted, then the base and incremental files
 * replayed.  FR_ERR when they do not load: DEBUG LOADAOF then ends the
 * process, as Redis does; the fuzz target (tests/fuzz/fuzz_aof.c) calls
 * this directly and goes on. */
int aof_reload(void) {
    if (aof_g.fd >= 0) aof_flush(1);
    fr_keyspace_empty();
    int failed;
    aof_manifest *am = read_manifest(&failed);
    if (failed) return FR_ERR;
    aof_manifest_free(aof_g.manifest);
    aof_g.manifest = am;
    aof_delete_history();
    aof_g.loading = 1;
    fr_keyspace_loading(1);
    int rc = aof_g.manifest->base || aof_g.manifest->nincr ? load_all(aof_g.manifest) : FR_OK;
    fr_keyspace_loading(0);
    aof_g.loading = 0;
    return rc;
}

int aof_load_at_startup(void) {
    if (!aof_conf_appendonly()) return FR_OK;
    int failed;
    aof_manifest *am = read_manifest(&failed);
    if (failed) return FR_ERR;
    aof_manifest_free(aof_g.manifest);
    aof_g.manifest = am;
    if (needs_upgrade(am) && upgrade(am) != FR_OK) return FR_ERR;
    am = aof_g.manifest;
    if (am->base || am->nincr) {
        uint64_t start = fr_ustime();
        aof_g.loading = 1;
        fr_keyspace_loading(1);
        int rc = load_all(am);
        fr_keyspace_loading(0);
        aof_g.loading = 0;
        if (rc != FR_OK) return FR_ERR;
        fr_log(FR_LOG_NOTICE, "DB loaded from append only file: %.3f seconds",
               (double)(fr_ustime() - start) / 1e6);
    }
    if (open_for_append() != FR_OK) return FR_ERR;
    measure();
    aof_g.state = AOF_ON;
    return FR_OK;
}

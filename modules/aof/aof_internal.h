/* aof_internal.h -- shared declarations of the aof module.
 *
 * Layers, bottom up:
 *   aof_manifest.c  the manifest: which files make the AOF (one base,
 *                   history entries, incremental files), parsed, printed
 *                   and persisted as Redis 7.0 does (temp + fsync + rename
 *                   + directory fsync);
 *   aof_fsync.c     the background thread that fsyncs (and closes) files;
 *   aof_write.c     what is logged: propagated commands in RESP, SELECT
 *                   when the DB changes, the buffer and its flush under
 *                   each appendfsync policy;
 *   aof_load.c      replay at start-up, the old single-file upgrade, and
 *                   opening the files to append to;
 *   aof_rewrite.c   BGREWRITEAOF: the child writing a new base, switching
 *                   incremental files, turning appendonly on and off;
 *   aof_status.c    INFO persistence fields;  module.c  hooks, commands.
 *
 * Invariants: aof_g is touched on the event-loop thread only (the fsync
 * thread has its own state in aof_fsync.c); aof_g.fd >= 0 exactly while
 * commands are being appended (state ON, or WAIT_REWRITE with the temp
 * incremental file open); aof_g.manifest always describes what is on
 * disk, and is replaced only after the new one has been persisted. */
#ifndef FR_AOF_INTERNAL_H
#define FR_AOF_INTERNAL_H

#include <sys/types.h>
#include <time.h>

#include "frankenredis.h"
#include "glue.h"

/* ---- The manifest (aof_manifest.c) ------------------------------------ */
#define AOF_TYPE_BASE 'b'
#define AOF_TYPE_HIST 'h'
#define AOF_TYPE_INCR 'i'

typedef struct aof_file {
    char *name;                 /* a base name inside appenddirname (owned) */
    long long seq;
    char type;
} aof_file;

typedef struct aof_manifest {
    aof_file *base;             /* NULL: none */
    aof_file *hist;             /* history files, still to delete */
    int nhist;
    aof_file *incr;             /* incremental files, oldest first */
    int nincr;
    long long base_seq, incr_seq;   /* the highest used */
} aof_manifest;

aof_manifest *aof_manifest_new(void);
aof_manifest *aof_manifest_dup(const aof_manifest *am);
void aof_manifest_free(aof_manifest *am);
/* Parse the text of a manifest; NULL with why (and the line) on error. */
aof_manifest *aof_manifest_parse(const char *text, size_t len, char *why, size_t whylen);
/* The text Redis would write (caller frees with fr_free). */
char *aof_manifest_format(const aof_manifest *am, size_t *len);
/* Write it to <dir>/<appendfilename>.manifest atomically.  FR_OK/FR_ERR
 * (logged). */
int aof_manifest_persist(const aof_manifest *am);
/* New names, registered in am: base (previous base becomes history) and
 * incremental. */
const char *aof_manifest_new_base(aof_manifest *am, int rdb_format);
const char *aof_manifest_new_incr(aof_manifest *am);
/* Incremental files but the last (when keep_last) become history. */
void aof_manifest_incr_to_history(aof_manifest *am, int keep_last);

/* Paths: <appenddirname>/<name> (relative to dir, the working directory). */
void aof_path(char *buf, size_t len, const char *name);
void aof_manifest_name(char *buf, size_t len);
void aof_temp_incr_name(char *buf, size_t len);
int aof_fsync_dir(const char *dir);
long long aof_file_size(const char *name);   /* in the AOF dir; 0 if absent */

/* ---- The fsync thread (aof_fsync.c) ----------------------------------- */
int aof_fsync_start(void);
void aof_fsync_stop(void);
void aof_fsync_submit(int fd, int close_after);
int aof_fsync_pending(void);                  /* jobs queued or running */

/* ---- Writing (aof_write.c) -------------------------------------------- */
int aof_on_propagated(int dbid, int argc, const fr_str *const *argv);
/* Write the buffer out and fsync as the policy says; force: write even if
 * a background fsync is running (shutdown, switching files). */
void aof_flush(int force);
/* Use fd (just opened, of `size` bytes) for what follows. */
void aof_switch_fd(int fd, long long size);
void aof_close_fd(void);

/* ---- Loading and opening (aof_load.c) --------------------------------- */
int aof_load_at_startup(void);
/* DEBUG LOADAOF's reload: FR_ERR when the files do not load, logged; the
 * caller decides what follows (DEBUG LOADAOF ends the process, as Redis
 * does).  Exported from aof.so under this name for tools that must go on
 * after a failure: the fuzz target tests/fuzz/fuzz_aof.c finds it with
 * dlsym. */
__attribute__((visibility("default"))) int aof_reload(void);

/* ---- Rewriting (aof_rewrite.c) ---------------------------------------- */
int aof_rewrite_start(void);
void aof_rewrite_poll(void);
void aof_rewrite_kill(void);
void aof_rewrite_cron(void);
/* appendonly changed at run time: start (via a rewrite) or stop. */
void aof_follow_config(void);
/* A replica's full sync (FR_SYNC_LOAD_*): stopped before the old dataset
 * goes, started again by a rewrite once the new one is in place. */
void aof_sync_load(int phase);
/* A synchronous base of the current dataset into the AOF dir (start-up
 * with nothing to load). */
int aof_write_base_now(const char *name);
/* Delete the manifest's history files (unless aof-disable-auto-gc). */
void aof_delete_history(void);

/* ---- State ------------------------------------------------------------- */
enum { AOF_OFF = 0, AOF_ON = 1, AOF_WAIT_REWRITE = 2 };

typedef struct aof_state {
    fr_module *m;
    int state;
    int loading;                /* replaying: propagation is not logged */
    aof_manifest *manifest;
    int fd;                     /* where commands go, -1 none */
    fr_str *buf;                /* commands not yet written */
    int selected_db;            /* the DB the file is in, -1 unknown */
    /* sizes, as Redis keeps them */
    long long incr_size;        /* bytes written to the current incr file */
    long long incr_fsynced;     /* ... of which fsynced (offset) */
    long long current_size;     /* base + incremental files */
    long long base_size;        /* the base file */
    long long rewrite_base_size;/* current_size after the last rewrite/load */
    time_t last_fsync;
    long long postponed_since;  /* ms: a write waits for a running fsync */
    long long delayed_fsync;
    int last_write_ok;
    int last_write_errno;
    int write_refused;          /* we asked the core to deny writes */
    /* rewrite */
    pid_t child_pid;
    int child_report_fd;
    time_t child_start;
    int scheduled;
    int sync_stopped;           /* a full sync stopped us: no restart until DONE */
    long long last_rewrite_secs;
    int last_rewrite_ok;
    long long rewrites;
    long long consecutive_failures;
} aof_state;

extern aof_state aof_g;

#endif

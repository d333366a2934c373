/* rdb_internal.h -- shared declarations of the RDB module.
 *
 * Layers, bottom up:
 *   rdb_pure.c    byte rules of the format (no SDK);
 *   rdb_stream.c  rdb_stream: the fr_rdb_io implementation, writing to a
 *                 buffered file or to memory, reading from memory;
 *   rdb_save.c    a whole snapshot (header, AUX fields, DBs, EOF, CRC);
 *   rdb_load.c    parsing a whole snapshot into the keyspace;
 *   rdb_file.c    files: temp file + fsync + rename + directory fsync, and
 *                 mapping a file for loading;
 *   rdb_bgsave.c  the background save child, its reaping, save points,
 *                 shutdown saves; rdb_status.c the INFO fields and MISCONF;
 *   rdb_cmds.c    SAVE BGSAVE LASTSAVE; rdb_dump.c DUMP RESTORE;
 *   rdb_migrate.c MIGRATE, over rdb_migrate_sock.c's cached connections;
 *   module.c      registration, config, hooks.
 *
 * Invariants: rdb_g is the module's only mutable global state, touched on
 * the event-loop thread only (a forked child has its own copy and never
 * reports through it); at most one background save child exists, and
 * rdb_g.child_pid is non-zero exactly while it has not been reaped. */
#ifndef FR_RDB_INTERNAL_H
#define FR_RDB_INTERNAL_H

#include <time.h>

#include "frankenredis.h"
#include "glue.h"
#include "rdb_pure.h"

/* ---- Streams (rdb_stream.c) ---------------------------------------------- */
typedef struct rdb_stream {
    fr_rdb_io io;               /* handed to type callbacks; io.priv = this */
    /* writing */
    int fd;                     /* file sink; -1: memory sink */
    unsigned char *buf;         /* file: pending bytes; memory: everything */
    size_t len, cap;
    uint64_t flushed;           /* bytes already written to fd */
    uint64_t crc;               /* CRC64 of the flushed bytes (crc_on) */
    int crc_on;
    int compress;               /* rdbcompression */
    int aof_base;               /* the aof-base aux field: 1 in an AOF's base */
    int no_data, no_functions;  /* a filtered snapshot (REPLCONF rdb-filter-only) */
    int aux_failed;             /* another module's aux field did not write */
    unsigned char *scratch;     /* LZF output buffer */
    size_t scratch_cap;
    /* reading */
    const unsigned char *in;
    size_t in_len, pos;
    int hardened;
    const char *divergence;     /* a hardened-only refusal happened: its id */
    /* both */
    int failed;
    char err[512];              /* first failure, without the position */
    const char *keyp;           /* key being handled (not owned), NULL none */
    size_t keylen;
    char key[160];              /* its printable form, made on first need */
    int key_ready;              /* key[] holds keyp's rendering */
    fr_str *keybuf;             /* reused for short keys (rdb_get_key) */
    int dbid;                   /* DB of that key, -1 none */
} rdb_stream;

#define RDB_FILE_BUF (1u << 20)

void rdb_writer_file(rdb_stream *s, int fd, int compress, int checksum);
void rdb_writer_mem(rdb_stream *s, int compress);
void rdb_reader_mem(rdb_stream *s, const void *p, size_t len, int hardened);
void rdb_stream_release(rdb_stream *s);
/* Record the first failure (printf-style); later ones are ignored. */
void rdb_stream_fail(rdb_stream *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The failure with its position: "<what> (offset N, db D, key 'k')". */
void rdb_stream_message(const rdb_stream *s, char *buf, size_t len);
/* Set the key/DB context used by messages (key NULL clears it).  The key
 * is only referenced: it is rendered when a failure is recorded, so it must
 * stay valid until the context is cleared or a failure happened. */
void rdb_stream_set_key(rdb_stream *s, int dbid, const char *key, size_t len);
/* The current key, printable ("" none). */
const char *rdb_stream_key(rdb_stream *s);

/* Writer primitives (the io ops wrap them). */
int rdb_put(rdb_stream *s, const void *p, size_t n);
int rdb_put_byte(rdb_stream *s, int b);
int rdb_put_len(rdb_stream *s, uint64_t len);
int rdb_put_string(rdb_stream *s, const void *p, size_t len);
int rdb_put_ll_string(rdb_stream *s, long long v);
/* File sink: write out pending bytes.  Then the CRC64 of everything so far
 * (checksum on) or 0; the trailer written after it is not summed. */
int rdb_writer_flush(rdb_stream *s);
uint64_t rdb_writer_finish_crc(rdb_stream *s);

/* Reader primitives. */
int rdb_get_byte(rdb_stream *s, int *b);
const unsigned char *rdb_get_bytes(rdb_stream *s, size_t n);
int rdb_get_len(rdb_stream *s, uint64_t *len);
fr_str *rdb_get_string(rdb_stream *s);
/* A key: like rdb_get_string, but a short plain key lands in a buffer the
 * stream reuses (*owned = 0: valid until the next call, do not free). */
fr_str *rdb_get_key(rdb_stream *s, int *owned);

/* ---- Snapshots (rdb_save.c, rdb_load.c) ---------------------------------- */
/* Write a whole snapshot of every DB; *keys gets the number of keys. */
int rdb_save_snapshot(rdb_stream *s, long long *keys);
/* Serialize one value as DUMP does (type byte + value, then the footer). */
int rdb_dump_value(rdb_stream *s, const fr_value *v, const char **why);

typedef struct rdb_load_stats {
    long long loaded, expired;
    long long with_ttl;          /* keys loaded with an expire time */
} rdb_load_stats;
/* Parse a snapshot held in memory into the keyspace.  verify_crc: check the
 * trailing CRC64 (a stored 0 passes unless the stream is hardened). */
/* A file loaded as a master drops keys that expired while it was down
 * (Redis's iAmMaster rule); a snapshot received from a master or read
 * as an AOF base keeps them, so the dataset is the sender's.  At start-up
 * the dropped keys are also fed to replicas as DEL (Redis's
 * RDBFLAGS_FEED_REPL), so a replica resuming from the saved offset loses
 * them too. */
#define RDB_LOAD_DROP_EXPIRED 1
/* A snapshot lent out through load_mem (a replica's full sync, an AOF
 * base) hands its AUX fields to fr_snapshot_aux_load as the start-up load
 * does: a replica takes repl-stream-db from its master's snapshot. */
#define RDB_LOAD_AUX 2
int rdb_load_snapshot(rdb_stream *s, int verify_crc, int flags, rdb_load_stats *st);
/* The IDLE / FREQ a snapshot or RESTORE carries for `key` (-1: none),
 * applied to its access record as the access mode allows (rdb_load.c). */
void rdb_apply_access(fr_db *db, const fr_str *key, long long idle, long long freq);
/* Load one value of RDB type `type` with the type that handles it; NULL
 * (and the stream failed) when no loaded module handles it. */
void *rdb_load_value(rdb_stream *s, int type, const fr_type **out_type);

/* ---- Files (rdb_file.c) ------------------------------------------------------ */
/* Synchronous save to `filename` in the working directory (= dir): temp
 * file "temp-<pid>.rdb", fsync, rename, fsync of the directory.  Logs every
 * failure as Redis does. */
int rdb_save_file(const char *filename, long long *keys);
/* Load `filename` at start-up.  Returns FR_OK (also when it does not exist:
 * *found = 0) or FR_ERR after logging what and where. */
int rdb_load_file(const char *filename, int *found, rdb_load_stats *st);
void rdb_temp_name(char *buf, size_t len, long pid);
/* The configured dbfilename. */
const char *rdb_filename(char *buf, size_t len);

/* ---- Module state (module.c) ------------------------------------------------ */
typedef struct rdb_state {
    fr_module *m;
    time_t lastsave;            /* LASTSAVE */
    int last_bgsave_ok;         /* rdb_last_bgsave_status */
    time_t last_bgsave_try;
    int child_pid;              /* background save child, 0 none */
    int child_info_fd;          /* read end of the child's report pipe */
    int child_killed;           /* we sent it SIGUSR1: not a failure */
    time_t child_start;
    long long last_bgsave_secs; /* rdb_last_bgsave_time_sec, -1 never */
    long long dirty_at_fork;
    int bgsave_scheduled;
    long long saves;            /* rdb_saves */
    long long cow_bytes;        /* rdb_last_cow_size */
    long long keys_loaded, keys_expired;
    char misconf_set;           /* fr_deny_writes is currently in force */
    int skip_checksum;          /* DEBUG SET-SKIP-CHECKSUM-VALIDATION */
    int load_merge;             /* DEBUG RELOAD MERGE: a loaded key replaces one */
    int deliver_aux;            /* the start-up load: other modules' AUX
                                 * fields go to fr_snapshot_aux_load */
} rdb_state;
extern rdb_state rdb_g;

/* Config (glue.h, read at use so CONFIG SET applies at once):
 * rdb_conf_rdbcompression(), rdb_conf_rdbchecksum(),
 * rdb_conf_stop_writes_on_bgsave_error(). */

/* ---- Persistence control (rdb_bgsave.c) ---------------------------------------- */
#define RDB_BGSAVE_RETRY_DELAY 5
#define RDB_SAVEPOINTS_MAX 256
/* Fork a background save: FR_OK started, FR_ERR (fork failed, logged). */
int rdb_bgsave_start(void);
/* Reap a finished child (non-blocking) and record its outcome. */
void rdb_bgsave_poll(void);
/* Stop a running child (shutdown), remove its temp file, reap it. */
void rdb_bgsave_kill(void);
/* Ask a running child to stop (SIGUSR1); cron reaps it later. */
void rdb_bgsave_abort(void);
/* A synchronous save with its bookkeeping (SAVE, shutdown). */
int rdb_save_now(void);
/* Hooks (glue.h): rdb_on_cron (save points, reaping, MIGRATE's idle
 * connections), rdb_on_shutdown,
 * rdb_on_startup_load, rdb_on_flushed (FLUSHALL: stop a background
 * save and, with save points, save at once), and rdb_on_sync_load (a
 * replica's full sync: stop a background save and wait for it). */
/* The save points currently configured (CONFIG SET save applies at once):
 * how many there are; the first max are stored in out. */
int rdb_savepoints(rdb_savepoint *out, int max);

/* ---- DEBUG (rdb_debug.c): RELOAD, SET-SKIP-CHECKSUM-VALIDATION (glue.h) -- */
size_t rdb_serialized_len(const fr_value *v);   /* DEBUG OBJECT serializedlength */

/* ---- INFO and MISCONF (rdb_status.c) -------------------------------------------- */
void rdb_status_publish(void);

/* ---- Commands: rdb_cmds.c (SAVE BGSAVE LASTSAVE), rdb_dump.c (DUMP RESTORE),
 * rdb_migrate.c (MIGRATE);
 * their prototypes are generated in glue.h. ---- */

/* ---- DUMP payloads (rdb_dump.c), shared by DUMP and MIGRATE ----------------- */
/* Open s as a memory writer (rdbcompression as configured) and write v's
 * DUMP payload to it: FR_OK, or FR_ERR with *why.  Release s either way. */
int rdb_dump_payload(rdb_stream *s, const fr_value *v, const char **why);

/* ---- MIGRATE's connections (rdb_migrate_sock.c) ------------------------------ */
#define MIGRATE_CACHE_MAX 64      /* cached connections (Redis's limit) */
#define MIGRATE_CACHE_TTL 10      /* seconds idle before cron closes one */
#define MIGRATE_LINE_MAX 1024     /* a reply line's buffer, NUL included */
typedef struct migrate_sock {
    fr_str *name;                 /* "host:port" as the arguments spell it */
    int fd;
    long long last_dbid;          /* DB selected on the target, -1 unknown */
    time_t last_use;
    unsigned char rbuf[4096];     /* read, not yet consumed */
    size_t rpos, rlen;
} migrate_sock;
/* The cached connection to host:port, or a new one (NULL: none could be
 * made).  Hardened: *rule names a departure from Redis, if one happened. */
migrate_sock *migrate_sock_get(const fr_str *host, const fr_str *port, long timeout, int hardened,
                               const char **rule);
void migrate_sock_close(const fr_str *host, const fr_str *port);   /* if cached */
void migrate_sock_close_idle(time_t now);                          /* cron */
void migrate_sock_close_all(void);                                 /* deinit */
void rdb_migrate_cron(void);   /* rdb_migrate.c: closes idle connections */
int migrate_sock_count(void);
/* Blocking I/O with Redis's timeouts (ms); FR_ERR / -1 on failure, with
 * *timed_out set when it was the clock.  readline returns Redis's count
 * (a bare "\n" gives 0, a failure for MIGRATE) and, hardened, fails with
 * *rule on a line too slow or too long. */
int migrate_sock_write(migrate_sock *cs, const char *p, size_t len, long timeout, int *timed_out);
long migrate_sock_readline(migrate_sock *cs, char *buf, size_t size, long timeout, int hardened,
                           int *timed_out, const char **rule);

/* ---- Lending the format (rdb_provider.c) ----------------------------------- */
int rdb_provider_register(fr_module *m);

#endif /* FR_RDB_INTERNAL_H */

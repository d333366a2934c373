/* rdb_provider.c -- the snapshot format lent to other modules through
 * fr_snapshot_register: an AOF rewrite writes its base file with save_fd
 * and replays one (or an old-style RDB preamble) with load_mem; the
 * replication module writes a replica's snapshot with save_fd, filtered as
 * the replica asked (no keys, no functions).
 *
 * Both run the same code as SAVE and the start-up load; what differs is
 * that the caller owns the file: no temp name, no rename, no fsync here. */
#include "rdb_internal.h"

#include <stdio.h>

static int lend_save_fd(int fd, int flags, char *why, size_t whylen) {
    rdb_stream s;
    long long keys;
    rdb_writer_file(&s, fd, rdb_conf_rdbcompression() != 0, rdb_conf_rdbchecksum() != 0);
    s.aof_base = (flags & FR_SNAPSHOT_AOF_BASE) != 0;
    s.no_data = (flags & FR_SNAPSHOT_NO_DATA) != 0;
    s.no_functions = (flags & FR_SNAPSHOT_NO_FUNCTIONS) != 0;
    int rc = rdb_save_snapshot(&s, &keys);
    if (rc != FR_OK) rdb_stream_message(&s, why, whylen);
    rdb_stream_release(&s);
    return rc;
}

static long long lend_load_mem(const void *p, size_t len, char *why, size_t whylen) {
    rdb_stream s;
    rdb_load_stats st;
    rdb_reader_mem(&s, p, len, fr_module_hardened(rdb_g.m));
    int rc = rdb_load_snapshot(&s, rdb_conf_rdbchecksum() != 0 && !rdb_g.skip_checksum, RDB_LOAD_AUX, &st);
    long long taken = (long long)s.pos;
    if (rc != FR_OK) rdb_stream_message(&s, why, whylen);
    rdb_stream_release(&s);
    return rc == FR_OK ? taken : -1;
}

static const fr_snapshot_ops rdb_lent_ops = {lend_save_fd, lend_load_mem};

int rdb_provider_register(fr_module *m) {
    return fr_snapshot_register(m, &rdb_lent_ops);
}

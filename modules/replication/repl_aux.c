/* repl_aux.c -- the replication fields a snapshot keeps (repl-stream-db,
 * repl-id, repl-offset: Redis's AUX fields), so a restart resumes
 * replication with a partial resync instead of a full one.
 *
 * Written into every snapshot but an AOF base, when there is a history
 * to resume: a master with a backlog, or a replica with a master link (up,
 * or cached after a drop).  Read back only from the snapshot loaded at
 * start-up, and used only when all three fields are there: a server
 * configured as a replica asks its master to continue from that ID and
 * offset in that DB; a master keeps the ID as its secondary one, so its
 * old replicas can continue too.  A replica loading its master's snapshot
 * only notes repl-stream-db (capturing): the master's stream goes on in
 * that DB without a SELECT when the master is itself a replica (Redis's
 * replicationCreateMasterClient).  Fields of any other load after
 * start-up are ignored.  Invariant: `found` collects one snapshot's
 * fields; they are applied once, when the last one arrives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

enum { HAVE_DB = 1, HAVE_ID = 2, HAVE_OFFSET = 4, HAVE_ALL = 7 };

static struct {
    int have;
    int db;
    char id[41];
    long long offset;
} found;

static int capturing, captured_db = -1, started;

void repl_aux_capture(int on)
{
    capturing = on;
    if (on) captured_db = -1;
}

int repl_aux_captured_db(void)
{
    return captured_db;
}

void repl_aux_started(void)
{
    started = 1;
    found.have = 0;
}

static void put_ll(fr_snapshot_aux_put put, void *w, const char *name, long long v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    put(w, name, buf);
}

static void aux_save(int flags, fr_snapshot_aux_put put, void *w)
{
    int db;
    if (flags & FR_SNAPSHOT_AOF_BASE) return; /* as Redis: an AOF base has none */
    if (!repl_is_replica()) {
        if (!repl_g.backlog) return; /* in no replication chain: nothing to resume */
        db = repl_g.seldb == -1 ? 0 : repl_g.seldb; /* -1: the next write selects */
    } else if (repl_replica_stream_db(&db) != FR_OK) {
        return; /* no master link, up or cached */
    }
    put_ll(put, w, "repl-stream-db", db);
    put(w, "repl-id", repl_g.replid);
    put_ll(put, w, "repl-offset", repl_g.master_repl_offset);
}

static void resume_as_master(void)
{
    memcpy(repl_g.replid2, found.id, sizeof(found.id));
    repl_g.second_replid_offset = found.offset + 1;
    repl_g.master_repl_offset += found.offset;
    if (!repl_g.backlog) repl_backlog_create();
    repl_g.backlog->offset = repl_g.master_repl_offset - repl_g.backlog->histlen + 1;
    repl_g.no_replicas_since = time(NULL);
}

static void apply(void)
{
    if (replication_conf_replicaof()[0]) {
        memcpy(repl_g.replid, found.id, sizeof(found.id));
        repl_g.master_repl_offset = found.offset;
        repl_replica_resume(found.db);
    } else {
        resume_as_master();
    }
    fr_log(FR_LOG_NOTICE, "Replication history restored from the RDB file: id %s, offset %lld, DB %d", found.id,
           found.offset, found.db);
}

/* A repl-stream-db value: the DB, or -1 (an older Redis wrote -1). */
static int stream_db_of(const char *value)
{
    char *end;
    long v = strtol(value, &end, 10);
    return *end || v < 0 || v >= fr_db_count() ? -1 : (int)v;
}

static void aux_load(const char *name, const char *value, size_t len)
{
    char *end;
    if (capturing) {
        if (!strcmp(name, "repl-stream-db")) captured_db = stream_db_of(value);
        return;
    }
    if (started) return;
    if (!strcmp(name, "repl-stream-db")) {
        if (stream_db_of(value) < 0) return;
        found.db = stream_db_of(value);
        found.have |= HAVE_DB;
    } else if (!strcmp(name, "repl-id")) {
        if (len != 40) return;
        memcpy(found.id, value, 40);
        found.id[40] = '\0';
        found.have |= HAVE_ID;
    } else if (!strcmp(name, "repl-offset")) {
        long long v = strtoll(value, &end, 10);
        if (*end || v < 0) return;
        found.offset = v;
        found.have |= HAVE_OFFSET;
    } else {
        return;
    }
    if (found.have == HAVE_ALL) {
        found.have = 0;
        apply();
    }
}

static const fr_snapshot_aux_ops aux_ops = {aux_save, aux_load};

int repl_aux_register(fr_module *m)
{
    return fr_snapshot_aux_register(m, &aux_ops);
}

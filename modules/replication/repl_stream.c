/* repl_stream.c -- the replication stream: IDs, offset, backlog, feeding.
 *
 * Every byte a replica must apply goes through repl_feed: it is appended
 * to the backlog (advancing master_repl_offset, exactly as many bytes as
 * the replicas receive) and handed to the replicas.  On a master they are
 * the commands it propagates; on a replica, the bytes of its master's
 * stream it applied (repl_replica.c), passed on unchanged.  Commands are written
 * in RESP, preceded by SELECT when their DB differs from the one the
 * stream last selected.  Without a backlog nothing is fed and the offset
 * stands still, as in Redis: the backlog exists from the first replica
 * until repl-backlog-ttl seconds without any.
 *
 * The backlog is a ring of repl-backlog-size bytes (at least 16 kB):
 * `offset` is the stream offset of its oldest byte, so the bytes from
 * stream offset o on are at ring position idx - (master_repl_offset + 1 - o). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_internal.h"

#define BACKLOG_MIN_SIZE (16 * 1024)

repl_globals repl_g;

void repl_random_hex(char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, raw, n) : -1;
    if (fd >= 0) close(fd);
    for (size_t i = 0; i < n; i++) {
        unsigned v = got == (ssize_t)n ? raw[i] : (unsigned)random();
        out[i] = hex[v & 15];
    }
    out[n] = '\0';
}

void repl_change_replid(void)
{
    repl_random_hex(repl_g.replid, 40);
}

void repl_clear_replid2(void)
{
    memset(repl_g.replid2, '0', 40);
    repl_g.replid2[40] = '\0';
    repl_g.second_replid_offset = -1;
}

void repl_stream_init(void)
{
    repl_change_replid();
    repl_clear_replid2();
    repl_g.seldb = -1;
    repl_g.child_report_fd = -1;
    repl_g.no_replicas_since = time(NULL);
}

static long long wanted_size(void)
{
    long long size = replication_conf_repl_backlog_size();
    return size < BACKLOG_MIN_SIZE ? BACKLOG_MIN_SIZE : size;
}

void repl_backlog_create(void)
{
    repl_backlog *b = fr_calloc(sizeof(*b));
    b->size = wanted_size();
    b->buf = fr_malloc((size_t)b->size);
    b->offset = repl_g.master_repl_offset + 1;
    repl_g.backlog = b;
}

void repl_backlog_free(void)
{
    if (!repl_g.backlog) return;
    fr_free(repl_g.backlog->buf);
    fr_free(repl_g.backlog);
    repl_g.backlog = NULL;
}

/* CONFIG SET repl-backlog-size: a new ring keeping the newest bytes that
 * fit (Redis keeps its history too when it grows). */
void repl_backlog_follow_config(void)
{
    repl_backlog *b = repl_g.backlog;
    long long size = wanted_size();
    if (!b || b->size == size) return;
    long long keep = b->histlen < size ? b->histlen : size;
    char *buf = fr_malloc((size_t)size);
    long long start = (b->idx - keep + b->size) % b->size;
    for (long long i = 0; i < keep; i++) buf[i] = b->buf[(start + i) % b->size];
    fr_free(b->buf);
    b->buf = buf;
    b->size = size;
    b->histlen = keep;
    b->idx = keep % size;
    b->offset = repl_g.master_repl_offset + 1 - keep;
}

/* The replica class's soft output-buffer limit from
 * client-output-buffer-limit ("... slave <hard> <soft> <secs> ..."); 0
 * when none. */
static long long replica_soft_limit(void)
{
    char buf[512];
    const char *p = strstr(fr_config_server_str("client-output-buffer-limit", buf, sizeof(buf)), "slave ");
    long long hard, soft;
    if (!p || sscanf(p + 6, "%lld %lld", &hard, &soft) != 2) return 0;
    return soft;
}

/* A replica that falls behind by more than the backlog holds needs a full
 * resync; if its output buffer may grow past the backlog before it is
 * cut, it is cut, resyncs in full, falls behind again, and loops.  Said
 * once at start-up and again whenever either setting changes into that
 * state (CONFIG SET: seen within a second). */
void repl_backlog_warn_if_small(void)
{
    static long long seen_backlog = -1, seen_soft = -1;
    long long backlog = wanted_size(), soft = replica_soft_limit();
    if (backlog == seen_backlog && soft == seen_soft) return;
    seen_backlog = backlog, seen_soft = soft;
    if (soft <= 0 || backlog >= soft) return;
    fr_log(FR_LOG_WARNING,
           "WARNING: repl-backlog-size (%lld bytes) is smaller than the replica output buffer soft limit "
           "(client-output-buffer-limit replica: %lld bytes). A replica that lags by more than the backlog "
           "needs a full resync and may loop on full resyncs; consider repl-backlog-size %lld or more.",
           backlog, soft, soft);
}

static void backlog_append(repl_backlog *b, const char *p, size_t len)
{
    while (len > 0) {
        size_t room = (size_t)(b->size - b->idx);
        size_t n = len < room ? len : room;
        memcpy(b->buf + b->idx, p, n);
        b->idx = (b->idx + (long long)n) % b->size;
        b->histlen += (long long)n;
        p += n;
        len -= n;
    }
    if (b->histlen > b->size) b->histlen = b->size;
    b->offset = repl_g.master_repl_offset + 1 - b->histlen;
}

void repl_feed(const void *p, size_t len)
{
    if (!repl_g.backlog) return;
    repl_g.master_repl_offset += (long long)len;
    backlog_append(repl_g.backlog, p, len);
    if (repl_g.replicas) repl_send_to_replicas(p, len);
}

static fr_str *cat_header(fr_str *s, char kind, long long n)
{
    char hdr[32];
    int len = snprintf(hdr, sizeof(hdr), "%c%lld\r\n", kind, n);
    return fr_str_cat(s, hdr, (size_t)len);
}

/* One command, SELECT first when needed, fed as one piece so replicas see
 * whole commands.  dbid -1 (PING) never selects. */
void repl_feed_command(int dbid, int argc, const fr_str *const *argv)
{
    /* a replica's offset is its master's: local writes do not move it */
    if (!repl_g.backlog || repl_is_replica()) return;
    fr_str *s = fr_str_new_empty(64);
    if (dbid != repl_g.seldb && dbid >= 0) {
        char id[24];
        int n = fr_ll2string(id, sizeof(id), dbid);
        s = fr_str_cat(s, "*2\r\n$6\r\nSELECT\r\n", 16);
        s = cat_header(s, '$', n);
        s = fr_str_cat(s, id, (size_t)n);
        s = fr_str_cat(s, "\r\n", 2);
        repl_g.seldb = dbid;
    }
    s = cat_header(s, '*', argc);
    for (int i = 0; i < argc; i++) {
        s = cat_header(s, '$', (long long)argv[i]->len);
        s = fr_str_cat(s, argv[i]->buf, argv[i]->len);
        s = fr_str_cat(s, "\r\n", 2);
    }
    repl_feed(s->buf, s->len);
    fr_str_free(s);
}

long long repl_backlog_send_from(fr_client *c, long long offset)
{
    repl_backlog *b = repl_g.backlog;
    long long skip = offset - b->offset;
    long long len = b->histlen - skip;
    long long pos = (b->idx - b->histlen + skip + 2 * b->size) % b->size;
    long long left = len;
    while (left > 0) {
        long long n = b->size - pos < left ? b->size - pos : left;
        fr_client_write_raw(c, b->buf + pos, (size_t)n);
        pos = (pos + n) % b->size;
        left -= n;
    }
    return len;
}

/* obuf_limit.c -- client-output-buffer-limit: the per-class limits (parsing
 * and CONFIG GET text) and their enforcement.
 *
 * What is measured is Redis's: the memory of the reply blocks a client has
 * not read, never the fixed 16 KB buffer, so a client that only ever fills
 * that buffer is never closed.  A hard limit closes the client as soon as
 * it is reached; a soft limit only once it has held for longer than its
 * seconds (the first sighting is remembered, any dip below forgets it).
 *
 * Checked when a reply adds a block (the client is flagged and closed in
 * the flush pass, since a command may still be writing to it) and from the
 * clients cron (closed at once), so a reader that stopped reading is caught
 * without new replies.  An unauthenticated client may hold at most 1 KB of
 * blocks whatever its class (Debian's fix for CVE-2025-21605). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol.h"
#include "units.h"

#define UNAUTH_MAX_OUTPUT 1024

/* Set from config.c's default text at start-up. */
static fr_obuf_limit limits[FR_OBUF_CLASSES];
static const char *const class_names[FR_OBUF_CLASSES] = {"normal", "slave", "pubsub"};

/* "replica" is the newer name of "slave"; "master" has no limits of its own
 * (a master link is limited as a normal client), so naming it is an error. */
static int class_by_name(const char *s)
{
    if (!strcasecmp(s, "normal")) return FR_OBUF_NORMAL;
    if (!strcasecmp(s, "slave") || !strcasecmp(s, "replica")) return FR_OBUF_REPLICA;
    if (!strcasecmp(s, "pubsub")) return FR_OBUF_PUBSUB;
    return -1;
}

/* Redis's memtoull: digits and an optional unit, no sign; empty is 0. */
static int parse_bytes(const char *s, unsigned long long *out)
{
    if (!*s) {
        *out = 0;
        return 0;
    }
    long long v;
    if (s[0] == '-' || !fr_parse_memory(s, &v)) return -1;
    *out = (unsigned long long)v;
    return 0;
}

static int parse_seconds(const char *s, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0) return -1;
    *out = v;
    return 0;
}

int fr_obuf_limits_set(int argc, char **argv, const char **err)
{
    fr_obuf_limit next[FR_OBUF_CLASSES];
    int given[FR_OBUF_CLASSES] = {0};
    if (argc == 1 && !argv[0][0]) argc = 0; /* an empty value sets nothing */
    if (argc % 4) {
        *err = "Wrong number of arguments in buffer limit configuration.";
        return -1;
    }
    for (int i = 0; i < argc; i += 4) {
        int cl = class_by_name(argv[i]);
        if (cl < 0) {
            *err = "Invalid client class specified in buffer limit configuration.";
            return -1;
        }
        fr_obuf_limit l;
        if (parse_bytes(argv[i + 1], &l.hard_bytes) || parse_bytes(argv[i + 2], &l.soft_bytes) ||
            parse_seconds(argv[i + 3], &l.soft_seconds)) {
            *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            return -1;
        }
        next[cl] = l;
        given[cl] = 1;
    }
    for (int cl = 0; cl < FR_OBUF_CLASSES; cl++)
        if (given[cl]) limits[cl] = next[cl];
    return 0;
}

void fr_obuf_limits_format(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int cl = 0; cl < FR_OBUF_CLASSES && off < len; cl++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s %llu %llu %lld", cl ? " " : "", class_names[cl],
                                limits[cl].hard_bytes, limits[cl].soft_bytes, limits[cl].soft_seconds);
}

size_t fr_obuf_memory(const fr_client *c)
{
    return c->reply_mem;
}

/* The class a client's limits come from, as Redis's getClientType: a
 * replica first, then pubsub while it is subscribed. */
static int client_class(const fr_client *c)
{
    if (c->flags & FR_CLIENT_REPLICA) return FR_OBUF_REPLICA;
    return fr_client_subscribed(c) ? FR_OBUF_PUBSUB : FR_OBUF_NORMAL;
}

static int soft_limit_expired(fr_client *c, const fr_obuf_limit *l, size_t used)
{
    time_t now = fr_clock_unix();
    if (!l->soft_bytes || used < l->soft_bytes) {
        c->obuf_soft_since = 0;
        return 0;
    }
    if (c->obuf_soft_since == 0) {
        c->obuf_soft_since = now;
        return 0;
    }
    return now - c->obuf_soft_since > l->soft_seconds;
}

static int over_limit(fr_client *c)
{
    size_t used = fr_obuf_memory(c);
    if (used > UNAUTH_MAX_OUTPUT && fr_client_auth_required(c)) return 1;
    const fr_obuf_limit *l = &limits[client_class(c)];
    int hard = l->hard_bytes && used >= l->hard_bytes;
    int soft = soft_limit_expired(c, l, used);
    return hard || soft;
}

int fr_obuf_enforce(fr_client *c, int async)
{
    if (c->reply_nblocks == 0 || (c->flags & FR_CLIENT_CLOSE_ASAP)) return 0;
    if (!over_limit(c)) return 0;
    fr_str *info = fr_client_describe(c);
    fr_proto.stats.client_outbuf_limit_disconnections++;
    if (async) {
        fr_log(FR_LOG_WARNING, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
               info->buf);
        fr_client_close_async(c);
    } else {
        fr_log(FR_LOG_WARNING, "Client %s closed for overcoming of output buffer limits.", info->buf);
        fr_client_free(c);
    }
    fr_str_free(info);
    return 1;
}

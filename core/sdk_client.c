/* sdk_client.c -- the SDK's client handles: a module addressing a
 * connection other than the caller (pub/sub messages), the subscription
 * counts the core derives Redis's pub/sub client state from, and the
 * client-reset hook that tells modules a session's state must go, the
 * replica mark the replication module sets on the connections it feeds,
 * and the replication figures it reports for INFO.
 *
 * A push context is an fr_ctx bound to the target client and nothing else
 * (no command, no arguments), so the ordinary fr_reply_* encoders write
 * the message; while it is open the client carries FR_CLIENT_PUSHING,
 * which lets the push through CLIENT REPLY OFF/SKIP as Redis does.  Push
 * contexts nest LIFO; the first few come from a static pool so publishing
 * to many subscribers allocates nothing. */
#include <string.h>

#include "runtime.h"

typedef struct push_slot {
    fr_ctx ctx;            /* first: the handle given out is &slot->ctx */
    int was_pushing;
} push_slot;

#define PUSH_POOL 4
static push_slot pool[PUSH_POOL];
static int depth;

fr_client *fr_ctx_client(fr_ctx *ctx)
{
    return ctx ? ctx->client : NULL;
}

unsigned long long fr_client_id(const fr_client *c)
{
    return (unsigned long long)c->id;
}

int fr_client_resp(const fr_client *c)
{
    return c->resp;
}

fr_ctx *fr_client_push_begin(fr_client *c, long len)
{
    push_slot *p = depth < PUSH_POOL ? &pool[depth] : fr_malloc(sizeof(*p));
    depth++;
    memset(p, 0, sizeof(*p));
    p->ctx.client = c;
    p->was_pushing = (c->flags & FR_CLIENT_PUSHING) != 0;
    c->flags |= FR_CLIENT_PUSHING;
    fr_client_add_hdr(c, c->resp >= 3 ? '>' : '*', len);
    return &p->ctx;
}

void fr_client_push_end(fr_ctx *push)
{
    push_slot *p = (push_slot *)(void *)push;
    if (!p->was_pushing) p->ctx.client->flags &= ~FR_CLIENT_PUSHING;
    depth--;
    if (p < pool || p >= pool + PUSH_POOL) fr_free(p);
}

void fr_client_set_subscriptions(fr_client *c, long channels, long patterns, long shard_channels)
{
    c->sub_channels = channels;
    c->sub_patterns = patterns;
    c->sub_shard = shard_channels;
}

void fr_client_reset_modules(fr_client *c, int why)
{
    if (!fr_hooks_count(FR_HOOK_CLIENT_RESET)) return;
    fr_hook_event ev = {.id = FR_HOOK_CLIENT_RESET, .client = c, .why = why};
    fr_hooks_fire(&ev);
}

void fr_client_set_replica(fr_client *c)
{
    if (!(c->flags & FR_CLIENT_REPLICA)) fr_proto.replica_reply_mem += c->reply_mem;
    c->flags |= FR_CLIENT_REPLICA;
}

void fr_client_write_raw(fr_client *c, const void *p, size_t len)
{
    int was = c->flags & FR_CLIENT_RAW_WRITE;
    c->flags |= FR_CLIENT_RAW_WRITE;
    fr_client_add_reply(c, p, len);
    if (!was) c->flags &= ~FR_CLIENT_RAW_WRITE;
}

const char *fr_client_addr(const fr_client *c)
{
    return c->addr;
}

void fr_client_close(fr_client *c)
{
    fr_client_close_async(c);
}

size_t fr_client_output_pending(const fr_client *c)
{
    return fr_client_output_bytes(c);
}

void fr_client_close_after_output(fr_client *c)
{
    c->flags |= FR_CLIENT_CLOSE_AFTER_REPLY;
    fr_client_mark_pending(c);
}

/* ---- replication figures of INFO ---- */

static long long repl_backlog_bytes, repl_held_bytes;

void fr_repl_count_input(size_t bytes)
{
    fr_proto.stats.net_repl_input_bytes += (long long)bytes;
}

void fr_repl_report_backlog(long long bytes)
{
    repl_backlog_bytes = bytes;
}

long long fr_repl_backlog_memory(void)
{
    return repl_backlog_bytes;
}

void fr_repl_report_replica_held(long long bytes)
{
    repl_held_bytes = bytes;
}

long long fr_repl_replica_held_memory(void)
{
    return repl_held_bytes;
}

/* pubsub_cmds.c -- SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
 * SSUBSCRIBE SUNSUBSCRIBE SPUBLISH and PUBSUB's introspection, with Redis
 * 7.0.15's replies.  Confirmations and messages are pushes (">" in RESP3);
 * the core keeps RESP2 subscribed mode from the counts state.c reports. */
#include "glue.h"
#include "pubsub_internal.h"

static void subscribe_all(fr_ctx *ctx, ps_kind kind)
{
    ps_client *pc = ps_client_of(fr_ctx_client(ctx));
    for (int j = 1; j < fr_argc(ctx); j++) ps_subscribe(pc, kind, fr_arg(ctx, j));
    ps_done(pc);
}

static void unsubscribe_all(fr_ctx *ctx, ps_kind kind)
{
    ps_client *pc = ps_client_of(fr_ctx_client(ctx));
    if (fr_argc(ctx) == 1) ps_unsubscribe_all(pc, kind, 1);
    for (int j = 1; j < fr_argc(ctx); j++) ps_unsubscribe(pc, kind, fr_arg(ctx, j)->buf, fr_arg(ctx, j)->len, 1);
    ps_done(pc);
}

void cmd_subscribe(fr_ctx *ctx)
{
    subscribe_all(ctx, PS_PLAIN);
}

void cmd_unsubscribe(fr_ctx *ctx)
{
    unsubscribe_all(ctx, PS_PLAIN);
}

/* Redis refuses SSUBSCRIBE to a client that may not block (inside EXEC);
 * SUBSCRIBE and PSUBSCRIBE are let through there. */
void cmd_ssubscribe(fr_ctx *ctx)
{
    if (fr_ctx_in_exec(ctx)) {
        fr_reply_error(ctx, "SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
        return;
    }
    subscribe_all(ctx, PS_SHARD);
}

void cmd_sunsubscribe(fr_ctx *ctx)
{
    unsubscribe_all(ctx, PS_SHARD);
}

void cmd_psubscribe(fr_ctx *ctx)
{
    ps_client *pc = ps_client_of(fr_ctx_client(ctx));
    for (int j = 1; j < fr_argc(ctx); j++) ps_psubscribe(pc, fr_arg(ctx, j));
    ps_done(pc);
}

void cmd_punsubscribe(fr_ctx *ctx)
{
    ps_client *pc = ps_client_of(fr_ctx_client(ctx));
    if (fr_argc(ctx) == 1) ps_punsubscribe_all(pc, 1);
    for (int j = 1; j < fr_argc(ctx); j++) ps_punsubscribe(pc, fr_arg(ctx, j)->buf, fr_arg(ctx, j)->len, 1);
    ps_done(pc);
}

/* The message also goes to replicas (not the AOF), whose subscribers get
 * it too, as Redis outside cluster mode. */
static void publish(fr_ctx *ctx, ps_kind kind)
{
    const fr_str *ch = fr_arg(ctx, 1), *msg = fr_arg(ctx, 2);
    fr_reply_long_long(ctx, ps_publish(kind, ch->buf, ch->len, msg->buf, msg->len));
    fr_propagate_force_replicas(ctx);
}

void cmd_publish(fr_ctx *ctx)
{
    publish(ctx, PS_PLAIN);
}

void cmd_spublish(fr_ctx *ctx)
{
    publish(ctx, PS_SHARD);
}

/* ------------------------------------------------------------- PUBSUB */

static void channel_list(fr_ctx *ctx, ps_kind kind)
{
    if (fr_argc(ctx) > 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    const fr_str *pat = fr_argc(ctx) == 3 ? fr_arg(ctx, 2) : NULL;
    void *len = fr_reply_deferred_len(ctx);
    long n = 0;
    for (cm_entry *e = ps.channels[kind].head; e; e = e->next)
        if (!pat || fr_stringmatch(pat->buf, pat->len, e->key, e->len, 0)) {
            fr_reply_bulk(ctx, e->key, e->len);
            n++;
        }
    fr_reply_set_deferred_array(ctx, len, n);
}

static void numsub(fr_ctx *ctx, ps_kind kind)
{
    fr_reply_array(ctx, (long)(fr_argc(ctx) - 2) * 2);
    for (int j = 2; j < fr_argc(ctx); j++) {
        const fr_str *ch = fr_arg(ctx, j);
        fr_reply_bulk_str(ctx, ch);
        fr_reply_long_long(ctx, ps_numsub(kind, ch->buf, ch->len));
    }
}

void cmd_pubsub_channels(fr_ctx *ctx)
{
    channel_list(ctx, PS_PLAIN);
}

void cmd_pubsub_shardchannels(fr_ctx *ctx)
{
    channel_list(ctx, PS_SHARD);
}

void cmd_pubsub_numsub(fr_ctx *ctx)
{
    numsub(ctx, PS_PLAIN);
}

void cmd_pubsub_shardnumsub(fr_ctx *ctx)
{
    numsub(ctx, PS_SHARD);
}

void cmd_pubsub_numpat(fr_ctx *ctx)
{
    fr_reply_long_long(ctx, (long long)ps.patterns.size);
}

void cmd_pubsub_help(fr_ctx *ctx)
{
    static const char *const help[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        NULL};
    fr_reply_help(ctx, help);
}

/* module.c -- the pub/sub module's wiring: the client-reset hook (a client
 * that runs RESET or disconnects loses its subscriptions, silently), the
 * keyspace-event hook (keyspace notifications published as Redis's
 * notifyKeyspaceEvent does), INFO's pubsub fields, the subscription lister
 * the core's ACL asks, and freeing the tables when the module goes. */
#include <stdio.h>
#include <string.h>

#include "glue.h"
#include "pubsub_internal.h"

int pubsub_on_client_reset(const fr_hook_event *ev, void *priv)
{
    (void)priv;
    ps_drop_client(ev->client, ev->why == FR_CLIENT_RESET_FREED);
    return FR_OK;
}

/* "__keyspace@<db>__:<key>" or "__keyevent@<db>__:<event>" */
static fr_str *channel_name(const char *what, int dbid, const void *tail, size_t len)
{
    char head[64];
    int n = snprintf(head, sizeof(head), "__%s@%d__:", what, dbid);
    fr_str *s = fr_str_new(head, (size_t)n);
    return fr_str_cat(s, tail, len);
}

int pubsub_on_keyspace_event(const fr_hook_event *ev, void *priv)
{
    (void)priv;
    size_t elen = strlen(ev->event);
    if (ev->why & FR_NOTIFY_KEYSPACE) {
        fr_str *ch = channel_name("keyspace", ev->dbid, ev->key->buf, ev->key->len);
        ps_publish(PS_PLAIN, ch->buf, ch->len, ev->event, elen);
        fr_str_free(ch);
    }
    if (ev->why & FR_NOTIFY_KEYEVENT) {
        fr_str *ch = channel_name("keyevent", ev->dbid, ev->event, elen);
        ps_publish(PS_PLAIN, ch->buf, ch->len, ev->key->buf, ev->key->len);
        fr_str_free(ch);
    }
    return FR_OK;
}

/* The core's ACL asks which channels a subscriber holds when a user loses
 * channel permissions (its subscribers that hold a revoked one are closed). */
int pubsub_init(fr_module *m)
{
    (void)m;
    fr_subscriptions_register(ps_list_subscriptions);
    return FR_OK;
}

/* Unloading (shutdown, or a failed start-up): every client leaves its
 * subscriptions, which frees the tables. */
void pubsub_deinit(fr_module *m)
{
    (void)m;
    fr_subscriptions_register(NULL);
    ps_drop_all();
}

int pubsub_info_stats(pubsub_info_stats_fields *out)
{
    out->pubsub_channels = (long long)ps.channels[PS_PLAIN].size;
    out->pubsub_patterns = (long long)ps.patterns.size;
    out->pubsubshard_channels = (long long)ps.channels[PS_SHARD].size;
    return 1;
}

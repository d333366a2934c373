/* pubsub_internal.h -- what the pub/sub module's files share: the
 * subscription tables (state.c), used by the commands (pubsub_cmds.c) and
 * by the hooks and INFO (module.c). */
#ifndef PUBSUB_INTERNAL_H
#define PUBSUB_INTERNAL_H

#include "frankenredis.h"
#include "chanmap.h"

/* Plain channels and shard channels behave alike but for their message
 * words, their counts and patterns (shard channels have none). */
typedef enum { PS_PLAIN = 0, PS_SHARD = 1 } ps_kind;

/* Server-wide tables: name -> subscribers (the clients, in subscription
 * order, as the message delivery order is). */
typedef struct ps_tables {
    chanmap channels[2];   /* by ps_kind */
    chanmap patterns;
    chanmap clients;       /* client id (8 bytes) -> ps_client */
} ps_tables;
extern ps_tables ps;

/* A client's subscriptions: the names only; present while it has any. */
typedef struct ps_client ps_client;

/* The state of c, created if absent; ps_done frees it again once the
 * client holds nothing and tells the core the client's counts. */
ps_client *ps_client_of(fr_client *c);
void ps_done(ps_client *pc);
/* Everything c holds, silently (RESET, disconnect); `freed`: the handle
 * is going away, so the core is not told the counts. */
void ps_drop_client(fr_client *c, int freed);
/* Lists c's patterns, channels and shard channels (for ACL). */
void ps_list_subscriptions(fr_client *c, fr_subscription_visit_fn visit, void *priv);
/* Every client's subscriptions (the module is unloaded). */
void ps_drop_all(void);

/* One (un)subscription, answered to the client with its push ("subscribe",
 * channel, count) unless notify is 0.  NULL name: "unsubscribe" with a
 * null channel, Redis's answer when there was nothing to drop. */
void ps_subscribe(ps_client *pc, ps_kind kind, const fr_str *name);
void ps_unsubscribe(ps_client *pc, ps_kind kind, const char *name, size_t len, int notify);
void ps_unsubscribe_all(ps_client *pc, ps_kind kind, int notify);
void ps_psubscribe(ps_client *pc, const fr_str *pattern);
void ps_punsubscribe(ps_client *pc, const char *pattern, size_t len, int notify);
void ps_punsubscribe_all(ps_client *pc, int notify);

/* Delivers a message; returns the number of receivers. */
long ps_publish(ps_kind kind, const char *channel, size_t clen, const char *msg, size_t mlen);
/* Subscribers of a channel (PUBSUB NUMSUB). */
long ps_numsub(ps_kind kind, const char *channel, size_t len);

#endif

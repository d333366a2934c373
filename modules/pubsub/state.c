/* state.c -- the subscription tables and message delivery (Redis's
 * pubsub.c semantics).
 *
 * Invariants:
 *  - a client is in a channel's (or pattern's) subscriber list exactly
 *    when the name is in that client's own map of that kind;
 *  - a channel or pattern is in the server tables only while it has a
 *    subscriber (PUBSUB CHANNELS / NUMPAT count live names);
 *  - a ps_client exists only while its client has a subscription, or
 *    during the command that is changing them (ps_done frees it), and the
 *    core always knows the counts (fr_client_set_subscriptions), from
 *    which it derives subscribed mode, flag P and the pubsub client class.
 * Messages go out in subscription order to a channel's subscribers, then
 * to the subscribers of each matching pattern. */
#include <string.h>

#include "pubsub_internal.h"

ps_tables ps;

struct ps_client {
    fr_client *c;
    chanmap mine[2];       /* channels, shard channels (by ps_kind) */
    chanmap patterns;      /* in subscription order */
};

typedef struct subscribers {
    fr_client **v;
    long n, cap;
} subscribers;

static const char *const word_subscribe[2] = {"subscribe", "ssubscribe"};
static const char *const word_unsubscribe[2] = {"unsubscribe", "sunsubscribe"};
static const char *const word_message[2] = {"message", "smessage"};

/* ---------------------------------------------------------- subscribers */

static void subs_add(chanmap *table, const char *name, size_t len, fr_client *c)
{
    cm_entry *e = cm_find(table, name, len);
    if (!e) e = cm_add(table, name, len, fr_calloc(sizeof(subscribers)));
    subscribers *s = e->val;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = fr_realloc(s->v, sizeof(fr_client *) * (size_t)s->cap);
    }
    s->v[s->n++] = c;
}

/* Keeps the order of the others; the name leaves the table with its last
 * subscriber. */
static void subs_remove(chanmap *table, const char *name, size_t len, fr_client *c)
{
    cm_entry *e = cm_find(table, name, len);
    if (!e) return;
    subscribers *s = e->val;
    for (long i = 0; i < s->n; i++)
        if (s->v[i] == c) {
            memmove(s->v + i, s->v + i + 1, sizeof(fr_client *) * (size_t)(s->n - i - 1));
            s->n--;
            break;
        }
    if (s->n) return;
    fr_free(s->v);
    fr_free(s);
    cm_delete(table, e);
}

/* ------------------------------------------------------------- clients */

static unsigned char *id_key(const fr_client *c, unsigned char out[8])
{
    unsigned long long id = fr_client_id(c);
    memcpy(out, &id, 8);
    return out;
}

ps_client *ps_client_of(fr_client *c)
{
    unsigned char k[8];
    cm_entry *e = cm_find(&ps.clients, id_key(c, k), 8);
    if (e) return e->val;
    ps_client *pc = fr_calloc(sizeof(*pc));
    pc->c = c;
    cm_add(&ps.clients, k, 8, pc);
    return pc;
}

/* Redis's clientSubscriptionsCount: what SUBSCRIBE and PSUBSCRIBE report. */
static long plain_count(const ps_client *pc)
{
    return (long)(pc->mine[PS_PLAIN].size + pc->patterns.size);
}

static long kind_count(const ps_client *pc, ps_kind kind)
{
    return kind == PS_SHARD ? (long)pc->mine[PS_SHARD].size : plain_count(pc);
}

static void forget_client(ps_client *pc)
{
    unsigned char k[8];
    cm_entry *e = cm_find(&ps.clients, id_key(pc->c, k), 8);
    if (e) cm_delete(&ps.clients, e);
    cm_clear(&pc->mine[PS_PLAIN]);
    cm_clear(&pc->mine[PS_SHARD]);
    cm_clear(&pc->patterns);
    fr_free(pc);
}

void ps_done(ps_client *pc)
{
    fr_client_set_subscriptions(pc->c, (long)pc->mine[PS_PLAIN].size, (long)pc->patterns.size,
                                (long)pc->mine[PS_SHARD].size);
    if (plain_count(pc) + (long)pc->mine[PS_SHARD].size == 0) forget_client(pc);
}

void ps_drop_client(fr_client *c, int freed)
{
    unsigned char k[8];
    cm_entry *e = cm_find(&ps.clients, id_key(c, k), 8);
    if (!e) return;
    ps_client *pc = e->val;
    ps_unsubscribe_all(pc, PS_PLAIN, 0);
    ps_unsubscribe_all(pc, PS_SHARD, 0);
    ps_punsubscribe_all(pc, 0);
    if (!freed) fr_client_set_subscriptions(c, 0, 0, 0);
    forget_client(pc);
}

/* The subscriptions of c for the core's ACL (fr_subscriptions_register):
 * patterns first, then channels and shard channels, as Redis checks them. */
void ps_list_subscriptions(fr_client *c, fr_subscription_visit_fn visit, void *priv)
{
    unsigned char k[8];
    cm_entry *ce = cm_find(&ps.clients, id_key(c, k), 8);
    if (!ce) return;
    ps_client *pc = ce->val;
    for (cm_entry *e = pc->patterns.head; e; e = e->next)
        if (visit(priv, e->key, e->len, 1)) return;
    for (int kind = 0; kind < 2; kind++)
        for (cm_entry *e = pc->mine[kind].head; e; e = e->next)
            if (visit(priv, e->key, e->len, 0)) return;
}

void ps_drop_all(void)
{
    while (ps.clients.head) ps_drop_client(((ps_client *)ps.clients.head->val)->c, 0);
    cm_clear(&ps.clients);
    for (int k = 0; k < 2; k++) cm_clear(&ps.channels[k]);
    cm_clear(&ps.patterns);
}

/* ---------------------------------------------------------------- pushes */

/* ("subscribe", name, count) and friends; a NULL name is a null. */
static void push_count(fr_client *c, const char *word, const char *name, size_t len, long count)
{
    fr_ctx *p = fr_client_push_begin(c, 3);
    fr_reply_bulk_cstr(p, word);
    if (name) fr_reply_bulk(p, name, len);
    else fr_reply_null(p);
    fr_reply_long_long(p, count);
    fr_client_push_end(p);
}

/* ------------------------------------------------------ (un)subscribing */

void ps_subscribe(ps_client *pc, ps_kind kind, const fr_str *name)
{
    if (!cm_find(&pc->mine[kind], name->buf, name->len)) {
        cm_add(&pc->mine[kind], name->buf, name->len, NULL);
        subs_add(&ps.channels[kind], name->buf, name->len, pc->c);
    }
    push_count(pc->c, word_subscribe[kind], name->buf, name->len, kind_count(pc, kind));
}

void ps_unsubscribe(ps_client *pc, ps_kind kind, const char *name, size_t len, int notify)
{
    cm_entry *e = cm_find(&pc->mine[kind], name, len);
    if (e) {
        subs_remove(&ps.channels[kind], name, len, pc->c);
        /* the reply names the channel: answer before the entry goes */
        if (notify) push_count(pc->c, word_unsubscribe[kind], name, len, kind_count(pc, kind) - 1);
        cm_delete(&pc->mine[kind], e);
        return;
    }
    if (notify) push_count(pc->c, word_unsubscribe[kind], name, len, kind_count(pc, kind));
}

void ps_unsubscribe_all(ps_client *pc, ps_kind kind, int notify)
{
    int any = pc->mine[kind].head != NULL;
    cm_entry *e = pc->mine[kind].head;
    while (e) {
        cm_entry *next = e->next;
        ps_unsubscribe(pc, kind, e->key, e->len, notify);
        e = next;
    }
    if (notify && !any) push_count(pc->c, word_unsubscribe[kind], NULL, 0, kind_count(pc, kind));
}

void ps_psubscribe(ps_client *pc, const fr_str *pattern)
{
    if (!cm_find(&pc->patterns, pattern->buf, pattern->len)) {
        cm_add(&pc->patterns, pattern->buf, pattern->len, NULL);
        subs_add(&ps.patterns, pattern->buf, pattern->len, pc->c);
    }
    push_count(pc->c, "psubscribe", pattern->buf, pattern->len, plain_count(pc));
}

void ps_punsubscribe(ps_client *pc, const char *pattern, size_t len, int notify)
{
    cm_entry *e = cm_find(&pc->patterns, pattern, len);
    if (e) {
        subs_remove(&ps.patterns, pattern, len, pc->c);
        if (notify) push_count(pc->c, "punsubscribe", pattern, len, plain_count(pc) - 1);
        cm_delete(&pc->patterns, e);
        return;
    }
    if (notify) push_count(pc->c, "punsubscribe", pattern, len, plain_count(pc));
}

void ps_punsubscribe_all(ps_client *pc, int notify)
{
    int any = pc->patterns.head != NULL;
    cm_entry *e = pc->patterns.head;
    while (e) {
        cm_entry *next = e->next;
        ps_punsubscribe(pc, e->key, e->len, notify);
        e = next;
    }
    if (notify && !any) push_count(pc->c, "punsubscribe", NULL, 0, plain_count(pc));
}

/* ------------------------------------------------------------ publishing */

static void push_message(fr_client *c, ps_kind kind, const char *ch, size_t clen, const char *msg, size_t mlen)
{
    fr_ctx *p = fr_client_push_begin(c, 3);
    fr_reply_bulk_cstr(p, word_message[kind]);
    fr_reply_bulk(p, ch, clen);
    fr_reply_bulk(p, msg, mlen);
    fr_client_push_end(p);
}

static void push_pmessage(fr_client *c, const cm_entry *pat, const char *ch, size_t clen, const char *msg,
                          size_t mlen)
{
    fr_ctx *p = fr_client_push_begin(c, 4);
    fr_reply_bulk(p, "pmessage", 8);
    fr_reply_bulk(p, pat->key, pat->len);
    fr_reply_bulk(p, ch, clen);
    fr_reply_bulk(p, msg, mlen);
    fr_client_push_end(p);
}

long ps_publish(ps_kind kind, const char *channel, size_t clen, const char *msg, size_t mlen)
{
    long receivers = 0;
    cm_entry *e = cm_find(&ps.channels[kind], channel, clen);
    if (e) {
        subscribers *s = e->val;
        for (long i = 0; i < s->n; i++, receivers++) push_message(s->v[i], kind, channel, clen, msg, mlen);
    }
    if (kind == PS_SHARD) return receivers; /* shard channels ignore patterns */
    for (cm_entry *p = ps.patterns.head; p; p = p->next) {
        if (!fr_stringmatch(p->key, p->len, channel, clen, 0)) continue;
        subscribers *s = p->val;
        for (long i = 0; i < s->n; i++, receivers++) push_pmessage(s->v[i], p, channel, clen, msg, mlen);
    }
    return receivers;
}

long ps_numsub(ps_kind kind, const char *channel, size_t len)
{
    cm_entry *e = cm_find(&ps.channels[kind], channel, len);
    return e ? ((subscribers *)e->val)->n : 0;
}

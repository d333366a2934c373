/* blocked.c -- clients whose command cannot run now, as Redis's blocked.c.
 *
 * Owns the block record each blocked client carries (fr_client.block) and
 * the per-type counts INFO shows as blocked_clients.  Blocking holds the
 * client's input in the protocol layer with the command still parsed
 * (fr_client_hold_input); unblocking releases it, and the protocol layer
 * runs the held command again (a postponed one) or drops it (one answered
 * while blocked) before the loop sleeps.
 *
 * Types today: POSTPONE, a command held by CLIENT PAUSE (pause.c) and run
 * from scratch when the pause lifts, exactly as if it had just arrived.
 * Invariant: a client is in the postponed list iff its record's type is
 * POSTPONE; every record is freed with its client (fr_blocked_client_gone). */
#include "runtime.h"

typedef struct fr_block {
    fr_blocked_type type;
    fr_client *client;
    struct fr_block *prev, *next;   /* the postponed list, oldest first */
} fr_block;

static fr_block *postponed_head, *postponed_tail;
static long counts[FR_BLOCKED__COUNT];

static fr_block *block_new(fr_client *c, fr_blocked_type type)
{
    fr_block *b = fr_calloc(sizeof(*b));
    b->type = type;
    b->client = c;
    c->block = b;
    counts[type]++;
    fr_client_hold_input(c);
    return b;
}

void fr_block_postpone(fr_client *c)
{
    fr_block *b = block_new(c, FR_BLOCKED_POSTPONE);
    b->prev = postponed_tail;
    if (postponed_tail) postponed_tail->next = b;
    else postponed_head = b;
    postponed_tail = b;
}

/* Forget the record; the caller decides what becomes of the input. */
static void block_drop(fr_client *c)
{
    fr_block *b = c->block;
    if (!b) return;
    if (b->type == FR_BLOCKED_POSTPONE) {
        if (b->prev) b->prev->next = b->next;
        else postponed_head = b->next;
        if (b->next) b->next->prev = b->prev;
        else postponed_tail = b->prev;
    }
    counts[b->type]--;
    c->block = NULL;
    fr_free(b);
}

/* Every postponed command runs again, oldest first; each may be postponed
 * anew if what held it still holds. */
void fr_unblock_postponed_all(void)
{
    while (postponed_head) {
        fr_client *c = postponed_head->client;
        block_drop(c);
        fr_client_release_input(c, 1);
    }
}

int fr_client_is_blocked(const fr_client *c)
{
    return c->block != NULL;
}

/* CLIENT UNBLOCK: only clients blocked inside a command can be unblocked.
 * A postponed command has not started, so it is left alone (Redis 7.0.15
 * aborts on it; later versions answer 0 as here). */
int fr_client_unblock_by_id(uint64_t id, int with_error)
{
    (void)with_error;
    fr_client *c = fr_client_by_id(id);
    if (!c || !c->block || ((fr_block *)c->block)->type == FR_BLOCKED_POSTPONE) return 0;
    return 0;
}

void fr_blocked_client_gone(fr_client *c)
{
    block_drop(c);
}

long fr_blocked_count(void)
{
    long n = 0;
    for (int i = 0; i < FR_BLOCKED__COUNT; i++) n += counts[i];
    return n;
}

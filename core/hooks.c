/* hooks.c -- named points where modules attach callbacks (APR-style).
 *
 * Each hook keeps its callbacks sorted by order (FIRST < MIDDLE < LAST,
 * stable for equal orders), so AOF can run before replication on
 * command-propagated.  All hooks are run-all; only startup-load may refuse
 * (FR_ERR) and stops the server's start.  A module may register only hooks
 * its manifest declares: what a module listens to is visible in one place. */
#include <string.h>

#include "runtime.h"

typedef struct hook_entry {
    fr_hook_fn fn;
    void *priv;
    int order;
    fr_module *owner;
    struct hook_entry *next;
} hook_entry;

static hook_entry *hooks[FR_HOOK__COUNT];
static int counts[FR_HOOK__COUNT];

int fr_hook_register(fr_module *m, fr_hook_id id, int order, fr_hook_fn fn, void *priv)
{
    if ((int)id < 0 || id >= FR_HOOK__COUNT || !fn) return FR_ERR;
    if (m && !fr_module_declares_hook(m, id)) {
        fr_log(FR_LOG_WARNING, "module %s registers hook '%s' that its manifest does not declare",
               fr_module_name(m), fr_hook_name(id));
        return FR_ERR;
    }
    hook_entry *h = fr_calloc(sizeof(*h));
    h->fn = fn;
    h->priv = priv;
    h->order = order;
    h->owner = m;
    hook_entry **pp = &hooks[id];
    while (*pp && (*pp)->order <= order) pp = &(*pp)->next;
    h->next = *pp;
    *pp = h;
    counts[id]++;
    fr_runtime_key_interest_changed();
    return FR_OK;
}

int fr_hooks_fire(const fr_hook_event *ev)
{
    int rc = FR_OK;
    for (hook_entry *h = hooks[ev->id]; h; h = h->next)
        if (h->fn(ev, h->priv) != FR_OK) rc = FR_ERR;
    return rc;
}

int fr_hooks_count(fr_hook_id id)
{
    return counts[id];
}

void fr_hooks_remove_module(fr_module *m)
{
    for (int id = 0; id < FR_HOOK__COUNT; id++) {
        hook_entry **pp = &hooks[id];
        while (*pp) {
            if ((*pp)->owner == m) {
                hook_entry *dead = *pp;
                *pp = dead->next;
                fr_free(dead);
                counts[id]--;
            } else {
                pp = &(*pp)->next;
            }
        }
    }
    fr_runtime_key_interest_changed();
}

/* chanmap.h -- a hash map from byte strings (channel names, patterns,
 * client ids) to a pointer, iterated in insertion order.
 *
 * Insertion order is what pub/sub shows: PUNSUBSCRIBE without arguments
 * answers the patterns in the order they were subscribed (Redis keeps them
 * in a list), and every other listing (UNSUBSCRIBE without arguments,
 * PUBSUB CHANNELS, which patterns a message matches first) is in Redis's
 * dict order, which depends on a random hash seed, so any fixed order is
 * one Redis could have shown.  Keys are copied; values are the caller's. */
#ifndef PUBSUB_CHANMAP_H
#define PUBSUB_CHANMAP_H

#include <stddef.h>

typedef struct cm_entry {
    struct cm_entry *hnext;        /* bucket chain */
    struct cm_entry *prev, *next;  /* insertion order */
    void *val;
    size_t len;
    char key[];                    /* NUL-terminated copy */
} cm_entry;

typedef struct chanmap {
    cm_entry **buckets;
    size_t nbuckets;               /* 0 or a power of two */
    size_t size;
    cm_entry *head, *tail;
} chanmap;

cm_entry *cm_find(const chanmap *m, const void *key, size_t len);
/* Adds key (absent: check with cm_find first) and returns its entry. */
cm_entry *cm_add(chanmap *m, const void *key, size_t len, void *val);
/* Unlinks and frees e; the caller frees e->val first if it owns it.  The
 * entry after e stays valid, so a walk can delete as it goes. */
void cm_delete(chanmap *m, cm_entry *e);
void cm_clear(chanmap *m);         /* every entry; values are not freed */

#endif

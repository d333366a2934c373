/* chanmap.c -- see chanmap.h.  Chained buckets that double when the map
 * holds as many entries as buckets, a doubly linked list for the order.
 * The hash is FNV-1a over a per-process seed, so channel names a client
 * picks cannot be chosen to collide in advance. */
#include <string.h>

#include "frankenredis.h"
#include "chanmap.h"

static uint64_t seed;

static uint64_t hash(const void *key, size_t len)
{
    if (!seed) seed = fr_ustime() * 0x9E3779B97F4A7C15ULL | 1;
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static cm_entry **slot_of(const chanmap *m, const void *key, size_t len)
{
    return &m->buckets[hash(key, len) & (m->nbuckets - 1)];
}

cm_entry *cm_find(const chanmap *m, const void *key, size_t len)
{
    if (!m->nbuckets) return NULL;
    for (cm_entry *e = *slot_of(m, key, len); e; e = e->hnext)
        if (e->len == len && !memcmp(e->key, key, len)) return e;
    return NULL;
}

static void grow(chanmap *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : 8;
    fr_free(m->buckets);
    m->buckets = fr_calloc(n * sizeof(cm_entry *));
    m->nbuckets = n;
    for (cm_entry *e = m->head; e; e = e->next) {
        cm_entry **s = slot_of(m, e->key, e->len);
        e->hnext = *s;
        *s = e;
    }
}

cm_entry *cm_add(chanmap *m, const void *key, size_t len, void *val)
{
    if (m->size >= m->nbuckets) grow(m);
    cm_entry *e = fr_malloc(sizeof(*e) + len + 1);
    memcpy(e->key, key, len);
    e->key[len] = '\0';
    e->len = len;
    e->val = val;
    cm_entry **s = slot_of(m, key, len);
    e->hnext = *s;
    *s = e;
    e->next = NULL;
    e->prev = m->tail;
    if (m->tail) m->tail->next = e;
    else m->head = e;
    m->tail = e;
    m->size++;
    return e;
}

void cm_delete(chanmap *m, cm_entry *e)
{
    cm_entry **s = slot_of(m, e->key, e->len);
    while (*s != e) s = &(*s)->hnext;
    *s = e->hnext;
    if (e->prev) e->prev->next = e->next;
    else m->head = e->next;
    if (e->next) e->next->prev = e->prev;
    else m->tail = e->prev;
    m->size--;
    fr_free(e);
}

void cm_clear(chanmap *m)
{
    cm_entry *e = m->head;
    while (e) {
        cm_entry *next = e->next;
        fr_free(e);
        e = next;
    }
    fr_free(m->buckets);
    memset(m, 0, sizeof(*m));
}

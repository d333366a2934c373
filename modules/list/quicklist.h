/* quicklist.h -- a list value: a doubly linked list of listpack nodes.
 *
 * The node boundaries follow Redis 7.0's quicklist rules (when a node takes
 * one more element, when an insert splits a node, which neighbours merge
 * afterwards), because they are visible: DUMP and RDB write one listpack
 * per node, and a list built by the same commands must give Redis's bytes.
 * `fill` is list-max-listpack-size and `depth` list-compress-depth as they
 * were when the list was created (Redis keeps them per list too).
 *
 * Positions (ql_pos) name one element: its node, byte offset in the node's
 * listpack and index in the node.  Any edit invalidates every position but
 * the one an operation hands back. */
#ifndef FR_LIST_QUICKLIST_H
#define FR_LIST_QUICKLIST_H

#include "frankenredis.h"
#include "listpack.h"

typedef struct ql_node {
    struct ql_node *prev, *next;
    qlp_t *lp;
    uint32_t count;   /* elements in lp */
} ql_node;

typedef struct ql {
    ql_node *head, *tail;
    unsigned long long len;    /* elements */
    unsigned long nodes;
    int fill;
    int depth;
} ql;

typedef struct ql_pos {
    ql_node *node;
    size_t off;
    uint32_t idx;
} ql_pos;

ql *ql_new(int fill, int depth);
void ql_free(ql *q);
ql *ql_dup(const ql *q);
size_t ql_mem(const ql *q);

/* Append a node holding `lp` (with `count` elements) at the tail: RDB
 * loading keeps the saved node boundaries.  Ownership of lp passes. */
void ql_append_node(ql *q, qlp_t *lp, uint32_t count);

void ql_push(ql *q, const char *s, size_t len, int head);
/* The element at the head or tail, copied; the list must not be empty. */
fr_str *ql_pop(ql *q, int head);

/* Position of element i (0 <= i < len, or negative from the end). 0 when
 * out of range. */
int ql_seek(const ql *q, long long i, ql_pos *p);
/* Step to the next/previous element; 0 at the end. */
int ql_next(ql_pos *p);
int ql_prev(ql_pos *p);
/* The element's bytes (buf: LP_INTBUF bytes for integers). */
const char *ql_get(const ql_pos *p, char *buf, size_t *len);
int ql_equals(const ql_pos *p, const char *s, size_t len);

void ql_replace(ql *q, const ql_pos *p, const char *s, size_t len);
void ql_insert(ql *q, const ql_pos *p, const char *s, size_t len, int after);
/* Delete the element at p; p then names the element that followed it
 * (forward = 1) or preceded it (forward = 0).  Returns 0 when there is none. */
int ql_delete_at(ql *q, ql_pos *p, int forward);
/* Delete `n` elements starting at index `start` (>= 0). */
void ql_delete_range(ql *q, unsigned long long start, unsigned long long n);

#endif /* FR_LIST_QUICKLIST_H */

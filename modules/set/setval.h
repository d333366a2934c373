/* setval.h -- the set type's payload: one set in one of Redis 7.0's two
 * encodings, and the operations every command builds on.
 *
 * intset: all members are canonical integers (Redis's string2ll form) and
 *   there are at most set-max-intset-entries of them (capped at 2^30 as
 *   Redis caps it); iteration is in increasing order.
 * hashtable: anything else; iteration order is the table's.
 * A set converts from intset to hashtable when an add breaks one of those
 * rules and never back, as in Redis.  A payload in the keyspace is never
 * empty: commands delete the key when they remove the last member. */
#ifndef FR_SET_SETVAL_H
#define FR_SET_SETVAL_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"
#include "intset.h"
#include "sethash.h"

#define ST_INTSET 0
#define ST_HASHTABLE 1

typedef struct setval {
    int enc;
    union {
        intset *is;
        sethash *h;
    } u;
} setval;

/* A member as iteration or random picks yield it: an integer of an intset
 * or bytes of a hashtable member.  `buf` backs the integer's text. */
typedef struct st_member {
    int is_int;
    int64_t v;
    const char *p;
    size_t len;
    char buf[24];
} st_member;

/* A new empty set in the encoding Redis's setTypeCreate picks for a first
 * member p[0..len): intset when it is an integer. */
setval *st_new_for(const void *p, size_t len);
setval *st_new_intset(void);
setval *st_new_hashtable(size_t expected);
void st_free(void *payload);
size_t st_free_effort(const void *payload);
void *st_dup(const void *payload);
size_t st_size(const setval *s);
int st_add(setval *s, const void *p, size_t len);        /* 1 added */
int st_remove(setval *s, const void *p, size_t len);     /* 1 removed */
int st_contains(const setval *s, const void *p, size_t len);
int st_contains_member(const setval *s, const st_member *m);
int st_add_member(setval *s, const st_member *m);
int st_remove_member(setval *s, const st_member *m);
void st_convert_to_hashtable(setval *s);
/* The largest intset allowed (the directive, capped at 2^30). */
size_t st_max_intset_entries(void);

/* Iteration in the encoding's order; the set must not change meanwhile. */
typedef struct st_iter {
    const setval *s;
    uint32_t pos;
    sh_iter hi;
} st_iter;
void st_iter_init(st_iter *it, const setval *s);
int st_next(st_iter *it, st_member *m);   /* 0 at the end */
/* A uniformly drawn member (s not empty). */
void st_random(const setval *s, st_member *m);
uint64_t st_rand64(void);

/* Text of a member (m->p, m->len filled for integers too). */
void st_member_text(st_member *m);

const char *st_encoding(const void *payload);
size_t st_mem_usage(const void *payload);

#endif /* FR_SET_SETVAL_H */

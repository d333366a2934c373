/* sort_internal.h -- what the sort module's files share.
 *
 * SORT reads a list, set or sorted set through its type's foreach_member
 * (the list, set and zset modules own those types), reads the BY/GET
 * pattern keys through the string type's bytes view and the hash type's
 * field_value, and stores through the list type's from_members: it never
 * includes another module's header.
 *
 * Files: sort_args.c (option parsing), sort_pattern.c (pattern keys),
 * sort_vector.c (the elements, their weights, the ordering), sort_cmd.c
 * (the handlers: reply or STORE), module.c (registration). */
#ifndef SORT_INTERNAL_H
#define SORT_INTERNAL_H

#include "frankenredis.h"
#include "glue.h"

#include <stddef.h>

/* The list type STORE creates (set by init; `depends: [list]`). */
extern const fr_type *g_sort_list_type;

/* ---- options (sort_args.c) ---------------------------------------------- */
typedef struct sort_opts {
    int desc;
    int alpha;
    /* BY without '*' seen: keep the elements' own order.  Like Redis, a
     * later BY with '*' does not clear it. */
    int dontsort;
    long long limit_start;   /* 0 */
    long long limit_count;   /* -1: to the end */
    const fr_str *by;        /* the last BY pattern, or NULL */
    const fr_str *store;     /* the last STORE key, or NULL */
    int nget;
    const fr_str **get;      /* GET patterns in order (fr_malloc'd) */
} sort_opts;

/* Parse arguments 2.. as Redis does (SORT_RO knows no STORE).  FR_ERR
 * after replying (syntax error, bad LIMIT integer). */
int sort_parse_or_reply(fr_ctx *ctx, int readonly, sort_opts *o);
void sort_opts_free(sort_opts *o);

/* ---- pattern keys (sort_pattern.c) ---------------------------------------- */
/* What a pattern names for one element: a view valid until the keyspace
 * changes (scratch holds an integer's text). */
typedef struct sort_found {
    const char *p;
    size_t len;
    char scratch[FR_INT_TEXT_MAX];
} sort_found;

/* Redis's lookupKeyByPattern: "#" is the element itself; otherwise the
 * first '*' is replaced by the element (e[0..elen)) and the key read as a
 * string, or, with "->field" after the '*', as a hash field.  `key` is a
 * scratch string the caller owns (grown here, may be replaced).  1 when
 * found. */
int sort_pattern_get(fr_ctx *ctx, const fr_str *pattern, const char *e, size_t elen, fr_str **key,
                     sort_found *out);

/* ---- the vector (sort_vector.c) ----------------------------------------- */
/* Bytes copied into the vector's blocks, NUL-terminated (strcoll reads
 * them as C strings, as Redis does). */
typedef struct sort_text {
    const char *p;   /* NULL: nothing (an ALPHA BY that found no value) */
    size_t len;
} sort_text;

typedef struct sort_item {
    sort_text ele;   /* the element */
    double score;    /* numeric weight (0 when BY found nothing) */
    sort_text cmp;   /* ALPHA BY weight */
} sort_item;

typedef struct sort_vec {
    sort_item *items;
    size_t len, cap;
    size_t seen;          /* members visited while loading */
    size_t lo, hi;        /* members kept: indexes [lo, hi) */
    char *block;          /* the newest copy block (each links the previous) */
    char *cur;            /* its first free byte */
    size_t left;          /* free bytes from cur */
} sort_vec;

/* How many members a list, set or sorted set payload has. */
size_t sort_count(const fr_type *t, const void *payload);
/* The members of the payload with indexes [lo, hi), in its order. */
void sort_vec_load(sort_vec *v, const fr_type *t, const void *payload, size_t lo, size_t hi);
void sort_vec_reverse(sort_vec *v);
/* A copy of p[0..len) that lives as long as the vector. */
sort_text sort_vec_copy(sort_vec *v, const char *p, size_t len);
/* Weights from the elements or the BY pattern; 0 when one could not be
 * read as a double ("One or more scores can't be converted into double",
 * replied by the caller, as Redis does after the ordering). */
int sort_vec_weigh(fr_ctx *ctx, sort_vec *v, const sort_opts *o);
void sort_vec_order(sort_vec *v, const sort_opts *o, int store);
void sort_vec_free(sort_vec *v);

#endif

/* obuf_limit.h -- client-output-buffer-limit: per-class hard and soft caps on
 * the replies a client has not read yet (see obuf_limit.c). */
#ifndef FR_OBUF_LIMIT_H
#define FR_OBUF_LIMIT_H

#include <stddef.h>

/* Redis's client classes for output limits, in CONFIG GET order. */
enum { FR_OBUF_NORMAL, FR_OBUF_REPLICA, FR_OBUF_PUBSUB, FR_OBUF_CLASSES };

typedef struct fr_obuf_limit {
    unsigned long long hard_bytes;   /* 0: none */
    unsigned long long soft_bytes;   /* 0: none */
    long long soft_seconds;          /* soft must hold longer than this */
} fr_obuf_limit;

struct fr_client;

/* "class hard soft seconds" groups; all or nothing.  0 or -1 with *err. */
int fr_obuf_limits_set(int argc, char **argv, const char **err);
void fr_obuf_limits_format(char *buf, size_t len);
/* Closes `c` if it is over its class's limit: flagged for closing when
 * `async` (a reply is being added), freed at once otherwise.  Returns 1 if
 * the client was closed or flagged. */
int fr_obuf_enforce(struct fr_client *c, int async);
/* The output memory the limits measure: reply blocks, not the fixed buffer. */
size_t fr_obuf_memory(const struct fr_client *c);

#endif

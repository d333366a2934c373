/* resp.h -- RESP request parsing and reply encoding (core/resp.c).
 *
 * The request parser is incremental: bytes are fed as they arrive, a
 * complete command is handed out in argv/argc, and protocol errors are sticky
 * (the caller replies "-ERR <error>\r\n" and closes after the reply, as Redis
 * does).  Accepted syntax, limits and error texts are Redis 7.0.15's
 * (networking.c processInlineBuffer/processMultibulkBuffer); the rules are
 * written down in docs/spec/resp.md.
 *
 * Reply encoders are pure: they write into caller memory and return the
 * number of bytes written. */
#ifndef FR_RESP_H
#define FR_RESP_H

#include <stddef.h>

#include "frankenredis.h"

/* ------------------------------------------------------------ requests */

#define FR_PROTO_INLINE_MAX (64 * 1024)         /* unterminated line limit */
#define FR_PROTO_MBULK_BIG_ARG (32 * 1024)      /* direct-read threshold */
#define FR_PROTO_MAX_BULK_LEN_DEFAULT (512LL * 1024 * 1024)
#define FR_PROTO_UNAUTH_MAX_MBULK 10            /* args before AUTH */
#define FR_PROTO_UNAUTH_MAX_BULK 16384          /* bulk bytes before AUTH */

typedef struct fr_reqlimits {
    /* Bulk lengths above this are "invalid bulk length"; negative means no
     * limit (Redis does not apply it to its master link). */
    long long proto_max_bulk_len;
    /* Non-zero while the client must still authenticate: then more than 10
     * arguments or a bulk over 16384 bytes is refused. */
    int auth_required;
    /* An inline line, or a "*"/"$" header, still without its terminator once
     * more than this many bytes are pending is refused (Redis: 64KB). */
    size_t inline_max;
    /* The core's hardened mode: more arguments, or a longer bulk, than
     * these are refused with a "(hardened mode)" error whose short reason
     * starts with "hardened"; negative means no such limit. */
    long long hardened_max_mbulk;
    long long hardened_max_bulk;
} fr_reqlimits;

#define FR_REQLIMITS_DEFAULT \
    { FR_PROTO_MAX_BULK_LEN_DEFAULT, 0, FR_PROTO_INLINE_MAX, -1, -1 }

void fr_reqlimits_default(fr_reqlimits *lim);

/* Embedded by value in the client.  Fields after `error_reason` are the
 * parser's own. */
typedef struct fr_reqparser {
    fr_str **argv;          /* the command, valid when feed reported ready */
    int argc;               /* > 0 whenever ready */
    int inline_cmd;         /* the ready command came in inline form */
    /* Sticky protocol error, e.g. "Protocol error: invalid bulk length":
     * reply "-ERR " + error and close after the reply.  NULL when fine. */
    const char *error;
    const char *error_reason; /* short form for the log, as Redis logs it */

    int state;
    int line_kind;          /* which header a pending '\r' line belongs to */
    int argv_cap;
    long long mbulk_left;   /* bulks still to come in this command */
    long long bulk_len;     /* length of the bulk being read */
    fr_str *bulk;           /* the bulk being filled (owned) */
    size_t bulk_fill;       /* bytes already in bulk->buf */
    size_t bulk_target;     /* bulk_len, or bulk_len+2 when its CRLF lands in it */
    /* After a big bulk: a buffer of its size kept for the next big one, as
     * Redis keeps a query buffer that large after a fat argument (owned;
     * NULL when none; dropped by fr_reqparser_drop_spare). */
    fr_str *spare;
    int skip;               /* bytes of a small bulk's CRLF still to skip */
    char *line;             /* partial line (fr_malloc), line_len bytes */
    size_t line_len, line_cap;
    size_t line_pending;    /* bytes since the line began (Redis's pending query) */
    int line_stuck;         /* a NUL hid the terminator: only counting bytes */
    /* Arena: the command's arguments below FR_PROTO_MBULK_BIG_ARG, as fr_str
     * headers and bytes back to back (8-aligned), emptied at every reset. */
    char *arena;            /* fr_malloc; NULL until the first small bulk */
    size_t arena_used, arena_cap;
    char errbuf[48];
} fr_reqparser;

void fr_reqparser_init(fr_reqparser *p);
/* Releases everything, including a command not yet reset. */
void fr_reqparser_free(fr_reqparser *p);

/* Consume bytes.  Returns how many were used: when *ready is set, the bytes
 * up to the end of the command (feed the rest after the reset); on an error
 * (p->error set) parsing stops; otherwise all len bytes were used.  Limits
 * are read at every call (authentication may change between commands).
 * Empty inline lines and "*0"/"*-N" headers produce no command.  Feeding
 * what one read() returned at a time (Redis reads 16KB) reproduces exactly
 * when Redis's "too big ..." errors fire. */
size_t fr_reqparser_feed(fr_reqparser *p, const char *buf, size_t len,
                         const fr_reqlimits *lim, int *ready);
/* After a ready command ran: frees the arguments still there (entries
 * taken and set to NULL are skipped), empties the arena (releasing it when
 * it grew past a bound) and prepares for the next command.  Every arena
 * argument is invalid from here on. */
void fr_reqparser_reset_command(fr_reqparser *p);
/* Non-zero when s lives in the arena: valid only until the next reset, and
 * never to be freed or resized by anyone. */
int fr_reqparser_in_arena(const fr_reqparser *p, const fr_str *s);
/* Ownership of argument i of the ready command, for keeping it past the
 * command: a heap argument moves out (its slot becomes NULL), an arena
 * argument is copied.  The caller frees the result with fr_str_free. */
fr_str *fr_reqparser_take_arg(fr_reqparser *p, int i);
/* Memory the arguments hold: the arena's capacity plus the heap arguments'
 * bytes (CLIENT LIST tot-mem, INFO memory). */
size_t fr_reqparser_args_memory(const fr_reqparser *p);

/* While a bulk of FR_PROTO_MBULK_BIG_ARG bytes or more is being read, the
 * argument is already allocated at its final size: returns 1 with where to
 * read() the next bytes and how many (up to and including its trailing
 * CRLF), 0 when there is no such target. */
int fr_reqparser_direct_target(fr_reqparser *p, char **dst, size_t *room);
/* Account for n bytes written at the direct target (n <= room).  Returns 1
 * when that completed the command (as feed's *ready). */
int fr_reqparser_direct_commit(fr_reqparser *p, size_t n);
/* The spare big-bulk buffer's capacity (0 when there is none), and giving
 * it back: the client cron drops it as Redis trims a query buffer larger
 * than its recent use. */
size_t fr_reqparser_spare_size(const fr_reqparser *p);
void fr_reqparser_drop_spare(fr_reqparser *p);
/* Bytes buffered for the incomplete command element, as Redis's query buffer
 * would hold them (for client-query-buffer-limit and CLIENT LIST qbuf). */
size_t fr_reqparser_pending(const fr_reqparser *p);

/* ------------------------------------------------------------ replies */

#define FR_RESP_HDR_MAX 32       /* enough for any fr_resp_hdr & friends */
#define FR_RESP_DOUBLE_MAX 64    /* enough for fr_resp_double */
#define FR_RESP_ERROR_MAX(len) ((len) + 7)  /* "-ERR " + text + CRLF */
#define FR_RESP_STATUS_MAX(len) ((len) + 3)

/* Flags of fr_resp_error / fr_resp_status. */
#define FR_RESP_CRLF_MAP 1   /* every CR and LF becomes a space */
#define FR_RESP_CRLF_TRIM 2  /* first strip CR/LF at both ends (Format variants) */

/* <prefix><n>\r\n: "*3\r\n", "$5\r\n", ":42\r\n", "%2\r\n", "~3\r\n". */
int fr_resp_hdr(char *dst, char prefix, long long n);
int fr_resp_map_hdr(char *dst, int resp, long pairs);   /* RESP2: *2n */
int fr_resp_set_hdr(char *dst, int resp, long n);       /* RESP2: *n */
int fr_resp_null(char *dst, int resp);                  /* $-1 / _ */
int fr_resp_null_array(char *dst, int resp);            /* *-1 / _ */
int fr_resp_bool(char *dst, int resp, int v);           /* :1 :0 / #t #f */
/* A double as addReplyDouble: RESP2 bulk of "%.17g", RESP3 ",%.17g";
 * infinities as inf/-inf.  Returns 0 if cap is too small. */
int fr_resp_double(char *dst, size_t cap, double d, int resp);
/* A long double as addReplyHumanLongDouble (INCRBYFLOAT's digits): RESP2
 * bulk, RESP3 double.  Returns 0 if cap is too small. */
int fr_resp_human_ld(char *dst, size_t cap, long double v, int resp);
/* Header of a verbatim string of len bytes: RESP3 "=<len+4>\r\nxxx:" (ext
 * cut/padded to 3 chars), RESP2 "$<len>\r\n".  Payload and CRLF follow. */
int fr_resp_verbatim_hdr(char *dst, int resp, size_t len, const char *ext);
/* Header of a big number of len digits: RESP3 "(", RESP2 "$<len>\r\n". */
int fr_resp_bignum_hdr(char *dst, int resp, size_t len);
/* An error reply as addReplyErrorLength: "-ERR " is prepended unless the
 * text starts with '-'.  dst needs FR_RESP_ERROR_MAX(len) bytes. */
size_t fr_resp_error(char *dst, const char *s, size_t len, int flags);
/* "+<s>\r\n"; dst needs FR_RESP_STATUS_MAX(len) bytes. */
size_t fr_resp_status(char *dst, const char *s, size_t len, int flags);

#endif /* FR_RESP_H */

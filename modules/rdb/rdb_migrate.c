/* rdb_migrate.c -- MIGRATE host port key|"" db timeout [COPY] [REPLACE]
 *                  [AUTH pw | AUTH2 user pw] [KEYS key...]
 *
 * Owns MIGRATE's order of checks, the commands it sends, how it reads the
 * target's replies and what it does with them, as Redis 7.0's
 * migrateCommand (src/cluster.c): options first (AUTH and AUTH2 values
 * redacted from MONITOR and the slow log as soon as they are seen), then
 * timeout and DB as integers, then the keys that exist (none: +NOKEY and
 * no connection).  One request carries AUTH (if asked), SELECT (only when
 * the connection's last DB differs) and a RESTORE per key still alive,
 * with its remaining TTL in ms (0: none) and the DUMP payload; the replies
 * are read one line each.  A key is deleted here (unless COPY) only once
 * the target accepted it; those deletions go to AOF and replicas as one
 * DEL of them, with a "del" event each.  An error of the target is
 * replied once, prefixed "Target instance replied with error: ".  A
 * failure of the connection before any reply is retried once on a fresh
 * connection unless it was a timeout, as Redis does for a cached
 * connection the target closed.
 *
 * The connection and its blocking I/O are rdb_migrate_sock.c's; the
 * payload is rdb_dump_payload's, byte for byte DUMP's. */
#include "rdb_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct migrate_args {
    const fr_str *user, *pass;        /* AUTH2 user, AUTH/AUTH2 password */
    int copy, replace;
    int first_key, num_keys;
    long long timeout, dbid;
} migrate_args;

/* The options, then timeout and DB: FR_ERR after replying. */
static int parse_args(fr_ctx *ctx, migrate_args *a) {
    int argc = fr_argc(ctx);
    a->first_key = 3;
    a->num_keys = 1;
    for (int j = 6; j < argc; j++) {
        int more = argc - 1 - j;
        if (fr_arg_is(ctx, j, "copy")) {
            a->copy = 1;
        } else if (fr_arg_is(ctx, j, "replace")) {
            a->replace = 1;
        } else if (fr_arg_is(ctx, j, "auth")) {
            if (!more) {
                fr_reply_syntax_error(ctx);
                return FR_ERR;
            }
            a->pass = fr_arg(ctx, ++j);
            fr_ctx_redact(ctx, j);
        } else if (fr_arg_is(ctx, j, "auth2")) {
            if (more < 2) {
                fr_reply_syntax_error(ctx);
                return FR_ERR;
            }
            a->user = fr_arg(ctx, ++j);
            fr_ctx_redact(ctx, j);
            a->pass = fr_arg(ctx, ++j);
            fr_ctx_redact(ctx, j);
        } else if (fr_arg_is(ctx, j, "keys")) {
            if (fr_arg(ctx, 3)->len != 0) {
                fr_reply_error(ctx, "When using MIGRATE KEYS option, the key argument must be set to the "
                                    "empty string");
                return FR_ERR;
            }
            a->first_key = j + 1;
            a->num_keys = argc - j - 1;
            break;
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    if (fr_arg_ll_or_reply(ctx, 5, &a->timeout) != FR_OK || fr_arg_ll_or_reply(ctx, 4, &a->dbid) != FR_OK)
        return FR_ERR;
    if (a->timeout <= 0) a->timeout = 1000;
    return FR_OK;
}

/* ---- the request ------------------------------------------------------------ */

static fr_str *put_count(fr_str *b, int n) {
    char tmp[32];
    int len = snprintf(tmp, sizeof(tmp), "*%d\r\n", n);
    return fr_str_cat(b, tmp, (size_t)len);
}

static fr_str *put_bulk(fr_str *b, const void *p, size_t len) {
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "$%zu\r\n", len);
    b = fr_str_cat(b, tmp, (size_t)n);
    b = fr_str_cat(b, p, len);
    return fr_str_cat(b, "\r\n", 2);
}

static fr_str *put_bulk_ll(fr_str *b, long long v) {
    char tmp[32];
    int n = fr_ll2string(tmp, sizeof(tmp), v);
    return put_bulk(b, tmp, (size_t)n);
}

/* One migration's keys: those found at the lookup, then those still alive
 * when the request was made (Redis's ov/kv, compacted). */
typedef struct migrate_keys {
    int n;
    const fr_str **key;
    fr_value **val;
} migrate_keys;

/* RESTORE key ttl payload [REPLACE] for each key not expired meanwhile;
 * keys->n becomes their count.  FR_ERR (with *why) when a value cannot
 * be serialized. */
static fr_str *put_restores(fr_ctx *ctx, fr_str *b, const migrate_args *a, migrate_keys *keys,
                            const char **why) {
    fr_db *db = fr_ctx_db(ctx);
    int alive = 0;
    for (int j = 0; j < keys->n; j++) {
        long long ttl = 0, when = fr_key_get_expire(ctx, db, keys->key[j]);
        if (when != -1) {
            ttl = when - (long long)fr_mstime();
            if (ttl < 0) continue;
            if (ttl < 1) ttl = 1;
        }
        rdb_stream s;
        if (rdb_dump_payload(&s, keys->val[j], why) != FR_OK) {
            rdb_stream_release(&s);
            fr_str_free(b);
            return NULL;
        }
        keys->key[alive] = keys->key[j];
        keys->val[alive++] = keys->val[j];
        b = put_count(b, a->replace ? 5 : 4);
        b = put_bulk(b, "RESTORE", 7);
        b = put_bulk(b, keys->key[j]->buf, keys->key[j]->len);
        b = put_bulk_ll(b, ttl);
        b = put_bulk(b, s.buf, s.len);
        if (a->replace) b = put_bulk(b, "REPLACE", 7);
        rdb_stream_release(&s);
    }
    keys->n = alive;
    return b;
}

/* ---- one attempt ---------------------------------------------------------------- */

#define MIGRATE_CHUNK (64 * 1024)

enum { ATTEMPT_DONE, ATTEMPT_RETRY, ATTEMPT_IOERR };

typedef struct attempt {
    int write_error, timed_out;
    const char *rule;        /* hardened departure met, NULL none */
} attempt;

static int send_request(migrate_sock *cs, const fr_str *b, long long timeout, attempt *at) {
    for (size_t pos = 0; pos < b->len;) {
        size_t n = b->len - pos > MIGRATE_CHUNK ? MIGRATE_CHUNK : b->len - pos;
        if (migrate_sock_write(cs, b->buf + pos, n, (long)timeout, &at->timed_out) != FR_OK) {
            at->write_error = 1;
            return FR_ERR;
        }
        pos += n;
    }
    return FR_OK;
}

static int read_line(fr_ctx *ctx, migrate_sock *cs, char *buf, long long timeout, attempt *at) {
    long n = migrate_sock_readline(cs, buf, MIGRATE_LINE_MAX, (long)timeout, fr_ctx_hardened(ctx),
                                   &at->timed_out, &at->rule);
    return n > 0 ? FR_OK : FR_ERR;
}

/* The keys the target took (already deleted here) go to the AOF and
 * replicas as one DEL of them all, as Redis rewrites MIGRATE's argv. */
static void forget_moved(fr_ctx *ctx, const fr_str **moved, int n) {
    if (!n) return;
    /* On the heap: KEYS may name more keys than a stack frame holds. */
    const fr_str **argv = fr_malloc(sizeof(*argv) * ((size_t)n + 1));
    fr_str *del = fr_str_new("DEL", 3);
    argv[0] = del;
    for (int i = 0; i < n; i++) argv[i + 1] = moved[i];
    fr_propagate_replace(ctx, n + 1, argv);
    fr_str_free(del);
    fr_free(argv);
}

/* Send the request, read the replies.  Replies itself except on
 * ATTEMPT_RETRY and ATTEMPT_IOERR (the caller decides between retrying
 * and "-IOERR ..."). */
/* AUTH (when asked), SELECT (when `select`), the RESTOREs: NULL with *why
 * when a value cannot be serialized. */
static fr_str *build_request(fr_ctx *ctx, const migrate_args *a, int select, migrate_keys *keys,
                             const char **why) {
    fr_str *b = fr_str_new_empty(256);
    if (a->pass) {
        b = put_count(b, a->user ? 3 : 2);
        b = put_bulk(b, "AUTH", 4);
        if (a->user) b = put_bulk(b, a->user->buf, a->user->len);
        b = put_bulk(b, a->pass->buf, a->pass->len);
    }
    if (select) {
        b = put_count(b, 2);
        b = put_bulk(b, "SELECT", 6);
        b = put_bulk_ll(b, a->dbid);
    }
    return put_restores(ctx, b, a, keys, why);
}

static int attempt_once(fr_ctx *ctx, const migrate_args *a, migrate_sock *cs, migrate_keys *keys,
                        int may_retry, attempt *at) {
    const char *why = NULL;
    int select = cs->last_dbid != a->dbid;
    fr_str *b = build_request(ctx, a, select, keys, &why);
    if (!b) {
        fr_reply_errorf(ctx, "%s", why);
        return ATTEMPT_DONE;
    }
    int rc = send_request(cs, b, a->timeout, at);
    fr_str_free(b);
    if (rc != FR_OK) return ATTEMPT_RETRY;

    char auth_reply[MIGRATE_LINE_MAX], select_reply[MIGRATE_LINE_MAX], reply[MIGRATE_LINE_MAX];
    if (a->pass && read_line(ctx, cs, auth_reply, a->timeout, at) != FR_OK) return ATTEMPT_RETRY;
    if (select && read_line(ctx, cs, select_reply, a->timeout, at) != FR_OK) return ATTEMPT_RETRY;

    fr_db *db = fr_ctx_db(ctx);
    int target_error = 0, socket_error = 0, j, nmoved = 0;
    const fr_str **moved = fr_malloc(sizeof(*moved) * (size_t)(keys->n ? keys->n : 1));
    for (j = 0; j < keys->n; j++) {
        if (read_line(ctx, cs, reply, a->timeout, at) != FR_OK) {
            socket_error = 1;
            break;
        }
        const char *err = (a->pass && auth_reply[0] == '-') ? auth_reply
                          : (select && select_reply[0] == '-') ? select_reply
                          : reply[0] == '-' ? reply
                          : NULL;
        if (err) {
            if (!target_error) {
                cs->last_dbid = -1; /* the target's DB is no longer known */
                target_error = 1;
                fr_reply_errorf(ctx, "Target instance replied with error: %s", err + 1);
            }
        } else if (!a->copy) {
            fr_key_delete(ctx, db, keys->key[j]);
            fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", keys->key[j], fr_db_id(db));
            fr_dirty(ctx, 1);
            moved[nmoved++] = keys->key[j];
        }
    }
    /* Nothing answered at all: the cached connection may just have been
     * closed by the target, worth one more try on a new one. */
    if (!target_error && socket_error && j == 0 && may_retry && !at->timed_out) {
        fr_free(moved);
        return ATTEMPT_RETRY;
    }
    if (socket_error) migrate_sock_close(fr_arg(ctx, 1), fr_arg(ctx, 2));
    forget_moved(ctx, moved, nmoved);
    fr_free(moved);
    if (!target_error && socket_error) return ATTEMPT_IOERR;
    if (!target_error) {
        cs->last_dbid = a->dbid;
        fr_reply_ok(ctx);
    }
    return ATTEMPT_DONE;
}

/* Connect (or reuse), try, and on a failure of the connection try once
 * more unless the clock ran out, as Redis's socket_err path. */
static void migrate_keys_to_target(fr_ctx *ctx, const migrate_args *a, migrate_keys *keys) {
    int hardened = fr_ctx_hardened(ctx), may_retry = 1;
    const fr_str *host = fr_arg(ctx, 1), *port = fr_arg(ctx, 2);
    for (;;) {
        attempt at = {0};
        migrate_sock *cs = migrate_sock_get(host, port, (long)a->timeout, hardened, &at.rule);
        if (at.rule) fr_ctx_divergence(ctx, at.rule);
        if (!cs) {
            fr_reply_error(ctx, "-IOERR error or timeout connecting to the client");
            return;
        }
        at.rule = NULL;
        int rc = attempt_once(ctx, a, cs, keys, may_retry, &at);
        if (at.rule) fr_ctx_divergence(ctx, at.rule);
        if (rc == ATTEMPT_DONE) return;
        migrate_sock_close(host, port);
        if (rc == ATTEMPT_RETRY && !at.timed_out && may_retry) {
            may_retry = 0;
            continue;
        }
        fr_reply_errorf(ctx, "-IOERR error or timeout %s to target instance",
                        at.write_error ? "writing" : "reading");
        return;
    }
}

void cmd_migrate(fr_ctx *ctx) {
    migrate_args a = {0};
    if (parse_args(ctx, &a) != FR_OK) return;
    fr_db *db = fr_ctx_db(ctx);
    migrate_keys keys = {0};
    keys.key = fr_malloc(sizeof(*keys.key) * (size_t)(a.num_keys ? a.num_keys : 1));
    keys.val = fr_malloc(sizeof(*keys.val) * (size_t)(a.num_keys ? a.num_keys : 1));
    for (int j = 0; j < a.num_keys; j++) {
        const fr_str *k = fr_arg(ctx, a.first_key + j);
        fr_value *v = fr_key_lookup(ctx, db, k, FR_LOOKUP_NONE);
        if (!v) continue;
        keys.key[keys.n] = k;
        keys.val[keys.n++] = v;
    }
    /* None of them exists: not an error, a key may well have expired. */
    if (!keys.n) fr_reply_status(ctx, "NOKEY");
    else migrate_keys_to_target(ctx, &a, &keys);
    fr_free(keys.key);
    fr_free(keys.val);
}

/* Cron (once a second is enough, as Redis's run_with_period(1000)). */
void rdb_migrate_cron(void) {
    static time_t last;
    time_t now = time(NULL);
    if (now == last) return;
    last = now;
    migrate_sock_close_idle(now);
}

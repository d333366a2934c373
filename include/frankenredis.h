/* frankenredis.h -- the module SDK: the only interface a module may use.
 *
 * A module is a shared object plus a YAML manifest.  The manifest declares the
 * module's commands (with all the metadata Redis 7 keeps per command), hooks,
 * config directives, dependencies and default mode; the .so provides handlers.
 * At load time the core checks the descriptor the .so exports (magic, SDK
 * version, build signature, digest of the manifest it was built with) before
 * running any module code, then calls init, which registers handlers, types
 * and hooks.  A failed init is rolled back entirely.
 *
 * Invariants the core keeps for a module:
 *  - handlers run on the event-loop thread only, one at a time;
 *  - an fr_ctx is valid only during the call it was passed to;
 *  - arguments (fr_str) belong to the core unless taken with fr_arg_take();
 *  - a payload handed to fr_key_set() belongs to the keyspace from then on
 *    and is released through its type's free callback.
 *
 * Every function here is exported by the server binary (FR_API) and nothing
 * else is: the core is built with hidden visibility, modules with only this
 * directory on their include path, and the test suite checks with nm that a
 * module imports no core symbol outside this header.
 *
 * Versioning: FR_SDK_MAJOR changes when anything here changes incompatibly
 * (a signature, a struct layout, a removal); FR_SDK_MINOR when something is
 * added.  A module built for SDK M.m loads into a server with SDK M.n when
 * m <= n; any other major, or a newer minor, is refused at load time. */
#ifndef FRANKENREDIS_H
#define FRANKENREDIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FR_SDK_MAJOR 4
#define FR_SDK_MINOR 7
#define FR_MODULE_MAGIC 0x46524d44u /* "FRMD" */

/* Marks the functions the server exports to modules. */
#define FR_API __attribute__((visibility("default")))

/* Build facts that must match between core and module: a module compiled for
 * another word size, byte order or sanitizer runtime is not binary compatible. */
#define FR__STR2(x) #x
#define FR__STR(x) FR__STR2(x)
#if defined(__SANITIZE_ADDRESS__)
#define FR__ASAN "asan"
#else
#define FR__ASAN "noasan"
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FR__ENDIAN "le"
#else
#define FR__ENDIAN "be"
#endif
#define FR_BUILD_SIGNATURE                                                    \
    "ptr=" FR__STR(__SIZEOF_POINTER__) ",long=" FR__STR(__SIZEOF_LONG__)      \
    ",ld=" FR__STR(__SIZEOF_LONG_DOUBLE__) "," FR__ENDIAN "," FR__ASAN

#define FR_OK 0
#define FR_ERR -1

/* ------------------------------------------------------------------------ */
/* Opaque handles                                                            */
/* ------------------------------------------------------------------------ */
typedef struct fr_ctx fr_ctx;       /* one command call: client, db, command */
typedef struct fr_module fr_module; /* a loaded module (passed to init) */
typedef struct fr_type fr_type;     /* a registered value type */
typedef struct fr_db fr_db;         /* one of the `databases` keyspaces */
typedef struct fr_client fr_client; /* one connection (see "Clients") */

/* ------------------------------------------------------------------------ */
/* Binary-safe strings                                                       */
/* ------------------------------------------------------------------------ */
/* A length-prefixed, always NUL-terminated byte string.  Arguments arrive as
 * fr_str; the strings module stores them as values.  `cap` is the usable
 * capacity of `buf` (excluding the terminator). */
typedef struct fr_str {
    size_t len;
    size_t cap;
    char buf[];
} fr_str;

FR_API fr_str *fr_str_new(const void *p, size_t len);     /* copy of p[0..len) */
FR_API fr_str *fr_str_new_empty(size_t cap);              /* len 0, room for cap */
FR_API fr_str *fr_str_from_ll(long long v);
FR_API fr_str *fr_str_dup(const fr_str *s);
FR_API void fr_str_free(fr_str *s);                       /* NULL is fine */
/* Grow/append: may move the string; the returned pointer replaces `s`. */
FR_API fr_str *fr_str_reserve(fr_str *s, size_t addlen);  /* cap >= len+addlen */
FR_API fr_str *fr_str_cat(fr_str *s, const void *p, size_t len);
FR_API fr_str *fr_str_set_len(fr_str *s, size_t len);     /* grows with zeros */
/* Give back unused capacity when it is worth it (values that stop growing). */
FR_API fr_str *fr_str_shrink(fr_str *s);
FR_API size_t fr_str_alloc_size(const fr_str *s);         /* bytes actually held */

/* ------------------------------------------------------------------------ */
/* Number <-> string conversions with Redis's exact rules                    */
/* ------------------------------------------------------------------------ */
/* A line split into words as Redis splits config and inline lines: quotes
 * ("..." with \x escapes, '...'), spaces between.  Returns a new array of
 * *argc new strings (never NULL on success, even for 0 words), or NULL with
 * *argc = 0 on unbalanced quotes.  Free with fr_splitargs_free (NULL is
 * fine).  Since SDK 4.1. */
FR_API fr_str **fr_splitargs(const char *line, size_t len, int *argc);
FR_API void fr_splitargs_free(fr_str **argv, int argc);
/* Strict parse: no spaces, no '+', no leading zeros, fits in long long. */
FR_API int fr_string2ll(const char *s, size_t len, long long *out);  /* 1 ok, 0 no */
FR_API int fr_string2ld(const char *s, size_t len, long double *out); /* no nan, no spaces */
FR_API int fr_string2d(const char *s, size_t len, double *out);
FR_API int fr_ll2string(char *dst, size_t dstlen, long long v);       /* returns len */
/* Long double as INCRBYFLOAT prints it ("humanfriendly": %.17Lf trimmed). */
FR_API int fr_ld2string(char *dst, size_t dstlen, long double v, int humanfriendly);
/* Double as Redis replies it (RESP2 bulk / RESP3 double): %.17g, inf, -inf. */
FR_API int fr_d2string(char *dst, size_t dstlen, double v);
/* Glob match with Redis's syntax (* ? [..] \), bounded recursion. */
FR_API int fr_stringmatch(const char *pat, size_t patlen, const char *s, size_t slen,
                   int nocase);
FR_API uint64_t fr_mstime(void);   /* wall clock, milliseconds */
FR_API uint64_t fr_ustime(void);   /* wall clock, microseconds */
/* Room for any long long in decimal with its NUL (fr_type_def.bytes's
 * scratch buffer).  Since 4.3. */
#define FR_INT_TEXT_MAX 24

/* ------------------------------------------------------------------------ */
/* Command context: arguments                                                */
/* ------------------------------------------------------------------------ */
typedef void (*fr_command_fn)(fr_ctx *ctx);

FR_API int fr_argc(const fr_ctx *ctx);
FR_API const fr_str *fr_arg(const fr_ctx *ctx, int i);
/* Take ownership of argument i: zero-copy storage of a big value received
 * from the network (a copy for arguments below 32 KB, which live in a buffer
 * reused by the next command, and when propagation subscribers need the
 * request).  The caller must free (fr_str_free) or store it; fr_arg(ctx, i)
 * may be NULL afterwards.  Pointers from fr_arg() die with the call. */
FR_API fr_str *fr_arg_take(fr_ctx *ctx, int i);
/* Case-insensitive compare of argument i with a NUL-terminated keyword. */
FR_API int fr_arg_is(const fr_ctx *ctx, int i, const char *keyword);
/* Parse argument i as an integer / double; on failure reply with Redis's
 * error ("value is not an integer or out of range", "value is not a valid
 * float") and return FR_ERR. */
FR_API int fr_arg_ll_or_reply(fr_ctx *ctx, int i, long long *out);
FR_API int fr_arg_ld_or_reply(fr_ctx *ctx, int i, long double *out);
/* Redis's getRangeLongFromObjectOrReply: argument i as an integer in
 * [min, max].  Not an integer: `msg`, or "value is not an integer or out of
 * range"; outside the range: `msg`, or "value is out of range, value must
 * between <min> and <max>".  Since 4.2. */
FR_API int fr_arg_range_or_reply(fr_ctx *ctx, int i, long long min, long long max, const char *msg,
                                 long long *out);
/* Parse argument i as a timeout, in milliseconds (an integer) or seconds
 * (a float, rounded up to the millisecond), with Redis's errors; *abs_ms
 * is the wall-clock time it ends, or 0 for a timeout of 0 ("none" for a
 * blocking command, "already over" for a pause). */
#define FR_TIMEOUT_MS 0
#define FR_TIMEOUT_SECONDS 1
/* Since 4.2. */
FR_API int fr_arg_timeout_or_reply(fr_ctx *ctx, int i, int unit, long long *abs_ms);
/* Since 4.2.  A CLIENT PAUSE is in force: keys do not expire (a lookup sees them as
 * gone, nothing deletes them) and nothing is evicted until it lifts. */
FR_API int fr_writes_paused(void);
/* Pause writes as CLIENT PAUSE WRITE does, until called with 0: a
 * FAILOVER waiting for its replica (Redis's PAUSE_DURING_FAILOVER).
 * CLIENT UNPAUSE does not lift it.  Since 4.7. */
FR_API void fr_failover_pause(int on);

FR_API int fr_ctx_resp(const fr_ctx *ctx);        /* 2 or 3 */
FR_API int fr_ctx_hardened(const fr_ctx *ctx);    /* the running module's mode */
/* Record a hardened-mode divergence from Redis (counted in INFO modules and
 * INFO hardened, recorded in the ledger that HARDENED LOG reads,
 * logged at verbose).  `what` is a short stable identifier. */
FR_API void fr_ctx_divergence(fr_ctx *ctx, const char *what);
/* The same for a divergence outside any command (a hardened module's repair
 * at start-up): rule `rule` (a short id, as fr_ctx_divergence's), with a
 * free-text detail (may be NULL); counted for module m, logged as a
 * warning, recorded in the ledger.  Since 4.3. */
FR_API void fr_module_divergence(fr_module *m, const char *rule, const char *detail);
/* A divergence of module m met by the running command (another module's
 * rule: the string type's size cap met by SETBIT): counted for m,
 * recorded in the ledger with the command and client.  Since 4.4. */
FR_API void fr_ctx_divergence_of(fr_ctx *ctx, fr_module *m, const char *what);
FR_API const char *fr_ctx_command_name(const fr_ctx *ctx); /* lower case, full name */
/* Hide argument i (a password) from MONITOR and the slow log, which show
 * "(redacted)" in its place, as Redis's redactClientCommandArgument (AUTH,
 * MIGRATE's AUTH and AUTH2).  Past the 63rd argument every later one is
 * hidden with it.  Since 4.4. */
FR_API void fr_ctx_redact(fr_ctx *ctx, int i);
/* 1 while the call runs among EXEC's queued commands (Redis's
 * CLIENT_DENY_BLOCKING: no blocking, no SSUBSCRIBE).  Since 4.2. */
FR_API int fr_ctx_in_exec(const fr_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Replies: the core writes RESP2 or RESP3 according to the client.          */
/* ------------------------------------------------------------------------ */
FR_API void fr_reply_ok(fr_ctx *ctx);
FR_API void fr_reply_status(fr_ctx *ctx, const char *s);           /* +s */
/* Error text as Redis composes it: "value is not ..." is sent as
 * "-ERR value is not ..."; a text starting with '-' brings its own code
 * ("-WRONGTYPE ...").  CR/LF inside become spaces. */
FR_API void fr_reply_error(fr_ctx *ctx, const char *err);
/* An error already counted where it arose (Redis's
 * ERR_REPLY_FLAG_NO_STATS_UPDATE): sent, not counted in errorstats, the
 * call still counted failed.  Since 4.4. */
FR_API void fr_reply_error_uncounted(fr_ctx *ctx, const char *err);
FR_API void fr_reply_errorf(fr_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
FR_API void fr_reply_wrongtype(fr_ctx *ctx);
FR_API void fr_reply_syntax_error(fr_ctx *ctx);
FR_API void fr_reply_long_long(fr_ctx *ctx, long long v);
FR_API void fr_reply_bulk(fr_ctx *ctx, const void *p, size_t len);
FR_API void fr_reply_bulk_str(fr_ctx *ctx, const fr_str *s);
FR_API void fr_reply_bulk_cstr(fr_ctx *ctx, const char *s);
FR_API void fr_reply_bulk_ll(fr_ctx *ctx, long long v);            /* as a bulk */
FR_API void fr_reply_null(fr_ctx *ctx);            /* $-1 in RESP2, _ in RESP3 */
FR_API void fr_reply_null_array(fr_ctx *ctx);      /* *-1 in RESP2, _ in RESP3 */
FR_API void fr_reply_array(fr_ctx *ctx, long len);
FR_API void fr_reply_map(fr_ctx *ctx, long pairs); /* RESP2: array of 2*pairs */
FR_API void fr_reply_set(fr_ctx *ctx, long len);   /* RESP2: array */
FR_API void fr_reply_double(fr_ctx *ctx, double v);/* RESP2: bulk string */
FR_API void fr_reply_bool(fr_ctx *ctx, int v);     /* RESP2: :1 / :0 */
/* A long double as Redis's addReplyHumanLongDouble (GEOPOS, WITHCOORD): the
 * text is %.17Lf with trailing zeros trimmed, sent as a bulk in RESP2 and as
 * a RESP3 double.  Since 4.4. */
FR_API void fr_reply_human_long_double(fr_ctx *ctx, long double v);
FR_API void fr_reply_verbatim(fr_ctx *ctx, const char *p, size_t len, const char *ext);
/* A big number: "(digits" in RESP3, a bulk string in RESP2.  Since 4.4. */
FR_API void fr_reply_big_number(fr_ctx *ctx, const char *p, size_t len);
/* A subcommand HELP reply in Redis's format: "<CMD> <subcommand> [<arg>
 * [value] [opt] ...]. Subcommands are:", the NULL-terminated `lines`, then
 * "HELP" / "    Prints this help.", all as status replies. */
/* "unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD>
 * HELP.", Redis's reply to a subcommand it rejects by hand.  Since 4.1. */
FR_API void fr_reply_subcommand_syntax_error(fr_ctx *ctx);
FR_API void fr_reply_help(fr_ctx *ctx, const char *const *lines);
/* Deferred length for replies whose size is known only at the end. */
FR_API void *fr_reply_deferred_len(fr_ctx *ctx);
FR_API void fr_reply_set_deferred_array(fr_ctx *ctx, void *node, long len);
FR_API void fr_reply_set_deferred_map(fr_ctx *ctx, void *node, long pairs);

/* ------------------------------------------------------------------------ */
/* Value types                                                               */
/* ------------------------------------------------------------------------ */
/* Serialisation stream.  The RDB module implements the operations (RDB v10
 * encodings: lengths, integer/LZF/raw strings, binary doubles); value types
 * call them from their rdb_save/rdb_load callbacks without knowing the
 * format.  Every save op returns FR_OK or FR_ERR; load ops FR_ERR on a short
 * or corrupt stream (after calling error with what and where). */
typedef struct fr_rdb_io fr_rdb_io;
typedef struct fr_rdb_io_ops {
    int (*save_len)(fr_rdb_io *io, uint64_t len);
    /* A string in Redis's RDB encoding: integer forms when the text is a
     * canonical integer, LZF when rdbcompression allows and it pays, raw. */
    int (*save_string)(fr_rdb_io *io, const void *p, size_t len);
    int (*save_ll_string)(fr_rdb_io *io, long long v);
    int (*save_raw)(fr_rdb_io *io, const void *p, size_t len);
    int (*save_double)(fr_rdb_io *io, double d);      /* 8-byte binary */
    int (*load_len)(fr_rdb_io *io, uint64_t *len);
    fr_str *(*load_string)(fr_rdb_io *io);            /* NULL on error */
    int (*load_raw)(fr_rdb_io *io, void *p, size_t len);
    int (*load_double)(fr_rdb_io *io, double *d);
    void (*error)(fr_rdb_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
} fr_rdb_io_ops;
struct fr_rdb_io {
    const fr_rdb_io_ops *ops;
    void *priv;                  /* the implementation's state */
};

typedef struct fr_type_def {
    const char *name;               /* TYPE reply, e.g. "string" */
    int rdb_type;                   /* RDB type id of the main encoding, -1 none */
    void (*free)(void *payload);
    void *(*dup)(const void *payload);            /* COPY; NULL: not copyable */
    const char *(*encoding)(const void *payload); /* OBJECT ENCODING */
    size_t (*mem_usage)(const void *payload);     /* MEMORY USAGE, INFO */
    /* Persistence: filled by types that can be saved.  save writes the
     * object's RDB encoding, load reads one for the given RDB type id. */
    int (*rdb_save)(fr_rdb_io *io, const void *payload);
    void *(*rdb_load)(fr_rdb_io *io, int rdb_type);
    /* Extra RDB type ids this type can load (older encodings), -1 ended. */
    const int *rdb_load_types;
    /* OBJECT REFCOUNT for a type whose payloads can be shared (the string
     * type's small integers); NULL: fr_value_refcount() answers. */
    int (*refcount)(const void *payload);
    /* The RDB type id this payload is saved under, for a type whose
     * encodings save under different ids (a set as intset 11 or as set 2,
     * a hash as listpack 16 or as hash 4); NULL: always rdb_type.  The id
     * must be rdb_type or one of rdb_load_types.  Since 4.2. */
    int (*rdb_type_of)(const void *payload);
    /* Each member of a collection value, for another module's commands
     * that read it through its type (ZUNIONSTORE reads a set as members of
     * score 1): fn gets each member's bytes, in the type's own order; it
     * must not change the keyspace.  NULL: the type offers no members.
     * Since 4.3. */
    void (*foreach_member)(const void *payload,
                           void (*fn)(void *priv, const char *member, size_t len), void *priv);
    /* Byte-string access, filled by a type whose values are byte strings
     * (the string type), so that modules that read or edit strings in
     * place (bitmaps, HyperLogLog) need not know its payload; NULL for
     * other types.  Since 4.3.
     * bytes: a read view of the value, valid until the payload changes;
     * an integer-encoded value is rendered into `scratch`.
     * take_bytes: consumes the payload and returns its bytes as an fr_str
     * the caller owns and may grow (no copy when the payload already is
     * one); the value must get a new payload (fr_value_set_payload) before
     * anything reads it again.
     * adopt_bytes: a payload owning `s`, kept as Redis keeps an edited
     * string (OBJECT ENCODING "raw"). */
    const char *(*bytes)(const void *payload, size_t *len, char scratch[FR_INT_TEXT_MAX]);
    fr_str *(*take_bytes)(void *payload);
    void *(*adopt_bytes)(fr_str *s);
    /* Asked by any command before it makes a byte-string value `new_len`
     * bytes long (APPEND, SETRANGE, SETBIT, BITFIELD, SET...): FR_OK, or
     * FR_ERR after replying and recording the owner's divergence -- the
     * string type's hardened cap on one value's size, one rule whichever
     * command grows the value.  NULL: no limit.  Since 4.4. */
    int (*size_allowed_or_reply)(fr_ctx *ctx, size_t new_len);
    /* Keyed access, filled by a type whose members carry a value (the
     * hash type's fields), so that another module can read one without
     * knowing the payload (SORT's "key->field" patterns): the value of
     * `field` as a read view valid until the payload changes, an integer-
     * encoded one rendered into `scratch`; NULL when the field is absent.
     * NULL for types without fields.  Since 4.4. */
    const char *(*field_value)(const void *payload, const char *field, size_t flen, size_t *len,
                               char scratch[FR_INT_TEXT_MAX]);
    /* Building a new value from members, filled by a type another module
     * may create values of (the list type: SORT ... STORE stores a list):
     * a new payload holding members[0..n) in that order, encoded as the
     * type encodes a value grown by appending them one by one with the
     * configuration in force.  n may be 0 only if the type allows empty
     * values (the keyspace never holds an empty list: store nothing then).
     * NULL: the type offers no such constructor.  Since 4.4. */
    void *(*from_members)(size_t n, const char *const *members, const size_t *lens);
    /* Turn the payload into the type's general (non-compact) encoding, in
     * place, as Redis does to a value before some commands read it: SORT
     * converts a sorted set to its skiplist encoding, which OBJECT
     * ENCODING and DUMP then show.  NULL: the type has nothing to do.
     * Since 4.4. */
    void (*expand)(void *payload);
    /* Ranged access to an ordered collection (lists, sorted sets), so a
     * reader that wants a window (SORT ... BY nosort LIMIT) need not walk
     * the whole value: calls fn for the members with indexes [first,
     * first + count) in foreach_member's order (fewer past the end; count
     * 0: none, fn may then be NULL) and returns how many members the value
     * holds.  NULL: the type offers no ranged access.  Since 4.4. */
    size_t (*foreach_member_range)(const void *payload, size_t first, size_t count,
                                   void (*fn)(void *priv, const char *member, size_t len), void *priv);
    /* The work freeing the payload takes, in allocations, as Redis's
     * lazyfreeGetFreeEffort counts it (a hash table's entries, a skiplist's
     * nodes, a quicklist's nodes).  A value above 64 that UNLINK, FLUSHALL
     * ASYNC or a lazyfree-lazy-* setting deletes is freed by the core's
     * background thread: a type that fills this promises that its `free`
     * is safe off the main thread (it only releases memory through the
     * fr_free family and touches no shared state).  NULL: 1, always freed
     * at once.  Since 4.5. */
    size_t (*free_effort)(const void *payload);
} fr_type_def;

/* Register a type during init.  `def` must stay valid while loaded.  The name
 * must be unique across modules. */
FR_API fr_type *fr_type_register(fr_module *m, const fr_type_def *def);
/* The type whose rdb_type (or rdb_load_types) includes `rdb_type`; 0 is
 * the string type (whose byte-string callbacks other modules use). */
FR_API const fr_type *fr_type_by_rdb(int rdb_type);
FR_API const char *fr_type_name(const fr_type *t);
/* The callbacks of a registered type (OBJECT ENCODING/REFCOUNT, COPY of any
 * type). */
FR_API const fr_type_def *fr_type_def_of(const fr_type *t);

/* ------------------------------------------------------------------------ */
/* Keyspace                                                                  */
/* ------------------------------------------------------------------------ */
/* Lookups see logically expired keys as absent (and delete them where the
 * role allows); they fire the key-read hook and count keyspace hits/misses
 * unless FR_LOOKUP_NOSTATS. */
#define FR_LOOKUP_NONE 0
#define FR_LOOKUP_NOTOUCH (1 << 0)  /* do not update the access time */
#define FR_LOOKUP_NOSTATS (1 << 1)  /* do not count hits/misses */
#define FR_LOOKUP_WRITE (1 << 2)    /* lookup for writing */
/* no "keymiss" keyspace notification for an absent key (OBJECT); a read
 * lookup of an absent key sends one otherwise.  Since 4.2. */
#define FR_LOOKUP_NONOTIFY (1 << 3)

FR_API fr_db *fr_ctx_db(fr_ctx *ctx);             /* the client's selected DB */
FR_API fr_db *fr_db_by_id(fr_ctx *ctx, long id);  /* NULL if out of range */
FR_API int fr_db_id(const fr_db *db);
FR_API int fr_db_count(void);

typedef struct fr_value fr_value;          /* one stored value (opaque) */
FR_API fr_value *fr_key_lookup(fr_ctx *ctx, fr_db *db, const fr_str *key, int flags);
FR_API const fr_type *fr_value_type(const fr_value *v);
FR_API void *fr_value_payload(const fr_value *v);
/* Replace the payload in place (e.g. APPEND reallocated it). */
FR_API void fr_value_set_payload(fr_value *v, void *payload);

/* Store a value; an existing one is freed.  Without FR_SET_KEEPTTL any TTL is
 * cleared.  Ownership of `payload` passes to the keyspace.  `key` is copied. */
#define FR_SET_KEEPTTL (1 << 0)
FR_API void fr_key_set(fr_ctx *ctx, fr_db *db, const fr_str *key,
                const fr_type *type, void *payload, int flags);
/* fr_key_set for a key whose entry `v` the caller looked up earlier in the
 * same command (and has not deleted since): the same effects, without
 * finding the key again. */
FR_API void fr_key_replace(fr_ctx *ctx, fr_db *db, const fr_str *key, fr_value *v,
                    const fr_type *type, void *payload, int flags);
FR_API int fr_key_delete(fr_ctx *ctx, fr_db *db, const fr_str *key); /* 1 deleted */
/* fr_key_delete with the caller saying how a large value is freed (the
 * deleting command's lazyfree-lazy-* setting; fr_key_delete itself follows
 * lazyfree-lazy-server-del): lazy 1 hands it to the background thread
 * (UNLINK), 0 frees it at once, FR_LAZY_USER_DEL does what
 * lazyfree-lazy-user-del says (DEL).  Since 4.5. */
#define FR_LAZY_USER_DEL (-1)
FR_API int fr_key_delete_lazy(fr_ctx *ctx, fr_db *db, const fr_str *key, int lazy);
/* Detach a key's value (with its TTL) from db without freeing it; used by
 * RENAME/MOVE.  Returns NULL if absent. */
typedef struct fr_detached fr_detached;
FR_API fr_detached *fr_key_detach(fr_ctx *ctx, fr_db *db, const fr_str *key);
FR_API void fr_key_attach(fr_ctx *ctx, fr_db *db, const fr_str *key, fr_detached *d);
/* Tell the core a value changed in place (fires key-written); the caller
 * counts the change with fr_dirty(). */
FR_API void fr_key_touched_write(fr_ctx *ctx, fr_db *db, const fr_str *key);

/* Expire metadata (absolute unix time in ms; -1 = none). Only meaningful when
 * an expiry provider (the ttl module) is loaded: see fr_expire_available(). */
FR_API long long fr_key_get_expire(fr_ctx *ctx, fr_db *db, const fr_str *key);
FR_API void fr_key_set_expire(fr_ctx *ctx, fr_db *db, const fr_str *key, long long when_ms);
/* The expiry policy: the expire provider (the ttl module) may refuse times
 * it will not store -- in its hardened mode, before the epoch or more than
 * 100 years ahead -- whichever command brings them (EXPIRE, SET EX, GETEX,
 * RESTORE, ...): one rule, enforced where TTLs are stored.  The policy
 * returns NULL to allow `when_ms`, else the reason (it follows "invalid
 * expire time in '<command>' command: ") and sets *rule, the id recorded
 * in the ledger.  One policy at a time (FR_ERR otherwise).  Since 4.3. */
typedef const char *(*fr_expire_policy_fn)(long long when_ms, long long now_ms, const char **rule);
FR_API int fr_expire_policy_register(fr_module *m, fr_expire_policy_fn fn);
/* Asked by a command before it changes anything: FR_OK when `when_ms` may
 * be stored; FR_ERR after replying "invalid expire time in '<command>'
 * command: <reason> (hardened mode)" and recording the divergence as the
 * provider's.  fr_key_set_expire never stores a refused time (recorded as
 * rule expire-refused-at-store): a caller that forgot to ask leaves the
 * key without that TTL rather than bypass the rule.  Since 4.3. */
FR_API int fr_expire_allowed_or_reply(fr_ctx *ctx, long long when_ms);
FR_API int fr_key_persist(fr_ctx *ctx, fr_db *db, const fr_str *key); /* 1 removed */
FR_API int fr_expire_available(void);
FR_API int fr_key_is_expired(fr_db *db, const fr_str *key);
FR_API long long fr_db_expires_count(const fr_db *db);

/* Active expiry (the ttl module).  One step over the expires table: visits
 * one bucket (and its expansions while rehashing), calls fn for each key
 * with its expire time, returns the next cursor (0 when the walk wrapped).
 * fn must not change the keyspace: collect, then act. */
typedef void (*fr_expire_scan_fn)(void *priv, const fr_str *key, long long when_ms);
FR_API unsigned long long fr_db_expires_scan(fr_db *db, unsigned long long cursor,
                                      fr_expire_scan_fn fn, void *priv);
FR_API unsigned long long fr_db_expires_slots(const fr_db *db); /* table buckets */
/* Delete `key` if its expire time has passed: counts expired_keys, fires
 * key-deleted (FR_DELETE_EXPIRED) and propagates DEL/UNLINK.  1 if deleted.
 * ctx may be NULL (cron). */
FR_API int fr_key_expire_if_due(fr_ctx *ctx, fr_db *db, const fr_str *key);
/* A replica's keys expire only when its master says so (Redis 7.0): while
 * on, a key past its expire time is gone for connections' reads but stays
 * stored (fr_key_expire_if_due returns 1 and deletes nothing), is alive
 * for the master's stream (commands run by a replayer), and is deleted by
 * a connection's write (a writable replica).  fr_keyspace_expires_here()
 * is then 0: active expiry leaves the master's keys alone.  Since 4.4. */
FR_API void fr_keyspace_replica_mode(int on);
FR_API int fr_keyspace_expires_here(void);
/* 1 while replica mode is on (the server follows a master: Redis's
 * server.masterhost), for modules that act differently on a replica
 * (eviction ignores maxmemory there).  Since 4.6. */
FR_API int fr_keyspace_is_replica(void);
/* While fr_keyspace_expires_here() is 0: expire the keys a connection
 * gave a TTL on this replica (a writable replica's own keys, which no DEL
 * from its master will end), as Redis's expireSlaveKeys; a DEL goes to
 * the AOF for each.  Active expiry calls it from cron.  Since 4.5. */
FR_API void fr_keyspace_expire_own_keys(void);
/* The time the current command started (ms), the clock every expiry check
 * of one command uses; the wall clock outside commands. */
FR_API long long fr_now_ms(void);
/* Figures INFO shows: keyspace avg_ttl per DB, and the expire cycle's
 * expired_stale_perc, expired_time_cap_reached_count and
 * expire_cycle_cpu_milliseconds in the stats section. */
FR_API void fr_db_set_avg_ttl(fr_db *db, long long avg_ttl_ms);
FR_API long long fr_db_avg_ttl(const fr_db *db);
FR_API void fr_stats_expire_cycle(double stale_perc, int time_cap_reached, long long cpu_us);

FR_API unsigned long long fr_db_size(const fr_db *db);
/* Pre-size a DB's tables (RDB RESIZEDB): FR_ERR if a table refused. */
FR_API int fr_db_expand(fr_db *db, unsigned long long keys, unsigned long long expires);
/* One SCAN step over a DB, as Redis's SCAN runs it: visits buckets until
 * about `count` keys were collected (or 10*count buckets), then calls fn for
 * each of them -- logically expired ones included: filter (MATCH, TYPE)
 * first, then drop a key for which fr_key_expire_if_due() returns 1, as
 * Redis does.  fn may do that deletion.  Returns the next cursor (0: done).
 * Every key present for the whole scan is returned at least once, even
 * across rehashing. */
typedef void (*fr_scan_fn)(void *priv, const fr_str *key, const fr_value *v);
FR_API unsigned long long fr_db_scan(fr_db *db, unsigned long long cursor, long count,
                              fr_scan_fn fn, void *priv);
/* Iterate the whole DB (KEYS); fn may not modify the keyspace. */
FR_API void fr_db_foreach(fr_db *db, fr_scan_fn fn, void *priv);
/* A random live key as a new fr_str (caller frees), NULL if empty. */
FR_API fr_str *fr_db_random_key(fr_ctx *ctx, fr_db *db);
/* Idle time in milliseconds and LFU counter of a value, for OBJECT. */
FR_API unsigned long long fr_value_idle_ms(const fr_value *v);
FR_API int fr_value_lfu(const fr_value *v);
/* The reference count of the value itself (1: key entries are never
 * shared), for types without a refcount callback. */
FR_API int fr_value_refcount(const fr_value *v);
/* How lookups record access in a value (Redis's 24-bit object lru field),
 * as the eviction module's maxmemory-policy asks: FR_ACCESS_LRU, the access
 * clock in seconds (OBJECT IDLETIME, the default), or FR_ACCESS_LFU, a
 * logarithmic counter raised by lookups and lowered by one per
 * `lfu_decay_minutes` without access (lfu-log-factor, lfu-decay-time).
 * Under LFU, fr_value_lfu() is the decayed counter; under LRU it is 0.
 * FR_ACCESS_UNSHARED may be or-ed in: every key needs its own record, so
 * a type must not share payloads between keys (Redis's shared small
 * integers are off while maxmemory is set under an LRU or LFU policy).
 * fr_keyspace_access() returns the mode with that flag.  Since 4.2. */
#define FR_ACCESS_LRU 0
#define FR_ACCESS_LFU 1
#define FR_ACCESS_UNSHARED 2
FR_API void fr_keyspace_set_access(int mode, int lfu_log_factor, int lfu_decay_minutes);
FR_API int fr_keyspace_access(void);
/* RESTORE IDLETIME / FREQ and the RDB IDLE / FREQ opcodes: set a value's
 * idle time (seconds; LRU mode only) or its counter (0..255; LFU mode
 * only).  1 if applied, 0 if the mode ignores it, as Redis does.
 * Since 4.2. */
FR_API int fr_value_set_idle(fr_value *v, long long idle_seconds);
FR_API int fr_value_set_lfu(fr_value *v, int freq);
/* Eviction's sample (Redis's dictGetSomeKeys): up to `count` (at most 64)
 * entries of db from consecutive buckets at a random point, of the keys
 * with a TTL only when `volatile_only`.  fn gets each with its expire time
 * (-1: none); logically expired keys are included; fn must not change the
 * keyspace.  Returns how many: 0 only for an empty set when count is 1
 * (a random entry, Redis's dictGetRandomKey), possibly 0 otherwise (a
 * sparse table).  Since 4.2. */
typedef void (*fr_sample_fn)(void *priv, const fr_str *key, const fr_value *v, long long expire_ms);
FR_API int fr_db_sample(fr_db *db, int volatile_only, int count, fr_sample_fn fn, void *priv);
/* Evict `key`: delete it (key-deleted hook with FR_DELETE_EVICTED, which
 * also invalidates WATCH), count it in INFO's evicted_keys and propagate
 * DEL, or UNLINK when `lazy` (lazyfree-lazy-eviction).  The caller sends
 * the "evicted" keyspace event.  1 if the key existed.  Since 4.2. */
FR_API int fr_key_evict(fr_db *db, const fr_str *key, int lazy);

/* ------------------------------------------------------------------------ */
/* Propagation (AOF, replication) and dirty counter                          */
/* ------------------------------------------------------------------------ */
/* Count changes (server.dirty); a command with a non-zero count is propagated
 * as received unless fr_propagate_replace() or fr_propagate_none() was used. */
FR_API void fr_dirty(fr_ctx *ctx, long long n);
/* Propagate `argv` instead of the received command (may be called several
 * times: the commands are wrapped in MULTI/EXEC).  Strings are copied. */
FR_API void fr_propagate_replace(fr_ctx *ctx, int argc, const fr_str *const *argv);
FR_API void fr_propagate_cstr(fr_ctx *ctx, int argc, const char *const *argv,
                       const size_t *lens);
FR_API void fr_propagate_none(fr_ctx *ctx);
/* Send the command as received to replicas even when it changed nothing,
 * but not to the AOF (Redis's PUBLISH: subscribers of replicas get the
 * message too).  Since 4.4. */
FR_API void fr_propagate_force_replicas(fr_ctx *ctx);
/* Outside any command: send argv (in DB dbid) to replicas and the
 * replication backlog, not to the AOF -- the DELs of keys a master drops
 * as expired while loading its file at start-up.  Since 4.4. */
FR_API void fr_propagate_replicas_only(int dbid, int argc, const fr_str *const *argv);
/* Changes since the last successful save (INFO rdb_changes_since_last_save,
 * save points), and forgetting the first `n` of them after a save. */
FR_API long long fr_dirty_count(void);
FR_API void fr_dirty_forget(long long n);

/* ------------------------------------------------------------------------ */
/* Hooks                                                                     */
/* ------------------------------------------------------------------------ */
typedef enum fr_hook_id {
    FR_HOOK_COMMAND_EXECUTED = 0, /* after every command: (ctx) */
    FR_HOOK_COMMAND_PROPAGATED,   /* per propagated command: (dbid, argc, argv) */
    FR_HOOK_KEY_READ,             /* (db, key) */
    FR_HOOK_KEY_WRITTEN,          /* (db, key) */
    FR_HOOK_KEY_DELETED,          /* (db, key, why) */
    FR_HOOK_CRON,                 /* every 1000/hz ms: (ms since last) */
    FR_HOOK_STARTUP_LOAD,         /* once, before accepting clients */
    FR_HOOK_SHUTDOWN,             /* why: FR_SHUTDOWN_* flags; FR_ERR refuses */
    FR_HOOK_FORK_CHILD,           /* in a freshly forked child */
    FR_HOOK_BEFORE_SLEEP,         /* each loop iteration, before blocking */
    FR_HOOK_FLUSHED,              /* after FLUSHDB (dbid) / FLUSHALL (dbid -1) */
    FR_HOOK_CLIENT_RESET,         /* (client, why: FR_CLIENT_RESET_*) */
    FR_HOOK_KEYSPACE_EVENT,       /* (dbid, key, event, why: class|K|E) */
    FR_HOOK_SYNC_LOAD,            /* a replica's full sync: why FR_SYNC_LOAD_*.
                                   * Since 4.7. */
    FR_HOOK__COUNT
} fr_hook_id;

typedef enum fr_hook_order {
    FR_HOOK_FIRST = 0,
    FR_HOOK_MIDDLE = 50,
    FR_HOOK_LAST = 100
} fr_hook_order;

#define FR_SHUTDOWN_NOSAVE (1 << 0)
#define FR_SHUTDOWN_SAVE (1 << 1)
#define FR_SHUTDOWN_NOW (1 << 2)
#define FR_SHUTDOWN_FORCE (1 << 3)
#define FR_SHUTDOWN_SIGNAL (1 << 4)   /* SIGTERM/SIGINT rather than SHUTDOWN */

/* Shutdown waiting for something to catch up (Redis 7.0's shutdown-timeout:
 * the replication module's lagging replicas).  While registered, a
 * SHUTDOWN (or SIGTERM/SIGINT) without NOW asks fn(FR_SHUTDOWN_WAIT_ASK)
 * whether to wait (1: wait; the module may ask for acknowledgements now);
 * then writes are paused, SHUTDOWN's client waits, and the core asks
 * fn(FR_SHUTDOWN_WAIT_POLL) at every cron tick until it says 0 or
 * shutdown-timeout seconds pass.  fn(FR_SHUTDOWN_WAIT_FINAL) comes right
 * before the shutdown hooks of every shutdown (log what is still
 * behind).  One at a time (FR_ERR if another module has one); NULL
 * unregisters.  Since 4.6. */
enum { FR_SHUTDOWN_WAIT_ASK = 0, FR_SHUTDOWN_WAIT_POLL, FR_SHUTDOWN_WAIT_FINAL };
typedef int (*fr_shutdown_wait_fn)(int phase);
FR_API int fr_shutdown_wait_register(fr_module *m, fr_shutdown_wait_fn fn);

/* A replica replaces its dataset with its master's snapshot (Redis's
 * readSyncBulkPayload): START comes before the keyspace is emptied (stop
 * whatever would write the old dataset out: a BGSAVE child, the AOF);
 * DONE once the new dataset is in place, or when a replica whose load
 * failed stops being one (start them again: the AOF by a rewrite); FAILED
 * when the load failed (the keyspace is empty; what START stopped stays
 * stopped until a DONE).  The replication module fires them with
 * fr_sync_load_event.  Since 4.7. */
enum { FR_SYNC_LOAD_START = 0, FR_SYNC_LOAD_DONE, FR_SYNC_LOAD_FAILED };
FR_API void fr_sync_load_event(int phase);

#define FR_DELETE_EXPLICIT 0
#define FR_DELETE_EXPIRED 1
#define FR_DELETE_OVERWRITE 2
#define FR_DELETE_EVICTED 3   /* maxmemory eviction.  Since 4.2. */

typedef struct fr_hook_event {
    fr_hook_id id;
    fr_ctx *ctx;               /* NULL outside a command */
    fr_db *db;
    const fr_str *key;
    int why;                   /* FR_DELETE_* for KEY_DELETED; SHUTDOWN flags;
                                * FR_CLIENT_RESET_*; KEYSPACE_EVENT: see
                                * fr_notify_keyspace_event */
    int dbid;                  /* COMMAND_PROPAGATED, KEYSPACE_EVENT */
    int argc;
    const fr_str *const *argv;
    long long elapsed_ms;      /* CRON */
    fr_client *client;         /* CLIENT_RESET */
    const char *event;         /* KEYSPACE_EVENT: "set", "expired", ... */
    int repl_only;             /* COMMAND_PROPAGATED: for replicas, not the
                                * AOF (PUBLISH).  Since 4.4. */
} fr_hook_event;

/* CLIENT_RESET's why: the session state a module keeps for a connection
 * (subscriptions, ...) must go, silently, because the client ran RESET
 * or because it is about to be freed (the handle dies after the hook). */
#define FR_CLIENT_RESET_COMMAND 0
#define FR_CLIENT_RESET_FREED 1

/* Return FR_OK normally; STARTUP_LOAD may return FR_ERR to refuse start-up. */
typedef int (*fr_hook_fn)(const fr_hook_event *ev, void *priv);
/* The hook must be declared in the module's manifest (hooks: [...]). */
FR_API int fr_hook_register(fr_module *m, fr_hook_id id, int order, fr_hook_fn fn,
                     void *priv);

/* ------------------------------------------------------------------------ */
/* Clients: addressing a connection other than the caller (pub/sub)          */
/* ------------------------------------------------------------------------ */
/* The calling connection (NULL when the call has none).  A handle stays
 * valid until the client-reset hook reports it FR_CLIENT_RESET_FREED: a
 * module that keeps handles must declare that hook and drop them there. */
FR_API fr_client *fr_ctx_client(fr_ctx *ctx);
FR_API unsigned long long fr_client_id(const fr_client *c);
FR_API int fr_client_resp(const fr_client *c);            /* 2 or 3 */
/* An out-of-band message to `c` (a pub/sub message, a subscription
 * confirmation): writes a push header of `len` elements (">" in RESP3, "*"
 * in RESP2) and returns a reply context addressing `c`, on which the
 * elements are written with the usual fr_reply_* calls.  As in Redis, a
 * push is delivered even under CLIENT REPLY OFF/SKIP.  Close it with
 * fr_client_push_end before the next push_begin; the context may not be
 * used for anything but replies.  Since 4.2. */
FR_API fr_ctx *fr_client_push_begin(fr_client *c, long len);
FR_API void fr_client_push_end(fr_ctx *push);
/* Tell the core how many channels, patterns and shard channels `c` is
 * subscribed to.  The core derives from it what Redis derives from its
 * pub/sub flag: CLIENT LIST's sub= psub= ssub= and flag 'P', the "pubsub"
 * client class (output-buffer limits, CLIENT KILL/LIST TYPE), and the
 * RESP2 subscribed mode in which only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE,
 * PING, QUIT and RESET run.  Since 4.2. */
FR_API void fr_client_set_subscriptions(fr_client *c, long channels, long patterns, long shard_channels);
/* The subscriptions of a client, for ACL: when ACL SETUSER takes channels
 * away from a user, the core asks the module that keeps subscriptions
 * (pub/sub) to list each subscribed client's channels, patterns and shard
 * channels (is_pattern 1 for a pattern), and closes the client when one is
 * no longer allowed.  `visit` returns non-zero to stop the listing.  One
 * lister; a later registration replaces it, NULL removes it.  Since 4.4. */
typedef int (*fr_subscription_visit_fn)(void *priv, const char *channel, size_t len, int is_pattern);
typedef void (*fr_subscriptions_fn)(fr_client *c, fr_subscription_visit_fn visit, void *priv);
FR_API void fr_subscriptions_register(fr_subscriptions_fn fn);
/* Replication (the replication module).  fr_client_set_replica marks `c`
 * as a replica, as Redis's CLIENT_SLAVE: flag S in CLIENT LIST, type
 * "slave" for CLIENT LIST/KILL TYPE and the replica class of
 * client-output-buffer-limit, no idle timeout.  From then on replies to its
 * own commands are dropped: its output is what fr_client_write_raw
 * writes, bytes queued as they are (CLIENT REPLY OFF does not hold them).
 * fr_client_addr is the peer's address as CLIENT LIST's addr= shows it
 * ("ip:port", or the socket path).  fr_client_close frees `c` soon, out of
 * the current call (Redis's freeClientAsync); the client-reset hook tells
 * when it is gone.  Since 4.3. */
FR_API void fr_client_set_replica(fr_client *c);
FR_API void fr_client_write_raw(fr_client *c, const void *p, size_t len);
FR_API const char *fr_client_addr(const fr_client *c);
FR_API void fr_client_close(fr_client *c);
/* Bytes queued for `c` and not yet written to its socket (a replica fed a
 * snapshot reads the next part once its queue is short).  Since 4.5. */
FR_API size_t fr_client_output_pending(const fr_client *c);
/* Like fr_client_close, once what is queued for `c` has been written
 * (Redis's CLIENT_CLOSE_AFTER_REPLY: a replica that wanted only the
 * snapshot).  Since 4.5. */
FR_API void fr_client_close_after_output(fr_client *c);
/* Replication figures of INFO.  What the core writes to replicas counts as
 * replication output (total_net_repl_output_bytes, not client output);
 * fr_repl_count_input counts what the module reads from its master on its
 * own socket, snapshot and stream (total_net_repl_input_bytes); both are
 * also part of total_net_*_bytes, as in Redis.  fr_repl_report_backlog
 * tells the bytes the backlog holds (mem_replication_backlog, counted in
 * used_memory_overhead).  Since 4.5. */
FR_API void fr_repl_count_input(size_t bytes);
FR_API void fr_repl_report_backlog(long long bytes);
/* The bytes of stream the module holds for replicas outside their output
 * buffers (while their snapshot is made), reported whenever it changes:
 * with the replicas' output buffers it is left out of what maxmemory
 * counts (fr_memory_used), as Redis leaves replica buffers out, and shows
 * in INFO mem_clients_slaves.  Since 4.6. */
FR_API void fr_repl_report_replica_held(long long bytes);
/* A message for the service manager in systemd's notify protocol, e.g.
 * "STATUS=Saving the final RDB snapshot\n" or "READY=1\n": sent only when
 * the server runs under `supervised systemd` (or auto-detected it), so a
 * module can say what the user waits on (a final save, a replica's sync).
 * Since 4.6. */
FR_API void fr_supervise_notify(const char *msg);
/* A socket a module owns (a replica's link to its master), watched by the
 * event loop: fn runs on the loop thread when fd is readable (FR_FD_READ)
 * or writable (FR_FD_WRITE), as `events` asks.  fr_fd_watch_free stops
 * and frees the watch (NULL is fine; allowed inside fn); the module still
 * owns and closes fd.  Since 4.3. */
#define FR_FD_READ 1
#define FR_FD_WRITE 2
typedef struct fr_fd_watch fr_fd_watch;
typedef void (*fr_fd_fn)(int fd, int events, void *priv);
FR_API fr_fd_watch *fr_fd_watch_new(int fd, int events, fr_fd_fn fn, void *priv);
FR_API void fr_fd_watch_free(fr_fd_watch *w);
/* Block the calling client until one of `keys` (in its DB) holds a value
 * of type `t`, or until the wall-clock time `abs_timeout_ms` (0: never),
 * as Redis blocks BLPOP or BZPOPMIN.  On FR_OK the handler returns without
 * replying.  After any command that writes to a key a client waits on, the
 * core runs each waiting client's command again, first blocked first, while
 * the key holds a value of type `t`; the handler then serves as usual (and
 * propagates what it did), or calls this again to go on waiting, keeping
 * its place and its deadline.  At the deadline, and on CLIENT UNBLOCK id
 * TIMEOUT, the core replies a null array; on CLIENT UNBLOCK id ERROR,
 * "-UNBLOCKED client unblocked via CLIENT UNBLOCK".  FR_ERR (nothing done)
 * when the call cannot block: inside EXEC, or without a client; the
 * handler then answers as on a timeout.  Since 4.2. */
FR_API int fr_block_on_keys(fr_ctx *ctx, const fr_type *t, int nkeys, const fr_str *const *keys,
                            long long abs_timeout_ms);
/* fr_block_on_keys with flags: FR_BLOCK_WAKE_ON_GONE runs the command
 * again also when a key it waits on is deleted or comes to hold another
 * type (XREADGROUP answers that the stream is gone).  Since 4.4. */
#define FR_BLOCK_WAKE_ON_GONE 1
FR_API int fr_block_on_keys_ex(fr_ctx *ctx, const fr_type *t, int nkeys, const fr_str *const *keys,
                               long long abs_timeout_ms, int flags);
/* 1 while the call is such a run again of a command waiting on keys (a
 * key it waits on was written), 0 for a command as it arrives: a module
 * that resolves arguments when it starts waiting (XREAD's "$", the last
 * ID at that moment) keeps them for the client and uses them only in the
 * runs again.  Since 4.4. */
FR_API int fr_ctx_block_rerun(const fr_ctx *ctx);
/* Block the calling client on nothing the core can watch (WAIT waits for
 * replicas' acknowledgements): until a module calls fr_client_wake(c) or
 * the wall-clock time `abs_timeout_ms` (0: never).  Either way the core
 * runs the command again before the loop sleeps; the handler answers, or
 * calls fr_block_until again to go on waiting (its deadline kept).  In the
 * run the deadline causes, fr_ctx_block_timed_out() is 1 and the handler
 * must answer.  FR_ERR (nothing done) inside EXEC or without a client.
 * fr_client_wake ignores a client not waiting this way.  Since 4.3. */
FR_API int fr_block_until(fr_ctx *ctx, long long abs_timeout_ms);
FR_API void fr_client_wake(fr_client *c);
/* Every client waiting on keys or fr_block_until gets `error` (a whole
 * error line such as "-UNBLOCKED ...") and is closed after it; commands
 * held by a pause stay.  A master becoming a replica.  Since 4.7. */
FR_API void fr_blocked_disconnect_all(const char *error);
FR_API int fr_ctx_block_timed_out(const fr_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Keyspace notifications                                                    */
/* ------------------------------------------------------------------------ */
/* Event classes, Redis's NOTIFY_* values (notify-keyspace-events letters in
 * brackets).  KEYSPACE and KEYEVENT say which channels to publish on. */
#define FR_NOTIFY_KEYSPACE (1 << 0)   /* K */
#define FR_NOTIFY_KEYEVENT (1 << 1)   /* E */
#define FR_NOTIFY_GENERIC (1 << 2)    /* g */
#define FR_NOTIFY_STRING (1 << 3)     /* $ */
#define FR_NOTIFY_LIST (1 << 4)       /* l */
#define FR_NOTIFY_SET (1 << 5)        /* s */
#define FR_NOTIFY_HASH (1 << 6)       /* h */
#define FR_NOTIFY_ZSET (1 << 7)       /* z */
#define FR_NOTIFY_EXPIRED (1 << 8)    /* x */
#define FR_NOTIFY_EVICTED (1 << 9)    /* e */
#define FR_NOTIFY_STREAM (1 << 10)    /* t */
#define FR_NOTIFY_KEY_MISS (1 << 11)  /* m */
#define FR_NOTIFY_LOADED (1 << 12)
#define FR_NOTIFY_MODULE (1 << 13)    /* d */
#define FR_NOTIFY_NEW (1 << 14)       /* n */
/* Redis's notifyKeyspaceEvent: `event` (e.g. "set", "expired") happened to
 * `key` in DB `dbid`, in class `type` (one FR_NOTIFY_* class).  The core
 * drops it unless notify-keyspace-events enables the class and K or E;
 * otherwise the keyspace-event hook runs with why = type | the channels
 * wanted (FR_NOTIFY_KEYSPACE, FR_NOTIFY_KEYEVENT), and the pub/sub module
 * publishes it.  Call it after the change, where Redis does.  Since 4.2. */
FR_API void fr_notify_keyspace_event(int type, const char *event, const fr_str *key, int dbid);

/* ------------------------------------------------------------------------ */
/* Module registration and identity                                          */
/* ------------------------------------------------------------------------ */
/* Register the handler of a command declared in the manifest.  Subcommands
 * are named "container|sub" ("object|encoding").  Fails (FR_ERR) for a name
 * the manifest does not declare; the core then refuses start-up. */
FR_API int fr_command_register(fr_module *m, const char *name, fr_command_fn fn);
FR_API int fr_module_hardened(const fr_module *m);
FR_API const char *fr_module_name(const fr_module *m);

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */
/* The current value of the numeric, yes/no (yes = 1) or enum (position in
 * `values`) directive declared at `index` (0-based) of the module's
 * manifest `config:` list.  Modules do not call it by hand: the build
 * generates a typed accessor per declared directive (glue.h,
 * <module>_conf_<name>()), so an undeclared name fails to compile. */
FR_API long long fr_config_ll_at(const fr_module *m, int index);
/* The text in force of the string directive at `index`; valid until the
 * directive next changes (copy it to keep it).  Generated accessors call it. */
FR_API const char *fr_config_str_at(const fr_module *m, int index);

/* A module's own check of a new value for one of its string directives
 * (manifest `check: true`), run for the config file, the command line and
 * CONFIG SET alike.  Return NULL to accept, writing the text to store (the
 * value itself, or a normalised form) to out; or return the error text,
 * which CONFIG SET and start-up show as Redis shows a rejected value. */
typedef struct fr_conf_update {
    const char *value;      /* a multi-arg directive's words joined by one space */
    const char *current;    /* the text in force */
    int again_in_config;    /* 1 when the config already set it at start-up */
} fr_conf_update;
typedef const char *(*fr_conf_check_fn)(const fr_conf_update *u, char *out, size_t outlen);
/* Installs the check of the directive at `index` (generated glue does). */
FR_API int fr_config_check_at(fr_module *m, int index, fr_conf_check_fn fn);
/* Any numeric or yes/no directive of the server (core or module), e.g.
 * "proto-max-bulk-len" or "lazyfree-lazy-user-del" (yes = 1); `dflt` when
 * there is no such directive. */
FR_API long long fr_config_server_ll(const char *name, long long dflt);
/* Any directive of the server as CONFIG GET shows it (e.g. "save", "dir",
 * "dbfilename"); "" when unknown.  Returns buf. */
FR_API const char *fr_config_server_str(const char *name, char *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Background jobs and write refusal (persistence modules)                   */
/* ------------------------------------------------------------------------ */
/* Background threads (Redis's bio): a queue is one thread that runs its
 * jobs in submission order, started with the first job.  A job runs off
 * the main thread: it may do system calls (fsync, close), free memory with
 * the fr_free family and use what its submitter handed over, nothing else
 * of the SDK.  fr_bg_pending counts jobs queued plus the one running;
 * fr_bg_drain waits until it is 0; fr_bg_queue_free runs what is queued,
 * ends the thread and frees the queue (call it in deinit).  In a forked
 * child, and if no thread can be started, jobs run inline at submit.  The
 * core's lazy free uses one queue (INFO lazyfree_pending_objects).  The
 * name (at most 15 bytes) names the thread.  Since 4.5. */
typedef struct fr_bg_queue fr_bg_queue;
typedef void (*fr_bg_job_fn)(void *arg);
FR_API fr_bg_queue *fr_bg_queue_new(const char *name);
FR_API void fr_bg_submit(fr_bg_queue *q, fr_bg_job_fn fn, void *arg);
FR_API long long fr_bg_pending(fr_bg_queue *q);
FR_API void fr_bg_drain(fr_bg_queue *q);
FR_API void fr_bg_queue_free(fr_bg_queue *q);

/* fr_fork(): fork for a background job (BGSAVE).  In the child, listeners are
 * closed, the fork-child hook runs and tables stop resizing (copy-on-write
 * friendly); in the parent, resizing is avoided until fr_fork_done().
 * Returns the pid as fork() does. */
FR_API int fr_fork(void);
FR_API void fr_fork_done(void);
/* While `error` is set (e.g. a failed background save with
 * stop-writes-on-bgsave-error), write commands are refused with it, as
 * Redis's -MISCONF.  NULL lifts the refusal.  The text is copied. */
FR_API void fr_deny_writes(const char *error);
/* The pid of the background child alive now (any module's), 0 if none: one
 * fork at a time, as Redis's hasActiveChildProcess.  Since 4.3. */
FR_API int fr_fork_active(void);
/* fr_fork with a pipe for the child's report: libev reaps children on
 * SIGCHLD, so the exit status may be gone by the time the parent asks, and
 * what the child writes to the pipe before it exits is the reliable
 * channel.  *report_fd is the write end in the child, the read end (non-
 * blocking) in the parent, -1 when no pipe could be made (or fork failed;
 * errno then tells why).  Both ends are close-on-exec.  Since 4.3. */
FR_API int fr_fork_reporting(int *report_fd);
/* In a forked child: the process title (under set-proc-title) becomes
 * proc-title-template with {title} set to `title`, the child's job as
 * Redis names its children -- "redis-rdb-bgsave", "redis-aof-rewrite",
 * "redis-rdb-to-slaves" -- so `ps` tells them apart.  Since 4.7. */
FR_API void fr_proctitle_set(const char *title);
/* A read-only replica: while `error` is set and replica-read-only is yes
 * (read at each command, so CONFIG SET applies at once), write commands
 * from connections are refused with it ("-READONLY ..."), checked right
 * after the fr_deny_writes refusal as Redis does; commands run by a
 * replayer (the master's stream) are not.  NULL lifts it.  Since 4.3. */
FR_API void fr_replica_read_only(const char *error);
/* The replication gate, asked before every command from a connection
 * with the command's flags (EXEC's: its queue's writes, and STALE only if
 * every queued command has it), right after the fr_replica_read_only
 * refusal: FR_GATE_OPEN, FR_GATE_NOREPLICAS (a master short of good
 * replicas refuses a write: min-replicas-to-write) or FR_GATE_MASTERDOWN
 * (a replica whose link is down refuses what is not STALE:
 * replica-serve-stale-data no).  The core replies Redis's texts, and
 * scripts get theirs.  One gate; it goes when its module unloads; FR_ERR
 * when another module holds it.  Since 4.4. */
#define FR_GATE_OPEN 0
#define FR_GATE_NOREPLICAS 1
#define FR_GATE_MASTERDOWN 2
typedef int (*fr_replication_gate_fn)(unsigned long long cmd_flags);
FR_API int fr_replication_gate_register(fr_module *m, fr_replication_gate_fn fn);
/* What a script's command meets: 1 when the gate refuses a command with
 * these flags as stale (a script raises "Can not execute the command on a
 * stale replica").  Since 4.4. */
FR_API int fr_replica_stale_refuses(unsigned long long cmd_flags);

/* Snapshots: the module that owns the snapshot format (rdb) lends it to
 * the others (an AOF rewrite's base file, a replica's full sync).  One
 * provider at a time (FR_ERR otherwise).  save_fd writes a whole snapshot
 * of every DB to fd (callers fsync), marked as an AOF base when flags has
 * FR_SNAPSHOT_AOF_BASE (Redis's aof-base aux field); load_mem parses one from p[0..len)
 * into the keyspace and returns the bytes it took (the snapshot may be
 * followed by other data), or -1; both fill why on failure.  Since 4.3. */
#define FR_SNAPSHOT_AOF_BASE (1 << 0)
/* save_fd flags since 4.5: a snapshot without the keys of the DBs (and the
 * modules' data), or without the function libraries, as Redis writes for a
 * replica that asked REPLCONF rdb-filter-only.  AUX fields stay. */
#define FR_SNAPSHOT_NO_DATA (1 << 1)
#define FR_SNAPSHOT_NO_FUNCTIONS (1 << 2)
typedef struct fr_snapshot_ops {
    int (*save_fd)(int fd, int flags, char *why, size_t whylen);
    long long (*load_mem)(const void *p, size_t len, char *why, size_t whylen);
} fr_snapshot_ops;
FR_API int fr_snapshot_register(fr_module *m, const fr_snapshot_ops *ops);
FR_API const fr_snapshot_ops *fr_snapshot_provider(void);  /* NULL: none */
/* Function libraries in snapshots, as Redis's RDB_OPCODE_FUNCTION2
 * records: the module that owns them (functions) lends them to the one
 * that owns the format (rdb).  foreach gives each library's code in order;
 * load adds one read from a snapshot (replacing one of the same name when
 * `replace`: DEBUG RELOAD MERGE) and returns NULL or Redis's error; flush
 * drops them all (fr_keyspace_empty calls it).  One provider at a time
 * (FR_ERR otherwise).  Since 4.4. */
typedef struct fr_library_ops {
    void (*foreach)(void (*fn)(void *priv, const fr_str *code), void *priv);
    const char *(*load)(const fr_str *code, int replace);
    void (*flush)(void);
} fr_library_ops;
FR_API int fr_library_provider_register(fr_module *m, const fr_library_ops *ops);
FR_API const fr_library_ops *fr_library_provider(void);    /* NULL: none */

/* Fields other modules keep in a snapshot's header (Redis's AUX fields:
 * the replication module's repl-id, repl-offset, repl-stream-db).  `save`
 * is called while any snapshot is written (in the forked child too, where
 * it reads the state as of the fork), with the save_fd flags, and emits
 * name/value pairs through `put`; `load` gets every AUX field of the
 * snapshot loaded at start-up and of one loaded with load_mem (a replica's
 * full sync, an AOF base), Redis's own ones too: a module ignores the
 * names it does not keep, and tells the loads apart itself.  At most
 * FR_SNAPSHOT_AUX_MAX modules.  Since 4.4. */
#define FR_SNAPSHOT_AUX_MAX 8
typedef void (*fr_snapshot_aux_put)(void *w, const char *name, const char *value);
typedef struct fr_snapshot_aux_ops {
    void (*save)(int flags, fr_snapshot_aux_put put, void *w);
    void (*load)(const char *name, const char *value, size_t len);
} fr_snapshot_aux_ops;
FR_API int fr_snapshot_aux_register(fr_module *m, const fr_snapshot_aux_ops *ops);
/* Called by the snapshot's owner (rdb): every registered save, in order of
 * registration; and one loaded field handed to every registered load. */
FR_API void fr_snapshot_aux_save(int flags, fr_snapshot_aux_put put, void *w);
FR_API void fr_snapshot_aux_load(const char *name, const char *value, size_t len);

/* Replaying commands without a connection (the append-only file at
 * start-up), as Redis's fake AOF client: the commands run in DB 0 first,
 * their replies are dropped, no AUTH is needed, nothing is propagated
 * (unless fr_replay_propagate asks), and no client list shows the
 * replayer.  MULTI queues until EXEC, so a
 * transaction the input cuts short is never applied (fr_replay_in_multi
 * tells).  fr_replay_call takes ownership of argv and its strings; FR_ERR
 * (unknown command, wrong argument count, a nested MULTI, EXEC without
 * MULTI) writes why and runs nothing.  Since 4.3. */
typedef struct fr_replay fr_replay;
FR_API fr_replay *fr_replay_new(void);
FR_API int fr_replay_call(fr_replay *r, int argc, fr_str **argv, char *why, size_t whylen);
FR_API int fr_replay_in_multi(const fr_replay *r);
FR_API void fr_replay_free(fr_replay *r);              /* drops a pending MULTI */
/* The DB the replayer's commands run in now (SELECT moves it; a SELECT
 * queued in MULTI only at EXEC): a replica keeps it across a broken link,
 * as the master's stream goes on in that DB.  Since 4.4. */
FR_API int fr_replay_dbid(const fr_replay *r);
/* The replayer's commands propagate as a client's do (on = 1): a
 * replica's stream from its master, which its AOF logs as Redis's does
 * (the replication module, which passes the stream on as received,
 * ignores them while a replica).  Off by default: an AOF replayed at
 * start-up must not log itself again.  Since 4.7. */
FR_API void fr_replay_propagate(fr_replay *r, int on);

/* ------------------------------------------------------------------------ */
/* Scripts: commands run by a script, long-running commands.  Since 4.4.     */
/* ------------------------------------------------------------------------ */
/* Command flags as the manifests declare them (fr_command_flags). */
#define FR_CMDF_WRITE (1ULL << 0)
#define FR_CMDF_READONLY (1ULL << 1)
#define FR_CMDF_DENYOOM (1ULL << 2)
#define FR_CMDF_ADMIN (1ULL << 4)
#define FR_CMDF_PUBSUB (1ULL << 5)
#define FR_CMDF_NOSCRIPT (1ULL << 6)
#define FR_CMDF_STALE (1ULL << 10)
#define FR_CMDF_MAY_REPLICATE (1ULL << 16)
#define FR_CMDF_ALLOW_BUSY (1ULL << 26)
/* The command argv names: 1 with its flags, 0 when there is no such
 * command (or subcommand), -1 when it exists but argc breaks its arity. */
FR_API int fr_command_flags(int argc, const fr_str *const *argv, unsigned long long *flags);
/* A script's client (Redis's lua client): in no client list, shown as
 * "lua" by MONITOR and the slow log.  fr_script_begin starts a run for the
 * call `caller` (EVAL, FCALL): the client selects the caller's DB and
 * speaks RESP2 until fr_script_set_resp.  fr_script_call runs argv (the
 * module checked the command exists, its arity and whether the script
 * may run it) and returns its reply as RESP bytes (the caller frees them).
 * Statistics, the slow log and MONITOR see the command as any other; what
 * it propagates joins the caller's effects (sent after the caller, wrapped
 * in MULTI/EXEC when more than one); it sees the caller's command clock;
 * the keys it reads are tracked for the caller's CLIENT TRACKING.  The
 * caller keeps argv.  fr_script_end ends the run.  `run` is the module's
 * record of the run, which fr_script_current returns to any module while
 * it lasts (Redis's one running script: SCRIPT KILL and FUNCTION KILL,
 * served by two modules, find it there); NULL when none runs. */
typedef struct fr_script_client fr_script_client;
FR_API fr_script_client *fr_script_client_new(void);
FR_API void fr_script_client_free(fr_script_client *sc);
FR_API void fr_script_begin(fr_script_client *sc, fr_ctx *caller, void *run);
FR_API void fr_script_set_resp(fr_script_client *sc, int resp);
FR_API fr_str *fr_script_call(fr_script_client *sc, int argc, fr_str **argv);
/* NULL when the script's caller's ACL user may run argv; else the error
 * Redis's scripts raise, after logging the denial (ACL LOG context
 * "lua").  Since 4.4. */
FR_API const char *fr_script_acl_refusal(fr_script_client *sc, int argc, fr_str **argv);
/* 1 when that user may run argv, without logging (redis.acl_check_cmd).
 * Since 4.4. */
FR_API int fr_script_acl_allows(fr_script_client *sc, int argc, fr_str **argv);
FR_API void fr_script_end(fr_script_client *sc);
FR_API void *fr_script_current(void);
/* Nonzero after DEBUG SET-DISABLE-DENY-SCRIPTS 1 (until 0): scripts may
 * run commands flagged noscript, as Redis's script_disable_deny_script
 * lets its tests do.  Since 4.4. */
FR_API int fr_script_deny_disabled(void);
/* A script's redis.call refused with `err` before it ran (arity,
 * noscript, ACL, writes, OOM): the error counts in errorstats and argv's
 * command counts a rejected call, as Redis's scriptCall counts them; the
 * script then raises or returns the error marked as counted.  Since 4.4. */
FR_API void fr_script_rejected(int argc, fr_str **argv, const char *err);
/* 1 when the memory guard found memory over maxmemory before this command
 * ran (Redis's pre_command_oom_state). */
FR_API int fr_ctx_oom(const fr_ctx *ctx);
/* The refusal of write commands in force (fr_deny_writes's -MISCONF, else
 * a read-only replica's -READONLY), or NULL. */
FR_API const char *fr_write_refusal(void);
/* A command running long (a script past busy-reply-threshold) serves the
 * event loop without waiting, as Redis's processEventsWhileBlocked: the
 * other clients' commands are refused with `error` (e.g. "-BUSY Redis is
 * busy running a script. ...") unless flagged ALLOW_BUSY; the caller's
 * own connection is not read until fr_busy_end; timers (the cron) do not
 * run.  Call it again periodically; fr_busy_end when the command ends. */
FR_API void fr_busy_process_events(fr_ctx *ctx, const char *error);
FR_API int fr_busy_active(void);
FR_API void fr_busy_end(void);
/* Per-call flags: a command whose flags depend on its arguments (EVAL of
 * a script whose shebang says no-writes) gives them to the dispatcher,
 * whose checks (OOM, MISCONF, read-only replica, CLIENT PAUSE) then use
 * them instead of the manifest's.  fn gets the declared flags and returns
 * the call's.  FR_ERR for a command the module's manifest does not
 * declare. */
typedef unsigned long long (*fr_command_flags_fn)(int argc, const fr_str *const *argv, unsigned long long flags);
FR_API int fr_command_set_flags_fn(fr_module *m, const char *name, fr_command_flags_fn fn);
/* MONITOR sees the running command now, though flagged SKIP_MONITOR:
 * EVAL and FCALL show before the commands they run, as in Redis. */
FR_API void fr_monitor_feed_self(fr_ctx *ctx);
/* INFO memory's script figures, reported by the module that owns them
 * after each change: kind FR_SCRIPTS_EVAL (n: cached scripts) or
 * FR_SCRIPTS_FUNCTIONS (n: functions, nlibs: libraries); vm_bytes is the
 * interpreter's memory, overhead the bytes of code and bookkeeping the
 * module holds. */
#define FR_SCRIPTS_EVAL 0
#define FR_SCRIPTS_FUNCTIONS 1
FR_API void fr_scripts_report(int kind, long long vm_bytes, long long overhead, long long n, long long nlibs);
/* SHA-1 of p[0..len) as 40 lower-case hex digits and a NUL. */
FR_API void fr_sha1_hex(char out[41], const void *p, size_t len);

/* ------------------------------------------------------------------------ */
/* INFO, logging                                                             */
/* ------------------------------------------------------------------------ */
/* INFO fields a module prints, as its manifest's `info:` groups declare
 * them.  The generated glue registers one callback per group; when INFO
 * shows the group's section the core calls it right after the anchor
 * field (`after`, NULL for the section's end) and the callback adds the
 * fields in order.  Registration fails for a group the manifest does not
 * declare. */
typedef struct fr_info_out fr_info_out;
typedef void (*fr_info_fn)(fr_info_out *out, void *priv);
FR_API int fr_info_register(fr_module *m, const char *section, const char *after, fr_info_fn fn,
                            void *priv);
FR_API void fr_info_add_ll(fr_info_out *out, const char *field, long long v);
FR_API void fr_info_add_text(fr_info_out *out, const char *field, const char *text);

/* Logging, in Redis's format, at Redis's levels. */
#define FR_LOG_DEBUG 0
#define FR_LOG_VERBOSE 1
#define FR_LOG_NOTICE 2
#define FR_LOG_WARNING 3
FR_API void fr_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------ */
/* Memory: the core's allocator (jemalloc), accounted in INFO memory         */
/* ------------------------------------------------------------------------ */
FR_API void *fr_malloc(size_t n);
FR_API void *fr_calloc(size_t n);
FR_API void *fr_realloc(void *p, size_t n);
FR_API void fr_free(void *p);
/* Free a block allocated with fr_malloc(n) or fr_calloc(n), giving the same
 * n: cheaper than fr_free on hot paths (no lookup of the block's size). */
FR_API void fr_free_sized(void *p, size_t n);
FR_API size_t fr_malloc_size(void *p);
/* The memory in use as maxmemory counts it: INFO used_memory less the
 * replicas' buffers (mem_not_counted_for_evict; since 4.6).  Since 4.2. */
FR_API size_t fr_memory_used(void);
/* The memory guard (the eviction module's): while registered, it runs
 * before every command once the client is authenticated (Redis's
 * maxmemory step, before the MISCONF check), frees what the policy allows
 * and returns 1 when memory is still over the limit.  The core then
 * refuses with "-OOM command not allowed when used memory > 'maxmemory'."
 * a command flagged DENYOOM, an EXEC whose queue holds one, and inside
 * MULTI any command but EXEC, DISCARD, QUIT and RESET.  One guard at a
 * time (FR_ERR if another module has one); NULL unregisters.  Since 4.2. */
typedef int (*fr_memory_guard_fn)(void);
FR_API int fr_memory_guard_register(fr_module *m, fr_memory_guard_fn fn);

/* ------------------------------------------------------------------------ */
/* DEBUG, digests and latency events                                        */
/* ------------------------------------------------------------------------ */
/* Serve a DEBUG subcommand (DEBUG RELOAD, DEBUG SET-ACTIVE-EXPIRE, ...).
 * The name must be listed in the manifest's `debug:` list (the generated
 * glue registers <module>_debug_<name>); the handler gets the whole DEBUG
 * call (argument 1 is the subcommand) and checks its own argument count,
 * answering fr_reply_subcommand_syntax_error as Redis does.  FR_ERR for an
 * undeclared name or one another module serves.  Since 4.2. */
FR_API int fr_debug_register(fr_module *m, const char *name, fr_command_fn fn);
/* DEBUG OBJECT's serializedlength: the length of the value's RDB encoding
 * (without type byte and key), answered by the module that owns the RDB
 * format.  One provider at a time (FR_ERR otherwise); without one DEBUG
 * OBJECT shows 0.  Since 4.2. */
typedef size_t (*fr_serialized_len_fn)(const fr_value *v);
FR_API int fr_serialized_len_register(fr_module *m, fr_serialized_len_fn fn);

/* DEBUG DIGEST / DIGEST-VALUE: Redis's SHA-1 based digests.  A type adds
 * its value to `digest` with fr_digest_mix (ordered data: the digest is
 * rehashed after each piece) and fr_digest_xor (unordered elements), first
 * mixing its Redis object type number (4 bytes, big-endian: string 0,
 * list 1, set 2, zset 3, hash 4, stream 6) as Redis does; the core adds
 * the key, the expire mark and combines keys.  A type without a digest
 * callback adds its type name only.  Since 4.2. */
typedef void (*fr_type_digest_fn)(unsigned char digest[20], const void *payload);
FR_API int fr_type_set_digest(fr_type *t, fr_type_digest_fn fn);
FR_API void fr_digest_xor(unsigned char digest[20], const void *p, size_t len);
FR_API void fr_digest_mix(unsigned char digest[20], const void *p, size_t len);

/* DEBUG RELOAD's steps, as Redis's emptyData(-1) and startLoading: empty
 * every DB (no hooks, no propagation, no dirty count) and, since 4.4, the
 * function libraries (fr_library_provider's flush), and suspend expiry
 * while a persistence module loads data (on = 1, then 0).  Since 4.2. */
FR_API void fr_keyspace_empty(void);
/* The same, the old values freed by the lazy-free thread (counted in INFO
 * lazyfreed_objects): a replica's full sync under replica-lazy-flush yes.
 * Since 4.6. */
FR_API void fr_keyspace_empty_async(void);
FR_API void fr_keyspace_loading(int on);

/* A latency event (LATENCY LATEST/HISTORY), e.g. "expire-cycle": recorded
 * when latency-monitor-threshold is non-zero and `ms` reaches it, as Redis's
 * latencyAddSampleIfNeeded.  The module measures the duration itself.
 * Since 4.2. */
FR_API void fr_latency_sample(const char *event, long long ms);

/* ------------------------------------------------------------------------ */
/* The descriptor every module exports                                       */
/* ------------------------------------------------------------------------ */
/* The core finds it by the symbol name FR_MODULE_SYMBOL and reads the first
 * three fields before anything else; they keep their place in every SDK
 * version, so a module of any version is recognised and its version told. */
#define FR_MODULE_SYMBOL "fr_module_entry"
typedef struct fr_module_descriptor {
    uint32_t magic;              /* FR_MODULE_MAGIC */
    uint16_t sdk_major;          /* FR_SDK_MAJOR the module was built with */
    uint16_t sdk_minor;          /* FR_SDK_MINOR the module was built with */
    const char *build_signature; /* FR_BUILD_SIGNATURE */
    const char *name;            /* must equal the manifest's name */
    const char *manifest_digest; /* SHA-256 hex of the manifest, from the build */
    int (*init)(fr_module *m);   /* FR_OK or FR_ERR (then fully rolled back) */
    void (*deinit)(fr_module *m);/* may be NULL */
} fr_module_descriptor;

/* The build generates `fr_manifest_digest` (see Makefile.am) for each module. */
extern const char fr_manifest_digest[];

#define FR_MODULE(modname, initfn, deinitfn)                                  \
    __attribute__((visibility("default")))                                    \
    const fr_module_descriptor fr_module_entry = {                            \
        FR_MODULE_MAGIC, FR_SDK_MAJOR, FR_SDK_MINOR, FR_BUILD_SIGNATURE,       \
        modname, fr_manifest_digest, initfn, deinitfn}

#ifdef __cplusplus
}
#endif
#endif /* FRANKENREDIS_H */

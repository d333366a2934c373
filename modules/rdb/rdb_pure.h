/* rdb_pure.h -- the RDB module's format pieces that need nothing from the
 * core: constants of RDB v10, length and integer encodings, CRC-64/Jones,
 * little-endian helpers, names of RDB types, save-point parsing, DUMP
 * footers and printable renderings of keys for error messages.
 *
 * Everything here is plain C on bytes and numbers (no fr_* call), so the
 * unit tests link rdb_pure.c alone.
 *
 * Invariants: no function allocates; none reads or writes past the lengths
 * it is given; decoders report a short input rather than guessing. */
#ifndef FR_RDB_PURE_H
#define FR_RDB_PURE_H

#include <stddef.h>
#include <stdint.h>

/* ---- RDB v10, as Redis 7.0 writes it ------------------------------------- */
#define RDB_VERSION 10
#define RDB_MAGIC "REDIS0010"
#define RDB_MAGIC_LEN 9
#define RDB_REDIS_VER "7.0.15"

/* Length prefixes: two top bits of the first byte. */
#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
/* Special string encodings (RDB_ENCVAL prefix, low six bits). */
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

/* Value types (only the ones named in messages need a macro). */
#define RDB_TYPE_STRING 0
#define RDB_TYPE_MODULE 6
#define RDB_TYPE_MODULE_2 7
#define RDB_TYPE_MAX 19

/* Opcodes. */
#define RDB_OPCODE_FUNCTION2 245
#define RDB_OPCODE_FUNCTION 246
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

/* Strings up to this length are never worth an LZF attempt (Redis's rule);
 * integer encoding is tried only up to RDB_INT_TRY_MAX bytes. */
#define RDB_LZF_MIN_LEN 20
#define RDB_INT_TRY_MAX 11
/* One LZF back-reference (3 bytes) expands to at most 264 bytes, so no
 * valid stream of c bytes decompresses to more than this. */
#define RDB_LZF_MAX_OUT(c) ((uint64_t)(c) * 88 + 8)

/* DUMP payload footer: 2-byte RDB version + 8-byte CRC64, little endian. */
#define RDB_DUMP_FOOTER 10

/* ---- Little endian ---------------------------------------------------------- */
void rdb_put_le64(unsigned char *p, uint64_t v);
uint64_t rdb_get_le64(const unsigned char *p);
uint32_t rdb_get_le32(const unsigned char *p);

/* ---- Lengths ------------------------------------------------------------- */
#define RDB_LEN_MAX_BYTES 9
/* Redis's shortest length prefix for len; returns the bytes written. */
size_t rdb_len_encode(uint64_t len, unsigned char out[RDB_LEN_MAX_BYTES]);

enum rdb_dec {
    RDB_DEC_OK = 0,
    RDB_DEC_SHORT = -1, /* the input ends inside the prefix */
    RDB_DEC_BAD = -2    /* a first byte no RDB length starts with */
};
/* Decode a length prefix from p[0..avail).  *isenc is set when the prefix is
 * a special string encoding (then *len is its RDB_ENC_* number); *used gets
 * the prefix size. */
enum rdb_dec rdb_len_decode(const unsigned char *p, size_t avail,
                            uint64_t *len, int *isenc, size_t *used);

/* ---- Integers as strings ---------------------------------------------------- */
/* Redis's strict integer syntax (no '+', spaces or leading zeros; fits a
 * long long).  1 ok, 0 not an integer. */
int rdb_str2ll(const char *s, size_t len, long long *out);
/* Decimal text of v into buf (>= 21 bytes, no NUL added); returns len. */
size_t rdb_ll2str(char *buf, long long v);
/* The INT8/16/32 encoding of v when it fits 32 bits: bytes written (2, 3 or
 * 5), else 0. */
size_t rdb_int_encode(long long v, unsigned char out[5]);
/* The integer encoding Redis gives a string on save (short canonical
 * integer text that fits 32 bits): bytes written, else 0. */
size_t rdb_try_int_string(const char *s, size_t len, unsigned char out[5]);

/* ---- CRC-64/Jones (reflected, poly 0xad93d23594c935a9, init 0, no xorout) */
uint64_t rdb_crc64(uint64_t crc, const void *p, size_t n);

/* ---- DUMP payloads ------------------------------------------------------------ */
/* Write the footer for payload[0..len) into out: version, then the CRC64 of
 * the payload and the version bytes. */
void rdb_dump_footer(const unsigned char *payload, size_t len,
                     unsigned char out[RDB_DUMP_FOOTER]);
/* verifyDumpPayload's rule: room for a footer, version <= RDB_VERSION and a
 * matching CRC64.  1 ok, 0 not. */
int rdb_dump_verify(const unsigned char *p, size_t len);

/* ---- Names for messages --------------------------------------------------------- */
/* "quicklist v2", "string", ... for a value type id; NULL when t is not a
 * value type of RDB v10. */
const char *rdb_type_desc(int t);
/* The Redis data type a value type id holds ("list", "hash", "module"...);
 * NULL when t is not a value type. */
const char *rdb_type_kind(int t);
/* A module type id's 9-character name (Redis's charset), NUL-terminated,
 * and its encoding version. */
void rdb_module_type_name(uint64_t id, char name[10], int *encver);
/* A printable, quoted-safe rendering of bytes (\xHH for the rest), cut with
 * "..." to fit dstlen (> 4); always NUL-terminated. */
void rdb_repr(char *dst, size_t dstlen, const char *s, size_t len);

/* ---- LZF string records ------------------------------------------------------- */
enum rdb_lzf_claim {
    RDB_LZF_DECOMPRESS = 0, /* plausible: decompress, then compare lengths */
    RDB_LZF_EMPTY,          /* claims 0 bytes: Redis makes an empty string */
    RDB_LZF_IMPOSSIBLE      /* no clen-byte stream yields len bytes */
};
/* What to make of an LZF record's compressed length clen and claimed
 * length len, before allocating anything.  RDB_LZF_EMPTY whatever clen is:
 * lzf_decompress returns 0 for "no output" and for "error" alike, and
 * Redis only compares that with len. */
enum rdb_lzf_claim rdb_lzf_claim(uint64_t clen, uint64_t len);

/* ---- How a background save child ended ------------------------------------------ */
/* In Redis's terms: the exit code, or the killing signal (exitcode -1). */
typedef struct rdb_child_end {
    int exitcode, bysignal;
} rdb_child_end;
/* The end of a child whose wait status is lost (the event loop reaped it),
 * from its last report: have_report 0 when it sent none.  A child reports
 * every signal it can catch, so no report means SIGKILL, or SIGUSR1 when
 * we_stopped (we sent it and it may have struck before the handlers). */
rdb_child_end rdb_child_end_from_report(int have_report, int ok, int signo,
                                        int we_stopped);

/* ---- Save points ("save" directive) -------------------------------------------- */
typedef struct rdb_savepoint {
    long long seconds;
    long long changes;
} rdb_savepoint;
/* Parse "<seconds> <changes> ..." (the text CONFIG GET save shows); the
 * first max points are stored.  Returns how many points the text has, or
 * -1 on malformed text. */
int rdb_parse_savepoints(const char *s, rdb_savepoint *out, int max);
/* serverCron's rule: is save point sp due?  last_ok: the last background
 * save succeeded; retry_delay: seconds to wait after a failed try. */
int rdb_savepoint_due(const rdb_savepoint *sp, long long dirty, long long now,
                      long long lastsave, long long last_try, int last_ok,
                      long long retry_delay);

#endif /* FR_RDB_PURE_H */

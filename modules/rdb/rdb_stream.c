/* rdb_stream.c -- rdb_stream, the module's fr_rdb_io: RDB v10 encodings
 * written to a buffered file or to memory, and read from memory.
 *
 * Owns the byte layout of everything a value type writes (lengths, strings
 * in integer, LZF or raw form, binary doubles) and every bounds check on
 * reading.  Invariants: a reader never looks past in[in_len) and checks a
 * length against what remains before allocating for it; the first failure
 * is kept (later ones would only describe its consequences); a file sink's
 * CRC covers exactly the bytes handed to write(2) while crc_on is set. */
#include "rdb_internal.h"

#include <errno.h>
#include <limits.h>
#include <lzf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const fr_rdb_io_ops stream_ops;

static void stream_init(rdb_stream *s) {
    memset(s, 0, sizeof(*s));
    s->io.ops = &stream_ops;
    s->io.priv = s;
    s->fd = -1;
    s->dbid = -1;
}

void rdb_writer_file(rdb_stream *s, int fd, int compress, int checksum) {
    stream_init(s);
    s->fd = fd;
    s->compress = compress;
    s->crc_on = checksum;
    s->cap = RDB_FILE_BUF;
    s->buf = fr_malloc(s->cap);
}

void rdb_writer_mem(rdb_stream *s, int compress) {
    stream_init(s);
    s->compress = compress;
}

void rdb_reader_mem(rdb_stream *s, const void *p, size_t len, int hardened) {
    stream_init(s);
    s->in = p;
    s->in_len = len;
    s->hardened = hardened;
}

void rdb_stream_release(rdb_stream *s) {
    fr_str_free(s->keybuf);
    s->keybuf = NULL;
    fr_free(s->buf);
    fr_free(s->scratch);
    s->buf = s->scratch = NULL;
    s->len = s->cap = s->scratch_cap = 0;
}

/* ---- Failures ------------------------------------------------------------ */

void rdb_stream_fail(rdb_stream *s, const char *fmt, ...) {
    if (s->failed) return;
    rdb_stream_key(s); /* the key may be gone when the message is made */
    s->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
}

void rdb_stream_message(const rdb_stream *s, char *buf, size_t len) {
    uint64_t off = s->in ? s->pos : s->flushed + s->len;
    int n = snprintf(buf, len, "%s (offset %llu", s->err[0] ? s->err : "error",
                     (unsigned long long)off);
    if (n < 0 || (size_t)n >= len) return;
    if (s->dbid >= 0) n += snprintf(buf + n, len - (size_t)n, ", db %d", s->dbid);
    if ((size_t)n < len && s->key_ready)
        n += snprintf(buf + n, len - (size_t)n, ", key '%s'", s->key);
    if ((size_t)n < len) snprintf(buf + n, len - (size_t)n, ")");
}

void rdb_stream_set_key(rdb_stream *s, int dbid, const char *key, size_t len) {
    s->dbid = dbid;
    s->keyp = key;
    s->keylen = len;
    s->key[0] = '\0';
    s->key_ready = 0;
    if (s->failed) rdb_stream_key(s);
}

const char *rdb_stream_key(rdb_stream *s) {
    if (s->keyp && !s->key_ready) {
        rdb_repr(s->key, sizeof(s->key), s->keyp, s->keylen);
        s->key_ready = 1;
    }
    return s->key;
}

/* ---- Writing ------------------------------------------------------------- */

static int write_all(rdb_stream *s, const unsigned char *p, size_t n) {
    if (s->crc_on) s->crc = rdb_crc64(s->crc, p, n);
    while (n) {
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            rdb_stream_fail(s, "write error: %s", w < 0 ? strerror(errno) : "no progress");
            return FR_ERR;
        }
        p += w;
        n -= (size_t)w;
        s->flushed += (uint64_t)w;
    }
    return FR_OK;
}

int rdb_writer_flush(rdb_stream *s) {
    if (s->fd < 0 || !s->len) return s->failed ? FR_ERR : FR_OK;
    int rc = write_all(s, s->buf, s->len);
    s->len = 0;
    return rc;
}

uint64_t rdb_writer_finish_crc(rdb_stream *s) {
    rdb_writer_flush(s);
    uint64_t crc = s->crc_on ? s->crc : 0;
    s->crc_on = 0;
    return crc;
}

static void mem_grow(rdb_stream *s, size_t need) {
    size_t cap = s->cap ? s->cap : 64;
    while (cap - s->len < need) cap *= 2;
    s->buf = fr_realloc(s->buf, cap);
    s->cap = cap;
}

int rdb_put(rdb_stream *s, const void *p, size_t n) {
    if (s->failed) return FR_ERR;
    if (s->fd < 0) {
        if (s->cap - s->len < n) mem_grow(s, n);
    } else if (s->cap - s->len < n) {
        if (rdb_writer_flush(s) != FR_OK) return FR_ERR;
        if (n >= s->cap) return write_all(s, p, n);
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return FR_OK;
}

int rdb_put_byte(rdb_stream *s, int b) {
    unsigned char c = (unsigned char)b;
    return rdb_put(s, &c, 1);
}

int rdb_put_len(rdb_stream *s, uint64_t len) {
    unsigned char b[RDB_LEN_MAX_BYTES];
    return rdb_put(s, b, rdb_len_encode(len, b));
}

/* LZF as Redis applies it: only when the output is at least 4 bytes shorter;
 * 0 means "not compressed, write it raw". */
static int put_lzf(rdb_stream *s, const void *p, size_t len, int *done) {
    *done = 0;
    if (len > UINT_MAX) return FR_OK;
    size_t outlen = len - 4;
    if (s->scratch_cap < outlen + 1) {
        fr_free(s->scratch);
        s->scratch = fr_malloc(outlen + 1);
        s->scratch_cap = outlen + 1;
    }
    unsigned clen = lzf_compress(p, (unsigned)len, s->scratch, (unsigned)outlen);
    if (clen == 0) return FR_OK;
    *done = 1;
    if (rdb_put_byte(s, (RDB_ENCVAL << 6) | RDB_ENC_LZF) != FR_OK ||
        rdb_put_len(s, clen) != FR_OK || rdb_put_len(s, len) != FR_OK)
        return FR_ERR;
    return rdb_put(s, s->scratch, clen);
}

int rdb_put_string(rdb_stream *s, const void *p, size_t len) {
    unsigned char enc[5];
    size_t n = rdb_try_int_string(p, len, enc);
    if (n) return rdb_put(s, enc, n);
    if (s->compress && len > RDB_LZF_MIN_LEN) {
        int done;
        if (put_lzf(s, p, len, &done) != FR_OK) return FR_ERR;
        if (done) return FR_OK;
    }
    if (rdb_put_len(s, len) != FR_OK) return FR_ERR;
    return rdb_put(s, p, len);
}

int rdb_put_ll_string(rdb_stream *s, long long v) {
    unsigned char enc[5];
    size_t n = rdb_int_encode(v, enc);
    if (n) return rdb_put(s, enc, n);
    char buf[24];
    size_t len = rdb_ll2str(buf, v);
    if (rdb_put_len(s, len) != FR_OK) return FR_ERR;
    return rdb_put(s, buf, len);
}

/* ---- Reading ------------------------------------------------------------- */

static void fail_eof(rdb_stream *s) {
    rdb_stream_fail(s, "Unexpected EOF reading RDB file of %zu bytes", s->in_len);
}

const unsigned char *rdb_get_bytes(rdb_stream *s, size_t n) {
    if (s->failed) return NULL;
    if (s->in_len - s->pos < n) {
        fail_eof(s);
        return NULL;
    }
    const unsigned char *p = s->in + s->pos;
    s->pos += n;
    return p;
}

int rdb_get_byte(rdb_stream *s, int *b) {
    const unsigned char *p = rdb_get_bytes(s, 1);
    if (!p) return FR_ERR;
    *b = *p;
    return FR_OK;
}

static int get_len_enc(rdb_stream *s, uint64_t *len, int *isenc) {
    if (s->failed) return FR_ERR;
    size_t used;
    enum rdb_dec d = rdb_len_decode(s->in + s->pos, s->in_len - s->pos, len, isenc, &used);
    if (d == RDB_DEC_SHORT) {
        s->pos = s->in_len;
        fail_eof(s);
        return FR_ERR;
    }
    if (d == RDB_DEC_BAD) {
        rdb_stream_fail(s, "Unknown length encoding 0x%02x", s->in[s->pos]);
        return FR_ERR;
    }
    s->pos += used;
    return FR_OK;
}

int rdb_get_len(rdb_stream *s, uint64_t *len) {
    int isenc;
    return get_len_enc(s, len, &isenc);
}

static fr_str *get_int_string(rdb_stream *s, int enc) {
    size_t n = enc == RDB_ENC_INT8 ? 1 : enc == RDB_ENC_INT16 ? 2 : 4;
    const unsigned char *p = rdb_get_bytes(s, n);
    if (!p) return NULL;
    long long v = n == 1 ? (int8_t)p[0]
                : n == 2 ? (int16_t)(uint16_t)(p[0] | p[1] << 8)
                         : (int32_t)rdb_get_le32(p);
    char buf[24];
    return fr_str_new(buf, rdb_ll2str(buf, v));
}

/* An LZF record that claims 0 bytes (see rdb_lzf_claim): an empty string
 * in Redis, whatever its compressed bytes.  Strict mode does the same;
 * hardened mode refuses a record no writer produces, and says why. */
static fr_str *get_lzf_empty(rdb_stream *s, uint64_t clen) {
    if (s->hardened) {
        s->divergence = "lzf-empty-string";
        rdb_stream_fail(s, "LZF compressed string claims 0 bytes (from %llu): Redis loads "
                        "it as an empty string, hardened mode refuses it",
                        (unsigned long long)clen);
        return NULL;
    }
    return rdb_get_bytes(s, clen) ? fr_str_new("", 0) : NULL;
}

static fr_str *get_lzf_string(rdb_stream *s) {
    uint64_t clen, len;
    if (rdb_get_len(s, &clen) != FR_OK || rdb_get_len(s, &len) != FR_OK) return NULL;
    if (clen > s->in_len - s->pos) {
        s->pos = s->in_len;
        fail_eof(s);
        return NULL;
    }
    /* Judged before allocating for len. */
    enum rdb_lzf_claim claim = rdb_lzf_claim(clen, len);
    if (claim == RDB_LZF_EMPTY) return get_lzf_empty(s, clen);
    if (claim == RDB_LZF_IMPOSSIBLE) {
        rdb_stream_fail(s, "Invalid LZF compressed string (%llu bytes claimed from %llu)",
                        (unsigned long long)len, (unsigned long long)clen);
        return NULL;
    }
    const unsigned char *c = rdb_get_bytes(s, clen);
    fr_str *out = fr_str_new_empty(len);
    unsigned got = lzf_decompress(c, (unsigned)clen, out->buf, (unsigned)len);
    if (got != len) {
        fr_str_free(out);
        s->pos -= clen;
        rdb_stream_fail(s, "Invalid LZF compressed string");
        return NULL;
    }
    out->len = len;
    out->buf[len] = '\0';
    return out;
}

fr_str *rdb_get_string(rdb_stream *s) {
    uint64_t len;
    int isenc;
    if (get_len_enc(s, &len, &isenc) != FR_OK) return NULL;
    if (isenc) {
        if (len <= RDB_ENC_INT32) return get_int_string(s, (int)len);
        if (len == RDB_ENC_LZF) return get_lzf_string(s);
        rdb_stream_fail(s, "Unknown RDB string encoding type %llu", (unsigned long long)len);
        return NULL;
    }
    const unsigned char *p = rdb_get_bytes(s, len);
    return p ? fr_str_new(p, len) : NULL;
}

#define RDB_KEYBUF 256

fr_str *rdb_get_key(rdb_stream *s, int *owned) {
    *owned = 1;
    if (s->failed || s->pos >= s->in_len || (s->in[s->pos] & 0xC0) != 0)
        return rdb_get_string(s); /* encoded, long, or an error to report */
    size_t len = s->in[s->pos] & 0x3F; /* a 6-bit length: up to 63 bytes */
    if (s->in_len - s->pos - 1 < len) return rdb_get_string(s);
    if (!s->keybuf) s->keybuf = fr_str_new_empty(RDB_KEYBUF);
    memcpy(s->keybuf->buf, s->in + s->pos + 1, len);
    s->keybuf->buf[len] = '\0';
    s->keybuf->len = len;
    s->pos += 1 + len;
    *owned = 0;
    return s->keybuf;
}

/* ---- fr_rdb_io_ops ------------------------------------------------------- */

#define STREAM(io) ((rdb_stream *)(io)->priv)

static int op_save_len(fr_rdb_io *io, uint64_t len) {
    return rdb_put_len(STREAM(io), len);
}

static int op_save_string(fr_rdb_io *io, const void *p, size_t len) {
    return rdb_put_string(STREAM(io), p, len);
}

static int op_save_ll_string(fr_rdb_io *io, long long v) {
    return rdb_put_ll_string(STREAM(io), v);
}

static int op_save_raw(fr_rdb_io *io, const void *p, size_t len) {
    return rdb_put(STREAM(io), p, len);
}

static int op_save_double(fr_rdb_io *io, double d) {
    uint64_t bits;
    unsigned char b[8];
    memcpy(&bits, &d, 8);
    rdb_put_le64(b, bits);
    return rdb_put(STREAM(io), b, 8);
}

static int op_load_len(fr_rdb_io *io, uint64_t *len) {
    return rdb_get_len(STREAM(io), len);
}

static fr_str *op_load_string(fr_rdb_io *io) {
    return rdb_get_string(STREAM(io));
}

static int op_load_raw(fr_rdb_io *io, void *p, size_t len) {
    const unsigned char *src = rdb_get_bytes(STREAM(io), len);
    if (!src) return FR_ERR;
    memcpy(p, src, len);
    return FR_OK;
}

static int op_load_double(fr_rdb_io *io, double *d) {
    const unsigned char *p = rdb_get_bytes(STREAM(io), 8);
    if (!p) return FR_ERR;
    uint64_t bits = rdb_get_le64(p);
    memcpy(d, &bits, 8);
    return FR_OK;
}

static void op_error(fr_rdb_io *io, const char *fmt, ...) {
    rdb_stream *s = STREAM(io);
    if (s->failed) return;
    rdb_stream_key(s);
    s->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
}

static const fr_rdb_io_ops stream_ops = {
    .save_len = op_save_len,
    .save_string = op_save_string,
    .save_ll_string = op_save_ll_string,
    .save_raw = op_save_raw,
    .save_double = op_save_double,
    .load_len = op_load_len,
    .load_string = op_load_string,
    .load_raw = op_load_raw,
    .load_double = op_load_double,
    .error = op_error,
};

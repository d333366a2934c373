/* rdb_pure.c -- SDK-free pieces of the RDB format (see rdb_pure.h).
 *
 * Owns the byte-level rules Redis 7.0 applies when it writes RDB v10:
 * length prefixes, integer string encodings, the CRC-64 variant, DUMP
 * footers; what an LZF record's lengths allow (Redis's answer to a record
 * claiming 0 bytes included); how a save child ended when only its report
 * is left; plus save-point arithmetic and message helpers.  The CRC tables
 * are built once on first use (the module is single-threaded; a forked
 * child inherits them). */
#include "rdb_pure.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Little endian -------------------------------------------------------- */

void rdb_put_le64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

uint64_t rdb_get_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

uint32_t rdb_get_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* ---- Lengths ---------------------------------------------------------------- */

size_t rdb_len_encode(uint64_t len, unsigned char out[RDB_LEN_MAX_BYTES]) {
    if (len < (1 << 6)) {
        out[0] = (unsigned char)((RDB_6BITLEN << 6) | len);
        return 1;
    }
    if (len < (1 << 14)) {
        out[0] = (unsigned char)((RDB_14BITLEN << 6) | (len >> 8));
        out[1] = (unsigned char)(len & 0xff);
        return 2;
    }
    if (len <= UINT32_MAX) {
        out[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++) out[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        return 5;
    }
    out[0] = RDB_64BITLEN;
    for (int i = 0; i < 8; i++) out[1 + i] = (unsigned char)(len >> (56 - 8 * i));
    return 9;
}

static uint64_t get_be(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | p[i];
    return v;
}

enum rdb_dec rdb_len_decode(const unsigned char *p, size_t avail,
                            uint64_t *len, int *isenc, size_t *used) {
    *isenc = 0;
    if (avail < 1) return RDB_DEC_SHORT;
    int kind = (p[0] & 0xC0) >> 6;
    size_t need;
    if (kind == RDB_ENCVAL || kind == RDB_6BITLEN) {
        *isenc = kind == RDB_ENCVAL;
        *len = p[0] & 0x3F;
        need = 1;
    } else if (kind == RDB_14BITLEN) {
        need = 2;
        if (avail < need) return RDB_DEC_SHORT;
        *len = ((uint64_t)(p[0] & 0x3F) << 8) | p[1];
    } else if (p[0] == RDB_32BITLEN || p[0] == RDB_64BITLEN) {
        int n = p[0] == RDB_32BITLEN ? 4 : 8;
        need = 1 + (size_t)n;
        if (avail < need) return RDB_DEC_SHORT;
        *len = get_be(p + 1, n);
    } else {
        return RDB_DEC_BAD;
    }
    *used = need;
    return RDB_DEC_OK;
}

/* ---- Integers as strings -------------------------------------------------------- */

int rdb_str2ll(const char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return 0;
    if (len == 1 && s[0] == '0') {
        if (out) *out = 0;
        return 1;
    }
    size_t i = s[0] == '-';
    if (i == len || s[i] < '1' || s[i] > '9') return 0;
    unsigned long long acc = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || acc > (ULLONG_MAX - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    int neg = s[0] == '-';
    unsigned long long limit = (unsigned long long)LLONG_MAX + (neg ? 1 : 0);
    if (acc > limit) return 0;
    if (out) *out = neg ? (long long)(0ULL - acc) : (long long)acc;
    return 1;
}

size_t rdb_ll2str(char *buf, long long v) {
    char tmp[24];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t n = 0, len = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    return len;
}

size_t rdb_int_encode(long long v, unsigned char out[5]) {
    int bytes;
    if (v >= INT8_MIN && v <= INT8_MAX) {
        out[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        bytes = 1;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        out[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        bytes = 2;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        out[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        bytes = 4;
    } else {
        return 0;
    }
    uint32_t u = (uint32_t)(int32_t)v;
    for (int i = 0; i < bytes; i++) out[1 + i] = (unsigned char)(u >> (8 * i));
    return (size_t)bytes + 1;
}

size_t rdb_try_int_string(const char *s, size_t len, unsigned char out[5]) {
    long long v;
    if (len > RDB_INT_TRY_MAX || !rdb_str2ll(s, len, &v)) return 0;
    return rdb_int_encode(v, out);
}

/* ---- CRC-64/Jones, slicing by eight ----------------------------------------------- */

#define CRC64_POLY_REFLECTED UINT64_C(0x95ac9329ac4bc9b5)
static uint64_t crc_tab[8][256];
static int crc_ready;

static void crc_init(void) {
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        crc_tab[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
    crc_ready = 1;
}

uint64_t rdb_crc64(uint64_t crc, const void *data, size_t n) {
    const unsigned char *p = data;
    if (!crc_ready) crc_init();
    while (n >= 8) {
        crc ^= rdb_get_le64(p);
        crc = crc_tab[7][crc & 0xff] ^ crc_tab[6][(crc >> 8) & 0xff] ^
              crc_tab[5][(crc >> 16) & 0xff] ^ crc_tab[4][(crc >> 24) & 0xff] ^
              crc_tab[3][(crc >> 32) & 0xff] ^ crc_tab[2][(crc >> 40) & 0xff] ^
              crc_tab[1][(crc >> 48) & 0xff] ^ crc_tab[0][crc >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = crc_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

/* ---- DUMP payloads ------------------------------------------------------------------ */

void rdb_dump_footer(const unsigned char *payload, size_t len,
                     unsigned char out[RDB_DUMP_FOOTER]) {
    out[0] = RDB_VERSION & 0xff;
    out[1] = (RDB_VERSION >> 8) & 0xff;
    uint64_t crc = rdb_crc64(rdb_crc64(0, payload, len), out, 2);
    rdb_put_le64(out + 2, crc);
}

int rdb_dump_verify(const unsigned char *p, size_t len) {
    if (len < RDB_DUMP_FOOTER) return 0;
    const unsigned char *footer = p + len - RDB_DUMP_FOOTER;
    unsigned ver = (unsigned)footer[0] | (unsigned)footer[1] << 8;
    if (ver > RDB_VERSION) return 0;
    return rdb_crc64(0, p, len - 8) == rdb_get_le64(footer + 2);
}

/* ---- Names for messages ---------------------------------------------------------------- */

static const struct {
    const char *desc, *kind;
} type_names[RDB_TYPE_MAX + 1] = {
    {"string", "string"},
    {"linked list", "list"},
    {"hash table set", "set"},
    {"zset v1", "zset"},
    {"hash table hash", "hash"},
    {"zset v2", "zset"},
    {"module value v1", "module"},
    {"module value", "module"},
    {NULL, NULL},
    {"zipmap hash", "hash"},
    {"ziplist list", "list"},
    {"intset set", "set"},
    {"ziplist zset", "zset"},
    {"ziplist hash", "hash"},
    {"quicklist", "list"},
    {"stream listpacks", "stream"},
    {"listpack hash", "hash"},
    {"listpack zset", "zset"},
    {"quicklist v2", "list"},
    {"stream listpacks v2", "stream"},
};

const char *rdb_type_desc(int t) {
    return t >= 0 && t <= RDB_TYPE_MAX ? type_names[t].desc : NULL;
}

const char *rdb_type_kind(int t) {
    return t >= 0 && t <= RDB_TYPE_MAX ? type_names[t].kind : NULL;
}

void rdb_module_type_name(uint64_t id, char name[10], int *encver) {
    static const char cset[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    *encver = (int)(id & 1023);
    id >>= 10;
    for (int j = 8; j >= 0; j--) {
        name[j] = cset[id & 63];
        id >>= 6;
    }
    name[9] = '\0';
}

void rdb_repr(char *dst, size_t dstlen, const char *s, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[5];
        int n = (c >= 32 && c < 127 && c != '\\' && c != '\'')
                    ? snprintf(tmp, sizeof(tmp), "%c", c)
                    : snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        if (o + (size_t)n + 4 > dstlen) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, tmp, (size_t)n);
        o += (size_t)n;
    }
    dst[o] = '\0';
}

/* ---- LZF string records ------------------------------------------------------- */

enum rdb_lzf_claim rdb_lzf_claim(uint64_t clen, uint64_t len) {
    if (len == 0) return RDB_LZF_EMPTY;
    /* An empty stream makes nothing, which Redis refuses too (0 != len). */
    if (clen == 0 || clen > UINT_MAX || len > UINT_MAX || len > RDB_LZF_MAX_OUT(clen))
        return RDB_LZF_IMPOSSIBLE;
    return RDB_LZF_DECOMPRESS;
}

/* ---- How a background save child ended ------------------------------------------ */

rdb_child_end rdb_child_end_from_report(int have_report, int ok, int signo,
                                        int we_stopped) {
    rdb_child_end end = {-1, 0};
    if (have_report && signo) end.bysignal = signo;
    else if (have_report) end.exitcode = ok ? 0 : 1;
    else end.bysignal = we_stopped ? SIGUSR1 : SIGKILL;
    return end;
}

/* ---- Save points ------------------------------------------------------------------ */

static int next_number(const char **sp, long long *out) {
    const char *s = *sp;
    while (*s == ' ') s++;
    if (*s < '0' || *s > '9') return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (v < 0 || (*end && *end != ' ')) return 0;
    *out = v;
    *sp = end;
    return 1;
}

int rdb_parse_savepoints(const char *s, rdb_savepoint *out, int max) {
    int n = 0;
    for (;;) {
        while (*s == ' ') s++;
        if (!*s) return n;
        rdb_savepoint sp;
        if (!next_number(&s, &sp.seconds) || !next_number(&s, &sp.changes)) return -1;
        if (n < max) out[n] = sp;
        n++;
    }
}

int rdb_savepoint_due(const rdb_savepoint *sp, long long dirty, long long now,
                      long long lastsave, long long last_try, int last_ok,
                      long long retry_delay) {
    return dirty >= sp->changes && now - lastsave > sp->seconds &&
           (now - last_try > retry_delay || last_ok);
}

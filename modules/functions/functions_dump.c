/* functions_dump.c -- see functions_dump.h.  The encodings are the RDB
 * format's (lengths, LZF strings), written here for the one string type a
 * payload holds; the CRC-64 is the Jones polynomial, reflected, as Redis's
 * crc64. */
#include "functions_dump.h"

#include <lzf.h>
#include <string.h>

#define OPCODE_FUNCTION_PRE_GA 246
#define OPCODE_FUNCTION2 245
#define RDB_VERSION 10
#define ENC_LZF 0xC3

static uint64_t crc64(const unsigned char *p, size_t len)
{
    static uint64_t table[256];
    static int ready;
    if (!ready) {
        for (int i = 0; i < 256; i++) {
            uint64_t c = (uint64_t)i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x95ac9329ac4bc9b5ULL : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    uint64_t crc = 0;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

static fr_str *put_len(fr_str *s, uint64_t len)
{
    unsigned char b[9];
    size_t n;
    if (len < 64) {
        b[0] = (unsigned char)len;
        n = 1;
    } else if (len < 16384) {
        b[0] = (unsigned char)(0x40 | (len >> 8));
        b[1] = (unsigned char)(len & 0xff);
        n = 2;
    } else if (len <= 0xffffffffULL) {
        b[0] = 0x80;
        for (int i = 0; i < 4; i++) b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        b[0] = 0x81;
        for (int i = 0; i < 8; i++) b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    return fr_str_cat(s, b, n);
}

void fdump_add_library(fr_str **out, const fr_str *code)
{
    fr_str *s = *out ? *out : fr_str_new_empty(64);
    unsigned char op = OPCODE_FUNCTION2;
    s = fr_str_cat(s, &op, 1);
    int compressed = 0;
    if (code->len > 20 && fr_config_server_ll("rdbcompression", 1)) {
        size_t room = code->len - 4;
        char *buf = fr_malloc(room + 1);
        unsigned int n = lzf_compress(code->buf, (unsigned int)code->len, buf, (unsigned int)room);
        if (n > 0) {
            unsigned char enc = ENC_LZF;
            s = fr_str_cat(s, &enc, 1);
            s = put_len(s, n);
            s = put_len(s, code->len);
            s = fr_str_cat(s, buf, n);
            compressed = 1;
        }
        fr_free(buf);
    }
    if (!compressed) {
        s = put_len(s, code->len);
        s = fr_str_cat(s, code->buf, code->len);
    }
    *out = s;
}

void fdump_finish(fr_str **out)
{
    fr_str *s = *out ? *out : fr_str_new_empty(16);
    unsigned char v[2] = {RDB_VERSION & 0xff, (RDB_VERSION >> 8) & 0xff};
    s = fr_str_cat(s, v, 2);
    uint64_t crc = crc64((const unsigned char *)s->buf, s->len);
    unsigned char c[8];
    for (int i = 0; i < 8; i++) c[i] = (unsigned char)(crc >> (8 * i));
    *out = fr_str_cat(s, c, 8);
}

int fdump_verify(const fr_str *p)
{
    if (p->len < 10) return FR_ERR;
    const unsigned char *f = (const unsigned char *)p->buf + p->len - 10;
    unsigned ver = (unsigned)f[0] | ((unsigned)f[1] << 8);
    if (ver > RDB_VERSION) return FR_ERR;
    if (fr_config_server_ll("skip-checksum-validation", 0)) return FR_OK;
    uint64_t want = 0;
    for (int i = 0; i < 8; i++) want |= (uint64_t)f[2 + i] << (8 * i);
    return crc64((const unsigned char *)p->buf, p->len - 8) == want ? FR_OK : FR_ERR;
}

/* An RDB length at *pos within end; *enc set for a special encoding. */
static int get_len(const unsigned char *b, size_t end, size_t *pos, uint64_t *len, int *enc)
{
    if (*pos >= end) return FR_ERR;
    unsigned char c = b[(*pos)++];
    *enc = -1;
    switch (c >> 6) {
    case 0:
        *len = c & 0x3f;
        return FR_OK;
    case 1:
        if (*pos >= end) return FR_ERR;
        *len = ((uint64_t)(c & 0x3f) << 8) | b[(*pos)++];
        return FR_OK;
    case 3:
        *enc = c & 0x3f;
        *len = 0;
        return FR_OK;
    }
    int n = c == 0x80 ? 4 : c == 0x81 ? 8 : 0;
    if (!n || *pos + (size_t)n > end) return FR_ERR;
    *len = 0;
    for (int i = 0; i < n; i++) *len = (*len << 8) | b[(*pos)++];
    return FR_OK;
}

static fr_str *get_string(const unsigned char *b, size_t end, size_t *pos)
{
    uint64_t len;
    int enc;
    if (get_len(b, end, pos, &len, &enc) != FR_OK) return NULL;
    if (enc == -1) {
        if (len > end - *pos) return NULL;
        fr_str *s = fr_str_new(b + *pos, (size_t)len);
        *pos += (size_t)len;
        return s;
    }
    if (enc == ENC_LZF - 0xC0) {
        uint64_t clen, olen;
        int e2;
        if (get_len(b, end, pos, &clen, &e2) != FR_OK || e2 != -1) return NULL;
        if (get_len(b, end, pos, &olen, &e2) != FR_OK || e2 != -1) return NULL;
        if (clen > end - *pos || olen > (1ULL << 32)) return NULL;
        fr_str *s = fr_str_new_empty((size_t)olen);
        unsigned int got = lzf_decompress(b + *pos, (unsigned int)clen, s->buf, (unsigned int)olen);
        if (got != olen) {
            fr_str_free(s);
            return NULL;
        }
        s->len = (size_t)olen; /* set_len would zero what lzf wrote */
        s->buf[olen] = '\0';
        *pos += (size_t)clen;
        return s;
    }
    /* integer encodings: 8, 16, 32 bits, little endian */
    int n = enc == 0 ? 1 : enc == 1 ? 2 : enc == 2 ? 4 : 0;
    if (!n || *pos + (size_t)n > end) return NULL;
    long long v = 0;
    for (int i = 0; i < n; i++) v |= (long long)b[*pos + (size_t)i] << (8 * i);
    if (n == 1) v = (int8_t)v;
    else if (n == 2) v = (int16_t)v;
    else v = (int32_t)v;
    *pos += (size_t)n;
    return fr_str_from_ll(v);
}

fr_str *fdump_next_library(const fr_str *payload, size_t *pos, const char **err)
{
    const unsigned char *b = (const unsigned char *)payload->buf;
    size_t end = payload->len - 10;
    unsigned char type = b[(*pos)++];
    if (type == OPCODE_FUNCTION_PRE_GA) {
        *err = "Pre-GA function format not supported";
        return NULL;
    }
    if (type != OPCODE_FUNCTION2) {
        *err = "given type is not a function";
        return NULL;
    }
    fr_str *code = get_string(b, end, pos);
    if (!code) *err = "Failed loading library payload";
    return code;
}

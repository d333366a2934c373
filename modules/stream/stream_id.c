/* stream_id.c -- stream IDs: comparison, successor and predecessor, the
 * 128-bit big-endian form of node keys and PEL entries, text form and
 * parsing with Redis's rules (string2ull on each part, "-" and "+",
 * "<ms>-*" for XADD, "(" for exclusive range bounds). */
#include "stream_internal.h"

#include <stdio.h>
#include <string.h>

int sid_cmp(const sid *a, const sid *b) {
    if (a->ms != b->ms) return a->ms > b->ms ? 1 : -1;
    if (a->seq != b->seq) return a->seq > b->seq ? 1 : -1;
    return 0;
}

int sid_incr(sid *id) {
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) {
            id->ms = id->seq = 0;
            return FR_ERR;
        }
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return FR_OK;
}

int sid_decr(sid *id) {
    if (id->seq == 0) {
        if (id->ms == 0) {
            id->ms = id->seq = UINT64_MAX;
            return FR_ERR;
        }
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return FR_OK;
}

int sid_is_zero(const sid *id) { return !id->ms && !id->seq; }

int sid_fmt(char *buf, const sid *id) {
    return snprintf(buf, 44, "%llu-%llu", (unsigned long long)id->ms, (unsigned long long)id->seq);
}

void sid_reply(fr_ctx *ctx, const sid *id) {
    char buf[44];
    int n = sid_fmt(buf, id);
    fr_reply_bulk(ctx, buf, (size_t)n);
}

void sid_encode(unsigned char out[16], const sid *id) {
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        out[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
}

void sid_decode(const unsigned char in[16], sid *id) {
    id->ms = id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = (id->ms << 8) | in[i];
        id->seq = (id->seq << 8) | in[8 + i];
    }
}

/* Redis's string2ull: string2ll's strict form (a negative value refused),
 * else what strtoull accepts of the whole text: leading white space, a
 * sign ("-" wraps around), leading zeros, no overflow. */
static int parse_ull(const char *s, size_t len, uint64_t *out) {
    long long ll;
    if (fr_string2ll(s, len, &ll)) {
        if (ll < 0) return 0;
        *out = (uint64_t)ll;
        return 1;
    }
    size_t i = 0;
    while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == len) return 0;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = neg ? (uint64_t)0 - v : v;
    return 1;
}

int sid_parse(const char *p, size_t len, sid *id, uint64_t missing_seq, int strict, int *seq_given) {
    if (len > 127) return FR_ERR;
    char buf[128];
    memcpy(buf, p, len);
    buf[len] = 0;
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == 0) return FR_ERR;
    if (seq_given) *seq_given = 1;
    if (buf[0] == '-' && buf[1] == 0) {
        id->ms = id->seq = 0;
        return FR_OK;
    }
    if (buf[0] == '+' && buf[1] == 0) {
        id->ms = id->seq = UINT64_MAX;
        return FR_OK;
    }
    /* The text stops at a NUL byte, as Redis's C string handling does. */
    size_t clen = strlen(buf);
    char *dash = memchr(buf, '-', clen);
    uint64_t ms, seq;
    size_t mslen = dash ? (size_t)(dash - buf) : clen;
    if (!parse_ull(buf, mslen, &ms)) return FR_ERR;
    if (dash) {
        const char *s = dash + 1;
        size_t slen = strlen(s);
        if (seq_given && slen == 1 && s[0] == '*') {
            seq = 0;
            *seq_given = 0;
        } else if (!parse_ull(s, slen, &seq)) {
            return FR_ERR;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return FR_OK;
}

int sid_arg_or_reply(fr_ctx *ctx, int i, sid *id, uint64_t missing_seq, int strict, int *seq_given) {
    const fr_str *a = fr_arg(ctx, i);
    if (sid_parse(a->buf, a->len, id, missing_seq, strict, seq_given) == FR_OK) return FR_OK;
    fr_reply_error(ctx, "Invalid stream ID specified as stream command argument");
    return FR_ERR;
}

int sid_interval_or_reply(fr_ctx *ctx, int i, sid *id, int *exclude, uint64_t missing_seq) {
    const fr_str *a = fr_arg(ctx, i);
    *exclude = a->len > 1 && a->buf[0] == '(';
    int rc = *exclude ? sid_parse(a->buf + 1, a->len - 1, id, missing_seq, 1, NULL)
                      : sid_parse(a->buf, a->len, id, missing_seq, 0, NULL);
    if (rc == FR_OK) return FR_OK;
    fr_reply_error(ctx, "Invalid stream ID specified as stream command argument");
    return FR_ERR;
}

/* util.h -- number/string conversions, glob matching and clocks.
 *
 * Implements the conversion part of the SDK (include/frankenredis.h) plus a
 * few core-only helpers.  Every function follows Redis 7.0's util.c
 * semantics byte for byte (what is accepted, what is printed); see
 * docs/spec/resp.md for the rules that were checked against redis-server. */
#ifndef FR_UTIL_H
#define FR_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "frankenredis.h"

/* Longest text any long long / unsigned long long prints as, with the NUL. */
#define FR_LONG_STR_SIZE 21
/* Input and output bound of long double conversions (Redis's
 * MAX_LONG_DOUBLE_CHARS): "%.17Lf" of the largest long double fits. */
#define FR_MAX_LONG_DOUBLE_CHARS (5 * 1024)
/* Room that is always enough for fr_d2string / fr_d2string_compact. */
#define FR_MAX_D2STRING_CHARS 128

/* Modes of fr_ld2string's last argument (the SDK calls it humanfriendly). */
#define FR_LD_AUTO 0  /* "%.17Lg" */
#define FR_LD_HUMAN 1 /* "%.17Lf" with trailing zeros cut, as INCRBYFLOAT */
#define FR_LD_HEX 2   /* "%La", exact */

uint32_t fr_digits10(uint64_t v);
uint32_t fr_sdigits10(int64_t v);
/* Decimal text of v plus a NUL; returns its length, 0 if dstlen is too
 * small (nothing useful is written then). */
int fr_ull2string(char *dst, size_t dstlen, unsigned long long v);
/* As Redis's string2ull: the strict long long form when non negative, else
 * whatever strtoull accepts in full (so "+5" and " 5" do parse). */
int fr_string2ull(const char *s, size_t len, unsigned long long *out);
/* Redis's string2l: string2ll then a range check against long. */
int fr_string2l(const char *s, size_t len, long *out);
/* Redis's d2string (used where scores are stored, not replied): integral
 * values in range print as integers, -0 as "-0", nan as "nan". */
int fr_d2string_compact(char *dst, size_t dstlen, double v);
/* The byte-wise lower-casing glob matching uses: glibc's tolower() in the
 * "C" locale applied to a (signed) char, reproduced without locale state. */
int fr_glob_tolower(int c);

#endif /* FR_UTIL_H */

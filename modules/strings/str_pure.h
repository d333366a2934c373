/* str_pure.h -- the strings module's helpers that need nothing from the core.
 *
 * Everything here is plain C on bytes and numbers (no fr_* call), so the unit
 * tests link str_pure.c alone.  It owns: the payload tagging scheme and the
 * compact embstr block (see strings_internal.h for the full layout), Redis's
 * rules for choosing a string
 * encoding, strict integer parsing, range clamping, size limits, the option
 * grammar of SET/GETEX, expire-time arithmetic and the LCS algorithm.
 *
 * Invariants: no function allocates; none reads past the lengths it is given;
 * all integer arithmetic is checked before it could overflow. */
#ifndef FR_STR_PURE_H
#define FR_STR_PURE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Redis 7.0 constants that are observable through the protocol ------ */
#define SR_EMBSTR_LIMIT 44          /* longest string still reported embstr */
#define SR_SHARED_INTEGERS 10000    /* 0..9999 are shared objects in Redis */
#define SR_SHARED_REFCOUNT 2147483647 /* what OBJECT REFCOUNT says for them */
#define SR_PROTO_MAX_BULK (512LL * 1024 * 1024) /* proto-max-bulk-len default */
#define SR_LD_CHARS 5120            /* room for any INCRBYFLOAT result */
#define SR_LL_CHARS 24              /* room for any long long in decimal */

/* ---- Payload tagging ----------------------------------------------------
 * A payload is a pointer-sized word.  Bit 0 set: an integer lives in the word
 * itself (bits 2.. hold it, bit 1 marks it "private", i.e. not one of Redis's
 * shared integers even if it is in 0..9999).  Bit 0 clear: the word is an
 * 8-byte aligned pointer whose bits 1-2 say how Redis would have encoded the
 * string, and so what the pointer points to: an fr_str for RAW and INTTEXT,
 * an sv_emb (below) for EMBSTR.  Kind 0x6 is unused.  Bit 1 means PRIVATE in
 * an inline word and is part of the kind in a pointer: test sv_is_inline
 * before sv_kind. */
#define SV_TAG_INT 0x1u
#define SV_TAG_PRIVATE 0x2u
#define SV_KIND_MASK 0x6u
#define SV_KIND_RAW 0x0u            /* fr_str */
#define SV_KIND_EMBSTR 0x2u         /* sv_emb */
#define SV_KIND_INTTEXT 0x4u        /* fr_str: int-encoded, too wide to inline */
#define SV_INLINE_MIN (INTPTR_MIN / 4)
#define SV_INLINE_MAX (INTPTR_MAX / 4)

static inline int sv_is_inline(const void *p) {
    return ((uintptr_t)p & SV_TAG_INT) != 0;
}
static inline int sv_fits_inline(long long v) {
    return v >= SV_INLINE_MIN && v <= SV_INLINE_MAX;
}
static inline void *sv_inline_make(long long v, int private_int) {
    uintptr_t w = ((uintptr_t)(intptr_t)v << 2) | SV_TAG_INT;
    if (private_int) w |= SV_TAG_PRIVATE;
    return (void *)w;
}
static inline long long sv_inline_value(const void *p) {
    /* The word minus its tag bits is exactly 4*v: divide rather than shift,
     * so negative values need no arithmetic-shift assumption. */
    return (long long)((intptr_t)((uintptr_t)p & ~(uintptr_t)3) / 4);
}
static inline int sv_inline_private(const void *p) {
    return ((uintptr_t)p & SV_TAG_PRIVATE) != 0;
}
static inline unsigned sv_kind(const void *p) {
    return (unsigned)((uintptr_t)p & SV_KIND_MASK);
}
static inline void *sv_untag(const void *p) {
    return (void *)((uintptr_t)p & ~(uintptr_t)7);
}
static inline void *sv_tag(void *s, unsigned kind) {
    return (void *)((uintptr_t)s | kind);
}

/* ---- Compact embstr block ----------------------------------------------
 * What an SV_KIND_EMBSTR word points to: a length byte, the bytes and a NUL,
 * allocated at sv_emb_size(len) bytes (at most 46).  A 32-byte value takes
 * 34 bytes (jemalloc's 48 class) where an fr_str takes 49 (64 class).  The
 * struct itself has alignment 1; the tag bits need the allocator's. */
typedef struct sv_emb {
    unsigned char len;  /* <= SR_EMBSTR_LIMIT */
    char buf[];         /* len bytes, then '\0' */
} sv_emb;
_Static_assert(SR_EMBSTR_LIMIT <= UCHAR_MAX, "embstr length fits one byte");
_Static_assert(sizeof(sv_emb) == 1, "no padding before the bytes");

/* Bytes to allocate: 1 + len + 1, but at least SV_EMB_MIN_ALLOC.  The tagged
 * word points SV_KIND_EMBSTR (2) bytes into the block, which for the empty
 * string (2 bytes) would be past its end, where leak checkers (LSan,
 * valgrind) stop seeing a reference.  jemalloc's smallest class is 8 bytes,
 * so the floor costs nothing. */
#define SV_EMB_MIN_ALLOC 8
static inline size_t sv_emb_size(size_t len) {
    size_t n = sizeof(sv_emb) + len + 1;
    return n < SV_EMB_MIN_ALLOC ? SV_EMB_MIN_ALLOC : n;
}
/* Fill `block` (sv_emb_size(len) bytes) with p[0..len) and the NUL; len must
 * be <= SR_EMBSTR_LIMIT.  Returns the block as an sv_emb. */
sv_emb *sv_emb_init(void *block, const char *p, size_t len);

/* ---- Numbers ------------------------------------------------------------ */
/* Redis's strict integer syntax: optional '-', no '+', no spaces, no leading
 * zeros, "-0" refused, must fit a long long.  1 ok, 0 not an integer. */
int sr_str2ll(const char *s, size_t len, long long *out);
/* Decimal text of v into buf (>= SR_LL_CHARS bytes, NUL added); returns len. */
int sr_ll2str(char *buf, long long v);
/* Number of bytes sr_ll2str would write for v. */
int sr_ll_len(long long v);

/* ---- Encoding choice (tryObjectEncoding's outcome) ---------------------- */
enum sr_enc { SR_ENC_RAW = 0, SR_ENC_EMBSTR = 1, SR_ENC_INT = 2 };
/* How Redis would store these bytes as a key's value; for SR_ENC_INT the
 * integer is written to *ival. */
enum sr_enc sr_classify(const char *s, size_t len, long long *ival);
/* Encoding of a string created verbatim (no integer attempt): embstr when it
 * is short, raw otherwise (INCRBYFLOAT results, COPY of strings). */
static inline enum sr_enc sr_plain_enc(size_t len) {
    return len <= SR_EMBSTR_LIMIT ? SR_ENC_EMBSTR : SR_ENC_RAW;
}

/* ---- Sizes and ranges --------------------------------------------------- */
/* checkStringLength: 1 when size+append stays within max without wrapping. */
int sr_size_ok(long long size, long long append, long long max);
/* GETRANGE/SUBSTR index rules: 1 and the byte span if non-empty, 0 if the
 * reply is the empty string. */
int sr_range(long long start, long long end, size_t len, size_t *from,
             size_t *count);

/* ---- SET / GETEX option grammar ----------------------------------------- */
#define SR_OPT_NX (1 << 0)
#define SR_OPT_XX (1 << 1)
#define SR_OPT_EX (1 << 2)
#define SR_OPT_PX (1 << 3)
#define SR_OPT_KEEPTTL (1 << 4)
#define SR_OPT_GET (1 << 5)
#define SR_OPT_EXAT (1 << 6)
#define SR_OPT_PXAT (1 << 7)
#define SR_OPT_PERSIST (1 << 8)
#define SR_OPT_ANY_EXPIRE (SR_OPT_EX | SR_OPT_PX | SR_OPT_EXAT | SR_OPT_PXAT)

typedef struct sr_str_opts {
    int flags;       /* SR_OPT_* */
    int expire_arg;  /* argv index of the expire value, -1 without one */
} sr_str_opts;

/* Parse argv[first..argc) (NUL-terminated strings, compared as C strings the
 * way Redis does).  `getex` selects GETEX's grammar (PERSIST; no NX/XX/GET/
 * KEEPTTL) instead of SET's.  0 ok, -1 syntax error. */
int sr_parse_str_opts(const char *const *argv, int argc, int first, int getex,
                      sr_str_opts *o);

/* Turn a user expire value into an absolute unix time in ms.  `seconds`:
 * the value is in seconds; `relative`: EX/PX (add now_ms).  0 ok, -1 when
 * Redis says "invalid expire time" (non-positive, or overflow). */
int sr_expire_abs_ms(long long v, int seconds, int relative, long long now_ms,
                     long long *out);

/* ---- LCS ------------------------------------------------------------------ */
enum sr_lcs_check {
    SR_LCS_OK = 0,
    SR_LCS_TOO_LONG,   /* "String too long for LCS" */
    SR_LCS_EXCEEDS,    /* table larger than max_bytes */
    SR_LCS_OVERFLOW    /* table size not representable */
};
/* Validate input lengths and the DP table size ((alen+1)*(blen+1) uint32
 * cells) against max_bytes; *bytes gets the table size when representable. */
enum sr_lcs_check sr_lcs_check(size_t alen, size_t blen,
                               unsigned long long max_bytes,
                               unsigned long long *bytes);
/* Length of the LCS using one row of blen+1 cells of scratch. */
uint32_t sr_lcs_len(const char *a, uint32_t alen, const char *b, uint32_t blen,
                    uint32_t *row);
/* Fill the full table (alen+1)*(blen+1); returns the LCS length. */
uint32_t sr_lcs_fill(const char *a, uint32_t alen, const char *b,
                     uint32_t blen, uint32_t *tab);
/* One matched run: a[a0..a1] equals b[b0..b1], len = a1-a0+1. */
typedef void (*sr_lcs_emit_fn)(void *priv, uint32_t a0, uint32_t a1,
                               uint32_t b0, uint32_t b1, uint32_t len);
/* Walk a filled table back from the end, as Redis does: writes the LCS into
 * out (room for the LCS length; may be NULL) and reports each matched run,
 * last run first, whose length is >= minmatch (0: all runs; emit may be
 * NULL). */
void sr_lcs_walk(const char *a, uint32_t alen, const char *b, uint32_t blen,
                 const uint32_t *tab, char *out, long long minmatch,
                 sr_lcs_emit_fn emit, void *priv);

#endif /* FR_STR_PURE_H */

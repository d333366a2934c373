/* lua_struct.c -- binary packing for scripts: the `struct` library of
 * Redis 7.0's Lua (Roberto Ierusalimschy's struct 1.7 as Redis embeds
 * it, with Redis's bounds checks), written anew for the system Lua 5.1.
 *
 * A format is a C string of options:
 *   >  <       big / little endian from here on (the default is the
 *              host's); there is no '=' (an invalid option, as in Redis)
 *   ![n]       maximum alignment n (a power of 2; default 8 here)
 *   x          one padding byte
 *   b B h H l L T   signed/unsigned char, short, long and size_t
 *   i[n] I[n]  signed/unsigned integer of n bytes (default 4, at most 32)
 *   c[n]       n bytes of string; pack: c0 = the whole string; unpack: c0
 *              = as many bytes as the number read just before says
 *   s          zero-terminated string
 *   f d        float, double
 *   ' '        ignored
 * Anything else is "invalid format option" (struct.size skips unknown
 * letters and digits, as Redis's does).
 *
 * The results of edge cases follow Redis's build on x86-64 exactly:
 * numbers out of an integer's range convert as the host's conversions
 * give (NaN and anything below -2^63 give 0x8000000000000000, 2^64 and
 * above give 0); integers wider than 8 bytes carry at most 8 significant
 * bytes, zero-filled when packed, and when unpacked signed their sign
 * mask is shifted by (8*n-1) mod 64.  The security checks Redis added
 * (CVE-2018-11218/11219: size overflow in a format's counts, reads past
 * the data, offsets below 1) are here, with Redis's messages. */
#include "lua_struct.h"

#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ST_MAX_INT_SIZE 32
#define ST_MAX_ALIGN 8      /* a double's alignment in a struct on x86-64 */

typedef struct st_opts {
    int little;     /* byte order of integers, floats and doubles */
    int align;      /* maximum alignment (! option) */
} st_opts;

static int host_little(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static void default_opts(st_opts *o)
{
    o->little = host_little();
    o->align = 1;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The decimal count after an option, or dflt when there is none. */
static int read_count(lua_State *L, const char **fmt, int dflt)
{
    if (!is_digit((unsigned char)**fmt)) return dflt;
    int n = 0;
    while (is_digit((unsigned char)**fmt)) {
        int digit = **fmt - '0';
        if (n > INT_MAX / 10 || n * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
        n = n * 10 + digit;
        (*fmt)++;
    }
    return n;
}

/* Bytes an option takes (0 for controls, 's' and unknown options);
 * consumes the count of 'c', 'i' and 'I'. */
static size_t item_size(lua_State *L, int opt, const char **fmt)
{
    switch (opt) {
    case 'b': case 'B': case 'x': return 1;
    case 'h': case 'H': return sizeof(short);
    case 'l': case 'L': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'c': return (size_t)read_count(L, fmt, 1);
    case 'i': case 'I': {
        int n = read_count(L, fmt, (int)sizeof(int));
        if (n > ST_MAX_INT_SIZE)
            luaL_error(L, "integral size %d is larger than limit of %d", n, ST_MAX_INT_SIZE);
        return (size_t)n;
    }
    default: return 0;
    }
}

/* Padding before an item of `size` bytes at offset `at`: items align to
 * their size, capped by the ! option; strings never align.  (The mask
 * arithmetic is Redis's, also for sizes that are not powers of 2.) */
static size_t padding(size_t at, const st_opts *o, int opt, size_t size)
{
    if (size == 0 || opt == 'c') return 0;
    if (size > (size_t)o->align) size = (size_t)o->align;
    return (size_t)(int)((size - (at & (size - 1))) & (size - 1));
}

/* Endianness, alignment and blanks; any other option is an error. */
static void apply_control(lua_State *L, int opt, const char **fmt, st_opts *o)
{
    switch (opt) {
    case ' ': return;
    case '>': o->little = 0; return;
    case '<': o->little = 1; return;
    case '!': {
        int a = read_count(L, fmt, ST_MAX_ALIGN);
        if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
        o->align = a;
        return;
    }
    default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    }
}

/* The 64 bits a Lua number packs to, as the host's double -> long and
 * double -> unsigned long conversions give them. */
static uint64_t number_bits(lua_Number n)
{
    if (n < 0) return n >= -9223372036854775808.0 ? (uint64_t)(int64_t)n : UINT64_C(0x8000000000000000);
    if (isnan(n)) return UINT64_C(0x8000000000000000);
    if (n < 9223372036854775808.0) return (uint64_t)(int64_t)n;
    if (n < 18446744073709551616.0) return (uint64_t)n;
    return 0;
}

/* Native bytes of a float or double, put in the requested order. */
static void order_bytes(unsigned char *b, size_t n, int little)
{
    if (little == host_little()) return;
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        unsigned char t = b[i];
        b[i] = b[j];
        b[j] = t;
    }
}

/* A float ('f') or a double ('d') read from its bytes in the format's
 * byte order. */
static lua_Number unpack_float(const unsigned char *p, int is_float, int little)
{
    if (is_float) {
        float f;
        memcpy(&f, p, sizeof f);
        order_bytes((unsigned char *)&f, sizeof f, little);
        return f;
    }
    double d;
    memcpy(&d, p, sizeof d);
    order_bytes((unsigned char *)&d, sizeof d, little);
    return d;
}

static void pack_int(lua_State *L, luaL_Buffer *b, int arg, int little, size_t size)
{
    uint64_t v = number_bits(luaL_checknumber(L, arg));
    unsigned char out[ST_MAX_INT_SIZE];
    for (size_t i = 0; i < size; i++) {
        out[little ? i : size - 1 - i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    luaL_addlstring(b, (const char *)out, size);
}

/* struct.pack(fmt, v1, ...) */
static int st_pack(lua_State *L)
{
    const char *fmt = luaL_checkstring(L, 1);
    st_opts o;
    int arg = 2;
    size_t total = 0;
    luaL_Buffer b;
    default_opts(&o);
    lua_pushnil(L);    /* keeps the buffer's pieces apart from the arguments */
    luaL_buffinit(L, &b);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = item_size(L, opt, &fmt);
        size_t pad = padding(total, &o, opt, size);
        total += pad;
        while (pad-- > 0) luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            pack_int(L, &b, arg++, o.little, size);
            break;
        case 'x':
            luaL_addchar(&b, '\0');
            break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            order_bytes((unsigned char *)&f, sizeof f, o.little);
            luaL_addlstring(&b, (const char *)&f, sizeof f);
            break;
        }
        case 'd': {
            double d = luaL_checknumber(L, arg++);
            order_bytes((unsigned char *)&d, sizeof d, o.little);
            luaL_addlstring(&b, (const char *)&d, sizeof d);
            break;
        }
        case 'c': case 's': {
            size_t len;
            const char *s = luaL_checklstring(L, arg++, &len);
            if (size == 0) size = len;
            /* (Redis names the argument after the string's.) */
            luaL_argcheck(L, len >= size, arg, "string too short");
            luaL_addlstring(&b, s, size);
            if (opt == 's') {
                luaL_addchar(&b, '\0');
                size++;
            }
            break;
        }
        default:
            apply_control(L, opt, &fmt, &o);
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

/* An integer of `size` bytes; signed ones sign-extend from their top bit
 * (the shift taken mod 64, as the host's shift instruction does). */
static lua_Number unpack_int(const unsigned char *p, int little, int is_signed, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++) v = (v << 8) | p[little ? size - 1 - i : i];
    if (!is_signed) return (lua_Number)v;
    uint64_t mask = ~UINT64_C(0) << ((unsigned)((int)size * 8 - 1) & 63);
    if (v & mask) v |= mask;
    return (lua_Number)(int64_t)v;
}

static void need_data(lua_State *L, size_t pos, size_t size, size_t len)
{
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
}

/* struct.unpack(fmt, data [, pos]): the values, then the position after
 * them (1-based). */
static int st_unpack(lua_State *L)
{
    const char *fmt = luaL_checkstring(L, 1);
    size_t len;
    const unsigned char *data = (const unsigned char *)luaL_checklstring(L, 2, &len);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    int n = 0;
    st_opts o;
    default_opts(&o);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = item_size(L, opt, &fmt);
        pos += padding(pos, &o, opt, size);
        need_data(L, pos, size, len);
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            lua_pushnumber(L, unpack_int(data + pos, o.little, opt >= 'a', size));
            n++;
            break;
        case 'x':
            break;
        case 'f': case 'd':
            lua_pushnumber(L, unpack_float(data + pos, opt == 'f', o.little));
            n++;
            break;
        case 'c':
            if (size == 0) {
                if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
                size = (size_t)number_bits(lua_tonumber(L, -1));
                lua_pop(L, 1);
                n--;
                need_data(L, pos, size, len);
            }
            lua_pushlstring(L, (const char *)data + pos, size);
            n++;
            break;
        case 's': {
            const unsigned char *end = memchr(data + pos, '\0', len - pos);
            if (!end) luaL_error(L, "unfinished string in data");
            size = (size_t)(end - (data + pos)) + 1;
            lua_pushlstring(L, (const char *)data + pos, size - 1);
            n++;
            break;
        }
        default:
            apply_control(L, opt, &fmt, &o);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)(pos + 1));
    return n + 1;
}

/* struct.size(fmt): the bytes a format packs to (no 's' nor 'c0'). */
static int st_size(lua_State *L)
{
    const char *fmt = luaL_checkstring(L, 1);
    size_t pos = 0;
    st_opts o;
    default_opts(&o);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = item_size(L, opt, &fmt);
        pos += padding(pos, &o, opt, size);
        if (opt == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!is_alnum((unsigned char)opt)) apply_control(L, opt, &fmt, &o);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

int fr_luaopen_struct(lua_State *L)
{
    static const luaL_Reg fns[] = {{"pack", st_pack}, {"unpack", st_unpack}, {"size", st_size}, {NULL, NULL}};
    luaL_register(L, "struct", fns);
    return 1;
}

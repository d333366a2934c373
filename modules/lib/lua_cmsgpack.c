/* lua_cmsgpack.c -- MessagePack for scripts: the `cmsgpack` library of
 * Redis 7.0's Lua (lua-cmsgpack 0.4.0 as Redis embeds it), written anew
 * for the system Lua 5.1.  The bytes it writes, the values it reads back
 * and the errors it raises are Redis's:
 *
 *  - a number that is a whole value within int64 is an integer of the
 *    smallest MessagePack width (fixint, u8/u16/u32/u64 when >= 0,
 *    i8/i16/i32/i64 when < 0); any other number is a float32 when the
 *    float keeps its exact value (infinities too), else a float64;
 *  - strings are str (fixstr, str8, str16, str32 headers; no bin type);
 *  - a table whose keys are exactly 1..n is an array (an empty table is
 *    an empty array), any other table a map in lua_next order; a table
 *    nested 16 levels down is written as nil (so cycles end);
 *  - functions, nil and the other types are nil;
 *  - decoding accepts those types plus fixarray/fixmap/array/map, and
 *    reads u64 through a signed 64-bit integer, as Redis does (so
 *    0xcf ff..ff reads -1); bin, ext and 0xc1 are "Bad data format".
 *
 * Stack discipline mirrors Redis's so the same inputs hit the same Lua
 * stack limits with the same messages (luaL_checkstack texts included).
 *
 * Ownership: pack writes into one growable byte buffer per library
 * instance, held as a userdata upvalue of the functions (freed by its
 * __gc when the state closes), so an error thrown halfway through an
 * encode leaks nothing; a buffer that grew big is released after use.
 * Encoding never runs Lua code (raw reads only), so it cannot re-enter. */
#include "lua_cmsgpack.h"

#include <float.h>
#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MP_MAX_NESTING 16
#define MP_KEEP_CAP (64 * 1024)     /* buffers above this are freed after a pack */
#define MP_BUF_META "fr.cmsgpack.buffer"

/* ------------------------------------------------------------ the buffer */

typedef struct mp_out {
    unsigned char *p;
    size_t len, cap;
} mp_out;

static int mp_out_gc(lua_State *L)
{
    mp_out *o = lua_touserdata(L, 1);
    free(o->p);
    o->p = NULL;
    o->len = o->cap = 0;
    return 0;
}

static void mp_out_add(lua_State *L, mp_out *o, const void *src, size_t n)
{
    if (o->cap - o->len < n) {
        size_t want = o->len + n;
        if (want < o->len || want > SIZE_MAX / 2) luaL_error(L, "not enough memory");
        unsigned char *np = realloc(o->p, want * 2);
        if (!np) luaL_error(L, "not enough memory");
        o->p = np;
        o->cap = want * 2;
    }
    memcpy(o->p + o->len, src, n);
    o->len += n;
}

/* A tag byte followed by the low `width` bytes of v, most significant
 * first (MessagePack is big endian). */
static void mp_out_tagged(lua_State *L, mp_out *o, unsigned char tag, uint64_t v, int width)
{
    unsigned char b[9];
    b[0] = tag;
    for (int i = 0; i < width; i++) b[1 + i] = (unsigned char)(v >> (8 * (width - 1 - i)));
    mp_out_add(L, o, b, 1 + (size_t)width);
}

/* ------------------------------------------------------------- encoding */

static int whole_int64(double n)
{
    return n >= -9223372036854775808.0 && n < 9223372036854775808.0 && (double)(int64_t)n == n;
}

static int whole_positive_int(double n)
{
    return n > 0 && n <= INT_MAX && (double)(int)n == n;
}

/* Exactly a float32: infinities are, NaN and anything out of range is not. */
static int exact_float(double d)
{
    if (isnan(d)) return 0;
    if (isinf(d)) return 1;
    if (fabs(d) > FLT_MAX) return 0;
    return (double)(float)d == d;
}

static void put_int(lua_State *L, mp_out *o, int64_t n)
{
    uint64_t u = (uint64_t)n;
    if (n >= 0) {
        if (n <= 0x7f) mp_out_tagged(L, o, (unsigned char)n, 0, 0);
        else if (n <= 0xff) mp_out_tagged(L, o, 0xcc, u, 1);
        else if (n <= 0xffff) mp_out_tagged(L, o, 0xcd, u, 2);
        else if (n <= 0xffffffffLL) mp_out_tagged(L, o, 0xce, u, 4);
        else mp_out_tagged(L, o, 0xcf, u, 8);
    } else {
        if (n >= -32) mp_out_tagged(L, o, (unsigned char)(u & 0xff), 0, 0);
        else if (n >= -128) mp_out_tagged(L, o, 0xd0, u, 1);
        else if (n >= -32768) mp_out_tagged(L, o, 0xd1, u, 2);
        else if (n >= -2147483648LL) mp_out_tagged(L, o, 0xd2, u, 4);
        else mp_out_tagged(L, o, 0xd3, u, 8);
    }
}

static void put_number(lua_State *L, mp_out *o, double d)
{
    if (whole_int64(d)) {
        put_int(L, o, (int64_t)d);
    } else if (exact_float(d)) {
        float f = (float)d;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        mp_out_tagged(L, o, 0xca, bits, 4);
    } else {
        uint64_t bits;
        memcpy(&bits, &d, 8);
        mp_out_tagged(L, o, 0xcb, bits, 8);
    }
}

static void put_str(lua_State *L, mp_out *o, const char *s, size_t len)
{
    if (len < 32) mp_out_tagged(L, o, (unsigned char)(0xa0 | len), 0, 0);
    else if (len <= 0xff) mp_out_tagged(L, o, 0xd9, len, 1);
    else if (len <= 0xffff) mp_out_tagged(L, o, 0xda, len, 2);
    else mp_out_tagged(L, o, 0xdb, len, 4);
    mp_out_add(L, o, s, len);
}

/* Array and map headers share their shape: fix (<= 15), 16-bit, 32-bit. */
static void put_container(lua_State *L, mp_out *o, unsigned char fix, unsigned char tag16, size_t n)
{
    if (n <= 15) mp_out_tagged(L, o, (unsigned char)(fix | n), 0, 0);
    else if (n <= 0xffff) mp_out_tagged(L, o, tag16, n, 2);
    else mp_out_tagged(L, o, (unsigned char)(tag16 + 1), n, 4);
}

static void put_value(lua_State *L, mp_out *o, int level);

/* Keys exactly 1..count (positive whole numbers within int, no hole). */
static int keys_are_sequence(lua_State *L)
{
    int top = lua_gettop(L), count = 0, max = 0;
    luaL_checkstack(L, 2, "in function table_is_an_array");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        double k;
        if (lua_type(L, -1) != LUA_TNUMBER || !whole_positive_int(k = lua_tonumber(L, -1))) {
            lua_settop(L, top);
            return 0;
        }
        if ((int)k > max) max = (int)k;
        count++;
    }
    lua_settop(L, top);
    return max == count;
}

static void put_array(lua_State *L, mp_out *o, int level)
{
    size_t n = lua_objlen(L, -1);
    put_container(L, o, 0x90, 0xdc, n);
    luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (int)i);
        put_value(L, o, level + 1);
    }
}

static void put_map(lua_State *L, mp_out *o, int level)
{
    size_t n = 0;
    luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        n++;
    }
    put_container(L, o, 0x80, 0xde, n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        put_value(L, o, level + 1);    /* the key's copy */
        put_value(L, o, level + 1);    /* the value */
    }
}

/* Writes the value on top of the stack and pops it. */
static void put_value(lua_State *L, mp_out *o, int level)
{
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE && level == MP_MAX_NESTING) t = LUA_TNIL;
    switch (t) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        put_str(L, o, s, len);
        break;
    }
    case LUA_TBOOLEAN:
        mp_out_tagged(L, o, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0);
        break;
    case LUA_TNUMBER:
        put_number(L, o, lua_tonumber(L, -1));
        break;
    case LUA_TTABLE:
        if (keys_are_sequence(L)) put_array(L, o, level);
        else put_map(L, o, level);
        break;
    default:
        mp_out_tagged(L, o, 0xc0, 0, 0);
        break;
    }
    lua_pop(L, 1);
}

/* cmsgpack.pack(v1, ...): the encodings of every argument, one after the
 * other (each encoded alone, then joined, as Redis does). */
static int mp_pack(lua_State *L)
{
    int nargs = lua_gettop(L);
    if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
    if (!lua_checkstack(L, nargs)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
    mp_out *o = lua_touserdata(L, lua_upvalueindex(1));
    for (int i = 1; i <= nargs; i++) {
        o->len = 0;
        luaL_checkstack(L, 1, "in function mp_check");
        lua_pushvalue(L, i);
        put_value(L, o, 0);
        lua_pushlstring(L, (const char *)o->p, o->len);
    }
    o->len = 0;
    if (o->cap > MP_KEEP_CAP) {
        free(o->p);
        o->p = NULL;
        o->cap = 0;
    }
    lua_concat(L, nargs);
    return 1;
}

/* ------------------------------------------------------------- decoding */

enum { MP_OK, MP_SHORT, MP_BADFMT };

typedef struct mp_in {
    const unsigned char *p;
    size_t left;
    int err;
} mp_in;

static uint64_t be_read(const unsigned char *p, int width)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++) v = (v << 8) | p[i];
    return v;
}

/* True (and the cursor marked short) when fewer than n bytes are left. */
static int short_of(mp_in *in, size_t n)
{
    if (in->left >= n) return 0;
    in->err = MP_SHORT;
    return 1;
}

static void skip(mp_in *in, size_t n)
{
    in->p += n;
    in->left -= n;
}

static void get_value(lua_State *L, mp_in *in);

static void get_array(lua_State *L, mp_in *in, size_t n)
{
    lua_newtable(L);
    luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
    for (size_t i = 1; i <= n; i++) {
        lua_pushnumber(L, (lua_Number)i);
        get_value(L, in);
        if (in->err) return;
        lua_settable(L, -3);
    }
}

static void get_map(lua_State *L, mp_in *in, size_t n)
{
    lua_newtable(L);
    while (n--) {
        get_value(L, in);
        if (in->err) return;
        get_value(L, in);
        if (in->err) return;
        lua_settable(L, -3);    /* a nil or NaN key raises Lua's error */
    }
}

/* A header of `hdr` bytes (the tag, then a `width`-byte length). */
static int get_len(mp_in *in, size_t hdr, int width, size_t *len)
{
    if (short_of(in, hdr)) return 0;
    *len = (size_t)be_read(in->p + 1, width);
    return 1;
}

/* A string of `len` bytes after a `hdr`-byte header. */
static void get_str_body(lua_State *L, mp_in *in, size_t hdr, size_t len)
{
    if (short_of(in, hdr + len)) return;
    lua_pushlstring(L, (const char *)in->p + hdr, len);
    skip(in, hdr + len);
}

static void get_str(lua_State *L, mp_in *in, size_t hdr, int width)
{
    size_t len;
    if (get_len(in, hdr, width, &len)) get_str_body(L, in, hdr, len);
}

/* An array or map of a length read from a `hdr`-byte header. */
static void get_container(lua_State *L, mp_in *in, size_t hdr, int width, int map)
{
    size_t n;
    if (!get_len(in, hdr, width, &n)) return;
    skip(in, hdr);
    if (map) get_map(L, in, n);
    else get_array(L, in, n);
}

static int get_fixed(lua_State *L, mp_in *in, unsigned char tag)
{
    switch (tag) {
    case 0xc0: lua_pushnil(L); break;
    case 0xc2: lua_pushboolean(L, 0); break;
    case 0xc3: lua_pushboolean(L, 1); break;
    default: return 0;
    }
    skip(in, 1);
    return 1;
}

/* Fixed-width numbers: tag, payload width.  u64 goes through lua_Integer
 * (signed) as in Redis; i64 is converted straight to a double. */
static int get_number(lua_State *L, mp_in *in, unsigned char tag)
{
    int width;
    switch (tag) {
    case 0xcc: case 0xd0: width = 1; break;
    case 0xcd: case 0xd1: width = 2; break;
    case 0xce: case 0xd2: case 0xca: width = 4; break;
    case 0xcf: case 0xd3: case 0xcb: width = 8; break;
    default: return 0;
    }
    if (short_of(in, 1 + (size_t)width)) return 1;
    uint64_t v = be_read(in->p + 1, width);
    switch (tag) {
    case 0xd0: lua_pushinteger(L, (int8_t)v); break;
    case 0xd1: lua_pushinteger(L, (int16_t)v); break;
    case 0xd2: lua_pushinteger(L, (int32_t)v); break;
    case 0xd3: lua_pushnumber(L, (lua_Number)(int64_t)v); break;
    case 0xcf: lua_pushinteger(L, (lua_Integer)(int64_t)v); break;
    case 0xca: {
        uint32_t bits = (uint32_t)v;
        float f;
        memcpy(&f, &bits, 4);
        lua_pushnumber(L, f);
        break;
    }
    case 0xcb: {
        double d;
        memcpy(&d, &v, 8);
        lua_pushnumber(L, d);
        break;
    }
    default: lua_pushinteger(L, (lua_Integer)v); break;    /* u8, u16, u32 */
    }
    skip(in, 1 + (size_t)width);
    return 1;
}

static int get_sized(lua_State *L, mp_in *in, unsigned char tag)
{
    switch (tag) {
    case 0xd9: get_str(L, in, 2, 1); return 1;
    case 0xda: get_str(L, in, 3, 2); return 1;
    case 0xdb: get_str(L, in, 5, 4); return 1;
    case 0xdc: get_container(L, in, 3, 2, 0); return 1;
    case 0xdd: get_container(L, in, 5, 4, 0); return 1;
    case 0xde: get_container(L, in, 3, 2, 1); return 1;
    case 0xdf: get_container(L, in, 5, 4, 1); return 1;
    default: return 0;
    }
}

/* Tags that carry their value or length in the tag byte itself. */
static void get_packed_tag(lua_State *L, mp_in *in, unsigned char tag)
{
    if (tag < 0x80) {
        lua_pushinteger(L, tag);
        skip(in, 1);
    } else if (tag >= 0xe0) {
        lua_pushinteger(L, (int8_t)tag);
        skip(in, 1);
    } else if ((tag & 0xe0) == 0xa0) {
        get_str_body(L, in, 1, tag & 0x1f);
    } else if ((tag & 0xf0) == 0x90) {
        skip(in, 1);
        get_array(L, in, tag & 0x0f);
    } else if ((tag & 0xf0) == 0x80) {
        skip(in, 1);
        get_map(L, in, tag & 0x0f);
    } else {
        in->err = MP_BADFMT;
    }
}

/* Reads one value and leaves it on the stack (or sets in->err). */
static void get_value(lua_State *L, mp_in *in)
{
    if (short_of(in, 1)) return;
    luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
    unsigned char tag = in->p[0];
    if (get_fixed(L, in, tag) || get_number(L, in, tag) || get_sized(L, in, tag)) return;
    get_packed_tag(L, in, tag);
}

/* Decodes up to `limit` values from byte `offset` of argument 1; with
 * neither limit nor offset, every value and no offset result.  Otherwise
 * the next offset (-1 once the input is used up) comes first. */
static int unpack_from(lua_State *L, lua_Integer limit, lua_Integer offset)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int all = !limit && !offset;
    /* (Redis's text prints the input length where it says limit.) */
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", (int)offset, (int)len);
    if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset, (int)len);
    if (all) limit = INT_MAX;
    mp_in in = {(const unsigned char *)s + offset, len - (size_t)offset, MP_OK};
    int count = 0;
    while (in.left > 0 && count < limit) {
        get_value(L, &in);
        if (in.err == MP_SHORT) return luaL_error(L, "Missing bytes in input.");
        if (in.err == MP_BADFMT) return luaL_error(L, "Bad data format in input.");
        count++;
    }
    if (all) return count;
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, in.left == 0 ? -1 : (lua_Integer)(len - in.left));
    lua_insert(L, 2);
    return count + 1;
}

static int mp_unpack(lua_State *L)
{
    return unpack_from(L, 0, 0);
}

static int mp_unpack_one(lua_State *L)
{
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    lua_pop(L, lua_gettop(L) - 1);    /* keeps "no value" when there was none */
    return unpack_from(L, 1, offset);
}

static int mp_unpack_limit(lua_State *L)
{
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_from(L, limit, offset);
}

/* ---------------------------------------------------------------- open */

int fr_luaopen_cmsgpack(lua_State *L)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = {{"pack", mp_pack}, {"unpack", mp_unpack}, {"unpack_one", mp_unpack_one},
               {"unpack_limit", mp_unpack_limit}};
    lua_newtable(L);
    mp_out *o = lua_newuserdata(L, sizeof *o);
    o->p = NULL;
    o->len = o->cap = 0;
    if (luaL_newmetatable(L, MP_BUF_META)) {
        lua_pushcfunction(L, mp_out_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        lua_pushvalue(L, -1);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setfield(L, -3, fns[i].name);
    }
    lua_pop(L, 1);
    lua_pushliteral(L, "cmsgpack");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "lua-cmsgpack 0.4.0");
    lua_setfield(L, -2, "_VERSION");
    lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
    lua_setfield(L, -2, "_COPYRIGHT");
    lua_pushliteral(L, "MessagePack C implementation for Lua");
    lua_setfield(L, -2, "_DESCRIPTION");
    lua_pushvalue(L, -1);
    lua_setglobal(L, "cmsgpack");
    return 1;
}

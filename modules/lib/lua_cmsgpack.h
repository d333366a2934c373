/* lua_cmsgpack.h -- the `cmsgpack` Lua library Redis 7.0 gives scripts
 * (MessagePack: pack, unpack, unpack_one, unpack_limit), written for
 * FrankenRedis's Lua engine; see lua_cmsgpack.c. */
#ifndef FR_LUA_CMSGPACK_H
#define FR_LUA_CMSGPACK_H

#include <lua.h>

/* Lua 5.1 opener: builds the library table, sets the global `cmsgpack`
 * and leaves the table on the stack (returns 1). */
int fr_luaopen_cmsgpack(lua_State *L);

#endif

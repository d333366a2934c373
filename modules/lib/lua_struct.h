/* lua_struct.h -- the `struct` Lua library Redis 7.0 gives scripts
 * (binary packing: struct.pack, struct.unpack, struct.size), written for
 * FrankenRedis's Lua engine; see lua_struct.c. */
#ifndef FR_LUA_STRUCT_H
#define FR_LUA_STRUCT_H

#include <lua.h>

/* Lua 5.1 opener: registers the global `struct` table and leaves it on
 * the stack (returns 1). */
int fr_luaopen_struct(lua_State *L);

#endif

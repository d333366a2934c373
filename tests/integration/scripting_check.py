#!/usr/bin/env python3
"""scripting_check.py -- EVAL / SCRIPT / FUNCTION against redis-server,
byte for byte.

  scripting_check.py same PORT_FR PORT_REDIS
      runs the corpus below on both servers, one connection each, in
      order (RESP2, then the same scripts again after HELLO 3): every raw
      reply must be identical, error texts included
  scripting_check.py busy PORT_FR PORT_REDIS
      a script past busy-reply-threshold: other clients get -BUSY, SCRIPT
      KILL stops it, the killed script's caller gets the error

Each check prints `PASS name` or `FAIL name: why`.  Standard library only.
"""
import socket
import sys
import threading
import time

from wire import Raw


E = "EVAL"
# calls / rejected / failed of a few commands, errorstats and the total,
# read by a script from INFO (its order and timings left out)
STATS_SCRIPT = """
local info = redis.call('info', 'commandstats') .. redis.call('info', 'errorstats') .. redis.call('info', 'stats')
local out = {}
for _, c in ipairs({'eval', 'exec', 'select', 'get', 'debug'}) do
    local line = string.match(info, 'cmdstat_' .. c .. ':[^\\r]*') or ''
    out[#out + 1] = c .. ' ' .. string.gsub(line, 'usec=%d+,usec_per_call=[%d.]+,', '')
end
for _, e in ipairs({'ERR', 'MY'}) do
    out[#out + 1] = e .. ' ' .. (string.match(info, 'errorstat_' .. e .. ':count=(%d+)') or '-')
end
out[#out + 1] = string.match(info, 'total_error_replies:(%d+)')
return out
"""
CORPUS = [
    # conversions Lua -> reply
    [E, "return 1", 0],
    [E, "return 3.99", 0],
    [E, "return -7.5", 0],
    [E, "return 'hello'", 0],
    [E, "return true", 0],
    [E, "return false", 0],
    [E, "return nil", 0],
    [E, "return {1,2,3,'x',{4,5}}", 0],
    [E, "return {1,2,nil,4}", 0],
    [E, "return {}", 0],
    [E, "return {1,'a',{2,3},true,false}", 0],
    [E, "return {double=3.5}", 0],
    [E, "return {double=1/0}", 0],
    [E, "return {big_number='123456789012345678901234567890'}", 0],
    [E, "return {map={a=1}}", 0],
    [E, "return {set={a=true}}", 0],
    [E, "return {verbatim_string={format='txt', string='hi'}}", 0],
    [E, "return {err='X bad'}", 0],
    [E, "return {err='bad without code'}", 0],
    [E, "return {ok='FINE'}", 0],
    [E, "return redis.status_reply('FINE')", 0],
    [E, "return redis.error_reply('my err')", 0],
    [E, "return redis.error_reply('-MY err')", 0],
    [E, "return redis.error_reply(1)", 0],
    [E, "return redis.status_reply()", 0],
    [E, "return function() end", 0],
    # KEYS / ARGV
    [E, "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", 2, "k1", "k2", "a1", "a2"],
    [E, "return #KEYS + #ARGV", 1, "k", "a", "b"],
    [E, "return KEYS", 3, "a"],
    [E, "return KEYS", -1],
    [E, "return KEYS", "x"],
    [E, "return 1"],
    # redis.call and replies -> Lua
    [E, "return redis.call('set', KEYS[1], ARGV[1])", 1, "s", "val"],
    [E, "return redis.call('get', KEYS[1])", 1, "s"],
    [E, "return redis.call('get', 'nokey')", 0],
    [E, "return redis.call('incr', 'n')", 0],
    [E, "return redis.call('incrbyfloat', 'f', '1.5')", 0],
    [E, "return redis.call('rpush', 'l', 1, 2, 3.5)", 0],
    [E, "return redis.call('lrange', 'l', 0, -1)", 0],
    [E, "return redis.call('hset', 'h', 'a', 1, 'b', 2)", 0],
    [E, "return redis.call('hgetall', 'h')", 0],
    [E, "return redis.call('ping')", 0],
    [E, "return redis.pcall('ping')", 0],
    [E, "return type(redis.call('ping'))", 0],
    [E, "return redis.call('ping')['ok']", 0],
    [E, "return redis.call('blpop', 'emptylist', 0)", 0],
    [E, "return redis.call('zadd', 'z', 1, 'a', 2.5, 'b')", 0],
    [E, "return redis.call('zrange', 'z', 0, -1, 'withscores')", 0],
    [E, "return redis.call('exists', 's', 'n', 'nokey')", 0],
    [E, "return redis.call('select', 1)", 0],
    [E, "redis.call('select', 1) redis.call('set', 'indb1', 'x') return redis.call('dbsize')", 0],
    ["GET", "indb1"],
    ["SELECT", 1],
    ["GET", "indb1"],
    ["SELECT", 0],
    # errors from redis.call / pcall
    [E, "return redis.call('incr', 's')", 0],
    [E, "return redis.pcall('incr', 's')", 0],
    [E, "return redis.call('nosuch')", 0],
    [E, "return redis.call('get')", 0],
    [E, "return redis.call()", 0],
    [E, "return redis.call(1.5)", 0],
    [E, "return redis.call({})", 0],
    [E, "return redis.call('get', {})", 0],
    [E, "return redis.call('eval', 'return 1', 0)", 0],
    [E, "return redis.call('multi')", 0],
    [E, "return redis.call('subscribe', 'x')", 0],
    [E, "return redis.pcall('nosuch')", 0],
    [E, "return {pcall(function() redis.call('nosuch') end)}", 0],
    [E, "return {pcall(function() error('x') end)}", 0],
    [E, "return {pcall(function() error({err='TABLE x'}) end)}", 0],
    [E, "local ok, e = pcall(redis.call, 'incr', 's') return e", 0],
    [E, "return redis.call('lpush', 's', 'x')", 0],
    [E, "return redis.pcall('lpush', 's', 'x')", 0],
    # script errors
    [E, "error('boom')", 0],
    [E, "error({err='MY boom'})", 0],
    [E, "error()", 0],
    [E, "error(42)", 0],
    [E, "local t = nil; return t.x", 0],
    [E, "return foo(", 0],
    [E, "return 1 +", 0],
    [E, "\n\nerror('line 3')", 0],
    [E, "x=1", 0],
    [E, "return x", 0],
    [E, "redis.call=nil", 0],
    [E, "string.foo=1", 0],
    [E, "rawset(_G,'y',1) return y", 0],
    [E, "return type(setfenv)", 0],
    [E, "return type(getfenv)", 0],
    [E, "return type(print)", 0],
    [E, "return type(os)", 0],
    [E, "return type(debug)", 0],
    [E, "return type(newproxy)", 0],
    [E, "return type(dofile)", 0],
    [E, "return type(loadfile)", 0],
    [E, "return type(require)", 0],
    [E, "return type(module)", 0],
    [E, "return loadstring('return 1')()", 0],
    [E, "return loadstring(string.dump(function() return 1 end))", 0],
    [E, "local f = load('return 7') return f()", 0],
    [E, "local t=setmetatable({},{__index=function() return 5 end}) return t.x", 0],
    [E, "return _VERSION", 0],
    [E, "return redis.REDIS_VERSION", 0],
    [E, "return redis.REDIS_VERSION_NUM", 0],
    [E, "return redis.sha1hex('')", 0],
    [E, "return redis.sha1hex('abc')", 0],
    [E, "return redis.sha1hex()", 0],
    [E, "return cjson.encode({1,2,'x'})", 0],
    [E, "return cjson.decode('[1,2,3]')", 0],
    [E, "return cjson.decode('{\"a\":5}').a", 0],
    [E, "return bit.band(7,3)", 0],
    [E, "return bit.tohex(255)", 0],
    [E, "return bit.tohex(65535, -2147483648)", 0],
    [E, "return {bit.tohex(-1, -3), bit.tohex(1.5e10), bit.tohex(7, 12)}", 0],
    [E, "return table.concat({'a','b'}, ',')", 0],
    [E, "return string.format('%d-%s', 5, 'x')", 0],
    [E, "return math.floor(2.7)", 0],
    [E, "return tostring(math.random())", 0],
    [E, "math.randomseed(42) return {math.random(100), math.random(1,10)}", 0],
    [E, "redis.set_repl(redis.REPL_ALL) return 1", 0],
    [E, "redis.set_repl(99) return 1", 0],
    [E, "redis.set_repl() return 1", 0],
    [E, "return redis.replicate_commands()", 0],
    [E, "return redis.breakpoint()", 0],
    [E, "redis.debug('x') return 1", 0],
    [E, "redis.log(redis.LOG_WARNING, 'from a script') return 1", 0],
    [E, "return redis.log(99, 'x')", 0],
    [E, "return redis.log(1)", 0],
    [E, "return redis.log('x', 'y')", 0],
    [E, "return redis.setresp(4)", 0],
    [E, "return redis.setresp()", 0],
    [E, "redis.setresp(3) return redis.call('hgetall', 'h')", 0],
    [E, "redis.setresp(3) return redis.call('incrbyfloat', 'f', 0)", 0],
    [E, "redis.setresp(3) return redis.call('get', 'nokey')", 0],
    [E, "redis.setresp(3) return {redis.call('get', 'nokey')}", 0],
    [E, "redis.setresp(3) return true", 0],
    [E, "redis.setresp(3) return false", 0],
    [E, "redis.setresp(3) local r = redis.call('hgetall', 'h') return r['map']['a']", 0],
    [E, "return table.getn({1,2})", 0],
    [E, "return gcinfo() > 0", 0],
    [E, "return coroutine.running()", 0],
    [E, "return redis.acl_check_cmd('get', 'x')", 0],
    [E, "return redis.acl_check_cmd('nosuch')", 0],
    # the Debian CVE fixes' observable effects
    [E, "return {unpack({1,2,3}, -2, 2147483647)}", 0],
    [E, "return {unpack({1,2,3}, 0, 2147483647)}", 0],
    [E, "return {unpack({1,2,3}, -2147483648, -2)}", 0],
    [E, "return {unpack({1,2,3}, -1, -2)}", 0],
    [E, "return {unpack({1,2,3}, 2)}", 0],
    [E, "getmetatable('').__index = {} return 1", 0],
    [E, "getmetatable('').__index.upper = nil return 1", 0],
    [E, "return type(getmetatable(''))", 0],
    [E, "return ('x'):upper()", 0],
    [E, "return loadstring('return [=x')", 0],
    [E, "local f, e = loadstring('return [==[x]=]') return e", 0],
    [E, "setmetatable(_G, {}) return 1", 0],
    [E, "return getmetatable(_G)", 0],
    [E, "return tostring(getmetatable(redis))", 0],
    [E, "local t = setmetatable({}, {__metatable='no'}) return getmetatable(t)", 0],
    [E, "return setmetatable({}, 5)", 0],
    [E, "local g = getmetatable(_G) g.__index = {} return 1", 0],
    [E, "return {type(getmetatable(_G).__index), getmetatable(_G) == getmetatable(_G)}", 0],
    [E, "return getmetatable(_G).__index(_G, 'nope')", 0],
    # a set sorted BY a constant from a script comes out in ALPHA order
    ["SADD", "sortset", "b", "a", "c", "aa", "z", "m"],
    [E, "return redis.call('sort', KEYS[1], 'by', '_')", 1, "sortset"],
    [E, "return redis.call('sort', KEYS[1], 'by', '_', 'get', '#', 'get', '_:*')", 1, "sortset"],
    # DEBUG SET-DISABLE-DENY-SCRIPTS lets scripts run noscript commands
    [E, "return redis.call('debug', 'protocol', 'true')", 0],
    ["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"],
    [E, "return redis.call('debug', 'protocol', 'true')", 0],
    [E, "redis.setresp(3) return redis.call('debug', 'protocol', 'map')", 0],
    ["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"],
    [E, "return redis.call('debug', 'protocol', 'true')", 0],
    # shebang flags
    [E, "#!lua\nreturn 1", 0],
    [E, "#!lua flags=no-writes\nreturn redis.call('get', 's')", 0],
    [E, "#!lua flags=no-writes\nreturn redis.call('set', 's', 1)", 0],
    [E, "#!lua flags=no-writes,allow-oom\nreturn 2", 0],
    [E, "#!lua flags=bogus\nreturn 1", 0],
    [E, "#!lua name=x\nreturn 1", 0],
    [E, "#!python\nreturn 1", 0],
    [E, "#!lua", 0],
    [E, "#!lua flags=\nreturn 1", 0],
    [E, "#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\nreturn 3", 0],
    [E, "#!lua\nerror('on line 2')", 0],
    ["EVAL_RO", "return redis.call('get', 's')", 0],
    ["EVAL_RO", "return redis.call('set', 'a', 'b')", 0],
    ["EVAL_RO", "return redis.call('publish', 'c', 'm')", 0],
    ["EVAL_RO", "#!lua\nreturn 1", 0],
    ["EVAL_RO", "#!lua flags=no-writes\nreturn 1", 0],
    # EVALSHA and SCRIPT
    ["SCRIPT", "FLUSH"],
    ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", 0],
    ["EVALSHA", "short", 0],
    ["SCRIPT", "LOAD", "return 'loaded'"],
    ["EVALSHA", "1b9ab4cd1d3f7e5b9a5f0ba0e1ce5ae1e48d20bd", 0],
    ["SCRIPT", "LOAD", "return KEYS[1]"],
    ["SCRIPT", "EXISTS", "ffffffffffffffffffffffffffffffffffffffff", "x"],
    ["SCRIPT", "LOAD", "return foo("],
    ["SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"],
    ["SCRIPT", "LOAD"],
    ["SCRIPT", "FLUSH", "ASYNC"],
    ["SCRIPT", "FLUSH", "SYNC"],
    ["SCRIPT", "FLUSH", "bad"],
    ["SCRIPT", "FLUSH", "SYNC", "x"],
    ["SCRIPT", "KILL"],
    ["SCRIPT", "HELP"],
    ["SCRIPT", "NOSUCH"],
    ["SCRIPT", "DEBUG", "NO"],
    ["SCRIPT", "DEBUG", "maybe"],
    ["EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", 0],
    # functions
    ["FUNCTION", "FLUSH"],
    ["FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)"],
    ["FCALL", "f1", 1, "k", "a"],
    ["FCALL", "F1", 0],
    ["FCALL", "nosuch", 0],
    ["FCALL", "f1", "x"],
    ["FCALL", "f1", 5],
    ["FCALL", "f1", -1],
    ["FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)"],
    ["FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f1', function() return 1 end)"],
    ["FUNCTION", "LOAD", "REPLACE", "#!lua name=lib1\nredis.register_function{function_name='f1', callback=function() return redis.call('set', 'fk', 'v') end, description='sets', flags={'allow-oom'}}"],
    ["FUNCTION", "LOAD", "#!lua name=libro\nredis.register_function{function_name='ro', callback=function() return redis.call('get', 'fk') end, flags={'no-writes'}}"],
    ["FCALL", "f1", 0],
    ["FCALL_RO", "f1", 0],
    ["FCALL_RO", "ro", 0],
    ["FCALL", "ro", 0],
    ["FUNCTION", "DELETE", "libro"],
    # (several libraries or functions list in Redis's hash order, which
    # changes from one process to the next: one at a time here)
    ["FUNCTION", "LIST"],
    ["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "lib*"],
    ["FUNCTION", "LIST", "LIBRARYNAME", "nomatch"],
    ["FUNCTION", "STATS"],
    ["FUNCTION", "LOAD", "#!lua name=e1\nredis.call('ping')"],
    ["FUNCTION", "LOAD", "#!lua name=e2\nreturn 1"],
    ["FUNCTION", "LOAD", "#!lua name=e3\nfoo("],
    ["FUNCTION", "LOAD", "#!lua name=e4\nredis.register_function('bad name', function() end)"],
    ["FUNCTION", "LOAD", "#!lua name=e5\nredis.register_function('x')"],
    ["FUNCTION", "LOAD", "#!lua name=e6\nredis.register_function(1, 2, 3)"],
    ["FUNCTION", "LOAD", "#!lua name=e7\nredis.register_function{function_name='x', callback=function() end, flags={'bogus'}}"],
    ["FUNCTION", "LOAD", "#!lua name=e8\nredis.register_function{function_name='x'}"],
    ["FUNCTION", "LOAD", "#!lua name=e9\nredis.register_function{callback=function() end}"],
    ["FUNCTION", "LOAD", "#!lua name=e10\nredis.register_function{function_name='x', callback=function() end, what=1}"],
    ["FUNCTION", "LOAD", "#!lua name=e11\nredis.register_function('a', function() end) redis.register_function('a', function() end)"],
    ["FUNCTION", "LOAD", "#!lua name=e12\nlocal x = y"],
    ["FUNCTION", "LOAD", "#!lua name=e13\nerror('boom')"],
    ["FUNCTION", "LOAD", "#!lua name=e14\nredis.log(redis.LOG_NOTICE, 'loading') redis.register_function('lg', function() return redis.REDIS_VERSION end)"],
    ["FCALL", "lg", 0],
    ["FUNCTION", "LOAD", "#!lua name=e15\nredis.register_function('er', function() return redis.call('nosuch') end)"],
    ["FCALL", "er", 0],
    ["FUNCTION", "LOAD", "#!lua name=e16\nredis.register_function('rf', function() redis.register_function('z', function() end) end)"],
    ["FCALL", "rf", 0],
    ["FUNCTION", "LOAD", "#!python name=x\nfoo"],
    ["FUNCTION", "LOAD", "no metadata"],
    ["FUNCTION", "DELETE", "e14"],
    ["FUNCTION", "DELETE", "e14"],
    ["FUNCTION", "DELETE", "e15"],
    ["FUNCTION", "DELETE", "e16"],
    ["FUNCTION", "DUMP"],
    ["FUNCTION", "RESTORE", "bad payload"],
    ["FUNCTION", "RESTORE", "x", "bogus"],
    ["FUNCTION", "KILL"],
    ["FUNCTION", "HELP"],
    # error statistics: a command's error counts once (where the command
    # replied or was refused), not again in the script's reply; the
    # script's call fails only with an error of its own
    ["CONFIG", "RESETSTAT"],
    [E, "return redis.call('select', 99)", 0],
    [E, "return redis.pcall('select', 99)", 0],
    [E, "local t = redis.pcall('select', 99) return 1", 0],
    [E, "return redis.call('get')", 0],
    [E, "return redis.pcall('get')", 0],
    [E, "return redis.call('debug', 'protocol', 'true')", 0],
    [E, "error('x')", 0],
    [E, "return {err='MY x'}", 0],
    ["MULTI"],
    [E, "return redis.call('select', 99)", 0],
    ["EXEC"],
    [E, STATS_SCRIPT, 0],
    # transactions
    ["MULTI"],
    [E, "return redis.call('incr', 'tx')", 0],
    [E, "return redis.call('incr', 'tx')", 0],
    ["EXEC"],
    ["INCR", "tx"],
]


def packs(expr):
    return [E, "return cmsgpack.pack(%s)" % expr, 0]


# cmsgpack: every width boundary of ints, floats that are and are not
# exact as float32, string header sizes, arrays vs maps, nesting past 16
# and cycles, malformed and truncated input, stack limits, offsets.
MSGPACK_CORPUS = [packs(x) for x in [
 "0","1","127","128","255","256","65535","65536","4294967295","4294967296","2^53","2^63","-2^63","2^64",
 "-1","-32","-33","-128","-129","-32768","-32769","-2147483648","-2147483649","-1099511627776",
 "0.1","0.5","1.5","-0.25","1e20","1e300","-1e300","1/0","-1/0","0/0","-0.0","3.4028234663852886e38","2^-149","2^-1074",
 "''","string.rep('a',31)","string.rep('a',32)","string.rep('a',255)","string.rep('a',256)","string.rep('a',65535)","string.rep('a',65536)",
 "true","false","nil","{}","{1,2,3}","{1,nil,3}","{[1]=1,[2]=2,[4]=4}","{[0]=1}","{[1.5]=1}","{a=1}","{1,2,x=3}",
 "{[2]=2,[1]=1}","{{1,{2,{3}}}}","string.rep('x',3),4,{5}","function() end","redis.call","{f=function() end}",
 "unpack((function() local t={} for i=1,15 do t[i]=i end return t end)())",
 "(function() local t={} for i=1,16 do t[i]=i end return t end)()",
 "(function() local t={} for i=1,65536 do t[i]=i end return t end)()",
 "(function() local t={} for i=1,16 do t['k'..i]=i end return t end)()",
 "(function() local t={} for i=1,65536 do t['k'..i]=i end return t end)()",
 "(function() local a={} a[1]=a return a end)()",
 "(function() local t={} local c=t for i=1,20 do c[1]={} c=c[1] end return t end)()",
 "{[-1]=1}","{[2^31]=1}","{[1]=1,[3]=3}","{true}","{[true]=1}",
]] + [
 [E, "return cmsgpack.pack()", 0],
 [E, "local t = {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, {a=5}, true, false, -200, 0.1, 1.5))} return {#t, t[1], t[2], t[3][2], t[4].a, tostring(t[5]), tostring(t[6]), t[7], tostring(t[8]), tostring(t[9])}", 0],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff"],
 [E, "return tostring(cmsgpack.unpack(ARGV[1]))", 0, b"\xd3\x80\x00\x00\x00\x00\x00\x00\x00"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xcc\xff\xcd\xff\xff\xce\xff\xff\xff\xff\xd0\x80\xd1\x80\x00\xd2\x80\x00\x00\x00\xe0\x7f"],
 [E, "return tostring(cmsgpack.unpack(ARGV[1]))", 0, b"\xca\x3f\xc0\x00\x00"],
 [E, "return tostring(cmsgpack.unpack(ARGV[1]))", 0, b"\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xa3abc\xd9\x03xyz\xda\x00\x02pq\xdb\x00\x00\x00\x01z"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\x92\x01\x02\x81\xa1a\x05\xdc\x00\x01\x07\xde\x00\x01\x01\x02"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\x92\x01"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xc1"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xc4\x01a"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xd4\x01a"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xa5ab"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xd9"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xdb\xff\xff\xff\xffab"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xdd\xff\xff\xff\xff"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\xcf\x01"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\x81\xc0\x01"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\x91\xc0"],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b""],
 [E, "return {cmsgpack.unpack(ARGV[1])}", 0, b"\x91" * 5000],
 [E, "return #{cmsgpack.unpack(ARGV[1])}", 0, b"\x01" * 7990],
 [E, "return #{cmsgpack.unpack(ARGV[1])}", 0, b"\x01" * 8100],
 [E, "return {cmsgpack.unpack(5)}", 0],
 [E, "return {cmsgpack.unpack()}", 0],
 [E, "return {cmsgpack.unpack({})}", 0],
 [E, "return {cmsgpack.unpack_one(ARGV[1])}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one(ARGV[1], 1)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one(ARGV[1], 2)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one(ARGV[1], 3)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one(ARGV[1], 4)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one(ARGV[1], -1)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one(ARGV[1], 'x')}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_one()}", 0],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 2)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 2, 2)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 0)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 0, 1)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], -1)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 1, 9)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 5, 1)}", 0, b"\x01\x02\x03"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1])}", 0, b"\x01"],
 [E, "return {cmsgpack.unpack_limit(ARGV[1], 1, 1)}", 0, b"\x01\x92"],
 [E, "return {cmsgpack.unpack(ARGV[1], 7, 8)}", 0, b"\x01\x02"],
 [E, "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}", 0],
 [E, "cmsgpack.pack = function() return 1 end", 0],
 [E, "cmsgpack.foo = 1", 0],
 [E, "return type(cmsgpack_safe)", 0],
 [E, "local t = cmsgpack.unpack(cmsgpack.pack({a=1,b={c=2},d={1,2,3}})) return {t.a, t.b.c, t.d[3]}", 0],
]
MSGPACK_CORPUS += [
    ["FUNCTION", "LOAD", "REPLACE", "#!lua name=mp\nredis.register_function('mpf', function(k, a) return cmsgpack.pack(a[1], {a[1]}) end)"],
    ["FCALL", "mpf", 0, "x"],
    ["FUNCTION", "DELETE", "mp"],
]
CORPUS += MSGPACK_CORPUS


# struct: every format code at both byte orders, alignment (!n), integer
# sizes 0..32 and past the limit, out-of-range numbers, c0 / s strings,
# short data, offsets, bad and unknown options, overflowing counts.
# SP: struct.pack; SUS: struct.unpack (SUS as strings, so floats keep
# every digit); SZ: struct.size.  Formats and data travel as ARGV.
def SP(fmt, args): return [E, "return struct.pack(%s)" % (repr(fmt) + (", " + args if args else "")), 0]
def SUS(fmt, data, extra=""): return [E, "local t = {struct.unpack(ARGV[1], ARGV[2]%s)} for i=1,#t do t[i]=tostring(t[i]) end return t" % extra, 0, fmt, data]
def SZ(fmt): return [E, "return struct.size(ARGV[1])", 0, fmt]
STRUCT_CORPUS = [
 SP(">b", "-1"), SP("<b", "127"), SP("b", "300"), SP(">B", "255"), SP(">h", "-2"), SP("<h", "-2"), SP(">H", "65535"),
 SP(">l", "-3"), SP("<L", "2^63"), SP(">L", "2^64"), SP(">L", "1e30"), SP(">L", "0/0"), SP(">L", "1/0"), SP(">l", "-1/0"),
 SP(">l", "-1e30"), SP(">L", "-1"), SP(">T", "12345"), SP(">i", "-5"), SP("<i", "7"), SP(">I", "4294967295"),
 SP(">i1", "-1"), SP(">i3", "-2"), SP("<i3", "-2"), SP(">i8", "2^53"), SP(">i9", "-1"), SP("<i16", "-1"), SP(">i32", "1"), SP(">i0", "5"),
 SP(">i33", "1"), SP(">f", "1.5"), SP("<f", "0.1"), SP(">f", "1e300"), SP(">d", "0.1"), SP("<d", "-2.5"), SP("=d", "1"),
 SP("x", ""), SP("xx b", "1"), SP("c", "'abc'"), SP("c3", "'abc'"), SP("c5", "'abc'"), SP("c0", "'abcdef'"), SP("s", "'a\\0b'"),
 SP("s", "'hi'"), SP("!4 b i", "1, 2"), SP("!8 b d", "1, 2"), SP("! b d", "1, 2"), SP("!2 b i", "1, 2"), SP("!3 b", "1"),
 SP("!0 b", "1"), SP("!16 b i16", "1, 2"), SP("!4 b i3", "1, 2"), SP("!8 b c2 h", "1, 'ab', 3"), SP("!8 b s h", "1, 'ab', 3"),
 SP("i", ""), SP("ii", "1"), SP("iii", "1"), SP("i", "'x'"), SP("i", "'12'"), SP("c", "{}"), SP("z", ""), SP("5", ""), SP("\x80", ""),
 SP("c99999999999", "'a'"), SP("i99999999999", "1"), SP("!99999999999", ""), SP("", ""), SP("b\0b", "1, 2"),
 [E, "return struct.pack()", 0], [E, "return struct.pack({})", 0],
 [E, "return #struct.pack('c0c0i', string.rep('a', 9000), string.rep('b', 9000))", 0],
 [E, "return #struct.pack('c0c0ii', string.rep('a', 9000), string.rep('b', 9000), 1)", 0],
 SUS(">b", "\xff"), SUS(">B", "\xff"), SUS(">h", "\xff\xfe"), SUS("<H", "\xff\xfe"), SUS(">l", "\xff"*8), SUS(">L", "\xff"*8),
 SUS(">T", "\x00"*7 + "\x01"), SUS(">i", "\x80\x00\x00\x00"), SUS("<I", "\x01\x00\x00\x80"), SUS(">i3", "\xff\xff\xfe"),
 SUS(">i9", "\xff"*9), SUS(">i9", "\x00" + "\xff"*8), SUS("<i9", "\xff"*9), SUS(">i16", "\x01"*16), SUS(">I16", "\x80"*16),
 SUS(">i0", ""), SUS(">i32", "\xff"*32), SUS(">i12", "\x00"*4 + "\x80" + "\x00"*7), SUS(">i1", "\x80"),
 SUS(">f", "\x3f\xc0\x00\x00"), SUS("<f", "\x00\x00\xc0\x3f"), SUS(">d", "\x3f\xb9\x99\x99\x99\x99\x99\x9a"),
 SUS("<d", "\x9a\x99\x99\x99\x99\x99\xb9\x3f"), SUS("c3", "abcdef"), SUS("c3c3", "abcdef"), SUS("c7", "abcdef"),
 SUS("Bc0", "\x03abcd"), SUS("Bc0", "\x09abcd"), SUS("c0", "abc"), SUS("c1c0", "3abcd"), SUS("c1c0", "xabcd"),
 SUS("s", "ab\x00cd"), SUS("ss", "ab\x00cd\x00"), SUS("s", "abc"), SUS("x b", "\x01\x02"), SUS("xx", "\x01"),
 SUS("!4 b i", "\x01\x00\x00\x00\x02\x00\x00\x00"), SUS("!4 b i", "\x01\x00\x00"), SUS("!8 b d", "\x01"+"\x00"*15),
 SUS("b", "\x01\x02\x03", ", 2"), SUS("b", "\x01\x02\x03", ", 4"), SUS("b", "\x01\x02\x03", ", 3"), SUS("b", "\x01", ", 0"),
 SUS("b", "\x01", ", -1"), SUS("", "\x01", ", -5"), SUS("", "abc"), SUS("", "abc", ", 9"), SUS("b", "\x01", ", 'x'"),
 SUS("z", "abc"), SUS("!3", "abc"), SUS("i40", "abc"), SUS("c99999999999", "a"), SUS("b", ""), SUS("i", "\x01\x02"),
 SUS(">!4 h i", "\x00\x01\x00\x00\x00\x00\x00\x02"),
 [E, "return {struct.unpack('b')}", 0], [E, "return {struct.unpack()}", 0],
 [E, "return #{struct.unpack(string.rep('b', 5000), string.rep('a', 5000))}", 0],
 [E, "return #{struct.unpack(string.rep('b', 3990), string.rep('a', 5000))}", 0],
 [E, "return {struct.unpack('Bc0', ARGV[1])}", 0, "\xffab"],
 [E, "return {struct.unpack('dc0', struct.pack('d', -1) .. 'abc')}", 0],
 [E, "return {struct.unpack('dc0', struct.pack('d', 2.5) .. 'abc')}", 0],
 SZ("b"), SZ("bhilT"), SZ("!8 bhilT"), SZ("!8 b d"), SZ("!4 b d"), SZ("c10"), SZ("c0"), SZ("s"), SZ("i3i3"), SZ("!8i3i3"),
 SZ("z"), SZ("z12"), SZ("?"), SZ("!5"), SZ(""), SZ("x"), SZ("i33"), SZ("<>"), SZ("c99999999999"),
 [E, "return struct.size()", 0],
 [E, "return {struct.unpack('>I', struct.pack('>I', 305419896))}", 0],
 [E, "local s = struct.pack('>!4 b h i d s c0', 1, 2, 3, 4.5, 'str', 'tail') return {struct.unpack('>!4 b h i d s c4', s)}", 0],
 [E, "struct.pack = nil", 0], [E, "struct.x = 1", 0],
]
CORPUS += STRUCT_CORPUS

EVALSHA_UPPER = "1B9AB4CD1D3F7E5B9A5F0BA0E1CE5AE1E48D20BD"


def run_corpus(fr, rd, tag):
    fails = 0
    for i, cmd in enumerate(CORPUS):
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b:
            fails += 1
            if fails <= 12:
                print("FAIL %s/%d %r: ours %r, redis %r" % (tag, i, cmd[:3], a[:300], b[:300]))
    dump_fr, dump_rd = fr.call("FUNCTION", "DUMP"), rd.call("FUNCTION", "DUMP")
    payload = dump_rd.split(b"\r\n", 1)[1][:-2]
    for cmd in (["FUNCTION", "RESTORE", payload], ["FUNCTION", "RESTORE", payload, "REPLACE"],
                ["FUNCTION", "FLUSH"], ["FUNCTION", "RESTORE", payload, "FLUSH"], ["FCALL", "f1", 0],
                ["FUNCTION", "LIST"]):
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b:
            fails += 1
            print("FAIL %s/restore %r: ours %r, redis %r" % (tag, cmd[:2], a[:200], b[:200]))
    for cmd in (["SCRIPT", "LOAD", "return 'loaded'"], ["EVALSHA", EVALSHA_UPPER, 0],
                ["SCRIPT", "EXISTS", EVALSHA_UPPER, EVALSHA_UPPER.lower()]):
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b:
            fails += 1
            print("FAIL %s/sha-case %r: ours %r, redis %r" % (tag, cmd[:2], a[:200], b[:200]))
    if fails == 0:
        print("PASS %s/corpus (%d replies)" % (tag, len(CORPUS) + 9))
    elif fails > 12:
        print("FAIL %s/corpus: %d more differences" % (tag, fails - 12))
    return fails


def same(pfr, prd):
    fr, rd = Raw(pfr), Raw(prd)
    for c in (fr, rd):
        c.call("FLUSHALL")
        c.call("SCRIPT", "FLUSH")
    run_corpus(fr, rd, "resp2")
    for c in (fr, rd):
        c.call("FLUSHALL")
        c.call("SCRIPT", "FLUSH")
        c.call("HELLO", "3")
    run_corpus(fr, rd, "resp3")


def busy_one(port, tag):
    """The transcript of a long script seen from two other clients."""
    out = []
    a, b, c = Raw(port), Raw(port), Raw(port)
    a.call("CONFIG", "SET", "busy-reply-threshold", "100")
    a.send("EVAL", "local i = 0 while true do i = i + 1 end", 0)
    time.sleep(0.4)
    out.append(b.call("PING"))
    out.append(b.call("GET", "x"))
    out.append(c.call("SCRIPT", "KILL"))
    out.append(a.read())
    out.append(b.call("PING"))
    a.call("SET", "w", "1")
    a.send("EVAL", "redis.call('set', 'w', '2') local i = 0 while true do i = i + 1 end", 0)
    time.sleep(0.4)
    out.append(c.call("SCRIPT", "KILL"))
    out.append(c.call("FUNCTION", "KILL"))
    return out, (a, b, c)


def busy(pfr, prd):
    ours, _ = busy_one(pfr, "fr")
    ref, _ = busy_one(prd, "ref")
    if ours == ref:
        print("PASS busy/transcript")
    else:
        print("FAIL busy/transcript: ours %r, redis %r" % (ours, ref))


AOF_SCRIPTS = [
    ["EVAL", "return redis.call('set', KEYS[1], ARGV[1])", 1, "k1", "v1"],
    ["EVAL", "redis.call('set', 'a', 1) redis.call('incr', 'a') return redis.call('get', 'a')", 0],
    ["EVAL", "return redis.call('get', 'a')", 0],
    ["EVAL", "redis.call('set', 'e', 1, 'PXAT', 4102444800000) return 1", 0],
    ["EVAL", "redis.call('incrbyfloat', 'f', '2.5') return 1", 0],
    ["EVAL", "redis.call('select', 3) redis.call('set', 'in3', 'x') return 1", 0],
    ["EVAL", "redis.call('set', 'p', 1) error('after a write')", 0],
    ["EVAL_RO", "return redis.call('get', 'p')", 0],
    ["MULTI"],
    ["EVAL", "redis.call('set', 'm1', 1) redis.call('set', 'm2', 2) return 1", 0],
    ["SET", "m3", "3"],
    ["EXEC"],
    ["EVAL", "redis.call('del', 'nokey') return 1", 0],
]


def aof(pfr, prd):
    """The scripts above on both servers (AOF on); the shell compares the
    files.  Replies must match too."""
    fr, rd = Raw(pfr), Raw(prd)
    fails = 0
    for cmd in AOF_SCRIPTS:
        a, b = fr.call(*cmd), rd.call(*cmd)
        if a != b:
            fails += 1
            print("FAIL aof/reply %r: ours %r, redis %r" % (cmd[:2], a, b))
    if not fails:
        print("PASS aof/replies")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "same":
        same(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == "aof":
        aof(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == "busy":
        busy(int(sys.argv[2]), int(sys.argv[3]))

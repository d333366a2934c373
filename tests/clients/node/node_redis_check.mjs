// node_redis_check.mjs PORT -- node-redis (Debian 12's node-redis package,
// 4.5.1, the npm package "redis") against the server on PORT, printed as a transcript
// that tests/integration/node_redis.sh takes from our server and from
// redis-server 7.0.15 and compares line for line.
//
// What a Node.js application does with it: connect (node-redis sends its
// own handshake), strings and counters, expiry, binary values as Buffers,
// hashes and sets, pipelines (automatic and explicit), MULTI/EXEC with and
// without a broken WATCH, the SCAN iterator, errors surfaced as exceptions,
// pub/sub on a duplicated connection, keyspace notifications, SELECT via
// the database option, and QUIT.  Each line is "<step>: <JSON value>".
// Debian's node-redis is CommonJS: take its exports from the default import.
import redis from 'redis';

const { createClient, commandOptions } = redis;

const port = Number(process.argv[2]);
const url = `redis://127.0.0.1:${port}`;

function show(step, value) {
  const text = JSON.stringify(value, (k, v) =>
    v && v.type === 'Buffer' && Array.isArray(v.data) ? { buffer: v.data } : v);
  console.log(`${step}: ${text}`);
}

async function attempt(step, fn) {
  try {
    show(step, await fn());
  } catch (err) {
    show(step, { error: String(err.message) });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function strings(c) {
  await attempt('flushall', () => c.flushAll());
  await attempt('set', () => c.set('greeting', 'hello'));
  await attempt('get', () => c.get('greeting'));
  await attempt('get missing', () => c.get('nope'));
  await attempt('set nx exists', () => c.set('greeting', 'x', { NX: true }));
  await attempt('set get', () => c.set('greeting', 'hi', { GET: true }));
  await attempt('incr', () => c.incr('counter'));
  await attempt('incrBy', () => c.incrBy('counter', 41));
  await attempt('incrByFloat', () => c.incrByFloat('float', 1.5));
  await attempt('append', () => c.append('greeting', ' there'));
  await attempt('mSet', () => c.mSet({ a: '1', b: '2' }));
  await attempt('mGet', () => c.mGet(['a', 'b', 'nope']));
  await attempt('set ex', () => c.set('temp', 'v', { EX: 100 }));
  await attempt('ttl', () => c.ttl('temp'));
  await attempt('persist', () => c.persist('temp'));
  await attempt('pExpire', () => c.pExpire('temp', 50));
  await sleep(120);
  await attempt('expired', () => c.exists('temp'));
  const bin = Buffer.from([0, 255, 13, 10, 128]);
  await attempt('set buffer', () => c.set('bin', bin));
  await attempt('get buffer', () => c.get(commandOptions({ returnBuffers: true }), 'bin'));
  await attempt('strlen', () => c.strLen('bin'));
  await attempt('incr wrong', () => c.incr('greeting'));
  await attempt('type', () => c.type('greeting'));
  await attempt('del', () => c.del(['a', 'b', 'nope']));
}

async function collections(c) {
  await attempt('hSet', () => c.hSet('user:1', { name: 'Ada', born: '1815' }));
  await attempt('hGet', () => c.hGet('user:1', 'name'));
  await attempt('hGetAll', () => c.hGetAll('user:1'));
  await attempt('hIncrBy', () => c.hIncrBy('user:1', 'born', 1));
  await attempt('hDel', () => c.hDel('user:1', 'name'));
  await attempt('hLen', () => c.hLen('user:1'));
  await attempt('hGetAll missing', () => c.hGetAll('nope'));
  await attempt('wrongtype', () => c.hGet('greeting', 'x'));
  await attempt('sAdd', () => c.sAdd('tags', ['a', 'b', 'c']));
  await attempt('sIsMember', () => c.sIsMember('tags', 'b'));
  await attempt('sMembers sorted', async () => (await c.sMembers('tags')).sort());
  await attempt('sCard', () => c.sCard('tags'));
}

async function batches(c) {
  const replies = await Promise.all([c.set('p1', '1'), c.incr('p1'), c.get('p1')]);
  show('auto pipeline', replies);
  await attempt('multi exec', () => c.multi().set('m1', 'x').incr('m2').get('m1').exec());
  await attempt('multi error inside', () => c.multi().set('m3', 'x').incr('m3').get('m3').exec());
  await attempt('multi queue error', () => c.multi().set('m4', 'x').addCommand(['NOSUCHCOMMAND']).exec());
  const w = c.duplicate();
  await w.connect();
  await attempt('watch', () => c.executeIsolated(async (iso) => {
    await iso.watch('watched');
    await w.set('watched', 'changed');
    return iso.multi().set('watched', 'mine').exec();
  }));
  await attempt('watched value', () => c.get('watched'));
  await attempt('pipeline', () => c.multi().set('q1', 'a').get('q1').execAsPipeline());
  await w.quit();
}

async function iterate(c) {
  for (let i = 0; i < 50; i++) await c.set(`scan:${i}`, String(i));
  const seen = [];
  for await (const key of c.scanIterator({ MATCH: 'scan:*', COUNT: 7 })) seen.push(key);
  show('scanIterator', seen.sort());
  const fields = [];
  await c.hSet('big', Object.fromEntries([...Array(20).keys()].map((i) => [`f${i}`, String(i)])));
  for await (const { field, value } of c.hScanIterator('big')) fields.push(`${field}=${value}`);
  show('hScanIterator', fields.sort());
}

async function pubsub(c) {
  const sub = c.duplicate();
  const got = [];
  await sub.connect();
  await sub.subscribe('news', (message, channel) => got.push([channel, message]));
  await sub.pSubscribe('ne*', (message, channel) => got.push(['p', channel, message]));
  await attempt('publish', () => c.publish('news', 'hello'));
  await attempt('pubsub numsub', () => c.pubSubNumSub('news'));
  await attempt('config notify', () => c.configSet('notify-keyspace-events', 'KEA'));
  await sub.subscribe('__keyevent@0__:set', (message, channel) => got.push([channel, message]));
  await c.set('notified', '1');
  await sleep(100);
  show('messages', got.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  await attempt('unsubscribe', () => sub.unsubscribe(['news', '__keyevent@0__:set']));
  await attempt('pUnsubscribe', () => sub.pUnsubscribe('ne*'));
  await attempt('config notify off', () => c.configSet('notify-keyspace-events', ''));
  await sub.quit();
}

async function databases() {
  const c5 = createClient({ url, database: 5 });
  await c5.connect();
  await attempt('db 5 set', () => c5.set('in5', 'yes'));
  await attempt('db 5 dbSize', () => c5.dbSize());
  await c5.quit();
}

const client = createClient({ url });
client.on('error', (err) => show('client error', String(err.message)));
await client.connect();
await strings(client);
await collections(client);
await batches(client);
await iterate(client);
await pubsub(client);
await databases();
await attempt('info server has redis_version', async () => /redis_version:7\.0\.15/.test(await client.info('server')));
await attempt('quit', () => client.quit());

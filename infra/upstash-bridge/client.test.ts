import { createHash } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstashBridge, type UpstashBridge } from './server.ts';
import { startTestRedisServer, type TestRedisServer } from './test-redis-server.ts';

const token = 'test-token';
let redisServer: TestRedisServer;
let bridge: UpstashBridge;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startTestRedisServer();
  bridge = await startUpstashBridge({ port: 0, redisUrl: redisServer.url, token });
  redis = new Redis({ url: bridge.url, token });
});

afterAll(async () => {
  await bridge?.close();
  await redisServer?.dispose();
});

beforeEach(async () => {
  await redis.flushall();
});

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

describe('the official @upstash/redis client against the bridge', () => {
  it('sets and gets strings, honouring EX and NX', async () => {
    expect(await redis.set('greeting', 'hello', { ex: 100 })).toBe('OK');
    expect(await redis.get('greeting')).toBe('hello');
    expect(await redis.ttl('greeting')).toBeGreaterThan(90);
    expect(await redis.set('greeting', 'again', { nx: true })).toBeNull();
    expect(await redis.get('greeting')).toBe('hello');
    expect(await redis.get('missing')).toBeNull();
  });

  it('increments, expires and deletes keys', async () => {
    expect(await redis.incr('counter')).toBe(1);
    expect(await redis.incrby('counter', 41)).toBe(42);
    expect(await redis.ttl('counter')).toBe(-1);
    expect(await redis.expire('counter', 60)).toBe(1);
    expect(await redis.ttl('counter')).toBeGreaterThan(50);
    expect(await redis.del('counter', 'missing')).toBe(1);
    expect(await redis.exists('counter')).toBe(0);
  });

  it('stores hashes field by field and as a whole', async () => {
    expect(await redis.hset('user:1', { name: 'Ada', age: 36 })).toBe(2);
    expect(await redis.hget('user:1', 'name')).toBe('Ada');
    expect(await redis.hgetall('user:1')).toEqual({ name: 'Ada', age: 36 });
    expect(await redis.hincrby('user:1', 'age', 1)).toBe(37);
    expect(await redis.hdel('user:1', 'name')).toBe(1);
    expect(await redis.hkeys('user:1')).toEqual(['age']);
  });

  it('round-trips objects, which the client serialises as JSON', async () => {
    const project = { id: 'p1', tags: ['a', 'b'], nested: { ok: true, count: 3 } };
    await redis.set('project', project);
    expect(await redis.get('project')).toEqual(project);
    await redis.lpush('list', { n: 1 }, { n: 2 });
    expect(await redis.lrange('list', 0, -1)).toEqual([{ n: 2 }, { n: 1 }]);
  });

  it('round-trips unicode and control characters through the base64 encoding', async () => {
    const values = [
      'héllo wörld',
      '日本語テキスト',
      'emoji 🎉🚀',
      'tab\tnewline\nnul\u0000end',
      '=== not base64 ===',
    ];
    for (const [i, value] of values.entries()) await redis.set(`s${i}`, value);
    for (const [i, value] of values.entries()) expect(await redis.get(`s${i}`)).toBe(value);
    expect(await redis.mget(...values.map((_, i) => `s${i}`))).toEqual(values);
  });

  it('runs a pipeline in order and reports which command failed', async () => {
    const results = await redis.pipeline().set('a', 1).incr('a').get('a').hset('h', { x: 1 }).exec();
    expect(results).toEqual(['OK', 2, 2, 1]);

    const failing = redis.pipeline().set('text', 'abc').incr('text').get('text');
    await expect(failing.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);
    const kept = await redis.pipeline().incr('text').get('text').exec({ keepErrors: true });
    expect(kept[0]?.error).toMatch(/not an integer/);
    expect(kept[1]).toEqual({ error: undefined, result: 'abc' });
  });

  it('runs many concurrent commands (auto-pipelined by the client)', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => redis.incrby('sum', i)));
    expect(results).toHaveLength(50);
    expect(await redis.get('sum')).toBe((49 * 50) / 2);
  });

  it('runs a transaction and returns every result', async () => {
    expect(await redis.multi().set('m', 1).incr('m').get('m').exec()).toEqual(['OK', 2, 2]);
  });

  it('runs nothing of a transaction that redis refuses to queue', async () => {
    // MSET without arguments cannot be queued, so EXEC discards the transaction: SET must not happen.
    await expect(redis.multi().set('tx', 'value').mset({}).exec()).rejects.toThrow(/EXECABORT/);
    expect(await redis.exists('tx')).toBe(0);
  });

  it('reports an error inside a transaction without undoing the other commands', async () => {
    await expect(redis.multi().set('t', 'text').incr('t').exec()).rejects.toThrow(
      /Command 2 \[ incr \] failed/,
    );
    expect(await redis.get('t')).toBe('text');
  });

  it('surfaces a redis error as the client error', async () => {
    await redis.set('plain', 'text');
    await expect(redis.incr('plain')).rejects.toThrow(/ERR value is not an integer or out of range/);
    await expect(redis.hget('plain', 'field')).rejects.toThrow(/WRONGTYPE/);
  });

  it('rejects a client with the wrong token', async () => {
    const intruder = new Redis({ url: bridge.url, token: 'wrong-token' });
    await expect(intruder.get('anything')).rejects.toThrow(/Unauthorized/);
  });
});

describe('Lua scripts', () => {
  it('returns numbers, strings, nested arrays and nil', async () => {
    expect(await redis.eval('return 7', [], [])).toBe(7);
    expect(await redis.eval('return ARGV[1]', [], ['héllo'])).toBe('héllo');
    expect(await redis.eval('return {1, "two", {3, "four"}}', [], [])).toEqual([1, 'two', [3, 'four']]);
    expect(await redis.eval('return {1, false, 3}', [], [])).toEqual([1, null, 3]);
    expect(await redis.eval('return nil', [], [])).toBeNull();
    expect(await redis.eval('return redis.call("GET", KEYS[1])', ['absent'], [])).toBeNull();
  });

  it('reads and writes keys passed in KEYS', async () => {
    const script = 'redis.call("SET", KEYS[1], ARGV[1]); return redis.call("STRLEN", KEYS[1])';
    expect(await redis.eval(script, ['k'], ['abcd'])).toBe(4);
    expect(await redis.get('k')).toBe('abcd');
  });

  it('answers EVALSHA of an unknown script with NOSCRIPT, and the client falls back to EVAL', async () => {
    await redis.scriptFlush();
    await expect(redis.evalsha(sha1('return "never loaded"'), [], [])).rejects.toThrow(/NOSCRIPT/);

    const script = redis.createScript<string>('return "echo:" .. ARGV[1]');
    expect(await script.exec([], ['first'])).toBe('echo:first');
    // The fallback EVAL cached the script: EVALSHA alone now works.
    expect(await redis.evalsha(sha1('return "echo:" .. ARGV[1]'), [], ['second'])).toBe('echo:second');
  });

  it('accepts the Upstash-only shebang flag and keeps the script addressable by its own SHA1', async () => {
    const script = '#!lua flags=allow-key-locking\nreturn redis.call("INCR", KEYS[1])';
    expect(await redis.eval(script, ['hits'], [])).toBe(1);
    expect(await redis.evalsha(sha1(script), ['hits'], [])).toBe(2);
    await redis.scriptFlush();
    expect(await redis.scriptLoad(script)).toBe(sha1(script));
    expect(await redis.scriptExists(sha1(script))).toEqual([1]);
    expect(await redis.evalsha(sha1(script), ['hits'], [])).toBe(3);
  });

  it('surfaces an error raised by a script', async () => {
    await expect(redis.eval('return redis.error_reply("MYERR boom")', [], [])).rejects.toThrow(/MYERR boom/);
  });
});

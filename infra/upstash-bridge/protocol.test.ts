import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstashBridge, type UpstashBridge } from './server.ts';
import { startTestRedisServer, type TestRedisServer } from './test-redis-server.ts';

const token = 'test-token';
let redisServer: TestRedisServer;
let bridge: UpstashBridge;

beforeAll(async () => {
  redisServer = await startTestRedisServer();
  bridge = await startUpstashBridge({ port: 0, redisUrl: redisServer.url, token });
});

afterAll(async () => {
  await bridge?.close();
  await redisServer?.dispose();
});

beforeEach(async () => {
  await call('/', { body: ['FLUSHALL'] });
});

type CallOptions = {
  method?: string;
  body?: unknown;
  raw?: Uint8Array | string;
  headers?: Record<string, string>;
  auth?: string | null;
};

/** Sends one HTTP request to the bridge the way a REST client would. */
async function call(path: string, options: CallOptions = {}): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? token : options.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${bridge.url}${path}`, { method: options.method ?? 'POST', headers, body });
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, json: await response.json() };
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('the Upstash REST protocol', () => {
  it('listens on the real port when asked for port 0', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.url).not.toMatch(/:0$/);
  });

  it('answers 401 with Upstash’s body without a valid bearer token, and accepts ?_token=', async () => {
    expect(await call('/', { body: ['PING'], auth: null })).toEqual({
      status: 401,
      json: { error: 'Unauthorized' },
    });
    expect(await call('/', { body: ['PING'], auth: 'nope' })).toEqual({
      status: 401,
      json: { error: 'Unauthorized' },
    });
    expect(await call(`/ping?_token=${token}`, { method: 'GET', auth: null })).toEqual({
      status: 200,
      json: { result: 'PONG' },
    });
  });

  it('runs a JSON command and maps integers, strings, nil and arrays', async () => {
    expect(await call('/', { body: ['SET', 'k', 'v'] })).toEqual({ status: 200, json: { result: 'OK' } });
    expect((await call('/', { body: ['GET', 'k'] })).json).toEqual({ result: 'v' });
    expect((await call('/', { body: ['INCRBY', 'n', 5] })).json).toEqual({ result: 5 });
    expect((await call('/', { body: ['GET', 'missing'] })).json).toEqual({ result: null });
    await call('/', { body: ['RPUSH', 'l', 'a', 'b'] });
    expect((await call('/', { body: ['LRANGE', 'l', 0, -1] })).json).toEqual({ result: ['a', 'b'] });
  });

  it('base64-encodes every string at any depth, except the status reply OK, when asked', async () => {
    const headers = { 'upstash-encoding': 'base64' };
    expect((await call('/', { body: ['SET', 'k', 'héllo'], headers })).json).toEqual({ result: 'OK' });
    expect((await call('/', { body: ['GET', 'k'], headers })).json).toEqual({ result: b64('héllo') });
    expect((await call('/', { body: ['PING'], headers })).json).toEqual({ result: b64('PONG') });
    expect((await call('/', { body: ['INCR', 'n'], headers })).json).toEqual({ result: 1 });
    const script = 'return {1, "a", false, {2, "b"}}';
    expect((await call('/', { body: ['EVAL', script, 0], headers })).json).toEqual({
      result: [1, b64('a'), null, [2, b64('b')]],
    });
  });

  it('answers a redis error with status 400 and Upstash’s error body', async () => {
    await call('/', { body: ['SET', 'k', 'text'] });
    expect(await call('/', { body: ['INCR', 'k'] })).toEqual({
      status: 400,
      json: { error: 'ERR value is not an integer or out of range' },
    });
  });

  it('supports the path form, with a POST body as the value and query parameters after it', async () => {
    expect((await call('/set/greeting/hello%20world', { method: 'GET' })).json).toEqual({ result: 'OK' });
    expect((await call('/get/greeting', { method: 'GET' })).json).toEqual({ result: 'hello world' });

    const bytes = Uint8Array.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
    expect((await call('/set/binary?EX=100', { raw: bytes })).json).toEqual({ result: 'OK' });
    const fetched = await call('/get/binary', { method: 'GET', headers: { 'upstash-encoding': 'base64' } });
    expect(fetched.json).toEqual({ result: Buffer.from(bytes).toString('base64') });
    const ttl = (await call('/ttl/binary', { method: 'GET' })).json as { result: number };
    expect(ttl.result).toBeGreaterThan(90);
  });

  it('runs a pipeline and returns one result or error per command, in order', async () => {
    const { status, json } = await call('/pipeline', {
      body: [
        ['SET', 'a', 'x'],
        ['INCR', 'a'],
        ['INCR', 'b'],
        ['GET', 'a'],
      ],
    });
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 1 },
      { result: 'x' },
    ]);
  });

  it('runs a transaction, reporting execution errors per command', async () => {
    await call('/', { body: ['SET', 'text', 'abc'] });
    const { status, json } = await call('/multi-exec', {
      body: [
        ['INCR', 'n'],
        ['INCR', 'text'],
        ['GET', 'n'],
      ],
    });
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: 1 },
      { error: 'ERR value is not an integer or out of range' },
      { result: '1' },
    ]);
  });

  it('discards the whole transaction when a command cannot be queued', async () => {
    const { status, json } = await call('/multi-exec', {
      body: [['SET', 'k', 'v'], ['NOSUCHCOMMAND']],
    });
    expect(status).toBe(400);
    expect((json as { error: string }).error).toMatch(/^EXECABORT .*unknown command/);
    expect((await call('/', { body: ['EXISTS', 'k'] })).json).toEqual({ result: 0 });
  });

  it('rejects malformed requests with 400 and an ERR message', async () => {
    const bad: Array<[string, CallOptions]> = [
      ['/', { raw: '{not json' }],
      ['/', { body: [] }],
      ['/', { body: { command: 'GET' } }],
      ['/', { body: ['SET', 'k', { nested: true }] }],
      ['/', { body: ['GET', null] }],
      ['/pipeline', { body: [] }],
      ['/pipeline', { body: ['GET', 'k'] }],
      ['/multi-exec', { body: [['GET', 'k'], []] }],
    ];
    for (const [path, options] of bad) {
      const { status, json } = await call(path, options);
      expect({ path, status }).toEqual({ path, status: 400 });
      expect((json as { error: string }).error).toMatch(/^ERR /);
    }
  });

  it('refuses commands that would change the state of a shared connection', async () => {
    await call('/', { body: ['SET', 'k', 'db0'] });
    for (const command of [['SELECT', 1], ['MULTI'], ['WATCH', 'k'], ['SUBSCRIBE', 'ch']]) {
      const { status } = await call('/', { body: command });
      expect({ command, status }).toEqual({ command, status: 400 });
    }
    expect((await call('/', { body: ['GET', 'k'] })).json).toEqual({ result: 'db0' });
  });

  it('serves more concurrent requests than it has redis connections', async () => {
    const responses = await Promise.all(
      Array.from({ length: 60 }, () => call('/', { body: ['INCR', 'hits'] })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect((await call('/', { body: ['GET', 'hits'] })).json).toEqual({ result: '60' });
  });

  it('keeps serving other requests while one waits in a blocking command', async () => {
    // The blocking command waits up to 60 s: every other request is answered while it still waits.
    let answered = false;
    const blocked = call('/', { body: ['BLPOP', 'queue', 60] }).finally(() => (answered = true));
    await Promise.all(Array.from({ length: 20 }, () => call('/', { body: ['PING'] })));
    expect(answered).toBe(false);
    await call('/', { body: ['RPUSH', 'queue', 'job-1'] });
    expect((await blocked).json).toEqual({ result: ['queue', 'job-1'] });
  });

  it('refuses a body over the size limit with 413', async () => {
    const { status, json } = await call('/', { raw: `["SET","big","${'x'.repeat(11 * 1024 * 1024)}"]` });
    expect(status).toBe(413);
    expect((json as { error: string }).error).toMatch(/^ERR request body is larger than/);
  });

  it('refuses other HTTP methods with 405', async () => {
    expect((await call('/get/k', { method: 'DELETE' })).status).toBe(405);
  });
});

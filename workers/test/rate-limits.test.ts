import { describe, expect, it } from 'vitest';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { call, errorOf, randomIp } from './helpers/api.ts';
import { registerUser } from './helpers/users.ts';
import { TEST_LIMITS } from './limits.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Send requests until one is refused, at most twice the limit plus one (fixed windows: a burst that
 * straddles a window boundary still meets the limit in one of the two windows). The requests are
 * cheap ones (refused by validation after the limiter has counted them), so they all fit in a window.
 */
async function exhaust(
  limit: number,
  send: () => Promise<Response>,
): Promise<{ refused: Response; allowed: number }> {
  let allowed = 0;
  for (let i = 0; i < 2 * limit + 1; i++) {
    const res = await send();
    if (res.status === 429) return { refused: res, allowed };
    expect(res.status).toBeLessThan(500);
    allowed++;
  }
  throw new Error(`no 429 after ${2 * limit + 1} requests (limit ${limit})`);
}

async function expectRefusal(res: Response, limit: number, windowSeconds: number): Promise<number> {
  expect(res.status).toBe(429);
  expect((await errorOf(res)).code).toBe('rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('ratelimit-remaining')).toBe('0');
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
  return retryAfter;
}

// Each test has identifiers of its own, so they run side by side and their waits overlap.
describe.concurrent('rate limits', { timeout: 60_000 }, () => {
  it('limits the auth endpoints per IP, tells when to retry, and lets the client back in after that', async () => {
    const { limit, windowSeconds } = TEST_LIMITS.auth;
    const ip = randomIp();
    // An invalid body: counted by the limiter (it runs first), then refused without any password work.
    const login = () => call('/api/auth/login', { json: { email: 'not-an-email', password: 'x' }, ip });
    const { refused, allowed } = await exhaust(limit, login);
    expect(allowed).toBeGreaterThanOrEqual(limit);
    const retryAfter = await expectRefusal(refused, limit, windowSeconds);

    // Another address is not affected.
    const elsewhere = await call('/api/auth/login', {
      json: { email: 'nobody@example.com', password: 'x' },
      ip: randomIp(),
    });
    expect(elsewhere.status).toBe(401);
    expect(Number(elsewhere.headers.get('ratelimit-remaining'))).toBe(limit - 1);

    await sleep(retryAfter * 1000 + 200);
    expect((await login()).status).toBe(422);
  });

  it('limits each user on the API, not other users', async () => {
    const { limit, windowSeconds } = TEST_LIMITS.api;
    const user = await registerUser('rl-api');
    const other = await registerUser('rl-api-other');
    const list = () => call('/api/projects?limit=0', { token: user.accessToken });
    const { refused } = await exhaust(limit, list);
    const retryAfter = await expectRefusal(refused, limit, windowSeconds);
    expect((await call('/api/projects', { token: other.accessToken })).status).toBe(200);
    await sleep(retryAfter * 1000 + 200);
    const recovered = await call('/api/projects', { token: user.accessToken });
    expect(recovered.status).toBe(200);
    expect(Number(recovered.headers.get('ratelimit-remaining'))).toBeLessThan(limit);
  });

  it('limits project creation per user', async () => {
    const { limit, windowSeconds } = TEST_LIMITS.projectCreate;
    const user = await registerUser('rl-create');
    const create = () =>
      call('/api/projects', { json: { name: 'p', description: 'd' }, token: user.accessToken });
    const { refused } = await exhaust(limit, create);
    const retryAfter = await expectRefusal(refused, limit, windowSeconds);
    await sleep(retryAfter * 1000 + 200);
    expect((await create()).status).toBe(201);
  });

  it('limits key tests (calls to a provider) per user', async () => {
    const { limit, windowSeconds } = TEST_LIMITS.llm;
    const user = await registerUser('rl-llm');
    const added = await call('/api/keys', {
      json: { provider: 'openai', key: validFixtureKey('openai', `rl-${crypto.randomUUID()}`) },
      token: user.accessToken,
    });
    const { id } = await added.json<{ id: string }>();
    expect((await call(`/api/keys/${id}/test`, { method: 'POST', token: user.accessToken })).status).toBe(
      200,
    );
    // Malformed ids: counted, then refused as unknown without reaching the provider.
    const test = () => call('/api/keys/not-a-key/test', { method: 'POST', token: user.accessToken });
    const { refused } = await exhaust(limit, test);
    await expectRefusal(refused, limit, windowSeconds);
  });
});

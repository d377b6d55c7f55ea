/**
 * The runner's API where no sandbox runs, through Fastify's `inject`: what a client gets with a missing,
 * bad or expired token, with a malformed request, for a sandbox that does not exist, and while the
 * Docker engine does not answer (the runner starts anyway and says so). No Docker engine is needed.
 */
import { SignJWT } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, HealthResponse } from '../../src/contract.ts';
import { signPreviewToken, signRunnerToken } from '../../src/tokens.ts';
import { bearer, enginelessRunner, SECRET } from './runner.ts';
import type { EnginelessRunner, ErrorEnvelope } from './runner.ts';

let runner: EnginelessRunner;
beforeAll(async () => {
  runner = await enginelessRunner({ bodyLimitBytes: 64 * 1024 });
}, 60_000);
afterAll(() => runner.close());

/** A sandbox id of the right shape that no runner made. */
const UNKNOWN_SANDBOX = 'sb_aaaaaaaaaaaaaaaaaaaa';

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

/** Asserts the one error envelope with `status` and `code`, and that nothing of the server leaks in it. */
function expectRefusal(res: LightMyRequestResponse, status: number, code: string): ErrorEnvelope {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = ErrorBody.parse(res.json());
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toBe('');
  expect(body.error.requestId).not.toBe('');
  // no stack trace, no file of the server, no key beyond the envelope's
  expect(res.body).not.toMatch(/\bat .+:\d+:\d+|\/src\/|node_modules|"stack"/);
  expect(Object.keys(res.json() as object)).toEqual(['error']);
  return body;
}

describe('bearer tokens', () => {
  const list = (headers: Record<string, string>) =>
    runner.app.inject({ method: 'GET', url: '/v1/sandboxes', headers });

  it('refuses a request without a token, or with another kind of credential', async () => {
    expectRefusal(await list({}), 401, 'unauthorized');
    expectRefusal(await list({ authorization: 'Basic dXNlcjpwYXNz' }), 401, 'unauthorized');
    expectRefusal(await list({ authorization: 'Bearer' }), 401, 'unauthorized');
    expectRefusal(await list({ authorization: 'Bearer not-a-jwt' }), 401, 'unauthorized');
  });

  it('refuses an expired token with token_expired', async () => {
    const token = await signRunnerToken(SECRET, 'project-a', { now: Date.now() - 3_600_000, ttlSeconds: 60 });
    const body = expectRefusal(await list({ authorization: `Bearer ${token}` }), 401, 'token_expired');
    expect(body.error.message).toMatch(/expired/);
  });

  it('refuses a tampered token', async () => {
    const token = await signRunnerToken(SECRET, 'project-a');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ sub: 'victim', aud: 'sandbox-runner', iat: now(), exp: now() + 60 }),
    ).toString('base64url');
    expectRefusal(
      await list({ authorization: `Bearer ${header}.${forged}.${signature}` }),
      401,
      'unauthorized',
    );
    const badSignature = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    expectRefusal(await list({ authorization: `Bearer ${badSignature}` }), 401, 'unauthorized');
  });

  it('refuses a token signed with another secret, for another audience, without expiry or minted too long-lived', async () => {
    const tokens = [
      await signRunnerToken('another-secret-0123456789', 'project-a'),
      // a preview token must never drive the API
      await signPreviewToken(SECRET, { projectId: 'project-a', sandboxId: UNKNOWN_SANDBOX, port: 3000 }),
      await sign({ sub: 'project-a', aud: 'sandbox-runner', iat: now() }),
      await sign({ sub: 'project-a', aud: 'sandbox-runner', iat: now(), exp: now() + 30 * 86_400 }),
    ];
    for (const token of tokens)
      expectRefusal(await list({ authorization: `Bearer ${token}` }), 401, 'unauthorized');
  });

  it('answers a valid token: its project has no sandboxes here', async () => {
    const res = await list(await bearer());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sandboxes: [] });
  });
});

describe('malformed requests', () => {
  const send = async (
    method: 'POST' | 'PUT',
    url: string,
    payload: string,
    contentType = 'application/json',
  ) =>
    runner.app.inject({
      method,
      url,
      payload,
      headers: { ...(await bearer()), 'content-type': contentType },
    });

  it('refuses a body that is not JSON, or JSON of the wrong shape, as invalid_request', async () => {
    expectRefusal(await send('POST', '/v1/sandboxes', '{"image":'), 400, 'invalid_request');
    expectRefusal(await send('POST', '/v1/sandboxes', '[]'), 400, 'invalid_request');
    const unknownField = expectRefusal(
      await send('POST', '/v1/sandboxes', '{"privileged":true}'),
      400,
      'invalid_request',
    );
    expect(unknownField.error.message).toMatch(/privileged/);
    const badImage = expectRefusal(
      await send('POST', '/v1/sandboxes', '{"image":"Bad Image!"}'),
      400,
      'invalid_request',
    );
    expect(badImage.error.message).toMatch(/image/);
    expectRefusal(await send('POST', '/v1/sandboxes', 'image=x', 'text/plain'), 400, 'invalid_request');
  });

  it('refuses limits beyond what the runner allows, even while it cannot create sandboxes', async () => {
    const tooMuch = JSON.stringify({ limits: { memoryMb: runner.config.maxLimits.memoryMb + 1 } });
    const body = expectRefusal(await send('POST', '/v1/sandboxes', tooMuch), 400, 'invalid_request');
    expect(body.error.message).toMatch(/memoryMb/);
  });

  it('refuses a command without command or argv, and paths that leave the workspace', async () => {
    const at = `/v1/sandboxes/${UNKNOWN_SANDBOX}`;
    expectRefusal(await send('POST', `${at}/exec`, '{}'), 400, 'invalid_request');
    expectRefusal(await send('POST', `${at}/exec`, '{"command":"id","argv":["id"]}'), 400, 'invalid_request');
    expectRefusal(await send('POST', `${at}/exec`, '{"command":"id","cwd":"../etc"}'), 400, 'invalid_path');
    const write = JSON.stringify({ files: [{ path: '../../etc/passwd', content: 'x' }] });
    expectRefusal(await send('PUT', `${at}/files`, write), 400, 'invalid_path');
    const absolute = JSON.stringify({ files: [{ path: '/etc/passwd', content: 'x' }] });
    expectRefusal(await send('PUT', `${at}/files`, absolute), 400, 'invalid_path');
    const read = await runner.app.inject({
      method: 'GET',
      url: `${at}/files/content?path=${encodeURIComponent('/etc/passwd')}`,
      headers: await bearer(),
    });
    expectRefusal(read, 400, 'invalid_path');
    expectRefusal(
      await send('POST', `${at}/processes/p1/signal`, '{"signal":"SIGSTOP"}'),
      400,
      'invalid_request',
    );
  });

  it('refuses a body over the limit as payload_too_large', async () => {
    const big = JSON.stringify({ files: [{ path: 'big.txt', content: 'x'.repeat(128 * 1024) }] });
    expectRefusal(await send('PUT', `/v1/sandboxes/${UNKNOWN_SANDBOX}/files`, big), 413, 'payload_too_large');
  });

  it('answers an unknown route with not_found, with or without a token', async () => {
    expectRefusal(await runner.app.inject({ method: 'GET', url: '/v2/sandboxes' }), 404, 'not_found');
    expectRefusal(await runner.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'not_found');
    expectRefusal(
      await runner.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: await bearer() }),
      404,
      'not_found',
    );
  });
});

describe('sandboxes that do not exist', () => {
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    runner.app.inject({ method, url, headers: await bearer(), ...(payload ? { payload } : {}) });

  it('are sandbox_not_found, whatever the id looks like and whatever is asked of them', async () => {
    for (const id of [UNKNOWN_SANDBOX, 'not-a-sandbox-id', 'sb_%2e%2e']) {
      const at = `/v1/sandboxes/${id}`;
      expectRefusal(await call('GET', at), 404, 'sandbox_not_found');
      expectRefusal(await call('DELETE', at), 404, 'sandbox_not_found');
      expectRefusal(await call('POST', `${at}/exec`, { command: 'id' }), 404, 'sandbox_not_found');
      expectRefusal(await call('GET', `${at}/files?path=.`), 404, 'sandbox_not_found');
      expectRefusal(await call('GET', `${at}/processes`), 404, 'sandbox_not_found');
      expectRefusal(await call('GET', `${at}/processes/p1/logs`), 404, 'sandbox_not_found');
      expectRefusal(await call('POST', `${at}/previews`, { port: 3000 }), 404, 'sandbox_not_found');
    }
  });
});

describe('without a Docker engine', () => {
  it('starts, and its health says the engine is down: 503 with Retry-After', async () => {
    const res = await runner.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(HealthResponse.parse(res.json())).toEqual({
      ok: false,
      docker: 'down',
      sandboxes: 0,
      pool: 0,
      draining: false,
      runnerId: runner.config.runnerId,
      capacity: runner.config.maxSandboxes,
      commands: 0,
    });
  });

  it('refuses to create a sandbox with docker_unavailable (503, Retry-After), saying why', async () => {
    const res = await runner.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      payload: {},
      headers: await bearer(),
    });
    const body = expectRefusal(res, 503, 'docker_unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(body.error.message).toMatch(/Docker engine does not answer/);
  });

  it('still serves its metrics', async () => {
    const res = await runner.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^samokoder_sandboxes_active 0$/m);
  });
});

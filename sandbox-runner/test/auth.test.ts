import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPreviewToken, signRunnerToken } from '../src/tokens.ts';
import { SECRET, startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let runner: TestRunner;
beforeAll(async () => {
  runner = await startRunner();
});
afterAll(() => runner.close());

const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
const now = () => Math.floor(Date.now() / 1000);

describe('bearer tokens', () => {
  it('refuses a request without a token', async () => {
    const res = await fetch(`${runner.base}/v1/sandboxes`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.requestId).toBeTruthy();
  });

  it('refuses an expired token with token_expired', async () => {
    const client = runner.client('expired');
    client.token = await signRunnerToken(SECRET, 'expired', { now: Date.now() - 3_600_000, ttlSeconds: 60 });
    const res = await client.request<{ error: { code: string } }>('GET', '/v1/sandboxes');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_expired');
  });

  it('refuses a tampered token', async () => {
    const client = runner.client('tamper');
    const token = await signRunnerToken(SECRET, 'tamper');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ sub: 'victim', aud: 'sandbox-runner', iat: now(), exp: now() + 60 }),
    ).toString('base64url');
    client.token = `${header}.${forged}.${signature}`;
    expect((await client.request('GET', '/v1/sandboxes')).status).toBe(401);
    client.token = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    expect((await client.request('GET', '/v1/sandboxes')).status).toBe(401);
  });

  it('refuses a token signed with another secret, for another audience, or minted too long-lived', async () => {
    const client = runner.client('p1');
    client.token = await signRunnerToken('another-secret-0123456789', 'p1');
    expect((await client.request('GET', '/v1/sandboxes')).status).toBe(401);
    // a preview token must never drive the API
    client.token = await signPreviewToken(SECRET, { projectId: 'p1', sandboxId: 'sb_x', port: 3000 });
    expect((await client.request('GET', '/v1/sandboxes')).status).toBe(401);
    client.token = await sign({ sub: 'p1', aud: 'sandbox-runner', iat: now(), exp: now() + 30 * 86_400 });
    expect((await client.request('GET', '/v1/sandboxes')).status).toBe(401);
    client.token = await sign({ sub: 'p1', aud: 'sandbox-runner', iat: now() }); // no exp
    expect((await client.request('GET', '/v1/sandboxes')).status).toBe(401);
  });

  it('never lets a token for project B see or touch project A sandbox', async () => {
    const a = runner.client('project-a');
    const b = runner.client('project-b');
    const sandbox = await a.create();
    expect((await b.request('GET', `/v1/sandboxes/${sandbox.id}`)).status).toBe(404);
    expect((await b.request('POST', `/v1/sandboxes/${sandbox.id}/exec`, { command: 'id' })).status).toBe(404);
    expect((await b.request('DELETE', `/v1/sandboxes/${sandbox.id}`)).status).toBe(404);
    const listed = await b.request<{ sandboxes: unknown[] }>('GET', '/v1/sandboxes');
    expect(listed.body.sandboxes).toEqual([]);
    // A's sandbox is untouched
    expect(await a.sh(sandbox.id, 'echo still-here')).toBe('still-here\n');
    expect((await a.request('DELETE', `/v1/sandboxes/${sandbox.id}`)).status).toBe(204);
  });
});

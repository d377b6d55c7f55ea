import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.ts';
import { ORIGIN, call, errorOf, randomIp } from './helpers/api.ts';
import { registerUser } from './helpers/users.ts';
import { TEST_LIMITS } from './limits.ts';

describe('login', () => {
  it('signs in with the right password, whatever the case of the email', async () => {
    const user = await registerUser('login');
    const res = await call('/api/auth/login', {
      json: { email: user.email.toUpperCase(), password: user.password, delivery: 'token' },
      ip: user.ip,
    });
    expect(res.status).toBe(200);
    const body = await res.json<{ user: { id: string }; accessToken: string }>();
    expect(body.user.id).toBe(user.id);
    expect((await call('/api/auth/me', { token: body.accessToken })).status).toBe(200);
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const user = await registerUser('wrong');
    const wrong = await call('/api/auth/login', {
      json: { email: user.email, password: 'not the password' },
      ip: user.ip,
    });
    const unknown = await call('/api/auth/login', {
      json: { email: `nobody-${user.email}`, password: 'not the password' },
      ip: user.ip,
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await errorOf(wrong), await errorOf(unknown)];
    expect(a.message).toBe('Wrong email or password.');
    expect(b.message).toBe(a.message);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('forgets the failures of an address after a successful login from it', async () => {
    const user = await registerUser('reset');
    const { limit } = TEST_LIMITS.loginFailures;
    for (let i = 0; i < limit - 1; i++) {
      await call('/api/auth/login', { json: { email: user.email, password: 'nope nope' }, ip: user.ip });
    }
    expect(
      (await call('/api/auth/login', { json: { email: user.email, password: user.password }, ip: user.ip }))
        .status,
    ).toBe(200);
    const next = await call('/api/auth/login', {
      json: { email: user.email, password: 'nope nope' },
      ip: user.ip,
    });
    expect(next.status).toBe(401);
  });

  it('answers 503, never a sign-in, when the lockout cannot be checked (Redis unreachable)', async () => {
    const user = await registerUser('login-noredis');
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${ORIGIN}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': user.ip },
        body: JSON.stringify({ email: user.email, password: user.password, delivery: 'token' }),
      }),
      // Nothing listens on the discard port of loopback.
      { ...env, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const error = await errorOf(res);
    expect(error.code).toBe('dependency_unavailable');
    expect(JSON.stringify(error)).not.toContain('127.0.0.1');
  });

  it('validates the body like every endpoint', async () => {
    const ip = randomIp();
    expect((await call('/api/auth/login', { body: 'nope', ip })).status).toBe(400);
    const res = await call('/api/auth/login', {
      json: { email: 'a@example.com', password: '', extra: 1 },
      ip,
    });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).fields?.map((f) => f.path).sort()).toEqual(['extra', 'password']);
  });
});

describe('logs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never contain a password or a token', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
    }
    const user = await registerUser('logs');
    await call('/api/auth/login', {
      json: { email: user.email, password: 'a wrong password!' },
      ip: user.ip,
    });
    const login = await call('/api/auth/login', {
      json: { email: user.email, password: user.password, delivery: 'token' },
      ip: user.ip,
    });
    const { accessToken, refreshToken } = await login.json<{ accessToken: string; refreshToken: string }>();
    await call('/api/auth/me', { token: accessToken });
    await call('/api/auth/refresh', { json: { refreshToken }, ip: user.ip });

    expect(lines.length).toBeGreaterThan(3);
    const all = lines.join('\n');
    for (const secret of [user.password, 'a wrong password!', accessToken, refreshToken, user.accessToken]) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('"path":"/api/auth/login"');
  });
});

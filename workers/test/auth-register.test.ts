import { env } from 'cloudflare:workers';
import { schema } from '@samokoder/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDb } from '../src/platform/deps.ts';
import { call, errorOf, randomIp, setCookies, uniqueEmail } from './helpers/api.ts';
import { GOOD_PASSWORD } from './helpers/users.ts';

interface SessionBody {
  user: { id: string; email: string; createdAt: string };
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  accessToken?: string;
  refreshToken?: string;
}

describe('register', () => {
  it('creates the account with a normalised email and signs in with httpOnly cookies only', async () => {
    const email = uniqueEmail('Reg');
    const res = await call('/api/auth/register', {
      json: { email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD },
      ip: randomIp(),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json<SessionBody>();
    expect(body.user.email).toBe(email.toLowerCase());
    expect(body.accessToken).toBeUndefined();
    expect(body.refreshToken).toBeUndefined();
    const expiresIn = Date.parse(body.accessTokenExpiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000);

    const cookies = setCookies(res);
    const access = cookies.get('sk_access');
    const refresh = cookies.get('sk_refresh');
    expect(access?.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']),
    );
    expect(refresh?.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/api/auth']),
    );

    const me = await call('/api/auth/me', { cookies: { sk_access: access!.value } });
    expect(me.status).toBe(200);
    expect((await me.json<{ user: { id: string } }>()).user.id).toBe(body.user.id);
  });

  it('hands tokens to API clients in the body, sets no cookie, and accepts the bearer token', async () => {
    const res = await call('/api/auth/register', {
      json: { email: uniqueEmail('api'), password: GOOD_PASSWORD, delivery: 'token' },
      ip: randomIp(),
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = await res.json<SessionBody>();
    expect(body.accessToken).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body.refreshToken).toMatch(/^[\w-]{43}$/);
    const me = await call('/api/auth/me', { token: body.accessToken! });
    expect(me.status).toBe(200);
  });

  it('stores only a self-describing PBKDF2 hash of the password', async () => {
    const email = uniqueEmail('hash');
    await call('/api/auth/register', { json: { email, password: GOOD_PASSWORD }, ip: randomIp() });
    const handle = await openDb(env);
    try {
      const [row] = await handle.db
        .select({ hash: schema.users.passwordHash })
        .from(schema.users)
        .where(eq(schema.users.email, email));
      expect(row?.hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(row?.hash).not.toContain(GOOD_PASSWORD);
    } finally {
      await handle.close();
    }
  });

  it('explains every problem of a weak password at once', async () => {
    const email = uniqueEmail('weak');
    const res = await call('/api/auth/register', { json: { email, password: 'aaaa' }, ip: randomIp() });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('validation_failed');
    expect(error.fields).toEqual([
      { path: 'password', message: 'Use at least 10 characters.' },
      { path: 'password', message: 'Use a greater variety of characters (at least 5 different ones).' },
    ]);
    const common = await call('/api/auth/register', {
      json: { email, password: 'password123' },
      ip: randomIp(),
    });
    expect((await errorOf(common)).fields).toEqual([
      { path: 'password', message: 'This password is too common. Choose another.' },
    ]);
  });

  it('refuses a second account for the same email in another case', async () => {
    const email = uniqueEmail('dup');
    const ip = randomIp();
    expect((await call('/api/auth/register', { json: { email, password: GOOD_PASSWORD }, ip })).status).toBe(
      201,
    );
    const again = await call('/api/auth/register', {
      json: { email: email.toUpperCase(), password: GOOD_PASSWORD },
      ip,
    });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatchObject({ code: 'conflict', fields: [{ path: 'email' }] });
  });
});

describe('register input validation', () => {
  const ip = randomIp();

  it('answers malformed JSON with 400 in the envelope', async () => {
    const res = await call('/api/auth/register', { body: '{"email": "a@b.c",', ip });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'bad_request', requestId: expect.any(String) });
  });

  it('answers wrong types with 422 and the fields', async () => {
    const res = await call('/api/auth/register', { json: { email: 42, password: ['x'] }, ip });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('validation_failed');
    expect(error.fields?.map((f) => f.path).sort()).toEqual(['email', 'password']);
  });

  it('rejects unknown fields', async () => {
    const res = await call('/api/auth/register', {
      json: { email: uniqueEmail(), password: GOOD_PASSWORD, isAdmin: true },
      ip,
    });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).fields).toEqual([{ path: 'isAdmin', message: 'Unknown field.' }]);
  });

  it('rejects an invalid email and an unknown delivery', async () => {
    const res = await call('/api/auth/register', {
      json: { email: 'not-an-email', password: GOOD_PASSWORD, delivery: 'carrier-pigeon' },
      ip,
    });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).fields?.map((f) => f.path).sort()).toEqual(['delivery', 'email']);
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await call('/api/auth/register', {
      body: 'email=a@b.c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      ip,
    });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('unsupported_media_type');
  });

  it('rejects an oversize body with 413 before parsing it', async () => {
    const res = await call('/api/auth/register', {
      json: { email: uniqueEmail(), password: 'x'.repeat(300 * 1024) },
      ip,
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
  });
});

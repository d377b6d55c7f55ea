import { describe, expect, it } from 'vitest';
import { ORIGIN, call, errorOf, randomIp, setCookies, uniqueEmail } from './helpers/api.ts';
import { GOOD_PASSWORD, registerUser } from './helpers/users.ts';

interface TokenSession {
  user: { id: string };
  accessToken: string;
  refreshToken: string;
}

async function refresh(refreshToken: string, ip: string): Promise<Response> {
  return call('/api/auth/refresh', { json: { refreshToken }, ip });
}

describe('refresh', () => {
  it('rotates the refresh token on every use and issues a working access token', async () => {
    const user = await registerUser('rotate');
    const res = await refresh(user.refreshToken, user.ip);
    expect(res.status).toBe(200);
    const next = await res.json<TokenSession>();
    expect(next.user.id).toBe(user.id);
    expect(next.refreshToken).not.toBe(user.refreshToken);
    expect(next.accessToken).not.toBe(user.accessToken);
    expect((await call('/api/auth/me', { token: next.accessToken })).status).toBe(200);
    // And the successor rotates in turn.
    expect((await refresh(next.refreshToken, user.ip)).status).toBe(200);
  });

  it('treats a reused refresh token as theft: the whole family is revoked, access tokens included', async () => {
    const user = await registerUser('reuse');
    const first = await (await refresh(user.refreshToken, user.ip)).json<TokenSession>();
    // The attacker replays the old token.
    const replay = await refresh(user.refreshToken, user.ip);
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).message).toMatch(/already used/);
    // The legitimate holder's newer tokens are dead too.
    expect((await refresh(first.refreshToken, user.ip)).status).toBe(401);
    expect((await call('/api/auth/me', { token: first.accessToken })).status).toBe(401);
    expect((await call('/api/auth/me', { token: user.accessToken })).status).toBe(401);
  });

  it('leaves other login sessions of the same user alone', async () => {
    const user = await registerUser('sessions');
    const login = await call('/api/auth/login', {
      json: { email: user.email, password: user.password, delivery: 'token' },
      ip: user.ip,
    });
    const other = await login.json<TokenSession>();
    await refresh(user.refreshToken, user.ip);
    await refresh(user.refreshToken, user.ip); // reuse: revokes the first family only
    expect((await call('/api/auth/me', { token: other.accessToken })).status).toBe(200);
    expect((await refresh(other.refreshToken, user.ip)).status).toBe(200);
  });

  it('refuses an unknown refresh token and a missing one', async () => {
    const ip = randomIp();
    expect((await refresh('x'.repeat(43), ip)).status).toBe(401);
    expect((await call('/api/auth/refresh', { method: 'POST', ip })).status).toBe(401);
  });

  it('rotates the cookie for a browser, which must send the app Origin', async () => {
    const reg = await call('/api/auth/register', {
      json: { email: uniqueEmail('cookie-refresh'), password: GOOD_PASSWORD },
      ip: randomIp(),
    });
    const refreshCookie = setCookies(reg).get('sk_refresh')!.value;
    const noOrigin = await call('/api/auth/refresh', {
      method: 'POST',
      cookies: { sk_refresh: refreshCookie },
    });
    expect(noOrigin.status).toBe(403);
    const ok = await call('/api/auth/refresh', {
      method: 'POST',
      cookies: { sk_refresh: refreshCookie },
      origin: ORIGIN,
    });
    expect(ok.status).toBe(200);
    const body = await ok.json<Partial<TokenSession>>();
    expect(body.refreshToken).toBeUndefined();
    const cookies = setCookies(ok);
    expect(cookies.get('sk_refresh')?.value).toMatch(/^[\w-]{43}$/);
    expect(cookies.get('sk_refresh')?.value).not.toBe(refreshCookie);
    expect(cookies.get('sk_access')?.value).toBeTruthy();
  });

  it('rejects unknown fields in the body', async () => {
    const res = await call('/api/auth/refresh', {
      json: { refreshToken: 'abc', userId: 'x' },
      ip: randomIp(),
    });
    expect(res.status).toBe(422);
  });
});

describe('logout', () => {
  it('revokes the access token and the refresh token, and clears the cookies', async () => {
    const user = await registerUser('logout');
    const res = await call('/api/auth/logout', {
      json: { refreshToken: user.refreshToken },
      token: user.accessToken,
      ip: user.ip,
    });
    expect(res.status).toBe(204);
    const cleared = setCookies(res);
    expect(cleared.get('sk_access')?.attributes).toContain('Max-Age=0');
    expect(cleared.get('sk_refresh')?.attributes).toContain('Max-Age=0');
    expect((await call('/api/auth/me', { token: user.accessToken })).status).toBe(401);
    expect((await refresh(user.refreshToken, user.ip)).status).toBe(401);
  });

  it('with only the access token still ends the whole login session', async () => {
    const user = await registerUser('logout-bearer');
    expect(
      (await call('/api/auth/logout', { method: 'POST', token: user.accessToken, ip: user.ip })).status,
    ).toBe(204);
    expect((await refresh(user.refreshToken, user.ip)).status).toBe(401);
  });

  it('needs some credential', async () => {
    expect((await call('/api/auth/logout', { method: 'POST', ip: randomIp() })).status).toBe(401);
  });
});

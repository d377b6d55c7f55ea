import { env } from 'cloudflare:workers';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { ORIGIN, call, errorOf, setCookies, uniqueEmail, randomIp } from './helpers/api.ts';
import { GOOD_PASSWORD, registerUser } from './helpers/users.ts';

const secret = new TextEncoder().encode(env.JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

interface Mint {
  sub: string;
  sid?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  iat?: number;
  alg?: string;
  key?: Uint8Array;
}

/** A token built like ours, with one thing changed. */
function mint(opts: Mint): Promise<string> {
  const jwt = new SignJWT(opts.sid === undefined ? {} : { sid: opts.sid })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer(opts.iss ?? 'samokoder')
    .setAudience(opts.aud ?? 'samokoder-api')
    .setSubject(opts.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt(opts.iat ?? now() - 60)
    .setExpirationTime(opts.exp ?? now() + 600);
  return jwt.sign(opts.key ?? secret);
}

describe('access tokens', () => {
  it('accepts a token built exactly like ours (the control for the cases below)', async () => {
    const user = await registerUser('jwt-ok');
    const token = await mint({ sub: user.id, sid: crypto.randomUUID() });
    expect((await call('/api/auth/me', { token })).status).toBe(200);
  });

  it('refuses an expired token and says so', async () => {
    const user = await registerUser('jwt-exp');
    const token = await mint({ sub: user.id, sid: crypto.randomUUID(), exp: now() - 5 });
    const res = await call('/api/auth/me', { token });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toBe('The access token has expired.');
  });

  it('refuses a tampered token (payload changed, signature kept)', async () => {
    const user = await registerUser('jwt-tamper');
    const other = await registerUser('jwt-victim');
    const [header, payload, signature] = user.accessToken.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as Record<
      string,
      unknown
    >;
    const forged = base64url.encode(JSON.stringify({ ...claims, sub: other.id }));
    const res = await call('/api/auth/me', { token: `${header}.${forged}.${signature}` });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toBe('The access token is not valid.');
  });

  it('refuses alg "none"', async () => {
    const user = await registerUser('jwt-none');
    const token = new UnsecuredJWT({ sid: crypto.randomUUID() })
      .setIssuer('samokoder')
      .setAudience('samokoder-api')
      .setSubject(user.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    expect(token.split('.')[2]).toBe('');
    expect((await call('/api/auth/me', { token })).status).toBe(401);
  });

  it('refuses the wrong audience, the wrong issuer, another key and another algorithm', async () => {
    const user = await registerUser('jwt-claims');
    const sid = crypto.randomUUID();
    const tokens = await Promise.all([
      mint({ sub: user.id, sid, aud: 'some-other-service' }),
      mint({ sub: user.id, sid, iss: 'someone-else' }),
      mint({ sub: user.id, sid, key: new TextEncoder().encode('another-secret-0123456789abcdef0123456789') }),
      mint({ sub: user.id, sid, alg: 'HS512' }),
      mint({ sub: user.id }), // no session id
    ]);
    for (const token of tokens) {
      const res = await call('/api/auth/me', { token });
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe('unauthorized');
    }
  });

  it('refuses a token signed with our key past the maximum lifetime, whatever its exp says', async () => {
    const user = await registerUser('jwt-lifetime');
    const sid = crypto.randomUUID();
    const tenYears = 10 * 365 * 24 * 3600;
    const cases = [
      // Issued two hours ago, valid for ten years.
      { token: await mint({ sub: user.id, sid, iat: now() - 7200, exp: now() + tenYears }), expired: true },
      // Issued just now, but made to live for a month.
      {
        token: await mint({ sub: user.id, sid, iat: now() - 5, exp: now() + 30 * 24 * 3600 }),
        expired: false,
      },
      // Issued an hour from now (its age would never grow past the cap).
      {
        token: await mint({ sub: user.id, sid, iat: now() + 3600, exp: now() + 3600 + 600 }),
        expired: false,
      },
    ];
    for (const { token, expired } of cases) {
      const res = await call('/api/auth/me', { token });
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toBe(
        expired ? 'The access token has expired.' : 'The access token is not valid.',
      );
    }
    // The same user with a token of the usual shape is let in: only the lifetime was wrong.
    expect((await call('/api/auth/me', { token: await mint({ sub: user.id, sid }) })).status).toBe(200);
  });

  it('refuses requests without a token or with a malformed Authorization header', async () => {
    expect((await call('/api/auth/me')).status).toBe(401);
    const user = await registerUser('jwt-header');
    const res = await call('/api/auth/me', { headers: { authorization: `Token ${user.accessToken}` } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/Bearer/);
  });
});

describe('Origin check on cookie-authenticated unsafe requests', () => {
  async function cookieSession(): Promise<Record<string, string>> {
    const res = await call('/api/auth/register', {
      json: { email: uniqueEmail('origin'), password: GOOD_PASSWORD },
      ip: randomIp(),
    });
    const cookies = setCookies(res);
    return { sk_access: cookies.get('sk_access')!.value, sk_refresh: cookies.get('sk_refresh')!.value };
  }

  it('refuses a cookie-authenticated POST without an Origin or from another site', async () => {
    const cookies = await cookieSession();
    const none = await call('/api/auth/logout', { method: 'POST', cookies });
    expect(none.status).toBe(403);
    expect((await errorOf(none)).code).toBe('forbidden');
    const evil = await call('/api/auth/logout', { method: 'POST', cookies, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    // Nothing was revoked by the refused requests.
    expect((await call('/api/auth/me', { cookies })).status).toBe(200);
  });

  it('accepts the app origin (its own and those in APP_ORIGIN)', async () => {
    const cookies = await cookieSession();
    expect(
      (await call('/api/auth/logout', { method: 'POST', cookies, origin: 'http://localhost:8787' })).status,
    ).toBe(204);
    const again = await cookieSession();
    expect((await call('/api/auth/logout', { method: 'POST', cookies: again, origin: ORIGIN })).status).toBe(
      204,
    );
  });

  it('does not need an Origin for bearer-authenticated requests, but refuses a foreign one', async () => {
    const user = await registerUser('bearer-origin');
    const foreign = await call('/api/auth/logout', {
      method: 'POST',
      token: user.accessToken,
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect((await call('/api/auth/logout', { method: 'POST', token: user.accessToken })).status).toBe(204);
  });

  it('refuses a login form posted from another site (login CSRF)', async () => {
    const user = await registerUser('login-csrf');
    const res = await call('/api/auth/login', {
      json: { email: user.email, password: user.password },
      ip: user.ip,
      origin: 'https://evil.example',
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** The access token: sent with every API request and the live WebSocket upgrade. */
export const ACCESS_COOKIE = 'sk_access';
/** The refresh token: sent only to the auth endpoints that use it. */
export const REFRESH_COOKIE = 'sk_refresh';
const REFRESH_PATH = '/api/auth';

// Secure is kept for http://localhost too: browsers treat localhost as a secure context.
const BASE = { httpOnly: true, secure: true, sameSite: 'Lax' } as const;

export interface CookieTokens {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: Date;
}

/** Set both auth cookies (httpOnly, Secure, SameSite=Lax), each expiring with its token. */
export function setAuthCookies(c: Context, tokens: CookieTokens): void {
  setCookie(c, ACCESS_COOKIE, tokens.accessToken, {
    ...BASE,
    path: '/',
    expires: new Date(tokens.accessExpiresAt * 1000),
  });
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, {
    ...BASE,
    path: REFRESH_PATH,
    expires: tokens.refreshExpiresAt,
  });
}

/** Expire both auth cookies. */
export function clearAuthCookies(c: Context): void {
  deleteCookie(c, ACCESS_COOKIE, { ...BASE, path: '/' });
  deleteCookie(c, REFRESH_COOKIE, { ...BASE, path: REFRESH_PATH });
}

export function accessCookie(c: Context): string | undefined {
  return getCookie(c, ACCESS_COOKIE) || undefined;
}

export function refreshCookie(c: Context): string | undefined {
  return getCookie(c, REFRESH_COOKIE) || undefined;
}

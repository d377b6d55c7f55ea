import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { jwtKey, signAccessToken } from './access-token.ts';
import { setAuthCookies } from './cookies.ts';
import type { IssuedRefresh } from './sessions.ts';
import type { UserView } from './users.ts';

/** What login, register and refresh answer. Tokens appear in the body only for `token` delivery. */
export interface SessionView {
  user: UserView;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  accessToken?: string;
  refreshToken?: string;
}

/**
 * Sign an access token for a refresh session and hand both tokens over: as httpOnly cookies to a
 * browser (so page scripts never see them), or in the body to an API client.
 */
export async function issueTokens(
  c: Context<AppEnv>,
  user: UserView,
  refresh: IssuedRefresh,
  delivery: 'cookie' | 'token',
): Promise<SessionView> {
  const access = await signAccessToken(jwtKey(c.env.JWT_SECRET), user.id, refresh.sessionId);
  const view: SessionView = {
    user,
    accessTokenExpiresAt: new Date(access.expiresAt * 1000).toISOString(),
    refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
  };
  // Tokens must never sit in a shared or browser cache.
  c.header('Cache-Control', 'no-store');
  if (delivery === 'token') return { ...view, accessToken: access.token, refreshToken: refresh.refreshToken };
  setAuthCookies(c, {
    accessToken: access.token,
    accessExpiresAt: access.expiresAt,
    refreshToken: refresh.refreshToken,
    refreshExpiresAt: refresh.expiresAt,
  });
  return view;
}

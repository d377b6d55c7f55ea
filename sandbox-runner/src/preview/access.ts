/**
 * Who may see a preview. A link carries a preview token once (`?sk_preview=`); the runner answers it
 * with a redirect to the same address without the token and a session cookie holding a token of its
 * own. The cookie is `Partitioned` (CHIPS): the UI frames the preview from another site, where
 * browsers that block third-party cookies still keep a partitioned one, and it is scoped to the
 * preview's own origin, so no other preview ever receives it. A session that is used is renewed; one
 * left alone expires; every one ends with the sandbox it names.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { RunnerError } from '../errors.ts';
import { signPreviewToken, TokenError, verifyPreviewToken, type PreviewClaims } from '../tokens.ts';

/** Name of the link's query parameter and of the session cookie. */
export const PREVIEW_PARAM = 'sk_preview';
/** Lifetime of a session cookie; renewed once half of it has passed. */
export const SESSION_TTL_S = 3600;

/** The token a request carries, and where it came from. */
export interface PresentedToken {
  token: string;
  from: 'link' | 'cookie';
}

/** The token from `?sk_preview=` (a link) or the session cookie. */
export function presentedToken(url: URL, headers: IncomingHttpHeaders): PresentedToken | null {
  const fromLink = url.searchParams.get(PREVIEW_PARAM);
  if (fromLink) return { token: fromLink, from: 'link' };
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === PREVIEW_PARAM && value.length) return { token: value.join('='), from: 'cookie' };
  }
  return null;
}

/** Verifies a preview token, as a runner error (401) when it is refused. */
export async function verifiedClaims(
  secret: string,
  token: string,
): Promise<PreviewClaims & { issuedAt: number }> {
  try {
    return await verifyPreviewToken(secret, token);
  } catch (err) {
    if (err instanceof TokenError) {
      const message =
        err.code === 'token_expired'
          ? 'This preview link has expired: open the preview again from Samokoder.'
          : 'This preview link is not valid: open the preview again from Samokoder.';
      throw new RunnerError(err.code, message, { cause: err });
    }
    throw err;
  }
}

/** The session cookie for `claims`, valid for {@link SESSION_TTL_S}. */
export async function sessionCookie(secret: string, claims: PreviewClaims): Promise<string> {
  const token = await signPreviewToken(secret, claims, { ttlSeconds: SESSION_TTL_S });
  return `${PREVIEW_PARAM}=${token}; Path=/; Max-Age=${SESSION_TTL_S}; HttpOnly; Secure; SameSite=None; Partitioned`;
}

/** Whether a session issued at `issuedAt` (seconds) should be renewed now. */
export function dueForRenewal(issuedAt: number, nowMs = Date.now()): boolean {
  return nowMs / 1000 - issuedAt > SESSION_TTL_S / 2;
}

/** The request's address without the link's token: where the first request is redirected. */
export function withoutToken(url: URL): string {
  const params = new URLSearchParams(url.searchParams);
  params.delete(PREVIEW_PARAM);
  const query = params.toString();
  return `${url.pathname}${query ? `?${query}` : ''}`;
}

/** The request's Cookie header without the session cookie: what the app receives. */
export function cookiesForApp(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const kept = cookie
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${PREVIEW_PARAM}=`));
  return kept.length ? kept.join('; ') : undefined;
}

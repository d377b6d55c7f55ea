import { ApiError } from '../api/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The Worker's own origin (the UI is served from it) and every origin listed in APP_ORIGIN. */
export function allowedOrigins(appOrigin: string | undefined, requestUrl: string): Set<string> {
  const origins = new Set([new URL(requestUrl).origin]);
  for (const entry of (appOrigin ?? '').split(',')) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    try {
      origins.add(new URL(trimmed).origin);
    } catch {
      // A malformed entry allows nothing; it must not take the whole list down.
    }
  }
  return origins;
}

/** The parts of a request context the Origin checks read. */
export interface OriginContext {
  req: { header: (name: string) => string | undefined; url: string; method: string };
  env: { APP_ORIGIN?: string };
}

/**
 * CSRF defence for requests a browser authenticates with our cookies: an unsafe request must carry
 * an Origin we serve. SameSite=Lax already keeps the cookies off cross-site POSTs in current browsers;
 * this covers older ones and same-site attackers (another app on a sibling subdomain).
 */
export function assertSameOrigin(c: OriginContext): void {
  const origin = c.req.header('origin');
  if (!origin || !allowedOrigins(c.env.APP_ORIGIN, c.req.url).has(origin)) {
    throw new ApiError(403, 'forbidden', 'This request must come from the app itself (Origin check failed).');
  }
}

/**
 * Any unsafe request that states a foreign Origin is refused, cookie or not: a cross-site page has no
 * business posting a login form here (login CSRF). Requests without an Origin (API clients) pass.
 */
export function assertNoForeignOrigin(c: OriginContext): void {
  const origin = c.req.header('origin');
  if (origin && isUnsafeMethod(c.req.method) && !allowedOrigins(c.env.APP_ORIGIN, c.req.url).has(origin)) {
    throw new ApiError(403, 'forbidden', 'This request must come from the app itself (Origin check failed).');
  }
}

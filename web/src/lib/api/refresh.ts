/**
 * Keeps a browser session alive. The access token (an httpOnly cookie) lives 15 minutes; when the API
 * answers 401 the refresh cookie is exchanged for new tokens once and the request is sent again.
 *
 * Refresh tokens rotate on every use and a reused one ends the whole login everywhere, so two refreshes
 * must never race with the same token: one refresh at a time per tab (a shared promise) and across tabs
 * (a Web Lock; the second tab then sends the cookie the first one received).
 */

const REFRESH_URL = '/api/auth/refresh';
/** A 401 from these means wrong credentials or no session: never worth a refresh. */
const NO_REFRESH = /^\/api\/auth\/(login|register|refresh|logout)$/;
/** A hint (not a secret) that this browser signed in: spares anonymous visitors a 401 round trip. */
const HINT_KEY = 'samokoder:signed-in';

const endedListeners = new Set<() => void>();
let inflight: Promise<boolean> | undefined;

export function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Storage disabled: the API stays the judge, the hint is only an optimisation.
  }
}

export function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return true;
  }
}

/** Called when the session is gone for good: the refresh token was refused, or another tab signed out. */
export function onSessionEnded(listener: () => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

if (typeof window !== 'undefined') {
  addEventListener('storage', (event) => {
    if (event.key === HINT_KEY && event.newValue === null) for (const listener of endedListeners) listener();
  });
}

async function postRefresh(): Promise<boolean> {
  const response = await fetch(REFRESH_URL, { method: 'POST', credentials: 'same-origin' });
  return response.ok;
}

/** Exchange the refresh cookie for new tokens; `false` when the session has ended. */
export function refreshSession(): Promise<boolean> {
  inflight ??= (async () => {
    try {
      const ok =
        typeof navigator !== 'undefined' && 'locks' in navigator
          ? await navigator.locks.request('samokoder:refresh', postRefresh)
          : await postRefresh();
      rememberSignedIn(ok);
      return ok;
    } catch {
      return false; // unreachable: the caller sees its own request's failure
    } finally {
      inflight = undefined;
    }
  })();
  return inflight;
}

function pathOf(input: RequestInfo | URL): string {
  const href = input instanceof Request ? input.url : String(input);
  return new URL(href, location.href).pathname;
}

/** `fetch` for the API: a 401 triggers one refresh and one retry of the same request. */
export async function apiFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // A Request's body can be read once; keep a copy for the retry.
  const retry = input instanceof Request ? input.clone() : input;
  const response = await fetch(input, init);
  if (response.status !== 401 || NO_REFRESH.test(pathOf(input))) return response;
  if (!(await refreshSession())) {
    for (const listener of endedListeners) listener();
    return response;
  }
  return fetch(retry, init);
}

/**
 * The HTTP side of git's smart protocol: authenticated requests to a remote's `info/refs`,
 * `git-upload-pack` and `git-receive-pack`, with the remote's answers mapped to {@link RemoteError}s.
 */
import { toBase64, utf8 } from '../../crypto/bytes.ts';
import { concat } from '../object.ts';
import { RemoteError, RemoteTooLargeError } from './errors.ts';

/** Where a remote is and what opens it. The token is sent as HTTP Basic's password. */
export interface RemoteAccess {
  /** The repository's URL, e.g. `https://github.com/ada/app.git` (no credentials in it). */
  url: string;
  /** Empty for a public repository: then no credentials are sent. */
  token: string;
}

/** Identifies the client to the remote (git servers log it). */
export const AGENT = 'samokoder/1';

/** The URL as it may be shown: without user name, password, query or fragment. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** `url` joined with `path` (the repository URL may or may not end with a slash). */
function endpoint(url: string, path: string): string {
  return `${url.replace(/\/+$/, '')}/${path}`;
}

/**
 * One request to the remote. `x-access-token` as user name is what GitHub documents for tokens; GitLab,
 * Gitea and git's own http-backend accept any user name with a token as the password.
 */
export async function remoteRequest(
  access: RemoteAccess,
  path: string,
  init: {
    method: 'GET' | 'POST';
    contentType?: string;
    accept: string;
    body?: Uint8Array;
    /** The most the answer may hold; beyond it, {@link RemoteTooLargeError} before the rest is read. */
    maxBytes?: number;
  },
): Promise<Uint8Array> {
  const headers: Record<string, string> = {
    Accept: init.accept,
    'User-Agent': `git/2.0 (${AGENT})`,
  };
  if (access.token) headers.Authorization = `Basic ${toBase64(utf8(`x-access-token:${access.token}`))}`;
  if (init.contentType) headers['Content-Type'] = init.contentType;
  let response: Response;
  try {
    response = await fetch(endpoint(access.url, path), {
      method: init.method,
      headers,
      ...(init.body ? { body: init.body } : {}),
      // A redirect would carry the token to wherever it points: never follow one.
      redirect: 'manual',
    });
  } catch (err) {
    throw new RemoteError('unavailable', `${displayUrl(access.url)} could not be reached.`, { cause: err });
  }
  const where = displayUrl(access.url);
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new RemoteError('auth', `The remote refused the token (HTTP ${response.status}).`, {
      status: response.status,
    });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new RemoteError('not_found', `No repository at ${where}, or the token cannot see it.`, {
      status: 404,
    });
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('Location');
    await response.body?.cancel();
    const to = location ? ` to ${displayUrl(new URL(location, access.url).href)}` : '';
    throw new RemoteError('protocol', `The remote redirects${to}; connect that URL instead.`, {
      status: response.status,
    });
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel();
    throw new RemoteError('unavailable', `${where} answered with HTTP ${response.status}. Try again later.`, {
      status: response.status,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RemoteError('protocol', `${where} answered with HTTP ${response.status}.`, {
      status: response.status,
    });
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.startsWith(init.accept)) {
    await response.body?.cancel();
    throw new RemoteError('protocol', `${where} is not a git repository served over smart HTTP.`, {
      status: response.status,
    });
  }
  try {
    if (init.maxBytes === undefined) return new Uint8Array(await response.arrayBuffer());
    return await readAtMost(response, init.maxBytes);
  } catch (err) {
    if (err instanceof RemoteTooLargeError) throw err;
    throw new RemoteError('unavailable', `The connection to ${where} broke.`, { cause: err });
  }
}

/** The body of `response`, refused (and the connection dropped) as soon as it exceeds `limit`. */
async function readAtMost(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('Content-Length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new RemoteTooLargeError(limit);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      throw new RemoteTooLargeError(limit);
    }
    chunks.push(value);
  }
  return concat(chunks, length);
}

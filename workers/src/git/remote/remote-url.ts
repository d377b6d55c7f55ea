/**
 * Validation of a remote repository's URL and branch as a user types them. A hosted deployment must
 * never let a user make the Worker call internal addresses, so, as for an LLM base URL
 * (`keys/base-url.ts`), only https to a public host is accepted, and plain http or a local host only in
 * local environments (development and tests, whose remotes are on loopback).
 */
import { isLocalHost } from '../../keys/base-url.ts';

export type RemoteUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** Checks and normalises a remote's URL (no trailing slash). */
export function checkRemoteUrl(raw: string, local: boolean): RemoteUrlCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return {
      ok: false,
      message: 'Enter the repository’s https URL, such as https://github.com/you/app.git.',
    };
  }
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    return { ok: false, message: local ? 'Use an http or https URL.' : 'Use an https URL.' };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Do not put credentials in the URL; put the token in the token field.' };
  }
  if (url.search || url.hash) return { ok: false, message: 'Remove the query string and fragment.' };
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '')
    return { ok: false, message: 'The URL needs the repository’s path, such as /you/app.git.' };
  if (!local && isLocalHost(url.hostname)) {
    return { ok: false, message: 'Use a public host name; local and private addresses are not reachable.' };
  }
  return { ok: true, url: `${url.origin}${path}` };
}

/**
 * Whether `name` is a branch name git accepts (the rules of `git check-ref-format`, simplified to what
 * people use: letters, digits, `.`, `_`, `-` and `/` between non-empty parts).
 */
export function isBranchName(name: string): boolean {
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(name)) return false;
  if (name.includes('..') || name.includes('//') || name.startsWith('-')) return false;
  return name.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

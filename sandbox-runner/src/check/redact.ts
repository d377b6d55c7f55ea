/**
 * Keeps secrets and bulk out of a check's result. A preview's access token travels in the checked URL's
 * query string or in a cookie, and a page can echo either into an error message or a stack trace
 * (an inline script's frames name the document URL, query included). So every URL in a result loses its
 * query string and fragment, every message loses the query strings of the URLs inside it, and the known
 * secret values (query parameters of the checked URL, cookie and header values) are replaced wherever
 * they appear, encoded or not.
 */

/** Longest message kept; the rest is cut with an ellipsis. */
export const MAX_MESSAGE_CHARS = 800;
/** Longest URL kept (a data: URL can be megabytes). */
const MAX_URL_CHARS = 300;
/** Shorter values are too common to replace blindly ("1", "true") and too short to be a token. */
const MIN_SECRET_CHARS = 6;

const REDACTED = '[redacted]';

/** `https://host/path?token=x#y` → `https://host/path`; `data:`/`blob:` URLs shortened; capped. */
export function publicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return clip(raw.replace(/[?#].*$/s, ''), MAX_URL_CHARS);
  }
  if (url.protocol === 'data:') return 'data:…';
  if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    return clip(`${url.origin}${url.pathname}`, MAX_URL_CHARS);
  }
  return clip(`${url.protocol}${url.pathname}`, MAX_URL_CHARS);
}

/** Cuts `text` to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A URL inside free text, up to the first character that cannot be part of it. A trailing `:line:col`
 * (stack frames) is kept when the query is cut.
 */
const URL_IN_TEXT = /\b((?:https?|wss?):\/\/[^\s?#"'`<>()]+)[?#]([^\s"'`<>()]*)/g;

function stripQueries(text: string): string {
  return text.replace(URL_IN_TEXT, (_match, base: string, rest: string) => {
    const position = /(?::\d+){1,2}$/.exec(rest)?.[0] ?? '';
    return `${base}${position}`;
  });
}

/** Redacts the secrets of one check from any text it produces. */
export class Redactor {
  private readonly secrets: string[];

  constructor(secretValues: Iterable<string>) {
    const variants = new Set<string>();
    for (const value of secretValues) {
      if (value.length < MIN_SECRET_CHARS) continue;
      variants.add(value);
      variants.add(encodeURIComponent(value));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...variants].sort((a, b) => b.length - a.length);
  }

  /** The secrets to look for in a check of `url` that sends these cookies and headers. */
  static forCheck(url: URL, cookies: { value: string }[], headers: Record<string, string>): Redactor {
    return new Redactor([
      ...url.searchParams.values(),
      ...cookies.map((cookie) => cookie.value),
      // `Bearer <token>`: the token alone can appear in a message too.
      ...Object.values(headers).flatMap((value) => [value, ...value.split(/\s+/)]),
    ]);
  }

  /** `text` without secrets or query strings, capped to `max` characters. */
  text(text: string, max = MAX_MESSAGE_CHARS): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join(REDACTED);
    return clip(stripQueries(clean), max);
  }
}

/** Validation of the base URL an OpenAI-compatible key brings (Ollama, vLLM, LM Studio, a gateway). */

export type BaseUrlCheck = { ok: true; url: string } | { ok: false; message: string };

const PRIVATE_IPV4 = [
  /^127\./,
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^169\.254\./,
  /^0\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];

/** Whether a host name is loopback, link-local, private or otherwise not on the public internet. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  // IPv6 literals (bracketed in URLs): loopback, link-local, unique-local and mapped ones all count.
  if (host.startsWith('[')) return true;
  return PRIVATE_IPV4.some((re) => re.test(host));
}

/**
 * Check and normalise a base URL: absolute, https (http only in local environments), no credentials,
 * query or fragment, and in production no local or private host. Returns the URL without a trailing
 * slash, as the SDKs append paths to it.
 */
export function checkBaseUrl(raw: string, local: boolean): BaseUrlCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, message: 'Enter a full URL, such as https://llm.example.com/v1.' };
  }
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    return { ok: false, message: local ? 'Use an http or https URL.' : 'Use an https URL.' };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Do not put credentials in the URL; put the key in the key field.' };
  }
  if (url.search || url.hash) return { ok: false, message: 'Remove the query string and fragment.' };
  if (!local && isLocalHost(url.hostname)) {
    return { ok: false, message: 'Use a public host name; local and private addresses are not reachable.' };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

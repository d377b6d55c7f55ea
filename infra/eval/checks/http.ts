/** The checks' HTTP client: one request to the app, its body read once, redirects left to the check. */
import type { HttpAnswer } from '../suite/types.ts';
import { fail } from './expect.ts';

const TIMEOUT_MS = 15_000;

export async function request(
  origin: string,
  path: string,
  init: { method?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const method = init.method ?? (init.json !== undefined || init.form ? 'POST' : 'GET');
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  let res: Response;
  try {
    res = await fetch(`${origin}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    fail(`${method} ${path} got no answer: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        fail(`${method} ${path} did not answer JSON: ${text.slice(0, 120) || '(empty body)'}`);
      }
    },
  };
}

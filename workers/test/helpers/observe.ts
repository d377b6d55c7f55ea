/**
 * A response as a test compares it: status, media type and body (JSON parsed, a zip unpacked into its
 * files), with a way to find and mask what legitimately differs between two identical calls (request
 * ids, timestamps, fresh tickets).
 */
import { unzip } from './unzip.ts';

export interface Observed {
  status: number;
  type: string;
  body: unknown;
}

/** Reads a response into an {@link Observed}. */
export async function observe(res: Response): Promise<Observed> {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const bytes = new Uint8Array(await res.arrayBuffer());
  let body: unknown;
  if (bytes.length === 0) body = null;
  else if (type === 'application/json') body = JSON.parse(new TextDecoder().decode(bytes));
  else if (type === 'application/zip') {
    body = (await unzip(bytes)).map((e) => ({ path: e.path, data: new TextDecoder().decode(e.data) }));
  } else body = new TextDecoder().decode(bytes);
  return { status: res.status, type, body };
}

/** The paths (`body.a.0`) at which two observations differ. */
export function differences(a: unknown, b: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Object.is(a, b)) return out;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.add(path);
    return out;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    differences(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
      out,
    );
  }
  return out;
}

/** `value` with the given paths replaced by a marker. */
export function mask<T>(value: T, paths: Set<string>, path = ''): T {
  if (paths.has(path)) return '<differs between identical calls>' as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value))
    return value.map((v, i) => mask(v, paths, path ? `${path}.${i}` : String(i))) as T;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, mask(v, paths, path ? `${path}.${k}` : k)]),
  ) as T;
}

import { RespError, type RespValue } from './resp.ts';

/** A reply as it appears in Upstash's JSON `result` field. */
export type JsonReply = string | number | null | JsonReply[];

/**
 * Converts a redis reply to Upstash's JSON: integers → numbers, strings → strings, nil → null, arrays →
 * arrays. With `base64` (the `Upstash-Encoding: base64` header, which @upstash/redis sends by default)
 * every string at any depth is base64 of its raw bytes, except the status reply "OK", as Upstash does.
 *
 * An error nested inside an array (a Lua script returning `redis.error_reply` in a table) has no JSON shape
 * on Upstash's side that we know of; it is rendered as its message string.
 */
export function toJsonReply(value: RespValue, base64: boolean): JsonReply {
  if (value === null || typeof value === 'number') return value;
  if (typeof value === 'string') {
    return base64 && value !== 'OK' ? Buffer.from(value, 'utf8').toString('base64') : value;
  }
  if (Array.isArray(value)) return value.map((item) => toJsonReply(item, base64));
  if (value instanceof RespError) return toJsonReply(value.message, base64);
  return value.toString(base64 ? 'base64' : 'utf8');
}

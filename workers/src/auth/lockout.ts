import type { Redis } from '@upstash/redis/cloudflare';
import { sha256Hex } from '../crypto/bytes.ts';
import type { LimitRule } from '../limits/config.ts';

/**
 * Login lockout per account: `rule.limit` failed logins within `rule.windowSeconds` (counted from the
 * first failure) lock the account until the window ends. The counter lives in Redis with that expiry,
 * so a lockout ends by itself. Emails are hashed in the key: no addresses in Redis.
 */
async function key(email: string): Promise<string> {
  return `sk:login-fail:${await sha256Hex(email)}`;
}

/** Seconds until the account may try again, or 0 when it is not locked. */
export async function lockedFor(redis: Redis, email: string, rule: LimitRule): Promise<number> {
  const k = await key(email);
  const [count, ttl] = await redis.pipeline().get<number>(k).ttl(k).exec<[number | null, number]>();
  if (!count || count < rule.limit) return 0;
  // A counter without an expiry would lock the account for good: give it its window back.
  if (ttl < 0) await redis.expire(k, rule.windowSeconds);
  return ttl > 0 ? ttl : rule.windowSeconds;
}

/** Count a failed login; returns the failures in the current window. */
export async function recordFailure(redis: Redis, email: string, rule: LimitRule): Promise<number> {
  const k = await key(email);
  // One transaction, so the counter never exists without its expiry. NX: the window starts at the
  // first failure and further failures do not extend it.
  const [count] = await redis.multi().incr(k).expire(k, rule.windowSeconds, 'NX').exec<[number, number]>();
  return count;
}

/** A successful login forgets earlier failures. */
export async function clearFailures(redis: Redis, email: string): Promise<void> {
  await redis.del(await key(email));
}

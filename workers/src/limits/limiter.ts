import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import type { LimitName, LimitRule } from './config.ts';

/** The outcome of one limit check, with what the client is told in headers. */
export interface LimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the window resets. */
  reset: number;
}

/**
 * Identifiers blocked until a known time, per limit and per isolate: a client hammering past its limit
 * is refused without a Redis round trip. Module state is fine here: it holds no I/O object, and losing
 * it (a new isolate) only costs a Redis call.
 */
const blocked: Record<LimitName, Map<string, number>> = {
  auth: new Map(),
  api: new Map(),
  projectCreate: new Map(),
  llm: new Map(),
};

/** How long a limit check may wait for Redis before the request is let through. */
const REDIS_TIMEOUT_MS = 1500;

/**
 * Count one event against a fixed-window limit. Fixed windows (not sliding) because their reset time
 * is exact, so `Retry-After` is true: a client that waits that long gets through.
 */
export async function checkLimit(
  redis: Redis,
  name: LimitName,
  rule: LimitRule,
  identifier: string,
): Promise<LimitResult> {
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.fixedWindow(rule.limit, `${rule.windowSeconds} s`),
    // The rule is part of the prefix: changing a limit starts fresh windows instead of reading old counts.
    prefix: `sk:rl:${name}:${rule.limit}/${rule.windowSeconds}`,
    ephemeralCache: blocked[name],
    timeout: REDIS_TIMEOUT_MS,
    analytics: false,
  });
  const { success, limit, remaining, reset } = await limiter.limit(identifier);
  return { success, limit, remaining, reset };
}

/** The limit headers: the IETF draft's `RateLimit-*` (reset in seconds) and the common `X-RateLimit-*` (reset as epoch seconds). */
export function limitHeaders(result: LimitResult, now = Date.now()): Record<string, string> {
  const resetIn = Math.max(0, Math.ceil((result.reset - now) / 1000));
  const remaining = String(Math.max(0, result.remaining));
  return {
    'RateLimit-Limit': String(result.limit),
    'RateLimit-Remaining': remaining,
    'RateLimit-Reset': String(resetIn),
    'X-RateLimit-Limit': String(result.limit),
    'X-RateLimit-Remaining': remaining,
    'X-RateLimit-Reset': String(Math.ceil(result.reset / 1000)),
  };
}

/**
 * The user's `llm` rate limit on the live channel: frames that make the run call models (starting or
 * resuming it, skipping on, answering it or reviewing its change, asking it for a change or to try a task again) count against it, like the API's LLM-spending
 * routes. Like the API's limits, a Redis failure lets the action through.
 */
import type { Bindings } from '../env.ts';
import { limitsConfig } from '../limits/config.ts';
import { checkLimit } from '../limits/limiter.ts';
import { redisClient } from '../platform/deps.ts';
import { describeError, log } from '../platform/logger.ts';
import type { ClientMessage } from '../protocol.ts';

/** Frames that make the run call LLMs. */
export function spendsOnLlm(msg: ClientMessage): boolean {
  return (
    msg.type === 'answer' ||
    msg.type === 'review' ||
    msg.type === 'chat' ||
    msg.type === 'retry' ||
    (msg.type === 'control' && (msg.action === 'start' || msg.action === 'resume' || msg.action === 'skip'))
  );
}

/** Counts one such action of `userId`: why it is refused, or null. */
export async function spendingRefusal(env: Bindings, userId: string | null): Promise<string | null> {
  if (!userId || !env.UPSTASH_REDIS_REST_URL) return null;
  try {
    const result = await checkLimit(
      redisClient(env),
      'llm',
      limitsConfig(env.RATE_LIMITS).llm,
      `user:${userId}`,
    );
    if (result.success) return null;
    const wait = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
    return `Too many actions that make the agents call a model. Try again in ${wait} s.`;
  } catch (err) {
    log.warn('rate limit unavailable, action allowed', { limit: 'llm', ...describeError(err) });
    return null;
  }
}

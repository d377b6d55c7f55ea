/**
 * Retries of one provider call: 429 and 5xx (and transport failures) are tried again with exponential
 * backoff and full jitter, or after exactly the `retry-after` the provider asked for. Bounded twice: by
 * attempts and by the longest wait accepted (a provider asking for minutes fails the call at once, so
 * the run can say why instead of hanging). Cancellable: an abort ends the wait immediately.
 */
import { LlmError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff step; doubles each retry. */
  baseDelayMs: number;
  /** Cap of a computed backoff. */
  maxDelayMs: number;
  /** The longest `retry-after` honoured; a longer one fails the call. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** Time and chance, injected so tests run without real waits. */
export interface RetryDeps {
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
}

/** A sleep that rejects with a `cancelled` error as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new LlmError('cancelled', 'llm', 'the call was cancelled');
    if (signal.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const REAL_RETRY_DEPS: RetryDeps = { sleep: abortableSleep, random: Math.random };

/** The wait before retry number `retry` (1-based) after `err`, or null when it must not be retried. */
export function retryDelay(
  err: LlmError,
  retry: number,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  if (!err.retryable) return null;
  if (err.retryAfterMs !== null) return err.retryAfterMs <= policy.maxRetryAfterMs ? err.retryAfterMs : null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  // Full jitter: many projects hitting one rate limit do not come back in lockstep.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or runs out of attempts.
 * `onRetry` hears of each retry before its wait (for logs and metrics).
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  opts: {
    policy: RetryPolicy;
    deps: RetryDeps;
    signal: AbortSignal;
    onRetry?: (err: LlmError, attempt: number, delayMs: number) => void;
  },
): Promise<T> {
  for (let n = 1; ; n++) {
    if (opts.signal.aborted) throw new LlmError('cancelled', 'llm', 'the call was cancelled');
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      if (opts.signal.aborted) throw new LlmError('cancelled', err.provider, 'the call was cancelled');
      const delay = n < opts.policy.maxAttempts ? retryDelay(err, n, opts.policy, opts.deps.random) : null;
      if (delay === null) throw err;
      opts.onRetry?.(err, n, delay);
      await opts.deps.sleep(delay, opts.signal);
    }
  }
}

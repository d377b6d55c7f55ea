import { describe, expect, it } from 'vitest';
import { LlmError } from './errors.ts';
import { abortableSleep, DEFAULT_RETRY, retryDelay, withRetries, type RetryDeps } from './retry.ts';

function recorder(): RetryDeps & { waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms), random: () => 1 };
}

const limited = (retryAfterMs: number | null) =>
  new LlmError('rate_limited', 'openai', 'openai answered 429', { status: 429, retryAfterMs });

describe('retries', () => {
  it('waits exactly what retry-after asks, then succeeds', async () => {
    const deps = recorder();
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw limited(1500);
        return 'ok';
      },
      { policy: DEFAULT_RETRY, deps, signal: new AbortController().signal },
    );
    expect(result).toBe('ok');
    expect(deps.waits).toEqual([1500, 1500]);
  });

  it('backs off exponentially without retry-after, capped, and stops after maxAttempts', async () => {
    const deps = recorder();
    const policy = { ...DEFAULT_RETRY, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 };
    let calls = 0;
    const run = withRetries(
      async () => {
        calls++;
        throw new LlmError('provider_error', 'openai', 'openai answered 500', { status: 500 });
      },
      { policy, deps, signal: new AbortController().signal },
    );
    await expect(run).rejects.toMatchObject({ code: 'provider_error' });
    expect(calls).toBe(5);
    expect(deps.waits).toEqual([100, 200, 300, 300]);
  });

  it('does not retry a refused key or a bad request, nor a retry-after beyond the bound', async () => {
    const deps = recorder();
    let calls = 0;
    const auth = withRetries(
      async () => {
        calls++;
        throw new LlmError('auth', 'openai', 'refused', { status: 401 });
      },
      { policy: DEFAULT_RETRY, deps, signal: new AbortController().signal },
    );
    await expect(auth).rejects.toMatchObject({ code: 'auth' });
    expect(calls).toBe(1);
    expect(retryDelay(limited(10 * 60_000), 1, DEFAULT_RETRY, () => 0)).toBeNull();
  });

  it('is cancelled by its signal, during the wait too', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = withRetries(
      async () => {
        throw limited(30_000);
      },
      {
        policy: DEFAULT_RETRY,
        deps: { sleep: abortableSleep, random: Math.random },
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

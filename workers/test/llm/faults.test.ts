import { describe, expect, it } from 'vitest';
import { LlmKeyMissing } from '../../src/core/agents/errors.ts';
import { fixtureBaseUrls } from '../../src/llm/config.ts';
import { platformOnly } from '../../src/llm/keys.ts';
import { createLlmPort } from '../../src/llm/port.ts';
import { DEFAULT_RETRY } from '../../src/llm/retry.ts';
import { fixtureUrl, requestsOf, script, uniqueKey } from './fixture.ts';
import { MODELS, signal, testPort } from './helpers.ts';

const ask = (content = 'hello') => [{ role: 'user' as const, content }];

describe('faults', () => {
  it('waits what retry-after says after a 429, then succeeds', async () => {
    const { port, keys, waits, calls } = testPort();
    await script(keys.openai, [{ fault: { kind: 'rate_limit', retryAfter: 2 } }, { text: 'after the wait' }]);
    const out = await port.complete({
      agent: 'Developer',
      model: MODELS.openai,
      messages: ask(),
      signal: signal(),
    });
    expect(out.text).toBe('after the wait');
    expect(waits).toEqual([2000]);
    expect(calls.map((c) => c.outcome)).toEqual(['rate_limited', 'ok']);
  });

  it('prefers retry-after-ms, on Anthropic too', async () => {
    const { port, keys, waits } = testPort();
    await script(keys.anthropic, [
      { fault: { kind: 'rate_limit', retryAfter: 1, retryAfterMs: 250 } },
      { text: 'ok' },
    ]);
    await port.complete({ agent: 'Developer', model: MODELS.anthropic, messages: ask(), signal: signal() });
    expect(waits).toEqual([250]);
  });

  it('retries 5xx and a malformed body, bounded, and says why when it gives up', async () => {
    const { port, keys, calls } = testPort();
    await script(keys.groq, [
      { fault: { kind: 'server_error', status: 502 } },
      { fault: { kind: 'malformed' } },
      { text: 'third time lucky' },
    ]);
    const out = await port.complete({
      agent: 'Developer',
      model: MODELS.groq,
      messages: ask(),
      signal: signal(),
    });
    expect(out.text).toBe('third time lucky');
    expect(calls.map((c) => c.outcome)).toEqual(['provider_error', 'provider_error', 'ok']);

    await script(keys.groq, [{ fault: { kind: 'server_error' }, times: 10 }]);
    const failed = port.complete({
      agent: 'Developer',
      model: MODELS.groq,
      messages: ask(),
      signal: signal(),
    });
    await expect(failed).rejects.toMatchObject({ code: 'provider_error', status: 500 });
    expect((await requestsOf(keys.groq)).length).toBe(3 + DEFAULT_RETRY.maxAttempts);
  });

  it('retries a stream cut mid-way without repeating the text viewers already have', async () => {
    for (const provider of ['openai', 'anthropic'] as const) {
      const { port, keys } = testPort();
      const text = 'The quick brown fox jumps over the lazy dog.';
      await script(keys[provider], [
        { text, chunks: 11, fault: { kind: 'stream_cut', afterChunks: 5 } },
        { text, chunks: 7 },
      ]);
      const deltas: string[] = [];
      const out = await port.complete({
        agent: 'Developer',
        model: MODELS[provider],
        messages: ask(),
        signal: signal(),
        onDelta: (t) => deltas.push(t),
      });
      expect(out.text).toBe(text);
      expect(deltas.join('')).toBe(text);
      expect(await requestsOf(keys[provider])).toHaveLength(2);
    }
  });

  it('cancels a call in flight and makes no further request', async () => {
    const { port, keys } = testPort();
    // 20 chunks a second apart: the whole reply would take 20 s, so an answer well before that is the
    // cancellation's, on however busy a machine.
    await script(keys.openai, [{ text: 'a slow reply that is never finished', chunks: 20, delayMs: 1_000 }]);
    const controller = new AbortController();
    const started = Date.now();
    const run = port.complete({
      agent: 'Developer',
      model: MODELS.openai,
      messages: ask(),
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await requestsOf(keys.openai)).toHaveLength(1);
  });

  it('never puts the key into an error', async () => {
    const key = uniqueKey('openai').replace('sk-fixture-', 'sk-wrong-');
    const port = createLlmPort({
      keys: platformOnly({ openai: { apiKey: key } }),
      baseUrls: fixtureBaseUrls(fixtureUrl()),
      now: () => Date.now(),
    });
    const err = (await port
      .complete({ agent: 'Developer', model: MODELS.openai, messages: ask(), signal: signal() })
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('auth');
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(key.slice(9));
  });
});

describe('keys', () => {
  it('falls back to a provider that has a key when the default one has none', async () => {
    const key = uniqueKey('anthropic');
    const port = createLlmPort({
      keys: platformOnly({ anthropic: { apiKey: key } }),
      baseUrls: fixtureBaseUrls(fixtureUrl()),
      now: () => Date.now(),
    });
    const out = await port.complete({ agent: 'TechnicalWriter', messages: ask(), signal: signal() });
    expect(out).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku-20241022' });
  });

  it('throws LlmKeyMissing when no provider has a key, or the chosen one has none', async () => {
    const none = createLlmPort({ keys: platformOnly({}), now: () => Date.now() });
    await expect(
      none.complete({ agent: 'Developer', messages: ask(), signal: signal() }),
    ).rejects.toBeInstanceOf(LlmKeyMissing);
    const onlyGroq = createLlmPort({
      keys: platformOnly({ groq: { apiKey: uniqueKey('groq') } }),
      now: () => Date.now(),
    });
    await expect(
      onlyGroq.complete({ agent: 'Developer', model: MODELS.anthropic, messages: ask(), signal: signal() }),
    ).rejects.toMatchObject({ provider: 'anthropic' });
  });

  it('checks the budget hook before each call, the re-ask included', async () => {
    let allowed = 1;
    const { port, keys } = testPort({
      beforeCall: () => {
        if (allowed-- <= 0) throw new Error('budget spent');
      },
    });
    await script(keys.openai, [{ fault: { kind: 'invalid_json' } }]);
    const { z } = await import('zod');
    await expect(
      port.complete({
        agent: 'Developer',
        model: MODELS.openai,
        messages: ask(),
        schema: z.object({ a: z.string() }),
        signal: signal(),
      }),
    ).rejects.toThrow('budget spent');
    expect(await requestsOf(keys.openai)).toHaveLength(1);
  });
});

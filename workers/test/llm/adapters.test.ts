import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { bodyOf, requestsOf, script } from './fixture.ts';
import { MODELS, PROVIDERS, signal, testPort } from './helpers.ts';

const Plan = z.object({ title: z.string(), steps: z.array(z.string()).min(1) });

describe.each(PROVIDERS)('%s through its official SDK', (provider) => {
  it('streams deltas and reports usage and cost', async () => {
    const { port, keys, calls } = testPort();
    const key = keys[provider];
    await script(key, [
      { text: 'Hello from the fixture, streamed.', chunks: 6, usage: { input: 120, output: 9, cached: 20 } },
    ]);
    const deltas: string[] = [];
    const out = await port.complete({
      agent: 'SpecWriter',
      model: MODELS[provider],
      messages: [
        { role: 'system', content: 'You write specifications.' },
        { role: 'user', content: 'A todo app' },
      ],
      signal: signal(),
      onDelta: (t) => deltas.push(t),
    });
    expect(out.text).toBe('Hello from the fixture, streamed.');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(out.text);
    expect(out.usage).toEqual({ inputTokens: 120, outputTokens: 9, cachedTokens: 20 });
    const named = MODELS[provider].slice(0, MODELS[provider].indexOf(':'));
    expect(out.provider).toBe(named);
    // A self-hosted model has no list price: its cost is unknown (null), not $0.
    if (provider === 'compatible') expect(out.costMicros).toBeNull();
    else expect(out.costMicros).toBeGreaterThan(0);
    expect(calls).toMatchObject([{ provider: named, outcome: 'ok', keyOrigin: 'platform', attempt: 1 }]);
    const [sent] = await requestsOf(key);
    expect(bodyOf(sent!)).toMatchObject({ stream: true });
    expect(sent!.body).toContain('You write specifications.');
  });

  it('asks for a structured output in the native mode and validates it', async () => {
    const { port, keys } = testPort();
    const key = keys[provider];
    await script(key, [{ json: { title: 'Todo API', steps: ['model', 'routes'] } }]);
    const out = await port.complete({
      agent: 'TechLead',
      model: MODELS[provider],
      messages: [{ role: 'user', content: 'Plan it' }],
      schema: Plan,
      signal: signal(),
    });
    expect(out.object).toEqual({ title: 'Todo API', steps: ['model', 'routes'] });
    const body = bodyOf((await requestsOf(key))[0]!);
    if (provider === 'anthropic') {
      expect(body.tool_choice).toEqual({ type: 'tool', name: 'respond' });
      expect(body.tools).toMatchObject([
        { name: 'respond', input_schema: { type: 'object', required: ['title', 'steps'] } },
      ]);
    } else if (provider === 'groq') {
      // llama-3.3 has no json_schema mode on Groq: JSON mode with the schema in the prompt.
      expect(body.response_format).toEqual({ type: 'json_object' });
      const [system] = body.messages as { role: string; content: string }[];
      expect(system).toMatchObject({ role: 'system' });
      expect(system!.content).toContain('"required":["title","steps"]');
    } else {
      expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'respond' } });
    }
  });

  it('re-asks once with the validation error, then accepts the corrected reply', async () => {
    const { port, keys, calls } = testPort();
    const key = keys[provider];
    await script(key, [{ json: { title: 'x', steps: [] } }, { json: { title: 'x', steps: ['one'] } }]);
    const out = await port.complete({
      agent: 'TechLead',
      model: MODELS[provider],
      messages: [{ role: 'user', content: 'Plan it' }],
      schema: Plan,
      signal: signal(),
    });
    expect(out.object).toEqual({ title: 'x', steps: ['one'] });
    const sent = await requestsOf(key);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toContain('did not match the required JSON schema');
    expect(sent[1]!.body).toContain('steps');
    expect(calls.map((c) => c.reask)).toEqual([false, true]);
    // Both calls were paid for: the completion carries their sum.
    expect(out.usage.outputTokens).toBe(calls[0]!.usage.outputTokens + calls[1]!.usage.outputTokens);
  });

  it('fails with invalid_output when the re-ask is invalid too', async () => {
    const { port, keys } = testPort();
    const key = keys[provider];
    await script(key, [{ fault: { kind: 'invalid_json' } }, { fault: { kind: 'invalid_json' } }]);
    await expect(
      port.complete({
        agent: 'TechLead',
        model: MODELS[provider],
        messages: [{ role: 'user', content: 'Plan it' }],
        schema: Plan,
        signal: signal(),
      }),
    ).rejects.toMatchObject({ code: 'invalid_output' });
    expect(await requestsOf(key)).toHaveLength(2);
  });
});

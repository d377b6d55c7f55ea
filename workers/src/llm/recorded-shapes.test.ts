import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmFixture, type LlmFixture } from '../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey, type FixtureProvider } from '../../../infra/llm-fixture/keys.ts';
import {
  afterReasoning,
  cutOff,
  fenced,
  proseWrapped,
  toolCutOff,
} from '../core/agents/testing/recorded-replies.ts';
import { trimmable } from '../core/output-limits.ts';
import { fixtureBaseUrls } from './config.ts';
import { LlmError } from './errors.ts';
import { platformOnly } from './keys.ts';
import { createLlmPort, type CallRecord } from './port.ts';

/** The structured outputs of the providers, over their official SDKs, meeting replies as real models send them. */

let fixture: LlmFixture;
beforeAll(async () => {
  fixture = await startLlmFixture({ port: 0 });
});
afterAll(async () => {
  await fixture.close();
});

const MODELS: Record<FixtureProvider, string> = {
  openai: 'openai:gpt-4.1-mini',
  anthropic: 'anthropic:claude-3-5-haiku-20241022',
  groq: 'groq:llama-3.1-8b-instant',
  compatible: 'openai-compatible:qwen2.5-coder:7b',
};
const CHAT: FixtureProvider[] = ['openai', 'groq', 'compatible'];

const Checklist = z
  .object({
    title: z.string().min(1).max(60),
    steps: z.array(z.string().min(1)).min(1).max(4),
    /** Extras: trimmed when over the limit. */
    tips: z.array(z.string()).max(2),
  })
  .register(trimmable, { paths: ['tips'] });

const ANSWER = {
  title: 'Ship the todo API',
  steps: ['write the routes', 'add "DELETE /todos/:id" {returns 204}', 'run npm test'],
  tips: ['keep handlers small'],
};

let n = 0;
function setup(provider: FixtureProvider, replies: Parameters<LlmFixture['add']>[1]) {
  const key = validFixtureKey(provider, `shape${++n}${Date.now()}`);
  fixture.add(key, replies);
  const calls: CallRecord[] = [];
  const port = createLlmPort({
    keys: platformOnly({ [provider === 'compatible' ? 'openai-compatible' : provider]: { apiKey: key } }),
    baseUrls: fixtureBaseUrls(fixture.url),
    now: () => Date.now(),
    retryDeps: { sleep: async () => {}, random: () => 0.5 },
    onCall: (r) => calls.push(r),
  });
  const ask = () =>
    port.complete({
      agent: 'TechLead',
      model: MODELS[provider],
      messages: [{ role: 'user', content: 'Plan the todo API.' }],
      schema: Checklist,
      signal: new AbortController().signal,
    });
  const sent = () => fixture.requestsOf(key).map((r) => r.body);
  return { ask, sent, calls };
}

describe.each(CHAT)('%s: JSON wrapped the way models wrap it', (provider) => {
  it('finds fenced JSON with a remark after it, in one call', async () => {
    const { ask, sent } = setup(provider, [
      fenced(undefined, ANSWER, 'The third step assumes `npm test` is set up; tell me if it is not.'),
    ]);
    expect((await ask()).object).toEqual(ANSWER);
    expect(sent()).toHaveLength(1);
  });

  it('finds JSON after a sentence and before an offer, in one call', async () => {
    const { ask, sent } = setup(provider, [
      proseWrapped(
        undefined,
        ANSWER,
        "Sure! Here's a checklist for shipping your todo API (each step is small):",
        'Let me know if you want me to {expand} any of these steps.',
      ),
    ]);
    expect((await ask()).object).toEqual(ANSWER);
    expect(sent()).toHaveLength(1);
  });

  it('finds the answer after a reasoning block that sketches objects of its own', async () => {
    const { ask, sent } = setup(provider, [
      afterReasoning(
        undefined,
        ANSWER,
        'The user wants a plan. Maybe {"title": "x"} is enough? No, steps are required: { steps: [...] }.',
      ),
    ]);
    expect((await ask()).object).toEqual(ANSWER);
    expect(sent()).toHaveLength(1);
  });
});

const cutReplies = (provider: FixtureProvider) =>
  provider === 'anthropic'
    ? // The tool's input as far as it was complete: it even validates, and still must not be used.
      toolCutOff(undefined, { title: 'Ship the todo API', steps: ['write the routes'], tips: [] })
    : cutOff(undefined, ANSWER, 'DELETE /to');

describe.each([...CHAT, 'anthropic' as const])('%s: a reply cut off at the output limit', (provider) => {
  it('is never used: it is re-asked once for a shorter answer', async () => {
    const { ask, sent, calls } = setup(provider, [cutReplies(provider), { json: ANSWER }]);
    const out = await ask();
    expect(out.object).toEqual(ANSWER);
    const bodies = sent();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain('Your previous reply was cut off at the output limit');
    // The cut-off reply is not quoted back (it would only be continued).
    expect(bodies[1]).not.toContain('DELETE');
    expect(calls.map((c) => c.reask)).toEqual([false, true]);
  });

  it('fails naming the cut-off, not as a parse error, when the re-ask is cut off too', async () => {
    const { ask, sent } = setup(provider, [cutReplies(provider), cutReplies(provider)]);
    const failed = await ask().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(LlmError);
    const err = failed as LlmError;
    expect(err.code).toBe('truncated');
    const reason = provider === 'anthropic' ? 'max_tokens' : 'length';
    expect(err.message).toContain(`cut off at its output limit (finish reason "${reason}")`);
    expect(err.message).not.toMatch(/JSON|schema/);
    // Both rounds were billed: the error carries them, to be recorded.
    expect(err.spent?.usage.outputTokens).toBeGreaterThan(0);
    expect(sent()).toHaveLength(2);
  });
});

describe('an answer over the schema limits', () => {
  it('is trimmed without a re-ask where the schema allows it', async () => {
    const { ask, sent } = setup('openai', [
      { json: { ...ANSWER, tips: ['keep handlers small', 'log every request', 'pin versions'] } },
    ]);
    expect((await ask()).object).toEqual({ ...ANSWER, tips: ['keep handlers small', 'log every request'] });
    expect(sent()).toHaveLength(1);
  });

  it('is re-asked with the limit stated where trimming would lose work', async () => {
    const tooMany = { ...ANSWER, steps: ['one', 'two', 'three', 'four', 'five', 'six'] };
    const longTitle = {
      ...ANSWER,
      title: 'Ship the todo API with routes, tests, a README and a deploy script',
    };
    const { ask, sent } = setup('anthropic', [{ json: tooMany }, { json: longTitle }, { json: ANSWER }]);
    const failed = await ask().then(
      () => null,
      (err: unknown) => err as LlmError,
    );
    // Each re-ask states the limit and what the reply had, in words a model can act on.
    expect(sent()[1]).toContain('steps: 6 items where at most 4 are allowed');
    expect(failed?.code).toBe('invalid_output');
    expect(failed?.message).toContain('title: 66 characters where at most 60 are allowed: say it shorter');
  });
});

describe("Groq's refusal of a reply that is not valid JSON (400 json_validate_failed)", () => {
  it('reads the refused reply like any other: JSON wrapped in prose is used, at no extra call', async () => {
    const { ask, sent } = setup('groq', [
      {
        fault: { kind: 'json_validate_failed' },
        text: `Here is the checklist:\n${JSON.stringify(ANSWER)}\nGood luck!`,
      },
    ]);
    expect((await ask()).object).toEqual(ANSWER);
    expect(sent()).toHaveLength(1);
  });

  it('re-asks a refused reply that holds no usable JSON, quoting it, instead of failing as a bad request', async () => {
    const { ask, sent } = setup('groq', [
      { fault: { kind: 'json_validate_failed' }, text: '{"title": "Ship it", steps: [write the routes]}' },
      { json: ANSWER },
    ]);
    expect((await ask()).object).toEqual(ANSWER);
    const bodies = sent();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain('did not match the required JSON schema: the reply is not valid JSON');
    expect(bodies[1]).toContain('steps: [write the routes]');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmFixture, type LlmFixture } from './fixture.ts';
import { validFixtureKey } from './keys.ts';

let fixture: LlmFixture;
let n = 0;

beforeAll(async () => {
  fixture = await startLlmFixture({ port: 0 });
});
afterAll(async () => {
  await fixture.close();
});

/** A key of its own per test, so scripts and records never mix. */
const freshKey = (provider: 'openai' | 'anthropic' | 'groq') => validFixtureKey(provider, `chat${++n}`);

const post = (path: string, key: string, body: unknown, anthropic = false) =>
  fetch(`${fixture.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(anthropic
        ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' }
        : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify(body),
  });

function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) =>
      block
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    );
}

describe('OpenAI chat completions', () => {
  it('answers from the key script with usage, then falls back to a schema-valid default', async () => {
    const key = freshKey('openai');
    fixture.add(key, [{ text: 'scripted answer', usage: { input: 11, output: 3, cached: 4 } }]);
    const res = await post('/openai/v1/chat/completions', key, {
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'scripted answer' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 11, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } },
    });
    const fallback = await post('/openai/v1/chat/completions', key, {
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hello' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'x',
          schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
        },
      },
    });
    const body = (await fallback.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ n: 0 });
    expect(fixture.requestsOf(key).map((r) => r.note)).toEqual(['scripted', 'default']);
  });

  it('streams chunks, the usage chunk when asked for, and [DONE]', async () => {
    const key = freshKey('openai');
    fixture.add(key, [{ text: 'abcdefghij', chunks: 5 }]);
    const res = await post('/openai/v1/chat/completions', key, {
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data
      .slice(0, -1)
      .map((d) => JSON.parse(d) as { choices: { delta: { content?: string } }[]; usage?: unknown });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('abcdefghij');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
  });

  it('answers a forced tool with a tool call', async () => {
    const key = freshKey('openai');
    fixture.add(key, [{ json: { city: 'Oslo' } }]);
    const res = await post('/openai/v1/chat/completions', key, {
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    expect(await res.json()).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            content: null,
            tool_calls: [{ type: 'function', function: { name: 'lookup', arguments: '{"city":"Oslo"}' } }],
          },
        },
      ],
    });
  });

  it('injects 429 with retry-after, 500, a malformed body and invalid JSON content', async () => {
    const key = freshKey('groq');
    fixture.add(key, [
      { fault: { kind: 'rate_limit', retryAfter: 2, retryAfterMs: 1500 } },
      { fault: { kind: 'server_error', status: 503 } },
      { fault: { kind: 'malformed' } },
      { fault: { kind: 'invalid_json' } },
    ]);
    const call = () =>
      post('/groq/openai/v1/chat/completions', key, {
        model: 'llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'x' }],
      });
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('retry-after-ms')).toBe('1500');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect((await call()).status).toBe(503);
    const malformed = await call();
    expect(() => JSON.parse('{"id": "chatcmpl-')).toThrow();
    expect(await malformed.text()).toBe('{"id": "chatcmpl-');
    const invalid = (await (await call()).json()) as { choices: { message: { content: string } }[] };
    expect(() => JSON.parse(invalid.choices[0]!.message.content)).toThrow();
  });

  it('cuts a stream mid-way', async () => {
    const key = freshKey('openai');
    fixture.add(key, [
      {
        text: 'a long reply that will not arrive whole',
        chunks: 10,
        fault: { kind: 'stream_cut', afterChunks: 3 },
      },
    ]);
    const res = await post('/openai/v1/chat/completions', key, {
      model: 'gpt-4.1',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(res.text()).rejects.toThrow();
  });
});

describe('Anthropic messages', () => {
  it('requires max_tokens and answers text with cache-read usage', async () => {
    const key = freshKey('anthropic');
    const missing = await post(
      '/anthropic/v1/messages',
      key,
      { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'x' }] },
      true,
    );
    expect(missing.status).toBe(400);
    fixture.add(key, [{ text: 'bonjour', usage: { input: 9, output: 2, cached: 5 } }]);
    const res = await post(
      '/anthropic/v1/messages',
      key,
      {
        model: 'claude-sonnet-4-20250514',
        max_tokens: 100,
        system: 'be brief',
        messages: [{ role: 'user', content: 'x' }],
      },
      true,
    );
    expect(await res.json()).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'bonjour' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 4, output_tokens: 2, cache_read_input_tokens: 5 },
    });
    expect(fixture.requestsOf(key).at(-1)!.body).toContain('be brief');
  });

  it('streams a forced tool as input_json_delta events', async () => {
    const key = freshKey('anthropic');
    fixture.add(key, [{ json: { ok: true }, chunks: 3 }]);
    const res = await post(
      '/anthropic/v1/messages',
      key,
      {
        model: 'claude-sonnet-4-20250514',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ name: 'respond', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'respond' },
      },
      true,
    );
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map((b) => b.split('\n')[0]!.slice(7));
    expect(events[0]).toBe('message_start');
    expect(events.at(-1)).toBe('message_stop');
    const partial = sseData(text)
      .map((d) => JSON.parse(d) as { delta?: { type?: string; partial_json?: string } })
      .filter((e) => e.delta?.type === 'input_json_delta')
      .map((e) => e.delta!.partial_json)
      .join('');
    expect(JSON.parse(partial)).toEqual({ ok: true });
  });

  it('answers an injected 529 in its own error envelope', async () => {
    const key = freshKey('anthropic');
    fixture.add(key, [{ fault: { kind: 'server_error', status: 529 } }]);
    const res = await post(
      '/anthropic/v1/messages',
      key,
      { model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      true,
    );
    expect(res.status).toBe(529);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });
});

describe('control API', () => {
  it('takes scripts over HTTP, matches on content, and reports what is left', async () => {
    const key = freshKey('openai');
    const script = await fetch(`${fixture.url}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({
        key,
        replies: [
          { match: { contains: 'second' }, text: 'B' },
          { text: 'A', times: 2 },
        ],
      }),
    });
    expect(await script.json()).toMatchObject({ pending: { [key]: 3 } });
    const ask = async (content: string) => {
      const res = await post('/openai/v1/chat/completions', key, {
        model: 'gpt-4.1',
        messages: [{ role: 'user', content }],
      });
      return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
        .content;
    };
    expect(await ask('first')).toBe('A');
    expect(await ask('the second one')).toBe('B');
    expect(await ask('third')).toBe('A');
    expect(fixture.script.pending()[key]).toBe(0);
    const bad = await fetch(`${fixture.url}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({ replies: [{ fault: { kind: 'nope' } }] }),
    });
    expect(bad.status).toBe(400);
    const logged = (await (await fetch(`${fixture.url}/__fixture/requests?key=${key}`)).json()) as {
      requests: unknown[];
    };
    expect(logged.requests).toHaveLength(3);
  });
});

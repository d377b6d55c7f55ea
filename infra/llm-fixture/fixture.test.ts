import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmFixture, type LlmFixture } from './fixture.ts';
import { validFixtureKey } from './keys.ts';

let fixture: LlmFixture;

beforeAll(async () => {
  fixture = await startLlmFixture({ port: 0 });
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  fixture.requests.length = 0;
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${fixture.url}${path}`, { headers });

describe('OpenAI wire format', () => {
  it('lists models for a valid bearer key', async () => {
    const res = await get('/openai/v1/models', {
      authorization: `Bearer ${validFixtureKey('openai', 't1')}`,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      object: string;
      data: { id: string; object: string; owned_by: string }[];
    };
    expect(body.object).toBe('list');
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
  });

  it('answers a wrong key with 401 invalid_api_key and masks the key in the message', async () => {
    const res = await get('/openai/v1/models', { authorization: 'Bearer sk-wrong-key-123456789' });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as {
      error: { message: string; type: string; param: null; code: string };
    };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
    expect(body.error.message).toContain('Incorrect API key provided: sk-');
    expect(body.error.message).not.toContain('sk-wrong-key-123456789');
  });

  it('answers a missing key with 401 and a null code', async () => {
    const res = await get('/openai/v1/models');
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: null; message: string } };
    expect(body.error.code).toBeNull();
    expect(body.error.message).toMatch(/didn't provide an API key/);
  });

  it('answers an unknown path with its 404 shape', async () => {
    const res = await get('/openai/v1/nothing', {
      authorization: `Bearer ${validFixtureKey('openai', 't2')}`,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: 'Invalid URL (GET /v1/nothing)' } });
  });
});

describe('Anthropic wire format', () => {
  const headers = { 'x-api-key': validFixtureKey('anthropic', 't3'), 'anthropic-version': '2023-06-01' };

  it('lists models with x-api-key and anthropic-version, paginated', async () => {
    const res = await get('/anthropic/v1/models?limit=2', headers);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { type: string; id: string }[];
      has_more: boolean;
      first_id: string;
    };
    expect(body.data).toHaveLength(2);
    expect(body.data[0]?.type).toBe('model');
    expect(body.has_more).toBe(true);
    expect(body.first_id).toBe(body.data[0]?.id);
  });

  it('answers a wrong key with 401 authentication_error in its error envelope', async () => {
    const res = await get('/anthropic/v1/models', { ...headers, 'x-api-key': 'sk-ant-nope' });
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
  });

  it('requires the anthropic-version header', async () => {
    const res = await get('/anthropic/v1/models', { 'x-api-key': headers['x-api-key'] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('accepts the key as a bearer token too (what @anthropic-ai/sdk 1.x sends), and checks it the same way', async () => {
    const ok = await get('/anthropic/v1/models', {
      authorization: `Bearer ${headers['x-api-key']}`,
      'anthropic-version': '2023-06-01',
    });
    expect(ok.status).toBe(200);
    const bad = await get('/anthropic/v1/models', {
      authorization: 'Bearer sk-ant-nope',
      'anthropic-version': '2023-06-01',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { type: 'authentication_error' } });
  });
});

describe('Groq and OpenAI-compatible wire formats', () => {
  it('serves Groq under /openai/v1 with its extra model fields and its 401 shape', async () => {
    const ok = await get('/groq/openai/v1/models', {
      authorization: `Bearer ${validFixtureKey('groq', 't4')}`,
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { data: { active: boolean; context_window: number }[] };
    expect(body.data[0]).toMatchObject({ active: true });
    const bad = await get('/groq/openai/v1/models', { authorization: 'Bearer gsk_wrong' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' },
    });
  });

  it('serves an OpenAI-compatible server under /compatible/v1', async () => {
    const ok = await get('/compatible/v1/models', {
      authorization: `Bearer ${validFixtureKey('compatible', 't5')}`,
    });
    expect(ok.status).toBe(200);
    const bad = await get('/compatible/v1/models', { authorization: 'Bearer wrong' });
    expect(bad.status).toBe(401);
  });

  it('rejects an unknown provider prefix', async () => {
    expect((await get('/mistral/v1/models')).status).toBe(404);
  });
});

describe('request log', () => {
  it('records what was sent, in memory and over HTTP, and can be cleared', async () => {
    const key = validFixtureKey('openai', 'logged');
    await get('/openai/v1/models', { authorization: `Bearer ${key}` });
    expect(fixture.requests).toHaveLength(1);
    expect(fixture.requests[0]).toMatchObject({
      provider: 'openai',
      method: 'GET',
      path: '/v1/models',
      key,
      status: 200,
    });
    const over = (await (await get('/__fixture/requests')).json()) as { requests: { key: string }[] };
    expect(over.requests.map((r) => r.key)).toEqual([key]);
    await fetch(`${fixture.url}/__fixture/requests`, { method: 'DELETE' });
    expect(fixture.requests).toHaveLength(0);
  });
});

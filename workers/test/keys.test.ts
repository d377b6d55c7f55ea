import { env } from 'cloudflare:workers';
import { schema } from '@samokoder/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { loadKeyRing } from '../src/crypto/key-ring.ts';
import { parseKeyId } from '../src/ids.ts';
import { openKey } from '../src/keys/store.ts';
import { openDb } from '../src/platform/deps.ts';
import { call, errorOf } from './helpers/api.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

interface KeyView {
  id: string;
  provider: string;
  label: string;
  last4: string;
  baseUrl: string | null;
  createdAt: string;
  lastTestedAt: string | null;
  lastTestOk: boolean | null;
}

interface KeyTestBody {
  ok: boolean;
  result: string;
  message: string;
  modelCount?: number;
  key: KeyView;
}

interface FixtureRequest {
  provider: string;
  path: string;
  key: string | null;
  headers: Record<string, string>;
}

const fixture = env.LLM_BASE_URL_OVERRIDE;

async function addKey(user: TestUser, body: Record<string, unknown>): Promise<Response> {
  return call('/api/keys', { json: body, token: user.accessToken });
}

async function added(user: TestUser, body: Record<string, unknown>): Promise<KeyView> {
  const res = await addKey(user, body);
  if (res.status !== 201) throw new Error(`add key failed: ${res.status} ${await res.text()}`);
  return res.json<KeyView>();
}

async function testKey(user: TestUser, id: string): Promise<Response> {
  return call(`/api/keys/${id}/test`, { method: 'POST', token: user.accessToken });
}

async function fixtureRequestsWithKey(key: string): Promise<FixtureRequest[]> {
  const res = await fetch(`${fixture}/__fixture/requests`);
  const { requests } = await res.json<{ requests: FixtureRequest[] }>();
  return requests.filter((r) => r.key === key);
}

describe('adding and listing keys', () => {
  it('stores a key encrypted and only ever shows its last four characters', async () => {
    const user = await registerUser('keys');
    const secret = validFixtureKey('openai', `add-${crypto.randomUUID()}`);
    const res = await addKey(user, { provider: 'openai', key: secret });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(secret);
    const view = JSON.parse(text) as KeyView;
    expect(view).toMatchObject({
      provider: 'openai',
      label: 'OpenAI',
      last4: secret.slice(-4),
      baseUrl: null,
      lastTestedAt: null,
    });

    const listed = await call('/api/keys', { token: user.accessToken });
    const listText = await listed.text();
    expect(listText).not.toContain(secret);
    expect((JSON.parse(listText) as { items: KeyView[] }).items.map((k) => k.id)).toEqual([view.id]);

    // A short key (a local server's) shows no characters at all: four would be much of it.
    const short = await addKey(user, {
      provider: 'openai-compatible',
      key: 'ollama',
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
    expect(short.status).toBe(201);
    expect((await short.json<KeyView>()).last4).toBe('');

    const handle = await openDb(env);
    try {
      const [row] = await handle.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, view.id));
      expect(row?.masterKeyId).toBe('k1');
      expect(row?.ciphertext).not.toContain(secret);
      expect(atob(row!.ciphertext)).not.toContain(secret);
      // It decrypts for its owner, and the sealed context ties it to that owner.
      const ring = await loadKeyRing(env.KEYS_MASTER_KEY);
      expect((await openKey(handle.db, ring, user.id, parseKeyId(view.id)!))?.apiKey).toBe(secret);
    } finally {
      await handle.close();
    }
  });

  it('lists only the signed-in user’s keys, newest first', async () => {
    const user = await registerUser('keys-list');
    const other = await registerUser('keys-list-other');
    const first = await added(user, {
      provider: 'anthropic',
      label: 'Work',
      key: validFixtureKey('anthropic', 'list-1'),
    });
    const second = await added(user, { provider: 'groq', key: validFixtureKey('groq', 'list-2') });
    await added(other, { provider: 'openai', key: validFixtureKey('openai', 'list-other') });
    const res = await call('/api/keys', { token: user.accessToken });
    const { items } = await res.json<{ items: KeyView[] }>();
    expect(items.map((k) => [k.id, k.label])).toEqual([
      [second.id, 'Groq'],
      [first.id, 'Work'],
    ]);
  });

  it('validates the body: provider, key format, unknown fields, base URL only for compatible servers', async () => {
    const user = await registerUser('keys-validate');
    const cases: [Record<string, unknown>, string[]][] = [
      [{ provider: 'mistral', key: 'abcdefghijk' }, ['provider']],
      [{ provider: 'openai', key: 'short' }, ['key']],
      [{ provider: 'openai', key: 'has a space in it' }, ['key']],
      [{ provider: 'openai', key: 'sk-abcdefghijkl', baseUrl: 'https://x.example' }, ['baseUrl']],
      [{ provider: 'openai-compatible', key: 'k' }, ['baseUrl']],
      [{ provider: 'groq', key: 12345678 }, ['key']],
    ];
    for (const [body, paths] of cases) {
      const res = await addKey(user, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await errorOf(res)).fields?.map((f) => f.path)).toEqual(paths);
    }
    expect((await call('/api/keys', { body: '{"provider":', token: user.accessToken })).status).toBe(400);
  });

  it('accepts a safe OpenAI-compatible base URL and refuses credentials, queries and odd schemes in it', async () => {
    const user = await registerUser('keys-baseurl');
    const bad = [
      'https://user:pass@llm.example.com/v1',
      'https://llm.example.com/v1?key=abc',
      'ftp://llm.example.com/v1',
      'not a url',
    ];
    for (const baseUrl of bad) {
      const res = await addKey(user, { provider: 'openai-compatible', key: 'anything', baseUrl });
      expect(res.status, baseUrl).toBe(422);
      expect((await errorOf(res)).fields?.[0]?.path).toBe('baseUrl');
    }
    const ok = await added(user, {
      provider: 'openai-compatible',
      key: 'anything',
      baseUrl: 'http://127.0.0.1:11434/v1/',
    });
    expect(ok.baseUrl).toBe('http://127.0.0.1:11434/v1');
  });
});

describe('testing keys against the provider (the LLM fixture)', () => {
  const providers = [
    { provider: 'openai', fixture: 'openai', header: 'authorization' },
    // @anthropic-ai/sdk 1.x sends the API key as a bearer token.
    { provider: 'anthropic', fixture: 'anthropic', header: 'authorization' },
    { provider: 'groq', fixture: 'groq', header: 'authorization' },
  ] as const;

  for (const p of providers) {
    it(`reports a working ${p.provider} key, called through its SDK with the key where the provider wants it`, async () => {
      const user = await registerUser(`probe-${p.provider}`);
      const secret = validFixtureKey(p.fixture, crypto.randomUUID());
      const key = await added(user, { provider: p.provider, key: secret });
      const res = await testKey(user, key.id);
      expect(res.status).toBe(200);
      const body = await res.json<KeyTestBody>();
      expect(body).toMatchObject({ ok: true, result: 'ok', key: { id: key.id, lastTestOk: true } });
      expect(body.modelCount).toBeGreaterThan(0);
      expect(body.key.lastTestedAt).not.toBeNull();
      const seen = await fixtureRequestsWithKey(secret);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.provider).toBe(p.fixture);
      expect(seen[0]?.headers[p.header]).toContain(secret);
      if (p.provider === 'anthropic') expect(seen[0]?.headers['anthropic-version']).toBeTruthy();
    });
  }

  it('reports a rejected key without echoing it or the provider’s message', async () => {
    const user = await registerUser('probe-bad');
    const secret = `sk-wrong-${crypto.randomUUID()}`;
    const key = await added(user, { provider: 'openai', key: secret });
    const res = await testKey(user, key.id);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(0, 8));
    expect(JSON.parse(text)).toMatchObject({
      ok: false,
      result: 'invalid_key',
      message: 'The provider rejected the key (HTTP 401).',
      key: { lastTestOk: false },
    });
  });

  it('tests an OpenAI-compatible key at its own base URL', async () => {
    const user = await registerUser('probe-compatible');
    const secret = validFixtureKey('compatible', crypto.randomUUID());
    const key = await added(user, {
      provider: 'openai-compatible',
      key: secret,
      baseUrl: `${fixture}/compatible/v1`,
    });
    const body = await (await testKey(user, key.id)).json<KeyTestBody>();
    expect(body.ok).toBe(true);
    expect((await fixtureRequestsWithKey(secret))[0]?.path).toBe('/v1/models');
  });

  it('reports an unreachable server', async () => {
    const user = await registerUser('probe-down');
    // A loopback port nothing listens on (port 9 is "discard", not run here).
    const key = await added(user, {
      provider: 'openai-compatible',
      key: 'anything',
      baseUrl: 'http://127.0.0.1:9/v1',
    });
    const body = await (await testKey(user, key.id)).json<KeyTestBody>();
    expect(body).toMatchObject({ ok: false, result: 'unreachable' });
  });
});

describe('deleting keys, and other users’ keys', () => {
  it('deletes a key; a second delete finds nothing', async () => {
    const user = await registerUser('keys-delete');
    const key = await added(user, { provider: 'groq', key: validFixtureKey('groq', 'del') });
    expect((await call(`/api/keys/${key.id}`, { method: 'DELETE', token: user.accessToken })).status).toBe(
      204,
    );
    const { items } = await (
      await call('/api/keys', { token: user.accessToken })
    ).json<{ items: KeyView[] }>();
    expect(items).toEqual([]);
    expect((await call(`/api/keys/${key.id}`, { method: 'DELETE', token: user.accessToken })).status).toBe(
      404,
    );
  });

  it('answers 404 for another user’s key, and leaves it untouched', async () => {
    const owner = await registerUser('keys-owner');
    const intruder = await registerUser('keys-intruder');
    const secret = validFixtureKey('openai', `owner-${crypto.randomUUID()}`);
    const key = await added(owner, { provider: 'openai', key: secret });

    const del = await call(`/api/keys/${key.id}`, { method: 'DELETE', token: intruder.accessToken });
    expect(del.status).toBe(404);
    const probe = await testKey(intruder, key.id);
    expect(probe.status).toBe(404);
    const probeText = await probe.text();
    expect(probeText).not.toContain(secret);
    expect(probeText).not.toContain(key.last4);
    expect(await fixtureRequestsWithKey(secret)).toEqual([]);
    const { items } = await (
      await call('/api/keys', { token: intruder.accessToken })
    ).json<{ items: KeyView[] }>();
    expect(items).toEqual([]);

    const ownerList = await (
      await call('/api/keys', { token: owner.accessToken })
    ).json<{ items: KeyView[] }>();
    expect(ownerList.items.map((k) => k.id)).toEqual([key.id]);
  });

  it('answers 404 for an id that is not a UUID', async () => {
    const user = await registerUser('keys-badid');
    expect((await call('/api/keys/not-a-uuid', { method: 'DELETE', token: user.accessToken })).status).toBe(
      404,
    );
  });

  it('needs a signed-in user', async () => {
    expect((await call('/api/keys')).status).toBe(401);
    expect((await call('/api/keys', { json: { provider: 'openai', key: 'sk-12345678' } })).status).toBe(401);
  });
});

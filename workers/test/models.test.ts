import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { call, errorOf } from './helpers/api.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

interface Choice {
  model: string;
  provider: string;
  name: string;
  sources: string[];
  keys: string[];
  price: { inputMicrosPerMillion: number; outputMicrosPerMillion: number; source: string } | null;
}
interface PriceRule {
  provider: string;
  name: string;
  inputMicrosPerMillion: number;
  outputMicrosPerMillion: number;
  source: string;
}
interface Choices {
  providers: { id: string; label: string; aliases: string[] }[];
  items: Choice[];
  prices: PriceRule[];
}
interface KeyView {
  id: string;
  provider: string;
  label: string;
  models: string[];
  modelsListedAt: string | null;
}

const fixture = env.LLM_BASE_URL_OVERRIDE;

const choices = async (user: TestUser): Promise<Choices> => {
  const res = await call('/api/models', { token: user.accessToken, ip: user.ip });
  expect(res.status).toBe(200);
  return res.json<Choices>();
};

async function addKey(user: TestUser, body: Record<string, unknown>): Promise<Response> {
  return call('/api/keys', { json: body, token: user.accessToken, ip: user.ip });
}

describe('one name per provider', () => {
  it('stores a key typed as `compatible` or in another case under openai-compatible', async () => {
    const user = await registerUser('alias-keys');
    for (const provider of ['compatible', 'OpenAI-Compatible']) {
      const res = await addKey(user, {
        provider,
        key: validFixtureKey('compatible', crypto.randomUUID()),
        baseUrl: `${fixture}/compatible/v1`,
      });
      expect(res.status).toBe(201);
      expect(await res.json<KeyView>()).toMatchObject({
        provider: 'openai-compatible',
        label: 'OpenAI-compatible',
      });
    }
    const unknown = await addKey(user, { provider: 'mistral', key: 'sk-1234567890' });
    expect(unknown.status).toBe(422);
    expect((await errorOf(unknown)).fields?.[0]?.message).toMatch(
      /openai, anthropic, groq or openai-compatible \(compatible also works\)/,
    );
  });

  it('stores a model typed as compatible:… as openai-compatible:…, in Settings and in a project', async () => {
    const user = await registerUser('alias-models');
    const saved = await call('/api/settings', {
      method: 'PATCH',
      json: { models: { '*': 'compatible:oracle', TechnicalWriter: 'OpenAI-Compatible:Oracle-Mini' } },
      token: user.accessToken,
      ip: user.ip,
    });
    expect(saved.status).toBe(200);
    expect((await saved.json<{ models: Record<string, string> }>()).models).toEqual({
      '*': 'openai-compatible:oracle',
      // The model keeps its case: servers tell models apart by it.
      TechnicalWriter: 'openai-compatible:Oracle-Mini',
    });
    const project = await createProject(user, { models: { Developer: 'openai-compatible:oracle' } });
    expect(project.models).toEqual({ Developer: 'openai-compatible:oracle' });
    const aliased = await createProject(user, { models: { Developer: 'compatible:oracle' } });
    expect(aliased.models).toEqual({ Developer: 'openai-compatible:oracle' });

    const refused = await call('/api/settings', {
      method: 'PATCH',
      json: { models: { '*': 'mistral:large' } },
      token: user.accessToken,
      ip: user.ip,
    });
    expect(refused.status).toBe(422);
    const field = (await errorOf(refused)).fields?.[0];
    expect(field?.path).toBe('models.*');
    expect(field?.message).toMatch(/openai-compatible \(compatible also works\)/);
  });

  it('names each provider once, with the spellings it also accepts', async () => {
    const { providers } = await choices(await registerUser('alias-list'));
    expect(providers).toEqual([
      { id: 'openai', label: 'OpenAI', aliases: [] },
      { id: 'anthropic', label: 'Anthropic', aliases: [] },
      { id: 'groq', label: 'Groq', aliases: [] },
      {
        id: 'openai-compatible',
        label: 'OpenAI-compatible',
        aliases: expect.arrayContaining(['compatible']) as string[],
      },
    ]);
  });
});

describe('the models to choose from', () => {
  it("offers the platform's defaults, then the models a saved key's provider listed at its test", async () => {
    const user = await registerUser('choices');
    const before = await choices(user);
    expect(before.items.find((c) => c.model === 'openai:gpt-4.1')).toMatchObject({
      sources: ['default'],
      price: { inputMicrosPerMillion: 2_000_000, outputMicrosPerMillion: 8_000_000, source: 'list' },
    });
    expect(before.items.some((c) => c.model === 'openai-compatible:llama3.2:3b')).toBe(false);

    const res = await addKey(user, {
      provider: 'openai-compatible',
      label: 'Home server',
      key: validFixtureKey('compatible', crypto.randomUUID()),
      baseUrl: `${fixture}/compatible/v1`,
    });
    const key = await res.json<KeyView>();
    expect(key).toMatchObject({ models: [], modelsListedAt: null });

    const tested = await call(`/api/keys/${key.id}/test`, {
      method: 'POST',
      token: user.accessToken,
      ip: user.ip,
    });
    const outcome = await tested.json<{ ok: boolean; message: string; key: KeyView }>();
    expect(outcome.ok).toBe(true);
    expect(outcome.message).toMatch(/lists \d+ models?, offered in the model fields/);
    expect(outcome.key.models).toEqual(expect.arrayContaining(['llama3.2:3b', 'qwen2.5-coder:7b']));
    expect(outcome.key.modelsListedAt).not.toBeNull();

    const after = await choices(user);
    const listed = after.items.find((c) => c.model === 'openai-compatible:llama3.2:3b');
    // A self-hosted model has no list price: it is offered with its price unknown.
    expect(listed).toMatchObject({ sources: ['key'], keys: ['Home server'], price: null });
    // The platform's default for this provider is also what the server lists: offered once, for both.
    expect(after.items.filter((c) => c.model === 'openai-compatible:qwen2.5-coder:7b')).toEqual([
      expect.objectContaining({ sources: ['default', 'key'], keys: ['Home server'] }),
    ]);
    // Defaults come first.
    expect(after.items[0]!.sources).toContain('default');

    // Another user does not see this user's models.
    const other = await choices(await registerUser('choices-other'));
    expect(other.items.some((c) => c.model === 'openai-compatible:llama3.2:3b')).toBe(false);
  });

  it('gives the rules that price any model a field may hold: the list prices and the user’s own', async () => {
    const user = await registerUser('choices-prices');
    const before = await choices(user);
    expect(before.prices).toContainEqual({
      provider: 'anthropic',
      name: 'claude-sonnet-4',
      inputMicrosPerMillion: 3_000_000,
      outputMicrosPerMillion: 15_000_000,
      source: 'list',
    });
    expect(before.prices.some((r) => r.provider === 'openai-compatible')).toBe(false);

    const set = await call('/api/settings/prices', {
      method: 'PUT',
      json: { model: 'compatible:oracle', inputMicrosPerMillion: 500_000, outputMicrosPerMillion: 1_500_000 },
      token: user.accessToken,
      ip: user.ip,
    });
    expect(set.status).toBe(200);
    const after = await choices(user);
    expect(after.prices).toContainEqual({
      provider: 'openai-compatible',
      name: 'oracle',
      inputMicrosPerMillion: 500_000,
      outputMicrosPerMillion: 1_500_000,
      source: 'custom',
    });
    // Only this user's.
    const other = await choices(await registerUser('choices-prices-other'));
    expect(other.prices.some((r) => r.source === 'custom')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { settled } from './project-object/helpers.ts';
import { ownedProjectObject } from './project-object/pg.ts';
import { call, errorOf } from './helpers/api.ts';
import { requestsOf, script, uniqueKey } from './llm/fixture.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

interface SettingsBody {
  models: Record<string, string>;
  defaultBudgetMicros: number | null;
  defaults: { models: Record<string, string>; budgetMicros: number };
}

const patch = (user: TestUser, json: unknown) =>
  call('/api/settings', { method: 'PATCH', json, token: user.accessToken, ip: user.ip });
const read = async (user: TestUser) => {
  const res = await call('/api/settings', { token: user.accessToken, ip: user.ip });
  expect(res.status).toBe(200);
  return res.json<SettingsBody>();
};

describe('settings', () => {
  it('starts from the platform defaults, saves a model per agent and a default budget, and resets them', async () => {
    const user = await registerUser('settings');
    const initial = await read(user);
    expect(initial).toMatchObject({ models: {}, defaultBudgetMicros: null });
    expect(initial.defaults).toEqual({
      models: expect.objectContaining({
        SpecWriter: 'openai:gpt-4.1',
        TechnicalWriter: 'openai:gpt-4.1-mini',
      }),
      budgetMicros: 5_000_000,
    });

    const saved = await patch(user, {
      models: { '*': 'anthropic:claude-sonnet-4-20250514', TechnicalWriter: 'groq:llama-3.1-8b-instant' },
      defaultBudgetMicros: 2_000_000,
    });
    expect(saved.status).toBe(200);
    expect(await read(user)).toMatchObject({
      models: { '*': 'anthropic:claude-sonnet-4-20250514', TechnicalWriter: 'groq:llama-3.1-8b-instant' },
      defaultBudgetMicros: 2_000_000,
    });

    // What a change leaves out stays; null goes back to the default.
    expect((await patch(user, { models: { TechnicalWriter: null } })).status).toBe(200);
    expect(await read(user)).toMatchObject({
      models: { '*': 'anthropic:claude-sonnet-4-20250514' },
      defaultBudgetMicros: 2_000_000,
    });
    expect((await patch(user, { defaultBudgetMicros: null })).status).toBe(200);
    expect((await read(user)).defaultBudgetMicros).toBeNull();

    // Another user's settings are their own.
    expect((await read(await registerUser('settings-other'))).models).toEqual({});
  });

  it('names what is wrong: unknown agents, models without a provider, bad budgets, unknown fields', async () => {
    const user = await registerUser('settings-invalid');
    const res = await patch(user, {
      models: { Nobody: 'openai:gpt-4.1', Architect: 'gpt-4.1' },
      defaultBudgetMicros: -1,
      theme: 'dark',
    });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    const paths = error.fields?.map((f) => f.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['models.Architect', 'defaultBudgetMicros', 'theme']));
    expect(paths.some((p) => p.startsWith('models'))).toBe(true);
    expect(error.fields?.find((f) => f.path === 'models.Architect')?.message).toMatch(/provider:model/);
    expect((await read(user)).models).toEqual({});
    expect((await call('/api/settings')).status).toBe(401);
  });

  it("keeps a model's context window stated in its field (#8k), and refuses one too small for any prompt", async () => {
    const user = await registerUser('settings-window');
    expect((await patch(user, { models: { CodeMonkey: 'Compatible:llama3.2:3b #8K' } })).status).toBe(200);
    expect((await read(user)).models).toEqual({ CodeMonkey: 'openai-compatible:llama3.2:3b#8k' });
    const res = await patch(user, { models: { CodeMonkey: 'openai-compatible:tiny#1k' } });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).fields?.find((f) => f.path === 'models.CodeMonkey')?.message).toMatch(/#8k/);
  });

  it('gives new projects the default budget, and runs the agents on the models chosen', async () => {
    const user = await registerUser('settings-used');
    const key = uniqueKey('groq');
    expect(
      (await call('/api/keys', { json: { provider: 'groq', key }, token: user.accessToken })).status,
    ).toBe(201);
    await patch(user, { models: { '*': 'groq:llama-3.3-70b-versatile' }, defaultBudgetMicros: 3_000_000 });
    expect((await createProject(user)).budgetMicros).toBe(3_000_000);

    await script(key, [
      {
        match: { contains: "You are Samokoder's SpecWriter" },
        json: {
          name: 'calc',
          summary: 'Adds numbers.',
          features: ['adds'],
          complexity: 'simple',
          questions: [{ question: 'Integers only?', options: ['Yes', 'No'], default: 'Yes' }],
        },
      },
    ]);
    const { info, stub } = await ownedProjectObject({
      ownerId: user.id,
      description: 'A calculator.',
      pipeline: 'agents',
    });
    expect(info.models).toEqual({ '*': 'groq:llama-3.3-70b-versatile' });
    await stub.control('start');
    await settled(stub, ['waiting']);
    const sent = await requestsOf(key);
    expect(sent.map((r) => [r.provider, (JSON.parse(r.body) as { model: string }).model])).toEqual([
      ['groq', 'llama-3.3-70b-versatile'],
    ]);
    await stub.destroy();
  });
});

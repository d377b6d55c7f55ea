import { schema } from '@samokoder/db';
import { describe, expect, it } from 'vitest';
import { call, errorOf } from './helpers/api.ts';
import { withDb } from './helpers/db.ts';
import { createProject } from './helpers/projects.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

interface Totals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costMicros: number;
}
interface Report {
  from: string;
  to: string;
  total: Totals;
  rows: (Totals & { day: string; provider: string; model: string })[];
}

interface Call {
  projectId: string | null;
  provider: string;
  model: string;
  input: number;
  output: number;
  cached?: number;
  cost: number;
  at: string;
}

/** Ledger rows are written by the project's Durable Object, one per LLM call; the tests write them directly. */
async function record(user: TestUser, calls: Call[]): Promise<void> {
  await withDb((db) =>
    db.insert(schema.usageLedger).values(
      calls.map((c) => ({
        callId: crypto.randomUUID(),
        userId: user.id,
        projectId: c.projectId,
        agent: 'developer',
        provider: c.provider,
        model: c.model,
        inputTokens: c.input,
        outputTokens: c.output,
        cachedTokens: c.cached ?? 0,
        costMicros: c.cost,
        latencyMs: 1200,
        createdAt: new Date(c.at),
      })),
    ),
  );
}

async function report(user: TestUser, path: string): Promise<Report> {
  const res = await call(path, { token: user.accessToken });
  if (res.status !== 200) throw new Error(`usage failed: ${res.status} ${await res.text()}`);
  return res.json<Report>();
}

describe('usage', () => {
  it('sums tokens and cost per day, provider and model, for the user and per project', async () => {
    const user = await registerUser('usage');
    const other = await registerUser('usage-other');
    const a = await createProject(user, { name: 'A' });
    const b = await createProject(user, { name: 'B' });
    await record(user, [
      {
        projectId: a.id,
        provider: 'openai',
        model: 'gpt-4.1',
        input: 1000,
        output: 200,
        cached: 100,
        cost: 3000,
        at: '2026-03-01T10:00:00Z',
      },
      {
        projectId: a.id,
        provider: 'openai',
        model: 'gpt-4.1',
        input: 500,
        output: 100,
        cost: 1500,
        at: '2026-03-01T23:59:59Z',
      },
      {
        projectId: b.id,
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        input: 2000,
        output: 400,
        cost: 9000,
        at: '2026-03-01T12:00:00Z',
      },
      {
        projectId: a.id,
        provider: 'openai',
        model: 'gpt-4.1',
        input: 10,
        output: 1,
        cost: 20,
        at: '2026-03-02T00:00:00Z',
      },
      // Outside the range asked for below.
      {
        projectId: a.id,
        provider: 'groq',
        model: 'llama',
        input: 9,
        output: 9,
        cost: 9,
        at: '2026-02-28T23:59:59Z',
      },
      // A deleted project's spending stays the user's.
      {
        projectId: null,
        provider: 'groq',
        model: 'llama',
        input: 7,
        output: 3,
        cost: 5,
        at: '2026-03-02T08:00:00Z',
      },
    ]);
    await record(other, [
      {
        projectId: null,
        provider: 'openai',
        model: 'gpt-4.1',
        input: 1,
        output: 1,
        cost: 777,
        at: '2026-03-01T10:00:00Z',
      },
    ]);

    const mine = await report(user, '/api/usage?from=2026-03-01&to=2026-03-02');
    expect(mine.from).toBe('2026-03-01');
    expect(mine.rows).toEqual([
      {
        day: '2026-03-01',
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        calls: 1,
        unpricedCalls: 0,
        inputTokens: 2000,
        outputTokens: 400,
        cachedTokens: 0,
        costMicros: 9000,
      },
      {
        day: '2026-03-01',
        provider: 'openai',
        model: 'gpt-4.1',
        calls: 2,
        unpricedCalls: 0,
        inputTokens: 1500,
        outputTokens: 300,
        cachedTokens: 100,
        costMicros: 4500,
      },
      {
        day: '2026-03-02',
        provider: 'groq',
        model: 'llama',
        calls: 1,
        unpricedCalls: 0,
        inputTokens: 7,
        outputTokens: 3,
        cachedTokens: 0,
        costMicros: 5,
      },
      {
        day: '2026-03-02',
        provider: 'openai',
        model: 'gpt-4.1',
        calls: 1,
        unpricedCalls: 0,
        inputTokens: 10,
        outputTokens: 1,
        cachedTokens: 0,
        costMicros: 20,
      },
    ]);
    expect(mine.total).toEqual({
      calls: 5,
      unpricedCalls: 0,
      inputTokens: 3517,
      outputTokens: 704,
      cachedTokens: 100,
      costMicros: 13525,
    });

    const ofA = await report(user, `/api/projects/${a.id}/usage?from=2026-03-01&to=2026-03-02`);
    expect(ofA.total).toEqual({
      calls: 3,
      unpricedCalls: 0,
      inputTokens: 1510,
      outputTokens: 301,
      cachedTokens: 100,
      costMicros: 4520,
    });
    expect(new Set(ofA.rows.map((r) => r.provider))).toEqual(new Set(['openai']));

    const theirs = await report(other, '/api/usage?from=2026-03-01&to=2026-03-02');
    expect(theirs.total.costMicros).toBe(777);
  });

  it('covers the last 30 days by default', async () => {
    const user = await registerUser('usage-default');
    const today = new Date().toISOString().slice(0, 10);
    await record(user, [
      {
        projectId: null,
        provider: 'openai',
        model: 'gpt-4o',
        input: 1,
        output: 2,
        cost: 3,
        at: new Date().toISOString(),
      },
      {
        projectId: null,
        provider: 'openai',
        model: 'gpt-4o',
        input: 1,
        output: 2,
        cost: 3,
        at: new Date(Date.now() - 40 * 86_400_000).toISOString(),
      },
    ]);
    const result = await report(user, '/api/usage');
    expect(result.to).toBe(today);
    expect(result.total.calls).toBe(1);
  });

  it('refuses impossible dates, reversed or huge ranges and unknown parameters', async () => {
    const user = await registerUser('usage-bad');
    for (const query of [
      '?from=2026-02-30',
      '?from=yesterday',
      '?from=2026-03-05&to=2026-03-01',
      '?from=2024-01-01&to=2026-01-01',
      '?project=1',
    ]) {
      const res = await call(`/api/usage${query}`, { token: user.accessToken });
      expect(res.status, query).toBe(422);
      expect((await errorOf(res)).code).toBe('validation_failed');
    }
    expect((await call('/api/usage')).status).toBe(401);
  });
});

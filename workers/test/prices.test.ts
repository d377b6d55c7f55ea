import { schema } from '@samokoder/db';
import { runInDurableObject } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../src/project-object/project-object.ts';
import { scriptedProject, settled } from './project-object/helpers.ts';
import { insertProject } from './project-object/pg.ts';
import { call, errorOf } from './helpers/api.ts';
import { withDb } from './helpers/db.ts';
import { registerUser, type TestUser } from './helpers/users.ts';

interface UsageTotals {
  calls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
}
interface UsageReport {
  total: UsageTotals;
  rows: (UsageTotals & { provider: string; model: string })[];
}
interface PriceList {
  items: { model: string; inputMicrosPerMillion: number; outputMicrosPerMillion: number }[];
  unpriced: { model: string; calls: number }[];
}

const DAY = '2026-05-04';
const range = `?from=${DAY}&to=${DAY}`;

/** Ledger rows as a project's Durable Object writes them; a null cost is a model without a known price. */
async function record(
  user: TestUser,
  calls: { provider: string; model: string; input: number; output: number; cost: number | null }[],
): Promise<void> {
  await withDb((db) =>
    db.insert(schema.usageLedger).values(
      calls.map((c) => ({
        callId: crypto.randomUUID(),
        userId: user.id,
        projectId: null,
        agent: 'Developer',
        provider: c.provider,
        model: c.model,
        inputTokens: c.input,
        outputTokens: c.output,
        costMicros: c.cost,
        pricedBy: c.cost === null ? null : ('list' as const),
        latencyMs: 900,
        createdAt: new Date(`${DAY}T12:00:00Z`),
      })),
    ),
  );
}

const usage = async (user: TestUser): Promise<UsageReport> => {
  const res = await call(`/api/usage${range}`, { token: user.accessToken, ip: user.ip });
  expect(res.status).toBe(200);
  return res.json<UsageReport>();
};
const setPrice = (user: TestUser, json: unknown) =>
  call('/api/settings/prices', { method: 'PUT', json, token: user.accessToken, ip: user.ip });
const prices = async (user: TestUser): Promise<PriceList> => {
  const res = await call('/api/settings/prices', { token: user.accessToken, ip: user.ip });
  expect(res.status).toBe(200);
  return res.json<PriceList>();
};

describe('unknown prices in usage', () => {
  it('counts the calls of a model without a price apart: their tokens count, their cost is not $0', async () => {
    const user = await registerUser('unknown-usage');
    await record(user, [
      { provider: 'openai', model: 'gpt-4.1', input: 1000, output: 100, cost: 2800 },
      { provider: 'openai-compatible', model: 'oracle', input: 4000, output: 500, cost: null },
      { provider: 'openai-compatible', model: 'oracle', input: 2000, output: 500, cost: null },
    ]);
    const report = await usage(user);
    expect(report.total).toMatchObject({
      calls: 3,
      unpricedCalls: 2,
      inputTokens: 7000,
      outputTokens: 1100,
      costMicros: 2800,
    });
    expect(report.rows.find((r) => r.model === 'oracle')).toMatchObject({
      calls: 2,
      unpricedCalls: 2,
      costMicros: 0,
      inputTokens: 6000,
    });
    expect((await prices(user)).unpriced).toEqual([
      expect.objectContaining({ model: 'openai-compatible:oracle', calls: 2 }),
    ]);
  });
});

describe("a user's own prices", () => {
  it('prices the earlier calls of the model too, and only that user’s; removing it makes them unknown again', async () => {
    const user = await registerUser('own-price');
    const other = await registerUser('own-price-other');
    await record(user, [
      { provider: 'openai-compatible', model: 'oracle', input: 2_000_000, output: 1_000_000, cost: null },
      { provider: 'openai-compatible', model: 'oracle', input: 1, output: 0, cost: null },
      { provider: 'openai', model: 'gpt-4.1', input: 1000, output: 0, cost: 2000 },
    ]);
    await record(other, [
      { provider: 'openai-compatible', model: 'oracle', input: 1000, output: 0, cost: null },
    ]);

    // $0.50 in and $1.50 out per million tokens; typed with the other spelling of the provider.
    const res = await setPrice(user, {
      model: 'compatible:oracle',
      inputMicrosPerMillion: 500_000,
      outputMicrosPerMillion: 1_500_000,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      price: { model: 'openai-compatible:oracle', inputMicrosPerMillion: 500_000 },
      repricedCalls: 2,
    });
    const report = await usage(user);
    // 2M × $0.50 + 1M × $1.50 = $2.50; one input token at $0.50 per million rounds up to 1 micro-dollar.
    expect(report.rows.find((r) => r.model === 'oracle')).toMatchObject({
      unpricedCalls: 0,
      costMicros: 2_500_001,
    });
    expect(report.total).toMatchObject({ unpricedCalls: 0, costMicros: 2_502_001 });
    expect((await usage(other)).total).toMatchObject({ unpricedCalls: 1, costMicros: 0 });
    expect(await prices(user)).toMatchObject({
      items: [{ model: 'openai-compatible:oracle', outputMicrosPerMillion: 1_500_000 }],
      unpriced: [],
    });

    // A corrected price corrects the calls priced with the earlier one.
    await setPrice(user, {
      model: 'openai-compatible:oracle',
      inputMicrosPerMillion: 1_000_000,
      outputMicrosPerMillion: 0,
    });
    expect((await usage(user)).rows.find((r) => r.model === 'oracle')?.costMicros).toBe(2_000_001);

    const removed = await call('/api/settings/prices?model=openai-compatible:oracle', {
      method: 'DELETE',
      token: user.accessToken,
      ip: user.ip,
    });
    expect(removed.status).toBe(204);
    expect((await usage(user)).total).toMatchObject({ unpricedCalls: 2, costMicros: 2000 });
    const again = await call('/api/settings/prices?model=openai-compatible:oracle', {
      method: 'DELETE',
      token: user.accessToken,
      ip: user.ip,
    });
    expect(again.status).toBe(404);
  });

  it('refuses a price for a model that has a list price, and prices that are not amounts', async () => {
    const user = await registerUser('own-price-invalid');
    const listed = await setPrice(user, {
      model: 'openai:gpt-4.1',
      inputMicrosPerMillion: 1,
      outputMicrosPerMillion: 1,
    });
    expect(listed.status).toBe(422);
    expect((await errorOf(listed)).fields).toEqual([
      { path: 'model', message: expect.stringMatching(/has a list price/) as string },
    ]);
    const negative = await setPrice(user, {
      model: 'openai-compatible:oracle',
      inputMicrosPerMillion: -1,
      outputMicrosPerMillion: 1.5,
    });
    expect(negative.status).toBe(422);
    expect((await errorOf(negative)).fields?.map((f) => f.path).sort()).toEqual([
      'inputMicrosPerMillion',
      'outputMicrosPerMillion',
    ]);
  });

  it("prices a project's recorded calls again: its totals and the live meter follow, and so do Postgres' rows", async () => {
    const user = await registerUser('own-price-project');
    const { projectId } = await insertProject({ ownerId: user.id });
    const { stub } = await scriptedProject(
      {
        steps: [
          {
            title: 'ask a local model',
            actions: [
              { llm: 'spec', model: 'openai-compatible:oracle', costMicros: null },
              { llm: 'more', model: 'openai-compatible:oracle', costMicros: null },
              { llm: 'listed', costMicros: 70 },
            ],
          },
        ],
      },
      { projectId, ownerId: user.id },
    );
    await stub.control('start');
    await settled(stub, ['completed']);
    const drain = () =>
      runInDurableObject(stub, async (agent: ProjectObject) => {
        await agent.runtime.pg.settle();
        await agent.runtime.pg.flush();
        await agent.runtime.pg.settle();
      });
    await drain();
    const before = (await stub.status()).totals;
    expect(before).toMatchObject({ costMicros: 70, unpricedCalls: 2 });
    const projectRow = () =>
      withDb(async (db) => {
        const [row] = await db
          .select({ costMicros: schema.projects.costMicros, unpricedCalls: schema.projects.unpricedCalls })
          .from(schema.projects)
          .where(eq(schema.projects.id, projectId));
        return row;
      });
    expect(await projectRow()).toEqual({ costMicros: 70, unpricedCalls: 2 });

    // $1,000 per million tokens: 1,000 micro-dollars a token, in or out.
    const res = await setPrice(user, {
      model: 'openai-compatible:oracle',
      inputMicrosPerMillion: 1_000_000_000,
      outputMicrosPerMillion: 1_000_000_000,
    });
    expect(await res.json()).toMatchObject({ repricedCalls: 2 });
    const ledger = await withDb((db) =>
      db
        .select({
          tokens: sql<number>`${schema.usageLedger.inputTokens} + ${schema.usageLedger.outputTokens}`,
          costMicros: schema.usageLedger.costMicros,
          pricedBy: schema.usageLedger.pricedBy,
        })
        .from(schema.usageLedger)
        .where(eq(schema.usageLedger.projectId, projectId)),
    );
    expect(ledger.map((r) => r.pricedBy).sort()).toEqual(['custom', 'custom', 'list']);
    const oracleTokens = ledger.filter((r) => r.pricedBy === 'custom').reduce((n, r) => n + r.tokens, 0);
    const expected = 70 + oracleTokens * 1000;
    expect(ledger.reduce((n, r) => n + (r.costMicros ?? 0), 0)).toBe(expected);

    // The object priced its own records again: what the workspace's meter shows.
    expect((await stub.status()).totals).toMatchObject({ costMicros: expected, unpricedCalls: 0 });
    await drain();
    expect(await projectRow()).toEqual({ costMicros: expected, unpricedCalls: 0 });
  });
});

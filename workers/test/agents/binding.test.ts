import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerUser } from '../helpers/users.ts';
import { call } from '../helpers/api.ts';
import { requestsOf, script, uniqueKey, type ScriptedReply } from '../llm/fixture.ts';
import { runBound } from './bound.ts';

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });

const PLANNING: ScriptedReply[] = [
  {
    match: agent('SpecWriter'),
    json: {
      name: 'calc',
      summary: 'A tiny module.',
      features: ['adds numbers'],
      complexity: 'simple',
      questions: [],
    },
  },
  {
    match: agent('Architect'),
    json: { stack: 'node-api', packages: [], systemDependencies: [], notes: 'one module' },
  },
  {
    match: agent('TechLead'),
    json: {
      tasks: [
        { title: 'Add', description: 'src/add.js exports add(a, b).', acceptance: ['npm test passes'] },
      ],
    },
  },
  {
    match: agent('Developer'),
    json: {
      relevantFiles: [],
      steps: [{ type: 'code', path: 'src/add.js', instructions: 'export add(a, b)' }],
      testInstructions: 'npm test',
    },
  },
  {
    match: agent('TestWriter'),
    json: {
      files: [
        {
          path: 'test/add.test.js',
          summary: 'add adds',
          content:
            "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n",
        },
      ],
    },
  },
  {
    match: agent('CodeMonkey'),
    chunks: 4,
    json: { summary: 'adds', content: 'export const add = (a, b) => a + b;\n' },
  },
  { match: agent('code reviewer'), json: { approved: true, issues: [] } },
];

afterEach(() => vi.restoreAllMocks());

describe('the agents pipeline as the Durable Object binds it', () => {
  it("uses the owner's own key from Postgres, records usage, and leaks it nowhere", async () => {
    const user = await registerUser('agents');
    const key = uniqueKey('openai');
    const added = await call('/api/keys', {
      json: { provider: 'openai', label: 'mine', key },
      token: user.accessToken,
    });
    expect(added.status).toBe(201);
    await script(key, PLANNING);
    const logged: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation(
        (...args: unknown[]) => void logged.push(args.map(String).join(' ')),
      );
    }
    const run = await runBound({
      ownerId: user.id,
      name: 'calc',
      description: 'A module that adds numbers.',
      mode: 'autopilot',
      budgetMicros: 1_000_000,
    });
    // Seven calls on the user's key (the task's acceptance tests among them); then the Executor has no
    // sandbox-runner here: a failure of the environment (no agent is asked about it), which pauses the
    // run saying what is missing.
    expect((await requestsOf(key)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(run.llmCalls).toBe(7);
    expect(run.status).toBe('paused');
    expect(run.reason).toMatch(/SANDBOX_RUNNER_URL/);
    const usage = run.events.filter((e) => e.type === 'usage').at(-1);
    expect(usage?.type === 'usage' && usage.totals.costMicros).toBeGreaterThan(0);
    expect(run.events.some((e) => e.type === 'files.changed')).toBe(true);
    // One usage log line per provider attempt, with the key's origin and never the key.
    expect(logged.filter((l) => l.includes('"llm call"') && l.includes('"keyOrigin":"user"'))).toHaveLength(
      7,
    );
    expect(JSON.stringify(run.events)).not.toContain(key);
    expect(logged.join('\n')).not.toContain(key);
  });

  it('parks with a question asking for a key when the owner has none and the platform has none', async () => {
    const run = await runBound({
      ownerId: crypto.randomUUID(),
      name: 'calc',
      description: 'A module that adds numbers.',
      mode: 'interactive',
      budgetMicros: 1_000_000,
    });
    expect(run.status).toBe('waiting');
    expect(run.openQuestion).toMatch(/No API key for OpenAI: add one in Settings → LLM keys/);
    expect(run.llmCalls).toBe(1);
  });
});

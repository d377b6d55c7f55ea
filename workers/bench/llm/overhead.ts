/**
 * Platform overhead per LLM call against a zero-latency fixture. Baseline: the same chat-completions
 * request as a bare `fetch` (the HTTP round trip and the fixture's own work). Measured: a call through
 * the LLM layer (official SDK, key resolution, retries wrapper, pricing; structured calls add the JSON
 * schema and zod validation), and a call made by a step through the engine (the layer plus the
 * recorded call in SQLite, its usage event and totals). Overhead = median(measured) - median(baseline).
 */
import { z } from 'zod';
import { startLlmFixture } from '../../../infra/llm-fixture/fixture.ts';
import { validFixtureKey } from '../../../infra/llm-fixture/keys.ts';
import { openProjectStorage } from '../../src/project-object/storage/open.ts';
import { nodeSql } from '../../src/project-object/testing/node-sql.ts';
import { RunControls } from '../../src/core/control.ts';
import { Engine } from '../../src/core/engine.ts';
import { definePipeline } from '../../src/core/pipeline.ts';
import type { LlmPort } from '../../src/core/ports.ts';
import { fixtureBaseUrls } from '../../src/llm/config.ts';
import { platformOnly } from '../../src/llm/keys.ts';
import { createLlmPort } from '../../src/llm/port.ts';
import { projectIdOf } from '../../src/ids.ts';

export interface OverheadRow {
  what: string;
  medianMs: number;
  p90Ms: number;
  overheadMs: number | null;
}

const Answer = z.object({ title: z.string(), items: z.array(z.string()) });

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(); // warm-up: JIT, connections
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Runs `calls` zero-latency LLM calls inside one engine step (recorded, with usage events). */
async function engineCalls(llm: LlmPort, calls: number): Promise<number[]> {
  const clock = { now: () => Date.now() };
  const storage = openProjectStorage(nodeSql(), { clock });
  storage.migrate();
  const { journal, sink } = storage;
  journal.setProject({
    projectId: projectIdOf(crypto.randomUUID()),
    ownerId: 'u',
    name: 'bench',
    description: '',
    mode: 'autopilot',
    budgetMicros: 1e12,
    pipeline: 'bench',
  });
  const durations: number[] = [];
  const pipeline = definePipeline({
    name: 'bench',
    initialState: () => ({}),
    first: () => ({ agent: 'Bench', title: 'calls' }),
    steps: {
      Bench: async (ctx) => {
        for (let i = 0; i < calls; i++) {
          const t0 = performance.now();
          await ctx.llm.complete({ messages: [{ role: 'user', content: `question ${i}` }], stream: true });
          durations.push(performance.now() - t0);
        }
        return { state: {}, next: null };
      },
    },
  });
  const engine = new Engine({
    journal,
    sink,
    clock,
    ids: { next: (p) => p },
    llm,
    sandbox: {
      writeFiles: async () => {},
      exec: async () => ({ exitCode: 0, timedOut: false, durationMs: 0, output: '' }),
    },
    pipeline,
  });
  new RunControls(engine).start();
  await engine.runNext();
  return durations.slice(Math.min(20, calls / 4));
}

export async function overheadBench(n = Number(process.env.BENCH_CALLS ?? 300)): Promise<OverheadRow[]> {
  const fixture = await startLlmFixture({ port: 0 });
  const key = validFixtureKey('openai', `overhead${Date.now()}`);
  fixture.add(key, [{ text: 'A short answer from the fixture.', times: 1_000_000 }]);
  try {
    const url = `${fixture.url}/openai/v1/chat/completions`;
    const body = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'question' }] });
    const bare = await time(n, async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      await res.json();
    });
    const port = createLlmPort({
      keys: platformOnly({ openai: { apiKey: key } }),
      baseUrls: fixtureBaseUrls(fixture.url),
      now: () => Date.now(),
    });
    const signal = new AbortController().signal;
    const text = await time(n, () =>
      port.complete({ agent: 'Developer', messages: [{ role: 'user', content: 'question' }], signal }),
    );
    const streamed = await time(n, () =>
      port.complete({
        agent: 'Developer',
        messages: [{ role: 'user', content: 'question' }],
        signal,
        onDelta: () => {},
      }),
    );
    fixture.script.clear(key);
    fixture.add(key, [{ json: { title: 't', items: ['a', 'b'] }, times: 1_000_000 }]);
    const structured = await time(n, () =>
      port.complete({
        agent: 'Developer',
        messages: [{ role: 'user', content: 'question' }],
        schema: Answer,
        signal,
      }),
    );
    fixture.script.clear(key);
    fixture.add(key, [{ text: 'A short answer from the fixture.', times: 1_000_000 }]);
    const engine = await engineCalls(port, n);
    const base = quantile(bare, 0.5);
    const row = (what: string, xs: number[], baseline: boolean): OverheadRow => ({
      what,
      medianMs: quantile(xs, 0.5),
      p90Ms: quantile(xs, 0.9),
      overheadMs: baseline ? null : quantile(xs, 0.5) - base,
    });
    return [
      row('bare fetch of the fixture (baseline)', bare, true),
      row('LLM layer, text', text, false),
      row('LLM layer, streamed text', streamed, false),
      row('LLM layer, structured output', structured, false),
      row('engine step call (layer + record + usage event), streamed', engine, false),
    ];
  } finally {
    await fixture.close();
  }
}

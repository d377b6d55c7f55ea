import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { todoSession } from '../../demo/todo-session.ts';
import { buildSandboxImage } from '../../sandbox/build.ts';
import { ensureDockerEngine } from '../../stack/docker.ts';
import type {} from '../../stack/e2e-context.ts';
import { runEval } from '../harness.ts';
import { STARTS_FROM_README, suiteSubject } from '../run-app.ts';
import { FIXTURE_APP } from '../suite/index.ts';

// Runs in the e2e project: its global setup starts the whole local stack (the Worker under wrangler dev
// with the LLM fixture, Postgres, Redis, the sandbox-runner with Docker). This is `pnpm eval --fixture`
// on that stack instead of one of its own.
describe('the eval (pnpm eval --fixture)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'samokoder-eval-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('runs the demo through the pipeline, starts the app from its README, checks it and reports what a user reads', async () => {
    const engine = await ensureDockerEngine();
    if (!engine.ok) throw new Error(`the eval needs Docker: ${engine.reason}`);
    const { image } = await buildSandboxImage();
    let printed = '';
    const { report, markdown } = await runEval({
      baseUrl: inject('baseUrl'),
      llm: { kind: 'fixture', fixtureUrl: inject('llmFixtureUrl') },
      databaseUrl: inject('databaseUrl') || null,
      dockerSocket: engine.socketPath,
      image,
      subjects: [suiteSubject(FIXTURE_APP)],
      parallel: 1,
      outDir,
      budgetMicros: 5_000_000,
      timeoutMs: 240_000,
      packageAccess: null,
      write: (text) => (printed += text),
    });
    const [app] = report.apps;
    expect(app, printed).toBeDefined();
    expect(app!.outcome, `${app!.reason ?? ''}\n${printed}`).toBe('finished');
    expect(app!.unfinishedTasks).toBe(0);

    // The app was started from its README (`npm start`) in a fresh container, and passed every check.
    expect(printed).toContain('todos: starting it from its README: npm start');
    expect(app!.checks, printed).toEqual({
      passed: FIXTURE_APP.checks.length + 1,
      total: FIXTURE_APP.checks.length + 1,
      failures: [],
    });

    // One call per scripted reply, as the usage ledger counts them; tokens and a known cost.
    expect(app!.usage.calls).toBe(todoSession().length);
    const scripted = todoSession().reduce((n, r) => n + (r.usage?.input ?? 0), 0);
    // Replies without scripted usage (the reviews) are estimated from their prompts by the fixture.
    expect(app!.usage.inputTokens).toBeGreaterThanOrEqual(scripted);
    expect(app!.usage.unpricedCalls).toBe(0);
    expect(app!.fixRounds).toBe(
      todoSession().filter((r) => JSON.stringify(r.match).includes('BugHunter')).length,
    );

    // The platform's share: wall time minus the model's latencies (the ledger) and the app's commands.
    expect(app!.timing.modelMs).not.toBeNull();
    expect(app!.timing.commandMs).toBeGreaterThan(0);
    expect(app!.timing.wallMs).toBeGreaterThan(app!.timing.commandMs);
    expect(report.total.platformShare).toEqual(expect.any(Number));

    // The report a user reads: the table, printed and written beside the JSON.
    expect(markdown).toContain(
      '| app | outcome | checks | LLM calls | tokens in / out | cost | wall time | fix rounds | platform share |',
    );
    expect(markdown).toMatch(
      new RegExp(
        `\\| todos \\| finished \\| ${FIXTURE_APP.checks.length + 1}/${FIXTURE_APP.checks.length + 1} \\| ${todoSession().length} \\|`,
      ),
    );
    expect(printed).toContain(markdown);
    expect(readFileSync(join(outDir, 'report.md'), 'utf8')).toBe(markdown);
    expect(JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    // The app stays where a person finds it: its zip and its unpacked folder with the README.
    expect(readFileSync(join(outDir, app!.files.dir!, 'README.md'), 'utf8')).toContain('npm start');
    expect(app!.checks!.failures.map((f) => f.check)).not.toContain(STARTS_FROM_README);
    // The key saved for the run is in nothing the eval prints or writes.
    const written =
      printed +
      readFileSync(join(outDir, 'report.json'), 'utf8') +
      readFileSync(join(outDir, 'apps/todos/events.json'), 'utf8');
    expect(written).not.toContain('sk-fixture-');
  }, 300_000);
});

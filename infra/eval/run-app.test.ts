import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../workers/src/protocol.ts';
import { LazyBrowser } from './checks/browser.ts';
import {
  appStartTimes,
  atPace,
  checkApp,
  suiteSubject,
  unfinishedTasks,
  type RunAppContext,
} from './run-app.ts';
import { FIXTURE_APP } from './suite/index.ts';

const root = mkdtempSync(join(tmpdir(), 'samokoder-eval-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Never reached on these paths: the app is refused before anything would start.
const ctx: RunAppContext = {
  baseUrl: 'http://127.0.0.1:9',
  llm: { kind: 'fixture', fixtureUrl: 'http://127.0.0.1:9' },
  databaseUrl: null,
  host: { socketPath: '/nonexistent', image: 'none', network: 'none', env: {}, mounts: {}, label: 'test' },
  browser: new LazyBrowser(),
  outDir: root,
  budgetMicros: 0,
  timeoutMs: 0,
  runTag: 'test',
  log: () => {},
};

function appWithReadme(name: string, readme: string | null): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"scripts":{"start":"node server.js"}}');
  if (readme !== null) writeFileSync(join(dir, 'README.md'), readme);
  return dir;
}

describe('checking a finished app', () => {
  it('fails "starts from its README" when the README names no start command, and runs no other check', async () => {
    const dir = appWithReadme('no-start', '# Todos\n\nRun the tests with `npm test`.\n');
    const results = await checkApp(ctx, suiteSubject(FIXTURE_APP), dir);
    expect(results[0]).toEqual({
      name: 'starts from its README',
      kind: 'http',
      ok: false,
      message: 'its README names no command that starts the app',
    });
    expect(results).toHaveLength(FIXTURE_APP.checks.length + 1);
    expect(results.slice(1).every((r) => !r.ok && r.message === 'not run: the app did not start')).toBe(true);
  });

  it('fails when the app has no README or no files', async () => {
    const [noReadme] = await checkApp(ctx, suiteSubject(FIXTURE_APP), appWithReadme('no-readme', null));
    expect(noReadme!.message).toBe('the app has no README');
    const [noFiles] = await checkApp(ctx, suiteSubject(FIXTURE_APP), null);
    expect(noFiles!.message).toBe('the project has no files to download');
  });
});

describe("timing an app's start from the run's events", () => {
  it('counts from the step that starts the app to its preview, then the page check to its verdict', () => {
    const at = (ms: number, body: object) => ({ seq: ms, at: ms, ...body }) as ServerEvent;
    const events = [
      at(1_000, {
        type: 'step.started',
        stepId: 7,
        agent: 'Executor',
        branch: 1,
        title: 'Start the app',
        task: null,
        attempt: 1,
      }),
      at(2_500, { type: 'artifact', stepId: 7, agent: 'Executor', kind: 'preview', data: {} }),
      at(6_000, { type: 'app.check', status: 'passed', summary: 'ok', problems: [] }),
      // A later check without a new preview (the app reloaded) is not the start's.
      at(9_000, { type: 'app.check', status: 'passed', summary: 'ok', problems: [] }),
    ];
    expect(appStartTimes(events)).toEqual({ appStartMs: 1_500, pageCheckMs: 3_500 });
  });
});

describe("counting a run's unfinished tasks", () => {
  it('counts the tasks whose last status is failed or skipped', () => {
    const task = (taskId: string, status: string) =>
      ({ seq: 1, at: 1, type: 'task', taskId, title: taskId, status, stepId: 1 }) as ServerEvent;
    const events = [
      task('a', 'started'),
      task('a', 'failed'),
      task('a', 'completed'), // retried, and done
      task('b', 'started'),
      task('b', 'skipped'),
      task('c', 'started'),
      task('c', 'failed'),
      task('d', 'completed'),
    ];
    expect(unfinishedTasks(events)).toBe(2);
  });
});

describe("the fixture's replies at a model's pace", () => {
  it('makes each reply take the latency, a streamed one spread over its chunks', () => {
    const paced = atPace([{ json: { a: 1 } }, { text: 'streamed', chunks: 3 }], 2000);
    expect(paced.map((r) => r.delayMs)).toEqual([2000, 500]);
    expect(atPace([{ json: {} }], 0)).toEqual([{ json: {} }]);
  });
});

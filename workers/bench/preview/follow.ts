/**
 * How fast the preview follows the project: the time from a user's save of the server's code (the API
 * answers) to the preview answering with the new code, p50/p99, beside a baseline measured in the same
 * run on the same app:
 * the same change made by hand through the runner (write the file, restart the app, poll), the least any
 * follower must do. The ratio is what the platform adds (the Durable Object noticing the change, the
 * debounce, its runner calls).
 *
 * Usage: node workers/bench/preview/follow.ts [--samples=N]   (default 20; loopback only)
 * It starts a local stack of the `demo` profile (Worker, runner, Postgres, Redis, the LLM fixture), has
 * the scripted agents build the URL shortener (infra/samples/shortener.ts), then edits its server.
 */
import { validFixtureKey } from '../../../infra/llm-fixture/keys.ts';
import { DemoApi } from '../../../infra/demo/api.ts';
import { follow } from '../../../infra/demo/run.ts';
import { APP_JS, SHORTENER_PROJECT, shortenerSession } from '../../../infra/samples/shortener.ts';
import { openPreviewLink, type PreviewClient } from '../../../infra/stack/loopback-http.ts';
import { isRunning } from '../../../infra/stack/service.ts';
import { startStack } from '../../../infra/stack/stack.ts';
import { RunnerClient } from '../../src/sandbox/client.ts';

const SAMPLES = Number(process.argv.find((a) => a.startsWith('--samples='))?.split('=')[1] ?? 20);
const POLL_MS = 25;
const TIMEOUT_MS = 30_000;
const log = (line: string) => console.error(`[bench] ${line}`);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The server's code with `marker` in what `GET /api/links` answers: a change the app shows only once it
 * runs the new code (a restart), unlike a page it reads from disk on each request.
 */
const serverWith = (marker: string) =>
  APP_JS.replace('return json(200, { links:', `return json(200, { version: '${marker}', links:`);

/** Polls the app's API until it answers with `marker`; the time from `since`. */
async function shows(app: PreviewClient, marker: string, since: number): Promise<number> {
  while (performance.now() - since < TIMEOUT_MS) {
    const page = await app.request('/api/links').catch(() => null);
    if (page?.status === 200 && page.text().includes(marker)) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the preview did not show "${marker}" within ${TIMEOUT_MS} ms`);
}

log('starting a local stack (demo profile)...');
const stack = await startStack({ profile: 'demo' });
try {
  const service = (name: string) => {
    const found = stack.services.find((s) => s.name === name);
    if (!found || !isRunning(found)) throw new Error(`${name} did not start`);
    return found.url;
  };
  const base = service('worker');
  const fixture = service('llm-fixture');
  const runnerUrl = service('sandbox-runner');

  const key = validFixtureKey('openai', `follow${Date.now().toString(36)}`);
  const scripted = await fetch(`${fixture}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies: shortenerSession() }),
  });
  if (!scripted.ok) throw new Error(`the fixture refused the script: ${await scripted.text()}`);
  const api = new DemoApi(base);
  await api.register();
  await api.addKey({ provider: 'openai', key, label: 'bench' });
  const project = await api.createProject({
    ...SHORTENER_PROJECT,
    mode: 'autopilot',
    budgetMicros: 5_000_000,
  });
  log('the agents build the shortener...');
  await follow(api, project.id, () => {}, 180_000);
  const app = await openPreviewLink((await api.openPreview(project.id)).url);

  // The baseline's hands on the same sandbox: the runner's API, as the project's Durable Object uses it.
  const runner = new RunnerClient({
    baseUrl: runnerUrl,
    secret: stack.config.secrets.runnerSecret,
    projectId: project.id,
  });
  const [sandbox] = await runner.listSandboxes();
  if (!sandbox) throw new Error('the project has no sandbox');
  /** Write the file, stop the app and wait for it to exit (its port is then free), start it again. */
  async function restartByHand(content: string): Promise<void> {
    const id = sandbox!.id;
    await runner.writeFiles(id, [{ path: 'src/app.js', content }]);
    for (const p of await runner.listProcesses(id)) {
      if (p.name !== 'app' || p.status !== 'running') continue;
      await runner.signalProcess(id, p.id, 'SIGTERM');
      let offset = p.logBytes;
      for (;;) {
        const logs = await runner.processLogs(id, p.id, { offset, waitMs: 3_000 });
        if (logs.process.status === 'exited') break;
        offset = logs.nextOffset;
      }
    }
    await runner.startProcess(id, { name: 'app', command: 'npm start' });
  }

  const followed: number[] = [];
  const byHand: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const saved = `saved-${i}`;
    const t0 = performance.now();
    await api.saveFile(project.id, 'src/app.js', serverWith(saved));
    followed.push(await shows(app, saved, t0));
    // Let the platform finish with this change (its page check) before the hands touch the app.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const manual = `by-hand-${i}`;
    const t1 = performance.now();
    const [shown] = await Promise.all([shows(app, manual, t1), restartByHand(serverWith(manual))]);
    byHand.push(shown);
    log(
      `${i + 1}/${SAMPLES}: followed ${Math.round(followed.at(-1)!)} ms, by hand ${Math.round(byHand.at(-1)!)} ms`,
    );
  }
  const row = (what: string, xs: number[]) =>
    `| ${what.padEnd(52)} | ${percentile(xs, 50).toFixed(0).padStart(6)} | ${percentile(xs, 99).toFixed(0).padStart(6)} |`;
  console.log(
    `| ${'files changed → preview shows them (ms)'.padEnd(52)} | ${'p50'.padStart(6)} | ${'p99'.padStart(6)} |`,
  );
  console.log(row('a user saves a file (the platform follows)', followed));
  console.log(row('baseline: write + restart by hand through the runner', byHand));
  console.log(
    `ratio (followed / by hand): p50 ${(percentile(followed, 50) / percentile(byHand, 50)).toFixed(2)}×, p99 ${(percentile(followed, 99) / percentile(byHand, 99)).toFixed(2)}×   (${SAMPLES} samples)`,
  );
  await api.deleteProject(project.id).catch(() => null);
} finally {
  await stack.stop();
}

/**
 * The offline end-to-end demo. A scripted session (todo-session.ts, served by the LLM fixture as if it
 * were OpenAI) drives the real platform: the Worker under `wrangler dev`, its API, the ProjectAgent
 * Durable Object and its step engine, the agents, and the sandbox-runner with a real container. The
 * generated files are written into the sandbox, `npm test` runs there and fails on the planted bug, the
 * BugHunter's fix makes it pass, the app starts and answers through the runner's preview proxy, and the
 * README is written. Every event is printed as it arrives over the live channel.
 */
import { startLlmFixture } from '../llm-fixture/fixture.ts';
import { validFixtureKey } from '../llm-fixture/keys.ts';
import type { Profile } from '../stack/config.ts';
import { isRunning, type Logger, type ServiceResult } from '../stack/service.ts';
import { startStack } from '../stack/stack.ts';
import type { ServerEvent, ServerFrame } from '../../workers/src/protocol.ts';
import { DemoApi } from './api.ts';
import { eventPrinter, type Write } from './printer.ts';
import { DEMO_PROJECT, todoSession } from './todo-session.ts';
import { startDemoWorker } from './worker.ts';

export interface DemoOptions {
  write: Write;
  profile?: Profile;
  /** Leave the project (and its sandbox) in place at the end. */
  keep?: boolean;
  timeoutMs?: number;
}

export interface DemoResult {
  status: string;
  reason: string | null;
  events: ServerEvent[];
  /** Exit codes of the `npm test` runs, in order. */
  testExits: (number | null)[];
  previewUrl: string | null;
  /** What the app answered through the preview proxy: POST /api/todos, then GET /api/todos. */
  preview: { created: unknown; listed: unknown } | null;
  readme: string | null;
  /** Requests the LLM fixture answered for the session's key (no repeated paid call). */
  llmRequests: number;
  /** True if the platform key showed up in any event. */
  keyLeaked: boolean;
  durationMs: number;
}

const ENDED = new Set(['completed', 'failed', 'paused', 'stopped']);

function service(services: ServiceResult[], name: string): string {
  const s = services.find((x) => x.name === name);
  if (!s || !isRunning(s)) {
    const why =
      s && 'reason' in s ? `${s.reason}${'hint' in s && s.hint ? ` (${s.hint})` : ''}` : 'not started';
    throw new Error(`the demo needs ${name}: ${why}`);
  }
  return s.url;
}

/** Follows the live channel until the run settles, reconnecting (with the last seq) if it drops. */
async function follow(
  api: DemoApi,
  projectId: string,
  onEvent: (e: ServerEvent) => void,
  timeoutMs: number,
): Promise<void> {
  let lastSeq = 0;
  let started = false;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let settle: () => void = () => {};
    const done = new Promise<void>((resolve) => (settle = resolve));
    let ended = false;
    const ws = await api.live(projectId, lastSeq, (frame: ServerFrame) => {
      if (frame.type === 'synced' && !started) {
        started = true;
        ws.send(JSON.stringify({ type: 'control', action: 'start' }));
      }
      if (!('seq' in frame) || frame.seq <= lastSeq) return;
      lastSeq = frame.seq;
      onEvent(frame);
      if (frame.type === 'run.status' && ENDED.has(frame.status)) {
        ended = true;
        settle();
      }
    });
    ws.addEventListener('close', () => settle());
    const timer = setTimeout(settle, Math.max(0, deadline - Date.now()));
    await done;
    clearTimeout(timer);
    ws.close();
    if (ended) return;
  }
  throw new Error(`the run did not finish within ${Math.round(timeoutMs / 1000)} s`);
}

/** What the app answers through the preview proxy (the preview token travels in the query). */
async function tryPreview(previewUrl: string): Promise<{ created: unknown; listed: unknown }> {
  const base = new URL(previewUrl);
  const at = (path: string) => {
    const url = new URL(base);
    url.pathname = `${base.pathname.replace(/\/$/, '')}${path}`;
    return url;
  };
  const created = await fetch(at('/api/todos'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'try the demo' }),
  });
  const listed = await fetch(at('/api/todos'));
  return { created: { status: created.status, body: await created.json() }, listed: await listed.json() };
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const write = opts.write;
  const log: Logger = (line) => write(`\x1b[2m· ${line}\x1b[0m\n`);
  const fixture = await startLlmFixture({ port: 0 });
  const key = validFixtureKey('openai', `demo${Date.now().toString(36)}`);
  fixture.add(key, todoSession());
  const cleanups: (() => Promise<unknown>)[] = [() => fixture.close()];
  try {
    log('starting the local stack (Postgres, Redis, Docker, the sandbox-runner)');
    const stack = await startStack({ profile: opts.profile ?? 'test', withoutWorker: true, log });
    cleanups.unshift(() => stack.stop());
    const upstash = stack.services.find((s) => s.name === 'upstash') as
      (ServiceResult & { token?: string }) | undefined;
    const worker = await startDemoWorker(
      stack.config,
      {
        databaseUrl: service(stack.services, 'postgres'),
        wsProxy: stack.services.some((s) => s.name === 'ws-proxy') ? service(stack.services, 'ws-proxy') : '',
        upstashUrl: service(stack.services, 'upstash'),
        upstashToken: upstash?.token ?? stack.config.secrets.upstashToken,
        runnerUrl: service(stack.services, 'sandbox-runner'),
        llmFixtureUrl: fixture.url,
        openaiKey: key,
      },
      log,
    );
    cleanups.unshift(() => worker.stop());

    const api = new DemoApi(worker.url);
    await api.register();
    const project = await api.createProject({ ...DEMO_PROJECT, mode: 'autopilot', budgetMicros: 5_000_000 });
    if (!opts.keep) cleanups.unshift(() => api.deleteProject(project.id).catch(() => null));
    write(`\nProject "${DEMO_PROJECT.name}": ${DEMO_PROJECT.description}\n`);

    const events: ServerEvent[] = [];
    const print = eventPrinter(write);
    await follow(
      api,
      project.id,
      (e) => {
        events.push(e);
        print(e);
      },
      opts.timeoutMs ?? 5 * 60_000,
    );

    const last = events.filter((e) => e.type === 'run.status').at(-1);
    const commands = new Map(
      events.flatMap((e) => (e.type === 'command.start' ? [[e.commandId, e.command] as const] : [])),
    );
    const testExits = events.flatMap((e) =>
      e.type === 'command.exit' && commands.get(e.commandId) === 'npm test' ? [e.exitCode] : [],
    );
    const preview = events.find((e) => e.type === 'artifact' && e.kind === 'preview');
    const previewUrl =
      preview?.type === 'artifact' ? ((preview.data as { url: string | null }).url ?? null) : null;
    let answered: DemoResult['preview'] = null;
    if (previewUrl) {
      answered = await tryPreview(previewUrl);
      write(
        `\nThrough the preview proxy: POST /api/todos → ${JSON.stringify(answered.created)}; GET /api/todos → ${JSON.stringify(answered.listed)}\n`,
      );
    }
    const readme = await api.readFile(project.id, 'README.md').then(
      (f) => f.content,
      () => null,
    );
    if (readme) write(`\nREADME.md:\n${readme}\n`);
    const result: DemoResult = {
      status: last?.type === 'run.status' ? last.status : 'unknown',
      reason: last?.type === 'run.status' ? (last.reason?.message ?? null) : null,
      events,
      testExits,
      previewUrl,
      preview: answered,
      readme,
      llmRequests: fixture.requestsOf(key).length,
      keyLeaked: JSON.stringify(events).includes(key),
      durationMs: Date.now() - started,
    };
    const totals = events.filter((e) => e.type === 'usage').at(-1);
    write(
      `\nDone in ${Math.round(result.durationMs / 1000)} s: run ${result.status}; npm test exits ${JSON.stringify(testExits)}; ${result.llmRequests} LLM calls` +
        (totals?.type === 'usage'
          ? `, ${totals.totals.inputTokens} input and ${totals.totals.outputTokens} output tokens, $${(totals.totals.costMicros / 1e6).toFixed(4)}`
          : '') +
        '\n',
    );
    return result;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

/**
 * The offline end-to-end demo. A scripted session (todo-session.ts, served by the LLM fixture as if it
 * were OpenAI) drives the real platform the way a user would: an account, an OpenAI key saved through
 * the API, a project, its run followed over the live channel. The Worker (`wrangler dev`), the ProjectObject
 * Durable Object and its step engine, the agents and the sandbox-runner with a real container do the
 * rest: the generated files are written into the sandbox, `npm test` runs there and fails on the planted
 * bug, the BugHunter's fix makes it pass, the app starts and answers through the runner's preview proxy,
 * and the README is written. Every event is printed as it arrives.
 */
import { validFixtureKey } from '../llm-fixture/keys.ts';
import type { ServerEvent, ServerFrame } from '../../workers/src/protocol.ts';
import { openPreviewLink } from '../stack/loopback-http.ts';
import { DemoApi } from './api.ts';
import { eventPrinter, type Write } from './printer.ts';
import { DEMO_PROJECT, todoSession } from './todo-session.ts';

export interface DemoOptions {
  write: Write;
  /** The platform (a local stack whose Worker sends provider calls to the fixture). */
  baseUrl: string;
  /** The LLM fixture's root: the session is scripted there under the demo's own key. */
  llmFixtureUrl: string;
  /** Leave the project (and its sandbox) in place at the end. */
  keep?: boolean;
  timeoutMs?: number;
  /** Runs on the finished project before it is deleted (a test's further steps on it). */
  afterRun?: (api: DemoApi, projectId: string) => Promise<void>;
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
  /** Requests the LLM fixture answered for the demo's key (no repeated paid call). */
  llmRequests: number;
  /** True if the key showed up in any event. */
  keyLeaked: boolean;
  durationMs: number;
}

const ENDED = new Set(['completed', 'failed', 'paused', 'stopped']);

/** Starts the run and follows the live channel until it settles, reconnecting (with the last seq) if it drops. */
export async function follow(
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

/** What the app answers at its preview origin (the link's token becomes a session cookie). */
async function tryPreview(previewUrl: string): Promise<{ created: unknown; listed: unknown }> {
  const app = await openPreviewLink(previewUrl);
  const created = await app.request('/api/todos', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'try the demo' }),
  });
  const listed = await app.request('/api/todos');
  return { created: { status: created.status, body: created.json() }, listed: listed.json() };
}

/** Scripts the session at the fixture under `key` (its control API). */
async function scriptSession(fixtureUrl: string, key: string): Promise<void> {
  const res = await fetch(`${fixtureUrl}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies: todoSession() }),
  });
  if (!res.ok) throw new Error(`the LLM fixture refused the demo script: ${await res.text()}`);
}

/** The requests the fixture answered for `key`. */
async function fixtureRequests(fixtureUrl: string, key: string): Promise<number> {
  const res = await fetch(`${fixtureUrl}/__fixture/requests?key=${encodeURIComponent(key)}`);
  return ((await res.json()) as { requests: unknown[] }).requests.length;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const write = opts.write;
  const key = validFixtureKey(
    'openai',
    `demo${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  );
  await scriptSession(opts.llmFixtureUrl, key);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const api = new DemoApi(opts.baseUrl);
    await api.register();
    await api.addKey({ provider: 'openai', key, label: 'demo (LLM fixture)' });
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
    const appStarted = events.some((e) => e.type === 'artifact' && e.kind === 'preview');
    const previewUrl = appStarted ? (await api.openPreview(project.id)).url : null;
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
      llmRequests: await fixtureRequests(opts.llmFixtureUrl, key),
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
    await opts.afterRun?.(api, project.id);
    return result;
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((err: unknown) => write(`cleanup: ${String(err)}\n`));
  }
}

/**
 * One app through the whole pipeline, the way a user would: an account, their key saved through the
 * API, a project in autopilot, its run followed over the live channel until it settles; then the
 * project's export downloaded and unpacked, and (for a suite app) the app started from its own README
 * in a fresh container and checked.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerEvent } from '../../workers/src/protocol.ts';
import { DemoApi } from '../demo/api.ts';
import { follow } from '../demo/run.ts';
import { validFixtureKey } from '../llm-fixture/keys.ts';
import type { ScriptedReply } from '../llm-fixture/script.ts';
import { todoSession } from '../demo/todo-session.ts';
import { AppStartError, startApp, type AppHost } from './app-container.ts';
import type { LazyBrowser } from './checks/browser.ts';
import { runChecks, type CheckResult } from './checks/run-checks.ts';
import { settledLedger } from './ledger.ts';
import { readmeCommands } from './readme-commands.ts';
import { unzipTo } from './unzip.ts';
import type { AppReport, AppUsage } from './report.ts';
import type { AppCheck, EvalApp } from './suite/types.ts';

/** The model that builds the apps: the LLM fixture's scripted demo session, or a provider's. */
export type LlmChoice =
  | {
      kind: 'fixture';
      fixtureUrl: string;
      /** How long each reply takes (a model's pace); 0 answers at once. */
      latencyMs?: number;
    }
  | {
      kind: 'provider';
      provider: 'openai' | 'anthropic' | 'groq' | 'openai-compatible';
      model: string;
      /** The user's key (never printed, never written to the report). */
      key: string;
      /** An OpenAI-compatible server's base URL. */
      baseUrl?: string;
    };

/** What to build: a suite app (with its checks) or a WebGen-Bench task (graded elsewhere). */
export interface EvalSubject {
  id: string;
  name: string;
  description: string;
  source: 'suite' | 'webgen';
  checks: AppCheck[] | null;
  uiInstruct?: unknown;
}

/** A suite app as the eval runs it. */
export function suiteSubject(app: EvalApp): EvalSubject {
  return { id: app.id, name: app.name, description: app.description, source: 'suite', checks: app.checks };
}

export interface RunAppContext {
  baseUrl: string;
  llm: LlmChoice;
  /** The stack's Postgres (for the usage ledger: calls' latencies); without it the model wait is unknown. */
  databaseUrl: string | null;
  host: AppHost;
  browser: LazyBrowser;
  outDir: string;
  budgetMicros: number;
  timeoutMs: number;
  /** A tag unique to this eval (container names). */
  runTag: string;
  log: (line: string) => void;
}

/** The check every suite app has first: it starts from its README. */
export const STARTS_FROM_README = 'starts from its README';

const FIX_AGENTS = new Set(['BugHunter', 'Troubleshooter']);

/**
 * The replies at a model's pace: each takes `latencyMs` in all (a streamed one spreads it over its
 * chunks: the fixture waits before the reply and between chunks).
 */
export function atPace(replies: ScriptedReply[], latencyMs: number): ScriptedReply[] {
  if (latencyMs <= 0) return replies;
  return replies.map((r) => ({ ...r, delayMs: Math.round(latencyMs / ((r.chunks ?? 0) + 1)) }));
}

async function saveKey(api: DemoApi, llm: LlmChoice, tag: string): Promise<void> {
  if (llm.kind === 'fixture') {
    const key = validFixtureKey('openai', `eval${tag}${Math.random().toString(36).slice(2, 8)}`);
    const res = await fetch(`${llm.fixtureUrl}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({ key, replies: atPace(todoSession(), llm.latencyMs ?? 0) }),
    });
    if (!res.ok) throw new Error(`the LLM fixture refused the demo's script: ${await res.text()}`);
    await api.addKey({ provider: 'openai', key, label: 'eval (LLM fixture)' });
    return;
  }
  if (llm.provider === 'openai-compatible') {
    await api.addKey({
      provider: 'openai-compatible',
      key: llm.key,
      label: 'eval',
      baseUrl: llm.baseUrl ?? '',
    });
  } else {
    await api.addKey({ provider: llm.provider, key: llm.key, label: 'eval' });
  }
}

/**
 * The app's start (from each step that started it to its preview answering) and the platform's page
 * check after it (from the preview to the check's verdict), from the events' times.
 */
export function appStartTimes(events: ServerEvent[]): { appStartMs: number; pageCheckMs: number } {
  const stepStarts = new Map<number, number>();
  let appStartMs = 0;
  let pageCheckMs = 0;
  let previewAt: number | null = null;
  for (const e of events) {
    if (e.type === 'step.started') stepStarts.set(e.stepId, e.at);
    if (e.type === 'artifact' && e.kind === 'preview') {
      appStartMs += e.at - (stepStarts.get(e.stepId) ?? e.at);
      previewAt = e.at;
    }
    if (e.type === 'app.check' && previewAt !== null) {
      pageCheckMs += e.at - previewAt;
      previewAt = null;
    }
  }
  return { appStartMs, pageCheckMs };
}

/** Tasks whose last word was `failed` or `skipped`. */
export function unfinishedTasks(events: ServerEvent[]): number {
  const last = new Map<string, string>();
  for (const e of events) if (e.type === 'task') last.set(e.taskId, e.status);
  return [...last.values()].filter((s) => s === 'failed' || s === 'skipped').length;
}

/** Calls the run made: per step, the last count its usage events reported. */
function callsOf(events: ServerEvent[]): number {
  const perStep = new Map<number, number>();
  for (const e of events) if (e.type === 'usage' && e.step) perStep.set(e.step.stepId, e.step.calls);
  return [...perStep.values()].reduce((a, b) => a + b, 0);
}

function usageOf(events: ServerEvent[]): AppUsage {
  const last = events.findLast((e) => e.type === 'usage');
  const totals = last?.type === 'usage' ? last.totals : null;
  return {
    calls: callsOf(events),
    inputTokens: totals?.inputTokens ?? 0,
    outputTokens: totals?.outputTokens ?? 0,
    costMicros: totals?.costMicros ?? 0,
    unpricedCalls: totals?.unpricedCalls ?? 0,
  };
}

function findReadme(dir: string): string | null {
  const name = readdirSync(dir).find((f) => /^readme(\.md|\.markdown|\.txt)?$/i.test(f));
  return name ? readFileSync(join(dir, name), 'utf8') : null;
}

/** Starts the app from its README and runs its checks; the first result says whether it started (and if not, why). */
export async function checkApp(
  ctx: RunAppContext,
  subject: EvalSubject,
  dir: string | null,
): Promise<CheckResult[]> {
  const checks = subject.checks ?? [];
  const notRun = (why: string): CheckResult[] => [
    { name: STARTS_FROM_README, kind: 'http', ok: false, message: why },
    ...checks.map((c) => ({
      name: c.name,
      kind: c.kind,
      ok: false,
      message: 'not run: the app did not start',
    })),
  ];
  if (!dir) return notRun('the project has no files to download');
  const readme = findReadme(dir);
  if (!readme) return notRun('the app has no README');
  const commands = readmeCommands(readme);
  if (!commands.start) return notRun('its README names no command that starts the app');
  const start = commands.start;
  ctx.log(`${subject.id}: starting it from its README: ${[...commands.install, start].join(' && ')}`);
  let app;
  try {
    app = await startApp(ctx.host, dir, { ...commands, start }, `samokoder-eval-${ctx.runTag}-${subject.id}`);
  } catch (err) {
    if (err instanceof AppStartError) return notRun(err.message);
    throw err;
  }
  try {
    const results = await runChecks({
      origin: app.origin,
      checks,
      browser: ctx.browser,
      restart: app.restart,
    });
    if (results.some((r) => !r.ok)) ctx.log(`${subject.id}: the app's last output:\n${await app.logs()}`);
    return [{ name: STARTS_FROM_README, kind: 'http', ok: true, message: null }, ...results];
  } finally {
    await app.stop();
  }
}

/** Downloads the project's export into `appDir` (zip and unpacked folder); null paths when there is none. */
async function download(
  api: DemoApi,
  projectId: string,
  appDir: string,
  id: string,
): Promise<{ zip: string | null; dir: string | null }> {
  const res = await fetch(`${api.base}/api/projects/${projectId}/export`, { headers: api.headers() });
  if (!res.ok) return { zip: null, dir: null };
  const zip = Buffer.from(await res.arrayBuffer());
  const zipPath = join(appDir, `${id}.zip`);
  writeFileSync(zipPath, zip);
  return { zip: zipPath, dir: unzipTo(zip, join(appDir, 'app')) };
}

/** Runs one subject through the pipeline and (for a suite app) its checks. */
export async function runApp(ctx: RunAppContext, subject: EvalSubject): Promise<AppReport> {
  const appDir = join(ctx.outDir, 'apps', subject.id);
  mkdirSync(appDir, { recursive: true });
  const api = new DemoApi(ctx.baseUrl);
  await api.register();
  await saveKey(api, ctx.llm, ctx.runTag);
  const models = ctx.llm.kind === 'provider' ? { '*': `${ctx.llm.provider}:${ctx.llm.model}` } : undefined;
  const project = await api.createProject({
    name: subject.name,
    description: subject.description,
    mode: 'autopilot',
    budgetMicros: ctx.budgetMicros,
    ...(models ? { models } : {}),
  });
  ctx.log(`${subject.id}: project ${project.id}: the run starts`);

  const events: ServerEvent[] = [];
  const started = Date.now();
  let followError: string | null = null;
  try {
    await follow(api, project.id, (e) => events.push(e), ctx.timeoutMs);
  } catch (err) {
    followError = err instanceof Error ? err.message : String(err);
  }
  const lastStatus = events.findLast((e) => e.type === 'run.status');
  const settledAt = Date.now();
  const status = lastStatus?.type === 'run.status' ? lastStatus.status : 'unknown';
  const reason =
    followError ?? (lastStatus?.type === 'run.status' ? (lastStatus.reason?.message ?? null) : null);
  writeFileSync(join(appDir, 'events.json'), JSON.stringify(events));
  ctx.log(
    `${subject.id}: the run ${status}${reason ? ` (${reason})` : ''} in ${Math.round((settledAt - started) / 1000)} s`,
  );

  if (followError) {
    // Given up on: it must not go on spending the user's money.
    await fetch(`${api.base}/api/projects/${project.id}/control`, {
      method: 'POST',
      headers: { ...api.headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'stop' }),
    }).catch(() => null);
  }
  const files = await download(api, project.id, appDir, subject.id);
  if (subject.uiInstruct !== undefined)
    writeFileSync(join(appDir, 'ui_instruct.json'), JSON.stringify(subject.uiInstruct, null, 2));

  let usage = usageOf(events);
  let modelMs: number | null = null;
  if (ctx.databaseUrl) {
    const ledger = await settledLedger(ctx.databaseUrl, project.id, usage.calls);
    usage = {
      calls: ledger.calls,
      inputTokens: ledger.inputTokens,
      outputTokens: ledger.outputTokens,
      costMicros: ledger.costMicros,
      unpricedCalls: ledger.unpricedCalls,
    };
    modelMs = ledger.latencyMs;
  }
  // Its files are kept here and its calls read from the ledger (which unlinks a deleted project's rows):
  // the project (and its sandbox) is no longer needed.
  await api.deleteProject(project.id).catch((err: unknown) => ctx.log(`${subject.id}: ${String(err)}`));
  const { appStartMs, pageCheckMs } = appStartTimes(events);
  const commandMs =
    events.reduce((ms, e) => ms + (e.type === 'command.exit' ? e.durationMs : 0), 0) + appStartMs;
  const fixRounds = events.filter(
    (e) => e.type === 'step.started' && FIX_AGENTS.has(e.agent) && !e.rerun,
  ).length;

  let checks: AppReport['checks'] = null;
  if (subject.checks) {
    const results = await checkApp(ctx, subject, files.dir);
    const failures = results
      .filter((r) => !r.ok)
      .map((r) => ({ check: r.name, message: r.message ?? 'failed' }));
    checks = { passed: results.length - failures.length, total: results.length, failures };
    ctx.log(`${subject.id}: ${checks.passed}/${checks.total} checks passed`);
  }
  const rel = (path: string | null) => (path ? path.slice(ctx.outDir.length + 1) : null);
  return {
    id: subject.id,
    name: subject.name,
    source: subject.source,
    outcome: status === 'completed' ? 'finished' : 'stopped',
    status,
    reason,
    checks,
    usage,
    timing: { wallMs: settledAt - started, modelMs, commandMs, appStartMs, pageCheckMs },
    unfinishedTasks: unfinishedTasks(events),
    fixRounds,
    files: { zip: rel(files.zip), dir: rel(files.dir) },
    ...(subject.uiInstruct !== undefined ? { uiInstruct: subject.uiInstruct } : {}),
  };
}

/**
 * The eval's report, per app and in total: the run's outcome, the checks, the LLM calls, tokens and
 * cost, the wall time, the fix rounds, and the platform's own share of the wall time. Written as JSON
 * and as a Markdown table.
 */

/** One failed check, as the report shows it. */
export interface CheckFailure {
  check: string;
  message: string;
}

/** What the run of one app used and how long it took. */
export interface AppUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Cost of the calls whose price is known, in micro-dollars. */
  costMicros: number;
  /** Calls whose price is not known: the cost is then unknown, never $0.00. */
  unpricedCalls: number;
}

/** The timing of one app's run: its wall time and what of it waited on the model and on commands. */
export interface AppTiming {
  /** From the start of the run to the moment it settled. */
  wallMs: number;
  /** The calls' latencies (usage ledger); null when the ledger could not be read. */
  modelMs: number | null;
  /**
   * The time the app's commands ran: the durations of the run's commands (install, tests, ...) from its
   * `command.exit` events, plus the app's start (`appStartMs`).
   */
  commandMs: number;
  /** Of `commandMs`: the app's start, from the start step until its preview answered. */
  appStartMs?: number;
  /** Of the platform's time: its headless browser's look at the preview (from the preview to the verdict). */
  pageCheckMs?: number;
}

export interface AppReport {
  id: string;
  name: string;
  /** `suite` (checks as code) or `webgen` (a WebGen-Bench task, graded elsewhere). */
  source: 'suite' | 'webgen';
  /** `finished`: the run completed; `stopped`: it ended otherwise (`reason` says why). */
  outcome: 'finished' | 'stopped';
  /** The run's last status (completed, failed, paused, stopped, or `error` when the eval could not run it). */
  status: string;
  reason: string | null;
  /** Null when the app is not graded here (a WebGen-Bench task). */
  checks: { passed: number; total: number; failures: CheckFailure[] } | null;
  usage: AppUsage;
  timing: AppTiming;
  /** Tasks of the plan that ended failed or skipped (a run may complete with some). */
  unfinishedTasks?: number;
  /** BugHunter and Troubleshooter rounds. */
  fixRounds: number;
  /** Where the app was left: its export zip and unpacked folder (relative to the output directory). */
  files: { zip: string | null; dir: string | null };
  /** A WebGen-Bench task's UI instructions, for its grader. */
  uiInstruct?: unknown;
}

export interface EvalReport {
  /** Which model ran the suite (`fixture` with the LLM fixture). */
  model: string;
  startedAt: string;
  apps: AppReport[];
  total: {
    apps: number;
    finished: number;
    checksPassed: number;
    checksTotal: number;
    ungraded: number;
    usage: AppUsage;
    wallMs: number;
    fixRounds: number;
    /** Sum of the apps' platform time over the sum of their wall time; null if no app's is known. */
    platformShare: number | null;
  };
}

/** The platform's own share target: at most 5% of the wall time. */
export const PLATFORM_SHARE_TARGET = 0.05;

/**
 * The platform's own time: the wall time minus the time waiting on the model and minus the time the
 * app's commands ran (never below 0; calls and commands do not overlap within one project's run).
 */
export function platformMs(timing: AppTiming): number | null {
  if (timing.modelMs === null) return null;
  return Math.max(0, timing.wallMs - timing.modelMs - timing.commandMs);
}

export function platformShare(timing: AppTiming): number | null {
  const own = platformMs(timing);
  return own === null || timing.wallMs <= 0 ? null : own / timing.wallMs;
}

/** The report's totals over its apps. */
export function buildReport(model: string, startedAt: Date, apps: AppReport[]): EvalReport {
  const usage: AppUsage = { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0, unpricedCalls: 0 };
  let wallMs = 0;
  let ownMs = 0;
  let timedMs = 0;
  for (const app of apps) {
    for (const key of Object.keys(usage) as (keyof AppUsage)[]) usage[key] += app.usage[key];
    wallMs += app.timing.wallMs;
    const own = platformMs(app.timing);
    if (own !== null) {
      ownMs += own;
      timedMs += app.timing.wallMs;
    }
  }
  const graded = apps.filter((a) => a.checks !== null);
  return {
    model,
    startedAt: startedAt.toISOString(),
    apps,
    total: {
      apps: apps.length,
      finished: apps.filter((a) => a.outcome === 'finished').length,
      checksPassed: graded.reduce((n, a) => n + a.checks!.passed, 0),
      checksTotal: graded.reduce((n, a) => n + a.checks!.total, 0),
      ungraded: apps.length - graded.length,
      usage,
      wallMs,
      fixRounds: apps.reduce((n, a) => n + a.fixRounds, 0),
      platformShare: timedMs > 0 ? ownMs / timedMs : null,
    },
  };
}

/** A cost as people read it: unknown when no call had a price, a floor when some had none. */
export function formatCost(usage: AppUsage): string {
  const dollars = `$${(usage.costMicros / 1e6).toFixed(4)}`;
  if (usage.unpricedCalls === 0) return dollars;
  if (usage.unpricedCalls === usage.calls) return 'unknown';
  return `${dollars} + unknown (${usage.unpricedCalls} unpriced)`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(share: number | null): string {
  return share === null ? 'unknown' : `${(share * 100).toFixed(1)}%`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function outcomeText(app: AppReport): string {
  const notDone = app.unfinishedTasks ? ` (${app.unfinishedTasks} task(s) not done)` : '';
  if (app.outcome === 'finished') return `finished${notDone}`;
  return `stopped: ${app.status}${app.reason ? ` (${app.reason})` : ''}`;
}

/** One app's wall time, split as the platform share counts it. */
function timeSplit(app: AppReport): string {
  const t = app.timing;
  const own = platformMs(t);
  const start = t.appStartMs ? ` (the app's start ${seconds(t.appStartMs)})` : '';
  const check = t.pageCheckMs ? ` (the preview's page check ${seconds(t.pageCheckMs)})` : '';
  return `- ${app.id}: wall ${seconds(t.wallMs)} = model ${t.modelMs === null ? 'unknown' : seconds(t.modelMs)} + commands ${seconds(t.commandMs)}${start} + platform ${own === null ? 'unknown' : seconds(own)}${check}`;
}

/** The report as Markdown: one row per app, a total row, then every failed check and how time is split. */
export function reportMarkdown(report: EvalReport): string {
  const head =
    '| app | outcome | checks | LLM calls | tokens in / out | cost | wall time | fix rounds | platform share |';
  const rule = '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |';
  const rows = report.apps.map((app) =>
    [
      app.id,
      outcomeText(app),
      app.checks ? `${app.checks.passed}/${app.checks.total}` : 'ungraded',
      String(app.usage.calls),
      `${app.usage.inputTokens} / ${app.usage.outputTokens}`,
      formatCost(app.usage),
      seconds(app.timing.wallMs),
      String(app.fixRounds),
      percent(platformShare(app.timing)),
    ]
      .map(cell)
      .join(' | '),
  );
  const t = report.total;
  const total = [
    `**total (${t.apps})**`,
    `${t.finished}/${t.apps} finished`,
    t.checksTotal > 0 || t.ungraded === 0 ? `${t.checksPassed}/${t.checksTotal}` : 'ungraded',
    String(t.usage.calls),
    `${t.usage.inputTokens} / ${t.usage.outputTokens}`,
    formatCost(t.usage),
    seconds(t.wallMs),
    String(t.fixRounds),
    percent(t.platformShare),
  ].join(' | ');
  const lines = [
    `# Eval: ${report.model}, ${report.startedAt}`,
    '',
    head,
    rule,
    ...rows.map((r) => `| ${r} |`),
    `| ${total} |`,
    '',
  ];
  const failures = report.apps.flatMap((a) => (a.checks?.failures ?? []).map((f) => ({ app: a.id, ...f })));
  if (failures.length > 0) {
    lines.push('## Failed checks', '');
    for (const f of failures) lines.push(`- **${f.app}** / ${f.check}: ${f.message}`);
    lines.push('');
  }
  if (t.ungraded > 0) {
    lines.push(
      '## Ungraded',
      '',
      `${t.ungraded} app(s) are left for a person or a separate grader: each one's zip, folder and ui_instruct.json are under apps/<id>/.`,
      '',
    );
  }
  lines.push(
    '## How the platform share is computed',
    '',
    "Per app: the wall time of the run (from the start control to the run's last status), minus the time waiting on the model (the sum of the calls' latencies in the usage ledger), minus the time the app's commands ran (the sum of `durationMs` of the run's `command.exit` events, plus the app's start: from the step that starts it to its preview answering). The rest is the platform's own time; the total is the sum of it over the sum of the wall times. " +
      `Target: at most ${PLATFORM_SHARE_TARGET * 100}%.`,
    '',
    ...report.apps.filter((a) => a.timing.wallMs > 0).map(timeSplit),
    '',
  );
  return lines.join('\n');
}

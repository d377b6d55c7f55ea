/**
 * The eval: runs its subjects through the platform (at most `parallel` at once), checks the apps, and
 * writes the report (report.json, report.md) into the output directory; every app's files stay under
 * apps/<id>/ there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAppNetwork } from './app-container.ts';
import { LazyBrowser } from './checks/browser.ts';
import { buildReport, reportMarkdown, type AppReport, type EvalReport } from './report.ts';
import { runApp, STARTS_FROM_README, type EvalSubject, type LlmChoice } from './run-app.ts';

export interface EvalOptions {
  /** The platform (a local stack). */
  baseUrl: string;
  llm: LlmChoice;
  /** The stack's Postgres, for the usage ledger (null: the time waiting on the model is unknown). */
  databaseUrl: string | null;
  /** The Docker engine and the image the apps run in. */
  dockerSocket: string;
  image: string;
  subjects: EvalSubject[];
  parallel: number;
  outDir: string;
  /** Spending cap per project, in micro-dollars. */
  budgetMicros: number;
  /** How long one run may take. */
  timeoutMs: number;
  /**
   * How the apps' containers reach package registries: none (an internal network, no route out: the
   * fixture's app installs nothing), or the host's settings (environment and a CA file).
   */
  packageAccess: { env: Record<string, string>; mounts: Record<string, string> } | null;
  write: (text: string) => void;
  /** Names this eval's containers and network (`samokoder-eval-<tag>`); random when not given. */
  tag?: string;
}

/** What the report says of a subject the eval itself could not run (the API refused, the stack broke). */
function errored(subject: EvalSubject, err: unknown): AppReport {
  const message = err instanceof Error ? err.message : String(err);
  return {
    id: subject.id,
    name: subject.name,
    source: subject.source,
    outcome: 'stopped',
    status: 'error',
    reason: message,
    checks: subject.checks
      ? {
          passed: 0,
          total: subject.checks.length + 1,
          failures: [STARTS_FROM_README, ...subject.checks.map((c) => c.name)].map((check) => ({
            check,
            message: `not run: ${message}`,
          })),
        }
      : null,
    usage: { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0, unpricedCalls: 0 },
    timing: { wallMs: 0, modelMs: null, commandMs: 0 },
    fixRounds: 0,
    files: { zip: null, dir: null },
  };
}

/** A short random tag for an eval's containers and network. */
export function newEvalTag(): string {
  return Math.random().toString(36).slice(2, 8);
}

function modelLabel(llm: LlmChoice): string {
  if (llm.kind === 'fixture') return "the LLM fixture (the demo's scripted session)";
  return `${llm.provider}:${llm.model}${llm.baseUrl ? ` at ${llm.baseUrl}` : ''}`;
}

export async function runEval(opts: EvalOptions): Promise<{ report: EvalReport; markdown: string }> {
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date();
  const runTag = opts.tag ?? newEvalTag();
  const log = (line: string) => opts.write(`· ${line}\n`);
  const network = await createAppNetwork(opts.dockerSocket, `samokoder-eval-${runTag}`, !opts.packageAccess);
  const browser = new LazyBrowser();
  const results: AppReport[] = new Array<AppReport>(opts.subjects.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < opts.subjects.length) {
        const index = next++;
        const subject = opts.subjects[index]!;
        try {
          results[index] = await runApp(
            {
              baseUrl: opts.baseUrl,
              llm: opts.llm,
              databaseUrl: opts.databaseUrl,
              host: {
                socketPath: opts.dockerSocket,
                image: opts.image,
                network: network.name,
                env: opts.packageAccess?.env ?? {},
                mounts: opts.packageAccess?.mounts ?? {},
                label: runTag,
              },
              browser,
              outDir,
              budgetMicros: opts.budgetMicros,
              timeoutMs: opts.timeoutMs,
              runTag,
              log,
            },
            subject,
          );
        } catch (err) {
          log(
            `${subject.id}: the eval could not run it: ${err instanceof Error ? err.message : String(err)}`,
          );
          results[index] = errored(subject, err);
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(opts.parallel, opts.subjects.length)) }, worker),
    );
  } finally {
    await browser.close();
    await network.remove();
  }
  const report = buildReport(modelLabel(opts.llm), startedAt, results);
  const markdown = reportMarkdown(report);
  writeFileSync(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, 'report.md'), markdown);
  opts.write(`\n${markdown}\nReport: ${join(outDir, 'report.md')} and report.json\n`);
  return { report, markdown };
}

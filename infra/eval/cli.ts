/**
 * `pnpm eval`: app descriptions through the whole pipeline on a local stack of its own (the `eval`
 * profile: its own ports and throwaway state, beside `pnpm start`), each finished app started from its
 * README and checked, and a report. See options.ts for the command line (`pnpm eval --help`).
 */
import { join } from 'node:path';
import { buildSandboxImage } from '../sandbox/build.ts';
import { repoRoot } from '../stack/config.ts';
import { ensureDockerEngine } from '../stack/docker.ts';
import { stopAllOnSignal } from '../stack/interrupt.ts';
import { isRunning, type ServiceResult } from '../stack/service.ts';
import { startStack } from '../stack/stack.ts';
import { removeLeftoversNow } from './app-container.ts';
import { newEvalTag, runEval } from './harness.ts';
import { readOptions, USAGE, type CliOptions } from './options.ts';
import { hostPackageAccessForApps } from './package-access.ts';
import { suiteSubject, type EvalSubject, type LlmChoice } from './run-app.ts';
import { readWebGenTasks } from './webgen-tasks.ts';

const write = (text: string) => process.stdout.write(text);

function urlOf(services: ServiceResult[], name: string): string {
  const s = services.find((x) => x.name === name);
  if (s && isRunning(s)) return s.url;
  const why = s && !isRunning(s) ? `${s.reason} (${s.hint})` : 'not started';
  throw new Error(`the eval needs ${name}: ${why}`);
}

function subjectsOf(opts: CliOptions): EvalSubject[] {
  const suite = opts.apps.map(suiteSubject);
  const tasks = opts.tasksFile
    ? readWebGenTasks(opts.tasksFile).map((task) => ({
        id: `webgen-${task.id.replace(/[^A-Za-z0-9_-]/g, '_')}`,
        name: `webgen ${task.id}`,
        description: task.instruction,
        source: 'webgen' as const,
        checks: null,
        uiInstruct: task.uiInstruct,
      }))
    : [];
  return [...suite, ...tasks];
}

/** The key, from the environment variable the user named (checked before the stack starts). */
function keyOf(opts: CliOptions): string {
  if (opts.model.kind !== 'provider') return '';
  if (!opts.model.keyEnv) return 'none';
  const key = process.env[opts.model.keyEnv];
  if (!key)
    throw new Error(`the environment variable ${opts.model.keyEnv} is not set (it should hold your key)`);
  return key;
}

let opts: CliOptions;
let subjects: EvalSubject[];
let key: string;
try {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    write(USAGE);
    process.exit(0);
  }
  opts = readOptions(process.argv.slice(2));
  if (opts.list) {
    for (const app of opts.apps) write(`${app.id.padEnd(16)} ${app.kind}: ${app.checks.length} checks\n`);
    process.exit(0);
  }
  subjects = subjectsOf(opts);
  key = keyOf(opts);
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
}

let ok = false;
const tag = newEvalTag();
let dockerSocket: string | null = null;
stopAllOnSignal({
  exitCode: () => (ok ? 0 : 130),
  // The apps' containers and network are the engine's, not this process's: remove them too.
  onStopping: () => dockerSocket && removeLeftoversNow(dockerSocket, tag),
});
const fixture = opts.model.kind === 'fixture';
write(
  '\x1b[2m· starting the eval stack (Postgres, Redis, Docker, the sandbox-runner, wrangler dev)\x1b[0m\n',
);
const stack = await startStack({
  profile: 'eval',
  llmFixture: fixture,
  log: (line) => write(`\x1b[2m· ${line}\x1b[0m\n`),
});
try {
  urlOf(stack.services, 'sandbox-runner');
  const engine = await ensureDockerEngine();
  if (!engine.ok) throw new Error(`the eval needs a Docker engine: ${engine.reason} (${engine.hint})`);
  dockerSocket = engine.socketPath;
  const { image } = await buildSandboxImage();
  const llm: LlmChoice =
    opts.model.kind === 'fixture'
      ? {
          kind: 'fixture',
          fixtureUrl: urlOf(stack.services, 'llm-fixture'),
          latencyMs: opts.model.latencyMs,
        }
      : {
          kind: 'provider',
          provider: opts.model.provider,
          model: opts.model.model,
          key,
          ...(opts.model.baseUrl ? { baseUrl: opts.model.baseUrl } : {}),
        };
  const outDir =
    opts.outDir ?? join(repoRoot, '.local/eval/runs', new Date().toISOString().replace(/[:.]/g, '-'));
  const { report } = await runEval({
    baseUrl: urlOf(stack.services, 'worker'),
    llm,
    databaseUrl: urlOf(stack.services, 'postgres'),
    dockerSocket: engine.socketPath,
    image,
    subjects,
    parallel: opts.parallel,
    outDir,
    budgetMicros: opts.budgetMicros,
    timeoutMs: opts.timeoutMs,
    packageAccess: fixture ? null : await hostPackageAccessForApps(),
    write,
    tag,
  });
  // The harness worked: every app was run and reported (how well they did is the report's business).
  ok = report.apps.every((a) => a.status !== 'error');
} catch (err) {
  console.error(`\nThe eval could not run: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await stack.stop();
}
process.exit(ok ? 0 : 1);

/**
 * `npm test` (through bootstrap.mjs): every test, in two phases of Vitest runs side by side.
 *
 * The browser tests (the `e2e` project) share one stack and one browser, so their files run one after
 * another; in one Vitest run that serial stretch would run alone, after the rest (Vitest runs such a
 * project as a group of its own). Here it runs beside the `workers` project instead, which takes minutes
 * off the run on two cores. Not beside the suites that create and remove Docker networks (`sandbox`,
 * `fleet`, and the eval's and the stack's tests in `unit`): Chromium aborts its requests with
 * ERR_NETWORK_CHANGED whenever the host's network interfaces change. Those run in the second phase.
 *
 * The test stack is started first, here, so every run reuses it (their global setups find it running)
 * and none stops what another still uses; it is stopped once all have ended. Arguments (a file, a
 * `--project`) mean a run of a part: they go to a single Vitest run as they are.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startStack } from '../stack/stack.ts';

const vitest = 'node_modules/.bin/vitest';
const args = process.argv.slice(2);
/** The closing line of each run (infra/scripts/summary-reporter.ts), summed over all runs. */
const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
const totals = [0, 0, 0];

/** Runs of Vitest, by phase: the runs of a phase side by side, the phases one after the other. */
const PHASES: [label: string, projects: string[]][][] = [
  [
    ['[e2e]', ['e2e']],
    ['[workers]', ['workers']],
  ],
  [['[unit, sandbox, fleet]', ['unit', 'sandbox', 'fleet']]],
];

/** Runs Vitest on `projects`, each output line prefixed with `label`; resolves with its exit code. */
function run(label: string, projects: string[], children: Set<ChildProcess>): Promise<number> {
  const child = spawn(vitest, ['run', ...projects.flatMap((p) => ['--project', p])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${label} ${line}\n`);
      SUMMARY.exec(line)
        ?.slice(1)
        .forEach((count, i) => (totals[i]! += Number(count)));
    });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stdout.write(`${label} could not start Vitest: ${String(err)}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (args.length > 0) {
  const child = spawn(vitest, ['run', ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const stack = await startStack({ profile: 'test', log: (line) => console.error(`[stack] ${line}`) });
  const children = new Set<ChildProcess>();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      interrupted = true;
      for (const child of children) child.kill(signal);
    });
  const codes: number[] = [];
  for (const phase of PHASES) {
    if (interrupted) break;
    const started = Date.now();
    codes.push(...(await Promise.all(phase.map(([label, projects]) => run(label, projects, children)))));
    console.log(
      `\n${phase.map(([label]) => label).join(' and ')} took ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }
  await stack.stop();
  const failed = codes.some((code) => code !== 0) || interrupted;
  console.log(`\nin all: ${totals[0]} passed, ${totals[1]} failed, ${totals[2]} skipped`);
  if (failed) console.log('some tests failed or a run did not finish: see the labelled lines above');
  process.exit(failed ? 1 : 0);
}

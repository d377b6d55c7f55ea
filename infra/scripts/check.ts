/**
 * `pnpm check`: the format check, lint, type checks of every package (svelte-check for the UI), and a
 * stale `wrangler types` output. Runs every step, as many at once as the machine has cores (each step's
 * output is printed whole when it ends, so two never interleave), then fails if any failed.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Longest first, so the short ones fill in beside them. */
const steps: Array<[string, string, string[]]> = [
  ['types: web (svelte-check)', 'pnpm', ['--filter', '@samokoder/web', 'typecheck']],
  ['lint', 'eslint', ['--max-warnings', '0', '.']],
  ['types: workers', 'tsc', ['-p', 'workers/tsconfig.json']],
  ['format', 'prettier', ['--check', '--log-level', 'warn', '.']],
  ['types: infra', 'tsc', ['-p', 'infra/tsconfig.json']],
  ['types: sandbox-runner', 'tsc', ['-p', 'sandbox-runner/tsconfig.json']],
  ['types: db', 'tsc', ['-p', 'db/tsconfig.json']],
  // The fleet tests and benchmark run in Node beside the Worker's code, outside its tsconfig.
  ['types: fleet tests and bench', 'tsc', ['-p', 'workers/fleet/tsconfig.json']],
  [
    'wrangler types are current',
    'wrangler',
    ['types', '--check', '--strict-vars=false', 'workers/worker-configuration.d.ts'],
  ],
];

/** Runs one step with its output captured; resolves with whether it passed. */
function run([name, cmd, args]: (typeof steps)[number]): Promise<boolean> {
  const started = Date.now();
  const bin = cmd === 'pnpm' ? 'pnpm' : `node_modules/.bin/${cmd}`;
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
  });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  return new Promise((resolve) => {
    let ended = false;
    const done = (ok: boolean) => {
      if (ended) return; // 'error' may come before 'close'
      ended = true;
      process.stdout.write(Buffer.concat(output));
      console.log(`${ok ? '✓' : '✗'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      resolve(ok);
    };
    child.on('error', (err) => {
      output.push(Buffer.from(`${String(err)}\n`));
      done(false);
    });
    child.on('close', (code) => done(code === 0));
  });
}

const failed: string[] = [];
const queue = [...steps];
const lanes = Array.from({ length: Math.max(1, Math.min(availableParallelism(), 4)) }, async () => {
  for (let step = queue.shift(); step; step = queue.shift()) if (!(await run(step))) failed.push(step[0]);
});
await Promise.all(lanes);
if (failed.length > 0) {
  console.error(`\ncheck failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nall checks passed');

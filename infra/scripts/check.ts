/**
 * `pnpm check`: the format check, lint, type checks of every package (svelte-check for the UI), and a
 * stale `wrangler types` output. Runs every step, then fails if any failed.
 */
import { spawnSync } from 'node:child_process';

const steps: Array<[string, string, string[]]> = [
  ['format', 'prettier', ['--check', '--log-level', 'warn', '.']],
  ['lint', 'eslint', ['--max-warnings', '0', '.']],
  ['types: workers', 'tsc', ['-p', 'workers/tsconfig.json']],
  ['types: db', 'tsc', ['-p', 'db/tsconfig.json']],
  ['types: sandbox-runner', 'tsc', ['-p', 'sandbox-runner/tsconfig.json']],
  ['types: infra', 'tsc', ['-p', 'infra/tsconfig.json']],
  ['types: web (svelte-check)', 'pnpm', ['--filter', '@samokoder/web', 'typecheck']],
  [
    'wrangler types are current',
    'wrangler',
    ['types', '--check', '--strict-vars=false', 'workers/worker-configuration.d.ts'],
  ],
];

const failed: string[] = [];
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  const bin = cmd === 'pnpm' ? 'pnpm' : `node_modules/.bin/${cmd}`;
  const res = spawnSync(bin, args, {
    stdio: 'inherit',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const ok = res.status === 0;
  console.log(`${ok ? '✓' : '✗'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\ncheck failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nall checks passed');

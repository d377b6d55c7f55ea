/**
 * `pnpm start` (through the bootstrap): brings the whole local stack up, prints where it is, and stops
 * everything it started on Ctrl-C.
 */
import { isRunning } from './service.ts';
import { startStack, type ServiceResult } from './stack.ts';

const started = Date.now();
const log = (line: string) => console.log(`  · ${line}`);

function describe(s: ServiceResult): string {
  if (!isRunning(s)) {
    return `  ✗ ${s.name.padEnd(15)} ${s.state}: ${s.reason}\n      → ${s.hint}`;
  }
  const how = s.state === 'external' ? 'external' : s.state === 'reused' ? 'already running' : 'started';
  const url = s.url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
  return `  ✓ ${s.name.padEnd(15)} ${url}  (${how})`;
}

console.log('Samokoder: starting the local stack…');
// STACK_PROFILE=smoke is for the stack's own test; people run the default.
const profile = process.env.STACK_PROFILE === 'smoke' ? 'smoke' : 'dev';
const stack = await startStack({ profile, log });
console.log('');
for (const service of stack.services) console.log(describe(service));
const problems = stack.services.filter((s) => !isRunning(s));
const worker = stack.services.find((s) => s.name === 'worker');
console.log('');
if (worker && (worker.state === 'started' || worker.state === 'reused')) {
  console.log(
    `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Open ${stack.baseUrl.replace('127.0.0.1', 'localhost')}`,
  );
  if (problems.length > 0) console.log(`(${problems.length} piece(s) missing: the rest works; see above)`);
  console.log('Press Ctrl-C to stop everything.');
} else {
  console.log('The Worker did not start; stopping what did.');
  await stack.stop();
  process.exit(1);
}

// Stay up until Ctrl-C even when every piece was already running (nothing of ours keeps Node busy).
const keepAlive = setInterval(() => {}, 60_000);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(keepAlive);
  console.log('\nStopping…');
  await stack.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.on('SIGHUP', () => void shutdown());

/**
 * `pnpm start` (through the bootstrap): brings the whole local stack up, prints where it is, and stops
 * everything it started on Ctrl-C, whenever it comes (also while the stack is still starting).
 */
import { stopAllOnSignal } from './interrupt.ts';
import { stopAllProcesses } from './process.ts';
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

let ready = false;
const interrupted = stopAllOnSignal({
  // 130: interrupted before the stack was up (the shell's convention for Ctrl-C).
  exitCode: () => (ready ? 0 : 130),
  onStopping: () => console.log('\nStopping…'),
  onStopped: () => console.log('Stopped.'),
});
// Stay up until Ctrl-C even when every piece was already running (nothing of ours keeps Node busy).
setInterval(() => {}, 60_000);

console.log('Samokoder: starting the local stack…');
// STACK_PROFILE=smoke is for the stack's own test; people run the default.
const profile = process.env.STACK_PROFILE === 'smoke' ? 'smoke' : 'dev';
const stack = await startStack({ profile, log }).catch(async (err: unknown) => {
  // A start cut short by Ctrl-C fails on purpose: the signal handler is stopping everything and exits.
  if (interrupted()) return new Promise<never>(() => {});
  console.error(`The stack could not start: ${err instanceof Error ? err.message : String(err)}`);
  await stopAllProcesses();
  process.exit(1);
});
if (!interrupted()) {
  console.log('');
  for (const service of stack.services) console.log(describe(service));
  const problems = stack.services.filter((s) => !isRunning(s));
  const worker = stack.services.find((s) => s.name === 'worker');
  console.log('');
  if (worker && (worker.state === 'started' || worker.state === 'reused')) {
    ready = true;
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
}

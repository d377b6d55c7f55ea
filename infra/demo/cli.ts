/**
 * `pnpm demo`: the offline end-to-end demo (see run.ts) on a local stack of its own (the `demo`
 * profile: its own ports and throwaway state, so it runs beside `pnpm start`, with the LLM fixture in
 * place of the providers). DEMO_KEEP=1 leaves the project in place (and the stack up until Ctrl-C).
 */
import { stopAllOnSignal } from '../stack/interrupt.ts';
import { isRunning, type ServiceResult } from '../stack/service.ts';
import { startStack } from '../stack/stack.ts';
import { runDemo } from './run.ts';

const write = (text: string) => process.stdout.write(text);
const keep = process.env.DEMO_KEEP === '1';
let ok = false;
// Ctrl-C at any moment (starting, mid-run, or the end of DEMO_KEEP) stops the demo's stack and exits.
stopAllOnSignal({ exitCode: () => (ok ? 0 : 130) });

function urlOf(services: ServiceResult[], name: string): string {
  const s = services.find((x) => x.name === name);
  if (s && isRunning(s)) return s.url;
  const why = s && !isRunning(s) ? `${s.reason} (${s.hint})` : 'not started';
  throw new Error(`the demo needs ${name}: ${why}`);
}

write(
  '\x1b[2m· starting the local stack (Postgres, Redis, Docker, the sandbox-runner, the LLM fixture, wrangler dev)\x1b[0m\n',
);
const stack = await startStack({ profile: 'demo', log: (line) => write(`\x1b[2m· ${line}\x1b[0m\n`) });
try {
  urlOf(stack.services, 'sandbox-runner');
  const result = await runDemo({
    write,
    baseUrl: urlOf(stack.services, 'worker'),
    llmFixtureUrl: urlOf(stack.services, 'llm-fixture'),
    keep,
  });
  ok =
    result.status === 'completed' &&
    result.testExits.length >= 2 &&
    result.testExits[0] !== 0 &&
    result.testExits.at(-1) === 0 &&
    result.preview !== null &&
    result.readme !== null;
  if (!ok) {
    console.error(
      `\nThe demo did not go as scripted: ${result.status}${result.reason ? ` (${result.reason})` : ''}`,
    );
  }
  if (keep && ok) {
    write(`\nThe project stays at ${stack.baseUrl}; press Ctrl-C to stop the stack.\n`);
    // Until Ctrl-C, whose handler stops the stack and exits (the timer keeps Node waiting).
    await new Promise<never>(() => setInterval(() => {}, 60_000));
  }
} catch (err) {
  console.error(`\nThe demo could not run: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await stack.stop();
}
process.exit(ok ? 0 : 1);

/**
 * Runs the LLM fixture server: LLM_FIXTURE_PORT (8090), LLM_FIXTURE_HOST (127.0.0.1).
 * Usage: node infra/llm-fixture/cli.ts, then point the Worker's LLM_BASE_URL_OVERRIDE at the printed URL.
 */
import { startLlmFixture } from './fixture.ts';

const port = Number(process.env.LLM_FIXTURE_PORT ?? 8090);
const host = process.env.LLM_FIXTURE_HOST ?? '127.0.0.1';
const fixture = await startLlmFixture({ port, host });
console.log(`llm-fixture ready: LLM_BASE_URL_OVERRIDE=${fixture.url}`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  console.log(`llm-fixture: ${signal}, stopping`);
  fixture.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('llm-fixture: failed to stop cleanly', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

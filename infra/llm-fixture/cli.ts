/**
 * Runs the LLM fixture server: LLM_FIXTURE_PORT (8090), LLM_FIXTURE_HOST (127.0.0.1), and optionally
 * LLM_FIXTURE_SCRIPT, a JSON file `{ "key"?: string, "replies": [...] }` loaded at start (more can be
 * posted to /__fixture/script).
 * Usage: node infra/llm-fixture/cli.ts, then point the Worker's LLM_BASE_URL_OVERRIDE at the printed URL.
 */
import { readFileSync } from 'node:fs';
import { startLlmFixture } from './fixture.ts';
import { ANY_KEY, scriptProblem, type ScriptedReply } from './script.ts';

const port = Number(process.env.LLM_FIXTURE_PORT ?? 8090);
const host = process.env.LLM_FIXTURE_HOST ?? '127.0.0.1';
const fixture = await startLlmFixture({ port, host });
const scriptFile = process.env.LLM_FIXTURE_SCRIPT;
if (scriptFile) {
  const script = JSON.parse(readFileSync(scriptFile, 'utf8')) as { key?: string; replies?: unknown };
  const problem = scriptProblem(script.replies);
  if (problem) throw new Error(`${scriptFile}: ${problem}`);
  fixture.add(script.key ?? ANY_KEY, script.replies as ScriptedReply[]);
  console.log(`llm-fixture: loaded ${(script.replies as unknown[]).length} scripted replies`);
}
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

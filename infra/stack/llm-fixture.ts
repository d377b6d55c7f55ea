import { join } from 'node:path';
import type { Profile, StackConfig } from './config.ts';
import { startProcess } from './process.ts';
import type { Logger, ServiceResult } from './service.ts';
import { httpOk, waitUntil } from './wait.ts';

/**
 * Profiles whose Worker sends every provider call to the fixture. Never `dev` (nor `smoke`, which
 * stands in for it): there users' real keys must reach the real providers.
 */
export function usesLlmFixture(profile: Profile): boolean {
  return profile === 'test' || profile === 'demo' || profile === 'fleet';
}

/**
 * The LLM fixture (infra/llm-fixture): the Worker's LLM_BASE_URL_OVERRIDE points every provider at it,
 * and tests script its replies per key through its control API.
 */
export async function startLlmFixtureService(cfg: StackConfig, log: Logger): Promise<ServiceResult> {
  const port = cfg.ports.llm;
  const url = `http://127.0.0.1:${port}`;
  const ready = () => httpOk(`${url}/__fixture/script`);
  if (await ready().catch(() => false)) return { name: 'llm-fixture', state: 'reused', url };
  log(`llm-fixture: starting the LLM fixture on ${url}`);
  const logFile = join(cfg.stateDir, 'logs/llm-fixture.log');
  const proc = startProcess({
    name: 'llm-fixture',
    command: process.execPath,
    args: [join(cfg.root, 'infra/llm-fixture/cli.ts')],
    env: { ...process.env, LLM_FIXTURE_PORT: String(port), LLM_FIXTURE_HOST: '127.0.0.1' },
    logFile,
    stateDir: cfg.stateDir,
  });
  try {
    await waitUntil('llm fixture', ready, { process: proc });
  } catch (err) {
    await proc.stop();
    return { name: 'llm-fixture', state: 'failed', reason: String(err), hint: `see ${logFile}` };
  }
  return { name: 'llm-fixture', state: 'started', url, process: proc };
}

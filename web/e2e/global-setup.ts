import type { TestProject } from 'vitest/node';
import type {} from '../../infra/stack/e2e-context.ts';

/**
 * Gives the e2e tests a running Samokoder: `E2E_BASE_URL` (and `E2E_LLM_FIXTURE_URL`, `E2E_RUNNER_URL`,
 * `E2E_RUNNER_SECRET`, `E2E_DATABASE_URL`) when set (a stack you started yourself), else the local stack's `test` profile,
 * started here and stopped after the run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const fromEnv = process.env.E2E_BASE_URL;
  if (fromEnv) {
    project.provide('baseUrl', fromEnv.replace(/\/+$/, ''));
    project.provide('llmFixtureUrl', (process.env.E2E_LLM_FIXTURE_URL ?? '').replace(/\/+$/, ''));
    project.provide('runnerUrl', (process.env.E2E_RUNNER_URL ?? '').replace(/\/+$/, ''));
    project.provide('runnerSecret', process.env.E2E_RUNNER_SECRET ?? '');
    project.provide('databaseUrl', process.env.E2E_DATABASE_URL ?? '');
    return undefined;
  }
  const { startStack } = await import('../../infra/stack/stack.ts');
  const stack = await startStack({ profile: 'test', log: (line) => console.error(`[stack] ${line}`) });
  const fixture = stack.services.find((s) => s.name === 'llm-fixture');
  project.provide('baseUrl', stack.baseUrl.replace(/\/+$/, ''));
  project.provide('llmFixtureUrl', fixture && 'url' in fixture ? fixture.url : '');
  const runner = stack.services.find((s) => s.name === 'sandbox-runner');
  project.provide('runnerUrl', runner && 'url' in runner && runner.url ? runner.url : '');
  project.provide('runnerSecret', stack.config.secrets.runnerSecret);
  const postgres = stack.services.find((s) => s.name === 'postgres');
  project.provide('databaseUrl', postgres && 'url' in postgres && postgres.url ? postgres.url : '');
  return () => stack.stop();
}

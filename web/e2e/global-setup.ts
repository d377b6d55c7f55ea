import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the UI under test (the Worker serving the built UI and the API), no trailing slash. */
    baseUrl: string;
  }
}

/**
 * Gives the e2e tests a running Samokoder: `E2E_BASE_URL` when set (a stack or `wrangler dev` you
 * started yourself), else the local stack's `test` profile, started here and stopped after the run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const fromEnv = process.env.E2E_BASE_URL;
  if (fromEnv) {
    project.provide('baseUrl', fromEnv.replace(/\/+$/, ''));
    return undefined;
  }
  const { startStack } = await import('../../infra/stack/stack.ts');
  const stack = await startStack({ profile: 'test', log: (line) => console.error(`[stack] ${line}`) });
  project.provide('baseUrl', stack.baseUrl.replace(/\/+$/, ''));
  return () => stack.stop();
}

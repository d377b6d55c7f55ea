import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { app } from '../../src/app.ts';
import type { Limits } from '../../src/limits/config.ts';
import { ORIGIN } from './api.ts';

/** Limits no test reaches: for tests that call the API a great many times as one user. */
const UNREACHED: Limits = {
  auth: { limit: 100_000, windowSeconds: 60 },
  api: { limit: 100_000, windowSeconds: 60 },
  projectCreate: { limit: 100_000, windowSeconds: 60 },
  llm: { limit: 100_000, windowSeconds: 60 },
  loginFailures: { limit: 100_000, windowSeconds: 60 },
  accountLoginFailures: { limit: 100_000, windowSeconds: 60, cooldownSeconds: 1 },
};

/**
 * Calls the Worker's app (the same one `api()` reaches) with rate limits out of the way, for tests
 * whose subject is not the limits: every other binding is the test run's.
 */
export async function unlimited(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${ORIGIN}${path}`, init),
    { ...env, RATE_LIMITS: JSON.stringify(UNREACHED) },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

import type { Limits } from '../src/limits/config.ts';

/**
 * Limits for the test run: small enough that a test exceeds them in a few requests, windows short
 * enough that it sees them recover. Every test user gets an IP of its own, so only the tests that aim
 * at a limit meet it.
 */
export const TEST_LIMITS: Limits = {
  auth: { limit: 10, windowSeconds: 4 },
  api: { limit: 50, windowSeconds: 4 },
  projectCreate: { limit: 6, windowSeconds: 4 },
  llm: { limit: 4, windowSeconds: 4 },
  loginFailures: { limit: 3, windowSeconds: 3 },
};

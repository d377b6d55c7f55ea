import type { Limits } from '../src/limits/config.ts';

/**
 * Limits for the test run: small enough that a test exceeds them in a few requests, windows short
 * enough that it sees them recover. Every test user gets an IP of its own, so only the tests that aim
 * at a limit meet it.
 */
// Windows are long enough that a loaded machine (a second of latency per request) still fits a
// limit's worth of requests into one window.
export const TEST_LIMITS: Limits = {
  auth: { limit: 10, windowSeconds: 10 },
  api: { limit: 40, windowSeconds: 10 },
  projectCreate: { limit: 5, windowSeconds: 10 },
  llm: { limit: 4, windowSeconds: 10 },
  loginFailures: { limit: 3, windowSeconds: 8 },
  accountLoginFailures: { limit: 6, windowSeconds: 60, cooldownSeconds: 3 },
};

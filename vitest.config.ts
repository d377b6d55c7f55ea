import { defineConfig } from 'vitest/config';

/**
 * One Vitest project per suite. Suites that need services start them in their global setup
 * (infra/stack), so `vitest run` works on a machine with nothing running.
 */
export default defineConfig({
  test: {
    reporters: ['default', './infra/scripts/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'infra/**/*.test.ts',
            'db/**/*.test.ts',
            'workers/src/**/*.test.ts',
            // The UI's pure logic (no Svelte, no browser); the pages themselves are tested in web/e2e.
            'web/src/lib/**/*.test.ts',
            // The sandbox-runner's API without a Docker engine (the rest of its suite needs one).
            'sandbox-runner/test/no-docker/**/*.test.ts',
          ],
          // The demo drives the whole stack: it runs with the browser tests, which start it.
          exclude: ['infra/demo/**', '**/node_modules/**'],
        },
      },
      // workers (inside workerd), sandbox-runner (real Docker), web (browser end to end)
      '*/vitest.config.ts',
    ],
  },
});

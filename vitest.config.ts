import { defineConfig } from 'vitest/config';

/**
 * One Vitest project per suite. Suites that need services start them in their global setup
 * (infra/stack), so `vitest run` works on a machine with nothing running.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['infra/**/*.test.ts', 'db/**/*.test.ts', 'workers/src/**/*.test.ts'],
        },
      },
      'workers/vitest.config.ts',
      'sandbox-runner/vitest.config.ts',
      'web/vitest.config.ts',
    ],
  },
});

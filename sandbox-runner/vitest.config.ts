import { defineProject } from 'vitest/config';

/**
 * The sandbox-runner suite: real Docker engine, real containers of the sandbox image. The global setup
 * starts the engine and builds the image (cached), and fails the run when Docker is unavailable.
 * `test/no-docker/` needs no engine: those tests run in the root config's `unit` project.
 */
export default defineProject({
  test: {
    name: 'sandbox',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    exclude: ['test/no-docker/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // Two cores: two files at a time, each with its own runner and containers.
    maxWorkers: 2,
  },
});

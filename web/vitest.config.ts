import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * Browser end-to-end tests (Chromium via playwright-core) against the running stack. A project
 * config file gets its own directory as root; the paths below are the repo root's, like the root
 * config's other projects, so the root is set explicitly.
 */
export default defineProject({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    name: 'e2e',
    environment: 'node',
    // The offline demo and the eval (pnpm eval) drive the same stack from its API, so they run here too.
    include: ['web/e2e/**/*.test.ts', 'infra/demo/**/*.test.ts', 'infra/eval/e2e/**/*.test.ts'],
    globalSetup: 'web/e2e/global-setup.ts',
    // One browser and one stack: files run one after another, each test gets a fresh context.
    fileParallelism: false,
    testTimeout: 60_000,
    // A loaded CI machine runs every suite at once: what the page shows may take a few seconds.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
  },
});

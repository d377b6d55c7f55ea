import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

/**
 * Without TEST_DATABASE_URL the stack's Postgres is the embedded PGlite: one database session behind a
 * socket server, on which two workerd processes' connections interleave (a statement of one lost in
 * the other's, "unnamed prepared statement does not exist"). Then the files run one at a time, in a
 * group of their own after the parallel one (a group shares one worker count).
 */
const embeddedPostgres = !process.env.TEST_DATABASE_URL;

/**
 * Tests inside workerd, against the real services of the local stack (test profile): Postgres through
 * Neon's driver and the WebSocket proxy, Redis through the Upstash REST bridge.
 */
export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => ({
      // The test Worker: the product's, with the scripted test pipeline added.
      main: './src/testing/worker.ts',
      wrangler: { configPath: '../wrangler.toml' },
      miniflare: { bindings: inject<Record<string, string>>('workerBindings') },
    })),
  ],
  test: {
    name: 'workers',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup/warm-worker.ts'],
    // One workerd per worker, kept from file to file: loading the Worker under test afresh for every
    // file cost about 5 s each (41 files: 309 s alone; kept, 100 s two at a time on Postgres, 80 s one
    // at a time on PGlite). Tests share nothing but the services, each with users and projects of its
    // own, as strangers share one deployment.
    isolate: false,
    maxWorkers: embeddedPostgres ? 1 : 2,
    sequence: { groupOrder: embeddedPostgres ? 1 : 0 },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

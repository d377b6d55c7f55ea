import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelteRunes } from './web/test/svelte-runes.ts';

/**
 * One Vitest project per suite. Suites that need services start them in their global setup
 * (infra/stack), so `vitest run` works on a machine with nothing running.
 */
export default defineConfig({
  test: {
    reporters: ['default', './infra/scripts/summary-reporter.ts'],
    // Two test files at a time on the two-core machines CI and contributors use: most files wait on
    // services (Docker, Chromium, workerd), so a second one uses the idle core. Vitest's default here
    // would be one (cores - 1).
    maxWorkers: 2,
    projects: [
      {
        // The UI's runes modules (`*.svelte.ts`) are compiled by Svelte, as in the app; `$lib` as in kit.
        plugins: [svelteRunes()],
        resolve: { alias: { $lib: fileURLToPath(new URL('./web/src/lib', import.meta.url)) } },
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'infra/**/*.test.ts',
            'db/**/*.test.ts',
            'workers/src/**/*.test.ts',
            // The UI's logic and live stores (in Node, against real servers); the pages are tested in web/e2e.
            'web/src/**/*.test.ts',
            // The sandbox-runner's API without a Docker engine (the rest of its suite needs one).
            'sandbox-runner/test/no-docker/**/*.test.ts',
          ],
          // The demo and the eval's own run drive the whole stack: they run with the browser tests, which start it.
          exclude: ['infra/demo/**', 'infra/eval/e2e/**', '**/node_modules/**'],
        },
      },
      {
        // A fleet of three runners on one Docker engine, each project through the whole pipeline
        // (workers/fleet/fleet-stack.ts starts its own stack). No browser: it runs beside the unit,
        // workers and sandbox suites, before the browser tests, whose files run alone at the end.
        test: {
          name: 'fleet',
          environment: 'node',
          include: ['workers/fleet/**/*.test.ts'],
        },
      },
      // workers (inside workerd), sandbox-runner (real Docker), web (browser end to end)
      '*/vitest.config.ts',
    ],
  },
});

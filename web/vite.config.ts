import tailwindcss from '@tailwindcss/vite';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

/** Where `vite dev` sends /api (and the live WebSocket): the Worker from `pnpm start` by default. */
const apiTarget = process.env.SAMOKODER_API_URL ?? 'http://127.0.0.1:8787';

export default defineConfig(({ command, mode }) => {
  // A build run from inside a test runner inherits NODE_ENV=test, and Vite then resolves the
  // `development` export conditions: Svelte and kit ship their dev-only code (warnings, checks) and the
  // bundle grows. What the Worker serves is always a production build unless asked otherwise.
  if (command === 'build' && mode !== 'development') process.env.NODE_ENV = 'production';
  return {
    plugins: [tailwindcss(), sveltekit()],
    server: {
      proxy: { '/api': { target: apiTarget, changeOrigin: false, ws: true } },
    },
  };
});

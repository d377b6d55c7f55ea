import tailwindcss from '@tailwindcss/vite';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

/** Where `vite dev` sends /api (and the live WebSocket): the Worker from `pnpm start` by default. */
const apiTarget = process.env.SAMOKODER_API_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
  plugins: [tailwindcss(), sveltekit()],
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false, ws: true } },
  },
});

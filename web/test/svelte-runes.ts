/**
 * A Vite plugin for Node tests: compiles Svelte's runes modules (`*.svelte.ts`, `*.svelte.js`) the way
 * the browser build does (`generate: 'client'`), so `$state`, `$derived` and `$effect` behave as in
 * the app. It runs after Vite's own TypeScript transform: the Svelte compiler reads plain JavaScript.
 * Used by the root `vitest.config.ts` (`unit` project); the app's build uses kit's plugin instead.
 */
import { compileModule } from 'svelte/compiler';
import type { Plugin } from 'vite';

const RUNES_MODULE = /\.svelte\.[jt]s$/;

export function svelteRunes(): Plugin {
  return {
    name: 'samokoder:svelte-runes',
    enforce: 'post',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!RUNES_MODULE.test(file)) return null;
      const compiled = compileModule(code, { filename: file, generate: 'client', dev: false });
      return { code: compiled.js.code, map: compiled.js.map };
    },
  };
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import adapter from '@sveltejs/adapter-static';

/**
 * The theme is applied by an inline script in app.html before the first paint (no flash of the wrong
 * theme). Kit hashes only its own inline scripts, so the CSP gets this script's hash from the source.
 */
function inlineScriptHashes() {
  const html = readFileSync(new URL('./src/app.html', import.meta.url), 'utf8');
  /** @type {`sha256-${string}`[]} */
  const hashes = [];
  for (const [, body = ''] of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) {
    hashes.push(`sha256-${createHash('sha256').update(body).digest('base64')}`);
  }
  return hashes;
}

/**
 * Origins the preview pane may frame: the previews of the sandbox-runner, each app at an origin of its
 * own under the preview domain (never this one: an app must not share the UI's origin and cookies). The
 * CSP is fixed at build time, so a deployment names its preview origins in SAMOKODER_PREVIEW_ORIGINS
 * (space-separated, e.g. `https://*.preview.example.com`, the runner's SANDBOX_PREVIEW_ORIGIN). Unset,
 * the local runner's `*.localhost` previews on any port are allowed.
 */
function previewOrigins() {
  const configured = (process.env.SAMOKODER_PREVIEW_ORIGINS ?? '').split(/\s+/).filter(Boolean);
  for (const origin of configured) {
    if (!/^https?:\/\/(\*\.)?[a-z0-9.-]+(:(\d+|\*))?$/i.test(origin)) {
      throw new Error(
        `SAMOKODER_PREVIEW_ORIGINS: "${origin}" is not an origin like https://*.preview.example.com`,
      );
    }
  }
  return configured.length > 0 ? configured : ['http://*.localhost:*'];
}

/** @type {import('@sveltejs/kit').Config} */
const config = {
  compilerOptions: {
    // Runes everywhere in our code; libraries decide for themselves.
    runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true),
  },
  kit: {
    // A single-page app: the Worker serves `build/` and answers unknown paths with index.html.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', precompress: false }),
    // The fallback page is served at every depth (/projects/42/files), so asset URLs must be absolute.
    paths: { relative: false },
    // Delivered as a <meta> tag with the hashes of kit's bootstrap script; what a meta tag cannot carry
    // (frame-ancestors) is sent as a header from static/_headers.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', ...inlineScriptHashes()],
        // Style attributes are written by kit (its root <div>), Svelte and bits-ui (positioning);
        // without 'unsafe-inline' Chromium blocks them. Scripts stay hash-only.
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'frame-src': previewOrigins(),
        'object-src': ['none'],
        'base-uri': ['none'],
        'form-action': ['self'],
      },
    },
    typescript: {
      // The typed API client reads the Worker's AppType from emitted declarations (scripts/api-types.ts).
      config: (tsconfig) => {
        tsconfig.compilerOptions.paths['@samokoder/workers/app-type'] = [
          '../.cache/api-types/src/app-type.d.ts',
        ];
        return tsconfig;
      },
    },
  },
};

export default config;

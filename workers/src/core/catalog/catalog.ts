/**
 * The stack catalog the Architect chooses from. Each entry says how a project of that stack is
 * installed, tested and started, which port its preview listens on, and the few files it starts from.
 * Commands are run by the Executor in the project's sandbox (working directory: the workspace).
 */

export interface ScaffoldFile {
  path: string;
  content: string;
}

export interface StackEntry {
  id: string;
  name: string;
  /** What the Architect reads when it chooses. */
  description: string;
  /** Conventions the Developer and CodeMonkey follow in this stack. */
  conventions: string;
  /** Installs dependencies; null when the stack needs none (no network needed either). */
  install: string | null;
  test: string;
  start: string;
  /** The port the started app listens on (inside the sandbox), reached at its preview origin. */
  previewPort: number;
  /** The started app is a dev server that reloads changed files itself (no restart needed). */
  watches: boolean;
  /**
   * The app is a web page: its page check must pass for the app to be done (a failed one goes to the
   * debug loop). An API's check is only reported.
   */
  web: boolean;
  /**
   * The files without which a web app has no page yet: once a task leaves them all in place, its page is
   * checked before the task is done. Empty when the app is not a web page.
   */
  pageFiles: readonly string[];
  /** Whether installing needs the network (the sandbox then needs the `egress` policy). */
  needsNetwork: boolean;
  scaffold: ScaffoldFile[];
}

const gitignore: ScaffoldFile = { path: '.gitignore', content: 'node_modules/\ndist/\n.samokoder/\n' };

function packageJson(
  name: string,
  scripts: Record<string, string>,
  extra: Record<string, unknown> = {},
): ScaffoldFile {
  return {
    path: 'package.json',
    content: `${JSON.stringify({ name, version: '0.1.0', private: true, type: 'module', scripts, ...extra }, null, 2)}\n`,
  };
}

export const STACKS: readonly StackEntry[] = [
  {
    id: 'node-api',
    name: 'Node HTTP API',
    description:
      'A JSON HTTP API on Node 22 with node:http and no dependencies; tests with node:test and fetch. Best for REST services and backends without a UI.',
    conventions: [
      'ES modules, Node 22, no npm dependencies unless the task truly needs one.',
      'src/app.js exports createServer() (node:http) without listening; src/server.js listens on process.env.PORT or 3000 at host 0.0.0.0.',
      'Tests live in test/*.test.js, use node:test and node:assert/strict, start the server on port 0 and call it with fetch.',
    ].join('\n'),
    install: null,
    test: 'npm test',
    start: 'npm start',
    previewPort: 3000,
    watches: false,
    web: false,
    pageFiles: [],
    needsNetwork: false,
    scaffold: [packageJson('app', { start: 'node src/server.js', test: 'node --test' }), gitignore],
  },
  {
    id: 'vite-ts',
    name: 'Vite + TypeScript front end',
    description:
      'A browser app built with Vite and TypeScript (no framework), unit tests with Vitest. Best for single-page UIs that talk to an existing API.',
    conventions: [
      'TypeScript in src/, entry src/main.ts mounted from index.html.',
      'Pure logic in src/lib/*.ts with tests in src/lib/*.test.ts (Vitest).',
      'The dev server listens on 0.0.0.0:5173.',
    ].join('\n'),
    install: 'npm install --no-audit --no-fund',
    test: 'npm test',
    start: 'npm run dev -- --host 0.0.0.0 --port 5173',
    previewPort: 5173,
    watches: true,
    web: true,
    pageFiles: ['index.html', 'src/main.ts'],
    needsNetwork: true,
    scaffold: [
      packageJson(
        'app',
        { dev: 'vite', build: 'tsc && vite build', test: 'vitest run' },
        { devDependencies: { typescript: '6.0.3', vite: '8.3.8', vitest: '5.1.1' } },
      ),
      {
        path: 'index.html',
        content:
          '<!doctype html>\n<html lang="en">\n  <head><meta charset="UTF-8" /><title>App</title></head>\n  <body>\n    <div id="app"></div>\n    <script type="module" src="/src/main.ts"></script>\n  </body>\n</html>\n',
      },
      {
        path: 'tsconfig.json',
        content: `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, lib: ['ES2022', 'DOM'], noEmit: true }, include: ['src'] }, null, 2)}\n`,
      },
      gitignore,
    ],
  },
  {
    id: 'node-fullstack',
    name: 'Full-stack Node app',
    description:
      'A Node 22 server (node:http, no dependencies) that serves a JSON API under /api and a static front end from public/ (plain HTML, CSS and browser JavaScript). Best for small apps with both a UI and data.',
    conventions: [
      'ES modules, Node 22, no npm dependencies unless the task truly needs one.',
      'src/app.js exports createServer() (API under /api, static files from public/); src/server.js listens on process.env.PORT or 3000 at 0.0.0.0.',
      'Front end in public/index.html, public/app.js, public/style.css.',
      'Tests in test/*.test.js with node:test, against the API over fetch.',
    ].join('\n'),
    install: null,
    test: 'npm test',
    start: 'npm start',
    previewPort: 3000,
    watches: false,
    web: true,
    pageFiles: ['public/index.html', 'src/server.js'],
    needsNetwork: false,
    scaffold: [packageJson('app', { start: 'node src/server.js', test: 'node --test' }), gitignore],
  },
];

/** The ids the Architect may choose among. */
export const STACK_IDS = STACKS.map((s) => s.id) as [string, ...string[]];

/** A stack by id, or null. */
export function stackById(id: string): StackEntry | null {
  return STACKS.find((s) => s.id === id) ?? null;
}

/**
 * The catalog as the Architect's prompt shows it: each stack with its conventions, from which the
 * Architect states the project's own.
 */
export function describeCatalog(): string {
  return STACKS.map(
    (s) => `- ${s.id}: ${s.name}. ${s.description}\n  Conventions:\n${indent(s.conventions)}`,
  ).join('\n');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

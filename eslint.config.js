// One linter for the whole workspace: typescript-eslint for TypeScript, eslint-plugin-svelte for the UI.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import { boundaries } from './infra/lint/boundaries.js';

const uiNoData = { name: '@samokoder/db', message: 'The UI reaches data only through the API.' };
const uiWireOnly = {
  group: [
    '**/db/src/**',
    '**/workers/src/**',
    '@samokoder/workers/*',
    '!@samokoder/workers/protocol',
    '!@samokoder/workers/app-type',
    '!@samokoder/workers/price-rule',
  ],
  message: 'The UI may import only @samokoder/workers/protocol, /app-type and /price-rule from the Worker.',
};

export default ts.config(
  {
    ignores: [
      '**/node_modules/',
      '**/.svelte-kit/',
      '**/build/',
      '**/dist/',
      '.wrangler/',
      '.tools/',
      '.local/',
      '**/.cache/',
      'test-results/',
      'workers/worker-configuration.d.ts',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // One identity per thing (workers/src/ids.ts): ids from outside are parsed once, by the route's
    // schema, and a project's Durable Object is named only by project-object/stub.ts from a canonical
    // id. The fleet's one watch of published apps is named by a constant, in its client module.
    files: ['workers/src/**/*.ts'],
    ignores: ['workers/src/project-object/stub.ts', 'workers/src/sandbox/fleet/published-apps-client.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='idFromName']",
          message:
            'Name a project’s Durable Object with projectStub() (project-object/stub.ts), from its canonical id.',
        },
        {
          selector: "CallExpression[callee.property.name='param'][callee.object.property.name='req']",
          message:
            'Read path parameters through the route’s schema (ProjectIdParam, KeyIdParam): it canonicalizes ids.',
        },
      ],
    },
  },
  {
    // Test support (`testing/` folders: the scripted pipeline, harnesses, the test Worker) is reachable
    // only from tests: the product never imports it, so no test pipeline ships in it.
    files: ['workers/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'workers/src/**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/testing/**', './testing/*'], message: 'Test support is for tests only.' }],
        },
      ],
    },
  },
  {
    // The engine and the LLM agents are pure: the runtime (Durable Object, storage, HTTP, sandbox, Node)
    // reaches them only through their ports, so they run the same in workerd, Node and tests.
    files: ['workers/src/core/**/*.ts'],
    ignores: ['**/*.test.ts', 'workers/src/core/**/testing/**'],
    plugins: { samokoder: boundaries },
    rules: {
      'samokoder/imports-within': [
        'error',
        {
          paths: ['workers/src/core', 'workers/src/protocol.ts'],
          packages: ['zod'],
          why: 'core/ imports only core/, the wire protocol and zod; reach the runtime through a port.',
        },
      ],
    },
  },
  {
    // The project object's SQL lives in its storage modules (project-object/storage/), behind named
    // operations; the rest of the Worker asks them. Tests and test harnesses may look at the tables.
    files: ['workers/src/**/*.ts'],
    ignores: ['workers/src/project-object/storage/**', '**/*.test.ts', 'workers/src/**/testing/**'],
    plugins: { samokoder: boundaries },
    rules: {
      'samokoder/sql-in-storage': [
        'error',
        {
          port: 'workers/src/project-object/storage/sql.ts',
          why: 'SQL belongs in project-object/storage/; add a named operation to the store that owns the table.',
        },
      ],
    },
  },
  {
    // The sandbox supervisor runs inside any sandbox image: bundled into one script, it may use only
    // Node's built-in modules, its own files and the frames it shares with the runner.
    files: ['sandbox-runner/src/supervisor/inside/**/*.ts'],
    plugins: { samokoder: boundaries },
    rules: {
      'samokoder/imports-within': [
        'error',
        {
          paths: ['sandbox-runner/src/supervisor/inside', 'sandbox-runner/src/supervisor/frames.ts'],
          packages: ['node:'],
          why: 'the supervisor imports only node: built-ins, its own files and ../frames.ts.',
        },
      ],
    },
  },
  {
    // The UI talks to the Worker over HTTP: it may share the wire types, never the database or the engine.
    files: ['web/src/**/*.ts', 'web/src/**/*.svelte'],
    rules: { 'no-restricted-imports': ['error', { paths: [uiNoData], patterns: [uiWireOnly] }] },
  },
  {
    // bits-ui is wrapped once, in the design system's primitives; screens use those.
    files: ['web/src/**/*.ts', 'web/src/**/*.svelte'],
    ignores: ['web/src/lib/components/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [uiNoData],
          patterns: [
            uiWireOnly,
            {
              group: ['bits-ui', 'bits-ui/*'],
              message: 'Use the primitives in $lib/components/ui (they wrap bits-ui).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);

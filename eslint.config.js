// One linter for the whole workspace: typescript-eslint for TypeScript, eslint-plugin-svelte for the UI.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

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
    // schema, and a Durable Object is named only by agent/stub.ts from a canonical id.
    files: ['workers/src/**/*.ts'],
    ignores: ['workers/src/agent/stub.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='idFromName']",
          message:
            'Name a project’s Durable Object with projectStub() (agent/stub.ts), from its canonical id.',
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
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);

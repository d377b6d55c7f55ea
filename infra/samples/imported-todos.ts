/**
 * An app a user imports instead of describing it: the demo's todo list (todo-app.ts) as it stands once
 * built, with a binary favicon, uploaded as files. And the scripted session of what follows: the
 * Architect reads the app (one call), then the user's change request runs the usual way (Developer,
 * TestWriter, CodeMonkey and its reviewer, TechnicalWriter), as the LLM fixture answers, in order.
 */
import type { ScriptedReply } from '../llm-fixture/script.ts';
import {
  API_TEST_JS,
  APP_IMPORTS,
  APP_JS,
  BUGGY_REMOVE,
  FIXED_REMOVE,
  INDEX_HTML,
  PUBLIC_APP_JS,
  README_MD,
  ROOT_ROUTE,
  SERVER_JS,
  STATIC_IMPORTS,
  STATIC_ROUTE,
  STATIC_TEST_JS,
  STYLE_CSS,
  TODOS_JS,
  TODOS_TEST_JS,
} from '../demo/todo-app.ts';

/** A 16x16 icon's header and then every byte value: binary, with NULs, not UTF-8. */
export const FAVICON = Uint8Array.from([
  0,
  0,
  1,
  0,
  1,
  0,
  16,
  16,
  ...Array.from({ length: 256 }, (_, i) => 255 - i),
]);

const PACKAGE_JSON = `${JSON.stringify({ name: 'todos', version: '1.0.0', private: true, type: 'module', scripts: { start: 'node src/server.js', test: 'node --test' } }, null, 2)}\n`;

/** The imported files (text as is, the favicon as base64), as the import stores them. */
export const IMPORTED_TODOS_FILES: { path: string; content: string; binary: boolean }[] = [
  { path: 'README.md', content: README_MD, binary: false },
  { path: 'package.json', content: PACKAGE_JSON, binary: false },
  { path: 'public/app.js', content: PUBLIC_APP_JS, binary: false },
  { path: 'public/favicon.ico', content: btoa(String.fromCharCode(...FAVICON)), binary: true },
  { path: 'public/index.html', content: INDEX_HTML, binary: false },
  { path: 'public/style.css', content: STYLE_CSS, binary: false },
  {
    path: 'src/app.js',
    // As the demo's last task leaves it: serving the page from public/.
    content: APP_JS.replace(APP_IMPORTS, STATIC_IMPORTS).replace(ROOT_ROUTE, STATIC_ROUTE),
    binary: false,
  },
  { path: 'src/server.js', content: SERVER_JS, binary: false },
  { path: 'src/todos.js', content: TODOS_JS.replace(BUGGY_REMOVE, FIXED_REMOVE), binary: false },
  { path: 'test/api.test.js', content: API_TEST_JS, binary: false },
  { path: 'test/static.test.js', content: STATIC_TEST_JS, binary: false },
  { path: 'test/todos.test.js', content: TODOS_TEST_JS, binary: false },
];

/** The Architect's summary of the imported app. */
export const IMPORTED_SUMMARY = {
  name: 'todos',
  summary: 'A todo list: a JSON API on node:http and a web page that lists, adds and removes todos.',
  features: ['list todos', 'add a todo', 'remove a todo'],
  howToRun: 'No dependencies. `npm test` runs the node:test tests; `npm start` serves on port 3000.',
  conventions:
    'ES modules, Node 22. src/app.js exports createServer(); the page lives in public/; tests in test/*.test.js with node:test.',
  mainFiles: [
    { path: 'src/app.js', note: 'the HTTP API and the static files' },
    { path: 'src/todos.js', note: 'the in-memory todo store' },
    { path: 'public/index.html', note: 'the page' },
  ],
};

/** The change request the user makes on the imported app, and its acceptance test. */
export const IMPORTED_CHANGE = 'show the total number of todos at the top of the page';
export const COUNT_TEST_JS = `import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

test('the page has a count above the list', async () => {
  const html = await readFile(new URL('../public/index.html', import.meta.url), 'utf8');
  assert.match(html, /<h1>Todos<\\/h1>\\s*<p id="count"><\\/p>/);
});
`;

/** Every reply of the session: reading the imported app, then the change request. */
export function importedTodosSession(): ScriptedReply[] {
  return [
    { match: { contains: 'You read an imported app' }, json: IMPORTED_SUMMARY },
    {
      match: { contains: "The user's change request:" },
      json: {
        title: 'Todo count above the list',
        description: 'The page shows how many todos there are, above the list.',
        acceptance: ['the page shows the count above the list'],
        relevantFiles: ['public/app.js'],
        steps: [
          { type: 'code', path: 'public/index.html', instructions: 'Add <p id="count"></p> under the h1.' },
        ],
        testInstructions: 'Open the page: the count shows above the list.',
      },
    },
    {
      match: { contains: "You are Samokoder's TestWriter" },
      json: { files: [{ path: 'test/count.test.js', summary: 'acceptance tests', content: COUNT_TEST_JS }] },
    },
    {
      match: { contains: "You are Samokoder's CodeMonkey" },
      json: {
        summary: 'the page',
        edits: [{ search: '<h1>Todos</h1>', replace: '<h1>Todos</h1>\n      <p id="count"></p>' }],
      },
    },
    { match: { contains: "You are Samokoder's code reviewer" }, json: { approved: true, issues: [] } },
    {
      match: { contains: "You are Samokoder's TechnicalWriter" },
      json: {
        edits: [{ search: '## API\n', replace: '## API\n\nThe page shows how many todos there are.\n' }],
      },
    },
  ];
}

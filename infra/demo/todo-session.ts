/**
 * The scripted session of the offline demo: every reply the agents get, as the LLM fixture serves them
 * (each matched by the agent's own words in its prompt, taken in order). A real model would produce the
 * same shapes; the session builds the todo app of todo-app.ts, including the planted bug and its fix.
 * Each task's tests are its acceptance tests, written (by the TestWriter) before its code.
 * Plain data: the demo, the workerd test and the unit tests all use it.
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
} from './todo-app.ts';

export const DEMO_PROJECT = {
  name: 'todos',
  description:
    'A todo list: a REST API to create, list, update (title, done) and delete todos, kept in memory, and a small web page to use it. Node, no dependencies, with tests.',
};

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const approve: ScriptedReply = { match: agent('code reviewer'), json: { approved: true, issues: [] } };
const usage = (input: number, output: number): ScriptedReply['usage'] => ({ input, output });

/** The replies, in the order the pipeline asks for them. */
export function todoSession(): ScriptedReply[] {
  return [
    {
      match: agent('SpecWriter'),
      chunks: 6,
      usage: usage(420, 180),
      json: {
        name: 'todos',
        summary:
          'A todo list kept in memory: a JSON REST API under /api/todos and a web page to use it, with automated tests.',
        features: [
          'POST /api/todos creates a todo from a non-empty title (201), ids increase from 1',
          'GET /api/todos lists todos in creation order; GET /api/todos/:id returns one or 404',
          'PATCH /api/todos/:id changes the title and/or the done flag',
          'DELETE /api/todos/:id removes a todo (204) or answers 404',
          'Invalid input answers 400 with an error message',
          'The web page at / lists the todos and adds, checks off and deletes them',
        ],
        complexity: 'simple',
        questions: [
          {
            question: 'Should todos survive a restart of the server?',
            options: ['No, in memory is fine', 'Yes, store them in a file'],
            default: 'No, in memory is fine',
          },
        ],
      },
    },
    {
      match: agent('Architect'),
      usage: usage(760, 90),
      json: {
        stack: 'node-api',
        packages: [],
        systemDependencies: [],
        notes:
          'src/todos.js holds the store; src/app.js maps HTTP routes to it; src/server.js listens. Tests cover both layers.',
      },
    },
    {
      match: agent('TechLead'),
      usage: usage(820, 210),
      json: {
        tasks: [
          {
            title: 'Todo store with tests',
            epic: 'Todos API',
            description:
              'An in-memory store (src/todos.js) with add, list, get, update and remove, and its node:test tests.',
            acceptance: [
              'npm test passes',
              'ids increase from 1',
              'an empty title is refused',
              'removing a todo deletes it',
            ],
          },
          {
            title: 'REST API with tests',
            epic: 'Todos API',
            description:
              'src/app.js serves the store over HTTP as JSON; src/server.js starts it; API tests over fetch.',
            acceptance: [
              'npm test passes',
              'every route answers as specified',
              'npm start serves the API on port 3000',
            ],
          },
          {
            title: 'Web page',
            epic: 'Web page',
            description:
              'A page in public/ (index.html, app.js, style.css) that lists, adds, checks off and deletes todos through the API; src/app.js serves it at /.',
            acceptance: [
              'npm test passes',
              'GET / serves the page, nothing outside public/ is served',
              'a todo added on the page shows in the list',
            ],
          },
        ],
      },
    },
    {
      match: agent('Developer'),
      usage: usage(900, 160),
      json: {
        relevantFiles: ['package.json'],
        steps: [
          {
            type: 'code',
            path: 'src/todos.js',
            instructions:
              'Export createStore(): an in-memory store with list, get, add(title), update(id, {title, done}) and remove(id).',
          },
        ],
        testInstructions: 'Run `npm test`: the four store tests pass.',
      },
    },
    {
      match: agent('TestWriter'),
      usage: usage(1300, 300),
      json: {
        files: [{ path: 'test/todos.test.js', summary: 'tests of the todo store', content: TODOS_TEST_JS }],
      },
    },
    {
      match: { contains: 'The file src/todos.js does not exist yet' },
      usage: usage(1100, 320),
      json: { summary: 'the in-memory todo store', content: TODOS_JS },
    },
    approve,
    {
      match: agent('BugHunter'),
      usage: usage(2100, 140),
      json: {
        hypotheses: [
          'remove() deletes String(id) but the store is keyed by numbers, so nothing is ever deleted',
          'the test keeps a stale reference to the todo',
        ],
        explanation: 'remove() now deletes by the numeric id the store is keyed by.',
        kind: 'fix',
        changes: [{ path: 'src/todos.js', edits: [{ search: BUGGY_REMOVE, replace: FIXED_REMOVE }] }],
      },
    },
    {
      match: agent('Developer'),
      usage: usage(1000, 190),
      json: {
        relevantFiles: ['src/todos.js'],
        steps: [
          {
            type: 'code',
            path: 'src/app.js',
            instructions:
              'Export createServer(store): node:http JSON API for /api/todos and /api/todos/:id (GET, POST, PATCH, DELETE); 400 on bad input, 404, 405.',
          },
          {
            type: 'code',
            path: 'src/server.js',
            instructions: 'Listen on process.env.PORT or 3000 at 0.0.0.0.',
          },
        ],
        testInstructions:
          'Run `npm start`, then `curl -X POST localhost:3000/api/todos -d \'{"title":"x"}\'` and `curl localhost:3000/api/todos`.',
      },
    },
    {
      match: agent('TestWriter'),
      usage: usage(1600, 420),
      json: { files: [{ path: 'test/api.test.js', summary: 'tests of the HTTP API', content: API_TEST_JS }] },
    },
    {
      match: { contains: 'The file src/app.js does not exist yet' },
      usage: usage(1500, 650),
      json: { summary: 'the HTTP API over the store', content: APP_JS },
    },
    approve,
    {
      match: { contains: 'The file src/server.js does not exist yet' },
      usage: usage(1400, 60),
      json: { summary: 'starts the API on PORT or 3000', content: SERVER_JS },
    },
    approve,
    {
      match: agent('Developer'),
      usage: usage(1200, 260),
      json: {
        relevantFiles: ['src/app.js'],
        steps: [
          {
            type: 'code',
            path: 'public/index.html',
            instructions:
              'The page: a form with a title input and an Add button, an error line, the list; loads style.css and app.js.',
          },
          {
            type: 'code',
            path: 'public/style.css',
            instructions: 'Simple, readable styles for the form and the list; done todos struck through.',
          },
          {
            type: 'code',
            path: 'public/app.js',
            instructions:
              'Render the todos from GET api/todos; add, check off (PATCH done) and delete through the API; show errors.',
          },
          {
            type: 'code',
            path: 'src/app.js',
            instructions:
              'Serve the files of public/ for GET requests outside /api (index.html for /), never outside public/, in place of the JSON root route.',
          },
        ],
        testInstructions: 'Open the preview: add a todo, check it off, delete it.',
      },
    },
    {
      match: agent('TestWriter'),
      usage: usage(1600, 300),
      json: {
        files: [
          { path: 'test/static.test.js', summary: 'tests of the static files', content: STATIC_TEST_JS },
        ],
      },
    },
    {
      match: { contains: 'The file public/index.html does not exist yet' },
      usage: usage(1300, 190),
      json: { summary: 'the web page', content: INDEX_HTML },
    },
    approve,
    {
      match: { contains: 'The file public/style.css does not exist yet' },
      usage: usage(1300, 170),
      json: { summary: 'styles of the page', content: STYLE_CSS },
    },
    approve,
    {
      match: { contains: 'The file public/app.js does not exist yet' },
      usage: usage(1500, 480),
      json: { summary: 'the page script: lists and edits todos over the API', content: PUBLIC_APP_JS },
    },
    approve,
    {
      match: { contains: 'The current content of src/app.js' },
      usage: usage(1900, 260),
      json: {
        summary: 'the HTTP server: the API under /api and the files of public/',
        edits: [
          { search: APP_IMPORTS, replace: STATIC_IMPORTS },
          { search: ROOT_ROUTE, replace: STATIC_ROUTE },
        ],
      },
    },
    approve,
    { match: agent('TechnicalWriter'), chunks: 24, usage: usage(800, 300), text: README_MD },
  ];
}

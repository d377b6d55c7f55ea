/**
 * The scripted session of the offline demo: every reply the agents get, as the LLM fixture serves them
 * (each matched by the agent's own words in its prompt, taken in order). A real model would produce the
 * same shapes; the session builds the todo API of todo-app.ts, including the planted bug and its fix.
 * Plain data: the demo, the workerd test and the unit tests all use it.
 */
import type { ScriptedReply } from '../llm-fixture/script.ts';
import {
  API_TEST_JS,
  APP_JS,
  BUGGY_REMOVE,
  FIXED_REMOVE,
  README_MD,
  SERVER_JS,
  TODOS_JS,
  TODOS_TEST_JS,
} from './todo-app.ts';

export const DEMO_PROJECT = {
  name: 'todo-api',
  description:
    'A REST API for a todo list: create, list, update (title, done) and delete todos, kept in memory. Node, no dependencies, with tests.',
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
        name: 'todo-api',
        summary: 'A JSON REST API to manage a todo list in memory, with automated tests.',
        features: [
          'POST /todos creates a todo from a non-empty title (201), ids increase from 1',
          'GET /todos lists todos in creation order; GET /todos/:id returns one or 404',
          'PATCH /todos/:id changes the title and/or the done flag',
          'DELETE /todos/:id removes a todo (204) or answers 404',
          'Invalid input answers 400 with an error message',
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
            description:
              'src/app.js serves the store over HTTP as JSON; src/server.js starts it; API tests over fetch.',
            acceptance: [
              'npm test passes',
              'every route answers as specified',
              'npm start serves the API on port 3000',
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
          {
            type: 'code',
            path: 'test/todos.test.js',
            instructions: 'node:test tests of the store: ids, empty titles, updates, removal.',
          },
        ],
        testInstructions: 'Run `npm test`: the four store tests pass.',
      },
    },
    {
      match: { contains: 'The file src/todos.js does not exist yet' },
      usage: usage(1100, 320),
      json: { summary: 'the in-memory todo store', content: TODOS_JS },
    },
    approve,
    {
      match: { contains: 'The file test/todos.test.js does not exist yet' },
      usage: usage(1300, 300),
      json: { summary: 'tests of the todo store', content: TODOS_TEST_JS },
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
              'Export createServer(store): node:http JSON API for /todos and /todos/:id (GET, POST, PATCH, DELETE); 400 on bad input, 404, 405.',
          },
          {
            type: 'code',
            path: 'src/server.js',
            instructions: 'Listen on process.env.PORT or 3000 at 0.0.0.0.',
          },
          {
            type: 'code',
            path: 'test/api.test.js',
            instructions: 'API tests over fetch against createServer() on port 0.',
          },
        ],
        testInstructions:
          'Run `npm start`, then `curl -X POST localhost:3000/todos -d \'{"title":"x"}\'` and `curl localhost:3000/todos`.',
      },
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
      match: { contains: 'The file test/api.test.js does not exist yet' },
      usage: usage(1600, 420),
      json: { summary: 'tests of the HTTP API', content: API_TEST_JS },
    },
    approve,
    { match: agent('TechnicalWriter'), chunks: 24, usage: usage(700, 260), text: README_MD },
  ];
}

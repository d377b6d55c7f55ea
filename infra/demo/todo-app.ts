/**
 * The files of the demo's generated app (a todo REST API on node:http with node:test tests, no npm
 * dependency): what the scripted agents write, as a real model would. `BUGGY_REMOVE` is the planted bug:
 * ids are numbers but the store deletes by their string form, so removing never works and the first
 * test run fails; the BugHunter's scripted fix replaces it with `FIXED_REMOVE`.
 */

export const BUGGY_REMOVE = '      return todos.delete(String(id));';
export const FIXED_REMOVE = '      return todos.delete(id);';

export const TODOS_JS = `/** An in-memory todo store: ids are positive integers, titles are trimmed and never empty. */
export function createStore() {
  const todos = new Map();
  let nextId = 1;
  return {
    list() {
      return [...todos.values()];
    },
    get(id) {
      return todos.get(id) ?? null;
    },
    add(title) {
      if (typeof title !== 'string' || title.trim() === '') throw new Error('title is required');
      const todo = { id: nextId++, title: title.trim(), done: false };
      todos.set(todo.id, todo);
      return todo;
    },
    update(id, changes) {
      const todo = todos.get(id);
      if (!todo) return null;
      if (changes.title !== undefined) {
        if (typeof changes.title !== 'string' || changes.title.trim() === '') throw new Error('title is required');
        todo.title = changes.title.trim();
      }
      if (changes.done !== undefined) todo.done = Boolean(changes.done);
      return todo;
    },
    remove(id) {
${BUGGY_REMOVE}
    },
  };
}
`;

export const TODOS_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../src/todos.js';

test('adds todos with increasing ids, not done', () => {
  const store = createStore();
  assert.deepEqual(store.add('  buy milk '), { id: 1, title: 'buy milk', done: false });
  assert.equal(store.add('call mum').id, 2);
  assert.deepEqual(store.list().map((t) => t.title), ['buy milk', 'call mum']);
});

test('refuses an empty title', () => {
  assert.throws(() => createStore().add('   '), /title is required/);
});

test('updates the title and the done flag', () => {
  const store = createStore();
  const todo = store.add('write tests');
  assert.deepEqual(store.update(todo.id, { done: true, title: 'write more tests' }), {
    id: todo.id,
    title: 'write more tests',
    done: true,
  });
  assert.equal(store.update(99, { done: true }), null);
});

test('removes a todo', () => {
  const store = createStore();
  const todo = store.add('temporary');
  assert.equal(store.remove(todo.id), true);
  assert.equal(store.get(todo.id), null);
  assert.deepEqual(store.list(), []);
  assert.equal(store.remove(todo.id), false);
});
`;

export const APP_JS = `import { createServer as createHttpServer } from 'node:http';
import { createStore } from './todos.js';

const MAX_BODY = 64 * 1024;

function send(res, status, body) {
  if (body === null) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_BODY) throw new Error('body too large');
  }
  try {
    const value = JSON.parse(text || '{}');
    if (typeof value !== 'object' || value === null) throw new Error();
    return value;
  } catch {
    throw new Error('body must be a JSON object');
  }
}

/** The todo API: GET/POST /todos, GET/PATCH/DELETE /todos/:id. Does not listen. */
export function createServer(store = createStore()) {
  return createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') return send(res, 200, { name: 'todo-api', endpoints: ['/todos', '/todos/:id'] });
    const match = /^\\/todos(?:\\/(\\d+))?\\/?$/.exec(url.pathname);
    if (!match) return send(res, 404, { error: 'not found' });
    const id = match[1] ? Number(match[1]) : null;
    try {
      if (id === null && req.method === 'GET') return send(res, 200, store.list());
      if (id === null && req.method === 'POST') return send(res, 201, store.add((await readJson(req)).title));
      if (id !== null && req.method === 'GET') {
        const todo = store.get(id);
        return todo ? send(res, 200, todo) : send(res, 404, { error: 'not found' });
      }
      if (id !== null && req.method === 'PATCH') {
        const todo = store.update(id, await readJson(req));
        return todo ? send(res, 200, todo) : send(res, 404, { error: 'not found' });
      }
      if (id !== null && req.method === 'DELETE') {
        return store.remove(id) ? send(res, 204, null) : send(res, 404, { error: 'not found' });
      }
      return send(res, 405, { error: 'method not allowed' });
    } catch (err) {
      return send(res, 400, { error: err.message });
    }
  });
}
`;

export const SERVER_JS = `import { createServer } from './app.js';

const port = Number(process.env.PORT ?? 3000);
createServer().listen(port, '0.0.0.0', () => console.log(\`todo-api listening on port \${port}\`));
`;

export const API_TEST_JS = `import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from '../src/app.js';

let server;
let base;

before(async () => {
  server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = \`http://127.0.0.1:\${server.address().port}\`;
});
after(() => server.close());

const call = async (method, path, body) => {
  const res = await fetch(base + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
};

test('creates, lists, updates and deletes a todo', async () => {
  const created = await call('POST', '/todos', { title: 'ship the demo' });
  assert.equal(created.status, 201);
  assert.deepEqual((await call('GET', '/todos')).body, [created.body]);
  const updated = await call('PATCH', \`/todos/\${created.body.id}\`, { done: true });
  assert.deepEqual(updated.body, { ...created.body, done: true });
  assert.equal((await call('DELETE', \`/todos/\${created.body.id}\`)).status, 204);
  assert.equal((await call('GET', \`/todos/\${created.body.id}\`)).status, 404);
});

test('answers 400 for a todo without a title, 404 for unknown paths', async () => {
  assert.equal((await call('POST', '/todos', { title: '' })).status, 400);
  assert.equal((await call('GET', '/nothing')).status, 404);
});
`;

export const README_MD = `# todo-api

A small REST API for todos, on Node 22 with no dependencies. Todos live in memory.

## Run it

\`\`\`sh
npm test    # node:test: the store and the API
npm start   # listens on PORT (default 3000)
\`\`\`

## API

| method | path | what |
| --- | --- | --- |
| GET | /todos | all todos |
| POST | /todos | create one: \`{ "title": "..." }\` → 201 |
| GET | /todos/:id | one todo, or 404 |
| PATCH | /todos/:id | change \`title\` and/or \`done\` |
| DELETE | /todos/:id | delete it → 204 |

## Layout

- \`src/todos.js\`: the in-memory store
- \`src/app.js\`: the HTTP API (\`createServer()\`)
- \`src/server.js\`: starts it
- \`test/\`: tests of the store and of the API
`;

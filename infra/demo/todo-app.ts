/**
 * The files of the demo's generated app (a todo list: a REST API on node:http and a small web page, with
 * node:test tests, no npm dependency): what the scripted agents write, as a real model would. `BUGGY_REMOVE` is the planted bug:
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

/** The root route of the API-only version; the web-page task replaces it with the static files. */
export const ROOT_ROUTE =
  "    if (url.pathname === '/') return send(res, 200, { name: 'todo-api', endpoints: ['/api/todos', '/api/todos/:id'] });";
export const STATIC_ROUTE =
  "    if (req.method === 'GET' && !url.pathname.startsWith('/api/')) return serveStatic(url.pathname, res);";
export const APP_IMPORTS =
  "import { createServer as createHttpServer } from 'node:http';\nimport { createStore } from './todos.js';";
export const STATIC_IMPORTS = `import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { createStore } from './todos.js';

const PUBLIC = join(import.meta.dirname, '..', 'public');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves a file of public/ (index.html for /); 404 for anything else, never outside public/. */
async function serveStatic(pathname, res) {
  const file = normalize(join(PUBLIC, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(PUBLIC)) return send(res, 404, { error: 'not found' });
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    send(res, 404, { error: 'not found' });
  }
}`;

export const APP_JS = `${APP_IMPORTS}

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

/** The todo API: GET/POST /api/todos, GET/PATCH/DELETE /api/todos/:id. Does not listen. */
export function createServer(store = createStore()) {
  return createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
${ROOT_ROUTE}
    const match = /^\\/api\\/todos(?:\\/(\\d+))?\\/?$/.exec(url.pathname);
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
  const created = await call('POST', '/api/todos', { title: 'ship the demo' });
  assert.equal(created.status, 201);
  assert.deepEqual((await call('GET', '/api/todos')).body, [created.body]);
  const updated = await call('PATCH', \`/api/todos/\${created.body.id}\`, { done: true });
  assert.deepEqual(updated.body, { ...created.body, done: true });
  assert.equal((await call('DELETE', \`/api/todos/\${created.body.id}\`)).status, 204);
  assert.equal((await call('GET', \`/api/todos/\${created.body.id}\`)).status, 404);
});

test('answers 400 for a todo without a title, 404 for unknown paths', async () => {
  assert.equal((await call('POST', '/api/todos', { title: '' })).status, 400);
  assert.equal((await call('GET', '/nothing')).status, 404);
});
`;

export const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Todos</title>
    <link rel="stylesheet" href="style.css" />
  </head>
  <body>
    <main>
      <h1>Todos</h1>
      <form id="add">
        <input id="title" name="title" placeholder="What needs doing?" required autocomplete="off" />
        <button type="submit">Add</button>
      </form>
      <p id="error" role="alert" hidden></p>
      <ul id="list"></ul>
    </main>
    <script type="module" src="app.js"></script>
  </body>
</html>
`;

export const STYLE_CSS = `body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
main { max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
form { display: flex; gap: 0.5rem; }
input { flex: 1; padding: 0.5rem; border: 1px solid #c8ccd4; border-radius: 6px; }
button { padding: 0.5rem 0.9rem; border: 0; border-radius: 6px; background: #2f5bea; color: white; cursor: pointer; }
ul { list-style: none; padding: 0; }
li { display: flex; align-items: center; gap: 0.5rem; padding: 0.5rem 0; border-bottom: 1px solid #e3e6eb; }
li.done span { text-decoration: line-through; color: #7a8294; }
li button { margin-left: auto; background: #d93f3f; }
#error { color: #d93f3f; }
`;

export const PUBLIC_APP_JS = `const list = document.querySelector('#list');
const form = document.querySelector('#add');
const title = document.querySelector('#title');
const error = document.querySelector('#error');

async function api(method, path, body) {
  const res = await fetch(\`api/todos\${path}\`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok && res.status !== 204) throw new Error((await res.json()).error ?? res.statusText);
  return res.status === 204 ? null : res.json();
}

function show(message) {
  error.textContent = message;
  error.hidden = !message;
}

async function render() {
  const todos = await api('GET', '');
  list.replaceChildren(
    ...todos.map((todo) => {
      const item = document.createElement('li');
      item.className = todo.done ? 'done' : '';
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: todo.done });
      box.addEventListener('change', () => api('PATCH', \`/\${todo.id}\`, { done: box.checked }).then(render, (e) => show(e.message)));
      const text = Object.assign(document.createElement('span'), { textContent: todo.title });
      const remove = Object.assign(document.createElement('button'), { textContent: 'Delete' });
      remove.addEventListener('click', () => api('DELETE', \`/\${todo.id}\`).then(render, (e) => show(e.message)));
      item.append(box, text, remove);
      return item;
    }),
  );
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api('POST', '', { title: title.value });
    title.value = '';
    show('');
    await render();
  } catch (e) {
    show(e.message);
  }
});

render().catch((e) => show(e.message));
`;

export const STATIC_TEST_JS = `import assert from 'node:assert/strict';
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

test('serves the page, its script and its styles', async () => {
  const page = await fetch(\`\${base}/\`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\\/html/);
  assert.match(await page.text(), /<h1>Todos<\\/h1>/);
  assert.match((await fetch(\`\${base}/app.js\`)).headers.get('content-type'), /javascript/);
  assert.equal((await fetch(\`\${base}/style.css\`)).status, 200);
});

test('serves nothing outside public/', async () => {
  assert.equal((await fetch(\`\${base}/..%2fpackage.json\`)).status, 404);
  assert.equal((await fetch(\`\${base}/missing.js\`)).status, 404);
});
`;

export const README_MD = `# todos

A todo list: a small REST API and a web page, on Node 22 with no dependencies. Todos live in memory.

## Run it

\`\`\`sh
npm test    # node:test: the store, the API and the static files
npm start   # listens on PORT (default 3000): open http://localhost:3000/
\`\`\`

## API

| method | path | what |
| --- | --- | --- |
| GET | /api/todos | all todos |
| POST | /api/todos | create one: \`{ "title": "..." }\` → 201 |
| GET | /api/todos/:id | one todo, or 404 |
| PATCH | /api/todos/:id | change \`title\` and/or \`done\` |
| DELETE | /api/todos/:id | delete it → 204 |

## Layout

- \`src/todos.js\`: the in-memory store
- \`src/app.js\`: the HTTP server: the API and the files of \`public/\`
- \`src/server.js\`: starts it
- \`public/\`: the web page (\`index.html\`, \`app.js\`, \`style.css\`)
- \`test/\`: tests of the store, the API and the static files
`;

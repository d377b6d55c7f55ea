/** The bookshelf's shared files: the server, the HTTP helpers, the store, the home page, styles, scripts. */
import { RESOURCES } from './resources.ts';

const names = RESOURCES.map((r) => r.name);

export const PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'bookshelf',
    version: '1.4.0',
    private: true,
    type: 'module',
    description: "The reading club's library: books, members, loans, reviews, authors and shelves.",
    scripts: { start: 'node src/server.js', test: 'node --test' },
    engines: { node: '>=22' },
  },
  null,
  2,
)}\n`;

export const README_MD = `# Bookshelf

The reading club's library: books, members, loans, reviews, authors and shelves, with a page for each.
Node 22, no dependencies; everything is kept in memory and seeded with a few records on start.

## Run it

\`\`\`sh
npm test    # node:test: the router, the validation, the static files and every resource's API
npm start   # listens on PORT (default 3000): open http://localhost:3000/
\`\`\`

## API

Every resource has the same five routes (\`/api/books\`, \`/api/members\`, \`/api/loans\`, \`/api/reviews\`,
\`/api/authors\`, \`/api/shelves\`):

| method | path | what |
| --- | --- | --- |
| GET | /api/:resource | the list; filter by number fields, e.g. \`/api/loans?memberId=2\` |
| POST | /api/:resource | create one → 201, or 400 naming the bad field |
| GET | /api/:resource/:id | one record, or 404 |
| PATCH | /api/:resource/:id | change some fields |
| DELETE | /api/:resource/:id | delete it → 204 |

\`GET /api/stats\` counts the records of each resource (the home page shows it).

## Layout

- \`src/server.js\` starts \`src/app.js\`, which mounts each resource's \`routes.js\` on \`src/http/router.js\`
- \`src/<resource>/model.js\`: the fields and their validation (\`src/validation.js\`)
- \`src/store/\`: the in-memory collections and the seed data
- \`public/\`: the home page and one page per resource, \`public/js/\` their scripts, \`public/css/\` the styles
- \`test/\`: one test file per resource plus the router, validation and static files
`;

export const GITIGNORE = 'node_modules/\n.samokoder/\n';

export const SERVER_JS = `/** Starts the bookshelf on PORT (default 3000), seeded with a few records. */
import { createApp } from './app.js';
import { seed } from './store/seed.js';
import { createStores } from './store/stores.js';

const port = Number(process.env.PORT ?? 3000);
createApp(seed(createStores())).listen(port, '0.0.0.0', () => {
  console.log(\`Bookshelf on http://localhost:\${port}/\`);
});
`;

export const APP_JS = `/** The HTTP app: every resource's API under /api, the stats, and the pages of public/. */
import { createServer } from 'node:http';
import { sendJson } from './http/json.js';
import { createRouter } from './http/router.js';
import { serveStatic } from './http/static.js';
import { statsOf } from './stats.js';
import { createStores } from './store/stores.js';
${RESOURCES.map((r) => `import { ${r.name}Routes } from './${r.name}/routes.js';`).join('\n')}

export function createApp(stores = createStores()) {
  const router = createRouter();
${RESOURCES.map((r) => `  ${r.name}Routes(router, stores.${r.name});`).join('\n')}
  router.get('/api/stats', (req, res) => sendJson(res, 200, statsOf(stores)));
  return createServer(async (req, res) => {
    const url = new URL(req.url, 'http://app');
    const found = router.match(req.method, url.pathname);
    if (found) return found.handler(req, res, found.params, url.searchParams);
    if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'not found' });
    if (req.method === 'GET') return serveStatic(res, url.pathname);
    sendJson(res, 405, { error: 'method not allowed' });
  });
}
`;

export const STATS_JS = `/** How many records each collection holds. */
export function statsOf(stores) {
  const counts = {};
  for (const [name, collection] of Object.entries(stores)) counts[name] = collection.count();
  return counts;
}
`;

export const ROUTER_JS = `/** A small router: method + path pattern (\`/api/books/:id\`) → handler(req, res, params, query). */
export function createRouter() {
  const routes = [];
  const add = (method) => (pattern, handler) => {
    routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
  };
  return {
    get: add('GET'),
    post: add('POST'),
    patch: add('PATCH'),
    delete: add('DELETE'),
    /** The first route that matches, with its params; null when none does. */
    match(method, pathname) {
      const segments = pathname.split('/').filter(Boolean);
      for (const route of routes) {
        if (route.method !== method || route.parts.length !== segments.length) continue;
        const params = {};
        const matches = route.parts.every((part, i) => {
          if (part.startsWith(':')) {
            params[part.slice(1)] = decodeURIComponent(segments[i]);
            return true;
          }
          return part === segments[i];
        });
        if (matches) return { handler: route.handler, params };
      }
      return null;
    },
  };
}
`;

export const JSON_JS = `/** JSON in and out, and the one place errors become answers. */
import { ValidationError } from '../validation.js';

const LIMIT = 64 * 1024;

/** The request's body as JSON (an empty body is {}). */
export function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > LIMIT) reject(new ValidationError('body', 'is too large'));
    });
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch {
        reject(new ValidationError('body', 'is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

export function sendJson(res, status, data) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(data));
}

/** Wraps a handler: invalid input answers 400 with the field, anything else 500. */
export function withErrors(handler) {
  return async (req, res, params, query) => {
    try {
      await handler(req, res, params, query);
    } catch (err) {
      if (err instanceof ValidationError) return sendJson(res, 400, { error: err.message, field: err.field });
      console.error(err);
      sendJson(res, 500, { error: 'internal error' });
    }
  };
}
`;

export const STATIC_JS = `/** The files of public/: / is index.html, /books is books.html; nothing outside public/. */
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { sendJson } from './json.js';

const PUBLIC = new URL('../../public/', import.meta.url);
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export async function serveStatic(res, pathname) {
  let path = normalize(decodeURIComponent(pathname)).replace(/^\\/+/, '');
  if (path === '' || path === '.') path = 'index.html';
  if (path.startsWith('..')) return sendJson(res, 404, { error: 'not found' });
  if (!extname(path)) path += '.html';
  try {
    const body = await readFile(new URL(path, PUBLIC));
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    sendJson(res, 404, { error: 'not found' });
  }
}
`;

export const VALIDATION_JS = `/** Checks and converts input against a resource's fields. */
export class ValidationError extends Error {
  constructor(field, message) {
    super(\`\${field}: \${message}\`);
    this.field = field;
  }
}

function convert(field, value) {
  switch (field.type) {
    case 'number': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ValidationError(field.name, 'must be a number');
      return n;
    }
    case 'boolean':
      return value === true || value === 'true' || value === 'on';
    case 'date':
      if (Number.isNaN(Date.parse(value))) throw new ValidationError(field.name, 'must be a date');
      return String(value);
    default: {
      const text = String(value).trim();
      if (field.max && text.length > field.max)
        throw new ValidationError(field.name, \`must be at most \${field.max} characters\`);
      return text;
    }
  }
}

/** A function that turns input into a record of the fields' values, or throws a ValidationError. */
export function validator(fields) {
  return (input) => {
    const record = {};
    for (const field of fields) {
      const value = input?.[field.name];
      if (value === undefined || value === null || value === '') {
        if (field.required) throw new ValidationError(field.name, 'is required');
        continue;
      }
      record[field.name] = convert(field, value);
    }
    return record;
  };
}
`;

export const COLLECTION_JS = `/** An in-memory collection of records with increasing ids, checked by \`validate\`. */
export function createCollection(validate) {
  const items = new Map();
  let next = 1;
  const collection = {
    /** Records whose fields equal every value of \`filter\` (compared as text). */
    list(filter = {}) {
      return [...items.values()].filter((record) =>
        Object.entries(filter).every(([key, value]) => String(record[key]) === String(value)),
      );
    },
    get(id) {
      return items.get(Number(id)) ?? null;
    },
    add(input) {
      const record = { id: next++, ...validate(input) };
      items.set(record.id, record);
      return record;
    },
    update(id, input) {
      const current = collection.get(id);
      if (!current) return null;
      const record = { ...validate({ ...current, ...input }), id: current.id };
      items.set(current.id, record);
      return record;
    },
    remove(id) {
      return items.delete(Number(id));
    },
    count() {
      return items.size;
    },
  };
  return collection;
}
`;

export const STORES_JS = `/** One collection per resource. */
${RESOURCES.map((r) => `import { create${r.title} } from '../${r.name}/model.js';`).join('\n')}

export function createStores() {
  return {
${RESOURCES.map((r) => `    ${r.name}: create${r.title}(),`).join('\n')}
  };
}
`;

export const SEED_JS = `/** A few records so a fresh start has something to show. */
export function seed(stores) {
  stores.books.add({ title: 'A Wizard of Earthsea', author: 'Ursula K. Le Guin', year: 1968 });
  stores.books.add({ title: 'Kindred', author: 'Octavia E. Butler', year: 1979 });
  stores.authors.add({ name: 'Ursula K. Le Guin', country: 'USA', born: 1929 });
  stores.members.add({ name: 'Grace', email: 'grace@example.com', joined: '2023-09-01' });
  stores.loans.add({ bookId: 1, memberId: 1, due: '2024-02-01' });
  stores.shelves.add({ name: 'Fantasy', location: 'back room' });
  return stores;
}
`;

export const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Bookshelf</title>
    <link rel="stylesheet" href="/css/base.css" />
    <link rel="stylesheet" href="/css/layout.css" />
  </head>
  <body>
    <nav id="nav"></nav>
    <main>
      <h1>Bookshelf</h1>
      <p>The reading club's library.</p>
      <ul id="stats"></ul>
    </main>
    <script type="module" src="/js/nav.js"></script>
    <script type="module" src="/js/home.js"></script>
  </body>
</html>
`;

export const BASE_CSS = `:root {
  --ink: #1f2328;
  --muted: #59636e;
  --accent: #8250df;
  --line: #d1d9e0;
  font-family: system-ui, sans-serif;
  color: var(--ink);
}
body {
  margin: 0;
  background: #f6f8fa;
}
h1 {
  font-size: 1.6rem;
}
a {
  color: var(--accent);
}
`;

export const LAYOUT_CSS = `nav {
  display: flex;
  gap: 1rem;
  padding: 0.75rem 1.5rem;
  background: white;
  border-bottom: 1px solid var(--line);
}
main {
  max-width: 60rem;
  margin: 0 auto;
  padding: 1rem 1.5rem;
}
table {
  width: 100%;
  border-collapse: collapse;
  background: white;
}
th,
td {
  padding: 0.4rem 0.6rem;
  border-bottom: 1px solid var(--line);
  text-align: left;
}
`;

export const FORMS_CSS = `form {
  display: flex;
  flex-wrap: wrap;
  gap: 0.75rem;
  align-items: end;
  margin-bottom: 1rem;
}
label {
  display: flex;
  flex-direction: column;
  font-size: 0.85rem;
  color: var(--muted);
}
input {
  padding: 0.35rem;
  border: 1px solid var(--line);
  border-radius: 4px;
}
button {
  padding: 0.4rem 0.9rem;
  border: 0;
  border-radius: 4px;
  background: var(--accent);
  color: white;
}
#error {
  color: #cf222e;
}
`;

export const API_JS = `/** Fetch wrappers: JSON in and out; an error answer throws with its message. */
async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 204) return null;
  const data = await res.json();
  if (!res.ok) throw new Error(data.error ?? \`HTTP \${res.status}\`);
  return data;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body),
  patch: (path, body) => call('PATCH', path, body),
  del: (path) => call('DELETE', path),
};
`;

export const DOM_JS = `/** Small DOM helpers the pages share. */

/** The form's values: checkboxes as booleans, empty fields left out. */
export function formValues(form) {
  const values = {};
  for (const input of form.querySelectorAll('input')) {
    if (input.type === 'checkbox') values[input.name] = input.checked;
    else if (input.value !== '') values[input.name] = input.value;
  }
  return values;
}

/** Renders \`rows\` into \`table\` with a Delete button per row. */
export function renderTable(table, columns, rows, onDelete) {
  const head = document.createElement('tr');
  for (const column of [...columns, '']) {
    const th = document.createElement('th');
    th.textContent = column;
    head.append(th);
  }
  const body = rows.map((row) => {
    const tr = document.createElement('tr');
    for (const column of columns) {
      const td = document.createElement('td');
      td.textContent = row[column] ?? '';
      tr.append(td);
    }
    const remove = document.createElement('button');
    remove.textContent = 'Delete';
    remove.addEventListener('click', () => onDelete(row));
    const td = document.createElement('td');
    td.append(remove);
    tr.append(td);
    return tr;
  });
  table.replaceChildren(head, ...body);
}

export function showError(message) {
  document.getElementById('error').textContent = message;
}
`;

export const NAV_JS = `/** The navigation bar every page shows. */
const PAGES = ${JSON.stringify([['/', 'Home'], ...RESOURCES.map((r) => [`/${r.name}`, r.title])])};

const nav = document.getElementById('nav');
nav.replaceChildren(
  ...PAGES.map(([href, label]) => Object.assign(document.createElement('a'), { href, textContent: label })),
);
`;

export const HOME_JS = `/** The home page: how many records each part of the library holds. */
import { api } from './api.js';

const stats = await api.get('/api/stats');
document.getElementById('stats').replaceChildren(
  ...Object.entries(stats).map(([name, count]) =>
    Object.assign(document.createElement('li'), { textContent: \`\${count} \${name}\` }),
  ),
);
`;

export const HELPERS_JS = `/** Starts the app on a free port for a test: get/post/patch/del against it, then close(). */
import { once } from 'node:events';
import { createApp } from '../src/app.js';

export async function startApp(stores) {
  const server = createApp(stores).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = \`http://127.0.0.1:\${server.address().port}\`;
  const send = (method) => (path, body) =>
    fetch(base + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { base, get: send('GET'), post: send('POST'), patch: send('PATCH'), del: send('DELETE'), close: () => server.close() };
}
`;

export const ROUTER_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRouter } from '../src/http/router.js';

test('matches a method and a pattern, with its params', () => {
  const router = createRouter();
  const handler = () => {};
  router.get('/api/books/:id', handler);
  assert.deepEqual(router.match('GET', '/api/books/7'), { handler, params: { id: '7' } });
  assert.equal(router.match('DELETE', '/api/books/7'), null);
  assert.equal(router.match('GET', '/api/books'), null);
});
`;

export const VALIDATION_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError, validator } from '../src/validation.js';

const check = validator([
  { name: 'title', type: 'string', required: true, max: 5 },
  { name: 'year', type: 'number' },
]);

test('converts the fields and leaves out the empty ones', () => {
  assert.deepEqual(check({ title: ' Dune ', year: '1965', other: 1 }), { title: 'Dune', year: 1965 });
  assert.deepEqual(check({ title: 'Dune', year: '' }), { title: 'Dune' });
});

test('names the field that is wrong', () => {
  assert.throws(() => check({}), ValidationError);
  assert.throws(() => check({ title: 'Too long' }), /title: must be at most 5 characters/);
  assert.throws(() => check({ title: 'Dune', year: 'x' }), /year: must be a number/);
});
`;

export const STATIC_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApp } from './helpers.js';

test('serves the pages and their assets, nothing outside public/', async () => {
  const app = await startApp();
  try {
    const home = await app.get('/');
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<h1>Bookshelf<\\/h1>/);
    for (const page of ${JSON.stringify(names.map((n) => `/${n}`))}) assert.equal((await app.get(page)).status, 200);
    assert.match((await app.get('/css/base.css')).headers.get('content-type'), /text\\/css/);
    assert.equal((await app.get('/../package.json')).status, 404);
    assert.equal((await app.get('/api/nothing')).status, 404);
  } finally {
    app.close();
  }
});
`;

/**
 * The bookshelf's resources (books, members, loans...) and the files each has: its model, its routes,
 * its tests, its page and the page's script. One template per kind of file, filled per resource, the
 * way a team grows an app by copying the first resource's files.
 */

export interface Field {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'date';
  required?: boolean;
  max?: number;
}

export interface Resource {
  /** Plural, as in the URL: `books`. */
  name: string;
  /** `Book`. */
  singular: string;
  title: string;
  fields: Field[];
  /** A valid new record and an invalid one (what the tests send). */
  valid: Record<string, unknown>;
  invalid: Record<string, unknown>;
  /** A change the tests make with PATCH. */
  change: Record<string, unknown>;
}

export const RESOURCES: Resource[] = [
  {
    name: 'books',
    singular: 'Book',
    title: 'Books',
    fields: [
      { name: 'title', type: 'string', required: true, max: 200 },
      { name: 'author', type: 'string', required: true, max: 120 },
      { name: 'year', type: 'number' },
      { name: 'isbn', type: 'string', max: 20 },
    ],
    valid: { title: 'The Hobbit', author: 'J. R. R. Tolkien', year: 1937 },
    invalid: { author: 'Nobody' },
    change: { year: 1938 },
  },
  {
    name: 'members',
    singular: 'Member',
    title: 'Members',
    fields: [
      { name: 'name', type: 'string', required: true, max: 120 },
      { name: 'email', type: 'string', required: true, max: 200 },
      { name: 'joined', type: 'date' },
    ],
    valid: { name: 'Ada', email: 'ada@example.com', joined: '2024-01-15' },
    invalid: { name: 'Ada' },
    change: { email: 'ada@example.org' },
  },
  {
    name: 'loans',
    singular: 'Loan',
    title: 'Loans',
    fields: [
      { name: 'bookId', type: 'number', required: true },
      { name: 'memberId', type: 'number', required: true },
      { name: 'due', type: 'date', required: true },
      { name: 'returned', type: 'boolean' },
    ],
    valid: { bookId: 1, memberId: 1, due: '2024-03-01' },
    invalid: { bookId: 'one', memberId: 1, due: '2024-03-01' },
    change: { returned: true },
  },
  {
    name: 'reviews',
    singular: 'Review',
    title: 'Reviews',
    fields: [
      { name: 'bookId', type: 'number', required: true },
      { name: 'rating', type: 'number', required: true },
      { name: 'text', type: 'string', max: 2000 },
    ],
    valid: { bookId: 1, rating: 5, text: 'Loved it.' },
    invalid: { bookId: 1 },
    change: { rating: 4 },
  },
  {
    name: 'authors',
    singular: 'Author',
    title: 'Authors',
    fields: [
      { name: 'name', type: 'string', required: true, max: 120 },
      { name: 'country', type: 'string', max: 60 },
      { name: 'born', type: 'number' },
    ],
    valid: { name: 'Ursula K. Le Guin', country: 'USA', born: 1929 },
    invalid: { country: 'USA' },
    change: { country: 'United States' },
  },
  {
    name: 'shelves',
    singular: 'Shelf',
    title: 'Shelves',
    fields: [
      { name: 'name', type: 'string', required: true, max: 80 },
      { name: 'location', type: 'string', max: 120 },
    ],
    valid: { name: 'Fantasy', location: 'back room' },
    invalid: { location: 'hall' },
    change: { location: 'front room' },
  },
];

const json = (value: unknown) => JSON.stringify(value);

export function modelJs(r: Resource): string {
  return `/** ${r.title}: ${r.fields.map((f) => f.name).join(', ')}, kept in memory. */
import { createCollection } from '../store/collection.js';
import { validator } from '../validation.js';

export const ${r.singular.toUpperCase()}_FIELDS = [
${r.fields.map((f) => `  ${json(f)},`).join('\n')}
];

export const validate${r.singular} = validator(${r.singular.toUpperCase()}_FIELDS);

/** The ${r.name} collection: list(filter), get(id), add(input), update(id, input), remove(id). */
export function create${r.title}() {
  return createCollection(validate${r.singular});
}
`;
}

export function routesJs(r: Resource): string {
  const filters = r.fields.filter((f) => f.type !== 'string' || f.name.endsWith('Id')).map((f) => f.name);
  return `/** The ${r.name} API: /api/${r.name} and /api/${r.name}/:id. */
import { readJson, sendJson, withErrors } from '../http/json.js';

/** Filters a list by query parameters (${filters.join(', ') || 'none'}). */
function filterOf(query) {
  const filter = {};
  for (const name of ${json(filters)}) if (query.has(name)) filter[name] = query.get(name);
  return filter;
}

export function ${r.name}Routes(router, ${r.name}) {
  router.get('/api/${r.name}', (req, res, params, query) =>
    sendJson(res, 200, { ${r.name}: ${r.name}.list(filterOf(query)) }),
  );
  router.get('/api/${r.name}/:id', (req, res, { id }) => {
    const found = ${r.name}.get(id);
    if (!found) return sendJson(res, 404, { error: '${r.singular.toLowerCase()} not found' });
    sendJson(res, 200, found);
  });
  router.post(
    '/api/${r.name}',
    withErrors(async (req, res) => sendJson(res, 201, ${r.name}.add(await readJson(req)))),
  );
  router.patch(
    '/api/${r.name}/:id',
    withErrors(async (req, res, { id }) => {
      const changed = ${r.name}.update(id, await readJson(req));
      if (!changed) return sendJson(res, 404, { error: '${r.singular.toLowerCase()} not found' });
      sendJson(res, 200, changed);
    }),
  );
  router.delete('/api/${r.name}/:id', (req, res, { id }) => {
    if (!${r.name}.remove(id)) return sendJson(res, 404, { error: '${r.singular.toLowerCase()} not found' });
    res.writeHead(204).end();
  });
}
`;
}

export function testJs(r: Resource): string {
  return `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApp } from './helpers.js';

test('${r.name}: created, listed, changed and deleted', async () => {
  const app = await startApp();
  try {
    const created = await app.post('/api/${r.name}', ${json(r.valid)});
    assert.equal(created.status, 201);
    const record = await created.json();
    assert.equal(typeof record.id, 'number');
    const list = await (await app.get('/api/${r.name}')).json();
    assert.ok(list.${r.name}.some((x) => x.id === record.id));
    const changed = await app.patch(\`/api/${r.name}/\${record.id}\`, ${json(r.change)});
    assert.equal(changed.status, 200);
    assert.deepEqual({ ...(await changed.json()), id: record.id }, { ...record, ...${json(r.change)} });
    assert.equal((await app.del(\`/api/${r.name}/\${record.id}\`)).status, 204);
    assert.equal((await app.get(\`/api/${r.name}/\${record.id}\`)).status, 404);
  } finally {
    app.close();
  }
});

test('${r.name}: invalid input answers 400', async () => {
  const app = await startApp();
  try {
    const refused = await app.post('/api/${r.name}', ${json(r.invalid)});
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error, /\\w+: /);
  } finally {
    app.close();
  }
});
`;
}

export function pageHtml(r: Resource): string {
  const inputs = r.fields
    .map((f) =>
      f.type === 'boolean'
        ? `        <label><input type="checkbox" name="${f.name}" /> ${f.name}</label>`
        : `        <label>${f.name} <input name="${f.name}" type="${f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'}"${f.required ? ' required' : ''} /></label>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${r.title} · Bookshelf</title>
    <link rel="stylesheet" href="/css/base.css" />
    <link rel="stylesheet" href="/css/layout.css" />
    <link rel="stylesheet" href="/css/forms.css" />
  </head>
  <body>
    <nav id="nav"></nav>
    <main>
      <h1>${r.title}</h1>
      <form id="${r.name}-form">
${inputs}
        <button type="submit">Add</button>
      </form>
      <p id="error" role="alert"></p>
      <table id="${r.name}-table"></table>
    </main>
    <script type="module" src="/js/nav.js"></script>
    <script type="module" src="/js/${r.name}.js"></script>
  </body>
</html>
`;
}

export function pageJs(r: Resource): string {
  return `/** The ${r.name} page: the table of ${r.name}, the form that adds one, a delete button per row. */
import { api } from './api.js';
import { formValues, renderTable, showError } from './dom.js';

const COLUMNS = ${json(['id', ...r.fields.map((f) => f.name)])};
const form = document.getElementById('${r.name}-form');
const table = document.getElementById('${r.name}-table');

async function load() {
  const { ${r.name} } = await api.get('/api/${r.name}');
  renderTable(table, COLUMNS, ${r.name}, async (row) => {
    await api.del(\`/api/${r.name}/\${row.id}\`);
    await load();
  });
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api.post('/api/${r.name}', formValues(form));
    form.reset();
    showError('');
    await load();
  } catch (err) {
    showError(err.message);
  }
});

load().catch((err) => showError(err.message));
`;
}

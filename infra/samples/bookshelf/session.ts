/**
 * The scripted session over the bookshelf (what the LLM fixture answers, in order): two tasks on the
 * existing app (overdue loans with an API route and its test; a search on the books page) and then
 * the user's change request (the overdue count on the home page). The README exists from the start,
 * so the TechnicalWriter edits it at both finishes.
 */
import type { ScriptedReply } from '../../llm-fixture/script.ts';
import { bookshelfFiles } from './files.ts';

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const approve: ScriptedReply = { match: agent('code reviewer'), json: { approved: true, issues: [] } };
/** The TestWriter's answer: the task's acceptance tests (none for a change it cannot test by `npm test`). */
const acceptanceTests = (...files: { path: string; summary: string; content: string }[]): ScriptedReply => ({
  match: agent('TestWriter'),
  json: { files },
});
const newFile = (path: string, summary: string, content: string): ScriptedReply[] => [
  { match: { contains: `The file ${path} does not exist yet` }, json: { summary, content } },
  approve,
];
const edit = (
  path: string,
  summary: string,
  edits: { search: string; replace: string }[],
): ScriptedReply[] => [
  { match: { contains: `The current content of ${path}:` }, json: { summary, edits } },
  approve,
];
/** An edit that inserts `text` after `anchor` (which occurs once in the file). */
const after = (anchor: string, text: string) => ({ search: anchor, replace: anchor + text });
const before = (anchor: string, text: string) => ({ search: anchor, replace: text + anchor });

/** `text`, checked to occur once in the project's `path` as it is seeded (a script that drifts fails loudly). */
function has(path: string, text: string): string {
  if (bookshelfFiles()[path]?.split(text).length !== 2) throw new Error(`${path} does not hold ${text} once`);
  return text;
}

export const OVERDUE_JS = `/** Loans not returned by their due date, as of \`today\` (YYYY-MM-DD). */
export function overdueLoans(loans, today) {
  return loans.list().filter((loan) => !loan.returned && loan.due < today);
}
`;

export const OVERDUE_TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStores } from '../src/store/stores.js';
import { startApp } from './helpers.js';

test('lists the loans not returned by their due date', async () => {
  const stores = createStores();
  stores.loans.add({ bookId: 1, memberId: 1, due: '2024-02-01' });
  stores.loans.add({ bookId: 2, memberId: 1, due: '2024-02-01', returned: true });
  stores.loans.add({ bookId: 3, memberId: 2, due: '2024-04-01' });
  const app = await startApp(stores);
  try {
    const { loans } = await (await app.get('/api/loans/overdue?today=2024-03-01')).json();
    assert.deepEqual(loans.map((loan) => loan.bookId), [1]);
  } finally {
    app.close();
  }
});
`;

const OVERDUE_ROUTE = `  router.get('/api/loans/overdue', (req, res, params, query) =>
    sendJson(res, 200, { loans: overdueLoans(loans, query.get('today') ?? new Date().toISOString().slice(0, 10)) }),
  );
`;

const README_STATS = '`GET /api/stats` counts the records of each resource (the home page shows it).\n';
const README_TASKS =
  '\n`GET /api/loans/overdue?today=YYYY-MM-DD` lists the loans not returned by their due date (today by default).\n\nThe books page searches titles and authors as you type.\n';
const README_CHANGE = '\nThe home page shows how many loans are overdue.\n';

/**
 * The Developer's answer to its one confirming call (its plan edits files it was not shown whole, as
 * on a project of this size): the same plan, now that it has seen them.
 */
const confirmed = (plan: object): ScriptedReply => ({
  match: { contains: 'Your plan changes files whose text you were not shown' },
  json: plan,
});

/** The search task's plan: the page, its script and a style, none of them shown to the planner at first. */
const SEARCH_PLAN = {
  relevantFiles: ['public/books.html', 'public/js/books.js'],
  steps: [
    {
      type: 'code',
      path: 'public/books.html',
      instructions: 'A search field above the table (#search).',
    },
    {
      type: 'code',
      path: 'public/js/books.js',
      instructions: 'Filter the rows by #search as the user types.',
    },
    { type: 'code', path: 'public/css/forms.css', instructions: 'Style #search: full width.' },
  ],
  testInstructions: 'Open /books and type part of a title.',
};

/** The overdue-loans task's plan. */
const OVERDUE_PLAN = {
  relevantFiles: ['src/loans/routes.js', 'src/loans/model.js'],
  steps: [
    { type: 'code', path: 'src/loans/overdue.js', instructions: 'Export overdueLoans(loans, today).' },
    {
      type: 'code',
      path: 'src/loans/routes.js',
      instructions: 'Add GET /api/loans/overdue (optional ?today=) before the :id route.',
    },
    { type: 'code', path: 'test/overdue.test.js', instructions: 'Test the route with three loans.' },
  ],
  testInstructions: 'Run `npm test`.',
};

/** The replies of the run (planning, two tasks, the README), in order. */
export function bookshelfSession(): ScriptedReply[] {
  return [
    {
      match: agent('SpecWriter'),
      json: {
        name: 'bookshelf',
        summary: "The reading club's library app, extended: overdue loans and a search of the books.",
        features: [
          'Every resource keeps its API and page as they are',
          'GET /api/loans/overdue lists the loans not returned by their due date',
          'The books page filters the table by title or author as the user types',
        ],
        complexity: 'moderate',
        questions: [],
      },
    },
    {
      match: agent('Architect'),
      json: {
        stack: 'node-fullstack',
        packages: [],
        systemDependencies: [],
        notes: 'The existing app: no new packages.',
      },
    },
    {
      match: agent('TechLead'),
      json: {
        tasks: [
          {
            title: 'Overdue loans',
            epic: 'Loans',
            description:
              'src/loans/overdue.js finds overdue loans; GET /api/loans/overdue serves them; a test.',
            acceptance: ['npm test passes', 'a loan past its due date and not returned is listed'],
          },
          {
            title: 'Search the books',
            epic: 'Books',
            description: 'A search field on the books page filters the table by title or author.',
            acceptance: ['npm test passes', 'typing part of a title shows only matching books'],
          },
        ],
      },
    },
    { match: agent('Developer'), json: OVERDUE_PLAN },
    // The route's test is the task's acceptance test: the plan's step for it is dropped.
    acceptanceTests({
      path: 'test/overdue.test.js',
      summary: 'tests of the overdue loans',
      content: OVERDUE_TEST_JS,
    }),
    ...newFile('src/loans/overdue.js', 'finds the overdue loans', OVERDUE_JS),
    ...edit('src/loans/routes.js', 'the loans API and its overdue list', [
      after(
        has('src/loans/routes.js', "from '../http/json.js';\n"),
        "import { overdueLoans } from './overdue.js';\n",
      ),
      before(has('src/loans/routes.js', "  router.get('/api/loans/:id'"), OVERDUE_ROUTE),
    ]),
    { match: agent('Developer'), json: SEARCH_PLAN },
    confirmed(SEARCH_PLAN),
    acceptanceTests(),
    ...edit('public/books.html', 'the books page', [
      before(
        has('public/books.html', '      <table id="books-table"></table>'),
        '      <input id="search" type="search" placeholder="Search title or author" />\n',
      ),
    ]),
    ...edit('public/js/books.js', 'the books page: table, form, search', [
      after(
        has('public/js/books.js', "const table = document.getElementById('books-table');\n"),
        "const search = document.getElementById('search');\nsearch.addEventListener('input', () => load());\n",
      ),
      {
        search: has('public/js/books.js', '  renderTable(table, COLUMNS, books, '),
        replace:
          '  const words = search.value.trim().toLowerCase();\n  const shown = books.filter((b) => !words || `${b.title} ${b.author}`.toLowerCase().includes(words));\n  renderTable(table, COLUMNS, shown, ',
      },
    ]),
    ...edit('public/css/forms.css', 'form styles', [
      before(
        has('public/css/forms.css', '#error {'),
        '#search {\n  width: 100%;\n  margin-bottom: 0.75rem;\n}\n',
      ),
    ]),
    {
      match: agent('TechnicalWriter'),
      json: { edits: [after(has('README.md', README_STATS), README_TASKS)] },
    },
  ];
}

/** The user's change request once the run has finished. */
export const BOOKSHELF_CHANGE = 'show how many loans are overdue on the home page';

/** The replies of the change request, in order. */
export function bookshelfChangeSession(): ScriptedReply[] {
  return [
    {
      match: { contains: "The user's change request:" },
      json: {
        title: 'Overdue count on the home page',
        description: 'The home page says how many loans are overdue, from GET /api/loans/overdue.',
        acceptance: ['the home page shows "N loans overdue"'],
        relevantFiles: ['public/js/home.js'],
        steps: [
          {
            type: 'code',
            path: 'public/index.html',
            instructions: 'Add <p id="overdue"></p> above the stats.',
          },
          {
            type: 'code',
            path: 'public/js/home.js',
            instructions: 'Fill #overdue from GET /api/loans/overdue.',
          },
        ],
        testInstructions: 'Open the home page: it says how many loans are overdue.',
      },
    },
    acceptanceTests(),
    ...edit('public/index.html', 'the home page', [
      before(has('public/index.html', '      <ul id="stats"></ul>'), '      <p id="overdue"></p>\n'),
    ]),
    ...edit('public/js/home.js', 'the home page: stats and overdue loans', [
      after(
        has('public/js/home.js', "const stats = await api.get('/api/stats');\n"),
        "const { loans: overdue } = await api.get('/api/loans/overdue');\ndocument.getElementById('overdue').textContent = `${overdue.length} loans overdue`;\n",
      ),
    ]),
    {
      match: agent('TechnicalWriter'),
      json: { edits: [after(README_TASKS.split('\n').at(-2)! + '\n', README_CHANGE)] },
    },
  ];
}

import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import { bookshelfFiles } from '../../../../infra/samples/bookshelf/files.ts';
import { withKnownIssues, withoutKnownIssues } from './known-issues.ts';
import { readmeKeyFiles } from './readme-files.ts';
import type { AgentContext } from './state.ts';
import { agent, planningReplies } from './testing/common-replies.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import type { AgentsHarness } from './testing/harness.ts';

const suite = fixtureSuite();

const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const SERVER_JS =
  "import { createServer } from 'node:http';\nimport { add } from './add.js';\n\ncreateServer((req, res) => res.end(String(add(2, 3)))).listen(process.env.PORT ?? 3000);\n";
const SUB_JS = 'export function sub(a, b) {\n  return a - b;\n}\n';
const README = '# calc\n\nAdds numbers.\n\n## Run\n\n`npm start`, then open http://localhost:3000.\n';
/** The user's own section, saved in the editor after the first run. */
const OWN = '\n## Our notes\n\nWe use it at the school fair: ask Dana before you change the port.\n';

const write = (path: string, content: string): ScriptedReply => ({
  match: { contains: `The file ${path} does not exist yet` },
  json: { summary: path === 'src/add.js' ? 'adds numbers' : 'serves the sum', content },
});
const firstRun: ScriptedReply[] = [
  ...planningReplies(),
  {
    match: agent('Developer'),
    json: {
      relevantFiles: [],
      steps: [
        { type: 'code', path: 'src/add.js', instructions: 'export add(a, b)' },
        { type: 'code', path: 'src/server.js', instructions: 'serve add(2, 3)' },
      ],
      testInstructions: 'npm start',
    },
  },
  write('src/add.js', ADD_JS),
  write('src/server.js', SERVER_JS),
  { match: { contains: 'Write README.md.' }, text: README },
];
/** The user's change request, planned and written (the writer's reply is each test's own). */
const subtractChange: ScriptedReply[] = [
  {
    match: { contains: "The user's change request:" },
    json: {
      title: 'Subtract',
      description: 'src/sub.js exports sub(a, b).',
      acceptance: ['sub(3, 2) is 1'],
      relevantFiles: [],
      steps: [{ type: 'code', path: 'src/sub.js', instructions: 'export sub(a, b)' }],
      testInstructions: 'npm test',
    },
  },
  {
    match: { contains: 'The file src/sub.js does not exist yet' },
    json: { summary: 'subtracts', content: SUB_JS },
  },
];
const readmeEdits = (edits: { search: string; replace: string }[]): ScriptedReply => ({
  match: agent('TechnicalWriter'),
  json: { edits },
});

/** The writer's prompts (system and user joined), in order. */
function writerPrompts(key: string): string[] {
  return suite.fixture
    .requestsOf(key)
    .map((r) => JSON.parse(r.body) as { messages: { content: string }[] })
    .filter((b) => b.messages.some((m) => m.content.includes("You are Samokoder's TechnicalWriter")))
    .map((b) => b.messages.map((m) => m.content).join('\n'));
}

function said(h: AgentsHarness): string[] {
  return h.events().flatMap((e) => (e.type === 'message' && e.agent === 'TechnicalWriter' ? [e.text] : []));
}

/** A finished first run whose README the user then extended with a section of their own. */
async function finishedAndEdited(after: ScriptedReply[], saved = README + OWN) {
  const { h, key } = suite.harness('readme', [...firstRun, ...subtractChange, ...after]);
  h.controls.start();
  await h.drain();
  expect(h.journal.run().status).toBe('completed');
  expect(h.read('README.md')).toBe(README);
  expect(await h.saveAsUser('README.md', saved)).toMatchObject({ ok: true });
  expect(h.controls.chat('it should subtract too', 'change')).toMatchObject({ ok: true });
  await h.drain();
  expect(h.journal.run().status, h.journal.run().reason?.message).toBe('completed');
  expect(h.read('src/sub.js')).toBe(SUB_JS);
  return { h, key };
}

const RUN_LINE = '`npm start`, then open http://localhost:3000.\n';
const SUB_LINE = '\nIt also subtracts: `sub(a, b)` in `src/sub.js`.\n';

describe('the README writer on a change', () => {
  it("edits the README: the user's own section stays and the change is added, from the map, the key files and the README", async () => {
    const { h, key } = await finishedAndEdited([
      readmeEdits([{ search: RUN_LINE, replace: RUN_LINE + SUB_LINE }]),
    ]);
    expect(h.read('README.md')).toBe(`${README}${SUB_LINE}${OWN}`);
    expect(said(h).at(-1)).toBe('The README is updated. The app is ready.');

    const [first, edit] = writerPrompts(key);
    expect(writerPrompts(key)).toHaveLength(2);
    // The first README is written whole from the key files: the start command's entry and what it imports.
    expect(first).toContain(`--- src/server.js\n${SERVER_JS}`);
    expect(first).toContain(`--- src/add.js\n${ADD_JS}`);
    expect(first).toContain('--- package.json');
    // On the change: the map (with the new module's exports), and the README as the user left it.
    expect(edit).toContain('Project map:\n');
    expect(edit).toMatch(/^- src\/sub\.js: sub — subtracts$/m);
    expect(edit).toContain(`The current content of README.md:\n${README}${OWN}`);
    expect(edit).not.toContain('Write README.md.');
  }, 60_000);

  it('applies an edit whose search text differs from the README only in whitespace', async () => {
    const { h } = await finishedAndEdited([
      readmeEdits([
        {
          search: '  ## Run  \n\n  `npm start`, then open http://localhost:3000.',
          replace: `## Run\n\n${RUN_LINE}${SUB_LINE}`.trimEnd(),
        },
      ]),
    ]);
    expect(h.read('README.md')).toBe(`${README}${SUB_LINE}${OWN}`);
  }, 60_000);

  it('asks once more when an edit matches nowhere, saying which one, and applies the corrected edit', async () => {
    const { h, key } = await finishedAndEdited([
      readmeEdits([{ search: '## Usage\n', replace: '## Usage\n\nSubtracts too.\n' }]),
      readmeEdits([{ search: RUN_LINE, replace: RUN_LINE + SUB_LINE }]),
    ]);
    expect(h.read('README.md')).toBe(`${README}${SUB_LINE}${OWN}`);
    const asked = writerPrompts(key);
    expect(asked).toHaveLength(3);
    expect(asked[2]).toContain(
      'README.md: edit 1: the search text does not occur in the file: "## Usage\\n"',
    );
  }, 60_000);

  it('keeps the README as it was when the edits miss twice, and says so', async () => {
    const miss = readmeEdits([{ search: '## Usage\n', replace: 'x' }]);
    const { h, key } = await finishedAndEdited([miss, miss]);
    expect(h.read('README.md')).toBe(README + OWN);
    expect(writerPrompts(key)).toHaveLength(3);
    expect(said(h).at(-1)).toMatch(
      /^The README's edits could not be applied, so it is kept as it was \(README\.md: edit 1/,
    );
  }, 60_000);

  it('writes a README the user emptied whole again', async () => {
    const again = `${README}\nIt also subtracts.\n`;
    const { h, key } = await finishedAndEdited(
      [{ match: { contains: 'Write README.md.' }, text: again }],
      '',
    );
    expect(h.read('README.md')).toBe(again);
    expect(writerPrompts(key)).toHaveLength(2);
  }, 60_000);
});

describe("the platform's Not working yet section", () => {
  const A = ['- "Subtract" is not done (failed: npm test fails)'];
  const B = ['- "Multiply" is not done (skipped: skipped by the user)'];

  it('is replaced when the README is written again, never added twice', () => {
    const once = withKnownIssues(README, A);
    const again = withKnownIssues(once, B);
    expect(again.match(/## Not working yet/g)).toHaveLength(1);
    expect(again).toBe(
      `${README}\n## Not working yet\n\nSamokoder could not finish these parts:\n\n${B[0]}\n`,
    );
  });

  it('is removed once everything works, leaving the README byte for byte', () => {
    expect(withKnownIssues(withKnownIssues(README, A), [])).toBe(README);
  });

  it("keeps the user's sections after it, and heals a README that has it twice", () => {
    const section = (lines: string[]) =>
      `\n## Not working yet\n\nSamokoder could not finish these parts:\n\n${lines.join('\n')}\n`;
    expect(withoutKnownIssues(README + section(A) + OWN)).toBe(README + OWN);
    const twice = README + section(A) + OWN + section(A);
    expect(withoutKnownIssues(twice)).toBe(README + OWN);
    expect(withKnownIssues(twice, B)).toBe(README + OWN + section(B));
  });
});

describe("the README writer's key files", () => {
  it('are package.json, the entry the start command runs, its modules, the page, then what they import', async () => {
    const files = bookshelfFiles();
    const ctx = { files: { read: async (path: string) => files[path] ?? null } } as unknown as AgentContext;
    const chosen = await readmeKeyFiles(ctx, Object.keys(files), 'npm start');
    expect(chosen.slice(0, 6)).toEqual([
      'package.json',
      'src/server.js',
      'src/app.js',
      'src/store/seed.js',
      'src/store/stores.js',
      'public/index.html',
    ]);
    expect(chosen).toContain('src/books/routes.js');
    expect(chosen.filter((p) => p.startsWith('test/'))).toEqual([]);
  });
});

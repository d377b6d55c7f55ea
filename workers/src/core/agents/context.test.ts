import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import { acceptanceTests, agent, planningReplies } from './testing/common-replies.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import type { AgentsHarness } from './testing/harness.ts';
import { estimateTokens } from './tokens.ts';

const suite = fixtureSuite();

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

function expectCompleted(h: AgentsHarness): void {
  const run = h.journal.run();
  const failures = ofType(h.events(), 'step.failed').map((e) => `${e.agent}: ${e.error}`);
  expect(run.status, `${run.reason?.message}\n${failures.join('\n')}`).toBe('completed');
}

interface Sent {
  agent: string;
  user: string;
  /** Estimated tokens of everything the request sends as its prompt: messages and the output's schema. */
  tokens: number;
  /** The most the answer may take, as the request asks of the server. */
  answerRoom: number | undefined;
}

function sent(key: string): Sent[] {
  return suite.fixture.requestsOf(key).map((r) => {
    const body = JSON.parse(r.body) as {
      messages: { role: string; content: string }[];
      response_format?: unknown;
      max_completion_tokens?: number;
    };
    const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
    return {
      agent: /You are Samokoder's ([A-Za-z ]+?)[.]/.exec(system)?.[1] ?? '?',
      user: body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
      tokens: estimateTokens(JSON.stringify(body.messages) + JSON.stringify(body.response_format ?? '')),
      answerRoom: body.max_completion_tokens,
    };
  });
}

/** A module of `count` small functions and `add(a, b)` in the middle: about 40 characters a function. */
function bigModule(count: number): string {
  const fns = Array.from({ length: count }, (_, i) => `export function f${i}(v) {\n  return v * ${i};\n}`);
  fns.splice(count / 2, 0, 'export function add(a, b) {\n  return a + b;\n}');
  return `${fns.join('\n')}\n`;
}
const BIG = bigModule(600); // about 24k characters: more than an 8k model's whole window
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";
const RENAME = [
  {
    search: 'export function add(a, b) {\n  return a + b;',
    replace: 'export function add(x, y) {\n  return x + y;',
  },
];
const approve: ScriptedReply = { match: agent('code reviewer'), json: { approved: true, issues: [] } };

describe('the context of a call', () => {
  it('keeps every call of an 8k model within its window, editing a file larger than the window from windows around the lines that matter', async () => {
    const { h, key } = suite.harness(
      'window',
      [
        ...planningReplies(),
        {
          match: agent('Developer'),
          json: {
            relevantFiles: [],
            steps: [
              { type: 'code', path: 'src/add.js', instructions: 'write src/add.js' },
              { type: 'code', path: 'test/add.test.js', instructions: 'test add' },
              { type: 'code', path: 'src/add.js', instructions: 'In `add`, name the parameters x and y.' },
            ],
            testInstructions: 'npm test',
          },
        },
        // No acceptance tests of its own: the plan's test step stays the CodeMonkey's.
        acceptanceTests(),
        { match: agent('CodeMonkey'), json: { summary: 'adds', content: BIG } },
        approve,
        { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
        approve,
        { match: agent('CodeMonkey'), json: { summary: 'adds', edits: RENAME } },
        approve,
        { match: agent('TechnicalWriter'), text: '# calc\n' },
      ],
      // The model field states the window: the same model with 8k.
      { models: { '*': 'openai:gpt-4.1#8k' }, review: true },
    );
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/add.js')).toContain('export function add(x, y) {\n  return x + y;');
    const calls = sent(key);
    expect(calls).toHaveLength(12);
    for (const call of calls) {
      // The answer's room is a quarter of the window (the request asks for no more), and the prompt fits in the rest.
      expect(call.answerRoom).toBe(2048);
      expect(call.tokens, `${call.agent}: ${call.user.slice(0, 200)}`).toBeLessThanOrEqual(8192 - 2048);
    }
    const edit = calls.find(
      (c) => c.agent === 'CodeMonkey' && c.user.includes('name the parameters x and y'),
    )!;
    expect(edit.user).toContain('The current content of src/add.js:');
    expect(edit.user).toContain('only parts of src/add.js are shown');
    expect(edit.user).toContain('export function add(a, b) {\n  return a + b;\n}');
    expect(edit.user).not.toContain('return v * 5;'); // far from the edit: left out
    // The test it must agree with is shown whole.
    expect(edit.user).toContain(`--- test/add.test.js\n${ADD_TEST}`);
    const review = calls.filter((c) => c.agent === 'code reviewer').at(-1)!;
    expect(review.user).toContain('only parts of src/add.js are shown');
    expect(review.user).toContain('export function add(x, y) {\n  return x + y;\n}');
    // The test's writer is shown the module it tests: as an outline, the whole being over the budget.
    const testWrite = calls.find((c) => c.user.includes('The file test/add.test.js does not exist yet'))!;
    expect(testWrite.user).toContain('--- src/add.js\n(outline only');
    expect(testWrite.user).toContain('export function add(a, b) {');
  }, 60_000);

  it('keeps a re-ask of an 8k model within its window: the refused file and the problems take the place of other context', async () => {
    // Long lines (data, minified code): the re-ask's window around the missed place is large.
    const row = (i: number) => `export const row${i} = '${String(i % 10).repeat(230)}';`;
    const data = `${Array.from({ length: 60 }, (_, i) => row(i)).join('\n')}\n`;
    const dataTest =
      "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { row30 } from '../src/data.js';\n\ntest('row30', () => assert.ok(row30.length > 0));\n";
    const { h, key } = suite.harness(
      'reask',
      [
        ...planningReplies(),
        {
          match: agent('Developer'),
          json: {
            relevantFiles: [],
            steps: [
              { type: 'code', path: 'src/data.js', instructions: 'write src/data.js' },
              { type: 'code', path: 'test/data.test.js', instructions: 'test row30' },
              { type: 'code', path: 'src/data.js', instructions: 'Make `row30` the text "thirty".' },
            ],
            testInstructions: 'npm test',
          },
        },
        acceptanceTests(),
        { match: agent('CodeMonkey'), json: { summary: 'rows', content: data } },
        { match: agent('CodeMonkey'), json: { summary: 'test', content: dataTest } },
        // A search text that is almost right: the re-ask shows the file around where it came closest.
        {
          match: agent('CodeMonkey'),
          json: { summary: 'thirty', edits: [{ search: "export const row30 = '333';", replace: '' }] },
        },
        {
          match: agent('CodeMonkey'),
          json: {
            summary: 'thirty',
            edits: [{ search: row(30), replace: "export const row30 = 'thirty';" }],
          },
        },
        { match: agent('TechnicalWriter'), text: '# rows\n' },
      ],
      { models: { '*': 'openai:gpt-4.1#8k' } },
    );
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/data.js')).toContain("export const row30 = 'thirty';");
    const calls = sent(key);
    const reask = calls.find((c) => c.user.includes('Your previous answer could not be applied'))!;
    expect(reask.user).toContain(row(30));
    for (const call of calls) {
      expect(call.tokens, `${call.agent}: ${call.user.slice(0, 200)}`).toBeLessThanOrEqual(8192 - 2048);
    }
  }, 60_000);

  it('asks the Developer once more, with the files shown, when its plan edits a file it was not shown; only then', async () => {
    const { h, key } = suite.harness('confirm', [
      ...planningReplies(),
      {
        match: agent('Developer'),
        json: {
          relevantFiles: [],
          steps: [
            { type: 'code', path: 'src/add.js', instructions: 'write src/add.js' },
            { type: 'code', path: 'test/add.test.js', instructions: 'test add' },
          ],
          testInstructions: 'npm test',
        },
      },
      acceptanceTests(),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: BIG } },
      { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
      { match: agent('TechnicalWriter'), text: '# calc\n' },
    ]);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    // The first plan created new files: one Developer call.
    expect(sent(key).filter((c) => c.agent === 'Developer')).toHaveLength(1);

    const before = sent(key).length;
    const plan = {
      title: 'Parameters named x and y',
      description: 'The parameters are called x and y.',
      acceptance: ['npm test passes'],
      relevantFiles: [],
      steps: [{ type: 'code', path: 'src/add.js', instructions: 'In `add`, name the parameters x and y.' }],
      testInstructions: 'npm test',
    };
    suite.fixture.add(key, [
      { match: { contains: "The user's change request:" }, json: plan },
      { match: { contains: 'Your plan changes files whose text you were not shown' }, json: plan },
      acceptanceTests(),
      { match: agent('CodeMonkey'), json: { summary: 'adds', edits: RENAME } },
      // The README exists: the writer answers edits (none: it is still accurate).
      { match: agent('TechnicalWriter'), json: { edits: [] } },
    ]);
    h.controls.chat('call the parameters x and y', 'change');
    await h.drain();
    expectCompleted(h);
    const asked = sent(key).slice(before);
    expect(asked.map((c) => c.agent)).toEqual([
      'Developer',
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'TechnicalWriter',
    ]);
    // The first call had the file in the map only (too large for the planner's share of unnamed files).
    expect(asked[0]!.user).toContain('- src/add.js: ');
    expect(asked[0]!.user).not.toContain('--- src/add.js');
    expect(asked[0]!.user).toContain('--- test/add.test.js');
    // The second shows it, says why, and carries the plan to confirm or correct.
    expect(asked[1]!.user).toContain(`--- src/add.js\n${BIG}`);
    expect(asked[1]!.user).toContain('Your plan changes files whose text you were not shown: src/add.js.');
    expect(asked[1]!.user).toContain('"title": "Parameters named x and y"');
    expect(h.read('src/add.js')).toContain('export function add(x, y)');
  }, 60_000);
});

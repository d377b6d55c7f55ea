/**
 * CodeMonkey and BugHunter over replies in the shapes real models send (see `testing/recorded-replies.ts`),
 * through each provider's SDK and wire format: the files they end up writing, how many calls it took (a
 * re-ask costs one), and what the user was told.
 */
import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { cutOff, fenced, proseWrapped, toolCutOff } from './testing/recorded-replies.ts';
import {
  developerReply,
  recordedRun,
  runThrough,
  writeStep,
  type RecordedRun,
} from './testing/recorded-run.ts';
import { acceptanceTests, agent, planningReplies } from './testing/common-replies.ts';

const suite = fixtureSuite();

const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const BUGGY_ADD_JS = 'export function add(a, b) {\n  return a - b;\n}\n';
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";

const applyProblems = (run: RecordedRun, name: string) =>
  run.requestsOf(name).filter((body) => body.includes('could not be applied'));

describe('CodeMonkey', () => {
  it('takes a fenced answer whose file has code fences of its own, in one call', async () => {
    const usage =
      '# Usage\n\n```bash\nnode -e "import(\'./src/add.js\').then((m) => console.log(m.add(2, 3)))"\n```\n';
    const run = recordedRun(suite, 'compatible', [
      ...planningReplies(),
      developerReply([writeStep('docs/usage.md')]),
      fenced(
        agent('CodeMonkey'),
        { summary: 'how to call add from the shell', content: usage },
        'This file shows a one-line way to try the module.',
      ),
    ]);
    run.h.controls.start();
    await runThrough(run, 'CodeMonkey');
    expect(run.h.read('docs/usage.md')).toBe(usage);
    expect(run.requestsOf('CodeMonkey')).toHaveLength(1);
    expect(run.said('CodeMonkey')).toEqual(['Wrote docs/usage.md.']);
  }, 30_000);

  it("applies a small model's edit whose search text is indented otherwise, from between its sentences, without a re-ask", async () => {
    const run = recordedRun(suite, 'compatible', [
      ...planningReplies(),
      developerReply([
        writeStep('src/add.js'),
        { type: 'code', path: 'src/add.js', instructions: 'name the parameters x and y' },
      ]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      proseWrapped(
        agent('CodeMonkey'),
        {
          summary: 'adds two numbers',
          // Four spaces where the file has two, and a blank line the file does not have.
          edits: [
            {
              search: 'export function add(a, b) {\n\n    return a + b;',
              replace: 'export function add(x, y) {\n    return x + y;',
            },
          ],
        },
        'Here are the changes to `src/add.js`:',
        'The function now uses `x` and `y` as parameter names.',
      ),
    ]);
    run.h.controls.start();
    await runThrough(run, 'CodeMonkey', 2);
    expect(run.h.read('src/add.js')).toBe('export function add(x, y) {\n  return x + y;\n}\n');
    expect(run.requestsOf('CodeMonkey')).toHaveLength(2);
    expect(applyProblems(run, 'CodeMonkey')).toEqual([]);
    expect(run.said('CodeMonkey')).toEqual(['Wrote src/add.js.', 'Changed src/add.js (+2 −2).']);
  }, 30_000);

  it('re-asks a search text that is in no form in the file once, with the file, over Anthropic', async () => {
    const run = recordedRun(suite, 'anthropic', [
      ...planningReplies(),
      developerReply([writeStep('src/add.js'), { type: 'code', path: 'src/add.js', instructions: 'rename' }]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      // The model remembers a line the file never had.
      {
        match: agent('CodeMonkey'),
        json: { summary: 'adds', edits: [{ search: 'return a+b', replace: 'return x + y' }] },
      },
      {
        match: agent('CodeMonkey'),
        json: {
          summary: 'adds',
          edits: [{ search: 'add(a, b) {\n  return a + b;', replace: 'add(x, y) {\n  return x + y;' }],
        },
      },
    ]);
    run.h.controls.start();
    await runThrough(run, 'CodeMonkey', 2);
    expect(run.h.read('src/add.js')).toBe('export function add(x, y) {\n  return x + y;\n}\n');
    expect(run.requestsOf('CodeMonkey')).toHaveLength(3);
    const reask = run.lastUserMessage('CodeMonkey', 2);
    expect(reask).toContain('does not occur in the file: "return a+b"');
    expect(reask).toContain(`The current text of src/add.js (the whole file):\n\`\`\`\n${ADD_JS}\`\`\``);
  }, 30_000);

  it('never writes a file cut off mid-content: it is re-asked, and the complete file written', async () => {
    const big = `${Array.from({ length: 40 }, (_, i) => `export const n${i} = ${i};`).join('\n')}\n`;
    const run = recordedRun(suite, 'openai', [
      ...planningReplies(),
      developerReply([writeStep('src/numbers.js')]),
      cutOff(agent('CodeMonkey'), { summary: 'numbers', content: big }, 'export const n23 ='),
      { match: agent('CodeMonkey'), json: { summary: 'numbers', content: big } },
    ]);
    run.h.controls.start();
    await runThrough(run, 'CodeMonkey');
    expect(run.h.read('src/numbers.js')).toBe(big);
    expect(run.requestsOf('CodeMonkey')).toHaveLength(2);
    expect(run.lastUserMessage('CodeMonkey', 1)).toContain('cut off at the output limit');
  }, 30_000);

  it('cuts a one-line summary that runs over 300 characters instead of paying for a re-ask', async () => {
    const rambling = `This module exports the add function, ${'which takes two numbers and returns their sum, '.repeat(9)}and nothing else.`;
    const run = recordedRun(suite, 'groq', [
      ...planningReplies(),
      developerReply([writeStep('src/add.js')]),
      acceptanceTests(),
      { match: agent('CodeMonkey'), json: { summary: rambling, content: ADD_JS } },
    ]);
    run.h.controls.start();
    await runThrough(run, 'CodeMonkey');
    expect(run.h.read('src/add.js')).toBe(ADD_JS);
    const note = run.h.state()!.fileNotes['src/add.js']!;
    expect(note.length).toBeLessThanOrEqual(300);
    expect(note).toMatch(/^This module exports the add function, which takes two numbers .*…$/);
    expect(run.requestsOf('CodeMonkey')).toHaveLength(1);
  }, 30_000);
});

/** A project whose test fails (add subtracts), for the BugHunter to fix. */
function failingTask(hunts: ScriptedReply[]): ScriptedReply[] {
  return [
    ...planningReplies(),
    developerReply([writeStep('src/add.js'), writeStep('test/add.test.js')]),
    { match: agent('CodeMonkey'), json: { summary: 'adds', content: BUGGY_ADD_JS } },
    { match: agent('CodeMonkey'), json: { summary: 'tests add', content: ADD_TEST } },
    ...hunts,
  ];
}

const FIX = {
  hypotheses: ['add subtracts instead of adding'],
  explanation: 'add used minus; it adds now.',
  kind: 'fix',
  changes: [{ path: 'src/add.js', edits: [{ search: 'return a - b;', replace: 'return a + b;' }] }],
};

describe('BugHunter', () => {
  it("applies a local model's near-miss fix (tabs for the file's spaces) in one call, keeping its five likeliest hypotheses", async () => {
    const hypotheses = [
      'add subtracts instead of adding',
      'the test imports the wrong module',
      'the test expects the wrong sum',
      'node:test is not found',
      'the module is not ESM',
      'a stale build',
      'the wrong Node version',
    ];
    const run = recordedRun(suite, 'compatible', [
      ...failingTask([
        proseWrapped(
          agent('BugHunter'),
          {
            ...FIX,
            hypotheses,
            changes: [
              {
                path: 'src/add.js',
                edits: [
                  {
                    search: 'export function add(a, b) {\n\treturn a - b;\n}',
                    replace: 'export function add(a, b) {\n\treturn a + b;\n}',
                  },
                ],
              },
            ],
          },
          'The test fails because `add` subtracts. Here is my diagnosis:',
          'After this change, `npm test` should pass.',
        ),
      ]),
    ]);
    run.h.controls.start();
    await runThrough(run, 'BugHunter');
    expect(run.h.read('src/add.js')).toBe(ADD_JS);
    expect(run.requestsOf('BugHunter')).toHaveLength(1);
    expect(applyProblems(run, 'BugHunter')).toEqual([]);
    const diagnosis = run.h.events().find((e) => e.type === 'artifact' && e.kind === 'diagnosis');
    expect(diagnosis).toMatchObject({ data: { hypotheses: hypotheses.slice(0, 5), files: ['src/add.js'] } });
    expect(run.said('BugHunter')).toEqual(['Fix: add used minus; it adds now.']);
  }, 60_000);

  it('re-asks a diagnosis cut off mid-edit, and applies the complete fix', async () => {
    const run = recordedRun(suite, 'openai', [
      ...failingTask([
        cutOff(agent('BugHunter'), FIX, 'return a +'),
        { match: agent('BugHunter'), json: FIX },
      ]),
    ]);
    run.h.controls.start();
    // The failing run of the tests, then the run after the fix.
    await runThrough(run, 'Executor', 2);
    expect(run.h.read('src/add.js')).toBe(ADD_JS);
    expect(run.requestsOf('BugHunter')).toHaveLength(2);
    expect(run.lastUserMessage('BugHunter', 1)).toContain('cut off at the output limit');
    expect(run.said('Executor')).toContain('`npm test` passes now.');
  }, 60_000);

  it("re-asks Anthropic's fix of eleven changes with the limit of ten stated", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ path: `notes/${i}.txt`, content: `${i}\n` }));
    const run = recordedRun(suite, 'anthropic', [
      ...failingTask([
        { match: agent('BugHunter'), json: { ...FIX, changes: [...FIX.changes, ...eleven.slice(1)] } },
        { match: agent('BugHunter'), json: FIX },
      ]),
    ]);
    run.h.controls.start();
    await runThrough(run, 'BugHunter');
    expect(run.lastUserMessage('BugHunter', 1)).toContain('changes: 11 items where at most 10 are allowed');
    expect(run.requestsOf('BugHunter')).toHaveLength(2);
    expect(run.h.read('src/add.js')).toBe(ADD_JS);
    expect(run.h.read('notes/1.txt')).toBeNull();
  }, 60_000);

  it("re-asks Anthropic's fix stopped at max_tokens although its input parses", async () => {
    const run = recordedRun(suite, 'anthropic', [
      ...failingTask([
        toolCutOff(agent('BugHunter'), {
          hypotheses: FIX.hypotheses,
          explanation: FIX.explanation,
          kind: 'fix',
          changes: [{ path: 'src/add.js' }],
        }),
        { match: agent('BugHunter'), json: FIX },
      ]),
    ]);
    run.h.controls.start();
    await runThrough(run, 'BugHunter');
    expect(run.requestsOf('BugHunter')).toHaveLength(2);
    // The cut-off input parses (the change lost its edits): the re-ask is about the cut, not the change.
    expect(run.lastUserMessage('BugHunter', 1)).toContain('cut off at the output limit');
    expect(run.h.read('src/add.js')).toBe(ADD_JS);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import { ALLOW_TEST_CHANGE, REFUSE_TEST_CHANGE } from './acceptance-guard.ts';
import { acceptanceTests, agent, planningReplies, TASK_ADD } from './testing/common-replies.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import type { AgentsHarness, AgentsHarnessOptions } from './testing/harness.ts';

const suite = fixtureSuite();

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

/** The user messages of the requests `key` made to `name`, in order. */
function promptsOf(key: string, name: string): string[] {
  return suite.fixture
    .requestsOf(key)
    .map((r) => JSON.parse(r.body) as { messages: { role: string; content: string }[] })
    .filter((b) => b.messages.some((m) => m.content.includes(`You are Samokoder's ${name}`)))
    .map((b) =>
      b.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n'),
    );
}

const BUGGY_ADD = 'export function add(a, b) {\n  return a - b;\n}\n';
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds two numbers', () => assert.equal(add(2, 3), 5));\n";
/** The acceptance test weakened to what the buggy code does. */
const WEAKENED = { search: 'assert.equal(add(2, 3), 5)', replace: 'assert.equal(add(2, 3), -1)' };
const FIX = { search: 'return a - b;', replace: 'return a + b;' };

function diagnosis(explanation: string, change: { path: string; edit: typeof FIX }): ScriptedReply {
  return {
    match: agent('BugHunter'),
    json: {
      hypotheses: ['add subtracts'],
      explanation,
      kind: 'fix',
      changes: [{ path: change.path, edits: [change.edit] }],
    },
  };
}

/** A one-task project: the plan writes src/add.js (subtracting) and its test; the TestWriter writes the test. */
function project(after: ScriptedReply[]): ScriptedReply[] {
  return [
    ...planningReplies({ tasks: [{ ...TASK_ADD, acceptance: ['add(2, 3) is 5', 'npm test passes'] }] }),
    {
      match: agent('Developer'),
      json: {
        relevantFiles: [],
        steps: [
          { type: 'code', path: 'src/add.js', instructions: 'export add(a, b), their sum' },
          { type: 'code', path: 'test/add.test.js', instructions: 'test add' },
        ],
        testInstructions: 'npm test',
      },
    },
    acceptanceTests([{ path: 'test/add.test.js', content: ADD_TEST, summary: 'acceptance tests of add' }]),
    { match: agent('CodeMonkey'), json: { summary: 'adds', content: BUGGY_ADD } },
    ...after,
    { match: agent('TechnicalWriter'), text: '# calc\n' },
  ];
}

function setup(replies: ScriptedReply[], opts: Partial<AgentsHarnessOptions> = {}) {
  return suite.harness('acceptance', replies, opts);
}

function expectCompleted(h: AgentsHarness): void {
  const run = h.journal.run();
  const failures = ofType(h.events(), 'step.failed').map((e) => `${e.agent}: ${e.error}`);
  expect(run.status, `${run.reason?.message}\n${failures.join('\n')}`).toBe('completed');
}

/** Runs until the run waits on a question (approving the plan on the way); returns it. */
async function nextQuestion(h: AgentsHarness) {
  await h.drain();
  let open = h.journal.openQuestion();
  if (open?.text.startsWith('The plan:')) {
    h.controls.answer(open.id, 'Approve');
    await h.drain();
    open = h.journal.openQuestion();
  }
  expect(h.journal.run().status, h.journal.run().reason?.message).toBe('waiting');
  return open!;
}

describe('acceptance tests first', () => {
  it("writes the task's acceptance tests from its criteria before its code, which must pass them", async () => {
    const { h, key } = setup(project([diagnosis('add() now adds.', { path: 'src/add.js', edit: FIX })]));
    h.controls.start();
    await h.drain();
    expectCompleted(h);

    // The plan, then the tests, then the code: the plan's own step for the test is dropped.
    const steps = ofType(h.events(), 'step.started').filter((e) => e.task === 't1' && e.attempt === 1);
    expect(steps.map((e) => `${e.agent}: ${e.title}`)).toEqual([
      'Developer: Plan: Add',
      'TestWriter: Write the acceptance tests',
      'CodeMonkey: Write src/add.js',
      'Executor: Run npm test',
      'BugHunter: Debug npm test',
      'Executor: Run npm test',
    ]);
    const plans = ofType(h.events(), 'artifact').filter((e) => e.kind === 'task-plan');
    expect(plans.at(-1)!.data).toMatchObject({
      steps: [
        { type: 'code', path: 'src/add.js' },
        { type: 'command', command: 'npm test' },
      ],
    });
    // The TestWriter was given the criteria, the stack's test command and the plan it writes ahead of.
    const [writer] = promptsOf(key, 'TestWriter');
    expect(writer).toContain('- add(2, 3) is 5');
    expect(writer).toContain('they run with `npm test`');
    expect(writer).toContain('1. write src/add.js: export add(a, b), their sum');
    // The code's writer sees the tests it must pass; they are the task's, unchanged, and passing.
    expect(promptsOf(key, 'CodeMonkey')[0]).toContain(`--- test/add.test.js\n${ADD_TEST}`);
    expect(h.read('test/add.test.js')).toBe(ADD_TEST);
    expect(h.state()!.fileNotes['test/add.test.js']).toBe('acceptance tests of add');
    const exits = ofType(h.events(), 'command.exit').map((e) => e.exitCode);
    expect(exits).toEqual([1, 0]);
    // The fixer was told which tests are the task's, and shown them.
    const [fixer] = promptsOf(key, 'BugHunter');
    expect(fixer).toContain("The task's acceptance tests (make the code pass them):\n- test/add.test.js");
    expect(fixer).toContain(`--- test/add.test.js\n${ADD_TEST}`);
    // The Developer was told the tests are written apart.
    expect(JSON.stringify(suite.fixture.requestsOf(key)[3]!.body)).toContain(
      'acceptance tests are written separately',
    );
  }, 60_000);

  it('refuses a fix that weakens an acceptance test in autopilot, and has the fixer fix the code', async () => {
    const { h, key } = setup(
      project([
        diagnosis('The test expects the wrong value.', { path: 'test/add.test.js', edit: WEAKENED }),
        diagnosis('add() now adds.', { path: 'src/add.js', edit: FIX }),
      ]),
    );
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(h.read('test/add.test.js')).toBe(ADD_TEST);
    expect(h.read('src/add.js')).toContain('return a + b;');
    // Nobody was asked (autopilot): the change was refused, the user told, the fixer re-asked.
    expect(ofType(h.events(), 'question').filter((q) => q.stepId > 3)).toEqual([]);
    const said = ofType(h.events(), 'message').filter((e) => e.agent === 'BugHunter');
    expect(said[0]!.text).toContain('tried to change the acceptance test test/add.test.js');
    const [, reask] = promptsOf(key, 'BugHunter');
    expect(reask).toContain(
      'test/add.test.js: this is an acceptance test of the task and it may not be changed without the user’s approval. Fix the code so that the test passes; do not change the test.',
    );
  }, 60_000);

  it('shows a change to an acceptance test to the user in interactive mode, and applies it only with their approval', async () => {
    const { h, key } = setup(
      project([
        diagnosis('The test expects the wrong value.', { path: 'test/add.test.js', edit: WEAKENED }),
        diagnosis('The test is wrong after all.', { path: 'test/add.test.js', edit: WEAKENED }),
      ]),
      { mode: 'interactive' },
    );
    h.controls.start();
    // First the user refuses: the fixer is asked again, told to fix the code.
    const first = await nextQuestion(h);
    expect(first.text).toContain('The BugHunter wants to change test/add.test.js, an acceptance test');
    expect(first.text).toContain("-test('adds two numbers', () => assert.equal(add(2, 3), 5));");
    expect(first.text).toContain("+test('adds two numbers', () => assert.equal(add(2, 3), -1));");
    expect(first.options).toEqual([ALLOW_TEST_CHANGE, REFUSE_TEST_CHANGE]);
    h.controls.answer(first.id, REFUSE_TEST_CHANGE);
    // The re-ask proposes the same change; this time the user allows it, and it is written.
    const second = await nextQuestion(h);
    expect(second.id).not.toBe(first.id);
    expect(promptsOf(key, 'BugHunter')[1]).toContain('the user did not approve changing it');
    expect(h.read('test/add.test.js')).toBe(ADD_TEST);
    h.controls.answer(second.id, ALLOW_TEST_CHANGE);
    await h.drain();
    expectCompleted(h);
    expect(h.read('test/add.test.js')).toContain('assert.equal(add(2, 3), -1)');
  }, 60_000);

  it('re-asks acceptance tests that come with code, and writes only the tests', async () => {
    const replies = project([diagnosis('add() now adds.', { path: 'src/add.js', edit: FIX })]);
    const tests = replies.findIndex((r) => r.match?.contains === "You are Samokoder's TestWriter");
    replies.splice(
      tests,
      0,
      acceptanceTests([
        { path: 'test/add.test.js', content: ADD_TEST },
        { path: 'src/add.js', content: 'export const add = (a, b) => a + b;\n' },
      ]),
    );
    const { h, key } = setup(replies);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    const [, reask] = promptsOf(key, 'TestWriter');
    expect(reask).toContain('src/add.js: not a test file; write only the tests');
    // The code is the plan's: its CodeMonkey wrote it (and the BugHunter fixed it).
    expect(promptsOf(key, 'CodeMonkey')).toHaveLength(1);
    expect(h.read('src/add.js')).toBe(BUGGY_ADD.replace('a - b', 'a + b'));
  }, 60_000);

  it('shows the acceptance tests for review before they are written, when the project asks for it', async () => {
    const { h } = setup(project([diagnosis('add() now adds.', { path: 'src/add.js', edit: FIX })]), {
      mode: 'interactive',
      reviewChanges: true,
    });
    h.controls.start();
    const review = await nextQuestion(h);
    expect(review.review).toMatchObject({ path: 'test/add.test.js', before: null, after: ADD_TEST });
    expect(h.read('test/add.test.js')).toBeNull();
  }, 60_000);
});

describe('the failing output the fixer reads', () => {
  it('is the relevant excerpt of a long test run: the failure among 300 passing tests, not the tail', async () => {
    const MANY_TESTS = [
      "import assert from 'node:assert/strict';",
      "import { test } from 'node:test';",
      "import { add } from '../src/add.js';",
      'for (let i = 0; i < 150; i++) test(`keeps item ${i}`, () => assert.ok(true));',
      "test('adds two numbers', () => assert.equal(add(2, 3), 5));",
      'for (let i = 150; i < 300; i++) test(`keeps item ${i}`, () => assert.ok(true));',
      '',
    ].join('\n');
    const replies = project([diagnosis('add() now adds.', { path: 'src/add.js', edit: FIX })]);
    const tests = replies.findIndex((r) => r.match?.contains === "You are Samokoder's TestWriter");
    replies[tests] = acceptanceTests([{ path: 'test/add.test.js', content: MANY_TESTS }]);
    const { h, key } = setup(replies);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    const printed = ofType(h.events(), 'command.output')
      .map((e) => e.data)
      .join('');
    const failing = printed.slice(0, printed.indexOf('# tests'));
    // The run printed far more than the fixer is shown, with the failure far from its end.
    expect(failing.length).toBeGreaterThan(20_000);
    expect(failing.slice(-6_000)).not.toContain('not ok 151 - adds two numbers');
    const [fixer] = promptsOf(key, 'BugHunter');
    expect(fixer).toContain('Failing tests: adds two numbers');
    expect(fixer).toContain('not ok 151 - adds two numbers');
    expect(fixer).toContain('expected: 5');
    expect(fixer).toContain('actual: -1');
    expect(fixer).toContain('# fail 1');
    expect(fixer).not.toContain('ok 1 - keeps item 0');
  }, 60_000);
});

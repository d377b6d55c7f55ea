import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import type { LlmPort } from '../ports.ts';
import type { AgentsHarness, AgentsHarnessOptions } from './testing/harness.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { acceptanceTests, agent, planningReplies, uselessFix, TASK_ADD } from './testing/common-replies.ts';

const suite = fixtureSuite();

function setup(replies: ScriptedReply[], opts: Partial<AgentsHarnessOptions> = {}) {
  return suite.harness('steer', replies, opts);
}

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);
/** The agent a request to the fixture came from. */
const agentOf = (body: string) => /You are Samokoder's ([\w ]+?)\./.exec(body)?.[1] ?? '?';

function expectCompleted(h: AgentsHarness): void {
  const run = h.journal.run();
  const failures = ofType(h.events(), 'step.failed').map((e) => `${e.agent}: ${e.error}`);
  expect(run.status, `${run.reason?.message}\n${failures.join('\n')}`).toBe('completed');
}

/** Runs steps until the run stops moving, answering every question but the one `stop` picks. */
async function drainAnswering(h: AgentsHarness, stop: (text: string) => boolean): Promise<void> {
  await h.drain();
  for (let q = h.journal.openQuestion(); q && !stop(q.text); q = h.journal.openQuestion()) {
    h.controls.answer(q.id, q.default ?? '');
    await h.drain();
  }
}

const TASK_SUB = {
  title: 'Subtract',
  description: 'src/sub.js exports sub(a, b).',
  acceptance: ['npm test passes'],
};

const planning = (tasks: unknown[] = [TASK_ADD]): ScriptedReply[] => planningReplies({ tasks });

const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";
const NEVER_PASSES =
  "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('never passes', () => assert.equal(1, 2));\n";

function developer(steps: unknown[]): ScriptedReply {
  return { match: agent('Developer'), json: { relevantFiles: [], steps, testInstructions: 'npm test' } };
}
const writeStep = (path: string) => ({ type: 'code', path, instructions: `write ${path}` });
const write = (summary: string, content: string): ScriptedReply => ({
  match: agent('CodeMonkey'),
  json: { summary, content },
});
/** The BugHunter's fix of NEVER_PASSES (an existing file: an edit). */
const fixTest = (path: string): ScriptedReply => ({
  match: agent('BugHunter'),
  json: {
    hypotheses: ['the test is wrong'],
    explanation: 'the test expected 1 to be 2',
    kind: 'fix',
    changes: [{ path, edits: [{ search: 'assert.equal(1, 2)', replace: 'assert.equal(2, 2)' }] }],
  },
});
const readme: ScriptedReply = { match: agent('TechnicalWriter'), text: '# calc\n' };

/** A task whose last step renames add's parameters, and a CodeMonkey whose edit never applies. */
const RENAME = { type: 'code', path: 'src/add.js', instructions: 'name the parameters x and y' };
const missingEdit: ScriptedReply = {
  match: agent('CodeMonkey'),
  json: { summary: 'adds', edits: [{ search: 'nope', replace: 'x' }] },
};
const goodRename: ScriptedReply = {
  match: agent('CodeMonkey'),
  json: {
    summary: 'adds',
    edits: [
      { search: 'add(a, b)', replace: 'add(x, y)' },
      { search: 'return a + b;', replace: 'return x + y;' },
    ],
  },
};
const RENAMED = 'export function add(x, y) {\n  return x + y;\n}\n';

/**
 * A run that fails: the rename's edit misses on every attempt of its step (3 attempts, 4 asks). With
 * `note`, the user sends it while the CodeMonkey's first call is in flight.
 */
async function failedRun(note?: string) {
  let h: AgentsHarness | null = null;
  const chatting = (port: LlmPort): LlmPort => ({
    complete: (request) => {
      if (note && request.agent === 'CodeMonkey' && h!.journal.pendingMessages().length === 0) {
        h!.controls.chat(note, 'message');
        note = undefined;
      }
      return port.complete(request);
    },
  });
  const run = setup(
    [
      ...planning(),
      developer([writeStep('src/add.js'), writeStep('test/add.test.js'), RENAME]),
      write('adds', ADD_JS),
      write('test', ADD_TEST),
      { ...missingEdit, times: 4 },
    ],
    { wrapLlm: chatting },
  );
  h = run.h;
  h.controls.start();
  await h.drain();
  expect(h.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
  expect(h.journal.run().reason!.message).toMatch(/failed 3 times: .*\. Resume to try it afresh/);
  return { h, key: run.key };
}

describe('resume', () => {
  it('tries a failed step afresh: the model is asked again from its first call, and the run continues', async () => {
    const { h, key } = await failedRun();
    const before = suite.fixture.requestsOf(key).length;
    suite.fixture.add(key, [goodRename, readme]);
    expect(h.controls.resume()).toEqual({ ok: true, pump: true });
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/add.js')).toBe(RENAMED);
    // The step's first call was asked again (not replayed): its prompt is the first ask, not a re-ask.
    const after = suite.fixture.requestsOf(key).slice(before);
    expect(after.map((r) => agentOf(r.body))).toEqual(['CodeMonkey', 'TechnicalWriter']);
    expect(after[0]!.body).not.toContain('could not be applied');
    // The failed attempts' calls stay counted: every request the fixture answered is in the totals.
    const recorded = h.sql.one<{ n: number }>('SELECT count(*) AS n FROM llm_calls')!.n;
    expect(recorded).toBe(suite.fixture.requestsOf(key).length);
  }, 60_000);

  it('continues a run rolled back from a failure: the steps run again on the new branch, asking the model, and still hear the user', async () => {
    const NOTE = 'Keep add() in one file.';
    const { h, key } = await failedRun(NOTE);
    expect(h.state()!.notes).toEqual([expect.objectContaining({ text: NOTE })]);
    const developerStep = ofType(h.events(), 'step.completed').find((e) => e.agent === 'Developer')!;
    suite.fixture.add(key, [
      acceptanceTests(),
      write('adds', ADD_JS),
      write('test', ADD_TEST),
      goodRename,
      readme,
    ]);
    expect(h.controls.rollback(developerStep.stepId)).toEqual({ ok: true, pump: false });
    expect(h.journal.run()).toMatchObject({ status: 'paused', branch: 1 });
    const before = suite.fixture.requestsOf(key).length;
    h.controls.resume();
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/add.js')).toBe(RENAMED);
    const after = suite.fixture.requestsOf(key).slice(before);
    expect(after).toHaveLength(5);
    // The message was heard after the step rolled back to: a rollback does not undo what the user said.
    for (const r of after) expect(r.body, agentOf(r.body)).toContain(NOTE);
    expect(h.state()!.notes).toEqual([expect.objectContaining({ text: NOTE })]);
  }, 60_000);

  it('continues a run paused by a loop guard, asking the BugHunter again', async () => {
    const { h, key } = setup([
      ...planning(),
      developer([writeStep('test/x.test.js')]),
      write('a test', NEVER_PASSES),
      uselessFix(1),
      uselessFix(2),
      uselessFix(3),
    ]);
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_failure' } });
    suite.fixture.add(key, [fixTest('test/x.test.js'), readme]);
    const before = suite.fixture.requestsOf(key).length;
    h.controls.resume();
    await h.drain();
    expectCompleted(h);
    const after = suite.fixture.requestsOf(key).slice(before);
    expect(after.map((r) => agentOf(r.body))).toEqual(['BugHunter', 'TechnicalWriter']);
  }, 60_000);

  it('continues a run the user stopped in the middle of a call: the call is made again', async () => {
    let block = true;
    let inCall: () => void = () => {};
    const called = new Promise<void>((resolve) => (inCall = resolve));
    // The CodeMonkey's call hangs until the step is cancelled, as a slow model's would.
    const slow = (port: LlmPort): LlmPort => ({
      complete: (request) => {
        if (!block || request.agent !== 'CodeMonkey') return port.complete(request);
        inCall();
        return new Promise((_, reject) =>
          request.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    const { h, key } = setup(
      [
        ...planning(),
        developer([writeStep('src/add.js'), writeStep('test/add.test.js')]),
        write('adds', ADD_JS),
        write('test', ADD_TEST),
        readme,
      ],
      { wrapLlm: slow },
    );
    h.controls.start();
    const running = h.drain();
    await called;
    expect(h.controls.stop()).toEqual({ ok: true, pump: false });
    await running;
    expect(h.journal.run().status).toBe('stopped');
    block = false;
    const before = suite.fixture.requestsOf(key).length;
    expect(h.controls.resume()).toEqual({ ok: true, pump: true });
    await h.drain();
    expectCompleted(h);
    const after = suite.fixture.requestsOf(key).slice(before);
    expect(after.map((r) => agentOf(r.body))).toEqual(['CodeMonkey', 'CodeMonkey', 'TechnicalWriter']);
    expect(h.read('src/add.js')).toBe(ADD_JS);
  }, 60_000);

  it('continues a run paused on its budget once the budget is raised', async () => {
    const [spec, ...rest] = planning();
    const { h, key } = setup(
      [
        { ...spec!, usage: { input: 1_000_000, output: 0 } },
        ...rest,
        developer([writeStep('src/add.js'), writeStep('test/add.test.js')]),
        write('adds', ADD_JS),
        write('test', ADD_TEST),
        readme,
      ],
      { budgetMicros: 100_000 },
    );
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'budget' } });
    expect(h.controls.resume()).toMatchObject({ ok: false, code: 'conflict' });
    h.journal.setProject({ ...h.journal.project()!, budgetMicros: 50_000_000 });
    expect(h.controls.resume()).toEqual({ ok: true, pump: true });
    await h.drain();
    expectCompleted(h);
    expect(suite.fixture.requestsOf(key).map((r) => agentOf(r.body))).toEqual([
      'SpecWriter',
      'Architect',
      'TechLead',
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'CodeMonkey',
      'TechnicalWriter',
    ]);
  }, 60_000);
});

describe("the user's words", () => {
  it('shows a chat message sent while the CodeMonkey works to every later prompt, in this task and the next', async () => {
    const NOTE = 'The registry is unreachable from the sandbox: add no dependencies.';
    let h: AgentsHarness | null = null;
    let sent = false;
    // The message arrives while the CodeMonkey's first call is in flight.
    const chatting = (port: LlmPort): LlmPort => ({
      complete: (request) => {
        if (request.agent === 'CodeMonkey' && !sent) {
          sent = true;
          expect(h!.controls.chat(NOTE, 'message')).toEqual({ ok: true, pump: false });
        }
        return port.complete(request);
      },
    });
    const run = setup(
      [
        ...planning([TASK_ADD, TASK_SUB]),
        developer([writeStep('src/add.js'), writeStep('test/add.test.js')]),
        write('adds', ADD_JS),
        write('test', NEVER_PASSES),
        fixTest('test/add.test.js'),
        developer([writeStep('src/sub.js')]),
        write('subtracts', 'export const sub = (a, b) => a - b;\n'),
        readme,
      ],
      { wrapLlm: chatting },
    );
    h = run.h;
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    const requests = suite.fixture.requestsOf(run.key);
    expect(requests.map((r) => agentOf(r.body))).toEqual([
      'SpecWriter',
      'Architect',
      'TechLead',
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'CodeMonkey',
      'BugHunter',
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'TechnicalWriter',
    ]);
    // Not in the call it arrived during; in every call after it.
    expect(requests[5]!.body).not.toContain(NOTE);
    for (const r of requests.slice(6)) expect(r.body, agentOf(r.body)).toContain(NOTE);
    expect(h.state()!.notes).toEqual([expect.objectContaining({ kind: 'message', text: NOTE })]);
  }, 60_000);

  it("keeps the user's hint to the BugHunter and shows it to the next task", async () => {
    const HINT = 'Skip installing anything: the registry is unreachable.';
    const { h, key } = setup(
      [
        ...planning([TASK_ADD, TASK_SUB]),
        developer([writeStep('test/x.test.js')]),
        write('a test', NEVER_PASSES),
        uselessFix(1),
        uselessFix(2),
        fixTest('test/x.test.js'),
        developer([writeStep('src/sub.js')]),
        write('subtracts', 'export const sub = (a, b) => a - b;\n'),
        readme,
      ],
      { mode: 'interactive' },
    );
    h.controls.start();
    await drainAnswering(h, (text) => /still fails/.test(text));
    const hint = h.journal.openQuestion()!;
    expect(hint.text).toMatch(/still fails after 2 fixes/);
    h.controls.answer(hint.id, HINT);
    await drainAnswering(h, () => false);
    expectCompleted(h);
    const requests = suite.fixture.requestsOf(key);
    const nextTask = requests.filter((r) => agentOf(r.body) === 'Developer')[1]!;
    expect(nextTask.body).toContain(HINT);
    expect(nextTask.body).toContain('answer to \\"`npm test` still fails after 2 fixes');
    const writer = requests.find((r) => agentOf(r.body) === 'TechnicalWriter')!;
    expect(writer.body).toContain(HINT);
    // "Approve" and the like are not notes: only the user's own words.
    expect(h.state()!.notes).toEqual([expect.objectContaining({ kind: 'answer', text: HINT })]);
  }, 60_000);
});

describe('a message while a question waits', () => {
  it('asks the SpecWriter again with it, and asks the question it then asks instead of reusing the old answer', async () => {
    const NOTE = 'It is a calculator for children.';
    const spec = (question: string): ScriptedReply => ({
      match: agent('SpecWriter'),
      json: {
        name: 'calc',
        summary: 'A tiny module.',
        features: ['adds numbers'],
        complexity: 'simple',
        questions: [{ question, options: ['Yes', 'No'], default: 'Yes' }],
      },
    });
    const { h, key } = setup([spec('Integers only?'), spec('Big buttons?')], { mode: 'interactive' });
    h.controls.start();
    await h.drain();
    const first = h.journal.openQuestion()!;
    expect(first.text).toBe('Integers only?');
    h.controls.chat(NOTE, 'message');
    h.controls.answer(first.id, 'No');
    await h.drain();
    const requests = suite.fixture.requestsOf(key);
    expect(requests.map((r) => agentOf(r.body))).toEqual(['SpecWriter', 'SpecWriter']);
    expect(requests[1]!.body).toContain(NOTE);
    // The new specification's question is asked: the answer to the old one does not answer it.
    expect(h.journal.run().status).toBe('waiting');
    expect(h.journal.openQuestion()!.text).toBe('Big buttons?');
  }, 60_000);
});

describe('the specification', () => {
  const REVIVE = {
    question: 'Can a dead cell come back to life?',
    options: ['No, dead cells stay dead', 'Yes, when two neighbours merge'],
    default: 'No, dead cells stay dead',
  };
  const specReply = (questions: unknown[]): ScriptedReply => ({
    match: agent('SpecWriter'),
    json: {
      name: 'cells',
      summary: 'A grid game of cells.',
      features: ['Cells move on a 4x4 grid', 'A dead cell stays dead for the rest of the game'],
      complexity: 'simple',
      questions,
    },
  });

  it('rewrites the features an answer contradicts, and every later agent reads the agreed spec', async () => {
    const revised = ['Cells move on a 4x4 grid', 'A dead cell comes back to life when two neighbours merge'];
    const { h, key } = setup(
      [
        specReply([REVIVE]),
        { match: agent('SpecWriter'), json: { summary: 'A grid game of cells.', features: revised } },
        ...planning().slice(1),
      ],
      { mode: 'interactive' },
    );
    h.controls.start();
    await h.drain();
    const question = h.journal.openQuestion()!;
    expect(question.text).toBe(REVIVE.question);
    h.controls.answer(question.id, 'Yes, when two neighbours merge');
    await h.drain();
    expect(h.journal.openQuestion()!.text).toMatch(/^The plan:/);
    const requests = suite.fixture.requestsOf(key);
    // The second SpecWriter call had the features and the answer that contradicts one of them.
    expect(requests.map((r) => agentOf(r.body)).slice(0, 3)).toEqual([
      'SpecWriter',
      'SpecWriter',
      'Architect',
    ]);
    expect(requests[1]!.body).toContain('A dead cell stays dead for the rest of the game');
    expect(requests[1]!.body).toContain('Yes, when two neighbours merge');
    const spec = ofType(h.events(), 'artifact').find((e) => e.kind === 'spec')!;
    expect(spec.data).toMatchObject({ features: revised });
    // The Architect reads the agreed features and the decision, and not the contradicted rule.
    expect(requests[2]!.body).toContain('A dead cell comes back to life when two neighbours merge');
    expect(requests[2]!.body).not.toContain('stays dead for the rest of the game');
    expect(requests[2]!.body).toContain(
      'Decided: Can a dead cell come back to life? → Yes, when two neighbours merge',
    );
  }, 60_000);

  it('makes no extra call when every answer is the default the features were written for', async () => {
    const { h, key } = setup([specReply([REVIVE]), ...planning().slice(1)], { mode: 'interactive' });
    h.controls.start();
    await h.drain();
    const question = h.journal.openQuestion()!;
    h.controls.answer(question.id, question.default!);
    await h.drain();
    // The run waits on the plan's approval now.
    expect(h.journal.openQuestion()!.text).toMatch(/^The plan:/);
    const agents = suite.fixture.requestsOf(key).map((r) => agentOf(r.body));
    expect(agents.slice(0, 2)).toEqual(['SpecWriter', 'Architect']);
    expect(ofType(h.events(), 'artifact').find((e) => e.kind === 'spec')!.data).toMatchObject({
      features: ['Cells move on a 4x4 grid', 'A dead cell stays dead for the rest of the game'],
    });
  }, 60_000);
});

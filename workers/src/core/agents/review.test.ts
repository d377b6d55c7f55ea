import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import type { AgentsHarness, AgentsHarnessOptions } from './testing/harness.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';

const suite = fixtureSuite();

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const COMMENT = 'Also export subtract(a, b) from this module.';
const ADD_SUB_JS = `${ADD_JS}\nexport function subtract(a, b) {\n  return a - b;\n}\n`;
const TEST_JS =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";
const EDITED_TEST_JS = `${TEST_JS.replace('import { add }', 'import { add, subtract }')}test('subtracts', () => assert.equal(subtract(5, 3), 2));\n`;

/** A one-task project of two files: src/add.js, then its test; the stack's `npm test` closes it. */
function session(extra: ScriptedReply[] = []): ScriptedReply[] {
  return [
    {
      match: agent('SpecWriter'),
      json: {
        name: 'calc',
        summary: 'A tiny module.',
        features: ['adds'],
        complexity: 'simple',
        questions: [],
      },
    },
    {
      match: agent('Architect'),
      json: { stack: 'node-api', packages: [], systemDependencies: [], notes: 'one module' },
    },
    {
      match: agent('TechLead'),
      json: {
        tasks: [{ title: 'Add', description: 'src/add.js exports add.', acceptance: ['npm test passes'] }],
      },
    },
    {
      match: agent('Developer'),
      json: {
        relevantFiles: [],
        steps: [
          { type: 'code', path: 'src/add.js', instructions: 'export add(a, b)' },
          { type: 'code', path: 'test/add.test.js', instructions: 'test add' },
        ],
        testInstructions: 'npm test',
      },
    },
    ...extra,
    { match: agent('TechnicalWriter'), text: '# calc\n' },
  ];
}

function setup(replies: ScriptedReply[], opts: Partial<AgentsHarnessOptions> = {}) {
  return suite.harness('review', replies, opts);
}

/** The user prompts the CodeMonkey was sent, in order. */
function codeMonkeyPrompts(key: string): string[] {
  return suite.fixture
    .requestsOf(key)
    .map((r) => JSON.parse(r.body) as { messages: { role: string; content: string }[] })
    .filter((b) => b.messages.some((m) => m.content.includes("You are Samokoder's CodeMonkey")))
    .map((b) =>
      b.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n'),
    );
}

/** Runs until the run waits; answers the plan's approval on the way. Returns the open review. */
async function nextReview(h: AgentsHarness) {
  await h.drain();
  let open = h.journal.openQuestion();
  if (open && !open.review && open.text.startsWith('The plan:')) {
    h.controls.answer(open.id, 'Approve');
    await h.drain();
    open = h.journal.openQuestion();
  }
  expect(h.journal.run().status, h.journal.run().reason?.message).toBe('waiting');
  expect(open?.review, open?.text).toBeTruthy();
  return open!;
}

describe('review before apply', () => {
  it('shows each change before it is written: accepted, rejected with a comment the agent acts on, edited', async () => {
    const { h, key } = setup(
      session([
        { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
        { match: { contains: COMMENT }, json: { summary: 'adds and subtracts', content: ADD_SUB_JS } },
        { match: agent('CodeMonkey'), json: { summary: 'tests', content: TEST_JS } },
      ]),
      { mode: 'interactive', reviewChanges: true },
    );
    h.controls.start();

    // The first file is proposed, not written.
    const first = await nextReview(h);
    expect(first.review).toMatchObject({ path: 'src/add.js', before: null, after: ADD_JS, round: 0 });
    expect(first.review!.diff.added).toBe(3);
    expect(h.read('src/add.js')).toBeNull();
    expect(h.controls.answer(first.id, 'looks fine')).toMatchObject({ ok: false, code: 'bad_request' });

    // Rejected with a comment: the CodeMonkey writes it again with the comment, and proposes that.
    expect(h.controls.review(first.id, { decision: 'reject', comment: COMMENT })).toEqual({
      ok: true,
      pump: true,
    });
    const second = await nextReview(h);
    expect(second.review).toMatchObject({ path: 'src/add.js', after: ADD_SUB_JS, round: 1 });
    const rewrite = codeMonkeyPrompts(key)[1]!;
    expect(rewrite).toContain(`rejected it with this comment:\n${COMMENT}`);
    expect(rewrite).toContain('+export function add(a, b) {');
    expect(h.read('src/add.js')).toBeNull();

    // Accepted: written as proposed. The next file's prompt carries the comment too.
    h.controls.review(second.id, { decision: 'accept' });
    const third = await nextReview(h);
    expect(h.read('src/add.js')).toBe(ADD_SUB_JS);
    expect(third.review).toMatchObject({ path: 'test/add.test.js', after: TEST_JS });
    expect(codeMonkeyPrompts(key)[2]).toContain(`review comments on earlier changes in this task`);
    expect(codeMonkeyPrompts(key)[2]).toContain(`- src/add.js: ${COMMENT}`);

    // Edited: the person's text is what is written (and what the tests then run).
    h.controls.review(third.id, { decision: 'edit', content: EDITED_TEST_JS });
    await h.drain();
    expect(h.journal.run().status, h.journal.run().reason?.message).toBe('completed');
    expect(h.read('test/add.test.js')).toBe(EDITED_TEST_JS);

    const events = h.events();
    expect(
      ofType(events, 'question.answered')
        .filter((e) => e.review)
        .map((e) => `${e.review}:${e.answer}`),
    ).toEqual([`reject:Rejected: ${COMMENT}`, 'accept:Accepted', 'edit:Accepted with your edits']);
    expect(ofType(events, 'message').map((e) => e.text)).toContain('Wrote test/add.test.js with your edits.');
    // Three CodeMonkey calls in all: each answer resumed its step from the record, nothing paid twice.
    expect(codeMonkeyPrompts(key)).toHaveLength(3);
    // The CodeMonkey's starts after an answer are resumptions, not retries.
    expect(
      ofType(events, 'step.started')
        .filter((e) => e.agent === 'CodeMonkey')
        .map((e) => e.rerun ?? 'first'),
    ).toEqual(['first', 'answer', 'answer', 'first', 'answer']);
  }, 60_000);

  it('never waits in autopilot, and is not asked for when the project does not want it', async () => {
    for (const opts of [
      { mode: 'autopilot', reviewChanges: true },
      { mode: 'interactive', reviewChanges: false },
    ] as const) {
      const { h } = setup(
        session([
          { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
          { match: agent('CodeMonkey'), json: { summary: 'tests', content: TEST_JS } },
        ]),
        opts,
      );
      h.controls.start();
      await h.drain();
      const plan = h.journal.openQuestion();
      if (plan) {
        expect(plan.review).toBeNull();
        h.controls.answer(plan.id, 'Approve');
        await h.drain();
      }
      expect(h.journal.run().status, JSON.stringify(opts)).toBe('completed');
      expect(ofType(h.events(), 'question').filter((q) => q.review)).toEqual([]);
      expect(h.read('src/add.js')).toBe(ADD_JS);
    }
  }, 60_000);

  it('accepts the change waiting for review once the project stops asking for reviews', async () => {
    const { h } = setup(
      session([
        { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
        { match: agent('CodeMonkey'), json: { summary: 'tests', content: TEST_JS } },
      ]),
      { mode: 'interactive', reviewChanges: true },
    );
    h.controls.start();
    const open = await nextReview(h);
    expect(h.controls.review('s99:q1', { decision: 'accept' })).toMatchObject({ code: 'not_found' });

    h.journal.setProject({ ...h.journal.project()!, reviewChanges: false });
    expect(h.controls.settingsChanged()).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status, h.journal.run().reason?.message).toBe('completed');
    expect(h.read('src/add.js')).toBe(ADD_JS);
    expect(h.journal.question(open.id)).toMatchObject({ by: 'autopilot' });
    expect(ofType(h.events(), 'question').filter((q) => q.review)).toHaveLength(1);
  }, 60_000);
});

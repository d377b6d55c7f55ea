import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import type { AppPort } from './app-port.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { agent, planningReplies, uselessFix } from './testing/common-replies.ts';
import type { AgentsHarness, AgentsHarnessOptions } from './testing/harness.ts';

const suite = fixtureSuite();

function setup(replies: ScriptedReply[], opts: Partial<AgentsHarnessOptions> = {}) {
  return suite.harness('honest', replies, opts);
}

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);
/** The user prompts `key`'s run sent to `name`, in order. */
const promptsTo = (key: string, name: string) =>
  suite.fixture
    .requestsOf(key)
    .map((r) => JSON.parse(r.body) as { messages: { role: string; content: string }[] })
    .filter((b) => b.messages.some((m) => m.role === 'system' && m.content.includes(`Samokoder's ${name}`)))
    .map((b) =>
      b.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n'),
    );
const said = (h: AgentsHarness) => ofType(h.events(), 'message').map((m) => m.text);
const taskEvents = (h: AgentsHarness) =>
  ofType(h.events(), 'task').map((e) => `${e.title}:${e.status}${e.reason ? ` (${e.reason})` : ''}`);

/** SpecWriter, Architect and TechLead replies for a two-task project. */
const planning = planningReplies({
  tasks: [
    { title: 'Check the data', description: 'data/ passes its check.', acceptance: ['the check passes'] },
    { title: 'Add', description: 'src/add.js exports add(a, b).', acceptance: ['npm test passes'] },
  ],
});
/** A command that fails whatever a fix changes: the check of a data file nobody writes. */
const CHECK = "node -e \"require('fs').readFileSync('data/input.json')\"";
const checkTask: ScriptedReply = {
  match: agent('Developer'),
  json: {
    relevantFiles: [],
    steps: [{ type: 'command', command: CHECK }],
    testInstructions: 'run the check',
  },
};
const addTask: ScriptedReply = {
  match: agent('Developer'),
  json: {
    relevantFiles: [],
    steps: [{ type: 'code', path: 'src/add.js', instructions: 'write add' }],
    testInstructions: 'npm test',
  },
};
const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const writeAdd: ScriptedReply = { match: agent('CodeMonkey'), json: { summary: 'add', content: ADD_JS } };
const readme: ScriptedReply = { match: { contains: 'Write README.md.' }, text: '# calc\n', times: 3 };
/** The writer's answer when the README exists: it is still accurate. */
const readmeKept: ScriptedReply = { match: agent('TechnicalWriter'), json: { edits: [] } };

/** Answers the run's questions with their defaults until one matching `stop` is open. */
async function answerUntil(h: AgentsHarness, stop: RegExp): Promise<string> {
  await h.drain();
  for (let q = h.journal.openQuestion(); q && !stop.test(q.text); q = h.journal.openQuestion()) {
    h.controls.answer(q.id, q.default ?? '');
    await h.drain();
  }
  const open = h.journal.openQuestion();
  expect(open?.text, `the run is ${h.journal.run().status}: ${h.journal.run().reason?.message}`).toMatch(
    stop,
  );
  return open!.id;
}

describe('a task that is not done', () => {
  it('ends failed after the user skips its failing command, and nobody is told it is done', async () => {
    const { h, key } = setup(
      [...planning, checkTask, uselessFix(1), uselessFix(2), addTask, writeAdd, readme],
      { mode: 'interactive' },
    );
    h.controls.start();
    const hint = await answerUntil(h, /still fails after 2 fixes/);
    h.controls.answer(hint, 'Skip');
    await h.drain();
    for (let q = h.journal.openQuestion(); q; q = h.journal.openQuestion()) {
      h.controls.answer(q.id, q.default ?? '');
      await h.drain();
    }
    expect(h.journal.run().status).toBe('completed');

    // The plan's task events: failed with the reason, never completed.
    expect(taskEvents(h)).toContain(`Check the data:failed (\`${CHECK}\` still fails)`);
    expect(taskEvents(h)).not.toContain('Check the data:completed');
    expect(taskEvents(h)).toContain('Add:completed');
    // The conversation: honest, never "is done".
    const messages = said(h);
    expect(messages.some((m) => m.includes('"Check the data" is done'))).toBe(false);
    expect(messages).toContainEqual(expect.stringContaining('the task "Check the data" is not done'));
    // The state, and the plan the next agents are shown.
    expect(h.state()!.outcomes!.t1).toEqual({ status: 'failed', reason: `\`${CHECK}\` still fails` });
    const nextPlan = promptsTo(key, 'Developer')[1]!;
    expect(nextPlan).toContain(`[failed: \`${CHECK}\` still fails] Check the data (not done)`);
    expect(nextPlan).toContain('[now] Add');
    // The README's writer is told what does not work, and the run's last word says so too.
    const writer = promptsTo(key, 'TechnicalWriter')[0]!;
    expect(writer).toContain('Not working yet:\n- "Check the data" is not done (failed:');
    expect(writer).toContain('[done] Add');
    expect(messages.at(-1)).toMatch(/^The README is written. Not everything works yet:/);
    // The README (what the export downloads) says it in a section the platform writes.
    expect(h.read('README.md')).toBe(
      `# calc\n\n## Not working yet\n\nSamokoder could not finish these parts:\n\n- "Check the data" is not done (failed: \`${CHECK}\` still fails)\n`,
    );
  }, 60_000);

  it('is skipped from a paused run, shown as skipped to later agents, and can be tried again', async () => {
    const { h, key } = setup([
      ...planning,
      checkTask,
      uselessFix(1),
      uselessFix(2),
      uselessFix(3),
      addTask,
      writeAdd,
      readme,
    ]);
    h.controls.start();
    await h.drain();
    // Autopilot: the loop guard pauses the run and offers the skip.
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_failure' } });
    expect(h.controls.skip()).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(taskEvents(h)).toContain('Check the data:skipped (skipped by the user)');
    expect(said(h)).toContainEqual(
      expect.stringContaining('Skipped: the task "Check the data" is not done.'),
    );
    expect(promptsTo(key, 'Developer')[1]).toContain(
      '[skipped: skipped by the user] Check the data (not done)',
    );
    expect(promptsTo(key, 'TechnicalWriter')[0]).toContain(
      '- "Check the data" is not done (skipped: skipped by the user)',
    );
    expect(h.state()!.outcomes).toMatchObject({ t1: { status: 'skipped' }, t2: { status: 'completed' } });
    // The run completed, but not everything is done: the run (and so the projects listing) says so.
    expect(h.journal.run().unfinishedTasks).toBe(1);
    const firstFinish = h.journal.headStepId()!;

    // Trying it again: a done task cannot be; the skipped one is planned anew, told of the earlier try.
    expect(h.controls.retry('t2')).toMatchObject({ ok: false, code: 'conflict' });
    suite.fixture.add(key, [
      {
        match: agent('Developer'),
        json: {
          relevantFiles: [],
          steps: [
            { type: 'code', path: 'data/input.json', instructions: 'write the data' },
            { type: 'command', command: CHECK },
          ],
          testInstructions: 'run the check',
        },
      },
      { match: agent('CodeMonkey'), json: { summary: 'the data', content: '{}\n' } },
      readmeKept,
    ]);
    expect(h.read('README.md')).toContain('## Not working yet');
    expect(h.controls.retry('t1')).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(promptsTo(key, 'Developer')[2]).toContain(
      'This task was tried before and is not done (skipped: skipped by the user)',
    );
    expect(taskEvents(h).slice(-2)).toEqual(['Check the data:started', 'Check the data:completed']);
    // Only the retried task ran: the other is not planned again; the app is started and the README rewritten.
    expect(promptsTo(key, 'Developer')).toHaveLength(3);
    expect(h.state()!.outcomes).toMatchObject({ t1: { status: 'completed' }, t2: { status: 'completed' } });
    expect(promptsTo(key, 'TechnicalWriter')).toHaveLength(2);
    expect(promptsTo(key, 'TechnicalWriter')[1]).not.toContain('Not working yet');
    // The README is edited, not written again: the platform's section goes now that everything works.
    expect(promptsTo(key, 'TechnicalWriter')[1]).toContain('The current content of README.md:\n# calc\n');
    expect(said(h).at(-1)).toBe('The README is updated. The app is ready.');
    expect(h.read('README.md')).toBe('# calc\n');
    expect(h.journal.run().unfinishedTasks).toBe(0);
    // Back to the first finish: the skipped task is not done there.
    expect(h.controls.rollback(firstFinish)).toEqual({ ok: true, pump: false });
    expect(h.journal.run().unfinishedTasks).toBe(1);
  }, 60_000);
});

/** An app that never answers on its port. */
const deadApp: AppPort = {
  start: async () => ({
    ready: false,
    previewUrl: null,
    logs: 'Error: listen EADDRINUSE: address already in use',
  }),
  check: async () => ({ status: 'skipped', summary: 'No page.', evidence: '', problems: [] }),
};

describe("the Skip control and the app's start", () => {
  const onlyAdd: ScriptedReply[] = [
    planning[0]!,
    planning[1]!,
    {
      match: agent('TechLead'),
      json: {
        tasks: [
          { title: 'Add', description: 'src/add.js exports add(a, b).', acceptance: ['npm test passes'] },
        ],
      },
    },
    addTask,
    writeAdd,
    uselessFix(1),
    uselessFix(2),
    readme,
  ];

  it('moves on to the README with the Skip control, closing the open question', async () => {
    const { h, key } = setup(onlyAdd, { mode: 'interactive', app: deadApp });
    h.controls.start();
    const question = await answerUntil(h, /`npm start` still fails after 2 fixes/);
    expect(h.controls.skip()).toEqual({ ok: true, pump: true });
    expect(h.journal.question(question)).toMatchObject({ answer: 'Skip', by: 'user' });
    expect(ofType(h.events(), 'question.answered').at(-1)).toMatchObject({ questionId: question });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.read('README.md')).toContain('## Not working yet');
    expect(h.read('README.md')).toContain('- The app was not started (skipped by the user).');
    expect(promptsTo(key, 'TechnicalWriter')[0]).toContain(
      'Not working yet:\n- The app was not started (skipped by the user).',
    );
    expect(said(h)).toContainEqual(
      'Skipped "Debug npm start": it did not finish. Moving on to "Write the README".',
    );
    expect(said(h).at(-1)).toContain('- The app was not started (skipped by the user).');
  }, 60_000);

  it('moves on to the README when the user answers "Skip" to the failing start', async () => {
    const { h, key } = setup(onlyAdd, { mode: 'interactive', app: deadApp });
    h.controls.start();
    const question = await answerUntil(h, /`npm start` still fails after 2 fixes/);
    h.controls.answer(question, 'Skip');
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(said(h)).toContainEqual(
      expect.stringContaining('Moving on although `npm start` still fails (no answer on port'),
    );
    expect(promptsTo(key, 'TechnicalWriter')[0]).toMatch(
      /- The app was not started \(`npm start` still fails \(no answer on port \d+\); the user moved on\)/,
    );
  }, 60_000);

  it('skips the task of a failed run and continues with the next one', async () => {
    const { h, key } = setup(
      [
        ...planning,
        { match: agent('Developer'), json: { nonsense: true }, times: 2 },
        addTask,
        writeAdd,
        readme,
      ],
      { guards: { maxStepAttempts: 1 } },
    );
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
    expect(h.controls.skip()).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(taskEvents(h)).toEqual([
      'Check the data:started',
      'Check the data:skipped (skipped by the user)',
      'Add:started',
      'Add:completed',
    ]);
    expect(promptsTo(key, 'Developer').at(-1)).toContain('[skipped: skipped by the user] Check the data');
  }, 60_000);

  it('skips a task waiting on a review: the review is closed and nothing of it is written', async () => {
    const { h, key } = setup([...onlyAdd.slice(0, 4), writeAdd, readme], {
      mode: 'interactive',
      reviewChanges: true,
    });
    h.controls.start();
    const review = await answerUntil(h, /src\/add\.js/);
    expect(h.journal.question(review)?.review).not.toBeNull();
    expect(h.controls.skip()).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.journal.question(review)?.answer).not.toBeNull();
    expect(h.read('src/add.js')).toBeNull();
    expect(taskEvents(h)).toContain('Add:skipped (skipped by the user)');
    expect(promptsTo(key, 'TechnicalWriter')[0]).toContain(
      '- "Add" is not done (skipped: skipped by the user)',
    );
  }, 60_000);

  it('finishes the run without a README when its step is skipped', async () => {
    const { h, key } = setup(onlyAdd.slice(0, 5));
    h.controls.start();
    for (let i = 0; i < 50 && h.journal.activeStep()?.ref.agent !== 'TechnicalWriter'; i++) {
      await h.engine.runNext();
    }
    expect(h.journal.activeStep()?.ref.title).toBe('Write the README');
    expect(h.controls.skip()).toEqual({ ok: true, pump: false });
    expect(h.journal.run()).toMatchObject({
      status: 'completed',
      reason: { code: 'completed', message: 'Finished without "Write the README".' },
    });
    await h.drain();
    expect(h.read('README.md')).toBeNull();
    expect(promptsTo(key, 'TechnicalWriter')).toHaveLength(0);
    expect(said(h).at(-1)).toBe('Skipped "Write the README": the run finishes without it.');
  }, 60_000);

  it('refuses, saying why, where there is nothing to skip', async () => {
    const { h } = setup([], { mode: 'interactive' });
    h.controls.start();
    expect(h.journal.activeStep()?.ref.agent).toBe('SpecWriter');
    expect(h.controls.skip()).toMatchObject({
      ok: false,
      code: 'conflict',
      message: 'There is nothing to skip now: Skip moves past a task, the start of the app or the README.',
    });
  });
});

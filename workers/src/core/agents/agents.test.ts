import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import { platformOnly } from '../../llm/keys.ts';
import type { ServerEvent } from '../../protocol.ts';
import type { ExecRequest, LlmPort } from '../ports.ts';
import type { AgentsHarness, AgentsHarnessOptions } from './testing/harness.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { acceptanceTests, planningReplies, uselessFix } from './testing/common-replies.ts';
import { localSandbox } from './testing/local-sandbox.ts';

const suite = fixtureSuite();

function setup(replies: ScriptedReply[], opts: Partial<AgentsHarnessOptions> = {}) {
  return suite.harness('unit', replies, opts);
}

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);
const userPrompt = (key: string, i: number) => {
  const body = JSON.parse(suite.fixture.requestsOf(key)[i]!.body) as {
    messages: { role: string; content: string }[];
  };
  return body.messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
};

function expectCompleted(h: AgentsHarness): void {
  const run = h.journal.run();
  const failures = ofType(h.events(), 'step.failed').map((e) => `${e.agent}: ${e.error}`);
  expect(run.status, `${run.reason?.message}\n${failures.join('\n')}`).toBe('completed');
}

/** SpecWriter, Architect and TechLead replies for a one-task project. */
const planning = (questions: unknown[] = []): ScriptedReply[] => planningReplies({ questions });

const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";

function developer(steps: unknown[]): ScriptedReply {
  return { match: agent('Developer'), json: { relevantFiles: [], steps, testInstructions: 'npm test' } };
}
const writeStep = (path: string) => ({ type: 'code', path, instructions: `write ${path}` });

describe('CodeMonkey', () => {
  it('re-asks when a search text does not match exactly once, and applies the corrected edits', async () => {
    const { h, key } = setup([
      ...planning(),
      developer([
        writeStep('src/add.js'),
        writeStep('test/add.test.js'),
        { type: 'code', path: 'src/add.js', instructions: 'name the parameters x and y' },
      ]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
      // A whole rewrite of an existing file and an edit that matches nowhere: both refused, re-asked.
      {
        match: agent('CodeMonkey'),
        json: {
          summary: 'adds',
          content: 'export const add = (x, y) => x + y;\n',
          edits: [{ search: 'return a - b;', replace: 'x' }],
        },
      },
      {
        match: agent('CodeMonkey'),
        json: {
          summary: 'adds',
          edits: [
            { search: 'add(a, b)', replace: 'add(x, y)' },
            { search: 'return a + b;', replace: 'return x + y;' },
          ],
        },
      },
      { match: agent('TechnicalWriter'), text: '# calc\n' },
    ]);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/add.js')).toBe('export function add(x, y) {\n  return x + y;\n}\n');
    const reask = userPrompt(key, 8);
    expect(reask).toContain('could not be applied');
    expect(reask).toContain('does not occur in the file: "return a - b;"');
    // The re-ask shows the file as it is now, to copy the search texts from.
    expect(reask).toContain(`The current text of src/add.js (the whole file):\n\`\`\`\n${ADD_JS}\`\`\``);
  }, 30_000);

  it('applies an edit whose search text differs from the file only in whitespace, without a re-ask', async () => {
    const { h, key } = setup([
      ...planning(),
      developer([
        writeStep('src/add.js'),
        writeStep('test/add.test.js'),
        { type: 'code', path: 'src/add.js', instructions: 'name the parameters x and y' },
      ]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
      // Indented by four spaces where the file has two, with a trailing space and CRLF line breaks.
      {
        match: agent('CodeMonkey'),
        json: {
          summary: 'adds',
          edits: [
            {
              search: 'export function add(a, b) { \r\n    return a + b;\r\n',
              replace: 'export function add(x, y) {\r\n    return x + y;\r\n',
            },
          ],
        },
      },
      { match: agent('TechnicalWriter'), text: '# calc\n' },
    ]);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/add.js')).toBe('export function add(x, y) {\n  return x + y;\n}\n');
    expect(suite.fixture.requestsOf(key).filter((r) => r.body.includes('could not be applied'))).toHaveLength(
      0,
    );
  }, 30_000);

  it('fails the step, changing nothing, when the re-ask misses too', async () => {
    const { h, key } = setup([
      ...planning(),
      developer([writeStep('src/add.js'), { type: 'code', path: 'src/add.js', instructions: 'rename' }]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      {
        match: agent('CodeMonkey'),
        json: { summary: 'adds', edits: [{ search: 'nope', replace: 'x' }] },
        times: 4,
      },
    ]);
    h.controls.start();
    await h.drain();
    // Each retry asked the model again for the answer that could not be applied (not a replay of it).
    expect(suite.fixture.requestsOf(key).filter((r) => r.body.includes('could not be applied'))).toHaveLength(
      3,
    );
    const failures = ofType(h.events(), 'step.failed');
    expect(failures.at(-1)).toMatchObject({ agent: 'CodeMonkey', willRetry: false });
    expect(failures.at(-1)!.error).toMatch(/could not be applied after a re-ask: src\/add.js: edit 1/);
    expect(h.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
    expect(h.read('src/add.js')).toBe(ADD_JS);
  }, 30_000);
});

describe('what the coder and its reviewer see', () => {
  it('shows the test writer the module it tests, and the reviewer the task, the tests and the whole file', async () => {
    const ADD_SUB_JS = `${ADD_JS}\nexport function subtract(a, b) {\n  return a + b;\n}\n`;
    const { h, key } = setup(
      [
        ...planning(),
        developer([
          writeStep('src/add.js'),
          { type: 'code', path: 'test/add.test.js', instructions: 'test it' },
          { type: 'code', path: 'src/add.js', instructions: 'also export subtract(a, b)' },
        ]),
        { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
        { match: agent('code reviewer'), json: { approved: true, issues: [] } },
        { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
        { match: agent('code reviewer'), json: { approved: true, issues: [] } },
        {
          match: agent('CodeMonkey'),
          json: { summary: 'adds', edits: [{ search: '}\n', replace: ADD_SUB_JS.slice(ADD_JS.length - 2) }] },
        },
        { match: agent('code reviewer'), json: { approved: true, issues: [] } },
        { match: agent('TechnicalWriter'), text: '# calc\n' },
      ],
      { review: true },
    );
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(h.read('src/add.js')).toBe(ADD_SUB_JS);
    const requests = suite.fixture
      .requestsOf(key)
      .map((r, i) => ({ body: r.body, user: userPrompt(key, i) }));
    const of = (who: string) => requests.filter((r) => r.body.includes(`You are Samokoder's ${who}`));
    const [, testWriter] = of('CodeMonkey');
    const [, , lastReview] = of('code reviewer');

    // The test writer was shown the module it tests (no step or plan named it: found by its name).
    expect(testWriter!.user).toContain('The file test/add.test.js does not exist yet');
    expect(testWriter!.user).toContain(`--- src/add.js\n${ADD_JS}\n--- end of src/add.js`);

    // The reviewer of the module's change saw the task with its acceptance criteria, the module's
    // tests, and the whole file as it would be, not only the diff.
    expect(lastReview!.user).toContain(
      'Task: Add\nsrc/add.js exports add(a, b).\nAcceptance criteria:\n- npm test passes',
    );
    expect(lastReview!.user).toContain(`--- test/add.test.js\n${ADD_TEST}\n--- end of test/add.test.js`);
    expect(lastReview!.user).toContain(`The whole of src/add.js after the change:\n${ADD_SUB_JS}`);
  }, 30_000);
});

describe('questions and the plan in interactive mode', () => {
  it("parks on the SpecWriter's question and on the plan, and revises the plan with the user's feedback", async () => {
    const question = { question: 'Integers only?', options: ['Yes', 'No'], default: 'Yes' };
    const { h, key } = setup(
      [
        ...planning([question]),
        // The answer differs from the default: the features are brought in line with it.
        {
          match: agent('SpecWriter'),
          json: { summary: 'A tiny module.', features: ['adds integers and fractions'] },
        },
        {
          match: agent('TechLead'),
          json: { tasks: [{ title: 'Add and subtract', description: 'both', acceptance: ['tests pass'] }] },
        },
      ],
      { mode: 'interactive' },
    );
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({
      status: 'waiting',
      reason: { code: 'question', message: 'Integers only?' },
    });
    const q1 = h.journal.openQuestion()!;
    h.controls.answer(q1.id, 'No');
    await h.drain();
    const q2 = h.journal.openQuestion()!;
    expect(q2.text).toContain('1. Add');
    h.controls.answer(q2.id, 'Also subtract, please');
    await h.drain();
    // The SpecWriter was not asked again on its re-run; the TechLead got the feedback.
    const agents = suite.fixture.requestsOf(key).map((r) => /You are Samokoder's (\w+)/.exec(r.body)?.[1]);
    expect(agents.slice(0, 5)).toEqual(['SpecWriter', 'SpecWriter', 'Architect', 'TechLead', 'TechLead']);
    expect(userPrompt(key, 4)).toContain("The user's feedback on the previous plan:\nAlso subtract, please");
    expect(userPrompt(key, 3)).toContain('Decided: Integers only? → No');
    expect(h.state()!.tasks.map((t) => t.title)).toEqual(['Add and subtract']);
  }, 30_000);
});

describe('conventions', () => {
  it("shows every agent the Architect's conventions, seeded from the stack's, as the one source", async () => {
    const CONVENTIONS = 'ES modules. Tests in test/*.test.js with node:test; one module per feature in src/.';
    const [spec, architect, ...rest] = planning();
    const { h, key } = setup([
      spec!,
      { ...architect!, json: { ...(architect!.json as object), conventions: CONVENTIONS } },
      ...rest,
      developer([writeStep('src/add.js'), writeStep('test/add.test.js')]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
      { match: agent('TechnicalWriter'), text: '# calc\n' },
    ]);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    const requests = suite.fixture.requestsOf(key).map((_, i) => userPrompt(key, i));
    // The Architect saw the stack's conventions to start from.
    expect(requests[1]).toContain('src/app.js exports createServer() (node:http) without listening');
    // Every later agent sees the Architect's, and not the catalog's beside them.
    for (const later of requests.slice(2)) {
      expect(later).toContain(`Conventions:\n${CONVENTIONS}`);
      expect(later).not.toContain('src/app.js exports createServer() (node:http) without listening');
    }
    expect(ofType(h.events(), 'artifact').find((e) => e.kind === 'architecture')?.data).toMatchObject({
      conventions: CONVENTIONS,
    });
  }, 30_000);
});

describe('checks by hand', () => {
  const CHECK = 'Open the page and see that 2 + 3 shows 5';
  const withCheck = () => [
    ...planning(),
    developer([
      writeStep('src/add.js'),
      writeStep('test/add.test.js'),
      { type: 'human', instructions: CHECK },
    ]),
    { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
    { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
    { match: agent('TechnicalWriter'), text: '# calc\n' },
  ];
  /** What the agents said about checks by hand. */
  const checkNotes = (h: AgentsHarness) =>
    ofType(h.events(), 'message')
      .filter((e) => e.role === 'agent' && /check by hand/i.test(e.text))
      .map((e) => e.text);

  it('skips a check by hand in autopilot and says so, instead of passing it off as done', async () => {
    const { h } = setup(withCheck());
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    expect(ofType(h.events(), 'question.answered').at(-1)).toMatchObject({ answer: 'Skip', by: 'autopilot' });
    expect(checkNotes(h)).toEqual([
      `Skipped a check by hand (no one checked it): ${CHECK}\nCheck it yourself when you try the app.`,
    ]);
  }, 30_000);

  it('asks an interactive user to check by hand and waits for the answer', async () => {
    const { h, key } = setup(withCheck(), { mode: 'interactive' });
    h.controls.start();
    await h.drain();
    const plan = h.journal.openQuestion()!;
    expect(plan.text).toMatch(/^The plan:/);
    h.controls.answer(plan.id, 'Approve');
    await h.drain();
    // The run waits on the check: the tests after it have not run, the README is not written.
    expect(h.journal.run()).toMatchObject({ status: 'waiting', reason: { code: 'question' } });
    const check = h.journal.openQuestion()!;
    expect(check).toMatchObject({ options: ['Done', 'Skip'], answer: null });
    expect(check.text).toContain(CHECK);
    expect(ofType(h.events(), 'command.start')).toEqual([]);
    expect(suite.fixture.requestsOf(key).some((r) => r.body.includes('TechnicalWriter'))).toBe(false);
    h.controls.answer(check.id, 'Done');
    await h.drain();
    expectCompleted(h);
    expect(ofType(h.events(), 'command.start').map((e) => e.command)).toEqual(['npm test']);
    expect(checkNotes(h)).toEqual([]);
  }, 30_000);
});

describe('dependencies', () => {
  it('installs them (with the network) before the next command once package.json declares some, and only again when it changes', async () => {
    const sandbox = localSandbox();
    suite.track(sandbox);
    // The registry is out of reach from here: the install (the only command that asks for the
    // network) is answered as npm would, every other command runs for real.
    const installs: ExecRequest[] = [];
    const offline: typeof sandbox = {
      ...sandbox,
      exec: (request, onOutput, signal) => {
        if (request.network !== 'egress') return sandbox.exec(request, onOutput, signal);
        installs.push(request);
        return Promise.resolve({ exitCode: 0, timedOut: false, durationMs: 5, output: 'added 1 package\n' });
      },
    };
    const withDependency = {
      search: '"private": true,',
      replace: '"private": true,\n  "dependencies": { "left-pad": "1.3.0" },',
    };
    const { h } = setup(
      [
        ...planning(),
        developer([
          { type: 'code', path: 'package.json', instructions: 'depend on left-pad' },
          writeStep('src/add.js'),
          writeStep('test/add.test.js'),
        ]),
        { match: agent('CodeMonkey'), json: { summary: 'manifest', edits: [withDependency] } },
        { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
        { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
        { match: agent('TechnicalWriter'), text: '# calc\n' },
      ],
      { sandbox: offline },
    );
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    const started = ofType(h.events(), 'command.start').map((e) => e.command);
    expect(started).toEqual(['npm install --no-audit --no-fund', 'npm test']);
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatchObject({ network: 'egress' });
    expect(ofType(h.events(), 'artifact').find((e) => e.kind === 'preview')?.data).toMatchObject({
      install: 'npm install --no-audit --no-fund',
    });
  }, 30_000);
});

describe('keys', () => {
  it('parks with a question when there is no key, and continues once one is added', async () => {
    const { h, key, sandbox } = setup(planning(), { keys: platformOnly({}), mode: 'interactive' });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('waiting');
    const question = h.journal.openQuestion()!;
    expect(question.text).toMatch(/No API key for OpenAI: add one in Settings → LLM keys/);
    expect(suite.fixture.requestsOf(key)).toHaveLength(0);
    const withKey = h.restart({ keys: platformOnly({ openai: { apiKey: key } }), sandbox });
    withKey.controls.answer(question.id, 'Added');
    await withKey.drain();
    expect(suite.fixture.requestsOf(key).length).toBeGreaterThanOrEqual(3);
    const frames = JSON.stringify(withKey.events()) + JSON.stringify(withKey.sql.all('SELECT * FROM steps'));
    expect(frames).not.toContain(key);
  }, 30_000);
});

describe('keys in autopilot', () => {
  it('waits for the user too: autopilot cannot add a key, and switching to it does not move on', async () => {
    const { h, key } = setup(planning(), { keys: platformOnly({}), mode: 'autopilot' });
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('waiting');
    const question = h.journal.openQuestion()!;
    expect(question).toMatchObject({ default: null, answer: null });
    expect(h.events().filter((e) => e.type === 'question.answered')).toEqual([]);
    // The engine runs again (an alarm, a mode change): the question still waits.
    h.controls.resume();
    await h.drain();
    expect(h.journal.run().status).toBe('waiting');
    expect(suite.fixture.requestsOf(key)).toHaveLength(0);
  }, 30_000);
});

/** A test that no fix makes pass, and the BugHunter's attempts at it (each adds a note, none helps). */
const NEVER_PASSES =
  "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('never passes', () => assert.equal(1, 2));\n";

describe('guards', () => {
  it('stops before a call the budget no longer allows, and says why', async () => {
    const { h, key } = setup(
      [{ ...planning()[0]!, usage: { input: 1_000_000, output: 0 } }, ...planning().slice(1)],
      { budgetMicros: 100_000 },
    );
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'budget' } });
    expect(h.journal.run().reason!.message).toMatch(/budget is spent/);
    expect(suite.fixture.requestsOf(key)).toHaveLength(1);
  }, 30_000);

  it('counts and records calls that were billed but unusable, and makes no re-ask the budget cannot pay', async () => {
    // An output still invalid after its re-ask: both rounds are billed, on every attempt of the step.
    const invalid: ScriptedReply = {
      match: agent('SpecWriter'),
      fault: { kind: 'invalid_json' },
      usage: { input: 1000, output: 100 },
      times: 6,
    };
    const { h, key } = setup([invalid]);
    h.controls.start();
    await h.drain();
    expect(h.journal.run().status).toBe('failed');
    const lost = h.sql.all<{ key: string; cost_micros: number }>(
      "SELECT key, cost_micros FROM llm_calls WHERE key LIKE '%:lost%' ORDER BY key",
    );
    expect(lost.map((r) => r.key)).toEqual(['s1:c1:lost1', 's1:c1:lost2', 's1:c1:lost3']);
    const billed = suite.fixture.requestsOf(key).length;
    expect(billed).toBe(6);
    expect(h.journal.run().totals.costMicros).toBe(lost.reduce((n, r) => n + r.cost_micros, 0));
    expect(h.journal.run().totals.inputTokens).toBe(billed * 1000);

    // A first round that spends the budget: no re-ask, the run pauses on the budget, the round counts.
    const broke = setup([{ ...invalid, usage: { input: 1_000_000, output: 0 }, times: 1 }], {
      budgetMicros: 100_000,
    });
    broke.h.controls.start();
    await broke.h.drain();
    expect(broke.h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'budget' } });
    expect(suite.fixture.requestsOf(broke.key)).toHaveLength(1);
    expect(broke.h.journal.run().totals.costMicros).toBeGreaterThan(100_000);
  }, 30_000);

  it('pauses when the same test failure survives three fixes', async () => {
    const { h, key } = setup([
      ...planning(),
      developer([writeStep('test/x.test.js')]),
      { match: agent('CodeMonkey'), json: { summary: 'a test', content: NEVER_PASSES } },
      uselessFix(1),
      uselessFix(2),
      uselessFix(3),
      uselessFix(4),
    ]);
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'repeated_failure' } });
    expect(h.journal.run().reason!.message).toMatch(/7 times in a row in the task "Add": npm test/);
    expect(suite.fixture.requestsOf(key).filter((r) => r.body.includes('BugHunter'))).toHaveLength(3);
  }, 60_000);

  it('asks an interactive user for a hint after two failed fixes, and gives it to the next attempt', async () => {
    const { h, key } = setup(
      [
        ...planning(),
        developer([writeStep('test/x.test.js')]),
        { match: agent('CodeMonkey'), json: { summary: 'a test', content: NEVER_PASSES } },
        uselessFix(1),
        uselessFix(2),
        uselessFix(3),
      ],
      { mode: 'interactive' },
    );
    h.controls.start();
    await h.drain();
    // The plan's approval comes first.
    for (let q = h.journal.openQuestion(); q && !/still fails/.test(q.text); q = h.journal.openQuestion()) {
      h.controls.answer(q.id, q.default ?? '');
      await h.drain();
    }
    const hint = h.journal.openQuestion()!;
    expect(hint.text).toMatch(/`npm test` still fails after 2 fixes/);
    expect(suite.fixture.requestsOf(key).filter((r) => r.body.includes('BugHunter'))).toHaveLength(2);
    h.controls.answer(hint.id, 'The test itself is wrong: 1 is not 2.');
    await h.drain();
    const third = suite.fixture.requestsOf(key).filter((r) => r.body.includes('BugHunter'))[2]!;
    expect(third.body).toContain("The user's hint: The test itself is wrong: 1 is not 2.");
  }, 60_000);
});

describe('BugHunter', () => {
  it('re-asks a refused edit with the current text of a file an earlier fix wrote', async () => {
    const npmrc = 'strict-ssl=true\nloglevel=warn\n';
    const { h, key } = setup([
      ...planning(),
      developer([writeStep('test/x.test.js')]),
      { match: agent('CodeMonkey'), json: { summary: 'a test', content: NEVER_PASSES } },
      {
        match: agent('BugHunter'),
        json: {
          hypotheses: ['npm'],
          explanation: 'npm settings',
          kind: 'logging',
          changes: [{ path: '.npmrc', content: npmrc }],
        },
      },
      // The model guesses the file's text wrong: refused, re-asked with the file.
      {
        match: agent('BugHunter'),
        json: {
          hypotheses: ['npm'],
          explanation: 'more logging',
          kind: 'logging',
          changes: [{ path: '.npmrc', edits: [{ search: 'loglevel=info', replace: 'loglevel=verbose' }] }],
        },
      },
      {
        match: agent('BugHunter'),
        json: {
          hypotheses: ['npm'],
          explanation: 'more logging',
          kind: 'logging',
          changes: [{ path: '.npmrc', edits: [{ search: 'loglevel=warn', replace: 'loglevel=verbose' }] }],
        },
      },
      uselessFix(3),
    ]);
    h.controls.start();
    await h.drain();
    const hunts = suite.fixture
      .requestsOf(key)
      .filter((r) => r.body.includes("You are Samokoder's BugHunter"));
    expect(hunts.length).toBeGreaterThanOrEqual(3);
    // The second attempt's prompt shows the file the first attempt wrote (see debug-loop.test.ts); its
    // re-ask shows it again, with the problems.
    expect(hunts[2]!.body).toContain(
      '.npmrc: edit 1: the search text does not occur in the file: \\"loglevel=info\\"',
    );
    expect(hunts[2]!.body).toContain(
      JSON.stringify(`The current text of .npmrc (the whole file):\n\`\`\`\n${npmrc}\`\`\``).slice(1, -1),
    );
    expect(h.read('.npmrc')).toBe('strict-ssl=true\nloglevel=verbose\n');
  }, 60_000);
});

describe('resuming', () => {
  it('reuses recorded outputs after a crash and makes no repeated paid call', async () => {
    let made = 0;
    const hangAt = 7;
    const hanging = (port: LlmPort): LlmPort => ({
      complete: (request) => (++made === hangAt ? new Promise(() => {}) : port.complete(request)),
    });
    const replies = [
      ...planning(),
      // The plan's step that writes the acceptance test is dropped: the TestWriter wrote it.
      developer([writeStep('src/add.js'), writeStep('test/add.test.js')]),
      acceptanceTests([{ path: 'test/add.test.js', content: ADD_TEST }]),
      { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
      { match: agent('code reviewer'), json: { approved: true, issues: [] } },
      { match: agent('TechnicalWriter'), text: '# calc\n' },
    ];
    const { h, key, sandbox } = setup(replies, { review: true, wrapLlm: hanging });
    h.controls.start();
    // The seventh call (the first review) never returns: the process "dies" with the CodeMonkey's write recorded.
    void h.drain();
    await new Promise((r) => setTimeout(r, 500));
    expect(suite.fixture.requestsOf(key)).toHaveLength(6);
    const resumed = h.restart({ wrapLlm: undefined, sandbox });
    await resumed.drain();
    expectCompleted(resumed);
    // As many requests as replies: the recorded CodeMonkey call of the interrupted step was replayed.
    expect(suite.fixture.requestsOf(key)).toHaveLength(replies.length);
    expect(suite.fixture.script.pending()[key]).toBe(0);
    const started = ofType(resumed.events(), 'step.started').filter((e) => e.agent === 'CodeMonkey');
    expect(started.map((e) => `${e.stepId}/${e.attempt}`)).toEqual(['6/1', '6/2']);
  }, 30_000);
});

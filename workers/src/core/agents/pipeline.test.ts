import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECT, todoSession } from '../../../../infra/demo/todo-session.ts';
import { FIXED_REMOVE, README_MD, TODOS_TEST_JS } from '../../../../infra/demo/todo-app.ts';
import { acceptanceTests } from './testing/common-replies.ts';
import type { ArtifactKind, ServerEvent } from '../../protocol.ts';
import { agentsHarness } from './testing/harness.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { localSandbox } from './testing/local-sandbox.ts';

const suite = fixtureSuite();

/** A change request's acceptance test: the page has the count. */
const COUNT_TEST_JS = `import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

test('the page has a count above the list', async () => {
  const html = await readFile(new URL('../public/index.html', import.meta.url), 'utf8');
  assert.match(html, /<h1>Todos<\\/h1>\\s*<p id="count"><\\/p>/);
});
`;

/** A run of its own: a fixture key (script and requests) and a sandbox (closed after the test unless `keep`). */
function setup(opts: Partial<Parameters<typeof agentsHarness>[0]> = {}, keep = false) {
  const key = suite.newKey('agents');
  const sandbox = localSandbox();
  if (!keep) suite.track(sandbox);
  const h = agentsHarness({ fixtureUrl: suite.fixture.url, key, sandbox, ...DEMO_PROJECT, ...opts });
  return { h, key, sandbox };
}

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

/** The latest artifact of `kind`, typed. */
const artifactOf = <K extends ArtifactKind>(events: ServerEvent[], kind: K) =>
  ofType(events, 'artifact').find((e): e is Extract<typeof e, { kind: K }> => e.kind === kind);

/** A task's events, as `status: title`. */
const taskEvents = (h: { events(): ServerEvent[] }, taskId: string) =>
  ofType(h.events(), 'task')
    .filter((e) => e.taskId === taskId)
    .map((e) => `${e.status}: ${e.title}`);

/** The user message of each request the fixture got for `key`, by the agent it was for. */
function prompts(key: string): { agent: string; user: string; system: string }[] {
  return suite.fixture.requestsOf(key).map((r) => {
    const body = JSON.parse(r.body) as { messages: { role: string; content: string }[] };
    const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
    return {
      agent: /You are Samokoder's ([A-Za-z ]+?)[.]/.exec(system)?.[1] ?? '?',
      system,
      user: body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
    };
  });
}

describe('the agents build the demo app', () => {
  let run: ReturnType<typeof setup>;
  beforeAll(async () => {
    run = setup({}, true);
    suite.fixture.add(run.key, todoSession());
    run.h.controls.start();
    await run.h.drain();
  }, 60_000);
  afterAll(() => run.sandbox.close());

  it('goes from the description to a tested, running app with a README, fixing the planted bug', async () => {
    const { h, key, sandbox } = run;
    expect(h.journal.run().status).toBe('completed');
    const events = h.events();

    // Every scripted reply was used, each agent spoke in turn.
    expect(suite.fixture.script.pending()[key]).toBe(0);
    expect(prompts(key).map((p) => p.agent)).toEqual([
      'SpecWriter',
      'Architect',
      'TechLead',
      // Each task's acceptance tests are written after its plan, before its code.
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'code reviewer',
      'BugHunter',
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'code reviewer',
      'CodeMonkey',
      'code reviewer',
      'Developer',
      'TestWriter',
      ...Array.from({ length: 4 }, () => ['CodeMonkey', 'code reviewer']).flat(),
      'TechnicalWriter',
    ]);

    // The first task: its plan, its acceptance tests, then its code, which the tests' run judges.
    expect(
      ofType(events, 'step.started')
        .filter((e) => e.task === 't1')
        .map((e) => e.title),
    ).toEqual([
      'Plan: Todo store with tests',
      'Write the acceptance tests',
      'Write src/todos.js',
      'Run npm test',
      'Debug npm test',
      'Run npm test',
    ]);
    const storeWrite = prompts(key).find((p) => p.user.includes('The file src/todos.js does not exist yet'))!;
    expect(storeWrite.user).toContain(`--- test/todos.test.js\n${TODOS_TEST_JS}`);

    // The first test run failed on the planted bug; the BugHunter's fix made it pass.
    const exits = ofType(events, 'command.exit').map((e) => e.exitCode);
    const commands = ofType(events, 'command.start').map((e) => e.command);
    expect(commands).toEqual(['npm test', 'npm test', 'npm test', 'npm test']);
    expect(exits[0]).not.toBe(0);
    expect(exits.slice(1)).toEqual([0, 0, 0]);
    expect(h.read('src/todos.js')).toContain(FIXED_REMOVE);
    expect(ofType(events, 'artifact').find((e) => e.kind === 'diagnosis')?.data).toMatchObject({
      kind: 'fix',
      files: ['src/todos.js'],
    });

    // The autopilot answered the SpecWriter's question with its default.
    expect(ofType(events, 'question.answered')[0]).toMatchObject({
      answer: 'No, in memory is fine',
      by: 'autopilot',
    });
    // The plan groups its tasks by epic.
    const plan = artifactOf(events, 'plan')!.data;
    expect(plan.epics.map((e) => [e.title, e.tasks.map((t) => t.title)])).toEqual([
      ['Todos API', ['Todo store with tests', 'REST API with tests']],
      ['Web page', ['Web page']],
    ]);

    // The three tasks completed, each with test instructions for the user.
    expect(ofType(events, 'task').map((e) => `${e.taskId}:${e.status}`)).toEqual([
      't1:started',
      't1:completed',
      't2:started',
      't2:completed',
      't3:started',
      't3:completed',
    ]);
    expect(ofType(events, 'artifact').filter((e) => e.kind === 'test-instructions')).toHaveLength(3);

    // The app started: its API answers and its page is served; the README was written from the stream.
    expect(ofType(events, 'artifact').find((e) => e.kind === 'preview')!.data).toEqual({
      port: 3000,
      command: 'npm start',
      install: null,
      watches: false,
    });
    // The platform loaded the app's page in a headless browser and found nothing wrong with it.
    expect(ofType(events, 'app.check').map((e) => [e.status, e.problems])).toEqual([['passed', []]]);
    const url = sandbox.appUrl()!;
    const res = await fetch(new URL('/api/todos', url));
    expect(await res.json()).toEqual([]);
    expect(await (await fetch(new URL('/', url))).text()).toContain('<h1>Todos</h1>');
    expect(h.read('README.md')).toBe(README_MD);
    const writer = ofType(events, 'stream.start').find((e) => e.agent === 'TechnicalWriter')!;
    const streamed = ofType(events, 'stream.delta').filter((e) => e.streamId === writer.streamId);
    expect(streamed.map((e) => e.text).join('')).toBe(README_MD);

    // The sandbox got everything once, then only what changed.
    expect(sandbox.writes[0]).toEqual(
      expect.arrayContaining(['package.json', 'src/todos.js', 'test/todos.test.js', '.samokoder/sync.json']),
    );
    expect(sandbox.writes[1]).toEqual(['src/todos.js']);

    // Usage: the fixture's scripted usage, priced, and per-task prompt-token stats.
    const sum = (f: (c: (typeof h.calls)[number]) => number) => h.calls.reduce((n, c) => n + f(c), 0);
    expect(h.calls).toHaveLength(25);
    expect(h.journal.run().totals).toMatchObject({
      inputTokens: sum((c) => c.usage.inputTokens),
      outputTokens: sum((c) => c.usage.outputTokens),
      costMicros: sum((c) => c.costMicros ?? 0),
    });
    expect(h.calls[0]!.usage).toEqual({ inputTokens: 420, outputTokens: 180, cachedTokens: 0 });
    const stats = h.state()!.stats;
    expect(Object.keys(stats).sort()).toEqual(['finish', 'plan', 't1', 't2', 't3']);
    expect(stats.t2!.calls).toBe(6);
  });

  it('shows each call the files it must agree with and the project map, not the whole project', () => {
    const all = prompts(run.key);
    const developer2 = all.filter((p) => p.agent === 'Developer')[1]!;
    // The planner sees the map and, the project being small, the text of its files within the budget.
    expect(developer2.user).toContain('The project map (path: exported names — note):');
    expect(developer2.user).toContain('--- src/todos.js');
    expect(developer2.user).toContain('--- package.json');
    const appWrite = all.find((p) => p.user.includes('The file src/app.js does not exist yet'))!;
    expect(appWrite.user).toContain('--- src/todos.js'); // relevant: the store it serves
    expect(appWrite.user).not.toContain('--- test/todos.test.js'); // not relevant: only in the map
    expect(appWrite.user).toContain('- test/todos.test.js');
    // A stylesheet's call carries the page it styles, not the app's JavaScript.
    const styleWrite = all.find((p) => p.user.includes('The file public/style.css does not exist yet'))!;
    expect(styleWrite.user).toContain('--- public/index.html');
    expect(styleWrite.user).not.toContain('--- src/app.js');
    expect(styleWrite.user).not.toContain('createServer(store)');
    const bugHunter = all.find((p) => p.agent === 'BugHunter')!;
    expect(bugHunter.user).toContain('removes a todo'); // the failing test's output
    expect(bugHunter.user).toContain('--- src/todos.js');
    // Every prompt is well under the size of the project.
    for (const p of all) expect(p.user.length).toBeLessThan(20_000);
  });

  it('never lets the key into an event, a step or a recorded call', () => {
    const stored = JSON.stringify([
      run.h.events(),
      run.h.sql.all('SELECT * FROM steps'),
      run.h.sql.all('SELECT * FROM llm_calls'),
    ]);
    expect(stored).not.toContain(run.key);
  });

  it("turns the user's bug report on the finished app into a task of its own", async () => {
    const { h, key } = run;
    const deleteLine =
      "        return store.remove(id) ? send(res, 204, null) : send(res, 404, { error: 'not found' });";
    suite.fixture.add(key, [
      {
        match: { contains: "You are Samokoder's Troubleshooter" },
        json: {
          title: 'DELETE of a missing todo answers 410',
          analysis: 'DELETE of a missing todo answers 404; the user wants 410 Gone.',
          hypotheses: ['the DELETE route maps a missing todo to 404'],
          relevantFiles: ['src/app.js'],
          steps: [
            { type: 'code', path: 'src/app.js', instructions: 'Answer 410 for DELETE of a missing todo.' },
          ],
          testInstructions: 'curl -X DELETE localhost:3000/api/todos/99 answers 410.',
        },
      },
      {
        match: { contains: "You are Samokoder's CodeMonkey" },
        json: {
          summary: 'the HTTP server: the API under /api and the files of public/',
          edits: [{ search: deleteLine, replace: deleteLine.replace('404', '410') }],
        },
      },
      { match: { contains: "You are Samokoder's code reviewer" }, json: { approved: true, issues: [] } },
      // The README exists: the writer edits it (here it is still accurate).
      { match: { contains: "You are Samokoder's TechnicalWriter" }, json: { edits: [] } },
    ]);
    expect(h.controls.chat('Deleting a todo that does not exist should say 410 Gone', 'bug')).toEqual({
      ok: true,
      pump: true,
    });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.read('src/app.js')).toContain("send(res, 410, { error: 'not found' })");
    // The task starts with a neutral title; the model's summary replaces it, never the report cut off.
    expect(taskEvents(h, 'fix1')).toEqual([
      'started: Your bug report',
      'started: DELETE of a missing todo answers 410',
      'completed: DELETE of a missing todo answers 410',
    ]);
    expect(h.state()!.tasks.at(-1)).toMatchObject({
      id: 'fix1',
      title: 'DELETE of a missing todo answers 410',
    });
    expect(prompts(key).filter((p) => p.agent === 'Developer')).toHaveLength(3); // the plan's three tasks only
    const said = ofType(h.events(), 'message').find((e) => e.agent === 'Troubleshooter')!;
    expect(said.text).toContain('Hypotheses:\n1. the DELETE route maps a missing todo to 404');
    const troubleshooter = prompts(key).find((p) => p.agent === 'Troubleshooter')!;
    expect(troubleshooter.system).toContain('a test that reproduces the problem');
    expect(troubleshooter.user).toContain('should say 410 Gone');
    expect(troubleshooter.user).toContain(
      '- src/app.js: the HTTP server: the API under /api and the files of public/',
    );
    // The CodeMonkey saw the file it changed, whole.
    const change = prompts(key)
      .filter((p) => p.agent === 'CodeMonkey')
      .at(-1)!;
    expect(change.user).toContain('The current content of src/app.js:');
  }, 60_000);
  it("plans the user's change request as a task of its own, with acceptance criteria and a summary title", async () => {
    const { h, key } = run;
    const before = prompts(key).length;
    suite.fixture.add(key, [
      {
        match: { contains: "The user's change request:" },
        json: {
          title: 'Todo count above the list',
          description: 'The page shows how many todos there are, above the list, kept up to date.',
          acceptance: ['the page shows "N todos" above the list', 'the count follows adds and deletes'],
          relevantFiles: ['public/app.js'],
          steps: [
            { type: 'code', path: 'public/index.html', instructions: 'Add <p id="count"></p> under the h1.' },
          ],
          testInstructions: 'Open the page: the count shows above the list.',
        },
      },
      acceptanceTests([{ path: 'test/count.test.js', content: COUNT_TEST_JS }]),
      {
        match: { contains: "You are Samokoder's CodeMonkey" },
        json: {
          summary: 'the page',
          edits: [{ search: '<h1>Todos</h1>', replace: '<h1>Todos</h1>\n      <p id="count"></p>' }],
        },
      },
      { match: { contains: "You are Samokoder's code reviewer" }, json: { approved: true, issues: [] } },
      {
        match: { contains: "You are Samokoder's TechnicalWriter" },
        json: {
          edits: [{ search: '## API\n', replace: '## API\n\nThe page shows how many todos there are.\n' }],
        },
      },
    ]);
    const text = 'show the total number of todos at the top of the page';
    expect(h.controls.chat(text, 'change')).toEqual({ ok: true, pump: true });
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(h.read('public/index.html')).toContain('<p id="count"></p>');
    // The README gained the change, the rest of it as it was.
    expect(h.read('README.md')).toBe(
      README_MD.replace('## API\n', '## API\n\nThe page shows how many todos there are.\n'),
    );

    // The Developer planned it (not the Troubleshooter, whose prompt asks for a failing test of a bug).
    const asked = prompts(key).slice(before);
    expect(asked.map((p) => p.agent)).toEqual([
      'Developer',
      'TestWriter',
      'CodeMonkey',
      'code reviewer',
      'TechnicalWriter',
    ]);
    expect(asked[0]!.user).toContain(`The user's change request:\n${text}`);
    expect(asked[0]!.user).toContain('Plan:\n');
    // Its acceptance tests were written from its criteria before the code, and ran with the stack's tests.
    expect(asked[1]!.user).toContain('- the page shows "N todos" above the list');
    expect(h.read('test/count.test.js')).toBe(COUNT_TEST_JS);
    const runs = ofType(h.events(), 'command.output')
      .map((e) => e.data)
      .join('');
    expect(runs).toContain('the page has a count above the list');
    // The task is in the plan, with the model's title and acceptance criteria, which the coder is given.
    expect(h.state()!.tasks.at(-1)).toMatchObject({
      id: 'change2',
      title: 'Todo count above the list',
      acceptance: ['the page shows "N todos" above the list', 'the count follows adds and deletes'],
    });
    expect(asked[2]!.user).toContain('Task: Todo count above the list');
    expect(asked[2]!.user).toContain('- the count follows adds and deletes');
    expect(taskEvents(h, 'change2')).toEqual([
      'started: Your change request',
      'started: Todo count above the list',
      'completed: Todo count above the list',
    ]);
    const steps = ofType(h.events(), 'step.started').filter((e) => e.task === 'change2');
    expect(steps[0]).toMatchObject({ agent: 'Developer', title: 'Plan your change request' });
    const said = ofType(h.events(), 'message').filter((e) => e.agent === 'Developer');
    expect(said.at(-1)!.text).toContain('Planned as the task "Todo count above the list"');
  }, 60_000);

  it('plans a plain message on the finished app as a change too, not as a bug to reproduce', async () => {
    const { h, key } = run;
    const before = prompts(key).length;
    suite.fixture.add(key, [
      {
        match: { contains: "The user's message:" },
        json: {
          title: 'Footer with the app name',
          description: 'A footer under the list naming the app.',
          acceptance: ['the page ends with a footer saying "Todos"'],
          relevantFiles: [],
          steps: [{ type: 'code', path: 'public/index.html', instructions: 'Add a footer.' }],
          testInstructions: 'Open the page: the footer shows.',
        },
      },
      acceptanceTests(),
      {
        match: { contains: "You are Samokoder's CodeMonkey" },
        json: {
          summary: 'the page',
          edits: [{ search: '</main>', replace: '  <footer>Todos</footer>\n    </main>' }],
        },
      },
      { match: { contains: "You are Samokoder's code reviewer" }, json: { approved: true, issues: [] } },
      // The README exists: the writer edits it (here it is still accurate).
      { match: { contains: "You are Samokoder's TechnicalWriter" }, json: { edits: [] } },
    ]);
    h.controls.chat('put a footer with the app name under the list', 'message');
    await h.drain();
    expect(h.journal.run().status).toBe('completed');
    expect(
      prompts(key)
        .slice(before)
        .map((p) => p.agent),
    ).toEqual(['Developer', 'TestWriter', 'CodeMonkey', 'code reviewer', 'TechnicalWriter']);
    expect(taskEvents(h, 'change3')).toEqual([
      'started: Your request',
      'started: Footer with the app name',
      'completed: Footer with the app name',
    ]);
    expect(h.read('public/index.html')).toContain('<footer>Todos</footer>');
  }, 60_000);
});

/**
 * The debug loop over the LLM fixture and a local sandbox: every round is told what became of the
 * attempts before it (applied and the output after it, or rejected and why), across cycles of its task;
 * a fix that cannot be applied is a rejected attempt, not a failed step; a loop with a model that costs
 * nothing is bounded by the round limit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import type { AppPort } from './app-port.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import type { AgentsHarness } from './testing/harness.ts';
import { acceptanceTests, agent, planningReplies, uselessFix } from './testing/common-replies.ts';
import { localSandbox } from './testing/local-sandbox.ts';

const suite = fixtureSuite();

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);

/** The user messages of each BugHunter request the fixture received, in order. */
function bugHunterPrompts(key: string): string[] {
  return suite.fixture
    .requestsOf(key)
    .map((r) => JSON.parse(r.body) as { messages: { role: string; content: string }[] })
    .filter((b) => b.messages.some((m) => m.content.includes("You are Samokoder's BugHunter")))
    .map((b) =>
      b.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n'),
    );
}

function expectCompleted(h: AgentsHarness): void {
  const run = h.journal.run();
  const failures = ofType(h.events(), 'step.failed').map((e) => `${e.agent}: ${e.error}`);
  expect(run.status, `${run.reason?.message}\n${failures.join('\n')}`).toBe('completed');
}

/** SpecWriter, Architect and TechLead replies for a one-task project, free of charge when `free`. */
const planning = (free = false): ScriptedReply[] => planningReplies({ free });

function developer(steps: unknown[], free = false): ScriptedReply {
  return {
    match: agent('Developer'),
    json: { relevantFiles: [], steps, testInstructions: 'npm test' },
    ...(free ? { usage: { input: 0, output: 0 } } : {}),
  };
}
const writeStep = (path: string) => ({ type: 'code', path, instructions: `write ${path}` });

/** A test that fails until the BugHunter corrects it ({@link fixesTheTest}). */
const FAILING_TEST =
  "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('adds', () => assert.equal(1 + 1, 3));\n";
const fixesTheTest: ScriptedReply = {
  match: agent('BugHunter'),
  json: {
    hypotheses: ['the test expects the wrong sum'],
    explanation: 'The test expected 3 for 1 + 1.',
    kind: 'fix',
    changes: [
      {
        path: 'test/x.test.js',
        edits: [{ search: 'assert.equal(1 + 1, 3)', replace: 'assert.equal(1 + 1, 2)' }],
      },
    ],
  },
};
const readme: ScriptedReply = { match: agent('TechnicalWriter'), text: '# calc\n' };

describe('the debug loop', () => {
  it('makes a fix still refused after its re-ask a rejected attempt: nothing thrown or replayed, and the next round is told why, with the file', async () => {
    const npmrc = 'strict-ssl=true\nloglevel=warn\n';
    const wrongEdit: ScriptedReply = {
      match: agent('BugHunter'),
      json: {
        hypotheses: ['npm'],
        explanation: 'More npm logging.',
        kind: 'logging',
        changes: [{ path: '.npmrc', edits: [{ search: 'loglevel=info', replace: 'loglevel=verbose' }] }],
      },
      // The round and its re-ask: the model guesses the file's text wrong twice.
      times: 2,
    };
    const { h, key } = suite.harness('refused', [
      ...planning(),
      developer([writeStep('test/x.test.js')]),
      { match: agent('CodeMonkey'), json: { summary: 'a test', content: FAILING_TEST } },
      {
        match: agent('BugHunter'),
        json: {
          hypotheses: ['npm'],
          explanation: 'npm settings',
          kind: 'logging',
          changes: [{ path: '.npmrc', content: npmrc }],
        },
      },
      wrongEdit,
      fixesTheTest,
      readme,
    ]);
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    // No step threw: the engine never retried a step, so no recorded answer was replayed.
    expect(ofType(h.events(), 'step.failed')).toEqual([]);
    const rounds = bugHunterPrompts(key);
    expect(rounds).toHaveLength(4);
    const next = rounds[3]!;
    expect(next).toContain('Your previous attempt #2 (logging, at `npm test`): More npm logging.');
    expect(next).toContain('What became of it: REJECTED, nothing was changed');
    expect(next).toContain('.npmrc: edit 1: the search text does not occur in the file: "loglevel=info"');
    // The file it must copy from, as it is now.
    expect(next).toContain(`--- .npmrc\n${npmrc}\n--- end of .npmrc`);
    // The first attempt is there too, with what became of it.
    expect(next).toMatch(
      /#1 \(logging, at `npm test`\): npm settings[\s\S]*applied; then `npm test` failed \(exit code 1\)/,
    );
    expect(h.read('.npmrc')).toBe(npmrc);
    expect(ofType(h.events(), 'message').map((e) => e.text)).toContainEqual(
      expect.stringMatching(/The fix could not be applied, so nothing was changed/),
    );
  }, 60_000);

  it('keeps the history across cycles of a task: an install fixed and passing, then the tests failing, are one history', async () => {
    const sandbox = suite.track(localSandbox());
    // The registry is out of reach from here: the install is answered as npm answers a version that
    // does not exist (a mistake in the code), or a good one.
    const registry: typeof sandbox = {
      ...sandbox,
      exec: (request, onOutput, signal) => {
        if (request.network !== 'egress') return sandbox.exec(request, onOutput, signal);
        const manifest = readFileSync(join(sandbox.dir, 'package.json'), 'utf8');
        return Promise.resolve(
          manifest.includes('9.9.9')
            ? {
                exitCode: 1,
                timedOut: false,
                durationMs: 5,
                output:
                  'npm error code ETARGET\nnpm error notarget No matching version found for left-pad@^9.9.9.\n',
              }
            : { exitCode: 0, timedOut: false, durationMs: 5, output: 'added 1 package\n' },
        );
      },
    };
    const { h, key } = suite.harness(
      'cycle',
      [
        ...planning(),
        developer([
          { type: 'code', path: 'package.json', instructions: 'depend on left-pad' },
          writeStep('test/x.test.js'),
        ]),
        {
          match: agent('CodeMonkey'),
          json: {
            summary: 'manifest',
            edits: [
              {
                search: '"private": true,',
                replace: '"private": true,\n  "dependencies": { "left-pad": "^9.9.9" },',
              },
            ],
          },
        },
        { match: agent('CodeMonkey'), json: { summary: 'a test', content: FAILING_TEST } },
        {
          match: agent('BugHunter'),
          json: {
            hypotheses: ['left-pad has no version 9'],
            explanation: 'Depend on left-pad 1.3.0, which exists.',
            kind: 'fix',
            changes: [{ path: 'package.json', edits: [{ search: '^9.9.9', replace: '1.3.0' }] }],
          },
        },
        fixesTheTest,
        readme,
      ],
      { sandbox: registry },
    );
    h.controls.start();
    await h.drain();
    expectCompleted(h);
    const rounds = bugHunterPrompts(key);
    expect(rounds).toHaveLength(2);
    expect(rounds[0]).toContain('The command `npm install --no-audit --no-fund` exited with exit code 1');
    // The second round debugs the tests, and sees the first, on the install, with what became of it.
    expect(rounds[1]).toContain('The command `npm test` exited with exit code 1');
    expect(rounds[1]).toContain(
      'Your previous attempt #1 (fix, at `npm install --no-audit --no-fund`): Depend on left-pad 1.3.0, which exists.',
    );
    expect(rounds[1]).toContain('What became of it: applied; then `npm install --no-audit --no-fund` passed');
  }, 60_000);

  it('stops a loop starting the app with a model that costs nothing, by the round limit, and says why', async () => {
    // An app that never comes up, and a model whose every attempt (free of charge) changes nothing.
    const neverUp: AppPort = {
      start: async () => ({
        ready: false,
        previewUrl: null,
        logs: "file:///app/src/server.js:3\nSyntaxError: Unexpected token '}'\n",
      }),
      check: async () => ({ status: 'skipped', summary: 'No page.', evidence: '', problems: [] }),
    };
    const { h, key } = suite.harness(
      'free',
      [
        ...planning(true),
        developer([writeStep('src/add.js')], true),
        acceptanceTests([], true),
        {
          match: agent('CodeMonkey'),
          json: { summary: 'adds', content: 'export const add = (a, b) => a + b;\n' },
          usage: { input: 0, output: 0 },
        },
        ...Array.from({ length: 20 }, (_, i) => uselessFix(i + 1, true)),
      ],
      // The repeated-failure guard is set out of the way: the round limit is what stops this loop.
      { app: neverUp, guards: { maxStepsOutsideTasks: 6, maxRepeatedFailures: 1000 } },
    );
    h.controls.start();
    await h.drain();
    const run = h.journal.run();
    expect(run).toMatchObject({ status: 'paused', reason: { code: 'task_iterations' } });
    expect(run.reason!.message).toMatch(/outside the plan's tasks \(now "Start the app"\) took 6 steps/);
    expect(run.totals.costMicros).toBe(0);
    // Start, debug, start, debug, start, debug: three rounds, then the pause.
    expect(bugHunterPrompts(key)).toHaveLength(3);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import type { ServerEvent } from '../../protocol.ts';
import type { ExecOutcome } from '../ports.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { localSandbox, type LocalSandbox } from './testing/local-sandbox.ts';
import { agent, planningReplies } from './testing/common-replies.ts';
import { NPM10_ENOTFOUND, NPM11_SELF_SIGNED } from './testing/failure-outputs.ts';

const suite = fixtureSuite();

const ofType = <T extends ServerEvent['type']>(events: ServerEvent[], type: T) =>
  events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);
const agentsAsked = (key: string) =>
  suite.fixture.requestsOf(key).map((r) => /You are Samokoder's (\w+)/.exec(r.body)?.[1]);

const ADD_JS = 'export function add(a, b) {\n  return a + b;\n}\n';
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";

/**
 * A one-task project whose package.json declares a dependency, so its first command installs. No
 * reply is scripted for the BugHunter: a call to it would find none and fail the run.
 */
const project: ScriptedReply[] = [
  ...planningReplies({
    packages: ['left-pad'],
    tasks: [{ title: 'Add', description: 'src/add.js exports add(a, b).', acceptance: ['npm test'] }],
  }),
  {
    match: agent('Developer'),
    json: {
      relevantFiles: [],
      steps: [
        { type: 'code', path: 'package.json', instructions: 'depend on left-pad' },
        { type: 'code', path: 'src/add.js', instructions: 'write it' },
        { type: 'code', path: 'test/add.test.js', instructions: 'test it' },
      ],
      testInstructions: 'npm test',
    },
  },
  {
    match: agent('CodeMonkey'),
    json: {
      summary: 'manifest',
      edits: [
        {
          search: '"private": true,',
          replace: '"private": true,\n  "dependencies": { "left-pad": "1.3.0" },',
        },
      ],
    },
  },
  { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
  { match: agent('CodeMonkey'), json: { summary: 'test', content: ADD_TEST } },
  { match: agent('TechnicalWriter'), text: '# calc\n' },
];

/**
 * The local sandbox, except that the install (the one command given the network) answers as npm does
 * while `registry.failure` is set, and succeeds once it is cleared (the operator fixed the network).
 */
function sandboxWithRegistry(sandbox: LocalSandbox) {
  const registry: { failure: string | null; installs: number } = { failure: null, installs: 0 };
  const wrapped: LocalSandbox = {
    ...sandbox,
    exec: (request, onOutput, signal) => {
      if (request.network !== 'egress') return sandbox.exec(request, onOutput, signal);
      registry.installs += 1;
      const outcome: ExecOutcome = registry.failure
        ? { exitCode: 1, timedOut: false, durationMs: 5, output: registry.failure }
        : { exitCode: 0, timedOut: false, durationMs: 5, output: 'added 1 package\n' };
      onOutput(registry.failure ? 'stderr' : 'stdout', outcome.output);
      return Promise.resolve(outcome);
    },
  };
  return { registry, sandbox: wrapped };
}

describe('an environment failure', () => {
  it('goes to the user and the platform’s retries, not to the BugHunter, pauses the run, and Resume finishes the task once it is fixed', async () => {
    const { registry, sandbox } = sandboxWithRegistry(suite.track(localSandbox()));
    registry.failure = NPM10_ENOTFOUND;
    const { h, key } = suite.harness('env', project, { sandbox, guards: { maxEnvironmentTries: 3 } });
    h.controls.start();
    await h.drain();

    const run = h.journal.run();
    expect(run).toMatchObject({ status: 'paused', reason: { code: 'environment' } });
    expect(run.reason!.message).toMatch(
      /^`npm install --no-audit --no-fund` failed because of the environment/,
    );
    expect(run.reason!.message).toContain('getaddrinfo ENOTFOUND registry.example.test');
    expect(run.reason!.message).toContain('SANDBOX_NPM_REGISTRY');
    expect(run.reason!.message).toContain('The platform tried 3 times; Resume to try again.');
    expect(registry.installs).toBe(3);
    // Tried by the platform: the step started again, each failure reported, never counted as its own.
    const failures = ofType(h.events(), 'step.failed').filter((e) => e.agent === 'Executor');
    expect(failures.map((e) => e.willRetry)).toEqual([true, true, false]);
    // The user was told once, by the platform, in the conversation.
    const told = ofType(h.events(), 'message').filter((e) => e.role === 'system');
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('getaddrinfo ENOTFOUND');
    expect(told[0]!.text).toContain('no agent is asked');
    expect(agentsAsked(key)).not.toContain('BugHunter');

    // The operator fixed the registry: Resume installs, runs the tests and finishes.
    registry.failure = null;
    expect(h.controls.resume().ok).toBe(true);
    await h.drain();
    const after = h.journal.run();
    expect(after.status, after.reason?.message).toBe('completed');
    expect(registry.installs).toBe(4);
    expect(ofType(h.events(), 'command.start').map((e) => e.command)).toContain('npm test');
    expect(ofType(h.events(), 'task').map((e) => `${e.title}:${e.status}`)).toContain('Add:completed');
    expect(agentsAsked(key)).not.toContain('BugHunter');
    expect(suite.fixture.script.pending()[key]).toBe(0);
  }, 60_000);

  it('takes a sandbox that fails (its runner answering an error) for the environment too', async () => {
    const { sandbox } = sandboxWithRegistry(suite.track(localSandbox()));
    const working = sandbox.exec;
    let down = true;
    sandbox.exec = (request, onOutput, signal) =>
      down && request.command === 'npm test'
        ? Promise.reject(new Error('the sandbox-runner answered 503'))
        : working(request, onOutput, signal);
    const { h, key } = suite.harness('env', project, { sandbox, guards: { maxEnvironmentTries: 2 } });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'environment' } });
    expect(h.journal.run().reason!.message).toContain(
      'The sandbox failed, not the project (the sandbox-runner answered 503)',
    );
    expect(agentsAsked(key)).not.toContain('BugHunter');
    down = false;
    h.controls.resume();
    await h.drain();
    expect(h.journal.run().status, h.journal.run().reason?.message).toBe('completed');
  }, 60_000);

  it('gives the platform a fresh round of tries after Resume, and a recovery midway needs no Resume', async () => {
    const { registry, sandbox } = sandboxWithRegistry(suite.track(localSandbox()));
    registry.failure = NPM11_SELF_SIGNED;
    const { h, key } = suite.harness('env', project, { sandbox, guards: { maxEnvironmentTries: 2 } });
    h.controls.start();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'environment' } });
    expect(h.journal.run().reason!.message).toContain('SELF_SIGNED_CERT_IN_CHAIN');
    expect(h.journal.run().reason!.message).toContain('SANDBOX_CA_CERTS');
    expect(registry.installs).toBe(2);

    // Still broken: Resume tries as many times again (not once), then pauses again.
    h.controls.resume();
    await h.drain();
    expect(h.journal.run()).toMatchObject({ status: 'paused', reason: { code: 'environment' } });
    expect(registry.installs).toBe(4);

    // Fixed while the platform is still trying: it carries on by itself.
    h.controls.resume();
    const sandboxExec = sandbox.exec;
    sandbox.exec = (request, onOutput, signal) => {
      const outcome = sandboxExec(request, onOutput, signal);
      if (request.network === 'egress') registry.failure = null;
      return outcome;
    };
    await h.drain();
    expect(h.journal.run().status, h.journal.run().reason?.message).toBe('completed');
    expect(registry.installs).toBe(6);
    expect(agentsAsked(key)).not.toContain('BugHunter');
  }, 60_000);
});

/**
 * TechnicalWriter and Troubleshooter over replies in the shapes real models send (see
 * `testing/recorded-replies.ts`), through each provider's SDK and wire format: what they end up with,
 * how many calls it took (a re-ask costs one), and what the user was told.
 */
import { describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../../../infra/llm-fixture/fixture.ts';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { cutOff, proseWrapped, textCutOff } from './testing/recorded-replies.ts';
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
const ADD_TEST =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n";
const README =
  '# calc\n\nAdds numbers.\n\n## Test\n\n```bash\nnpm test\n```\n\n## Use\n\n```js\nadd(2, 3); // 5\n```\n';

/** Everything up to the README of a one-task project whose test passes. */
function finishedTask(): ScriptedReply[] {
  return [
    ...planningReplies(),
    developerReply([writeStep('src/add.js'), writeStep('test/add.test.js')]),
    acceptanceTests([{ path: 'test/add.test.js', summary: 'tests add', content: ADD_TEST }]),
    { match: agent('CodeMonkey'), json: { summary: 'adds', content: ADD_JS } },
  ];
}

function expectCompleted(run: RecordedRun): void {
  const failures = run.h
    .events()
    .flatMap((e) => (e.type === 'step.failed' ? [`${e.agent}: ${e.error}`] : []))
    .join('\n');
  expect(run.h.journal.run().status, failures).toBe('completed');
}

describe('TechnicalWriter', () => {
  it("writes the README alone from a small model's fenced README between its sentences, in one call", async () => {
    const run = recordedRun(suite, 'compatible', [
      ...finishedTask(),
      {
        match: agent('TechnicalWriter'),
        text: `Here's the README.md for your project:\n\n\`\`\`markdown\n${README}\`\`\`\n\nFeel free to adjust the wording!`,
      },
    ]);
    run.h.controls.start();
    await run.h.drain();
    expectCompleted(run);
    expect(run.h.read('README.md')).toBe(README);
    expect(run.requestsOf('TechnicalWriter')).toHaveLength(1);
  }, 60_000);

  it('never writes a README cut off at the output limit: it is asked again for a shorter one', async () => {
    const run = recordedRun(suite, 'openai', [
      ...finishedTask(),
      textCutOff(agent('TechnicalWriter'), '# calc\n\nAdds numbers.\n\n## Install\n\nRun `npm ins'),
      { match: agent('TechnicalWriter'), text: README },
    ]);
    run.h.controls.start();
    await run.h.drain();
    expectCompleted(run);
    expect(run.h.read('README.md')).toBe(README);
    expect(run.requestsOf('TechnicalWriter')).toHaveLength(2);
    expect(run.lastUserMessage('TechnicalWriter', 1)).toMatch(
      /^Your previous reply was cut off at the output limit after about \d+ tokens.*complete answer, shorter/,
    );
    expect(run.said('TechnicalWriter')).toEqual(['The README is written. The app is ready.']);
  }, 60_000);

  it('fails saying the README was cut off, and writes none, when the re-ask is cut off too', async () => {
    // One attempt: a retried step replays its recorded answers (this test is about the one attempt).
    const run = recordedRun(
      suite,
      'groq',
      [
        ...finishedTask(),
        { ...textCutOff(agent('TechnicalWriter'), '# calc\n\nAdds numbers.\n\n## Inst'), times: 2 },
      ],
      { guards: { maxStepAttempts: 1 } },
    );
    run.h.controls.start();
    await run.h.drain();
    expect(run.failures('TechnicalWriter')).toEqual([
      {
        error:
          'the model\'s answer was cut off at its output limit (finish reason "length"), also when asked again for a shorter one; a model with a larger output limit, or a smaller request, is needed',
        willRetry: false,
      },
    ]);
    expect(run.h.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
    expect(run.h.read('README.md')).toBeNull();
    expect(run.requestsOf('TechnicalWriter')).toHaveLength(2);
  }, 60_000);
});

/** A finished project, then the user's bug report. */
async function reported(run: RecordedRun): Promise<void> {
  run.h.controls.start();
  await run.h.drain();
  expectCompleted(run);
  run.h.controls.chat('add(0.1, 0.2) shows 0.30000000000000004, it should show 0.3', 'bug');
  await runThrough(run, 'Troubleshooter');
}

const TROUBLESHOOTING = {
  title: 'Round sums to ten decimals',
  analysis: 'Floating-point sums are not rounded.',
  hypotheses: ['add returns the raw floating-point sum'],
  relevantFiles: ['src/add.js'],
  steps: [
    { type: 'code', path: 'test/round.test.js', instructions: 'a failing test for add(0.1, 0.2) === 0.3' },
    { type: 'code', path: 'src/add.js', instructions: 'round the sum to 10 decimals' },
  ],
  testInstructions: 'add(0.1, 0.2) gives 0.3.',
};
const planned = (run: RecordedRun) =>
  run.h.state()!.work!.steps.map((s) => (s.type === 'code' ? s.path : s.type === 'command' ? s.command : ''));

describe('Troubleshooter', () => {
  it("takes a small model's analysis from between its sentences and keeps its five likeliest hypotheses, in one call", async () => {
    const hypotheses = Array.from({ length: 8 }, (_, i) => `hypothesis ${i + 1}`);
    const run = recordedRun(suite, 'compatible', [
      ...finishedTask(),
      { match: agent('TechnicalWriter'), text: README },
      proseWrapped(
        agent('Troubleshooter'),
        { ...TROUBLESHOOTING, hypotheses },
        'I looked into the report. Here is my analysis:',
        'Once the test passes, the bug is fixed.',
      ),
    ]);
    await reported(run);
    expect(run.requestsOf('Troubleshooter')).toHaveLength(1);
    expect(run.said('Troubleshooter')).toEqual([
      `Floating-point sums are not rounded.\nHypotheses:\n${hypotheses
        .slice(0, 5)
        .map((h, i) => `${i + 1}. ${h}`)
        .join('\n')}`,
    ]);
    expect(planned(run)).toEqual(['test/round.test.js', 'src/add.js', 'npm test']);
  }, 60_000);

  it('re-asks an analysis cut off mid-step for a shorter one', async () => {
    const run = recordedRun(suite, 'openai', [
      ...finishedTask(),
      { match: agent('TechnicalWriter'), text: README },
      cutOff(agent('Troubleshooter'), TROUBLESHOOTING, 'round the sum to'),
      { match: agent('Troubleshooter'), json: TROUBLESHOOTING },
    ]);
    await reported(run);
    expect(run.requestsOf('Troubleshooter')).toHaveLength(2);
    expect(run.lastUserMessage('Troubleshooter', 1)).toContain('cut off at the output limit');
    expect(planned(run)).toEqual(['test/round.test.js', 'src/add.js', 'npm test']);
  }, 60_000);

  it('re-asks twenty-two steps with the limit of twenty stated', async () => {
    const many = Array.from({ length: 22 }, (_, i) => ({ type: 'command', command: `echo ${i}` }));
    const run = recordedRun(suite, 'anthropic', [
      ...finishedTask(),
      { match: agent('TechnicalWriter'), text: README },
      { match: agent('Troubleshooter'), json: { ...TROUBLESHOOTING, steps: many } },
      { match: agent('Troubleshooter'), json: TROUBLESHOOTING },
    ]);
    await reported(run);
    expect(run.lastUserMessage('Troubleshooter', 1)).toContain(
      'steps: 22 items where at most 20 are allowed',
    );
    expect(run.requestsOf('Troubleshooter')).toHaveLength(2);
    expect(planned(run)).toEqual(['test/round.test.js', 'src/add.js', 'npm test']);
  }, 60_000);
});

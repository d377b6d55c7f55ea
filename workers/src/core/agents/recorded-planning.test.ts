/**
 * SpecWriter, Architect, TechLead and Developer over replies in the shapes real models send (see
 * `testing/recorded-replies.ts`), through each provider's SDK and wire format: what the agent ends up
 * with, how many calls it took (a re-ask costs one), and what the user was told.
 */
import { describe, expect, it } from 'vitest';
import { fixtureSuite } from './testing/fixture-suite.ts';
import { afterReasoning, cutOff, fenced, proseWrapped, toolCutOff } from './testing/recorded-replies.ts';
import { recordedRun, runThrough } from './testing/recorded-run.ts';
import { agent, planningReplies } from './testing/common-replies.ts';

const suite = fixtureSuite();
const [, ARCHITECTURE, PLAN] = planningReplies().map((r) => r.json) as [
  Record<string, unknown>,
  Record<string, unknown>,
  { tasks: Record<string, unknown>[] },
];

const TIP_SPEC = {
  name: 'tip-calc',
  summary: 'A page that splits a restaurant bill and the tip between friends.',
  features: ['enter the bill and the tip percentage', 'choose how many people pay', 'see what each one owes'],
  complexity: 'simple',
  questions: [],
};

describe('SpecWriter', () => {
  it("takes a small local model's JSON from between its sentences, in one call", async () => {
    const run = recordedRun(suite, 'compatible', [
      proseWrapped(
        agent('SpecWriter'),
        TIP_SPEC,
        "Sure! Based on your description, here's the specification for the tip calculator:",
        'This covers the core features. Let me know if you want to add {currency support} or rounding!',
      ),
    ]);
    run.h.controls.start();
    await runThrough(run, 'SpecWriter');
    expect(run.h.state()!.spec).toMatchObject({ name: 'tip-calc', features: TIP_SPEC.features });
    expect(run.requestsOf('SpecWriter')).toHaveLength(1);
    expect(run.said('SpecWriter')).toEqual(['Specification of tip-calc: 3 features, simple.']);
  }, 30_000);

  it("takes a reasoning model's fenced answer after its thinking, in one call", async () => {
    const run = recordedRun(suite, 'compatible', [
      afterReasoning(
        agent('SpecWriter'),
        TIP_SPEC,
        'The user wants a tip calculator. Features: bill, tip, people. Is it {"complexity": "moderate"}? ' +
          'No, it is one page with arithmetic, so simple. No questions needed.',
      ),
    ]);
    run.h.controls.start();
    await runThrough(run, 'SpecWriter');
    expect(run.h.state()!.spec).toMatchObject({ name: 'tip-calc', complexity: 'simple' });
    expect(run.requestsOf('SpecWriter')).toHaveLength(1);
  }, 30_000);

  it('asks the first three of five clarifying questions, with at most six options each, without a re-ask', async () => {
    const question = (i: number) => ({
      question: `Question ${i}?`,
      options: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      default: 'a',
    });
    const run = recordedRun(suite, 'openai', [
      { match: agent('SpecWriter'), json: { ...TIP_SPEC, questions: [1, 2, 3, 4, 5].map(question) } },
    ]);
    run.h.controls.start();
    await runThrough(run, 'SpecWriter');
    const asked = run.h.events().filter((e) => e.type === 'question');
    expect(asked.map((q) => q.text)).toEqual(['Question 1?', 'Question 2?', 'Question 3?']);
    expect(asked.map((q) => q.options)).toEqual(Array(3).fill(['a', 'b', 'c', 'd', 'e', 'f']));
    expect(run.h.state()!.spec!.clarifications).toHaveLength(3);
    expect(run.requestsOf('SpecWriter')).toHaveLength(1);
  }, 30_000);

  it('re-asks a reply cut off mid-string for a shorter one, and uses the complete answer', async () => {
    const run = recordedRun(suite, 'openai', [
      cutOff(agent('SpecWriter'), TIP_SPEC, 'choose how many peo'),
      { match: agent('SpecWriter'), json: TIP_SPEC },
    ]);
    run.h.controls.start();
    await runThrough(run, 'SpecWriter');
    expect(run.h.state()!.spec).toMatchObject({ features: TIP_SPEC.features });
    expect(run.requestsOf('SpecWriter')).toHaveLength(2);
    expect(run.lastUserMessage('SpecWriter', 1)).toMatch(
      /^Your previous reply was cut off at the output limit/,
    );
    expect(run.failures('SpecWriter')).toEqual([]);
  }, 30_000);

  it('fails saying the answer was cut off, not with a parse error, when every reply is cut off', async () => {
    const run = recordedRun(suite, 'openai', [
      { ...cutOff(agent('SpecWriter'), TIP_SPEC, 'choose how many peo'), times: 6 },
    ]);
    run.h.controls.start();
    await run.h.drain();
    const failures = run.failures('SpecWriter');
    expect(failures).toHaveLength(3);
    for (const f of failures) {
      expect(f.error).toContain('cut off at its output limit (finish reason "length")');
      expect(f.error).not.toMatch(/JSON|schema/);
    }
    expect(run.h.journal.run()).toMatchObject({ status: 'failed', reason: { code: 'step_failed' } });
    expect(run.h.journal.run().reason!.message).toMatch(
      /^The step "Write the specification" failed 3 times: the model's answer was cut off at its output limit/,
    );
    // Each attempt is the call and its one re-ask.
    expect(run.requestsOf('SpecWriter')).toHaveLength(6);
  }, 30_000);
});

describe('Architect', () => {
  it('takes fenced JSON followed by a remark, in one call', async () => {
    const run = recordedRun(suite, 'compatible', [
      planningReplies()[0]!,
      fenced(
        agent('Architect'),
        {
          stack: 'node-api',
          packages: [],
          systemDependencies: [],
          notes: 'ES modules; tests with node:test.',
        },
        'I chose the plain Node API stack because the app needs no framework.',
      ),
    ]);
    run.h.controls.start();
    await runThrough(run, 'Architect');
    expect(run.h.state()!.stack).toMatchObject({
      id: 'node-api',
      notes: 'ES modules; tests with node:test.',
    });
    expect(run.requestsOf('Architect')).toHaveLength(1);
    expect(run.said('Architect')).toEqual(['Stack: Node HTTP API.']);
  }, 30_000);

  it('re-asks notes over their limit with the limit stated (conventions are not cut)', async () => {
    const long = `Conventions: ${'keep modules small and name files after what they export; '.repeat(40)}`;
    const run = recordedRun(suite, 'openai', [
      planningReplies()[0]!,
      { match: agent('Architect'), json: { ...ARCHITECTURE, notes: long } },
      { match: agent('Architect'), json: ARCHITECTURE },
    ]);
    run.h.controls.start();
    await runThrough(run, 'Architect');
    expect(run.requestsOf('Architect')).toHaveLength(2);
    expect(run.lastUserMessage('Architect', 1)).toContain(
      `notes: ${long.length} characters where at most 2000 are allowed: say it shorter`,
    );
    expect(run.h.state()!.stack!.notes).toBe('one module');
  }, 30_000);

  it("re-asks when Anthropic's forced tool stops at max_tokens, even though its input is an object", async () => {
    const run = recordedRun(suite, 'anthropic', [
      planningReplies()[0]!,
      toolCutOff(agent('Architect'), { stack: 'node-api', packages: [] }),
      { match: agent('Architect'), json: ARCHITECTURE },
    ]);
    run.h.controls.start();
    await runThrough(run, 'Architect');
    expect(run.requestsOf('Architect')).toHaveLength(2);
    expect(run.lastUserMessage('Architect', 1)).toContain('cut off at the output limit');
    expect(run.h.state()!.stack).toMatchObject({ id: 'node-api', notes: 'one module' });
  }, 30_000);
});

const task = (i: number, title = `Task ${i}`) => ({
  title,
  description: `Do part ${i} of the app.`,
  acceptance: ['npm test passes'],
});

describe('TechLead', () => {
  it('re-asks a plan of fourteen tasks with the limit of twelve stated, and keeps the second plan', async () => {
    const run = recordedRun(suite, 'openai', [
      ...planningReplies().slice(0, 2),
      { match: agent('TechLead'), json: { tasks: Array.from({ length: 14 }, (_, i) => task(i + 1)) } },
      { match: agent('TechLead'), json: { tasks: [task(1), task(2), task(3)] } },
    ]);
    run.h.controls.start();
    await runThrough(run, 'TechLead');
    expect(run.requestsOf('TechLead')).toHaveLength(2);
    expect(run.lastUserMessage('TechLead', 1)).toContain('tasks: 14 items where at most 12 are allowed');
    expect(run.said('TechLead')).toEqual(['3 tasks:\n1. Task 1\n2. Task 2\n3. Task 3']);
  }, 30_000);

  it('re-asks a too-long title instead of cutting it: titles are summaries, not truncations', async () => {
    const pasted =
      'Build the bill form where the user enters the total amount, picks a tip percentage from 10, 15 or 20, and the number of people';
    const run = recordedRun(suite, 'groq', [
      ...planningReplies().slice(0, 2),
      { match: agent('TechLead'), json: { tasks: [task(1, pasted)] } },
      { match: agent('TechLead'), json: { tasks: [task(1, 'Bill form')] } },
    ]);
    run.h.controls.start();
    await runThrough(run, 'TechLead');
    expect(run.lastUserMessage('TechLead', 1)).toContain(
      `tasks.0.title: ${pasted.length} characters where at most 120 are allowed: say it shorter`,
    );
    expect(run.h.state()!.tasks.map((t) => t.title)).toEqual(['Bill form']);
    expect(run.requestsOf('TechLead')).toHaveLength(2);
  }, 30_000);

  it('uses the plan in the reply Groq refused for the prose around its JSON, at no extra call', async () => {
    const run = recordedRun(suite, 'groq', [
      ...planningReplies().slice(0, 2),
      {
        match: agent('TechLead'),
        fault: { kind: 'json_validate_failed' },
        text: `Here is the plan:\n${JSON.stringify(PLAN, null, 2)}\nEach task ends with its tests passing.`,
      },
    ]);
    run.h.controls.start();
    await runThrough(run, 'TechLead');
    expect(run.failures('TechLead')).toEqual([]);
    expect(run.said('TechLead')).toEqual(['1 task:\n1. Add']);
    expect(run.requestsOf('TechLead')).toHaveLength(1);
  }, 30_000);

  it("re-asks Groq's plan cut off mid-description", async () => {
    const run = recordedRun(suite, 'groq', [
      ...planningReplies().slice(0, 2),
      cutOff(agent('TechLead'), { tasks: [task(1), task(2)] }, 'Do part 2 of'),
      { match: agent('TechLead'), json: PLAN },
    ]);
    run.h.controls.start();
    await runThrough(run, 'TechLead');
    expect(run.requestsOf('TechLead')).toHaveLength(2);
    expect(run.lastUserMessage('TechLead', 1)).toContain('cut off at the output limit');
    expect(run.h.state()!.tasks.map((t) => t.title)).toEqual(['Add']);
  }, 30_000);
});

const DEV_PLAN = {
  relevantFiles: ['package.json'],
  steps: [
    { type: 'code', path: 'src/add.js', instructions: 'export add(a, b)' },
    { type: 'code', path: 'test/add.test.js', instructions: 'test add' },
  ],
  testInstructions: 'Run npm test.',
};
const steps = (run: ReturnType<typeof recordedRun>) =>
  run.h.state()!.work!.steps.map((s) => (s.type === 'code' ? s.path : s.type === 'command' ? s.command : ''));

describe('Developer', () => {
  it("takes a small local model's plan from between its sentences, in one call", async () => {
    const run = recordedRun(suite, 'compatible', [
      ...planningReplies(),
      proseWrapped(
        agent('Developer'),
        DEV_PLAN,
        'Here is the implementation plan for the task "Add":',
        'After these steps, `npm test` should pass.',
      ),
    ]);
    run.h.controls.start();
    await runThrough(run, 'Developer');
    expect(steps(run)).toEqual(['src/add.js', 'test/add.test.js', 'npm test']);
    expect(run.requestsOf('Developer')).toHaveLength(1);
  }, 30_000);

  it('keeps the first twenty of twenty-six relevant files without a re-ask', async () => {
    const files = Array.from({ length: 26 }, (_, i) => `src/part${i + 1}.js`);
    const run = recordedRun(suite, 'openai', [
      ...planningReplies(),
      { match: agent('Developer'), json: { ...DEV_PLAN, relevantFiles: files } },
    ]);
    run.h.controls.start();
    await runThrough(run, 'Developer');
    expect(run.h.state()!.work!.relevantFiles).toEqual(files.slice(0, 20));
    expect(run.requestsOf('Developer')).toHaveLength(1);
  }, 30_000);

  it('re-asks twenty-four steps with the limit of twenty stated (steps are work, never dropped)', async () => {
    const many = Array.from({ length: 24 }, (_, i) => ({
      type: 'code',
      path: `src/part${i + 1}.js`,
      instructions: 'write it',
    }));
    const run = recordedRun(suite, 'anthropic', [
      ...planningReplies(),
      { match: agent('Developer'), json: { ...DEV_PLAN, steps: many } },
      { match: agent('Developer'), json: DEV_PLAN },
    ]);
    run.h.controls.start();
    await runThrough(run, 'Developer');
    expect(run.lastUserMessage('Developer', 1)).toContain('steps: 24 items where at most 20 are allowed');
    expect(steps(run)).toEqual(['src/add.js', 'test/add.test.js', 'npm test']);
    expect(run.requestsOf('Developer')).toHaveLength(2);
  }, 30_000);

  it('re-asks a plan cut off mid-instruction', async () => {
    const run = recordedRun(suite, 'compatible', [
      ...planningReplies(),
      cutOff(agent('Developer'), DEV_PLAN, 'export ad'),
      { match: agent('Developer'), json: DEV_PLAN },
    ]);
    run.h.controls.start();
    await runThrough(run, 'Developer');
    expect(run.requestsOf('Developer')).toHaveLength(2);
    expect(run.lastUserMessage('Developer', 1)).toContain('cut off at the output limit');
    expect(steps(run)).toEqual(['src/add.js', 'test/add.test.js', 'npm test']);
  }, 30_000);
});

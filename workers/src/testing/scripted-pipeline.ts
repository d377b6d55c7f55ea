/**
 * The scripted pipeline: a test and demo pipeline whose steps follow a script instead of an LLM's
 * judgement. It exercises every port the real agents use (LLM calls, questions, files, commands, events,
 * tasks, failures), so the engine, the live channel and the UI can be tested end to end.
 *
 * The script is the project's description when that is a JSON {@link Script}; otherwise a short demo.
 */
import { z } from 'zod';
import { EnvironmentFailure } from '../core/errors.ts';
import type { JsonObject } from '../core/json.ts';
import {
  definePipeline,
  type StepContext,
  type StepRef,
  type StepResult,
  type TaskRef,
} from '../core/pipeline.ts';

const Action = z.union([
  z.strictObject({ say: z.string() }),
  /**
   * An LLM call. `reply`, `chunks`, `delayMs`, `costMicros` (null: the model's price is unknown) and
   * `model` (`provider:model`, reported as the model called) steer the scripted LLM adapter.
   */
  z.strictObject({
    llm: z.string(),
    reply: z.string().optional(),
    chunks: z.number().int().min(1).max(1000).optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    costMicros: z.number().int().min(0).nullable().optional(),
    model: z.string().optional(),
    stream: z.boolean().optional(),
  }),
  z.strictObject({ write: z.string(), content: z.string() }),
  /** Writes `count` files `${prefix}${i}.txt` of `size` characters (a big project in one step). */
  z.strictObject({
    writeMany: z.number().int().min(1).max(5000),
    prefix: z.string(),
    size: z.number().int().min(0).optional(),
  }),
  /** Rewrites one file that changes with each iteration (the steady work of a long task). */
  z.strictObject({ touch: z.string() }),
  z.strictObject({ read: z.string() }),
  /** Copies a file as the step reads it (shows that agents see the user's edits). */
  z.strictObject({ copy: z.string(), to: z.string() }),
  z.strictObject({ delete: z.string() }),
  z.strictObject({ ask: z.string(), options: z.array(z.string()).optional(), default: z.string() }),
  z.strictObject({ exec: z.string() }),
  /** Emits `count` messages. */
  z.strictObject({ emit: z.number().int().min(1).max(20_000) }),
  /** Throws while the step's attempt is at most `attempts` (always, without it). */
  z.strictObject({ throw: z.string(), attempts: z.number().int().min(1).optional() }),
  /** Reports a failure with this signature (a failing test). */
  z.strictObject({ fail: z.string() }),
  /** Fails because of the environment (an unreachable registry...) while the attempt is at most `attempts`. */
  z.strictObject({ environment: z.string(), attempts: z.number().int().min(1).optional() }),
]);
type Action = z.infer<typeof Action>;

const ScriptStep = z.strictObject({
  title: z.string(),
  agent: z.string().optional(),
  /** The task this step belongs to (its title; the id is derived from it). */
  task: z.string().optional(),
  /** Runs the step this many times in a row (the iterations of a task). */
  repeat: z.number().int().min(1).max(100_000).optional(),
  /** The task ends with this step's last iteration. */
  endsTask: z.boolean().optional(),
  actions: z.array(Action),
});

/** A script: the steps of the pipeline, in order. */
export const Script = z.strictObject({ steps: z.array(ScriptStep).min(1).max(10_000) });
export type Script = z.infer<typeof Script>;
type ScriptStep = z.infer<typeof ScriptStep>;

/** The demo run when the description is not a script. */
export function demoScript(description: string): Script {
  return {
    steps: [
      {
        title: 'Write the specification',
        agent: 'SpecWriter',
        actions: [
          { llm: `Write a specification for: ${description}`, chunks: 12, delayMs: 60 },
          {
            ask: 'Where should the app keep its data?',
            options: ['In memory', 'SQLite'],
            default: 'In memory',
          },
        ],
      },
      {
        title: 'Scaffold the project',
        agent: 'CodeMonkey',
        task: 'Scaffold',
        endsTask: true,
        actions: [
          { write: 'package.json', content: '{\n  "name": "app",\n  "type": "module"\n}\n' },
          { write: 'README.md', content: `# App\n\n${description}\n` },
          { say: 'The project skeleton is in place.' },
        ],
      },
      {
        title: 'Implement and test',
        agent: 'Developer',
        task: 'Implement',
        endsTask: true,
        actions: [
          { write: 'src/index.js', content: 'export const hello = () => "hello";\n' },
          { exec: 'npm test' },
          { say: 'Tests pass.' },
        ],
      },
    ],
  };
}

/** Parses the description as a script, or falls back to the demo. */
export function scriptOf(description: string): Script {
  try {
    const parsed = Script.safeParse(JSON.parse(description));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: the demo.
  }
  return demoScript(description);
}

interface ScriptState extends JsonObject {
  answers: { [question: string]: string };
  lastReply: string;
}

interface Position extends JsonObject {
  position: number;
  iteration: number;
}

function taskOf(step: ScriptStep): TaskRef | null {
  return step.task ? { id: `task:${step.task}`, title: step.task } : null;
}

function refAt(script: Script, position: number, iteration: number): StepRef | null {
  const step = script.steps[position];
  if (!step) return null;
  const repeat = step.repeat ?? 1;
  return {
    agent: 'script',
    title: repeat > 1 ? `${step.title} (${iteration + 1}/${repeat})` : step.title,
    input: { position, iteration },
    task: taskOf(step),
  };
}

async function perform(
  ctx: StepContext<ScriptState>,
  action: Action,
  state: ScriptState,
  it: number,
  repeated: boolean,
) {
  if ('say' in action) ctx.say(action.say);
  else if ('llm' in action) {
    const directive = {
      scripted: {
        reply: action.reply ?? null,
        chunks: action.chunks ?? 1,
        delayMs: action.delayMs ?? 0,
        costMicros: action.costMicros === undefined ? 10 : action.costMicros,
        ...(action.model ? { model: action.model } : {}),
      },
      // Each iteration of a repeated step is new work, as a real agent's next step is: its request says
      // which one it is, so it is not the same request sent again (a loop the guards stop).
      ...(repeated ? { iteration: it + 1 } : {}),
    };
    const out = await ctx.llm.complete({
      messages: [
        { role: 'system', content: JSON.stringify(directive) },
        { role: 'user', content: action.llm },
      ],
      ...(action.stream === undefined ? {} : { stream: action.stream }),
    });
    state.lastReply = out.text;
  } else if ('write' in action) ctx.files.write(action.write, action.content);
  else if ('writeMany' in action) {
    const body = 'x'.repeat(action.size ?? 64);
    for (let i = 0; i < action.writeMany; i++) ctx.files.write(`${action.prefix}${i}.txt`, `${i}\n${body}\n`);
  } else if ('touch' in action) ctx.files.write(action.touch, `iteration ${it} of step ${ctx.stepId}\n`);
  else if ('read' in action) await ctx.files.read(action.read);
  else if ('copy' in action) ctx.files.write(action.to, (await ctx.files.read(action.copy)) ?? '');
  else if ('delete' in action) ctx.files.delete(action.delete);
  else if ('ask' in action) {
    state.answers[action.ask] = await ctx.ask({
      text: action.ask,
      ...(action.options ? { options: action.options } : {}),
      default: action.default,
    });
  } else if ('exec' in action) await ctx.exec({ command: action.exec, timeoutMs: 60_000 });
  else if ('emit' in action)
    for (let i = 0; i < action.emit; i++) ctx.say(`event ${i + 1} of ${action.emit}`);
  else if ('throw' in action) {
    if (action.attempts === undefined || ctx.attempt <= action.attempts) throw new Error(action.throw);
  } else if ('environment' in action) {
    if (action.attempts === undefined || ctx.attempt <= action.attempts)
      throw new EnvironmentFailure('network', action.environment);
  }
}

async function runScriptStep(ctx: StepContext<ScriptState>): Promise<StepResult<ScriptState>> {
  const script = scriptOf(ctx.project.description);
  const { position, iteration } = ctx.input as Position;
  const step = script.steps[position];
  if (!step) throw new Error(`the script has no step ${position}`);
  const state: ScriptState = { answers: { ...ctx.state.answers }, lastReply: ctx.state.lastReply };
  let failure: StepResult['failure'];
  for (const action of step.actions) {
    if ('fail' in action) failure = { signature: action.fail, message: `failed: ${action.fail}` };
    else await perform(ctx, action, state, iteration, (step.repeat ?? 1) > 1);
  }
  const last = iteration + 1 >= (step.repeat ?? 1);
  const next = last ? refAt(script, position + 1, 0) : refAt(script, position, iteration + 1);
  return {
    state,
    next,
    ...(last && step.endsTask && step.task ? { taskDone: 'completed' as const } : {}),
    ...(failure ? { failure } : {}),
  };
}

async function reply(ctx: StepContext<ScriptState>): Promise<StepResult<ScriptState>> {
  const { text, kind } = ctx.input as { text: string; kind: string };
  ctx.say(kind === 'bug' ? `Looking into the bug: ${text}` : `Noted: ${text}`);
  if (kind === 'bug') ctx.files.write('BUGS.md', `${(await ctx.files.read('BUGS.md')) ?? ''}- ${text}\n`);
  return { state: ctx.state, next: null };
}

async function finish(ctx: StepContext<ScriptState>): Promise<StepResult<ScriptState>> {
  ctx.say('Nothing left to do.');
  return { state: ctx.state, next: null };
}

/** The scripted pipeline. */
export const scriptedPipeline = definePipeline<ScriptState>({
  name: 'scripted',
  // A script's long stretches outside tasks are what it is for (the benchmarks' and the UI tests' long
  // runs), not a loop: only a test that wants the limit sets one.
  guards: { maxStepsOutsideTasks: 1_000_000 },
  initialState: () => ({ answers: {}, lastReply: '' }),
  first: (_state, project) => refAt(scriptOf(project.description), 0, 0)!,
  steps: { script: runScriptStep, reply, finish },
  skipTask(_state, current, project) {
    const task = current.task;
    if (!task || current.agent !== 'script') return null;
    const script = scriptOf(project.description);
    const { position } = current.input as Position;
    for (let p = position + 1; p < script.steps.length; p++) {
      if (taskOf(script.steps[p]!)?.id !== task.id) return refAt(script, p, 0);
    }
    return { agent: 'finish', title: 'Finish' };
  },
  onMessage: (_state, message) => ({
    agent: 'reply',
    title: message.kind === 'bug' ? 'Fix a reported bug' : 'Answer the user',
    input: { text: message.text, kind: message.kind },
  }),
});

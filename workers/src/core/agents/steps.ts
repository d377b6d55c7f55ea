/**
 * The agents' step graph: every step of the pipeline by name, with the schema of the input it is given.
 * A step names its successor with an {@link AgentRef}: a misspelt agent, or the input of another agent,
 * does not compile. The engine reads a stored step's input back through the same schemas
 * ({@link readAgentInput}), so a step never runs on an input of a shape it does not know.
 */
import { z } from 'zod';
import type { AgentName as RosterAgentName } from '../../protocol.ts';
import { toJson } from '../context.ts';
import { UnreadableState } from '../errors.ts';
import type { StepRef, TaskRef } from '../pipeline.ts';

/** What the BugHunter is given, and hands back to the Executor to run again. */
export const FailureInput = z.object({
  command: z.string(),
  timeoutSeconds: z.number(),
  /** The plan step that failed, or null when starting the app failed. */
  index: z.number().int().nullable(),
  /**
   * With a null index: the app was started to check the current task's page (not at the end of the run),
   * so a fix is followed by that check again, and the task is done only when it passes.
   */
  taskCheck: z.boolean().optional(),
  /** How the command ended, in words ("exit code 1", "timed out", "no answer on port 3000"). */
  ended: z.string(),
  output: z.string(),
  attempt: z.number().int(),
  /**
   * What earlier fixes of this failure tried, as inputs stored before the debug loop's history was kept
   * in the state (`AgentsState.debug`) said it; shown when the state has no history of its own.
   */
  previous: z.array(z.string()).optional(),
});
export type FailureInput = z.infer<typeof FailureInput>;

/** A user's change request on the built app (or a plain message, planned the same way). */
export const ChangeRequest = z.object({ text: z.string(), kind: z.enum(['change', 'message']) });
export type ChangeRequest = z.infer<typeof ChangeRequest>;

/** The Executor runs a step of the plan, runs a failed command again after a fix, or starts the app. */
export const ExecutorInput = z.union([
  z.object({ index: z.number().int().min(0) }),
  z.object({ rerun: FailureInput }),
  z.object({
    start: z.literal(true),
    /** The start checks the current task's page; when it passes, the task is done. */
    task: z.literal(true).optional(),
    attempt: z.number().int().optional(),
    previous: z.array(z.string()).optional(),
  }),
]);
export type ExecutorInput = z.infer<typeof ExecutorInput>;

const NoInput = z.undefined();

/**
 * Every step of the agents' pipeline and the input it is given: one entry per agent of the roster
 * (`agent-roster.ts`), no more, no less.
 */
export const AGENT_INPUTS = {
  SpecWriter: NoInput,
  /** `imported`: read an imported app instead of choosing a stack for a specification. */
  Architect: z.object({ imported: z.literal(true) }).optional(),
  TechLead: NoInput,
  /**
   * The task (by its index in the plan) to plan (`again`: a failed or skipped task tried again), or a
   * user's change request to plan as a task.
   */
  Developer: z.union([
    z.object({ taskIndex: z.number().int().min(0), again: z.boolean().optional() }),
    z.object({ request: ChangeRequest }),
  ]),
  /** The current task's acceptance tests, written after its plan and before its code (`state.work`). */
  TestWriter: NoInput,
  /** The step of the current task's plan to write. */
  CodeMonkey: z.object({ index: z.number().int().min(0) }),
  Executor: ExecutorInput,
  BugHunter: FailureInput,
  /** The user's report or change request. */
  Troubleshooter: z.object({ text: z.string() }),
  /** `appNotStarted`: why the app is not running (its start still failed, or was skipped). */
  TechnicalWriter: z.object({ appNotStarted: z.string() }).optional(),
} as const satisfies Record<RosterAgentName, z.ZodType>;

/** The name of a step (an agent) of the agents' pipeline. */
export type AgentName = keyof typeof AGENT_INPUTS;
export type InputOf<A extends AgentName> = z.infer<(typeof AGENT_INPUTS)[A]>;

/** The next step: an agent of the pipeline and the input that agent takes. */
export type AgentRef = {
  [A in AgentName]: { agent: A; title: string; task?: TaskRef | null } & (undefined extends InputOf<A>
    ? { input?: InputOf<A> }
    : { input: InputOf<A> });
}[AgentName];

/** An agent's ref as the engine stores it (plain JSON). */
export function stepRef(ref: AgentRef): StepRef {
  return toJson(ref) as unknown as StepRef;
}

const isAgent = (name: string): name is AgentName => Object.hasOwn(AGENT_INPUTS, name);

/**
 * A failure as earlier versions stored it: how the command ended was called `exitCode`, although it
 * holds words. Renamed in place (the other keys keep their order, so a replayed prompt is the same).
 */
function upgradeFailure(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('exitCode' in value) || 'ended' in value) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === 'exitCode' ? 'ended' : k, v]));
}

/** A stored input of an earlier shape in the current one. */
function upgradeInput(agent: AgentName, input: unknown): unknown {
  if (agent === 'BugHunter') return upgradeFailure(input);
  if (agent === 'Executor' && typeof input === 'object' && input !== null && 'rerun' in input) {
    return { ...input, rerun: upgradeFailure(input.rerun) };
  }
  return input;
}

/**
 * A stored step's ref with its input read back through its agent's schema (an input of an earlier shape
 * upgraded first); throws `UnreadableState` when it does not fit.
 */
export function readAgentInput(ref: StepRef): StepRef {
  if (!isAgent(ref.agent)) throw new UnreadableState(`the pipeline has no agent "${ref.agent}"`);
  const input = upgradeInput(ref.agent, ref.input);
  const checked = AGENT_INPUTS[ref.agent].safeParse(input);
  if (!checked.success) {
    throw new UnreadableState(
      `the input of the step "${ref.title}" does not fit the ${ref.agent}: ${z.prettifyError(checked.error)}`,
    );
  }
  return input === ref.input ? ref : { ...ref, input: input as StepRef['input'] };
}

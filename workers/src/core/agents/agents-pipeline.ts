/**
 * The agents' pipeline: SpecWriter → Architect → TechLead → per task (Developer → TestWriter, its
 * acceptance tests → CodeMonkey / Executor steps, with the BugHunter on failures) → the app started →
 * TechnicalWriter. A user's message on a finished run becomes a task: a bug report the
 * Troubleshooter's, a change request (or a plain message) the Developer's, with its acceptance tests.
 */
import { definePipeline, type Pipeline, type StepFn, type StepRef, type UserMessage } from '../pipeline.ts';
import type { SandboxPort } from '../ports.ts';
import { architect } from './architect.ts';
import { bugHunter } from './bug-hunter.ts';
import { codeMonkey } from './code-monkey.ts';
import { settlingAttempts } from './debug-history.ts';
import { developer } from './developer.ts';
import { executor } from './executor.ts';
import type { AppPort } from './app-port.ts';
import { importRef } from './imported-project.ts';
import { afterSkip } from './skip.ts';
import { unfinishedTasks } from './outcome.ts';
import { specWriter } from './spec-writer.ts';
import { agentStep } from './agent-step.ts';
import { initialState, readAgentsState, type AgentsState } from './state.ts';
import { readAgentInput, stepRef, type AgentName, type AgentRef } from './steps.ts';
import { techLead } from './tech-lead.ts';
import { testWriter } from './test-writer.ts';
import { technicalWriter } from './technical-writer.ts';
import { troubleshooter } from './troubleshooter.ts';
import { tryAgainRef } from './try-again.ts';

export interface AgentsPipelineOptions {
  /** Writes the project's files into the sandbox (the Executor syncs before each command). */
  sandbox: Pick<SandboxPort, 'writeFiles'>;
  app: AppPort;
  /** The CodeMonkey's review pass (one more call per file; on by default). */
  review?: boolean;
}

export const AGENTS_PIPELINE = 'agents';

/**
 * The step a user's message on the finished app starts. Its task's title is neutral until the model
 * has summed the request up (the title it gives the task replaces it).
 */
export function userRequestRef(state: AgentsState, message: UserMessage): AgentRef {
  const n = state.fixes + 1;
  if (message.kind === 'bug') {
    return {
      agent: 'Troubleshooter',
      title: 'Look into your bug report',
      task: { id: `fix${n}`, title: 'Your bug report' },
      input: { text: message.text },
    };
  }
  const kind = message.kind === 'change' ? 'change' : 'message';
  return {
    agent: 'Developer',
    title: kind === 'change' ? 'Plan your change request' : 'Plan your request',
    task: { id: `change${n}`, title: kind === 'change' ? 'Your change request' : 'Your request' },
    input: { request: { text: message.text, kind } },
  };
}

/** The pipeline, bound to the ports its agents need beyond the engine's. */
export function createAgentsPipeline(opts: AgentsPipelineOptions): Pipeline {
  // Every agent of the step graph, and nothing else: a step missing here does not compile.
  const steps: Record<AgentName, StepFn<AgentsState>> = {
    SpecWriter: agentStep(specWriter),
    Architect: agentStep(architect),
    TechLead: agentStep(techLead),
    Developer: agentStep(developer),
    TestWriter: agentStep(testWriter),
    CodeMonkey: agentStep(codeMonkey({ review: opts.review ?? true })),
    Executor: agentStep(settlingAttempts(executor({ sandbox: opts.sandbox, app: opts.app }))),
    BugHunter: agentStep(bugHunter),
    Troubleshooter: agentStep(troubleshooter),
    TechnicalWriter: agentStep(technicalWriter),
  };
  return definePipeline<AgentsState>({
    name: AGENTS_PIPELINE,
    initialState,
    readState: readAgentsState,
    readInput: readAgentInput,
    // An imported app is read, not specified: its run starts with the Architect reading it.
    first: (_state, project) =>
      stepRef(project.imported ? importRef() : { agent: 'SpecWriter', title: 'Write the specification' }),
    steps,
    skipTask: (state, current): StepRef | 'finish' | null => {
      const next = afterSkip(state, current);
      return next === 'finish' || next === null ? next : stepRef(next);
    },
    retryTask: (state, taskId) => {
      const next = tryAgainRef(state, taskId);
      return 'refused' in next ? next : stepRef(next);
    },
    unfinishedTasks: (state) => unfinishedTasks(state).length,
    onMessage: (state, message) => {
      if (state.tasks.length === 0) return null;
      return stepRef(userRequestRef(state, message));
    },
    // A failing command and the BugHunter's attempt at it both report the failure: 7 in a row is the
    // same failure surviving three fixes. Outside the tasks, 20 steps are ten rounds of starting the app
    // and debugging it.
    guards: { maxTaskIterations: 40, maxStepsOutsideTasks: 20, maxRepeatedFailures: 7 },
  });
}

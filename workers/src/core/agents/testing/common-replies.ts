/**
 * Replies of the model that many of the agents' tests script: the planning of a small project
 * (SpecWriter, Architect, TechLead) and a BugHunter that fixes nothing, so each test scripts only what
 * it is about.
 */
import type { ScriptedReply } from '../../../../../infra/llm-fixture/fixture.ts';

/** Matches a request to `name` by its system prompt. */
export const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });

/** The one task of the projects the tests plan by default. */
export const TASK_ADD = {
  title: 'Add',
  description: 'src/add.js exports add(a, b).',
  acceptance: ['npm test passes'],
};

export interface PlanningOptions {
  /** The SpecWriter's clarifying questions. */
  questions?: unknown[];
  /** The TechLead's tasks. */
  tasks?: unknown[];
  /** The npm packages the Architect chooses beyond the stack's. */
  packages?: string[];
  /** Replies of a model that costs nothing (a local one). */
  free?: boolean;
}

/** SpecWriter, Architect and TechLead replies for a node-api project with `tasks`. */
export function planningReplies(opts: PlanningOptions = {}): ScriptedReply[] {
  const usage = opts.free ? { usage: { input: 0, output: 0 } } : {};
  return [
    {
      match: agent('SpecWriter'),
      json: {
        name: 'calc',
        summary: 'A tiny module.',
        features: ['adds numbers'],
        complexity: 'simple',
        questions: opts.questions ?? [],
      },
      ...usage,
    },
    {
      match: agent('Architect'),
      json: {
        stack: 'node-api',
        packages: opts.packages ?? [],
        systemDependencies: [],
        notes: 'one module',
      },
      ...usage,
    },
    { match: agent('TechLead'), json: { tasks: opts.tasks ?? [TASK_ADD] }, ...usage },
  ];
}

/** A BugHunter reply that adds a note and fixes nothing (attempt `i`); free of charge when `free`. */
export function uselessFix(i: number, free = false): ScriptedReply {
  return {
    match: agent('BugHunter'),
    json: {
      hypotheses: ['unclear'],
      explanation: `attempt ${i}`,
      kind: 'logging',
      changes: [{ path: `notes/${i}.txt`, content: `${i}\n` }],
    },
    ...(free ? { usage: { input: 0, output: 0 } } : {}),
  };
}

/** A file the TestWriter writes whole. */
export interface AcceptanceFile {
  path: string;
  content: string;
  summary?: string;
}

/**
 * The TestWriter's reply for a task (its call follows every Developer plan): `files` as the task's
 * acceptance tests, none by default (a task the tests script whole through the Developer's plan).
 */
export function acceptanceTests(files: AcceptanceFile[] = [], free = false): ScriptedReply {
  return {
    match: agent('TestWriter'),
    json: { files: files.map((f) => ({ summary: 'acceptance tests', ...f })) },
    ...(free ? { usage: { input: 0, output: 0 } } : {}),
  };
}

/**
 * The typed outputs of the agents (zod schemas; the LLM layer turns them into JSON schemas). The parts
 * that reach viewers as artifacts are the artifacts' own pieces (`artifacts.ts`, through the protocol):
 * one definition each.
 */
import { z } from 'zod';
import { DevStep, DiagnosisKind, PlanTask, SpecFields } from '../../protocol.ts';
import { STACK_IDS } from '../catalog/catalog.ts';
import { trimmable } from '../output-limits.ts';

export const Spec = SpecFields.extend({
  /** Clarifying questions, only when the description leaves something important open. */
  questions: z
    .array(
      z.object({
        question: z.string().min(1),
        options: z.array(z.string()).max(6),
        default: z.string().min(1),
      }),
    )
    .max(3),
});
export type Spec = z.infer<typeof Spec>;

/** The SpecWriter's summary and features revised to agree with the answers to its questions. */
export const SpecRevision = SpecFields.pick({ summary: true, features: true });
export type SpecRevision = z.infer<typeof SpecRevision>;

export const Architecture = z.object({
  stack: z.enum(STACK_IDS),
  /** npm packages beyond the stack's own (empty for the dependency-free stacks when possible). */
  packages: z.array(z.string()).max(20),
  systemDependencies: z.array(z.string()).max(10),
  /**
   * The project's conventions (layout, modules, tests, naming), seeded from the stack's: the one place
   * every later agent takes them from (absent: the stack's, as the catalog states them).
   */
  conventions: z.string().min(1).max(2000).optional(),
  notes: z.string().max(2000),
});
export type Architecture = z.infer<typeof Architecture>;

/** The Architect's summary of an imported app (see `imported-project.ts`). */
export const ImportedApp = SpecFields.pick({ name: true, summary: true, features: true }).extend({
  howToRun: z.string().min(1).max(1000),
  conventions: z.string().min(1).max(2000),
  mainFiles: z.array(z.object({ path: z.string().min(1), note: z.string().min(1).max(200) })).max(20),
});
export type ImportedApp = z.infer<typeof ImportedApp>;

export const TaskPlan = z.object({ tasks: z.array(PlanTask).min(1).max(12) });
export type TaskPlan = z.infer<typeof TaskPlan>;

export { DevStep };
export const DevPlan = z.object({
  /** Existing files the work needs to see (besides the ones it changes). */
  relevantFiles: z.array(z.string()).max(20),
  steps: z.array(DevStep).min(1).max(20),
  /** How the user can check the task by hand once it is done. */
  testInstructions: z.string().min(1),
});
export type DevPlan = z.infer<typeof DevPlan>;

/** A task's title: a short summary the model writes (never the user's words cut off). */
const TaskTitle = z.string().min(1).max(80);

/** The Developer's plan of a user's change request: the task it makes (title, acceptance) and its steps. */
export const ChangePlan = DevPlan.extend({
  title: TaskTitle,
  /** What the change does, for the engineers who carry it out. */
  description: z.string().min(1).max(2000),
  acceptance: z.array(z.string().min(1)).min(1).max(10),
});
export type ChangePlan = z.infer<typeof ChangePlan>;

const Edit = z.object({ search: z.string().min(1), replace: z.string() });

export const FileChange = z.object({
  /** One line saying what the file is for (the project summary lists it). */
  summary: z.string().min(1).max(300),
  /** A new file, whole. Only for files that do not exist yet. */
  content: z.string().optional(),
  /** Changes to an existing file; each search text must occur exactly once. */
  edits: z.array(Edit).max(30).optional(),
});
export type FileChange = z.infer<typeof FileChange>;

/** The README writer's changes to the README that exists; none when it is still accurate. */
export const ReadmeEdits = z.object({ edits: z.array(Edit).max(30) });
export type ReadmeEdits = z.infer<typeof ReadmeEdits>;

/**
 * The TestWriter's acceptance tests of one task: test files, new ones whole, existing ones (a test file
 * a change request extends) by search/replace edits. None only when nothing of the task can be tested.
 */
export const AcceptanceTests = z.object({
  files: z
    .array(
      z.object({
        path: z.string().min(1),
        /** One line saying what the file tests (the project summary lists it). */
        summary: z.string().min(1).max(300),
        content: z.string().optional(),
        edits: z.array(Edit).max(20).optional(),
      }),
    )
    .max(6),
});
export type AcceptanceTests = z.infer<typeof AcceptanceTests>;

export const Review = z.object({
  approved: z.boolean(),
  issues: z.array(z.string()).max(10),
});
export type Review = z.infer<typeof Review>;

export const Diagnosis = z.object({
  hypotheses: z.array(z.string().min(1)).min(1).max(5),
  /** What the fix does, in one or two sentences. */
  explanation: z.string().min(1),
  /** `fix` changes the code; `logging` adds output to learn more before fixing. */
  kind: DiagnosisKind,
  changes: z
    .array(
      z.object({
        path: z.string().min(1),
        edits: z.array(Edit).max(20).optional(),
        content: z.string().optional(),
      }),
    )
    .min(1)
    .max(10),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

export const Troubleshooting = z.object({
  /** The task's title: the problem (or change) summed up in a few words. */
  title: TaskTitle,
  analysis: z.string().min(1),
  /** For a problem: what may cause it, most likely first. */
  hypotheses: z.array(z.string().min(1)).max(5).optional(),
  relevantFiles: z.array(z.string()).max(20),
  steps: z.array(DevStep).min(1).max(20),
  testInstructions: z.string().min(1),
});
export type Troubleshooting = z.infer<typeof Troubleshooting>;

// Fields over their limit that the LLM layer trims instead of re-asking: extras whose loss is harmless
// (clarifying questions and their options, hypotheses listed most likely first, review issues, context
// files, a one-line note). Every other limit is re-asked with the limit stated (`output-limits.ts`).
Spec.register(trimmable, { paths: ['questions', 'questions.*.options'] });
DevPlan.register(trimmable, { paths: ['relevantFiles'] });
FileChange.register(trimmable, { paths: ['summary'] });
AcceptanceTests.register(trimmable, { paths: ['files.*.summary'] });
Review.register(trimmable, { paths: ['issues'] });
Diagnosis.register(trimmable, { paths: ['hypotheses'] });
Troubleshooting.register(trimmable, { paths: ['hypotheses', 'relevantFiles'] });

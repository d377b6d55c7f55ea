/**
 * The agents' artifacts (the `artifact` event of the live channel): a union on `kind`, one schema of
 * `data` per kind. The agents' own output schemas (`core/agents/schemas.ts`) are built from the pieces
 * defined here, so what an agent emits and what a viewer reads are one definition. Re-exported by
 * `protocol.ts` for the web: this module imports nothing but zod.
 *
 * Events already in a project's log were written by earlier versions of the agents, so reading is
 * lenient where emitting is not: {@link readArtifact} upgrades the older shapes a kind has had (a plan
 * without epics, a preview without `install`), and keeps anything else as an `unreadable` artifact,
 * which viewers ignore, instead of refusing the whole event.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------
// Pieces shared with the agents' output schemas

/** What the SpecWriter's specification says about the app (its questions aside). */
export const SpecFields = z.object({
  name: z.string().min(1).max(80),
  summary: z.string().min(1).max(2000),
  features: z.array(z.string().min(1)).min(1).max(30),
  complexity: z.enum(['simple', 'moderate', 'complex']),
});

/** A clarifying question of the SpecWriter and the answer it got (the user's, or autopilot's default). */
export const Clarification = z.object({ question: z.string(), answer: z.string() });
export type Clarification = z.infer<typeof Clarification>;

/** One task of the TechLead's plan. */
export const PlanTask = z.object({
  title: z.string().min(1).max(120),
  description: z.string().min(1).max(2000),
  acceptance: z.array(z.string().min(1)).min(1).max(10),
  /** The feature area the task belongs to; tasks of one area share it. */
  epic: z.string().min(1).max(80).optional(),
});
export type PlanTask = z.infer<typeof PlanTask>;

/** One step of a task's work plan (the Developer's or the Troubleshooter's). */
export const DevStep = z.discriminatedUnion('type', [
  z.object({ type: z.literal('code'), path: z.string().min(1), instructions: z.string().min(1) }),
  z.object({
    type: z.literal('command'),
    command: z.string().min(1),
    timeoutSeconds: z.number().int().min(1).max(900).optional(),
  }),
  z.object({ type: z.literal('human'), instructions: z.string().min(1) }),
]);
export type DevStep = z.infer<typeof DevStep>;

/** What a BugHunter's change is: a fix, or logging added to learn more before fixing. */
export const DiagnosisKind = z.enum(['fix', 'logging']);

// ---------------------------------------------------------------------------------------------------
// The artifacts, by kind

/** The specification (SpecWriter), with the answers to its clarifying questions. */
export const SpecArtifact = SpecFields.extend({ clarifications: z.array(Clarification) });
export type SpecArtifact = z.infer<typeof SpecArtifact>;

/** The stack (Architect): its catalog id and name, and what it adds. */
export const ArchitectureArtifact = z.object({
  stack: z.string(),
  name: z.string(),
  packages: z.array(z.string()),
  systemDependencies: z.array(z.string()),
  /** The project's conventions (absent in logs older than this field). */
  conventions: z.string().optional(),
  notes: z.string(),
});
export type ArchitectureArtifact = z.infer<typeof ArchitectureArtifact>;

export const PlanEpic = z.object({ title: z.string(), tasks: z.array(PlanTask) });
export type PlanEpic = z.infer<typeof PlanEpic>;

/** The task plan (TechLead), grouped by epic; `revision` 2 is the plan changed at the user's request. */
export const PlanArtifact = z.object({
  tasks: z.array(PlanTask),
  epics: z.array(PlanEpic),
  revision: z.number().int(),
});
export type PlanArtifact = z.infer<typeof PlanArtifact>;

/** A task's work plan (Developer, Troubleshooter). */
export const TaskPlanArtifact = z.object({
  taskId: z.string(),
  steps: z.array(DevStep),
  relevantFiles: z.array(z.string()),
});
export type TaskPlanArtifact = z.infer<typeof TaskPlanArtifact>;

/** How the user can check a finished task by hand. */
export const TestInstructionsArtifact = z.object({
  taskId: z.string(),
  title: z.string(),
  instructions: z.string(),
});
export type TestInstructionsArtifact = z.infer<typeof TestInstructionsArtifact>;

/** The BugHunter's reading of a failure and the files its change touched. */
export const DiagnosisArtifact = z.object({
  command: z.string(),
  attempt: z.number().int(),
  hypotheses: z.array(z.string()),
  kind: DiagnosisKind,
  files: z.array(z.string()),
});
export type DiagnosisArtifact = z.infer<typeof DiagnosisArtifact>;

/**
 * How the agents started the app (Executor): what reopening the preview needs. Never a link: a link
 * carries a token and expires (the UI asks for a fresh one).
 */
export const PreviewArtifact = z.object({
  port: z.number().int(),
  command: z.string(),
  /** Installs the app's dependencies in a new sandbox (null: it has none). */
  install: z.string().nullable(),
  /** The app is a dev server that reloads changed files itself. */
  watches: z.boolean(),
});
export type PreviewArtifact = z.infer<typeof PreviewArtifact>;

/** Every artifact an agent emits: `kind` names the schema of `data`. */
export const Artifact = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('spec'), data: SpecArtifact }),
  z.object({ kind: z.literal('architecture'), data: ArchitectureArtifact }),
  z.object({ kind: z.literal('plan'), data: PlanArtifact }),
  z.object({ kind: z.literal('task-plan'), data: TaskPlanArtifact }),
  z.object({ kind: z.literal('test-instructions'), data: TestInstructionsArtifact }),
  z.object({ kind: z.literal('diagnosis'), data: DiagnosisArtifact }),
  z.object({ kind: z.literal('preview'), data: PreviewArtifact }),
]);
export type Artifact = z.infer<typeof Artifact>;
export type ArtifactKind = Artifact['kind'];
export type ArtifactData<K extends ArtifactKind> = Extract<Artifact, { kind: K }>['data'];

/**
 * An artifact this version cannot read: of a kind it does not know, or of a shape none of its kind ever
 * had. Viewers ignore it; `was` keeps the kind it was logged with.
 */
export interface UnreadableArtifact {
  kind: 'unreadable';
  was: string;
  data: unknown;
}

// ---------------------------------------------------------------------------------------------------
// Reading logged artifacts

/** Shapes an artifact's data had in earlier versions, each upgraded to the current one. */
const EARLIER_SHAPES: { [K in ArtifactKind]?: z.ZodType<ArtifactData<K>> } = {
  // Before epics, a plan listed its tasks only: they were one untitled group.
  plan: z
    .object({ tasks: z.array(PlanTask), revision: z.number().int() })
    .transform((p) => ({ ...p, epics: [{ title: 'Tasks', tasks: p.tasks }] })),
  // Before dependencies were installed and files followed, a preview said neither; its `url` is dropped.
  preview: z
    .object({
      port: z.number().int(),
      command: z.string(),
      install: z.string().nullable().optional(),
      watches: z.boolean().optional(),
    })
    .transform((p) => ({ ...p, install: p.install ?? null, watches: p.watches ?? false })),
};

/** A logged artifact as this version reads it: typed, upgraded from an earlier shape, or unreadable. */
export function readArtifact(kind: string, data: unknown): Artifact | UnreadableArtifact {
  const current = Artifact.safeParse({ kind, data });
  if (current.success) return current.data;
  const earlier = EARLIER_SHAPES[kind as ArtifactKind]?.safeParse(data);
  if (earlier?.success) return { kind, data: earlier.data } as Artifact;
  return { kind: 'unreadable', was: kind, data };
}

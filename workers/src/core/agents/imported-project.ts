/**
 * The Architect on an imported app: no specification is written from scratch. The stack is recognized
 * from the files (or asked for when none of the catalog fits), one call sums the app up from the project
 * map and its key files, and that summary becomes what every later agent is shown (the state's spec,
 * stack and file notes). The import is the plan's first task, done: the run then waits for the user's
 * change requests, which take the usual way (`userRequestRef`).
 */
import { STACKS, stackById } from '../catalog/catalog.ts';
import type { TaskRef } from '../pipeline.ts';
import { architectImportV1 } from '../prompts/architect/import-v1.ts';
import { callBudget } from './context-budget.ts';
import { withOutcome } from './outcome.ts';
import { fileContents, filePaths } from './project-context.ts';
import { projectMap } from './project-map.ts';
import { readmeKeyFiles } from './readme-files.ts';
import { ImportedApp } from './schemas.ts';
import { AgentSession } from './session.ts';
import { recognizeStack } from './stack-recognition.ts';
import type { AgentContext, AgentResult, AgentsState, TaskState } from './state.ts';
import type { AgentRef } from './steps.ts';

/** The imported project's one task: reading what is there. */
export const IMPORT_TASK: TaskRef = { id: 'import', title: 'Read the imported app' };

/** The first step of an imported project's run. */
export function importRef(): AgentRef {
  return { agent: 'Architect', title: 'Read the imported app', task: IMPORT_TASK, input: { imported: true } };
}

/** The answer that keeps the project without a stack: its files are edited, nothing is run. */
const NO_STACK = 'None of these: only change the files';
/** Largest share of the call's budget the key files take (the map gets what is left). */
const MAX_FILES_CHARS = 24_000;

/** The stack to use: the files' own, else the user's choice among the catalog (null: none). */
async function chooseStack(ctx: AgentContext, paths: readonly string[]): Promise<string | null> {
  const recognized = await recognizeStack(ctx.files, paths);
  if (recognized.stackId) return recognized.stackId;
  const answer = await ctx.ask({
    text: `I could not tell how to run this app (${recognized.evidence}). Which of the stacks I can run fits it?`,
    options: [...STACKS.map((s) => s.name), NO_STACK],
    default: NO_STACK,
  });
  return STACKS.find((s) => s.name === answer || s.id === answer)?.id ?? null;
}

export async function readImportedProject(ctx: AgentContext, state: AgentsState): Promise<AgentResult> {
  const paths = await filePaths(ctx);
  const stackId = await chooseStack(ctx, paths);
  const stack = stackId ? stackById(stackId) : null;

  // The key files whole, then the map of every file, within the call's budget.
  const room = Math.max(0, (await callBudget(ctx)) * 4 - 4_000);
  const keyPaths = await readmeKeyFiles(ctx, paths, stack?.start ?? 'npm start');
  const readme = paths.find((p) => /^readme(\.md|\.txt)?$/i.test(p));
  const shown = readme ? [readme, ...keyPaths] : keyPaths;
  const files = await fileContents(ctx, shown, Math.min(MAX_FILES_CHARS, Math.floor(room / 2)));
  const map = await projectMap(ctx, state, {
    budgetChars: Math.max(2_000, room - files.length),
    exclude: shown,
  });

  const session = new AgentSession(ctx);
  const app = await session.object({
    messages: [
      { role: 'system', content: architectImportV1.system },
      {
        role: 'user',
        content: architectImportV1.user({
          name: ctx.project.name,
          stack: stack
            ? `${stack.name} (test: \`${stack.test}\`, start: \`${stack.start}\`, port ${stack.previewPort})`
            : 'none the platform runs: the agents change the files only',
          map,
          files,
        }),
      },
    ],
    schema: ImportedApp,
  });

  const known = new Set(paths);
  const fileNotes = { ...state.fileNotes };
  for (const file of app.mainFiles) if (known.has(file.path)) fileNotes[file.path] = file.note;
  const task: TaskState = {
    ...IMPORT_TASK,
    description: `The app as imported: ${paths.length} files.`,
    acceptance: [],
  };
  ctx.artifact({
    kind: 'spec',
    data: {
      name: app.name,
      summary: app.summary,
      features: app.features,
      complexity: 'moderate',
      clarifications: [],
    },
  });
  if (stack) {
    ctx.artifact({
      kind: 'architecture',
      data: {
        stack: stack.id,
        name: stack.name,
        packages: [],
        systemDependencies: [],
        conventions: app.conventions,
        notes: app.howToRun,
      },
    });
  }
  ctx.say(
    `I read the imported app: ${app.summary}\n${stack ? `Stack: ${stack.name}.` : 'It runs on no stack I know, so I will change its files without running them.'} Tell me what to change.`,
  );
  const next: AgentsState = {
    ...state,
    spec: {
      name: app.name,
      summary: app.summary,
      features: app.features,
      complexity: 'moderate',
      questions: [],
      clarifications: [],
    },
    stack: stack ? { id: stack.id, packages: [], notes: app.howToRun, conventions: app.conventions } : null,
    tasks: [task],
    fileNotes,
  };
  return {
    state: session.addStats(withOutcome(next, task.id, { status: 'completed' }), 'plan'),
    next: null,
    taskDone: 'completed',
  };
}

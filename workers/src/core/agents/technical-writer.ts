/**
 * TechnicalWriter: the generated app's README. It reads the project map, the key files (package.json,
 * the entry point, the server and its routes, the page) and the README as it is. A project without a
 * README gets one written whole (streamed as it is written); a README that exists is changed by
 * search/replace edits (a miss re-asked once, like the CodeMonkey's), so what the user wrote in it
 * stays byte for byte. The "Not working yet" section is the platform's own (`known-issues.ts`).
 */
import { stackById } from '../catalog/catalog.ts';
import { readmeEditV3, technicalWriterV3 } from '../prompts/technical-writer/v3.ts';
import { problemsFeedback, type Refused } from './apply-changes.ts';
import { documentOf } from './document-reply.ts';
import { applyEdits } from './edits.ts';
import { withKnownIssues, withoutKnownIssues } from './known-issues.ts';
import { notWorkingYet } from './outcome.ts';
import { fileContents, filePaths, projectSummary } from './project-context.ts';
import { projectMap } from './project-map.ts';
import { callBudget } from './context-budget.ts';
import { readmeKeyFiles } from './readme-files.ts';
import { ReadmeEdits } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentContext, AgentsState, AgentStep } from './state.ts';

const README = 'README.md';

type Vars = Parameters<typeof technicalWriterV3.user>[0];

/**
 * The writer's prompt budget: the call's (`context-budget.ts`), and at most this many characters. A
 * README summarises: the entry, the server, its routes and the page tell it what it needs, the map
 * names the rest, and the call stays a fraction of what sending the whole project would cost, however
 * large the model's window. Of it, the key files whole get a quarter and the map of the rest an eighth.
 */
const README_BUDGET_CHARS = 24_000;
/** The map and the files get at least this much, even when the README alone fills the budget. */
const MIN_PART_CHARS = 1_500;

/**
 * The map and the key files within their shares and what the budget leaves after `fixedChars` (the
 * instructions, the summary, the README): whole key files, most telling first, while they fit; every
 * other file in the map.
 */
async function readmeContext(
  ctx: AgentContext,
  state: AgentsState,
  fixedChars: number,
): Promise<Pick<Vars, 'map' | 'files'>> {
  const budget = Math.min(README_BUDGET_CHARS, (await callBudget(ctx)) * 4);
  const [filesShare, mapShare] = [budget / 4, budget / 8];
  const left = budget - fixedChars;
  const filesBudget = Math.max(MIN_PART_CHARS, Math.min(filesShare, left - mapShare));
  const paths = await filePaths(ctx);
  const stack = state.stack ? stackById(state.stack.id) : null;
  const candidates = await readmeKeyFiles(ctx, paths, stack?.start ?? null);
  const shown: string[] = [];
  let used = 0;
  for (const path of candidates) {
    const size = ((await ctx.files.read(path)) ?? '').length + 2 * path.length + 20;
    if (used + size > filesBudget) continue;
    shown.push(path);
    used += size;
  }
  return {
    files: await fileContents(ctx, shown, filesBudget),
    map: await projectMap(ctx, state, {
      budgetChars: Math.max(MIN_PART_CHARS, Math.min(mapShare, left - used)),
      exclude: [...shown, README],
    }),
  };
}

function commandsOf(state: AgentsState): string {
  const stack = state.stack ? stackById(state.stack.id) : null;
  if (!stack) return '(none)';
  return [
    stack.install && `install: ${stack.install}`,
    `test: ${stack.test}`,
    `start: ${stack.start} (port ${stack.previewPort})`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** One edit answer applied to `readme`, or why it could not be. */
async function editOnce(
  session: AgentSession,
  vars: Vars,
  readme: string,
  feedback: string,
): Promise<{ content: string } | Refused> {
  const answer = await session.object({
    messages: [
      { role: 'system', content: readmeEditV3.system },
      { role: 'user', content: readmeEditV3.user({ ...vars, readme, feedback }) },
    ],
    schema: ReadmeEdits,
  });
  if (answer.edits.length === 0) return { content: readme };
  const applied = applyEdits(readme, answer.edits);
  if (applied.ok) return { content: applied.content };
  // The README is in the prompt whole: the re-ask need not show it again.
  return { problems: applied.problems.map((p) => `${README}: ${p}`), refusedFiles: [] };
}

/** The README edited, re-asking once on a miss; `failed` (why) when the edits could not be applied twice. */
async function editReadme(
  session: AgentSession,
  vars: Vars,
  readme: string,
): Promise<{ content: string } | { failed: string }> {
  const first = await editOnce(session, vars, readme, '');
  if ('content' in first) return first;
  const second = await editOnce(session, vars, readme, problemsFeedback(first));
  return 'content' in second ? second : { failed: second.problems.join('; ') };
}

export const technicalWriter: AgentStep<'TechnicalWriter'> = async (ctx, state) => {
  const session = new AgentSession(ctx);
  const unfinished = notWorkingYet(state, ctx.input?.appNotStarted);
  const current = await ctx.files.read(README);
  // The platform's section is never the model's to edit: it is taken out and written anew. An empty
  // README has nothing to keep or to search in: it is written whole.
  const kept = current === null ? '' : withoutKnownIssues(current);
  const own = kept.trim() === '' ? null : kept;
  const partial = {
    // The map stands for the summary's list of files.
    summary: projectSummary(ctx, state, { files: false }),
    commands: commandsOf(state),
    unfinished: unfinished.join('\n'),
  };
  const system = own === null ? technicalWriterV3.system : readmeEditV3.system;
  const fixed = system.length + partial.summary.length + partial.unfinished.length + (own?.length ?? 0);
  const vars: Vars = { ...partial, ...(await readmeContext(ctx, state, fixed)) };

  let said: string;
  if (own === null) {
    const answer = await session.complete({
      messages: [
        { role: 'system', content: technicalWriterV3.system },
        { role: 'user', content: technicalWriterV3.user(vars) },
      ],
      stream: true,
    });
    ctx.files.write(README, withKnownIssues(documentOf(answer.text), unfinished));
    said = 'The README is written.';
  } else {
    const edited = await editReadme(session, vars, own);
    const next = withKnownIssues('content' in edited ? edited.content : own, unfinished);
    if (next !== current) ctx.files.write(README, next);
    said =
      'failed' in edited
        ? `The README's edits could not be applied, so it is kept as it was (${edited.failed}).`
        : next === current
          ? 'The README is up to date.'
          : 'The README is updated.';
  }
  ctx.say(
    unfinished.length
      ? `${said} Not everything works yet:\n${unfinished.join('\n')}`
      : `${said} The app is ready.`,
  );
  return {
    state: session.addStats(
      { ...state, fileNotes: { ...state.fileNotes, [README]: 'how to install, test and run the app' } },
      'finish',
    ),
    next: null,
  };
};

/**
 * The context an agent's call carries: a compact project summary (the specification's gist, the stack,
 * the plan's progress, and one line per file) and the contents of only the files relevant to the work
 * at hand, each capped. Never the whole project: the cost of a call must not grow with the project.
 */
import { stackById } from '../catalog/catalog.ts';
import { SYNC_MARKER } from './app-port.ts';
import { callBudget } from './context-budget.ts';
import { planLine } from './outcome.ts';
import type { AgentContext, AgentsState } from './state.ts';
import { estimateTokens } from './tokens.ts';
import { notesSection } from './user-notes.ts';

/** Largest part of one file an agent is shown; beyond it the file is cut with a note. */
const MAX_FILE_CHARS = 12_000;
/** Largest total of file contents in one call. */
const MAX_CONTEXT_CHARS = 48_000;

/**
 * The summary every call carries, the user's notes last. `brief` leaves out the feature list and
 * decisions: an agent that works on one file has its task's own description instead. `files: false`
 * leaves out the list of files, for a call that carries the project map (`project-map.ts`) instead.
 */
export function projectSummary(
  ctx: AgentContext,
  state: AgentsState,
  opts: { brief?: boolean; files?: boolean } = {},
): string {
  const lines = [`Project: ${ctx.project.name}`];
  if (state.spec) {
    lines.push(`Summary: ${state.spec.summary}`);
    if (!opts.brief) {
      lines.push('Features:', ...state.spec.features.map((f) => `- ${f}`));
      for (const c of state.spec.clarifications) lines.push(`Decided: ${c.question} → ${c.answer}`);
    }
  } else {
    lines.push(`Description: ${ctx.project.description}`);
  }
  const stack = state.stack ? stackById(state.stack.id) : null;
  if (stack) {
    lines.push(
      `Stack: ${stack.name} (test: \`${stack.test}\`, start: \`${stack.start}\`, port ${stack.previewPort})`,
    );
    // The Architect's conventions (the catalog's only for runs from before the Architect stated them).
    lines.push(`Conventions:\n${state.stack!.conventions ?? stack.conventions}`);
    if (state.stack!.packages.length) lines.push(`Packages: ${state.stack!.packages.join(', ')}`);
  }
  if (state.tasks.length) {
    const current = ctx.task?.id ?? state.work?.taskId ?? null;
    lines.push('Plan:', ...state.tasks.map((t) => planLine(state, t, current)));
  }
  if (opts.files !== false) {
    const files = Object.entries(state.fileNotes).sort(([a], [b]) => (a < b ? -1 : 1));
    lines.push(
      files.length ? 'Files:' : 'Files: none yet',
      ...files.map(([path, note]) => `- ${path}: ${note}`),
    );
  }
  // Brief or not: what the user said concerns every agent.
  const notes = notesSection(state.notes);
  if (notes) lines.push(notes);
  return lines.join('\n');
}

/** Paths of the project's files, for the agents that choose what is relevant. */
export async function filePaths(ctx: AgentContext): Promise<string[]> {
  return (await ctx.files.list()).map((f) => f.path).filter((p) => p !== SYNC_MARKER);
}

/**
 * The characters of file text a call may carry besides `fixed` (the rest of its prompt), within the
 * call's token budget (`context-budget.ts`) and never above `cap`.
 */
export async function filesBudgetChars(
  ctx: AgentContext,
  fixed: string,
  cap = MAX_CONTEXT_CHARS,
): Promise<number> {
  const room = (await callBudget(ctx)) - estimateTokens(fixed);
  return Math.max(0, Math.min(cap, room * 4));
}

/** The contents of `paths` (those that exist), each capped, within a total budget, as prompt text. */
export async function fileContents(
  ctx: AgentContext,
  paths: readonly string[],
  budget = MAX_CONTEXT_CHARS,
): Promise<string> {
  const parts: string[] = [];
  let left = budget;
  for (const path of [...new Set(paths)]) {
    const content = await ctx.files.read(path).catch(() => null);
    if (content === null) continue;
    // The block's framing and a cut file's note count too: the text never passes the budget.
    const cap = Math.min(MAX_FILE_CHARS, left - 2 * path.length - 60);
    if (cap <= 0) {
      parts.push(`(more files left out: the context budget is spent)`);
      break;
    }
    const shown =
      content.length > cap
        ? `${content.slice(0, cap)}\n[... ${content.length - cap} more characters ...]`
        : content;
    const block = `--- ${path}\n${shown}\n--- end of ${path}`;
    left -= block.length + 2;
    parts.push(block);
  }
  return parts.length ? parts.join('\n\n') : '(none)';
}

/**
 * Turns an agent's file changes into new file contents under the rules: a new file is written whole; an
 * existing file changes only by search/replace edits that each match exactly once. Anything else is a
 * problem to re-ask about, never applied.
 */
import { normalizePath } from '../paths.ts';
import { applyEdits, type SearchReplace } from './edits.ts';
import type { AgentContext } from './state.ts';

export interface ProposedChange {
  path: string;
  content?: string | undefined;
  edits?: SearchReplace[] | undefined;
}

export type Resolved =
  | { ok: true; files: { path: string; before: string | null; after: string }[] }
  | { ok: false; problems: string[] };

/** Resolves every change against the current files; all or nothing. */
export async function resolveChanges(
  ctx: AgentContext,
  changes: readonly ProposedChange[],
): Promise<Resolved> {
  const problems: string[] = [];
  const files: { path: string; before: string | null; after: string }[] = [];
  for (const change of changes) {
    const path = normalizePath(change.path);
    if (!path) {
      problems.push(`${change.path}: not an acceptable path (relative, no ".." segments)`);
      continue;
    }
    const before = files.find((f) => f.path === path)?.after ?? (await ctx.files.read(path));
    if (before === null) {
      if (change.content === undefined)
        problems.push(`${path}: the file does not exist yet; give its whole content`);
      else files.push({ path, before: null, after: change.content });
      continue;
    }
    if (!change.edits || change.edits.length === 0) {
      problems.push(
        `${path}: the file exists; change it with search/replace edits, not by rewriting it whole`,
      );
      continue;
    }
    const applied = applyEdits(before, change.edits);
    if (!applied.ok) problems.push(...applied.problems.map((p) => `${path}: ${p}`));
    else {
      const existing = files.findIndex((f) => f.path === path);
      if (existing >= 0) files[existing] = { path, before: files[existing]!.before, after: applied.content };
      else files.push({ path, before, after: applied.content });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, files };
}

/** The re-ask's text about the problems. */
export function problemsFeedback(problems: readonly string[]): string {
  return `Your previous answer could not be applied:\n${problems.map((p) => `- ${p}`).join('\n')}\nAnswer again with corrected changes. Copy search texts exactly from the current file.`;
}

/**
 * Turns an agent's file changes into new file contents under the rules: a new file is written whole; an
 * existing file changes only by search/replace edits that each match exactly once (or, failing that, one
 * place up to whitespace). Anything else is a problem to re-ask about, never applied; the re-ask shows
 * the refused files' current text.
 */
import { normalizePath } from '../paths.ts';
import { applyEdits, type SearchReplace } from './edits.ts';
import { refusedFilesText, type RefusedFile } from './refused-files.ts';
import type { AgentContext } from './state.ts';

export interface ProposedChange {
  path: string;
  content?: string | undefined;
  edits?: SearchReplace[] | undefined;
}

/** Why an answer was refused: its problems, and the current text of the files it could not change. */
export interface Refused {
  problems: string[];
  refusedFiles: readonly RefusedFile[];
}

export type Resolved =
  { ok: true; files: { path: string; before: string | null; after: string }[] } | ({ ok: false } & Refused);

/** Resolves every change against the current files; all or nothing. */
export async function resolveChanges(
  ctx: AgentContext,
  changes: readonly ProposedChange[],
): Promise<Resolved> {
  const problems: string[] = [];
  const refused: RefusedFile[] = [];
  const refuse = (path: string, content: string, missed: readonly string[]) => {
    const known = refused.find((f) => f.path === path);
    if (known) known.missed = [...known.missed, ...missed];
    else refused.push({ path, content, missed });
  };
  const files: { path: string; before: string | null; after: string }[] = [];
  for (const change of changes) {
    const path = normalizePath(change.path);
    if (!path) {
      problems.push(`${change.path}: not an acceptable path (relative, no ".." segments)`);
      continue;
    }
    const onDisk = await ctx.files.read(path);
    const before = files.find((f) => f.path === path)?.after ?? onDisk;
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
      refuse(path, onDisk ?? before, []);
      continue;
    }
    const applied = applyEdits(before, change.edits);
    if (!applied.ok) {
      problems.push(...applied.problems.map((p) => `${path}: ${p}`));
      // The whole answer is refused, so the file the agent must copy from is the one on disk.
      refuse(path, onDisk ?? before, applied.missed);
    } else {
      const existing = files.findIndex((f) => f.path === path);
      if (existing >= 0) files[existing] = { path, before: files[existing]!.before, after: applied.content };
      else files.push({ path, before, after: applied.content });
    }
  }
  return problems.length > 0 ? { ok: false, problems, refusedFiles: refused } : { ok: true, files };
}

/** The re-ask's text about the problems, with the refused files' current text when it is known. */
export function problemsFeedback({ problems, refusedFiles }: Refused): string {
  return [
    `Your previous answer could not be applied:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    refusedFilesText(refusedFiles),
    'Answer again with corrected changes. Copy search texts exactly from the current file' +
      (refusedFiles.length > 0 ? ' as shown above.' : '.'),
  ]
    .filter(Boolean)
    .join('\n');
}

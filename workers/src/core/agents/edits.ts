/**
 * Search/replace edits of existing files. Each search text must occur exactly once in the file; one that
 * occurs nowhere is still applied when it matches exactly one place up to whitespace (`near-miss.ts`).
 * An edit that matches nowhere or in several places is never applied (the agent is asked again, quoting
 * which edit failed and why, with the file's current text), so a file is never silently rewritten or
 * changed in the wrong place.
 */
import { applyNearMiss } from './near-miss.ts';

export interface SearchReplace {
  search: string;
  replace: string;
}

export type EditResult =
  | { ok: true; content: string }
  /** `missed`: the search texts that were refused, to show the agent where they came closest. */
  | { ok: false; problems: string[]; missed: string[] };

function occurrences(haystack: string, needle: string): number {
  if (needle.length === 0) return 0;
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

const quoted = (search: string) => JSON.stringify(search.slice(0, 160));

/** The updated content, or why the edit is refused. */
function applyOne(content: string, edit: SearchReplace): { content: string } | { problem: string } {
  if (edit.search.length === 0) return { problem: 'the search text is empty' };
  const n = occurrences(content, edit.search);
  if (n === 1) return { content: content.replace(edit.search, () => edit.replace) };
  if (n > 1)
    return {
      problem: `the search text occurs ${n} times (it must occur exactly once; include more surrounding lines): ${quoted(edit.search)}`,
    };
  const near = applyNearMiss(content, edit.search, edit.replace);
  if (near.ok) return { content: near.content };
  const why =
    near.reason === 'ambiguous'
      ? ` (ignoring whitespace it matches ${near.places} places; include more surrounding lines)`
      : near.reason === 'indentation'
        ? ' (ignoring whitespace it matches one place, but its indentation differs inconsistently from the file)'
        : '';
  return { problem: `the search text does not occur in the file${why}: ${quoted(edit.search)}` };
}

/**
 * Applies the edits in order (each to the result of the ones before), or reports every edit that does
 * not match exactly once. All or nothing.
 */
export function applyEdits(content: string, edits: readonly SearchReplace[]): EditResult {
  if (edits.length === 0) return { ok: false, problems: ['no edit was given'], missed: [] };
  let current = content;
  const problems: string[] = [];
  const missed: string[] = [];
  edits.forEach((edit, i) => {
    const applied = applyOne(current, edit);
    if ('content' in applied) current = applied.content;
    else {
      problems.push(`edit ${i + 1}: ${applied.problem}`);
      if (edit.search.length > 0) missed.push(edit.search);
    }
  });
  return problems.length > 0 ? { ok: false, problems, missed } : { ok: true, content: current };
}

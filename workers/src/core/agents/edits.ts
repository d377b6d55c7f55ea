/**
 * Search/replace edits of existing files. Each search text must occur exactly once in the file: an edit
 * that matches nowhere or in several places is never applied (the agent is asked again, quoting which
 * edit failed and why), so a file is never silently rewritten or changed in the wrong place.
 */

export interface SearchReplace {
  search: string;
  replace: string;
}

export type EditResult = { ok: true; content: string } | { ok: false; problems: string[] };

function occurrences(haystack: string, needle: string): number {
  if (needle.length === 0) return 0;
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * Applies the edits in order (each to the result of the ones before), or reports every edit that does
 * not match exactly once. All or nothing.
 */
export function applyEdits(content: string, edits: readonly SearchReplace[]): EditResult {
  if (edits.length === 0) return { ok: false, problems: ['no edit was given'] };
  let current = content;
  const problems: string[] = [];
  edits.forEach((edit, i) => {
    const n = occurrences(current, edit.search);
    if (n === 1) current = current.replace(edit.search, () => edit.replace);
    else if (edit.search.length === 0) problems.push(`edit ${i + 1}: the search text is empty`);
    else
      problems.push(
        `edit ${i + 1}: the search text ${n === 0 ? 'does not occur in the file' : `occurs ${n} times (it must occur exactly once; include more surrounding lines)`}: ${JSON.stringify(edit.search.slice(0, 160))}`,
      );
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, content: current };
}
